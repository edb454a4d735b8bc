//! Where settings come from: the TOML file named by `CARTEIRO_CONFIG`, overlaid by
//! `CARTEIRO_*` environment variables.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::ConfigError;
use super::parse::parse_bool;

/// The file format: every field optional, the environment can override each one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) listen: Option<String>,
    pub(super) metrics_listen: Option<String>,
    pub(super) base_path: Option<String>,
    pub(super) imap_url: Option<String>,
    pub(super) smtp_url: Option<String>,
    pub(super) max_message_size: Option<String>,
    pub(super) save_sent: Option<bool>,
    pub(super) tls_ca_file: Option<PathBuf>,
    pub(super) tls_insecure: Option<bool>,
    pub(super) secret_key: Option<String>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) session_idle_timeout: Option<String>,
    pub(super) session_max_age: Option<String>,
    pub(super) client_timeout: Option<String>,
    pub(super) live_updates_every: Option<String>,
    pub(super) trusted_proxies: Option<Vec<String>>,
    pub(super) redis_url: Option<String>,
    pub(super) secure_cookies: Option<bool>,
    pub(super) max_imap_connections: Option<usize>,
    pub(super) imap_idle_timeout: Option<String>,
    pub(super) imap_disabled_caps: Option<Vec<String>>,
    pub(super) apps_imap: Option<Vec<String>>,
    pub(super) apps_pop3: Option<Vec<String>>,
    pub(super) apps_smtp: Option<Vec<String>>,
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

/// Overrides the file's settings with the environment's; unknown `CARTEIRO_*` variables
/// become warnings.
pub(super) fn apply_env(
    raw: &mut FileConfig,
    env: &[(String, String)],
    warnings: &mut Vec<String>,
) -> Result<(), ConfigError> {
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
    Ok(())
}

/// A comma-separated list from an environment variable.
fn split_list(value: &str) -> Vec<String> {
    value.split(',').map(str::to_string).collect()
}

pub(super) fn read_file(file: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let Some(path) = file else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("cannot read config file {}: {e}", path.display())))?;
    toml::from_str::<FileConfig>(&text)
        .map_err(|e| ConfigError(format!("config file {} is not valid: {e}", path.display())))
}
