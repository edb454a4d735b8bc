//! HTTP-level behaviour: compression where it pays, and the CSRF token masked afresh on every
//! page so that compression cannot leak it (BREACH).

use reqwest::StatusCode;

use crate::helpers::{first_attr, spawn_app};

#[tokio::test]
async fn pages_are_compressed_and_downloads_are_not() {
    let app = spawn_app().await;
    app.login().await;
    let raw = "From: a@example.test\r\nSubject: Anexo\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
corpo\r\n--b\r\nContent-Type: text/plain; name=notas.txt\r\n\
Content-Disposition: attachment; filename=notas.txt\r\n\r\n\
texto texto texto texto texto texto texto texto texto texto texto texto\r\n--b--\r\n";
    app.imap().await.append("INBOX", raw.as_bytes(), None).await;
    let get = |path: String| {
        app.client
            .get(app.url(&path))
            .header("accept-encoding", "br, gzip")
            .send()
    };
    let page = get("/mail/INBOX".into()).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers().get("content-encoding").is_some(),
        "{:?}",
        page.headers()
    );
    let css = get("/static/style.css".into()).await.unwrap();
    assert!(css.headers().get("content-encoding").is_some());
    let (_, html) = app.page("/mail/INBOX").await;
    let message = first_attr(&html, "td.subject a", "href").unwrap();
    let (_, html) = app.page(&message).await;
    let part = first_attr(&html, ".attachments a", "href").unwrap();
    let download = get(part).await.unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert!(download.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn the_csrf_token_differs_on_every_page_and_each_one_works() {
    let app = spawn_app().await;
    app.login().await;
    let first = app.csrf_token().await;
    let second = app.csrf_token().await;
    assert_ne!(first, second, "masked afresh");
    for (token, name) in [(&first, "Primeira"), (&second, "Segunda")] {
        let response = app
            .post_form(
                "/folders",
                &[
                    ("csrf", token.as_str()),
                    ("action", "create"),
                    ("new_name", name),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn static_files_are_fingerprinted_cached_for_good_and_revalidated_otherwise() {
    let app = spawn_app().await;
    let (_, html) = app.page("/login").await;
    let css = first_attr(&html, "link[rel=stylesheet]", "href").unwrap();
    assert!(css.starts_with("/static/style.css?v="), "{css}");
    let response = app.get(&css).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let etag = response.headers()["etag"].to_str().unwrap().to_string();
    // An old or missing fingerprint is not cached for good, and revalidates to a 304.
    let response = app.get("/static/style.css?v=0000").await;
    assert_eq!(response.headers()["cache-control"], "public, no-cache");
    let response = app
        .client
        .get(app.url("/static/style.css"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert!(response.bytes().await.unwrap().is_empty());
}
