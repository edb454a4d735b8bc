//! The recipient headers (To, Cc, Bcc) of the messages in a folder newer than a known UID:
//! what the collected addresses are made of ([`crate::contacts::collected`]).
//!
//! Only these three header fields are fetched, never a body. They are read as header text
//! rather than from ENVELOPE because ENVELOPE hands display names over still RFC 2047-encoded
//! (`=?utf-8?q?Jo=C3=A3o?=`); the header block goes through the same mail-parser as
//! everything else, which decodes them and understands groups.

use async_imap::imap_proto::{AttributeValue, MailboxDatum, Response};

use super::connection::ImapConn;
use crate::imap::error::ImapError;
use crate::imap::uids::uid_set;

/// The most header bytes taken of one message: a To line with a few hundred recipients.
const HEADER_BYTES: usize = 32 * 1024;
/// Messages fetched per command, so one answer stays a few megabytes at most.
const BATCH: usize = 250;

/// Where reading a folder stopped: the next read asks only for what is newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadMark {
    pub uid_validity: u32,
    /// The highest UID read (0: none yet).
    pub last_uid: u32,
}

/// What [`ImapConn::recipient_headers`] found.
#[derive(Debug, Default)]
pub struct RecipientHeaders {
    /// The folder's UIDVALIDITY and the highest UID it has now.
    pub mark: Option<ReadMark>,
    /// Whether `since` no longer applied (first read, or a new UIDVALIDITY): what was
    /// collected before must be thrown away.
    pub restarted: bool,
    /// `(uid, To/Cc/Bcc header block)` of each new message, oldest first.
    pub messages: Vec<(u32, Vec<u8>)>,
}

impl ImapConn {
    /// The To, Cc and Bcc headers of the messages of `folder` newer than `since`, at most
    /// the newest `limit` of them. `since` from another UIDVALIDITY counts as none: UIDs
    /// then name other messages, so everything is read again (up to `limit`).
    pub async fn recipient_headers(
        &mut self,
        folder: &str,
        since: Option<ReadMark>,
        limit: usize,
    ) -> Result<RecipientHeaders, ImapError> {
        // Selected afresh even when it already is: a copy filed a moment ago by this very
        // connection is then part of what the server shows.
        let state = self.select(folder).await?;
        let newest = state.uid_next.saturating_sub(1);
        let since = since.filter(|m| m.uid_validity == state.uid_validity);
        let restarted = since.is_none();
        let last_uid = since.map_or(0, |m| m.last_uid);
        let mut found = RecipientHeaders {
            mark: Some(ReadMark {
                uid_validity: state.uid_validity,
                last_uid: last_uid.max(newest),
            }),
            restarted,
            messages: Vec::new(),
        };
        if state.exists == 0 || (since.is_some() && newest <= last_uid && state.uid_next != 0) {
            return Ok(found);
        }
        let uids = self.uids_after(last_uid, state.exists, limit).await?;
        if let Some(&highest) = uids.last() {
            let mark = found.mark.as_mut().expect("set above");
            mark.last_uid = mark.last_uid.max(highest);
        }
        for batch in uids.chunks(BATCH) {
            let command = format!(
                "UID FETCH {} (UID BODY.PEEK[HEADER.FIELDS (TO CC BCC)]<0.{HEADER_BYTES}>)",
                uid_set(batch)
            );
            let mut headers = Vec::with_capacity(batch.len());
            self.command_long(&command, batch.len() * (HEADER_BYTES + 256), |r| {
                if let Some(found) = uid_and_headers(r) {
                    headers.push(found);
                }
            })
            .await?;
            headers.sort_unstable_by_key(|(uid, _)| *uid);
            found.messages.extend(headers);
        }
        Ok(found)
    }

    /// The UIDs above `after` in the selected folder (of `exists` messages), oldest first,
    /// at most the newest `limit`. A first read takes the last `limit` sequence numbers,
    /// which needs no SEARCH of the whole folder.
    async fn uids_after(
        &mut self,
        after: u32,
        exists: u32,
        limit: usize,
    ) -> Result<Vec<u32>, ImapError> {
        let mut uids: Vec<u32> = Vec::new();
        let command = if after == 0 {
            let first = exists.saturating_sub(limit as u32).saturating_add(1).max(1);
            format!("FETCH {first}:{exists} (UID)")
        } else {
            format!("UID SEARCH UID {}:*", after.saturating_add(1))
        };
        self.command(&command, |r| match r {
            Response::MailboxData(MailboxDatum::Search(list)) => uids.extend_from_slice(list),
            Response::Fetch(_, attrs) => uids.extend(attrs.iter().find_map(|a| match a {
                AttributeValue::Uid(u) => Some(*u),
                _ => None,
            })),
            _ => {}
        })
        .await?;
        // `n:*` always names the newest message, even when it is not above `n`.
        uids.retain(|&u| u > after);
        uids.sort_unstable();
        uids.dedup();
        let skip = uids.len().saturating_sub(limit);
        Ok(uids.split_off(skip))
    }
}

/// The UID and header block of one FETCH answer; `None` for anything else.
fn uid_and_headers(response: &Response<'_>) -> Option<(u32, Vec<u8>)> {
    let Response::Fetch(_, attrs) = response else {
        return None;
    };
    let mut uid = None;
    let mut headers = None;
    for attr in attrs {
        match attr {
            AttributeValue::Uid(u) => uid = Some(*u),
            AttributeValue::BodySection { data, .. } => {
                headers = Some(data.as_deref().unwrap_or_default().to_vec())
            }
            _ => {}
        }
    }
    Some((uid?, headers?))
}
