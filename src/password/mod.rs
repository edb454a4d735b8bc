//! Changing a person's password: the workflow the Settings page calls, without HTTP.
//!
//! In order: the form's fields are present and the new password typed twice the same; the
//! new password passes [`policy`]; the attempt is counted (a throttle of its own, see
//! [`PASSWORD_CHANGE`](crate::session::throttle::Limits::PASSWORD_CHANGE)); the current
//! password is verified with a fresh IMAP login (not the session's connection, which was
//! authenticated long ago and says nothing about the password typed now); then the admin's
//! backend ([`command`] or [`http`]) makes the change. Updating the session's own sealed credentials is the caller's (the session
//! belongs to the web layer's request).
//!
//! Nothing here logs a password, or anything a backend printed or answered.

pub mod backend;
pub mod command;
pub mod http;
pub mod policy;

use std::net::IpAddr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::config::{Config, ConfigError, PasswordBackend};
use crate::imap::conn::ImapConn;
use crate::imap::connect::Connector;
use crate::imap::ImapError;
use crate::session::throttle::LoginThrottle;
use crate::telemetry::untrusted;
pub use backend::BackendError;
use command::PasswordCommand;
use http::PanelApi;
use policy::Weakness;

/// Why a password was not changed, sorted by what the person should read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeError {
    /// A field of the form was left empty.
    Missing,
    /// The new password and its repetition differ.
    Mismatch,
    /// The new password is too weak: the rule it broke.
    Weak(Weakness),
    /// Too many wrong current passwords: wait this long.
    Throttled(Duration),
    /// The mail server did not accept the current password.
    WrongCurrent,
    /// The backend did not accept the current password (or the account) although the mail
    /// server did: the two disagree, which the admin has to look at.
    BackendRefusedCurrent,
    /// The backend's own rules refused the new password.
    BackendRefusedNew,
    /// The mail server or the backend could not be reached, or failed (logged).
    Unavailable,
}

/// What a change is asked with.
pub struct ChangeRequest<'a> {
    /// The session's login.
    pub login: &'a str,
    /// The browser's address, for the throttle.
    pub ip: IpAddr,
    pub current: &'a SecretString,
    pub new: &'a SecretString,
    pub repeated: &'a SecretString,
}

/// How long to wait before each login that confirms a new password: about four seconds in
/// all, past Dovecot's one-second re-reading of a passwd-file with room to spare.
const CONFIRM_DELAYS_MS: [u64; 6] = [0, 250, 500, 750, 1000, 1500];

/// A change made: the connection that confirmed the new password, when one did.
pub struct Changed {
    pub conn: Option<ImapConn>,
}

/// The configured backend.
enum Backend {
    Command(PasswordCommand),
    Http(PanelApi),
}

/// Changes passwords through the admin's backend, under the policy and the throttle.
pub struct PasswordChanger {
    backend: Backend,
    min_length: usize,
    throttle: LoginThrottle,
}

impl PasswordChanger {
    /// The changer the configuration asks for, or `None` when no backend is configured.
    /// `throttle` counts wrong current passwords
    /// ([`PASSWORD_CHANGE`](crate::session::throttle::Limits::PASSWORD_CHANGE)).
    pub fn from_config(
        config: &Config,
        throttle: LoginThrottle,
    ) -> Result<Option<PasswordChanger>, ConfigError> {
        let backend = match &config.password_backend {
            None => return Ok(None),
            Some(PasswordBackend::Command { program, args }) => {
                Backend::Command(PasswordCommand::new(program.clone(), args.clone()))
            }
            Some(PasswordBackend::Http { url, token }) => {
                Backend::Http(PanelApi::new(config, url.clone(), token.clone())?)
            }
        };
        Ok(Some(PasswordChanger {
            backend,
            min_length: config.password_min_length,
            throttle,
        }))
    }

    /// The fewest characters a new password must have.
    pub fn min_length(&self) -> usize {
        self.min_length
    }

    /// Changes the password, or says why not. On `Ok` the backend has changed it.
    pub async fn change(
        &self,
        connector: &Connector,
        request: ChangeRequest<'_>,
    ) -> Result<Changed, ChangeError> {
        let (current, new) = (request.current, request.new);
        if [current, new, request.repeated]
            .iter()
            .any(|f| f.expose_secret().is_empty())
        {
            return Err(ChangeError::Missing);
        }
        if new.expose_secret() != request.repeated.expose_secret() {
            return Err(ChangeError::Mismatch);
        }
        policy::check(
            new.expose_secret(),
            request.login,
            current.expose_secret(),
            self.min_length,
        )
        .map_err(ChangeError::Weak)?;
        let user = untrusted(request.login);
        let ip = request.ip;
        // Counted before the current password is tried, as at sign-in: guesses sent
        // together cannot all slip through while the first are being checked.
        let attempt = match self.throttle.begin(request.login, ip).await {
            Ok(attempt) => attempt,
            Err(wait) => {
                tracing::warn!(%user, %ip, "password change refused: too many wrong current passwords");
                return Err(ChangeError::Throttled(wait));
            }
        };
        match connector.login(request.login, current).await {
            Ok(conn) => {
                self.throttle.succeeded(attempt).await;
                conn.logout().await;
            }
            Err(ImapError::AuthFailed) => {
                self.throttle.failed(attempt).await;
                tracing::warn!(%user, %ip, "password change refused: wrong current password");
                return Err(ChangeError::WrongCurrent);
            }
            Err(e) => {
                self.throttle.not_tried(attempt).await;
                tracing::warn!(%user, error = %e, "password change failed: the current password could not be checked");
                return Err(ChangeError::Unavailable);
            }
        }
        let changed = match &self.backend {
            Backend::Command(command) => command.change(request.login, current, new).await,
            Backend::Http(panel) => panel.change(request.login, current, new).await,
        };
        match changed {
            Ok(()) => {
                tracing::info!(%user, %ip, "password changed");
                Ok(Changed {
                    conn: confirm(connector, request.login, new).await,
                })
            }
            Err(BackendError::CurrentRefused) => {
                tracing::error!(%user, "password change failed: the backend refused the current password the mail server accepted; do both read the same accounts?");
                Err(ChangeError::BackendRefusedCurrent)
            }
            Err(BackendError::NewRefused) => {
                tracing::info!(%user, "password change refused by the backend's rules");
                Err(ChangeError::BackendRefusedNew)
            }
            Err(BackendError::Unusable) => {
                tracing::warn!(%user, "password change failed: the login holds a control character the backend cannot be given");
                Err(ChangeError::Unavailable)
            }
            Err(BackendError::Failed(why)) => {
                tracing::error!(%user, error = %why, "password change failed");
                Err(ChangeError::Unavailable)
            }
        }
    }
}

/// Logs in with the new password until the mail server takes it, or gives up after
/// [`CONFIRM_DELAYS_MS`]. The password is changed either way (the backend said so): a
/// server that never takes it is logged for the admin.
async fn confirm(connector: &Connector, login: &str, new: &SecretString) -> Option<ImapConn> {
    for delay in CONFIRM_DELAYS_MS {
        tokio::time::sleep(Duration::from_millis(delay)).await;
        match connector.login(login, new).await {
            Ok(conn) => return Some(conn),
            Err(ImapError::AuthFailed) => continue,
            Err(e) => {
                tracing::warn!(user = %untrusted(login), error = %e, "the new password could not be confirmed at the mail server");
                return None;
            }
        }
    }
    tracing::warn!(user = %untrusted(login), "the backend changed the password, but the mail server still refuses the new one; does it read the accounts the backend changes?");
    None
}
