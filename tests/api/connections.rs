//! How many IMAP connections Carteiro holds, counted where it matters: on Dovecot's side
//! (`doveadm who`). A session holds one connection while in use, none once it has idled; all
//! sessions together stay under `max_imap_connections`, idle connections being reclaimed for
//! busy sessions, and a request that finds every connection busy gets a clear "busy" page.

use std::time::Duration;

use reqwest::StatusCode;

use crate::chaos::ChaosProxy;
use crate::helpers::{
    browser, config_with_metrics, fresh_user, message, server_connections,
    server_connections_become, spawn_app_with, test_config, texts, Imap, TestApp, TEST_PASSWORD,
};

/// Puts one message in `user`'s INBOX and waits until the seeding connection has gone from
/// the server, so that the counts that follow are Carteiro's alone.
async fn seed(user: &str, subject: &str) {
    let mut imap = Imap::connect(user).await;
    imap.append(
        "INBOX",
        &message(
            "a@example.test",
            subject,
            "Tue, 11 Mar 2025 10:00:00 +0000",
            "x",
        ),
        None,
    )
    .await;
    drop(imap);
    assert_eq!(server_connections_become(user, 0).await, 0);
}

async fn inbox_subjects(app: &TestApp) -> Vec<String> {
    let (status, html) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    texts(&html, "td.subject a")
}

async fn login_client(app: &TestApp, user: &str) -> (reqwest::Client, StatusCode, String) {
    let client = browser();
    let response = client
        .post(app.url("/login"))
        .form(&[("username", user), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    let status = response.status();
    (client, status, response.text().await.unwrap())
}

#[tokio::test]
async fn an_unused_imap_connection_is_logged_out_and_the_session_reconnects_on_its_next_request() {
    let mut config = config_with_metrics();
    config.imap_idle_timeout = Duration::from_secs(1);
    let app = spawn_app_with(config).await;
    seed(&app.user, "Depois da pausa").await;
    app.login().await;
    assert_eq!(inbox_subjects(&app).await, ["Depois da pausa"]);
    assert_eq!(
        server_connections(&app.user),
        1,
        "one connection while in use"
    );

    assert_eq!(
        server_connections_become(&app.user, 0).await,
        0,
        "the idle connection was logged out on the server"
    );
    assert!(app
        .metrics()
        .await
        .contains("carteiro_imap_connections_released_total{reason=\"idle\"} 1"));

    // The session itself is still signed in and reconnects by itself.
    assert_eq!(inbox_subjects(&app).await, ["Depois da pausa"]);
    assert_eq!(server_connections(&app.user), 1);
}

#[tokio::test]
async fn many_requests_of_one_session_at_once_share_its_one_imap_connection() {
    let app = spawn_app_with(test_config("imap://localhost:143")).await;
    seed(&app.user, "Só uma").await;
    app.login().await;
    let pages = (0..20).map(|i| {
        let app = &app;
        async move {
            let path = if i % 2 == 0 {
                "/mail/INBOX".to_string()
            } else {
                "/mail/INBOX/1".to_string()
            };
            app.get(&path).await.status()
        }
    });
    let watch = async {
        let mut peak = 0;
        for _ in 0..10 {
            peak = peak.max(server_connections(&app.user));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        peak
    };
    let (statuses, peak) = tokio::join!(futures::future::join_all(pages), watch);
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(peak.max(server_connections(&app.user)), 1);
}

#[tokio::test]
async fn at_the_connection_limit_an_idle_session_gives_its_connection_to_a_busy_one() {
    let mut config = config_with_metrics();
    config.max_imap_connections = 1;
    let app = spawn_app_with(config).await;
    let other = fresh_user("second");
    seed(&app.user, "Primeira").await;
    seed(&other, "Segunda").await;
    app.login().await;
    assert_eq!(inbox_subjects(&app).await, ["Primeira"]);

    // The first session is idle: its connection is reclaimed for the second's login.
    let (second, status, _) = login_client(&app, &other).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(server_connections_become(&app.user, 0).await, 0);
    assert_eq!(server_connections(&other), 1);

    // And back again: both sessions live on, never more than one connection between them.
    assert_eq!(inbox_subjects(&app).await, ["Primeira"]);
    assert_eq!(server_connections_become(&other, 0).await, 0);
    assert_eq!(server_connections(&app.user), 1);
    let response = second.get(app.url("/mail/INBOX")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Segunda"));
    assert_eq!(server_connections_become(&app.user, 0).await, 0);
    assert_eq!(server_connections(&other), 1);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("carteiro_imap_connections_released_total{reason=\"reclaimed\"} 3"),
        "{metrics}"
    );
}

#[tokio::test]
async fn when_every_connection_is_busy_a_login_and_a_request_get_a_clear_busy_page() {
    // Plain IMAP through a proxy that can hold a command under way; one connection in all.
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let mut config = test_config(&format!("imap://127.0.0.1:{}?tls=none", proxy.port));
    config.max_imap_connections = 1;
    let app = spawn_app_with(config).await;
    let other = fresh_user("second");
    seed(&app.user, "Ocupada").await;
    seed(&other, "Esperando").await;
    app.login().await;
    let (second, status, _) = login_client(&app, &other).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "reclaimed from the idle first"
    );

    // The second session's connection is now mid-command, and stays so.
    proxy.hold();
    let stuck = tokio::spawn({
        let url = app.url("/mail/INBOX");
        let second = second.clone();
        async move { second.get(url).send().await.unwrap().status() }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;

    let response = app.get("/mail/INBOX").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = response.text().await.unwrap();
    assert!(body.contains("very busy"), "{body}");
    let (_, status, body) = login_client(&app, &fresh_user("third")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("very busy"), "{body}");

    // Once the command completes, the connection is idle again and can be reclaimed.
    proxy.release();
    assert_eq!(stuck.await.unwrap(), StatusCode::OK);
    assert_eq!(inbox_subjects(&app).await, ["Ocupada"]);
    assert_eq!(server_connections_become(&other, 0).await, 0);
    assert_eq!(server_connections(&app.user), 1);
}
