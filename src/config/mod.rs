//! Configuration: a TOML file overlaid by `CARTEIRO_*` environment variables.
//!
//! Upstreams are written as URLs (`imaps://mail.example.com:993`) because that is how admins
//! already think of them; every field has a default that works against the local mail stack
//! started by `scripts/mailstack.sh`.
//!
//! - `load.rs`: the validated [`Config`] and how it is assembled from the sources;
//! - `sources.rs`: the file and the environment, overlaid into raw settings;
//! - `parse.rs`: the value syntaxes (durations, sizes, addresses, paths, networks);
//! - `secrets.rs`: the secret key, configured or generated on first start;
//! - `mapping.rs`: many domains, one instance (`upstream_map`, `upstream_allow`);
//! - `password.rs`: where password changes are made, and the shortest password allowed;
//! - `error.rs`: [`ConfigError`], what an admin reads when a setting cannot work.

mod error;
mod load;
mod mapping;
mod parse;
mod password;
mod secrets;
mod sources;

#[cfg(test)]
mod tests;

pub use error::{Cause, ConfigError};
pub use load::Config;
pub use parse::{parse_duration, parse_size, redact};
pub use password::{PasswordBackend, MAX_PASSWORD_LENGTH};
