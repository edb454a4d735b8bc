//! Settings kept on the server as private METADATA annotations (RFC 5464), or, on a server
//! without METADATA (or LITERAL+, or that refuses Carteiro's entries), in a private folder ([`super::settings_folder`]): the
//! same four calls either way, so no caller knows which.

use std::collections::HashMap;

use async_imap::imap_proto::{MailboxDatum, Response};

use super::connection::ImapConn;
use crate::imap::error::ImapError;
use crate::imap::quote;

impl ImapConn {
    /// A user setting: a server-level private annotation (RFC 5464 METADATA), or the entry
    /// of the settings folder. `None` when unset.
    pub async fn get_setting(&mut self, entry: &str) -> Result<Option<String>, ImapError> {
        if !self.settings_in_metadata().await? {
            return Ok(self.folder_settings().await?.remove(entry));
        }
        let cmd = format!("GETMETADATA \"\" {}", quote::quoted(entry)?);
        let mut value = None;
        self.command(&cmd, |r| {
            if let Response::MailboxData(MailboxDatum::MetadataSolicited { values, .. }) = r {
                for m in values {
                    if m.entry.eq_ignore_ascii_case(entry) {
                        value = m.value.clone();
                    }
                }
            }
        })
        .await?;
        Ok(value)
    }

    /// Several settings in one GETMETADATA (or one read of the settings folder): entry →
    /// value for those that are set.
    pub async fn get_settings(
        &mut self,
        entries: &[&str],
    ) -> Result<HashMap<String, String>, ImapError> {
        let mut found = HashMap::new();
        if entries.is_empty() {
            return Ok(found);
        }
        if !self.settings_in_metadata().await? {
            let mut all = self.folder_settings().await?;
            return Ok(entries
                .iter()
                .filter_map(|e| all.remove_entry(*e))
                .collect());
        }
        let list = entries
            .iter()
            .map(|e| quote::quoted(e))
            .collect::<Result<Vec<_>, _>>()?
            .join(" ");
        self.command(&format!("GETMETADATA \"\" ({list})"), |r| {
            if let Response::MailboxData(MailboxDatum::MetadataSolicited { values, .. }) = r {
                for m in values {
                    if let Some(v) = &m.value {
                        found.insert(m.entry.clone(), v.clone());
                    }
                }
            }
        })
        .await?;
        Ok(found)
    }

    /// Stores (or with `None` removes) several settings in one SETMETADATA (or one rewrite
    /// of the settings folder).
    pub async fn set_settings(
        &mut self,
        values: &[(&str, Option<String>)],
    ) -> Result<(), ImapError> {
        if !self.settings_in_metadata().await? {
            return self.write_folder_settings(values).await;
        }
        let mut list = Vec::new();
        for (entry, value) in values {
            let entry = quote::quoted(entry)?;
            list.push(match value {
                Some(v) => format!("{entry} {{{}+}}\r\n{v}", v.len()),
                None => format!("{entry} NIL"),
            });
        }
        self.command(&format!("SETMETADATA \"\" ({})", list.join(" ")), |_| {})
            .await
    }

    /// Stores (or with `None` removes) a setting. With METADATA the value goes as a
    /// non-synchronizing literal (LITERAL+), so it may hold line breaks and quotes.
    pub async fn set_setting(&mut self, entry: &str, value: Option<&str>) -> Result<(), ImapError> {
        if !self.settings_in_metadata().await? {
            return self
                .write_folder_settings(&[(entry, value.map(str::to_string))])
                .await;
        }
        let entry = quote::quoted(entry)?;
        let cmd = match value {
            Some(v) => format!("SETMETADATA \"\" ({entry} {{{}+}}\r\n{v})", v.len()),
            None => format!("SETMETADATA \"\" ({entry} NIL)"),
        };
        self.command(&cmd, |_| {}).await
    }
}
