use reqwest::StatusCode;

use crate::chaos::ChaosProxy;
use crate::helpers::{message, spawn_app, spawn_app_with, test_config, texts, TestApp};

/// Seeds `n` messages numbered in arrival order, as fast as the server takes them.
async fn seed_numbered(app: &TestApp, n: usize) {
    let mut imap = app.imap().await;
    for i in 1..=n {
        let raw = message(
            "Sender <sender@example.test>",
            &format!("Message {i:04}"),
            "Tue, 4 Mar 2025 08:00:00 +0000",
            "body",
        );
        imap.append("INBOX", &raw, Some("(\\Seen)")).await;
    }
}

#[tokio::test]
async fn a_large_folder_pages_fifty_at_a_time_newest_first() {
    let app = spawn_app().await;
    app.login().await;
    seed_numbered(&app, 1030).await;
    let (status, html) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    let subjects = texts(&html, "td.subject a");
    assert_eq!(subjects.len(), 50);
    assert_eq!(subjects[0], "Message 1030");
    assert_eq!(subjects[49], "Message 0981");
    // Counts are written the language's way: English groups thousands with a comma.
    assert_eq!(texts(&html, ".range"), ["1–50 of 1,030"]);
    assert_eq!(texts(&html, ".pager span"), ["Page 1 of 21"]);
    let (_, html) = app.page("/mail/INBOX?page=2").await;
    let subjects = texts(&html, "td.subject a");
    assert_eq!(
        (subjects[0].as_str(), subjects[49].as_str()),
        ("Message 0980", "Message 0931")
    );
    let (_, html) = app.page("/mail/INBOX?page=21").await;
    let subjects = texts(&html, "td.subject a");
    assert_eq!(subjects.len(), 30);
    assert_eq!(subjects[29], "Message 0001");
    assert!(
        texts(&html, "a[rel=next]").is_empty(),
        "no older page after the last"
    );
    let (status, _) = app.page("/mail/INBOX?page=zero").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn rows_show_sender_subject_state_and_attachment_marker() {
    let app = spawn_app().await;
    app.login().await;
    let mut imap = app.imap().await;
    let with_attachment = b"From: =?UTF-8?Q?Jos=C3=A9_da_Silva?= <jose@example.test>\r\n\
Subject: =?ISO-8859-1?Q?Relat=F3rio_anual?=\r\nDate: Wed, 5 Mar 2025 12:30:00 -0300\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n--XYZ\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nSegue o relat=C3=B3rio.\r\n--XYZ\r\n\
Content-Type: application/pdf; name=r.pdf\r\nContent-Disposition: attachment; filename=r.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--XYZ--\r\n";
    imap.append("INBOX", with_attachment, Some("(\\Flagged)"))
        .await;
    imap.append(
        "INBOX",
        &message(
            "Ana <ana@example.test>",
            "Respondida",
            "Thu, 6 Mar 2025 09:15:00 -0300",
            "ok",
        ),
        Some("(\\Seen \\Answered)"),
    )
    .await;
    let (_, html) = app.page("/mail/INBOX").await;
    assert_eq!(texts(&html, "td.who"), ["Ana", "José da Silva"]);
    assert_eq!(texts(&html, "td.subject a")[1], "Relatório anual");
    // Dates from an earlier year show the day, month and year, in the server's time zone.
    let shown = |date: &str| {
        chrono::DateTime::parse_from_rfc2822(date)
            .unwrap()
            .with_timezone(&chrono::Local)
            .format("%-d %b %Y")
            .to_string()
    };
    assert_eq!(
        texts(&html, "td.date"),
        [
            shown("Thu, 6 Mar 2025 09:15:00 -0300"),
            shown("Wed, 5 Mar 2025 12:30:00 -0300")
        ]
    );
    assert_eq!(texts(&html, "tr.unread td.subject a"), ["Relatório anual"]);
    assert_eq!(texts(&html, ".badge.flagged").len(), 1);
    assert_eq!(texts(&html, ".badge.answered").len(), 1);
    let markers = texts(&html, "td.subject .attachment");
    assert_eq!(markers.len(), 1, "only the message with a PDF has the clip");
    // The clip is the sprite's, like every other icon: no glyph the fonts may lack, only
    // the label for screen readers as text.
    let clip = scraper::Selector::parse("td.subject .attachment svg use").unwrap();
    let uses: Vec<_> = html
        .select(&clip)
        .filter_map(|u| u.value().attr("href"))
        .collect();
    assert_eq!(uses.len(), 1);
    assert!(uses[0].ends_with("#paperclip"), "{uses:?}");
    assert_eq!(markers[0].trim(), "Has attachments");
    let unread_counts = texts(&html, ".folders li.current .unread-count");
    assert_eq!(unread_counts, ["1"]);
}

#[tokio::test]
async fn a_page_costs_a_few_imap_commands_whatever_the_folder_size() {
    // Plain IMAP through a recording proxy, so the commands can be read on the wire.
    let (proxy, app) = crate::chaos::signed_in_behind_recorder().await;
    seed_numbered(&app, 300).await;
    for path in ["/mail/INBOX", "/mail/INBOX?page=2", "/mail/INBOX?page=6"] {
        proxy.clear();
        let (status, _) = app.page(path).await;
        assert_eq!(status, StatusCode::OK);
        let commands = proxy.commands();
        // LIST, SELECT, SORT (first page only), the rows' FETCH, and the partial FETCH of
        // their text parts for the snippets (one per distinct section; all are `1` here).
        assert!(commands.len() <= 5, "{path}: {commands:?}");
        for c in &commands {
            assert!(
                !c.contains("BODY[]") && !c.contains("BODY.PEEK[]"),
                "no bodies: {c}"
            );
            if let Some(set) = c.strip_prefix("UID FETCH ") {
                let set = set.split(' ').next().unwrap();
                let count: usize = set
                    .split(',')
                    .map(|r| match r.split_once(':') {
                        Some((a, b)) => {
                            b.parse::<usize>().unwrap() - a.parse::<usize>().unwrap() + 1
                        }
                        None => 1,
                    })
                    .sum();
                assert!(count <= 50, "a page fetches at most 50 messages: {c}");
            }
        }
    }
    // The sorted order is remembered: the second page needs no new SORT.
    proxy.clear();
    app.page("/mail/INBOX?page=3").await;
    assert!(
        !proxy.commands().iter().any(|c| c.starts_with("UID SORT")),
        "{:?}",
        proxy.commands()
    );
    // A page shown before costs only fresh flags: its rows and snippets are remembered.
    proxy.clear();
    let (_, html) = app.page("/mail/INBOX?page=2").await;
    assert_eq!(texts(&html, "td.subject a").len(), 50);
    assert_eq!(
        proxy.commands()[1..],
        [
            "SELECT \"INBOX\" (CONDSTORE)".to_string(),
            "UID FETCH 201:250 (UID FLAGS)".to_string()
        ]
    );
}

#[tokio::test]
async fn new_mail_extends_the_shared_order_and_anything_else_sorts_again() {
    let (proxy, app) = crate::chaos::signed_in_behind_recorder().await;
    seed_numbered(&app, 60).await;
    let sorts = || {
        proxy
            .commands()
            .iter()
            .filter(|c| c.starts_with("UID SORT"))
            .count()
    };
    app.page("/mail/INBOX").await;
    assert_eq!(sorts(), 1);

    // New mail: put in front without sorting again.
    let mut imap = app.imap().await;
    for i in 61..=63 {
        let raw = message(
            "S <s@example.test>",
            &format!("Message {i:04}"),
            "Tue, 4 Mar 2025 08:00:00 +0000",
            "b",
        );
        imap.append("INBOX", &raw, None).await;
    }
    proxy.clear();
    let (_, html) = app.page("/mail/INBOX").await;
    assert_eq!(sorts(), 0, "{:?}", proxy.commands());
    assert!(proxy
        .commands()
        .iter()
        .any(|c| c.ends_with(",61:* (UID INTERNALDATE)")));
    let subjects = texts(&html, "td.subject a");
    assert_eq!(
        subjects[..4],
        [
            "Message 0063",
            "Message 0062",
            "Message 0061",
            "Message 0060"
        ]
    );

    // Another session of the same account (another browser) reuses the order.
    let other = TestApp {
        client: crate::helpers::browser(),
        base_url: app.base_url.clone(),
        user: app.user.clone(),
        state: app.state.clone(),
        metrics_url: None,
    };
    other.login().await;
    proxy.clear();
    let (_, html) = other.page("/mail/INBOX?page=2").await;
    assert_eq!(sorts(), 0, "{:?}", proxy.commands());
    assert_eq!(texts(&html, "td.subject a")[0], "Message 0013");

    // Old mail imported with its old date belongs further down: sorted again, not put first.
    let raw = message(
        "S <s@example.test>",
        "Imported",
        "Tue, 4 Mar 2020 08:00:00 +0000",
        "b",
    );
    imap.append_dated("INBOX", &raw, "04-Mar-2020 08:00:00 +0000")
        .await;
    proxy.clear();
    let (_, html) = app.page("/mail/INBOX").await;
    assert_eq!(sorts(), 1, "{:?}", proxy.commands());
    assert_eq!(texts(&html, "td.subject a")[0], "Message 0063");
    let (_, last) = app.page("/mail/INBOX?page=2").await;
    assert_eq!(texts(&last, "td.subject a").last().unwrap(), "Imported");

    // An expunge: sorted again.
    let uids = imap.uids("INBOX").await;
    imap.select_and_store("INBOX", uids[0], "+FLAGS (\\Deleted)")
        .await;
    imap.expunge().await;
    proxy.clear();
    let (_, html) = app.page("/mail/INBOX?page=2").await;
    assert_eq!(sorts(), 1, "{:?}", proxy.commands());
    let mut expected: Vec<String> = (2..=13).rev().map(|i| format!("Message {i:04}")).collect();
    expected.push("Imported".into());
    assert_eq!(texts(&html, "td.subject a"), expected);
}

#[tokio::test]
async fn without_sort_list_status_or_special_use_the_fallbacks_give_the_same_pages() {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let mut config = test_config(&format!("imap://127.0.0.1:{}?tls=none", proxy.port));
    config.imap_disabled_caps = ["SORT", "LIST-STATUS", "SPECIAL-USE", "CONDSTORE"]
        .map(String::from)
        .to_vec();
    let app = spawn_app_with(config).await;
    app.login().await;
    seed_numbered(&app, 120).await;
    proxy.clear();
    let (status, html) = app.page("/mail/INBOX?page=2").await;
    assert_eq!(status, StatusCode::OK);
    let subjects = texts(&html, "td.subject a");
    assert_eq!(subjects.len(), 50);
    assert_eq!(
        (subjects[0].as_str(), subjects[49].as_str()),
        ("Message 0070", "Message 0021")
    );
    // Folder roles are guessed from their names; counts come from STATUS.
    assert_eq!(
        &texts(&html, ".folders .folder-name")[..3],
        ["Inbox", "Drafts", "Sent"]
    );
    let commands = proxy.commands();
    assert!(
        !commands
            .iter()
            .any(|c| c.contains("SORT") || c.contains("RETURN")),
        "{commands:?}"
    );
    assert!(
        commands.iter().any(|c| c.starts_with("FETCH 21:70 ")),
        "{commands:?}"
    );
    let (_, html) = app.page("/mail/INBOX?page=3").await;
    let subjects = texts(&html, "td.subject a");
    assert_eq!(
        (subjects.len(), subjects[19].as_str()),
        (20, "Message 0001")
    );
}

#[tokio::test]
async fn a_sender_name_posing_as_another_address_shows_the_real_address() {
    let app = spawn_app().await;
    app.login().await;
    let raw = message(
        "\"seguranca@banco.example\" <golpe@evil.example>",
        "Confirme seus dados",
        "Tue, 4 Mar 2025 08:00:00 +0000",
        "x",
    );
    app.imap().await.append("INBOX", &raw, None).await;
    let (_, html) = app.page("/mail/INBOX").await;
    assert_eq!(
        texts(&html, "td.who"),
        ["seguranca@banco.example <golpe@evil.example>"]
    );
}

#[tokio::test]
async fn a_look_alike_domain_is_shown_in_ascii_and_flagged_but_a_real_idn_is_not() {
    let app = spawn_app().await;
    app.login().await;
    let mut imap = app.imap().await;
    // A Cyrillic "а" in "pаypal", sent as raw UTF-8 (RFC 6532).
    let fake = message(
        "PayPal <suporte@p\u{0430}ypal.com>",
        "Sua conta",
        "Tue, 4 Mar 2025 08:00:00 +0000",
        "x",
    );
    imap.append("INBOX", &fake, None).await;
    let real = message(
        "Padaria <contato@p\u{00E3}o.com.br>",
        "Pão quentinho",
        "Tue, 4 Mar 2025 09:00:00 +0000",
        "x",
    );
    imap.append("INBOX", &real, None).await;
    let (_, html) = app.page("/mail/INBOX").await;
    assert_eq!(
        texts(&html, "td.who"),
        ["Padaria", "PayPal <suporte@xn--pypal-4ve.com>"]
    );
    let links = crate::helpers::attrs(&html, "td.subject a", "href");
    let (_, real_page) = app.page(&links[0]).await;
    assert!(texts(&real_page, ".lookalike").is_empty());
    assert_eq!(
        texts(&real_page, ".from .idn"),
        ["(contato@xn--po-sia.com.br)"]
    );
    let (_, fake_page) = app.page(&links[1]).await;
    assert_eq!(texts(&fake_page, ".from .lookalike").len(), 1);
    assert_eq!(
        texts(&fake_page, ".from .idn"),
        ["(suporte@xn--pypal-4ve.com)"]
    );
}
