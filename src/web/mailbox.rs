//! The message list of a folder: its own page, and the list pane beside an open message.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::error::AppError;
use super::extract::CurrentSession;
use super::page::{folder_title, FolderLink, PageCtx, PageFrame};
use crate::i18n::Msg;
use crate::imap::{ImapError, SearchQuery};
use crate::mime::headers;
use crate::model::{Role, Summary};
use crate::state::AppState;

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

/// Which list is shown: page, view and search. The same parameters ride on the links to
/// messages, so the list pane beside an open message is the one the person came from.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<String>,
    /// `threads` for the conversation view.
    view: Option<String>,
    #[serde(flatten)]
    search: SearchForm,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(flatten)]
    list: ListQuery,
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
    /// The message open beside the list.
    pub current: bool,
}

/// Everything the list (page or pane) prints.
pub struct ListView {
    pub title: String,
    pub rows: Vec<Row>,
    pub total: u32,
    pub first: usize,
    pub last: usize,
    pub newer_url: Option<String>,
    pub older_url: Option<String>,
    pub page: usize,
    pub pages: usize,
    pub actions_url: String,
    /// Where actions come back to (relative to the base path).
    pub back: String,
    pub targets: Vec<Target>,
    pub notice: Option<String>,
    pub undo: Option<UndoForm>,
    /// Trash or Junk: "Delete" there is for good, and the folder can be emptied.
    pub disposable: bool,
    pub search: SearchQuery,
    pub searching: bool,
    pub search_url: String,
    /// Conversation view, and the URL of the other view.
    pub threaded: bool,
    pub other_view_url: String,
    /// The folder's own URL with this list's page, view and search (the "back" link).
    pub url: String,
    /// 1 on the folder's page; 2 beside a message, whose subject is the page's heading.
    pub heading: u8,
}

#[derive(Template, WebTemplate)]
#[template(path = "folder.html")]
struct FolderTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    list: ListView,
}

async fn folder_page(
    session: CurrentSession,
    frame: PageFrame,
    Path(folder): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<FolderTemplate, AppError> {
    let PageFrame { ctx, folders } = &frame;
    let mut list = list_view(ctx, &session, folders, &folder, &query.list, None).await?;
    list.notice = query.done.as_deref().and_then(|d| {
        let to = folder_title(ctx, folders, query.to.as_deref().unwrap_or(""));
        super::actions::notice(d, query.n.unwrap_or(0), &to).map(|m| ctx.msg(&m))
    });
    list.undo = match (&query.undo_from, &query.undo_uids, &query.undo_to) {
        (Some(from), Some(uids), Some(to)) if crate::imap::Selection::parse(uids).is_some() => {
            Some(UndoForm {
                url: format!("{}/actions", ctx.folder_url(from)),
                uids: uids.clone(),
                to: to.clone(),
                back: list.back.clone(),
            })
        }
        _ => None,
    };
    Ok(FolderTemplate {
        folders: frame.sidebar(&folder),
        list,
        ctx: frame.ctx,
    })
}

/// The list a [`ListQuery`] names, with `current` (an open message) marked.
pub async fn list_view(
    ctx: &PageCtx,
    session: &CurrentSession,
    folders: &[crate::model::Folder],
    folder: &str,
    query: &ListQuery,
    current: Option<u32>,
) -> Result<ListView, AppError> {
    let page: usize = match query.page.as_deref() {
        None | Some("") => 1,
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| (1..=1_000_000).contains(p))
            .ok_or_else(|| AppError::BadRequest(Msg::new("error-page-number")))?,
    };
    let per_page = session.prefs.page_size;
    let search = query.search.to_query();
    let searching = !search.is_empty();
    let threaded = query.view.as_deref() == Some("threads") && !searching;
    let role = folders
        .iter()
        .find(|f| f.name == folder)
        .and_then(|f| f.role);
    let outgoing = matches!(role, Some(Role::Sent) | Some(Role::Drafts));
    let (mut rows, total): (Vec<Row>, u32) = if threaded {
        let listing = session.imap.thread_page(folder, page - 1, per_page).await?;
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
        (rows, listing.total)
    } else {
        let listing = session
            .imap
            .page(
                folder,
                page - 1,
                per_page,
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
        let rows = listing
            .rows
            .iter()
            .map(|s| row(ctx, folder, s, outgoing))
            .collect();
        (rows, listing.total)
    };
    let pages = (total as usize).div_ceil(per_page).max(1);
    let view_param = if threaded { "&view=threads" } else { "" };
    let search_params = search_params(&search);
    let list_params = |p: usize| format!("page={p}{view_param}{search_params}");
    // What rides on the message links: nothing for the plain first page.
    let suffix = if page == 1 && !threaded && !searching {
        String::new()
    } else {
        format!("?{}", list_params(page))
    };
    for r in &mut rows {
        r.current = Some(r.uid) == current;
        r.url.push_str(&suffix);
    }
    let folder_url = ctx.folder_url(folder);
    Ok(ListView {
        title: folder_title(ctx, folders, folder),
        rows,
        total,
        first: ((page - 1) * per_page + 1).min(total as usize),
        last: (page * per_page).min(total as usize),
        newer_url: (page > 1).then(|| format!("{folder_url}?{}", list_params(page - 1))),
        older_url: (page < pages).then(|| format!("{folder_url}?{}", list_params(page + 1))),
        page,
        pages,
        actions_url: format!("{folder_url}/actions"),
        back: format!(
            "/mail/{}?{}",
            crate::percent::segment(folder),
            list_params(page)
        ),
        targets: move_targets(ctx, folders, folder),
        notice: None,
        undo: None,
        disposable: matches!(role, Some(Role::Trash) | Some(Role::Junk)),
        search,
        searching,
        search_url: folder_url.clone(),
        threaded,
        other_view_url: if threaded {
            folder_url.clone()
        } else {
            format!("{folder_url}?view=threads")
        },
        url: format!("{folder_url}{suffix}"),
        heading: if current.is_some() { 2 } else { 1 },
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
            out.push_str(&format!("&{key}={}", crate::percent::query_value(value)));
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
pub fn move_targets(ctx: &PageCtx, folders: &[crate::model::Folder], current: &str) -> Vec<Target> {
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
        current: false,
    }
}
