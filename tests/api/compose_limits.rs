//! The compose form against the message size limit: what would pass it is refused before it
//! is read (a file) or fetched (a kept part), references to kept parts are taken once each
//! and only so many, and a draft is never larger than a draft may be. Every refusal brings
//! the form back as typed, with what did not fit named.

use reqwest::StatusCode;

use crate::chaos::{signed_in_behind_recorder_with, ChaosProxy};
use crate::compose::{form, post_compose};
use crate::dos::{noise, with_attachment};
use crate::helpers::{attrs, first_attr, texts, TestApp};

/// A signed-in app with this message size limit, its IMAP through a recording proxy.
async fn behind_recorder_with_limit(limit: usize) -> (ChaosProxy, TestApp) {
    signed_in_behind_recorder_with(|config| config.max_message_size = limit).await
}

/// The FETCH commands sent for section `section`'s bytes.
fn part_fetches(proxy: &ChaosProxy, section: &str) -> usize {
    let wanted = format!("BODY.PEEK[{section}]");
    proxy
        .commands()
        .iter()
        .filter(|c| c.contains("FETCH") && c.contains(&wanted))
        .count()
}

/// The form as the page shows it after a refusal: the alert, the body, the kept parts.
fn refused_form(html: &str) -> (String, String, Vec<String>) {
    let html = scraper::Html::parse_document(html);
    (
        texts(&html, "[role=alert]").join(""),
        texts(&html, "#body").join(""),
        texts(&html, ".kept li label"),
    )
}

#[tokio::test]
async fn a_repeated_keep_reference_is_fetched_once_and_too_many_are_refused_with_the_form_back() {
    let (proxy, app) = behind_recorder_with_limit(10 * 1024 * 1024).await;
    let raw = with_attachment(
        "Planta",
        "application/pdf",
        "planta.pdf",
        b"%PDF-1.4 planta",
    );
    app.imap().await.append("INBOX", &raw, None).await;
    let csrf = app.csrf_token().await;

    // The same part five hundred times: one attachment, fetched once.
    let mut fields = vec![
        ("to", "bob@example.test"),
        ("subject", "Repetido"),
        ("body", "Uma vez só."),
        ("action", "save"),
    ];
    fields.extend(std::iter::repeat_n(("keep", "INBOX/1/2"), 500));
    proxy.clear();
    let response = post_compose(&app, form(&csrf, &fields, &[])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(part_fetches(&proxy, "2"), 1, "{:?}", proxy.commands());
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = app.page(&location).await;
    assert_eq!(texts(&html, ".kept li label"), ["planta.pdf"]);

    // A hundred and one different parts: refused before any is fetched.
    let sections: Vec<String> = (1..=101).map(|n| format!("INBOX/1/2.{n}")).collect();
    let mut fields = vec![
        ("to", "bob@example.test"),
        ("subject", "Demais"),
        ("body", "Texto que volta."),
        ("action", "send"),
    ];
    fields.extend(sections.iter().map(|s| ("keep", s.as_str())));
    let drafts_before = app.imap().await.uids("Drafts").await;
    proxy.clear();
    let response = post_compose(&app, form(&csrf, &fields, &[])).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        !proxy.commands().iter().any(|c| c.contains("FETCH")),
        "nothing fetched: {:?}",
        proxy.commands()
    );
    let (alert, body, kept) = refused_form(&response.text().await.unwrap());
    assert!(alert.contains("at most 100 attachments"), "{alert}");
    assert_eq!(body, "Texto que volta.");
    assert_eq!(kept.len(), 100, "the form keeps the references it can");
    assert_eq!(app.imap().await.uids("Drafts").await, drafts_before);
}

#[tokio::test]
async fn a_kept_part_over_the_limit_is_never_fetched_and_the_form_comes_back() {
    let (proxy, app) = behind_recorder_with_limit(20_000).await;
    let raw = with_attachment("Planta", "application/pdf", "planta.pdf", &noise(30_000));
    app.imap().await.append("INBOX", &raw, None).await;
    let (_, html) = app.page("/compose?folder=INBOX&forward=1").await;
    let kept = attrs(&html, "input[name=keep]", "value");
    assert_eq!(kept, ["INBOX/1/2"]);
    let csrf = app.csrf_token().await;
    proxy.clear();
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", "bob@example.test"),
                ("subject", "Fwd: Planta"),
                ("body", "Segue a planta."),
                ("keep", &kept[0]),
                ("origin_kind", "forward"),
                ("origin_folder", "INBOX"),
                ("origin_uid", "1"),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(part_fetches(&proxy, "2"), 0, "{:?}", proxy.commands());
    let text = response.text().await.unwrap();
    let (alert, body, kept_shown) = refused_form(&text);
    assert!(
        alert.contains("planta.pdf") && alert.contains("20 KB"),
        "{alert}"
    );
    assert_eq!(body, "Segue a planta.");
    assert_eq!(
        kept_shown,
        ["planta.pdf"],
        "still offered, still on the server"
    );
    let html = scraper::Html::parse_document(&text);
    assert_eq!(
        first_attr(&html, "input[name=origin_uid]", "value").as_deref(),
        Some("1")
    );
    let mut imap = app.imap().await;
    assert!(imap.uids("Drafts").await.is_empty(), "nothing saved");
    assert!(imap.uids("Sent").await.is_empty(), "nothing sent");
    let flags = imap.flags("INBOX", 1).await;
    assert!(!flags.iter().any(|f| f.contains("Forwarded")), "{flags:?}");
}

#[tokio::test]
async fn a_file_over_the_limit_is_left_out_as_it_arrives_and_the_typed_form_comes_back() {
    let (_proxy, app) = behind_recorder_with_limit(20_000).await;
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", "bob@example.test"),
                ("subject", "Dois arquivos"),
                ("body", "O pequeno cabe, o grande não."),
                ("action", "save"),
            ],
            &[("pequeno.txt", b"cabe"), ("grande.bin", &noise(25_000))],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (alert, body, _) = refused_form(&response.text().await.unwrap());
    assert!(
        alert.contains("grande.bin") && !alert.contains("pequeno.txt"),
        "{alert}"
    );
    assert_eq!(body, "O pequeno cabe, o grande não.");
    assert!(app.imap().await.uids("Drafts").await.is_empty());
}

#[tokio::test]
async fn a_draft_that_outgrows_its_limit_once_built_is_refused_and_the_form_comes_back() {
    // Line ends are counted as sent (one byte each here) but written as CRLF: a body of
    // nothing else doubles when built, past twice the limit with the headers.
    let (_proxy, app) = behind_recorder_with_limit(20_000).await;
    let csrf = app.csrf_token().await;
    let body = "\n".repeat(19_990);
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", "bob@example.test"),
                ("subject", "Linhas"),
                ("body", &body),
                ("action", "save"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    let alert = texts(&html, "[role=alert]").join("");
    assert!(
        alert.contains("too large to save") && alert.contains("limit is 39 KB"),
        "{alert}"
    );
    assert_eq!(
        first_attr(&html, "#subject", "value").as_deref(),
        Some("Linhas")
    );
    assert!(app.imap().await.uids("Drafts").await.is_empty());
}
