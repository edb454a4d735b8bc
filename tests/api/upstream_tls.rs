//! Upstream TLS: certificates are verified unless the admin explicitly says otherwise.

use std::path::PathBuf;
use std::sync::Arc;

use carteiro::metrics::Metrics;
use carteiro::smtp::{SendError, Submitter};
use lettre::address::Envelope;
use reqwest::StatusCode;
use secrecy::SecretString;

use crate::compose::{form, post_compose};
use crate::helpers::{fresh_user, spawn_app_with, stack_dir, test_config, Imap, TEST_PASSWORD};

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

/// The submission servers of the stack on 10465 (implicit TLS) and 10587 (STARTTLS), which
/// present a certificate made by `openssl req -x509` (CA:TRUE): webpki refuses it as a
/// server's own however it is trusted, so only pinning it makes it usable.
const SELF_SIGNED_SUBMISSION: [&str; 2] = ["smtps://localhost:10465", "smtp://localhost:10587"];

/// What an admin puts in `tls_ca_file` for such a server: the CA of the other servers (the
/// stack's IMAP) and exactly the submission server's certificate.
fn trust_file_with_pinned_submission() -> PathBuf {
    let mut pem = std::fs::read(stack_dir().join("ca.pem")).expect("the stack's CA");
    pem.extend(
        std::fs::read(stack_dir().join("selfsigned.pem"))
            .expect("the self-signed submission certificate (scripts/mailstack.sh up makes it)"),
    );
    let path = std::env::temp_dir().join(format!(
        "carteiro-smtp-pin-{}-{}.pem",
        std::process::id(),
        fresh_user("pin")
    ));
    std::fs::write(&path, pem).expect("trust file written");
    path
}

#[tokio::test]
async fn a_self_signed_submission_server_is_used_once_its_certificate_is_pinned() {
    let trust = trust_file_with_pinned_submission();
    for url in SELF_SIGNED_SUBMISSION {
        let mut config = test_config("imaps://localhost:993");
        config.tls_ca_file = Some(trust.clone());
        config.smtp = carteiro::upstream::parse_smtp_url(url).unwrap();
        let app = spawn_app_with(config).await;
        app.login().await;
        let bob = fresh_user("bob");
        let csrf = app.csrf_token().await;
        let fields = [
            ("to", bob.as_str()),
            ("subject", "Certificado fixado"),
            ("body", "x"),
            ("action", "send"),
        ];
        let response = post_compose(&app, form(&csrf, &fields, &[])).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sent through {url}"
        );
        let mut imap = Imap::connect(&bob).await;
        assert_eq!(
            imap.wait_for("INBOX", 1).await.len(),
            1,
            "arrived via {url}"
        );
    }
    let _ = std::fs::remove_file(trust);
}

#[tokio::test]
async fn an_unpinned_self_signed_submission_server_is_refused_with_the_real_cause() {
    for url in SELF_SIGNED_SUBMISSION {
        // The stack's CA only: right for IMAP, not for this submission server.
        let mut config = test_config("imaps://localhost:993");
        config.smtp = carteiro::upstream::parse_smtp_url(url).unwrap();
        let submitter = Submitter::new(&config, Arc::new(Metrics::new())).expect("submitter");
        let sender = fresh_user("alice");
        let envelope = Envelope::new(
            Some(sender.parse().unwrap()),
            vec!["bob@example.test".parse().unwrap()],
        )
        .unwrap();
        let password = SecretString::from(TEST_PASSWORD.to_string());
        let refused = submitter
            .send(&sender, &password, &envelope, b"Subject: x\r\n\r\nx\r\n")
            .await;
        let Err(SendError::Unavailable(why)) = refused else {
            panic!("{url}: expected a TLS refusal, got {refused:?}");
        };
        // The hint names the cause (a CA certificate used as the server's own) and the fix
        // (pinning), not the option that is already set to no avail.
        assert!(why.contains("CA:TRUE"), "{url}: {why}");
        assert!(why.contains("pin"), "{url}: {why}");
    }
}
