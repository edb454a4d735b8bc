//! Settings kept on the server as private METADATA annotations (RFC 5464).

use std::collections::HashMap;

use async_imap::imap_proto::{MailboxDatum, Response};

use super::connection::ImapConn;
use crate::imap::error::{Declined, ImapError};
use crate::imap::quote;

impl ImapConn {
    /// A server-level private annotation (RFC 5464 METADATA), e.g. a user setting.
    /// `None` when unset or when the server has no METADATA.
    pub async fn get_setting(&mut self, entry: &str) -> Result<Option<String>, ImapError> {
        if !self.caps.has("METADATA") {
            return Ok(None);
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

    /// Several server-level private annotations in one GETMETADATA: entry → value for those
    /// that are set. Empty when the server has no METADATA.
    pub async fn get_settings(
        &mut self,
        entries: &[&str],
    ) -> Result<HashMap<String, String>, ImapError> {
        let mut found = HashMap::new();
        if !self.caps.has("METADATA") || entries.is_empty() {
            return Ok(found);
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

    /// Stores (or with `None` removes) several annotations in one SETMETADATA.
    pub async fn set_settings(
        &mut self,
        values: &[(&str, Option<String>)],
    ) -> Result<(), ImapError> {
        if !self.caps.has("METADATA") || !self.caps.has("LITERAL+") {
            return Err(ImapError::Declined(Declined::NoSettings));
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

    /// Stores (or with `None` removes) a server-level private annotation. The value goes as a
    /// non-synchronizing literal (LITERAL+), so it may hold line breaks and quotes.
    pub async fn set_setting(&mut self, entry: &str, value: Option<&str>) -> Result<(), ImapError> {
        if !self.caps.has("METADATA") || !self.caps.has("LITERAL+") {
            return Err(ImapError::Declined(Declined::NoSettings));
        }
        let entry = quote::quoted(entry)?;
        let cmd = match value {
            Some(v) => format!("SETMETADATA \"\" ({entry} {{{}+}}\r\n{v})", v.len()),
            None => format!("SETMETADATA \"\" ({entry} NIL)"),
        };
        self.command(&cmd, |_| {}).await
    }
}
