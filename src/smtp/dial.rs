//! Opening the connection to the submission server with Carteiro's own TLS set-up
//! ([`crate::tls::client_config`]), the one IMAP, ManageSieve and CardDAV use, so that
//! `tls_ca_file` means the same for every server: a CA that signs the server's certificate,
//! or exactly the server's certificate, pinned.
//!
//! lettre takes only root certificates, and webpki refuses a self-signed certificate made by
//! `openssl req -x509` (it says CA:TRUE) as a server's own however it is trusted, so such a
//! submission server could not be used. Here the TLS stream is made by tokio-rustls and handed
//! to lettre ([`AsyncSmtpConnection::connect_with_transport`]), which then speaks SMTP over
//! it. For STARTTLS (port 587) the few lines before the handshake are spoken here: greeting,
//! `EHLO`, `STARTTLS`. lettre always reads a greeting first, so the server's own greeting line
//! is given to it again at the start of the TLS stream ([`Replayed`]); it then sends `EHLO`
//! over TLS, as RFC 3207 asks.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream};
use lettre::transport::smtp::extension::ClientId;
use rustls::pki_types::ServerName;
use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf,
};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use crate::upstream::{Security, Upstream};

/// A reply line longer than this, or a reply of more lines, is not a submission server's.
const MAX_LINE: usize = 4096;
const MAX_LINES: usize = 64;

/// Connects to `upstream` as its URL says (implicit TLS, STARTTLS or plain) and reads the
/// greeting and the answer to `EHLO`. The error is a sentence for the admin's log and the
/// person's "cannot be reached" page.
pub async fn connect(
    upstream: &Upstream,
    tls: &TlsConnector,
    ca_file: Option<&std::path::Path>,
    hello: &ClientId,
    timeout: Duration,
) -> Result<AsyncSmtpConnection, String> {
    let work = async {
        let addr = (upstream.host.as_str(), upstream.port);
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {upstream}: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn AsyncTokioStream> = match upstream.security {
            Security::Plain => Box::new(tcp),
            Security::Tls => Box::new(Smtps(handshake(upstream, tls, ca_file, tcp).await?)),
            Security::StartTls => {
                let (greeting, tcp) = starttls(upstream, tcp, hello).await?;
                let tls = handshake(upstream, tls, ca_file, tcp).await?;
                Box::new(Replayed::new(greeting, tls))
            }
        };
        AsyncSmtpConnection::connect_with_transport(stream, hello)
            .await
            .map_err(|e| format!("{upstream} ({e})"))
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| format!("{upstream} did not answer in time"))?
}

async fn handshake(
    upstream: &Upstream,
    tls: &TlsConnector,
    ca_file: Option<&std::path::Path>,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, String> {
    let name = ServerName::try_from(upstream.host.clone())
        .map_err(|_| format!("bad host name {}", upstream.host))?;
    tls.connect(name, tcp)
        .await
        .map_err(|e| crate::tls::handshake_failure(upstream, &e, ca_file))
}

/// The plain-text part of STARTTLS: reads the greeting, says `EHLO`, checks that `STARTTLS`
/// is offered and asks for it. Returns the greeting (to replay) and the bare TCP stream.
async fn starttls(
    upstream: &Upstream,
    tcp: TcpStream,
    hello: &ClientId,
) -> Result<(Vec<u8>, TcpStream), String> {
    let mut reader = BufReader::new(tcp);
    let greeting = read_reply(&mut reader, upstream, "220").await?;
    reader
        .get_mut()
        .write_all(format!("EHLO {hello}\r\n").as_bytes())
        .await
        .map_err(|e| format!("{upstream} broke off: {e}"))?;
    let ehlo = read_reply(&mut reader, upstream, "250").await?;
    let offered = String::from_utf8_lossy(&ehlo).lines().any(|line| {
        line.get(4..)
            .is_some_and(|rest| rest.trim().eq_ignore_ascii_case("STARTTLS"))
    });
    if !offered {
        return Err(format!(
            "{upstream} does not offer STARTTLS; use smtps:// (port 465) or fix the server's TLS"
        ));
    }
    reader
        .get_mut()
        .write_all(b"STARTTLS\r\n")
        .await
        .map_err(|e| format!("{upstream} broke off: {e}"))?;
    read_reply(&mut reader, upstream, "220").await?;
    // Anything the server sent after its "220" came in clear text and would be read as if
    // it came over TLS (the STARTTLS injection of CVE-2011-0411): refuse it.
    if !reader.buffer().is_empty() {
        return Err(format!(
            "{upstream} sent data after agreeing to STARTTLS; refused as a possible injection"
        ));
    }
    Ok((greeting, reader.into_inner()))
}

/// One SMTP reply (`250-…` lines up to `250 …`), bounded, which must carry `code`.
async fn read_reply(
    reader: &mut BufReader<TcpStream>,
    upstream: &Upstream,
    code: &str,
) -> Result<Vec<u8>, String> {
    let mut reply = Vec::new();
    for _ in 0..MAX_LINES {
        let mut line = Vec::new();
        let read = (&mut *reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| format!("{upstream} broke off: {e}"))?;
        if read == 0 {
            return Err(format!("{upstream} closed the connection"));
        }
        if !line.ends_with(b"\n") {
            return Err(format!("{upstream} sent an overlong line"));
        }
        reply.extend_from_slice(&line);
        if !line.starts_with(code.as_bytes()) {
            let words: String = String::from_utf8_lossy(&line)
                .chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect();
            return Err(format!("{upstream} answered \"{words}\""));
        }
        if line.get(3) != Some(&b'-') {
            return Ok(reply);
        }
    }
    Err(format!("{upstream} sent an overlong reply"))
}

/// Implicit TLS, as lettre's stream trait wants it.
#[derive(Debug)]
struct Smtps(TlsStream<TcpStream>);

impl AsyncTokioStream for Smtps {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for Smtps {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Smtps {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// The TLS stream after STARTTLS, read first from the server's greeting (already received in
/// clear text), so lettre, which always begins by reading a greeting, starts where it should.
#[derive(Debug)]
struct Replayed {
    greeting: Vec<u8>,
    /// How much of `greeting` has been read.
    offset: usize,
    inner: TlsStream<TcpStream>,
}

impl Replayed {
    fn new(greeting: Vec<u8>, inner: TlsStream<TcpStream>) -> Replayed {
        Replayed {
            greeting,
            offset: 0,
            inner,
        }
    }
}

impl AsyncTokioStream for Replayed {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.get_ref().0.peer_addr()
    }
}

impl AsyncRead for Replayed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        if this.offset < this.greeting.len() {
            let rest = &this.greeting[this.offset..];
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.offset += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Replayed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A hostile server on loopback that answers the STARTTLS dialogue with `replies`, one
    /// per line Carteiro sends (the first before anything is sent).
    async fn hostile_server(replies: &'static [&'static str]) -> Upstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let mut socket = BufReader::new(socket);
            for (i, reply) in replies.iter().enumerate() {
                if i > 0 {
                    let mut line = String::new();
                    socket.read_line(&mut line).await.unwrap();
                }
                socket.get_mut().write_all(reply.as_bytes()).await.unwrap();
            }
            // Hold the connection until the client gives up.
            let mut rest = Vec::new();
            let _ = socket.read_to_end(&mut rest).await;
        });
        crate::upstream::parse_smtp_url(&format!("smtp://127.0.0.1:{port}")).unwrap()
    }

    async fn plain_part(upstream: &Upstream) -> Result<(Vec<u8>, TcpStream), String> {
        let tcp = TcpStream::connect((upstream.host.as_str(), upstream.port))
            .await
            .unwrap();
        starttls(upstream, tcp, &ClientId::Domain("carteiro.test".into())).await
    }

    #[tokio::test]
    async fn clear_text_sent_after_the_starttls_go_ahead_is_refused() {
        let upstream = hostile_server(&[
            "220 mx ESMTP\r\n",
            "250-mx\r\n250 STARTTLS\r\n",
            "220 go ahead\r\n250 injected before TLS\r\n",
        ])
        .await;
        let refused = plain_part(&upstream).await.unwrap_err();
        assert!(refused.contains("possible injection"), "{refused}");
    }

    #[tokio::test]
    async fn a_server_without_starttls_is_named_and_not_used_in_clear() {
        let upstream = hostile_server(&["220 mx ESMTP\r\n", "250-mx\r\n250 AUTH PLAIN\r\n"]).await;
        let refused = plain_part(&upstream).await.unwrap_err();
        assert!(refused.contains("does not offer STARTTLS"), "{refused}");
    }

    #[tokio::test]
    async fn the_greeting_is_kept_to_be_replayed_after_the_handshake() {
        let upstream = hostile_server(&[
            "220-mx ESMTP\r\n220 welcome\r\n",
            "250-mx\r\n250-SIZE 10\r\n250 starttls\r\n",
            "220 go ahead\r\n",
        ])
        .await;
        let (greeting, _) = plain_part(&upstream).await.unwrap();
        assert_eq!(greeting, b"220-mx ESMTP\r\n220 welcome\r\n");
    }
}
