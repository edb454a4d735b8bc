//! What the address book pages share: the book of a request's session and the links to a
//! contact's page and to writing to an address.

use crate::contacts::book::AddressBook;
use crate::percent::query_value;
use crate::state::AppState;
use crate::web::extract::CurrentSession;
use crate::web::page::{PageCtx, PageFrame};

/// The address book of a request's session: on the CardDAV server when one is configured
/// (reached with the person's own login and password), else in the private IMAP folder.
pub fn book(state: &AppState, session: &CurrentSession) -> AddressBook {
    match &state.carddav {
        Some(carddav) => AddressBook::on_carddav(
            session
                .password()
                .and_then(|password| carddav.cards(&session.username, password).ok()),
        ),
        None => AddressBook::in_imap(session.imap.clone()),
    }
}

/// After a contact was added, changed or removed: the recipient suggestions are built anew
/// on the next keystroke instead of offering the old card until they expire.
pub fn contacts_changed(state: &AppState, session: &CurrentSession) {
    state.suggestions.invalidate(&session.username);
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
