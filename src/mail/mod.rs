//! The mail service layer: the workflows the pages call, written against the session's IMAP
//! handle and the SMTP submitter, with no HTTP in sight, so a test can drive them directly.
//!
//! - [`draft`]: what a message being written holds (the form's fields and kept parts).
//! - [`parts`]: parts kept on the server by reference, and fetching them to attach.
//! - [`budget`]: the message size limit, counted before anything is loaded.
//! - [`reply`]: a reply, reply-all or forward prefilled from its original.
//! - [`drafts`]: saving a draft in Drafts, and reading one back.
//! - [`send`]: sending: submit, file a copy in Sent, flag the original, delete the draft.
//! - [`read`]: a message rendered for reading off the async workers, its HTML body kept
//!   ([`bodies`]) for the frame that shows it.
//! - [`identity`]: the identities a person sends as, and the admin's policy on them.
//! - [`filters`]: filters and the out-of-office reply, as one Sieve script on the
//!   ManageSieve server.
//! - [`account`]: what the workflows need of the signed-in person's account.
//! - [`error`]: what can go wrong, with its cause; the pages put it into words.
//!
//! Quoting sits apart from drafts: it only reads an original and writes text (in the
//! writer's language), so it is tested on parsed messages alone, while drafts are storage.

pub mod account;
pub mod address;
pub mod bodies;
pub mod budget;
pub mod draft;
pub mod drafts;
pub mod error;
pub mod filters;
pub mod identity;
pub mod parts;
pub mod read;
pub mod reply;
pub mod send;

pub use account::Account;
pub use budget::Budget;
pub use draft::{Draft, KeptPart};
pub use error::MailError;
