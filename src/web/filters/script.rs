//! Expert mode (`/settings/filters/script`, `?name=` for a script other than Carteiro's): a
//! script's text in a textarea, checked by the server (`CHECKSCRIPT`) and saved as typed.
//! When the server finds an error, its line is shown with the lines around it and the
//! server's words beside it, and the text stays as typed.
//!
//! Carteiro's own script, saved from here, no longer reads back as rules; the rules view
//! then says so, and starting over there keeps this text under another name. Another
//! program's script can be edited here too; saving it leaves which script runs as it was.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::shared::{self, frame_for_failure, not_offered, refusal};
use crate::i18n::Msg;
use crate::mail::filters::{save, Activate, FilterError};
use crate::percent::query_value;
use crate::sieve::script::SCRIPT_NAME;
use crate::sieve::SieveError;
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::{CsrfForm, CurrentSession};
use crate::web::page::{FolderLink, PageCtx, PageFrame};

/// Lines shown before and after the one the server complains about.
const CONTEXT_LINES: usize = 2;
/// The largest form this page takes: a script of up to 512 KiB (servers allow a few hundred
/// KiB at most; beyond that, the server's own refusal is what the person should read),
/// URL-encoded.
const MAX_FORM_BYTES: usize = 3 * 512 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/filters/script", get(page).post(change))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

/// One script on the server, for the list of the ones that can be opened here.
struct ScriptRow {
    name: String,
    url: String,
    active: bool,
    current: bool,
}

/// One line of the script around an error.
pub struct Line {
    pub number: usize,
    pub text: String,
    pub wrong: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "filter-script.html")]
struct ScriptTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    name: String,
    is_ours: bool,
    text: String,
    scripts: Vec<ScriptRow>,
    other_active: Option<String>,
    confirm: bool,
    /// The lines around the server's error, the wrong one marked, with its words.
    lines: Vec<Line>,
    line_error: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct ScriptQuery {
    name: Option<String>,
    saved: Option<String>,
}

#[derive(Deserialize, Default)]
struct ScriptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    script: String,
    /// `check` or `save`.
    #[serde(default)]
    submit: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// The lines of `text` around line `wrong` (counted from 1).
pub fn around(text: &str, wrong: usize) -> Vec<Line> {
    let first = wrong.saturating_sub(CONTEXT_LINES).max(1);
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .skip(first - 1)
        .take_while(|(n, _)| *n <= wrong + CONTEXT_LINES)
        .map(|(number, line)| Line {
            number,
            text: line.to_string(),
            wrong: number == wrong,
        })
        .collect()
}

struct Shown {
    name: String,
    text: String,
    other_active: Option<String>,
    confirm: bool,
    lines: Vec<Line>,
    line_error: Option<String>,
    notice: Option<Msg>,
    error: Option<Msg>,
}

fn render(frame: PageFrame, scripts: &[crate::sieve::ScriptInfo], shown: Shown) -> ScriptTemplate {
    let ctx = frame.ctx.clone();
    let mut rows: Vec<ScriptRow> = scripts
        .iter()
        .map(|s| ScriptRow {
            url: format!(
                "{}/settings/filters/script?name={}",
                ctx.base,
                query_value(&s.name)
            ),
            name: s.name.clone(),
            active: s.active,
            current: s.name == shown.name,
        })
        .collect();
    rows.sort_by(|a, b| (a.name != SCRIPT_NAME, &a.name).cmp(&(b.name != SCRIPT_NAME, &b.name)));
    ScriptTemplate {
        folders: frame.sidebar(""),
        is_ours: shown.name == SCRIPT_NAME,
        name: shown.name,
        text: shown.text,
        scripts: rows,
        other_active: shown.other_active,
        confirm: shown.confirm,
        lines: shown.lines,
        line_error: shown.line_error,
        notice: shown.notice.map(|m| ctx.msg(&m)),
        error: shown.error.map(|m| ctx.msg(&m)),
        ctx,
    }
}

async fn page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
    Query(query): Query<ScriptQuery>,
) -> Result<Response, AppError> {
    if state.sieve_for(session.upstreams.as_ref()).is_none() {
        return Ok(not_offered(frame));
    }
    let name = query.name.unwrap_or_else(|| SCRIPT_NAME.to_string());
    let read = async {
        let mut sieve = shared::open(&state, &session).await?;
        let result = async {
            let loaded = crate::mail::filters::load::load(&mut sieve).await?;
            let text = if name == SCRIPT_NAME {
                loaded.own_text.clone().unwrap_or_default()
            } else if loaded.scripts.iter().any(|s| s.name == name) {
                sieve.get(&name).await?
            } else {
                return Err(FilterError::NoSuchScript);
            };
            Ok((loaded, text))
        }
        .await;
        sieve.logout().await;
        result
    }
    .await;
    let (loaded, text) = match read {
        Ok(read) => read,
        Err(FilterError::NoSuchScript) => return Err(AppError::NotFound),
        Err(e) => {
            let (status, msg) = refusal(&e);
            return Ok(shared::message_page(frame, status, "filters-expert", msg));
        }
    };
    let shown = Shown {
        other_active: (name == SCRIPT_NAME)
            .then(|| loaded.other_active().map(str::to_string))
            .flatten(),
        name,
        text,
        confirm: false,
        lines: Vec::new(),
        line_error: None,
        notice: query.saved.map(|_| Msg::new("filters-script-saved")),
        error: None,
    };
    Ok(render(frame, &loaded.scripts, shown).into_response())
}

async fn change(
    State(state): State<AppState>,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<ScriptForm>,
) -> Result<Response, AppError> {
    let name = match form.name.trim() {
        "" => SCRIPT_NAME.to_string(),
        name => name.to_string(),
    };
    // Browsers send a textarea's lines ended with CRLF; the script is kept as typed.
    let text = form.script.replace("\r\n", "\n");
    let activate = Activate::from_confirm(form.confirm.as_deref());
    let checking = form.submit == "check";
    let done = async {
        let mut sieve = shared::open(&state, &session).await?;
        let result = if checking {
            sieve.check(&text).await.map_err(FilterError::from)
        } else {
            save::save_raw(&mut sieve, &name, &text, activate)
                .await
                .map(|_| ())
        };
        let scripts = sieve.list().await.unwrap_or_default();
        sieve.logout().await;
        Ok::<_, FilterError>((result, scripts))
    }
    .await;
    let (result, scripts) = match done {
        Ok(done) => done,
        Err(e) => (Err(e), Vec::new()),
    };
    if result.is_ok() && !checking {
        state.sieve_status.forget(&session.username).await;
        let base = &state.config.base_path;
        return Ok(Redirect::to(&format!(
            "{base}/settings/filters/script?name={}&saved=1",
            query_value(&name)
        ))
        .into_response());
    }
    let frame = frame_for_failure(&state, &session).await;
    let mut shown = Shown {
        name,
        text,
        other_active: None,
        confirm: false,
        lines: Vec::new(),
        line_error: None,
        notice: None,
        error: None,
    };
    let status = match result {
        Ok(()) => {
            shown.notice = Some(Msg::new("filters-script-ok"));
            StatusCode::OK
        }
        Err(FilterError::NotConfigured) | Err(FilterError::NoSuchScript) => {
            return Err(AppError::NotFound)
        }
        Err(e) => {
            if let FilterError::Sieve(SieveError::Invalid {
                message,
                line: Some(line),
            }) = &e
            {
                shown.lines = around(&shown.text, *line as usize);
                shown.line_error = Some(shared::script_error_words(message).to_string());
            }
            if let FilterError::OtherActive(other) = &e {
                shown.other_active = Some(other.clone());
                shown.confirm = true;
            }
            let (status, msg) = refusal(&e);
            shown.error = Some(msg);
            status
        }
    };
    Ok((status, render(frame, &scripts, shown)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrong_line_is_shown_with_two_lines_either_side() {
        let text = "a\nb\nc\nd\ne\nf\ng";
        let lines = around(text, 4);
        let numbers: Vec<usize> = lines.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [2, 3, 4, 5, 6]);
        assert!(lines[2].wrong && lines[2].text == "d");
        let first = around(text, 1);
        assert_eq!(
            first.iter().map(|l| l.number).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        let past_the_end = around(text, 9);
        assert_eq!(
            past_the_end.iter().map(|l| l.number).collect::<Vec<_>>(),
            [7],
            "an error after the last line shows the end of the text"
        );
    }
}
