//! The sanitized HTML body of a message, as a document of its own for a sandboxed frame.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::display::{body_key, display_bytes, links, ViewQuery, MAX_VIEW_BYTES};
use super::path::parse_uid;
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::CurrentSession;
use crate::web::page::PageCtx;

/// The sanitized HTML body as a document of its own, for a sandboxed frame. Its policy lets
/// it load only our own parts (and remote images once allowed) and run no script at all.
/// The body is usually the one its page rendered a moment before (see
/// [`crate::mail::read`]); otherwise it is rendered here, off the async workers.
pub async fn html_frame(
    State(state): State<AppState>,
    session: CurrentSession,
    Path((folder, uid)): Path<(String, String)>,
    Query(query): Query<ViewQuery>,
) -> Result<Response, AppError> {
    let uid = parse_uid(&uid)?;
    let allow_remote = query.images.as_deref() == Some("1");
    let key = body_key(&session, &folder, uid, allow_remote).await?;
    // Right after its page, the body is at hand: nothing is fetched or parsed again.
    let html = match state.reader.kept_body(&key) {
        Some(html) => html,
        None => {
            let ctx = PageCtx::for_session(&state, &session);
            let fetched = session
                .imap
                .message(&folder, uid, MAX_VIEW_BYTES, false)
                .await?;
            let (bytes, _) = display_bytes(&session.imap, &folder, &fetched).await?;
            let links = links(&ctx, &folder, uid);
            state
                .reader
                .body(key, bytes, fetched.parts, links)
                .await?
                .ok_or(AppError::NotFound)?
        }
    };
    let document = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><base target=\"_blank\">\
<style>body{{margin:0;padding:8px;font-family:system-ui,sans-serif;overflow-wrap:anywhere;color:#111;background:#fff}}\
img{{max-width:100%;height:auto}}table{{max-width:100%}}blockquote{{margin:0 0 0 .8em;padding-left:.8em;border-left:3px solid #ccc}}</style>\
</head><body>{html}</body></html>"
    );
    let img_src = if allow_remote {
        "'self' data: https: http:"
    } else {
        "'self' data:"
    };
    let csp = format!(
        "default-src 'none'; img-src {img_src}; style-src 'unsafe-inline'; frame-ancestors 'self'; \
base-uri 'none'; form-action 'none'; sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox"
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&csp).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    Ok((headers, document).into_response())
}
