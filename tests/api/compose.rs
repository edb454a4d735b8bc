//! Writing and sending, through the real Postfix (submission on 587 with STARTTLS + AUTH)
//! and delivery into the real Dovecot.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;

use crate::helpers::{attrs, first_attr, spawn_app, spawn_app_with, test_config, texts, TestApp};

/// The compose form as the browser would send it.
pub fn form(app_csrf: &str, fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Form {
    let mut form = Form::new().text("csrf", app_csrf.to_string());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in files {
        form = form.part(
            "files",
            Part::bytes(bytes.to_vec())
                .file_name(name.to_string())
                .mime_str("application/octet-stream")
                .unwrap(),
        );
    }
    form
}

pub async fn post_compose(app: &TestApp, form: Form) -> reqwest::Response {
    app.client
        .post(app.url("/compose"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn noise(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7919 % 251) as u8).collect()
}

#[tokio::test]
async fn alice_sends_bob_an_attachment_and_a_bcc_copy_is_kept_only_in_sent() {
    let alice = spawn_app().await;
    alice.login().await;
    let bob = spawn_app().await;
    bob.login().await;
    let carol = crate::helpers::fresh_user("carol");
    let csrf = alice.csrf_token().await;
    let pdf = noise(150_000);
    let response = post_compose(
        &alice,
        form(
            &csrf,
            &[
                ("to", &format!("Bob <{}>", bob.user)),
                ("bcc", &carol),
                ("subject", "Relatório de março ✓"),
                ("body", "Olá Bob,\nsegue o relatório.\n"),
                ("action", "send"),
            ],
            &[("relatório março.pdf", &pdf)],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/compose?sent=1");

    // Bob's inbox shows it, decoded, and the attachment downloads byte for byte.
    bob.imap().await.wait_for("INBOX", 1).await;
    let (_, html) = bob.page("/mail/INBOX").await;
    assert_eq!(texts(&html, "td.subject a"), ["Relatório de março ✓"]);
    let (_, html) = bob.page("/mail/INBOX/1").await;
    assert_eq!(texts(&html, ".attachments li a"), ["relatório março.pdf"]);
    let url = first_attr(&html, ".attachments li a", "href").unwrap();
    assert_eq!(bob.get(&url).await.bytes().await.unwrap().to_vec(), pdf);
    let delivered = bob.imap().await.raw("INBOX", 1).await;
    let delivered = String::from_utf8_lossy(&delivered);
    assert!(
        !delivered.to_ascii_lowercase().contains(&carol),
        "Bcc is not visible to Bob"
    );

    // Carol (Bcc) got it too.
    crate::helpers::Imap::connect(&carol)
        .await
        .wait_for("INBOX", 1)
        .await;

    // Alice's Sent folder has the same message with the Bcc line, marked read.
    let mut imap = alice.imap().await;
    let sent = imap.wait_for("Sent", 1).await;
    let copy = String::from_utf8_lossy(&imap.raw("Sent", sent[0]).await).to_string();
    assert!(copy.contains(&format!("Bcc: {carol}")), "{copy}");
    assert!(imap
        .flags("Sent", sent[0])
        .await
        .iter()
        .any(|f| f.contains("Seen")));
}

#[tokio::test]
async fn reply_and_reply_all_prefill_recipients_quote_and_thread() {
    let alice = spawn_app().await;
    alice.login().await;
    let bob = spawn_app().await;
    bob.login().await;
    let dave = crate::helpers::fresh_user("dave");
    let original = format!(
        "From: Alice <{a}>\r\nTo: {b}, {d}\r\nCc: Alice <{a}>\r\nSubject: Re: Almoço\r\n\
Date: Tue, 11 Mar 2025 10:00:00 -0300\r\nMessage-ID: <orig-1@example.test>\r\n\
References: <root-0@example.test>\r\n\r\nVamos às 12h?\r\n",
        a = alice.user,
        b = bob.user,
        d = dave
    );
    bob.imap()
        .await
        .append("INBOX", original.as_bytes(), None)
        .await;

    let (status, html) = bob.page("/compose?folder=INBOX&reply=1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        first_attr(&html, "#to", "value").unwrap(),
        format!("Alice <{}>", alice.user)
    );
    assert_eq!(
        first_attr(&html, "#subject", "value").unwrap(),
        "Re: Almoço"
    );
    let body = texts(&html, "#body").join("");
    assert!(body.contains("> Vamos às 12h?"), "{body}");
    assert_eq!(
        first_attr(&html, "input[name=in_reply_to]", "value").unwrap(),
        "<orig-1@example.test>"
    );

    let (_, all) = bob.page("/compose?folder=INBOX&reply=1&all=1").await;
    let cc = first_attr(&all, "#cc", "value").unwrap();
    assert_eq!(cc, dave, "everyone but Bob himself and the To address");

    let csrf = bob.csrf_token().await;
    let mut fields: Vec<(String, String)> = Vec::new();
    for name in [
        "to",
        "cc",
        "subject",
        "in_reply_to",
        "references",
        "origin_kind",
        "origin_folder",
        "origin_uid",
    ] {
        let value = first_attr(&all, &format!("[name={name}]"), "value").unwrap_or_default();
        fields.push((name.to_string(), value));
    }
    fields.push(("body".into(), "Combinado!".into()));
    fields.push(("action".into(), "send".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = post_compose(&bob, form(&csrf, &borrowed, &[])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let mut imap = alice.imap().await;
    let uids = imap.wait_for("INBOX", 1).await;
    let reply = String::from_utf8_lossy(&imap.raw("INBOX", uids[0]).await).to_string();
    assert!(
        reply.contains("In-Reply-To: <orig-1@example.test>"),
        "{reply}"
    );
    assert!(
        reply.contains("References: <root-0@example.test> <orig-1@example.test>"),
        "{reply}"
    );
    crate::helpers::Imap::connect(&dave)
        .await
        .wait_for("INBOX", 1)
        .await;
    let flags = bob.imap().await.flags("INBOX", 1).await;
    assert!(flags.iter().any(|f| f.contains("Answered")), "{flags:?}");
}

#[tokio::test]
async fn forward_carries_the_original_attachments() {
    let bob = spawn_app().await;
    bob.login().await;
    let carol = crate::helpers::fresh_user("carol");
    let original = "From: a@example.test\r\nSubject: Planta\r\nDate: Tue, 11 Mar 2025 10:00:00 +0000\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nSegue a planta.\r\n--B\r\n\
Content-Type: application/pdf; name=\"planta.pdf\"\r\nContent-Disposition: attachment; filename=\"planta.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcOkw7zDtsOf\r\n--B--\r\n";
    bob.imap()
        .await
        .append("INBOX", original.as_bytes(), None)
        .await;
    let (_, html) = bob.page("/compose?folder=INBOX&forward=1").await;
    assert_eq!(
        first_attr(&html, "#subject", "value").unwrap(),
        "Fwd: Planta"
    );
    let kept = attrs(&html, "input[name=keep]", "value");
    assert_eq!(kept, ["INBOX/1/2"]);
    let body = texts(&html, "#body").join("");
    assert!(
        body.contains("Forwarded message") && body.contains("Segue a planta."),
        "{body}"
    );
    let csrf = bob.csrf_token().await;
    let response = post_compose(
        &bob,
        form(
            &csrf,
            &[
                ("to", &carol),
                ("subject", "Fwd: Planta"),
                ("body", "Veja."),
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
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mut imap = crate::helpers::Imap::connect(&carol).await;
    let uids = imap.wait_for("INBOX", 1).await;
    let parsed_raw = imap.raw("INBOX", uids[0]).await;
    let parsed = carteiro::mime::parse(&parsed_raw).unwrap();
    let attachment = parsed.attachments().next().expect("the PDF came along");
    assert_eq!(
        attachment.contents(),
        b"%PDF-1.4\n%\xc3\xa4\xc3\xbc\xc3\xb6\xc3\x9f"
    );
    let flags = bob.imap().await.flags("INBOX", 1).await;
    assert!(flags.iter().any(|f| f.contains("Forwarded")), "{flags:?}");
}

#[tokio::test]
async fn drafts_are_saved_resumed_replaced_and_removed_once_sent() {
    let app = spawn_app().await;
    app.login().await;
    let bob = crate::helpers::fresh_user("bob");
    let csrf = app.csrf_token().await;
    let notes = b"lista de compras".to_vec();
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", &bob),
                ("subject", "Rascunho"),
                ("body", "Primeira versão"),
                ("action", "save"),
            ],
            &[("notas.txt", &notes)],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/compose?draft="), "{location}");
    let mut imap = app.imap().await;
    let drafts = imap.uids("Drafts").await;
    assert_eq!(drafts.len(), 1);
    assert!(imap
        .flags("Drafts", drafts[0])
        .await
        .iter()
        .any(|f| f.contains("Draft")));

    let (_, html) = app.page(&location).await;
    assert_eq!(texts(&html, "[role=status]"), ["Draft saved."]);
    assert_eq!(first_attr(&html, "#to", "value").unwrap(), bob);
    assert_eq!(texts(&html, "#body").join("").trim(), "Primeira versão");
    let kept = attrs(&html, "input[name=keep]", "value");
    assert_eq!(kept.len(), 1);
    assert_eq!(texts(&html, ".kept li label"), ["notas.txt"]);
    let draft_uid = first_attr(&html, "input[name=draft_uid]", "value").unwrap();

    // Saving again replaces the draft.
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", &bob),
                ("subject", "Rascunho"),
                ("body", "Segunda versão"),
                ("keep", &kept[0]),
                ("draft_uid", &draft_uid),
                ("action", "save"),
            ],
            &[],
        ),
    )
    .await;
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let drafts = imap.uids("Drafts").await;
    assert_eq!(drafts.len(), 1, "the old version is gone");
    let (_, html) = app.page(&location).await;
    assert_eq!(texts(&html, "#body").join("").trim(), "Segunda versão");
    let kept = attrs(&html, "input[name=keep]", "value");
    let draft_uid = first_attr(&html, "input[name=draft_uid]", "value").unwrap();

    // Sending it delivers the attachment and removes the draft.
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", &bob),
                ("subject", "Rascunho"),
                ("body", "Segunda versão"),
                ("keep", &kept[0]),
                ("draft_uid", &draft_uid),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        imap.uids("Drafts").await.is_empty(),
        "the draft is deleted once sent"
    );
    let mut inbox = crate::helpers::Imap::connect(&bob).await;
    let uids = inbox.wait_for("INBOX", 1).await;
    let raw = inbox.raw("INBOX", uids[0]).await;
    let parsed = carteiro::mime::parse(&raw).unwrap();
    assert_eq!(
        parsed.attachments().next().unwrap().contents(),
        notes.as_slice()
    );
}

#[tokio::test]
async fn a_malformed_address_is_named_and_everything_typed_comes_back() {
    let app = spawn_app().await;
    app.login().await;
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", "ok@example.test, joão arroba exemplo"),
                ("cc", "Ana <ana@example.test>"),
                ("subject", "Assunto importante"),
                ("body", "Texto que não pode se perder."),
                ("action", "send"),
            ],
            &[("anexo.bin", b"12345")],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    let error = texts(&html, "[role=alert]").join("");
    assert!(
        error.contains("joão arroba exemplo") && error.contains("To"),
        "{error}"
    );
    assert_eq!(
        first_attr(&html, "#to", "value").unwrap(),
        "ok@example.test, joão arroba exemplo"
    );
    assert_eq!(
        first_attr(&html, "#cc", "value").unwrap(),
        "Ana <ana@example.test>"
    );
    assert_eq!(
        first_attr(&html, "#subject", "value").unwrap(),
        "Assunto importante"
    );
    assert_eq!(
        texts(&html, "#body").join(""),
        "Texto que não pode se perder."
    );
    assert_eq!(
        texts(&html, ".kept li label"),
        ["anexo.bin"],
        "the upload is kept (in Drafts)"
    );
}

#[tokio::test]
async fn header_injection_through_any_field_adds_no_header() {
    let app = spawn_app().await;
    app.login().await;
    let bob = spawn_app().await;
    bob.login().await;
    let evil = crate::helpers::fresh_user("evil");
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", &format!("\"Bob\r\nBcc: {evil}\" <{}>", bob.user)),
                ("subject", &format!("Oi\r\nBcc: {evil}\r\nX-Injected: yes")),
                ("body", "x"),
                ("action", "send"),
            ],
            // Browsers escape line breaks in file names; the server-side guard is unit-tested.
            &[("a.txt\tX-Injected: yes", b"x")],
        ),
    )
    .await;
    // Either refused as an invalid address, or sent with the line breaks neutralised.
    let mut imap = bob.imap().await;
    if response.status() == StatusCode::SEE_OTHER {
        let uids = imap.wait_for("INBOX", 1).await;
        let raw = String::from_utf8_lossy(&imap.raw("INBOX", uids[0]).await).to_string();
        let head = &raw[..raw.find("\r\n\r\n").unwrap()];
        assert!(
            !head
                .lines()
                .any(|l| l.starts_with("X-Injected") || l.starts_with("Bcc")),
            "{head}"
        );
        assert!(!raw.lines().any(|l| l.starts_with("X-Injected")), "{raw}");
    } else {
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        crate::helpers::Imap::connect(&evil)
            .await
            .uids("INBOX")
            .await
            .is_empty(),
        "the injected Bcc received nothing"
    );
}

#[tokio::test]
async fn an_oversized_message_is_refused_before_sending_and_kept_as_a_draft() {
    let mut config = test_config("imap://localhost:143");
    config.max_message_size = 20_000;
    let app = spawn_app_with(config).await;
    app.login().await;
    let bob = crate::helpers::fresh_user("bob");
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", &bob),
                ("subject", "Grande"),
                ("body", "anexo grande"),
                ("action", "send"),
            ],
            &[("grande.bin", &noise(18_000))],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(texts(&html, "[role=alert]").join("").contains("too large"));
    assert_eq!(texts(&html, ".kept li label"), ["grande.bin"]);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(crate::helpers::Imap::connect(&bob)
        .await
        .uids("INBOX")
        .await
        .is_empty());
}

#[tokio::test]
async fn smtp_down_shows_the_reason_and_loses_nothing() {
    let proxy = crate::chaos::ChaosProxy::start("127.0.0.1:587").await;
    let mut config = test_config("imap://localhost:143");
    config.smtp =
        carteiro::upstream::parse_smtp_url(&format!("smtp://localhost:{}", proxy.port)).unwrap();
    let app = spawn_app_with(config).await;
    app.login().await;
    proxy.go_down();
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", "bob@example.test"),
                ("subject", "Importante"),
                ("body", "Não perca isto."),
                ("action", "send"),
            ],
            &[("contrato.pdf", b"%PDF-1.4 contrato")],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(texts(&html, "[role=alert]")
        .join("")
        .contains("cannot be reached"));
    assert!(texts(&html, "[role=status]")
        .join("")
        .contains("saved in Drafts"));
    assert_eq!(texts(&html, "#body").join(""), "Não perca isto.");
    assert_eq!(texts(&html, ".kept li label"), ["contrato.pdf"]);
    assert_eq!(app.imap().await.uids("Drafts").await.len(), 1);
    // Once the server is back, sending the same form works and clears the draft.
    proxy.come_back();
    let draft_uid = first_attr(&html, "input[name=draft_uid]", "value").unwrap();
    let keep = attrs(&html, "input[name=keep]", "value");
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", "bob@example.test"),
                ("subject", "Importante"),
                ("body", "Não perca isto."),
                ("keep", &keep[0]),
                ("draft_uid", &draft_uid),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(app.imap().await.uids("Drafts").await.is_empty());
}

#[tokio::test]
async fn sending_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    app.login().await;
    let response = post_compose(
        &app,
        form(
            "forged",
            &[("to", "bob@example.test"), ("subject", "x"), ("body", "x")],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn forward_as_attachment_sends_the_original_whole() {
    let bob = spawn_app().await;
    bob.login().await;
    let carol = crate::helpers::fresh_user("carol");
    let original = "From: a@example.test\r\nSubject: Contrato\r\nDate: Tue, 11 Mar 2025 10:00:00 +0000\r\n\r\nTexto original.\r\n";
    bob.imap()
        .await
        .append("INBOX", original.as_bytes(), None)
        .await;
    let (_, html) = bob.page("/compose?folder=INBOX&forward=1&attach=1").await;
    let kept = attrs(&html, "input[name=keep]", "value");
    assert_eq!(kept, ["INBOX/1/0"]);
    let csrf = bob.csrf_token().await;
    let response = post_compose(
        &bob,
        form(
            &csrf,
            &[
                ("to", &carol),
                ("subject", "Fwd: Contrato"),
                ("body", ""),
                ("keep", &kept[0]),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mut imap = crate::helpers::Imap::connect(&carol).await;
    let uids = imap.wait_for("INBOX", 1).await;
    let raw = imap.raw("INBOX", uids[0]).await;
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("Content-Type: message/rfc822"), "{text}");
    assert!(text.contains("Texto original."), "{text}");
}

#[tokio::test]
async fn a_refused_recipient_shows_the_server_reason_and_keeps_the_draft() {
    let app = spawn_app().await;
    app.login().await;
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", "refused@example.test"),
                ("subject", "Oi"),
                ("body", "Texto"),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    let error = texts(&html, "[role=alert]").join("");
    assert!(
        error.contains("refused the message") && error.contains("mailbox unavailable"),
        "{error}"
    );
    assert_eq!(texts(&html, "#body").join(""), "Texto");
    assert_eq!(app.imap().await.uids("Drafts").await.len(), 1);
    assert!(
        app.imap().await.uids("Sent").await.is_empty(),
        "nothing filed as sent"
    );
}

#[tokio::test]
async fn a_login_the_smtp_server_refuses_is_explained_and_loses_nothing() {
    // nosmtp@example.test may read mail over IMAP but the submission server refuses it.
    let mut app = spawn_app().await;
    app.user = "nosmtp@example.test".to_string();
    app.login().await;
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", "bob@example.test"),
                ("subject", "Sem envio"),
                ("body", "Rascunho salvo?"),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(texts(&html, "[role=alert]")
        .join("")
        .contains("did not accept your login"));
    assert_eq!(texts(&html, "#body").join(""), "Rascunho salvo?");
    let mut imap = app.imap().await;
    let drafts = imap.uids("Drafts").await;
    assert!(!drafts.is_empty());
    // Clean up the shared account's drafts for the next run.
    for uid in drafts {
        let raw = imap.raw("Drafts", uid).await;
        assert!(String::from_utf8_lossy(&raw).contains("Sem envio"));
    }
}

#[tokio::test]
async fn with_save_sent_off_nothing_is_filed_in_sent() {
    let mut config = test_config("imap://localhost:143");
    config.save_sent = false;
    let app = spawn_app_with(config).await;
    app.login().await;
    let bob = crate::helpers::fresh_user("bob");
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", &bob),
                ("subject", "Só envio"),
                ("body", "x"),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    crate::helpers::Imap::connect(&bob)
        .await
        .wait_for("INBOX", 1)
        .await;
    assert!(app.imap().await.uids("Sent").await.is_empty());
}

#[tokio::test]
async fn the_signature_is_stored_on_the_server_and_starts_every_new_message() {
    let app = spawn_app().await;
    app.login().await;
    let (status, html) = app.page("/settings/identities?edit=default").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "#signature").join(""), "");
    let csrf = app.csrf_token().await;
    let signature = "Abraços,\nAlice \"Al\" Andrade\n{5}\r\nA1 LOGOUT";
    let response = app
        .post_form(
            "/settings/identities",
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("id", "default"),
                ("address", &app.user),
                ("signature", signature),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page("/settings/identities?saved=1&edit=default").await;
    assert_eq!(texts(&html, "[role=status]"), ["Identities saved."]);
    let stored = texts(&html, "#signature").join("");
    assert_eq!(stored, "Abraços,\nAlice \"Al\" Andrade\n{5}\nA1 LOGOUT");

    let (_, html) = app.page("/compose").await;
    assert_eq!(texts(&html, "#body").join(""), format!("-- \n{stored}"));
    app.imap()
        .await
        .append("INBOX", b"From: b@example.test\r\nSubject: Oi\r\nDate: Tue, 11 Mar 2025 10:00:00 +0000\r\n\r\nTudo bem?\r\n", None)
        .await;
    let (status, html) = app.page("/compose?folder=INBOX&reply=1").await;
    assert_eq!(status, StatusCode::OK, "{}", html.html());
    let body = texts(&html, "#body").join("");
    let signature_at = body
        .find("-- \nAbraços")
        .unwrap_or_else(|| panic!("no signature: {body:?}"));
    let quote_at = body.find("> Tudo bem?").expect("quote in the reply");
    assert!(
        signature_at < quote_at,
        "the signature sits above the quote: {body:?}"
    );
    // The connection survived the hostile-looking value: the session still works.
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn sending_over_implicit_tls_on_465_works_too() {
    let mut config = test_config("imap://localhost:143");
    config.smtp = carteiro::upstream::parse_smtp_url("smtps://localhost:465").unwrap();
    let app = spawn_app_with(config).await;
    app.login().await;
    let bob = crate::helpers::fresh_user("bob");
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", &bob),
                ("subject", "Via 465"),
                ("body", "TLS desde o início."),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mut imap = crate::helpers::Imap::connect(&bob).await;
    let uids = imap.wait_for("INBOX", 1).await;
    let raw = String::from_utf8_lossy(&imap.raw("INBOX", uids[0]).await).to_string();
    assert!(raw.contains("Subject: Via 465"), "{raw}");
}

#[tokio::test]
async fn an_unticked_attachment_is_left_out() {
    let app = spawn_app().await;
    app.login().await;
    let bob = crate::helpers::fresh_user("bob");
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", &bob),
                ("subject", "Dois anexos"),
                ("body", "x"),
                ("action", "save"),
            ],
            &[("fica.txt", b"fica"), ("sai.txt", b"sai")],
        ),
    )
    .await;
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = app.page(&location).await;
    assert_eq!(texts(&html, ".kept li label"), ["fica.txt", "sai.txt"]);
    let kept = attrs(&html, "input[name=keep]", "value");
    let draft_uid = first_attr(&html, "input[name=draft_uid]", "value").unwrap();
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", &bob),
                ("subject", "Dois anexos"),
                ("body", "x"),
                ("keep", &kept[0]),
                ("draft_uid", &draft_uid),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mut imap = crate::helpers::Imap::connect(&bob).await;
    let uids = imap.wait_for("INBOX", 1).await;
    let raw = imap.raw("INBOX", uids[0]).await;
    let parsed = carteiro::mime::parse(&raw).unwrap();
    let names: Vec<String> = parsed
        .attachments()
        .filter_map(|a| mail_parser::MimeHeaders::attachment_name(a).map(str::to_string))
        .collect();
    assert_eq!(names, ["fica.txt"]);
}

#[tokio::test]
async fn the_servers_announced_size_limit_is_checked_before_sending() {
    // Carteiro's own limit is raised above Postfix's (50 MB, announced in EHLO as SIZE).
    let mut config = test_config("imap://localhost:143");
    config.max_message_size = 200 * 1024 * 1024;
    let app = spawn_app_with(config).await;
    app.login().await;
    let bob = crate::helpers::fresh_user("bob");
    let csrf = app.csrf_token().await;
    let big = noise(40 * 1024 * 1024); // 40 MB of binary: about 54 MB once base64-encoded
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", &bob),
                ("subject", "Enorme"),
                ("body", "x"),
                ("action", "send"),
            ],
            &[("enorme.bin", &big)],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    let error = texts(&html, "[role=alert]").join("");
    assert!(
        error.contains("too large") && error.contains("50.0 MB"),
        "{error}"
    );
    assert!(crate::helpers::Imap::connect(&bob)
        .await
        .uids("INBOX")
        .await
        .is_empty());
}
