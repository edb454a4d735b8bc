//! A folder of 100,000 messages through Carteiro's HTTP: first and last pages, a search with
//! results spread over the folder, "select all in folder" as one command, and the shared sort
//! cache doing its job within its memory bound.
//!
//! One test with phases rather than several cases: they would share one seeded mailbox (100,000
//! messages take seconds to seed and ~400 MB of disk), and "mark all read" in one case would
//! race with the unread counts another case reads. The mailbox is emptied at the end.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use futures::FutureExt;

use reqwest::StatusCode;

use crate::helpers::{config_with_metrics, first_attr, spawn_app_with, texts, Imap, TestApp};
use crate::seed::{self, NEEDLE};

const MESSAGES: u32 = 100_000;

/// The value of one sample line of the metrics exposition, 0 when absent.
fn sample(metrics: &str, line_start: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(line_start)?.trim().parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}

async fn sorts(app: &TestApp) -> u64 {
    sample(
        &app.metrics().await,
        "carteiro_imap_command_duration_seconds_count{command=\"UID SORT\"}",
    )
}

async fn stores(app: &TestApp) -> u64 {
    sample(
        &app.metrics().await,
        "carteiro_imap_command_duration_seconds_count{command=\"UID STORE\"}",
    )
}

/// UNSEEN of the INBOX, straight from Dovecot.
async fn unseen(user: &str) -> u32 {
    let mut imap = Imap::connect(user).await;
    imap.unseen("INBOX").await
}

#[tokio::test]
async fn a_folder_of_100k_messages_pages_searches_and_marks_all_in_one_command() {
    let app = spawn_app_with(config_with_metrics()).await;
    let started = Instant::now();
    seed::multiappend(&app.user, "INBOX", 1, MESSAGES, false).await;
    eprintln!("seeded {MESSAGES} messages in {:?}", started.elapsed());
    let outcome = AssertUnwindSafe(phases(&app)).catch_unwind().await;
    // Give the disk back, pass or fail: 100,000 messages are ~400 MB of sdbox files.
    let mut imap = Imap::connect(&app.user).await;
    imap.delete_all("INBOX").await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn phases(app: &TestApp) {
    app.login().await;

    // First page: the newest 50, counted in the language's way.
    let (status, html) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    let subjects = texts(&html, "td.subject a");
    assert_eq!(subjects.len(), 50);
    assert_eq!(subjects[0], seed::subject(MESSAGES));
    assert_eq!(subjects[49], seed::subject(MESSAGES - 49));
    assert_eq!(texts(&html, ".range"), ["1–50 of 100,000"]);
    assert_eq!(texts(&html, "tr.unread").len(), 50);
    assert_eq!(sorts(app).await, 1);

    // Further pages reuse the sorted order: no second SORT, also for a second session.
    let (_, html) = app.page("/mail/INBOX").await;
    assert_eq!(texts(&html, "td.subject a")[0], seed::subject(MESSAGES));
    let (_, middle) = app.page("/mail/INBOX?page=1001").await;
    assert_eq!(
        texts(&middle, "td.subject a")[0],
        seed::subject(MESSAGES - 50_000)
    );
    let (_, last) = app.page("/mail/INBOX?page=2000").await;
    let subjects = texts(&last, "td.subject a");
    assert_eq!(subjects.len(), 50);
    assert_eq!(subjects[49], seed::subject(1));
    assert_eq!(
        first_attr(&last, "a[rel=next]", "href"),
        None,
        "the last page has no older page"
    );
    assert_eq!(texts(&last, ".range"), ["99,951–100,000 of 100,000"]);
    let other = TestApp {
        client: crate::helpers::browser(),
        base_url: app.base_url.clone(),
        user: app.user.clone(),
        state: app.state.clone(),
        metrics_url: app.metrics_url.clone(),
    };
    other.login().await;
    let (_, html) = other.page("/mail/INBOX?page=2").await;
    assert_eq!(
        texts(&html, "td.subject a")[0],
        seed::subject(MESSAGES - 50)
    );
    assert_eq!(sorts(app).await, 1, "the order is shared and still valid");
    let metrics = app.metrics().await;
    assert!(
        sample(
            &metrics,
            "carteiro_list_cache_lookups_total{cache=\"order\",outcome=\"hit\"}"
        ) >= 4,
        "{metrics}"
    );

    // A page shown before comes from the row cache with fresh flags.
    let hits = |m: &str| {
        sample(
            m,
            "carteiro_list_cache_lookups_total{cache=\"rows\",outcome=\"hit\"}",
        )
    };
    let before = hits(&app.metrics().await);
    app.page("/mail/INBOX?page=2000").await;
    assert_eq!(hits(&app.metrics().await) - before, 50);

    // A search whose 100 results are spread over the whole folder, newest first.
    let (status, found) = app.page(&format!("/mail/INBOX?q={NEEDLE}")).await;
    assert_eq!(status, StatusCode::OK);
    let subjects = texts(&found, "td.subject a");
    assert_eq!(subjects.len(), 50);
    assert_eq!(subjects[0], seed::subject(99_500));
    assert_eq!(subjects[49], seed::subject(50_500));
    assert_eq!(texts(&found, ".range"), ["1–50 of 100"]);
    let (_, found) = app.page(&format!("/mail/INBOX?q={NEEDLE}&page=2")).await;
    assert_eq!(
        texts(&found, "td.subject a").last().map(String::as_str),
        Some(seed::subject(500).as_str())
    );

    // Snippets are shown, decoded from each body's encoding.
    let (_, html) = app.page("/mail/INBOX").await;
    let snippets = texts(&html, "td.subject .snippet");
    assert_eq!(snippets.len(), 50, "{snippets:?}");
    assert!(snippets.contains(&format!("Olá, esta é a mensagem {MESSAGES}.")));
    assert!(snippets.contains(&format!("Corpo da mensagem {}, em base64.", MESSAGES - 3)));

    // "Select all in folder": one UID STORE over the whole folder, each way.
    let csrf = app.csrf_token().await;
    assert_eq!(unseen(&app.user).await, MESSAGES);
    let stores_before = stores(app).await;
    let response = app
        .post_form(
            "/mail/INBOX/actions",
            &[
                ("csrf", csrf.as_str()),
                ("all", "1"),
                ("action", "read"),
                ("back", "/mail/INBOX"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(stores(app).await - stores_before, 1);
    assert_eq!(unseen(&app.user).await, 0);
    let (_, html) = app.page("/mail/INBOX?page=2000").await;
    assert!(texts(&html, "tr.unread").is_empty(), "flags are fresh");
    let response = app
        .post_form(
            "/mail/INBOX/actions",
            &[
                ("csrf", csrf.as_str()),
                ("all", "1"),
                ("action", "unread"),
                ("back", "/mail/INBOX"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(stores(app).await - stores_before, 2);
    assert_eq!(unseen(&app.user).await, MESSAGES);
    assert_eq!(
        sorts(app).await,
        3,
        "only the two search pages sorted again"
    );

    // Bounded memory: the caches stay within their weights; the order is ~4 bytes a UID.
    let sizes = app.state.connector.cache().sizes();
    assert!(sizes.order_bytes <= sizes.order_limit, "{sizes:?}");
    assert!(sizes.row_bytes <= sizes.row_limit, "{sizes:?}");
    assert!(sizes.structure_bytes <= sizes.structure_limit, "{sizes:?}");
    assert_eq!(sizes.order_entries, 1, "{sizes:?}");
    assert!((400_000..500_000).contains(&sizes.order_bytes), "{sizes:?}");
    assert!(sizes.row_entries >= 150, "{sizes:?}");
}
