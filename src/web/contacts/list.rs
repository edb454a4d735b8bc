//! The list of contacts, with its search (name or address, accents and case aside), the
//! "write to" links, and the import and export forms.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::errors;
use super::shared::{book, compose_url, edit_url};
use super::transfer::MAX_UPLOAD;
use crate::contacts::book::search;
use crate::contacts::Contact;
use crate::i18n::Msg;
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::CurrentSession;
use crate::web::page::{FolderLink, PageCtx, PageFrame};

/// One contact as the list shows it.
struct Row {
    name: String,
    edit_url: String,
    /// Each address, with the link that writes to it.
    emails: Vec<(String, String)>,
    phones: String,
    organization: String,
}

impl Row {
    fn of(ctx: &PageCtx, c: &Contact) -> Row {
        Row {
            name: c.display_name().to_string(),
            edit_url: edit_url(ctx, &c.id),
            emails: c
                .emails
                .iter()
                .map(|e| (e.clone(), compose_url(ctx, e)))
                .collect(),
            phones: c.phones.join(", "),
            organization: c.organization.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "contacts.html")]
struct ContactsTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    query: String,
    rows: Vec<Row>,
    /// How many contacts the book holds (the list may show fewer, for a search).
    total: usize,
    notice: Option<String>,
    error: Option<String>,
    max_upload: String,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    /// What was just done (`added`, `saved`, `deleted`), with the contact's `name`.
    done: Option<String>,
    #[serde(default)]
    name: String,
}

pub async fn list_page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let notice = match query.done.as_deref() {
        Some("added") => Some(Msg::new("contacts-added").arg("name", query.name.clone())),
        Some("saved") => Some(Msg::new("contacts-saved").arg("name", query.name.clone())),
        Some("deleted") => Some(Msg::new("contacts-deleted").arg("name", query.name.clone())),
        _ => None,
    };
    let (status, contacts, error) = match book(&state, &session).list().await {
        Ok(contacts) => (StatusCode::OK, contacts, None),
        Err(e) => {
            let (status, msg) = errors::failure(&e);
            (status, Vec::new(), Some(msg))
        }
    };
    let ctx = frame.ctx.clone();
    let rows = search(&contacts, &query.q)
        .into_iter()
        .map(|c| Row::of(&ctx, c))
        .collect();
    let page = ContactsTemplate {
        folders: frame.sidebar(""),
        query: query.q,
        rows,
        total: contacts.len(),
        notice: notice.map(|m| ctx.msg(&m)),
        error: error.map(|m| ctx.msg(&m)),
        max_upload: ctx.size(MAX_UPLOAD as u64),
        ctx,
    };
    Ok((status, page).into_response())
}
