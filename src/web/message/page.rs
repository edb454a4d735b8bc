//! The reading page of one message: its headers, its body (plain text in the page, HTML in a
//! sandboxed frame), its attachments, its conversation, and the folder's list beside it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};

use std::sync::Arc;

use super::conversation::{conversation, ConversationRow};
use super::display::{body_key, display_bytes, links, ViewQuery, MAX_VIEW_BYTES};
use super::path::parse_uid;
use crate::mail::bodies::BodyKey;
use crate::mime::parts::{self, Attachment};
use crate::mime::view::{self, Body};
use crate::mime::Mailbox;
use crate::model::{Folder, PartInfo, Role};
use crate::percent::segment;
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::CurrentSession;
use crate::web::page::{folder_title, sidebar, FolderLink, PageCtx, PageFrame};

/// An attachment ready to print.
pub struct AttachmentRow {
    url: String,
    filename: String,
    mime_type: String,
    size: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
pub struct MessageTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    folder_title: String,
    folder_url: String,
    /// The folder's list, shown beside the message on wide screens.
    list: Option<crate::web::mailbox::ListView>,
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
    targets: Vec<crate::web::mailbox::Target>,
    reply_url: String,
    forward_url: String,
    /// The address book's add form, prefilled with the sender (which says so when the
    /// sender is a contact already): not looked up here, so reading stays one IMAP step.
    add_contact_url: Option<String>,
    /// A new filter rule, prefilled from the message's list (List-Id), else its sender; only
    /// when the server offers filters.
    filter_url: Option<String>,
    truncated: bool,
    unreadable: bool,
    size: String,
}

pub async fn message_page(
    State(state): State<AppState>,
    session: CurrentSession,
    Path((folder, uid)): Path<(String, String)>,
    Query(query): Query<ViewQuery>,
) -> Result<MessageTemplate, AppError> {
    let uid = parse_uid(&uid)?;
    let mut images_allowed = query.images.as_deref() == Some("1");
    let PageFrame { ctx, folders } = PageFrame::load(&state, &session).await?;
    let fetched = session
        .imap
        .message(&folder, uid, MAX_VIEW_BYTES, true)
        .await?;
    let (bytes, truncated) = display_bytes(&session.imap, &folder, &fetched).await?;
    let message_url = ctx.message_url(&folder, uid);
    // Parsed and sanitized off the async workers; the HTML body is kept for the frame.
    let bytes = Arc::new(bytes);
    let server_parts: Option<Arc<[PartInfo]>> = fetched.parts.clone().map(Into::into);
    let links = Arc::new(links(&ctx, &folder, uid));
    let key = body_key(&session, &folder, uid, images_allowed).await?;
    let rendered = state
        .reader
        .view(
            key.clone(),
            bytes.clone(),
            server_parts.clone(),
            links.clone(),
        )
        .await?;
    let (mut view, root) = (rendered.view, rendered.root);
    // Unparseable, or an HTML body the sanitizer failed on with no text to stand in for it:
    // the page says so and offers the source.
    let unreadable = view.as_ref().is_none_or(|v| v.body == Body::Unreadable);
    if let Some(v) = &view {
        if v.blocked_remote > 0
            && !images_allowed
            && session.prefs.known_images
            && is_known_sender(&state, &session, &folders, &v.from).await
        {
            images_allowed = true;
            let key = BodyKey {
                allow_remote: true,
                ..key
            };
            view = state
                .reader
                .view(key, bytes, server_parts, links)
                .await?
                .view;
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
    let list =
        crate::web::mailbox::list_view(&ctx, &session, &folders, &folder, &query.list, Some(uid))
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
        list_id: None,
    });
    let add_contact_url = view.from.first().and_then(|sender| {
        let email = sender.email.as_deref()?;
        Some(format!(
            "{}/contacts/new?name={}&email={}",
            ctx.base,
            crate::percent::query_value(sender.name.as_deref().unwrap_or_default()),
            crate::percent::query_value(email)
        ))
    });
    let filter_url = state
        .sieve_for(session.upstreams.as_ref())
        .and_then(|_| filter_like(&ctx, view.list_id.as_deref(), &view.from));
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
        targets: crate::web::mailbox::move_targets(&ctx, &folders, &folder),
        reply_url: format!(
            "{}/compose?folder={}&reply={uid}",
            ctx.base,
            crate::percent::query_value(&folder)
        ),
        forward_url: format!(
            "{}/compose?folder={}&forward={uid}",
            ctx.base,
            crate::percent::query_value(&folder)
        ),
        add_contact_url,
        filter_url,
        truncated,
        unreadable,
        size: ctx.size(u64::from(fetched.size)),
        ctx,
    })
}

/// Whether the message is from someone the person has written to (their address is a
/// recipient of something in Sent): the "show images from known senders" preference. A
/// look-alike domain is never known, and any doubt (no Sent folder, an error) means unknown.
///
/// The collected addresses in memory answer first (the same list recipient suggestions
/// use); they hold only the newest sent messages, so an address not among them is looked
/// for in the whole Sent folder.
pub async fn is_known_sender(
    state: &AppState,
    session: &CurrentSession,
    folders: &[Folder],
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
    if state.suggestions.has_written_to(&session.username, email) {
        return true;
    }
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

/// "Filter messages like this": a new rule for the list the message came through, or else
/// for its sender.
fn filter_like(ctx: &PageCtx, list_id: Option<&str>, from: &[Mailbox]) -> Option<String> {
    let (key, value) = match (list_id, from.first().and_then(|m| m.email.as_deref())) {
        (Some(list), _) => ("list", list),
        (None, Some(email)) => ("from", email),
        (None, None) => return None,
    };
    Some(format!(
        "{}/settings/filters/rule?{key}={}",
        ctx.base,
        crate::percent::query_value(value)
    ))
}
