//! The connection itself: what it holds, how it starts, how one command is sent and its
//! answer read, and which folder is selected.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode, Status};
use tokio::sync::OwnedSemaphorePermit;

use crate::imap::cache::MailCache;
use crate::imap::capabilities::Capabilities;
use crate::imap::error::ImapError;
use crate::imap::quote;
use crate::imap::stream::BoxedStream;
use crate::metrics::{GaugeGuard, Metrics};
use crate::model::MailboxState;

/// Tag of the commands written and read on the raw stream ([`ImapConn::raw_answer`]).
pub(super) const RAW_TAG: &str = "CR1";
/// Largest answer read on the raw stream; a larger one fails the command (the callers fall
/// back to fetching without BODYSTRUCTURE) instead of growing without bound.
const MAX_RAW_ANSWER: usize = 64 * 1024 * 1024;

/// An authenticated connection plus what it remembers between commands.
pub struct ImapConn {
    pub(super) session: async_imap::Session<BoxedStream>,
    pub(super) caps: Capabilities,
    /// The folder currently selected (UTF-8 name) and its state at selection time.
    pub(super) selected: Option<(String, MailboxState)>,
    /// Sorted orders and list rows, shared with every connection of this process.
    pub(super) cache: Arc<MailCache>,
    /// The IMAP user name, which keys this connection's entries in `cache`.
    pub(super) user: Arc<str>,
    /// Conversations per folder, valid while the folder's state is unchanged.
    pub(super) threads: HashMap<String, (MailboxState, Vec<Vec<u32>>)>,
    /// Set when a command failed in a way that leaves the stream unusable.
    pub(super) broken: bool,
    /// Holds one slot of the global connection limit for as long as the connection lives.
    _permit: OwnedSemaphorePermit,
    /// Counts this connection as open until it is dropped.
    _open: GaugeGuard,
    /// Times every command.
    pub(super) metrics: Arc<Metrics>,
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
    pub(super) async fn raw_answer(&mut self, command: &str) -> Result<Vec<u8>, ImapError> {
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
    pub(super) async fn ensure_selected(&mut self, folder: &str) -> Result<bool, ImapError> {
        match &self.selected {
            Some((name, _)) if name == folder => Ok(true),
            _ => self.select(folder).await.map(|_| false),
        }
    }

    /// The selected folder's name and UIDVALIDITY, which key the shared caches' entries.
    pub(super) fn selected_key(&self) -> Option<(Arc<str>, u32)> {
        self.selected
            .as_ref()
            .map(|(folder, state)| (Arc::<str>::from(folder.as_str()), state.uid_validity))
    }
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

pub(super) fn truncate(text: &str, max: usize) -> String {
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
}
