//! Configuration: a TOML file overlaid by `CARTEIRO_*` environment variables.
//!
//! Upstreams are written as URLs (`imaps://mail.example.com:993`) because that is how admins
//! already think of them; every field has a default that works against the local mail stack
//! started by `scripts/mailstack.sh`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::upstream::{parse_imap_url, parse_smtp_url, Upstream, UpstreamUrlError};

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
    /// Largest message Carteiro sends, in bytes (the server's own SIZE limit also applies).
    pub max_message_size: usize,
    /// APPEND a copy of every sent message to the Sent folder (off for servers that file
    /// sent mail themselves).
    pub save_sent: bool,
    /// Extra trust anchor (PEM) for the upstream TLS certificates, besides the web PKI roots.
    pub tls_ca_file: Option<PathBuf>,
    /// Skip verifying the upstream certificates (explicit opt-in, warned about at start-up).
    pub tls_insecure: bool,
    /// Key material for server-side secrets (store keys); at least 32 bytes.
    pub secret_key: Vec<u8>,
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
    pub redis_url: Option<String>,
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
}

/// A setting that cannot work, with the words an admin needs to fix it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl From<UpstreamUrlError> for ConfigError {
    fn from(e: UpstreamUrlError) -> Self {
        ConfigError(e.0)
    }
}

impl From<crate::mailapps::AppsUrlError> for ConfigError {
    fn from(e: crate::mailapps::AppsUrlError) -> Self {
        ConfigError(e.0)
    }
}

/// The file format: every field optional, the environment can override each one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    metrics_listen: Option<String>,
    base_path: Option<String>,
    imap_url: Option<String>,
    smtp_url: Option<String>,
    max_message_size: Option<String>,
    save_sent: Option<bool>,
    tls_ca_file: Option<PathBuf>,
    tls_insecure: Option<bool>,
    secret_key: Option<String>,
    data_dir: Option<PathBuf>,
    session_idle_timeout: Option<String>,
    session_max_age: Option<String>,
    client_timeout: Option<String>,
    live_updates_every: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    redis_url: Option<String>,
    secure_cookies: Option<bool>,
    max_imap_connections: Option<usize>,
    imap_idle_timeout: Option<String>,
    imap_disabled_caps: Option<Vec<String>>,
    apps_imap: Option<Vec<String>>,
    apps_pop3: Option<Vec<String>>,
    apps_smtp: Option<Vec<String>>,
}

/// Environment variables Carteiro reads; anything else starting with `CARTEIRO_` is a typo.
const KNOWN_ENV: &[&str] = &[
    "CARTEIRO_CONFIG",
    "CARTEIRO_LISTEN",
    "CARTEIRO_METRICS_LISTEN",
    "CARTEIRO_BASE_PATH",
    "CARTEIRO_IMAP_URL",
    "CARTEIRO_SMTP_URL",
    "CARTEIRO_MAX_MESSAGE_SIZE",
    "CARTEIRO_SAVE_SENT",
    "CARTEIRO_TLS_CA_FILE",
    "CARTEIRO_TLS_INSECURE",
    "CARTEIRO_SECRET_KEY",
    "CARTEIRO_DATA_DIR",
    "CARTEIRO_SESSION_IDLE_TIMEOUT",
    "CARTEIRO_SESSION_MAX_AGE",
    "CARTEIRO_CLIENT_TIMEOUT",
    "CARTEIRO_LIVE_UPDATES_EVERY",
    "CARTEIRO_TRUSTED_PROXIES",
    "CARTEIRO_REDIS_URL",
    "CARTEIRO_SECURE_COOKIES",
    "CARTEIRO_MAX_IMAP_CONNECTIONS",
    "CARTEIRO_IMAP_IDLE_TIMEOUT",
    "CARTEIRO_IMAP_DISABLED_CAPS",
    "CARTEIRO_APPS_IMAP",
    "CARTEIRO_APPS_POP3",
    "CARTEIRO_APPS_SMTP",
    "CARTEIRO_LOG",
    "CARTEIRO_LOG_FORMAT",
    "CARTEIRO_STACK_DIR",
];

/// Where Carteiro listens unless told otherwise: loopback, behind a reverse proxy.
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Where the secret key is read from or written to, relative to `data_dir`.
const SECRET_FILE: &str = "secret.key";

impl Config {
    /// Reads the file named by `CARTEIRO_CONFIG` (if any) and the environment.
    ///
    /// Returns the configuration and warnings to log once tracing is up (unknown variables).
    pub fn from_env() -> Result<(Config, Vec<String>), ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        let file = vars
            .iter()
            .find(|(k, _)| k == "CARTEIRO_CONFIG")
            .map(|(_, path)| PathBuf::from(path));
        Self::load(file.as_deref(), &vars)
    }

    /// Only where the server listens (`listen` and `base_path`), from the same file and
    /// variables: what `carteiro healthcheck` needs. Unlike [`Config::from_env`] it touches
    /// nothing (no secret key is generated) and checks no other setting.
    pub fn listen_from_env() -> Result<(SocketAddr, String), ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        let file = vars
            .iter()
            .find(|(k, _)| k == "CARTEIRO_CONFIG")
            .map(|(_, path)| PathBuf::from(path));
        Self::listen_from(file.as_deref(), &vars)
    }

    /// [`Config::listen_from_env`] from an optional file and a list of environment variables.
    pub fn listen_from(
        file: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<(SocketAddr, String), ConfigError> {
        let raw = read_file(file)?;
        let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let listen = var("CARTEIRO_LISTEN")
            .or(raw.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.into());
        let base_path = var("CARTEIRO_BASE_PATH").or(raw.base_path);
        Ok((
            parse_listen(&listen)?,
            normalize_base_path(base_path.as_deref().unwrap_or(""))?,
        ))
    }

    /// Builds a configuration from an optional file and a list of environment variables.
    pub fn load(
        file: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<(Config, Vec<String>), ConfigError> {
        let mut raw = read_file(file)?;
        let mut warnings = Vec::new();
        for (key, value) in env {
            let value = value.clone();
            match key.as_str() {
                "CARTEIRO_LISTEN" => raw.listen = Some(value),
                "CARTEIRO_METRICS_LISTEN" => raw.metrics_listen = Some(value),
                "CARTEIRO_BASE_PATH" => raw.base_path = Some(value),
                "CARTEIRO_IMAP_URL" => raw.imap_url = Some(value),
                "CARTEIRO_SMTP_URL" => raw.smtp_url = Some(value),
                "CARTEIRO_MAX_MESSAGE_SIZE" => raw.max_message_size = Some(value),
                "CARTEIRO_SAVE_SENT" => raw.save_sent = Some(parse_bool(key, &value)?),
                "CARTEIRO_TLS_CA_FILE" => raw.tls_ca_file = Some(value.into()),
                "CARTEIRO_TLS_INSECURE" => raw.tls_insecure = Some(parse_bool(key, &value)?),
                "CARTEIRO_SECRET_KEY" => raw.secret_key = Some(value),
                "CARTEIRO_DATA_DIR" => raw.data_dir = Some(value.into()),
                "CARTEIRO_SESSION_IDLE_TIMEOUT" => raw.session_idle_timeout = Some(value),
                "CARTEIRO_SESSION_MAX_AGE" => raw.session_max_age = Some(value),
                "CARTEIRO_CLIENT_TIMEOUT" => raw.client_timeout = Some(value),
                "CARTEIRO_LIVE_UPDATES_EVERY" => raw.live_updates_every = Some(value),
                "CARTEIRO_REDIS_URL" => raw.redis_url = Some(value),
                "CARTEIRO_TRUSTED_PROXIES" => {
                    raw.trusted_proxies = Some(value.split(',').map(str::to_string).collect());
                }
                "CARTEIRO_SECURE_COOKIES" => {
                    raw.secure_cookies = Some(parse_bool(key, &value)?);
                }
                "CARTEIRO_MAX_IMAP_CONNECTIONS" => {
                    raw.max_imap_connections = Some(value.parse().map_err(|_| {
                        ConfigError(format!("{key} must be a whole number, not {value:?}"))
                    })?);
                }
                "CARTEIRO_IMAP_IDLE_TIMEOUT" => raw.imap_idle_timeout = Some(value),
                "CARTEIRO_IMAP_DISABLED_CAPS" => {
                    raw.imap_disabled_caps = Some(value.split(',').map(str::to_string).collect());
                }
                "CARTEIRO_APPS_IMAP" => raw.apps_imap = Some(split_list(&value)),
                "CARTEIRO_APPS_POP3" => raw.apps_pop3 = Some(split_list(&value)),
                "CARTEIRO_APPS_SMTP" => raw.apps_smtp = Some(split_list(&value)),
                k if k.starts_with("CARTEIRO_") && !KNOWN_ENV.contains(&k) => {
                    warnings.push(format!(
                        "unknown setting {k} is ignored; known ones are {}",
                        KNOWN_ENV.join(", ")
                    ));
                }
                _ => {}
            }
        }

        let listen = parse_listen(raw.listen.as_deref().unwrap_or(DEFAULT_LISTEN))?;
        let metrics_listen = match raw.metrics_listen.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let addr: SocketAddr = text.parse().map_err(|_| {
                    ConfigError(format!(
                        "metrics_listen {text:?} is not an IP:port such as 127.0.0.1:9090"
                    ))
                })?;
                // Port 0 (any free port, as the tests ask) never collides.
                if addr == listen && addr.port() != 0 {
                    return Err(ConfigError(format!(
                        "metrics_listen {addr} is the same as listen: metrics need their own address (such as 127.0.0.1:9090), so they are not served to the public"
                    )));
                }
                Some(addr)
            }
        };
        let base_path = normalize_base_path(raw.base_path.as_deref().unwrap_or(""))?;
        let imap_text = raw
            .imap_url
            .unwrap_or_else(|| "imap://localhost:143".into());
        let imap = parse_imap_url(&imap_text)?;
        let smtp_text = raw
            .smtp_url
            .unwrap_or_else(|| "smtp://localhost:587".into());
        let smtp = parse_smtp_url(&smtp_text)?;
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
                ConfigError(format!(
                    "max_message_size {text:?} is not a size such as 25MB, 512KB or 1000000"
                ))
            })?,
            None => 25 * 1024 * 1024,
        };
        if let Some(ca) = &raw.tls_ca_file {
            if !ca.is_file() {
                return Err(ConfigError(format!(
                    "tls_ca_file {} does not exist; point CARTEIRO_TLS_CA_FILE at the PEM file of the CA that signed the mail server's certificate",
                    ca.display()
                )));
            }
        }
        let data_dir = raw.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let secret_key = match raw.secret_key {
            Some(text) => decode_secret(&text)?,
            None => load_or_create_secret(&data_dir, &mut warnings)?,
        };
        let session_idle_timeout = match raw.session_idle_timeout {
            Some(text) => parse_duration(&text).ok_or_else(|| {
                ConfigError(format!(
                    "session_idle_timeout {text:?} is not a duration such as 30m, 2h or 900s"
                ))
            })?,
            None => Duration::from_secs(30 * 60),
        };
        let client_timeout = match raw.client_timeout {
            Some(text) => parse_duration(&text).ok_or_else(|| {
                ConfigError(format!(
                    "client_timeout {text:?} is not a duration such as 30s or 2m"
                ))
            })?,
            None => Duration::from_secs(30),
        };
        let live_updates_every = match raw.live_updates_every {
            Some(text) => parse_duration(&text)
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    ConfigError(format!(
                        "live_updates_every {text:?} is not a duration such as 25s or 1m"
                    ))
                })?,
            None => Duration::from_secs(25),
        };
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
                return Err(ConfigError(format!(
                    "redis_url {:?} is not a Redis URL such as redis://redis:6379 or redis://:password@redis:6379/0",
                    redact(text)
                )));
            }
        }
        let tls_insecure = raw.tls_insecure.unwrap_or(false);
        if tls_insecure {
            warnings.push(crate::insecure_tls::WARNING.to_string());
        }
        let session_max_age = match raw.session_max_age {
            Some(text) => parse_duration(&text).ok_or_else(|| {
                ConfigError(format!(
                    "session_max_age {text:?} is not a duration such as 12h, 7d or 90m"
                ))
            })?,
            None => Duration::from_secs(12 * 60 * 60),
        };
        let imap_idle_timeout = match raw.imap_idle_timeout {
            Some(text) => parse_duration(&text).ok_or_else(|| {
                ConfigError(format!(
                    "imap_idle_timeout {text:?} is not a duration such as 5m or 300s"
                ))
            })?,
            None => Duration::from_secs(5 * 60),
        };
        Ok((
            Config {
                listen,
                metrics_listen,
                base_path,
                imap,
                smtp,
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
                redis_url,
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
            },
            warnings,
        ))
    }
}

/// A URL with its password (if any) replaced, for messages and logs.
pub fn redact(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(unparsable URL)".to_string(),
    }
}

/// `10.0.0.5`, `10.0.0.0/8` or `::1`: an address is a network of one.
fn parse_network(text: &str) -> Result<ipnet::IpNet, ConfigError> {
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            ConfigError(format!(
                "trusted_proxies entry {text:?} is not an address or network such as 10.0.0.5 or 172.16.0.0/12"
            ))
        })
}

/// A comma-separated list from an environment variable.
fn split_list(value: &str) -> Vec<String> {
    value.split(',').map(str::to_string).collect()
}

fn read_file(file: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let Some(path) = file else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("cannot read config file {}: {e}", path.display())))?;
    toml::from_str::<FileConfig>(&text)
        .map_err(|e| ConfigError(format!("config file {} is not valid: {e}", path.display())))
}

fn parse_listen(text: &str) -> Result<SocketAddr, ConfigError> {
    text.trim().parse().map_err(|_| {
        ConfigError(format!(
            "listen address {text:?} is not an IP:port such as 0.0.0.0:8080"
        ))
    })
}

fn parse_bool(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError(format!(
            "{key} must be true or false, not {value:?}"
        ))),
    }
}

/// `"/webmail/"` → `"/webmail"`, `"/"` → `""`; anything that is not a plain path is refused.
fn normalize_base_path(text: &str) -> Result<String, ConfigError> {
    let trimmed = text.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    let ok = trimmed.starts_with('/')
        && !trimmed.contains("//")
        && trimmed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.~".contains(c));
    if !ok {
        return Err(ConfigError(format!(
            "base_path {text:?} must be a path such as /webmail (letters, digits, - _ . ~)"
        )));
    }
    Ok(trimmed.to_string())
}

/// Accepts `25MB`, `512KB`, `1GB` or a bare number of bytes.
pub fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim().to_ascii_uppercase();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text.as_str(), ""),
    };
    let n: usize = number.parse().ok()?;
    let factor = match unit.trim() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1024,
        "M" | "MB" | "MIB" => 1024 * 1024,
        "G" | "GB" | "GIB" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(factor).filter(|&n| n > 0)
}

/// Accepts `90s`, `30m`, `2h`, `1d` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number.parse().ok()?;
    let secs = match unit.trim() {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (secs > 0).then(|| Duration::from_secs(secs))
}

fn decode_secret(text: &str) -> Result<Vec<u8>, ConfigError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim()))
        .map_err(|_| {
            ConfigError(
                "secret_key must be base64; make one with: head -c 32 /dev/urandom | base64".into(),
            )
        })?;
    if bytes.len() < 32 {
        return Err(ConfigError(format!(
            "secret_key is {} bytes, it needs at least 32; make one with: head -c 32 /dev/urandom | base64",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// Reads `data_dir/secret.key`, creating it with fresh random bytes on first start.
fn load_or_create_secret(data_dir: &Path, notes: &mut Vec<String>) -> Result<Vec<u8>, ConfigError> {
    use base64::Engine;
    let path = data_dir.join(SECRET_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        return decode_secret(&text);
    }
    let cant = |e: std::io::Error| {
        ConfigError(format!(
            "no secret_key is set and {} cannot be written ({e}); set CARTEIRO_SECRET_KEY or CARTEIRO_DATA_DIR",
            path.display()
        ))
    };
    std::fs::create_dir_all(data_dir).map_err(cant)?;
    let key: [u8; 32] = rand::random();
    let text = base64::engine::general_purpose::STANDARD.encode(key);
    write_private(&path, &text).map_err(cant)?;
    notes.push(format!(
        "no secret_key was configured: generated one and stored it in {} (set CARTEIRO_SECRET_KEY to share one key between instances)",
        path.display()
    ));
    Ok(key.to_vec())
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_a_unit() {
        assert_eq!(parse_size("25MB"), Some(25 * 1024 * 1024));
        assert_eq!(parse_size("512 kb"), Some(512 * 1024));
        assert_eq!(parse_size("huge"), None);
    }

    #[test]
    fn durations_and_base_paths_are_validated() {
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(normalize_base_path("/webmail/").unwrap(), "/webmail");
        assert_eq!(normalize_base_path("/").unwrap(), "");
        assert!(normalize_base_path("webmail").is_err());
        assert!(normalize_base_path("/a\"b").is_err());
    }

    #[test]
    fn unknown_variables_are_reported_and_short_secrets_refused() {
        let env = vec![
            ("CARTEIRO_IMAP_URLS".to_string(), "x".to_string()),
            ("CARTEIRO_SECRET_KEY".to_string(), "c2hvcnQ=".to_string()),
        ];
        let err = Config::load(None, &env).unwrap_err();
        assert!(err.0.contains("at least 32"), "{err}");
        let env = vec![
            ("CARTEIRO_IMAP_URLS".to_string(), "x".to_string()),
            (
                "CARTEIRO_SECRET_KEY".to_string(),
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
            ),
        ];
        let (config, warnings) = Config::load(None, &env).unwrap();
        assert_eq!(config.imap.port, 143);
        assert!(warnings[0].contains("CARTEIRO_IMAP_URLS"));
    }

    #[test]
    fn metrics_need_an_address_of_their_own() {
        let env = |metrics: &str| {
            vec![
                ("CARTEIRO_LISTEN".to_string(), "0.0.0.0:8080".to_string()),
                ("CARTEIRO_METRICS_LISTEN".to_string(), metrics.to_string()),
                (
                    "CARTEIRO_SECRET_KEY".to_string(),
                    "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
                ),
            ]
        };
        let (config, _) = Config::load(None, &env("127.0.0.1:9090")).unwrap();
        assert_eq!(
            config.metrics_listen,
            Some("127.0.0.1:9090".parse().unwrap())
        );
        let (config, _) = Config::load(None, &env("")).unwrap();
        assert_eq!(config.metrics_listen, None, "empty means off");
        let err = Config::load(None, &env("0.0.0.0:8080")).unwrap_err();
        assert!(err.0.contains("own address"), "{err}");
        assert!(Config::load(None, &env("9090")).is_err());
    }

    #[test]
    fn live_updates_poll_every_25_seconds_unless_set_and_never_every_0() {
        let env = |every: Option<&str>| {
            let mut env = vec![(
                "CARTEIRO_SECRET_KEY".to_string(),
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
            )];
            if let Some(every) = every {
                env.push(("CARTEIRO_LIVE_UPDATES_EVERY".to_string(), every.to_string()));
            }
            env
        };
        let (config, warnings) = Config::load(None, &env(None)).unwrap();
        assert_eq!(config.live_updates_every, Duration::from_secs(25));
        assert!(warnings.is_empty(), "{warnings:?}");
        let (config, _) = Config::load(None, &env(Some("1m"))).unwrap();
        assert_eq!(config.live_updates_every, Duration::from_secs(60));
        let err = Config::load(None, &env(Some("0s"))).unwrap_err();
        assert!(err.0.contains("live_updates_every"), "{err}");
        assert!(Config::load(None, &env(Some("often"))).is_err());
    }

    #[test]
    fn the_health_check_reads_only_where_the_server_listens() {
        let env = vec![
            ("CARTEIRO_LISTEN".to_string(), "0.0.0.0:8081".to_string()),
            ("CARTEIRO_BASE_PATH".to_string(), "/webmail/".to_string()),
            // Would stop the server; the health check does not care.
            ("CARTEIRO_SECRET_KEY".to_string(), "short".to_string()),
        ];
        let (listen, base) = Config::listen_from(None, &env).unwrap();
        assert_eq!(listen, "0.0.0.0:8081".parse().unwrap());
        assert_eq!(base, "/webmail");
        let (listen, base) = Config::listen_from(None, &[]).unwrap();
        assert_eq!(
            (listen, base.as_str()),
            ("127.0.0.1:8080".parse().unwrap(), "")
        );
    }

    #[test]
    fn certificate_checks_are_on_unless_explicitly_turned_off_with_a_warning() {
        let secret = (
            "CARTEIRO_SECRET_KEY".to_string(),
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
        );
        let (config, warnings) = Config::load(None, std::slice::from_ref(&secret)).unwrap();
        assert!(!config.tls_insecure);
        assert!(warnings.is_empty(), "{warnings:?}");
        let env = vec![secret, ("CARTEIRO_TLS_INSECURE".into(), "true".into())];
        let (config, warnings) = Config::load(None, &env).unwrap();
        assert!(config.tls_insecure);
        assert!(
            warnings.iter().any(|w| w.contains("NOT verified")),
            "{warnings:?}"
        );
    }
}
