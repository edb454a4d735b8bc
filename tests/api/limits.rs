//! Request limits: slow clients, oversized bodies. Each ends with a clear answer (or, for a
//! client that never finishes its request head, a closed connection) and frees its resources.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{spawn_app, spawn_app_with, test_config, TestApp};

async fn app_with_short_client_timeout() -> TestApp {
    let mut config = test_config("imap://localhost:143");
    config.client_timeout = Duration::from_secs(1);
    spawn_app_with(config).await
}

fn address(app: &TestApp) -> String {
    app.base_url.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection; gives up (test failure) after 20 s.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut received))
        .await
        .expect("the server closed the connection")
        .ok();
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn a_request_head_that_never_ends_gets_the_connection_closed() {
    let app = app_with_short_client_timeout().await;
    let mut stream = TcpStream::connect(address(&app)).await.unwrap();
    // Slowloris: a request head sent in part, never finished.
    stream
        .write_all(b"GET /login HTTP/1.1\r\nHost: carteiro\r\nX-Slow: ")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(
        !answer.contains("200 OK"),
        "the unfinished request was not served: {answer}"
    );
    // The server is fine for everyone else.
    let (status, _) = app.page("/login").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let app = app_with_short_client_timeout().await;
    let mut stream = TcpStream::connect(address(&app)).await.unwrap();
    stream
        .write_all(b"GET /login HTTP/1.1\r\nHost: carteiro\r\n\r\n")
        .await
        .unwrap();
    // The page comes back, then the connection is dropped once idle.
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_a_408_page() {
    let app = app_with_short_client_timeout().await;
    let mut stream = TcpStream::connect(address(&app)).await.unwrap();
    stream
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: carteiro\r\n\
              Content-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 500\r\n\r\nusername=slow",
        )
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("stopped arriving"), "{answer}");
}

#[tokio::test]
async fn an_oversized_form_gets_a_413_page() {
    let app = spawn_app().await;
    let huge = "x".repeat(200 * 1024);
    let response = app
        .post_form("/login", &[("username", huge.as_str()), ("password", "p")])
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = response.text().await.unwrap();
    assert!(html.contains("Too large"), "{html}");
}
