//! Conversations: a folder's threads (the server's THREAD, or grouping by References when it
//! has none) and the messages of one conversation.

use std::collections::HashSet;

use async_imap::imap_proto::{AttributeValue, MailboxDatum, Response};

use super::connection::ImapConn;
use crate::imap::error::ImapError;
use crate::imap::quote;
use crate::imap::threads;
use crate::imap::uids::uid_set;
use crate::imap::wire;
use crate::model::{Summary, ThreadPage, ThreadRow};

impl ImapConn {
    /// One page of a folder's conversations, the most recently active first: for each, its
    /// newest message, how many messages it has and how many are unread.
    ///
    /// Cost: SELECT; when the folder changed, one FETCH of three header fields of every
    /// message (remembered per folder state); then one FETCH of the page's newest messages
    /// and one FETCH of FLAGS for the page's conversations.
    pub async fn thread_page(
        &mut self,
        folder: &str,
        page: usize,
        per_page: usize,
    ) -> Result<ThreadPage, ImapError> {
        let state = self.select(folder).await?;
        let fresh = matches!(self.threads.get(folder), Some((s, _)) if *s == state);
        if !fresh && self.caps.has("THREAD=REFERENCES") {
            let threads = self.server_threads().await?;
            let mut threads = threads;
            // Most recent activity first (the server orders by the root's date).
            threads.sort_by(|a, b| b.last().cmp(&a.last()));
            self.threads.insert(folder.to_string(), (state, threads));
        } else if !fresh {
            let mut headers = Vec::new();
            if state.exists > 0 {
                self.command(
                    "UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID IN-REPLY-TO REFERENCES)])",
                    |r| {
                        if let Response::Fetch(_, attrs) = r {
                            let uid = attrs.iter().find_map(|a| match a {
                                AttributeValue::Uid(u) => Some(*u),
                                _ => None,
                            });
                            let block = attrs.iter().find_map(|a| match a {
                                AttributeValue::BodySection { data, .. } => data.as_deref(),
                                _ => None,
                            });
                            if let (Some(uid), Some(block)) = (uid, block) {
                                headers.push(threads::parse(uid, block));
                            }
                        }
                    },
                )
                .await?;
            }
            self.threads
                .insert(folder.to_string(), (state, threads::group(&headers)));
        }
        let all = &self.threads[folder].1;
        let total = all.len();
        let start = page.saturating_mul(per_page).min(total);
        let end = (start + per_page).min(total);
        let chosen: Vec<Vec<u32>> = all[start..end].to_vec();
        let newest: Vec<u32> = chosen.iter().filter_map(|t| t.last().copied()).collect();
        let summaries = self.fetch_summaries(&newest, true).await?;
        let every: Vec<u32> = chosen.iter().flatten().copied().collect();
        let mut unseen: HashSet<u32> = HashSet::new();
        if !every.is_empty() {
            self.command(&format!("UID FETCH {} (UID FLAGS)", uid_set(&every)), |r| {
                if let Response::Fetch(_, attrs) = r {
                    let mut uid = None;
                    let mut seen = false;
                    for a in attrs {
                        match a {
                            AttributeValue::Uid(u) => uid = Some(*u),
                            AttributeValue::Flags(f) => {
                                seen = f.iter().any(|x| x.eq_ignore_ascii_case("\\Seen"))
                            }
                            _ => {}
                        }
                    }
                    if let (Some(uid), false) = (uid, seen) {
                        unseen.insert(uid);
                    }
                }
            })
            .await?;
        }
        let rows = summaries
            .into_iter()
            .filter_map(|newest| {
                let thread = chosen.iter().find(|t| t.last() == Some(&newest.uid))?;
                Some(ThreadRow {
                    count: thread.len(),
                    unread: thread.iter().filter(|u| unseen.contains(u)).count(),
                    newest,
                })
            })
            .collect();
        Ok(ThreadPage {
            total: total as u32,
            rows,
        })
    }

    /// `UID THREAD REFERENCES UTF-8 ALL` on the selected folder.
    ///
    /// imap-proto has no parser for `* THREAD`, and a response it cannot parse leaves
    /// async-imap's stream unusable, so this command is written and read on the raw stream
    /// ([`Self::raw_answer`]) and its lines parsed here. Any failure marks the connection
    /// broken, and the actor reconnects.
    async fn server_threads(&mut self) -> Result<Vec<Vec<u32>>, ImapError> {
        let answer = self.raw_answer("UID THREAD REFERENCES UTF-8 ALL").await;
        let result = answer.and_then(|answer| {
            let mut threads = Vec::new();
            let outcome = wire::lines(&answer, |line| {
                if line.starts_with("* THREAD") {
                    threads.extend(threads::parse_thread_line(line));
                }
            });
            // The server is closing the connection, as after a BYE in any other answer.
            if outcome.bye {
                self.mark_broken();
            }
            outcome.result.map(|()| threads)
        });
        self.checked(result)
    }

    /// The messages of `folder` that belong to the conversation started by `root` (a
    /// Message-ID with angle brackets): the root itself and everything whose References or
    /// In-Reply-To names it. One SEARCH and one FETCH, oldest first.
    pub async fn conversation(
        &mut self,
        folder: &str,
        root: &str,
    ) -> Result<Vec<Summary>, ImapError> {
        if root.is_empty() || !root.bytes().all(|b| b.is_ascii_graphic()) {
            return Ok(Vec::new());
        }
        self.select(folder).await?;
        let id = quote::quoted(root)?;
        let cmd = format!(
            "UID SEARCH OR OR HEADER Message-ID {id} HEADER References {id} HEADER In-Reply-To {id}"
        );
        let mut uids = Vec::new();
        self.command(&cmd, |r| {
            if let Response::MailboxData(MailboxDatum::Search(list)) = r {
                uids.extend_from_slice(list);
            }
        })
        .await?;
        uids.sort_unstable();
        // A runaway "conversation" (a mailing-list root) is capped to its latest messages.
        if uids.len() > 100 {
            uids.drain(..uids.len() - 100);
        }
        self.fetch_summaries(&uids, true).await
    }
}
