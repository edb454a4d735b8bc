//! The one error type of the web layer.
//!
//! Handlers return `Result<_, AppError>`. Each variant knows its status; the page the person
//! sees is rendered later by [`crate::web::middleware::error_pages`], which has the app state (base path,
//! templates) and the request's language that an `IntoResponse` impl does not, so what the
//! person reads travels as a [`Msg`], put into words there. Infrastructure errors are logged
//! here with their cause and shown as an opaque, friendly page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::i18n::Msg;
use crate::imap::{Declined, ImapError};
use crate::session::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 404: no such folder, message or part.
    #[error("not found")]
    NotFound,
    /// 400: the request itself is malformed; the message is shown to the person.
    #[error("bad request: {}", .0.id)]
    BadRequest(Msg),
    /// 303 to the login page: no valid session. Carries the path to come back to.
    #[error("login required")]
    LoginRequired { next: String },
    /// 403: a state-changing request that did not come from our own pages.
    #[error("cross-site request refused")]
    Forbidden,
    /// 408: the client stopped sending its request part-way.
    #[error("request arrived too slowly")]
    SlowRequest,
    /// 503: the IMAP server cannot be reached or dropped the connection.
    #[error("mail server unavailable: {0}")]
    Unavailable(String),
    /// 503: Carteiro's own connection limit is reached.
    #[error("too busy")]
    Busy,
    /// 500: anything else; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// What the error-page middleware needs to render a page for an error response.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub status: StatusCode,
    /// Short explanation for the person, free of internals.
    pub message: Msg,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::SlowRequest => StatusCode::REQUEST_TIMEOUT,
            AppError::Unavailable(_) | AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The sentence the person reads; never contains server internals.
    pub fn public_message(&self) -> Msg {
        match self {
            AppError::NotFound => Msg::new("error-not-found"),
            AppError::BadRequest(msg) => msg.clone(),
            AppError::LoginRequired { .. } => Msg::new("error-login-required"),
            AppError::Forbidden => Msg::new("error-forbidden"),
            AppError::SlowRequest => Msg::new("error-slow"),
            AppError::Unavailable(_) => Msg::new("error-unavailable"),
            AppError::Busy => Msg::new("error-busy"),
            AppError::Internal(_) => Msg::new("error-internal"),
        }
    }
}

impl From<ImapError> for AppError {
    fn from(e: ImapError) -> Self {
        match e {
            ImapError::NotFound => AppError::NotFound,
            ImapError::Busy => AppError::Busy,
            ImapError::Unavailable(cause) => AppError::Unavailable(cause),
            // The password changed since login: the person has to sign in again.
            ImapError::AuthFailed => AppError::LoginRequired { next: "/".into() },
            ImapError::Refused(cause) => AppError::Internal(format!("IMAP refused: {cause}")),
            ImapError::Protocol(cause) => AppError::Internal(format!("IMAP protocol: {cause}")),
            ImapError::Declined(why) => AppError::BadRequest(declined(&why)),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// What the person reads when Carteiro did not even ask the server.
pub fn declined(why: &Declined) -> Msg {
    match why {
        Declined::NotADate(text) => Msg::new("error-search-date").arg("date", text),
        Declined::SearchText => Msg::new("error-search-text"),
        Declined::NoSettings => Msg::new("error-no-settings"),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(cause) => tracing::error!(%cause, "request failed"),
            AppError::Unavailable(cause) => tracing::warn!(%cause, "mail server unavailable"),
            AppError::Busy => tracing::warn!("IMAP connection limit reached"),
            _ => {}
        }
        if let AppError::LoginRequired { next } = &self {
            let mut response = StatusCode::SEE_OTHER.into_response();
            response
                .extensions_mut()
                .insert(LoginRedirect(next.clone()));
            return response;
        }
        let mut response = self.status().into_response();
        response.extensions_mut().insert(ErrorPage {
            status: self.status(),
            message: self.public_message(),
        });
        response
    }
}

/// Marker for the middleware: send the browser to the login page, then back to this path.
#[derive(Clone, Debug)]
pub struct LoginRedirect(pub String);
