//! Conversations: a folder's threads (the server's THREAD, or grouping by References when it
//! has none) and the messages of one conversation.

use std::collections::HashSet;
use std::sync::Arc;

use async_imap::imap_proto::{AttributeValue, MailboxDatum, Response};

use super::connection::ImapConn;
use crate::imap::error::ImapError;
use crate::imap::quote;
use crate::imap::threads::{self, Conversations};
use crate::imap::uids::uid_set;
use crate::imap::wire;
use crate::model::{MailboxState, Summary, ThreadPage, ThreadRow};

/// Messages the fallback threads, the newest ones of the folder. The fallback collects three
/// header fields of each before it can group any: without a cap, a folder of 100,000
/// messages meant 100,000 header blocks in memory per connection. 2,000 messages are weeks
/// or months of mail, the conversations anyone pages through; older messages are still
/// listed, one row each, after the conversations.
pub(super) const FALLBACK_MESSAGES: u32 = 2_000;
/// Header bytes fetched per message for the fallback: a typical Message-ID, In-Reply-To
/// and References take a few hundred. Past it, only the first ids count (a message whose
/// References fills it may lose its own Message-ID and stand alone).
pub(super) const FALLBACK_HEADER_BYTES: usize = 2048;
/// Answer bytes per message of `UID THREAD`: a UID of up to ten digits, a space and the
/// parentheses around it and around a missing parent.
const THREAD_BYTES_PER_MESSAGE: usize = 24;

impl ImapConn {
    /// One page of a folder's conversations, the most recently active first: for each, its
    /// newest message, how many messages it has and how many are unread.
    ///
    /// Cost: SELECT; when the folder changed since any session of this user threaded it,
    /// THREAD, or without it one FETCH of three header fields of the newest
    /// [`FALLBACK_MESSAGES`] messages; then one FETCH of the page's newest messages and one
    /// FETCH of FLAGS for the page's conversations.
    pub async fn thread_page(
        &mut self,
        folder: &str,
        page: usize,
        per_page: usize,
    ) -> Result<ThreadPage, ImapError> {
        let state = self.select(folder).await?;
        let all = match self.cache.threads(&self.user, folder) {
            Some(known) if known.state == state => known,
            _ => {
                let made = if self.caps.has("THREAD=REFERENCES") {
                    let mut threads = self.server_threads(state).await?;
                    // Most recent activity first (the server orders by the root's date).
                    threads.sort_by(|a, b| b.last().cmp(&a.last()));
                    Conversations::new(state, threads, 0)
                } else {
                    self.grouped_threads(state).await?
                };
                let made = Arc::new(made);
                self.cache.put_threads(&self.user, folder, made.clone());
                made
            }
        };
        let total = all.len();
        let start = page.saturating_mul(per_page).min(total);
        let end = (start + per_page).min(total);
        let shown = all.page(start, end);
        let chosen = shown.threads;
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
        let mut rows: Vec<ThreadRow> = summaries
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
        if let Some((lo, hi)) = shown.older {
            // Messages the fallback left out: one row each, newest first.
            let mut older = self.fetch_summaries_by_seq(lo, hi, true).await?;
            older.sort_by_key(|(seq, _)| std::cmp::Reverse(*seq));
            rows.extend(older.into_iter().map(|(_, newest)| ThreadRow {
                count: 1,
                unread: usize::from(!newest.flags.seen),
                newest,
            }));
        }
        Ok(ThreadPage {
            total: total as u32,
            rows,
        })
    }

    /// Conversations made here from Message-ID, In-Reply-To and References, for servers
    /// without THREAD: of the newest [`FALLBACK_MESSAGES`] messages only (by sequence number,
    /// which is arrival order), the older ones left to be listed one per row. The header
    /// blocks collected meanwhile hold a share of the answer budget.
    async fn grouped_threads(&mut self, state: MailboxState) -> Result<Conversations, ImapError> {
        let window = state.exists.min(FALLBACK_MESSAGES);
        let older = state.exists - window;
        let mut headers = Vec::new();
        if window > 0 {
            let _held = self
                .cache
                .answers()
                .reserve(window as usize * FALLBACK_HEADER_BYTES)
                .await?;
            let fields = "HEADER.FIELDS (MESSAGE-ID IN-REPLY-TO REFERENCES)";
            let cmd = format!(
                "FETCH {}:{} (UID BODY.PEEK[{fields}]<0.{FALLBACK_HEADER_BYTES}>)",
                older + 1,
                state.exists
            );
            self.command(&cmd, |r| {
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
            })
            .await?;
        }
        Ok(Conversations::new(state, threads::group(&headers), older))
    }

    /// `UID THREAD REFERENCES UTF-8 ALL` on the selected folder.
    ///
    /// imap-proto has no parser for `* THREAD`, and a response it cannot parse leaves
    /// async-imap's stream unusable, so this command is written and read on the raw stream
    /// ([`Self::raw_answer`]) and its lines parsed here. Any failure marks the connection
    /// broken, and the actor reconnects.
    async fn server_threads(&mut self, state: MailboxState) -> Result<Vec<Vec<u32>>, ImapError> {
        // Room for mail that arrives between SELECT and THREAD, and for the tagged line.
        let limit = (state.exists as usize)
            .saturating_mul(THREAD_BYTES_PER_MESSAGE)
            .saturating_add(64 * 1024);
        let answer = self
            .raw_answer("UID THREAD REFERENCES UTF-8 ALL", limit)
            .await;
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
