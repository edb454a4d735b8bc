//! Changing the password (`/settings/password`) against a real backend: the stack's Dovecot
//! reads accounts from a passwd-file (`$CARTEIRO_STACK_DIR/dovecot/users`), and
//! `scripts/passwd-file-change.sh` rewrites it, as an admin would configure it.
//!
//! Each test adds an account of its own to that file (never the demo accounts other tests
//! sign in with) and removes it when done. The stack's catch-all passdb still takes the
//! shared test password for such an account, so the passwords here are never that one:
//! "the old password no longer works" then means what it says.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use carteiro::config::{Config, PasswordBackend};
use reqwest::StatusCode;
use scraper::Html;
use secrecy::SecretString;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::helpers::{
    browser, browser_speaking, first_attr, fresh_user, server_connections_become, spawn_app,
    spawn_app_with, stack_dir, test_config, texts, Binary, TestApp,
};

const INITIAL: &str = "Inicial-çé-2024x";
const CHANGED: &str = "Jabuticaba no pé 42";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/passwd-file-change.sh")
}

fn users_file() -> PathBuf {
    stack_dir().join("dovecot/users")
}

/// Runs the script with `args` and `input` on stdin; its exit code.
async fn run_script(args: &[&str], input: &str) -> i32 {
    let mut child = tokio::process::Command::new(script())
        .args(args)
        .arg(users_file())
        .stdin(Stdio::piped())
        .spawn()
        .expect("the script runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).await.expect("written");
    drop(stdin);
    child.wait().await.expect("exits").code().unwrap_or(-1)
}

struct PlainAuth<'a>(&'a str, &'a str);

impl async_imap::Authenticator for PlainAuth<'_> {
    type Response = Vec<u8>;
    fn process(&mut self, _: &[u8]) -> Vec<u8> {
        format!("\0{}\0{}", self.0, self.1).into_bytes()
    }
}

/// Whether Dovecot lets `user` in with `password` (a fresh IMAP login, AUTHENTICATE PLAIN).
async fn imap_accepts(user: &str, password: &str) -> bool {
    let tcp = TcpStream::connect("127.0.0.1:143")
        .await
        .expect("Dovecot on 143");
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.expect("greeting");
    match client
        .authenticate("PLAIN", PlainAuth(user, password))
        .await
    {
        Ok(mut session) => {
            let _ = session.logout().await;
            true
        }
        Err(_) => false,
    }
}

/// Ends every IMAP connection `user` has at Dovecot (`doveadm kick`, on the test's own
/// account only), so the next page has to log in again with the session's sealed password.
async fn kick(user: &str) {
    let conf = stack_dir().join("dovecot/dovecot.conf");
    let status = std::process::Command::new("doveadm")
        .arg("-c")
        .arg(&conf)
        .args(["kick", user])
        .stdout(Stdio::null())
        .status()
        .expect("doveadm runs");
    assert!(status.success(), "doveadm kick {user}");
    assert_eq!(server_connections_become(user, 0).await, 0, "kicked");
}

/// An account of the stack's passwd-file, for one test; removed when dropped.
struct Account {
    login: String,
}

impl Account {
    async fn add(label: &str) -> Account {
        let login = fresh_user(label);
        let added = run_script(&["--add"], &format!("{login}\n{INITIAL}\n")).await;
        assert_eq!(
            added,
            0,
            "the account is added to {}",
            users_file().display()
        );
        // Dovecot re-reads the file at most once a second: wait until it has.
        for _ in 0..50 {
            if imap_accepts(&login, INITIAL).await {
                return Account { login };
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("Dovecot never took the new account {login}");
    }

    /// The account's line of the passwd-file (its hash).
    fn line(&self) -> String {
        std::fs::read_to_string(users_file())
            .expect("the passwd-file reads")
            .lines()
            .find(|l| l.split(':').next() == Some(self.login.as_str()))
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let _ = std::process::Command::new(script())
            .arg("--remove")
            .arg(users_file())
            .stdin(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(format!("{}\n", self.login).as_bytes())?;
                child.wait()
            });
    }
}

/// Another browser (its own cookies) on the same Carteiro, with a fresh user of its own.
fn another_browser(app: &TestApp) -> TestApp {
    TestApp {
        base_url: app.base_url.clone(),
        client: browser(),
        user: fresh_user("other"),
        state: app.state.clone(),
        metrics_url: None,
    }
}

/// `config` with the passwd-file backend (also the accessibility run's, for the form).
pub(crate) fn with_command(mut config: Config) -> Config {
    config.password_backend = Some(PasswordBackend::Command {
        program: script(),
        args: vec![users_file().display().to_string()],
    });
    config
}

/// An app with the passwd-file backend, signed in as a new account of the file.
async fn signed_in(label: &str) -> (TestApp, Account) {
    let account = Account::add(label).await;
    let app = spawn_app_with(with_command(test_config("imap://localhost:143"))).await;
    let response = app.login_as(&account.login, INITIAL).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "signed in");
    (app, account)
}

async fn post_change(app: &TestApp, current: &str, new: &str, repeat: &str) -> reqwest::Response {
    let csrf = app.csrf_token().await;
    app.post_form(
        "/settings/password",
        &[
            ("csrf", csrf.as_str()),
            ("current_password", current),
            ("new_password", new),
            ("repeat_password", repeat),
        ],
    )
    .await
}

async fn refusal(response: reqwest::Response) -> (StatusCode, String, Html) {
    let status = response.status();
    let html = Html::parse_document(&response.text().await.expect("body"));
    (status, texts(&html, "[role=alert]").join(" "), html)
}

#[tokio::test]
async fn a_wrong_current_password_is_refused_and_the_passwd_file_is_unchanged() {
    let (app, account) = signed_in("pw-wrong").await;
    let before = account.line();
    let (status, alert, html) =
        refusal(post_change(&app, "Not-The-One-77", CHANGED, CHANGED).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(alert.contains("current password is not right"), "{alert}");
    assert_eq!(
        first_attr(&html, "#current_password", "aria-invalid").as_deref(),
        Some("true"),
        "the field to fix is marked"
    );
    assert_eq!(account.line(), before);
    assert!(imap_accepts(&account.login, INITIAL).await);
    // Nothing typed is written back into the page.
    let page = html.html();
    assert!(!page.contains(CHANGED) && !page.contains("Not-The-One-77"));
}

#[tokio::test]
async fn short_weak_and_mismatched_new_passwords_are_refused_with_the_reason() {
    let (app, account) = signed_in("pw-weak").await;
    let before = account.line();
    let cases = [
        ("curta-1", "curta-1", "at least 10 characters"),
        ("Senha@2024", "Senha@2024", "most common"),
        ("aaaaaaaaaaaa", "aaaaaaaaaaaa", "5 different characters"),
        (
            account.login.as_str(),
            account.login.as_str(),
            "e-mail address or username",
        ),
        (INITIAL, INITIAL, "different from the current one"),
        (CHANGED, "Jabuticaba no pe 42", "not the same"),
        ("", "", "all three fields"),
    ];
    for (new, repeat, reason) in cases {
        let (status, alert, _) = refusal(post_change(&app, INITIAL, new, repeat).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{new:?}");
        assert!(alert.contains(reason), "{new:?}: {alert}");
    }
    assert_eq!(
        account.line(),
        before,
        "no refused password reached the file"
    );
}

#[tokio::test]
async fn a_change_takes_effect_at_imap_and_the_person_stays_signed_in() {
    let (app, account) = signed_in("pw-ok").await;
    let (_, settings) = app.page("/settings").await;
    let link = first_attr(&settings, "#password-link", "href");
    assert_eq!(
        link.as_deref(),
        Some("/settings/password"),
        "Settings links the page"
    );
    let (status, page) = app.page("/settings/password").await;
    assert_eq!(status, StatusCode::OK);
    for (field, autocomplete) in [
        ("current_password", "current-password"),
        ("new_password", "new-password"),
        ("repeat_password", "new-password"),
    ] {
        let selector = format!("#{field}");
        assert_eq!(
            first_attr(&page, &selector, "autocomplete").as_deref(),
            Some(autocomplete),
            "{field}"
        );
        assert_eq!(
            first_attr(&page, &selector, "type").as_deref(),
            Some("password")
        );
    }
    // The same person in another browser, signed in before the change.
    let elsewhere = another_browser(&app);
    let response = elsewhere.login_as(&account.login, INITIAL).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let before = account.line();
    let response = post_change(&app, INITIAL, CHANGED, CHANGED).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let target = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(target, "/settings/password?changed=1");
    let (status, page) = app.page(&target).await;
    assert_eq!(status, StatusCode::OK);
    let notice = texts(&page, "#password-notice").join(" ");
    assert!(notice.contains("has been changed"), "{notice}");
    assert_ne!(account.line(), before, "the passwd-file holds a new hash");
    assert!(
        imap_accepts(&account.login, CHANGED).await,
        "the new password works"
    );
    assert!(
        !imap_accepts(&account.login, INITIAL).await,
        "the old one does not"
    );
    // The other browser goes on while its IMAP connection lives.
    assert_eq!(elsewhere.page("/mail/INBOX").await.0, StatusCode::OK);
    // Once every connection is gone, each session has to log in to IMAP again with the
    // password sealed in it: this one has the new password and stays signed in; the other
    // browser's holds the old one and is sent to sign in.
    kick(&account.login).await;
    // The first request of each finds its connection gone (a 503, as after any server-side
    // disconnect) and the next one logs in again.
    for browser in [&app, &elsewhere] {
        let first = browser.get("/mail/INBOX").await.status();
        assert!(
            first == StatusCode::SERVICE_UNAVAILABLE
                || first == StatusCode::OK
                || first == StatusCode::SEE_OTHER,
            "{first}"
        );
    }
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK, "still signed in after the change");
    let response = elsewhere.get("/mail/INBOX").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/login"), "{location}");
    // Signing in again takes the new password only.
    let response = elsewhere.login_as(&account.login, INITIAL).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = elsewhere.login_as(&account.login, CHANGED).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn wrong_current_passwords_make_the_form_wait_even_for_the_right_one() {
    let (app, account) = signed_in("pw-throttle").await;
    let before = account.line();
    for n in 0..5 {
        let response = post_change(&app, &format!("Guess-number-{n}"), CHANGED, CHANGED).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "guess {n}"
        );
    }
    let (status, alert, _) = refusal(post_change(&app, INITIAL, CHANGED, CHANGED).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        alert.contains("Too many wrong current passwords"),
        "{alert}"
    );
    assert!(alert.contains("1 minute"), "{alert}");
    assert_eq!(account.line(), before);
    assert!(imap_accepts(&account.login, INITIAL).await);
    // Sign-in keeps its own count: the person can still sign in elsewhere.
    let other = another_browser(&app);
    let response = other.login_as(&account.login, INITIAL).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_forged_change_is_refused_and_the_same_change_made_properly_works() {
    let (app, account) = signed_in("pw-csrf").await;
    let before = account.line();
    let token = app.csrf_token().await;
    // A real token, of another person's session.
    let other = another_browser(&app);
    other.login().await;
    let foreign = other.csrf_token().await;
    let fields = |csrf: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("current_password", INITIAL.to_string()),
            ("new_password", CHANGED.to_string()),
            ("repeat_password", CHANGED.to_string()),
        ]
    };
    let url = app.url("/settings/password");
    let forgeries = [
        ("no token", app.client.post(&url).form(&fields(""))),
        (
            "made-up token",
            app.client.post(&url).form(&fields("forged")),
        ),
        (
            "another session's token",
            app.client.post(&url).form(&fields(&foreign)),
        ),
        (
            "cross-site fetch",
            app.client
                .post(&url)
                .header("sec-fetch-site", "cross-site")
                .form(&fields(&token)),
        ),
        (
            "foreign origin",
            app.client
                .post(&url)
                .header("origin", "http://evil.example")
                .form(&fields(&token)),
        ),
    ];
    for (what, request) in forgeries {
        let status = request.send().await.unwrap().status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
    }
    assert_eq!(account.line(), before);
    assert!(imap_accepts(&account.login, INITIAL).await);
    let response = app
        .client
        .post(&url)
        .form(&fields(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the genuine change"
    );
    assert!(imap_accepts(&account.login, CHANGED).await);
}

#[tokio::test]
async fn the_page_and_its_refusals_speak_portuguese() {
    let (mut app, account) = signed_in("pw-pt").await;
    app.client = browser_speaking("pt-BR");
    let response = app.login_as(&account.login, INITIAL).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.page("/settings/password").await;
    crate::languages::check_page(&page, "pt-BR", "password page");
    assert_eq!(texts(&page, "label[for=current_password]"), ["Senha atual"]);
    let cases = [
        ("Nao-E-Essa-77", CHANGED, "senha atual não está certa"),
        (INITIAL, "senha12345", "senhas mais comuns"),
        (INITIAL, "curta-9", "pelo menos 10 caracteres"),
    ];
    for (current, new, reason) in cases {
        let (_, alert, html) = refusal(post_change(&app, current, new, new).await).await;
        crate::languages::check_page(&html, "pt-BR", reason);
        assert!(alert.contains(reason), "{alert}");
    }
    let response = post_change(&app, INITIAL, CHANGED, CHANGED).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.page("/settings/password?changed=1").await;
    crate::languages::check_page(&page, "pt-BR", "changed");
    assert!(texts(&page, "#password-notice")
        .join("")
        .contains("Sua senha foi trocada"));
}

#[tokio::test]
async fn without_a_backend_the_page_says_elsewhere_and_settings_does_not_link_it() {
    let app = spawn_app().await;
    app.login().await;
    let (_, settings) = app.page("/settings").await;
    assert!(first_attr(&settings, "#password-link", "href").is_none());
    let (status, page) = app.page("/settings/password").await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&page, "#password-elsewhere")
        .join("")
        .contains("changes it in another place"));
    assert!(first_attr(&page, "#password-form", "action").is_none());
    let response = post_change(&app, "a", "b", "b").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// Starts the binary with trace logging and `backend`'s settings, refuses a wrong current
/// password and a weak new one, changes `account`'s password, and checks that no log line
/// holds any of those passwords (nor a SASL PLAIN of them), nor any of `more_secrets`.
async fn change_logged_at_trace_level(
    account: &Account,
    backend: &[(&str, &str)],
    more_secrets: &[&str],
) {
    use base64::Engine;
    let mut env = vec![("CARTEIRO_LOG", "trace")];
    env.extend_from_slice(backend);
    let mut binary = Binary::start(&env).await;
    // Only its client and URL are used: the app under test is the binary.
    let app = TestApp {
        base_url: binary.base_url.clone(),
        ..spawn_app().await
    };
    let response = app.login_as(&account.login, INITIAL).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let wrong = "Errada-Pässword-55";
    let weak = "Senha@2024";
    assert_eq!(
        post_change(&app, wrong, CHANGED, CHANGED).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        post_change(&app, INITIAL, weak, weak).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let response = post_change(&app, INITIAL, CHANGED, CHANGED).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    binary.child.kill().await.unwrap();
    let logs = binary.logs();
    assert!(
        logs.contains("password changed"),
        "the trace log was captured"
    );
    assert!(
        logs.contains("wrong current password"),
        "the refusal was logged"
    );
    let b64 = |password: &str| {
        base64::engine::general_purpose::STANDARD.encode(format!("\0{}\0{password}", account.login))
    };
    for secret in [INITIAL, CHANGED, wrong, weak] {
        assert!(!logs.contains(secret), "a log line contains a password");
        assert!(
            !logs.contains(&b64(secret)),
            "a log line contains a SASL PLAIN"
        );
    }
    for secret in more_secrets {
        assert!(!logs.contains(secret), "a log line contains a secret");
    }
}

#[tokio::test]
async fn no_log_line_even_at_trace_level_holds_the_old_or_the_new_password() {
    let account = Account::add("pw-trace").await;
    let command = format!("{} {}", script().display(), users_file().display());
    change_logged_at_trace_level(&account, &[("CARTEIRO_PASSWORD_COMMAND", &command)], &[]).await;
}

#[tokio::test]
async fn through_the_panels_api_no_log_line_at_trace_level_holds_a_password_or_the_token() {
    let account = Account::add("pw-trace-http").await;
    let url = panel("painel-token-trace-7").await;
    let backend = [
        ("CARTEIRO_PASSWORD_HTTP", url.as_str()),
        ("CARTEIRO_PASSWORD_HTTP_TOKEN", "painel-token-trace-7"),
    ];
    change_logged_at_trace_level(&account, &backend, &["painel-token-trace-7"]).await;
}

/// The panel's API, for `password_http`: a small HTTP endpoint that checks its token, keeps
/// one rule of its own (no password mentioning the panel), and changes the password with the
/// same passwd-file script, so the change is as real as the command's.
async fn panel(token: &'static str) -> String {
    async fn change(token: &'static str, headers: HeaderMap, body: Bytes) -> AxumStatus {
        let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
            == Some(format!("Bearer {token}").as_str());
        if !authorized {
            return AxumStatus::UNAUTHORIZED;
        }
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return AxumStatus::BAD_REQUEST;
        };
        let field = |name: &str| json[name].as_str().unwrap_or_default().to_string();
        let (login, current, new) = (
            field("login"),
            field("current_password"),
            field("new_password"),
        );
        if new.to_lowercase().contains("painel") {
            return AxumStatus::UNPROCESSABLE_ENTITY;
        }
        match run_script(&[], &format!("{login}\n{current}\n{new}\n")).await {
            0 => AxumStatus::NO_CONTENT,
            1 => AxumStatus::FORBIDDEN,
            2 => AxumStatus::UNPROCESSABLE_ENTITY,
            _ => AxumStatus::INTERNAL_SERVER_ERROR,
        }
    }
    let router = axum::Router::new().route(
        "/api/mail/password",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| change(token, headers, body)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}/api/mail/password")
}

fn with_panel(url: &str, token: &str) -> Config {
    let mut config = test_config("imap://localhost:143");
    config.password_backend = Some(PasswordBackend::Http {
        url: url.parse().unwrap(),
        token: Some(SecretString::from(token.to_string())),
    });
    config
}

#[tokio::test]
async fn the_panels_api_changes_the_password_and_its_refusals_are_explained() {
    let account = Account::add("pw-http").await;
    let url = panel("painel-token-1").await;
    let app = spawn_app_with(with_panel(&url, "painel-token-1")).await;
    assert_eq!(
        app.login_as(&account.login, INITIAL).await.status(),
        StatusCode::SEE_OTHER
    );
    let before = account.line();
    // The panel's own rule (422).
    let mine = "Meu painel favorito 9";
    let (status, alert, _) = refusal(post_change(&app, INITIAL, mine, mine).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        alert.contains("refused the new password by its own rules"),
        "{alert}"
    );
    assert_eq!(account.line(), before);
    // Changed through the panel (204).
    let response = post_change(&app, INITIAL, CHANGED, CHANGED).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.page("/mail/INBOX").await.0, StatusCode::OK);
    assert!(imap_accepts(&account.login, CHANGED).await);
    assert!(!imap_accepts(&account.login, INITIAL).await);
    // A Carteiro with the wrong token (401): nothing changes, and the person reads why not.
    let wrong = spawn_app_with(with_panel(&url, "not-the-token")).await;
    assert_eq!(
        wrong.login_as(&account.login, CHANGED).await.status(),
        StatusCode::SEE_OTHER
    );
    let after = account.line();
    let (status, alert, _) =
        refusal(post_change(&wrong, CHANGED, "Outra senha boa 77", "Outra senha boa 77").await)
            .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(alert.contains("could not be changed right now"), "{alert}");
    assert_eq!(account.line(), after);
}
