//! The HTTP side: one module per page, each with its own `router()`, merged here under the
//! configured base path, with the middleware every response goes through.

pub mod actions;
pub mod assets;
pub mod compose;
pub mod errors;
pub mod folders;
pub mod login;
pub mod mailbox;
pub mod message;
pub mod page;
pub mod search;
pub mod security;
pub mod settings;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode};
use axum::middleware;
use axum::routing::get;
use axum::Router;
use tower_http::csrf::CsrfLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use crate::error::AppError;

/// Largest request body accepted (login and other forms; uploads get their own limit).
const MAX_FORM_BYTES: usize = 64 * 1024;
/// How long a handler may take to produce its response head.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

/// The complete router with its middleware.
pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .merge(login::router())
        .merge(mailbox::router())
        .merge(message::router())
        .merge(compose::router(state.config.max_message_size))
        .merge(settings::router())
        .merge(folders::router())
        .merge(search::router())
        .merge(actions::router())
        .merge(assets::router())
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { AppError::NotFound })
        .with_state(state.clone());
    let base = state.config.base_path.clone();
    let routed = if base.is_empty() {
        pages
    } else {
        Router::new().nest(&base, pages)
    };
    // Layers wrap the ones added before them: the CSRF check and the timeout sit inside the
    // error-page renderer, so their refusals become pages too.
    routed
        .layer(CsrfLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            errors::render_error_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(TraceLayer::new_for_http())
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::COOKIE,
            header::AUTHORIZATION,
        ]))
}
