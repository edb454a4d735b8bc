//! Writing mail: new messages, replies, forwards and drafts, all in one form that works
//! without JavaScript.
//!
//! Nothing is kept on Carteiro's side between two submissions of the form: attachments that
//! must survive a round trip (a failed send, "save draft") live in the draft on the IMAP
//! server, and the form refers to them (and to a forwarded message's parts) as
//! `folder/uid/section` references that are fetched again when the message is sent.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use std::sync::Arc;

use super::error::AppError;
use super::extract::CurrentSession;
use super::page::{role_folder, sidebar, FolderLink, PageCtx};
use crate::i18n::{Lang, Msg};
use crate::imap::{ImapError, ImapHandle};
use crate::mime::{self, parts};
use crate::model::{Folder, Role};
use crate::smtp::compose::{self, BuildError, Outgoing, OutgoingAttachment};
use crate::smtp::SendError;
use crate::state::AppState;
use crate::telemetry::untrusted;

/// The section a part reference uses for a whole message forwarded as an attachment.
const WHOLE_MESSAGE: &str = "0";

/// Extra room over the message size limit for the form fields around the files.
const FORM_OVERHEAD: usize = 1024 * 1024;

pub fn router(max_message_size: usize) -> Router<AppState> {
    Router::new()
        .route("/compose", get(compose_page).post(submit))
        .layer(DefaultBodyLimit::max(
            max_message_size.saturating_add(FORM_OVERHEAD),
        ))
}

#[derive(Deserialize, Default)]
pub struct ComposeQuery {
    to: Option<String>,
    folder: Option<String>,
    reply: Option<u32>,
    all: Option<String>,
    forward: Option<u32>,
    /// With `forward`: attach the original as a whole message instead of quoting it.
    attach: Option<String>,
    draft: Option<u32>,
    saved: Option<String>,
    sent: Option<String>,
}

/// An attachment already stored on the server (in a draft or a forwarded message).
#[derive(Clone, Debug)]
struct KeptPart {
    /// `folder/uid/section`, percent-encoded folder.
    reference: String,
    filename: String,
    size: String,
}

/// Everything the form shows; also what a failed submission brings back.
#[derive(Clone, Debug, Default)]
struct Draft {
    to: String,
    cc: String,
    bcc: String,
    subject: String,
    body: String,
    in_reply_to: String,
    references: String,
    /// `reply` or `forward`, with the original's folder and UID, to flag it once sent.
    origin_kind: String,
    origin_folder: String,
    origin_uid: String,
    /// UID in the Drafts folder of the saved version this form replaces.
    draft_uid: String,
    kept: Vec<KeptPart>,
}

#[derive(Template, WebTemplate)]
#[template(path = "compose.html")]
struct ComposeTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    draft: Draft,
    error: Option<String>,
    notice: Option<String>,
    max_size: String,
    /// The same in bytes, for app.js to refuse too much before uploading it.
    max_bytes: usize,
}

async fn compose_page(
    State(state): State<AppState>,
    session: CurrentSession,
    Query(query): Query<ComposeQuery>,
) -> Result<ComposeTemplate, AppError> {
    let folders = session.imap.folders().await?;
    let mut draft = Draft::default();
    let mut notice = None;
    if let Some(uid) = query.draft {
        let drafts = role_folder(&folders, Role::Drafts)?;
        draft = load_draft(session.lang, &session.imap, &drafts, uid).await?;
        if query.saved.is_some() {
            notice = Some(Msg::new("compose-draft-saved"));
        }
    } else if let (Some(uid), Some(folder)) = (query.reply.or(query.forward), &query.folder) {
        let forward = query.forward.is_some();
        draft = start_from(&session, folder, uid, forward, query.all.is_some()).await?;
        if forward && query.attach.is_some() {
            draft.body.clear();
            draft.kept = vec![KeptPart {
                reference: part_ref(folder, uid, WHOLE_MESSAGE),
                filename: format!(
                    "{}.eml",
                    parts::safe_filename(draft.subject.trim_start_matches("Fwd: "))
                ),
                size: String::new(),
            }];
        }
    } else if let Some(to) = query.to {
        draft.to = to;
    }
    if query.draft.is_none() {
        // A signature goes in once, when the message is started: a draft already has it.
        let signature = session
            .imap
            .get_setting(super::settings::SIGNATURE)
            .await
            .unwrap_or(None);
        if let Some(signature) = signature.filter(|s| !s.trim().is_empty()) {
            draft.body = with_signature(&draft.body, &signature);
        }
    }
    if query.sent.is_some() {
        notice = Some(Msg::new("compose-sent"));
    }
    Ok(page(&state, &session, &folders, draft, None, notice))
}

fn page(
    state: &AppState,
    session: &CurrentSession,
    folders: &[Folder],
    draft: Draft,
    error: Option<Msg>,
    notice: Option<Msg>,
) -> ComposeTemplate {
    let ctx = PageCtx::for_session(state, session);
    ComposeTemplate {
        folders: sidebar(&ctx, folders, ""),
        error: error.map(|m| ctx.msg(&m)),
        notice: notice.map(|m| ctx.msg(&m)),
        max_size: ctx.size(state.submitter.max_size as u64),
        max_bytes: state.submitter.max_size,
        ctx,
        draft,
    }
}

/// Prefills a reply, reply-all or forward from the original message.
async fn start_from(
    session: &CurrentSession,
    folder: &str,
    uid: u32,
    forward: bool,
    all: bool,
) -> Result<Draft, AppError> {
    let fetched = session
        .imap
        .message(folder, uid, 4 * 1024 * 1024, false)
        .await?;
    let message = mime::parse(&fetched.bytes).ok_or(AppError::NotFound)?;
    let subject = message.subject().map(mime::clean_text).unwrap_or_default();
    let from = mime::mailboxes(message.from());
    // What is written into the message is in the writer's language, like the page.
    let lang = session.lang;
    let date = message
        .date()
        .and_then(mime::header_date)
        .map(|d| lang.full_date(crate::i18n::dates::shown(d)))
        .unwrap_or_default();
    let text = message
        .body_text(0)
        .map(|t| t.replace("\r\n", "\n"))
        .unwrap_or_default();
    let message_id = message.message_id().map(|id| format!("<{id}>"));
    let mut draft = Draft {
        origin_folder: folder.to_string(),
        origin_uid: uid.to_string(),
        ..Draft::default()
    };
    let who = from.first().map(|m| m.short()).unwrap_or_default();
    if forward {
        draft.origin_kind = "forward".into();
        draft.subject = prefixed("Fwd: ", &subject);
        let to: Vec<String> = mime::mailboxes(message.to())
            .iter()
            .map(format_mailbox)
            .collect();
        draft.body = format!(
            "\n\n{}\n{}: {}\n{}: {date}\n{}: {subject}\n{}: {}\n\n{text}",
            lang.t("compose-forwarded"),
            lang.t("header-from"),
            from.iter()
                .map(format_mailbox)
                .collect::<Vec<_>>()
                .join(", "),
            lang.t("header-date"),
            lang.t("header-subject"),
            lang.t("header-to"),
            to.join(", ")
        );
        draft.kept = kept_attachments(lang, &message, fetched.parts.as_deref(), folder, uid);
    } else {
        draft.origin_kind = "reply".into();
        draft.subject = prefixed("Re: ", &subject);
        let reply_to = mime::mailboxes(message.reply_to());
        let primary = if reply_to.is_empty() {
            from.clone()
        } else {
            reply_to
        };
        let me = session.username.to_ascii_lowercase();
        let not_me = |m: &&mime::Mailbox| {
            m.email.as_deref().map(str::to_ascii_lowercase).as_deref() != Some(me.as_str())
        };
        let mut to: Vec<mime::Mailbox> = primary.iter().filter(not_me).cloned().collect();
        if to.is_empty() {
            to = primary.clone();
        }
        draft.to = to.iter().map(format_mailbox).collect::<Vec<_>>().join(", ");
        if all {
            let mut cc: Vec<mime::Mailbox> = Vec::new();
            for m in mime::mailboxes(message.to())
                .iter()
                .chain(mime::mailboxes(message.cc()).iter())
            {
                let duplicate = to.iter().chain(cc.iter()).any(|x| same_address(x, m));
                if not_me(&m) && !duplicate {
                    cc.push(m.clone());
                }
            }
            draft.cc = cc.iter().map(format_mailbox).collect::<Vec<_>>().join(", ");
        }
        let quoted: String = text.lines().map(|l| format!("> {l}\n")).collect();
        let intro = lang.format(
            &Msg::new("compose-quote-intro")
                .arg("date", date)
                .arg("name", who),
        );
        draft.body = format!("\n\n{intro}\n{quoted}");
        draft.in_reply_to = message_id.clone().unwrap_or_default();
        let mut references: Vec<String> = message
            .references()
            .as_text_list()
            .map(|l| l.iter().map(|r| format!("<{r}>")).collect())
            .or_else(|| {
                message
                    .references()
                    .as_text()
                    .map(|r| vec![format!("<{r}>")])
            })
            .unwrap_or_default();
        if let Some(id) = message_id {
            references.push(id);
        }
        draft.references = references.join(" ");
    }
    Ok(draft)
}

/// Puts the signature (after the `-- ` delimiter) above any quoted or forwarded text.
fn with_signature(body: &str, signature: &str) -> String {
    let block = format!("\n\n-- \n{}", signature.trim_end());
    if body.trim().is_empty() {
        return block;
    }
    // Replies and forwards start with two empty lines for the person's text.
    match body.strip_prefix("\n\n") {
        Some(rest) => format!("{block}\n\n{rest}"),
        None => format!("{body}{block}"),
    }
}

/// A message's attachments as parts the form keeps by reference.
fn kept_attachments(
    lang: Lang,
    message: &mail_parser::Message<'_>,
    server: Option<&[crate::model::PartInfo]>,
    folder: &str,
    uid: u32,
) -> Vec<KeptPart> {
    let parts = mime::view::part_list(message, server);
    parts::attachments(&parts, &Default::default())
        .into_iter()
        .map(|a| KeptPart {
            reference: part_ref(folder, uid, &a.section),
            filename: a.filename,
            size: lang.size(a.size),
        })
        .collect()
}

fn same_address(a: &mime::Mailbox, b: &mime::Mailbox) -> bool {
    match (&a.email, &b.email) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    }
}

/// `Name <address>` as a person would type it, quoting names that need it.
fn format_mailbox(m: &mime::Mailbox) -> String {
    match (&m.name, &m.email) {
        (Some(name), Some(email)) => {
            let needs_quotes = name.chars().any(|c| ",;<>\"@()[]:\\".contains(c));
            if needs_quotes {
                format!("\"{}\" <{email}>", name.replace(['\\', '"'], ""))
            } else {
                format!("{name} <{email}>")
            }
        }
        (None, Some(email)) => email.clone(),
        (Some(name), None) => name.clone(),
        (None, None) => String::new(),
    }
}

/// Adds `Re: ` or `Fwd: ` once, however many the subject already has.
fn prefixed(prefix: &str, subject: &str) -> String {
    let mut rest = subject.trim();
    loop {
        let lower = rest.to_ascii_lowercase();
        let cut = ["re:", "fwd:", "fw:", "res:", "enc:", "aw:", "wg:"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len());
        match cut {
            Some(n) => rest = rest[n..].trim_start(),
            None => break,
        }
    }
    format!("{prefix}{rest}")
}

fn part_ref(folder: &str, uid: u32, section: &str) -> String {
    format!("{}/{uid}/{section}", super::page::segment(folder))
}

fn parse_part_ref(reference: &str) -> Option<(String, u32, String)> {
    let mut pieces = reference.rsplitn(3, '/');
    let section = pieces.next()?.to_string();
    let uid = pieces.next()?.parse().ok()?;
    let folder = percent_encoding::percent_decode_str(pieces.next()?)
        .decode_utf8()
        .ok()?
        .to_string();
    let valid = !section.is_empty() && section.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    valid.then_some((folder, uid, section))
}

/// Reads a saved draft back into the form.
async fn load_draft(
    lang: Lang,
    imap: &ImapHandle,
    folder: &str,
    uid: u32,
) -> Result<Draft, AppError> {
    let fetched = imap.message(folder, uid, 4 * 1024 * 1024, false).await?;
    let message = mime::parse(&fetched.bytes).ok_or(AppError::NotFound)?;
    let list = |a: Option<&mail_parser::Address<'_>>| {
        mime::mailboxes(a)
            .iter()
            .map(format_mailbox)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let kept = kept_attachments(lang, &message, fetched.parts.as_deref(), folder, uid);
    let origin = header("X-Carteiro-Origin");
    let mut origin_parts = origin.splitn(3, ' ');
    Ok(Draft {
        to: list(message.to()),
        cc: list(message.cc()),
        bcc: list(message.bcc()),
        subject: message.subject().map(mime::clean_text).unwrap_or_default(),
        body: message
            .body_text(0)
            .map(|t| t.replace("\r\n", "\n"))
            .unwrap_or_default(),
        in_reply_to: header("In-Reply-To"),
        references: header("References"),
        origin_kind: origin_parts.next().unwrap_or_default().to_string(),
        origin_uid: origin_parts.next().unwrap_or_default().to_string(),
        origin_folder: origin_parts
            .next()
            .and_then(|f| percent_encoding::percent_decode_str(f).decode_utf8().ok())
            .map(|f| f.to_string())
            .unwrap_or_default(),
        draft_uid: uid.to_string(),
        kept,
    })
}

/// What the browser sent: the fields, the references of kept parts, and new files.
struct Submission {
    csrf: String,
    action: String,
    draft: Draft,
    keep: Vec<String>,
    uploads: Vec<OutgoingAttachment>,
}

async fn read_form(mut form: Multipart) -> Result<Submission, AppError> {
    let mut s = Submission {
        csrf: String::new(),
        action: "send".into(),
        draft: Draft::default(),
        keep: Vec::new(),
        uploads: Vec::new(),
    };
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::BadRequest(Msg::new("compose-error-upload-too-large"))
        } else {
            AppError::BadRequest(Msg::new("compose-error-form"))
        }
    };
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "files" {
            let filename = field.file_name().unwrap_or_default().to_string();
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            if !filename.is_empty() || !bytes.is_empty() {
                s.uploads.push(OutgoingAttachment {
                    filename,
                    content_type,
                    bytes: bytes.to_vec(),
                });
            }
            continue;
        }
        let value = field.text().await.map_err(unreadable)?;
        let d = &mut s.draft;
        match name.as_str() {
            "csrf" => s.csrf = value,
            "action" => s.action = value,
            "to" => d.to = value,
            "cc" => d.cc = value,
            "bcc" => d.bcc = value,
            "subject" => d.subject = value,
            "body" => d.body = value,
            "in_reply_to" => d.in_reply_to = value,
            "references" => d.references = value,
            "origin_kind" => d.origin_kind = value,
            "origin_folder" => d.origin_folder = value,
            "origin_uid" => d.origin_uid = value,
            "draft_uid" => d.draft_uid = value,
            "keep" => s.keep.push(value),
            _ => {}
        }
    }
    Ok(s)
}

async fn submit(
    State(state): State<AppState>,
    session: CurrentSession,
    form: Multipart,
) -> Result<Response, AppError> {
    let mut s = read_form(form).await?;
    session.check_csrf(&s.csrf)?;
    let folders = session.imap.folders().await?;
    // Kept parts are re-listed from their references, so the form can show them again.
    s.draft.kept = s
        .keep
        .iter()
        .filter(|r| parse_part_ref(r).is_some())
        .map(|r| KeptPart {
            reference: r.clone(),
            filename: r.rsplit('/').next().unwrap_or_default().to_string(),
            size: String::new(),
        })
        .collect();

    let from = sender(&session.username, session.prefs.display_name.as_deref());
    let to = compose::parse_addresses(&s.draft.to);
    let cc = compose::parse_addresses(&s.draft.cc);
    let bcc = compose::parse_addresses(&s.draft.bcc);
    let invalid = [(&to, "to"), (&cc, "cc"), (&bcc, "bcc")]
        .into_iter()
        .find_map(|(r, field)| r.as_ref().err().map(|bad| (field, bad.clone())));

    let mut attachments = gather_kept(&session.imap, &s.keep).await?;
    attachments.append(&mut s.uploads);
    // Shared with the task that sends it, without copying the attachments.
    let outgoing = Arc::new(Outgoing {
        from: from.clone(),
        to: to.clone().unwrap_or_default(),
        cc: cc.clone().unwrap_or_default(),
        bcc: bcc.clone().unwrap_or_default(),
        subject: s.draft.subject.clone(),
        body: s.draft.body.clone(),
        in_reply_to: Some(s.draft.in_reply_to.clone()),
        references: Some(s.draft.references.clone()),
        attachments,
    });

    if s.action == "save" {
        let uid = save_draft(&session, &folders, &s.draft, &outgoing).await?;
        let base = &state.config.base_path;
        return Ok(Redirect::to(&format!("{base}/compose?draft={uid}&saved=1")).into_response());
    }

    let failure = if let Some((field, bad)) = invalid {
        Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            Msg::new("compose-error-address")
                .arg("address", bad)
                .arg("field", field),
        ))
    } else {
        match send_detached(&state, &session, &folders, &s.draft, &outgoing).await {
            Ok(()) => {
                let base = &state.config.base_path;
                return Ok(Redirect::to(&format!("{base}/compose?sent=1")).into_response());
            }
            Err(SendFailure::Form(status, message)) => Some((status, message)),
            Err(SendFailure::App(e)) => return Err(e),
        }
    };
    let (status, message) = failure.expect("a failure");
    // Nothing is lost: the draft (with every attachment) goes to the Drafts folder, and the
    // form comes back with what was typed, exactly.
    let mut notice = None;
    let typed = s.draft.clone();
    let mut shown = typed.clone();
    if let Ok(uid) = save_draft(&session, &folders, &s.draft, &outgoing).await {
        if let Ok(saved) = load_draft(
            session.lang,
            &session.imap,
            &role_folder(&folders, Role::Drafts)?,
            uid,
        )
        .await
        {
            shown = Draft {
                to: typed.to,
                cc: typed.cc,
                bcc: typed.bcc,
                ..saved
            };
            notice = Some(Msg::new("compose-kept-in-drafts"));
        }
    }
    Ok((
        status,
        page(&state, &session, &folders, shown, Some(message), notice),
    )
        .into_response())
}

enum SendFailure {
    /// Shown on the form, with the draft kept.
    Form(StatusCode, Msg),
    App(AppError),
}

/// [`send`] in a task of its own, tracked by [`App::background`](crate::state::App): once a send
/// has begun it runs to the end (the message out, filed in Sent, the draft removed) even if
/// the browser goes away, which drops this request, and a shutdown waits for it. Cutting it
/// anywhere in between could leave a message sent but not filed, or half submitted.
async fn send_detached(
    state: &AppState,
    session: &CurrentSession,
    folders: &[Folder],
    draft: &Draft,
    outgoing: &Arc<Outgoing>,
) -> Result<(), SendFailure> {
    let (task_state, session, folders, draft, outgoing) = (
        state.clone(),
        session.clone(),
        folders.to_vec(),
        draft.clone(),
        outgoing.clone(),
    );
    state
        .background
        .spawn(async move { send(&task_state, &session, &folders, &draft, &outgoing).await })
        .await
        .map_err(|e| SendFailure::App(AppError::Internal(format!("the send task failed: {e}"))))?
}

async fn send(
    state: &AppState,
    session: &CurrentSession,
    folders: &[Folder],
    draft: &Draft,
    outgoing: &Outgoing,
) -> Result<(), SendFailure> {
    let built = compose::build(outgoing)
        .map_err(|e| SendFailure::Form(StatusCode::UNPROCESSABLE_ENTITY, build_error(&e)))?;
    let password = session
        .password()
        .ok_or(SendFailure::App(AppError::LoginRequired {
            next: "/compose".into(),
        }))?;
    state
        .submitter
        .send(
            &session.username,
            &password,
            &built.envelope,
            &built.for_recipients,
        )
        .await
        .map_err(|e| {
            tracing::warn!(user = untrusted(&session.username), error = %e, "send failed");
            let status = match e {
                SendError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                SendError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::BAD_GATEWAY,
            };
            SendFailure::Form(status, send_error(session.lang, &e))
        })?;
    tracing::info!(user = untrusted(&session.username), "message sent");
    // The message is out: what follows only files it, and must not make it look unsent.
    if state.config.save_sent {
        match role_folder(folders, Role::Sent) {
            Ok(sent) => {
                if let Err(e) = session
                    .imap
                    .append(&sent, "(\\Seen)", built.for_sent.clone())
                    .await
                {
                    tracing::warn!(error = %e, "could not file the sent message");
                }
            }
            Err(_) => tracing::warn!("no Sent folder to file the sent message in"),
        }
    }
    if let Ok(uid) = draft.origin_uid.parse::<u32>() {
        let flag = if draft.origin_kind == "forward" {
            "$Forwarded"
        } else {
            "\\Answered"
        };
        let _ = session
            .imap
            .store(
                &draft.origin_folder,
                uid,
                &format!("+FLAGS.SILENT ({flag})"),
            )
            .await;
    }
    if let (Ok(uid), Ok(drafts)) = (
        draft.draft_uid.parse::<u32>(),
        role_folder(folders, Role::Drafts),
    ) {
        let _ = session.imap.delete(&drafts, uid).await;
    }
    Ok(())
}

/// What the person reads when the SMTP server would not take the message. Sizes are written
/// here, in the page's language; the server's own words are passed on as they are.
fn send_error(lang: Lang, e: &SendError) -> Msg {
    match e {
        SendError::TooLarge { size, limit } => Msg::new("send-error-too-large")
            .arg("size", lang.size(*size as u64))
            .arg("limit", lang.size(*limit as u64)),
        SendError::AuthFailed(words) => Msg::new("send-error-login").arg("reason", words),
        SendError::Refused(words) => Msg::new("send-error-refused").arg("reason", words),
        SendError::Unavailable(_) => Msg::new("send-error-unavailable"),
    }
}

fn build_error(e: &BuildError) -> Msg {
    match e {
        BuildError::NoRecipient => Msg::new("compose-error-no-recipient"),
        BuildError::NoSender => Msg::new("compose-error-no-sender"),
        BuildError::Invalid(reason) => Msg::new("compose-error-build").arg("reason", reason),
    }
}

/// Saves the form as a draft (replacing the previous version) and returns its UID.
async fn save_draft(
    session: &CurrentSession,
    folders: &[Folder],
    draft: &Draft,
    outgoing: &Outgoing,
) -> Result<u32, AppError> {
    let drafts = role_folder(folders, Role::Drafts)?;
    // A draft may be incomplete: keep whatever addresses parse.
    let lenient = |field: &str| {
        field
            .split(',')
            .filter_map(|p| compose::parse_addresses(p).ok())
            .flatten()
            .collect::<Vec<_>>()
    };
    let mut for_draft = outgoing.clone();
    for_draft.to = lenient(&draft.to);
    for_draft.cc = lenient(&draft.cc);
    for_draft.bcc = lenient(&draft.bcc);
    let origin = match draft.origin_uid.parse::<u32>() {
        Ok(uid) => Some(format!(
            "{} {uid} {}",
            if draft.origin_kind == "forward" {
                "forward"
            } else {
                "reply"
            },
            super::page::segment(&draft.origin_folder)
        )),
        Err(_) => None,
    };
    let built = compose::build_draft(&for_draft, origin.as_deref())
        .map_err(|e| AppError::BadRequest(build_error(&e)))?;
    session
        .imap
        .append(&drafts, "(\\Draft \\Seen)", built.for_sent)
        .await?;
    let uid = session
        .imap
        .find_message_id(&drafts, &built.message_id)
        .await?
        .ok_or_else(|| AppError::Internal("saved draft not found".into()))?;
    if let Ok(old) = draft.draft_uid.parse::<u32>() {
        if old != uid {
            let _ = session.imap.delete(&drafts, old).await;
        }
    }
    Ok(uid)
}

/// Fetches the kept parts (from drafts and forwarded messages) as attachments.
async fn gather_kept(
    imap: &ImapHandle,
    references: &[String],
) -> Result<Vec<OutgoingAttachment>, ImapError> {
    let mut out = Vec::new();
    for reference in references {
        let Some((folder, uid, section)) = parse_part_ref(reference) else {
            continue;
        };
        let (size, parts) = imap.structure(&folder, uid).await?;
        if section == WHOLE_MESSAGE {
            let raw = imap
                .chunk(&folder, uid, "", 0, size.saturating_add(1))
                .await?;
            out.push(OutgoingAttachment {
                filename: "forwarded-message.eml".into(),
                content_type: "message/rfc822".into(),
                bytes: raw,
            });
            continue;
        }
        let Some(part) = parts.iter().find(|p| p.section == section) else {
            continue;
        };
        let bytes = imap.part_bytes(&folder, uid, part).await?;
        out.push(OutgoingAttachment {
            filename: parts::filename(part),
            content_type: part.mime_type.clone(),
            bytes,
        });
    }
    Ok(out)
}

/// The From address: the login when it is an address, with the name chosen in Settings.
fn sender(username: &str, name: Option<&str>) -> Option<lettre::message::Mailbox> {
    let address = username.parse().ok()?;
    Some(lettre::message::Mailbox::new(
        name.map(str::to_string),
        address,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_get_one_prefix() {
        assert_eq!(prefixed("Re: ", "Re: RE: Fwd: Orçamento"), "Re: Orçamento");
        assert_eq!(prefixed("Fwd: ", "Reunião"), "Fwd: Reunião");
        assert_eq!(prefixed("Re: ", "Res: Enc: teste"), "Re: teste");
    }

    #[test]
    fn part_references_round_trip_folder_names_with_slashes() {
        let r = part_ref("Projetos/Obra", 12, "2.1");
        assert_eq!(
            parse_part_ref(&r),
            Some(("Projetos/Obra".to_string(), 12, "2.1".to_string()))
        );
        assert_eq!(parse_part_ref("INBOX/1/1 BODY"), None);
    }
}
