//! Actions on messages, checked on the server afterwards with a direct IMAP client.

use reqwest::StatusCode;

use crate::chaos::ChaosProxy;
use crate::helpers::{first_attr, message, spawn_app, spawn_app_with, test_config, texts, TestApp};

async fn seed(app: &TestApp, folder: &str, subjects: &[&str]) {
    let mut imap = app.imap().await;
    for s in subjects {
        imap.append(
            folder,
            &message("x@example.test", s, "Tue, 4 Mar 2025 08:00:00 +0000", "b"),
            None,
        )
        .await;
    }
}

/// POSTs an action form the way the list page's form does.
async fn act(app: &TestApp, folder_path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = app.csrf_token().await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    form.extend_from_slice(fields);
    app.client
        .post(app.url(&format!("{folder_path}/actions")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

fn has(flags: &[String], name: &str) -> bool {
    flags.iter().any(|f| f.contains(name))
}

#[tokio::test]
async fn ticked_messages_are_marked_read_unread_starred_and_unstarred_on_the_server() {
    let app = spawn_app().await;
    app.login().await;
    seed(&app, "INBOX", &["um", "dois", "três"]).await;
    let response = act(
        &app,
        "/mail/INBOX",
        &[
            ("uid", "1"),
            ("uid", "3"),
            ("action", "read"),
            ("back", "/mail/INBOX?page=1"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/mail/INBOX?page=1&done=read&n=2");
    let mut imap = app.imap().await;
    assert!(has(&imap.flags("INBOX", 1).await, "Seen"));
    assert!(!has(&imap.flags("INBOX", 2).await, "Seen"));
    assert!(has(&imap.flags("INBOX", 3).await, "Seen"));
    let (_, html) = app.page(&location).await;
    assert_eq!(
        texts(&html, "[role=status]"),
        ["Marked 2 messages as read."]
    );

    act(&app, "/mail/INBOX", &[("uid", "3"), ("action", "unread")]).await;
    act(&app, "/mail/INBOX", &[("uid", "2"), ("action", "flag")]).await;
    assert!(!has(&imap.flags("INBOX", 3).await, "Seen"));
    assert!(has(&imap.flags("INBOX", 2).await, "Flagged"));
    act(&app, "/mail/INBOX", &[("uid", "2"), ("action", "unflag")]).await;
    assert!(!has(&imap.flags("INBOX", 2).await, "Flagged"));
}

#[tokio::test]
async fn delete_moves_to_trash_with_undo_and_deleting_in_trash_asks_first() {
    let app = spawn_app().await;
    app.login().await;
    seed(&app, "INBOX", &["fica", "vai"]).await;
    let response = act(
        &app,
        "/mail/INBOX",
        &[
            ("uid", "2"),
            ("action", "delete"),
            ("back", "/mail/INBOX?page=1"),
        ],
    )
    .await;
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let mut imap = app.imap().await;
    assert_eq!(imap.uids("INBOX").await, [1]);
    assert_eq!(imap.uids("Trash").await.len(), 1);
    let (_, html) = app.page(&location).await;
    assert!(texts(&html, "[role=status]")[0].starts_with("Moved 1 message to Trash."));
    // Undo: the form on the page moves it back.
    let undo_uids = first_attr(&html, "[role=status] form input[name=uids]", "value").unwrap();
    let undo_action = first_attr(&html, "[role=status] form", "action").unwrap();
    assert_eq!(undo_action, "/mail/Trash/actions");
    let csrf = app.csrf_token().await;
    let response = app
        .client
        .post(app.url(&undo_action))
        .form(&[
            ("csrf", csrf.as_str()),
            ("uids", &undo_uids),
            ("action", "move"),
            ("target", "INBOX"),
            ("back", "/mail/INBOX?page=1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(imap.uids("INBOX").await.len(), 2);
    assert!(imap.uids("Trash").await.is_empty());

    // Deleting inside Trash removes for good, after a confirmation.
    act(&app, "/mail/INBOX", &[("uid", "1"), ("action", "delete")]).await;
    let trash = imap.uids("Trash").await;
    let uid = trash[0].to_string();
    let response = act(
        &app,
        "/mail/Trash",
        &[("uid", &uid), ("action", "delete"), ("back", "/mail/Trash")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert_eq!(texts(&html, "h1"), ["Are you sure?"]);
    assert_eq!(
        imap.uids("Trash").await.len(),
        1,
        "nothing deleted before confirming"
    );
    let response = act(
        &app,
        "/mail/Trash",
        &[
            ("uids", &uid),
            ("action", "delete"),
            ("back", "/mail/Trash"),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(imap.uids("Trash").await.is_empty());
}

#[tokio::test]
async fn archive_junk_not_junk_move_and_copy_act_on_the_server() {
    let app = spawn_app().await;
    app.login().await;
    let mut imap = app.imap().await;
    imap.create("Fam&AO0-lia/F&AOk-rias").await;
    seed(&app, "INBOX", &["a", "b", "c", "d"]).await;
    act(&app, "/mail/INBOX", &[("uid", "1"), ("action", "archive")]).await;
    act(&app, "/mail/INBOX", &[("uid", "2"), ("action", "junk")]).await;
    act(
        &app,
        "/mail/INBOX",
        &[
            ("uid", "3"),
            ("action", "move"),
            ("target", "Família/Férias"),
        ],
    )
    .await;
    let response = act(
        &app,
        "/mail/INBOX",
        &[
            ("uid", "4"),
            ("action", "copy"),
            ("target", "Família/Férias"),
        ],
    )
    .await;
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.contains("done=copied") && location.contains("to=Fam%C3%ADlia%2FF%C3%A9rias"),
        "{location}"
    );
    assert_eq!(imap.uids("INBOX").await, [4]);
    assert_eq!(imap.uids("Archive").await.len(), 1);
    assert_eq!(imap.uids("Junk").await.len(), 1);
    assert_eq!(imap.uids("Fam&AO0-lia/F&AOk-rias").await.len(), 2);
    let junk = imap.uids("Junk").await[0].to_string();
    act(&app, "/mail/Junk", &[("uid", &junk), ("action", "notjunk")]).await;
    assert_eq!(imap.uids("INBOX").await.len(), 2);
    assert!(imap.uids("Junk").await.is_empty());
    let response = act(
        &app,
        "/mail/INBOX",
        &[("uid", "4"), ("action", "move"), ("target", "Nope")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = act(&app, "/mail/INBOX", &[("action", "read")]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = response.text().await.unwrap();
    assert!(body.contains("Select at least one message"));
}

#[tokio::test]
async fn actions_from_the_message_page_return_to_the_right_place() {
    let app = spawn_app().await;
    app.login().await;
    seed(&app, "INBOX", &["estrela", "lixo"]).await;
    let (_, html) = app.page("/mail/INBOX/1").await;
    let back = first_attr(&html, "form.toolbar input[name=back]", "value").unwrap();
    assert_eq!(back, "/mail/INBOX/1");
    let response = act(
        &app,
        "/mail/INBOX",
        &[("uid", "1"), ("action", "flag"), ("back", &back)],
    )
    .await;
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/mail/INBOX/1?done=flagged"));
    let (_, html) = app.page("/mail/INBOX/1").await;
    assert!(
        html.html().contains("value=\"unflag\""),
        "the button now offers Unstar"
    );
    let response = act(
        &app,
        "/mail/INBOX",
        &[
            ("uid", "2"),
            ("action", "delete"),
            ("back", "/mail/INBOX/2"),
        ],
    )
    .await;
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("/mail/INBOX?done=trashed"),
        "{location}"
    );
}

#[tokio::test]
async fn select_all_in_a_large_folder_takes_a_few_commands_not_one_per_message() {
    let (proxy, app) = crate::chaos::signed_in_behind_recorder().await;
    let subjects: Vec<String> = (0..10_000).map(|i| format!("m{i}")).collect();
    let refs: Vec<&str> = subjects.iter().map(String::as_str).collect();
    seed(&app, "INBOX", &refs).await;
    let csrf = app.csrf_token().await;
    proxy.clear();
    let response = app
        .client
        .post(app.url("/mail/INBOX/actions"))
        .form(&[("csrf", csrf.as_str()), ("all", "1"), ("action", "read")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let commands = proxy.commands();
    assert!(commands.len() <= 4, "{commands:?}");
    assert!(
        commands
            .iter()
            .any(|c| c == "UID STORE 1:* +FLAGS.SILENT (\\Seen)"),
        "{commands:?}"
    );
    let mut imap = app.imap().await;
    assert!(has(&imap.flags("INBOX", 10_000).await, "Seen"));
    proxy.clear();
    app.client
        .post(app.url("/mail/INBOX/actions"))
        .form(&[("csrf", csrf.as_str()), ("all", "1"), ("action", "archive")])
        .send()
        .await
        .unwrap();
    let commands = proxy.commands();
    assert!(commands.len() <= 4, "{commands:?}");
    assert!(imap.uids("INBOX").await.is_empty());
    assert_eq!(imap.uids("Archive").await.len(), 10_000);
}

#[tokio::test]
async fn a_change_made_in_one_session_shows_in_another() {
    let first = spawn_app().await;
    first.login().await;
    let second = spawn_app().await;
    let mut second = second;
    second.user = first.user.clone();
    second.login().await;
    seed(&first, "INBOX", &["compartilhada"]).await;
    let (_, html) = second.page("/mail/INBOX").await;
    assert_eq!(texts(&html, "tr.unread td.subject a"), ["compartilhada"]);
    act(&first, "/mail/INBOX", &[("uid", "1"), ("action", "read")]).await;
    let (_, html) = second.page("/mail/INBOX").await;
    assert!(
        texts(&html, "tr.unread td.subject a").is_empty(),
        "read in the other session too"
    );
    act(
        &first,
        "/mail/INBOX",
        &[("uid", "1"), ("action", "archive")],
    )
    .await;
    let (_, html) = second.page("/mail/INBOX").await;
    assert!(texts(&html, "td.subject a").is_empty());
}

#[tokio::test]
async fn emptying_trash_asks_first_then_removes_everything_in_it() {
    let app = spawn_app().await;
    app.login().await;
    seed(&app, "Trash", &["x", "y", "z"]).await;
    let response = act(
        &app,
        "/mail/Trash",
        &[("all", "1"), ("action", "empty"), ("back", "/mail/Trash")],
    )
    .await;
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(
        texts(&html, "p")
            .iter()
            .any(|p| p.contains("all 3 messages")),
        "{:?}",
        texts(&html, "p")
    );
    act(
        &app,
        "/mail/Trash",
        &[("all", "1"), ("action", "empty"), ("confirm", "1")],
    )
    .await;
    assert!(app.imap().await.uids("Trash").await.is_empty());
    let response = act(
        &app,
        "/mail/INBOX",
        &[("all", "1"), ("action", "empty"), ("confirm", "1")],
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "the Inbox cannot be emptied"
    );
}

#[tokio::test]
async fn a_message_shows_the_other_messages_of_its_conversation_including_sent_replies() {
    let app = spawn_app().await;
    app.login().await;
    let mut imap = app.imap().await;
    let mk = |id: &str, refs: &str, subject: &str, date: &str| {
        let refs = if refs.is_empty() {
            String::new()
        } else {
            format!(
                "In-Reply-To: {}\r\nReferences: {refs}\r\n",
                refs.split(' ').next_back().unwrap()
            )
        };
        format!("From: a@example.test\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: {id}\r\n{refs}\r\ncorpo\r\n")
    };
    imap.append(
        "INBOX",
        mk("<root@t>", "", "Obra", "Mon, 3 Mar 2025 10:00:00 +0000").as_bytes(),
        None,
    )
    .await;
    imap.append(
        "INBOX",
        mk(
            "<r1@t>",
            "<root@t>",
            "Re: Obra",
            "Mon, 3 Mar 2025 11:00:00 +0000",
        )
        .as_bytes(),
        None,
    )
    .await;
    imap.append(
        "INBOX",
        mk(
            "<other@t>",
            "",
            "Outro assunto",
            "Mon, 3 Mar 2025 12:00:00 +0000",
        )
        .as_bytes(),
        None,
    )
    .await;
    imap.append(
        "Sent",
        mk(
            "<mine@t>",
            "<root@t> <r1@t>",
            "Re: Obra",
            "Mon, 3 Mar 2025 13:00:00 +0000",
        )
        .as_bytes(),
        None,
    )
    .await;
    let (_, html) = app.page("/mail/INBOX/2").await;
    let items = texts(&html, ".conversation li");
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(
        items[0].contains("Obra") && !items[0].contains("Re:"),
        "{items:?}"
    );
    assert!(
        items[2].contains("Sent"),
        "the reply in Sent is part of it: {items:?}"
    );
    assert_eq!(
        texts(&html, ".conversation li[aria-current] strong").len(),
        1
    );
    let (_, html) = app.page("/mail/INBOX/3").await;
    assert!(
        texts(&html, ".conversation li").is_empty(),
        "a message on its own has no conversation list"
    );
    let (_, html) = app.page("/mail/Sent/1").await;
    assert_eq!(
        texts(&html, ".conversation li").len(),
        3,
        "the same conversation from Sent"
    );
}

/// Seeds three conversations and checks the conversation view; `disabled` turns capabilities
/// off, so both the server's THREAD and the header fallback are exercised.
async fn check_conversation_view(disabled: &[&str]) {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let mut config = test_config(&format!("imap://127.0.0.1:{}?tls=none", proxy.port));
    config.imap_disabled_caps = disabled.iter().map(|c| c.to_string()).collect();
    let app = spawn_app_with(config).await;
    app.login().await;
    let mut imap = app.imap().await;
    let mk = |id: &str, refs: &str, subject: &str| {
        let refs = if refs.is_empty() {
            String::new()
        } else {
            format!("References: {refs}\r\n")
        };
        format!("From: a@example.test\r\nSubject: {subject}\r\nDate: Mon, 3 Mar 2025 10:00:00 +0000\r\nMessage-ID: {id}\r\n{refs}\r\ncorpo\r\n")
    };
    imap.append(
        "INBOX",
        mk("<a1@t>", "", "Obra").as_bytes(),
        Some("(\\Seen)"),
    )
    .await;
    imap.append(
        "INBOX",
        mk("<b1@t>", "", "Festa").as_bytes(),
        Some("(\\Seen)"),
    )
    .await;
    imap.append("INBOX", mk("<a2@t>", "<a1@t>", "Re: Obra").as_bytes(), None)
        .await;
    imap.append(
        "INBOX",
        mk("<c1@t>", "", "Sozinha").as_bytes(),
        Some("(\\Seen)"),
    )
    .await;
    imap.append(
        "INBOX",
        mk("<a3@t>", "<a1@t> <a2@t>", "Re: Obra").as_bytes(),
        Some("(\\Seen)"),
    )
    .await;
    proxy.clear();
    let (status, html) = app.page("/mail/INBOX?view=threads").await;
    assert_eq!(status, StatusCode::OK);
    let used_thread = proxy
        .commands()
        .iter()
        .any(|c| c.starts_with("UID THREAD REFERENCES"));
    assert_eq!(used_thread, disabled.is_empty(), "{:?}", proxy.commands());
    assert_eq!(
        texts(&html, "td.subject a"),
        ["Re: Obra", "Sozinha", "Festa"]
    );
    assert_eq!(texts(&html, ".thread-count"), ["3"]);
    assert_eq!(
        texts(&html, "tr.unread td.subject a"),
        ["Re: Obra"],
        "one unread message in it"
    );
    assert_eq!(texts(&html, ".range"), ["1–3 of 3 conversations"]);
    assert_eq!(
        crate::helpers::attrs(&html, ".view-switch a", "href"),
        ["/mail/INBOX"]
    );
    // A new reply moves its conversation to the top.
    imap.append(
        "INBOX",
        mk("<b2@t>", "<b1@t>", "Re: Festa").as_bytes(),
        None,
    )
    .await;
    let (_, html) = app.page("/mail/INBOX?view=threads").await;
    assert_eq!(texts(&html, "td.subject a")[0], "Re: Festa");
    // The connection is still in step after the raw THREAD exchange.
    let (status, html) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "td.subject a").len(), 6);
}

#[tokio::test]
async fn the_conversation_view_uses_the_servers_thread_command() {
    check_conversation_view(&[]).await;
}

#[tokio::test]
async fn without_thread_the_conversation_view_groups_by_references() {
    check_conversation_view(&["THREAD=REFERENCES"]).await;
}

#[tokio::test]
async fn all_on_this_page_acts_on_the_shown_messages_only() {
    let app = spawn_app().await;
    app.login().await;
    let subjects: Vec<String> = (0..60).map(|i| format!("p{i}")).collect();
    let refs: Vec<&str> = subjects.iter().map(String::as_str).collect();
    seed(&app, "INBOX", &refs).await;
    let (_, html) = app.page("/mail/INBOX").await;
    let shown = crate::helpers::attrs(&html, "input[name=page_uid]", "value");
    assert_eq!(shown.len(), 50);
    let csrf = app.csrf_token().await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("page_all", "1"), ("action", "flag")];
    for uid in &shown {
        form.push(("page_uid", uid));
    }
    app.client
        .post(app.url("/mail/INBOX/actions"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let mut imap = app.imap().await;
    assert!(
        has(&imap.flags("INBOX", 60).await, "Flagged"),
        "newest shown"
    );
    assert!(
        has(&imap.flags("INBOX", 11).await, "Flagged"),
        "oldest shown"
    );
    assert!(
        !has(&imap.flags("INBOX", 10).await, "Flagged"),
        "not on the page"
    );
}

#[tokio::test]
async fn without_move_a_move_is_copy_then_expunge_of_exactly_those_uids() {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let mut config = test_config(&format!("imap://127.0.0.1:{}?tls=none", proxy.port));
    config.imap_disabled_caps = vec!["MOVE".to_string()];
    let app = spawn_app_with(config).await;
    app.login().await;
    seed(&app, "INBOX", &["a", "b", "c"]).await;
    // Another client marked message 3 deleted: it must survive our move.
    let mut imap = app.imap().await;
    imap.select_and_store("INBOX", 3, "+FLAGS (\\Deleted)")
        .await;
    proxy.clear();
    act(&app, "/mail/INBOX", &[("uid", "1"), ("action", "archive")]).await;
    let commands = proxy.commands();
    assert!(
        commands.iter().any(|c| c.starts_with("UID COPY 1 ")),
        "{commands:?}"
    );
    assert!(
        commands.iter().any(|c| c == "UID EXPUNGE 1"),
        "{commands:?}"
    );
    assert!(!commands.iter().any(|c| c == "EXPUNGE"), "{commands:?}");
    assert_eq!(imap.uids("INBOX").await, [2, 3]);
    assert_eq!(imap.uids("Archive").await.len(), 1);
}
