//! Replays every input kept under `fuzz/regressions/<target>/` (what the fuzzers found; see
//! `fuzz/README.md`) and the hand-picked seeds under `fuzz/seeds/<target>/` through the fuzz
//! targets' own checks, `fuzz/checks.rs`, included here by path: a fixed finding stays fixed
//! on the stable toolchain, without libFuzzer. Needs no mail stack.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

#[path = "../../fuzz/checks.rs"]
mod checks;

/// The kept inputs of one target: its regressions, then its seeds.
fn kept_inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut paths = Vec::new();
    for kind in ["regressions", "seeds"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(kind).join(target)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        paths.extend(files);
    }
    paths
}

/// Runs `check` on every kept input of `target`; fails naming each input that fails or panics.
fn replay(target: &str, check: fn(&[u8]) -> Result<(), String>) {
    let inputs = kept_inputs(target);
    assert!(
        !inputs.is_empty(),
        "no kept inputs for the {target} target: a replay of nothing proves nothing"
    );
    let failures: Vec<String> = inputs
        .iter()
        .filter_map(|path| {
            let input = std::fs::read(path).unwrap();
            match catch_unwind(AssertUnwindSafe(|| check(&input))) {
                Ok(Ok(())) => None,
                Ok(Err(what)) => Some(format!("{}: {what}", path.display())),
                Err(_) => Some(format!("{}: panicked (message above)", path.display())),
            }
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn kept_messages_render_without_script_or_remote_loads() {
    replay("message", checks::message);
}

#[test]
fn kept_plain_texts_render_to_nothing_but_links_and_quotes() {
    replay("plain_text", checks::plain_text);
}

#[test]
fn kept_html_sanitizes_without_script_or_remote_loads() {
    replay("sanitize", checks::sanitize);
}
