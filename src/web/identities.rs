//! The Identities page (`/settings/identities`): the names, addresses, reply-to addresses and
//! signatures a person sends as. List, add, edit, delete, make default; every change is a
//! POST with the CSRF token, and a refused one comes back with what was typed and why.
//!
//! The checks (addresses, the admin's policy, the bounds) are
//! [`crate::mail::identity`]'s; this module reads the form and puts the outcome into words.

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
use super::page::{FolderLink, PageCtx, PageFrame};
use crate::i18n::Msg;
use crate::imap::ImapError;
use crate::mail::identity::policy::login_address;
use crate::mail::identity::{store, Book, Invalid, Policy, Rules, Typed, MAX_IDENTITIES};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/identities", get(page).post(change))
}

/// The rules that apply to this session's login.
pub fn rules(state: &AppState, session: &CurrentSession) -> Rules {
    Rules {
        policy: state.config.identities,
        derived: login_address(&session.username, state.config.mail_domain.as_deref()),
    }
}

/// This session's identities and the rules they are held to.
pub async fn book(state: &AppState, session: &CurrentSession) -> Result<Book, ImapError> {
    store::load(
        &session.imap,
        rules(state, session),
        session.prefs.display_name.as_deref(),
    )
    .await
}

/// What a refused identity, or change, reads as.
pub fn refusal(why: &Invalid) -> Msg {
    match why {
        Invalid::Address(text) => Msg::new("identity-error-address").arg("address", text),
        Invalid::ReplyTo(text) => Msg::new("identity-error-reply-to").arg("address", text),
        Invalid::NotAllowed(address) => {
            Msg::new("identity-error-not-allowed").arg("address", address)
        }
        Invalid::TooMany => Msg::new("identity-error-too-many").arg("count", MAX_IDENTITIES),
        Invalid::Last => Msg::new("identity-error-last"),
        Invalid::Unknown => Msg::new("identity-error-unknown"),
    }
}

/// One identity as the list shows it.
struct Row {
    id: String,
    label: String,
    reply_to: String,
    bcc_self: bool,
    is_default: bool,
    /// The admin's policy no longer lets the login send as it.
    refused: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "identities.html")]
struct IdentitiesTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    rows: Vec<Row>,
    /// What the admin allows, in words.
    policy: String,
    /// A bare login without `mail_domain` states its address here.
    ask_own_address: bool,
    own_address: String,
    /// The editor: the identity being edited (its id), or a new one (empty id).
    editing: String,
    typed: Typed,
    can_add: bool,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    edit: Option<String>,
    saved: Option<String>,
}

/// Every field of every form of the page; `action` says which form it was.
#[derive(Deserialize, Default)]
struct ChangeForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    reply_to: String,
    #[serde(default)]
    bcc_self: Option<String>,
    #[serde(default)]
    signature: String,
    #[serde(default)]
    own_address: String,
}

impl ChangeForm {
    fn typed(&self) -> Typed {
        Typed {
            name: self.name.clone(),
            address: self.address.clone(),
            reply_to: self.reply_to.clone(),
            bcc_self: self.bcc_self.as_deref() == Some("yes"),
            signature: self.signature.clone(),
        }
    }
}

fn policy_words(book: &Book) -> Msg {
    let own = book.login_address().unwrap_or_default().to_string();
    let domain = own.rsplit_once('@').map(|(_, d)| d.to_string());
    match (book.rules.policy, domain) {
        (Policy::Any, _) => Msg::new("identities-policy-any"),
        (Policy::Login, Some(_)) => Msg::new("identities-policy-login").arg("address", own),
        (Policy::Domain, Some(domain)) => {
            Msg::new("identities-policy-domain").arg("domain", domain)
        }
        (_, None) => Msg::new("identities-policy-no-address"),
    }
}

/// The page for `book`, with the editor showing `typed` (for `editing`, or a new identity).
fn render(
    frame: PageFrame,
    book: &Book,
    editing: String,
    typed: Typed,
    notice: Option<Msg>,
    error: Option<Msg>,
) -> IdentitiesTemplate {
    let ids = &book.identities;
    let rows = ids
        .list()
        .iter()
        .map(|i| Row {
            id: i.id.clone(),
            label: i.label(),
            reply_to: i.reply_to.clone().unwrap_or_default(),
            bcc_self: i.bcc_self,
            is_default: i.id == ids.default_id(),
            refused: book.rules.allow(ids, i).is_err(),
        })
        .collect();
    let ctx = frame.ctx.clone();
    IdentitiesTemplate {
        folders: frame.sidebar(""),
        rows,
        policy: ctx.msg(&policy_words(book)),
        ask_own_address: book.needs_own_address(),
        own_address: ids.own_address.clone().unwrap_or_default(),
        can_add: ids.list().len() < MAX_IDENTITIES,
        editing,
        typed,
        notice: notice.map(|m| ctx.msg(&m)),
        error: error.map(|m| ctx.msg(&m)),
        ctx,
    }
}

async fn page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
    Query(query): Query<PageQuery>,
) -> Result<IdentitiesTemplate, AppError> {
    let book = book(&state, &session).await?;
    let editing = query
        .edit
        .as_deref()
        .and_then(|id| book.identities.get(id))
        .map(|i| (i.id.clone(), i.typed()));
    let (editing, typed) = editing.unwrap_or_else(|| {
        // A new identity starts at the login's address: the one most people add again
        // with another name or signature.
        let typed = Typed {
            address: book.login_address().unwrap_or_default().to_string(),
            ..Typed::default()
        };
        (String::new(), typed)
    });
    let notice = query.saved.map(|_| Msg::new("identities-saved"));
    Ok(render(frame, &book, editing, typed, notice, None))
}

async fn change(
    State(state): State<AppState>,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, AppError> {
    let mut book = book(&state, &session).await?;
    let typed = form.typed();
    let applied = match form.action.as_str() {
        "save" => {
            let id = (!form.id.is_empty()).then_some(form.id.as_str());
            match id {
                Some(id) if book.identities.get(id).is_none() => Err(Invalid::Unknown),
                _ => typed
                    .check(id)
                    .and_then(|identity| book.check(identity))
                    .and_then(|identity| book.identities.put(identity)),
            }
        }
        "delete" => book.identities.remove(&form.id),
        "default" => book.identities.make_default(&form.id),
        "own_address" => book.set_own_address(&form.own_address),
        _ => Err(Invalid::Unknown),
    };
    let error = match applied {
        Err(why) => {
            if let Invalid::NotAllowed(address) = &why {
                tracing::info!(
                    user = crate::telemetry::untrusted(&session.username),
                    address = crate::telemetry::untrusted(address),
                    "identity refused by the policy"
                );
            }
            (StatusCode::UNPROCESSABLE_ENTITY, refusal(&why))
        }
        Ok(()) => match store::save(&session.imap, &book.identities).await {
            Ok(()) => {
                let base = &state.config.base_path;
                return Ok(
                    Redirect::to(&format!("{base}/settings/identities?saved=1")).into_response()
                );
            }
            Err(ImapError::Refused(reason)) => (
                StatusCode::BAD_GATEWAY,
                Msg::new("settings-error-not-saved").arg("reason", reason),
            ),
            Err(ImapError::Declined(why)) => {
                (StatusCode::BAD_GATEWAY, super::error::declined(&why))
            }
            Err(e) => return Err(e.into()),
        },
    };
    // Shown again as typed: nothing the person wrote is lost. After a refused delete or
    // default, the editor starts over.
    let frame = PageFrame::load(&state, &session).await?;
    let book = self::book(&state, &session).await.unwrap_or(book);
    let (editing, typed) = if form.action == "save" {
        (form.id.clone(), typed)
    } else {
        (String::new(), Typed::default())
    };
    let mut page = render(frame, &book, editing, typed, None, Some(error.1));
    if form.action == "own_address" {
        page.own_address = form.own_address.clone();
    }
    Ok((error.0, page).into_response())
}
