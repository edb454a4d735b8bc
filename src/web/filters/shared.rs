//! What the filter pages share: signing in to the ManageSieve server for a request, what a
//! failure reads as (and its status), the folders a rule may file into, and the page that
//! says the server offers no filters.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::i18n::Msg;
use crate::mail::filters::load::{self, Loaded};
use crate::mail::filters::save::{self, Activate, Saved};
use crate::mail::filters::FilterError;
use crate::sieve::model::Filters;
use crate::sieve::model::{Place, Problem, ProblemKind, RuleField, VacationField, DAYS};
use crate::sieve::{SieveError, SieveSession};
use crate::state::AppState;
use crate::web::extract::CurrentSession;
use crate::web::mailbox::{move_targets, Target};
use crate::web::page::{FolderLink, PageCtx, PageFrame};

/// Signs in to the ManageSieve server as the request's person.
pub async fn open(state: &AppState, session: &CurrentSession) -> Result<SieveSession, FilterError> {
    load::open(
        state.sieve_for(session.upstreams.as_ref()).as_ref(),
        &session.username,
        session.password(),
    )
    .await
}

/// Signs in, reads the filters and signs out.
pub async fn read(state: &AppState, session: &CurrentSession) -> Result<Loaded, FilterError> {
    let mut sieve = open(state, session).await?;
    let loaded = load::load(&mut sieve).await;
    sieve.logout().await;
    loaded
}

/// Signs in, reads the filters, lets `edit` make the new ones from them, saves those as
/// `activate` says, and signs out. After a save the banner of the next pages asks the
/// server again.
pub async fn change(
    state: &AppState,
    session: &CurrentSession,
    activate: Activate,
    edit: impl FnOnce(&Loaded) -> Result<Filters, FilterError>,
) -> Result<Saved, FilterError> {
    let mut sieve = open(state, session).await?;
    let result = async {
        let loaded = load::load(&mut sieve).await?;
        let filters = edit(&loaded)?;
        save::save(&mut sieve, &loaded, &filters, activate).await
    }
    .await;
    sieve.logout().await;
    if result.is_ok() {
        state.sieve_status.forget(&session.username).await;
    }
    result
}

/// What a failure reads as, and the status of the page that says it (which keeps the form
/// as it was typed).
pub fn refusal(error: &FilterError) -> (StatusCode, Msg) {
    match error {
        FilterError::NotConfigured => (StatusCode::NOT_FOUND, Msg::new("filters-not-offered")),
        FilterError::NoPassword => (
            StatusCode::SERVICE_UNAVAILABLE,
            Msg::new("filters-error-sign-in"),
        ),
        FilterError::NoSuchScript => (
            StatusCode::NOT_FOUND,
            Msg::new("filters-error-no-such-script"),
        ),
        FilterError::Changed => (StatusCode::CONFLICT, Msg::new("filters-error-changed")),
        FilterError::Unsupported(extension) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Msg::new("filters-error-unsupported").arg("extension", *extension),
        ),
        FilterError::OtherActive(name) => (
            StatusCode::CONFLICT,
            Msg::new("filters-confirm-other").arg("name", name.as_str()),
        ),
        // Each problem is listed beside this sentence ([`problems`]).
        FilterError::Invalid(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Msg::new("filters-error-invalid"),
        ),
        FilterError::Sieve(e) => sieve_refusal(e),
    }
}

fn sieve_refusal(error: &SieveError) -> (StatusCode, Msg) {
    match error {
        SieveError::Unreachable | SieveError::Protocol => {
            tracing::warn!(error = %error, "ManageSieve server unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Msg::new("filters-error-unavailable"),
            )
        }
        SieveError::Auth => (
            StatusCode::SERVICE_UNAVAILABLE,
            Msg::new("filters-error-sign-in"),
        ),
        SieveError::Quota { message } => (
            StatusCode::INSUFFICIENT_STORAGE,
            Msg::new("filters-error-quota").arg("reason", message.as_str()),
        ),
        SieveError::Invalid { message, line } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            match line {
                Some(line) => Msg::new("filters-error-script-line")
                    .arg("line", *line)
                    .arg("reason", script_error_words(message)),
                None => Msg::new("filters-error-script").arg("reason", message.as_str()),
            },
        ),
        SieveError::Server { message } => (
            StatusCode::BAD_GATEWAY,
            Msg::new("filters-error-server").arg("reason", message.as_str()),
        ),
        SieveError::NotFound | SieveError::Active | SieveError::AlreadyExists => {
            (StatusCode::CONFLICT, Msg::new("filters-error-changed"))
        }
    }
}

/// The server's words about a script error without the line number it starts with
/// (Pigeonhole: `line 4: error: expected …`), which the page shows on its own.
pub fn script_error_words(message: &str) -> &str {
    let rest = message.trim_start();
    let Some(after) = rest
        .get(..5)
        .filter(|w| w.eq_ignore_ascii_case("line "))
        .map(|_| &rest[5..])
    else {
        return message;
    };
    let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    match after[digits..].strip_prefix(':') {
        Some(words) if digits > 0 => {
            let words = words.trim_start();
            words.strip_prefix("error: ").unwrap_or(words)
        }
        _ => message,
    }
}

/// What a problem the model found reads as, in the page's language: where it is, and what
/// is wrong.
pub fn problem(ctx: &PageCtx, problem: &Problem) -> String {
    let place = match problem.place {
        Place::Filters => Msg::new("filters-place-filters"),
        Place::Forward => Msg::new("filters-place-forward"),
        Place::Vacation(field) => Msg::new(match field {
            VacationField::Start => "filters-place-vacation-start",
            VacationField::End => "filters-place-vacation-end",
            VacationField::Subject => "filters-place-vacation-subject",
            VacationField::Body => "filters-place-vacation-body",
            VacationField::Addresses => "filters-place-vacation-addresses",
            VacationField::From => "filters-place-vacation-from",
            VacationField::Days => "filters-place-vacation-days",
        }),
        // The rule page shows one rule: its rows are what the person needs to find.
        Place::Rule { field, .. } => match field {
            RuleField::Name => Msg::new("filters-place-rule-name"),
            RuleField::Conditions => Msg::new("filters-place-rule-conditions"),
            RuleField::Condition(n) => {
                Msg::new("filters-place-rule-condition").arg("number", n + 1)
            }
            RuleField::Actions => Msg::new("filters-place-rule-actions"),
            RuleField::Action(n) => Msg::new("filters-place-rule-action").arg("number", n + 1),
        },
    };
    let what = match problem.kind {
        ProblemKind::Empty => Msg::new("filters-problem-empty"),
        ProblemKind::TooLong { max } => Msg::new("filters-problem-too-long").arg("max", max),
        ProblemKind::TooMany { max } => Msg::new("filters-problem-too-many").arg("max", max),
        ProblemKind::ControlCharacter => Msg::new("filters-problem-control-character"),
        ProblemKind::NotAnAddress => Msg::new("filters-problem-not-an-address"),
        ProblemKind::NotAMailbox => Msg::new("filters-problem-not-a-mailbox"),
        ProblemKind::NotAHeaderName => Msg::new("filters-problem-not-a-header-name"),
        ProblemKind::NotASize => Msg::new("filters-problem-not-a-size"),
        ProblemKind::WrongOperator => Msg::new("filters-problem-wrong-operator"),
        ProblemKind::DaysOutOfRange => Msg::new("filters-problem-days-out-of-range")
            .arg("min", *DAYS.start())
            .arg("max", *DAYS.end()),
        ProblemKind::EndBeforeStart => Msg::new("filters-problem-end-before-start"),
        ProblemKind::AfterStop => Msg::new("filters-problem-after-stop"),
        ProblemKind::TooLarge { max } => {
            Msg::new("filters-problem-too-large").arg("max", (max / 1024).max(1))
        }
    };
    ctx.msg(
        &Msg::new("filters-problem")
            .arg("place", ctx.msg(&place))
            .arg("what", ctx.msg(&what)),
    )
}

/// Every problem, in words (the page lists them all, not only the first).
pub fn problems(ctx: &PageCtx, error: &FilterError) -> Vec<String> {
    match error {
        FilterError::Invalid(problems) => problems.iter().map(|p| problem(ctx, p)).collect(),
        _ => Vec::new(),
    }
}

/// The folders a rule may move or copy into: every folder that holds messages, and the one
/// already chosen even if it is gone (so an edit does not silently change it).
pub fn folder_choices(frame: &PageFrame, chosen: &[&str]) -> Vec<Target> {
    let mut targets = move_targets(&frame.ctx, &frame.folders, "");
    for name in chosen {
        if !name.is_empty() && !targets.iter().any(|t| t.name == *name) {
            targets.push(Target {
                name: name.to_string(),
                label: name.to_string(),
            });
        }
    }
    targets
}

/// A filter page that has only a sentence to say: the server offers no filters, or a
/// step failed with no form to show again.
#[derive(Template, WebTemplate)]
#[template(path = "filters-message.html")]
pub struct MessageTemplate {
    pub ctx: PageCtx,
    pub folders: Vec<FolderLink>,
    pub title: String,
    pub message: String,
    /// A failure (said as an alert), or only how things are.
    pub is_error: bool,
}

pub fn message_page(
    frame: PageFrame,
    status: StatusCode,
    title: &'static str,
    msg: Msg,
) -> Response {
    let ctx = frame.ctx.clone();
    (
        status,
        MessageTemplate {
            folders: frame.sidebar(""),
            title: ctx.lang.t(title),
            message: ctx.msg(&msg),
            is_error: status != StatusCode::NOT_FOUND,
            ctx,
        },
    )
        .into_response()
}

/// Said instead of a filter page when the admin configured no ManageSieve server: the
/// pages are not offered, and nothing is broken.
pub fn not_offered(frame: PageFrame) -> Response {
    message_page(
        frame,
        StatusCode::NOT_FOUND,
        "filters-title",
        Msg::new("filters-not-offered"),
    )
}

/// The frame of a page that answers a failed save: without the folder list when the mail
/// server failed too, so the form still comes back with what was typed.
pub async fn frame_for_failure(state: &AppState, session: &CurrentSession) -> PageFrame {
    match PageFrame::load(state, session).await {
        Ok(frame) => frame,
        Err(_) => PageFrame {
            ctx: PageCtx::for_session(state, session),
            folders: Vec::new(),
        },
    }
}

/// A same-site path to come back to after a form, from what the form says; anything else
/// (another site, a scheme, an empty value) is refused for `fallback`.
pub fn local_path(back: &str, fallback: &str) -> String {
    let safe = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(char::is_control);
    if safe {
        back.to_string()
    } else {
        fallback.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_number_is_left_out_of_the_servers_words() {
        assert_eq!(
            script_error_words("line 4: error: expected end of command ';'."),
            "expected end of command ';'."
        );
        assert_eq!(script_error_words("Line 12: unknown test"), "unknown test");
        assert_eq!(script_error_words("lineup: x"), "lineup: x");
        assert_eq!(script_error_words("line x: y"), "line x: y");
        assert_eq!(script_error_words("script too big"), "script too big");
    }

    #[test]
    fn only_a_path_of_this_site_is_come_back_to() {
        assert_eq!(local_path("/mail/INBOX?page=2", "/x"), "/mail/INBOX?page=2");
        for hostile in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "",
            "mail",
            "/a\r\nLocation: x",
        ] {
            assert_eq!(local_path(hostile, "/x"), "/x", "{hostile:?}");
        }
    }
}
