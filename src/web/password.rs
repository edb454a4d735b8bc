//! The password page (`/settings/password`): the current password, the new one twice, and
//! [`crate::password`]'s verdict in the person's words. After a change the session's sealed
//! credentials hold the new password, so the person stays signed in.
//!
//! Without a backend configured the page only says that passwords are changed elsewhere,
//! and Settings does not link to it.
//!
//! A refused form comes back empty: passwords are never written into a page (where they
//! would sit in its source, the browser's cache and its history). The message names the
//! field to fix, and that field is marked and focused.

use std::time::Duration;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use secrecy::SecretString;
use serde::Deserialize;

use super::error::AppError;
use super::extract::{CsrfForm, CurrentSession};
use super::middleware::client::ClientInfo;
use super::page::{FolderLink, PageCtx, PageFrame};
use crate::config::MAX_PASSWORD_LENGTH;
use crate::i18n::Msg;
use crate::password::policy::Weakness;
use crate::password::{ChangeError, ChangeRequest};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/password", get(page).post(change))
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    /// The fewest characters, when a backend is configured; `None`: changed elsewhere.
    min_length: Option<usize>,
    max_length: usize,
    /// The login, for password managers.
    login: String,
    notice: Option<String>,
    error: Option<String>,
    /// The field the error is about: `current`, `new`, or empty.
    invalid: &'static str,
}

#[derive(Deserialize)]
struct PageQuery {
    changed: Option<String>,
}

/// The form. Not `Debug`, and its fields become secrets at once.
#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

fn render(
    state: &AppState,
    session: &CurrentSession,
    frame: PageFrame,
    notice: Option<Msg>,
    error: Option<(Msg, &'static str)>,
) -> PasswordTemplate {
    let ctx = frame.ctx.clone();
    let (error, invalid) = match error {
        Some((msg, field)) => (Some(ctx.msg(&msg)), field),
        None => (None, ""),
    };
    PasswordTemplate {
        folders: frame.sidebar(""),
        min_length: state.password.as_ref().map(|p| p.min_length()),
        max_length: MAX_PASSWORD_LENGTH,
        login: session.username.clone(),
        notice: notice.map(|m| ctx.msg(&m)),
        error,
        invalid,
        ctx,
    }
}

async fn page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
    Query(query): Query<PageQuery>,
) -> PasswordTemplate {
    let notice = query.changed.map(|_| Msg::new("password-changed"));
    render(&state, &session, frame, notice, None)
}

/// What a refusal reads as, its status, and the field it is about.
fn refusal(error: &ChangeError) -> (StatusCode, Msg, &'static str) {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    match error {
        ChangeError::Missing => (unprocessable, Msg::new("password-error-missing"), ""),
        ChangeError::Mismatch => (unprocessable, Msg::new("password-error-mismatch"), "new"),
        ChangeError::Weak(weakness) => (unprocessable, weak(weakness), "new"),
        ChangeError::Throttled(wait) => (
            StatusCode::TOO_MANY_REQUESTS,
            Msg::new("password-error-throttled").arg("minutes", minutes(*wait)),
            "",
        ),
        ChangeError::WrongCurrent => (
            unprocessable,
            Msg::new("password-error-wrong-current"),
            "current",
        ),
        ChangeError::BackendRefusedCurrent => (
            StatusCode::BAD_GATEWAY,
            Msg::new("password-error-backend-current"),
            "",
        ),
        ChangeError::BackendRefusedNew => {
            (unprocessable, Msg::new("password-error-backend-new"), "new")
        }
        ChangeError::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            Msg::new("password-error-unavailable"),
            "",
        ),
    }
}

fn weak(weakness: &Weakness) -> Msg {
    match weakness {
        Weakness::TooShort(min) => Msg::new("password-error-too-short").arg("min", *min),
        Weakness::TooLong(max) => Msg::new("password-error-too-long").arg("max", *max),
        Weakness::ControlCharacter => Msg::new("password-error-control"),
        Weakness::Login => Msg::new("password-error-login"),
        Weakness::Current => Msg::new("password-error-current"),
        Weakness::FewDistinct(min) => Msg::new("password-error-few-distinct").arg("min", *min),
        Weakness::Common => Msg::new("password-error-common"),
    }
}

/// A wait in whole minutes, never "0 minutes".
fn minutes(wait: Duration) -> u64 {
    wait.as_secs().div_ceil(60).max(1)
}

async fn change(
    State(state): State<AppState>,
    client: ClientInfo,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let Some(changer) = &state.password else {
        return Err(AppError::NotFound);
    };
    let current = SecretString::from(form.current_password);
    let new = SecretString::from(form.new_password);
    let repeated = SecretString::from(form.repeat_password);
    let request = ChangeRequest {
        login: &session.username,
        ip: client.ip,
        current: &current,
        new: &new,
        repeated: &repeated,
    };
    let connector = state.sessions.connector_for(session.upstreams.as_ref());
    let error = match changer.change(&connector, request).await {
        Ok(changed) => {
            // The person stays signed in: this session now opens with the new password, on
            // the connection that confirmed it.
            state
                .sessions
                .set_password(&session, new, changed.conn)
                .await?;
            let base = &state.config.base_path;
            return Ok(Redirect::to(&format!("{base}/settings/password?changed=1")).into_response());
        }
        Err(e) => refusal(&e),
    };
    let frame = PageFrame::load(&state, &session).await?;
    let (status, msg, field) = error;
    let page = render(&state, &session, frame, None, Some((msg, field)));
    Ok((status, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_shown_in_whole_minutes_and_never_as_none() {
        assert_eq!(minutes(Duration::from_secs(1)), 1);
        assert_eq!(minutes(Duration::from_secs(60)), 1);
        assert_eq!(minutes(Duration::from_secs(61)), 2);
    }

    #[test]
    fn every_refusal_names_the_field_to_fix_when_there_is_one() {
        let (status, _, field) = refusal(&ChangeError::WrongCurrent);
        assert_eq!(
            (status, field),
            (StatusCode::UNPROCESSABLE_ENTITY, "current")
        );
        let (_, _, field) = refusal(&ChangeError::Weak(Weakness::Common));
        assert_eq!(field, "new");
        let (status, _, field) = refusal(&ChangeError::Throttled(Duration::from_secs(60)));
        assert_eq!((status, field), (StatusCode::TOO_MANY_REQUESTS, ""));
        let (status, _, _) = refusal(&ChangeError::Unavailable);
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    }
}
