//! What handlers take from a request: the signed-in session (from its cookie), in the
//! language the page is written in; and the session cookie written back at login and logout.

use std::ops::Deref;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::error::AppError;
use super::lang::{browser_lang, ChosenLang};
use crate::i18n::Lang;
use crate::session::Session;
use crate::state::AppState;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "carteiro_session";

/// The signed-in session of a request, and the language its page is written in.
///
/// "Must be signed in" is this extractor in a handler's signature: without a valid session
/// the request is answered with a redirect to the sign-in page, and back here after it.
#[derive(Clone)]
pub struct CurrentSession {
    pub session: Session,
    /// The language this request is answered in: the chosen one, else the browser's.
    pub lang: Lang,
}

impl Deref for CurrentSession {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.session
    }
}

impl CurrentSession {
    /// Settles the request's language: the session's choice, else the browser's. Tells the
    /// error pages too, which are rendered after the handler.
    fn in_language_for(session: Session, parts: &Parts) -> CurrentSession {
        let lang = session
            .prefs
            .language
            .as_deref()
            .and_then(Lang::from_tag)
            .unwrap_or_else(|| browser_lang(&parts.headers));
        if let Some(chosen) = parts.extensions.get::<ChosenLang>() {
            chosen.set(lang);
        }
        CurrentSession { session, lang }
    }
}

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        match <Self as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state).await?
        {
            Some(session) => Ok(session),
            None => Err(AppError::LoginRequired { next }),
        }
    }
}

impl OptionalFromRequestParts<AppState> for CurrentSession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(COOKIE_NAME) else {
            return Ok(None);
        };
        let session = state.sessions.resolve(cookie.value()).await?;
        Ok(session.map(|s| CurrentSession::in_language_for(s, parts)))
    }
}

/// Builds the session cookie for the configured path and transport.
pub fn session_cookie(value: String, base_path: &str, secure: bool) -> Cookie<'static> {
    let path = if base_path.is_empty() {
        "/".to_string()
    } else {
        format!("{base_path}/")
    };
    Cookie::build((COOKIE_NAME, value))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// A cookie that removes the session cookie from the browser.
pub fn removal_cookie(base_path: &str, secure: bool) -> Cookie<'static> {
    let mut cookie = session_cookie(String::new(), base_path, secure);
    cookie.make_removal();
    cookie
}

impl CurrentSession {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if self.csrf_matches(token) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}
