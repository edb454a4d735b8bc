//! Live updates: `GET /events?folder=<name>`, a Server-Sent Events stream for the signed-in
//! session that says when the inbox, or the folder the page shows, changed.
//!
//! Every `live_updates_every` (and at once on connecting) the stream asks the IMAP server
//! `STATUS (MESSAGES UIDNEXT UNSEEN)` of those folders through the session's own actor, and
//! sends an event only for a folder whose counts differ from the last answer (the first answer
//! of each folder is sent too, so the page knows where it stands). In between, a comment every
//! 15 s keeps proxies from closing the quiet connection.
//!
//! Polling, not IMAP IDLE: IDLE needs a connection of its own for as long as the page is
//! open (async-imap's `idle()` takes the session), which would double the connections every
//! reader holds against the server's per-user limit and Carteiro's own; a STATUS costs about
//! 0.2 ms and reuses the connection the pages use. The price is a delay of up to one interval.
//!
//! The stream re-reads the session on every poll, so it ends when the session does (sign-out
//! here or elsewhere, maximum age) and when the server shuts down. Reading the session counts
//! as use: an open page keeps its session from idling out, as an open mail app would.

use std::collections::HashMap;
use std::convert::Infallible;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};

use super::error::AppError;
use super::extract::{CurrentSession, COOKIE_NAME};
use crate::imap::ImapError;
use crate::model::FolderStatus;
use crate::state::AppState;

/// A folder name longer than this is not one (IMAP servers allow far less).
const MAX_FOLDER_NAME: usize = 1000;
/// How often a comment line is sent on a quiet stream.
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(15);

/// Mounted outside the request timeout: the response is meant to last.
pub fn router() -> Router<AppState> {
    Router::new().route("/events", get(events))
}

#[derive(Deserialize)]
struct EventsQuery {
    /// The folder the page shows, besides the inbox.
    folder: Option<String>,
}

/// The data of one `folder` event, as JSON.
#[derive(Serialize, Debug, PartialEq)]
struct FolderEvent {
    folder: String,
    messages: u32,
    unseen: u32,
    uidnext: u32,
}

/// What one poll needs and remembers between polls.
struct Poller {
    state: AppState,
    cookie: String,
    folders: Vec<String>,
    last: HashMap<String, FolderStatus>,
    first: bool,
}

async fn events(
    State(state): State<AppState>,
    // Refuses (303 to the sign-in page) before any stream starts.
    _session: CurrentSession,
    jar: CookieJar,
    Query(query): Query<EventsQuery>,
) -> Result<Response, AppError> {
    let cookie = jar
        .get(COOKIE_NAME)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let mut folders = vec!["INBOX".to_string()];
    if let Some(folder) = query.folder {
        if !folder.is_empty() && folder != "INBOX" && folder.len() <= MAX_FOLDER_NAME {
            folders.push(folder);
        }
    }
    let stopping = state.stopping.clone();
    let poller = Poller {
        state,
        cookie,
        folders,
        last: HashMap::new(),
        first: true,
    };
    let stream = stream::unfold(poller, poll)
        .flat_map(stream::iter)
        .take_until(stopping.cancelled_owned());
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    let headers = response.headers_mut();
    // Nothing may hold the events back: not a cache, not nginx's buffering.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// Waits for the next poll time, then polls until something changed; `None` ends the stream
/// (the session is gone).
async fn poll(mut p: Poller) -> Option<(Vec<Result<Event, Infallible>>, Poller)> {
    loop {
        if !p.first {
            tokio::time::sleep(p.state.config.live_updates_every).await;
        }
        p.first = false;
        let session = match p.state.sessions.resolve(&p.cookie).await {
            Ok(Some(session)) => session,
            Ok(None) => return None,
            // The session store is unreachable for a moment: try again next time.
            Err(_) => continue,
        };
        let mut events = Vec::new();
        let mut gone = Vec::new();
        for folder in &p.folders {
            match session.imap.status(folder).await {
                Ok(status) => {
                    if p.last.get(folder) != Some(&status) {
                        p.last.insert(folder.clone(), status);
                        events.push(event(folder, status));
                    }
                }
                // Deleted or renamed meanwhile: stop asking about it.
                Err(ImapError::NotFound) => gone.push(folder.clone()),
                // The server is away for a moment; the actor reconnects on the next job.
                Err(e) => tracing::debug!(error = %e, "live update poll failed"),
            }
        }
        p.folders.retain(|f| !gone.contains(f));
        if p.folders.is_empty() {
            return None;
        }
        if !events.is_empty() {
            return Some((events, p));
        }
    }
}

fn event(folder: &str, status: FolderStatus) -> Result<Event, Infallible> {
    let data = FolderEvent {
        folder: folder.to_string(),
        messages: status.messages,
        unseen: status.unseen,
        uidnext: status.uid_next,
    };
    Ok(Event::default()
        .event("folder")
        .json_data(&data)
        .unwrap_or_else(|_| Event::default().comment("unencodable")))
}
