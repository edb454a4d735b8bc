//! The message list of a folder.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::page::{folder_title, sidebar, FolderLink, PageCtx};
use crate::app::AppState;
use crate::error::AppError;
use crate::i18n::Msg;
use crate::imap::{ImapError, Role, SearchQuery, Summary};
use crate::mime::headers;
use crate::session::CurrentSession;

/// Messages per page.
pub const PER_PAGE: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/mail/{folder}", get(folder_page))
}

/// The search form's fields, as query parameters.
#[derive(Deserialize, Default)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to_addr: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    unread: String,
    #[serde(default)]
    flagged: String,
    #[serde(default)]
    attachment: String,
}

impl SearchForm {
    pub fn to_query(&self) -> SearchQuery {
        SearchQuery {
            text: self.q.clone(),
            from: self.from.clone(),
            to: self.to_addr.clone(),
            subject: self.subject.clone(),
            body: self.body.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            unread: !self.unread.is_empty(),
            flagged: !self.flagged.is_empty(),
            attachment: !self.attachment.is_empty(),
        }
    }
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
    /// `threads` for the conversation view.
    view: Option<String>,
    #[serde(flatten)]
    search: SearchForm,
    /// What an action just did (see `actions::notice_text`), and how to undo it.
    done: Option<String>,
    n: Option<usize>,
    to: Option<String>,
    undo_from: Option<String>,
    undo_uids: Option<String>,
    undo_to: Option<String>,
}

/// The form that puts moved messages back where they were.
pub struct UndoForm {
    pub url: String,
    pub uids: String,
    pub to: String,
    pub back: String,
}

/// A folder messages can be moved or copied to.
pub struct Target {
    pub name: String,
    pub label: String,
}

/// One row of the list, ready to print.
pub struct Row {
    pub uid: u32,
    pub url: String,
    /// Sender, or "To: recipient" in Sent and Drafts.
    pub who: String,
    pub subject: String,
    /// The start of the message's text, when it has a readable text part.
    pub snippet: Option<String>,
    pub date: String,
    pub size: String,
    pub unread: bool,
    pub flagged: bool,
    pub answered: bool,
    pub attachment: bool,
    /// Messages in the conversation this row stands for (1 in the message view).
    pub count: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "folder.html")]
struct FolderTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    title: String,
    rows: Vec<Row>,
    total: u32,
    first: usize,
    last: usize,
    newer_url: Option<String>,
    older_url: Option<String>,
    page: usize,
    pages: usize,
    actions_url: String,
    back: String,
    targets: Vec<Target>,
    notice: Option<String>,
    undo: Option<UndoForm>,
    /// Trash or Junk: "Delete" there is for good, and the folder can be emptied.
    disposable: bool,
    search: SearchQuery,
    searching: bool,
    search_url: String,
    /// Conversation view, and the URL of the other view.
    threaded: bool,
    other_view_url: String,
}

async fn folder_page(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(folder): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<FolderTemplate, AppError> {
    let page: usize = match query.page.as_deref() {
        None | Some("") => 1,
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| (1..=1_000_000).contains(p))
            .ok_or_else(|| AppError::BadRequest(Msg::new("error-page-number")))?,
    };
    let ctx = PageCtx::for_session(&state, &session);
    let search = query.search.to_query();
    let searching = !search.is_empty();
    let threaded = query.view.as_deref() == Some("threads") && !searching;
    let folders = session.imap.folders().await?;
    if threaded {
        return thread_view(&ctx, &session, folders, &folder, page).await;
    }
    let listing = session
        .imap
        .page(
            &folder,
            page - 1,
            PER_PAGE,
            searching.then(|| search.clone()),
        )
        .await
        .map_err(|e| match e {
            // Bad dates, or text this server cannot search: say so on the page.
            ImapError::Refused(reason) if searching => {
                AppError::BadRequest(Msg::new("error-search-refused").arg("reason", reason))
            }
            other => other.into(),
        })?;
    let role = folders
        .iter()
        .find(|f| f.name == folder)
        .and_then(|f| f.role);
    let outgoing = matches!(role, Some(Role::Sent) | Some(Role::Drafts));
    let rows = listing
        .rows
        .iter()
        .map(|s| row(&ctx, &folder, s, outgoing))
        .collect();
    let total = listing.total;
    let pages = (total as usize).div_ceil(PER_PAGE).max(1);
    let first = ((page - 1) * PER_PAGE + 1).min(total as usize);
    let last = (page * PER_PAGE).min(total as usize);
    let search_params = search_params(&search);
    let page_url = |p: usize| format!("{}?page={p}{search_params}", ctx.folder_url(&folder));
    let back = format!(
        "/mail/{}?page={page}{search_params}",
        super::page::segment(&folder)
    );
    let notice = query.done.as_deref().and_then(|d| {
        let to = folder_title(&ctx, &folders, query.to.as_deref().unwrap_or(""));
        super::actions::notice(d, query.n.unwrap_or(0), &to).map(|m| ctx.msg(&m))
    });
    let undo = match (&query.undo_from, &query.undo_uids, &query.undo_to) {
        (Some(from), Some(uids), Some(to)) if crate::imap::Selection::parse(uids).is_some() => {
            Some(UndoForm {
                url: format!("{}/actions", ctx.folder_url(from)),
                uids: uids.clone(),
                to: to.clone(),
                back: back.clone(),
            })
        }
        _ => None,
    };
    let targets = move_targets(&ctx, &folders, &folder);
    let disposable = matches!(role, Some(Role::Trash) | Some(Role::Junk));
    Ok(FolderTemplate {
        folders: sidebar(&ctx, &folders, &folder),
        title: folder_title(&ctx, &folders, &folder),
        rows,
        total,
        first,
        last,
        newer_url: (page > 1).then(|| page_url(page - 1)),
        older_url: (page < pages).then(|| page_url(page + 1)),
        page,
        pages,
        actions_url: format!("{}/actions", ctx.folder_url(&folder)),
        back,
        targets,
        notice,
        undo,
        disposable,
        searching,
        search_url: ctx.folder_url(&folder),
        search,
        threaded: false,
        other_view_url: format!("{}?view=threads", ctx.folder_url(&folder)),
        ctx,
    })
}

/// The folder as conversations: one row per conversation, its newest message standing for
/// it, the most recently active first.
async fn thread_view(
    ctx: &PageCtx,
    session: &CurrentSession,
    folders: Vec<crate::imap::Folder>,
    folder: &str,
    page: usize,
) -> Result<FolderTemplate, AppError> {
    let listing = session.imap.thread_page(folder, page - 1, PER_PAGE).await?;
    let role = folders
        .iter()
        .find(|f| f.name == folder)
        .and_then(|f| f.role);
    let outgoing = matches!(role, Some(Role::Sent) | Some(Role::Drafts));
    let rows = listing
        .rows
        .iter()
        .map(|t| {
            let mut r = row(ctx, folder, &t.newest, outgoing);
            r.count = t.count;
            r.unread = t.unread > 0;
            r
        })
        .collect();
    let total = listing.total;
    let pages = (total as usize).div_ceil(PER_PAGE).max(1);
    let page_url = |p: usize| format!("{}?view=threads&page={p}", ctx.folder_url(folder));
    let back = format!(
        "/mail/{}?view=threads&page={page}",
        super::page::segment(folder)
    );
    Ok(FolderTemplate {
        folders: sidebar(ctx, &folders, folder),
        title: folder_title(ctx, &folders, folder),
        rows,
        total,
        first: ((page - 1) * PER_PAGE + 1).min(total as usize),
        last: (page * PER_PAGE).min(total as usize),
        newer_url: (page > 1).then(|| page_url(page - 1)),
        older_url: (page < pages).then(|| page_url(page + 1)),
        page,
        pages,
        actions_url: format!("{}/actions", ctx.folder_url(folder)),
        back,
        targets: move_targets(ctx, &folders, folder),
        notice: None,
        undo: None,
        disposable: matches!(role, Some(Role::Trash) | Some(Role::Junk)),
        search: SearchQuery::default(),
        searching: false,
        search_url: ctx.folder_url(folder),
        threaded: true,
        other_view_url: ctx.folder_url(folder),
        ctx: ctx.clone(),
    })
}

/// The search as query parameters (`&q=…`), to keep it across pages and actions.
pub fn search_params(search: &SearchQuery) -> String {
    let mut out = String::new();
    let fields = [
        ("q", search.text.as_str()),
        ("from", search.from.as_str()),
        ("to_addr", search.to.as_str()),
        ("subject", search.subject.as_str()),
        ("body", search.body.as_str()),
        ("since", search.since.as_str()),
        ("until", search.until.as_str()),
    ];
    for (key, value) in fields {
        if !value.is_empty() {
            out.push_str(&format!("&{key}={}", super::page::query_value(value)));
        }
    }
    for (key, on) in [
        ("unread", search.unread),
        ("flagged", search.flagged),
        ("attachment", search.attachment),
    ] {
        if on {
            out.push_str(&format!("&{key}=1"));
        }
    }
    out
}

/// The folders messages of `current` can be moved or copied to.
pub fn move_targets(ctx: &PageCtx, folders: &[crate::imap::Folder], current: &str) -> Vec<Target> {
    folders
        .iter()
        .filter(|f| f.selectable && f.name != current)
        .map(|f| Target {
            name: f.name.clone(),
            label: match f.role {
                Some(r) if f.depth == 0 => ctx.role_label(r),
                _ => f.name.clone(),
            },
        })
        .collect()
}

pub fn row(ctx: &PageCtx, folder: &str, summary: &Summary, outgoing: bool) -> Row {
    let h = headers::list_headers(&summary.headers);
    let who = if outgoing {
        let to: Vec<String> = h.to.iter().map(|m| m.short()).collect();
        ctx.lang
            .format(&Msg::new("list-to").arg("names", to.join(", ")))
    } else {
        h.from.first().map(|m| m.short()).unwrap_or_default()
    };
    Row {
        uid: summary.uid,
        url: ctx.message_url(folder, summary.uid),
        who: if who.trim().is_empty() {
            ctx.lang.t("list-unknown-sender")
        } else {
            who
        },
        subject: if h.subject.is_empty() {
            ctx.lang.t("no-subject")
        } else {
            h.subject
        },
        snippet: summary.snippet.clone(),
        date: h
            .date
            .or_else(|| {
                summary
                    .internal_date
                    .as_deref()
                    .and_then(headers::internal_date)
            })
            .map(|d| ctx.list_date(d))
            .unwrap_or_default(),
        size: ctx.size(u64::from(summary.size)),
        unread: !summary.flags.seen,
        flagged: summary.flags.flagged,
        answered: summary.flags.answered,
        attachment: summary.has_attachment,
        count: 1,
    }
}
