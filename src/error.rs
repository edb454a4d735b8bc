//! The one error type of the web layer.
//!
//! Handlers return `Result<_, AppError>`. Each variant knows its status; the page the person
//! sees is rendered later by [`crate::web::error_pages`], which has the app state (base path,
//! templates) that an `IntoResponse` impl does not. Infrastructure errors are logged here with
//! their cause and shown as an opaque, friendly page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::imap::ImapError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 404: no such folder, message or part.
    #[error("not found")]
    NotFound,
    /// 400: the request itself is malformed; the text is shown to the person.
    #[error("bad request: {0}")]
    BadRequest(String),
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
    /// Short explanation for the person, already free of internals.
    pub message: String,
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
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound => "This page, folder or message does not exist (it may have been moved or deleted).".into(),
            AppError::BadRequest(text) => text.clone(),
            AppError::LoginRequired { .. } => "Please sign in.".into(),
            AppError::Forbidden => "This request did not come from a Carteiro page and was refused. Reload the page and try again.".into(),
            AppError::SlowRequest => "Your request stopped arriving part-way and was cancelled. Check your connection and try again.".into(),
            AppError::Unavailable(_) => "The mail server cannot be reached right now. Your mail is safe on the server; please try again in a moment.".into(),
            AppError::Busy => "Carteiro is very busy right now. Please try again in a moment.".into(),
            AppError::Internal(_) => "Something went wrong on our side. Please try again; if it keeps happening, tell your administrator.".into(),
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
        }
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
