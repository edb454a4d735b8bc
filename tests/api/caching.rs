//! Conditional downloads: a message's parts and source never change under one (UIDVALIDITY,
//! UID), so they carry a strong ETag and a revalidation is answered 304 without fetching the
//! body from IMAP. (The HTML pages carry none: each holds a freshly masked CSRF token.)

use reqwest::StatusCode;

use crate::chaos::ChaosProxy;
use crate::dos::with_attachment;
use crate::helpers::{spawn_app_with, test_config, TestApp};

/// A signed-in app talking plain IMAP through a proxy that records its commands, with two
/// identical messages (UIDs 1 and 2) in INBOX and a copy in `Arquivo`.
async fn app_with_two_alike() -> (ChaosProxy, TestApp) {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let app = spawn_app_with(test_config(&format!(
        "imap://127.0.0.1:{}?tls=none",
        proxy.port
    )))
    .await;
    let raw = with_attachment("Igual", "application/pdf", "igual.pdf", b"%PDF-1.4 same");
    let mut imap = app.imap().await;
    imap.append("INBOX", &raw, None).await;
    imap.append("INBOX", &raw, None).await;
    imap.create("Arquivo").await;
    imap.append("Arquivo", &raw, None).await;
    app.login().await;
    (proxy, app)
}

async fn etag_of(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.headers()["etag"].to_str().unwrap().to_string()
}

async fn revalidate(app: &TestApp, path: &str, etag: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_part_and_the_source_answer_304_to_their_etag_without_fetching_the_body() {
    let (proxy, app) = app_with_two_alike().await;
    for path in ["/mail/INBOX/1/part/2", "/mail/INBOX/1/raw"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK);
        let etag = response.headers()["etag"].to_str().unwrap().to_string();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "a strong ETag: {etag}"
        );
        let cache = response.headers()["cache-control"].to_str().unwrap();
        assert!(cache.contains("private"), "{cache}");
        assert!(!response.bytes().await.unwrap().is_empty());

        proxy.clear();
        let response = revalidate(&app, path, &etag).await;
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(response.headers()["etag"], etag.as_str());
        assert!(response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("private"));
        assert!(response.bytes().await.unwrap().is_empty());
        let fetches: Vec<String> = proxy
            .commands()
            .into_iter()
            .filter(|c| c.contains("FETCH"))
            .collect();
        assert!(fetches.is_empty(), "{path}: nothing fetched: {fetches:?}");

        // Several tags, weak form, or a stale one.
        let listed = revalidate(&app, path, &format!("\"stale\", W/{etag}")).await;
        assert_eq!(listed.status(), StatusCode::NOT_MODIFIED);
        let stale = revalidate(&app, path, "\"stale\"").await;
        assert_eq!(stale.status(), StatusCode::OK);
        assert!(!stale.bytes().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn identical_bytes_elsewhere_still_have_their_own_etag() {
    let (_proxy, app) = app_with_two_alike().await;
    let mut tags = Vec::new();
    for path in [
        "/mail/INBOX/1/part/2",
        "/mail/INBOX/1/part/2?inline=1",
        "/mail/INBOX/1/part/1",
        "/mail/INBOX/2/part/2",
        "/mail/Arquivo/1/part/2",
        "/mail/INBOX/1/raw",
        "/mail/INBOX/1/raw?download=1",
        "/mail/INBOX/2/raw",
    ] {
        tags.push((path, etag_of(&app, path).await));
    }
    for (i, (a, tag_a)) in tags.iter().enumerate() {
        for (b, tag_b) in &tags[i + 1..] {
            assert_ne!(tag_a, tag_b, "{a} and {b}");
        }
    }
    // And a message's own tag is stable.
    assert_eq!(etag_of(&app, "/mail/INBOX/1/part/2").await, tags[0].1);
    // Another message's tag does not revalidate this one.
    let response = revalidate(&app, "/mail/INBOX/1/part/2", &tags[3].1).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_revalidation_of_a_missing_folder_is_not_found() {
    let (_proxy, app) = app_with_two_alike().await;
    let etag = etag_of(&app, "/mail/INBOX/1/raw").await;
    let response = revalidate(&app, "/mail/Nenhuma/1/raw", &etag).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
