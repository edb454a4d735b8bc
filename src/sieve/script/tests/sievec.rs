//! The real compiler: Pigeonhole's `sievec` and `sieve-dump` (Debian's `dovecot-sieve`,
//! which the project's mail stack installs for the integration tests). Every script of the
//! other tests' kinds must compile without a warning, and a hostile value must compile to
//! the very operations a plain one does: the compiler, not only this crate's reader, finds
//! no extra command.
//!
//! Ignored by default, so that `cargo test --lib` needs no mail server packages; run it with
//! `cargo test --lib sieve:: -- --ignored` (it fails, never skips, without the tools).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::inject::HOSTILE;
use super::*;
use crate::sieve::model::{Forward, Vacation};

/// A directory of its own under the system's temporary one, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("carteiro-sievec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Compiles `script`: the operations of its program (`FILEINTO`, `JMPFALSE`…, in order),
/// or the compiler's complaint; a warning counts as one.
fn compile(dir: &Path, script: &str) -> Result<Vec<String>, String> {
    let source = dir.join("script.sieve");
    let binary = dir.join("script.svbin");
    std::fs::write(&source, script).unwrap();
    let _ = std::fs::remove_file(&binary);
    let out = Command::new("sievec")
        .arg(&source)
        .arg(&binary)
        .output()
        .expect("sievec runs (apt-get install dovecot-sieve)");
    let complaint = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() || !complaint.trim().is_empty() {
        return Err(complaint);
    }
    let dump = Command::new("sieve-dump")
        .arg(&binary)
        .output()
        .expect("sieve-dump runs");
    assert!(dump.status.success());
    let dump = String::from_utf8_lossy(&dump.stdout);
    let program = dump.split("* Main program").nth(1).expect("a program");
    // `0000002b:    3: DISCARD`: an operation has an address and a line number; its
    // arguments are indented further, and the text of a string may run over lines.
    Ok(program
        .lines()
        .filter_map(|line| {
            let (address, rest) = line.split_once(": ")?;
            if address.len() != 8 || !address.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let (number, op) = rest.trim_start().split_once(": ")?;
            number.parse::<u32>().ok()?;
            // An argument on a line of its own is indented: `   4:   reason: …`.
            (!op.starts_with(' ')).then(|| op.split(' ').next().unwrap_or("").to_string())
        })
        .collect())
}

/// Filters of every kind the other tests write, all valid.
fn samples() -> Vec<Filters> {
    let mut samples = vec![Filters::default(), super::read::everything()];
    let fields = [
        Field::From,
        Field::ToOrCc,
        Field::Subject,
        Field::ListId,
        Field::Header("X-Spam-Flag".into()),
    ];
    let ops = [
        Op::Contains,
        Op::NotContains,
        Op::Is,
        Op::IsNot,
        Op::Matches,
    ];
    let mut conditions: Vec<Condition> = fields
        .iter()
        .flat_map(|f| ops.iter().map(|op| when(f.clone(), *op, "a@x.test")))
        .collect();
    conditions.push(when(Field::Size, Op::Over, "10K"));
    conditions.push(when(Field::Size, Op::Under, "2147483647"));
    let actions = vec![
        Action::MarkRead,
        Action::Flag,
        Action::MoveTo("Notícias/日本語".into()),
        Action::CopyTo("Archive".into()),
        Action::Forward("bob@x.test".into()),
        Action::Discard,
        Action::Stop,
    ];
    for (n, condition) in conditions.iter().enumerate() {
        let action = actions[n % actions.len()].clone();
        samples.push(with_rules(vec![rule(
            "one",
            vec![condition.clone()],
            vec![action],
        )]));
    }
    for all in [true, false] {
        samples.push(with_rules(vec![Rule {
            all,
            ..rule("every", conditions[..20].to_vec(), actions.clone())
        }]));
    }
    let vacation = Vacation {
        enabled: true,
        start: None,
        end: None,
        subject: "Férias \"até\" março".into(),
        body: ".\n..\nOlá,\r\nvolto em março.\n.".into(),
        addresses: vec!["ana@x.test".into(), "ana.silva@x.test".into()],
        from: Some("João Ñandú <joao@x.test>".into()),
        days: 365,
    };
    for (start, end) in [
        (None, None),
        (Some("2025-07-01"), None),
        (None, Some("2025-07-31")),
        (Some("2025-07-01"), Some("2025-07-31")),
    ] {
        samples.push(Filters {
            vacation: Vacation {
                start: start.map(date),
                end: end.map(date),
                ..vacation.clone()
            },
            ..Filters::default()
        });
    }
    samples.push(Filters {
        vacation: Vacation {
            subject: String::new(),
            from: None,
            addresses: Vec::new(),
            days: 1,
            ..vacation
        },
        ..Filters::default()
    });
    for keep_copy in [true, false] {
        samples.push(Filters {
            forward: Forward {
                enabled: true,
                to: "me@elsewhere.test".into(),
                keep_copy,
            },
            rules: vec![rule("r", vec![conditions[0].clone()], actions.clone())],
            ..Filters::default()
        });
    }
    samples
}

/// The same filters with `value` in every field a person types.
fn hostile(value: &str) -> Filters {
    let text = |prefix: &str| format!("{prefix}{value}");
    Filters {
        vacation: Vacation {
            enabled: true,
            start: Some(date("2025-07-01")),
            end: None,
            subject: text("s"),
            body: text("b"),
            addresses: vec!["a@x.test".into()],
            from: None,
            days: 7,
        },
        forward: Forward {
            enabled: true,
            to: "me@x.test".into(),
            keep_copy: true,
        },
        rules: vec![Rule {
            name: text("n"),
            ..rule(
                "r",
                vec![
                    when(Field::Subject, Op::Contains, &text("v")),
                    when(Field::Header("X-Test".into()), Op::IsNot, &text("v")),
                    when(Field::From, Op::Matches, &text("v")),
                ],
                vec![
                    Action::MarkRead,
                    Action::MoveTo(text("f")),
                    Action::CopyTo(text("f")),
                ],
            )
        }],
    }
}

#[test]
#[ignore = "needs Pigeonhole (apt-get install dovecot-sieve): cargo test --lib sieve:: -- --ignored"]
fn generated_scripts_compile_and_values_add_no_operation() {
    let scratch = Scratch::new();
    for filters in samples() {
        assert_eq!(filters.validate(), Ok(()), "{filters:?}");
        let script = generate(&filters);
        if let Err(complaint) = compile(&scratch.0, &script) {
            panic!("{complaint}\n{script}");
        }
    }
    let plain = compile(&scratch.0, &generate(&hostile(""))).unwrap();
    assert!(plain.contains(&"VACATION".to_string()), "{plain:?}");
    let mut refused = 0;
    for value in HOSTILE {
        let filters = hostile(value);
        let script = generate(&filters);
        match compile(&scratch.0, &script) {
            Ok(ops) => assert_eq!(ops, plain, "{value:?}:\n{script}"),
            // The server would refuse it (a NUL, say): no harm, and `validate` refuses it
            // before it gets there.
            Err(complaint) => {
                assert!(filters.validate().is_err(), "{value:?}: {complaint}");
                refused += 1;
            }
        }
    }
    assert!(refused < HOSTILE.len() / 2, "most values compile");
}
