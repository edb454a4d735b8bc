//! Sending mail: building the message ([`compose`]) and submitting it over SMTP ([`submit`]),
//! on a connection opened with the TLS set-up every upstream shares ([`dial`]).

pub mod compose;
mod dial;
pub mod submit;

pub use submit::{SendError, Submitter};
