//! Graceful shutdown, as on SIGTERM (`docker stop`): requests in flight get their answer, a
//! send under way is finished even when its browser has gone, and every IMAP session logs out.

use std::time::Duration;

use reqwest::StatusCode;

use crate::chaos::ChaosProxy;
use crate::compose::form;
use crate::helpers::{browser, spawn_stoppable_app, test_config, Imap, TestApp, TEST_PASSWORD};

/// IMAP in clear through a recording proxy (loopback only), so the test sees LOGOUT go out.
async fn config_through(imap: &ChaosProxy) -> carteiro::config::Config {
    test_config(&format!("imap://localhost:{}?tls=none", imap.port))
}

/// Submission through a proxy that holds back each piece the client sends for 200 ms, so a
/// send takes a couple of seconds (STARTTLS end to end; the certificate names localhost).
async fn slow_smtp(config: &mut carteiro::config::Config) -> ChaosProxy {
    let smtp = ChaosProxy::start_slow("127.0.0.1:587", Duration::from_millis(200)).await;
    config.smtp = carteiro::upstream::parse_smtp_url(&format!("smtp://localhost:{}", smtp.port))
        .expect("SMTP URL");
    smtp
}

/// Waits (bounded) until the SMTP proxy has seen the send begin.
async fn send_under_way(smtp: &ChaosProxy) {
    for _ in 0..100 {
        if smtp.saw_traffic() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the send never reached the SMTP server");
}

fn start_sending(
    app: &TestApp,
    csrf: String,
    subject: &'static str,
) -> tokio::task::JoinHandle<reqwest::Response> {
    let client = app.client.clone();
    let url = app.url("/compose");
    let to = app.user.clone();
    tokio::spawn(async move {
        client
            .post(url)
            .multipart(form(
                &csrf,
                &[
                    ("to", to.as_str()),
                    ("subject", subject),
                    ("body", "Enviada durante o desligamento."),
                    ("action", "send"),
                ],
                &[],
            ))
            .send()
            .await
            .expect("the POST gets an answer")
    })
}

#[tokio::test]
async fn shutdown_logs_every_imap_session_out() {
    let imap = ChaosProxy::start("127.0.0.1:143").await;
    let (app, server) = spawn_stoppable_app(config_through(&imap).await).await;
    app.login().await;
    let other = browser();
    let other_user = crate::helpers::fresh_user("other");
    let response = other
        .post(app.url("/login"))
        .form(&[
            ("username", other_user.as_str()),
            ("password", TEST_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/mail/INBOX").await.status(), StatusCode::OK);
    imap.clear();

    server.stop().await;
    let commands = imap.commands();
    let logouts = commands.iter().filter(|c| c.as_str() == "LOGOUT").count();
    assert_eq!(logouts, 2, "both sessions logged out: {commands:?}");
}

#[tokio::test]
async fn a_request_in_flight_when_the_server_is_told_to_stop_gets_its_answer() {
    let imap = ChaosProxy::start("127.0.0.1:143").await;
    let mut config = config_through(&imap).await;
    let smtp = slow_smtp(&mut config).await;
    let (app, server) = spawn_stoppable_app(config).await;
    app.login().await;
    let csrf = app.csrf_token().await;
    let sending = start_sending(&app, csrf, "Em voo");
    send_under_way(&smtp).await;

    server.stop().await;
    let response = sending.await.expect("request task");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/compose?sent=1");
    Imap::connect(&app.user).await.wait_for("INBOX", 1).await;
}

#[tokio::test]
async fn a_send_under_way_finishes_when_the_browser_leaves_and_the_server_stops() {
    let imap = ChaosProxy::start("127.0.0.1:143").await;
    let mut config = config_through(&imap).await;
    let smtp = slow_smtp(&mut config).await;
    let (app, server) = spawn_stoppable_app(config).await;
    app.login().await;
    let csrf = app.csrf_token().await;
    let sending = start_sending(&app, csrf, "Sem navegador");
    send_under_way(&smtp).await;
    // The browser goes away mid-send (the tab is closed): its connection is dropped.
    sending.abort();
    let _ = sending.await;
    imap.clear();

    server.stop().await;
    // The shutdown waited for the send: it was submitted and filed in Sent…
    let mut mailbox = Imap::connect(&app.user).await;
    assert_eq!(mailbox.uids("Sent").await.len(), 1, "filed in Sent");
    mailbox.wait_for("INBOX", 1).await;
    // …before the session logged out.
    let commands = imap.commands();
    let append = commands.iter().position(|c| c.starts_with("APPEND"));
    let logout = commands.iter().position(|c| c == "LOGOUT");
    assert!(
        matches!((append, logout), (Some(a), Some(l)) if a < l),
        "APPEND to Sent, then LOGOUT: {commands:?}"
    );
}
