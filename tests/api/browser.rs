//! Hostile mail in a real browser: Debian's Chromium, driven by playwright-core
//! (`tests/browser/audit-pages.mjs`), opens messages with remote images blocked and records
//! every script it compiles and every request to a host other than Carteiro. There must be
//! none. The harness's positive controls prove that it would see them.
//!
//! Needs `node`, `npm ci --prefix tests/browser` and `/usr/bin/chromium` (or
//! `CARTEIRO_CHROMIUM`); `scripts/test.sh` installs all three. Without them these tests fail
//! with that instruction rather than pass silently.

use std::path::PathBuf;

use serde::Deserialize;

use crate::corpus::{corpus_files, store_corpus};
use crate::helpers::{spawn_app, TestApp, TEST_PASSWORD};
use crate::hostile::load_hostile_mailbox;

/// What the browser saw on one page.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageAudit {
    pub path: String,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub scripts: Vec<String>,
    pub off_origin: Vec<String>,
    pub dialogs: Vec<String>,
    pub titles: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Controls {
    scripts: Vec<String>,
    off_origin: Vec<String>,
    titles: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Audit {
    controls: Controls,
    signed_in: bool,
    strays: Vec<String>,
    pages: Vec<PageAudit>,
}

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Runs one of the `tests/browser` scripts with `plan` (written to a file for it) and parses
/// the JSON it prints. Panics, saying how to install it, if the harness is missing.
pub async fn run_harness<T: serde::de::DeserializeOwned>(
    script: &str,
    plan: &serde_json::Value,
) -> T {
    let dir = browser_dir();
    assert!(
        dir.join("node_modules/playwright-core").is_dir()
            && dir.join("node_modules/axe-core").is_dir(),
        "the browser harness is not installed: run `npm ci --prefix tests/browser` and install \
         Debian's chromium (scripts/test.sh does both)"
    );
    let plan_path = std::env::temp_dir().join(format!(
        "carteiro-{script}-{}-{}.json",
        std::process::id(),
        crate::helpers::rand_u32()
    ));
    std::fs::write(&plan_path, plan.to_string()).unwrap();
    let output = tokio::process::Command::new("node")
        .arg(dir.join(script))
        .arg(&plan_path)
        .current_dir(&dir)
        .output()
        .await
        .expect("node runs (apt-get install nodejs npm)");
    let _ = std::fs::remove_file(&plan_path);
    assert!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "unreadable output of {script} ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Opens `pages` (paths under the app) in Chromium, signed in as the app's user, and returns
/// what each did. Panics if the harness is missing or its detectors are blind.
pub async fn audit_in_chromium(app: &TestApp, pages: &[String]) -> Vec<PageAudit> {
    let plan = serde_json::json!({
        "base": app.base_url,
        "username": app.user,
        "password": TEST_PASSWORD,
        "pages": pages,
    });
    let audit: Audit = run_harness("audit-pages.mjs", &plan).await;
    // The detectors must see what the control page does, or a clean result means nothing.
    assert!(!audit.controls.scripts.is_empty(), "{:?}", audit.controls);
    assert!(
        audit
            .controls
            .off_origin
            .iter()
            .any(|u| u.contains("evil.example/control.png")),
        "{:?}",
        audit.controls
    );
    assert!(
        audit
            .controls
            .off_origin
            .iter()
            .any(|u| u.contains("control-fetch")),
        "{:?}",
        audit.controls
    );
    assert!(
        audit
            .controls
            .off_origin
            .iter()
            .any(|u| u.contains("control-frame")),
        "{:?}",
        audit.controls
    );
    assert!(audit.controls.scripts.len() >= 2, "{:?}", audit.controls);
    assert!(audit.controls.titles.iter().any(|t| t == "pwned"));
    assert!(audit.signed_in, "the harness signed in");
    assert!(
        audit.strays.is_empty(),
        "unattributed requests: {:?}",
        audit.strays
    );
    assert_eq!(audit.pages.len(), pages.len());
    audit.pages
}

/// Every way a page can have misbehaved, as one line per page (empty when all were clean).
pub fn misbehaviour(pages: &[PageAudit]) -> Vec<String> {
    pages
        .iter()
        .filter_map(|p| {
            let mut wrong = Vec::new();
            if p.status != Some(200) || p.error.is_some() {
                wrong.push(format!("status {:?} error {:?}", p.status, p.error));
            }
            if !p.scripts.is_empty() {
                wrong.push(format!("ran script {:?}", p.scripts));
            }
            if !p.off_origin.is_empty() {
                wrong.push(format!("requested {:?}", p.off_origin));
            }
            if !p.dialogs.is_empty() {
                wrong.push(format!("opened dialogs {:?}", p.dialogs));
            }
            // Payload scripts set the title to exactly this; a subject may merely mention it.
            if p.titles.iter().any(|t| t == "pwned") {
                wrong.push(format!("title changed {:?}", p.titles));
            }
            (!wrong.is_empty()).then(|| format!("{}: {}", p.path, wrong.join("; ")))
        })
        .collect()
}

fn has_html_body_or_is_unreadable(raw: &[u8]) -> bool {
    match carteiro::mime::parse(raw) {
        Some(message) => message.html_body.iter().any(|&i| {
            matches!(
                message.parts.get(i as usize).map(|p| &p.body),
                Some(mail_parser::PartType::Html(_))
            )
        }),
        None => true,
    }
}

#[tokio::test]
async fn every_corpus_html_message_runs_no_script_and_loads_nothing_remote_in_chromium() {
    let paths = corpus_files();
    if paths.is_empty() {
        eprintln!("no corpus: skipped");
        return;
    }
    let app = spawn_app().await;
    let stored = store_corpus(&app, &paths).await;
    // Pages of text-only messages are Carteiro's own escaped markup, checked statically by
    // corpus.rs; the browser gets every message with an HTML body, and every one the parser
    // could not read.
    let pages: Vec<String> = stored
        .iter()
        .enumerate()
        .filter(|(_, path)| has_html_body_or_is_unreadable(&std::fs::read(path).unwrap()))
        .map(|(i, _)| format!("/mail/INBOX/{}", i + 1))
        .collect();
    assert!(pages.len() > 300, "only {} HTML messages", pages.len());
    let audited = audit_in_chromium(&app, &pages).await;
    let wrong: Vec<String> = misbehaviour(&audited)
        .into_iter()
        .map(|line| {
            // Name the corpus file, not just the UID.
            let uid: usize = line["/mail/INBOX/".len()..]
                .split(':')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            format!("{} — {line}", stored[uid - 1].display())
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn every_hostile_message_runs_no_script_and_loads_nothing_remote_in_chromium() {
    let app = spawn_app().await;
    let loaded = load_hostile_mailbox(&app).await;
    app.login().await;
    // Each message page (with its body frame), the body opened on its own as if someone
    // followed the frame's URL, and the reply and forward pages that quote it.
    let mut pages = Vec::new();
    let mut labels = Vec::new();
    for m in &loaded {
        let url = m.url();
        let (_, html) = app.page(&url).await;
        let has_frame = html
            .select(&scraper::Selector::parse("iframe.html-body").unwrap())
            .next()
            .is_some();
        let mut own = vec![
            url.clone(),
            format!("/compose?folder={}&reply={}", m.folder, m.uid),
            format!("/compose?folder={}&forward={}", m.folder, m.uid),
        ];
        if has_frame {
            own.push(format!("{url}/body"));
        }
        labels.extend(own.iter().map(|_| m.label()));
        pages.extend(own);
    }
    assert!(pages.len() > 2 * loaded.len());
    let audited = audit_in_chromium(&app, &pages).await;
    let wrong = misbehaviour(&audited);
    let named: Vec<String> = wrong
        .iter()
        .map(|line| {
            let path = line.split(':').next().unwrap_or_default();
            let index = pages.iter().position(|p| p == path).unwrap_or(0);
            format!("{} — {line}", labels[index])
        })
        .collect();
    assert!(named.is_empty(), "{}", named.join("\n"));

    // With remote images allowed by the reader, images may load; script still never runs.
    let allowed: Vec<String> = loaded
        .iter()
        .filter(|m| m.class == "html-xss" || m.class == "remote-leak")
        .map(|m| format!("{}?images=1", m.url()))
        .collect();
    let audited = audit_in_chromium(&app, &allowed).await;
    for page in &audited {
        assert!(
            page.scripts.is_empty() && page.dialogs.is_empty(),
            "{}: {:?} {:?}",
            page.path,
            page.scripts,
            page.dialogs
        );
        assert!(!page.titles.iter().any(|t| t == "pwned"), "{}", page.path);
        assert_eq!(page.status, Some(200), "{}", page.path);
    }
}
