//! The error every configuration step returns: a setting that cannot work, in the words an
//! admin needs to fix it, with the underlying cause (I/O, TOML, URL, TLS) kept as its
//! `source` rather than flattened into the text.
//!
//! Each message says what is wrong and how to fix it; the cause is not repeated in it.
//! [`ConfigError::report`] writes both on one line, for the log.

use std::error::Error;
use std::path::PathBuf;

use crate::mailapps::AppsUrlError;
use crate::upstream::UpstreamUrlError;

/// Any error, as the cause of a [`ConfigError`] raised outside this module (TLS libraries,
/// Redis, listeners).
pub type Cause = Box<dyn Error + Send + Sync + 'static>;

/// A setting that cannot work, with the words an admin needs to fix it. Carteiro does not
/// start with one: `main` logs [`ConfigError::report`] and exits.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file `CARTEIRO_CONFIG` names cannot be read.
    #[error("cannot read config file {}", path.display())]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not TOML, or names a setting Carteiro does not know.
    #[error("config file {} is not valid", path.display())]
    FileSyntax {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    /// A setting's value is refused: `setting` is its name (in the file, or the variable),
    /// `reason` the rest of the sentence, saying what to write instead.
    #[error("{setting} {reason}")]
    Invalid {
        setting: &'static str,
        reason: String,
    },
    /// `imap_url`, `smtp_url`, `carddav_url` or `managesieve_url` cannot work.
    #[error(transparent)]
    Upstream(#[from] UpstreamUrlError),
    /// An entry of `apps_imap`, `apps_pop3` or `apps_smtp` cannot work.
    #[error(transparent)]
    Apps(#[from] AppsUrlError),
    /// No secret key is configured, and one cannot be generated into the data directory.
    #[error("no secret_key is set and {} cannot be written; set CARTEIRO_SECRET_KEY or CARTEIRO_DATA_DIR", path.display())]
    SecretFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// TLS towards an upstream cannot be set up with these settings (an unusable
    /// `tls_ca_file`, a refused TLS configuration). `what` names the setting and the problem.
    #[error("{what}")]
    Tls {
        what: String,
        #[source]
        source: Option<Cause>,
    },
    /// Something the settings name cannot be used at start-up: Redis cannot be reached, an
    /// address cannot be listened on. `what` says which, and which setting to change.
    #[error("{what}")]
    Unavailable {
        what: String,
        #[source]
        source: Cause,
    },
}

impl ConfigError {
    /// A refused value of `setting`; `reason` continues the sentence after its name.
    pub fn invalid(setting: &'static str, reason: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            setting,
            reason: reason.into(),
        }
    }

    /// TLS set-up failed for `what`, because of `source`.
    pub fn tls(what: impl Into<String>, source: impl Into<Cause>) -> ConfigError {
        ConfigError::Tls {
            what: what.into(),
            source: Some(source.into()),
        }
    }

    /// `what` cannot be used at start-up, because of `source`.
    pub fn unavailable(what: impl Into<String>, source: impl Into<Cause>) -> ConfigError {
        ConfigError::Unavailable {
            what: what.into(),
            source: source.into(),
        }
    }

    /// The message and every cause under it, on one line: what the admin reads in the log,
    /// e.g. `cannot read config file /etc/carteiro.toml: No such file or directory (os
    /// error 2)`.
    pub fn report(&self) -> String {
        crate::telemetry::error_chain(self)
    }
}
