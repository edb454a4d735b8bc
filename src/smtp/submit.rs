//! SMTP submission with the session's own credentials, one connection per message.
//!
//! The low-level lettre connection is used rather than its pooled transport: pooled
//! transports do not recover from server-closed connections, and the server's `SIZE` limit
//! must be read from EHLO before a single byte of the message is sent.

use std::sync::Arc;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::commands::Ehlo;
use lettre::transport::smtp::extension::ClientId;
use secrecy::{ExposeSecret, SecretString};
use tokio_rustls::TlsConnector;

use crate::config::{Config, ConfigError};
use crate::metrics::Metrics;
use crate::upstream::Upstream;

/// How long connecting, or any one SMTP exchange, may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why a message was not sent, in words the person can act on.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SendError {
    /// The message is larger than this server or Carteiro accepts (limit in bytes).
    #[error("the message is too large ({size} bytes; the limit is {limit} bytes)")]
    TooLarge { size: usize, limit: usize },
    /// The server refused the login.
    #[error("the mail server refused the login: {0}")]
    AuthFailed(String),
    /// The server refused a recipient or the message; its reason follows.
    #[error("the mail server refused the message: {0}")]
    Refused(String),
    /// The server would not let this login send as `address` (Postfix's
    /// `smtpd_sender_login_maps`, and the like); its reason follows.
    #[error("the mail server refused the sender {address}: {words}")]
    SenderRefused { address: String, words: String },
    /// The server could not be reached or broke off.
    #[error("the mail server for sending cannot be reached: {0}")]
    Unavailable(String),
}

/// Submits messages to the configured SMTP server.
#[derive(Clone)]
pub struct Submitter {
    upstream: Upstream,
    /// The TLS set-up every upstream shares ([`crate::tls::client_config`]).
    tls: TlsConnector,
    /// `tls_ca_file`, which a failed handshake's message takes into account.
    ca_file: Option<std::path::PathBuf>,
    /// Carteiro's own limit on a message's size, in bytes.
    pub max_size: usize,
    /// Counts submissions by outcome.
    metrics: Arc<Metrics>,
}

impl Submitter {
    pub fn new(config: &Config, metrics: Arc<Metrics>) -> Result<Submitter, ConfigError> {
        let tls = crate::tls::client_config(config.tls_ca_file.as_deref(), config.tls_insecure)?;
        Ok(Submitter {
            upstream: config.smtp.clone(),
            tls: TlsConnector::from(Arc::new(tls)),
            ca_file: config.tls_ca_file.clone(),
            max_size: config.max_message_size,
            metrics,
        })
    }

    /// The same submitter sending through `upstream` instead: a mapped domain's server.
    pub fn with_upstream(&self, upstream: Upstream) -> Submitter {
        Submitter {
            upstream,
            ..self.clone()
        }
    }

    /// The server messages are submitted to.
    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// Sends `message` to the envelope's recipients, logging in as `username`.
    pub async fn send(
        &self,
        username: &str,
        password: &SecretString,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), SendError> {
        let result = self.submit(username, password, envelope, message).await;
        self.metrics.smtp_send(match &result {
            Ok(()) => "sent",
            Err(SendError::TooLarge { .. }) => "too_large",
            Err(SendError::AuthFailed(_)) => "auth_failed",
            Err(SendError::Refused(_)) => "refused",
            Err(SendError::SenderRefused { .. }) => "sender_refused",
            Err(SendError::Unavailable(_)) => "unavailable",
        });
        result
    }

    async fn submit(
        &self,
        username: &str,
        password: &SecretString,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), SendError> {
        if message.len() > self.max_size {
            return Err(SendError::TooLarge {
                size: message.len(),
                limit: self.max_size,
            });
        }
        let hello = ClientId::default();
        let mut conn = super::dial::connect(
            &self.upstream,
            &self.tls,
            self.ca_file.as_deref(),
            &hello,
            TIMEOUT,
        )
        .await
        .map_err(SendError::Unavailable)?;
        let result = self
            .transact(&mut conn, &hello, username, password, envelope, message)
            .await;
        if result.is_ok() {
            let _ = conn.quit().await;
        } else {
            conn.abort().await;
        }
        result
    }

    async fn transact(
        &self,
        conn: &mut AsyncSmtpConnection,
        hello: &ClientId,
        username: &str,
        password: &SecretString,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<(), SendError> {
        // lettre keeps no SIZE from EHLO, so ask again and read it ourselves.
        let ehlo = conn
            .command(Ehlo::new(hello.clone()))
            .await
            .map_err(|e| SendError::Unavailable(e.to_string()))?;
        if let Some(limit) = size_limit(ehlo.message()) {
            if message.len() > limit {
                return Err(SendError::TooLarge {
                    size: message.len(),
                    limit,
                });
            }
        }
        let credentials =
            Credentials::new(username.to_string(), password.expose_secret().to_string());
        conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
            .await
            .map_err(|e| SendError::AuthFailed(server_words(&e)))?;
        conn.send(envelope, message).await.map_err(|e| {
            if e.is_permanent() || e.is_transient() {
                let words = server_words(&e);
                if e.status().is_some_and(|c| c.to_string() == "552") {
                    SendError::TooLarge {
                        size: message.len(),
                        limit: self.max_size.min(message.len()),
                    }
                } else if let Some(sender) = envelope.from().filter(|_| about_sender(&words)) {
                    SendError::SenderRefused {
                        address: sender.to_string(),
                        words,
                    }
                } else {
                    SendError::Refused(words)
                }
            } else {
                SendError::Unavailable(e.to_string())
            }
        })?;
        Ok(())
    }
}

/// The server's own sentence from an SMTP error ("5.1.1 <x@y>: Recipient address rejected").
fn server_words(e: &lettre::transport::smtp::Error) -> String {
    let text = e.to_string();
    let words = match text.split_once("): ") {
        Some((_, rest)) => rest.to_string(),
        None => text,
    };
    words
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect()
}

/// Whether a refusal is about the sender rather than a recipient or the message. Servers
/// refuse a sender after RCPT TO as often as after MAIL FROM (Postfix delays its rejections
/// by default), so the reply code cannot tell; the words can: Postfix says "Sender address
/// rejected", Exim "sender verify failed", and RFC 3463's 5.1.7/5.1.8 are the sender's.
fn about_sender(words: &str) -> bool {
    let lower = words.to_ascii_lowercase();
    (lower.contains("sender") && !lower.contains("recipient"))
        || lower.contains("5.1.7")
        || lower.contains("5.1.8")
}

/// `SIZE 52428800` from EHLO lines; `SIZE` alone or `SIZE 0` means no announced limit.
pub fn size_limit<'a>(lines: impl Iterator<Item = &'a str>) -> Option<usize> {
    lines
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            words
                .next()
                .filter(|w| w.eq_ignore_ascii_case("SIZE"))
                .and_then(|_| words.next())
                .and_then(|n| n.parse::<usize>().ok())
        })
        .find(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_of_the_sender_are_told_from_the_others() {
        assert!(about_sender(
            "5.7.1 <owned@example.test>: Sender address rejected: not owned by user ana"
        ));
        assert!(about_sender("5.1.8 Bad sender's system address"));
        assert!(!about_sender(
            "5.1.1 <x@example.test>: Recipient address rejected: mailbox unavailable"
        ));
        assert!(!about_sender("5.7.1 Message rejected as spam"));
    }

    #[test]
    fn size_is_read_from_ehlo_lines() {
        let lines = [
            "mail.example.test",
            "PIPELINING",
            "SIZE 52428800",
            "8BITMIME",
        ];
        assert_eq!(size_limit(lines.into_iter()), Some(52_428_800));
        assert_eq!(size_limit(["SIZE", "8BITMIME"].into_iter()), None);
        assert_eq!(size_limit(["SIZE 0"].into_iter()), None);
    }
}
