//! What can go wrong while reading or writing filters. Nothing here is worded for the
//! person: the web layer decides what they read.

use crate::sieve::model::Problem;
use crate::sieve::SieveError;

#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    /// The admin configured no ManageSieve server: there are no filters to show.
    #[error("no ManageSieve server is configured")]
    NotConfigured,
    /// The session holds no password to sign in to the ManageSieve server with.
    #[error("no password to sign in to ManageSieve with")]
    NoPassword,
    /// The ManageSieve server failed or refused a step.
    #[error("a ManageSieve step failed")]
    Sieve(#[from] SieveError),
    /// The filters break a rule of the model (an address, a size, a control character);
    /// nothing was sent to the server.
    #[error("the filters are not valid ({} problem(s))", .0.len())]
    Invalid(Vec<Problem>),
    /// The filters need a Sieve extension the server does not offer (`date` for a dated
    /// reply, `copy` for forwarding with a copy…); nothing was sent.
    #[error("the server lacks the Sieve extension {0}")]
    Unsupported(&'static str),
    /// Another program's script is the active one: making Carteiro's active would stop it
    /// from running, which the person has to confirm first. Nothing was changed.
    #[error("another script is active")]
    OtherActive(String),
    /// The filters changed on the server since the page was shown (another tab, another
    /// program): a rule pointed at by its place might now be another one. Nothing was changed.
    #[error("the filters changed meanwhile")]
    Changed,
    /// The expert editor was asked for a script that is not on the server.
    #[error("no such script")]
    NoSuchScript,
}
