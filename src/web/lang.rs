//! Which language a request is answered in: the person's choice (Settings, kept in the
//! session), else the browser's `Accept-Language`.

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::i18n::Lang;

/// The browser's language, from `Accept-Language` (English without one).
pub fn browser_lang(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Extractor for pages without a session (the login page): the browser's language.
pub struct BrowserLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for BrowserLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(BrowserLang(browser_lang(&parts.headers)))
    }
}

/// The language a session chose, once the session extractor has found it. The error-page
/// middleware puts an empty one in each request and renders its page after the handler, so a
/// person who chose Portuguese gets errors in Portuguese whatever the browser says, without
/// a second session lookup.
#[derive(Clone, Default)]
pub struct ChosenLang(Arc<OnceLock<Lang>>);

impl ChosenLang {
    pub fn set(&self, lang: Lang) {
        let _ = self.0.set(lang);
    }

    pub fn get(&self) -> Option<Lang> {
        self.0.get().copied()
    }
}
