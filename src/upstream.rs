//! The upstream servers Carteiro dials, written as URLs (`imaps://mail.example.com:993`)
//! because that is how admins already think of them: which protocol, which host and port,
//! and how the connection is secured.
//!
//! A leaf: it imports nothing of the crate, so the configuration, the connectors and the
//! mail-apps documents can all use it without depending on each other.

/// How to reach an upstream server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstream {
    pub protocol: Protocol,
    pub host: String,
    pub port: u16,
    pub security: Security,
}

/// Which mail protocol an upstream speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Imap,
    Smtp,
}

/// Transport security towards an upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (`imaps://`, port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS before any credential is sent (`imap://`).
    StartTls,
    /// No encryption at all; only when the URL says `?tls=none`.
    Plain,
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (plain, tls) = match self.protocol {
            Protocol::Imap => ("imap", "imaps"),
            Protocol::Smtp => ("smtp", "smtps"),
        };
        let (scheme, suffix) = match self.security {
            Security::Tls => (tls, ""),
            Security::StartTls => (plain, ""),
            Security::Plain => (plain, "?tls=none"),
        };
        write!(f, "{scheme}://{}:{}{suffix}", self.host, self.port)
    }
}

/// An upstream URL that cannot work, with the words an admin needs to fix it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UpstreamUrlError(pub String);

/// Parses `imaps://host[:993]`, `imap://host[:143]` (STARTTLS) or `imap://host?tls=none`.
pub fn parse_imap_url(text: &str) -> Result<Upstream, UpstreamUrlError> {
    parse_upstream(
        text,
        Protocol::Imap,
        "write the IMAP server as imaps://host:993 (TLS), imap://host:143 (STARTTLS) or imap://host:143?tls=none (no encryption)",
    )
}

/// Parses `smtps://host[:465]`, `smtp://host[:587]` (STARTTLS) or `smtp://host?tls=none`.
pub fn parse_smtp_url(text: &str) -> Result<Upstream, UpstreamUrlError> {
    parse_upstream(
        text,
        Protocol::Smtp,
        "write the SMTP submission server as smtps://host:465 (TLS), smtp://host:587 (STARTTLS) or smtp://host:587?tls=none (no encryption)",
    )
}

fn parse_upstream(
    text: &str,
    protocol: Protocol,
    help: &str,
) -> Result<Upstream, UpstreamUrlError> {
    let what = match protocol {
        Protocol::Imap => "IMAP",
        Protocol::Smtp => "SMTP",
    };
    let url = url::Url::parse(text)
        .map_err(|e| UpstreamUrlError(format!("{what} URL {text:?} is not a URL ({e}); {help}")))?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| UpstreamUrlError(format!("{what} URL {text:?} has no host; {help}")))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let (mut security, default_port) = match (protocol, url.scheme()) {
        (Protocol::Imap, "imaps") => (Security::Tls, 993),
        (Protocol::Imap, "imap") => (Security::StartTls, 143),
        (Protocol::Smtp, "smtps") => (Security::Tls, 465),
        (Protocol::Smtp, "smtp" | "submission") => (Security::StartTls, 587),
        (_, other) => {
            return Err(UpstreamUrlError(format!(
                "{what} URL scheme {other:?} is not understood; {help}"
            )))
        }
    };
    for (key, value) in url.query_pairs() {
        match (key.as_ref(), value.as_ref(), security) {
            ("tls", "none", Security::StartTls) => security = Security::Plain,
            ("tls", "starttls", Security::StartTls) => {}
            _ => {
                return Err(UpstreamUrlError(format!(
                    "{what} URL option {key}={value} is not understood; {help}"
                )))
            }
        }
    }
    if !url.path().is_empty() && url.path() != "/" {
        return Err(UpstreamUrlError(format!(
            "{what} URL {text:?} must not have a path; {help}"
        )));
    }
    Ok(Upstream {
        protocol,
        host,
        port: url.port().unwrap_or(default_port),
        security,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imap_urls_choose_security_and_default_ports() {
        let u = parse_imap_url("imaps://mail.example.com").unwrap();
        assert_eq!((u.port, u.security), (993, Security::Tls));
        let u = parse_imap_url("imap://mail.example.com").unwrap();
        assert_eq!((u.port, u.security), (143, Security::StartTls));
        let u = parse_imap_url("imap://127.0.0.1:1143?tls=none").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.security),
            ("127.0.0.1", 1143, Security::Plain)
        );
        assert!(parse_imap_url("imaps://h?tls=none").is_err());
        assert!(parse_imap_url("http://h").is_err());
        assert!(parse_imap_url("mail.example.com:993").is_err());
        let s = parse_smtp_url("smtps://mail.example.com").unwrap();
        assert_eq!((s.port, s.security), (465, Security::Tls));
        let s = parse_smtp_url("smtp://mail.example.com").unwrap();
        assert_eq!((s.port, s.security), (587, Security::StartTls));
        assert_eq!(s.to_string(), "smtp://mail.example.com:587");
        assert!(parse_smtp_url("imap://mail.example.com").is_err());
    }
}
