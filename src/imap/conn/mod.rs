//! One authenticated IMAP connection and the typed operations Carteiro runs on it, one file
//! per concern, each an `impl ImapConn` block.
//!
//! Commands are written and their answers read one at a time by [`ImapConn::command`] (or
//! [`ImapConn::command_long`] for long answers), framed by [`crate::imap::wire`] and parsed
//! by async-imap's imap-proto. Only the session's actor calls these methods, so no request
//! future ever owns the stream.

mod changes;
mod connection;
mod conversations;
mod folders;
mod listing;
mod message;
mod metadata;
mod private;
mod recipients;
mod settings_folder;
mod summaries;

pub use connection::ImapConn;
pub use private::PrivateItem;
pub use recipients::{ReadMark, RecipientHeaders};
