//! What every request leaves behind: a request id, a log span, an access line and metrics.
//!
//! Each request gets an id (`X-Request-Id`, echoed in the response): the one a trusted reverse
//! proxy (`trusted_proxies`) sent, when it is a short token, or a fresh random one. The id, the method and the route
//! *template* form the span every log line of the request is written in, so the lines of one
//! request can be found together. The path itself is not logged, nor is the query: they hold
//! folder names and search words, which are the reader's business.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::metrics::method_label;
use crate::state::AppState;

/// The request id header, set on the way in and copied to the response.
pub const REQUEST_ID: &str = "x-request-id";

/// Route label of requests that matched no route (404 pages, scans of random paths).
const UNMATCHED: &str = "unmatched";

/// Fresh request ids: 16 random hex digits.
#[derive(Clone, Copy, Default)]
pub struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = format!("{:016x}", rand::random::<u64>());
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// Middleware, before the id is set: an incoming `X-Request-Id` is kept only when it comes
/// from a trusted proxy and is a short token (letters, digits, `-`, `_`, `.`, `:`; at most
/// 64); otherwise it is dropped and a fresh one is made. A client cannot write text into the
/// log, nor give its requests the id of someone else's.
pub async fn drop_unusable_request_id(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let from_trusted_proxy = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| {
            let ip = peer.ip();
            state
                .config
                .trusted_proxies
                .iter()
                .any(|net| net.contains(&ip))
        });
    let usable = from_trusted_proxy
        && request.headers().get(REQUEST_ID).is_none_or(|v| {
            let bytes = v.as_bytes();
            !bytes.is_empty()
                && bytes.len() <= 64
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
        });
    if !usable {
        request.headers_mut().remove(REQUEST_ID);
    }
    next.run(request).await
}

/// The span of one request: id, method and route template.
pub fn span_for<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        route = %route_of(request, ""),
    )
}

/// The route template that matched, without the base path; `unmatched` when none did.
fn route_of<B>(request: &axum::http::Request<B>, base_path: &str) -> String {
    match request.extensions().get::<MatchedPath>() {
        Some(matched) => {
            let path = matched.as_str();
            path.strip_prefix(base_path)
                .filter(|rest| rest.starts_with('/'))
                .unwrap_or(path)
                .to_string()
        }
        None => UNMATCHED.to_string(),
    }
}

/// Middleware: counts and times every request by its route template and writes one access
/// line. Added with `Router::layer`, so it runs after routing and sees [`MatchedPath`]; the
/// base path is cut off, so dashboards do not depend on where Carteiro is mounted.
///
/// Health probes that succeed are logged at debug only: an orchestrator asks every few
/// seconds, and those lines would bury everything else.
pub async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = route_of(&request, &state.config.base_path);
    let response = next.run(request).await;
    let took = started.elapsed();
    let status = response.status();
    let probe = route == "/healthz" || route == "/readyz";
    if probe && status == StatusCode::OK {
        tracing::debug!(
            status = status.as_u16(),
            ms = took.as_millis() as u64,
            "request"
        );
    } else {
        tracing::info!(
            status = status.as_u16(),
            ms = took.as_millis() as u64,
            "request"
        );
    }
    state
        .metrics
        .request_done(method, route, status.as_u16(), took);
    response
}
