//! Static files, embedded in the binary so a deployment is one file.
//!
//! Pages link them as `/static/<name>?v=<hash of the content>` ([`url`]): such a URL always
//! names the same bytes, so browsers may keep it for a year without asking again
//! (`immutable`), and a new release changes the URL. A request without the current hash gets
//! an `ETag` and must revalidate, answered with 304 when nothing changed.

use std::sync::LazyLock;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::error::AppError;
use crate::brand::Accent;
use crate::state::AppState;

/// (name, content type, bytes)
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/style.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/app.js"),
    ),
    (
        "autocomplete.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/autocomplete.js"),
    ),
    (
        "blocked.svg",
        "image/svg+xml",
        include_bytes!("../../static/blocked.svg"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
    (
        "icons.svg",
        "image/svg+xml",
        include_bytes!("../../static/icons.svg"),
    ),
];

/// The first 16 hex digits of each file's SHA-256, computed once.
static HASHES: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(_, _, bytes)| hex::encode(&Sha256::digest(bytes)[..8]))
        .collect()
});

/// The URL pages use for a static file, under `base` (the configured base path).
pub fn url(base: &str, name: &str) -> String {
    match FILES.iter().position(|(n, _, _)| *n == name) {
        Some(i) => format!("{base}/static/{name}?v={}", HASHES[i]),
        None => format!("{base}/static/{name}"),
    }
}

/// A logo of the map file, by its fingerprinted name. Its type was decided from its bytes
/// when the map was read; `nosniff` keeps browsers to it, and the CSP runs nothing should
/// an SVG be opened on its own (pages show it only through `<img>`, where SVG never runs
/// script anyway).
fn brand_logo(state: &AppState, name: &str) -> Result<Response, AppError> {
    let logo = state
        .config
        .upstream_map
        .as_ref()
        .and_then(|m| m.looks())
        .and_then(|looks| looks.logo(name))
        .ok_or(AppError::NotFound)?;
    let headers = [
        (header::CONTENT_TYPE, logo.content_type),
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ),
    ];
    Ok((headers, logo.bytes.to_vec()).into_response())
}

/// The URL of a map-file logo ([`crate::brand::Logo::file_name`]).
pub fn brand_logo_url(base: &str, file_name: &str) -> String {
    format!("{base}/static/brand/{file_name}")
}

/// The stylesheet that gives a page a domain's accent ([`crate::brand`]).
pub fn brand_css_url(base: &str, accent: Accent) -> String {
    format!("{base}/static/brand/accent-{}.css", &accent.css()[1..])
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{name}", get(asset))
        .route("/static/brand/{name}", get(brand_file))
}

/// `accent-<rrggbb>.css`: the accent for the light theme, with white button text. A
/// stylesheet rather than an inline `style` because the page CSP allows styles from 'self'
/// only. The colour in the URL is read as strictly as in the map file (and must pass the
/// same contrast check), so no other text reaches the CSS; the dark theme keeps its own
/// accent, as the contrast was checked against white text only.
async fn brand_file(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    if name.starts_with("logo-") {
        return brand_logo(&state, &name);
    }
    let hex = name
        .strip_prefix("accent-")
        .and_then(|n| n.strip_suffix(".css"))
        .filter(|h| h.len() == 6)
        .ok_or(AppError::NotFound)?;
    let accent = Accent::parse_for_buttons(&format!("#{hex}")).map_err(|_| AppError::NotFound)?;
    let css = format!(
        ":root {{ --accent: light-dark({c}, #7fb0ff); --accent-fg: light-dark(#ffffff, #10131a); --unread: light-dark({c}, #7fb0ff); }}\n",
        c = accent.css()
    );
    let headers = [
        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    Ok((headers, css).into_response())
}

#[derive(Deserialize)]
struct Version {
    v: Option<String>,
}

async fn asset(
    Path(name): Path<String>,
    Query(version): Query<Version>,
    request_headers: HeaderMap,
) -> Result<Response, AppError> {
    let index = FILES
        .iter()
        .position(|(n, _, _)| *n == name)
        .ok_or(AppError::NotFound)?;
    let (_, content_type, bytes) = FILES[index];
    let hash = &HASHES[index];
    let etag = format!("\"{hash}\"");
    let cache = if version.v.as_deref() == Some(hash.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (
            header::ETAG,
            HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.to_string()))?,
        ),
    ];
    let unchanged = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    Ok((headers, bytes).into_response())
}
