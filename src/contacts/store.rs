//! What every contact store shares: the card as stored, and what can go wrong.
//!
//! A store holds vCards as text, each under an id of its own choosing (an IMAP UID, a
//! CardDAV href), and offers four operations with the same signatures in every store:
//! `list`, `create`, `replace` and `delete`. The address book picks the store the admin
//! configured; nothing above it knows which one it talks to.

use crate::imap::ImapError;

/// One vCard as a store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCard {
    /// Where the store keeps it: what `replace` and `delete` are given back.
    pub id: String,
    /// The store's version of the card, when it has one (a CardDAV ETag), so an edit does
    /// not overwrite a change made meanwhile on another device.
    pub etag: Option<String>,
    /// The vCard, as text.
    pub vcard: String,
}

/// What can go wrong in a contact store, with its cause kept for the log. Nothing here is
/// worded for the person: the web layer decides what they read.
#[derive(Debug, thiserror::Error)]
pub enum ContactsError {
    /// The IMAP server failed or refused a step (the private-folder store).
    #[error("an IMAP step failed")]
    Imap(#[from] ImapError),
    /// The contacts server cannot be reached, or did not answer in time.
    #[error("the contacts server is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The contacts server answered with an error status.
    #[error("the contacts server refused: {status} {reason}")]
    Refused { status: u16, reason: String },
    /// The contacts server did not take the credentials.
    #[error("the contacts server did not accept the login")]
    AuthFailed,
    /// The card is not (or no longer) there.
    #[error("no such contact")]
    NotFound,
    /// The card changed on the server since it was read (ETag mismatch).
    #[error("the contact was changed elsewhere")]
    Conflict,
    /// The contacts server said something that is not CardDAV.
    #[error("the contacts server's answer could not be read: {0}")]
    Protocol(String),
}
