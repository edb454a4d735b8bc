//! The routes of one message: its page, its HTML body, its source and its parts.

use axum::routing::get;
use axum::Router;

use super::download::{part, raw_source};
use super::frame::html_frame;
use super::page::message_page;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mail/{folder}/{uid}", get(message_page))
        .route("/mail/{folder}/{uid}/body", get(html_frame))
        .route("/mail/{folder}/{uid}/raw", get(raw_source))
        .route("/mail/{folder}/{uid}/part/{section}", get(part))
}
