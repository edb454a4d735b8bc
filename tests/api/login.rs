use reqwest::StatusCode;

use crate::helpers::{browser, first_attr, spawn_app, texts, TEST_PASSWORD};

#[tokio::test]
async fn wrong_password_shows_an_error_and_sets_no_cookie() {
    let app = spawn_app().await;
    let response = app.login_as(&app.user, "not-the-password").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().get("set-cookie").is_none());
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    let errors = texts(&html, "[role=alert]");
    assert!(
        errors[0].contains("Wrong username or password"),
        "{errors:?}"
    );
    // The username is kept, the password is not echoed back.
    assert_eq!(
        first_attr(&html, "#username", "value").as_deref(),
        Some(app.user.as_str())
    );
    assert_eq!(first_attr(&html, "#password", "value"), None);
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "still not logged in");
}

#[tokio::test]
async fn non_ascii_password_logs_in_and_lands_in_the_inbox() {
    assert!(!TEST_PASSWORD.is_ascii());
    let app = spawn_app().await;
    let response = app.login_as(&app.user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/mail/INBOX");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let (status, html) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "h1"), ["Inbox"]);
    assert_eq!(texts(&html, ".user"), std::slice::from_ref(&app.user));
}

#[tokio::test]
async fn pages_redirect_to_login_and_back_after_signing_in() {
    let app = spawn_app().await;
    let response = app.get("/mail/Sent?page=1").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/login?next=%2Fmail%2FSent%3Fpage%3D1");
    let (_, html) = app.page(&location).await;
    let next = first_attr(&html, "input[name=next]", "value").unwrap();
    assert_eq!(next, "/mail/Sent?page=1");
    let response = app
        .post_form(
            "/login",
            &[
                ("username", &app.user),
                ("password", TEST_PASSWORD),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(response.headers()["location"], "/mail/Sent?page=1");
}

#[tokio::test]
async fn a_foreign_next_is_ignored() {
    let app = spawn_app().await;
    for evil in [
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example",
        "https:evil.example",
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
        "/\t/evil.example",
        "/ /evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "///evil.example",
        "/\u{3000}/evil.example",
        " //evil.example",
    ] {
        let response = app
            .post_form(
                "/login",
                &[
                    ("username", &app.user),
                    ("password", TEST_PASSWORD),
                    ("next", evil),
                ],
            )
            .await;
        // Wherever the redirect goes, a browser resolving it stays on Carteiro.
        let location = response.headers()["location"].to_str().unwrap();
        let base = url::Url::parse(&app.base_url).unwrap();
        let landed = base.join(location).unwrap();
        assert_eq!(
            (landed.scheme(), landed.host_str(), landed.port()),
            (base.scheme(), base.host_str(), base.port()),
            "next={evil:?} sent the browser to {landed}"
        );
        assert!(
            !landed.as_str().contains("evil.example/"),
            "next={evil:?}: {landed}"
        );
    }
}

#[tokio::test]
async fn logout_revokes_the_session_on_the_server() {
    let app = spawn_app().await;
    let response = app.login_as(&app.user, TEST_PASSWORD).await;
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    let cookie_pair = set_cookie.split(';').next().unwrap().to_string();
    let csrf = app.csrf_token().await;
    let response = app.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login?out=1");
    // Replaying the old cookie from another client no longer works: the server forgot it.
    let replay = browser()
        .get(app.url("/mail/INBOX"))
        .header("cookie", &cookie_pair)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
    assert!(replay.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
}

#[tokio::test]
async fn logout_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    app.login().await;
    let response = app.post_form("/logout", &[("csrf", "forged")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK, "still logged in");
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", app.user.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("Request refused"),
        "an error page, not a blank one"
    );
}

#[tokio::test]
async fn tampered_cookies_are_treated_as_no_session() {
    let app = spawn_app().await;
    for value in [
        "garbage",
        "",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let response = browser()
            .get(app.url("/mail/INBOX"))
            .header("cookie", format!("carteiro_session={value}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "cookie {value:?}");
    }
}

#[tokio::test]
async fn root_sends_visitors_to_login_and_users_to_the_inbox() {
    let app = spawn_app().await;
    assert_eq!(app.get("/").await.headers()["location"], "/login");
    app.login().await;
    assert_eq!(app.get("/").await.headers()["location"], "/mail/INBOX");
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn no_log_line_even_at_trace_level_holds_a_password_or_the_session_cookie() {
    use base64::Engine;
    // Listens on port 0 and reports the bound port: no port race with other tests.
    let mut binary = crate::helpers::Binary::start(&[("CARTEIRO_LOG", "trace")]).await;
    let base = binary.base_url.clone();
    let client = browser();
    let user = crate::helpers::fresh_user("trace");
    let bad = client
        .post(format!("{base}/login"))
        .form(&[
            ("username", user.as_str()),
            ("password", "Wrong-Pässword-42"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let good = client
        .post(format!("{base}/login"))
        .form(&[("username", user.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = good.headers()["set-cookie"].to_str().unwrap().to_string();
    let cookie_value = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let inbox = client
        .get(format!("{base}/mail/INBOX"))
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), StatusCode::OK);
    binary.child.kill().await.unwrap();
    let logs = binary.logs();
    assert!(
        logs.contains("login succeeded"),
        "the trace log was captured"
    );
    let sasl =
        base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{TEST_PASSWORD}"));
    for secret in [
        TEST_PASSWORD,
        "Wrong-Pässword-42",
        sasl.as_str(),
        cookie_value.as_str(),
    ] {
        assert!(!logs.contains(secret), "a log line contains a secret");
    }
}

#[tokio::test]
async fn repeated_wrong_passwords_make_the_account_wait_without_asking_the_server() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let response = app.login_as(&app.user, "wrong").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now; the answer says so in plain words.
    let response = app.login_as(&app.user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    let alert = texts(&html, "[role=alert]").join("");
    assert!(
        alert.contains("Too many failed sign-in attempts"),
        "{alert}"
    );
    // Another account from the same address is not affected.
    let other = crate::helpers::fresh_user("other");
    let response = app.login_as(&other, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // After the wait, the right password works again.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let response = app.login_as(&app.user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn guesses_sent_all_at_once_are_tried_no_more_often_than_the_allowance() {
    let app = spawn_app().await;
    let guesses = (0..12).map(|_| app.login_as(&app.user, "wrong"));
    let statuses: Vec<StatusCode> = futures::future::join_all(guesses)
        .await
        .into_iter()
        .map(|r| r.status())
        .collect();
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let waited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((tried, waited), (5, 7), "{statuses:?}");
}

/// The hosts the README's fail2ban filter (`login failed: wrong credentials .* ip=<HOST>`)
/// would ban, reading the log as fail2ban does: line by line, the greedy `.*` reaching the
/// last `ip=` of the line.
fn banned_hosts(logs: &str) -> Vec<String> {
    logs.lines()
        .filter_map(|line| {
            let rest = line.split_once("login failed: wrong credentials ")?.1;
            let host = rest.rsplit_once("ip=")?.1;
            let end = host
                .find(|c: char| !(c.is_alphanumeric() || ".:-_".contains(c)))
                .unwrap_or(host.len());
            Some(host[..end].to_string())
        })
        .collect()
}

#[tokio::test]
async fn a_user_name_cannot_forge_a_log_line_that_bans_another_address() {
    let binary = crate::helpers::Binary::start(&[]).await;
    let victim = "198.51.100.23";
    let forged = [
        format!(
            "x\nWARN carteiro::web::login: login failed: wrong credentials user=y ip={victim}\nz"
        ),
        format!("x\r\nlogin failed: wrong credentials ip={victim}\r\n"),
        format!("x\u{2028}login failed: wrong credentials ip={victim}\u{85}z"),
    ];
    for name in &forged {
        let response = browser()
            .post(format!("{}/login", binary.base_url))
            .form(&[("username", name.as_str()), ("password", "wrong")])
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{name:?}\n{}",
            binary.logs()
        );
    }
    let logs = binary.logs();
    let banned = banned_hosts(&logs);
    assert_eq!(banned.len(), forged.len(), "one line per failure:\n{logs}");
    assert!(
        banned.iter().all(|host| host == "127.0.0.1"),
        "{banned:?}\n{logs}"
    );
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = spawn_app().await;
    app.login().await;
    for path in [
        "/login",
        "/mail/INBOX",
        "/compose",
        "/folders",
        "/nope",
        "/static/style.css",
    ] {
        let response = app.get(path).await;
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-dns-prefetch-control"], "off", "{path}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
    }
    let mut config = crate::helpers::test_config("imap://localhost:143");
    config.secure_cookies = true;
    let tls_app = crate::helpers::spawn_app_with(config).await;
    let response = tls_app.get("/login").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn a_session_planted_before_login_is_never_the_victims() {
    // The attacker signs in to their own account and plants that cookie in the victim's
    // browser; the victim then signs in.
    let attacker = spawn_app().await;
    let response = attacker.login_as(&attacker.user, TEST_PASSWORD).await;
    let planted = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let victim_user = crate::helpers::fresh_user("victim");
    let response = browser()
        .post(attacker.url("/login"))
        .header("cookie", &planted)
        .form(&[
            ("username", victim_user.as_str()),
            ("password", TEST_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let issued = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(issued, planted, "the login issued a new session id");
    // The planted cookie still opens only the attacker's own mailbox.
    let html = browser()
        .get(attacker.url("/settings"))
        .header("cookie", &planted)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&attacker.user) && !html.contains(&victim_user));
}
