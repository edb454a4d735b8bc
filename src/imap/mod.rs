//! Everything that speaks IMAP.
//!
//! - [`stream`] is the byte stream under a connection; [`capabilities`] what the server offers;
//!   [`error`] what can go wrong.
//! - [`connect`] dials the server (TLS, STARTTLS or plain) and authenticates.
//! - [`wire`] frames the server's answers: where one ends, its tagged verdict, BYE.
//! - [`conn::ImapConn`] wraps one authenticated connection and offers typed operations.
//! - [`limit`] caps the connections open at once and reclaims idle ones at the cap.
//! - [`actor`] owns a session's connection inside one task; handlers only hold an
//!   [`actor::ImapHandle`], so a dropped request can never leave half-read responses behind.
//! - [`cache`] holds what every session shares: folders' sorted orders, list rows, part lists
//!   and conversations; [`budget`] bounds the memory of the answers being read.
//! - [`structure`] turns BODYSTRUCTURE into the part list the views use.
//!
//! The mail it reads and writes is described by [`crate::model`].

pub mod actor;
pub mod budget;
pub mod cache;
pub mod capabilities;
pub mod conn;
pub mod connect;
pub mod error;
pub mod limit;
pub mod private;
pub mod quote;
pub mod search;
pub mod stream;
pub mod structure;
pub mod threads;
pub mod uids;
pub mod utf7;
pub mod wire;

pub use actor::ImapHandle;
pub use capabilities::Capabilities;
pub use error::{Declined, ImapError};
pub use search::SearchQuery;
pub use uids::Selection;
