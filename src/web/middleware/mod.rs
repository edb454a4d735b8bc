//! The middleware every response goes through (the order is set in [`crate::web::router`]):
//! who the client is, request ids and access logs, security headers, error pages, and the
//! guard against request bodies that stall.

pub mod body_guard;
pub mod client;
pub mod error_pages;
pub mod observe;
pub mod security;
