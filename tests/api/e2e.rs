//! End to end in a real Chromium: a person signs in, reads, replies (and the recipient, a
//! second person on the same stack, reads the reply), moves, deletes, searches, switches
//! language and does the same on a phone — once with JavaScript and once without, since every
//! page must work both ways. The flows are in `tests/browser/e2e.mjs`; screenshots of the
//! main pages land in `target/e2e-screenshots/` as artifacts of the run.

use serde::Deserialize;
use serde_json::json;

use crate::browser::run_harness;
use crate::helpers::{fresh_user, message, spawn_app, Imap, TestApp, TEST_PASSWORD};

#[derive(Deserialize, Debug)]
struct Outcome {
    failures: Vec<String>,
    steps: Vec<String>,
    screenshots: Vec<String>,
    observed: serde_json::Value,
}

const READ: &str = "Lunch on Friday?";
const MOVE: &str = "Move me to Projetos";
const DELETE: &str = "Delete me";
const SEARCHED: &str = "Reunião de orçamento";
const FOLDER: &str = "Projetos";

/// Alice's mailbox: a message from Bob to answer, one to move, one to delete, one to find.
async fn seed(alice: &str, bob: &str) {
    let mut imap = Imap::connect(alice).await;
    imap.create(FOLDER).await;
    let from_bob = format!(
        "From: Bob <{bob}>\r\nTo: {alice}\r\nSubject: {READ}\r\nDate: Mon, 2 Nov 2026 12:00:00 +0000\r\n\
Message-ID: <lunch{}@test.carteiro>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
Shall we have lunch on Friday?\r\n",
        crate::helpers::rand_u32()
    );
    for raw in [
        message(
            "Carla <carla@example.test>",
            SEARCHED,
            "Mon, 2 Nov 2026 09:00:00 +0000",
            "A pauta do orçamento.",
        ),
        message(
            "Dan <dan@example.test>",
            MOVE,
            "Mon, 2 Nov 2026 10:00:00 +0000",
            "move",
        ),
        message(
            "Eve <eve@example.test>",
            DELETE,
            "Mon, 2 Nov 2026 11:00:00 +0000",
            "delete",
        ),
        from_bob.into_bytes(),
    ] {
        imap.append("INBOX", &raw, None).await;
    }
}

async fn run_flows(app: &TestApp, javascript: bool) -> Outcome {
    let bob = fresh_user("bob");
    seed(&app.user, &bob).await;
    let screenshots =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots");
    let plan = json!({
        "base": app.base_url,
        "password": TEST_PASSWORD,
        "alice": app.user,
        "bob": bob,
        "javascript": javascript,
        "screenshots": screenshots,
        "folder": FOLDER,
        "subjects": { "read": READ, "move": MOVE, "del": DELETE },
        "searchTerm": "orçamento",
        "replyMark": format!("mark-{}", crate::helpers::rand_u32()),
    });
    run_harness("e2e.mjs", &plan).await
}

fn assert_flows(outcome: &Outcome, mode: &str) {
    assert!(
        outcome.failures.is_empty(),
        "{mode}: {:#?}",
        outcome.failures
    );
    assert_eq!(
        outcome.steps,
        [
            "sign in",
            "read",
            "reply",
            "the recipient sees the reply",
            "move",
            "delete",
            "search",
            "switch language",
            "phone"
        ],
        "{mode}: every step ran"
    );
    let observed = &outcome.observed;
    assert_eq!(observed["afterSend"], "Message sent.", "{mode}");
    assert!(
        observed["afterMove"].as_str().unwrap().contains(FOLDER),
        "{mode}: {observed}"
    );
    assert!(
        observed["afterDelete"].as_str().unwrap().contains("Trash"),
        "{mode}: {observed}"
    );
    assert_eq!(observed["searchResults"], json!([SEARCHED]), "{mode}");
    assert_eq!(observed["inboxInPortuguese"], "Caixa de entrada", "{mode}");
    for path in &outcome.screenshots {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "{mode}: screenshot {path} was written");
    }
    assert!(
        outcome.screenshots.len() >= 8,
        "{mode}: {:?}",
        outcome.screenshots
    );
}

#[tokio::test]
async fn a_person_reads_replies_and_organises_mail_without_javascript() {
    let app = spawn_app().await;
    let outcome = run_flows(&app, false).await;
    assert_flows(&outcome, "without JavaScript");
}

#[tokio::test]
async fn a_person_reads_replies_and_organises_mail_with_javascript() {
    let app = spawn_app().await;
    let outcome = run_flows(&app, true).await;
    assert_flows(&outcome, "with JavaScript");
}
