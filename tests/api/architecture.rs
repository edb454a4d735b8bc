//! The house rules of `src/`, checked on the source itself, so a change that breaks one fails
//! the suite like any other bug:
//! - no import cycle between files: every file can be read knowing only the files below it,
//!   and a new protocol or page has a place that depends on nothing above it;
//! - no file over [`MAX_LINES`] lines, tests in it included.
//!
//! The graph is this crate's own reading (`graph.rs`), not `cargo modules` or `cargo cycles`:
//! the first reports items that own their methods as cycles, and the second misses paths
//! written inline in code (`crate::x::Y`), which are imports too.

mod graph;

use std::path::Path;

/// The longest a source file may grow before it is split.
const MAX_LINES: usize = 700;

#[test]
fn no_two_files_of_src_import_each_other_even_through_others() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let graph = graph::read(dir, &dir.join("src/lib.rs")).expect("src/ parses");
    assert!(
        graph.files.len() > 50,
        "read {} files only",
        graph.files.len()
    );
    let cycles = graph.cycles();
    let mut report = String::new();
    for (n, cycle) in cycles.iter().enumerate() {
        report.push_str(&format!("cycle {}:\n", n + 1));
        for (from, to, names) in cycle {
            report.push_str(&format!(
                "  {} -> {}: {}\n",
                graph.files[*from],
                graph.files[*to],
                names.join(", ")
            ));
        }
    }
    assert!(
        cycles.is_empty(),
        "{} import cycle(s); move what both sides need into a leaf module:\n{report}",
        cycles.len()
    );
}

#[test]
fn the_module_graph_sees_imports_written_inline_and_through_re_exports() {
    // A check that cannot fail proves nothing: read a small crate with known cycles.
    let dir = std::env::temp_dir().join(format!("carteiro-graph-{}", std::process::id()));
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "src/lib.rs",
        "pub mod a;\npub mod b;\npub mod c;\npub mod p;\npub mod leaf;\n",
    );
    // a -> b by an inline path, b -> a through a `use` of a re-export.
    write(
        "src/a.rs",
        "pub struct A;\npub fn f() -> crate::b::B { crate::b::B }\n",
    );
    write(
        "src/b.rs",
        "use crate::p::A;\npub struct B;\npub fn g(_: A) {}\n",
    );
    write(
        "src/p/mod.rs",
        "mod inner;\npub use crate::a::A;\npub use inner::I;\n",
    );
    // A child naming its parent's own item, while the parent uses the child: a cycle.
    write(
        "src/p/inner.rs",
        "pub struct I;\npub fn h() -> super::Own { super::Own }\n",
    );
    write(
        "src/c.rs",
        "use crate::leaf::L;\npub fn k(l: L) -> L { l }\n#[cfg(test)]\nmod tests { use crate::a::f; }\n",
    );
    write("src/leaf.rs", "pub struct L;\n");
    let text = std::fs::read_to_string(dir.join("src/p/mod.rs")).unwrap();
    std::fs::write(
        dir.join("src/p/mod.rs"),
        format!("{text}pub struct Own;\npub fn uses_child() {{ inner::h(); }}\n"),
    )
    .unwrap();
    let graph = graph::read(&dir, &dir.join("src/lib.rs")).unwrap();
    let mut cycles: Vec<Vec<String>> = graph
        .cycles()
        .iter()
        .map(|cycle| {
            let mut files: Vec<String> = cycle
                .iter()
                .map(|(from, _, _)| graph.files[*from].clone())
                .collect();
            files.sort();
            files.dedup();
            files
        })
        .collect();
    cycles.sort();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        cycles,
        vec![
            vec!["src/a.rs".to_string(), "src/b.rs".to_string()],
            vec!["src/p/inner.rs".to_string(), "src/p/mod.rs".to_string()],
        ],
        "c.rs's test module and the leaf make no cycle"
    );
}

#[test]
fn no_source_file_is_over_the_line_limit() {
    fn walk(dir: &Path, out: &mut Vec<(String, usize)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let lines = std::fs::read_to_string(&path).unwrap().lines().count();
                out.push((path.display().to_string(), lines));
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let long: Vec<_> = files.iter().filter(|(_, n)| *n > MAX_LINES).collect();
    assert!(
        long.is_empty(),
        "split these by concern (tests into a file of their own count too): {long:?}"
    );
}
