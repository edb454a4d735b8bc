//! Preferences (theme, page size, images from known senders) stored on the
//! real Dovecot with METADATA, and the layout they and the list feed: the list pane beside an
//! open message, with the person's place kept.

use reqwest::StatusCode;

use crate::compose::{form, post_compose};
use crate::helpers::{attrs, first_attr, message, spawn_app, texts, Imap, TestApp, TEST_PASSWORD};

const THEME: &str = "/private/vendor/carteiro/theme";
const PAGE_SIZE: &str = "/private/vendor/carteiro/page-size";
const KNOWN_IMAGES: &str = "/private/vendor/carteiro/images-from-known-senders";

async fn save(app: &TestApp, fields: &[(&str, &str)]) {
    let csrf = app.csrf_token().await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = app.post_form("/settings", &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "settings saved");
}

async fn seed(app: &TestApp, count: usize) {
    let mut imap = Imap::connect(&app.user).await;
    for i in 1..=count {
        let raw = message(
            &format!("Sender {i} <s{i}@example.test>"),
            &format!("Message {i:03}"),
            &format!("Mon, 2 Nov 2026 10:{:02}:{:02} +0000", i / 60, i % 60),
            "body",
        );
        imap.append("INBOX", &raw, None).await;
    }
}

#[tokio::test]
async fn preferences_are_stored_on_the_server_and_follow_the_person_to_a_new_login() {
    let app = spawn_app().await;
    app.login().await;
    let (_, html) = app.page("/settings").await;
    assert_eq!(
        first_attr(&html, "#theme option[selected]", "value").as_deref(),
        Some("auto")
    );
    assert_eq!(
        first_attr(&html, "#page_size option[selected]", "value").as_deref(),
        Some("50")
    );
    assert_eq!(first_attr(&html, "html", "data-theme"), None);

    save(
        &app,
        &[
            ("theme", "dark"),
            ("page_size", "25"),
            ("known_images", "yes"),
        ],
    )
    .await;
    let mut imap = app.imap().await;
    assert_eq!(imap.setting(THEME).await.as_deref(), Some("dark"));
    assert_eq!(imap.setting(PAGE_SIZE).await.as_deref(), Some("25"));
    assert_eq!(imap.setting(KNOWN_IMAGES).await.as_deref(), Some("yes"));

    // Every page of this session, and of a new login anywhere, uses them.
    let (_, html) = app.page("/mail/INBOX").await;
    assert_eq!(
        first_attr(&html, "html", "data-theme").as_deref(),
        Some("dark")
    );
    let elsewhere = spawn_app().await;
    let response = elsewhere.login_as(&app.user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = elsewhere.page("/settings").await;
    assert_eq!(
        first_attr(&html, "html", "data-theme").as_deref(),
        Some("dark")
    );
    assert_eq!(
        first_attr(&html, "#page_size option[selected]", "value").as_deref(),
        Some("25")
    );
    assert_eq!(attrs(&html, "#known_images[checked]", "value"), ["yes"]);

    // Unchecking the box and going back to the defaults removes the entries: nothing
    // stored means the defaults.
    save(&elsewhere, &[("theme", "auto"), ("page_size", "50")]).await;
    let mut imap = app.imap().await;
    for entry in [THEME, PAGE_SIZE, KNOWN_IMAGES] {
        assert_eq!(imap.setting(entry).await, None, "{entry} removed");
    }
    // Values that are not offered are not stored.
    save(&elsewhere, &[("theme", "neon"), ("page_size", "100000")]).await;
    assert_eq!(imap.setting(THEME).await, None);
    assert_eq!(imap.setting(PAGE_SIZE).await, None);
}

#[tokio::test]
async fn the_page_size_sets_how_many_messages_a_page_lists() {
    let app = spawn_app().await;
    seed(&app, 30).await;
    app.login().await;
    let (_, html) = app.page("/mail/INBOX").await;
    assert_eq!(texts(&html, "td.subject a").len(), 30);
    save(&app, &[("theme", "auto"), ("page_size", "25")]).await;
    let (_, html) = app.page("/mail/INBOX").await;
    let subjects = texts(&html, "td.subject a");
    assert_eq!(subjects.len(), 25);
    assert_eq!(subjects[0], "Message 030", "newest first");
    let (_, html) = app.page("/mail/INBOX?page=2").await;
    assert_eq!(
        texts(&html, "td.subject a"),
        [
            "Message 005",
            "Message 004",
            "Message 003",
            "Message 002",
            "Message 001"
        ]
    );
}

#[tokio::test]
async fn the_display_name_goes_into_the_from_of_sent_mail() {
    let app = spawn_app().await;
    app.login().await;
    let recipient = crate::helpers::fresh_user("rcpt");
    // The name is the default identity's, edited on the Identities page.
    let csrf = app.csrf_token().await;
    let response = app
        .post_form(
            "/settings/identities",
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("id", "default"),
                ("name", "  Ana\r\nJúlia "),
                ("address", &app.user),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("to", &recipient),
                ("subject", "Com nome"),
                ("body", "Oi"),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let mut inbox = Imap::connect(&recipient).await;
    let uids = inbox.wait_for("INBOX", 1).await;
    let raw = String::from_utf8_lossy(&inbox.raw("INBOX", uids[0]).await).to_string();
    let from = raw
        .lines()
        .find(|l| l.starts_with("From:"))
        .unwrap_or_default()
        .to_string();
    assert!(
        from.contains(&format!("<{}>", app.user)),
        "the address stays the login: {from}"
    );
    // Encoded as the header needs (non-ASCII), and readable again as the name.
    let parsed = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .unwrap();
    let sender = parsed.from().and_then(|a| a.first()).unwrap();
    assert_eq!(sender.name(), Some("Ana Júlia"));
}

/// An HTML message with one remote image, from `from`.
fn with_remote_image(from: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: someone@example.test\r\nSubject: {subject}\r\n\
Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{}@test.carteiro>\r\nMIME-Version: 1.0\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n<p>Hi <img src=\"https://images.example/x.png\" alt=\"x\"></p>\r\n",
        crate::helpers::rand_u32()
    )
    .into_bytes()
}

#[tokio::test]
async fn images_show_by_themselves_only_for_people_written_to_when_chosen() {
    let app = spawn_app().await;
    let mut imap = Imap::connect(&app.user).await;
    // Someone the person wrote to (a copy in Sent), and a stranger.
    let sent = format!(
        "From: {}\r\nTo: Friend <friend@example.test>\r\nSubject: earlier\r\n\
Date: Sun, 1 Nov 2026 10:00:00 +0000\r\nMessage-ID: <sent{}@test.carteiro>\r\n\r\nhello\r\n",
        app.user,
        crate::helpers::rand_u32()
    );
    imap.append("Sent", sent.as_bytes(), Some("(\\Seen)")).await;
    imap.append(
        "INBOX",
        &with_remote_image("Friend <friend@example.test>", "from a friend"),
        None,
    )
    .await;
    imap.append(
        "INBOX",
        &with_remote_image("Stranger <stranger@example.test>", "from a stranger"),
        None,
    )
    .await;
    let uids = imap.uids("INBOX").await;
    let (friend, stranger) = (uids[0], uids[1]);
    app.login().await;

    let frame = |html: &scraper::Html| first_attr(html, "iframe.html-body", "src").unwrap();
    // Off (the default): both ask.
    for uid in [friend, stranger] {
        let (_, html) = app.page(&format!("/mail/INBOX/{uid}")).await;
        assert!(!frame(&html).contains("images=1"));
        assert_eq!(texts(&html, ".remote-blocked a.show-images").len(), 1);
    }
    save(&app, &[("theme", "auto"), ("known_images", "yes")]).await;
    let (_, html) = app.page(&format!("/mail/INBOX/{friend}")).await;
    assert!(
        frame(&html).ends_with("images=1"),
        "a known sender's images show"
    );
    assert!(texts(&html, ".remote-blocked").is_empty());
    let (_, html) = app.page(&format!("/mail/INBOX/{stranger}")).await;
    assert!(!frame(&html).contains("images=1"), "a stranger's still ask");
    assert_eq!(texts(&html, ".remote-blocked a.show-images").len(), 1);
}

#[tokio::test]
async fn an_open_message_shows_beside_the_list_it_was_opened_from() {
    let app = spawn_app().await;
    seed(&app, 60).await;
    app.login().await;
    // The second page's links carry the page, so the list beside the message is that page.
    let (_, html) = app.page("/mail/INBOX?page=2").await;
    let links = attrs(&html, "td.subject a", "href");
    assert_eq!(links.len(), 10);
    assert!(links[0].ends_with("?page=2"), "{}", links[0]);
    let (status, html) = app.page(&links[0]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        texts(&html, "h1"),
        ["Message 010"],
        "the message is the page's heading"
    );
    assert_eq!(texts(&html, ".list-pane h2.list-title"), ["Inbox"]);
    assert_eq!(texts(&html, ".list-pane td.subject a").len(), 10);
    assert_eq!(
        texts(&html, ".list-pane tr.current td.subject a"),
        ["Message 010"],
        "the open message is marked in the list"
    );
    assert_eq!(
        attrs(&html, ".list-pane tr[aria-current]", "class").len(),
        1
    );
    // "Back" returns to the same page of the list.
    assert!(first_attr(&html, "a.back-link", "href")
        .unwrap()
        .ends_with("/mail/INBOX?page=2"));
    // An action that takes the message away returns to that same page of the list.
    let back = first_attr(&html, "#reader form.toolbar input[name=back]", "value").unwrap();
    assert!(back.ends_with("?page=2"), "{back}");
    let csrf = first_attr(&html, "#reader form.toolbar input[name=csrf]", "value").unwrap();
    let uid = first_attr(&html, "#reader form.toolbar input[name=uid]", "value").unwrap();
    let response = app
        .post_form(
            "/mail/INBOX/actions",
            &[
                ("csrf", &csrf),
                ("uid", &uid),
                ("back", &back),
                ("action", "archive"),
            ],
        )
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("/mail/INBOX?page=2&done="),
        "{location}"
    );
    // The first page's links stay plain, bookmarkable URLs.
    let (_, html) = app.page("/mail/INBOX").await;
    assert!(attrs(&html, "td.subject a", "href")
        .iter()
        .all(|h| !h.contains('?')));
    // No duplicate ids with both panes on one page.
    let ids = attrs(&html, "[id]", "id");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len());
    let (_, html) = app.page(&links[1]).await;
    let ids = attrs(&html, "[id]", "id");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
}
