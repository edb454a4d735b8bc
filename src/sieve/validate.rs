//! The checks on [`Filters`] before they are written: every field a person fills in, the
//! counts, and the size the script would grow to.
//!
//! Two levels. What keeps the script safe and bounded (control characters, lengths, counts)
//! is checked everywhere, in disabled parts too, since those stay in the script's data.
//! What makes a part *work* (a message for the vacation reply, an address to forward to)
//! is asked of the vacation reply and forwarding only while they are on, so turning one off
//! never fails over a field the person no longer cares about; a rule is checked whole,
//! enabled or not, since it is edited as one form.

use std::str::FromStr;

use super::model::{
    Action, Condition, Field, Filters, Forward, Place, Problem, ProblemKind, Rule, RuleField, Size,
    Vacation, VacationField, DAYS, MAX_ACTIONS, MAX_ADDRESSES, MAX_BODY, MAX_CONDITIONS,
    MAX_HEADER_NAME, MAX_NAME, MAX_RULES, MAX_SCRIPT_BYTES, MAX_SUBJECT, MAX_VALUE,
};

impl Filters {
    /// Every problem found, in the order of the page (vacation, forwarding, rules).
    pub fn validate(&self) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        vacation(&self.vacation, &mut problems);
        forward(&self.forward, &mut problems);
        if self.rules.len() > MAX_RULES {
            problems.push(Problem {
                place: Place::Filters,
                kind: ProblemKind::TooMany { max: MAX_RULES },
            });
        }
        for (index, rule) in self.rules.iter().enumerate() {
            self::rule(index, rule, &mut problems);
        }
        // Only once all else is right: a script of bad values is not worth measuring.
        if problems.is_empty() && script_size_bound(self) > MAX_SCRIPT_BYTES {
            problems.push(Problem {
                place: Place::Filters,
                kind: ProblemKind::TooLarge {
                    max: MAX_SCRIPT_BYTES,
                },
            });
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

fn vacation(vacation: &Vacation, problems: &mut Vec<Problem>) {
    let mut at = |field, kind| {
        problems.push(Problem {
            place: Place::Vacation(field),
            kind,
        })
    };
    if let Some(kind) = one_line(&vacation.subject, MAX_SUBJECT) {
        at(VacationField::Subject, kind);
    }
    if let Some(kind) = text(&vacation.body, MAX_BODY) {
        at(VacationField::Body, kind);
    }
    if let Some(from) = &vacation.from {
        if let Some(kind) = one_line(from, MAX_VALUE) {
            at(VacationField::From, kind);
        } else if vacation.enabled && !from.is_empty() && !is_mailbox(from) {
            at(VacationField::From, ProblemKind::NotAMailbox);
        }
    }
    if vacation.addresses.len() > MAX_ADDRESSES {
        at(
            VacationField::Addresses,
            ProblemKind::TooMany { max: MAX_ADDRESSES },
        );
    }
    // One problem for the list: the page shows it once, beside the addresses.
    let mut addresses = vacation.addresses.iter().filter_map(|address| {
        one_line(address, MAX_VALUE)
            .or((vacation.enabled && !is_address(address)).then_some(ProblemKind::NotAnAddress))
    });
    if let Some(kind) = addresses.next() {
        at(VacationField::Addresses, kind);
    }
    if !vacation.enabled {
        return;
    }
    if vacation.body.trim().is_empty() {
        at(VacationField::Body, ProblemKind::Empty);
    }
    if !DAYS.contains(&vacation.days) {
        at(VacationField::Days, ProblemKind::DaysOutOfRange);
    }
    if let (Some(start), Some(end)) = (vacation.start, vacation.end) {
        if end < start {
            at(VacationField::End, ProblemKind::EndBeforeStart);
        }
    }
}

fn forward(forward: &Forward, problems: &mut Vec<Problem>) {
    let kind = one_line(&forward.to, MAX_VALUE).or_else(|| {
        if !forward.enabled {
            None
        } else if forward.to.trim().is_empty() {
            Some(ProblemKind::Empty)
        } else {
            (!is_address(&forward.to)).then_some(ProblemKind::NotAnAddress)
        }
    });
    if let Some(kind) = kind {
        problems.push(Problem {
            place: Place::Forward,
            kind,
        });
    }
}

fn rule(index: usize, rule: &Rule, problems: &mut Vec<Problem>) {
    let mut at = |field, kind| {
        problems.push(Problem {
            place: Place::Rule { rule: index, field },
            kind,
        })
    };
    if let Some(kind) = required_line(&rule.name, MAX_NAME) {
        at(RuleField::Name, kind);
    }
    if rule.conditions.is_empty() {
        at(RuleField::Conditions, ProblemKind::Empty);
    } else if rule.conditions.len() > MAX_CONDITIONS {
        at(
            RuleField::Conditions,
            ProblemKind::TooMany {
                max: MAX_CONDITIONS,
            },
        );
    }
    for (n, condition) in rule.conditions.iter().enumerate() {
        if let Some(kind) = self::condition(condition) {
            at(RuleField::Condition(n), kind);
        }
    }
    if rule.actions.is_empty() {
        at(RuleField::Actions, ProblemKind::Empty);
    } else if rule.actions.len() > MAX_ACTIONS {
        at(
            RuleField::Actions,
            ProblemKind::TooMany { max: MAX_ACTIONS },
        );
    }
    let mut stopped = false;
    for (n, action) in rule.actions.iter().enumerate() {
        if let Some(kind) = self::action(action) {
            at(RuleField::Action(n), kind);
        } else if stopped {
            at(RuleField::Action(n), ProblemKind::AfterStop);
        }
        stopped |= *action == Action::Stop;
    }
}

/// The first thing wrong with one condition.
fn condition(condition: &Condition) -> Option<ProblemKind> {
    if let Field::Header(name) = &condition.field {
        if let Some(kind) = required_line(name, MAX_HEADER_NAME) {
            return Some(kind);
        }
        if !is_header_name(name) {
            return Some(ProblemKind::NotAHeaderName);
        }
    }
    if (condition.field == Field::Size) != condition.op.is_size() {
        return Some(ProblemKind::WrongOperator);
    }
    if let Some(kind) = required_line(&condition.value, MAX_VALUE) {
        return Some(kind);
    }
    (condition.field == Field::Size && Size::parse(&condition.value).is_none())
        .then_some(ProblemKind::NotASize)
}

/// The first thing wrong with one action.
fn action(action: &Action) -> Option<ProblemKind> {
    match action {
        Action::MoveTo(folder) | Action::CopyTo(folder) => required_line(folder, MAX_VALUE),
        Action::Forward(to) => {
            required_line(to, MAX_VALUE).or((!is_address(to)).then_some(ProblemKind::NotAnAddress))
        }
        Action::MarkRead | Action::Flag | Action::Discard | Action::Stop => None,
    }
}

/// A one-line field that may be empty: no control character at all (tabs aside), and
/// at most `max` characters.
fn one_line(value: &str, max: usize) -> Option<ProblemKind> {
    if value.chars().any(|c| c.is_control() && c != '\t') {
        Some(ProblemKind::ControlCharacter)
    } else if value.chars().count() > max {
        Some(ProblemKind::TooLong { max })
    } else {
        None
    }
}

/// A one-line field that must hold more than spaces.
fn required_line(value: &str, max: usize) -> Option<ProblemKind> {
    one_line(value, max).or(value.trim().is_empty().then_some(ProblemKind::Empty))
}

/// Several lines: line breaks and tabs are fine, other control characters are not.
fn text(value: &str, max: usize) -> Option<ProblemKind> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
    {
        Some(ProblemKind::ControlCharacter)
    } else if value.chars().count() > max {
        Some(ProblemKind::TooLong { max })
    } else {
        None
    }
}

/// One plain address, as the identities accept them (`ana@example.com`, nothing around).
fn is_address(text: &str) -> bool {
    text.len() <= 254 && lettre::Address::from_str(text).is_ok()
}

/// An address with an optional display name: `Ana Silva <ana@example.com>`.
fn is_mailbox(text: &str) -> bool {
    lettre::message::Mailbox::from_str(text).is_ok()
}

/// RFC 5322 §3.6.8: printable ASCII but the colon, no spaces.
fn is_header_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

/// At least the size, in bytes, of the script [`crate::sieve::script::generate`] writes for
/// `filters`: the Sieve part bounded item by item (each quoted value at most doubled by
/// escapes, each line of the message at most one dot longer), the data block measured
/// exactly from its JSON. Tests hold it against the real scripts.
pub(crate) fn script_size_bound(filters: &Filters) -> usize {
    /// A quoted string: its quotes, and a backslash before each `"` and `\`.
    fn quoted(value: &str) -> usize {
        2 + value.len() + value.bytes().filter(|b| matches!(b, b'"' | b'\\')).count()
    }
    // The two comment lines at the top, `require` with every extension, the blank line
    // before the data, and the data mark.
    let mut sieve = 400;
    let vacation = &filters.vacation;
    if vacation.enabled {
        // Comment, `if allof` with both dates, `vacation :days 365 :subject :from
        // :addresses text:`, closing lines.
        sieve += 300 + quoted(&vacation.subject) + quoted(vacation.from.as_deref().unwrap_or(""));
        sieve += vacation
            .addresses
            .iter()
            .map(|a| quoted(a) + 2)
            .sum::<usize>();
        // Each line break may be CRLF made LF (shorter) or a lone CR (same), plus a dot.
        sieve += 2 * vacation.body.len() + 10;
    }
    if filters.forward.enabled {
        sieve += 60 + quoted(&filters.forward.to);
    }
    for (index, rule) in filters.rules.iter().enumerate() {
        if !rule.enabled {
            continue;
        }
        sieve += 40 + index.to_string().len() + rule.name.len();
        for condition in &rule.conditions {
            let name = match &condition.field {
                Field::Header(name) => quoted(name),
                _ => 0,
            };
            sieve += 60 + name + quoted(&condition.value);
        }
        for action in &rule.actions {
            sieve += 40
                + match action {
                    Action::MoveTo(v) | Action::CopyTo(v) | Action::Forward(v) => quoted(v),
                    _ => 0,
                };
        }
    }
    // `{"v":1,"sum":"<16 hex digits>","filters":` … `}` around the filters' JSON.
    let json = serde_json::to_vec(filters).map_or(usize::MAX / 2, |j| j.len()) + 50;
    let base64 = json.div_ceil(3) * 4;
    let lines = base64.div_ceil(76);
    sieve + base64 + lines * 3
}
