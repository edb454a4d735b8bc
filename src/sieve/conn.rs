//! One connection to the ManageSieve server: TCP, then STARTTLS (or TLS from the first byte,
//! or nothing when the URL says `?tls=none`), then commands and their answers.
//!
//! Every wait is bounded: dialling and the TLS handshake by [`CONNECT_TIMEOUT`], each command
//! with its whole answer by [`COMMAND_TIMEOUT`], and an answer by [`MAX_ANSWER`] bytes.
//! A command that did not finish (timed out, or its future was dropped halfway) leaves the
//! connection's state unknown, so the connection refuses every later command instead of
//! reading a stale answer as the next one's.
//!
//! Nothing sent is logged: commands carry the password (AUTHENTICATE) and scripts.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;

use super::error::SieveError;
use super::wire::{self, Item, Line, Parsed, Response, Status};
use crate::upstream::{Security, Upstream};

/// How long the TCP connection and the TLS handshake may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one command may take, its whole answer included.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes of one answer (all its lines): a script literal of up to
/// [`wire::MAX_LITERAL`] and room for the rest.
pub const MAX_ANSWER: usize = 2 * wire::MAX_LITERAL;
/// Bytes asked of the socket per read.
const READ_CHUNK: usize = 16 * 1024;

/// Any byte stream the client runs over: TCP, or TLS over TCP.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + Sync {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync> Stream for T {}

/// A whole answer: its data lines and the response that ended it.
#[derive(Debug)]
pub struct Answer {
    pub data: Vec<Vec<Item>>,
    pub done: Response,
}

/// An open connection, greeted, before or after authentication. Generic only so that the
/// plain TCP stream can be taken back for the TLS handshake after STARTTLS; a session's
/// connection is always boxed.
pub struct Conn<S = Box<dyn Stream>> {
    stream: S,
    /// Bytes read but not yet parsed.
    buf: Vec<u8>,
    /// Set while a command is under way; still set when a command did not finish.
    busy: bool,
    /// The server, for log lines.
    server: String,
}

impl<S> std::fmt::Debug for Conn<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("server", &self.server)
            .field("busy", &self.busy)
            .finish_non_exhaustive()
    }
}

/// Logs why the server cannot be reached (the cause is kept nowhere else) and says so.
fn unreachable(server: &str, what: &str, cause: &dyn std::fmt::Display) -> SieveError {
    tracing::warn!(server, error = %cause, "ManageSieve: {what}");
    SieveError::Unreachable
}

/// Dials `upstream`, secures the connection as its URL says, and reads the greeting.
/// Returns the connection and the data lines of the greeting that counts: the one after
/// STARTTLS when there is one (RFC 5804 §2.2: the server says its capabilities again).
pub async fn open(
    upstream: &Upstream,
    tls: &Arc<rustls::ClientConfig>,
    ca_file: Option<&Path>,
) -> Result<(Conn, Vec<Vec<Item>>), SieveError> {
    let server = upstream.to_string();
    let tcp = tokio::time::timeout(
        CONNECT_TIMEOUT,
        TcpStream::connect((upstream.host.as_str(), upstream.port)),
    )
    .await
    .map_err(|_| unreachable(&server, "connecting timed out", &"no answer"))?
    .map_err(|e| unreachable(&server, "cannot connect", &e))?;
    let _ = tcp.set_nodelay(true);
    let boxed = |stream: Box<dyn Stream>| Conn {
        stream,
        buf: Vec::new(),
        busy: false,
        server: server.clone(),
    };
    match upstream.security {
        Security::Plain => {
            let mut conn = boxed(Box::new(tcp));
            let greeting = conn.greeting().await?;
            Ok((conn, greeting))
        }
        Security::Tls => {
            let tls = handshake(upstream, tls, ca_file, tcp, &server).await?;
            let mut conn = boxed(Box::new(tls));
            let greeting = conn.greeting().await?;
            Ok((conn, greeting))
        }
        Security::StartTls => {
            let mut plain = Conn {
                stream: tcp,
                buf: Vec::new(),
                busy: false,
                server: server.clone(),
            };
            let greeting = plain.greeting().await?;
            let offers_starttls = greeting.iter().any(|line| {
                line.first()
                    .is_some_and(|i| i.text().eq_ignore_ascii_case("STARTTLS"))
            });
            if !offers_starttls {
                // Credentials never go out unencrypted unless the admin wrote `?tls=none`.
                return Err(unreachable(
                    &server,
                    "the server does not offer STARTTLS; fix its TLS, or write ?tls=none to send passwords unencrypted",
                    &"no STARTTLS capability",
                ));
            }
            let answer = plain.command(&wire::encode("STARTTLS", &[])).await?;
            if answer.done.status != Status::Ok {
                return Err(unreachable(&server, "STARTTLS refused", &"NO"));
            }
            if !plain.buf.is_empty() {
                // Bytes after the OK were sent before TLS, by the server or by someone in
                // the middle: they must not be read as if they had come over TLS.
                return Err(unreachable(
                    &server,
                    "data after STARTTLS before the TLS handshake",
                    &"refused",
                ));
            }
            let tls = handshake(upstream, tls, ca_file, plain.stream, &server).await?;
            let mut conn = boxed(Box::new(tls));
            let capabilities = conn.greeting().await?;
            Ok((conn, capabilities))
        }
    }
}

async fn handshake(
    upstream: &Upstream,
    tls: &Arc<rustls::ClientConfig>,
    ca_file: Option<&Path>,
    tcp: TcpStream,
    server: &str,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, SieveError> {
    let name = ServerName::try_from(upstream.host.clone())
        .map_err(|e| unreachable(server, "the host is not a valid TLS name", &e))?;
    let connecting = TlsConnector::from(tls.clone()).connect(name, tcp);
    tokio::time::timeout(CONNECT_TIMEOUT, connecting)
        .await
        .map_err(|_| unreachable(server, "TLS handshake timed out", &"no answer"))?
        .map_err(|e| {
            unreachable(
                server,
                "TLS failed",
                &crate::tls::handshake_failure(&server, &e, ca_file),
            )
        })
}

impl<S: Stream> Conn<S> {
    /// Sends one command (its bytes from [`wire::encode`]) and reads its whole answer.
    /// `NO` comes back as an answer for the caller to interpret; `BYE` means the server is
    /// gone ([`SieveError::Server`] with its words, or [`SieveError::Unreachable`] without).
    pub async fn command(&mut self, bytes: &[u8]) -> Result<Answer, SieveError> {
        if self.busy {
            return Err(SieveError::Unreachable);
        }
        self.busy = true;
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        let work = async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await?;
            Ok::<(), std::io::Error>(())
        };
        match tokio::time::timeout_at(deadline, work).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(unreachable(&self.server, "sending failed", &e)),
            Err(_) => {
                return Err(unreachable(
                    &self.server,
                    "sending timed out",
                    &"no progress",
                ))
            }
        }
        let answer = self.answer_by(deadline).await?;
        self.busy = false;
        Ok(answer)
    }

    /// Reads an answer nobody asked for with a command: the greeting.
    async fn greeting(&mut self) -> Result<Vec<Vec<Item>>, SieveError> {
        self.busy = true;
        let answer = self.answer_by(Instant::now() + COMMAND_TIMEOUT).await?;
        self.busy = false;
        match answer.done.status {
            Status::Ok => Ok(answer.data),
            _ => Err(bye(&answer.done)),
        }
    }

    /// Reads lines until a response ends the answer, all before `deadline`.
    async fn answer_by(&mut self, deadline: Instant) -> Result<Answer, SieveError> {
        let mut data = Vec::new();
        let mut budget = MAX_ANSWER;
        loop {
            match self.line(deadline, &mut budget).await? {
                Line::Data(items) => data.push(items),
                Line::Response(done) if done.status == Status::Bye => return Err(bye(&done)),
                Line::Response(done) => return Ok(Answer { data, done }),
            }
        }
    }

    /// Reads one line, reading from the socket only as much as the parser says it needs.
    async fn line(&mut self, deadline: Instant, budget: &mut usize) -> Result<Line, SieveError> {
        loop {
            let need = match wire::parse_line(&self.buf) {
                Ok(Parsed::Line(line, used)) => {
                    self.buf.drain(..used);
                    return Ok(line);
                }
                Ok(Parsed::Incomplete(need)) => need,
                Err(e) => {
                    tracing::warn!(server = %self.server, error = %e, "ManageSieve answer refused");
                    return Err(SieveError::Protocol);
                }
            };
            if need.saturating_sub(self.buf.len()) > *budget {
                tracing::warn!(server = %self.server, "ManageSieve answer over {MAX_ANSWER} bytes refused");
                return Err(SieveError::Protocol);
            }
            while self.buf.len() < need {
                let want = (need - self.buf.len()).max(READ_CHUNK);
                let start = self.buf.len();
                self.buf.resize(start + want, 0);
                let read =
                    tokio::time::timeout_at(deadline, self.stream.read(&mut self.buf[start..]))
                        .await;
                let n = match read {
                    Ok(Ok(n)) => n,
                    Ok(Err(e)) => {
                        self.buf.truncate(start);
                        return Err(unreachable(&self.server, "reading failed", &e));
                    }
                    Err(_) => {
                        self.buf.truncate(start);
                        return Err(unreachable(&self.server, "no answer in time", &"timed out"));
                    }
                };
                self.buf.truncate(start + n);
                if n == 0 {
                    return Err(unreachable(
                        &self.server,
                        "the server closed the connection",
                        &"end of stream",
                    ));
                }
                *budget = budget.saturating_sub(n);
            }
        }
    }

    /// Says LOGOUT and closes, without waiting long for either: the server may be gone.
    pub async fn logout(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            if !self.busy {
                let _ = self.command(&wire::encode("LOGOUT", &[])).await;
            }
            let _ = self.stream.shutdown().await;
        })
        .await;
    }
}

/// The error for a `BYE` (or a greeting that is not OK): the server's words when it gave
/// some.
fn bye(done: &Response) -> SieveError {
    match &done.text {
        Some(text) => SieveError::Server {
            message: super::error::clean_text(text),
        },
        None => SieveError::Unreachable,
    }
}
