//! Upstream TLS: certificates are verified unless the admin explicitly says otherwise.

use reqwest::StatusCode;

use crate::compose::{form, post_compose};
use crate::helpers::{spawn_app_with, test_config, Imap, TEST_PASSWORD};

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_refused_and_accepted_once_its_ca_is_configured() {
    // The local stack's certificate is signed by a private CA, unknown to the web PKI roots.
    let mut config = test_config("imaps://localhost:993");
    config.tls_ca_file = None;
    let app = spawn_app_with(config).await;
    let response = app.login_as(&app.user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().get("set-cookie").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("cannot be reached"), "{html}");

    let app = spawn_app_with(test_config("imaps://localhost:993")).await;
    app.login().await;
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_insecure_setting_reads_and_sends_mail_without_the_ca() {
    let mut config = test_config("imaps://localhost:993");
    config.tls_ca_file = None;
    config.tls_insecure = true;
    config.smtp = carteiro::upstream::parse_smtp_url("smtps://localhost:465").unwrap();
    let app = spawn_app_with(config).await;
    app.login().await;
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    let bob = crate::helpers::fresh_user("bob");
    let csrf = app.csrf_token().await;
    let fields = [
        ("to", bob.as_str()),
        ("subject", "Sem verificação"),
        ("body", "x"),
        ("action", "send"),
    ];
    let response = post_compose(&app, form(&csrf, &fields, &[])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mut imap = Imap::connect(&bob).await;
    assert_eq!(imap.wait_for("INBOX", 1).await.len(), 1);
}
