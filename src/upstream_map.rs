//! Many domains, one instance: how the domain of a login picks its IMAP, SMTP and
//! ManageSieve servers (`upstream_map`), and which hosts those may be (`upstream_allow`).
//!
//! Two ways to map, both set by the admin:
//! - a template: `imap_url = "imaps://mail.%d"`, where `%d` is the login's domain;
//! - a TOML file of domains (`[domains."example.com"] imap = "imaps://…"`), read again when
//!   its modification time or length changes, so an edit needs no restart.
//!
//! The domain comes from whoever types into the login form, so it is hostile until proven
//! otherwise: it must be a plain DNS name (IDN becomes punycode; `/`, `@`, `:`, `%`, spaces
//! and overlong names are refused before anything is expanded), and a template's expansion
//! must land on a host of the allow-list. When the list names networks, a host that is not
//! listed by name is resolved and every address must lie in them. Without that check, a
//! template would let anyone make Carteiro dial any machine (SSRF).
//!
//! A leaf but for [`crate::upstream`]: the configuration, the session manager and the login
//! page use it without depending on each other.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use ipnet::IpNet;
use serde::Deserialize;

use crate::brand::{Look, Looks};
use crate::upstream::{Protocol, Upstream, UpstreamUrlError};

/// Where the domain goes in a template URL.
const DOMAIN: &str = "%d";
/// A domain no template check can be confused by, to validate templates at start-up.
const PROBE_DOMAIN: &str = "example.com";
/// How long resolving a host to check its addresses may take.
const LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// A map file larger than this is refused rather than read into memory.
const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// The servers one login uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upstreams {
    pub imap: Upstream,
    pub smtp: Upstream,
    /// `None` when this domain has no ManageSieve server (the filter pages say so).
    pub sieve: Option<Upstream>,
}

impl Upstreams {
    /// One line, for a session record: the URLs separated by spaces (a URL holds none).
    pub fn encode(&self) -> String {
        let mut line = format!("{} {}", self.imap, self.smtp);
        if let Some(sieve) = &self.sieve {
            line.push(' ');
            line.push_str(&sieve.to_string());
        }
        line
    }

    /// Reads [`Upstreams::encode`]'s line back.
    pub fn decode(line: &str) -> Option<Upstreams> {
        let mut urls = line.split(' ');
        let imap = Upstream::parse(Protocol::Imap, urls.next()?).ok()?;
        let smtp = Upstream::parse(Protocol::Smtp, urls.next()?).ok()?;
        let sieve = match urls.next() {
            Some(text) => Some(Upstream::parse(Protocol::Sieve, text).ok()?),
            None => None,
        };
        Some(Upstreams { imap, smtp, sieve })
    }
}

/// Why a login's domain has no servers.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MapError {
    /// The text is not a plain domain name (it holds `/`, `@`, `:`, `%`, spaces, or is too
    /// long): nothing is expanded from it.
    #[error("{0:?} is not a domain name")]
    BadDomain(String),
    /// No entry of the map file names the domain.
    #[error("no servers are configured for {0}")]
    Unknown(String),
    /// The template's expansion names a host the allow-list does not allow.
    #[error("{host} (for {domain}) is not in upstream_allow")]
    NotAllowed { domain: String, host: String },
}

/// A host or network the admin allows Carteiro to dial for a mapped domain.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Allow {
    /// Exactly this host name (lower case, ASCII) or IP address.
    Host(String),
    /// `*.example.net`: any name under it (not `example.net` itself), stored as `.example.net`.
    Suffix(String),
    /// An address range: IP hosts in it, and names whose every address is in one.
    Net(IpNet),
}

/// The allow-list, `upstream_allow`: `mail.example.net`, `*.hosting.example` or `10.0.0.0/8`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowList(Vec<Allow>);

impl AllowList {
    /// Reads the entries; the error is the entry that is none of the three forms.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<AllowList, String> {
        let mut list = Vec::new();
        for entry in entries {
            let text = entry.as_ref().trim().to_ascii_lowercase();
            if text.is_empty() {
                continue;
            }
            if let Ok(net) = text.parse::<IpNet>() {
                list.push(Allow::Net(net));
            } else if let Ok(ip) = text.parse::<IpAddr>() {
                list.push(Allow::Net(IpNet::from(ip)));
            } else if let Some(rest) = text.strip_prefix("*.") {
                let name = clean_domain(rest).map_err(|_| text.clone())?;
                list.push(Allow::Suffix(format!(".{name}")));
            } else if is_single_label(&text) {
                // `localhost` or a LAN name such as `mailhost`: an admin's own words, which a
                // login's domain (always dotted) can never be.
                list.push(Allow::Host(text));
            } else {
                list.push(Allow::Host(clean_domain(&text).map_err(|_| text.clone())?));
            }
        }
        Ok(AllowList(list))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `host` is allowed by its name alone (or, for an IP address, by a network).
    fn allows_name(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.allows_addr(ip);
        }
        self.0.iter().any(|a| match a {
            Allow::Host(h) => *h == host,
            Allow::Suffix(s) => host.ends_with(s.as_str()),
            Allow::Net(_) => false,
        })
    }

    fn allows_addr(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|a| match a {
            Allow::Net(net) => net.contains(&ip),
            Allow::Host(h) => h.parse::<IpAddr>() == Ok(ip),
            Allow::Suffix(_) => false,
        })
    }

    fn has_networks(&self) -> bool {
        self.0.iter().any(|a| matches!(a, Allow::Net(_)))
    }

    /// Whether Carteiro may dial `host`: listed by name, or (when the list names networks)
    /// every address it resolves to lies in one. A name that does not resolve is refused.
    ///
    /// The addresses are checked here and resolved again when dialled; a DNS answer that
    /// changes in between (rebinding) is the residual risk, which listing hosts by name
    /// rather than by network avoids.
    pub async fn allows(&self, host: &str) -> bool {
        self.allows_by(host, |host| async move {
            match tokio::net::lookup_host((host.as_str(), 0)).await {
                Ok(addrs) => addrs.map(|a| a.ip()).collect(),
                Err(_) => Vec::new(),
            }
        })
        .await
    }

    /// [`AllowList::allows`] with the addresses of a name looked up by `lookup`: the
    /// resolver that will be used to connect, so the check and the connection agree.
    pub async fn allows_by<F, Fut>(&self, host: &str, lookup: F) -> bool
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = Vec<IpAddr>>,
    {
        if self.allows_name(host) {
            return true;
        }
        if !self.has_networks() || host.parse::<IpAddr>().is_ok() {
            return false;
        }
        // Bounded: a name whose DNS never answers refuses the login instead of holding it.
        match tokio::time::timeout(LOOKUP_TIMEOUT, lookup(host.to_string())).await {
            Ok(addrs) => !addrs.is_empty() && addrs.into_iter().all(|ip| self.allows_addr(ip)),
            Err(_) => false,
        }
    }
}

/// One DNS label of letters, digits and inner hyphens (a host name without a dot).
fn is_single_label(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 63
        && !text.starts_with('-')
        && !text.ends_with('-')
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !text.bytes().all(|b| b.is_ascii_digit())
}

/// A login's domain in the one form it is compared and expanded in: lower-case ASCII, IDN as
/// punycode. Only letters, digits, `-` and `.` are accepted, checked before IDNA so that
/// percent-escapes, `@`, `/`, `:` or spaces can never reach a URL.
pub fn clean_domain(text: &str) -> Result<String, MapError> {
    let bad = || MapError::BadDomain(text.chars().take(80).collect());
    let text = text.trim().trim_end_matches('.');
    // Checked on the text as typed too, so a huge input costs nothing to refuse.
    if text.is_empty() || text.len() > 253 * 4 {
        return Err(bad());
    }
    if !text
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
    {
        return Err(bad());
    }
    let ascii = idna::domain_to_ascii(text).map_err(|_| bad())?;
    let plausible = ascii.len() <= 253
        && ascii.contains('.')
        && ascii
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'))
        && ascii
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        // A dotted number is an address, not a domain: `%d` must not become an IP.
        && ascii.parse::<IpAddr>().is_err()
        && !ascii.rsplit('.').next().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()));
    if plausible {
        Ok(ascii.to_ascii_lowercase())
    } else {
        Err(bad())
    }
}

/// A URL with `%d` where the domain goes, such as `imaps://mail.%d`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    protocol: Protocol,
    text: String,
}

impl Template {
    /// Checks the template by expanding it for an example domain; `%d` may appear only in
    /// the host, so a domain cannot move into the port or the options.
    pub fn parse(protocol: Protocol, text: &str) -> Result<Template, UpstreamUrlError> {
        let template = Template {
            protocol,
            text: text.trim().to_string(),
        };
        let probe = template.expand_unchecked(PROBE_DOMAIN)?;
        if !probe.host.contains(PROBE_DOMAIN)
            || template.text.matches(DOMAIN).count() != 1
            || template
                .text
                .replace(DOMAIN, PROBE_DOMAIN)
                .matches(PROBE_DOMAIN)
                .count()
                != 1
        {
            return Err(UpstreamUrlError::NoHost {
                protocol,
                text: format!("{} (%d must appear once, in the host)", template.text),
            });
        }
        Ok(template)
    }

    /// Whether the text is a template at all (holds `%d`).
    pub fn is_template(text: &str) -> bool {
        text.contains(DOMAIN)
    }

    fn expand_unchecked(&self, domain: &str) -> Result<Upstream, UpstreamUrlError> {
        Upstream::parse(self.protocol, &self.text.replace(DOMAIN, domain))
    }

    /// The template expanded for `example.com`: a well-formed upstream that stands for the
    /// template where one server is expected (never dialled).
    pub fn example(&self) -> Upstream {
        self.expand_unchecked(PROBE_DOMAIN)
            .expect("checked by Template::parse")
    }

    /// The upstream for `domain`, which must already be clean ([`clean_domain`]).
    pub fn expand(&self, domain: &str) -> Option<Upstream> {
        self.expand_unchecked(domain).ok()
    }
}

impl std::fmt::Display for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// One domain's entry in the map file, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    imap: String,
    smtp: String,
    managesieve: Option<String>,
    /// The look ([`crate::brand`]): checked when read, a refused part is logged and left out.
    product_name: Option<String>,
    accent: Option<String>,
    logo: Option<PathBuf>,
    /// Web host names whose login page shows this domain's look.
    #[serde(default)]
    hosts: Vec<String>,
}

/// The map file, as written: `[domains."example.com"]` tables.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    #[serde(default)]
    domains: HashMap<String, FileEntry>,
    /// The default look, for domains without their own and for unlisted web hosts.
    product_name: Option<String>,
    accent: Option<String>,
    logo: Option<PathBuf>,
}

/// Reads and checks a map file: every domain clean, every URL valid.
pub fn read_map_file(path: &Path) -> Result<HashMap<String, Upstreams>, String> {
    read_map(path).map(|(map, _)| map)
}

/// Reads a map file's servers and looks. A broken URL refuses the file; a hostile look
/// only loses its part (logged), so one customer's typo in a colour locks nobody out.
pub fn read_map(path: &Path) -> Result<(HashMap<String, Upstreams>, Looks), String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if size > MAX_FILE_SIZE {
        return Err(format!(
            "{} is larger than {MAX_FILE_SIZE} bytes",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let shape: FileShape =
        toml::from_str(&text).map_err(|e| format!("{} is not valid: {e}", path.display()))?;
    let mut map = HashMap::new();
    let mut looks = Looks {
        default: Look::read(
            "default",
            shape.product_name.as_deref(),
            shape.accent.as_deref(),
            shape.logo.as_deref(),
        ),
        ..Looks::default()
    };
    for (domain, entry) in shape.domains {
        let clean = clean_domain(&domain).map_err(|e| format!("{}: {e}", path.display()))?;
        let url = |protocol, text: &str| {
            Upstream::parse(protocol, text)
                .map_err(|e| format!("{} domain {domain}: {e}", path.display()))
        };
        let upstreams = Upstreams {
            imap: url(Protocol::Imap, &entry.imap)?,
            smtp: url(Protocol::Smtp, &entry.smtp)?,
            sieve: match entry.managesieve.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => Some(url(Protocol::Sieve, text)?),
            },
        };
        let look = Look::read(
            &clean,
            entry.product_name.as_deref(),
            entry.accent.as_deref(),
            entry.logo.as_deref(),
        );
        if look != Look::default() {
            looks.domains.insert(clean.clone(), look);
        }
        for host in &entry.hosts {
            match clean_domain(host) {
                Ok(host) => {
                    looks.hosts.insert(host, clean.clone());
                }
                Err(e) => tracing::warn!(domain = %clean, error = %e, "hosts entry refused"),
            }
        }
        map.insert(clean, upstreams);
    }
    Ok((map, looks))
}

/// The file's identity: it is read again when either changes.
type Stamp = (Option<SystemTime>, u64);
/// Every domain of a map file and its servers.
type Domains = Arc<HashMap<String, Upstreams>>;

/// What one reading of the file gave.
#[derive(Debug)]
struct Loaded {
    stamp: Option<Stamp>,
    domains: Domains,
    looks: Arc<Looks>,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok(), meta.len()))
}

/// A map file and what was last read from it.
#[derive(Debug)]
pub struct MapFile {
    path: PathBuf,
    loaded: Mutex<Loaded>,
}

impl MapFile {
    /// Reads the file once, so a broken one stops Carteiro at start-up.
    pub fn open(path: PathBuf) -> Result<MapFile, String> {
        let stamp = stamp(&path);
        let (map, looks) = read_map(&path)?;
        Ok(MapFile {
            path,
            loaded: Mutex::new(Loaded {
                stamp,
                domains: Arc::new(map),
                looks: Arc::new(looks),
            }),
        })
    }

    /// The current looks, read again with the servers when the file changed.
    pub fn looks(&self) -> Arc<Looks> {
        self.reload().looks.clone()
    }

    /// The current map: read again when the file changed. One `stat` per login is the
    /// cost; a broken edit keeps the last good map (and says so in the log), so a typo
    /// does not lock every domain out.
    pub fn current(&self) -> Domains {
        self.reload().domains.clone()
    }

    fn reload(&self) -> std::sync::MutexGuard<'_, Loaded> {
        let now = stamp(&self.path);
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if now != loaded.stamp {
            match read_map(&self.path) {
                Ok((map, looks)) => {
                    tracing::info!(file = %self.path.display(), domains = map.len(), "upstream map read again");
                    *loaded = Loaded {
                        stamp: now,
                        domains: Arc::new(map),
                        looks: Arc::new(looks),
                    };
                }
                Err(e) => {
                    tracing::warn!(error = %e, "upstream map not read again; the previous one stays");
                    loaded.stamp = now;
                }
            }
        }
        loaded
    }
}

/// How logins' domains find their servers (`upstream_map`).
#[derive(Debug)]
pub enum Mapping {
    /// `upstream_map = "template"`: the `%d` URLs of `imap_url`, `smtp_url` and
    /// `managesieve_url`.
    Template {
        imap: Template,
        smtp: Template,
        sieve: Option<Template>,
    },
    /// `upstream_map = "/path/to/domains.toml"`.
    File(MapFile),
    /// `upstream_map = "discover"`: only what each domain publishes ([`discovery`]).
    Discover,
}

/// The mapping and its allow-list.
#[derive(Debug)]
pub struct UpstreamMap {
    pub mapping: Mapping,
    /// Applied to template expansions. Entries of the map file are the admin's own words
    /// and are not filtered again, unless the list is set: then they must pass it too.
    pub allow: AllowList,
    /// `upstream_discovery` (or `upstream_map = "discover"`): SRV records and autoconfig.
    pub discovery: Option<discovery::Discovery>,
}

impl UpstreamMap {
    /// The map file's looks; a template maps no looks (the default Carteiro look).
    pub fn looks(&self) -> Option<Arc<Looks>> {
        match &self.mapping {
            Mapping::File(file) => Some(file.looks()),
            Mapping::Template { .. } | Mapping::Discover => None,
        }
    }

    /// The servers of `domain` (as typed: it is cleaned here), or why there are none.
    /// Precedence: the map file's entry, then what the domain publishes (with
    /// `upstream_discovery`), then the template.
    pub async fn resolve(&self, domain: &str) -> Result<Upstreams, MapError> {
        let domain = clean_domain(domain)?;
        let listed = match &self.mapping {
            Mapping::File(file) => file.current().get(&domain).cloned(),
            _ => None,
        };
        let discovered = match (&listed, &self.discovery) {
            (None, Some(discovery)) => {
                let allowed = |host: String| {
                    Box::pin(async move {
                        self.allow
                            .allows_by(&host, |h| discovery.addresses(h))
                            .await
                    }) as Pin<Box<dyn Future<Output = bool> + Send + '_>>
                };
                discovery
                    .discover(&domain, &allowed)
                    .await
                    .map(|found| Upstreams {
                        imap: found.imap,
                        smtp: found.smtp,
                        sieve: found.sieve,
                    })
            }
            _ => None,
        };
        let from_file = listed.is_some();
        let upstreams = match (listed, discovered, &self.mapping) {
            (Some(upstreams), _, _) | (None, Some(upstreams), _) => upstreams,
            (None, None, Mapping::Template { imap, smtp, sieve }) => {
                let bad = || MapError::BadDomain(domain.clone());
                Upstreams {
                    imap: imap.expand(&domain).ok_or_else(bad)?,
                    smtp: smtp.expand(&domain).ok_or_else(bad)?,
                    sieve: match sieve {
                        Some(t) => Some(t.expand(&domain).ok_or_else(bad)?),
                        None => None,
                    },
                }
            }
            (None, None, _) => return Err(MapError::Unknown(domain.clone())),
        };
        // The admin's own file entries are trusted as written unless the list is set;
        // template expansions and discovered servers always pass it.
        let checked = !from_file || !self.allow.is_empty();
        if checked {
            let hosts = [
                Some(&upstreams.imap),
                Some(&upstreams.smtp),
                upstreams.sieve.as_ref(),
            ];
            for upstream in hosts.into_iter().flatten() {
                if !self.allow.allows(&upstream.host).await {
                    return Err(MapError::NotAllowed {
                        domain,
                        host: upstream.host.clone(),
                    });
                }
            }
        }
        Ok(upstreams)
    }
}

pub mod discovery;

#[cfg(test)]
mod tests;
