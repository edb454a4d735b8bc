//! The compose routes, with a body limit that lets a message's worth of files through.

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;

use super::page::compose_page;
use super::submit::submit;
use crate::state::AppState;

/// Extra room over the message size limit for the form fields around the files.
const FORM_OVERHEAD: usize = 1024 * 1024;

pub fn router(max_message_size: usize) -> Router<AppState> {
    Router::new()
        .route("/compose", get(compose_page).post(submit))
        .layer(DefaultBodyLimit::max(
            max_message_size.saturating_add(FORM_OVERHEAD),
        ))
}
