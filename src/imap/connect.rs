//! Dialling the IMAP server: TCP, then TLS or STARTTLS, then authentication.
//!
//! Credentials go out only over TLS unless the admin wrote `?tls=none`. AUTHENTICATE PLAIN is
//! preferred because LOGIN sends the password as a quoted string, which cannot carry every
//! non-ASCII password; LOGIN is the fallback for servers without SASL PLAIN.

use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::Duration;

use async_imap::imap_proto::{Response, ResponseCode, Status};
use rustls::pki_types::ServerName;
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::cache::MailCache;
use super::capabilities::Capabilities;
use super::conn::ImapConn;
use super::error::ImapError;
use super::limit::{ConnectionLimit, Parking};
use super::stream::{BoxedStream, ImapStream};
use super::wire;
use crate::config::{Config, ConfigError};
use crate::metrics::Metrics;
use crate::upstream::{Security, Upstream};

/// How long dialling plus greeting plus authentication may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long to wait for a free slot under the global connection limit (when no idle
/// connection can be reclaimed) before the request is told the server is busy.
const PERMIT_WAIT: Duration = Duration::from_secs(5);

/// Opens authenticated IMAP connections to the configured server.
#[derive(Clone)]
pub struct Connector {
    upstream: Upstream,
    tls: TlsConnector,
    /// `tls_ca_file`, which a failed handshake's message takes into account.
    ca_file: Option<PathBuf>,
    /// One permit per open connection, all sessions together, and the idle connections
    /// that may be reclaimed.
    limit: Arc<ConnectionLimit>,
    /// A session's connection unused this long is logged out (see the actor).
    idle_timeout: Duration,
    /// Capabilities to ignore (admin setting for servers with a broken extension).
    disabled: Arc<[String]>,
    /// Where connections and their commands are counted and timed.
    metrics: Arc<Metrics>,
    /// Sorted orders and list rows shared by every connection of this process.
    cache: Arc<MailCache>,
    /// Whether the server's missing extensions were logged (once, at the first login:
    /// servers say their full capabilities only after authentication).
    fallbacks_logged: Arc<Once>,
}

impl Connector {
    pub fn new(config: &Config, metrics: Arc<Metrics>) -> Result<Connector, ConfigError> {
        let tls = crate::tls::client_config(config.tls_ca_file.as_deref(), config.tls_insecure)?;
        Ok(Connector {
            upstream: config.imap.clone(),
            tls: TlsConnector::from(Arc::new(tls)),
            ca_file: config.tls_ca_file.clone(),
            limit: ConnectionLimit::new(config.max_imap_connections),
            idle_timeout: config.imap_idle_timeout,
            disabled: config.imap_disabled_caps.clone().into(),
            metrics,
            cache: Arc::new(MailCache::default()),
            fallbacks_logged: Arc::new(Once::new()),
        })
    }

    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// The same connector dialling `upstream` instead: a mapped domain's IMAP server. The
    /// connection limit, TLS set-up and caches stay shared (with a map, logins are full
    /// addresses, so one login names one account whichever server holds it).
    pub fn with_upstream(&self, upstream: Upstream) -> Connector {
        Connector {
            upstream,
            ..self.clone()
        }
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    pub fn idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// A place in the queue of idle connections that logins may reclaim.
    pub fn parking(&self) -> Parking {
        Parking::new(self.limit.clone())
    }

    /// The caches every connection this connector opens shares.
    pub fn cache(&self) -> &Arc<MailCache> {
        &self.cache
    }

    /// Dials the server and reads its greeting, without logging in: the start-up check.
    pub async fn probe(&self) -> Result<Capabilities, ImapError> {
        let (_client, caps) = tokio::time::timeout(CONNECT_TIMEOUT, self.open())
            .await
            .map_err(|_| ImapError::Unavailable("timed out".into()))??;
        Ok(caps)
    }

    /// Opens a connection and authenticates as `username`.
    pub async fn login(
        &self,
        username: &str,
        password: &SecretString,
    ) -> Result<ImapConn, ImapError> {
        let permit = self.limit.acquire(PERMIT_WAIT).await?;
        let work = async {
            let (client, caps) = self.open().await?;
            let session = authenticate(client, &caps, username, password).await?;
            ImapConn::start(
                session,
                permit,
                &self.disabled,
                self.metrics.clone(),
                self.cache.clone(),
                username,
            )
            .await
        };
        let conn = tokio::time::timeout(CONNECT_TIMEOUT, work)
            .await
            .map_err(|_| ImapError::Unavailable("timed out while logging in".into()))??;
        self.fallbacks_logged
            .call_once(|| log_fallbacks(&self.upstream, conn.capabilities()));
        Ok(conn)
    }

    /// TCP + TLS/STARTTLS + greeting; returns the client and the pre-login capabilities.
    async fn open(&self) -> Result<(async_imap::Client<BoxedStream>, Capabilities), ImapError> {
        let addr = (self.upstream.host.as_str(), self.upstream.port);
        let tcp = TcpStream::connect(addr).await.map_err(|e| {
            ImapError::Unavailable(format!("cannot connect to {}: {e}", self.upstream))
        })?;
        let _ = tcp.set_nodelay(true);
        match self.upstream.security {
            Security::Tls => {
                let tls = self.handshake(tcp).await?;
                let mut client = async_imap::Client::new(Box::new(tls) as BoxedStream);
                let caps = read_greeting(&mut client).await?;
                Ok((client, caps))
            }
            Security::Plain => {
                let mut client = async_imap::Client::new(Box::new(tcp) as BoxedStream);
                let caps = read_greeting(&mut client).await?;
                Ok((client, caps))
            }
            Security::StartTls => {
                let mut client = async_imap::Client::new(tcp);
                read_greeting(&mut client).await?;
                client
                    .run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(|e| {
                        ImapError::Unavailable(format!(
                            "{} refused STARTTLS ({e}); use imaps:// or fix the server's TLS",
                            self.upstream
                        ))
                    })?;
                let tls = self.handshake(client.into_inner()).await?;
                let mut client = async_imap::Client::new(Box::new(tls) as BoxedStream);
                let caps = capabilities(&mut client).await?;
                Ok((client, caps))
            }
        }
    }

    async fn handshake(
        &self,
        tcp: TcpStream,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ImapError> {
        let name = ServerName::try_from(self.upstream.host.clone())
            .map_err(|_| ImapError::Unavailable(format!("bad host name {}", self.upstream.host)))?;
        self.tls.connect(name, tcp).await.map_err(|e| {
            ImapError::Unavailable(crate::tls::handshake_failure(
                &self.upstream,
                &e,
                self.ca_file.as_deref(),
            ))
        })
    }
}

/// One line saying which extensions the server lacks and what Carteiro does instead
/// ([`Capabilities::fallbacks`]), so an admin sees why this server is slower or different.
fn log_fallbacks(upstream: &Upstream, caps: &Capabilities) {
    let fallbacks = caps.fallbacks();
    if fallbacks.is_empty() {
        tracing::info!(%upstream, "IMAP server offers every extension Carteiro uses");
        return;
    }
    let lacks: Vec<&str> = fallbacks.iter().map(|(name, _)| *name).collect();
    let instead: Vec<String> = fallbacks
        .iter()
        .map(|(name, what)| format!("without {name} it {what}"))
        .collect();
    tracing::info!(
        %upstream,
        lacks = %lacks.join(" "),
        instead = %instead.join("; "),
        "IMAP server lacks extensions (or imap_disabled_caps turns them off): Carteiro falls back"
    );
}

/// Reads the server greeting; returns the capabilities it advertised, or asks for them.
async fn read_greeting<T: ImapStream>(
    client: &mut async_imap::Client<T>,
) -> Result<Capabilities, ImapError> {
    let greeting = client
        .read_response()
        .await
        .map_err(|e| ImapError::Unavailable(format!("no greeting: {e}")))?
        .ok_or_else(|| ImapError::Unavailable("connection closed before greeting".into()))?;
    let from_greeting = match greeting.parsed() {
        Response::Data {
            status: Status::Ok,
            outcome,
        } => match &outcome.code {
            Some(ResponseCode::Capabilities(caps)) => Some(Capabilities::from_proto(caps)),
            _ => None,
        },
        Response::Data {
            status: Status::Bye,
            ..
        } => return Err(ImapError::Unavailable("server said BYE".into())),
        _ => None,
    };
    match from_greeting {
        Some(caps) => Ok(caps),
        None => capabilities(client).await,
    }
}

/// Runs CAPABILITY on a not-yet-authenticated client.
async fn capabilities<T: ImapStream>(
    client: &mut async_imap::Client<T>,
) -> Result<Capabilities, ImapError> {
    use tokio::io::AsyncWriteExt;
    let broken = |e: std::io::Error| ImapError::Unavailable(format!("CAPABILITY failed: {e}"));
    // async-imap keeps tagging private before login, so this one command is written by hand
    // with a tag of our own; nothing else is buffered on the stream at this point.
    const TAG: &str = "C0";
    let stream = client.get_mut();
    stream
        .write_all(format!("{TAG} CAPABILITY\r\n").as_bytes())
        .await
        .map_err(broken)?;
    stream.flush().await.map_err(broken)?;
    let mut caps = Capabilities::default();
    let mut on_data = |r: &Response<'_>| {
        if let Response::Capabilities(list) = r {
            caps = Capabilities::from_proto(list);
        }
    };
    loop {
        let response = client
            .read_response()
            .await
            .map_err(broken)?
            .ok_or_else(|| ImapError::Unavailable("connection closed".into()))?;
        // A BYE here is followed by the server closing the connection: read on to that.
        if let wire::Step::Done(result) = wire::step(response.parsed(), TAG, &mut on_data) {
            return match result {
                Ok(()) => Ok(caps),
                Err(_) => Err(ImapError::Protocol("CAPABILITY refused".into())),
            };
        }
    }
}

/// SASL PLAIN: `\0user\0password`, base64-encoded by async-imap.
struct PlainAuth<'a> {
    username: &'a str,
    password: &'a SecretString,
}

impl async_imap::Authenticator for PlainAuth<'_> {
    type Response = Vec<u8>;
    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.push(0);
        out.extend_from_slice(self.username.as_bytes());
        out.push(0);
        out.extend_from_slice(self.password.expose_secret().as_bytes());
        out
    }
}

async fn authenticate(
    client: async_imap::Client<BoxedStream>,
    caps: &Capabilities,
    username: &str,
    password: &SecretString,
) -> Result<async_imap::Session<BoxedStream>, ImapError> {
    let result = if caps.has("AUTH=PLAIN") {
        client
            .authenticate("PLAIN", PlainAuth { username, password })
            .await
    } else if caps.has("LOGINDISABLED") {
        return Err(ImapError::Unavailable(
            "the server accepts neither AUTH=PLAIN nor LOGIN on this connection".into(),
        ));
    } else {
        client.login(username, password.expose_secret()).await
    };
    result.map_err(|(e, _client)| match e {
        async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_) => ImapError::AuthFailed,
        // A password with CR/LF can never be valid: treat it as a wrong password.
        async_imap::error::Error::Validate(_) => ImapError::AuthFailed,
        other => ImapError::Unavailable(format!("login failed: {other}")),
    })
}
