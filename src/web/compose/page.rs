//! The compose page: a new message, one resumed from a draft, or a reply or forward
//! prefilled from its original; and the rendering every outcome of a submission shares.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;
use std::time::Duration;

use crate::i18n::Msg;
use crate::mail::identity::Book;
use crate::mail::reply::{self, Start};
use crate::mail::{drafts, Account, Draft};
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::CurrentSession;
use crate::web::page::{FolderLink, PageCtx, PageFrame};

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

/// An identity the From select offers.
pub struct FromOption {
    id: String,
    label: String,
}

/// The identities a message may be sent as, for the From field.
fn from_options(book: &Book) -> Vec<FromOption> {
    book.usable()
        .into_iter()
        .map(|i| FromOption {
            id: i.id.clone(),
            label: i.label(),
        })
        .collect()
}

/// The identity `draft` is written as, settled: the one it names when this login may send
/// as it, else the one a new message starts with. Empty when there is none at all.
pub fn settle_identity(book: &Book, draft: &mut Draft) {
    draft.identity = match book.sender(&draft.identity) {
        Ok(identity) => identity.id.clone(),
        Err(_) => book.starting().map(|i| i.id.clone()).unwrap_or_default(),
    };
}

/// A kept part as the form lists it.
pub struct KeptRow {
    reference: String,
    filename: String,
    /// Its size in the page's language; empty when unknown.
    size: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "compose.html")]
pub struct ComposeTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    draft: Draft,
    kept: Vec<KeptRow>,
    /// The identities to send as; the draft's is selected.
    from: Vec<FromOption>,
    error: Option<String>,
    notice: Option<String>,
    max_size: String,
    /// The same in bytes, for app.js to refuse too much before uploading it.
    max_bytes: usize,
    /// The recipients the browser offers in the To/Cc/Bcc fields (`<datalist>`), the ones
    /// most written to first, as `Name <address>`.
    recipients: Vec<String>,
}

/// At most how many addresses the page lists for the browser to offer: the most likely
/// ones, without making every compose page heavy.
const DATALIST_SIZE: usize = 200;
/// How long opening the compose page waits for the first suggestion index of a session
/// (reading the Sent folder); past that the page comes without it, and the build goes on.
const WARM_WAIT: Duration = Duration::from_secs(3);

/// The account as the workflows see it, for the session whose page `frame` is.
pub fn account(session: &CurrentSession, frame: &PageFrame) -> Account {
    Account {
        imap: session.imap.clone(),
        username: session.username.clone(),
        folders: frame.folders.clone(),
    }
}

pub async fn compose_page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
    Query(query): Query<ComposeQuery>,
) -> Result<ComposeTemplate, AppError> {
    let book = crate::web::identities::book(&state, &session).await?;
    let mut draft = Draft::default();
    let mut notice = None;
    if let Some(uid) = query.draft {
        draft = drafts::load(&account(&session, &frame), uid).await?;
        if query.saved.is_some() {
            notice = Some(Msg::new("compose-draft-saved"));
        }
    } else if let (Some(uid), Some(folder)) = (query.reply.or(query.forward), &query.folder) {
        let start = match (
            query.forward.is_some(),
            query.attach.is_some(),
            query.all.is_some(),
        ) {
            (true, true, _) => Start::ForwardAsAttachment,
            (true, false, _) => Start::Forward,
            (false, _, true) => Start::ReplyAll,
            (false, _, false) => Start::Reply,
        };
        draft = reply::start_from(
            &session.imap,
            session.lang,
            &book.identities,
            folder,
            uid,
            start,
        )
        .await?;
    } else if let Some(to) = query.to {
        draft.to = to;
    }
    settle_identity(&book, &mut draft);
    if query.draft.is_none() {
        // A signature goes in once, when the message is started: a draft already has it.
        // It is the signature of the identity the message is written as.
        let signature = book.identities.get(&draft.identity).map(|i| &i.signature);
        if let Some(signature) = signature.filter(|s| !s.trim().is_empty()) {
            draft.body = reply::with_signature(&draft.body, signature);
        }
    }
    if query.sent.is_some() {
        notice = Some(Msg::new("compose-sent"));
    }
    // Built (or found) now, so the page's list and the first keystroke are served from
    // memory. In a task of its own: a build cut off by the wait still finishes.
    let warm = tokio::spawn({
        let (state, session) = (state.clone(), session.clone());
        async move {
            crate::web::suggest::index_for(&state, &session).await;
        }
    });
    let _ = tokio::time::timeout(WARM_WAIT, warm).await;
    Ok(render(&state, frame, &book, draft, None, notice))
}

/// The compose page showing `draft`, with an error or a notice above it.
pub fn render(
    state: &AppState,
    frame: PageFrame,
    book: &Book,
    draft: Draft,
    error: Option<Msg>,
    notice: Option<Msg>,
) -> ComposeTemplate {
    let folders = frame.sidebar("");
    let ctx = frame.ctx;
    let recipients = ctx
        .user
        .as_deref()
        .and_then(|login| state.suggestions.cached(login))
        .map(|built| {
            built
                .index
                .top(DATALIST_SIZE)
                .into_iter()
                .map(|s| s.field_text())
                .collect()
        })
        .unwrap_or_default();
    let kept = draft
        .kept
        .iter()
        .map(|k| KeptRow {
            reference: k.reference.clone(),
            filename: k.filename.clone(),
            size: k.size.map(|s| ctx.size(s)).unwrap_or_default(),
        })
        .collect();
    ComposeTemplate {
        folders,
        error: error.map(|m| ctx.msg(&m)),
        notice: notice.map(|m| ctx.msg(&m)),
        max_size: ctx.size(state.submitter.max_size as u64),
        max_bytes: state.submitter.max_size,
        recipients,
        kept,
        from: from_options(book),
        ctx,
        draft,
    }
}
