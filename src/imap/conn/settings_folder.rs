//! Settings on a server without METADATA (or without LITERAL+, which SETMETADATA needs to
//! carry any value, or that refuses Carteiro's entries, as Cyrus does by default): every entry in one message of the private folder `Carteiro Settings`
//! (see [`crate::imap::private`]). A save APPENDs the whole new set, then removes the older
//! messages; a read takes the newest message. So a save interrupted halfway leaves the old
//! settings or the new ones, never a mix, and two sessions saving at once end with the
//! later save.
//!
//! The body is text, one entry a line, `name=value` with both percent-encoded: any UTF-8
//! and any line break in a value (a signature) survive, and a person who opens the folder
//! in another mail app can still read it.
//!
//! Reads are remembered on the connection until the folder's STATUS (messages, UIDNEXT)
//! changes, so the compose page asking for the signature costs one STATUS, not a FETCH.

use std::collections::HashMap;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::connection::ImapConn;
use crate::imap::error::{Declined, ImapError};
use crate::imap::private::{self, PrivateFolder, SettingsSnapshot};

/// Kept as they are in a line: what entry names (`/private/vendor/carteiro/theme`) are made
/// of, so the file reads well. `=`, `%`, line breaks and all non-ASCII are encoded.
const KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b' ');

/// An entry Carteiro never sets, removed to learn whether the server takes its entries.
const PROBE_ENTRY: &str = "/private/vendor/carteiro/probe";

/// The largest settings message read or written. Settings are a few kilobytes (a long
/// signature included); anything larger is not Carteiro's.
const MAX_SETTINGS_BYTES: usize = 1 << 20;

impl ImapConn {
    /// Whether this server keeps settings in METADATA; otherwise they are in the private
    /// folder. Both capabilities are needed (values go as LITERAL+ literals), and the server
    /// must take Carteiro's entries: Cyrus advertises METADATA but refuses entries under
    /// `/private/vendor/` that its `annotation_definitions` does not list (unless
    /// `annotation_allow_undefined` is on). The first connection asks once, by removing an
    /// entry that is never set, and every connection of the process keeps the answer: the
    /// same place for reads and writes, before any save and after a restart.
    pub(super) async fn settings_in_metadata(&mut self) -> Result<bool, ImapError> {
        if !(self.caps.has("METADATA") && self.caps.has("LITERAL+")) {
            return Ok(false);
        }
        if let Some(allowed) = self.cache.vendor_metadata() {
            return Ok(allowed);
        }
        let allowed = match self
            .command(&format!("SETMETADATA \"\" ({PROBE_ENTRY} NIL)"), |_| {})
            .await
        {
            Ok(()) => true,
            Err(ImapError::Refused(answer)) => {
                if self.cache.settle_vendor_metadata(false) {
                    tracing::warn!(
                        answer = %answer,
                        "the IMAP server offers METADATA but refuses Carteiro's entries \
                         (/private/vendor/carteiro/...): settings are kept in a private folder \
                         instead; on Cyrus, list them in annotation_definitions or set \
                         annotation_allow_undefined: yes"
                    );
                }
                false
            }
            Err(e) => return Err(e),
        };
        self.cache.settle_vendor_metadata(allowed);
        Ok(self.cache.vendor_metadata().unwrap_or(allowed))
    }

    /// Every setting kept in the folder: entry → value. Empty when there is no folder yet.
    pub(super) async fn folder_settings(&mut self) -> Result<HashMap<String, String>, ImapError> {
        let Some(folder) = self.private_folder(PrivateFolder::Settings, false).await? else {
            self.settings = None;
            return Ok(HashMap::new());
        };
        let status = self.status(&folder).await?;
        if let Some(known) = &self.settings {
            if known.folder == folder
                && known.messages == status.messages
                && known.uid_next == status.uid_next
            {
                return Ok(known.entries.clone());
            }
        }
        let (entries, _) = self.read_settings(&folder).await?;
        self.settings = Some(SettingsSnapshot {
            folder,
            messages: status.messages,
            uid_next: status.uid_next,
            entries: entries.clone(),
        });
        Ok(entries)
    }

    /// The newest settings message of `folder`, parsed, and the UIDs of every message there.
    async fn read_settings(
        &mut self,
        folder: &str,
    ) -> Result<(HashMap<String, String>, Vec<u32>), ImapError> {
        let index = self.private_index(folder).await?;
        let uids = index.iter().map(|i| i.uid).collect();
        let Some(newest) = index.last() else {
            return Ok((HashMap::new(), uids));
        };
        if newest.size as usize > MAX_SETTINGS_BYTES * 2 {
            tracing::warn!(size = newest.size, "settings message too large; ignored");
            return Ok((HashMap::new(), uids));
        }
        let bodies = self.private_bodies(&[*newest]).await?;
        let entries = bodies
            .first()
            .map(|(_, body)| parse(&String::from_utf8_lossy(body)))
            .unwrap_or_default();
        Ok((entries, uids))
    }

    /// Sets (or with `None` removes) `values`, keeping every other setting: the whole set is
    /// written as a new message, then the older ones are removed. A server that lets no
    /// folder be created cannot keep settings ([`Declined::NoSettings`]).
    pub(super) async fn write_folder_settings(
        &mut self,
        values: &[(&str, Option<String>)],
    ) -> Result<(), ImapError> {
        let folder = match self.private_folder(PrivateFolder::Settings, true).await {
            Ok(Some(folder)) => folder,
            Ok(None) | Err(ImapError::Refused(_)) => {
                return Err(ImapError::Declined(Declined::NoSettings))
            }
            Err(e) => return Err(e),
        };
        // Read afresh, not from the snapshot: another device may have saved meanwhile.
        let (mut entries, older) = self.read_settings(&folder).await?;
        for (entry, value) in values {
            match value {
                Some(v) => entries.insert(entry.to_string(), v.clone()),
                None => entries.remove(*entry),
            };
        }
        let text = format(&entries);
        if text.len() > MAX_SETTINGS_BYTES {
            return Err(ImapError::refused("the settings are too large to store"));
        }
        let (raw, message_id) = private::message(
            "Carteiro settings",
            "text/plain; charset=utf-8",
            &[],
            text.as_bytes(),
        );
        self.settings = None;
        let new = self.private_append(&folder, &raw, &message_id).await?;
        let older: Vec<u32> = older.into_iter().filter(|uid| *uid < new).collect();
        self.private_remove(&folder, &older).await?;
        let status = self.status(&folder).await?;
        self.settings = Some(SettingsSnapshot {
            folder,
            messages: status.messages,
            uid_next: status.uid_next,
            entries,
        });
        Ok(())
    }
}

/// The body of a settings message, entries sorted so that saves are easy to compare.
fn format(entries: &HashMap<String, String>) -> String {
    let mut names: Vec<&String> = entries.keys().collect();
    names.sort();
    let mut out = String::from("# Carteiro settings: one name=value a line, percent-encoded.\n");
    for name in names {
        out.push_str(&format!(
            "{}={}\n",
            utf8_percent_encode(name, KEEP),
            utf8_percent_encode(&entries[name], KEEP)
        ));
    }
    out
}

/// Reads [`format`]'s text back; lines that are not `name=value` in UTF-8 are skipped.
fn parse(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (name, value) = line.trim_end_matches('\r').split_once('=')?;
            let name = percent_decode_str(name).decode_utf8().ok()?;
            let value = percent_decode_str(value).decode_utf8().ok()?;
            (!name.is_empty()).then(|| (name.into_owned(), value.into_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_line_breaks_equals_signs_and_any_utf8() {
        let mut entries = HashMap::new();
        entries.insert(
            "/private/vendor/carteiro/signature".to_string(),
            "--\r\nJoão = 100% 😀\n\tç".to_string(),
        );
        entries.insert("/private/vendor/carteiro/theme".to_string(), "dark".into());
        entries.insert("/private/vendor/carteiro/empty".to_string(), String::new());
        let text = format(&entries);
        assert!(text.is_ascii());
        assert!(
            text.contains("\n/private/vendor/carteiro/theme=dark\n"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 4);
        assert_eq!(parse(&text), entries);
    }

    #[test]
    fn lines_that_are_not_entries_are_skipped() {
        let parsed = parse("# note\r\nno equals\r\n=orphan\r\na=%FF\r\nb=%C3%A7\r\n");
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed["b"], "ç");
    }
}
