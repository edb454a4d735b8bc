//! Sieve (RFC 5228) filters and the vacation reply, kept on the ManageSieve server the admin
//! names (`managesieve_url`) and reached with the person's own credentials.
//!
//! - `client.rs`: [`ManageSieve`] (one per process) and [`SieveSession`] (one person's
//!   authenticated connection: list, get, put, check, activate, delete, rename);
//! - `conn.rs`: one connection: TCP, STARTTLS, commands and their answers, with timeouts;
//! - `wire.rs`: the protocol's framing on bytes (answers read, commands written), bounded;
//! - `error.rs`: [`SieveError`], in the terms the filter pages act on;
//! - `model.rs`: the filters as data ([`model::Filters`]: vacation, forwarding, rules) and
//!   what can be wrong with them ([`model::Problem`]);
//! - `validate.rs`: the checks ([`model::Filters::validate`]), so no value can make a script
//!   the server refuses or one that grows without bound;
//! - `script.rs`: Carteiro's own script, generated from the filters and read back from it
//!   ([`script::generate`], [`script::read`]);
//! - `quote.rs`: how a value is written into Sieve so that it cannot become a command.

mod client;
mod conn;
mod error;
pub mod model;
mod quote;
pub mod script;
mod validate;
mod wire;

pub use client::{Capabilities, ManageSieve, ScriptInfo, SieveSession};
pub use error::SieveError;
