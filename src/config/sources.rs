//! Where settings come from: the TOML file named by `CARTEIRO_CONFIG`, overlaid by
//! `CARTEIRO_*` environment variables.
//!
//! Every setting is declared once, in the [`settings!`] table below: its name in the file,
//! its environment variable, its type, and how the variable's text is read. The file format,
//! the environment overlay and the list of known variables (to warn about typos) are all
//! generated from that table, so adding a setting is one line here (and its validation in
//! `load.rs`), and a variable cannot be forgotten in one list and present in another.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

use super::error::ConfigError;
use super::parse::parse_bool;

/// The variable that names the configuration file.
const CONFIG_FILE_VAR: &str = "CARTEIRO_CONFIG";

/// Variables Carteiro reads that are not settings of [`RawSettings`]: the file's name
/// (here), logging (`telemetry.rs`) and the test stack (the test suite). Known, so they are
/// not reported as typos.
const OTHER_VARS: &[&str] = &[
    CONFIG_FILE_VAR,
    "CARTEIRO_LOG",
    "CARTEIRO_LOG_FORMAT",
    "CARTEIRO_STACK_DIR",
];

/// Declares the settings: `name: Type = "CARTEIRO_NAME", reader;` per line, where `reader`
/// turns the variable's text into `Type` (the file gives `Type` directly, through serde).
macro_rules! settings {
    ($($name:ident: $ty:ty = $var:literal, $read:ident;)*) => {
        /// The settings as written, before validation: every one optional, read from the
        /// file and overridden by the environment.
        ///
        /// Deliberately not `Debug`: it holds the secret key and the Redis URL as text.
        #[derive(Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(super) struct RawSettings {
            $(pub(super) $name: Option<$ty>,)*
        }

        /// Every setting's name in the file and its environment variable, in table order.
        const SETTINGS: &[(&str, &str)] = &[$((stringify!($name), $var),)*];

        impl RawSettings {
            /// Overrides one setting with an environment variable's text; `Ok(false)` when
            /// `var` names no setting.
            pub(super) fn set_from_env(
                &mut self,
                var: &str,
                text: &str,
            ) -> Result<bool, ConfigError> {
                // Each reader gets the table's own `&'static` name, for the error.
                match var {
                    $($var => self.$name = Some($read($var, text)?),)*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }
    };
}

settings! {
    listen: String = "CARTEIRO_LISTEN", text;
    metrics_listen: String = "CARTEIRO_METRICS_LISTEN", text;
    base_path: String = "CARTEIRO_BASE_PATH", text;
    imap_url: String = "CARTEIRO_IMAP_URL", text;
    smtp_url: String = "CARTEIRO_SMTP_URL", text;
    carddav_url: String = "CARTEIRO_CARDDAV_URL", text;
    managesieve_url: String = "CARTEIRO_MANAGESIEVE_URL", text;
    max_message_size: String = "CARTEIRO_MAX_MESSAGE_SIZE", text;
    save_sent: bool = "CARTEIRO_SAVE_SENT", parse_bool;
    tls_ca_file: PathBuf = "CARTEIRO_TLS_CA_FILE", path;
    tls_insecure: bool = "CARTEIRO_TLS_INSECURE", parse_bool;
    secret_key: String = "CARTEIRO_SECRET_KEY", text;
    data_dir: PathBuf = "CARTEIRO_DATA_DIR", path;
    session_idle_timeout: String = "CARTEIRO_SESSION_IDLE_TIMEOUT", text;
    session_max_age: String = "CARTEIRO_SESSION_MAX_AGE", text;
    client_timeout: String = "CARTEIRO_CLIENT_TIMEOUT", text;
    live_updates_every: String = "CARTEIRO_LIVE_UPDATES_EVERY", text;
    trusted_proxies: Vec<String> = "CARTEIRO_TRUSTED_PROXIES", list;
    redis_url: String = "CARTEIRO_REDIS_URL", text;
    secure_cookies: bool = "CARTEIRO_SECURE_COOKIES", parse_bool;
    max_imap_connections: usize = "CARTEIRO_MAX_IMAP_CONNECTIONS", number;
    imap_idle_timeout: String = "CARTEIRO_IMAP_IDLE_TIMEOUT", text;
    imap_disabled_caps: Vec<String> = "CARTEIRO_IMAP_DISABLED_CAPS", list;
    apps_imap: Vec<String> = "CARTEIRO_APPS_IMAP", list;
    apps_pop3: Vec<String> = "CARTEIRO_APPS_POP3", list;
    apps_smtp: Vec<String> = "CARTEIRO_APPS_SMTP", list;
    mail_domain: String = "CARTEIRO_MAIL_DOMAIN", text;
    identities: String = "CARTEIRO_IDENTITIES", text;
    password_command: String = "CARTEIRO_PASSWORD_COMMAND", text;
    password_http: String = "CARTEIRO_PASSWORD_HTTP", text;
    password_http_token: String = "CARTEIRO_PASSWORD_HTTP_TOKEN", text;
    password_min_length: usize = "CARTEIRO_PASSWORD_MIN_LENGTH", number;
    upstream_map: String = "CARTEIRO_UPSTREAM_MAP", text;
    upstream_allow: Vec<String> = "CARTEIRO_UPSTREAM_ALLOW", list;
    upstream_discovery: bool = "CARTEIRO_UPSTREAM_DISCOVERY", parse_bool;
    discovery_dns: String = "CARTEIRO_DISCOVERY_DNS", text;
}

impl RawSettings {
    /// Overrides the file's settings with the environment's. A `CARTEIRO_*` variable that is
    /// neither a setting nor one of [`OTHER_VARS`] is a typo: it becomes a warning.
    pub(super) fn apply_env(
        &mut self,
        env: &[(String, String)],
        warnings: &mut Vec<String>,
    ) -> Result<(), ConfigError> {
        for (var, text) in env {
            if !self.set_from_env(var, text)?
                && var.starts_with("CARTEIRO_")
                && !OTHER_VARS.contains(&var.as_str())
            {
                warnings.push(format!(
                    "unknown setting {var} is ignored; known ones are {}",
                    known_vars().join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// Every variable Carteiro reads: the settings, then the others.
fn known_vars() -> Vec<&'static str> {
    SETTINGS
        .iter()
        .map(|&(_, var)| var)
        .chain(OTHER_VARS.iter().copied())
        .collect()
}

/// The configuration file the environment names, if any.
pub(super) fn config_file(env: &[(String, String)]) -> Option<PathBuf> {
    env.iter()
        .find(|(k, _)| k == CONFIG_FILE_VAR)
        .map(|(_, path)| PathBuf::from(path))
}

/// Reads the file's settings; no file, no settings.
pub(super) fn read_file(file: Option<&Path>) -> Result<RawSettings, ConfigError> {
    let Some(path) = file else {
        return Ok(RawSettings::default());
    };
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str::<RawSettings>(&text).map_err(|source| ConfigError::FileSyntax {
        path: path.to_path_buf(),
        source,
    })
}

// Readers of variable text, one per type in the table. Strings are taken as they are: their
// syntax (durations, sizes, URLs) is checked in `load.rs` for file and variable alike.

fn text(_var: &str, text: &str) -> Result<String, ConfigError> {
    Ok(text.to_string())
}

fn path(_var: &str, text: &str) -> Result<PathBuf, ConfigError> {
    Ok(PathBuf::from(text))
}

/// A comma-separated list (entries are trimmed, and empty ones dropped, where they are used).
fn list(_var: &str, text: &str) -> Result<Vec<String>, ConfigError> {
    Ok(text.split(',').map(str::to_string).collect())
}

fn number<T: FromStr>(var: &'static str, text: &str) -> Result<T, ConfigError> {
    text.parse()
        .map_err(|_| ConfigError::invalid(var, format!("must be a whole number, not {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|&(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_variable_is_the_file_name_in_capitals() {
        for &(name, var) in SETTINGS {
            assert_eq!(var, format!("CARTEIRO_{}", name.to_ascii_uppercase()));
        }
        let mut vars = known_vars();
        vars.sort_unstable();
        vars.dedup();
        assert_eq!(
            vars.len(),
            SETTINGS.len() + OTHER_VARS.len(),
            "no name twice"
        );
    }

    #[test]
    fn the_environment_overrides_the_file_and_reads_each_type() {
        let file = std::env::temp_dir().join(format!(
            "carteiro-sources-{}-{:08x}.toml",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:1\"\nsave_sent = false\nmax_imap_connections = 7\n",
        )
        .unwrap();
        let mut raw = read_file(Some(&file)).unwrap();
        std::fs::remove_file(&file).unwrap();
        let mut warnings = Vec::new();
        raw.apply_env(
            &env(&[
                ("CARTEIRO_LISTEN", "127.0.0.1:2"),
                ("CARTEIRO_TRUSTED_PROXIES", "10.0.0.1,10.0.0.0/8"),
                ("CARTEIRO_TLS_INSECURE", "yes"),
                ("CARTEIRO_LOG", "debug"),
                ("HOME", "/root"),
            ]),
            &mut warnings,
        )
        .unwrap();
        assert_eq!(raw.listen.as_deref(), Some("127.0.0.1:2"));
        assert_eq!(raw.save_sent, Some(false), "the file's value stays");
        assert_eq!(raw.max_imap_connections, Some(7));
        assert_eq!(raw.tls_insecure, Some(true));
        assert_eq!(raw.trusted_proxies.unwrap(), ["10.0.0.1", "10.0.0.0/8"]);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn typos_are_warned_about_and_bad_values_name_their_variable() {
        let mut raw = RawSettings::default();
        let mut warnings = Vec::new();
        raw.apply_env(&env(&[("CARTEIRO_SAVE_SEND", "no")]), &mut warnings)
            .unwrap();
        assert!(
            warnings[0].starts_with(
                "unknown setting CARTEIRO_SAVE_SEND is ignored; known ones are CARTEIRO_LISTEN,"
            ),
            "{warnings:?}"
        );
        assert!(warnings[0].contains("CARTEIRO_SAVE_SENT"), "{warnings:?}");
        let err = raw
            .apply_env(
                &env(&[("CARTEIRO_MAX_IMAP_CONNECTIONS", "many")]),
                &mut warnings,
            )
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "CARTEIRO_MAX_IMAP_CONNECTIONS must be a whole number, not \"many\""
        );
        let err = raw
            .apply_env(&env(&[("CARTEIRO_SECURE_COOKIES", "maybe")]), &mut warnings)
            .err()
            .unwrap();
        assert!(err
            .to_string()
            .starts_with("CARTEIRO_SECURE_COOKIES must be true or false"));
    }
}
