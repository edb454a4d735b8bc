//! One message: the reading page, its HTML body frame, its raw source and its parts.
//!
//! - [`page`]: the reading page (`/mail/{folder}/{uid}`), with [`conversation`] beside it.
//! - [`frame`]: the sanitized HTML body as a document of its own (`…/body`).
//! - [`display`]: the bytes page and frame render, bounded for large messages.
//! - [`download`]: the source (`…/raw`) and one part (`…/part/{section}`), streamed, with
//!   [`headers`] that keep them from running as a page and [`conditional`] answers (ETag, 304).
//! - [`routes`]: every route of a message.

mod conditional;
mod conversation;
mod display;
mod download;
mod frame;
mod headers;
mod page;
mod path;
mod routes;

pub use routes::router;
