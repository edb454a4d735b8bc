//! The progressive-enhancement script (static/app.js) in a real Chromium
//! (`tests/browser/enhance.mjs`): pages load in place, shift-click ticks a range, a dragged
//! message lands in the folder it is dropped on, the keyboard shortcuts work, new mail shows
//! up by itself, and an upload reports its progress. The results are checked on the page and
//! on the IMAP server.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::helpers::{message, spawn_app_with, test_config, TEST_PASSWORD};

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

    assert!(report.errors.is_empty(), "{:?}", report.errors);
}
