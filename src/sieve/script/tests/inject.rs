//! Values that try to become Sieve: quotes, backslashes, `"; discard; "`, line breaks in
//! header names and values, `text:` terminators in the message, comment markers. Whatever
//! the value, and whether or not `validate` would let it through, the script holds exactly
//! the commands the filters ask for, each string holding exactly the value.

use super::*;
use crate::sieve::model::{Forward, Vacation};

/// Values written to break out of a quoted string, a `text:` block or a comment.
pub(super) const HOSTILE: &[&str] = &[
    "\"; discard; \"",
    "\"; discard; #",
    "\\\"; discard; #",
    "\\",
    "\\\\",
    "\"",
    "\\\\\"; discard; \"",
    "x\" { discard; } if true { keep; } \"",
    "\"]; discard; [\"",
    "\"); discard; if (true",
    "a\r\ndiscard;\r\n",
    "a\ndiscard;\n",
    "a\rdiscard;\r",
    "\n.\ndiscard;\n",
    ".\r\n;\r\ndiscard;\r\n",
    "text:\ndiscard;\n.\n",
    "*/ discard; /*",
    "/* discard; */",
    "# x\ndiscard;",
    "${hex:22}; discard; ${hex:22}",
    "\u{0}\"; discard; \"",
    "\u{1b}[2J\u{7f}\u{85}\u{2028}",
    "Notícias\"; discard; \"日本語",
    "",
];

fn q(value: &str) -> String {
    format!("{value:?}")
}

/// A message as the server reads a `text:` block back: line breaks as LF, ended by one.
fn as_text(body: &str) -> String {
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let body = body.strip_suffix('\n').unwrap_or(&body);
    if body.is_empty() {
        String::new()
    } else {
        format!("{body}\n")
    }
}

fn one_rule(conditions: Vec<Condition>, actions: Vec<Action>) -> Filters {
    with_rules(vec![rule("r", conditions, actions)])
}

#[test]
fn condition_values_stay_one_string() {
    for value in HOSTILE {
        for (field, header) in [
            (Field::Subject, "\"subject\""),
            (Field::ListId, "\"list-id\""),
            (Field::Header("X-Test".into()), "\"X-Test\""),
        ] {
            let filters = one_rule(vec![when(field, Op::Contains, value)], vec![Action::Flag]);
            assert_eq!(
                commands(&filters),
                format!(
                    "if header :contains {header} {} {{\n  addflag \"\\\\Flagged\";\n}}\n",
                    q(value)
                )
            );
        }
        let filters = one_rule(
            vec![
                when(Field::From, Op::Is, value),
                when(Field::ToOrCc, Op::NotContains, value),
            ],
            vec![Action::Flag],
        );
        assert_eq!(
            commands(&filters),
            format!(
                "if anyof (address :is \"from\" {v}, not header :contains [\"to\", \"cc\"] {v}) \
                 {{\n  addflag \"\\\\Flagged\";\n}}\n",
                v = q(value)
            )
        );
    }
}

#[test]
fn header_names_stay_one_string() {
    for name in HOSTILE {
        let filters = one_rule(
            vec![when(Field::Header(name.to_string()), Op::Is, "x")],
            vec![Action::Stop],
        );
        assert_eq!(
            commands(&filters),
            format!("if header :is {} \"x\" {{\n  stop;\n}}\n", q(name))
        );
    }
}

#[test]
fn a_size_that_is_not_a_size_never_matches_and_adds_nothing() {
    for value in HOSTILE
        .iter()
        .chain(&["1; discard", "1K discard", "10 K", "5T", "-1"])
    {
        let filters = one_rule(
            vec![when(Field::Size, Op::Over, value)],
            vec![Action::MarkRead],
        );
        assert_eq!(
            commands(&filters),
            "if false {\n  addflag \"\\\\Seen\";\n}\n",
            "{value:?}"
        );
    }
    // A size compared as text, or text compared as a size, is not written either.
    let filters = one_rule(
        vec![
            when(Field::Size, Op::Contains, "1K"),
            when(Field::Subject, Op::Over, "1K"),
        ],
        vec![Action::MarkRead],
    );
    assert_eq!(
        commands(&filters),
        "if anyof (false, false) {\n  addflag \"\\\\Seen\";\n}\n"
    );
}

#[test]
fn a_rule_without_conditions_never_runs() {
    // `validate` refuses it; if one got through, running its discard on every message
    // would be the worst way to fail.
    let filters = one_rule(Vec::new(), vec![Action::Discard]);
    assert_eq!(commands(&filters), "if false {\n  discard;\n}\n");
}

#[test]
fn folders_and_addresses_of_actions_stay_one_string() {
    for value in HOSTILE {
        let filters = one_rule(
            vec![when(Field::Subject, Op::Contains, "x")],
            vec![
                Action::MoveTo(value.to_string()),
                Action::CopyTo(value.to_string()),
                Action::Forward(value.to_string()),
            ],
        );
        assert_eq!(
            commands(&filters),
            format!(
                "if header :contains \"subject\" \"x\" {{\n  \
                   fileinto {v};\n  fileinto :copy {v};\n  redirect :copy {v};\n}}\n",
                v = q(value)
            )
        );
    }
}

#[test]
fn rule_names_stay_in_their_comment() {
    for name in HOSTILE {
        let filters = with_rules(vec![Rule {
            name: name.to_string(),
            ..rule(
                "r",
                vec![when(Field::Subject, Op::Contains, "x")],
                vec![Action::Stop],
            )
        }]);
        assert_eq!(
            commands(&filters),
            "if header :contains \"subject\" \"x\" {\n  stop;\n}\n"
        );
        let script = generate(&filters);
        let comment = script.lines().find(|l| l.starts_with("# Rule 1")).unwrap();
        assert!(!comment.chars().any(char::is_control), "{comment:?}");
    }
}

#[test]
fn forwarding_addresses_stay_one_string() {
    for to in HOSTILE {
        for keep_copy in [true, false] {
            let filters = Filters {
                forward: Forward {
                    enabled: true,
                    to: to.to_string(),
                    keep_copy,
                },
                ..Filters::default()
            };
            let expected = if keep_copy {
                format!("redirect :copy {};\n", q(to))
            } else {
                format!("redirect {};\nstop;\n", q(to))
            };
            assert_eq!(commands(&filters), expected);
        }
    }
}

#[test]
fn vacation_values_stay_one_string_and_the_message_one_text() {
    for value in HOSTILE {
        let filters = Filters {
            vacation: Vacation {
                enabled: true,
                start: None,
                end: None,
                subject: format!("s{value}"),
                body: value.to_string(),
                addresses: vec![value.to_string(), "a@x.test".into()],
                from: Some(format!("f{value}")),
                days: 7,
            },
            ..Filters::default()
        };
        assert_eq!(
            commands(&filters),
            format!(
                "vacation :days 7 :subject {} :from {} :addresses [{}, \"a@x.test\"] {};\n",
                q(&format!("s{value}")),
                q(&format!("f{value}")),
                q(value),
                q(&as_text(value)),
            )
        );
    }
}

#[test]
fn a_message_of_terminators_and_dots_stays_one_text() {
    let body = [
        ".", "..", ". ", ".;", "discard;", ".\r", "text:", "\"", "\\", "}", "*/",
    ]
    .join("\n");
    for body in [
        body.clone(),
        body.replace('\n', "\r\n"),
        body.replace('\n', "\r"),
        format!("\n\n{body}\n\n"),
    ] {
        let filters = Filters {
            vacation: Vacation {
                enabled: true,
                body: body.clone(),
                ..Vacation::default()
            },
            ..Filters::default()
        };
        assert_eq!(
            commands(&filters),
            format!("vacation :days 7 {};\n", q(&as_text(&body))),
            "{body:?}"
        );
    }
}
