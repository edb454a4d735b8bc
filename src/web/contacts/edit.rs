//! Adding, editing and deleting one contact. The form comes back with what was typed and
//! the reason whenever a contact is not saved (an address that does not parse, the store
//! down or refusing), so nothing typed is lost. Deleting asks first, on a page of its own
//! kind: the form with a confirmation above it, which works without JavaScript.

use std::str::FromStr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::errors;
use super::shared::{book, contacts_changed, edit_url, frame_for_failure};
use crate::contacts::vcard::clean;
use crate::contacts::Contact;
use crate::i18n::Msg;
use crate::percent::query_value;
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::{CsrfForm, CurrentSession};
use crate::web::page::{FolderLink, PageCtx, PageFrame};

/// The form as typed: lists one value a line.
#[derive(Deserialize, Default, Clone)]
pub struct ContactForm {
    #[serde(default)]
    id: String,
    /// The card's version when the form was filled ([`Contact::version`]).
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    emails: String,
    #[serde(default)]
    phones: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    confirm: String,
}

impl ContactForm {
    fn of(c: &Contact) -> ContactForm {
        ContactForm {
            id: c.id.clone(),
            version: c.version.clone(),
            name: c.name.clone(),
            emails: c.emails.join("\n"),
            phones: c.phones.join("\n"),
            organization: c.organization.clone(),
            note: c.note.clone(),
            confirm: String::new(),
        }
    }

    /// The contact typed, cleaned as it will be written. Addresses may also be separated
    /// by commas or semicolons (pasted from an address field); phones only by lines.
    fn contact(&self) -> Contact {
        let lines = |s: &str, seps: &[char]| -> Vec<String> {
            s.split(|c: char| c == '\n' || seps.contains(&c))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect()
        };
        clean(&Contact {
            id: self.id.clone(),
            version: self.version.clone(),
            uid: String::new(),
            name: self.name.clone(),
            emails: lines(&self.emails, &[',', ';']),
            phones: lines(&self.phones, &[]),
            organization: self.organization.clone(),
            note: self.note.clone(),
        })
    }

    /// What is wrong with the contact typed, in the person's words.
    fn problem(&self) -> Option<Msg> {
        let c = self.contact();
        if c.name.is_empty() && c.emails.is_empty() {
            return Some(Msg::new("contacts-error-empty"));
        }
        c.emails
            .iter()
            .find(|e| lettre::Address::from_str(e).is_err())
            .map(|e| Msg::new("contacts-error-address").arg("address", e.clone()))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "contact.html")]
pub struct ContactTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    /// Editing a stored contact (else adding one).
    editing: bool,
    form: ContactForm,
    /// Whether the form is shown: not when the contact to edit could not be found or read.
    show_form: bool,
    /// Adding an address that is already a contact's: that contact's name and page.
    existing: Option<(String, String)>,
    confirm_delete: bool,
    error: Option<String>,
}

impl ContactTemplate {
    fn new(frame: PageFrame, editing: bool, form: ContactForm) -> ContactTemplate {
        ContactTemplate {
            folders: frame.sidebar(""),
            ctx: frame.ctx,
            editing,
            form,
            show_form: true,
            existing: None,
            confirm_delete: false,
            error: None,
        }
    }

    /// The edit page of the contact in the form (where a cancelled delete goes back to).
    fn form_edit_url(&self) -> String {
        edit_url(&self.ctx, &self.form.id)
    }

    fn with_error(mut self, msg: &Msg) -> ContactTemplate {
        self.error = Some(self.ctx.msg(msg));
        self
    }
}

/// A prefilled add form (from a message's sender): `?name=…&email=…`.
#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

pub async fn new_page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
    Query(query): Query<NewQuery>,
) -> Response {
    let form = ContactForm {
        name: query.name.clone(),
        emails: query.email.clone(),
        ..Default::default()
    };
    let mut page = ContactTemplate::new(frame, false, form);
    if query.email.trim().is_empty() {
        return page.into_response();
    }
    match book(&state, &session).find_by_email(&query.email).await {
        Ok(Some(known)) => {
            page.existing = Some((
                known.display_name().to_string(),
                edit_url(&page.ctx, &known.id),
            ));
            page.show_form = false;
            page.into_response()
        }
        Ok(None) => page.into_response(),
        // The form stays, prefilled: saving may work once the store is back.
        Err(e) => {
            let (status, msg) = errors::failure(&e);
            (status, page.with_error(&msg)).into_response()
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Result<Response, AppError> {
    if let Some(problem) = form.problem() {
        return refuse(
            &state,
            &session,
            false,
            form,
            StatusCode::UNPROCESSABLE_ENTITY,
            problem,
        )
        .await;
    }
    let contact = form.contact();
    match book(&state, &session).create(&contact).await {
        Ok(_) => Ok(done(&state, &session, "added", contact.display_name())),
        Err(e) => {
            let (status, msg) = errors::failure(&e);
            refuse(&state, &session, false, form, status, msg).await
        }
    }
}

#[derive(Deserialize)]
pub struct IdQuery {
    #[serde(default)]
    id: String,
}

pub async fn edit_page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
    Query(query): Query<IdQuery>,
) -> Response {
    match book(&state, &session).get(&query.id).await {
        Ok(contact) => ContactTemplate::new(frame, true, ContactForm::of(&contact)).into_response(),
        Err(e) => {
            let (status, msg) = errors::failure(&e);
            let mut page =
                ContactTemplate::new(frame, true, ContactForm::default()).with_error(&msg);
            page.show_form = false;
            (status, page).into_response()
        }
    }
}

pub async fn save(
    State(state): State<AppState>,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Result<Response, AppError> {
    if let Some(problem) = form.problem() {
        return refuse(
            &state,
            &session,
            true,
            form,
            StatusCode::UNPROCESSABLE_ENTITY,
            problem,
        )
        .await;
    }
    let contact = form.contact();
    match book(&state, &session).update(&contact).await {
        Ok(_) => Ok(done(&state, &session, "saved", contact.display_name())),
        Err(e) => {
            let (status, msg) = errors::failure(&e);
            refuse(&state, &session, true, form, status, msg).await
        }
    }
}

/// Deletes a contact once confirmed; the first POST shows the contact with the question.
pub async fn delete(
    State(state): State<AppState>,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Result<Response, AppError> {
    let book = book(&state, &session);
    if form.confirm != "1" {
        let frame = PageFrame::load(&state, &session).await?;
        return Ok(match book.get(&form.id).await {
            Ok(contact) => {
                let mut page = ContactTemplate::new(frame, true, ContactForm::of(&contact));
                page.confirm_delete = true;
                page.into_response()
            }
            Err(e) => {
                let (status, msg) = errors::failure(&e);
                let mut page = ContactTemplate::new(frame, true, form).with_error(&msg);
                page.show_form = false;
                (status, page).into_response()
            }
        });
    }
    match book.delete(&form.id).await {
        Ok(()) => Ok(done(
            &state,
            &session,
            "deleted",
            form.contact().display_name(),
        )),
        Err(e) => {
            let (status, msg) = errors::failure(&e);
            refuse(&state, &session, true, form, status, msg).await
        }
    }
}

/// After a change: back to the list, saying what was done; the recipient suggestions are
/// rebuilt with the change.
fn done(state: &AppState, session: &CurrentSession, what: &str, name: &str) -> Response {
    contacts_changed(state, session);
    let base = &state.config.base_path;
    Redirect::to(&format!(
        "{base}/contacts?done={what}&name={}",
        query_value(name)
    ))
    .into_response()
}

/// The form again, as typed, with what went wrong.
async fn refuse(
    state: &AppState,
    session: &CurrentSession,
    editing: bool,
    form: ContactForm,
    status: StatusCode,
    msg: Msg,
) -> Result<Response, AppError> {
    let frame = frame_for_failure(state, session).await;
    let page = ContactTemplate::new(
        frame,
        editing,
        ContactForm {
            confirm: String::new(),
            ..form
        },
    )
    .with_error(&msg);
    Ok((status, page).into_response())
}
