//! Security headers on every response.
//!
//! Pages get a strict Content-Security-Policy (no inline script, no eval, nothing remote);
//! responses that need another policy (the sandboxed HTML body, downloads) set their own and
//! this layer leaves it alone.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use super::client::ClientInfo;

/// The policy of Carteiro's own pages.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn headers(request: Request, next: Next) -> Response {
    let https = request
        .extensions()
        .get::<ClientInfo>()
        .is_some_and(|c| c.https);
    let mut response = next.run(request).await;
    if https {
        // Served over HTTPS (directly, or by a trusted proxy): browsers must stay on it.
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    let h = response.headers_mut();
    let defaults = [
        (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "private, no-cache"),
    ];
    for (name, value) in defaults {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    // Browsers resolve the host names of links ahead of a click on pages served over plain
    // HTTP; a link to `http://<recipient-id>.tracker.example/` would then tell its sender the
    // message was opened, images blocked or not. Every response, the body frame included.
    h.insert("x-dns-prefetch-control", HeaderValue::from_static("off"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    response
}
