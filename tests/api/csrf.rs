//! Every state-changing request refuses forgeries: no token, another session's token, and a
//! valid token sent cross-site (by `Sec-Fetch-Site` or by `Origin`). After every forgery the
//! mailbox, the folders, the settings and the session are exactly as before; the same
//! requests made properly do take effect, so the checks are not vacuous.

use reqwest::multipart::Form;
use reqwest::StatusCode;

use crate::helpers::{message, spawn_app, texts, TestApp};

/// How a forged request differs from a genuine one.
#[derive(Debug, Clone, Copy)]
enum Forgery {
    NoToken,
    ForeignToken,
    CrossSiteFetch,
    ForeignOrigin,
}

/// One state-changing request, as the pages would send it.
struct Change {
    path: &'static str,
    fields: Vec<(&'static str, String)>,
    multipart: bool,
}

fn changes(uid: u32, user: &str) -> Vec<Change> {
    let form = |path, fields: &[(&'static str, &str)]| Change {
        path,
        fields: fields.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        multipart: false,
    };
    let uid = uid.to_string();
    vec![
        form(
            "/mail/INBOX/actions",
            &[("uid", &uid), ("action", "delete"), ("confirm", "1")],
        ),
        form("/mail/INBOX/actions", &[("uid", &uid), ("action", "flag")]),
        form(
            "/mail/INBOX/actions",
            &[("uid", &uid), ("action", "move"), ("target", "Trash")],
        ),
        form("/folders", &[("action", "create"), ("new_name", "Forjada")]),
        form("/settings", &[("theme", "dark")]),
        form(
            "/settings/vacation",
            &[("enabled", "yes"), ("subject", "Forjada"), ("body", "x")],
        ),
        form(
            "/settings/filters/forward",
            &[("enabled", "yes"), ("to", "victim@example.test")],
        ),
        form(
            "/settings/identities",
            &[("action", "save"), ("name", "Forjada"), ("address", user)],
        ),
        Change {
            path: "/compose",
            fields: vec![
                ("to", "victim@example.test".into()),
                ("subject", "Forjada".into()),
                ("body", "x".into()),
                ("action", "save".into()),
            ],
            multipart: true,
        },
        form("/logout", &[]),
    ]
}

/// Sends `change` with `token`, altered as `forgery` says; `foreign` is a real token of
/// another session.
async fn send(
    app: &TestApp,
    change: &Change,
    token: &str,
    foreign: &str,
    forgery: Option<Forgery>,
) -> StatusCode {
    let mut request = app.client.post(app.url(change.path));
    let token = match forgery {
        Some(Forgery::NoToken) => None,
        Some(Forgery::ForeignToken) => Some(foreign.to_string()),
        _ => Some(token.to_string()),
    };
    match forgery {
        Some(Forgery::CrossSiteFetch) => request = request.header("sec-fetch-site", "cross-site"),
        Some(Forgery::ForeignOrigin) => request = request.header("origin", "http://evil.example"),
        _ => {}
    }
    let mut fields = change.fields.clone();
    if let Some(token) = token {
        fields.push(("csrf", token));
    }
    request = if change.multipart {
        let mut form = Form::new();
        for (k, v) in fields {
            form = form.text(k, v);
        }
        request.multipart(form)
    } else {
        request.form(&fields)
    };
    request.send().await.unwrap().status()
}

/// What the forgeries must not have touched.
async fn snapshot(app: &TestApp) -> (Vec<u32>, Vec<String>, Vec<String>, Vec<String>, usize) {
    let mut imap = app.imap().await;
    let inbox = imap.uids("INBOX").await;
    let flags = match inbox.first() {
        Some(&uid) => imap.flags("INBOX", uid).await,
        None => Vec::new(),
    };
    let folders = imap.list().await;
    let drafts = imap.uids("Drafts").await.len();
    let (status, html) = app.page("/settings/identities").await;
    assert_eq!(status, StatusCode::OK, "still signed in");
    (
        inbox,
        flags,
        folders,
        texts(&html, ".identity-label"),
        drafts,
    )
}

#[tokio::test]
async fn every_state_change_refuses_forged_requests_and_accepts_genuine_ones() {
    let app = spawn_app().await;
    app.login().await;
    app.imap()
        .await
        .append(
            "INBOX",
            &message(
                "a@example.test",
                "Alvo",
                "Tue, 4 Mar 2025 08:00:00 +0000",
                "x",
            ),
            None,
        )
        .await;
    // Another account's genuine token is still a foreign token here.
    let other = spawn_app().await;
    other.login().await;
    let foreign = other.csrf_token().await;
    let token = app.csrf_token().await;
    assert_ne!(token, foreign);
    let before = snapshot(&app).await;
    let uid = before.0[0];
    for change in changes(uid, &app.user) {
        for forgery in [
            Forgery::NoToken,
            Forgery::ForeignToken,
            Forgery::CrossSiteFetch,
            Forgery::ForeignOrigin,
        ] {
            let status = send(&app, &change, &token, &foreign, Some(forgery)).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{} with {forgery:?}",
                change.path
            );
        }
    }
    assert_eq!(snapshot(&app).await, before, "nothing changed");

    // The same requests, genuine, take effect (logout last, it ends the session).
    for change in changes(uid, &app.user) {
        let status = send(&app, &change, &token, &foreign, None).await;
        assert!(
            status == StatusCode::SEE_OTHER || status == StatusCode::OK,
            "{} genuine: {status}",
            change.path
        );
        if change.path == "/logout" {
            let response = app.get("/mail/INBOX").await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "signed out");
        }
    }
    let mut imap = app.imap().await;
    assert!(imap.uids("INBOX").await.is_empty(), "deleted");
    assert!(imap.list().await.iter().any(|f| f == "Forjada"));
    assert_eq!(imap.uids("Drafts").await.len(), 1);
    let identities = imap
        .setting("/private/vendor/carteiro/identities")
        .await
        .unwrap_or_default();
    assert!(identities.contains("Forjada"), "{identities}");
}
