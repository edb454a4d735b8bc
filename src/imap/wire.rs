//! Framing of server answers: where the answer to one command ends, which response is its
//! tagged completion, and what a NO, BAD or BYE means. Carteiro reads answers three ways, and
//! all three frame them here:
//!
//! - response by response through async-imap's reader ([`step`] on each one), for most
//!   commands;
//! - whole, on the raw stream ([`exchange`], then [`dispatch`]), for answers that can be long
//!   (BODYSTRUCTURE): async-imap parses everything it has buffered again each time another
//!   4 KiB arrives, so one answer line of n bytes costs it O(n²/4096), about a minute of CPU
//!   for the 17 MB BODYSTRUCTURE of one hostile message;
//! - whole, on the raw stream, as text lines ([`lines`]), for answers imap-proto cannot parse
//!   at all (`* THREAD`), which would leave async-imap's stream unusable.
//!
//! The raw stream is safe to use between commands because async-imap has nothing buffered
//! then: the server sends nothing after a tagged answer until the next command.

use async_imap::imap_proto::{Response, Status};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::budget::{AnswerBudget, Held};
use super::error::ImapError;

/// Tag of the commands written and read on the raw stream.
pub const RAW_TAG: &str = "CR1";

/// What one response means for the command whose answer it belongs to.
#[derive(Debug)]
pub enum Step {
    /// The command's tagged completion: OK, or why not ([`ImapError::Refused`]).
    Done(Result<(), ImapError>),
    /// `* BYE`: the server is closing the connection (also the normal answer to LOGOUT).
    Bye,
    /// Any other response, already handed to the caller.
    Data,
}

/// Classifies `response` in the answer to the command tagged `tag`, handing it to `on_data`
/// unless it is a BYE. The tagged completion is handed over too: callers may want its
/// response code (COPYUID, APPENDUID).
pub fn step(response: &Response<'_>, tag: &str, on_data: &mut impl FnMut(&Response<'_>)) -> Step {
    match response {
        Response::Done {
            tag: t,
            status,
            outcome,
        } if t.0 == tag => {
            on_data(response);
            Step::Done(match status {
                Status::Ok => Ok(()),
                _ => Err(ImapError::refused(
                    outcome.information.as_deref().unwrap_or("no reason given"),
                )),
            })
        }
        Response::Data {
            status: Status::Bye,
            ..
        } => Step::Bye,
        other => {
            on_data(other);
            Step::Data
        }
    }
}

/// The error for a failed read of async-imap's stream: a response it could not parse is a
/// protocol error, anything else means the connection is gone.
pub fn read_error(e: std::io::Error) -> ImapError {
    if e.kind() == std::io::ErrorKind::Other {
        ImapError::Protocol(super::error::truncate(&e.to_string(), 300))
    } else {
        ImapError::Unavailable(format!("read failed: {e}"))
    }
}

/// A whole answer handed over response by response ([`dispatch`], [`lines`]).
#[derive(Debug)]
pub struct Dispatched {
    /// The tagged completion's verdict, or why the answer could not be read.
    pub result: Result<(), ImapError>,
    /// The server said BYE somewhere in the answer.
    pub bye: bool,
}

/// Hands the responses of a whole answer (as [`exchange`] returns it) to `on_data`, the way
/// [`step`] does for async-imap's reader.
pub fn dispatch(answer: &[u8], on_data: &mut impl FnMut(&Response<'_>)) -> Dispatched {
    let mut bye = false;
    let mut rest = answer;
    while !rest.is_empty() {
        // Not the parser's error: its Debug form would quote the whole input.
        let Ok((remaining, response)) = Response::parse(rest) else {
            let at = answer.len() - rest.len();
            let why = format!("unreadable answer at byte {at} of {}", answer.len());
            return Dispatched {
                result: Err(ImapError::Protocol(why)),
                bye,
            };
        };
        rest = remaining;
        match step(&response, RAW_TAG, on_data) {
            Step::Done(result) => return Dispatched { result, bye },
            Step::Bye => bye = true,
            Step::Data => {}
        }
    }
    let missing = ImapError::Protocol("answer without its tagged line".into());
    Dispatched {
        result: Err(missing),
        bye,
    }
}

/// Hands the untagged lines of a whole answer to `on_line` as text, for answers imap-proto
/// cannot parse. Only for answers without literals (a literal's bytes would be split into
/// lines too): `* THREAD` carries nothing but numbers and parentheses.
pub fn lines(answer: &[u8], mut on_line: impl FnMut(&str)) -> Dispatched {
    let text = String::from_utf8_lossy(answer);
    let mut all: Vec<&str> = text.split_terminator("\r\n").collect();
    // exchange() returns nothing after the tagged line: it is the last.
    let tagged = all.pop().unwrap_or_default();
    let mut bye = false;
    for line in all {
        if line.starts_with("* BYE") {
            bye = true;
        } else {
            on_line(line);
        }
    }
    let status = tagged[RAW_TAG.len().min(tagged.len())..].trim_start();
    let result = if status.starts_with("OK") {
        Ok(())
    } else {
        Err(ImapError::Refused(
            status.trim().chars().take(200).collect(),
        ))
    };
    Dispatched { result, bye }
}

/// A whole answer read on the raw stream, holding its share of the [`AnswerBudget`] until
/// it is dropped.
#[derive(Debug)]
pub struct Answer {
    bytes: Vec<u8>,
    _held: Held,
}

impl std::ops::Deref for Answer {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// Writes `command` under [`RAW_TAG`] and reads its whole answer, the tagged line included,
/// looking at each byte once ([`AnswerScan`]). The answer's buffer grows only within
/// `budget`, and an answer longer than `limit` bytes fails the command instead of growing
/// without bound. Any error leaves the stream at an unknown position: the caller must drop
/// the connection.
pub async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    command: &str,
    limit: usize,
    budget: &AnswerBudget,
) -> Result<Answer, ImapError> {
    let verb: String = command.split(' ').take(2).collect::<Vec<_>>().join(" ");
    let broken = |e: std::io::Error| ImapError::Unavailable(format!("{verb} failed: {e}"));
    stream
        .write_all(format!("{RAW_TAG} {command}\r\n").as_bytes())
        .await
        .map_err(broken)?;
    stream.flush().await.map_err(broken)?;
    read_answer(stream, Vec::new(), &verb, limit, budget).await
}

/// [`exchange`] for a command holding synchronizing literals (RFC 3501 §7.5), for servers
/// without LITERAL+: `pieces` is the command cut after each literal's `{n}` CRLF, and each
/// piece after the first is written only once the server has asked for it with a `+`
/// continuation. Untagged responses that come before a `+` stay part of the answer; a tagged
/// answer instead of a `+` (the server refused the literal) is the whole answer.
pub async fn exchange_literals<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    pieces: &[&str],
    limit: usize,
    budget: &AnswerBudget,
) -> Result<Answer, ImapError> {
    let Some((first, rest)) = pieces.split_first() else {
        return Err(ImapError::Protocol("empty command".into()));
    };
    let verb: String = first.split(' ').take(2).collect::<Vec<_>>().join(" ");
    let broken = |e: std::io::Error| ImapError::Unavailable(format!("{verb} failed: {e}"));
    let mut before: Vec<u8> = Vec::new();
    stream
        .write_all(format!("{RAW_TAG} {first}").as_bytes())
        .await
        .map_err(broken)?;
    for piece in rest {
        stream.flush().await.map_err(broken)?;
        loop {
            let line = read_line(stream, &verb).await?;
            if line.starts_with(b"+") {
                break;
            }
            let tagged =
                line.starts_with(RAW_TAG.as_bytes()) && line.get(RAW_TAG.len()) == Some(&b' ');
            if literal_length(line.strip_suffix(b"\r\n").unwrap_or(&line)).is_some() {
                return Err(ImapError::Protocol(format!(
                    "a literal while waiting to send one in {verb}"
                )));
            }
            before.extend_from_slice(&line);
            if tagged {
                return Ok(Answer {
                    _held: budget.hold(),
                    bytes: before,
                });
            }
            if before.len() > limit {
                return Err(ImapError::Protocol(format!("no continuation for {verb}")));
            }
        }
        stream.write_all(piece.as_bytes()).await.map_err(broken)?;
    }
    stream.write_all(b"\r\n").await.map_err(broken)?;
    stream.flush().await.map_err(broken)?;
    read_answer(stream, before, &verb, limit, budget).await
}

/// One line (CRLF included) read byte by byte, so nothing after it is taken from the stream;
/// at most 64 KiB. Only for the few short lines around a continuation.
async fn read_line<S: AsyncRead + Unpin>(stream: &mut S, verb: &str) -> Result<Vec<u8>, ImapError> {
    let mut line = Vec::new();
    while !line.ends_with(b"\r\n") {
        if line.len() > 64 * 1024 {
            return Err(ImapError::Protocol(format!("line too long in {verb}")));
        }
        let byte = stream
            .read_u8()
            .await
            .map_err(|e| ImapError::Unavailable(format!("{verb} failed: {e}")))?;
        line.push(byte);
    }
    Ok(line)
}

/// Room made in the answer's buffer before a read: small answers (most) stay small.
const READ_ROOM: usize = 16 * 1024;

/// Reads one answer tagged [`RAW_TAG`] (see [`exchange`]); `verb` names the command in errors.
/// `answer` holds what was already read of it (untagged lines before a continuation).
async fn read_answer<S: AsyncRead + Unpin>(
    stream: &mut S,
    mut answer: Vec<u8>,
    verb: &str,
    limit: usize,
    budget: &AnswerBudget,
) -> Result<Answer, ImapError> {
    let broken = |e: std::io::Error| ImapError::Unavailable(format!("{verb} failed: {e}"));
    let mut held = budget.hold();
    let mut scan = AnswerScan::default();
    loop {
        // The buffer's capacity is what the budget holds: it doubles (as a Vec would on its
        // own), but only once the budget has room, and never far past `limit`.
        if answer.capacity() - answer.len() < READ_ROOM {
            let wanted = (answer.capacity() * 2)
                .min(limit.saturating_add(READ_ROOM))
                .max(answer.len() + READ_ROOM);
            held.grow_to(wanted).await?;
            answer.reserve_exact(wanted - answer.len());
        }
        let n = stream.read_buf(&mut answer).await.map_err(broken)?;
        if n == 0 {
            return Err(ImapError::Unavailable(format!(
                "connection closed during {verb}"
            )));
        }
        if let Some(end) = scan.advance(&answer, RAW_TAG.as_bytes()) {
            if end != answer.len() {
                return Err(ImapError::Protocol(format!(
                    "data after the answer to {verb}"
                )));
            }
            return Ok(Answer {
                bytes: answer,
                _held: held,
            });
        }
        if answer.len() > limit {
            return Err(ImapError::Protocol(format!(
                "answer to {verb} larger than {} MiB",
                limit >> 20
            )));
        }
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

#[cfg(test)]
mod tests;
