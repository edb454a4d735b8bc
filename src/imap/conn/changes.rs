//! Changing messages: flags, moving and copying, deleting for good, and APPEND.

use std::collections::HashSet;
use std::time::Instant;

use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode};

use super::connection::ImapConn;
use crate::imap::error::ImapError;
use crate::imap::quote;
use crate::imap::uids::{expand, Selection};
use crate::imap::utf7;

impl ImapConn {
    /// APPENDs a message to `folder` with optional flags such as `(\\Seen)`.
    pub async fn append(
        &mut self,
        folder: &str,
        flags: Option<&str>,
        raw: &[u8],
    ) -> Result<(), ImapError> {
        self.ensure_usable()?;
        let wire = utf7::encode(folder);
        let started = Instant::now();
        let result = self.session.append(&wire, flags, None, raw).await;
        self.metrics.imap_command("APPEND", started.elapsed());
        let result = result.map_err(|e| match e {
            async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m) => {
                ImapError::refused(&m)
            }
            // Anything else leaves the stream where nobody knows.
            e => ImapError::Unavailable(format!("APPEND failed: {e}")),
        });
        self.checked(result)
    }

    /// Adds or removes flags: `change` is e.g. `+FLAGS.SILENT (\\Answered)`.
    pub async fn store(&mut self, folder: &str, uid: u32, change: &str) -> Result<(), ImapError> {
        self.ensure_selected(folder).await?;
        self.command(&format!("UID STORE {uid} {change}"), |_| {})
            .await
    }

    /// Removes one message for good: `\Deleted`, then UID EXPUNGE of that UID only (UIDPLUS),
    /// never a plain EXPUNGE that would also remove messages other clients marked.
    pub async fn delete(&mut self, folder: &str, uid: u32) -> Result<(), ImapError> {
        self.ensure_selected(folder).await?;
        self.remove_uids(&uid.to_string()).await
    }

    /// Adds or removes flags on a selection: `change` is e.g. `+FLAGS.SILENT (\\Seen)`.
    pub async fn flag(
        &mut self,
        folder: &str,
        selection: &Selection,
        change: &str,
    ) -> Result<(), ImapError> {
        self.select(folder).await?;
        self.command(
            &format!("UID STORE {} {change}", selection.to_set()),
            |_| {},
        )
        .await
    }

    /// Moves (or with `copy`, copies) a selection to `target`; returns the UIDs the messages
    /// got there (from COPYUID), which is what an undo needs. MOVE when the server has it;
    /// otherwise COPY, then `\Deleted` and UID EXPUNGE of exactly those UIDs (UIDPLUS) —
    /// never a plain EXPUNGE, which would also remove what other clients marked deleted.
    pub async fn transfer(
        &mut self,
        folder: &str,
        selection: &Selection,
        target: &str,
        copy: bool,
    ) -> Result<Vec<u32>, ImapError> {
        if folder == target && !copy {
            return Ok(Vec::new());
        }
        self.select(folder).await?;
        let set = selection.to_set();
        let target_wire = quote::mailbox(target)?;
        let mut new_uids = Vec::new();
        let mut collect = |r: &Response<'_>| {
            let code = match r {
                Response::Data { outcome, .. } | Response::Done { outcome, .. } => &outcome.code,
                _ => return,
            };
            if let Some(ResponseCode::CopyUid(_, _, destination)) = code {
                new_uids.extend(expand(destination));
            }
        };
        let result = if !copy && self.caps.has("MOVE") {
            self.command(&format!("UID MOVE {set} {target_wire}"), &mut collect)
                .await
        } else {
            self.command(&format!("UID COPY {set} {target_wire}"), &mut collect)
                .await
        };
        match result {
            Ok(()) => {}
            // COPY/MOVE to a folder that does not exist is a NO with TRYCREATE.
            Err(ImapError::Refused(_)) => return Err(ImapError::NotFound),
            Err(e) => return Err(e),
        }
        if !copy && !self.caps.has("MOVE") {
            self.remove_uids(&set).await?;
        }
        // No need to forget the folders' orders: revalidation sees EXISTS and UIDNEXT change
        // (the source is sorted again; the target too, or extended if that is exact).
        Ok(new_uids)
    }

    /// Removes a selection for good (`\Deleted` + UID EXPUNGE of those UIDs only).
    pub async fn destroy(&mut self, folder: &str, selection: &Selection) -> Result<(), ImapError> {
        self.select(folder).await?;
        self.remove_uids(&selection.to_set()).await
    }

    /// `\Deleted` and UID EXPUNGE of exactly `set` in the selected folder. Without UIDPLUS
    /// a plain EXPUNGE removes every message marked `\Deleted`, also those another mail app
    /// marked and means to keep until it expunges: so it runs only when the messages marked
    /// are exactly these; otherwise they stay marked, for the next EXPUNGE.
    pub(super) async fn remove_uids(&mut self, set: &str) -> Result<(), ImapError> {
        self.command(
            &format!("UID STORE {set} +FLAGS.SILENT (\\Deleted)"),
            |_| {},
        )
        .await?;
        if self.caps.has("UIDPLUS") {
            self.command(&format!("UID EXPUNGE {set}"), |_| {}).await?;
            return Ok(());
        }
        let mut marked: Vec<u32> = Vec::new();
        self.command("UID SEARCH DELETED", |r| {
            if let Response::MailboxData(MailboxDatum::Search(list)) = r {
                marked.extend_from_slice(list);
            }
        })
        .await?;
        let only_ours = match Selection::parse(set) {
            Some(Selection::Uids(uids)) => {
                let ours: HashSet<u32> = uids.into_iter().collect();
                marked.iter().all(|uid| ours.contains(uid))
            }
            // `1:*`: every message of the folder is to go.
            _ => set == Selection::All.to_set(),
        };
        if only_ours {
            self.command("EXPUNGE", |_| {}).await?;
        }
        Ok(())
    }
}
