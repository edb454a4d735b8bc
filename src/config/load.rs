//! The validated configuration, and how it is assembled from the file, the environment and
//! the defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{SecretSlice, SecretString};

use super::error::ConfigError;
use super::parse::{
    is_loopback, normalize_base_path, parse_duration, parse_listen, parse_network, parse_size,
    redact,
};
use super::password::{password_settings, PasswordBackend};
use super::secrets::{decode_secret, load_or_create_secret};
use super::sources::{config_file, read_file};
use crate::mail::identity::policy::{clean_domain, Policy};
use crate::upstream::{
    parse_carddav_url, parse_imap_url, parse_smtp_url, CardDavUrl, Protocol, Security, Upstream,
};

/// Everything Carteiro needs to run, after parsing and validation.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Address of the separate listener that serves `/metrics`; none means no metrics
    /// endpoint at all. Never the public listener (see [`crate::metrics::router`]).
    pub metrics_listen: Option<SocketAddr>,
    /// Path prefix when served under a sub-path (`/webmail`), empty at the root.
    pub base_path: String,
    /// The IMAP server every account lives on.
    pub imap: Upstream,
    /// The SMTP submission server, used with the same credentials.
    pub smtp: Upstream,
    /// Each person's address book on a CardDAV server (`%u` is the login), reached with
    /// the person's own credentials; `None` keeps contacts in a private IMAP folder.
    pub carddav: Option<CardDavUrl>,
    /// The ManageSieve server (RFC 5804) where each person's Sieve filters and vacation
    /// reply are kept, reached with the person's own credentials; `None` hides the filter
    /// pages.
    pub managesieve: Option<Upstream>,
    /// Largest message Carteiro sends, in bytes (the server's own SIZE limit also applies).
    pub max_message_size: usize,
    /// APPEND a copy of every sent message to the Sent folder (off for servers that file
    /// sent mail themselves).
    pub save_sent: bool,
    /// Extra trust anchor (PEM) for the upstream TLS certificates, besides the web PKI roots.
    pub tls_ca_file: Option<PathBuf>,
    /// Skip verifying the upstream certificates (explicit opt-in, warned about at start-up).
    pub tls_insecure: bool,
    /// Key material for server-side secrets (store keys); at least 32 bytes. Secret: its
    /// `Debug` prints nothing of it.
    pub secret_key: SecretSlice<u8>,
    /// Where generated state (the secret key, when none is configured) is kept.
    pub data_dir: PathBuf,
    /// A session unused for this long is logged out, on the server and at IMAP.
    pub session_idle_timeout: Duration,
    /// A session this old ends even if it is in use: the reader signs in again.
    pub session_max_age: Duration,
    /// A client must send its request head, and each piece of its body, within this time.
    pub client_timeout: Duration,
    /// How often an open page asks the IMAP server whether new mail arrived (live updates).
    pub live_updates_every: Duration,
    /// Redis server sharing sessions and login limits between instances (`redis://host:6379`);
    /// `None` keeps them in this process.
    /// Secret, because the URL may carry the Redis password; see [`super::redact`] to name
    /// it in a message.
    pub redis_url: Option<SecretString>,
    /// Reverse proxies whose `X-Forwarded-*`/`Forwarded` headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Mark the session cookie `Secure` (set when Carteiro is served over HTTPS).
    pub secure_cookies: bool,
    /// Upper bound of IMAP connections open at once, all sessions together.
    pub max_imap_connections: usize,
    /// A session's IMAP connection unused for this long is logged out; the session stays,
    /// and its next request reconnects.
    pub imap_idle_timeout: Duration,
    /// IMAP extensions to ignore although the server announces them (for servers whose
    /// implementation of one is broken), upper-case, e.g. `SORT`.
    pub imap_disabled_caps: Vec<String>,
    /// The IMAP, POP3 and SMTP servers mail apps are told to use (the apps page and the
    /// automatic-configuration documents): public names, which may differ from `imap`/`smtp`.
    pub mail_apps: crate::mailapps::MailApps,
    /// The domain that makes a bare login (`joao`) an address (`joao@example.com`); `None`
    /// when logins are addresses, or a bare login states its own in Settings.
    pub mail_domain: Option<String>,
    /// Which addresses people may send as: only the login's, any at its domain, or any.
    pub identities: Policy,
    /// Where a password change is made (a program, or the panel's HTTP API); `None` leaves
    /// password changes to another place, and the Settings page does not offer one.
    pub password_backend: Option<PasswordBackend>,
    /// The fewest characters a new password may have.
    pub password_min_length: usize,
    /// How a login's domain picks its servers (`upstream_map`); `None` for the one
    /// upstream of `imap_url`, `smtp_url` and `managesieve_url`. When set, those three hold
    /// no server of their own (they are templates, or unused), and nothing is dialled at
    /// start-up: each login dials its domain's servers.
    pub upstream_map: Option<std::sync::Arc<crate::upstream_map::UpstreamMap>>,
}

/// The duration `setting` is set to, or `default`; `examples` show how to write one.
fn duration(
    setting: &'static str,
    text: Option<String>,
    default: Duration,
    examples: &str,
) -> Result<Duration, ConfigError> {
    let Some(text) = text else {
        return Ok(default);
    };
    // Never zero: parse_duration refuses it, which also keeps `live_updates_every` from
    // polling in a busy loop.
    parse_duration(&text).ok_or_else(|| {
        ConfigError::invalid(
            setting,
            format!("{text:?} is not a duration such as {examples}"),
        )
    })
}

/// Where Carteiro listens unless told otherwise: loopback, behind a reverse proxy.
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Config {
    /// Reads the file named by `CARTEIRO_CONFIG` (if any) and the environment.
    ///
    /// Returns the configuration and warnings to log once tracing is up (unknown variables).
    pub fn from_env() -> Result<(Config, Vec<String>), ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        let file = config_file(&vars);
        Self::load(file.as_deref(), &vars)
    }

    /// Only where the server listens (`listen` and `base_path`), from the same file and
    /// variables: what `carteiro healthcheck` needs. Unlike [`Config::from_env`] it touches
    /// nothing (no secret key is generated) and checks no other setting.
    pub fn listen_from_env() -> Result<(SocketAddr, String), ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        let file = config_file(&vars);
        Self::listen_from(file.as_deref(), &vars)
    }

    /// [`Config::listen_from_env`] from an optional file and a list of environment variables.
    pub fn listen_from(
        file: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<(SocketAddr, String), ConfigError> {
        let mut raw = read_file(file)?;
        for (var, text) in env {
            // Only `listen` and `base_path` are used; a variable of another setting that
            // does not parse must not make a healthy server look unhealthy.
            let _ = raw.set_from_env(var, text);
        }
        Ok((
            parse_listen(raw.listen.as_deref().unwrap_or(DEFAULT_LISTEN))?,
            normalize_base_path(raw.base_path.as_deref().unwrap_or(""))?,
        ))
    }

    /// Builds a configuration from an optional file and a list of environment variables.
    pub fn load(
        file: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<(Config, Vec<String>), ConfigError> {
        let mut raw = read_file(file)?;
        let mut warnings = Vec::new();
        raw.apply_env(env, &mut warnings)?;

        let listen = parse_listen(raw.listen.as_deref().unwrap_or(DEFAULT_LISTEN))?;
        let metrics_listen = match raw.metrics_listen.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let addr: SocketAddr = text.parse().map_err(|_| {
                    ConfigError::invalid(
                        "metrics_listen",
                        format!("{text:?} is not an IP:port such as 127.0.0.1:9090"),
                    )
                })?;
                // Port 0 (any free port, as the tests ask) never collides.
                if addr == listen && addr.port() != 0 {
                    return Err(ConfigError::invalid(
                        "metrics_listen",
                        format!("{addr} is the same as listen: metrics need their own address (such as 127.0.0.1:9090), so they are not served to the public"),
                    ));
                }
                Some(addr)
            }
        };
        let base_path = normalize_base_path(raw.base_path.as_deref().unwrap_or(""))?;
        let upstream_map = super::mapping::upstream_map(
            raw.upstream_map.as_deref(),
            raw.upstream_allow.as_deref().unwrap_or_default(),
            &super::mapping::UrlTexts {
                imap: raw.imap_url.as_deref(),
                smtp: raw.smtp_url.as_deref(),
                sieve: raw.managesieve_url.as_deref(),
            },
            &super::mapping::DiscoveryTexts {
                on: raw.upstream_discovery.unwrap_or(false),
                dns: raw.discovery_dns.as_deref(),
                tls_ca_file: raw.tls_ca_file.as_deref(),
                tls_insecure: raw.tls_insecure.unwrap_or(false),
            },
        )?;
        if let Some(map) = &upstream_map {
            // The templates (or the unused single URLs) are not servers to dial: what the
            // rest of the configuration reads as "the" upstream is the template expanded
            // for an example domain, never dialled (see `Config::upstream_map`).
            if let crate::upstream_map::Mapping::Template { imap, smtp, sieve } = &map.mapping {
                raw.imap_url = Some(imap.example().to_string());
                raw.smtp_url = Some(smtp.example().to_string());
                raw.managesieve_url = sieve.as_ref().map(|s| s.example().to_string());
            }
        }
        let imap_text = raw
            .imap_url
            .unwrap_or_else(|| "imap://localhost:143".into());
        let imap = parse_imap_url(&imap_text)?;
        let smtp_text = raw
            .smtp_url
            .unwrap_or_else(|| "smtp://localhost:587".into());
        let smtp = parse_smtp_url(&smtp_text)?;
        let carddav = match raw.carddav_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(parse_carddav_url(text)?),
        };
        if let Some(book) = &carddav {
            if book.upstream().security == Security::Plain && !is_loopback(&book.upstream().host) {
                warnings.push(format!("carddav_url {book} is plain http to another machine: passwords and contacts cross the network unencrypted; use https://"));
            }
        }
        let managesieve = match raw.managesieve_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(Upstream::parse(Protocol::Sieve, text)?),
        };
        if let Some(sieve) = &managesieve {
            if sieve.security == Security::Plain && !is_loopback(&sieve.host) {
                warnings.push(format!("managesieve_url {sieve} has no encryption to another machine: passwords and filters cross the network unencrypted; drop ?tls=none"));
            }
        }
        let mail_apps = crate::mailapps::MailApps::from_settings(
            raw.apps_imap.as_deref(),
            raw.apps_pop3.as_deref(),
            raw.apps_smtp.as_deref(),
            &imap,
            &smtp,
            &mut warnings,
        )?;
        let max_message_size = match raw.max_message_size {
            Some(text) => parse_size(&text).ok_or_else(|| {
                ConfigError::invalid(
                    "max_message_size",
                    format!("{text:?} is not a size such as 25MB, 512KB or 1000000"),
                )
            })?,
            None => 25 * 1024 * 1024,
        };
        if let Some(ca) = &raw.tls_ca_file {
            if !ca.is_file() {
                return Err(ConfigError::invalid(
                    "tls_ca_file",
                    format!("{} does not exist; point CARTEIRO_TLS_CA_FILE at the PEM file of the CA that signed the mail server's certificate", ca.display()),
                ));
            }
        }
        let data_dir = raw.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let secret_key = match raw.secret_key {
            Some(text) => decode_secret(&text)?,
            None => load_or_create_secret(&data_dir, &mut warnings)?,
        };
        let session_idle_timeout = duration(
            "session_idle_timeout",
            raw.session_idle_timeout,
            Duration::from_secs(30 * 60),
            "30m, 2h or 900s",
        )?;
        let client_timeout = duration(
            "client_timeout",
            raw.client_timeout,
            Duration::from_secs(30),
            "30s or 2m",
        )?;
        let live_updates_every = duration(
            "live_updates_every",
            raw.live_updates_every,
            Duration::from_secs(25),
            "25s or 1m",
        )?;
        let trusted_proxies = raw
            .trusted_proxies
            .unwrap_or_default()
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .map(parse_network)
            .collect::<Result<Vec<_>, _>>()?;
        let redis_url = raw.redis_url.filter(|u| !u.trim().is_empty());
        if let Some(text) = &redis_url {
            let ok = url::Url::parse(text)
                .is_ok_and(|u| matches!(u.scheme(), "redis" | "rediss" | "redis+unix"));
            if !ok {
                return Err(ConfigError::invalid(
                    "redis_url",
                    format!("{:?} is not a Redis URL such as redis://redis:6379 or redis://:password@redis:6379/0", redact(text)),
                ));
            }
        }
        let tls_insecure = raw.tls_insecure.unwrap_or(false);
        if tls_insecure {
            warnings.push(crate::insecure_tls::WARNING.to_string());
        }
        let session_max_age = duration(
            "session_max_age",
            raw.session_max_age,
            Duration::from_secs(12 * 60 * 60),
            "12h, 7d or 90m",
        )?;
        let imap_idle_timeout = duration(
            "imap_idle_timeout",
            raw.imap_idle_timeout,
            Duration::from_secs(5 * 60),
            "5m or 300s",
        )?;
        let mail_domain = match raw.mail_domain.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(clean_domain(text).ok_or_else(|| {
                ConfigError::invalid(
                    "mail_domain",
                    format!("{text:?} is not a domain such as example.com (it is added to logins without one: joao becomes joao@example.com)"),
                )
            })?),
        };
        let identities = match raw.identities.as_deref().map(str::trim) {
            None | Some("") => Policy::default(),
            Some(text) => Policy::parse(text).ok_or_else(|| {
                ConfigError::invalid(
                    "identities",
                    format!("{text:?} is not one of login (only the login's own address), domain (any address at the login's domain) or any"),
                )
            })?,
        };
        let (password_backend, password_min_length) = password_settings(
            raw.password_command.take(),
            raw.password_http.take(),
            raw.password_http_token.take(),
            raw.password_min_length.take(),
            &mut warnings,
        )?;
        Ok((
            Config {
                listen,
                metrics_listen,
                base_path,
                imap,
                smtp,
                carddav,
                managesieve,
                max_message_size,
                save_sent: raw.save_sent.unwrap_or(true),
                tls_ca_file: raw.tls_ca_file,
                tls_insecure,
                secret_key,
                data_dir,
                session_idle_timeout,
                session_max_age,
                client_timeout,
                live_updates_every,
                trusted_proxies,
                redis_url: redis_url.map(SecretString::from),
                secure_cookies: raw.secure_cookies.unwrap_or(false),
                max_imap_connections: raw.max_imap_connections.unwrap_or(1000).max(1),
                imap_idle_timeout,
                imap_disabled_caps: raw
                    .imap_disabled_caps
                    .unwrap_or_default()
                    .iter()
                    .map(|c| c.trim().to_ascii_uppercase())
                    .filter(|c| !c.is_empty())
                    .collect(),
                mail_apps,
                mail_domain,
                identities,
                password_backend,
                password_min_length,
                upstream_map,
            },
            warnings,
        ))
    }
}
