//! How a rule's parts are named in forms and put into words: the value each select sends,
//! the message that labels it, and the one-line summary the rules list shows.

use crate::i18n::Msg;
use crate::sieve::model::{Action, Condition, Field, Op, Rule};
use crate::web::mailbox::Target;
use crate::web::page::PageCtx;

/// One option of a select: the value sent, and its label in the page's language.
pub struct Opt {
    pub value: &'static str,
    pub label: String,
}

/// Condition fields: (form value, message id).
pub const FIELDS: [(&str, &str); 6] = [
    ("from", "filter-field-from"),
    ("to", "filter-field-to"),
    ("subject", "filter-field-subject"),
    ("list", "filter-field-list"),
    ("header", "filter-field-header"),
    ("size", "filter-field-size"),
];

/// Comparisons: (form value, message id).
pub const OPS: [(&str, &str); 7] = [
    ("contains", "filter-op-contains"),
    ("not-contains", "filter-op-not-contains"),
    ("is", "filter-op-is"),
    ("is-not", "filter-op-is-not"),
    ("matches", "filter-op-matches"),
    ("over", "filter-op-over"),
    ("under", "filter-op-under"),
];

/// Actions: (form value, message id).
pub const ACTIONS: [(&str, &str); 7] = [
    ("move", "filter-action-move"),
    ("copy", "filter-action-copy"),
    ("read", "filter-action-read"),
    ("flag", "filter-action-flag"),
    ("forward", "filter-action-forward"),
    ("discard", "filter-action-discard"),
    ("stop", "filter-action-stop"),
];

/// The options of one select, labelled in the page's language.
pub fn options(ctx: &PageCtx, table: &[(&'static str, &'static str)]) -> Vec<Opt> {
    table
        .iter()
        .map(|(value, id)| Opt {
            value,
            label: ctx.lang.t(id),
        })
        .collect()
}

fn label(ctx: &PageCtx, table: &[(&'static str, &'static str)], value: &str) -> String {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, id)| ctx.lang.t(id))
        .unwrap_or_default()
}

pub fn field_value(field: &Field) -> &'static str {
    match field {
        Field::From => "from",
        Field::ToOrCc => "to",
        Field::Subject => "subject",
        Field::ListId => "list",
        Field::Header(_) => "header",
        Field::Size => "size",
    }
}

/// The field a form names (`header` takes the header's name from its own input).
pub fn field(value: &str, header: &str) -> Option<Field> {
    Some(match value {
        "from" => Field::From,
        "to" => Field::ToOrCc,
        "subject" => Field::Subject,
        "list" => Field::ListId,
        "header" => Field::Header(header.trim().to_string()),
        "size" => Field::Size,
        _ => return None,
    })
}

pub fn op_value(op: &Op) -> &'static str {
    match op {
        Op::Contains => "contains",
        Op::NotContains => "not-contains",
        Op::Is => "is",
        Op::IsNot => "is-not",
        Op::Matches => "matches",
        Op::Over => "over",
        Op::Under => "under",
    }
}

pub fn op(value: &str) -> Option<Op> {
    Some(match value {
        "contains" => Op::Contains,
        "not-contains" => Op::NotContains,
        "is" => Op::Is,
        "is-not" => Op::IsNot,
        "matches" => Op::Matches,
        "over" => Op::Over,
        "under" => Op::Under,
        _ => return None,
    })
}

/// An action's form value, and the folder or address it takes (empty when none).
pub fn action_value(action: &Action) -> (&'static str, &str) {
    match action {
        Action::MoveTo(folder) => ("move", folder),
        Action::CopyTo(folder) => ("copy", folder),
        Action::MarkRead => ("read", ""),
        Action::Flag => ("flag", ""),
        Action::Forward(to) => ("forward", to),
        Action::Discard => ("discard", ""),
        Action::Stop => ("stop", ""),
    }
}

/// The action a form row names, taking its folder or address from the row's inputs.
pub fn action(value: &str, folder: &str, address: &str) -> Option<Action> {
    Some(match value {
        "move" => Action::MoveTo(folder.to_string()),
        "copy" => Action::CopyTo(folder.to_string()),
        "read" => Action::MarkRead,
        "flag" => Action::Flag,
        "forward" => Action::Forward(address.trim().to_string()),
        "discard" => Action::Discard,
        "stop" => Action::Stop,
        _ => return None,
    })
}

/// `From contains “news”`.
pub fn condition(ctx: &PageCtx, c: &Condition) -> String {
    let field = match &c.field {
        Field::Header(name) => name.clone(),
        other => label(ctx, &FIELDS, field_value(other)),
    };
    ctx.msg(
        &Msg::new("filter-summary-condition")
            .arg("field", field)
            .arg("op", label(ctx, &OPS, op_value(&c.op)))
            .arg("value", c.value.as_str()),
    )
}

/// `Move to Newsletters`, `Mark as read`; a folder by the name the sidebar gives it
/// (`Inbox` for `INBOX`), from `folders`.
pub fn action_words(ctx: &PageCtx, a: &Action, folders: &[Target]) -> String {
    let (value, target) = action_value(a);
    let name = label(ctx, &ACTIONS, value);
    let target = match a {
        Action::MoveTo(f) | Action::CopyTo(f) => folders
            .iter()
            .find(|t| t.name == *f)
            .map_or(target, |t| t.label.as_str()),
        _ => target,
    };
    if target.is_empty() {
        name
    } else {
        format!("{name} {target}")
    }
}

/// The whole rule on one line: its conditions joined by "and" or "or", then its actions.
pub fn summary(ctx: &PageCtx, rule: &Rule, folders: &[Target]) -> (String, String) {
    let join = if rule.all {
        ctx.lang.t("filter-summary-and")
    } else {
        ctx.lang.t("filter-summary-or")
    };
    let conditions: Vec<String> = rule.conditions.iter().map(|c| condition(ctx, c)).collect();
    let conditions = if conditions.is_empty() {
        ctx.lang.t("filter-summary-every-message")
    } else {
        conditions.join(&format!(" {join} "))
    };
    let actions: Vec<String> = rule
        .actions
        .iter()
        .map(|a| action_words(ctx, a, folders))
        .collect();
    (conditions, actions.join(", "))
}
