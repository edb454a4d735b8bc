//! Settings on a server without METADATA: the test stack's Dovecot on 127.0.0.2 offers none
//! (scripts/mailstack.sh), so Carteiro keeps them in a private folder there. The same
//! mailboxes are reached with METADATA on 127.0.0.1, which shows that each address keeps its
//! own settings and that the folder stays hidden and unsubscribed.

use reqwest::StatusCode;
use scraper::Html;

use crate::helpers::{
    first_attr, spawn_app, spawn_app_with, test_config, texts, Imap, TestApp, TEST_PASSWORD,
};

const NO_METADATA: &str = "imap://127.0.0.2:143";
const FOLDER: &str = "Carteiro Settings";
const THEME: &str = "/private/vendor/carteiro/theme";

async fn save(app: &TestApp, fields: &[(&str, &str)]) {
    let csrf = app.csrf_token().await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = app.post_form("/settings", &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "settings saved");
}

async fn log_out(app: &TestApp) {
    let csrf = app.csrf_token().await;
    let response = app.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "signed out");
}

async fn log_in(app: &TestApp, user: &str) {
    let response = app.login_as(user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "signed in");
}

fn theme(html: &Html) -> Option<String> {
    first_attr(html, "#theme option[selected]", "value")
}

fn signature(html: &Html) -> String {
    texts(html, "#signature")
        .concat()
        .replace("\r\n", "\n")
        .trim()
        .to_string()
}

#[tokio::test]
async fn settings_saved_without_metadata_survive_a_new_login_in_a_hidden_folder() {
    let app = spawn_app_with(test_config(NO_METADATA)).await;
    app.login().await;
    let (_, html) = app.page("/settings").await;
    assert_eq!(theme(&html).as_deref(), Some("auto"), "defaults at first");

    let text = "-- \r\nJoão Conceição 😀\r\nlinha = 100%\r\n  fim";
    save(
        &app,
        &[("theme", "dark"), ("page_size", "25"), ("signature", text)],
    )
    .await;
    // A second save keeps one message in the folder: the older one is removed.
    save(
        &app,
        &[("theme", "dark"), ("page_size", "100"), ("signature", text)],
    )
    .await;
    log_out(&app).await;
    log_in(&app, &app.user).await;

    let (_, html) = app.page("/settings").await;
    assert_eq!(theme(&html).as_deref(), Some("dark"));
    assert_eq!(
        first_attr(&html, "#page_size option[selected]", "value").as_deref(),
        Some("100")
    );
    assert_eq!(signature(&html), text.replace("\r\n", "\n"));
    let (_, inbox) = app.page("/mail/INBOX").await;
    assert_eq!(
        first_attr(&inbox, "html", "data-theme").as_deref(),
        Some("dark")
    );

    let mut imap = Imap::connect(&app.user).await;
    assert!(imap.list().await.iter().any(|f| f == FOLDER));
    assert!(!imap
        .subscribed()
        .await
        .iter()
        .any(|f| f.contains("Carteiro")));
    assert_eq!(
        imap.uids(FOLDER).await.len(),
        1,
        "one message holds them all"
    );
    assert_eq!(imap.setting(THEME).await, None, "nothing went to METADATA");

    let body = app.get("/folders").await.text().await.expect("body");
    assert!(body.contains("Trash") || body.contains("Lixeira"));
    assert!(!body.contains(FOLDER), "the settings folder is hidden");
}

#[tokio::test]
async fn a_login_on_the_metadata_server_keeps_its_own_settings_apart() {
    let without = spawn_app_with(test_config(NO_METADATA)).await;
    without.login().await;
    save(
        &without,
        &[("theme", "dark"), ("signature", "sem metadata")],
    )
    .await;

    // The same mailbox through the address with METADATA: its settings are its own.
    let with = spawn_app().await;
    log_in(&with, &without.user).await;
    let (_, html) = with.page("/settings").await;
    assert_eq!(theme(&html).as_deref(), Some("auto"));
    assert_eq!(signature(&html), "");
    save(&with, &[("theme", "light"), ("signature", "com metadata")]).await;
    let mut imap = Imap::connect(&without.user).await;
    assert_eq!(imap.setting(THEME).await.as_deref(), Some("light"));

    log_out(&without).await;
    log_in(&without, &without.user).await;
    let (_, html) = without.page("/settings").await;
    assert_eq!(theme(&html).as_deref(), Some("dark"));
    assert_eq!(signature(&html), "sem metadata");
    let (_, html) = with.page("/settings").await;
    assert_eq!(signature(&html), "com metadata");
}

#[tokio::test]
async fn a_save_on_another_device_is_seen_by_a_session_already_open() {
    let first = spawn_app_with(test_config(NO_METADATA)).await;
    first.login().await;
    save(&first, &[("theme", "dark"), ("signature", "primeira")]).await;
    let (_, html) = first.page("/settings").await;
    assert_eq!(signature(&html), "primeira");

    let second = spawn_app_with(test_config(NO_METADATA)).await;
    log_in(&second, &first.user).await;
    let (_, html) = second.page("/settings").await;
    assert_eq!(theme(&html).as_deref(), Some("dark"), "read at login");
    save(&second, &[("theme", "dark"), ("signature", "segunda")]).await;

    let (_, html) = first.page("/settings").await;
    assert_eq!(signature(&html), "segunda", "not an old copy");
}
