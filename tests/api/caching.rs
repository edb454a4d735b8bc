//! Conditional downloads: a message's parts and source never change under one (UIDVALIDITY,
//! UID), so they carry a strong ETag and a revalidation is answered 304 without fetching the
//! body from IMAP. (The HTML pages carry none: each holds a freshly masked CSRF token.) And
//! the sanitized HTML body a message page renders is kept for the frame that shows it, for
//! that account only.

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

/// An HTML message for `owner`, with a remote image that stays blocked until allowed.
fn html_message(owner: &str) -> Vec<u8> {
    format!(
        "From: loja@example.test\r\nTo: x@example.test\r\nSubject: Ofertas\r\n\
Date: Tue, 11 Mar 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n<p>Corpo de {owner}</p>\
<img src=\"https://tracker.example.com/p.gif\">\r\n"
    )
    .into_bytes()
}

/// The FETCH commands sent since the proxy was last cleared.
fn fetches(proxy: &ChaosProxy) -> Vec<String> {
    proxy
        .commands()
        .into_iter()
        .filter(|c| c.contains("FETCH"))
        .collect()
}

#[tokio::test]
async fn an_html_body_framed_right_after_its_page_is_neither_fetched_nor_parsed_again() {
    let (proxy, app) = crate::chaos::signed_in_behind_recorder().await;
    app.imap()
        .await
        .append("INBOX", &html_message(&app.user), None)
        .await;
    let (status, page) = app.page("/mail/INBOX/1").await;
    assert_eq!(status, StatusCode::OK);
    let frame_url = crate::helpers::first_attr(&page, "iframe.html-body", "src").unwrap();

    proxy.clear();
    let frame = app.get(&frame_url).await;
    assert_eq!(frame.status(), StatusCode::OK);
    let frame = frame.text().await.unwrap();
    assert!(frame.contains(&format!("Corpo de {}", app.user)), "{frame}");
    assert!(!frame.contains("tracker.example.com"), "{frame}");
    // Nothing fetched means nothing to parse: the body is the one the page sanitized.
    assert!(fetches(&proxy).is_empty(), "{:?}", proxy.commands());

    // Allowing images is another rendering: the message is fetched once for it, then kept.
    let allowed = format!("{frame_url}?images=1");
    proxy.clear();
    let frame = app.get(&allowed).await.text().await.unwrap();
    assert!(frame.contains("tracker.example.com"), "{frame}");
    assert_eq!(fetches(&proxy).len(), 1, "{:?}", proxy.commands());
    proxy.clear();
    let again = app.get(&allowed).await.text().await.unwrap();
    assert_eq!(again, frame);
    assert!(fetches(&proxy).is_empty(), "{:?}", proxy.commands());
}

#[tokio::test]
async fn a_kept_body_is_never_served_to_another_account() {
    // Two accounts on one Carteiro, each with its own message at INBOX/1 (mailboxes made in
    // the same second even share UIDVALIDITY on Dovecot).
    let (_proxy, app) = crate::chaos::signed_in_behind_recorder().await;
    let other = crate::helpers::fresh_user("other");
    let other_browser = crate::helpers::browser();
    let login = other_browser
        .post(app.url("/login"))
        .form(&[
            ("username", other.as_str()),
            ("password", crate::helpers::TEST_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    app.imap()
        .await
        .append("INBOX", &html_message(&app.user), None)
        .await;
    crate::helpers::Imap::connect(&other)
        .await
        .append("INBOX", &html_message(&other), None)
        .await;

    let (status, _) = app.page("/mail/INBOX/1").await;
    assert_eq!(status, StatusCode::OK);
    let frame = other_browser
        .get(app.url("/mail/INBOX/1/body"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(frame.contains(&format!("Corpo de {other}")), "{frame}");
    assert!(!frame.contains(&app.user), "{frame}");
}
