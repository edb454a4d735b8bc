//! One message: the reading page, its HTML body frame, its raw source and its parts.

use std::collections::HashSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body as HttpBody;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::error::AppError;
use super::extract::CurrentSession;
use super::page::{folder_title, segment, sidebar, FolderLink, PageCtx};
use crate::imap::{ImapError, ImapHandle};
use crate::mime::parts::{self, Attachment};
use crate::mime::view::{self, Body, Links};
use crate::mime::{self, transfer::Decoder, Mailbox};
use crate::model::{FetchedMessage, Role, TransferEncoding};
use crate::state::AppState;

/// Bytes of a message fetched for its view in one go. A larger message is shown from its
/// text parts only, fetched by section, so its attachments never pass through memory.
const MAX_VIEW_BYTES: u32 = 1024 * 1024;
/// Largest text part shown of a large message.
const MAX_TEXT_PART: u32 = 4 * 1024 * 1024;
/// Most text shown of a large message, in all, and from how many parts at most.
const MAX_TEXT_TOTAL: u32 = 8 * 1024 * 1024;
const MAX_TEXT_SECTIONS: usize = 100;
/// Size of each partial FETCH when streaming a download.
const CHUNK: u32 = 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mail/{folder}/{uid}", get(message_page))
        .route("/mail/{folder}/{uid}/body", get(html_frame))
        .route("/mail/{folder}/{uid}/raw", get(raw_source))
        .route("/mail/{folder}/{uid}/part/{section}", get(part))
}

#[derive(Deserialize)]
struct ViewQuery {
    images: Option<String>,
    /// The list shown beside the message (page, view, search), as the list linked to it.
    #[serde(flatten)]
    list: super::mailbox::ListQuery,
}

#[derive(Deserialize)]
struct DownloadQuery {
    inline: Option<String>,
    download: Option<String>,
}

/// An attachment ready to print.
struct AttachmentRow {
    url: String,
    filename: String,
    mime_type: String,
    size: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
struct MessageTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    folder_title: String,
    folder_url: String,
    /// The folder's list, shown beside the message on wide screens.
    list: Option<super::mailbox::ListView>,
    subject: String,
    from: Vec<Mailbox>,
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    reply_to: Vec<Mailbox>,
    date: String,
    /// Escaped HTML of a plain-text body.
    text_html: Option<String>,
    /// URL of the sandboxed HTML body.
    frame_url: Option<String>,
    blocked_remote: usize,
    show_images_url: String,
    images_allowed: bool,
    attachments: Vec<AttachmentRow>,
    raw_url: String,
    /// The other messages of this one's conversation (with this one marked), when any.
    conversation: Vec<ConversationRow>,
    uid: u32,
    flagged: bool,
    actions_url: String,
    back: String,
    targets: Vec<super::mailbox::Target>,
    reply_url: String,
    forward_url: String,
    truncated: bool,
    unreadable: bool,
    size: String,
}

fn parse_uid(uid: &str) -> Result<u32, AppError> {
    uid.parse::<u32>()
        .ok()
        .filter(|&u| u > 0)
        .ok_or(AppError::NotFound)
}

async fn message_page(
    State(state): State<AppState>,
    session: CurrentSession,
    Path((folder, uid)): Path<(String, String)>,
    Query(query): Query<ViewQuery>,
) -> Result<MessageTemplate, AppError> {
    let uid = parse_uid(&uid)?;
    let mut images_allowed = query.images.as_deref() == Some("1");
    let ctx = PageCtx::for_session(&state, &session);
    let folders = session.imap.folders().await?;
    let fetched = session
        .imap
        .message(&folder, uid, MAX_VIEW_BYTES, true)
        .await?;
    let (bytes, truncated) = display_bytes(&session.imap, &folder, &fetched).await?;
    let message_url = ctx.message_url(&folder, uid);
    // Rendering is synchronous and scoped, so nothing borrowed by it lives across an await.
    let render = |images_allowed: bool| {
        let part_url = |section: &str| format!("{message_url}/part/{section}");
        let blocked = super::assets::url(&ctx.base, "blocked.svg");
        let links = Links {
            part_url: &part_url,
            blocked_image_url: &blocked,
        };
        match mime::parse(&bytes) {
            Some(message) => (
                Some(view::build(
                    &message,
                    fetched.parts.as_deref(),
                    images_allowed,
                    &links,
                )),
                false,
                conversation_root(&message),
            ),
            None => (None, true, None),
        }
    };
    let (mut view, unreadable, root) = render(images_allowed);
    if let Some(v) = &view {
        if v.blocked_remote > 0
            && !images_allowed
            && session.prefs.known_images
            && is_known_sender(&session, &folders, &v.from).await
        {
            images_allowed = true;
            view = render(true).0;
        }
    }
    let conversation = match root {
        Some(root) => conversation(&session.imap, &ctx, &folders, &folder, uid, &root).await,
        None => Vec::new(),
    };
    let attachments: Vec<Attachment> = match &view {
        Some(v) => v.attachments.clone(),
        // Unparseable: still offer every part the server sees.
        None => fetched
            .parts
            .as_deref()
            .map(|p| parts::attachments(p, &Default::default()))
            .unwrap_or_default(),
    };
    let attachments = attachments
        .into_iter()
        .map(|a| AttachmentRow {
            url: format!("{message_url}/part/{}", segment(&a.section)),
            filename: a.filename,
            mime_type: a.mime_type,
            size: ctx.size(a.size),
        })
        .collect();
    let images_q = if images_allowed { "?images=1" } else { "" };
    let (text_html, frame_url) = match view.as_ref().map(|v| &v.body) {
        Some(Body::Html) => (None, Some(format!("{message_url}/body{images_q}"))),
        Some(Body::Text(html)) => (Some(html.clone()), None),
        _ => (None, None),
    };
    // The list beside the message; a list that cannot be made (a search the server refuses)
    // leaves the message on its own rather than failing the page.
    let list = super::mailbox::list_view(&ctx, &session, &folders, &folder, &query.list, Some(uid))
        .await
        .ok();
    // The list's page and search, for the way back after an action.
    let list_suffix = list
        .as_ref()
        .and_then(|l| l.url.split_once('?').map(|(_, q)| format!("?{q}")))
        .unwrap_or_default();
    let view = view.unwrap_or_else(|| view::MessageView {
        subject: String::new(),
        from: Vec::new(),
        to: Vec::new(),
        cc: Vec::new(),
        reply_to: Vec::new(),
        date: None,
        body: Body::Empty,
        attachments: Vec::new(),
        blocked_remote: 0,
    });
    Ok(MessageTemplate {
        folders: sidebar(&ctx, &folders, &folder),
        folder_title: folder_title(&ctx, &folders, &folder),
        folder_url: list
            .as_ref()
            .map(|l| l.url.clone())
            .unwrap_or_else(|| ctx.folder_url(&folder)),
        list,
        subject: if view.subject.is_empty() {
            ctx.lang.t("no-subject")
        } else {
            view.subject
        },
        from: view.from,
        to: view.to,
        cc: view.cc,
        reply_to: view.reply_to,
        date: view.date.map(|d| ctx.full_date(d)).unwrap_or_default(),
        text_html,
        frame_url,
        blocked_remote: view.blocked_remote,
        show_images_url: format!("{message_url}?images=1"),
        images_allowed,
        attachments,
        raw_url: format!("{message_url}/raw"),
        conversation,
        uid,
        flagged: fetched.flags.flagged,
        actions_url: format!("{}/actions", ctx.folder_url(&folder)),
        back: format!("/mail/{}/{uid}{}", segment(&folder), list_suffix),
        targets: super::mailbox::move_targets(&ctx, &folders, &folder),
        reply_url: format!(
            "{}/compose?folder={}&reply={uid}",
            ctx.base,
            super::page::query_value(&folder)
        ),
        forward_url: format!(
            "{}/compose?folder={}&forward={uid}",
            ctx.base,
            super::page::query_value(&folder)
        ),
        truncated,
        unreadable,
        size: ctx.size(u64::from(fetched.size)),
        ctx,
    })
}

/// Whether the message is from someone the person has written to (their address is a
/// recipient of something in Sent): the "show images from known senders" preference. A
/// look-alike domain is never known, and any doubt (no Sent folder, an error) means unknown.
async fn is_known_sender(
    session: &CurrentSession,
    folders: &[crate::model::Folder],
    from: &[Mailbox],
) -> bool {
    let [sender] = from else {
        return false;
    };
    let Some(email) = sender
        .email
        .as_deref()
        .filter(|_| !sender.deceptive_domain())
    else {
        return false;
    };
    let Some(sent) = folders.iter().find(|f| f.role == Some(Role::Sent)) else {
        return false;
    };
    let query = crate::imap::SearchQuery {
        to: email.to_string(),
        ..Default::default()
    };
    match session.imap.page(&sent.name, 0, 1, Some(query)).await {
        Ok(found) => found.total > 0,
        Err(e) => {
            tracing::debug!(error = %e, "known-sender check failed");
            false
        }
    }
}

/// One message of a conversation, as the message page lists it.
struct ConversationRow {
    url: String,
    who: String,
    subject: String,
    date: String,
    current: bool,
    /// The folder's label when it is not the one being read (replies sit in Sent).
    elsewhere: Option<String>,
}

/// The Message-ID that starts this message's conversation (the first of its References,
/// else what it replies to), for messages that reply to something. A message that replies
/// to nothing gets no lookup: searching headers costs the server a scan of the folder
/// (about 10 ms per 10,000 messages, measured), too much to pay on every message opened.
fn conversation_root(message: &mail_parser::Message<'_>) -> Option<String> {
    let first = |v: &mail_parser::HeaderValue<'_>| {
        v.as_text_list()
            .and_then(|l| l.first().map(|s| s.to_string()))
            .or_else(|| v.as_text().map(str::to_string))
    };
    first(message.references())
        .or_else(|| first(message.in_reply_to()))
        .filter(|id| !id.is_empty())
        .map(|id| format!("<{id}>"))
}

/// The conversation in this folder, in Sent (where the person's own replies are) and in the Inbox,
/// oldest first; empty when the message stands alone.
async fn conversation(
    imap: &ImapHandle,
    ctx: &PageCtx,
    folders: &[crate::model::Folder],
    folder: &str,
    uid: u32,
    root: &str,
) -> Vec<ConversationRow> {
    // The other side of a conversation lives in Sent (or, read from Sent, in the Inbox).
    let mut places = vec![folder.to_string()];
    for role in [crate::model::Role::Sent, crate::model::Role::Inbox] {
        if let Some(f) = folders.iter().find(|f| f.role == Some(role)) {
            if !places.contains(&f.name) {
                places.push(f.name.clone());
            }
        }
    }
    let mut rows: Vec<(String, ConversationRow)> = Vec::new();
    for place in places {
        // A failure here only costs the list, never the message itself.
        let Ok(found) = imap.conversation(&place, root).await else {
            continue;
        };
        for s in found {
            let h = crate::mime::headers::list_headers(&s.headers);
            let sort_key = s
                .internal_date
                .as_deref()
                .map(sortable_date)
                .unwrap_or_default();
            rows.push((
                sort_key,
                ConversationRow {
                    url: ctx.message_url(&place, s.uid),
                    who: h.from.first().map(|m| m.short()).unwrap_or_default(),
                    subject: h.subject,
                    date: h
                        .date
                        .or_else(|| {
                            s.internal_date
                                .as_deref()
                                .and_then(crate::mime::headers::internal_date)
                        })
                        .map(|d| ctx.list_date(d))
                        .unwrap_or_default(),
                    current: place == folder && s.uid == uid,
                    elsewhere: (place != folder)
                        .then(|| super::page::folder_title(ctx, folders, &place)),
                },
            ));
        }
    }
    if rows.len() < 2 {
        return Vec::new();
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// `17-Jul-1996 02:44:25 -0700` as `1996-07-17 02:44:25`, for ordering.
fn sortable_date(internal: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut it = internal.trim().split([' ', '-']).filter(|s| !s.is_empty());
    let (Some(d), Some(m), Some(y), Some(t)) = (it.next(), it.next(), it.next(), it.next()) else {
        return String::new();
    };
    let month = MONTHS
        .iter()
        .position(|x| x.eq_ignore_ascii_case(m))
        .unwrap_or(0)
        + 1;
    format!("{y}-{month:02}-{:0>2} {t}", d)
}

/// The bytes a view renders, and whether they are cut short: the whole message when it fit in
/// the first fetch, else a message rebuilt from its header and its text parts.
async fn display_bytes(
    imap: &ImapHandle,
    folder: &str,
    fetched: &FetchedMessage,
) -> Result<(Vec<u8>, bool), AppError> {
    if fetched.is_complete() {
        return Ok((fetched.bytes.clone(), false));
    }
    let Some(parts) = &fetched.parts else {
        return Ok((fetched.bytes.clone(), true));
    };
    // The text parts in order, within a budget of parts and bytes: a message of ten thousand
    // text parts must not become one FETCH of ten thousand sections (longer than the server
    // takes in a command line, which failed the page) nor tens of megabytes to render.
    let wanted: HashSet<String> = view::display_sections(parts).into_iter().collect();
    let mut sections = Vec::new();
    let mut bytes_left = MAX_TEXT_TOTAL;
    let mut cut = false;
    for p in parts.iter().filter(|p| wanted.contains(&p.section)) {
        let size = p.octets.min(MAX_TEXT_PART);
        if sections.len() == MAX_TEXT_SECTIONS || size > bytes_left {
            cut = true;
            break;
        }
        cut |= p.octets > MAX_TEXT_PART;
        bytes_left -= size;
        sections.push(p.section.clone());
    }
    let pieces = imap
        .sections(folder, fetched.uid, sections, MAX_TEXT_PART)
        .await?;
    Ok((view::synthesize(&fetched.bytes, &pieces), cut))
}

/// The sanitized HTML body as a document of its own, for a sandboxed frame. Its policy lets
/// it load only our own parts (and remote images once allowed) and run no script at all.
async fn html_frame(
    State(state): State<AppState>,
    session: CurrentSession,
    Path((folder, uid)): Path<(String, String)>,
    Query(query): Query<ViewQuery>,
) -> Result<Response, AppError> {
    let uid = parse_uid(&uid)?;
    let allow_remote = query.images.as_deref() == Some("1");
    let ctx = PageCtx::for_session(&state, &session);
    let fetched = session
        .imap
        .message(&folder, uid, MAX_VIEW_BYTES, false)
        .await?;
    let (bytes, _) = display_bytes(&session.imap, &folder, &fetched).await?;
    let message = mime::parse(&bytes).ok_or(AppError::NotFound)?;
    let message_url = ctx.message_url(&folder, uid);
    let part_url = |section: &str| format!("{message_url}/part/{}", segment(section));
    let blocked = super::assets::url(&ctx.base, "blocked.svg");
    let links = Links {
        part_url: &part_url,
        blocked_image_url: &blocked,
    };
    let parts = view::part_list(&message, fetched.parts.as_deref());
    let (sanitized, _) =
        view::html_body(&message, &parts, allow_remote, &links).ok_or(AppError::NotFound)?;
    let document = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><base target=\"_blank\">\
<style>body{{margin:0;padding:8px;font-family:system-ui,sans-serif;overflow-wrap:anywhere;color:#111;background:#fff}}\
img{{max-width:100%;height:auto}}table{{max-width:100%}}blockquote{{margin:0 0 0 .8em;padding-left:.8em;border-left:3px solid #ccc}}</style>\
</head><body>{}</body></html>",
        sanitized.html
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

/// The message source, streamed from IMAP in chunks.
async fn raw_source(
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
async fn part(
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
async fn buffered_part(
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

/// A download's strong validator. A message's bytes never change while its folder keeps its
/// UIDVALIDITY (IMAP never gives a UID to another message), so the ETag derives from the
/// account, the folder, UIDVALIDITY and UID, plus what is downloaded and how (`variant`:
/// source or section, inline or attachment, whose headers differ). The account is in it
/// because one browser may sign in to two accounts whose folders share a UIDVALIDITY (Dovecot
/// uses the creation time); the hash keeps account and folder names out of the header. Only
/// SELECT's answer is needed, usually already at hand, so a 304 costs no FETCH.
async fn download_etag(
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
fn not_modified(request: &HeaderMap, etag: &HeaderValue) -> bool {
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
fn not_modified_response(etag: HeaderValue) -> Response {
    let mut headers = download_headers();
    headers.insert(header::ETAG, etag);
    (axum::http::StatusCode::NOT_MODIFIED, headers).into_response()
}

fn download_headers() -> HeaderMap {
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

fn part_headers(mime_type: &str, filename: &str, inline: bool) -> HeaderMap {
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
fn content_disposition(kind: &str, filename: &str) -> HeaderValue {
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

/// Streams a section (`""` = whole message) from IMAP through a decoder, one partial FETCH
/// at a time, so memory stays at a chunk or two whatever the size. The fetching task stops
/// as soon as the browser goes away (the channel closes).
fn stream_section(
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
