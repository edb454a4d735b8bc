//! Carteiro's private folders on the wire: finding or creating one (never subscribed),
//! listing its messages, reading their bodies in bounded batches, APPENDing a message and
//! learning its UID, removing messages. What the messages hold is decided by the callers
//! (the contacts store, the settings kept without METADATA); see [`crate::imap::private`].

use async_imap::imap_proto::{AttributeValue, MailboxDatum, Response};

use super::connection::ImapConn;
use crate::imap::error::ImapError;
use crate::imap::private::{body_of, PrivateFolder};
use crate::imap::quote;
use crate::imap::utf7;

/// Messages of one FETCH of bodies: few enough that a batch's answer stays small.
const BATCH_MESSAGES: usize = 500;
/// Bytes (RFC822.SIZE) of one FETCH of bodies.
const BATCH_BYTES: u64 = 4 << 20;

/// One message of a private folder, as [`ImapConn::private_index`] lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrivateItem {
    pub uid: u32,
    /// RFC822.SIZE: the whole message, encoded.
    pub size: u32,
}

impl ImapConn {
    /// The full name of `which` on this server, if it exists; with `create`, created first
    /// when it does not. Looked up each time (one LIST, well under a millisecond): a name
    /// remembered could outlive the folder, deleted from another mail app.
    pub async fn private_folder(
        &mut self,
        which: PrivateFolder,
        create: bool,
    ) -> Result<Option<String>, ImapError> {
        if let Some(name) = self.find_private(which).await? {
            return Ok(Some(name));
        }
        if !create {
            return Ok(None);
        }
        // The top level first; servers that keep every folder under INBOX refuse it.
        let mut last_refusal = None;
        let delimiter = self.delimiter().await?;
        let mut candidates = vec![which.name().to_string()];
        if let Some(d) = delimiter {
            candidates.push(format!("INBOX{d}{}", which.name()));
        }
        for name in candidates {
            let cmd = format!("CREATE {}", quote::mailbox(&name)?);
            match self.command(&cmd, |_| {}).await {
                Ok(()) => {
                    tracing::info!(folder = name, "created a private folder");
                    return Ok(Some(name));
                }
                Err(ImapError::Refused(reason)) => {
                    // Another session of the same person may have just created it.
                    if let Some(name) = self.find_private(which).await? {
                        return Ok(Some(name));
                    }
                    last_refusal = Some(reason);
                }
                Err(e) => return Err(e),
            }
        }
        Err(ImapError::refused(&last_refusal.unwrap_or_default()))
    }

    /// LISTs the names `which` may have (top level, under INBOX); the top level wins.
    async fn find_private(&mut self, which: PrivateFolder) -> Result<Option<String>, ImapError> {
        let pattern = quote::quoted(&format!("*{}", utf7::encode(which.name())))?;
        let mut found: Vec<String> = Vec::new();
        self.command(&format!("LIST \"\" {pattern}"), |r| {
            if let Response::MailboxData(MailboxDatum::List(list)) = r {
                let name = utf7::decode(&list.name);
                let delimiter = list.delimiter.as_ref().and_then(|d| d.chars().next());
                if which.is(&name, delimiter) {
                    found.push(name);
                }
            }
        })
        .await?;
        found.sort_by_key(|name| name.len());
        Ok(found.into_iter().next())
    }

    /// The hierarchy delimiter (`LIST "" ""`), if the server has one.
    async fn delimiter(&mut self) -> Result<Option<char>, ImapError> {
        let mut delimiter = None;
        self.command("LIST \"\" \"\"", |r| {
            if let Response::MailboxData(MailboxDatum::List(list)) = r {
                delimiter = list.delimiter.as_ref().and_then(|d| d.chars().next());
            }
        })
        .await?;
        Ok(delimiter)
    }

    /// The messages of `folder` not marked `\Deleted`, oldest UID first. Selected afresh so
    /// that what this connection itself just appended is seen.
    pub async fn private_index(&mut self, folder: &str) -> Result<Vec<PrivateItem>, ImapError> {
        let state = self.select(folder).await?;
        if state.exists == 0 {
            return Ok(Vec::new());
        }
        let mut items = Vec::new();
        self.command("UID FETCH 1:* (UID RFC822.SIZE FLAGS)", |r| {
            if let Response::Fetch(_, attrs) = r {
                let (mut uid, mut size, mut deleted) = (None, None, false);
                for attr in attrs {
                    match attr {
                        AttributeValue::Uid(u) => uid = Some(*u),
                        AttributeValue::Rfc822Size(s) => size = Some(*s),
                        AttributeValue::Flags(flags) => {
                            deleted = flags.iter().any(|f| f.eq_ignore_ascii_case("\\Deleted"))
                        }
                        _ => {}
                    }
                }
                if let (Some(uid), Some(size), false) = (uid, size, deleted) {
                    items.push(PrivateItem { uid, size });
                }
            }
        })
        .await?;
        items.sort_by_key(|i| i.uid);
        items.dedup_by_key(|i| i.uid);
        Ok(items)
    }

    /// The decoded bodies of `items` (from [`Self::private_index`] of the selected folder),
    /// fetched a few megabytes at a time; a message that vanished meanwhile is left out.
    pub async fn private_bodies(
        &mut self,
        items: &[PrivateItem],
    ) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
        let mut out = Vec::with_capacity(items.len());
        let mut rest = items;
        while !rest.is_empty() {
            let mut bytes = 0u64;
            let mut take = 0;
            while take < rest.len() && take < BATCH_MESSAGES {
                let size = u64::from(rest[take].size);
                if take > 0 && bytes + size > BATCH_BYTES {
                    break;
                }
                bytes += size;
                take += 1;
            }
            let (batch, tail) = rest.split_at(take);
            rest = tail;
            let set = batch
                .iter()
                .map(|i| i.uid.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let mut found = Vec::new();
            self.command_long(
                &format!("UID FETCH {set} (UID BODY.PEEK[])"),
                bytes as usize,
                |r| {
                    if let Response::Fetch(_, attrs) = r {
                        let mut uid = None;
                        let mut raw = None;
                        for attr in attrs {
                            match attr {
                                AttributeValue::Uid(u) => uid = Some(*u),
                                AttributeValue::BodySection { data, .. } => {
                                    raw = Some(body_of(data.as_deref().unwrap_or_default()))
                                }
                                _ => {}
                            }
                        }
                        if let (Some(uid), Some(body)) = (uid, raw) {
                            found.push((uid, body));
                        }
                    }
                },
            )
            .await?;
            found.sort_by_key(|(uid, _)| *uid);
            out.extend(found);
        }
        Ok(out)
    }

    /// APPENDs `raw` (with `\Seen`, so no client counts it unread) to `folder` and returns
    /// its UID, found by its Message-ID among the messages newer than those before.
    pub async fn private_append(
        &mut self,
        folder: &str,
        raw: &[u8],
        message_id: &str,
    ) -> Result<u32, ImapError> {
        let before = self.select(folder).await?.uid_next.max(1);
        self.append(folder, Some("(\\Seen)"), raw).await?;
        self.select(folder).await?;
        let cmd = format!(
            "UID SEARCH UID {before}:* HEADER Message-ID {}",
            quote::quoted(message_id)?
        );
        let mut found = Vec::new();
        self.command(&cmd, |r| {
            if let Response::MailboxData(MailboxDatum::Search(uids)) = r {
                found.extend_from_slice(uids);
            }
        })
        .await?;
        found.into_iter().max().ok_or_else(|| {
            ImapError::Protocol("an appended message could not be found again".into())
        })
    }

    /// Removes `uids` of `folder` for good (`\Deleted` + UID EXPUNGE of those only).
    pub async fn private_remove(&mut self, folder: &str, uids: &[u32]) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        self.select(folder).await?;
        let set = uids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        self.remove_uids(&set).await
    }

    /// Whether message `uid` of `folder` is there (and not marked deleted).
    pub async fn private_has(&mut self, folder: &str, uid: u32) -> Result<bool, ImapError> {
        self.select(folder).await?;
        let mut present = false;
        self.command(&format!("UID FETCH {uid} (UID FLAGS)"), |r| {
            if let Response::Fetch(_, attrs) = r {
                let this = attrs
                    .iter()
                    .any(|a| matches!(a, AttributeValue::Uid(u) if *u == uid));
                let deleted = attrs.iter().any(|a| {
                    matches!(a, AttributeValue::Flags(f)
                        if f.iter().any(|f| f.eq_ignore_ascii_case("\\Deleted")))
                });
                present |= this && !deleted;
            }
        })
        .await?;
        Ok(present)
    }
}
