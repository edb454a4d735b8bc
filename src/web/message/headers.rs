//! The response headers of a download: whatever its bytes are, they must never run as a page
//! of ours, and a file name reaches the browser intact but harmless.

use axum::http::{header, HeaderMap, HeaderValue};

use crate::mime::parts;

pub fn download_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    // Whatever the bytes are, they must never run as a page of ours.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    headers
}

pub fn part_headers(mime_type: &str, filename: &str, inline: bool) -> HeaderMap {
    let mut headers = download_headers();
    let shows_inline = inline && parts::is_safe_inline_image(mime_type);
    let content_type = if mime_type.bytes().all(|b| b.is_ascii_graphic()) && mime_type.contains('/')
    {
        mime_type
    } else {
        "application/octet-stream"
    };
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    let disposition = if shows_inline { "inline" } else { "attachment" };
    headers.insert(
        header::CONTENT_DISPOSITION,
        content_disposition(disposition, filename),
    );
    headers
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266).
pub fn content_disposition(kind: &str, filename: &str) -> HeaderValue {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded =
        percent_encoding::utf8_percent_encode(filename, percent_encoding::NON_ALPHANUMERIC);
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}
