//! The Settings page. Everything is stored on the IMAP server (METADATA, or a private
//! folder on a server without it) so every Carteiro
//! instance and every device sees the same, and Carteiro itself keeps no database: the
//! preferences of [`crate::prefs`] (also kept in the session, so pages need not ask the
//! server for them). Names, addresses and signatures are identities, on a page of their own
//! ([`super::identities`]), which this one links to, as it links to the password page
//! ([`super::password`]) when the admin configured where passwords are changed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::error::AppError;
use super::extract::{CsrfForm, CurrentSession};
use super::page::{FolderLink, PageCtx, PageFrame};
use crate::i18n::{Lang, Msg};
use crate::imap::ImapError;
use crate::prefs::{Preferences, Theme, PAGE_SIZES};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(settings_page).post(save))
        .route("/shortcuts", get(shortcuts_page))
}

/// The keyboard shortcuts, as a page of their own: the `?` overlay of app.js shows the same
/// list, and this page is where Settings links to, so it can be read without JavaScript.
#[derive(Template, WebTemplate)]
#[template(path = "shortcuts.html")]
struct ShortcutsTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
}

async fn shortcuts_page(frame: PageFrame) -> ShortcutsTemplate {
    ShortcutsTemplate {
        folders: frame.sidebar(""),
        ctx: frame.ctx,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "settings.html")]
struct SettingsTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    /// Every language, for the select: tag and own name.
    languages: Vec<LanguageOption>,
    /// The preferences shown in the form (the stored ones, or the ones just sent back).
    prefs: Preferences,
    /// The stored language choice; empty for "the browser's language".
    language: String,
    page_sizes: Vec<usize>,
    /// Whether the server offers filters and the out-of-office reply (ManageSieve).
    filters: bool,
    /// Whether the admin configured a password backend: only then is the password page
    /// linked.
    password_change: bool,
    notice: Option<String>,
    error: Option<String>,
}

/// One language of the Settings select, named in its own words.
struct LanguageOption {
    tag: String,
    name: String,
}

fn language_options() -> Vec<LanguageOption> {
    Lang::all()
        .into_iter()
        .map(|l| LanguageOption {
            tag: l.tag(),
            name: l.t("language-name"),
        })
        .collect()
}

#[derive(Deserialize)]
struct SettingsQuery {
    saved: Option<String>,
}

/// The settings form. Every field is optional so that an older form (or a script posting
/// only one field) changes only what it sends; the full form always sends `theme`, and then
/// an unchecked `known_images` means "off".
///
/// A field sent empty is `Some("")`, not `None`: an empty language means "the browser's",
/// which is not the same as leaving it as it is.
#[derive(Deserialize)]
struct SettingsForm {
    /// A language tag, or empty for the browser's.
    #[serde(default, deserialize_with = "sent")]
    language: Option<String>,
    #[serde(default, deserialize_with = "sent")]
    theme: Option<String>,
    #[serde(default, deserialize_with = "sent")]
    page_size: Option<String>,
    #[serde(default, deserialize_with = "sent")]
    known_images: Option<String>,
}

/// A form field that was sent, empty or not (HTML form parsers read `field=` as absent).
fn sent<'de, D: serde::Deserializer<'de>>(field: D) -> Result<Option<String>, D::Error> {
    String::deserialize(field).map(Some)
}

impl SettingsForm {
    /// The preferences this form asks for, starting from the current ones.
    fn apply(&self, current: &Preferences) -> Preferences {
        let mut prefs = current.clone();
        if let Some(tag) = &self.language {
            // Only a language Carteiro has is stored; anything else means "the browser's".
            prefs.language = Lang::from_tag(tag).map(|l| l.tag());
        }
        if let Some(theme) = &self.theme {
            prefs.theme = Theme::parse(theme);
            prefs.known_images = self.known_images.as_deref() == Some("yes");
        }
        if let Some(size) = self.page_size.as_deref().and_then(|s| s.parse().ok()) {
            if PAGE_SIZES.contains(&size) {
                prefs.page_size = size;
            }
        }
        prefs
    }
}

async fn settings_page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
    Query(query): Query<SettingsQuery>,
) -> Result<SettingsTemplate, AppError> {
    let ctx = frame.ctx.clone();
    Ok(SettingsTemplate {
        folders: frame.sidebar(""),
        languages: language_options(),
        language: session.prefs.language.clone().unwrap_or_default(),
        prefs: session.prefs.clone(),
        page_sizes: PAGE_SIZES.to_vec(),
        filters: state.sieve_for(session.upstreams.as_ref()).is_some(),
        password_change: state.password.is_some(),
        notice: query.saved.map(|_| ctx.lang.t("settings-saved")),
        error: None,
        ctx,
    })
}

async fn save(
    State(state): State<AppState>,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, AppError> {
    let prefs = form.apply(&session.prefs);
    let mut saved = Ok(());
    if prefs != session.prefs {
        saved = session.imap.set_preferences(&prefs).await;
        if saved.is_ok() {
            state
                .sessions
                .set_preferences(&session.store_key, prefs.clone())
                .await?;
        }
    }
    let error = match saved {
        Ok(()) => {
            let base = &state.config.base_path;
            return Ok(Redirect::to(&format!("{base}/settings?saved=1")).into_response());
        }
        Err(ImapError::Refused(reason)) => {
            Msg::new("settings-error-not-saved").arg("reason", reason)
        }
        Err(ImapError::Declined(why)) => super::error::declined(&why),
        Err(e) => return Err(e.into()),
    };
    let frame = PageFrame::load(&state, &session).await?;
    let ctx = frame.ctx.clone();
    Ok((
        axum::http::StatusCode::BAD_GATEWAY,
        SettingsTemplate {
            folders: frame.sidebar(""),
            languages: language_options(),
            // The form as it was sent, so nothing chosen is lost.
            language: prefs.language.clone().unwrap_or_default(),
            prefs,
            page_sizes: PAGE_SIZES.to_vec(),
            filters: state.sieve_for(session.upstreams.as_ref()).is_some(),
            password_change: state.password.is_some(),
            notice: None,
            error: Some(ctx.msg(&error)),
            ctx,
        },
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_sent_empty_is_not_a_field_left_out() {
        let form: SettingsForm = serde_html_form::from_str("language=&theme=dark").unwrap();
        assert_eq!(form.language.as_deref(), Some(""));
        assert_eq!(form.theme.as_deref(), Some("dark"));
        assert_eq!(form.page_size, None);
        let current = Preferences {
            language: Some("pt-BR".into()),
            ..Default::default()
        };
        let prefs = form.apply(&current);
        assert_eq!(prefs.language, None, "empty means the browser's language");
        let untouched = serde_html_form::from_str::<SettingsForm>("theme=dark")
            .unwrap()
            .apply(&current);
        assert_eq!(untouched.language.as_deref(), Some("pt-BR"));
    }
}
