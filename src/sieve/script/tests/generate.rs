//! What each part of the filters becomes: every condition and action, the vacation reply
//! with and without dates, forwarding with and without a copy, disabled parts, the order,
//! `require`, and the data block.

use super::*;
use crate::sieve::model::{Forward, Vacation};

#[test]
fn each_condition_becomes_its_test() {
    let cases = [
        (
            Field::From,
            Op::Contains,
            "ana",
            r#"header :contains "from" "ana""#,
        ),
        (
            Field::From,
            Op::NotContains,
            "ana",
            r#"not header :contains "from" "ana""#,
        ),
        (
            Field::From,
            Op::Is,
            "a@x.test",
            r#"address :is "from" "a@x.test""#,
        ),
        (
            Field::From,
            Op::IsNot,
            "a@x.test",
            r#"not address :is "from" "a@x.test""#,
        ),
        (
            Field::From,
            Op::Matches,
            "*@x.test",
            r#"address :matches "from" "*@x.test""#,
        ),
        (
            Field::ToOrCc,
            Op::Contains,
            "team",
            r#"header :contains ["to", "cc"] "team""#,
        ),
        (
            Field::ToOrCc,
            Op::NotContains,
            "team",
            r#"not header :contains ["to", "cc"] "team""#,
        ),
        (
            Field::ToOrCc,
            Op::Is,
            "t@x.test",
            r#"address :is ["to", "cc"] "t@x.test""#,
        ),
        (
            Field::ToOrCc,
            Op::IsNot,
            "t@x.test",
            r#"not address :is ["to", "cc"] "t@x.test""#,
        ),
        (
            Field::ToOrCc,
            Op::Matches,
            "t?@x.*",
            r#"address :matches ["to", "cc"] "t?@x.*""#,
        ),
        (
            Field::Subject,
            Op::Contains,
            "Invoice",
            r#"header :contains "subject" "Invoice""#,
        ),
        (
            Field::Subject,
            Op::NotContains,
            "Re:",
            r#"not header :contains "subject" "Re:""#,
        ),
        (
            Field::Subject,
            Op::Is,
            "Hello",
            r#"header :is "subject" "Hello""#,
        ),
        (
            Field::Subject,
            Op::IsNot,
            "Hello",
            r#"not header :is "subject" "Hello""#,
        ),
        (
            Field::Subject,
            Op::Matches,
            "[*] *",
            r#"header :matches "subject" "[*] *""#,
        ),
        (
            Field::ListId,
            Op::Contains,
            "<news.x.test>",
            r#"header :contains "list-id" "<news.x.test>""#,
        ),
        (
            Field::ListId,
            Op::Is,
            "news",
            r#"header :is "list-id" "news""#,
        ),
        (
            Field::Header("X-Spam-Flag".into()),
            Op::Is,
            "YES",
            r#"header :is "X-Spam-Flag" "YES""#,
        ),
        (
            Field::Header("X-Mailer".into()),
            Op::NotContains,
            "Outlook",
            r#"not header :contains "X-Mailer" "Outlook""#,
        ),
        (Field::Size, Op::Over, "10K", "size :over 10K"),
        (Field::Size, Op::Under, "2m", "size :under 2M"),
        (Field::Size, Op::Over, " 500 ", "size :over 500"),
    ];
    for (field, op, value, test) in cases {
        let filters = with_rules(vec![rule(
            "r",
            vec![when(field, op, value)],
            vec![Action::MarkRead],
        )]);
        assert_eq!(
            commands(&filters),
            format!("if {test} {{\n  addflag \"\\\\Seen\";\n}}\n"),
            "{test}"
        );
    }
}

#[test]
fn each_action_becomes_its_command() {
    let cases = [
        (
            Action::MoveTo("Newsletters".into()),
            r#"fileinto "Newsletters""#,
        ),
        (
            Action::CopyTo("Archive".into()),
            r#"fileinto :copy "Archive""#,
        ),
        (Action::MarkRead, r#"addflag "\\Seen""#),
        (Action::Flag, r#"addflag "\\Flagged""#),
        (
            Action::Forward("bob@x.test".into()),
            r#"redirect :copy "bob@x.test""#,
        ),
        (Action::Discard, "discard"),
        (Action::Stop, "stop"),
    ];
    for (action, command) in cases {
        let filters = with_rules(vec![rule(
            "r",
            vec![when(Field::Subject, Op::Contains, "x")],
            vec![action],
        )]);
        assert_eq!(
            commands(&filters),
            format!("if header :contains \"subject\" \"x\" {{\n  {command};\n}}\n")
        );
    }
}

#[test]
fn flags_come_before_filing_and_the_other_actions_keep_their_order() {
    let filters = with_rules(vec![rule(
        "r",
        vec![when(Field::Subject, Op::Contains, "x")],
        vec![
            Action::Forward("bob@x.test".into()),
            Action::MoveTo("A".into()),
            Action::Flag,
            Action::CopyTo("B".into()),
            Action::MarkRead,
            Action::Stop,
        ],
    )]);
    assert_eq!(
        commands(&filters),
        "if header :contains \"subject\" \"x\" {\n  \
           addflag \"\\\\Flagged\";\n  \
           addflag \"\\\\Seen\";\n  \
           redirect :copy \"bob@x.test\";\n  \
           fileinto \"A\";\n  \
           fileinto :copy \"B\";\n  \
           stop;\n\
         }\n"
    );
}

#[test]
fn all_joins_conditions_with_allof_and_any_with_anyof() {
    let conditions = vec![
        when(Field::From, Op::Contains, "shop"),
        when(Field::Size, Op::Over, "1M"),
    ];
    let mut r = rule("r", conditions, vec![Action::Discard]);
    let tests = r#"(header :contains "from" "shop", size :over 1M)"#;
    assert_eq!(
        commands(&with_rules(vec![r.clone()])),
        format!("if anyof {tests} {{\n  discard;\n}}\n")
    );
    r.all = true;
    assert_eq!(
        commands(&with_rules(vec![r])),
        format!("if allof {tests} {{\n  discard;\n}}\n")
    );
}

fn away() -> Vacation {
    Vacation {
        enabled: true,
        start: None,
        end: None,
        subject: "Out of office".into(),
        body: "I am away until Monday.\nBest,\nAna".into(),
        addresses: vec!["ana@x.test".into(), "ana.silva@x.test".into()],
        from: Some("Ana Silva <ana@x.test>".into()),
        days: 7,
    }
}

#[test]
fn vacation_without_dates_answers_at_once() {
    let filters = Filters {
        vacation: away(),
        ..Filters::default()
    };
    assert_eq!(
        commands(&filters),
        "vacation :days 7 :subject \"Out of office\" :from \"Ana Silva <ana@x.test>\" \
         :addresses [\"ana@x.test\", \"ana.silva@x.test\"] \
         \"I am away until Monday.\\nBest,\\nAna\\n\";\n"
    );
    assert_eq!(required(&filters), ["vacation"]);
}

#[test]
fn vacation_with_dates_answers_between_them_by_the_servers_date() {
    let vacation = "vacation :days 7 :subject \"Out of office\" :from \"Ana Silva <ana@x.test>\" \
         :addresses [\"ana@x.test\", \"ana.silva@x.test\"] \
         \"I am away until Monday.\\nBest,\\nAna\\n\";";
    let ge = r#"currentdate :value "ge" "date" "2025-07-01""#;
    let le = r#"currentdate :value "le" "date" "2025-07-31""#;
    for (start, end, tests) in [
        (
            Some("2025-07-01"),
            Some("2025-07-31"),
            format!("{ge}, {le}"),
        ),
        (Some("2025-07-01"), None, ge.to_string()),
        (None, Some("2025-07-31"), le.to_string()),
    ] {
        let filters = Filters {
            vacation: Vacation {
                start: start.map(date),
                end: end.map(date),
                ..away()
            },
            ..Filters::default()
        };
        assert_eq!(
            commands(&filters),
            format!("if allof ({tests}) {{\n  {vacation}\n}}\n")
        );
        assert_eq!(
            required(&filters),
            ["date", "relational", "vacation"],
            "currentdate needs date, :value needs relational"
        );
    }
}

#[test]
fn vacation_leaves_out_an_empty_subject_no_from_and_no_addresses() {
    let filters = Filters {
        vacation: Vacation {
            subject: String::new(),
            from: None,
            addresses: Vec::new(),
            days: 30,
            ..away()
        },
        ..Filters::default()
    };
    assert_eq!(
        commands(&filters),
        "vacation :days 30 \"I am away until Monday.\\nBest,\\nAna\\n\";\n"
    );
    let empty_from = Filters {
        vacation: Vacation {
            from: Some(String::new()),
            ..filters.vacation.clone()
        },
        ..Filters::default()
    };
    assert_eq!(commands(&empty_from), commands(&filters));
}

#[test]
fn forwarding_with_a_copy_uses_copy_and_without_one_stops() {
    let mut filters = Filters {
        forward: Forward {
            enabled: true,
            to: "me@elsewhere.test".into(),
            keep_copy: true,
        },
        rules: vec![rule(
            "r",
            vec![when(Field::Subject, Op::Contains, "x")],
            vec![Action::Discard],
        )],
        ..Filters::default()
    };
    let rule = "if header :contains \"subject\" \"x\" {\n  discard;\n}\n";
    assert_eq!(
        commands(&filters),
        format!("redirect :copy \"me@elsewhere.test\";\n{rule}")
    );
    assert_eq!(required(&filters), ["copy"]);
    filters.forward.keep_copy = false;
    assert_eq!(
        commands(&filters),
        format!("redirect \"me@elsewhere.test\";\nstop;\n{rule}")
    );
    assert!(required(&filters).is_empty());
}

#[test]
fn disabled_parts_are_kept_in_the_data_but_not_run() {
    let mut off = rule(
        "off",
        vec![when(Field::Subject, Op::Contains, "x")],
        vec![Action::MoveTo("Off".into())],
    );
    off.enabled = false;
    let on = rule(
        "on",
        vec![when(Field::Subject, Op::Contains, "y")],
        vec![Action::Flag],
    );
    let filters = Filters {
        vacation: Vacation {
            enabled: false,
            ..away()
        },
        forward: Forward {
            enabled: false,
            to: "me@elsewhere.test".into(),
            keep_copy: false,
        },
        rules: vec![off.clone(), on, off],
    };
    // `commands` checks the disabled parts read back, so they are in the data.
    assert_eq!(
        commands(&filters),
        "if header :contains \"subject\" \"y\" {\n  addflag \"\\\\Flagged\";\n}\n"
    );
    assert_eq!(required(&filters), ["imap4flags"], "fileinto is unused");
    let script = generate(&filters);
    assert!(!script.contains("# Rule 1:"), "{script}");
    assert!(script.contains("# Rule 2: on\n"), "numbered as listed");
    assert!(!script.contains("# Rule 3:"), "{script}");
}

#[test]
fn vacation_comes_first_then_forwarding_then_the_rules_in_order() {
    let filters = Filters {
        vacation: away(),
        forward: Forward {
            enabled: true,
            to: "me@elsewhere.test".into(),
            keep_copy: true,
        },
        rules: vec![
            rule(
                "one",
                vec![when(Field::ListId, Op::Contains, "news")],
                vec![Action::MoveTo("News".into())],
            ),
            rule(
                "two",
                vec![when(Field::From, Op::Is, "boss@x.test")],
                vec![Action::Flag],
            ),
        ],
    };
    let outline = commands(&filters);
    let order: Vec<&str> = outline
        .lines()
        .filter(|l| !l.starts_with(' ') && *l != "}")
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(order, ["vacation", "redirect", "if", "if"]);
    assert!(outline.find("\"news\"") < outline.find("\"boss@x.test\""));
    assert_eq!(
        required(&filters),
        ["copy", "fileinto", "imap4flags", "vacation"]
    );
    assert_eq!(filters.required_extensions(), required(&filters));
}

#[test]
fn non_ascii_folders_subjects_and_messages_are_written_as_they_are() {
    let filters = Filters {
        vacation: Vacation {
            subject: "Férias até março — 休暇".into(),
            body: "Olá! Estou de férias.\nSaudações, João 🌴".into(),
            from: Some("João Ñandú <joao@x.test>".into()),
            ..away()
        },
        rules: vec![rule(
            "Notícias",
            vec![when(Field::Subject, Op::Contains, "Promoção")],
            vec![
                Action::MoveTo("Caixa de Entrada/Notícias".into()),
                Action::CopyTo("Ελληνικά/日本語".into()),
            ],
        )],
        ..Filters::default()
    };
    let outline = commands(&filters);
    assert!(
        outline.starts_with(
            "vacation :days 7 :subject \"Férias até março — 休暇\" :from \"João Ñandú <joao@x.test>\" "
        ),
        "{outline}"
    );
    assert!(outline.contains("\"Olá! Estou de férias.\\nSaudações, João 🌴\\n\""));
    assert!(outline.contains(
        "if header :contains \"subject\" \"Promoção\" {\n  \
         fileinto \"Caixa de Entrada/Notícias\";\n  \
         fileinto :copy \"Ελληνικά/日本語\";\n}\n"
    ));
    assert!(generate(&filters).contains("# Rule 1: Notícias\n"));
}

#[test]
fn message_lines_that_start_with_a_dot_are_stuffed_and_read_as_written() {
    let body = ".\n..\n. \n.signature\nend.\n.";
    let filters = Filters {
        vacation: Vacation {
            body: body.into(),
            ..away()
        },
        ..Filters::default()
    };
    let script = generate(&filters);
    assert!(
        script.contains("text:\n..\n...\n.. \n..signature\nend.\n..\n.\n"),
        "{script}"
    );
    let outline = commands(&filters);
    assert!(
        outline.contains(&format!("{:?};", format!("{body}\n"))),
        "{outline}"
    );
}

#[test]
fn a_script_with_nothing_on_runs_nothing_and_requires_nothing() {
    let filters = Filters::default();
    let script = generate(&filters);
    assert_eq!(commands(&filters), "");
    assert!(!script.contains("require"), "an empty require is not Sieve");
    assert!(filters.required_extensions().is_empty());
}

#[test]
fn required_extensions_list_only_what_enabled_parts_use() {
    let subject = || vec![when(Field::Subject, Op::Contains, "x")];
    let cases: Vec<(Vec<Action>, &[&str])> = vec![
        (vec![Action::MoveTo("A".into())], &["fileinto"]),
        (vec![Action::CopyTo("A".into())], &["copy", "fileinto"]),
        (vec![Action::MarkRead], &["imap4flags"]),
        (vec![Action::Flag], &["imap4flags"]),
        (vec![Action::Forward("b@x.test".into())], &["copy"]),
        (vec![Action::Discard], &[]),
        (vec![Action::Stop], &[]),
    ];
    for (actions, expected) in cases {
        let filters = with_rules(vec![rule("r", subject(), actions.clone())]);
        assert_eq!(filters.required_extensions(), expected, "{actions:?}");
        assert_eq!(required(&filters), expected, "{actions:?}");
    }
}

#[test]
fn the_data_block_is_base64_in_76_columns_after_its_mark() {
    let filters = Filters {
        vacation: away(),
        ..Filters::default()
    };
    let script = generate(&filters);
    let (sieve, data) = script.split_once("\n# carteiro-data v1\n").unwrap();
    assert!(sieve.starts_with("# Carteiro"), "a person sees whose it is");
    let lines: Vec<&str> = data.lines().collect();
    assert!(lines.len() > 2);
    let (last, full) = lines.split_last().unwrap();
    for line in full {
        assert_eq!(line.len(), 2 + 76, "{line}");
    }
    assert!(last.len() <= 2 + 76 && last.len() > 2);
    assert!(lines.iter().all(|l| l.starts_with("# ")
        && l[2..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))));
    assert!(script.ends_with('\n'));
    assert_eq!(generate(&filters), script, "the same text every time");
}
