//! Conditional downloads: the strong ETag of a message's source or part, and the 304 that
//! answers a revalidation without fetching anything.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::headers::download_headers;
use crate::web::error::AppError;
use crate::web::extract::CurrentSession;

/// A download's strong validator. A message's bytes never change while its folder keeps its
/// UIDVALIDITY (IMAP never gives a UID to another message), so the ETag derives from the
/// account, the folder, UIDVALIDITY and UID, plus what is downloaded and how (`variant`:
/// source or section, inline or attachment, whose headers differ). The account is in it
/// because one browser may sign in to two accounts whose folders share a UIDVALIDITY (Dovecot
/// uses the creation time); the hash keeps account and folder names out of the header. Only
/// SELECT's answer is needed, usually already at hand, so a 304 costs no FETCH.
pub async fn download_etag(
    session: &CurrentSession,
    folder: &str,
    uid: u32,
    variant: &str,
) -> Result<HeaderValue, AppError> {
    use sha2::{Digest, Sha256};
    let uid_validity = session.imap.uid_validity(folder).await?;
    let mut hash = Sha256::new();
    // Bump the version when what a download contains changes (e.g. its decoding).
    for field in [
        "carteiro-download-v1",
        &session.username,
        folder,
        &uid_validity.to_string(),
        &uid.to_string(),
        variant,
    ] {
        hash.update((field.len() as u64).to_be_bytes());
        hash.update(field.as_bytes());
    }
    let hex = hex::encode(&hash.finalize()[..16]);
    HeaderValue::from_str(&format!("\"{hex}\"")).map_err(|e| AppError::Internal(e.to_string()))
}

/// Whether the request's `If-None-Match` names `etag` (or `*`). Weak comparison, as RFC 9110
/// prescribes for this header.
pub fn not_modified(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// 304 with the headers a 200 would have had for caching.
pub fn not_modified_response(etag: HeaderValue) -> Response {
    let mut headers = download_headers();
    headers.insert(header::ETAG, etag);
    (axum::http::StatusCode::NOT_MODIFIED, headers).into_response()
}
