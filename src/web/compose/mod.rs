//! Writing mail: new messages, replies, forwards and drafts, all in one form that works
//! without JavaScript. The handlers here read the form and render the page; the workflows
//! (quoting, drafts, sending) are [`crate::mail`]'s.
//!
//! - [`form`]: the multipart form, read by an extractor that also checks the CSRF token.
//! - [`page`]: `GET /compose`, and the page every outcome is shown on.
//! - [`submit`]: `POST /compose`: send, or save a draft.
//! - [`errors`]: what the person reads when a workflow fails.
//! - [`routes`]: the routes, with the upload size limit.

pub mod errors;
pub mod form;
pub mod page;
pub mod routes;
pub mod submit;

pub use routes::router;
