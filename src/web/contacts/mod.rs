//! The address book pages: the list with its search, adding and editing a contact (also
//! from a message's sender), deleting one, importing and exporting `.vcf` files.
//!
//! - [`list`]: the list and its search.
//! - [`edit`]: the add and edit form, and delete with its confirmation.
//! - [`transfer`]: import (a multipart upload) and export (a download).
//! - [`errors`]: what the person reads when the store fails; [`shared`]: the book of a
//!   session and the links every page makes.
//!
//! Contact ids are the store's (an IMAP UID, a CardDAV href that holds slashes), so they
//! travel as a query value or a form field, never as a path segment.

mod edit;
mod errors;
mod list;
mod shared;
mod transfer;

pub use shared::book;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts", get(list::list_page))
        .route("/contacts/new", get(edit::new_page).post(edit::create))
        .route("/contacts/edit", get(edit::edit_page).post(edit::save))
        .route("/contacts/delete", post(edit::delete))
        .route("/contacts/export", get(transfer::export))
}

/// The import, which may be a large upload over a slow line: merged with the upload
/// timeout and its own body limit.
pub fn import_router() -> Router<AppState> {
    transfer::router()
}
