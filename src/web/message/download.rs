//! Downloads: a message's source and its parts, streamed from IMAP a chunk at a time and
//! decoded on the way, each with a strong ETag so a revalidation costs no FETCH.

use axum::body::Body as HttpBody;
use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::conditional::{download_etag, not_modified, not_modified_response};
use super::headers::{content_disposition, download_headers, part_headers};
use super::path::parse_uid;
use crate::imap::{ImapError, ImapHandle};
use crate::mime::{self, parts, transfer::Decoder};
use crate::model::TransferEncoding;
use crate::web::error::AppError;
use crate::web::extract::CurrentSession;

/// Size of each partial FETCH when streaming a download.
pub const CHUNK: u32 = 1024 * 1024;

#[derive(Deserialize)]
pub struct DownloadQuery {
    inline: Option<String>,
    download: Option<String>,
}

/// The message source, streamed from IMAP in chunks.
pub async fn raw_source(
    session: CurrentSession,
    Path((folder, uid)): Path<(String, String)>,
    Query(query): Query<DownloadQuery>,
    request: HeaderMap,
) -> Result<Response, AppError> {
    let uid = parse_uid(&uid)?;
    let variant = if query.download.is_some() {
        "raw-download"
    } else {
        "raw"
    };
    let etag = download_etag(&session, &folder, uid, variant).await?;
    if not_modified(&request, &etag) {
        return Ok(not_modified_response(etag));
    }
    // Checks that the message exists before the response starts; the source is still
    // available when only the structure is unreadable.
    match session.imap.structure(&folder, uid).await {
        Ok(_) | Err(ImapError::Protocol(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let mut headers = download_headers();
    headers.insert(header::ETAG, etag);
    if query.download.is_some() {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("message/rfc822"),
        );
        headers.insert(
            header::CONTENT_DISPOSITION,
            content_disposition("attachment", &format!("message-{uid}.eml")),
        );
    } else {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    let body = stream_section(
        session.imap.clone(),
        folder,
        uid,
        String::new(),
        TransferEncoding::Identity,
    );
    Ok((headers, body).into_response())
}

/// One part, decoded and streamed; shown inline only for image types a browser renders
/// without running anything.
pub async fn part(
    session: CurrentSession,
    Path((folder, uid, section)): Path<(String, String, String)>,
    Query(query): Query<DownloadQuery>,
    request: HeaderMap,
) -> Result<Response, AppError> {
    let uid = parse_uid(&uid)?;
    if section.is_empty() || !section.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(AppError::NotFound);
    }
    let variant = if query.inline.is_some() {
        format!("part-inline {section}")
    } else {
        format!("part {section}")
    };
    let etag = download_etag(&session, &folder, uid, &variant).await?;
    if not_modified(&request, &etag) {
        return Ok(not_modified_response(etag));
    }
    let parts = match session.imap.structure(&folder, uid).await {
        Ok((_, parts)) => parts,
        Err(ImapError::Protocol(_)) => {
            let mut response = buffered_part(
                &session.imap,
                &folder,
                uid,
                &section,
                query.inline.is_some(),
            )
            .await?;
            response.headers_mut().insert(header::ETAG, etag);
            return Ok(response);
        }
        Err(e) => return Err(e.into()),
    };
    let info = parts
        .iter()
        .find(|p| p.section == section)
        .ok_or(AppError::NotFound)?;
    let mut headers = part_headers(
        &info.mime_type,
        &parts::filename(info),
        query.inline.is_some(),
    );
    headers.insert(header::ETAG, etag);
    let body = stream_section(session.imap.clone(), folder, uid, section, info.encoding);
    Ok((headers, body).into_response())
}

/// Fallback for servers whose BODYSTRUCTURE cannot be read: parse the whole message here.
pub async fn buffered_part(
    imap: &ImapHandle,
    folder: &str,
    uid: u32,
    section: &str,
    inline: bool,
) -> Result<Response, AppError> {
    let fetched = imap
        .message(folder, uid, mime::MAX_PARSE_BYTES as u32, false)
        .await?;
    let message = mime::parse(&fetched.bytes).ok_or(AppError::NotFound)?;
    let (info, index) = parts::from_parsed(&message)
        .into_iter()
        .find(|(p, _)| p.section == section)
        .ok_or(AppError::NotFound)?;
    let contents = Bytes::copy_from_slice(message.parts[index].contents());
    let headers = part_headers(&info.mime_type, &parts::filename(&info), inline);
    Ok((headers, contents).into_response())
}

/// Streams a section (`""` = whole message) from IMAP through a decoder, one partial FETCH
/// at a time, so memory stays at a chunk or two whatever the size. The fetching task stops
/// as soon as the browser goes away (the channel closes).
pub fn stream_section(
    imap: ImapHandle,
    folder: String,
    uid: u32,
    section: String,
    encoding: TransferEncoding,
) -> HttpBody {
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(2);
    tokio::spawn(async move {
        let mut decoder = Decoder::new(encoding);
        let mut offset: u64 = 0;
        loop {
            match imap.chunk(&folder, uid, &section, offset, CHUNK).await {
                Ok(data) => {
                    let n = data.len();
                    offset += n as u64;
                    let out = decoder.push(&data);
                    if !out.is_empty() && tx.send(Ok(Bytes::from(out))).await.is_err() {
                        return;
                    }
                    if n < CHUNK as usize {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "download interrupted");
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            }
        }
        let rest = decoder.finish();
        if !rest.is_empty() {
            let _ = tx.send(Ok(Bytes::from(rest))).await;
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    HttpBody::from_stream(stream)
}
