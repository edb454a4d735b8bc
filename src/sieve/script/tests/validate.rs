//! The checks: each field a person fills in, counts, and the size the script would grow to
//! (measured against the real scripts).

use super::*;
use crate::sieve::model::{
    Forward, Place, Problem, ProblemKind, RuleField, Vacation, VacationField, MAX_ACTIONS,
    MAX_ADDRESSES, MAX_BODY, MAX_CONDITIONS, MAX_HEADER_NAME, MAX_NAME, MAX_RULES,
    MAX_SCRIPT_BYTES, MAX_SUBJECT, MAX_VALUE,
};
use crate::sieve::validate::script_size_bound;

fn problems(filters: &Filters) -> Vec<(Place, ProblemKind)> {
    match filters.validate() {
        Ok(()) => Vec::new(),
        Err(problems) => problems.iter().map(|p| (p.place, p.kind)).collect(),
    }
}

fn good_rule() -> Rule {
    rule(
        "News",
        vec![when(Field::ListId, Op::Contains, "news.x.test")],
        vec![Action::MoveTo("News".into())],
    )
}

fn good_vacation() -> Vacation {
    Vacation {
        enabled: true,
        start: Some(date("2025-07-01")),
        end: Some(date("2025-07-31")),
        subject: "Away".into(),
        body: "Back in August.\r\n\tAna".into(),
        addresses: vec!["ana@x.test".into()],
        from: Some("Ana Silva <ana@x.test>".into()),
        days: 7,
    }
}

fn at_vacation(field: VacationField, kind: ProblemKind) -> Vec<(Place, ProblemKind)> {
    vec![(Place::Vacation(field), kind)]
}

fn at_rule(field: RuleField, kind: ProblemKind) -> Vec<(Place, ProblemKind)> {
    vec![(Place::Rule { rule: 0, field }, kind)]
}

#[test]
fn good_filters_pass() {
    let filters = Filters {
        vacation: good_vacation(),
        forward: Forward {
            enabled: true,
            to: "me@elsewhere.test".into(),
            keep_copy: false,
        },
        rules: vec![good_rule(); 3],
    };
    assert_eq!(problems(&filters), []);
    assert_eq!(problems(&Filters::default()), [], "nothing set up is fine");
}

#[test]
fn the_vacation_reply_is_checked_field_by_field() {
    use ProblemKind::*;
    use VacationField::*;
    let cases: Vec<(Vacation, Vec<(Place, ProblemKind)>)> = vec![
        (
            Vacation {
                body: " \n ".into(),
                ..good_vacation()
            },
            at_vacation(Body, Empty),
        ),
        (
            Vacation {
                body: "a\u{0}b".into(),
                ..good_vacation()
            },
            at_vacation(Body, ControlCharacter),
        ),
        (
            Vacation {
                body: "a\u{1b}[31m".into(),
                ..good_vacation()
            },
            at_vacation(Body, ControlCharacter),
        ),
        (
            Vacation {
                body: "é".repeat(MAX_BODY + 1),
                ..good_vacation()
            },
            at_vacation(Body, TooLong { max: MAX_BODY }),
        ),
        (
            Vacation {
                subject: "a\r\nBcc: x@y.test".into(),
                ..good_vacation()
            },
            at_vacation(Subject, ControlCharacter),
        ),
        (
            Vacation {
                subject: "a\nb".into(),
                ..good_vacation()
            },
            at_vacation(Subject, ControlCharacter),
        ),
        (
            Vacation {
                subject: "x".repeat(MAX_SUBJECT + 1),
                ..good_vacation()
            },
            at_vacation(Subject, TooLong { max: MAX_SUBJECT }),
        ),
        (
            Vacation {
                from: Some("not an address".into()),
                ..good_vacation()
            },
            at_vacation(From, NotAMailbox),
        ),
        (
            Vacation {
                from: Some("Ana <ana@x.test>\r\nBcc: y@z.test".into()),
                ..good_vacation()
            },
            at_vacation(From, ControlCharacter),
        ),
        (
            Vacation {
                addresses: vec!["ana@x.test".into(), "ana".into()],
                ..good_vacation()
            },
            at_vacation(Addresses, NotAnAddress),
        ),
        (
            Vacation {
                addresses: vec!["Ana <ana@x.test>".into()],
                ..good_vacation()
            },
            at_vacation(Addresses, NotAnAddress),
        ),
        (
            Vacation {
                addresses: vec!["a@x.test\n".into()],
                ..good_vacation()
            },
            at_vacation(Addresses, ControlCharacter),
        ),
        (
            Vacation {
                addresses: vec!["a@x.test".into(); MAX_ADDRESSES + 1],
                ..good_vacation()
            },
            at_vacation(Addresses, TooMany { max: MAX_ADDRESSES }),
        ),
        (
            Vacation {
                days: 0,
                ..good_vacation()
            },
            at_vacation(Days, DaysOutOfRange),
        ),
        (
            Vacation {
                days: 366,
                ..good_vacation()
            },
            at_vacation(Days, DaysOutOfRange),
        ),
        (
            Vacation {
                start: Some(date("2025-08-01")),
                ..good_vacation()
            },
            at_vacation(End, EndBeforeStart),
        ),
    ];
    for (vacation, expected) in cases {
        let filters = Filters {
            vacation: vacation.clone(),
            ..Filters::default()
        };
        assert_eq!(problems(&filters), expected, "{vacation:?}");
    }
    for fine in [
        Vacation {
            days: 1,
            ..good_vacation()
        },
        Vacation {
            days: 365,
            ..good_vacation()
        },
        Vacation {
            start: None,
            end: None,
            ..good_vacation()
        },
        Vacation {
            start: Some(date("2025-07-31")),
            ..good_vacation()
        },
        Vacation {
            subject: String::new(),
            from: None,
            addresses: Vec::new(),
            ..good_vacation()
        },
        Vacation {
            from: Some("ana@x.test".into()),
            ..good_vacation()
        },
        Vacation {
            from: Some("\"Silva, Ana\" <ana@x.test>".into()),
            ..good_vacation()
        },
        Vacation {
            from: Some("João Ñandú <joao@x.test>".into()),
            ..good_vacation()
        },
        Vacation {
            from: Some(String::new()),
            ..good_vacation()
        },
        Vacation {
            subject: "Férias\taté março".into(),
            ..good_vacation()
        },
    ] {
        let filters = Filters {
            vacation: fine.clone(),
            ..Filters::default()
        };
        assert_eq!(problems(&filters), [], "{fine:?}");
    }
}

#[test]
fn a_vacation_reply_that_is_off_is_checked_only_for_what_would_harm_the_script() {
    let off = |v: Vacation| Filters {
        vacation: Vacation {
            enabled: false,
            ..v
        },
        ..Filters::default()
    };
    // What only matters while it answers: fine while off.
    for vacation in [
        Vacation {
            body: String::new(),
            ..good_vacation()
        },
        Vacation {
            days: 0,
            ..good_vacation()
        },
        Vacation {
            start: Some(date("2025-08-01")),
            ..good_vacation()
        },
        Vacation {
            addresses: vec!["half typed@".into()],
            ..good_vacation()
        },
        Vacation {
            from: Some("half typed".into()),
            ..good_vacation()
        },
    ] {
        assert_eq!(problems(&off(vacation.clone())), [], "{vacation:?}");
    }
    // What the data block would carry: still refused.
    assert_eq!(
        problems(&off(Vacation {
            subject: "a\nb".into(),
            ..good_vacation()
        })),
        at_vacation(VacationField::Subject, ProblemKind::ControlCharacter)
    );
    assert_eq!(
        problems(&off(Vacation {
            body: "x".repeat(MAX_BODY + 1),
            ..good_vacation()
        })),
        at_vacation(VacationField::Body, ProblemKind::TooLong { max: MAX_BODY })
    );
}

#[test]
fn forwarding_needs_an_address_while_it_is_on() {
    let forward = |enabled, to: &str| Filters {
        forward: Forward {
            enabled,
            to: to.into(),
            keep_copy: true,
        },
        ..Filters::default()
    };
    let at = |kind| vec![(Place::Forward, kind)];
    assert_eq!(problems(&forward(true, "")), at(ProblemKind::Empty));
    assert_eq!(problems(&forward(true, "  ")), at(ProblemKind::Empty));
    assert_eq!(
        problems(&forward(true, "me")),
        at(ProblemKind::NotAnAddress)
    );
    assert_eq!(
        problems(&forward(true, "Me <me@x.test>")),
        at(ProblemKind::NotAnAddress)
    );
    assert_eq!(
        problems(&forward(true, "me@x.test, you@x.test")),
        at(ProblemKind::NotAnAddress)
    );
    assert_eq!(
        problems(&forward(true, "me@x.test\r\n")),
        at(ProblemKind::ControlCharacter)
    );
    assert_eq!(
        problems(&forward(false, "me@x.test\n")),
        at(ProblemKind::ControlCharacter)
    );
    assert_eq!(problems(&forward(true, "me@x.test")), []);
    assert_eq!(problems(&forward(true, "josé@exémplo.test")), []);
    assert_eq!(problems(&forward(false, "")), []);
    assert_eq!(problems(&forward(false, "me")), []);
}

#[test]
fn a_rule_is_checked_whole_enabled_or_not() {
    use ProblemKind::*;
    use RuleField as R;
    let with = |f: &dyn Fn(&mut Rule)| {
        let mut rule = good_rule();
        f(&mut rule);
        rule
    };
    let cases: Vec<(Rule, Vec<(Place, ProblemKind)>)> = vec![
        (with(&|r| r.name = " ".into()), at_rule(R::Name, Empty)),
        (
            with(&|r| r.name = "a\nb".into()),
            at_rule(R::Name, ControlCharacter),
        ),
        (
            with(&|r| r.name = "ç".repeat(MAX_NAME + 1)),
            at_rule(R::Name, TooLong { max: MAX_NAME }),
        ),
        (
            with(&|r| r.conditions.clear()),
            at_rule(R::Conditions, Empty),
        ),
        (
            with(&|r| r.conditions = vec![when(Field::Subject, Op::Is, "x"); MAX_CONDITIONS + 1]),
            at_rule(
                R::Conditions,
                TooMany {
                    max: MAX_CONDITIONS,
                },
            ),
        ),
        (with(&|r| r.actions.clear()), at_rule(R::Actions, Empty)),
        (
            with(&|r| r.actions = vec![Action::Flag; MAX_ACTIONS + 1]),
            at_rule(R::Actions, TooMany { max: MAX_ACTIONS }),
        ),
        (
            with(&|r| r.conditions[0].value = String::new()),
            at_rule(R::Condition(0), Empty),
        ),
        (
            with(&|r| r.conditions[0].value = "a\r\nb".into()),
            at_rule(R::Condition(0), ControlCharacter),
        ),
        (
            with(&|r| r.conditions[0].value = "x".repeat(MAX_VALUE + 1)),
            at_rule(R::Condition(0), TooLong { max: MAX_VALUE }),
        ),
        (
            with(&|r| r.conditions[0].op = Op::Over),
            at_rule(R::Condition(0), WrongOperator),
        ),
        (
            with(&|r| r.conditions[0] = when(Field::Size, Op::Contains, "1K")),
            at_rule(R::Condition(0), WrongOperator),
        ),
        (
            with(&|r| r.conditions[0] = when(Field::Size, Op::Over, "big")),
            at_rule(R::Condition(0), NotASize),
        ),
        (
            with(&|r| r.conditions[0] = when(Field::Size, Op::Over, "3G")),
            at_rule(R::Condition(0), NotASize),
        ),
        (
            with(&|r| r.conditions[0] = when(Field::Size, Op::Under, "")),
            at_rule(R::Condition(0), Empty),
        ),
        (
            with(&|r| r.conditions[0] = when(Field::Header(String::new()), Op::Is, "x")),
            at_rule(R::Condition(0), Empty),
        ),
        (
            with(&|r| r.conditions[0] = when(Field::Header("X Spam".into()), Op::Is, "x")),
            at_rule(R::Condition(0), NotAHeaderName),
        ),
        (
            with(&|r| r.conditions[0] = when(Field::Header("X-Spam:".into()), Op::Is, "x")),
            at_rule(R::Condition(0), NotAHeaderName),
        ),
        (
            with(&|r| r.conditions[0] = when(Field::Header("Assunto-ç".into()), Op::Is, "x")),
            at_rule(R::Condition(0), NotAHeaderName),
        ),
        (
            with(&|r| r.conditions[0] = when(Field::Header("X\r\nY".into()), Op::Is, "x")),
            at_rule(R::Condition(0), ControlCharacter),
        ),
        (
            with(&|r| {
                r.conditions[0] = when(Field::Header("X".repeat(MAX_HEADER_NAME + 1)), Op::Is, "x")
            }),
            at_rule(
                R::Condition(0),
                TooLong {
                    max: MAX_HEADER_NAME,
                },
            ),
        ),
        (
            with(&|r| r.actions[0] = Action::MoveTo(" ".into())),
            at_rule(R::Action(0), Empty),
        ),
        (
            with(&|r| r.actions[0] = Action::CopyTo("a\u{7f}".into())),
            at_rule(R::Action(0), ControlCharacter),
        ),
        (
            with(&|r| r.actions[0] = Action::MoveTo("x".repeat(MAX_VALUE + 1))),
            at_rule(R::Action(0), TooLong { max: MAX_VALUE }),
        ),
        (
            with(&|r| r.actions[0] = Action::Forward("bob".into())),
            at_rule(R::Action(0), NotAnAddress),
        ),
        (
            with(&|r| r.actions[0] = Action::Forward(String::new())),
            at_rule(R::Action(0), Empty),
        ),
        (
            with(&|r| r.actions.insert(0, Action::Stop)),
            at_rule(R::Action(1), AfterStop),
        ),
    ];
    for (rule, expected) in cases {
        assert_eq!(
            problems(&with_rules(vec![rule.clone()])),
            expected,
            "{rule:?}"
        );
        let off = Rule {
            enabled: false,
            ..rule.clone()
        };
        assert_eq!(
            problems(&with_rules(vec![off])),
            expected,
            "disabled {rule:?}"
        );
    }
    for fine in [
        with(&|r| r.conditions[0] = when(Field::Size, Op::Over, "10K")),
        with(&|r| r.conditions[0] = when(Field::Size, Op::Under, "2147483647")),
        with(&|r| r.conditions[0] = when(Field::Size, Op::Under, "1G")),
        with(&|r| r.conditions[0] = when(Field::Header("X-Spam-Flag".into()), Op::Is, "YES")),
        with(&|r| r.conditions[0].value = "Promoção \"grátis\" \\o/".into()),
        with(&|r| r.actions = vec![Action::MarkRead, Action::Stop]),
        with(&|r| r.actions[0] = Action::MoveTo("Caixa/Notícias".into())),
        with(&|r| r.name = "x".repeat(MAX_NAME)),
    ] {
        assert_eq!(problems(&with_rules(vec![fine.clone()])), [], "{fine:?}");
    }
}

#[test]
fn problems_name_the_rule_they_are_in() {
    let mut bad = good_rule();
    bad.name = String::new();
    let filters = with_rules(vec![good_rule(), good_rule(), bad]);
    let Err(problems) = filters.validate() else {
        panic!("an empty name passed");
    };
    assert_eq!(
        problems,
        [Problem {
            place: Place::Rule {
                rule: 2,
                field: RuleField::Name
            },
            kind: ProblemKind::Empty
        }]
    );
    assert_eq!(problems[0].kind.code(), "empty");
}

#[test]
fn there_are_at_most_so_many_rules() {
    assert_eq!(problems(&with_rules(vec![good_rule(); MAX_RULES])), []);
    assert_eq!(
        problems(&with_rules(vec![good_rule(); MAX_RULES + 1])),
        [(Place::Filters, ProblemKind::TooMany { max: MAX_RULES })]
    );
}

/// Filters as large as every per-field bound allows, with values that quoting and JSON
/// both escape: far past what the script may be.
fn largest() -> Filters {
    let value = "\"\\".repeat(MAX_VALUE / 2);
    let rule = Rule {
        name: "\"".repeat(MAX_NAME),
        enabled: true,
        all: true,
        conditions: vec![
            when(Field::Header("X".repeat(MAX_HEADER_NAME)), Op::Is, &value);
            MAX_CONDITIONS
        ],
        actions: vec![Action::MoveTo(value.clone()); MAX_ACTIONS],
    };
    Filters {
        vacation: Vacation {
            body: ".\n".repeat(MAX_BODY / 2),
            subject: "\"".repeat(MAX_SUBJECT),
            addresses: vec!["a@x.test".into(); MAX_ADDRESSES],
            ..good_vacation()
        },
        forward: Forward {
            enabled: true,
            to: "me@x.test".into(),
            keep_copy: true,
        },
        rules: vec![rule; MAX_RULES],
    }
}

#[test]
fn filters_that_would_make_too_large_a_script_are_refused() {
    assert_eq!(
        problems(&largest()),
        [(
            Place::Filters,
            ProblemKind::TooLarge {
                max: MAX_SCRIPT_BYTES
            }
        )]
    );
    // Many rules of a usual size: fewer until they fit, and the largest script allowed is
    // still below the limit.
    let conditions = vec![when(Field::Subject, Op::Contains, &"x".repeat(200)); 5];
    let actions = vec![Action::MoveTo("y".repeat(100)), Action::Flag];
    let mut filters = with_rules(vec![rule("Rule", conditions, actions); MAX_RULES]);
    assert!(filters.validate().is_err());
    while filters.validate().is_err() {
        filters.rules.pop();
    }
    assert!(!filters.rules.is_empty());
    let script = generate(&filters);
    assert!(script.len() <= MAX_SCRIPT_BYTES, "{}", script.len());
    filters.rules.push(filters.rules[0].clone());
    assert!(
        generate(&filters).len() > MAX_SCRIPT_BYTES * 9 / 10,
        "the bound is not far off"
    );
}

#[test]
fn the_size_bound_is_never_below_the_real_script() {
    let mut samples = vec![Filters::default(), largest()];
    let mut vacation_only = Filters {
        vacation: good_vacation(),
        ..Filters::default()
    };
    samples.push(vacation_only.clone());
    vacation_only.vacation.body = "\r\r\r.\r".repeat(1000);
    samples.push(vacation_only);
    for hostile in ["", "\"", "\\", "é", "\u{0}", "\r\n.", "日本語\"\\"] {
        let mut filters = largest();
        filters.rules.truncate(3);
        for rule in &mut filters.rules {
            rule.name = hostile.repeat(50);
            rule.conditions
                .push(when(Field::Size, Op::Over, "2147483647"));
            rule.actions.push(Action::Forward(hostile.repeat(100)));
            rule.all = false;
        }
        filters.vacation.from = Some(hostile.repeat(100));
        filters.vacation.body = hostile.repeat(300);
        filters.forward.to = hostile.repeat(100);
        samples.push(filters);
    }
    for filters in samples {
        let real = generate(&filters).len();
        let bound = script_size_bound(&filters);
        assert!(bound >= real, "bound {bound} < script {real}");
        assert!(
            bound <= real * 2 + 2000,
            "bound {bound} far above script {real}"
        );
    }
}
