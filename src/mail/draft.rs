//! What a message being written holds between two submissions of the form: its fields, what
//! it answers, the saved draft it replaces, and the parts it keeps from the server.
//!
//! Nothing is kept on Carteiro's side between two submissions: attachments that must survive
//! a round trip (a failed send, "save draft") live in the draft on the IMAP server, and the
//! form refers to them (and to a forwarded message's parts) by reference (see
//! [`super::parts::PartRef`]).

/// An attachment already stored on the server (in a draft or a forwarded message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptPart {
    /// `folder/uid/section`, the folder percent-encoded.
    pub reference: String,
    pub filename: String,
    /// Decoded size in bytes, when known (not for a part re-listed from a submitted form).
    pub size: Option<u64>,
}

/// Everything the form shows; also what a failed submission brings back.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub body: String,
    pub in_reply_to: String,
    pub references: String,
    /// `reply` or `forward`, with the original's folder and UID, to flag it once sent.
    pub origin_kind: String,
    pub origin_folder: String,
    pub origin_uid: String,
    /// UID in the Drafts folder of the saved version this form replaces.
    pub draft_uid: String,
    /// The id of the identity it is written as; empty for the default.
    pub identity: String,
    pub kept: Vec<KeptPart>,
}
