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

/// Which protocol an upstream speaks. Each brings its own table of URL schemes
/// ([`Protocol::schemes`]), so a new protocol is a variant and a table, not a new parser.
///
/// CardDAV is the one protocol whose URL has a path (the address book, with the login in
/// it): its scheme table is here like the others', and [`CardDavUrl`] keeps the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Imap,
    Smtp,
    /// ManageSieve (RFC 5804), for server-side filters.
    Sieve,
    /// CardDAV (RFC 6352), where the address book is kept when the admin names one.
    CardDav,
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

/// One way to write an upstream URL: its scheme, the security that scheme means, and the
/// port used when the URL names none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheme {
    pub name: &'static str,
    pub security: Security,
    pub default_port: u16,
}

impl Scheme {
    const fn new(name: &'static str, security: Security, default_port: u16) -> Scheme {
        Scheme {
            name,
            security,
            default_port,
        }
    }
}

impl Protocol {
    /// The protocol's name as admins read it in messages.
    pub fn label(self) -> &'static str {
        match self {
            Protocol::Imap => "IMAP",
            Protocol::Smtp => "SMTP",
            Protocol::Sieve => "ManageSieve",
            Protocol::CardDav => "CardDAV",
        }
    }

    /// The server an upstream of this protocol is, as the help text names it.
    fn server(self) -> &'static str {
        match self {
            Protocol::Imap => "IMAP server",
            Protocol::Smtp => "SMTP submission server",
            Protocol::Sieve => "ManageSieve server",
            Protocol::CardDav => "CardDAV address book",
        }
    }

    /// What follows `host:port` in the help's examples: only CardDAV URLs have a path.
    fn example_path(self) -> &'static str {
        match self {
            Protocol::CardDav => "/%u/contacts/",
            _ => "",
        }
    }

    /// The URL schemes this protocol accepts. For each security, the first scheme that
    /// offers it is the one URLs are written back with, and the one the help shows.
    pub fn schemes(self) -> &'static [Scheme] {
        use Security::{StartTls, Tls};
        const IMAP: &[Scheme] = &[
            Scheme::new("imaps", Tls, 993),
            Scheme::new("imap", StartTls, 143),
        ];
        const SMTP: &[Scheme] = &[
            Scheme::new("smtps", Tls, 465),
            Scheme::new("smtp", StartTls, 587),
            Scheme::new("submission", StartTls, 587),
        ];
        // RFC 5804 defines only `sieve://` on port 4190, secured with STARTTLS; there is no
        // registered implicit-TLS scheme or port, and inventing `sieves://` would accept
        // URLs no other client understands.
        const SIEVE: &[Scheme] = &[Scheme::new("sieve", StartTls, 4190)];
        // HTTP has no STARTTLS: `http://` is plain, which the admin writes on purpose.
        const CARDDAV: &[Scheme] = &[
            Scheme::new("https", Tls, 443),
            Scheme::new("http", Security::Plain, 80),
        ];
        match self {
            Protocol::Imap => IMAP,
            Protocol::Smtp => SMTP,
            Protocol::Sieve => SIEVE,
            Protocol::CardDav => CARDDAV,
        }
    }

    /// The scheme URLs with `security` are written with, if this protocol has one.
    fn canonical(self, security: Security) -> Option<&'static Scheme> {
        self.schemes().iter().find(|s| s.security == security)
    }

    /// How to write this protocol's URLs, built from [`Protocol::schemes`] so the help
    /// never names a scheme the parser refuses, nor leaves one out.
    pub fn help(self) -> String {
        let mut ways: Vec<String> = [Security::Tls, Security::StartTls, Security::Plain]
            .into_iter()
            .filter_map(|security| self.canonical(security))
            .map(|s| {
                format!(
                    "{}://host:{}{} ({})",
                    s.name,
                    s.default_port,
                    self.example_path(),
                    s.security.label()
                )
            })
            .collect();
        if self.canonical(Security::Plain).is_none() {
            if let Some(s) = self.canonical(Security::StartTls) {
                ways.push(format!(
                    "{}://host:{}?tls=none (no encryption)",
                    s.name, s.default_port
                ));
            }
        }
        let ways = match ways.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        let note = match self {
            Protocol::CardDav => ", where %u stands for the login",
            _ => "",
        };
        format!("write the {} as {ways}{note}", self.server())
    }
}

impl Security {
    /// What the help text calls it.
    fn label(self) -> &'static str {
        match self {
            Security::Tls => "TLS",
            Security::StartTls => "STARTTLS",
            Security::Plain => "no encryption",
        }
    }
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A protocol without a plain scheme of its own writes "no encryption" as its
        // STARTTLS scheme with `?tls=none`, which is how the parser reads it back.
        let (scheme, suffix) = match self.protocol.canonical(self.security) {
            Some(s) => (s.name, ""),
            None => match self.protocol.canonical(Security::StartTls) {
                Some(s) => (s.name, "?tls=none"),
                None => (self.protocol.schemes()[0].name, ""),
            },
        };
        write!(f, "{scheme}://{}{suffix}", HostPort(&self.host, self.port))
    }
}

/// `host:port` as it is written in a URL: an IPv6 address goes in brackets (`[::1]:993`),
/// or the port could not be told from the address.
pub struct HostPort<'a>(pub &'a str, pub u16);

impl std::fmt::Display for HostPort<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let HostPort(host, port) = *self;
        if host.contains(':') {
            write!(f, "[{host}]:{port}")
        } else {
            write!(f, "{host}:{port}")
        }
    }
}

/// An upstream URL that cannot work, in the words an admin needs to fix it: what is wrong,
/// then how to write the URL ([`Protocol::help`]).
#[derive(Debug, thiserror::Error)]
pub enum UpstreamUrlError {
    /// The text does not parse as a URL; the parser's reason is the source.
    #[error("{} URL {text:?} is not a URL; {}", .protocol.label(), .protocol.help())]
    NotAUrl {
        protocol: Protocol,
        text: String,
        #[source]
        source: url::ParseError,
    },
    #[error("{} URL {text:?} has no host; {}", .protocol.label(), .protocol.help())]
    NoHost { protocol: Protocol, text: String },
    /// The scheme is none of [`Protocol::schemes`].
    #[error("{} URL scheme {scheme:?} is not understood; {}", .protocol.label(), .protocol.help())]
    UnknownScheme { protocol: Protocol, scheme: String },
    /// A query option other than `tls=none` or `tls=starttls` on a STARTTLS scheme.
    #[error("{} URL option {key}={value} is not understood; {}", .protocol.label(), .protocol.help())]
    UnknownOption {
        protocol: Protocol,
        key: String,
        value: String,
    },
    #[error("{} URL {text:?} must not have a path; {}", .protocol.label(), .protocol.help())]
    HasPath { protocol: Protocol, text: String },
    /// A CardDAV URL that cannot name each person's address book; `reason` says why.
    #[error("{} URL {text:?} {reason}; {}", Protocol::CardDav.label(), Protocol::CardDav.help())]
    NotATemplate { text: String, reason: &'static str },
}

/// Parses `imaps://host[:993]`, `imap://host[:143]` (STARTTLS) or `imap://host?tls=none`.
pub fn parse_imap_url(text: &str) -> Result<Upstream, UpstreamUrlError> {
    Upstream::parse(Protocol::Imap, text)
}

/// Parses `smtps://host[:465]`, `smtp://host[:587]` (STARTTLS) or `smtp://host?tls=none`.
pub fn parse_smtp_url(text: &str) -> Result<Upstream, UpstreamUrlError> {
    Upstream::parse(Protocol::Smtp, text)
}

impl Upstream {
    /// Parses the URL of a `protocol` server written with one of [`Protocol::schemes`];
    /// `?tls=none` turns a STARTTLS scheme into no encryption.
    pub fn parse(protocol: Protocol, text: &str) -> Result<Upstream, UpstreamUrlError> {
        let url = url::Url::parse(text).map_err(|source| UpstreamUrlError::NotAUrl {
            protocol,
            text: text.to_string(),
            source,
        })?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| UpstreamUrlError::NoHost {
                protocol,
                text: text.to_string(),
            })?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let scheme = protocol
            .schemes()
            .iter()
            .find(|s| s.name == url.scheme())
            .ok_or_else(|| UpstreamUrlError::UnknownScheme {
                protocol,
                scheme: url.scheme().to_string(),
            })?;
        let mut security = scheme.security;
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref(), security) {
                ("tls", "none", Security::StartTls) => security = Security::Plain,
                ("tls", "starttls", Security::StartTls) => {}
                _ => {
                    return Err(UpstreamUrlError::UnknownOption {
                        protocol,
                        key: key.into_owned(),
                        value: value.into_owned(),
                    })
                }
            }
        }
        if !url.path().is_empty() && url.path() != "/" {
            return Err(UpstreamUrlError::HasPath {
                protocol,
                text: text.to_string(),
            });
        }
        Ok(Upstream {
            protocol,
            host,
            port: url.port().unwrap_or(scheme.default_port),
            security,
        })
    }
}

/// Where the login goes in a CardDAV URL, as the admin writes it.
const LOGIN: &str = "%u";
/// What stands for the login while the URL is parsed: `%u` is not valid percent-encoding,
/// and letters pass through the URL parser untouched wherever they are.
const LOGIN_MARK: &str = "carteirologinmark";
/// Left as they are when the login is put into the path: RFC 3986 unreserved characters,
/// the set servers such as Radicale write their own hrefs with (Python's `quote`), so the
/// path Carteiro asks for reads the same as the hrefs the server answers with.
const LOGIN_KEEPS: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'~')
    .remove(b'.');

/// Every person's address book on a CardDAV server: a URL with `%u` where the login goes,
/// such as `https://dav.example.com/%u/contacts/`. Always a collection (ends with `/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardDavUrl {
    upstream: Upstream,
    /// The URL with [`LOGIN_MARK`] in the path where the login goes.
    url: url::Url,
}

/// Parses a CardDAV address-book URL template: `http(s)://host[:port]/path/with/%u/`.
/// `%u` must be in the path, where it is replaced by the percent-encoded login; the URL
/// carries no user, password, query or fragment (the person's own credentials are used).
pub fn parse_carddav_url(text: &str) -> Result<CardDavUrl, UpstreamUrlError> {
    let protocol = Protocol::CardDav;
    let refuse = |reason| UpstreamUrlError::NotATemplate {
        text: text.to_string(),
        reason,
    };
    if text.contains(LOGIN_MARK) {
        return Err(refuse("holds a reserved word"));
    }
    let mut url = url::Url::parse(&text.replace(LOGIN, LOGIN_MARK)).map_err(|source| {
        UpstreamUrlError::NotAUrl {
            protocol,
            text: text.to_string(),
            source,
        }
    })?;
    let scheme = protocol
        .schemes()
        .iter()
        .find(|s| s.name == url.scheme())
        .ok_or_else(|| UpstreamUrlError::UnknownScheme {
            protocol,
            scheme: url.scheme().to_string(),
        })?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| UpstreamUrlError::NoHost {
            protocol,
            text: text.to_string(),
        })?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    if host.contains(LOGIN_MARK) {
        return Err(refuse("has %u in its host; put it in the path"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            "must not carry a user or password: each person's own login is used",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("must not have a query or fragment"));
    }
    if !url.path().contains(LOGIN_MARK) {
        return Err(refuse(
            "has no %u in its path, so every person would share one address book",
        ));
    }
    if !url.path().ends_with('/') {
        // The address book is a collection: cards are named relative to it.
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(CardDavUrl {
        upstream: Upstream {
            protocol,
            port: url.port().unwrap_or(scheme.default_port),
            host,
            security: scheme.security,
        },
        url,
    })
}

impl CardDavUrl {
    /// The server, its port and whether it is reached over TLS.
    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// The address book of `login`, which is percent-encoded into the path. `None` for a
    /// login that cannot be a path segment (empty, `.` or `..`).
    pub fn for_login(&self, login: &str) -> Option<url::Url> {
        if login.is_empty() || login == "." || login == ".." {
            return None;
        }
        let login = percent_encoding::utf8_percent_encode(login, LOGIN_KEEPS).to_string();
        let mut url = self.url.clone();
        url.set_path(&self.url.path().replace(LOGIN_MARK, &login));
        Some(url)
    }
}

impl std::fmt::Display for CardDavUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url.as_str().replace(LOGIN_MARK, LOGIN))
    }
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

    #[test]
    fn the_help_names_every_way_to_write_a_url() {
        // The words admins read today, now built from the scheme tables.
        assert_eq!(
            Protocol::Imap.help(),
            "write the IMAP server as imaps://host:993 (TLS), imap://host:143 (STARTTLS) or imap://host:143?tls=none (no encryption)"
        );
        assert_eq!(
            Protocol::Smtp.help(),
            "write the SMTP submission server as smtps://host:465 (TLS), smtp://host:587 (STARTTLS) or smtp://host:587?tls=none (no encryption)"
        );
        let err = parse_imap_url("pop3://mail.example.com")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"pop3\" is not understood; write the IMAP server as imaps://"),
            "{err}"
        );
    }

    #[test]
    fn urls_are_written_back_the_way_they_parse() {
        for (protocol, text) in [
            (Protocol::Imap, "imaps://mail.example.com:993"),
            (Protocol::Imap, "imap://127.0.0.1:1143?tls=none"),
            (Protocol::Smtp, "smtp://mail.example.com:2525"),
            (Protocol::Smtp, "smtp://[::1]:587"),
            (Protocol::Sieve, "sieve://mail.example.com:4190"),
            (Protocol::Sieve, "sieve://mail.example.com:4190?tls=none"),
        ] {
            let upstream = Upstream::parse(protocol, text).unwrap();
            let again = Upstream::parse(protocol, &upstream.to_string()).unwrap();
            assert_eq!(again, upstream, "{text}");
        }
        let submission = parse_smtp_url("submission://mail.example.com").unwrap();
        assert_eq!(submission.to_string(), "smtp://mail.example.com:587");
        let v6 = parse_imap_url("imaps://[2001:db8::1]").unwrap();
        assert_eq!(
            v6.host, "2001:db8::1",
            "the host is the address, to dial it"
        );
        assert_eq!(v6.to_string(), "imaps://[2001:db8::1]:993");
    }

    #[test]
    fn managesieve_is_starttls_on_4190_and_has_no_implicit_tls_scheme() {
        let u = Upstream::parse(Protocol::Sieve, "sieve://mail.example.com").unwrap();
        assert_eq!((u.port, u.security), (4190, Security::StartTls));
        let err = Upstream::parse(Protocol::Sieve, "sieves://mail.example.com")
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("write the ManageSieve server as sieve://host:4190 (STARTTLS) or sieve://host:4190?tls=none (no encryption)"),
            "{err}"
        );
    }

    #[test]
    fn an_unparsable_url_keeps_the_parsers_reason_as_its_source() {
        use std::error::Error;
        let err = parse_imap_url("imaps://mail.example.com:99999").unwrap_err();
        assert!(matches!(err, UpstreamUrlError::NotAUrl { .. }), "{err:?}");
        assert_eq!(
            err.source().map(|cause| cause.to_string()).as_deref(),
            Some("invalid port number")
        );
        assert!(err.to_string().starts_with("IMAP URL \"imaps://mail.example.com:99999\" is not a URL; write the IMAP server as imaps://host:993 (TLS)"), "{err}");
        let err = parse_smtp_url("smtp://mail.example.com?tls=maybe").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("SMTP URL option tls=maybe is not understood; "),
            "{err}"
        );
    }

    #[test]
    fn a_carddav_url_puts_the_encoded_login_in_its_path() {
        let t = parse_carddav_url("https://dav.example.com/%u/contacts").unwrap();
        assert_eq!(t.to_string(), "https://dav.example.com/%u/contacts/");
        assert_eq!(
            (t.upstream().port, t.upstream().security),
            (443, Security::Tls)
        );
        assert_eq!(
            t.for_login("joão@example.com/x").unwrap().as_str(),
            "https://dav.example.com/jo%C3%A3o%40example.com%2Fx/contacts/"
        );
        let plain = parse_carddav_url("http://[::1]:5232/dav/%u/").unwrap();
        assert_eq!(
            (plain.upstream().host.as_str(), plain.upstream().port),
            ("::1", 5232)
        );
        assert_eq!(plain.upstream().security, Security::Plain);
        assert_eq!(
            plain.for_login("ana").unwrap().as_str(),
            "http://[::1]:5232/dav/ana/"
        );
        for login in ["", ".", ".."] {
            assert_eq!(plain.for_login(login), None, "{login:?}");
        }
    }

    #[test]
    fn a_carddav_url_that_cannot_name_each_persons_book_says_how_to_write_one() {
        for (text, says) in [
            ("https://dav.example.com/contacts/", "has no %u in its path"),
            ("https://%u.example.com/contacts/", "has %u in its host"),
            ("https://me:pw@dav.example.com/%u/", "must not carry a user"),
            ("https://dav.example.com/%u/?x=1", "must not have a query"),
            ("ftp://dav.example.com/%u/", "\"ftp\" is not understood"),
            ("dav.example.com/%u/", "is not a URL"),
        ] {
            let err = parse_carddav_url(text).unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
            assert!(
                err.ends_with("write the CardDAV address book as https://host:443/%u/contacts/ (TLS) or http://host:80/%u/contacts/ (no encryption), where %u stands for the login"),
                "{err}"
            );
        }
    }
}
