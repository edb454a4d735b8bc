//! Managing folders: create (nested too), rename, delete, subscribe and unsubscribe, and the
//! account's storage quota. Special-use folders and INBOX cannot be renamed or deleted.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::page::{query_value, sidebar, FolderLink, PageCtx};
use crate::app::AppState;
use crate::error::AppError;
use crate::imap::{Folder, FolderChange, ImapError};
use crate::mime::format_size;
use crate::session::CurrentSession;

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
    parents: Vec<String>,
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
    csrf: String,
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
    let notice = match (query.done.as_deref(), query.name.as_deref()) {
        (Some("created"), Some(n)) => Some(format!("Folder “{n}” created.")),
        (Some("renamed"), Some(n)) => Some(format!("Folder renamed to “{n}”.")),
        (Some("deleted"), Some(n)) => Some(format!("Folder “{n}” deleted.")),
        (Some("subscribed"), Some(n)) => Some(format!("“{n}” now shows in the folder list.")),
        (Some("unsubscribed"), Some(n)) => Some(format!("“{n}” is hidden from the folder list.")),
        _ => None,
    };
    render(&state, &session, notice, None, None).await
}

async fn render(
    state: &AppState,
    session: &CurrentSession,
    notice: Option<String>,
    error: Option<String>,
    confirm_delete: Option<String>,
) -> Result<FoldersTemplate, AppError> {
    let ctx = PageCtx::for_session(state, session);
    let folders = session.imap.folders().await?;
    let quota = session.imap.quota().await.unwrap_or(None).map(|q| {
        let percent = (q.used * 100).checked_div(q.limit).unwrap_or(0);
        format!(
            "Using {} of {} ({percent}%).",
            format_size(q.used),
            format_size(q.limit)
        )
    });
    let rows = folders
        .iter()
        .map(|f| FolderRow {
            name: f.name.clone(),
            label: f.leaf.clone(),
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
        .map(|f| f.name.clone())
        .collect();
    Ok(FoldersTemplate {
        folders: sidebar(&ctx, &folders, ""),
        ctx,
        rows,
        parents,
        quota,
        notice,
        error,
        confirm_delete,
    })
}

async fn change(
    State(state): State<AppState>,
    session: CurrentSession,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    session.check_csrf(&form.csrf)?;
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
                return refuse(
                    &state,
                    &session,
                    "INBOX and the special folders cannot be renamed.",
                )
                .await;
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
                return refuse(
                    &state,
                    &session,
                    "INBOX and the special folders cannot be deleted.",
                )
                .await;
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
                return refuse(&state, &session, "INBOX is always shown.").await;
            }
            (
                FolderChange::Unsubscribe(form.name.clone()),
                "unsubscribed",
                form.name.clone(),
            )
        }
        _ => {
            return Err(AppError::BadRequest(
                "Choose what to do with the folder.".into(),
            ))
        }
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
                &format!("The mail server refused: {reason}"),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn refuse(
    state: &AppState,
    session: &CurrentSession,
    message: &str,
) -> Result<Response, AppError> {
    let page = render(state, session, None, Some(message.to_string()), None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A folder name as typed: trimmed, one line, not empty.
fn clean_name(text: &str) -> Result<String, AppError> {
    let name = text.trim();
    if name.is_empty() {
        return Err(AppError::BadRequest("Give the folder a name.".into()));
    }
    if name.chars().any(|c| c.is_control()) || name.len() > 200 {
        return Err(AppError::BadRequest(
            "A folder name must be one line of at most 200 characters.".into(),
        ));
    }
    Ok(name.to_string())
}
