//! `GET /contacts/suggest?q=…`: recipient suggestions for the compose page's script, as
//! JSON, from the account's cached index ([`crate::contacts::suggestions`]); and the index
//! the compose page itself uses for its `<datalist>` (what works without JavaScript).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::contacts::suggest::{Source, MAX_RESULTS};
use crate::contacts::suggestions::Built;
use crate::contacts::Contact;
use crate::state::AppState;
use crate::web::extract::CurrentSession;

/// The longest query looked at: a name and an address, with room to spare.
const MAX_QUERY_CHARS: usize = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/contacts/suggest", get(suggest))
}

#[derive(Deserialize)]
struct SuggestQuery {
    #[serde(default)]
    q: String,
}

/// One suggestion as the script gets it.
#[derive(Serialize)]
struct Answer<'a> {
    name: &'a str,
    address: &'a str,
    source: Source,
    /// What goes into the field: `Name <address>`, quoted as needed.
    text: String,
}

async fn suggest(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
    Query(query): Query<SuggestQuery>,
) -> Response {
    // A script asks, not a person: no sign-in page, just the status.
    let Some(session) = session else {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CACHE_CONTROL, "no-store")],
        )
            .into_response();
    };
    let typed: String = query.q.chars().take(MAX_QUERY_CHARS).collect();
    let built = index_for(&state, &session).await;
    let found = built.index.query(&typed, MAX_RESULTS);
    let answers: Vec<Answer> = found
        .iter()
        .map(|s| Answer {
            name: &s.name,
            address: &s.address,
            source: s.source,
            text: s.field_text(),
        })
        .collect();
    // Who someone writes to is private: no cache, shared or not, keeps it.
    ([(header::CACHE_CONTROL, "no-store")], Json(answers)).into_response()
}

/// The session's suggestion index: the cached one while fresh; a stale one is still
/// answered from while a new one is built in the background; with none yet (the first
/// page of a session, or just after a change), one is built now.
pub async fn index_for(state: &AppState, session: &CurrentSession) -> Arc<Built> {
    let login = session.username.clone();
    match state.suggestions.cached(&login) {
        Some(built) if built.is_fresh() => built,
        Some(stale) => {
            if state.suggestions.start_rebuild(&login) {
                let state = state.clone();
                let session = session.clone();
                tokio::spawn(async move {
                    let contacts = contacts(&state, &session).await;
                    state
                        .suggestions
                        .build(&login, &session.imap, contacts)
                        .await;
                    state.suggestions.rebuilt(&login);
                });
            }
            stale
        }
        None => {
            let contacts = contacts(state, session).await;
            state
                .suggestions
                .build(&login, &session.imap, contacts)
                .await
        }
    }
}

/// The person's address book, which the index suggests from together with the collected
/// addresses. An address book that cannot be read now suggests nothing until it can.
async fn contacts(state: &AppState, session: &CurrentSession) -> Vec<Contact> {
    match crate::web::contacts::book(state, session).list().await {
        Ok(contacts) => contacts,
        Err(error) => {
            tracing::warn!(%error, "the address book could not be read for suggestions");
            Vec::new()
        }
    }
}
