//! Liveness and readiness, for container health checks, orchestrators and load balancers.
//!
//! - `GET /healthz`: the process answers HTTP. Nothing else is checked, so a mail server
//!   outage never gets Carteiro restarted (it keeps serving, with a clear page, and recovers
//!   by itself).
//! - `GET /readyz`: the IMAP server can be reached: a TCP dial, TLS (or STARTTLS) and its
//!   greeting, without logging in, remembered for a few seconds ([`crate::health`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
}

async fn readyz(State(state): State<AppState>) -> Response {
    // With upstream_map there is no one server whose absence makes this instance unready.
    if state.config.upstream_map.is_some() || state.readiness.check(&state.connector).await {
        "ready".into_response()
    } else {
        // The reason (host names, errors) goes to the log, not to whoever asks.
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the IMAP server cannot be reached",
        )
            .into_response()
    }
}
