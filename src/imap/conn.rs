//! One authenticated IMAP connection and the typed operations Carteiro runs on it.
//!
//! Commands are written and their responses read here, one at a time, by [`ImapConn::command`];
//! async-imap provides the framing and the parser. Only the session's actor calls these
//! methods, so no request future ever owns the stream.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use async_imap::imap_proto::{
    AttributeValue, MailboxDatum, MessageSection, NameAttribute, Response, ResponseCode,
    SectionPath, Status, StatusAttribute,
};
use tokio::sync::OwnedSemaphorePermit;

use super::cache::{CachedRow, MailCache, SortedOrder};
use super::capabilities::Capabilities;
use super::error::{Declined, ImapError};
use super::quote;
use super::search::SearchQuery;
use super::stream::BoxedStream;
use super::structure::flatten;
use super::utf7;
use crate::metrics::{GaugeGuard, Metrics};
use crate::model::{
    FetchedMessage, Flags, Folder, FolderStatus, MailboxState, Page, PartInfo, Quota, Role,
    Summary, ThreadPage, ThreadRow, TransferEncoding,
};

/// The header fields a message list shows, fetched instead of whole headers.
/// At most 64 KiB of them: a Subject can be megabytes long, and a page shows fifty rows.
const LIST_HEADERS: &str =
    "BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE CONTENT-TYPE)]<0.65536>";
/// Tag of the commands written and read on the raw stream ([`ImapConn::raw_answer`]).
const RAW_TAG: &str = "CR1";
/// Largest answer read on the raw stream; a larger one fails the command (the callers fall
/// back to fetching without BODYSTRUCTURE) instead of growing without bound.
const MAX_RAW_ANSWER: usize = 64 * 1024 * 1024;
/// How much of a message's text part a list row's snippet is made from: enough for the
/// ~140 characters shown even in base64 or quoted-printable.
const SNIPPET_PLAIN_BYTES: u32 = 600;
/// HTML spends more bytes on markup before the first words.
const SNIPPET_HTML_BYTES: u32 = 2048;

/// An authenticated connection plus what it remembers between commands.
pub struct ImapConn {
    session: async_imap::Session<BoxedStream>,
    caps: Capabilities,
    /// The folder currently selected (UTF-8 name) and its state at selection time.
    selected: Option<(String, MailboxState)>,
    /// Sorted orders and list rows, shared with every connection of this process.
    cache: Arc<MailCache>,
    /// The IMAP user name, which keys this connection's entries in `cache`.
    user: Arc<str>,
    /// Conversations per folder, valid while the folder's state is unchanged.
    threads: HashMap<String, (MailboxState, Vec<Vec<u32>>)>,
    /// Set when a command failed in a way that leaves the stream unusable.
    broken: bool,
    /// Holds one slot of the global connection limit for as long as the connection lives.
    _permit: OwnedSemaphorePermit,
    /// Counts this connection as open until it is dropped.
    _open: GaugeGuard,
    /// Times every command.
    metrics: Arc<Metrics>,
}

impl ImapConn {
    pub(crate) async fn start(
        session: async_imap::Session<BoxedStream>,
        permit: OwnedSemaphorePermit,
        disabled: &[String],
        metrics: Arc<Metrics>,
        cache: Arc<MailCache>,
        user: &str,
    ) -> Result<ImapConn, ImapError> {
        let mut conn = ImapConn {
            session,
            caps: Capabilities::default(),
            selected: None,
            cache,
            user: Arc::from(user),
            threads: HashMap::new(),
            broken: false,
            _permit: permit,
            _open: metrics.imap_connection_opened(),
            metrics,
        };
        let mut caps = Capabilities::default();
        conn.command("CAPABILITY", |r| {
            if let Response::Capabilities(list) = r {
                caps = Capabilities::from_proto(list);
            }
        })
        .await?;
        for name in disabled {
            caps.remove(name);
        }
        conn.caps = caps;
        Ok(conn)
    }

    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// Sends one command and hands every untagged response to `on_data` until the tagged
    /// answer arrives. NO/BAD become [`ImapError::Refused`]; I/O and parse failures mark the
    /// connection broken, since the stream position is then unknown.
    pub async fn command(
        &mut self,
        command: &str,
        mut on_data: impl FnMut(&Response<'_>),
    ) -> Result<(), ImapError> {
        if self.broken {
            return Err(ImapError::Unavailable("connection already broken".into()));
        }
        let started = Instant::now();
        let result = self.command_inner(command, &mut on_data).await;
        self.metrics.imap_command(command, started.elapsed());
        if let Err(e) = &result {
            if e.breaks_connection() {
                self.broken = true;
            }
        }
        result
    }

    async fn command_inner(
        &mut self,
        command: &str,
        on_data: &mut impl FnMut(&Response<'_>),
    ) -> Result<(), ImapError> {
        let tag = self
            .session
            .run_command(command)
            .await
            .map_err(|e| ImapError::Unavailable(format!("write failed: {e}")))?;
        loop {
            let response = self
                .session
                .read_response()
                .await
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::Other {
                        ImapError::Protocol(truncate(&e.to_string(), 300))
                    } else {
                        ImapError::Unavailable(format!("read failed: {e}"))
                    }
                })?
                .ok_or_else(|| ImapError::Unavailable("the server closed the connection".into()))?;
            match response.parsed() {
                Response::Done {
                    tag: t,
                    status,
                    outcome,
                } if *t == tag => {
                    // Callers may want the tagged answer's response code (COPYUID, APPENDUID).
                    on_data(response.parsed());
                    return match status {
                        Status::Ok => Ok(()),
                        _ => Err(ImapError::Refused(truncate(
                            outcome.information.as_deref().unwrap_or("no reason given"),
                            200,
                        ))),
                    };
                }
                Response::Data {
                    status: Status::Bye,
                    ..
                } => {
                    self.broken = true;
                }
                other => on_data(other),
            }
        }
    }

    /// [`Self::command`] for answers that can be long (BODYSTRUCTURE): read whole on the raw
    /// stream, then parsed once.
    ///
    /// async-imap's reader parses everything it has buffered again each time another 4 KiB
    /// arrives, so one answer line of n bytes costs O(n²/4096): about a minute of CPU for the
    /// 17 MB BODYSTRUCTURE of a single hostile message (10,000 parts with long names), paid
    /// again on every list page that shows it. Literals are immune (their length is known in
    /// advance), long quoted strings and lists are not.
    pub async fn command_long(
        &mut self,
        command: &str,
        mut on_data: impl FnMut(&Response<'_>),
    ) -> Result<(), ImapError> {
        if self.broken {
            return Err(ImapError::Unavailable("connection already broken".into()));
        }
        let started = Instant::now();
        let answer = self.raw_answer(command).await;
        self.metrics.imap_command(command, started.elapsed());
        let result = match answer {
            Ok(answer) => self.dispatch(&answer, &mut on_data),
            Err(e) => Err(e),
        };
        if let Err(e) = &result {
            if e.breaks_connection() {
                self.broken = true;
            }
        }
        result
    }

    /// Hands the responses of a whole answer to `on_data`, as [`Self::command_inner`] does.
    fn dispatch(
        &mut self,
        answer: &[u8],
        on_data: &mut impl FnMut(&Response<'_>),
    ) -> Result<(), ImapError> {
        let mut rest = answer;
        while !rest.is_empty() {
            // Not the parser's error: its Debug form would quote the whole input.
            let (remaining, response) = Response::parse(rest).map_err(|_| {
                ImapError::Protocol(format!(
                    "unreadable answer at byte {} of {}",
                    answer.len() - rest.len(),
                    answer.len()
                ))
            })?;
            rest = remaining;
            match &response {
                Response::Done {
                    tag,
                    status,
                    outcome,
                } if tag.0 == RAW_TAG => {
                    on_data(&response);
                    return match status {
                        Status::Ok => Ok(()),
                        _ => Err(ImapError::Refused(truncate(
                            outcome.information.as_deref().unwrap_or("no reason given"),
                            200,
                        ))),
                    };
                }
                Response::Data {
                    status: Status::Bye,
                    ..
                } => self.broken = true,
                _ => on_data(&response),
            }
        }
        Err(ImapError::Protocol("answer without its tagged line".into()))
    }

    /// Writes `command` under [`RAW_TAG`] on the raw stream and reads its whole answer, the
    /// tagged line included, looking at each byte once ([`AnswerScan`]). Safe because
    /// async-imap has nothing buffered between commands: the server sends nothing after a
    /// tagged answer until the next command. The caller marks the connection broken on error.
    async fn raw_answer(&mut self, command: &str) -> Result<Vec<u8>, ImapError> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let verb: String = command.split(' ').take(2).collect::<Vec<_>>().join(" ");
        let broken = |e: std::io::Error| ImapError::Unavailable(format!("{verb} failed: {e}"));
        let stream = self.session.get_mut();
        stream
            .write_all(format!("{RAW_TAG} {command}\r\n").as_bytes())
            .await
            .map_err(broken)?;
        stream.flush().await.map_err(broken)?;
        let mut answer: Vec<u8> = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut scan = AnswerScan::default();
        loop {
            let n = stream.read(&mut buf).await.map_err(broken)?;
            if n == 0 {
                return Err(ImapError::Unavailable(format!(
                    "connection closed during {verb}"
                )));
            }
            answer.extend_from_slice(&buf[..n]);
            if let Some(end) = scan.advance(&answer, RAW_TAG.as_bytes()) {
                if end != answer.len() {
                    return Err(ImapError::Protocol(format!(
                        "data after the answer to {verb}"
                    )));
                }
                return Ok(answer);
            }
            if answer.len() > MAX_RAW_ANSWER {
                return Err(ImapError::Protocol(format!(
                    "answer to {verb} larger than {} MiB",
                    MAX_RAW_ANSWER >> 20
                )));
            }
        }
    }

    /// NOOP: cheap check that the connection is still alive.
    pub async fn noop(&mut self) -> Result<(), ImapError> {
        self.command("NOOP", |_| {}).await
    }

    /// LOGOUT, ignoring errors: the connection is going away either way.
    pub async fn logout(mut self) {
        let _ = self.command("LOGOUT", |_| {}).await;
    }

    /// All folders with their roles and, where cheap, message and unread counts.
    pub async fn folders(&mut self) -> Result<Vec<Folder>, ImapError> {
        let list_status = self.caps.has("LIST-STATUS");
        let special_use = self.caps.has("SPECIAL-USE");
        let command = match (list_status, special_use) {
            (true, true) => {
                r#"LIST "" "*" RETURN (SUBSCRIBED SPECIAL-USE STATUS (MESSAGES UNSEEN))"#
            }
            (true, false) => r#"LIST "" "*" RETURN (SUBSCRIBED STATUS (MESSAGES UNSEEN))"#,
            _ => r#"LIST "" "*""#,
        };
        let mut raw: Vec<RawFolder> = Vec::new();
        let mut counts: HashMap<String, (Option<u32>, Option<u32>)> = HashMap::new();
        self.command(command, |r| match r {
            Response::MailboxData(MailboxDatum::List(list)) => raw.push(RawFolder {
                wire: list.name.to_string(),
                delimiter: list.delimiter.as_ref().and_then(|d| d.chars().next()),
                noselect: list.name_attributes.iter().any(|a| {
                    matches!(a, NameAttribute::NoSelect)
                        || matches!(a, NameAttribute::Extension(e) if e.eq_ignore_ascii_case("\\NonExistent"))
                }),
                role: role_from_attributes(&list.name_attributes),
                subscribed: list.name_attributes.iter().any(|a| {
                    matches!(a, NameAttribute::Extension(e) if e.eq_ignore_ascii_case("\\Subscribed"))
                }),
            }),
            Response::MailboxData(MailboxDatum::Status { mailbox, status }) => {
                counts.insert(mailbox.to_string(), status_counts(status));
            }
            _ => {}
        })
        .await?;
        if !list_status {
            // No LIST-EXTENDED answers: subscriptions come from LSUB.
            let mut subscribed = HashSet::new();
            self.command(r#"LSUB "" "*""#, |r| {
                if let Response::MailboxData(MailboxDatum::List(list)) = r {
                    subscribed.insert(list.name.to_string());
                }
            })
            .await?;
            for folder in raw.iter_mut() {
                folder.subscribed = subscribed.contains(&folder.wire);
            }
            for folder in raw.iter().filter(|f| !f.noselect) {
                let cmd = format!("STATUS {} (MESSAGES UNSEEN)", quote::quoted(&folder.wire)?);
                let mut found = (None, None);
                // A folder that vanished between LIST and STATUS just shows no counts.
                let _ = self
                    .command(&cmd, |r| {
                        if let Response::MailboxData(MailboxDatum::Status { status, .. }) = r {
                            found = status_counts(status);
                        }
                    })
                    .await;
                if self.broken {
                    return Err(ImapError::Unavailable(
                        "connection lost during STATUS".into(),
                    ));
                }
                counts.insert(folder.wire.clone(), found);
            }
        }
        Ok(arrange_folders(raw, &counts, special_use))
    }

    /// Selects `folder` (read-write, so reading can set `\Seen`).
    pub async fn select(&mut self, folder: &str) -> Result<MailboxState, ImapError> {
        let condstore = if self.caps.has("CONDSTORE") {
            " (CONDSTORE)"
        } else {
            ""
        };
        let cmd = format!("SELECT {}{condstore}", quote::mailbox(folder)?);
        let mut state = MailboxState::default();
        self.selected = None;
        let result = self
            .command(&cmd, |r| match r {
                Response::MailboxData(MailboxDatum::Exists(n)) => state.exists = *n,
                Response::Data { outcome, .. } => match outcome.code {
                    Some(ResponseCode::UidValidity(v)) => state.uid_validity = v,
                    Some(ResponseCode::UidNext(v)) => state.uid_next = v,
                    Some(ResponseCode::HighestModSeq(v)) => state.highest_modseq = Some(v),
                    _ => {}
                },
                _ => {}
            })
            .await;
        match result {
            Ok(()) => {
                self.selected = Some((folder.to_string(), state));
                Ok(state)
            }
            // SELECT of a folder that does not exist (or cannot be selected) is a NO.
            Err(ImapError::Refused(_)) => Err(ImapError::NotFound),
            Err(e) => Err(e),
        }
    }

    /// The folder's UIDVALIDITY: from the selection in place, else from a SELECT. No message
    /// is fetched (conditional downloads answer 304 from this alone).
    pub async fn uid_validity(&mut self, folder: &str) -> Result<u32, ImapError> {
        self.ensure_selected(folder).await?;
        match &self.selected {
            Some((name, state)) if name == folder => Ok(state.uid_validity),
            _ => Err(ImapError::NotFound),
        }
    }

    /// Selects `folder` unless it is already the selected one; `true` when it already was.
    async fn ensure_selected(&mut self, folder: &str) -> Result<bool, ImapError> {
        match &self.selected {
            Some((name, _)) if name == folder => Ok(true),
            _ => self.select(folder).await.map(|_| false),
        }
    }

    /// One page (0-based) of a folder, newest first, `per_page` rows.
    ///
    /// Cost: SELECT, then SORT only when the folder changed since any session of this user
    /// last sorted it ([`MailCache`]), then one FETCH of the page's rows (of only their flags
    /// for rows shown recently) and one partial FETCH for the snippets of rows not cached.
    pub async fn page(
        &mut self,
        folder: &str,
        page: usize,
        per_page: usize,
        with_structure: bool,
        search: Option<&SearchQuery>,
    ) -> Result<Page, ImapError> {
        let state = self.select(folder).await?;
        if let Some(query) = search {
            let uids = self.search(query).await?;
            let start = page.saturating_mul(per_page).min(uids.len());
            let end = (start + per_page).min(uids.len());
            let rows = self
                .fetch_summaries(&uids[start..end], with_structure)
                .await?;
            return Ok(Page {
                state,
                total: uids.len() as u32,
                rows,
            });
        }
        let total = state.exists;
        let start = page.saturating_mul(per_page);
        if start >= total as usize {
            return Ok(Page {
                state,
                total,
                rows: Vec::new(),
            });
        }
        let rows = if self.caps.has("SORT") {
            let order = self.sorted_uids(folder, state).await?;
            let end = (start + per_page).min(order.uids.len());
            let page_uids: Vec<u32> = order.uids[start.min(end)..end].to_vec();
            self.fetch_summaries(&page_uids, with_structure).await?
        } else {
            // Without SORT, sequence order is arrival order: page from the end by sequence
            // number, one FETCH, no SEARCH of all UIDs.
            let hi = total as usize - start;
            let lo = hi.saturating_sub(per_page - 1).max(1);
            let mut rows = self
                .fetch_summaries_by_seq(lo as u32, hi as u32, with_structure)
                .await?;
            rows.sort_by_key(|row| std::cmp::Reverse(row.0));
            rows.into_iter().map(|(_, s)| s).collect()
        };
        Ok(Page { state, total, rows })
    }

    /// UIDs matching `query` in the selected folder, newest first. The server does the work:
    /// SORT when it has it, SEARCH otherwise (sorted here by UID, which is arrival order).
    async fn search(&mut self, query: &SearchQuery) -> Result<Vec<u32>, ImapError> {
        let criteria = query.criteria(self.caps.has("LITERAL+"))?;
        let mut uids: Vec<u32> = Vec::new();
        if self.caps.has("SORT") {
            self.command(&format!("UID SORT (ARRIVAL) UTF-8 {criteria}"), |r| {
                if let Response::MailboxData(MailboxDatum::Sort(list)) = r {
                    uids.extend_from_slice(list);
                }
            })
            .await?;
            uids.reverse();
        } else {
            self.command(&format!("UID SEARCH CHARSET UTF-8 {criteria}"), |r| {
                if let Response::MailboxData(MailboxDatum::Search(list)) = r {
                    uids.extend_from_slice(list);
                }
            })
            .await?;
            uids.sort_unstable_by(|a, b| b.cmp(a));
        }
        Ok(uids)
    }

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
                                headers.push(super::threads::parse(uid, block));
                            }
                        }
                    },
                )
                .await?;
            }
            self.threads
                .insert(folder.to_string(), (state, super::threads::group(&headers)));
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
        let result = self
            .raw_answer("UID THREAD REFERENCES UTF-8 ALL")
            .await
            .and_then(|answer| {
                let text = String::from_utf8_lossy(&answer);
                let mut lines: Vec<&str> = text.split_terminator("\r\n").collect();
                let tagged = lines.pop().unwrap_or_default();
                let status = tagged[RAW_TAG.len().min(tagged.len())..].trim_start();
                if !status.starts_with("OK") {
                    return Err(ImapError::Refused(
                        status.trim().chars().take(200).collect(),
                    ));
                }
                Ok(lines
                    .into_iter()
                    .filter(|l| l.starts_with("* THREAD"))
                    .flat_map(super::threads::parse_thread_line)
                    .collect())
            });
        if let Err(e) = &result {
            if e.breaks_connection() {
                self.broken = true;
            }
        }
        result
    }

    /// The folder's UIDs newest first (by arrival), shared by every session of this user
    /// ([`MailCache`]). Reused while the folder's UIDVALIDITY, UIDNEXT and EXISTS are those it
    /// was made for (flag changes do not reorder); when only new mail arrived it is extended
    /// ([`Self::extend_order`]); anything else (an expunge, a new UIDVALIDITY) sorts again.
    ///
    /// Expunges could be applied from QRESYNC's VANISHED instead of sorting again, but that
    /// needs `ENABLE QRESYNC` and a SELECT carrying the last known state per folder, after
    /// which the server reports expunges as VANISHED on every command, a response
    /// imap-proto does not parse (async-imap would fail the command). Deleting is rarer than
    /// reading, and one SORT after it is the cost today.
    async fn sorted_uids(
        &mut self,
        folder: &str,
        state: MailboxState,
    ) -> Result<Arc<SortedOrder>, ImapError> {
        if let Some(known) = self.cache.order(&self.user, folder) {
            let was = known.state;
            if was.uid_validity == state.uid_validity {
                if was.uid_next == state.uid_next && was.exists == state.exists {
                    self.metrics.list_cache("order", "hit");
                    return Ok(known);
                }
                if state.uid_next > was.uid_next && state.exists > was.exists {
                    if let Some(uids) = self.extend_order(&known, state).await? {
                        self.metrics.list_cache("order", "extended");
                        return Ok(self.remember_order(folder, SortedOrder { state, uids }));
                    }
                }
            }
        }
        self.metrics.list_cache("order", "miss");
        let mut uids = Vec::with_capacity(state.exists as usize);
        // Ascending, then reversed here: SORT breaks ties (messages that arrived in the same
        // second) by ascending sequence number even with REVERSE, which would put the older
        // of two simultaneous messages first.
        self.command("UID SORT (ARRIVAL) UTF-8 ALL", |r| {
            if let Response::MailboxData(MailboxDatum::Sort(list)) = r {
                uids.extend_from_slice(list);
            }
        })
        .await?;
        uids.reverse();
        let order = SortedOrder { state, uids };
        if order.uids.len() != state.exists as usize {
            // Mail arrived (or left) between SELECT and SORT: the order is right for now but
            // not for `state`, and extending it later would list a message twice.
            return Ok(Arc::new(order));
        }
        Ok(self.remember_order(folder, order))
    }

    fn remember_order(&self, folder: &str, order: SortedOrder) -> Arc<SortedOrder> {
        let order = Arc::new(order);
        self.cache.put_order(&self.user, folder, order.clone());
        order
    }

    /// The order for `state` when, since `known` was made, messages only arrived (none left)
    /// and every one of them arrived no earlier than the newest known message: then the new
    /// UIDs go in front, ordered among themselves, exactly where a full SORT would put them.
    /// `None` when that cannot be shown, e.g. an APPEND with an old date, or an expunge.
    ///
    /// One `UID FETCH <newest>,<old UIDNEXT>:* (UID INTERNALDATE)`: as cheap as the
    /// `UID SEARCH UID <old UIDNEXT>:*` that would find the new UIDs, and it also says where
    /// they belong. (`n:*` always matches the highest UID, so old UIDs are filtered out.)
    async fn extend_order(
        &mut self,
        known: &SortedOrder,
        state: MailboxState,
    ) -> Result<Option<Vec<u32>>, ImapError> {
        let from = known.state.uid_next;
        let newest = known.uids.first().copied();
        let set = match newest {
            Some(uid) => format!("{uid},{from}:*"),
            None => format!("{from}:*"),
        };
        let mut dates: Vec<(u32, Option<chrono::DateTime<chrono::FixedOffset>>)> = Vec::new();
        self.command(&format!("UID FETCH {set} (UID INTERNALDATE)"), |r| {
            if let Response::Fetch(_, attrs) = r {
                let mut uid = None;
                let mut date = None;
                for attr in attrs {
                    match attr {
                        AttributeValue::Uid(u) => uid = Some(*u),
                        AttributeValue::InternalDate(d) => {
                            date = crate::mime::headers::internal_date(d)
                        }
                        _ => {}
                    }
                }
                if let Some(uid) = uid {
                    dates.push((uid, date));
                }
            }
        })
        .await?;
        let newest_date = match newest {
            Some(uid) => match dates.iter().find(|(u, _)| *u == uid) {
                Some((_, Some(date))) => Some(*date),
                // The newest known message is gone (or has no readable date): sort again.
                _ => return Ok(None),
            },
            None => None,
        };
        let mut arrived = Vec::new();
        for (uid, date) in dates {
            if uid < from {
                continue;
            }
            match date {
                Some(date) if newest_date.is_none_or(|n| date >= n) => arrived.push((date, uid)),
                _ => return Ok(None),
            }
        }
        arrived.sort_unstable();
        arrived.dedup();
        if known.state.exists as usize + arrived.len() != state.exists as usize {
            return Ok(None);
        }
        // Newest first; among equal dates the later sequence number (= higher UID) first, as
        // the full SORT reversed gives.
        let mut uids: Vec<u32> = arrived.iter().rev().map(|(_, uid)| *uid).collect();
        uids.extend_from_slice(&known.uids);
        Ok(Some(uids))
    }

    /// The list rows of `uids` in the selected folder, in that order. Rows shown recently
    /// (by any session of this user) come from [`MailCache`] with only their flags fetched
    /// fresh; the others are fetched whole, with their snippets, and remembered.
    async fn fetch_summaries(
        &mut self,
        uids: &[u32],
        with_structure: bool,
    ) -> Result<Vec<Summary>, ImapError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        // Rows fetched without BODYSTRUCTURE guess their paper clip: not worth remembering.
        let key = self.selected_key().filter(|_| with_structure);
        let mut cached: HashMap<u32, Arc<CachedRow>> = HashMap::new();
        if let Some((folder, validity)) = &key {
            for &uid in uids {
                if let Some(row) = self.cache.row(&self.user, folder, *validity, uid) {
                    cached.insert(uid, row);
                }
            }
        }
        let missing: Vec<u32> = uids
            .iter()
            .copied()
            .filter(|u| !cached.contains_key(u))
            .collect();
        let mut found: HashMap<u32, Summary> = HashMap::new();
        if !missing.is_empty() {
            let wanted: HashSet<u32> = missing.iter().copied().collect();
            let mut rows = Vec::new();
            self.fetch_rows(
                &format!("UID FETCH {}", uid_set(&missing)),
                with_structure,
                |_, s, text| {
                    if wanted.contains(&s.uid) {
                        rows.push((s, text));
                    }
                },
            )
            .await?;
            self.add_snippets(&mut rows).await?;
            for (row, _) in rows {
                if let Some((folder, validity)) = &key {
                    self.cache
                        .put_row(&self.user, folder, *validity, row.uid, CachedRow::of(&row));
                }
                found.insert(row.uid, row);
            }
        }
        self.metrics
            .list_cache_rows(cached.len() as u64, missing.len() as u64);
        if !cached.is_empty() {
            let set = uid_set(&cached.keys().copied().collect::<Vec<_>>());
            let mut flags: HashMap<u32, Flags> = HashMap::new();
            self.command(&format!("UID FETCH {set} (UID FLAGS)"), |r| {
                if let Response::Fetch(_, attrs) = r {
                    let mut uid = None;
                    let mut names = None;
                    for attr in attrs {
                        match attr {
                            AttributeValue::Uid(u) => uid = Some(*u),
                            AttributeValue::Flags(f) => {
                                names = Some(Flags::from_names(f.iter().map(|s| s.as_ref())))
                            }
                            _ => {}
                        }
                    }
                    if let (Some(uid), Some(names)) = (uid, names) {
                        flags.insert(uid, names);
                    }
                }
            })
            .await?;
            for (uid, row) in cached {
                // No answer for a UID: the message was expunged meanwhile.
                if let Some(flags) = flags.remove(&uid) {
                    found.insert(uid, row.summary(uid, flags));
                }
            }
        }
        // Keep the sorted order; a message expunged meanwhile simply drops out.
        Ok(uids.iter().filter_map(|u| found.remove(u)).collect())
    }

    async fn fetch_summaries_by_seq(
        &mut self,
        lo: u32,
        hi: u32,
        with_structure: bool,
    ) -> Result<Vec<(u32, Summary)>, ImapError> {
        let mut rows = Vec::new();
        let mut seqs = HashMap::new();
        self.fetch_rows(
            &format!("FETCH {lo}:{hi}"),
            with_structure,
            |seq, s, text| {
                if (lo..=hi).contains(&seq) {
                    seqs.insert(s.uid, seq);
                    rows.push((s, text));
                }
            },
        )
        .await?;
        self.add_snippets(&mut rows).await?;
        Ok(rows
            .into_iter()
            .map(|(s, _)| (seqs.get(&s.uid).copied().unwrap_or_default(), s))
            .collect())
    }

    /// Runs a FETCH of list rows. `with_structure: false` is the fallback for servers whose
    /// BODYSTRUCTURE cannot be parsed: attachments are then guessed from Content-Type, and
    /// there is no snippet. `on_row` gets each row with the text part its snippet comes from.
    async fn fetch_rows(
        &mut self,
        prefix: &str,
        with_structure: bool,
        mut on_row: impl FnMut(u32, Summary, Option<SnippetSource>),
    ) -> Result<(), ImapError> {
        let structure = if with_structure { " BODYSTRUCTURE" } else { "" };
        let items =
            format!("{prefix} (UID FLAGS RFC822.SIZE INTERNALDATE{structure} {LIST_HEADERS})");
        let mut rows = Vec::new();
        self.command_long(&items, |r| {
            if let Some(row) = summary_from(r) {
                rows.push(row);
            }
        })
        .await?;
        for (seq, row, text) in rows {
            on_row(seq, row, text);
        }
        Ok(())
    }

    /// Fills in the rows' snippets from the start of their text parts: one partial FETCH per
    /// distinct section (most messages of a page share one or two: `1`, `1.1`). The server
    /// never sets `\Seen` for `BODY.PEEK`. A refusal leaves the rows without a snippet.
    async fn add_snippets(
        &mut self,
        rows: &mut [(Summary, Option<SnippetSource>)],
    ) -> Result<(), ImapError> {
        let mut by_section: std::collections::BTreeMap<(String, u32), Vec<u32>> =
            Default::default();
        for (row, text) in rows.iter() {
            if let Some(text) = text {
                by_section
                    .entry((text.section.clone(), text.bytes()))
                    .or_default()
                    .push(row.uid);
            }
        }
        let mut raw: HashMap<u32, Vec<u8>> = HashMap::new();
        for ((section, bytes), uids) in &by_section {
            let cmd = format!(
                "UID FETCH {} (UID BODY.PEEK[{section}]<0.{bytes}>)",
                uid_set(uids)
            );
            let result = self
                .command(&cmd, |r| {
                    if let Response::Fetch(_, attrs) = r {
                        let uid = attrs.iter().find_map(|a| match a {
                            AttributeValue::Uid(u) => Some(*u),
                            _ => None,
                        });
                        let data = attrs.iter().find_map(|a| match a {
                            AttributeValue::BodySection { data, .. } => Some(data),
                            _ => None,
                        });
                        if let (Some(uid), Some(data)) = (uid, data) {
                            raw.insert(uid, data.as_deref().unwrap_or_default().to_vec());
                        }
                    }
                })
                .await;
            match result {
                Err(e) if e.breaks_connection() => return Err(e),
                Err(e) => tracing::debug!(error = %e, "snippet fetch refused"),
                Ok(()) => {}
            }
        }
        for (row, text) in rows.iter_mut() {
            if let (Some(text), Some(bytes)) = (text, raw.remove(&row.uid)) {
                // Fewer bytes than asked for: the part ended there.
                let whole = bytes.len() < text.bytes() as usize;
                row.snippet = crate::mime::snippet::snippet(
                    &bytes,
                    text.encoding,
                    text.charset.as_deref(),
                    text.html,
                    whole,
                );
            }
        }
        Ok(())
    }

    /// APPENDs a message to `folder` with optional flags such as `(\\Seen)`.
    pub async fn append(
        &mut self,
        folder: &str,
        flags: Option<&str>,
        raw: &[u8],
    ) -> Result<(), ImapError> {
        if self.broken {
            return Err(ImapError::Unavailable("connection already broken".into()));
        }
        let wire = utf7::encode(folder);
        let started = Instant::now();
        let result = self.session.append(&wire, flags, None, raw).await;
        self.metrics.imap_command("APPEND", started.elapsed());
        match result {
            Ok(()) => Ok(()),
            Err(async_imap::error::Error::No(m) | async_imap::error::Error::Bad(m)) => {
                Err(ImapError::Refused(truncate(&m, 200)))
            }
            Err(e) => {
                self.broken = true;
                Err(ImapError::Unavailable(format!("APPEND failed: {e}")))
            }
        }
    }

    pub async fn message(
        &mut self,
        folder: &str,
        uid: u32,
        max_bytes: u32,
        mark_seen: bool,
        with_structure: bool,
    ) -> Result<FetchedMessage, ImapError> {
        let cached = self.ensure_selected(folder).await?;
        match self
            .message_selected(uid, max_bytes, mark_seen, with_structure)
            .await
        {
            // A message that arrived after the folder was selected is not in this
            // connection's view until the folder is synchronised again.
            Err(ImapError::NotFound) if cached => {
                self.select(folder).await?;
                self.message_selected(uid, max_bytes, mark_seen, with_structure)
                    .await
            }
            other => other,
        }
    }

    /// Fetches a message for display: flags, size, structure and up to `max_bytes` of it.
    /// With `mark_seen` the fetch sets `\Seen`, as opening a message does in every client.
    async fn message_selected(
        &mut self,
        uid: u32,
        max_bytes: u32,
        mark_seen: bool,
        with_structure: bool,
    ) -> Result<FetchedMessage, ImapError> {
        let body = if mark_seen { "BODY" } else { "BODY.PEEK" };
        let structure = if with_structure { " BODYSTRUCTURE" } else { "" };
        let cmd =
            format!("UID FETCH {uid} (UID FLAGS RFC822.SIZE{structure} {body}[]<0.{max_bytes}>)");
        let mut found: Option<FetchedMessage> = None;
        self.command_long(&cmd, |r| {
            if let Response::Fetch(_, attrs) = r {
                let mut msg = FetchedMessage {
                    uid: 0,
                    flags: Flags::default(),
                    size: 0,
                    parts: None,
                    bytes: Vec::new(),
                };
                let mut has_body = false;
                for attr in attrs {
                    match attr {
                        AttributeValue::Uid(u) => msg.uid = *u,
                        AttributeValue::Flags(f) => {
                            msg.flags = Flags::from_names(f.iter().map(|s| s.as_ref()))
                        }
                        AttributeValue::Rfc822Size(s) => msg.size = *s,
                        AttributeValue::BodyStructure(bs) => msg.parts = Some(flatten(bs)),
                        AttributeValue::BodySection { data, .. } => {
                            has_body = true;
                            msg.bytes = data.as_deref().unwrap_or_default().to_vec();
                        }
                        _ => {}
                    }
                }
                if msg.uid == uid && has_body {
                    found = Some(msg);
                }
            }
        })
        .await?;
        let found = found.ok_or(ImapError::NotFound)?;
        if let Some(parts) = &found.parts {
            self.remember_structure(uid, found.size, parts);
        }
        Ok(found)
    }

    pub async fn sections(
        &mut self,
        folder: &str,
        uid: u32,
        sections: &[String],
        max_each: u32,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, ImapError> {
        let cached = self.ensure_selected(folder).await?;
        match self.sections_selected(uid, sections, max_each).await {
            // A message that arrived after the folder was selected is not in this
            // connection's view until the folder is synchronised again.
            Err(ImapError::NotFound) if cached => {
                self.select(folder).await?;
                self.sections_selected(uid, sections, max_each).await
            }
            other => other,
        }
    }

    /// The MIME header and (up to `max_each` bytes of) the body of each section, without
    /// setting `\Seen`: how a large message's text parts are read without its attachments.
    async fn sections_selected(
        &mut self,
        uid: u32,
        sections: &[String],
        max_each: u32,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, ImapError> {
        if sections.is_empty() {
            return Ok(Vec::new());
        }
        if sections
            .iter()
            .any(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        {
            return Err(ImapError::NotFound);
        }
        let items: Vec<String> = sections
            .iter()
            // A part's MIME header is a few lines; a single-part message's is the message's
            // own header, which can be megabytes of junk.
            .map(|s| format!("BODY.PEEK[{s}.MIME]<0.65536> BODY.PEEK[{s}]<0.{max_each}>"))
            .collect();
        let cmd = format!("UID FETCH {uid} (UID {})", items.join(" "));
        let mut found: HashMap<String, (Vec<u8>, Vec<u8>)> = HashMap::new();
        self.command(&cmd, |r| {
            let Response::Fetch(_, attrs) = r else { return };
            if !attrs
                .iter()
                .any(|a| matches!(a, AttributeValue::Uid(u) if *u == uid))
            {
                return;
            }
            for attr in attrs {
                if let AttributeValue::BodySection {
                    section: Some(SectionPath::Part(path, kind)),
                    data,
                    ..
                } = attr
                {
                    let key = path
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(".");
                    let entry = found.entry(key).or_default();
                    let bytes = data.as_deref().unwrap_or_default().to_vec();
                    match kind {
                        Some(MessageSection::Mime) => entry.0 = bytes,
                        None => entry.1 = bytes,
                        _ => {}
                    }
                }
            }
        })
        .await?;
        Ok(sections
            .iter()
            .map(|s| found.remove(s).unwrap_or_default())
            .collect())
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

    /// The UID of the message with this Message-ID in `folder`, if any (newest if several).
    pub async fn find_message_id(
        &mut self,
        folder: &str,
        message_id: &str,
    ) -> Result<Option<u32>, ImapError> {
        self.select(folder).await?;
        let cmd = format!(
            "UID SEARCH HEADER Message-ID {}",
            quote::quoted(message_id)?
        );
        let mut found = Vec::new();
        self.command(&cmd, |r| {
            if let Response::MailboxData(MailboxDatum::Search(uids)) = r {
                found.extend_from_slice(uids);
            }
        })
        .await?;
        Ok(found.into_iter().max())
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
    /// the messages stay marked deleted: a plain EXPUNGE could take others with them.
    async fn remove_uids(&mut self, set: &str) -> Result<(), ImapError> {
        self.command(
            &format!("UID STORE {set} +FLAGS.SILENT (\\Deleted)"),
            |_| {},
        )
        .await?;
        if self.caps.has("UIDPLUS") {
            self.command(&format!("UID EXPUNGE {set}"), |_| {}).await?;
        }
        Ok(())
    }

    /// CREATE, RENAME, DELETE, SUBSCRIBE or UNSUBSCRIBE of a folder (names in UTF-8).
    pub async fn manage_folder(&mut self, change: &FolderChange) -> Result<(), ImapError> {
        // A folder being renamed or deleted must not stay selected.
        if self.selected.is_some() && !matches!(change, FolderChange::Create(_)) {
            let _ = self.command("UNSELECT", |_| {}).await;
            self.selected = None;
        }
        let cmd = match change {
            FolderChange::Create(name) => format!("CREATE {}", quote::mailbox(name)?),
            FolderChange::Rename(from, to) => {
                format!("RENAME {} {}", quote::mailbox(from)?, quote::mailbox(to)?)
            }
            FolderChange::Delete(name) => format!("DELETE {}", quote::mailbox(name)?),
            FolderChange::Subscribe(name) => format!("SUBSCRIBE {}", quote::mailbox(name)?),
            FolderChange::Unsubscribe(name) => format!("UNSUBSCRIBE {}", quote::mailbox(name)?),
        };
        // A renamed or deleted folder's name may come back with other messages (and a new
        // UIDVALIDITY, which revalidation catches anyway); forget it at once.
        match change {
            FolderChange::Rename(from, to) => {
                self.cache.forget_order(&self.user, from);
                self.cache.forget_order(&self.user, to);
            }
            FolderChange::Delete(name) => self.cache.forget_order(&self.user, name),
            _ => {}
        }
        self.command(&cmd, |_| {}).await?;
        if let FolderChange::Create(name) = change {
            // New folders are shown at once: subscribe them as mail clients do.
            self.command(&format!("SUBSCRIBE {}", quote::mailbox(name)?), |_| {})
                .await?;
        }
        if let FolderChange::Rename(from, to) = change {
            let _ = self
                .command(&format!("UNSUBSCRIBE {}", quote::mailbox(from)?), |_| {})
                .await;
            self.command(&format!("SUBSCRIBE {}", quote::mailbox(to)?), |_| {})
                .await?;
        }
        Ok(())
    }

    /// Storage used and allowed for the INBOX's quota root, when the server has QUOTA.
    pub async fn quota(&mut self) -> Result<Option<Quota>, ImapError> {
        if !self.caps.has("QUOTA") {
            return Ok(None);
        }
        let mut found = None;
        self.command(r#"GETQUOTAROOT "INBOX""#, |r| {
            if let Response::Quota(q) = r {
                for resource in &q.resources {
                    if matches!(
                        resource.name,
                        async_imap::imap_proto::rfc2087::QuotaResourceName::Storage
                    ) {
                        found = Some(Quota {
                            used: resource.usage.saturating_mul(1024),
                            limit: resource.limit.saturating_mul(1024),
                        });
                    }
                }
            }
        })
        .await?;
        Ok(found)
    }

    /// STATUS (MESSAGES UIDNEXT UNSEEN) of one folder, without selecting it: what a live
    /// update asks every few seconds (~0.2 ms on Dovecot). A folder that does not exist (or
    /// cannot be asked about) is [`ImapError::NotFound`].
    pub async fn status(&mut self, folder: &str) -> Result<FolderStatus, ImapError> {
        let cmd = format!(
            "STATUS {} (MESSAGES UIDNEXT UNSEEN)",
            quote::mailbox(folder)?
        );
        // The selected folder answers STATUS as this connection last saw it (Dovecot does
        // not look again until the connection syncs): NOOP first brings the view up to date.
        if self
            .selected
            .as_ref()
            .is_some_and(|(name, _)| name == folder)
        {
            self.noop().await?;
        }
        let mut found = FolderStatus::default();
        let result = self
            .command(&cmd, |r| {
                if let Response::MailboxData(MailboxDatum::Status { status, .. }) = r {
                    for s in status {
                        match s {
                            StatusAttribute::Messages(n) => found.messages = *n,
                            StatusAttribute::UidNext(n) => found.uid_next = *n,
                            StatusAttribute::Unseen(n) => found.unseen = *n,
                            _ => {}
                        }
                    }
                }
            })
            .await;
        match result {
            Ok(()) => Ok(found),
            Err(ImapError::Refused(_)) => Err(ImapError::NotFound),
            Err(e) => Err(e),
        }
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

    pub async fn structure(
        &mut self,
        folder: &str,
        uid: u32,
    ) -> Result<(u32, Vec<PartInfo>), ImapError> {
        let cached = self.ensure_selected(folder).await?;
        if let Some((folder, validity)) = self.selected_key() {
            if let Some(known) = self.cache.structure(&self.user, &folder, validity, uid) {
                return Ok((known.0, known.1.clone()));
            }
        }
        let found = match self.structure_selected(uid).await {
            // A message that arrived after the folder was selected is not in this
            // connection's view until the folder is synchronised again.
            Err(ImapError::NotFound) if cached => {
                self.select(folder).await?;
                self.structure_selected(uid).await
            }
            other => other,
        }?;
        self.remember_structure(uid, found.0, &found.1);
        Ok(found)
    }

    /// The selected folder's name and UIDVALIDITY, which key the shared caches' entries.
    fn selected_key(&self) -> Option<(Arc<str>, u32)> {
        self.selected
            .as_ref()
            .map(|(folder, state)| (Arc::<str>::from(folder.as_str()), state.uid_validity))
    }

    /// Keeps a message's part list for its downloads and inline images ([`MailCache`]).
    fn remember_structure(&self, uid: u32, size: u32, parts: &[PartInfo]) {
        if let Some((folder, validity)) = self.selected_key() {
            self.cache
                .put_structure(&self.user, &folder, validity, uid, (size, parts.to_vec()));
        }
    }

    /// The part list and size of a message, for downloads.
    async fn structure_selected(&mut self, uid: u32) -> Result<(u32, Vec<PartInfo>), ImapError> {
        let mut found = None;
        self.command_long(
            &format!("UID FETCH {uid} (UID RFC822.SIZE BODYSTRUCTURE)"),
            |r| {
                if let Response::Fetch(_, attrs) = r {
                    let mut size = None;
                    let mut parts = None;
                    let mut this = false;
                    for attr in attrs {
                        match attr {
                            AttributeValue::Uid(u) => this = *u == uid,
                            AttributeValue::Rfc822Size(s) => size = Some(*s),
                            AttributeValue::BodyStructure(bs) => parts = Some(flatten(bs)),
                            _ => {}
                        }
                    }
                    if let (true, Some(size), Some(parts)) = (this, size, parts) {
                        found = Some((size, parts));
                    }
                }
            },
        )
        .await?;
        found.ok_or(ImapError::NotFound)
    }

    pub async fn chunk(
        &mut self,
        folder: &str,
        uid: u32,
        section: &str,
        offset: u64,
        len: u32,
    ) -> Result<Vec<u8>, ImapError> {
        let cached = self.ensure_selected(folder).await?;
        match self.chunk_selected(uid, section, offset, len).await {
            // A message that arrived after the folder was selected is not in this
            // connection's view until the folder is synchronised again.
            Err(ImapError::NotFound) if cached => {
                self.select(folder).await?;
                self.chunk_selected(uid, section, offset, len).await
            }
            other => other,
        }
    }

    /// `len` bytes from `offset` of a section (`""` for the whole message), without setting
    /// `\Seen`. Returns fewer bytes (maybe none) at the end of the section.
    async fn chunk_selected(
        &mut self,
        uid: u32,
        section: &str,
        offset: u64,
        len: u32,
    ) -> Result<Vec<u8>, ImapError> {
        if !section.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(ImapError::NotFound);
        }
        let cmd = format!("UID FETCH {uid} (UID BODY.PEEK[{section}]<{offset}.{len}>)");
        let mut found: Option<Vec<u8>> = None;
        self.command(&cmd, |r| {
            if let Response::Fetch(_, attrs) = r {
                let this = attrs
                    .iter()
                    .any(|a| matches!(a, AttributeValue::Uid(u) if *u == uid));
                for attr in attrs {
                    if let (true, AttributeValue::BodySection { data, .. }) = (this, attr) {
                        found = Some(data.as_deref().unwrap_or_default().to_vec());
                    }
                }
            }
        })
        .await?;
        found.ok_or(ImapError::NotFound)
    }
}

/// A change to the folder tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderChange {
    Create(String),
    Rename(String, String),
    Delete(String),
    Subscribe(String),
    Unsubscribe(String),
}

/// Which messages of a folder an action applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Uids(Vec<u32>),
    /// Every message of the folder: one `1:*` UID set, whatever the folder's size.
    All,
}

impl Selection {
    pub fn to_set(&self) -> String {
        match self {
            Selection::Uids(uids) => uid_set(uids),
            Selection::All => "1:*".into(),
        }
    }

    /// Parses a compact UID set (`1:3,7`) as produced by [`Selection::to_set`].
    pub fn parse(set: &str) -> Option<Selection> {
        let mut uids = Vec::new();
        for piece in set.split(',') {
            match piece.split_once(':') {
                Some((a, b)) => {
                    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
                    if b < a || b - a > 1_000_000 {
                        return None;
                    }
                    uids.extend(a..=b);
                }
                None => uids.push(piece.parse().ok()?),
            }
        }
        (!uids.is_empty() && uids.iter().all(|&u| u > 0)).then_some(Selection::Uids(uids))
    }
}

/// UIDs of a COPYUID set, in order.
fn expand(set: &[async_imap::imap_proto::rfc4315::UidSetMember]) -> Vec<u32> {
    use async_imap::imap_proto::rfc4315::UidSetMember;
    set.iter()
        .flat_map(|m| match m {
            UidSetMember::Uid(u) => *u..=*u,
            UidSetMember::UidRange(r) => r.clone(),
        })
        .collect()
}

/// LIST output before arranging into a tree.
struct RawFolder {
    wire: String,
    delimiter: Option<char>,
    noselect: bool,
    role: Option<Role>,
    subscribed: bool,
}

fn role_from_attributes(attrs: &[NameAttribute<'_>]) -> Option<Role> {
    attrs.iter().find_map(|a| match a {
        NameAttribute::Drafts => Some(Role::Drafts),
        NameAttribute::Sent => Some(Role::Sent),
        NameAttribute::Archive => Some(Role::Archive),
        NameAttribute::Junk => Some(Role::Junk),
        NameAttribute::Trash => Some(Role::Trash),
        _ => None,
    })
}

/// Role guessed from the name, for servers without SPECIAL-USE (English and Portuguese names).
fn role_from_name(name: &str) -> Option<Role> {
    match name.to_lowercase().as_str() {
        "drafts" | "draft" | "rascunhos" => Some(Role::Drafts),
        "sent" | "sent items" | "sent messages" | "sent mail" | "enviados" | "itens enviados" => {
            Some(Role::Sent)
        }
        "archive" | "archives" | "arquivo" | "arquivados" => Some(Role::Archive),
        "junk" | "spam" | "junk e-mail" | "lixo eletrônico" => Some(Role::Junk),
        "trash" | "deleted items" | "deleted messages" | "lixeira" | "itens excluídos" => {
            Some(Role::Trash)
        }
        _ => None,
    }
}

fn status_counts(status: &[StatusAttribute]) -> (Option<u32>, Option<u32>) {
    let mut out = (None, None);
    for s in status {
        match s {
            StatusAttribute::Messages(n) => out.0 = Some(*n),
            StatusAttribute::Unseen(n) => out.1 = Some(*n),
            _ => {}
        }
    }
    out
}

/// Orders folders the way mail clients do: INBOX, then special-use folders, then the rest
/// alphabetically, each followed by its children.
fn arrange_folders(
    raw: Vec<RawFolder>,
    counts: &HashMap<String, (Option<u32>, Option<u32>)>,
    special_use: bool,
) -> Vec<Folder> {
    let mut folders: Vec<(Vec<String>, Folder)> = raw
        .into_iter()
        .map(|r| {
            let name = utf7::decode(&r.wire);
            let parts: Vec<String> = match r.delimiter {
                Some(d) => name.split(d).map(str::to_string).collect(),
                None => vec![name.clone()],
            };
            let is_inbox = name.eq_ignore_ascii_case("INBOX");
            let role = if is_inbox {
                Some(Role::Inbox)
            } else if special_use {
                r.role
            } else if parts.len() == 1 {
                r.role.or_else(|| role_from_name(&name))
            } else {
                None
            };
            let (messages, unseen) = counts.get(&r.wire).copied().unwrap_or((None, None));
            let folder = Folder {
                leaf: parts.last().cloned().unwrap_or_default(),
                depth: parts.len().saturating_sub(1),
                name: if is_inbox { "INBOX".into() } else { name },
                role,
                selectable: !r.noselect,
                messages,
                unseen,
                subscribed: r.subscribed || is_inbox,
                delimiter: r.delimiter,
            };
            (parts, folder)
        })
        .collect();
    // Sort key per path component: top-level role folders first in role order, then names.
    let rank_of_top: HashMap<String, (u8, String)> = folders
        .iter()
        .filter(|(p, _)| p.len() == 1)
        .map(|(p, f)| {
            let rank = match f.role {
                Some(role) => role as u8,
                None => 100,
            };
            (p[0].clone(), (rank, p[0].to_lowercase()))
        })
        .collect();
    folders.sort_by(|(a, _), (b, _)| {
        let key = |p: &Vec<String>| {
            let top = rank_of_top
                .get(&p[0])
                .cloned()
                .unwrap_or((100, p[0].to_lowercase()));
            let rest: Vec<String> = p[1..].iter().map(|s| s.to_lowercase()).collect();
            (top, rest)
        };
        key(a).cmp(&key(b))
    });
    folders.into_iter().map(|(_, f)| f).collect()
}

/// The text part a list row's snippet is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SnippetSource {
    section: String,
    encoding: TransferEncoding,
    charset: Option<String>,
    html: bool,
}

impl SnippetSource {
    /// The first plain-text part that is not an attachment, else the first HTML one.
    fn pick(parts: &[PartInfo]) -> Option<SnippetSource> {
        let body = |ty: &str| {
            parts
                .iter()
                .find(|p| p.mime_type == ty && !p.is_attachment_disposition())
        };
        let (part, html) = match body("text/plain") {
            Some(p) => (p, false),
            None => (body("text/html")?, true),
        };
        Some(SnippetSource {
            section: part.section.clone(),
            encoding: part.encoding,
            charset: part
                .type_params
                .iter()
                .find(|(k, _)| k == "charset")
                .map(|(_, v)| v.clone()),
            html,
        })
    }

    fn bytes(&self) -> u32 {
        if self.html {
            SNIPPET_HTML_BYTES
        } else {
            SNIPPET_PLAIN_BYTES
        }
    }
}

/// Builds a list row from one FETCH response, with the part its snippet would come from;
/// `None` for unrelated (unsolicited) responses.
fn summary_from(response: &Response<'_>) -> Option<(u32, Summary, Option<SnippetSource>)> {
    let Response::Fetch(seq, attrs) = response else {
        return None;
    };
    let mut row = Summary {
        uid: 0,
        flags: Flags::default(),
        size: 0,
        internal_date: None,
        headers: Vec::new(),
        has_attachment: false,
        snippet: None,
    };
    let mut has_headers = false;
    let mut has_structure = false;
    let mut text = None;
    for attr in attrs {
        match attr {
            AttributeValue::Uid(u) => row.uid = *u,
            AttributeValue::Flags(f) => row.flags = Flags::from_names(f.iter().map(|s| s.as_ref())),
            AttributeValue::Rfc822Size(s) => row.size = *s,
            AttributeValue::InternalDate(d) => row.internal_date = Some(d.to_string()),
            AttributeValue::BodyStructure(bs) => {
                has_structure = true;
                let parts = flatten(bs);
                row.has_attachment = parts.iter().any(looks_like_attachment);
                text = SnippetSource::pick(&parts);
            }
            AttributeValue::BodySection { data, .. } => {
                has_headers = true;
                row.headers = data.as_deref().unwrap_or_default().to_vec();
            }
            _ => {}
        }
    }
    if !has_structure {
        let headers = String::from_utf8_lossy(&row.headers).to_ascii_lowercase();
        row.has_attachment = headers.contains("multipart/mixed");
    }
    (row.uid != 0 && has_headers).then_some((*seq, row, text))
}

/// The list's paper-clip rule: an explicit attachment, or a named non-text part.
fn looks_like_attachment(part: &PartInfo) -> bool {
    if part.is_attachment_disposition() {
        return true;
    }
    let is_body_text = part.mime_type == "text/plain" || part.mime_type == "text/html";
    let inline_image = part.mime_type.starts_with("image/") && part.content_id.is_some();
    !is_body_text
        && !inline_image
        && !part.mime_type.starts_with("multipart/")
        && (part.raw_filename().is_some() || part.mime_type.starts_with("application/"))
}

/// Finds where a tagged answer ends in the bytes received so far, looking at each byte once
/// however the answer arrives: lines are searched for their CRLF (resuming where the last
/// search stopped), a literal (`{n}` ending a line) is skipped whole, and the answer ends with
/// the line that starts a response with the tag. Literal contents are never read, so a
/// message cannot fake the end of an answer.
#[derive(Debug, Default)]
struct AnswerScan {
    /// Start of the line being read (past the end while a literal is still arriving).
    line_start: usize,
    /// Where the search for the current line's CRLF resumes.
    searched: usize,
    /// Whether the current line continues a response after a literal.
    after_literal: bool,
}

impl AnswerScan {
    /// The answer's length once its tagged line is in `data` (which only ever grows).
    fn advance(&mut self, data: &[u8], tag: &[u8]) -> Option<usize> {
        loop {
            let from = self.searched.max(self.line_start);
            if from >= data.len() {
                return None;
            }
            let Some(at) = data[from..].windows(2).position(|w| w == b"\r\n") else {
                // A CR at the very end may be the start of the CRLF.
                self.searched = data.len() - 1;
                return None;
            };
            let cr = from + at;
            let line = &data[self.line_start..cr];
            if !self.after_literal && line.starts_with(tag) && line.get(tag.len()) == Some(&b' ') {
                return Some(cr + 2);
            }
            match literal_length(line) {
                Some(n) => {
                    self.line_start = (cr + 2).saturating_add(n);
                    self.after_literal = true;
                }
                None => {
                    self.line_start = cr + 2;
                    self.after_literal = false;
                }
            }
            self.searched = self.line_start;
        }
    }
}

/// The length announced by a line that ends in a literal marker, `{123}`.
fn literal_length(line: &[u8]) -> Option<usize> {
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let digits = &inner[open + 1..];
    if digits.is_empty() || digits.len() > 12 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// `1,3,5:9` style UID set from a list (order irrelevant to the server).
fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_ends_at_its_tagged_line_whatever_the_literals_hold() {
        let answer: &[u8] = b"* 1 FETCH (UID 7 BODY[] {14}\r\nCR1 OK fake\r\n)\r\n\
* 2 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1))\r\n\
CR1 OK Fetch completed.\r\n";
        // Whole, and byte by byte as a slow server would send it.
        assert_eq!(
            AnswerScan::default().advance(answer, b"CR1"),
            Some(answer.len())
        );
        let mut scan = AnswerScan::default();
        let ends: Vec<usize> = (1..=answer.len())
            .filter_map(|n| scan.advance(&answer[..n], b"CR1"))
            .collect();
        assert_eq!(ends, [answer.len()]);
        // Not finished while a literal or the tagged line is still arriving.
        assert_eq!(AnswerScan::default().advance(&answer[..40], b"CR1"), None);
        assert_eq!(
            AnswerScan::default().advance(&answer[..answer.len() - 1], b"CR1"),
            None
        );
        assert_eq!(
            literal_length(b"* 1 FETCH (BODY[] {1048576}"),
            Some(1_048_576)
        );
        assert_eq!(literal_length(b"\"{12}\" x"), None);
    }

    #[test]
    fn uid_sets_compress_runs() {
        assert_eq!(uid_set(&[5, 1, 2, 3, 9, 10]), "1:3,5,9:10");
        assert_eq!(uid_set(&[7]), "7");
    }

    #[test]
    fn folders_are_ordered_inbox_roles_then_names_with_children() {
        let raw = |wire: &str, role| RawFolder {
            wire: wire.into(),
            delimiter: Some('/'),
            noselect: false,
            role,
            subscribed: true,
        };
        let folders = arrange_folders(
            vec![
                raw("Zeta", None),
                raw("Trash", Some(Role::Trash)),
                raw("Projetos/Obra", None),
                raw("INBOX", None),
                raw("Projetos", None),
                raw("Fam&AO0-lia", None),
                raw("Sent", Some(Role::Sent)),
            ],
            &HashMap::new(),
            true,
        );
        let names: Vec<&str> = folders.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "INBOX",
                "Sent",
                "Trash",
                "Família",
                "Projetos",
                "Projetos/Obra",
                "Zeta"
            ]
        );
        assert_eq!(folders[5].depth, 1);
        assert_eq!(folders[5].leaf, "Obra");
    }
}
