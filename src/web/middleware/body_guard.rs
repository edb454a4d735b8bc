//! A request body that stops arriving for `client_timeout` ends the request with a 408 page,
//! instead of holding the handler (and an upload's memory) forever. The request head has its
//! own timer in the accept loop (`crate::server`); a slow but steady upload is fine.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use tower_http::timeout::{TimeoutBody, TimeoutError};

use crate::state::AppState;
use crate::web::error::AppError;

/// Middleware: see the module doc.
pub async fn stalled_body_guard(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let stalled = Arc::new(AtomicBool::new(false));
    let flag = stalled.clone();
    let (parts, body) = request.into_parts();
    let body = TimeoutBody::new(state.config.client_timeout, body).map_err(move |e| {
        if e.is::<TimeoutError>() {
            flag.store(true, Ordering::Relaxed);
        }
        e
    });
    let response = next.run(Request::from_parts(parts, Body::new(body))).await;
    if stalled.load(Ordering::Relaxed) {
        tracing::info!("request body stalled; answered 408");
        return AppError::SlowRequest.into_response();
    }
    response
}
