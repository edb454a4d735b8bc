//! The conversation view's memory bounds: without THREAD only the newest messages are
//! threaded (the older ones follow, one row each), and a folder's conversations live in the
//! shared, weighed cache rather than in each connection.

use reqwest::StatusCode;

use crate::chaos::ChaosProxy;
use crate::helpers::{spawn_app_with, test_config, texts, TestApp};
use crate::seed;

/// Messages in the folder: 2,012, of which the newest 2,000 are threaded.
const SEEDED: u32 = 2_010;

/// A reply to seeded message `to`, with `subject`.
fn reply(n: u32, to: u32, subject: &str) -> Vec<u8> {
    format!(
        "From: a@example.test\r\nSubject: {subject}\r\nDate: Mon, 3 Mar 2025 10:00:00 +0000\r\n\
Message-ID: <reply-{n}@example.test>\r\nReferences: <seed-{to}@example.test>\r\n\r\ncorpo\r\n"
    )
    .into_bytes()
}

async fn threads_page(app: &TestApp, page: usize) -> scraper::Html {
    let (status, html) = app
        .page(&format!("/mail/INBOX?view=threads&page={page}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    html
}

#[tokio::test]
async fn without_thread_the_newest_two_thousand_messages_are_threaded_and_older_ones_follow_one_per_row(
) {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let mut config = test_config(&format!("imap://127.0.0.1:{}?tls=none", proxy.port));
    config.imap_disabled_caps = vec!["THREAD=REFERENCES".to_string()];
    let app = spawn_app_with(config).await;
    seed::multiappend(&app.user, "INBOX", 1, SEEDED, false).await;
    let mut imap = app.imap().await;
    // Sequence numbers 2,011 and 2,012: one replies to a message outside the newest 2,000
    // (sequence 3), one to a message inside them (sequence 2,005).
    imap.append("INBOX", &reply(1, 3, "Re: antiga"), None).await;
    imap.append("INBOX", &reply(2, 2005, "Re: recente"), None)
        .await;
    app.login().await;
    proxy.clear();

    let html = threads_page(&app, 1).await;
    let header_fetches: Vec<String> = proxy
        .commands()
        .into_iter()
        .filter(|c| c.contains("MESSAGE-ID IN-REPLY-TO REFERENCES"))
        .collect();
    assert_eq!(header_fetches.len(), 1, "{header_fetches:?}");
    assert!(
        header_fetches[0].starts_with("FETCH 13:2012 ") && header_fetches[0].contains("<0.2048>"),
        "only the newest 2,000, and a bounded part of each: {header_fetches:?}"
    );
    let subjects = texts(&html, "td.subject a");
    assert_eq!(
        subjects[..3],
        ["Re: recente", "Re: antiga", "Mensagem 002010"]
    );
    // The reply inside the window joined its conversation; the one outside could not.
    assert_eq!(texts(&html, ".thread-count"), ["2"]);
    // 1,999 conversations among the newest 2,000 messages, then 12 older messages.
    assert_eq!(texts(&html, ".range"), ["1–50 of 2,011 conversations"]);

    // Where the conversations end, the older messages begin, newest first.
    let html = threads_page(&app, 40).await;
    let subjects = texts(&html, "td.subject a");
    assert_eq!(subjects.len(), 50);
    assert_eq!(subjects[0], "Mensagem 000061");
    assert_eq!(subjects[48..], ["Mensagem 000013", "Mensagem 000012"]);
    let html = threads_page(&app, 41).await;
    let subjects = texts(&html, "td.subject a");
    let expected: Vec<String> = (1..=11).rev().map(seed::subject).collect();
    assert_eq!(subjects, expected);
    assert_eq!(texts(&html, "tr.unread").len(), 11, "unread, one row each");
    assert_eq!(
        texts(&html, ".range"),
        ["2,001–2,011 of 2,011 conversations"]
    );

    // The conversations are remembered in the shared, weighed cache: no second header
    // FETCH, and nothing left held of the answer budget.
    proxy.clear();
    threads_page(&app, 2).await;
    assert!(
        !proxy
            .commands()
            .iter()
            .any(|c| c.contains("MESSAGE-ID IN-REPLY-TO REFERENCES")),
        "{:?}",
        proxy.commands()
    );
    let sizes = app.state.connector.cache().sizes();
    assert_eq!(sizes.thread_entries, 1, "{sizes:?}");
    assert!(
        (8_000..=sizes.thread_limit).contains(&sizes.thread_bytes),
        "{sizes:?}"
    );
    assert_eq!(sizes.answer_bytes, 0, "{sizes:?}");
}

#[tokio::test]
async fn the_servers_threads_are_shared_by_sessions_and_weighed_in_the_cache() {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let config = test_config(&format!("imap://127.0.0.1:{}?tls=none", proxy.port));
    let app = spawn_app_with(config).await;
    seed::multiappend(&app.user, "INBOX", 1, 30, false).await;
    app.login().await;
    proxy.clear();
    let html = threads_page(&app, 1).await;
    assert_eq!(texts(&html, ".range"), ["1–30 of 30 conversations"]);
    let threads = |proxy: &ChaosProxy| {
        proxy
            .commands()
            .iter()
            .filter(|c| c.starts_with("UID THREAD"))
            .count()
    };
    assert_eq!(threads(&proxy), 1);
    // A second session of the same account uses the same conversations.
    let second = TestApp {
        base_url: app.base_url.clone(),
        client: crate::helpers::browser(),
        user: app.user.clone(),
        state: app.state.clone(),
        metrics_url: None,
    };
    second.login().await;
    proxy.clear();
    let html = threads_page(&second, 1).await;
    assert_eq!(texts(&html, "td.subject a")[0], seed::subject(30));
    assert_eq!(threads(&proxy), 0, "{:?}", proxy.commands());
    let sizes = app.state.connector.cache().sizes();
    assert_eq!(sizes.thread_entries, 1, "{sizes:?}");
    assert!(sizes.thread_bytes > 0, "{sizes:?}");
    assert_eq!(sizes.answer_bytes, 0, "{sizes:?}");
}
