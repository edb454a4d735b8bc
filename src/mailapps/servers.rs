//! The servers mail apps are told to use: their kinds, encryption and URLs, read from the
//! `apps_*` settings or taken from Carteiro's own upstreams. The documents built from them
//! live beside this file.

use crate::upstream::{HostPort, Security, Upstream};

/// An `apps_*` entry that cannot work, in the words an admin needs to fix it: which setting
/// and entry, what is wrong, then how to write one ([`Kind::help`]).
#[derive(Debug, thiserror::Error)]
pub enum AppsUrlError {
    /// The text does not parse as a URL; the parser's reason is the source.
    #[error("{} entry {text:?} is not a URL; {}", .kind.setting(), .kind.help())]
    NotAUrl {
        kind: Kind,
        text: String,
        #[source]
        source: url::ParseError,
    },
    #[error("{} entry {text:?}: scheme {scheme:?} is not understood; {}", .kind.setting(), .kind.help())]
    UnknownScheme {
        kind: Kind,
        text: String,
        scheme: String,
    },
    /// `?tls=none`: refused, because the app would send the password in the clear.
    #[error("{} entry {text:?} offers no encryption: mail apps would send passwords in the clear; {}", .kind.setting(), .kind.help())]
    NoEncryption { kind: Kind, text: String },
    /// A query, fragment, user, password or path: apps are told a server, nothing more.
    #[error("{} entry {text:?} must be just scheme, host and port; {}", .kind.setting(), .kind.help())]
    NotJustAServer { kind: Kind, text: String },
    #[error("{} entry {text:?} has no host; {}", .kind.setting(), .kind.help())]
    NoHost { kind: Kind, text: String },
}

/// A mail protocol an app may be told to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Imap,
    Pop3,
    Smtp,
}

impl Kind {
    /// The protocol's name as people read it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Imap => "IMAP",
            Kind::Pop3 => "POP3",
            Kind::Smtp => "SMTP",
        }
    }

    fn setting(self) -> &'static str {
        match self {
            Kind::Imap => "apps_imap",
            Kind::Pop3 => "apps_pop3",
            Kind::Smtp => "apps_smtp",
        }
    }

    /// How to write an entry of this kind's setting.
    fn help(self) -> String {
        let ((tls, tls_port), (plain, plain_port)) = self.schemes();
        format!(
            "write each {} server apps should use as {tls}://host:{tls_port} (TLS) or {plain}://host:{plain_port} (STARTTLS), several separated by commas, e.g. {}",
            self.label(),
            example(self)
        )
    }

    /// URL schemes for implicit TLS and STARTTLS, with their default ports.
    fn schemes(self) -> ((&'static str, u16), (&'static str, u16)) {
        match self {
            Kind::Imap => (("imaps", 993), ("imap", 143)),
            Kind::Pop3 => (("pop3s", 995), ("pop3", 110)),
            Kind::Smtp => (("smtps", 465), ("smtp", 587)),
        }
    }
}

/// How an app secures its connection. There is deliberately no unencrypted choice: an app
/// told to connect in the clear would send the password in the clear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encryption {
    /// TLS from the first byte (993, 995, 465).
    Tls,
    /// A plain connection upgraded with STARTTLS (143, 110, 587).
    StartTls,
}

impl Encryption {
    /// What the apps page calls it, in the words most mail apps use in their settings.
    pub fn label(self) -> &'static str {
        match self {
            Encryption::Tls => "SSL/TLS",
            Encryption::StartTls => "STARTTLS",
        }
    }
}

/// One server an app may connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub kind: Kind,
    pub host: String,
    pub port: u16,
    pub encryption: Encryption,
}

impl std::fmt::Display for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ((tls, _), (plain, _)) = self.kind.schemes();
        let scheme = match self.encryption {
            Encryption::Tls => tls,
            Encryption::StartTls => plain,
        };
        write!(f, "{scheme}://{}", HostPort(&self.host, self.port))
    }
}

/// The servers apps are told about, each list in the admin's order of preference.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MailApps {
    pub imap: Vec<Server>,
    pub pop3: Vec<Server>,
    pub smtp: Vec<Server>,
}

impl MailApps {
    /// Builds the settings from the three lists as configured (`None`: not set), falling
    /// back to Carteiro's own upstreams. Notes for the admin go to `warnings`.
    pub fn from_settings(
        imap: Option<&[String]>,
        pop3: Option<&[String]>,
        smtp: Option<&[String]>,
        upstream_imap: &Upstream,
        upstream_smtp: &Upstream,
        warnings: &mut Vec<String>,
    ) -> Result<MailApps, AppsUrlError> {
        let mut list = |kind: Kind, given: Option<&[String]>, fallback: Option<&Upstream>| match (
            given, fallback,
        ) {
            (Some(urls), _) => urls
                .iter()
                .map(|u| u.trim())
                .filter(|u| !u.is_empty())
                .map(|u| parse_server(kind, u))
                .collect(),
            (None, None) => Ok(Vec::new()),
            (None, Some(upstream)) => Ok(from_upstream(kind, upstream, warnings)
                .into_iter()
                .collect()),
        };
        Ok(MailApps {
            imap: list(Kind::Imap, imap, Some(upstream_imap))?,
            pop3: list(Kind::Pop3, pop3, None)?,
            smtp: list(Kind::Smtp, smtp, Some(upstream_smtp))?,
        })
    }

    /// Incoming servers in order of preference: IMAP before POP3, because an IMAP app sees
    /// the same folders as the webmail, and a POP3 app downloads the inbox.
    pub fn incoming(&self) -> impl Iterator<Item = &Server> {
        self.imap.iter().chain(&self.pop3)
    }

    /// Whether an app can be set up at all: something to read mail with and to send it.
    pub fn is_complete(&self) -> bool {
        self.incoming().next().is_some() && !self.smtp.is_empty()
    }
}

/// Carteiro's own upstream, offered to apps as it is; an unencrypted one is not offered.
fn from_upstream(kind: Kind, upstream: &Upstream, warnings: &mut Vec<String>) -> Option<Server> {
    let encryption = match upstream.security {
        Security::Tls => Encryption::Tls,
        Security::StartTls => Encryption::StartTls,
        Security::Plain => {
            let setting = kind.setting();
            warnings.push(format!(
                "{setting} is not set and Carteiro reaches {} without encryption, so mail apps are told no {} server; set CARTEIRO_{} to the address apps should use, e.g. {}",
                upstream,
                kind.label(),
                setting.to_ascii_uppercase(),
                example(kind),
            ));
            return None;
        }
    };
    Some(Server {
        kind,
        host: upstream.host.clone(),
        port: upstream.port,
        encryption,
    })
}

fn example(kind: Kind) -> &'static str {
    match kind {
        Kind::Imap => "imaps://mail.example.com:993,imap://mail.example.com:143",
        Kind::Pop3 => "pop3s://mail.example.com:995,pop3://mail.example.com:110",
        Kind::Smtp => "smtps://mail.example.com:465,smtp://mail.example.com:587",
    }
}

/// Parses one entry of an `apps_*` list, e.g. `imaps://mail.example.com:993`.
pub fn parse_server(kind: Kind, text: &str) -> Result<Server, AppsUrlError> {
    let ((tls, tls_port), (plain, plain_port)) = kind.schemes();
    let entry = || text.to_string();
    let url = url::Url::parse(text).map_err(|source| AppsUrlError::NotAUrl {
        kind,
        text: entry(),
        source,
    })?;
    let (encryption, default_port) = match url.scheme() {
        s if s == tls => (Encryption::Tls, tls_port),
        s if s == plain => (Encryption::StartTls, plain_port),
        other => {
            return Err(AppsUrlError::UnknownScheme {
                kind,
                text: entry(),
                scheme: other.to_string(),
            })
        }
    };
    if url.query().is_some_and(|q| q.contains("tls=none")) {
        return Err(AppsUrlError::NoEncryption {
            kind,
            text: entry(),
        });
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
        || !matches!(url.path(), "" | "/")
    {
        return Err(AppsUrlError::NotJustAServer {
            kind,
            text: entry(),
        });
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| AppsUrlError::NoHost {
            kind,
            text: entry(),
        })?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    Ok(Server {
        kind,
        host,
        port: url.port().unwrap_or(default_port),
        encryption,
    })
}

/// The domain part of an address (after the last `@`), if it has a non-empty one.
pub fn domain_of(address: &str) -> Option<&str> {
    address
        .rsplit_once('@')
        .map(|(_, domain)| domain.trim())
        .filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::{parse_imap_url, parse_smtp_url};

    fn list(text: &str) -> Vec<String> {
        text.split(',').map(str::to_string).collect()
    }

    #[test]
    fn configured_lists_keep_their_order_and_default_ports() {
        let imap = parse_imap_url("imap://dovecot:143").unwrap();
        let smtp = parse_smtp_url("smtp://postfix:587").unwrap();
        let mut warnings = Vec::new();
        let apps = MailApps::from_settings(
            Some(&list(
                "imaps://mail.example.com, imap://mail.example.com:1143",
            )),
            Some(&list("pop3s://mail.example.com,pop3://mail.example.com")),
            Some(&list("smtps://smtp.example.com")),
            &imap,
            &smtp,
            &mut warnings,
        )
        .unwrap();
        let urls = |servers: &[Server]| servers.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            urls(&apps.imap),
            [
                "imaps://mail.example.com:993",
                "imap://mail.example.com:1143"
            ]
        );
        assert_eq!(
            urls(&apps.pop3),
            [
                "pop3s://mail.example.com:995",
                "pop3://mail.example.com:110"
            ]
        );
        assert_eq!(urls(&apps.smtp), ["smtps://smtp.example.com:465"]);
        let v6 = parse_server(Kind::Imap, "imaps://[2001:db8::1]").unwrap();
        assert_eq!(v6.to_string(), "imaps://[2001:db8::1]:993");
        assert_eq!(apps.incoming().count(), 4);
        assert!(warnings.is_empty());
    }

    #[test]
    fn unset_lists_fall_back_to_the_upstreams_and_pop3_stays_off() {
        let imap = parse_imap_url("imaps://mail.example.com").unwrap();
        let smtp = parse_smtp_url("smtp://mail.example.com").unwrap();
        let mut warnings = Vec::new();
        let apps = MailApps::from_settings(None, None, None, &imap, &smtp, &mut warnings).unwrap();
        assert_eq!(apps.imap[0].to_string(), "imaps://mail.example.com:993");
        assert_eq!(apps.smtp[0].to_string(), "smtp://mail.example.com:587");
        assert_eq!(apps.smtp[0].encryption, Encryption::StartTls);
        assert!(apps.pop3.is_empty());
        assert!(apps.is_complete());
        assert!(warnings.is_empty());
    }

    #[test]
    fn an_unencrypted_upstream_is_not_offered_to_apps_and_the_admin_is_told() {
        let imap = parse_imap_url("imap://dovecot:143?tls=none").unwrap();
        let smtp = parse_smtp_url("smtp://postfix:587").unwrap();
        let mut warnings = Vec::new();
        let apps = MailApps::from_settings(None, None, None, &imap, &smtp, &mut warnings).unwrap();
        assert!(apps.imap.is_empty());
        assert!(!apps.is_complete());
        assert!(warnings[0].contains("CARTEIRO_APPS_IMAP"), "{warnings:?}");
    }

    #[test]
    fn wrong_entries_are_refused_with_a_hint() {
        for (kind, text, words) in [
            (
                Kind::Imap,
                "imap://mail.example.com?tls=none",
                "in the clear",
            ),
            (Kind::Imap, "pop3s://mail.example.com", "not understood"),
            (Kind::Pop3, "mail.example.com:995", "not understood"),
            (
                Kind::Smtp,
                "smtps://user:pw@mail.example.com",
                "just scheme",
            ),
            (Kind::Smtp, "smtp://mail.example.com/path", "just scheme"),
            (Kind::Imap, "imaps://", "imaps://host:993"),
        ] {
            let err = parse_server(kind, text).unwrap_err().to_string();
            assert!(err.contains(words), "{text}: {err}");
            assert!(err.starts_with(kind.setting()), "{text}: {err}");
        }
    }

    #[test]
    fn explicitly_empty_lists_offer_nothing() {
        let imap = parse_imap_url("imaps://mail.example.com").unwrap();
        let smtp = parse_smtp_url("smtps://mail.example.com").unwrap();
        let apps =
            MailApps::from_settings(Some(&list("")), None, None, &imap, &smtp, &mut Vec::new())
                .unwrap();
        assert!(apps.imap.is_empty());
        assert_eq!(domain_of("a@b@example.com "), Some("example.com"));
        assert_eq!(domain_of("nobody@"), None);
        assert_eq!(domain_of("nobody"), None);
    }
}
