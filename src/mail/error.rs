//! What can go wrong in a mail workflow, with its cause kept for the log. Nothing here is
//! worded for the person: the web layer decides what they read.

use crate::imap::ImapError;
use crate::model::Role;
use crate::smtp::compose::BuildError;
use crate::smtp::SendError;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The IMAP server failed or refused a step.
    #[error("an IMAP step failed")]
    Imap(#[from] ImapError),
    /// The account has no folder with this special use (Drafts, Sent).
    #[error("the account has no {} folder", .0.slug())]
    NoFolder(Role),
    /// A stored message (an original, a draft) could not be parsed.
    #[error("the stored message could not be read")]
    Unreadable,
    /// The message could not be built from what was written.
    #[error("the message could not be built")]
    Build(#[source] BuildError),
    /// The draft, built, is larger than a draft may be; nothing was stored.
    #[error("the draft is too large ({size} bytes; the limit is {limit} bytes)")]
    DraftTooLarge { size: usize, limit: usize },
    /// The SMTP server did not take the message.
    #[error("the message was not sent")]
    Send(#[source] SendError),
    /// The session holds no password to submit with: the person must sign in again.
    #[error("no password to send with")]
    NoPassword,
    /// A draft just saved could not be found again.
    #[error("the saved draft was not found")]
    DraftLost,
    /// Rendering a message ended without an answer (a bug in a parser or the sanitizer).
    #[error("rendering the message failed")]
    Render(#[source] tokio::task::JoinError),
    /// The task that sends ended without an answer.
    #[error("the send task failed")]
    Task(#[source] tokio::task::JoinError),
}
