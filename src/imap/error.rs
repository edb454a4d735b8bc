//! What can go wrong talking to the IMAP server, and why Carteiro may decline a request
//! before sending it: the one error type of the imap module.

/// What can go wrong talking to the IMAP server, sorted by what the user should see.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ImapError {
    /// The server rejected the username or password.
    #[error("authentication failed")]
    AuthFailed,
    /// The server cannot be reached, the connection broke, or it timed out.
    #[error("mail server unavailable: {0}")]
    Unavailable(String),
    /// Carteiro's limit on open IMAP connections is reached.
    #[error("connection limit reached")]
    Busy,
    /// The folder or message does not exist.
    #[error("not found")]
    NotFound,
    /// The server answered NO or BAD to a command.
    #[error("server refused: {0}")]
    Refused(String),
    /// The server said something we could not understand; the connection is unusable.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// Carteiro did not send the command: the request cannot be done on this server, or is
    /// malformed. The web layer says why in the person's language.
    #[error("declined: {0}")]
    Declined(Declined),
}

/// Why Carteiro declined a request before asking the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Declined {
    /// A search date that is not `YYYY-MM-DD`.
    #[error("“{0}” is not a date (use YYYY-MM-DD)")]
    NotADate(String),
    /// Non-ASCII search text, and the server takes no literals in a command (no LITERAL+).
    #[error("this mail server cannot search for accented or non-Latin text")]
    SearchText,
    /// The server cannot store settings: no METADATA (or no LITERAL+ to send them), and it
    /// refused to create the private settings folder too.
    #[error("this mail server cannot store settings (no METADATA)")]
    NoSettings,
}

impl ImapError {
    /// The server's NO or BAD, with its reason cut to a length fit for a page and a log line.
    pub fn refused(reason: &str) -> ImapError {
        ImapError::Refused(truncate(reason, 200))
    }

    /// Whether the connection this came from can no longer be used.
    pub fn breaks_connection(&self) -> bool {
        matches!(self, ImapError::Unavailable(_) | ImapError::Protocol(_))
    }
}

/// `text` cut to `max` characters, with an ellipsis when something was cut.
pub(super) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
