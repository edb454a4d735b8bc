//! Sieve (RFC 5228) filters and the vacation reply, kept on the ManageSieve server the admin
//! names (`managesieve_url`) and reached with the person's own credentials.
//!
//! - `model.rs`: the filters as data ([`model::Filters`]: vacation, forwarding, rules) and
//!   what can be wrong with them ([`model::Problem`]);
//! - `validate.rs`: the checks ([`model::Filters::validate`]), so no value can make a script
//!   the server refuses or one that grows without bound;
//! - `script.rs`: Carteiro's own script, generated from the filters and read back from it
//!   ([`script::generate`], [`script::read`]);
//! - `quote.rs`: how a value is written into Sieve so that it cannot become a command.

pub mod model;
mod quote;
pub mod script;
mod validate;
