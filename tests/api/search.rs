//! Search, done by the IMAP server, with Portuguese text and hostile input.

use reqwest::StatusCode;

use crate::helpers::{attrs, message, spawn_app, texts, TestApp};

async fn seed_mix(app: &TestApp) {
    let mut imap = app.imap().await;
    let encoded = b"From: =?UTF-8?Q?Jo=C3=A3o?= <joao@example.test>\r\nTo: alice@example.test\r\n\
Subject: =?UTF-8?Q?Reuni=C3=A3o_de_or=C3=A7amento?=\r\nDate: Mon, 3 Mar 2025 10:00:00 -0300\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
A pauta =E9 a constru=E7=E3o da ponte.\r\n";
    imap.append("INBOX", encoded, None).await;
    imap.append(
        "INBOX",
        &message(
            "Maria <maria@example.test>",
            "Almoço",
            "Tue, 4 Mar 2025 12:00:00 -0300",
            "Vamos ao restaurante?",
        ),
        Some("(\\Seen \\Flagged)"),
    )
    .await;
    imap.append(
        "INBOX",
        &message(
            "Pedro <pedro@example.test>",
            "Fotos",
            "Wed, 10 Sep 2025 09:00:00 -0300",
            "Sem orçamento ainda.",
        ),
        Some("(\\Seen)"),
    )
    .await;
}

#[tokio::test]
async fn portuguese_text_with_accents_finds_its_messages() {
    let app = spawn_app().await;
    app.login().await;
    seed_mix(&app).await;
    let (status, html) = app.page("/mail/INBOX?q=or%C3%A7amento").await;
    assert_eq!(status, StatusCode::OK);
    let mut found = texts(&html, "td.subject a");
    found.sort();
    assert_eq!(
        found,
        ["Fotos", "Reunião de orçamento"],
        "subject and body matches"
    );
    let (_, html) = app.page("/mail/INBOX?q=constru%C3%A7%C3%A3o").await;
    assert_eq!(
        texts(&html, "td.subject a"),
        ["Reunião de orçamento"],
        "a Latin-1 body is found"
    );
    let (_, html) = app.page("/mail/INBOX?q=Jo%C3%A3o").await;
    assert_eq!(
        texts(&html, "td.subject a"),
        ["Reunião de orçamento"],
        "an encoded sender name"
    );
    assert_eq!(attrs(&html, "#q", "value"), ["João"]);
    let (_, html) = app.page("/mail/INBOX?q=nada-disso").await;
    assert_eq!(texts(&html, ".empty"), ["No messages match this search."]);
}

#[tokio::test]
async fn advanced_fields_combine() {
    let app = spawn_app().await;
    app.login().await;
    seed_mix(&app).await;
    let (_, html) = app.page("/mail/INBOX?from=maria").await;
    assert_eq!(texts(&html, "td.subject a"), ["Almoço"]);
    let (_, html) = app.page("/mail/INBOX?unread=1").await;
    assert_eq!(texts(&html, "td.subject a"), ["Reunião de orçamento"]);
    let (_, html) = app.page("/mail/INBOX?flagged=1").await;
    assert_eq!(texts(&html, "td.subject a"), ["Almoço"]);
    let (_, html) = app
        .page("/mail/INBOX?since=2025-09-01&until=2025-09-30")
        .await;
    assert_eq!(texts(&html, "td.subject a"), ["Fotos"]);
    let (_, html) = app.page("/mail/INBOX?subject=almo%C3%A7o&flagged=1").await;
    assert_eq!(texts(&html, "td.subject a"), ["Almoço"]);
    let (status, html) = app.page("/mail/INBOX?since=2025-02-30").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(texts(&html, ".error-message")[0].contains("not a date"));
}

#[tokio::test]
async fn search_results_page_like_any_list() {
    let app = spawn_app().await;
    app.login().await;
    let mut imap = app.imap().await;
    for i in 1..=120 {
        let subject = if i % 2 == 0 {
            format!("Pedido {i:03}")
        } else {
            format!("Outro {i:03}")
        };
        imap.append(
            "INBOX",
            &message(
                "x@example.test",
                &subject,
                "Tue, 4 Mar 2025 08:00:00 +0000",
                "b",
            ),
            None,
        )
        .await;
    }
    let (_, html) = app.page("/mail/INBOX?q=Pedido").await;
    assert_eq!(texts(&html, ".range"), ["1–50 of 60"]);
    assert_eq!(texts(&html, "td.subject a")[0], "Pedido 120");
    let older = attrs(&html, "a[rel=next]", "href");
    assert_eq!(older, ["/mail/INBOX?page=2&q=Pedido"]);
    let (_, html) = app.page(&older[0]).await;
    let subjects = texts(&html, "td.subject a");
    assert_eq!((subjects.len(), subjects[9].as_str()), (10, "Pedido 002"));
}

#[tokio::test]
async fn hostile_search_text_cannot_inject_commands_or_desync_the_connection() {
    let app = spawn_app().await;
    app.login().await;
    seed_mix(&app).await;
    for evil in [
        "x\" OR ALL \"",
        "\\",
        "\"",
        "{5}\r\nA1 LOGOUT",
        "x\r\nA2 DELETE INBOX\r\n",
        "))) ALL (((",
        "ção\r\n{999999}",
        "%s%n*",
    ] {
        let response = app
            .client
            .get(app.url("/mail/INBOX"))
            .query(&[("q", evil)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{evil:?}");
        let html = scraper::Html::parse_document(&response.text().await.unwrap());
        assert!(
            texts(&html, "td.subject a").is_empty(),
            "{evil:?} matched nothing"
        );
        // The same connection still answers normally, and INBOX is intact.
        let (status, html) = app.page("/mail/INBOX").await;
        assert_eq!(status, StatusCode::OK, "after {evil:?}");
        assert_eq!(texts(&html, "td.subject a").len(), 3, "after {evil:?}");
    }
    assert_eq!(app.imap().await.uids("INBOX").await.len(), 3);
}

#[tokio::test]
async fn search_in_all_folders_groups_results_by_folder() {
    let app = spawn_app().await;
    app.login().await;
    seed_mix(&app).await;
    let mut imap = app.imap().await;
    imap.create("Projetos").await;
    imap.append(
        "Projetos",
        &message(
            "z@example.test",
            "Orçamento da reforma",
            "Thu, 6 Mar 2025 08:00:00 +0000",
            "x",
        ),
        None,
    )
    .await;
    imap.append(
        "Sent",
        &message(
            "alice@example.test",
            "Re: orçamento",
            "Fri, 7 Mar 2025 08:00:00 +0000",
            "ok",
        ),
        None,
    )
    .await;
    let (status, html) = app.page("/search?q=or%C3%A7amento").await;
    assert_eq!(status, StatusCode::OK);
    let groups = texts(&html, ".search-group h2");
    assert_eq!(groups, ["Inbox (2)", "Sent (1)", "Projetos (1)"]);
    let links = attrs(&html, ".search-group td.subject a", "href");
    assert!(links.contains(&"/mail/Projetos/1".to_string()), "{links:?}");
    assert!(links.contains(&"/mail/Sent/1".to_string()), "{links:?}");
    let (_, html) = app.page("/search?q=nada-disso").await;
    assert_eq!(texts(&html, ".range"), ["No messages match this search."]);
}
