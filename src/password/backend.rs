//! What a password backend (`command.rs`, `http.rs`) answers when it does not change the
//! password: a leaf both backends and the workflow share.

/// Why a backend did not change the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The backend did not accept the current password, or does not know the account.
    #[error("the backend refused the current password or the account")]
    CurrentRefused,
    /// The backend's own rules refused the new password.
    #[error("the backend refused the new password")]
    NewRefused,
    /// The login or a password cannot be handed to the backend (a control character).
    #[error("a field cannot be handed to the backend")]
    Unusable,
    /// The backend failed: it could not be run or reached, timed out, or answered otherwise.
    #[error("{0}")]
    Failed(String),
}
