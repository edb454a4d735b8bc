//! The mail as every layer sees it: folders, flags, list rows, fetched messages and their
//! parts. Plain data with no I/O, so `imap` fills it, `mime` reads it and the pages show it
//! without any of them depending on another.
//!
//! A leaf: nothing here imports `imap`, `mime`, `web` or `session`. What turns IMAP answers
//! into these types (BODYSTRUCTURE → [`PartInfo`], FETCH → [`Summary`]) lives in `imap`; what
//! turns them into HTML lives in `mime` and `web`.

pub mod folder;
pub mod listing;
pub mod message;
pub mod part;

pub use folder::{Folder, FolderChange, FolderStatus, MailboxState, Quota, Role};
pub use listing::{Page, ThreadPage, ThreadRow};
pub use message::{FetchedMessage, Flags, Summary};
pub use part::{media_type, PartInfo, TransferEncoding};
