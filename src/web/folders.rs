//! Managing folders: create (nested too), rename, delete, subscribe and unsubscribe, and the
//! account's storage quota. Special-use folders and INBOX cannot be renamed or deleted.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::error::AppError;
use super::extract::{CsrfForm, CurrentSession};
use super::page::{folder_title, FolderLink, PageCtx, PageFrame};
use crate::i18n::Msg;
use crate::imap::ImapError;
use crate::model::{Folder, FolderChange};
use crate::percent::query_value;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/folders", get(folders_page).post(change))
}

/// One row of the folders page.
struct FolderRow {
    name: String,
    label: String,
    depth: usize,
    url: String,
    messages: u32,
    subscribed: bool,
    /// INBOX and special-use folders: no rename, no delete.
    protected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "folders.html")]
struct FoldersTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    rows: Vec<FolderRow>,
    /// Folders a new one can go in: name and label.
    parents: Vec<(String, String)>,
    quota: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    confirm_delete: Option<String>,
}

#[derive(Deserialize)]
struct FoldersQuery {
    done: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Default)]
struct ChangeForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    new_name: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    confirm: String,
}

async fn folders_page(
    State(state): State<AppState>,
    session: CurrentSession,
    Query(query): Query<FoldersQuery>,
) -> Result<FoldersTemplate, AppError> {
    let id = match query.done.as_deref() {
        Some("created") => Some("folders-created"),
        Some("renamed") => Some("folders-renamed"),
        Some("deleted") => Some("folders-deleted"),
        Some("subscribed") => Some("folders-subscribed"),
        Some("unsubscribed") => Some("folders-unsubscribed"),
        _ => None,
    };
    let notice = id
        .zip(query.name)
        .map(|(id, name)| Msg::new(id).arg("name", name));
    render(&state, &session, notice, None, None).await
}

async fn render(
    state: &AppState,
    session: &CurrentSession,
    notice: Option<Msg>,
    error: Option<Msg>,
    confirm_delete: Option<String>,
) -> Result<FoldersTemplate, AppError> {
    // Loaded afresh: after a change, the page shows the folders as they now are.
    let frame = PageFrame::load(state, session).await?;
    let sidebar = frame.sidebar("");
    let PageFrame { ctx, folders } = frame;
    let quota = session.imap.quota().await.unwrap_or(None).map(|q| {
        let percent = (q.used * 100).checked_div(q.limit).unwrap_or(0);
        ctx.msg(
            &Msg::new("folders-quota")
                .arg("used", ctx.size(q.used))
                .arg("limit", ctx.size(q.limit))
                .arg("percent", percent),
        )
    });
    let rows = folders
        .iter()
        .map(|f| FolderRow {
            name: f.name.clone(),
            label: match f.role {
                Some(role) if f.depth == 0 => ctx.role_label(role),
                _ => f.leaf.clone(),
            },
            depth: f.depth.min(6),
            url: ctx.folder_url(&f.name),
            messages: f.messages.unwrap_or(0),
            subscribed: f.subscribed,
            protected: f.role.is_some(),
        })
        .collect();
    let parents = folders
        .iter()
        .filter(|f| f.delimiter.is_some())
        .map(|f| (f.name.clone(), folder_title(&ctx, &folders, &f.name)))
        .collect();
    Ok(FoldersTemplate {
        folders: sidebar,
        rows,
        parents,
        quota,
        notice: notice.map(|m| ctx.msg(&m)),
        error: error.map(|m| ctx.msg(&m)),
        confirm_delete,
        ctx,
    })
}

async fn change(
    State(state): State<AppState>,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, AppError> {
    let folders = session.imap.folders().await?;
    let find = |name: &str| folders.iter().find(|f| f.name == name).cloned();
    let protected = |f: &Folder| f.role.is_some();
    let (change, done, shown) = match form.action.as_str() {
        "create" => {
            let leaf = clean_name(&form.new_name)?;
            let name = if form.parent.is_empty() {
                leaf
            } else {
                let parent = find(&form.parent).ok_or(AppError::NotFound)?;
                let delimiter = parent.delimiter.unwrap_or('/');
                format!("{}{delimiter}{leaf}", parent.name)
            };
            (FolderChange::Create(name.clone()), "created", name)
        }
        "rename" => {
            let folder = find(&form.name).ok_or(AppError::NotFound)?;
            if protected(&folder) {
                return refuse(&state, &session, Msg::new("folders-error-rename-protected")).await;
            }
            let leaf = clean_name(&form.new_name)?;
            // Renaming keeps the folder where it is in the tree.
            let new_name = match folder
                .delimiter
                .and_then(|d| folder.name.rsplit_once(d).map(|(p, _)| (p, d)))
            {
                Some((parent, d)) => format!("{parent}{d}{leaf}"),
                None => leaf,
            };
            (
                FolderChange::Rename(folder.name.clone(), new_name.clone()),
                "renamed",
                new_name,
            )
        }
        "delete" => {
            let folder = find(&form.name).ok_or(AppError::NotFound)?;
            if protected(&folder) {
                return refuse(&state, &session, Msg::new("folders-error-delete-protected")).await;
            }
            if form.confirm != "1" {
                let page = render(&state, &session, None, None, Some(folder.name.clone())).await?;
                return Ok(page.into_response());
            }
            (
                FolderChange::Delete(folder.name.clone()),
                "deleted",
                folder.name,
            )
        }
        "subscribe" => (
            FolderChange::Subscribe(form.name.clone()),
            "subscribed",
            form.name.clone(),
        ),
        "unsubscribe" => {
            if form.name.eq_ignore_ascii_case("INBOX") {
                return refuse(&state, &session, Msg::new("folders-error-inbox-shown")).await;
            }
            (
                FolderChange::Unsubscribe(form.name.clone()),
                "unsubscribed",
                form.name.clone(),
            )
        }
        _ => return Err(AppError::BadRequest(Msg::new("folders-error-choose"))),
    };
    match session.imap.manage_folder(change).await {
        Ok(()) => {
            let base = &state.config.base_path;
            Ok(Redirect::to(&format!(
                "{base}/folders?done={done}&name={}",
                query_value(&shown)
            ))
            .into_response())
        }
        // The server's refusal (name taken, folder has children…) is shown as it is.
        Err(ImapError::Refused(reason)) => {
            refuse(
                &state,
                &session,
                Msg::new("folders-error-refused").arg("reason", reason),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn refuse(
    state: &AppState,
    session: &CurrentSession,
    message: Msg,
) -> Result<Response, AppError> {
    let page = render(state, session, None, Some(message), None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A folder name as typed: trimmed, one line, not empty.
fn clean_name(text: &str) -> Result<String, AppError> {
    let name = text.trim();
    if name.is_empty() {
        return Err(AppError::BadRequest(Msg::new("folders-error-no-name")));
    }
    if name.chars().any(|c| c.is_control()) || name.len() > 200 {
        return Err(AppError::BadRequest(Msg::new(
            "folders-error-name-too-long",
        )));
    }
    Ok(name.to_string())
}
