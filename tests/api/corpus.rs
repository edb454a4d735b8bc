//! Every message of the shared public corpus goes through the parser and the renderer:
//! no panic, and nothing executable in what would reach the browser.

use std::path::{Path, PathBuf};

use carteiro::mime::{self, view};

use crate::audit::{dangerous, remote_resource};
use crate::helpers::{check_list_pages, files_under, open_message_checked};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// Every file of the shared corpus, sorted.
pub fn corpus_files() -> Vec<PathBuf> {
    files_under(&corpus_dir())
}

/// APPENDs the corpus messages to the app user's INBOX, in order; returns the files stored
/// (their UIDs are 1, 2, 3… in that order). Raw HTML payloads and files IMAP cannot carry
/// are left out.
pub async fn store_corpus(app: &crate::helpers::TestApp, paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut imap = app.imap().await;
    let mut stored = Vec::new();
    for path in paths {
        if path.to_string_lossy().contains("html-payloads") {
            continue;
        }
        let raw = std::fs::read(path).unwrap();
        if raw.is_empty() || raw.contains(&0) {
            continue; // IMAP literals cannot carry NUL; such files test the parser above.
        }
        if imap.try_append("INBOX", &raw).await {
            stored.push(path.clone());
        }
    }
    assert!(
        stored.len() > 1000,
        "only {} corpus files stored",
        stored.len()
    );
    stored
}

#[test]
fn every_corpus_message_renders_without_panic_or_script() {
    let dir = corpus_dir();
    let paths = files_under(&dir);
    if paths.is_empty() {
        eprintln!("no corpus at {}: skipped", dir.display());
        return;
    }
    let part_url = |section: &str| format!("/mail/INBOX/1/part/{section}");
    let links = view::Links {
        part_url: &part_url,
        blocked_image_url: "/static/blocked.svg",
    };
    let mut rendered = 0;
    for path in &paths {
        let raw = std::fs::read(path).unwrap();
        // Raw HTML payloads are wrapped in a message of their own.
        let raw = if path.extension().is_some_and(|e| e == "html" || e == "txt")
            && path.to_string_lossy().contains("html-payloads")
        {
            let mut m = b"From: x@example.test\r\nSubject: payload\r\nContent-Type: text/html; charset=utf-8\r\n\r\n".to_vec();
            m.extend_from_slice(&raw);
            m
        } else {
            raw
        };
        let Some(message) = mime::parse(&raw) else {
            continue;
        };
        for allow_remote in [false, true] {
            let v = view::build(&message, None, allow_remote, &links);
            if let view::Body::Text(html) = &v.body {
                if let Some(what) = dangerous(html) {
                    panic!("{}: text body has {what}", path.display());
                }
            }
            let parts = view::part_list(&message, None);
            // `try_html_body`, not `html_body`: a contained sanitizer panic fails the test.
            let rendered = view::try_html_body(&message, &parts, allow_remote, &links)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if let Some((sanitized, _)) = rendered {
                if let Some(what) = dangerous(&sanitized.html) {
                    panic!("{}: HTML body has {what}", path.display());
                }
                if !allow_remote {
                    if let Some(what) = remote_resource(&sanitized.html) {
                        panic!(
                            "{}: remote resource left while blocked: {what}",
                            path.display()
                        );
                    }
                }
            }
        }
        rendered += 1;
    }
    assert!(rendered > 1000, "only {rendered} corpus messages parsed");
}

/// The same corpus, served for real: APPENDed to Dovecot and opened through Carteiro's pages.
/// Every list page and every message page answers 200, never an error page, and what reaches
/// the browser carries no script and (images blocked) loads nothing remote.
#[tokio::test]
async fn every_corpus_message_opens_through_carteiro_without_an_error_page() {
    let paths = corpus_files();
    if paths.is_empty() {
        eprintln!("no corpus at {}: skipped", corpus_dir().display());
        return;
    }
    let app = crate::helpers::spawn_app().await;
    app.login().await;
    let stored = store_corpus(&app, &paths).await;
    check_list_pages(&app, "INBOX", stored.len()).await;
    for (i, path) in stored.iter().enumerate() {
        let label = path.display().to_string();
        open_message_checked(&app, "INBOX", i as u32 + 1, &label).await;
    }
}
