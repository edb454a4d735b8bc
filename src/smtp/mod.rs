//! Sending mail: building the message ([`compose`]) and submitting it over SMTP ([`submit`]).

pub mod compose;
pub mod submit;

pub use submit::{SendError, Submitter};
