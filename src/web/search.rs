//! Search in all folders: the same server-side search as in one folder, run in each folder,
//! results grouped by folder (the newest few of each, with a link to all of them there).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::routing::get;
use axum::Router;

use super::error::AppError;
use super::extract::CurrentSession;
use super::mailbox::{row, search_params, Row, SearchForm};
use super::page::{folder_title, sidebar, FolderLink, PageCtx, PageFrame};
use crate::i18n::Msg;
use crate::imap::{ImapError, SearchQuery};
use crate::model::Role;
use crate::state::AppState;

/// Results shown per folder before "all N in this folder".
const PER_FOLDER: usize = 10;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search_everywhere))
}

/// The results found in one folder.
struct Group {
    title: String,
    total: u32,
    rows: Vec<Row>,
    /// The same search, in that folder alone.
    more_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    search: SearchQuery,
    groups: Vec<Group>,
    total: u32,
}

async fn search_everywhere(
    session: CurrentSession,
    PageFrame { ctx, folders }: PageFrame,
    Query(form): Query<SearchForm>,
) -> Result<SearchTemplate, AppError> {
    let search = form.to_query();
    let mut groups = Vec::new();
    if !search.is_empty() {
        let params = search_params(&search);
        for folder in folders.iter().filter(|f| f.selectable) {
            let page = match session
                .imap
                .page(&folder.name, 0, PER_FOLDER, Some(search.clone()))
                .await
            {
                Ok(page) => page,
                // A folder that vanished meanwhile is simply skipped.
                Err(ImapError::NotFound) => continue,
                Err(ImapError::Refused(reason)) => {
                    return Err(AppError::BadRequest(
                        Msg::new("error-search-refused").arg("reason", reason),
                    ))
                }
                Err(e) => return Err(e.into()),
            };
            if page.total == 0 {
                continue;
            }
            let outgoing = matches!(folder.role, Some(Role::Sent) | Some(Role::Drafts));
            groups.push(Group {
                title: folder_title(&ctx, &folders, &folder.name),
                total: page.total,
                rows: page
                    .rows
                    .iter()
                    .map(|s| row(&ctx, &folder.name, s, outgoing))
                    .collect(),
                more_url: format!("{}?page=1{params}", ctx.folder_url(&folder.name)),
            });
        }
    }
    Ok(SearchTemplate {
        folders: sidebar(&ctx, &folders, ""),
        total: groups.iter().map(|g| g.total).sum(),
        ctx,
        search,
        groups,
    })
}
