use reqwest::StatusCode;

use crate::chaos::ChaosProxy;
use crate::helpers::{message, spawn_app_with, test_config, texts, TEST_PASSWORD};

/// Carteiro talks STARTTLS to Dovecot through the proxy (TLS is end to end; the name on the
/// certificate is `localhost`).
async fn app_behind_proxy() -> (ChaosProxy, crate::helpers::TestApp) {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let app = spawn_app_with(test_config(&format!("imap://localhost:{}", proxy.port))).await;
    (proxy, app)
}

#[tokio::test]
async fn mail_server_down_at_login_gives_a_clear_503_then_login_works_once_it_is_back() {
    let (proxy, app) = app_behind_proxy().await;
    proxy.go_down();
    let response = app.login_as(&app.user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().get("set-cookie").is_none());
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    let alert = texts(&html, "[role=alert]").join(" ");
    assert!(alert.contains("cannot be reached"), "{alert}");
    proxy.come_back();
    let response = app.login_as(&app.user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn mail_server_lost_mid_session_gives_a_503_page_then_the_session_recovers() {
    let (proxy, app) = app_behind_proxy().await;
    app.login().await;
    app.imap()
        .await
        .append(
            "INBOX",
            &message(
                "a@example.test",
                "Ainda aqui",
                "Tue, 11 Mar 2025 10:00:00 +0000",
                "x",
            ),
            None,
        )
        .await;
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);

    proxy.go_down();
    let (status, html) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(texts(&html, "h1"), ["Mail server unavailable"]);
    assert!(texts(&html, ".error-message")[0].contains("Your mail is safe"));
    let (status, _) = app.page("/mail/INBOX/1").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);

    proxy.come_back();
    let (status, html) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK, "the session reconnects by itself");
    assert_eq!(texts(&html, "td.subject a"), ["Ainda aqui"]);
}

#[tokio::test]
async fn an_unreachable_server_at_start_up_does_not_stop_carteiro() {
    // Nothing listens on this port; the app still starts and serves its login page.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let app = spawn_app_with(test_config(&format!("imap://127.0.0.1:{port}?tls=none"))).await;
    let (status, _) = app.page("/login").await;
    assert_eq!(status, StatusCode::OK);
    let response = app.login_as(&app.user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn an_idle_session_expires_and_its_imap_connection_logs_out() {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let mut config = test_config(&format!("imap://127.0.0.1:{}?tls=none", proxy.port));
    config.session_idle_timeout = std::time::Duration::from_secs(1);
    let app = spawn_app_with(config).await;
    app.login().await;
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    app.state.sessions.housekeeping().await;
    assert!(
        proxy
            .saw_within("LOGOUT", std::time::Duration::from_millis(2500))
            .await,
        "the IMAP connection was logged out: {:?}",
        proxy.commands()
    );
    let response = app.get("/mail/INBOX").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
}

#[tokio::test]
async fn a_session_in_constant_use_still_ends_at_its_maximum_age() {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let mut config = test_config(&format!("imap://127.0.0.1:{}?tls=none", proxy.port));
    config.session_max_age = std::time::Duration::from_secs(3);
    let app = spawn_app_with(config).await;
    app.login().await;
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK, "young session works");
    // Used every 300 ms, so it never idles; it must still end after its 3 s lifetime.
    let mut ended = None;
    for attempt in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let response = app.get("/mail/INBOX").await;
        if response.status() == StatusCode::SEE_OTHER {
            ended = Some((attempt, response));
            break;
        }
    }
    let (attempt, response) = ended.expect("the session ended");
    assert!(
        attempt >= 5,
        "not before its maximum age (attempt {attempt})"
    );
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    assert!(
        proxy
            .saw_within("LOGOUT", std::time::Duration::from_millis(2500))
            .await,
        "the IMAP connection was logged out: {:?}",
        proxy.commands()
    );
}
