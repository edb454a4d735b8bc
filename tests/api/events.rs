//! Live updates: `/events` streams the inbox's (and the shown folder's) counts from the real
//! Dovecot, sends a new event when mail arrives, is neither compressed nor cached, refuses a
//! visitor without a session, and ends when the session does.

use std::time::Duration;

use futures::StreamExt;
use reqwest::StatusCode;

use crate::helpers::{message, spawn_app_with, test_config, TestApp};

/// An app whose pages ask the server every second, so tests need not wait long.
async fn live_app() -> TestApp {
    let mut config = test_config("imap://localhost:143");
    config.live_updates_every = Duration::from_secs(1);
    spawn_app_with(config).await
}

/// Reads a live-update stream event by event.
pub struct Events {
    body: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: String,
}

impl Events {
    pub fn new(response: reqwest::Response) -> Events {
        Events {
            body: response.bytes_stream().boxed(),
            buffer: String::new(),
        }
    }

    /// The next `folder` event's data, or `None` when the stream ended. Bounded: no event
    /// within 30 s (keep-alive comments do not count) fails the test.
    pub async fn next(&mut self) -> Option<serde_json::Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = "";
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if name == "folder" {
                    return Some(serde_json::from_str(&data).expect("JSON data"));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next())
                .await
                .expect("an event (or the end of the stream) within 30 s");
            match chunk {
                Some(Ok(bytes)) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// The next event about `folder`.
    pub async fn next_for(&mut self, folder: &str) -> serde_json::Value {
        loop {
            let event = self.next().await.expect("the stream goes on");
            if event["folder"] == folder {
                return event;
            }
        }
    }
}

async fn open_events(app: &TestApp, query: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/events{query}")))
        .header("accept", "text/event-stream")
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .expect("GET /events")
}

#[tokio::test]
async fn new_mail_in_the_inbox_arrives_as_an_event_with_the_new_counts() {
    let app = live_app().await;
    app.login().await;
    let mut imap = app.imap().await;
    imap.create("Projetos").await;
    // The page selected INBOX on the session's connection, where STATUS answers only what
    // the connection last saw unless it looks again.
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    let response = open_events(&app, "?folder=Projetos").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["x-accel-buffering"], "no");
    assert!(
        headers.get("content-encoding").is_none(),
        "a compressed stream is held back: {headers:?}"
    );
    let mut events = Events::new(response);
    // Where things stand, at once: both folders, empty.
    let mut first = [events.next().await.unwrap(), events.next().await.unwrap()];
    first.sort_by_key(|e| e["folder"].as_str().unwrap_or_default().to_string());
    assert_eq!(first[0]["folder"], "INBOX");
    assert_eq!(first[0]["messages"], 0);
    assert_eq!(first[1]["folder"], "Projetos");

    imap.append(
        "INBOX",
        &message(
            "ana@example.test",
            "Chegou",
            "Tue, 4 Mar 2025 08:00:00 +0000",
            "b",
        ),
        None,
    )
    .await;
    let event = events.next_for("INBOX").await;
    assert_eq!(event["messages"], 1, "{event}");
    assert_eq!(event["unseen"], 1, "{event}");
    assert_eq!(event["uidnext"], 2, "{event}");

    // Mail in the folder the page shows is told too.
    imap.append(
        "Projetos",
        &message(
            "b@example.test",
            "Obra",
            "Tue, 4 Mar 2025 08:00:00 +0000",
            "b",
        ),
        Some("(\\Seen)"),
    )
    .await;
    let event = events.next_for("Projetos").await;
    assert_eq!(event["messages"], 1, "{event}");
    assert_eq!(event["unseen"], 0, "{event}");
}

#[tokio::test]
async fn a_visitor_without_a_session_gets_the_sign_in_redirect_and_no_stream() {
    let app = live_app().await;
    let response = open_events(&app, "").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .contains("/login"));
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(!content_type.contains("event-stream"), "{content_type}");
}

#[tokio::test]
async fn the_stream_ends_when_the_session_is_signed_out() {
    let app = live_app().await;
    app.login().await;
    let response = open_events(&app, "").await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut events = Events::new(response);
    assert_eq!(events.next().await.unwrap()["folder"], "INBOX");
    let csrf = app.csrf_token().await;
    let signed_out = app.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    let ended = events.next().await;
    assert!(ended.is_none(), "no event after the sign-out: {ended:?}");
}
