//! Operating Carteiro: `/readyz` against the real Dovecot (and without it), Prometheus metrics
//! on their own listener, request ids and JSON logs from the real binary.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::chaos::ChaosProxy;
use crate::compose::{form, post_compose};
use crate::helpers::{
    browser, config_with_metrics, message, spawn_app_with, test_config, Binary, Imap, TEST_PASSWORD,
};

/// The value of one sample, e.g. `carteiro_sessions_live` or
/// `carteiro_login_failures_total{reason="throttled"}`; 0 when the series does not exist yet.
fn sample(exposition: &str, series: &str) -> f64 {
    exposition
        .lines()
        .find_map(|line| {
            let value = line.strip_prefix(series)?.strip_prefix(' ')?;
            value.split(' ').next()?.parse().ok()
        })
        .unwrap_or(0.0)
}

/// Polls `check` until it holds or `within` has passed.
async fn eventually(within: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn readyz_is_ready_with_dovecot_and_503_while_the_imap_server_is_down() {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let app = spawn_app_with(test_config(&format!("imap://localhost:{}", proxy.port))).await;
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);

    proxy.go_down();
    let down = eventually(Duration::from_secs(10), async || {
        app.get("/readyz").await.status() == StatusCode::SERVICE_UNAVAILABLE
    })
    .await;
    assert!(down, "/readyz reports the IMAP server down");
    assert_eq!(
        app.get("/healthz").await.status(),
        StatusCode::OK,
        "liveness does not depend on IMAP: restarting Carteiro would not help"
    );

    proxy.come_back();
    let up = eventually(Duration::from_secs(10), async || {
        app.get("/readyz").await.status() == StatusCode::OK
    })
    .await;
    assert!(up, "/readyz recovers by itself");
}

#[tokio::test]
async fn readyz_cannot_be_used_to_hammer_the_imap_server() {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let app = spawn_app_with(test_config(&format!("imap://localhost:{}", proxy.port))).await;
    let asks = (0..40).map(|_| async {
        let response = app.get("/readyz").await;
        response.status()
    });
    let answers = futures::future::join_all(asks).await;
    assert!(answers.iter().all(|s| *s == StatusCode::OK), "{answers:?}");
    // Every check dials and says STARTTLS (in clear, so the proxy sees it): one dial served
    // all forty requests.
    let dials = proxy
        .commands()
        .iter()
        .filter(|c| c.as_str() == "STARTTLS")
        .count();
    assert_eq!(dials, 1, "{:?}", proxy.commands());
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_sessions_imap_and_failed_logins() {
    let app = spawn_app_with(config_with_metrics()).await;
    let mut imap = Imap::connect(&app.user).await;
    imap.create("Segredo-Cliente").await;
    imap.append(
        "Segredo-Cliente",
        &message(
            "a@example.test",
            "Oi",
            "Tue, 11 Mar 2025 10:00:00 +0000",
            "x",
        ),
        None,
    )
    .await;

    let wrong = app.login_as(&app.user, "not-the-password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    app.login().await;
    assert_eq!(
        app.get("/mail/Segredo-Cliente").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/mail/Segredo-Cliente/1").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/no/such/page").await.status(),
        StatusCode::NOT_FOUND
    );

    let text = app.metrics().await;
    let requests =
        |labels: &str| sample(&text, &format!("carteiro_http_requests_total{{{labels}}}"));
    assert_eq!(
        sample(
            &text,
            "carteiro_login_failures_total{reason=\"wrong_credentials\"}"
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        requests("method=\"POST\",route=\"/login\",status=\"401\""),
        1.0
    );
    assert_eq!(
        requests("method=\"POST\",route=\"/login\",status=\"303\""),
        1.0
    );
    assert_eq!(
        requests("method=\"GET\",route=\"/mail/{folder}\",status=\"200\""),
        1.0
    );
    assert_eq!(
        requests("method=\"GET\",route=\"/mail/{folder}/{uid}\",status=\"200\""),
        1.0
    );
    assert_eq!(
        requests("method=\"GET\",route=\"unmatched\",status=\"404\""),
        1.0
    );
    assert!(
        sample(
            &text,
            "carteiro_http_request_duration_seconds_count{method=\"GET\",route=\"/mail/{folder}/{uid}\"}"
        ) >= 1.0
    );
    assert!(
        sample(
            &text,
            "carteiro_http_request_duration_seconds_sum{method=\"GET\",route=\"/mail/{folder}/{uid}\"}"
        ) > 0.0
    );
    // No path, folder name or user name is ever a label.
    for private in ["Segredo", "/no/such", app.user.as_str()] {
        assert!(!text.contains(private), "{private} appears in the metrics");
    }
    assert_eq!(sample(&text, "carteiro_sessions_live"), 1.0, "{text}");
    assert_eq!(sample(&text, "carteiro_imap_connections_open"), 1.0);
    for command in ["SELECT", "UID FETCH", "CAPABILITY"] {
        let series =
            format!("carteiro_imap_command_duration_seconds_count{{command=\"{command}\"}}");
        assert!(sample(&text, &series) >= 1.0, "{series} in {text}");
    }

    // Signing out ends the actor and closes its connection: both gauges come back down.
    let csrf = app.csrf_token().await;
    let out = app.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let closed = eventually(Duration::from_secs(5), async || {
        let text = app.metrics().await;
        sample(&text, "carteiro_sessions_live") == 0.0
            && sample(&text, "carteiro_imap_connections_open") == 0.0
    })
    .await;
    assert!(closed, "{}", app.metrics().await);
    assert_eq!(
        sample(
            &app.metrics().await,
            "carteiro_imap_command_duration_seconds_count{command=\"LOGOUT\"}"
        ),
        1.0
    );
}

#[tokio::test]
async fn metrics_are_never_served_on_the_public_listener() {
    let app = spawn_app_with(config_with_metrics()).await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let app = spawn_app_with(test_config("imap://localhost:143")).await;
    assert!(
        app.metrics_url.is_none(),
        "no metrics listener unless asked"
    );
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sends_are_counted_by_outcome() {
    let app = spawn_app_with(config_with_metrics()).await;
    app.login().await;
    let csrf = app.csrf_token().await;
    for to in [app.user.as_str(), "refused@example.test"] {
        post_compose(
            &app,
            form(
                &csrf,
                &[
                    ("to", to),
                    ("subject", "Contagem"),
                    ("body", "Texto"),
                    ("action", "send"),
                ],
                &[],
            ),
        )
        .await;
    }
    let text = app.metrics().await;
    assert_eq!(
        sample(&text, "carteiro_smtp_sends_total{outcome=\"sent\"}"),
        1.0,
        "{text}"
    );
    assert_eq!(
        sample(&text, "carteiro_smtp_sends_total{outcome=\"refused\"}"),
        1.0
    );
}

#[tokio::test]
async fn json_logs_parse_carry_the_request_id_and_never_the_password() {
    let mut carteiro =
        // The test client stands in for the reverse proxy, whose request ids are kept.
        Binary::start(&[
            ("CARTEIRO_LOG_FORMAT", "json"),
            ("CARTEIRO_LOG", "trace"),
            ("CARTEIRO_TRUSTED_PROXIES", "127.0.0.1"),
        ])
        .await;
    let client = browser();
    let user = crate::helpers::fresh_user("json");
    let wrong = "Wrong-Pässword-42";
    let failed = client
        .post(format!("{}/login", carteiro.base_url))
        .header("x-request-id", "proxy-req-123")
        .form(&[("username", user.as_str()), ("password", wrong)])
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(failed.headers()["x-request-id"], "proxy-req-123");
    let good = client
        .post(format!("{}/login", carteiro.base_url))
        .header("x-request-id", "not a token\" {}")
        .form(&[("username", user.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), StatusCode::SEE_OTHER);
    let fresh_id = good.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_ne!(fresh_id, "not a token\" {}", "unusable ids are replaced");
    let inbox = client
        .get(format!("{}/mail/INBOX", carteiro.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), StatusCode::OK);
    assert!(carteiro.terminate().await.success());

    let logs = carteiro.logs();
    let mut lines = Vec::new();
    for line in logs.lines() {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        lines.push(value);
    }
    let request_id = |line: &serde_json::Value| {
        line["spans"]
            .as_array()
            .and_then(|spans| spans.iter().find_map(|s| s["request_id"].as_str()))
            .map(str::to_string)
    };
    let failure = lines
        .iter()
        .find(|l| l["message"] == "login failed: wrong credentials")
        .expect("the failed login is logged");
    assert_eq!(failure["user"], user.as_str());
    assert_eq!(request_id(failure).as_deref(), Some("proxy-req-123"));
    let success = lines
        .iter()
        .find(|l| l["message"] == "login succeeded")
        .expect("the login is logged");
    assert_eq!(request_id(success), Some(fresh_id));
    // Every line written while a request was handled by Carteiro names that request.
    for line in lines.iter().filter(|l| {
        l["target"]
            .as_str()
            .is_some_and(|t| t.starts_with("carteiro::web"))
    }) {
        assert!(request_id(line).is_some(), "no request id: {line}");
    }
    for secret in [TEST_PASSWORD, wrong] {
        assert!(!logs.contains(secret), "a log line contains a password");
    }
}

#[tokio::test]
async fn route_labels_leave_the_base_path_out() {
    let mut config = config_with_metrics();
    config.base_path = "/webmail".into();
    let app = spawn_app_with(config).await;
    assert_eq!(app.get("/webmail/healthz").await.status(), StatusCode::OK);
    assert_eq!(app.get("/webmail/login").await.status(), StatusCode::OK);
    assert_eq!(
        app.get("/webmail/no/such/page").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/elsewhere").await.status(), StatusCode::NOT_FOUND);
    let text = app.metrics().await;
    let requests =
        |labels: &str| sample(&text, &format!("carteiro_http_requests_total{{{labels}}}"));
    assert_eq!(
        requests("method=\"GET\",route=\"/healthz\",status=\"200\""),
        1.0,
        "{text}"
    );
    assert_eq!(
        requests("method=\"GET\",route=\"/login\",status=\"200\""),
        1.0
    );
    assert_eq!(
        requests("method=\"GET\",route=\"unmatched\",status=\"404\""),
        2.0
    );
    assert!(!text.contains("webmail"), "{text}");
}

#[tokio::test]
async fn a_client_cannot_choose_its_request_id_unless_it_is_a_trusted_proxy() {
    let app = spawn_app_with(test_config("imap://localhost:143")).await;
    let response = app
        .client
        .get(app.url("/login"))
        .header("x-request-id", "chosen-by-client")
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(id, "chosen-by-client");
    assert_eq!(id.len(), 16, "a fresh id: {id}");
}
