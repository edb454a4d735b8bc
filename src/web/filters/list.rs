//! The filters page (`/settings/filters`): forwarding of all mail, and the list of rules in
//! the order they run, each with buttons to move it up or down, switch it on or off, edit or
//! delete it. Every button is a small form of its own, so the page works without JavaScript.
//!
//! A button names its rule by its place in the list and carries the version of the script
//! the page was made from: a change made meanwhile elsewhere is noticed, not misapplied.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::shared::{self, frame_for_failure, not_offered, refusal};
use super::words;
use crate::i18n::Msg;
use crate::mail::filters::load::OwnScript;
use crate::mail::filters::{Activate, FilterError, Loaded};
use crate::sieve::model::{Filters, Forward};
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::{CsrfForm, CurrentSession};
use crate::web::mailbox::move_targets;
use crate::web::page::{FolderLink, PageCtx, PageFrame};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/filters", get(page).post(arrange))
        .route("/settings/filters/forward", post(forward))
}

/// One rule as the list shows it.
struct RuleRow {
    index: usize,
    name: String,
    enabled: bool,
    conditions: String,
    actions: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "filters.html")]
struct FiltersTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    /// The version of Carteiro's script the page shows.
    version: String,
    rows: Vec<RuleRow>,
    forward: ForwardForm,
    /// Which script the server runs, in words (when it answered).
    running: Option<String>,
    other_active: Option<String>,
    /// Carteiro's script was edited by hand: the rules view cannot show it.
    foreign: bool,
    confirm: bool,
    notice: Option<String>,
    error: Option<String>,
    problems: Vec<String>,
}

/// The forwarding form, as typed.
#[derive(Deserialize, Default, Clone)]
struct ForwardForm {
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    to: String,
    #[serde(default)]
    keep_copy: Option<String>,
    #[serde(default)]
    confirm: Option<String>,
}

impl ForwardForm {
    fn of(forward: &Forward) -> ForwardForm {
        ForwardForm {
            enabled: forward.enabled.then(|| "yes".into()),
            to: forward.to.clone(),
            keep_copy: forward.keep_copy.then(|| "yes".into()),
            confirm: None,
        }
    }

    fn forward(&self) -> Forward {
        Forward {
            enabled: self.enabled.as_deref() == Some("yes"),
            to: self.to.trim().to_string(),
            keep_copy: self.keep_copy.as_deref() == Some("yes"),
        }
    }
}

/// What the page shows besides the list itself.
#[derive(Default)]
struct Said {
    forward: Option<ForwardForm>,
    confirm: Option<String>,
    notice: Option<Msg>,
    error: Option<Msg>,
    problems: Vec<String>,
}

fn render(frame: PageFrame, loaded: Option<&Loaded>, said: Said) -> FiltersTemplate {
    let ctx = frame.ctx.clone();
    let empty = Filters::default();
    let filters = loaded.map_or(&empty, |l| &l.filters);
    let labels = move_targets(&ctx, &frame.folders, "");
    let rows = filters
        .rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let (conditions, actions) = words::summary(&ctx, rule, &labels);
            RuleRow {
                index,
                name: rule.name.clone(),
                enabled: rule.enabled,
                conditions,
                actions,
            }
        })
        .collect();
    let confirm = said.confirm.is_some();
    FiltersTemplate {
        folders: frame.sidebar(""),
        version: loaded.map(Loaded::version).unwrap_or_default(),
        rows,
        forward: said
            .forward
            .unwrap_or_else(|| ForwardForm::of(&filters.forward)),
        running: loaded.map(|l| ctx.msg(&running(l))),
        other_active: said
            .confirm
            .or_else(|| loaded.and_then(|l| l.other_active().map(str::to_string))),
        foreign: loaded.is_some_and(|l| l.own == OwnScript::Foreign),
        confirm,
        notice: said.notice.map(|m| ctx.msg(&m)),
        error: said.error.map(|m| ctx.msg(&m)),
        problems: said.problems,
        ctx,
    }
}

/// Which script the server runs at delivery.
fn running(loaded: &Loaded) -> Msg {
    match (&loaded.active, loaded.other_active()) {
        (None, _) => Msg::new("filters-running-none"),
        (Some(_), None) => Msg::new("filters-running-ours"),
        (Some(_), Some(other)) => Msg::new("filters-running-other").arg("name", other),
    }
}

#[derive(Deserialize)]
struct PageQuery {
    saved: Option<String>,
    kept: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    if state.sieve_for(session.upstreams.as_ref()).is_none() {
        return Ok(not_offered(frame));
    }
    let notice = match (query.kept, query.saved) {
        (Some(kept), _) => Some(Msg::new("filters-kept").arg("name", kept)),
        (None, Some(_)) => Some(Msg::new("filters-saved")),
        _ => None,
    };
    Ok(match shared::read(&state, &session).await {
        Ok(loaded) => render(
            frame,
            Some(&loaded),
            Said {
                notice,
                ..Said::default()
            },
        )
        .into_response(),
        Err(e) => {
            let (status, msg) = refusal(&e);
            let page = render(
                frame,
                None,
                Said {
                    error: Some(msg),
                    ..Said::default()
                },
            );
            (status, page).into_response()
        }
    })
}

/// Where a save sends the browser: the list, saying so (and naming a kept script).
pub fn after_save(state: &AppState, kept: Option<String>) -> Response {
    let base = &state.config.base_path;
    let to = match kept {
        Some(kept) => format!(
            "{base}/settings/filters?kept={}",
            crate::percent::query_value(&kept)
        ),
        None => format!("{base}/settings/filters?saved=1"),
    };
    Redirect::to(&to).into_response()
}

/// The answer to a refused change of this page: the list as the server has it now, with
/// the forwarding form as typed and why it was refused.
async fn refused(
    state: &AppState,
    session: &CurrentSession,
    error: FilterError,
    forward: Option<ForwardForm>,
) -> Result<Response, AppError> {
    if let FilterError::NotConfigured = error {
        return Err(AppError::NotFound);
    }
    let (status, msg) = refusal(&error);
    let frame = frame_for_failure(state, session).await;
    let problems = shared::problems(&frame.ctx, &error);
    let loaded = shared::read(state, session).await.ok();
    let confirm = match error {
        FilterError::OtherActive(name) => Some(name),
        _ => None,
    };
    let page = render(
        frame,
        loaded.as_ref(),
        Said {
            forward,
            confirm,
            error: Some(msg),
            problems,
            ..Said::default()
        },
    );
    Ok((status, page).into_response())
}

async fn forward(
    State(state): State<AppState>,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<ForwardForm>,
) -> Result<Response, AppError> {
    let activate = Activate::from_confirm(form.confirm.as_deref());
    let forward = form.forward();
    let saved = shared::change(&state, &session, activate, |loaded| {
        let mut filters = ours(loaded);
        filters.forward = forward;
        Ok(filters)
    })
    .await;
    match saved {
        Ok(saved) => Ok(after_save(&state, saved.kept)),
        Err(e) => {
            let mut form = form;
            form.confirm = None;
            refused(&state, &session, e, Some(form)).await
        }
    }
}

/// The filters a change starts from: Carteiro's own, or none when its script is missing or
/// was edited by hand (then kept aside by the save).
pub fn ours(loaded: &Loaded) -> Filters {
    match loaded.own {
        OwnScript::Ours => loaded.filters.clone(),
        _ => Filters::default(),
    }
}

/// A button of the list.
#[derive(Deserialize, Default)]
struct ArrangeForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    index: usize,
    #[serde(default)]
    action: String,
}

/// The list after `action` on rule `index`, or `None` when there is no such move.
fn arranged(mut filters: Filters, index: usize, action: &str) -> Option<Filters> {
    let rules = &mut filters.rules;
    if index >= rules.len() {
        return None;
    }
    match action {
        "up" if index > 0 => rules.swap(index, index - 1),
        "down" if index + 1 < rules.len() => rules.swap(index, index + 1),
        "enable" => rules[index].enabled = true,
        "disable" => rules[index].enabled = false,
        "delete" => {
            rules.remove(index);
        }
        _ => return None,
    }
    Some(filters)
}

async fn arrange(
    State(state): State<AppState>,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<ArrangeForm>,
) -> Result<Response, AppError> {
    // Moving rules another program's script keeps from running changes nothing that runs:
    // no question to ask.
    let saved = shared::change(&state, &session, Activate::IfFree, |loaded| {
        if loaded.version() != form.version || loaded.own != OwnScript::Ours {
            return Err(FilterError::Changed);
        }
        arranged(loaded.filters.clone(), form.index, &form.action).ok_or(FilterError::Changed)
    })
    .await;
    match saved {
        Ok(saved) => Ok(after_save(&state, saved.kept)),
        Err(e) => refused(&state, &session, e, None).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sieve::model::Rule;

    fn named(names: &[&str]) -> Filters {
        Filters {
            rules: names
                .iter()
                .map(|n| Rule {
                    name: n.to_string(),
                    enabled: true,
                    all: true,
                    conditions: Vec::new(),
                    actions: Vec::new(),
                })
                .collect(),
            ..Filters::default()
        }
    }

    fn names(filters: &Filters) -> Vec<&str> {
        filters.rules.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn rules_move_within_the_list_and_never_past_its_ends() {
        let f = named(&["a", "b", "c"]);
        assert_eq!(
            names(&arranged(f.clone(), 1, "up").unwrap()),
            ["b", "a", "c"]
        );
        assert_eq!(
            names(&arranged(f.clone(), 1, "down").unwrap()),
            ["a", "c", "b"]
        );
        assert_eq!(
            names(&arranged(f.clone(), 1, "delete").unwrap()),
            ["a", "c"]
        );
        assert!(arranged(f.clone(), 0, "up").is_none());
        assert!(arranged(f.clone(), 2, "down").is_none());
        assert!(arranged(f.clone(), 3, "delete").is_none());
        assert!(!arranged(f, 0, "disable").unwrap().rules[0].enabled);
    }
}
