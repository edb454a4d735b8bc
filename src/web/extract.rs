//! What handlers take from a request: the signed-in session (from its cookie), in the
//! language the page is written in; a form that carries the session's CSRF token; and the
//! session cookie written back at login and logout.

use std::ops::Deref;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::de::DeserializeOwned;
use serde::Deserialize;

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
    /// The path and query this request asked for (below the base path): where a form on
    /// its page (the banner's "turn off") comes back to.
    pub here: String,
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
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        CurrentSession {
            session,
            lang,
            here,
        }
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
        // Found once per request, however many extractors ask (a handler's session and its
        // `CsrfForm` both do).
        if let Some(found) = parts.extensions.get::<CurrentSession>() {
            return Ok(Some(found.clone()));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(COOKIE_NAME) else {
            return Ok(None);
        };
        let Some(session) = state.sessions.resolve(cookie.value()).await? else {
            return Ok(None);
        };
        let current = CurrentSession::in_language_for(session, parts);
        parts.extensions.insert(current.clone());
        Ok(Some(current))
    }
}

/// A form POSTed by one of this session's own pages: its `csrf` field must hold the session's
/// token, or the request is refused (403) before the form is even read. Being signed in is
/// part of it, as with [`CurrentSession`].
///
/// The token is read on its own from the same body, so the forms themselves need no `csrf`
/// field. Repeated fields (`uid=1&uid=2`) work as with `axum_extra`'s `Form`.
pub struct CsrfForm<T>(pub T);

/// The one field every protected form carries.
#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// For extractors of a signed-in session's request body: the session (or the refusal that
/// sends the browser to sign in), and the request back to read its body from.
pub async fn signed_in(
    request: Request,
    state: &AppState,
) -> Result<(CurrentSession, Request), Response> {
    let (mut parts, body) = request.into_parts();
    let session =
        <CurrentSession as FromRequestParts<AppState>>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
    Ok((session, Request::from_parts(parts, body)))
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (session, request) = signed_in(request, state).await?;
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response());
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let token = serde_html_form::from_bytes::<CsrfField>(&bytes)
            .map(|f| f.csrf)
            .unwrap_or_default();
        session
            .check_csrf(&token)
            .map_err(IntoResponse::into_response)?;
        serde_html_form::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| StatusCode::UNPROCESSABLE_ENTITY.into_response())
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
