//! The progressive-enhancement script (static/app.js) in a real Chromium
//! (`tests/browser/enhance.mjs`): pages load in place, shift-click ticks a range, a dragged
//! message lands in the folder it is dropped on, the keyboard shortcuts work, new mail shows
//! up by itself, and an upload reports its progress. The results are checked on the page and
//! on the IMAP server.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::helpers::{
    browser_speaking, first_attr, message, spawn_app, spawn_app_with, test_config, texts, TestApp,
    TEST_PASSWORD,
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    signed_in: bool,
    errors: Vec<String>,
    steps: serde_json::Map<String, Value>,
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_script_loads_pages_in_place_and_adds_ranges_drag_shortcuts_live_mail_and_upload_progress(
) {
    let mut config = test_config("imap://localhost:143");
    config.live_updates_every = Duration::from_secs(1);
    config.max_message_size = 4 * 1024 * 1024;
    let app = spawn_app_with(config).await;
    app.login().await;
    let mut imap = app.imap().await;
    imap.create("Projetos").await;
    // Newest first in the list: "Mensagem 8" on top.
    for i in 1..=8 {
        imap.append(
            "INBOX",
            &message(
                "ana@example.test",
                &format!("Mensagem {i}"),
                "Tue, 4 Mar 2025 08:00:00 +0000",
                "b",
            ),
            None,
        )
        .await;
    }
    let plan = serde_json::json!({
        "base": app.base_url,
        "username": app.user,
        "password": TEST_PASSWORD,
        "imapPort": 143,
        "folder": "Projetos",
        "liveSubject": "Chegou agora",
        "tooLargeBytes": 5 * 1024 * 1024,
        "searchFor": "Mensagem 3",
    });
    let report: Report = crate::browser::run_harness("enhance.mjs", &plan).await;
    assert!(report.signed_in);
    let step = |name: &str| -> &Value {
        let s = &report.steps[name];
        assert_eq!(s["ok"], true, "{name}: {s}");
        s
    };

    // Opening a message from the list replaced the page's panes, not the page.
    let open = step("open");
    assert_eq!(open["shown"], open["subject"], "{open}");
    assert!(open["path"].as_str().unwrap().starts_with("/mail/INBOX/"));
    assert!(open["title"]
        .as_str()
        .unwrap()
        .starts_with(open["subject"].as_str().unwrap()));
    assert_eq!(open["focused"], "H1", "focus moves to the new heading");
    assert_eq!(open["markerAfterOpen"], true, "no full navigation");
    assert_eq!(open["backPath"], "/mail/INBOX", "Back returns to the list");
    assert_eq!(open["markerAfterBack"], true);

    // Ticking the 2nd box, then shift-clicking the 5th ticks the 2nd to the 5th.
    let range = step("range");
    let checked: Vec<bool> = range["checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_bool().unwrap())
        .collect();
    assert_eq!(
        checked,
        [false, true, true, true, true, false, false, false],
        "{range}"
    );

    // The dragged message is now in Projetos, on the server.
    let drag = step("drag");
    let dragged = drag["dragged"].as_str().unwrap().to_string();
    assert!(!strings(&drag["after"]).contains(&dragged), "{drag}");
    assert_eq!(drag["marker"], true);
    let moved = imap.uids("Projetos").await;
    assert_eq!(moved.len(), 1);
    let raw = String::from_utf8_lossy(&imap.raw("Projetos", moved[0]).await).to_string();
    assert!(raw.contains(&format!("Subject: {dragged}")), "{raw}");

    // j, j, o opened the second message; u went back; ? showed the help; # deleted the first.
    let keys = step("keys");
    assert_eq!(keys["opened"], keys["expected"], "{keys}");
    assert_eq!(keys["helpShown"], true);
    assert_eq!(keys["helpClosed"], true);
    let deleted = keys["deleted"].as_str().unwrap().to_string();
    assert!(!strings(&keys["after"]).contains(&deleted), "{keys}");
    assert_eq!(keys["marker"], true);
    let trash = imap.uids("Trash").await;
    assert_eq!(trash.len(), 1, "the deleted message is in Trash");
    let raw = String::from_utf8_lossy(&imap.raw("Trash", trash[0]).await).to_string();
    assert!(raw.contains(&format!("Subject: {deleted}")));

    // Mail APPENDed by another client appeared in the open list, without a reload.
    let live = step("live");
    assert_eq!(strings(&live["rows"])[0], "Chegou agora", "{live}");
    assert_eq!(live["marker"], true);

    // The upload showed its progress to the end, and the saved draft lists the file.
    let upload = step("upload");
    assert!(
        strings(&upload["kept"])
            .iter()
            .any(|k| k.contains("report.bin")),
        "{upload}"
    );
    let progress = &upload["progress"];
    assert_eq!(progress["shown"], true, "{upload}");
    assert!(progress["max"].as_f64().unwrap() > 3_000_000.0, "{upload}");
    assert_eq!(progress["value"], progress["max"], "{upload}");
    assert!(upload["path"].as_str().unwrap().contains("saved=1"));
    assert_eq!(upload["marker"], true);

    // The reader asked for notifications: the choice shows and is remembered.
    let notify = step("notify");
    assert_eq!(notify["remembered"], "on", "{notify}");
    assert!(
        notify["state"].as_str().unwrap().contains("notified"),
        "{notify}"
    );

    // The open help overlay passes axe, and the focus is in it.
    let help = step("helpAxe");
    assert_eq!(help["violations"], serde_json::json!([]), "{help}");
    assert_eq!(help["focusInside"], true, "{help}");

    // Files over the limit are refused on the page, before any upload.
    let too_large = step("tooLarge");
    assert!(
        too_large["message"]
            .as_str()
            .unwrap()
            .contains("larger than the limit"),
        "{too_large}"
    );
    assert_eq!(too_large["posted"], false, "{too_large}");
    assert_eq!(too_large["stillComposing"], true, "{too_large}");

    // "/" focuses the search field; the search form loads its results in place.
    let search = step("search");
    assert_eq!(search["focused"], "q", "{search}");
    assert_eq!(strings(&search["rows"]), ["Mensagem 3"], "{search}");
    assert_eq!(search["marker"], true);

    // Signing out (a POST) shows the sign-in page it answers with, once.
    let sign_out = step("signOut");
    assert_eq!(sign_out["path"], "/login", "{sign_out}");
    assert_eq!(sign_out["marker"], true, "{sign_out}");
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(
        status,
        reqwest::StatusCode::OK,
        "the test's own session is another one"
    );

    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[tokio::test]
async fn every_page_loads_the_script_and_carries_the_hooks_and_the_translated_shortcut_help() {
    let app = spawn_app().await;
    let portuguese = TestApp {
        client: browser_speaking("pt-BR"),
        ..app
    };
    portuguese.login().await;
    let (_, html) = portuguese.page("/mail/INBOX").await;
    let script = first_attr(&html, "head script[src]", "src").unwrap();
    assert!(script.starts_with("/static/app.js?v="), "{script}");
    assert_eq!(
        first_attr(&html, "head script[src]", "defer").as_deref(),
        Some("")
    );
    let response = portuguese.get(&script).await;
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(
        first_attr(&html, "nav.folders a[aria-current]", "data-folder").as_deref(),
        Some("INBOX")
    );
    // The help overlay is on the page, closed, in the reader's language.
    assert_eq!(
        texts(&html, "dialog#shortcuts:not([open]) h2"),
        ["Atalhos de teclado"]
    );
    let notify = first_attr(&html, "dialog#shortcuts", "data-notify-body").unwrap();
    assert!(
        notify.contains("{count}") && notify.contains("Caixa de entrada"),
        "{notify}"
    );
    // Without JavaScript, the same list is a page of its own, linked from Settings.
    let (_, settings) = portuguese.page("/settings").await;
    assert_eq!(
        first_attr(&settings, "main a[href='/shortcuts']", "href").as_deref(),
        Some("/shortcuts")
    );
    let (status, page) = portuguese.page("/shortcuts").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(texts(&page, "main h1"), ["Atalhos de teclado"]);
    assert!(texts(&page, "main dl.shortcut-list dd")
        .iter()
        .any(|t| t == "Ir para a Caixa de entrada"));
}
