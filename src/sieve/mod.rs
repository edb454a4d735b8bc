//! Sieve (RFC 5228) filters and the vacation reply, kept on the ManageSieve server the admin
//! names (`managesieve_url`) and reached with the person's own credentials.
//!
//! - `client.rs`: [`ManageSieve`] (one per process) and [`SieveSession`] (one person's
//!   authenticated connection: list, get, put, check, activate, delete, rename);
//! - `conn.rs`: one connection: TCP, STARTTLS, commands and their answers, with timeouts;
//! - `wire.rs`: the protocol's framing on bytes (answers read, commands written), bounded;
//! - `error.rs`: [`SieveError`], in the terms the filter pages act on.

mod client;
mod conn;
mod error;
mod wire;

pub use client::{Capabilities, ManageSieve, ScriptInfo, SieveSession};
pub use error::SieveError;
