//! Reading back: Carteiro's own script, unchanged, gives its filters; anything else — one
//! changed character, a cut, a tampered or newer data block, another tool's script — is
//! foreign.

use base64::Engine;

use super::*;
use crate::sieve::model::{Forward, Vacation};

/// Filters that use every part, so that every part of the script is checked.
pub(super) fn everything() -> Filters {
    let mut off = rule(
        "Disabled",
        vec![when(Field::Header("X-Old".into()), Op::Is, "1")],
        vec![Action::Discard],
    );
    off.enabled = false;
    Filters {
        vacation: Vacation {
            enabled: true,
            start: Some(date("2025-12-20")),
            end: Some(date("2026-01-05")),
            subject: "Férias \"boas\"".into(),
            body: "Back in January.\n.\nAna".into(),
            addresses: vec!["ana@x.test".into()],
            from: Some("Ana <ana@x.test>".into()),
            days: 14,
        },
        forward: Forward {
            enabled: true,
            to: "ana@elsewhere.test".into(),
            keep_copy: true,
        },
        rules: vec![
            rule(
                "News",
                vec![
                    when(Field::ListId, Op::Contains, "news"),
                    when(Field::Size, Op::Under, "100K"),
                ],
                vec![
                    Action::MarkRead,
                    Action::MoveTo("Notícias".into()),
                    Action::Stop,
                ],
            ),
            off,
            rule(
                "Back\\slash",
                vec![when(Field::ToOrCc, Op::Matches, "*\\**")],
                vec![Action::Forward("bob@x.test".into()), Action::Flag],
            ),
        ],
    }
}

#[test]
fn a_generated_script_reads_back_as_its_filters() {
    for filters in [Filters::default(), everything()] {
        let script = generate(&filters);
        assert_eq!(read(&script), Read::Ours(filters));
    }
}

#[test]
fn crlf_line_ends_read_as_lf() {
    let filters = everything();
    let script = generate(&filters).replace('\n', "\r\n");
    assert_eq!(read(&script), Read::Ours(filters));
}

#[test]
fn one_changed_or_removed_character_anywhere_makes_it_foreign() {
    let script = generate(&everything());
    let chars: Vec<char> = script.chars().collect();
    for at in 0..chars.len() {
        let mut changed = chars.clone();
        changed[at] = if chars[at] == 'a' { 'b' } else { 'a' };
        let changed: String = changed.into_iter().collect();
        assert_eq!(read(&changed), Read::Foreign, "changed at {at}");
        let removed: String = chars[..at].iter().chain(&chars[at + 1..]).collect();
        assert_eq!(read(&removed), Read::Foreign, "removed at {at}");
    }
}

#[test]
fn a_truncated_script_is_foreign_wherever_it_is_cut() {
    let script = generate(&everything());
    for (at, _) in script.char_indices() {
        assert_eq!(read(&script[..at]), Read::Foreign, "cut at {at}");
    }
    assert_eq!(read(""), Read::Foreign);
}

#[test]
fn text_added_before_inside_or_after_makes_it_foreign() {
    let script = generate(&everything());
    for changed in [
        format!("discard;\n{script}"),
        format!("{script}discard;\n"),
        format!("{script}\n"),
        format!("{script}# one more comment\n"),
        script.replacen("# Forwarding\n", "# Forwarding\ndiscard;\n", 1),
        script.replacen("\n# carteiro-data v1\n", "\n\n# carteiro-data v1\n", 1),
        script.replacen("    fileinto", "\tfileinto", 1),
    ] {
        assert_ne!(changed, script);
        assert_eq!(read(&changed), Read::Foreign, "{changed}");
    }
}

/// `script` with the JSON of its data block changed by `edit`, written back in base64 the
/// way `generate` writes it.
fn with_data(script: &str, edit: impl Fn(&str) -> String) -> String {
    let (sieve, block) = script.split_once("# carteiro-data v1\n").unwrap();
    let encoded: String = block.lines().map(|l| &l[2..]).collect();
    let engine = base64::engine::general_purpose::STANDARD;
    let json = String::from_utf8(engine.decode(encoded).unwrap()).unwrap();
    let encoded = engine.encode(edit(&json));
    let lines: Vec<String> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| format!("# {}\n", std::str::from_utf8(c).unwrap()))
        .collect();
    format!("{sieve}# carteiro-data v1\n{}", lines.concat())
}

#[test]
fn the_data_block_rewritten_unchanged_still_reads_as_ours() {
    // What the tests below change is the only thing that makes them foreign.
    let script = generate(&everything());
    assert_eq!(with_data(&script, str::to_string), script);
    assert_eq!(
        read(&with_data(&script, str::to_string)),
        Read::Ours(everything())
    );
}

#[test]
fn data_of_a_newer_version_is_foreign() {
    let script = generate(&everything());
    let json_v1 = with_data(&script, |json| {
        assert!(json.starts_with("{\"v\":1,\"sum\":\""), "{json}");
        json.to_string()
    });
    assert_eq!(json_v1, script);
    let newer = with_data(&script, |json| json.replacen("{\"v\":1,", "{\"v\":2,", 1));
    assert_eq!(read(&newer), Read::Foreign);
    let newer_layout = with_data(&script, |_| r#"{"v":2,"rules":"elsewhere"}"#.to_string());
    assert_eq!(read(&newer_layout), Read::Foreign);
    let newer_mark = script.replacen("# carteiro-data v1\n", "# carteiro-data v2\n", 1);
    assert_eq!(read(&newer_mark), Read::Foreign);
}

#[test]
fn tampered_data_is_foreign() {
    let script = generate(&everything());
    for tampered in [
        // Other filters than the script runs: the Sieve says "Notícias", the data "Spam".
        with_data(&script, |json| json.replace("Notícias", "Spam")),
        // A change the Sieve does not show (a disabled rule's name): the checksum differs.
        with_data(&script, |json| json.replace("\"Disabled\"", "\"Enabled\"")),
        // A field this version does not know.
        with_data(&script, |json| {
            json.replacen("{\"v\":1,", "{\"v\":1,\"x\":1,", 1)
        }),
        with_data(&script, |json| format!("{json} ")),
        with_data(&script, |json| json[..json.len() - 1].to_string()),
        with_data(&script, |_| "not json".to_string()),
        with_data(&script, |_| String::new()),
        // Not base64, or base64 cut short.
        script.replacen("# carteiro-data v1\n# ", "# carteiro-data v1\n# !", 1),
        script.replacen("# carteiro-data v1\n# ", "# carteiro-data v1\n#  ", 1),
        format!("{}\n", &script[..script.len() - 2]),
    ] {
        assert_eq!(read(&tampered), Read::Foreign, "{tampered}");
    }
}

#[test]
fn a_data_block_moved_under_another_script_is_foreign() {
    let ours = generate(&everything());
    let (_, block) = ours.split_once("# carteiro-data v1\n").unwrap();
    let other = generate(&Filters::default());
    let (sieve, _) = other.split_once("# carteiro-data v1\n").unwrap();
    assert_eq!(
        read(&format!("{sieve}# carteiro-data v1\n{block}")),
        Read::Foreign
    );
    let roundcube = include_str!("fixtures/roundcube.sieve");
    assert_eq!(
        read(&format!("{roundcube}\n# carteiro-data v1\n{block}")),
        Read::Foreign
    );
}

#[test]
fn scripts_of_other_tools_are_foreign() {
    for (name, script) in [
        ("roundcube", include_str!("fixtures/roundcube.sieve")),
        ("snappymail", include_str!("fixtures/snappymail.sieve")),
        ("handwritten", include_str!("fixtures/handwritten.sieve")),
    ] {
        // They are Sieve, as a server reads it: the reader is not what refuses them.
        parse::parse(script).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(read(script), Read::Foreign, "{name}");
        assert_eq!(read(&script.replace('\n', "\r\n")), Read::Foreign, "{name}");
    }
}
