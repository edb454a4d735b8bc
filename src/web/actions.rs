//! Acting on messages: read/unread, star, archive, junk, delete, move and copy, for one
//! message, a selection, or the whole folder — all as one plain form POST, so it works
//! without JavaScript, and every action is done on the IMAP server so every device agrees.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;

use super::error::AppError;
use super::extract::{CsrfForm, CurrentSession};
use super::page::{role_folder, sidebar, FolderLink, PageCtx, PageFrame};
use crate::i18n::Msg;
use crate::imap::Selection;
use crate::model::{Folder, Role};
use crate::percent::query_value;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/mail/{folder}/actions", post(act))
}

#[derive(Deserialize, Default)]
struct ActionForm {
    /// Ticked messages (repeated field).
    #[serde(default)]
    uid: Vec<u32>,
    /// A compact UID set (`1:3,7`), as an undo form sends it.
    #[serde(default)]
    uids: String,
    /// `1`: every message of the folder, not just the ticked ones.
    #[serde(default)]
    all: String,
    /// `1`: every message shown on the page (`page_uid`), without ticking each one.
    #[serde(default)]
    page_all: String,
    /// The messages the page shows (hidden fields, for `page_all`).
    #[serde(default)]
    page_uid: Vec<u32>,
    #[serde(default)]
    action: String,
    /// Destination folder of move and copy.
    #[serde(default)]
    target: String,
    /// Where to go afterwards (a path of this application).
    #[serde(default)]
    back: String,
    /// `1` once the person confirmed a permanent deletion.
    #[serde(default)]
    confirm: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "confirm.html")]
struct ConfirmTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    action_url: String,
    question: String,
    uids: String,
    all: String,
    action: String,
    back: String,
}

async fn act(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(folder): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, AppError> {
    let selection = if form.all == "1" {
        Selection::All
    } else if form.page_all == "1" && !form.page_uid.is_empty() {
        Selection::Uids(form.page_uid.clone())
    } else if !form.uids.is_empty() {
        Selection::parse(&form.uids)
            .ok_or_else(|| AppError::BadRequest(Msg::new("error-selection")))?
    } else if !form.uid.is_empty() {
        Selection::Uids(form.uid.clone())
    } else {
        return Err(AppError::BadRequest(Msg::new("error-select-first")));
    };
    let PageFrame { ctx, folders } = PageFrame::load(&state, &session).await?;
    let here = folders
        .iter()
        .find(|f| f.name == folder)
        .ok_or(AppError::NotFound)?;
    let count = match &selection {
        Selection::Uids(uids) => uids.len(),
        Selection::All => here.messages.unwrap_or(0) as usize,
    };
    let folder_url = ctx.folder_url(&folder);
    let back = if super::login::is_safe_next(&form.back) && form.back.starts_with("/mail/") {
        format!("{}{}", ctx.base, form.back)
    } else {
        folder_url.clone()
    };
    // After a message leaves the folder, its own page is gone: return to the list.
    let message_prefix = format!("{folder_url}/");
    // The list's page and search ride along, so the person lands where they were.
    let back_to_list = if back.starts_with(&message_prefix) {
        match back.split_once('?') {
            Some((_, list_query)) => format!("{folder_url}?{list_query}"),
            None => folder_url.clone(),
        }
    } else {
        back.clone()
    };

    let imap = &session.imap;
    let flag_change = match form.action.as_str() {
        "read" => Some(("+FLAGS.SILENT (\\Seen)", "read")),
        "unread" => Some(("-FLAGS.SILENT (\\Seen)", "unread")),
        "flag" => Some(("+FLAGS.SILENT (\\Flagged)", "flagged")),
        "unflag" => Some(("-FLAGS.SILENT (\\Flagged)", "unflagged")),
        _ => None,
    };
    let target = match form.action.as_str() {
        _ if flag_change.is_some() => {
            let (change, notice) = flag_change.unwrap_or_default();
            imap.flag(&folder, selection.clone(), change).await?;
            notice_url(&back, notice, count, None)
        }
        "archive" | "junk" | "notjunk" | "move" | "copy" => {
            let (destination, notice) = match form.action.as_str() {
                "archive" => (role_folder(&folders, Role::Archive)?, "archived"),
                "junk" => (role_folder(&folders, Role::Junk)?, "junked"),
                "notjunk" => ("INBOX".to_string(), "notjunk"),
                "copy" => (existing(&folders, &form.target)?, "copied"),
                _ => (existing(&folders, &form.target)?, "moved"),
            };
            let copy = form.action == "copy";
            let new_uids = imap
                .transfer(&folder, selection.clone(), &destination, copy)
                .await?;
            let undo = (!copy && !new_uids.is_empty()).then(|| Undo {
                from: destination.clone(),
                uids: Selection::Uids(new_uids).to_set(),
                to: folder.clone(),
            });
            let back = if copy { &back } else { &back_to_list };
            notice_url(back, notice, count, Some((&destination, undo)))
        }
        "delete" | "empty" => {
            let in_trash = here.role == Some(Role::Trash) || here.role == Some(Role::Junk);
            if form.action == "empty" || in_trash {
                if !in_trash {
                    return Err(AppError::BadRequest(Msg::new("error-only-trash-emptied")));
                }
                if form.confirm != "1" {
                    let question = if matches!(selection, Selection::All) {
                        Msg::new("confirm-delete-all")
                            .arg("count", count)
                            .arg("folder", super::page::folder_title(&ctx, &folders, &folder))
                    } else {
                        Msg::new("confirm-delete-selected").arg("count", count)
                    };
                    return Ok(ConfirmTemplate {
                        folders: sidebar(&ctx, &folders, &folder),
                        action_url: format!("{folder_url}/actions"),
                        question: ctx.msg(&question),
                        uids: match &selection {
                            Selection::All => String::new(),
                            s => s.to_set(),
                        },
                        all: if matches!(selection, Selection::All) {
                            "1".into()
                        } else {
                            String::new()
                        },
                        action: form.action.clone(),
                        back: form.back.clone(),
                        ctx,
                    }
                    .into_response());
                }
                imap.destroy(&folder, selection.clone()).await?;
                notice_url(&back_to_list, "deleted", count, None)
            } else {
                let trash = role_folder(&folders, Role::Trash)?;
                let new_uids = imap
                    .transfer(&folder, selection.clone(), &trash, false)
                    .await?;
                let undo = (!new_uids.is_empty()).then(|| Undo {
                    from: trash.clone(),
                    uids: Selection::Uids(new_uids).to_set(),
                    to: folder.clone(),
                });
                notice_url(&back_to_list, "trashed", count, Some((&trash, undo)))
            }
        }
        _ => return Err(AppError::BadRequest(Msg::new("error-choose-action"))),
    };
    Ok(Redirect::to(&target).into_response())
}

/// How to put moved messages back: they are now `uids` in `from`, and belong in `to`.
struct Undo {
    from: String,
    uids: String,
    to: String,
}

/// The page to return to, with what happened (as keys the page turns into words).
fn notice_url(
    back: &str,
    notice: &str,
    count: usize,
    moved: Option<(&str, Option<Undo>)>,
) -> String {
    let sep = if back.contains('?') { '&' } else { '?' };
    let mut url = format!("{back}{sep}done={notice}&n={count}");
    if let Some((destination, undo)) = moved {
        url.push_str(&format!("&to={}", query_value(destination)));
        if let Some(undo) = undo {
            url.push_str(&format!(
                "&undo_from={}&undo_uids={}&undo_to={}",
                query_value(&undo.from),
                query_value(&undo.uids),
                query_value(&undo.to)
            ));
        }
    }
    url
}

fn existing(folders: &[Folder], name: &str) -> Result<String, AppError> {
    folders
        .iter()
        .find(|f| f.name == name && f.selectable)
        .map(|f| f.name.clone())
        .ok_or_else(|| AppError::BadRequest(Msg::new("error-choose-target")))
}

/// What a `done=` key says happened to `n` messages (moved or copied to the folder labelled
/// `to`), or `None` for an unknown key.
pub fn notice(done: &str, n: usize, to: &str) -> Option<Msg> {
    let id = match done {
        "read" => "notice-read",
        "unread" => "notice-unread",
        "flagged" => "notice-flagged",
        "unflagged" => "notice-unflagged",
        "archived" => "notice-archived",
        "junked" => "notice-junked",
        "notjunk" => "notice-notjunk",
        "moved" => "notice-moved",
        "copied" => "notice-copied",
        "trashed" => "notice-trashed",
        "deleted" => "notice-deleted",
        _ => return None,
    };
    Some(Msg::new(id).arg("count", n).arg("folder", to))
}
