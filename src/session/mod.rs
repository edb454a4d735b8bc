//! Logged-in sessions: login, lookup from the cookie's value, logout. Nothing here knows
//! HTTP: the web layer reads and writes the cookie and turns a [`Session`] into its
//! extractor.
//!
//! A session is a [`SessionRecord`] in a [`SessionStore`] plus, in this process, an
//! [`ImapHandle`](crate::imap::ImapHandle) to the session's IMAP actor. The record is what survives across instances;
//! the handle is rebuilt from it (unsealing the password with the cookie's key) whenever a
//! request reaches an instance that has none.

pub mod crypto;
mod manager;
pub mod redis_store;
pub mod store;
pub mod throttle;

pub use crypto::SessionCookie;
pub use manager::{LoginError, Session, SessionManager};
pub use store::{MemoryStore, SessionRecord, SessionStore, StoreError};
