//! Adding or editing one rule (`/settings/filters/rule`, `?index=N` for the N-th): a name,
//! "all" or "any" of its conditions, the conditions and the actions, each a row of inputs.
//! Without JavaScript a form cannot grow by itself, so "another condition" and "another
//! action" are submit buttons that bring the form back, as typed, with one more empty row;
//! empty rows are left out when the rule is saved.
//!
//! `?list=<List-Id>` or `?from=<address>` fill a new rule in from a message ("Filter
//! messages like this").

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::list::{after_save, ours};
use super::shared::{self, folder_choices, frame_for_failure, not_offered, refusal};
use super::words::{self, Opt};
use crate::i18n::Msg;
use crate::mail::filters::load::OwnScript;
use crate::mail::filters::{Activate, FilterError, Loaded};
use crate::sieve::model::{Condition, Field, Rule};
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::{CsrfForm, CurrentSession};
use crate::web::mailbox::Target;
use crate::web::page::{FolderLink, PageCtx, PageFrame};

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/filters/rule", get(page).post(change))
}

/// One condition row as typed.
pub struct ConditionRow {
    pub field: String,
    pub header: String,
    pub op: String,
    pub value: String,
}

/// One action row as typed.
pub struct ActionRow {
    pub action: String,
    pub folder: String,
    pub address: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "filter-rule.html")]
struct RuleTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    /// `?index=N` of the rule being edited, empty for a new one.
    index_query: String,
    editing: bool,
    version: String,
    name: String,
    enabled: bool,
    all: bool,
    conditions: Vec<ConditionRow>,
    actions: Vec<ActionRow>,
    fields: Vec<Opt>,
    ops: Vec<Opt>,
    action_kinds: Vec<Opt>,
    targets: Vec<Target>,
    other_active: Option<String>,
    confirm: bool,
    error: Option<String>,
    problems: Vec<String>,
}

#[derive(Deserialize, Default)]
struct RuleQuery {
    index: Option<usize>,
    list: Option<String>,
    from: Option<String>,
}

/// The form as sent: one value per row in each repeated field, rows in order.
#[derive(Deserialize, Default)]
struct RuleForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    all: String,
    #[serde(default)]
    field: Vec<String>,
    #[serde(default)]
    header: Vec<String>,
    #[serde(default)]
    op: Vec<String>,
    #[serde(default)]
    value: Vec<String>,
    #[serde(default)]
    action: Vec<String>,
    #[serde(default)]
    folder: Vec<String>,
    #[serde(default)]
    address: Vec<String>,
    /// Which button: `save`, `more-conditions`, `more-actions`.
    #[serde(default)]
    submit: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// The `n`-th value of a repeated field, empty when the row lacks it.
fn nth(values: &[String], n: usize) -> String {
    values.get(n).cloned().unwrap_or_default()
}

impl RuleForm {
    fn condition_rows(&self) -> Vec<ConditionRow> {
        (0..self.field.len())
            .map(|n| ConditionRow {
                field: nth(&self.field, n),
                header: nth(&self.header, n),
                op: nth(&self.op, n),
                value: nth(&self.value, n),
            })
            .collect()
    }

    fn action_rows(&self) -> Vec<ActionRow> {
        (0..self.action.len())
            .map(|n| ActionRow {
                action: nth(&self.action, n),
                folder: nth(&self.folder, n),
                address: nth(&self.address, n),
            })
            .collect()
    }

    /// The rule this form describes, empty rows left out; or why it cannot be one.
    fn rule(&self, default_name: String) -> Result<Rule, Msg> {
        let mut conditions = Vec::new();
        for row in self.condition_rows() {
            if row.value.trim().is_empty() {
                continue;
            }
            let field = words::field(&row.field, &row.header);
            let op = words::op(&row.op);
            let (Some(field), Some(op)) = (field, op) else {
                return Err(Msg::new("filters-error-invalid"));
            };
            conditions.push(Condition {
                field,
                op,
                value: row.value.trim().to_string(),
            });
        }
        let mut actions = Vec::new();
        for row in self.action_rows() {
            if row.action.is_empty() {
                continue;
            }
            let action = words::action(&row.action, &row.folder, &row.address)
                .ok_or_else(|| Msg::new("filters-error-invalid"))?;
            actions.push(action);
        }
        if actions.is_empty() {
            return Err(Msg::new("filters-error-no-action"));
        }
        // A rule left unnamed is called by what it looks for.
        let name = match self.name.trim() {
            "" => conditions
                .first()
                .map(|c| c.value.clone())
                .unwrap_or(default_name),
            name => name.to_string(),
        };
        Ok(Rule {
            name,
            enabled: self.enabled.as_deref() == Some("yes"),
            all: self.all != "any",
            conditions,
            actions,
        })
    }
}

fn rows_of(rule: &Rule) -> (Vec<ConditionRow>, Vec<ActionRow>) {
    let conditions = rule
        .conditions
        .iter()
        .map(|c| ConditionRow {
            field: words::field_value(&c.field).to_string(),
            header: match &c.field {
                Field::Header(name) => name.clone(),
                _ => String::new(),
            },
            op: words::op_value(&c.op).to_string(),
            value: c.value.clone(),
        })
        .collect();
    let actions = rule
        .actions
        .iter()
        .map(|a| {
            let (action, target) = words::action_value(a);
            let folder_or_address = target.to_string();
            let is_folder = matches!(action, "move" | "copy");
            ActionRow {
                action: action.to_string(),
                folder: if is_folder {
                    folder_or_address.clone()
                } else {
                    String::new()
                },
                address: if is_folder {
                    String::new()
                } else {
                    folder_or_address
                },
            }
        })
        .collect();
    (conditions, actions)
}

fn blank_condition() -> ConditionRow {
    ConditionRow {
        field: "from".into(),
        header: String::new(),
        op: "contains".into(),
        value: String::new(),
    }
}

fn blank_action() -> ActionRow {
    ActionRow {
        action: String::new(),
        folder: String::new(),
        address: String::new(),
    }
}

/// What the form shows.
struct Shown {
    index: Option<usize>,
    version: String,
    name: String,
    enabled: bool,
    all: bool,
    conditions: Vec<ConditionRow>,
    actions: Vec<ActionRow>,
    other_active: Option<String>,
    confirm: bool,
    error: Option<Msg>,
    problems: Vec<String>,
}

fn render(frame: PageFrame, shown: Shown) -> RuleTemplate {
    let ctx = frame.ctx.clone();
    let chosen: Vec<&str> = shown.actions.iter().map(|a| a.folder.as_str()).collect();
    let targets = folder_choices(&frame, &chosen);
    RuleTemplate {
        folders: frame.sidebar(""),
        index_query: shown
            .index
            .map(|i| format!("?index={i}"))
            .unwrap_or_default(),
        editing: shown.index.is_some(),
        version: shown.version,
        name: shown.name,
        enabled: shown.enabled,
        all: shown.all,
        conditions: shown.conditions,
        actions: shown.actions,
        fields: words::options(&ctx, &words::FIELDS),
        ops: words::options(&ctx, &words::OPS),
        action_kinds: words::options(&ctx, &words::ACTIONS),
        targets,
        other_active: shown.other_active,
        confirm: shown.confirm,
        error: shown.error.map(|m| ctx.msg(&m)),
        problems: shown.problems,
        ctx,
    }
}

async fn page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
    Query(query): Query<RuleQuery>,
) -> Result<Response, AppError> {
    if state.sieve_for(session.upstreams.as_ref()).is_none() {
        return Ok(not_offered(frame));
    }
    let loaded = match shared::read(&state, &session).await {
        Ok(loaded) => loaded,
        Err(e) => {
            let (status, msg) = refusal(&e);
            return Ok(shared::message_page(frame, status, "filters-title", msg));
        }
    };
    let editing = query.index.and_then(|i| {
        (loaded.own == OwnScript::Ours)
            .then(|| loaded.filters.rules.get(i))
            .flatten()
    });
    if query.index.is_some() && editing.is_none() {
        return Err(AppError::NotFound);
    }
    let mut shown = Shown {
        index: query.index,
        version: loaded.version(),
        name: String::new(),
        enabled: true,
        all: true,
        conditions: Vec::new(),
        actions: Vec::new(),
        other_active: loaded.other_active().map(str::to_string),
        confirm: false,
        error: None,
        problems: Vec::new(),
    };
    if let Some(rule) = editing {
        let (conditions, actions) = rows_of(rule);
        shown.name = rule.name.clone();
        shown.enabled = rule.enabled;
        shown.all = rule.all;
        shown.conditions = conditions;
        shown.actions = actions;
    } else {
        // "Filter messages like this": the list when the message came from one, else its
        // sender, and the folder left to choose.
        let like = match (query.list.as_deref(), query.from.as_deref()) {
            (Some(list), _) if !list.trim().is_empty() => Some(("list", list.trim())),
            (_, Some(from)) if !from.trim().is_empty() => Some(("from", from.trim())),
            _ => None,
        };
        if let Some((field, value)) = like {
            shown.name = value.to_string();
            shown.conditions.push(ConditionRow {
                field: field.into(),
                header: String::new(),
                op: "contains".into(),
                value: value.to_string(),
            });
            shown.actions.push(ActionRow {
                action: "move".into(),
                folder: String::new(),
                address: String::new(),
            });
        }
    }
    shown.conditions.push(blank_condition());
    shown.actions.push(blank_action());
    Ok(render(frame, shown).into_response())
}

async fn change(
    State(state): State<AppState>,
    session: CurrentSession,
    Query(query): Query<RuleQuery>,
    CsrfForm(form): CsrfForm<RuleForm>,
) -> Result<Response, AppError> {
    let more = matches!(form.submit.as_str(), "more-conditions" | "more-actions");
    let outcome = if more {
        None
    } else {
        let default_name = session.lang.t("filters-rule-every-message");
        Some(match form.rule(default_name) {
            Err(msg) => Err((StatusCode::UNPROCESSABLE_ENTITY, msg, None)),
            Ok(rule) => save(&state, &session, query.index, &form, rule).await,
        })
    };
    let (status, error, problems_of) = match outcome {
        Some(Ok(response)) => return Ok(response),
        Some(Err(failure)) => (failure.0, Some(failure.1), failure.2),
        None => (StatusCode::OK, None, None),
    };
    if status == StatusCode::NOT_FOUND {
        return Err(AppError::NotFound);
    }
    let frame = frame_for_failure(&state, &session).await;
    let problems = problems_of
        .as_ref()
        .map(|e| shared::problems(&frame.ctx, e))
        .unwrap_or_default();
    let other_active = match &problems_of {
        Some(FilterError::OtherActive(name)) => Some(name.clone()),
        _ => None,
    };
    let mut conditions = form.condition_rows();
    let mut actions = form.action_rows();
    match form.submit.as_str() {
        "more-conditions" => conditions.push(blank_condition()),
        "more-actions" => actions.push(blank_action()),
        _ => {}
    }
    let shown = Shown {
        index: query.index,
        version: form.version.clone(),
        name: form.name.clone(),
        enabled: form.enabled.as_deref() == Some("yes"),
        all: form.all != "any",
        conditions,
        actions,
        confirm: other_active.is_some(),
        other_active,
        error,
        problems,
    };
    Ok((status, render(frame, shown)).into_response())
}

type Failure = (StatusCode, Msg, Option<FilterError>);

/// Puts `rule` in place of rule `index` (or after the others) and saves.
async fn save(
    state: &AppState,
    session: &CurrentSession,
    index: Option<usize>,
    form: &RuleForm,
    rule: Rule,
) -> Result<Response, Failure> {
    let activate = Activate::from_confirm(form.confirm.as_deref());
    let saved = shared::change(state, session, activate, |loaded: &Loaded| {
        let mut filters = ours(loaded);
        match index {
            None => filters.rules.push(rule),
            Some(i) => {
                // Only over the rule the form was filled from.
                let same = loaded.version() == form.version && loaded.own == OwnScript::Ours;
                match filters.rules.get_mut(i) {
                    Some(old) if same => *old = rule,
                    _ => return Err(FilterError::Changed),
                }
            }
        }
        Ok(filters)
    })
    .await;
    match saved {
        Ok(saved) => Ok(after_save(state, saved.kept)),
        Err(e) => {
            let (status, msg) = refusal(&e);
            Err((status, msg, Some(e)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sieve::model::{Action, Op};

    #[test]
    fn empty_rows_are_left_out_and_the_rest_kept_in_order() {
        let form: RuleForm = serde_html_form::from_str(
            "name=News&enabled=yes&all=any\
             &field=list&header=&op=contains&value=news.example.org\
             &field=header&header=X-Spam&op=is&value=yes\
             &field=from&header=&op=contains&value=\
             &action=read&folder=&address=\
             &action=move&folder=Listas%2FNews&address=\
             &action=&folder=INBOX&address=",
        )
        .unwrap();
        let rule = form.rule("Rule 1".into()).unwrap();
        assert_eq!(rule.name, "News");
        assert!(!rule.all && rule.enabled);
        assert_eq!(rule.conditions.len(), 2);
        assert_eq!(rule.conditions[0].field, Field::ListId);
        assert_eq!(rule.conditions[1].field, Field::Header("X-Spam".into()));
        assert_eq!(rule.conditions[1].op, Op::Is);
        assert_eq!(
            rule.actions,
            vec![Action::MarkRead, Action::MoveTo("Listas/News".into())]
        );
    }

    #[test]
    fn a_rule_without_an_action_is_refused_and_a_nameless_one_gets_a_name() {
        let none: RuleForm =
            serde_html_form::from_str("field=from&op=contains&value=a&action=").unwrap();
        assert!(none.rule("Rule 1".into()).is_err());
        let nameless: RuleForm =
            serde_html_form::from_str("field=from&op=contains&value=a%40b&action=flag").unwrap();
        assert_eq!(nameless.rule("Every".into()).unwrap().name, "a@b");
        let everything: RuleForm =
            serde_html_form::from_str("field=from&op=contains&value=&action=flag").unwrap();
        assert_eq!(everything.rule("Every".into()).unwrap().name, "Every");
    }
}
