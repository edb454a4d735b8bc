//! What the address book pages share: the book of a request's session and the links to a
//! contact's page and to writing to an address.

use crate::contacts::book::AddressBook;
use crate::percent::query_value;
use crate::state::AppState;
use crate::web::extract::CurrentSession;
use crate::web::page::{PageCtx, PageFrame};

/// The address book of a request's session.
pub fn book(session: &CurrentSession) -> AddressBook {
    AddressBook::in_imap(session.imap.clone())
}

/// A contact's own page (its id is a query value: a CardDAV href holds slashes).
pub fn edit_url(ctx: &PageCtx, id: &str) -> String {
    format!("{}/contacts/edit?id={}", ctx.base, query_value(id))
}

/// The compose form, addressed to `email`.
pub fn compose_url(ctx: &PageCtx, email: &str) -> String {
    format!("{}/compose?to={}", ctx.base, query_value(email))
}

/// The frame of a page that answers a failed save: without the folder list when the mail
/// server is what failed, so that the form still comes back with what was typed.
pub async fn frame_for_failure(state: &AppState, session: &CurrentSession) -> PageFrame {
    match PageFrame::load(state, session).await {
        Ok(frame) => frame,
        Err(_) => PageFrame {
            ctx: PageCtx::for_session(state, session),
            folders: Vec::new(),
        },
    }
}
