//! Many domains, one instance (`upstream_map`): a login's domain picks its servers. Two
//! domains reach two different real servers (the stack's Dovecot and Cyrus, which both take
//! any user with the test password), the map file is read again when it changes, unknown and
//! hostile domains are refused before anything is dialled, and a session keeps its servers.

use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use carteiro::config::Config;
use reqwest::StatusCode;
use scraper::Html;

use crate::compose::{form, post_compose};
use crate::helpers::{
    browser, browser_speaking, free_port, fresh_user, message, spawn_app_with, stack_dir, texts,
    Imap, TestApp, TEST_PASSWORD,
};

/// Cyrus of `scripts/otherimap.sh`: STARTTLS with a certificate of the stack's CA.
const CYRUS_URL: &str = "imap://localhost:10143";
const CYRUS_PLAIN: &str = "127.0.0.1:10143";

/// A map file of this test's own, and its path.
pub(crate) struct MapFile(pub(crate) PathBuf);

impl MapFile {
    pub(crate) fn new(label: &str, text: &str) -> MapFile {
        let path = std::env::temp_dir().join(format!(
            "carteiro-upstream-map-{label}-{}-{:08x}.toml",
            std::process::id(),
            crate::helpers::rand_u32()
        ));
        let file = MapFile(path);
        file.write(text);
        file
    }

    pub(crate) fn write(&self, text: &str) {
        std::fs::write(&self.0, text).expect("map file written");
    }
}

impl Drop for MapFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// One `[domains."…"]` table.
pub(crate) fn entry(domain: &str, imap: &str, smtp: &str) -> String {
    format!("[domains.\"{domain}\"]\nimap = \"{imap}\"\nsmtp = \"{smtp}\"\n\n")
}

/// The test configuration with these settings on top.
pub(crate) fn config(extra: &[(&str, &str)]) -> Config {
    let ca = stack_dir().join("ca.pem");
    let mut env = vec![
        ("CARTEIRO_LISTEN".to_string(), "127.0.0.1:0".to_string()),
        ("CARTEIRO_TLS_CA_FILE".to_string(), ca.display().to_string()),
        (
            "CARTEIRO_SECRET_KEY".to_string(),
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
        ),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::load(None, &env).expect("configuration is valid").0
}

pub(crate) fn map_config(file: &MapFile, extra: &[(&str, &str)]) -> Config {
    let path = file.0.display().to_string();
    let mut all = vec![("CARTEIRO_UPSTREAM_MAP", path.as_str())];
    all.extend_from_slice(extra);
    config(&all)
}

/// A user of `domain` no other test has used.
pub(crate) fn user_at(domain: &str) -> String {
    let user = fresh_user("map");
    format!("{}@{domain}", user.trim_end_matches("@example.test"))
}

/// Logs in with a client of its own; the status and the page (the login page on failure).
pub(crate) async fn login(
    app: &TestApp,
    client: &reqwest::Client,
    user: &str,
) -> (StatusCode, Html) {
    let response = client
        .post(app.url("/login"))
        .form(&[("username", user), ("password", TEST_PASSWORD)])
        .send()
        .await
        .expect("POST works");
    let status = response.status();
    let html = Html::parse_document(&response.text().await.expect("body"));
    (status, html)
}

async fn inbox_subjects(app: &TestApp, client: &reqwest::Client) -> Vec<String> {
    let response = client.get(app.url("/mail/INBOX")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the inbox opens");
    let html = Html::parse_document(&response.text().await.unwrap());
    texts(&html, "td.subject a")
}

async fn seed(addr: &str, user: &str, subject: &str) {
    let mut imap = Imap::connect_at(addr, user).await;
    let raw = message(
        "Maria <maria@example.test>",
        subject,
        "Tue, 4 Mar 2025 08:00:00 +0000",
        "Oi",
    );
    imap.append("INBOX", &raw, None).await;
}

fn error_text(html: &Html) -> String {
    texts(html, ".error, [role=alert]").join(" ")
}

#[tokio::test]
async fn two_domains_reach_two_servers_and_the_map_file_is_read_again_on_change() {
    let file = MapFile::new(
        "two",
        &(entry(
            "example.test",
            "imap://localhost:143",
            "smtp://localhost:587",
        ) + &entry("cyrus.test", CYRUS_URL, "smtp://localhost:587")),
    );
    let app = spawn_app_with(map_config(&file, &[])).await;

    let on_dovecot = user_at("example.test");
    let on_cyrus = user_at("cyrus.test");
    seed("127.0.0.1:143", &on_dovecot, "Kept by Dovecot").await;
    seed(CYRUS_PLAIN, &on_cyrus, "Kept by Cyrus").await;

    let dovecot_browser = browser();
    let (status, _) = login(&app, &dovecot_browser, &on_dovecot).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        inbox_subjects(&app, &dovecot_browser).await,
        ["Kept by Dovecot"]
    );

    let cyrus_browser = browser();
    let (status, _) = login(&app, &cyrus_browser, &on_cyrus).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        inbox_subjects(&app, &cyrus_browser).await,
        ["Kept by Cyrus"]
    );

    // A domain the file does not name yet is refused; once added, it works, no restart.
    let newcomer = user_at("novo.test");
    seed(CYRUS_PLAIN, &newcomer, "Novo no Cyrus").await;
    let (status, html) = login(&app, &browser(), &newcomer).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error_text(&html).contains("no mail service for “novo.test”"),
        "{}",
        error_text(&html)
    );
    file.write(
        &(entry(
            "example.test",
            "imap://localhost:143",
            "smtp://localhost:587",
        ) + &entry("cyrus.test", CYRUS_URL, "smtp://localhost:587")
            + &entry("novo.test", CYRUS_URL, "smtp://localhost:587")),
    );
    let late = browser();
    let (status, _) = login(&app, &late, &newcomer).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the edited file is read again"
    );
    assert_eq!(inbox_subjects(&app, &late).await, ["Novo no Cyrus"]);
}

#[tokio::test]
async fn an_unknown_domain_is_refused_clearly_in_english_and_portuguese() {
    let file = MapFile::new(
        "unknown",
        &entry(
            "example.test",
            "imap://localhost:143",
            "smtp://localhost:587",
        ),
    );
    let app = spawn_app_with(map_config(&file, &[])).await;
    let user = user_at("desconhecido.test");
    let (status, html) = login(&app, &browser_speaking("en"), &user).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error_text(&html).contains("There is no mail service for “desconhecido.test” here."),
        "{}",
        error_text(&html)
    );
    let (status, html) = login(&app, &browser_speaking("pt-BR"), &user).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error_text(&html).contains("Não há serviço de e-mail para “desconhecido.test” aqui."),
        "{}",
        error_text(&html)
    );
    // Without a default domain, a bare login cannot pick servers: it is asked for its address.
    let (status, html) = login(&app, &browser_speaking("pt-BR"), "ana").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error_text(&html).contains("endereço de e-mail completo"),
        "{}",
        error_text(&html)
    );
}

#[tokio::test]
async fn a_bare_login_goes_to_the_default_domains_servers() {
    let file = MapFile::new(
        "bare",
        &(entry(
            "example.test",
            "imap://localhost:143",
            "smtp://localhost:587",
        ) + &entry("cyrus.test", CYRUS_URL, "smtp://localhost:587")),
    );
    let app = spawn_app_with(map_config(&file, &[("CARTEIRO_MAIL_DOMAIN", "cyrus.test")])).await;
    let address = user_at("cyrus.test");
    let bare = address.trim_end_matches("@cyrus.test");
    // ASCII: Cyrus turns raw 8-bit header bytes into X.
    seed(CYRUS_PLAIN, &address, "Para o login sem dominio").await;
    let client = browser();
    let (status, _) = login(&app, &client, bare).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        inbox_subjects(&app, &client).await,
        ["Para o login sem dominio"]
    );
}

/// A TCP listener on a free loopback port that counts the connections made to it.
fn counting_listener() -> (u16, Arc<AtomicUsize>) {
    let listener = StdListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    (port, count_connections(listener))
}

/// Counts, from a thread of its own, the connections made to `listener`.
pub(crate) fn count_connections(listener: StdListener) -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    count
}

#[tokio::test]
async fn hostile_domains_never_dial_anything() {
    // A template that would reach this listener for a "domain" of 127.0.0.1, which the
    // allow-list's network covers: only the domain check stands in the way.
    let (port, dialled) = counting_listener();
    let imap = format!("imap://%d:{port}?tls=none");
    let smtp = format!("smtp://%d:{port}?tls=none");
    let app = spawn_app_with(config(&[
        ("CARTEIRO_UPSTREAM_MAP", "template"),
        ("CARTEIRO_IMAP_URL", &imap),
        ("CARTEIRO_SMTP_URL", &smtp),
        ("CARTEIRO_UPSTREAM_ALLOW", "127.0.0.0/8, ::1"),
    ]))
    .await;
    let long = format!("x@{}.test", "a".repeat(300));
    for user in [
        "x@127.0.0.1",
        "x@[127.0.0.1]",
        "x@0x7f.1",
        "x@2130706433",
        "x@localhost",
        "x@evil.com:25@",
        &format!("x@127.0.0.1:{port}"),
        "x@a/b",
        "x@%",
        "x@127%2e0.0.1",
        "x@exémplo.test",
        "x@evil .test",
        long.as_str(),
    ] {
        let (status, html) = login(&app, &browser(), user).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{user}");
        assert!(
            error_text(&html).contains("There is no mail service"),
            "{user}: {}",
            error_text(&html)
        );
    }
    // A dial, had there been one, was made before its refusal was answered.
    assert_eq!(dialled.load(Ordering::SeqCst), 0, "nothing was dialled");
}

#[tokio::test]
async fn a_template_dials_only_hosts_of_the_allow_list() {
    // `mail.example.test` is allowed by name but resolves nowhere: the login is tried and the
    // server is unavailable; `mail.elsewhere.test` is not allowed: refused as unknown.
    let app = spawn_app_with(config(&[
        ("CARTEIRO_UPSTREAM_MAP", "template"),
        ("CARTEIRO_IMAP_URL", "imaps://mail.%d"),
        ("CARTEIRO_SMTP_URL", "smtps://mail.%d"),
        ("CARTEIRO_UPSTREAM_ALLOW", "*.example.test"),
    ]))
    .await;
    let (status, _) = login(&app, &browser(), "ana@example.test").await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "allowed, so dialled"
    );
    let (status, html) = login(&app, &browser(), "ana@elsewhere.test").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error_text(&html).contains("“elsewhere.test”"),
        "{}",
        error_text(&html)
    );
}

#[tokio::test]
async fn sending_goes_to_the_mapped_smtp_server_and_a_session_keeps_its_servers() {
    // The single smtp_url leads nowhere: only the map's server can deliver.
    let dead = format!("smtp://localhost:{}", free_port());
    let file = MapFile::new(
        "smtp",
        &entry(
            "example.test",
            "imap://localhost:143",
            "smtp://localhost:587",
        ),
    );
    let app = spawn_app_with(map_config(&file, &[("CARTEIRO_SMTP_URL", &dead)])).await;
    let app = TestApp {
        user: user_at("example.test"),
        ..app
    };
    app.login().await;
    let send = |subject: &'static str, to: String| {
        let app = &app;
        async move {
            let csrf = app.csrf_token().await;
            let fields = [
                ("to", to.as_str()),
                ("subject", subject),
                ("body", "Pelo servidor do domínio."),
                ("action", "send"),
            ];
            post_compose(app, form(&csrf, &fields, &[])).await.status()
        }
    };
    let recipient = fresh_user("map-rcpt");
    assert_eq!(
        send("Primeira", recipient.clone()).await,
        StatusCode::SEE_OTHER,
        "sent"
    );
    let mut inbox = Imap::connect(&recipient).await;
    assert_eq!(inbox.wait_for("INBOX", 1).await.len(), 1, "delivered");

    // The map now sends example.test elsewhere: this session goes on with the servers it
    // signed in with, while a new session takes the new ones.
    file.write(&entry("example.test", "imap://localhost:143", &dead));
    assert_eq!(
        send("Segunda", recipient.clone()).await,
        StatusCode::SEE_OTHER,
        "still sent"
    );
    assert_eq!(inbox.wait_for("INBOX", 2).await.len(), 2, "delivered again");
    let later = TestApp {
        client: browser(),
        ..app
    };
    later.login().await;
    let csrf = later.csrf_token().await;
    let fields = [
        ("to", recipient.as_str()),
        ("subject", "Terceira"),
        ("body", "x"),
        ("action", "send"),
    ];
    let status = post_compose(&later, form(&csrf, &fields, &[]))
        .await
        .status();
    assert_ne!(
        status,
        StatusCode::SEE_OTHER,
        "a new session uses the new, dead, server"
    );
}

#[tokio::test]
async fn each_domain_has_the_managesieve_server_its_entry_names_or_none() {
    // No managesieve_url of its own: only the map's entries say where filters live.
    let file = MapFile::new(
        "sieve",
        &(entry(
            "example.test",
            "imap://localhost:143",
            "smtp://localhost:587",
        )
        .replace("\n\n", "\nmanagesieve = \"sieve://localhost:4190\"\n\n")
            + &entry("cyrus.test", CYRUS_URL, "smtp://localhost:587")),
    );
    let app = spawn_app_with(map_config(&file, &[])).await;

    let with_filters = browser();
    let (status, _) = login(&app, &with_filters, &user_at("example.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = with_filters
        .get(app.url("/settings/filters"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "Dovecot's Pigeonhole answers"
    );

    let without = browser();
    let (status, _) = login(&app, &without, &user_at("cyrus.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = without
        .get(app.url("/settings/filters"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let html = Html::parse_document(&page.text().await.unwrap());
    assert!(texts(&html, "#filters-message")[0].contains("offers no filters"));
}

/// The host and port cells of the mail-apps page's server tables.
async fn apps_servers(app: &TestApp, client: &reqwest::Client) -> Vec<String> {
    let response = client.get(app.url("/apps")).send().await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the mail-apps page opens"
    );
    let html = Html::parse_document(&response.text().await.unwrap());
    texts(&html, "td.host")
        .into_iter()
        .zip(texts(&html, "td.port"))
        .map(|(host, port)| format!("{host}:{port}"))
        .collect()
}

#[tokio::test]
async fn the_mail_apps_page_names_the_servers_of_the_sessions_domain() {
    let file = MapFile::new(
        "apps",
        &(entry(
            "example.test",
            "imaps://localhost:993",
            "smtps://localhost:465",
        ) + &entry("cyrus.test", CYRUS_URL, "smtp://localhost:587")),
    );
    let app = spawn_app_with(map_config(&file, &[])).await;
    let dovecot = browser();
    let (status, _) = login(&app, &dovecot, &user_at("example.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        apps_servers(&app, &dovecot).await,
        ["localhost:993", "localhost:465"]
    );
    let cyrus = browser();
    let (status, _) = login(&app, &cyrus, &user_at("cyrus.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        apps_servers(&app, &cyrus).await,
        ["localhost:10143", "localhost:587"]
    );
}

#[tokio::test]
async fn autoconfig_answers_with_the_asked_domains_servers_and_not_for_unknown_ones() {
    let file = MapFile::new(
        "autoconfig",
        &(entry(
            "example.test",
            "imaps://localhost:993",
            "smtps://localhost:465",
        ) + &entry("cyrus.test", CYRUS_URL, "smtp://localhost:587")),
    );
    let app = spawn_app_with(map_config(&file, &[])).await;
    let ask = |address: &'static str| {
        let url = app.url(&format!(
            "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress={address}"
        ));
        async move { reqwest::get(url).await.unwrap() }
    };
    let response = ask("ana%40cyrus.test").await;
    assert_eq!(response.status(), StatusCode::OK);
    let xml = response.text().await.unwrap();
    assert!(xml.contains("<port>10143</port>"), "{xml}");
    assert!(!xml.contains("<port>993</port>"), "{xml}");
    let response = ask("ana%40example.test").await;
    assert!(response.text().await.unwrap().contains("<port>993</port>"));
    assert_eq!(
        ask("ana%40unknown.test").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn another_instance_uses_the_servers_the_session_signed_in_with() {
    // Instance A maps cyrus.test to Cyrus; instance B's map does not know it at all. The
    // session opened on A reads its Cyrus inbox through B: the servers travel with the
    // session record in Redis, and B's own map is not asked.
    let redis = crate::instances::Redis::start().await;
    let on_a = MapFile::new(
        "instance-a",
        &entry("cyrus.test", CYRUS_URL, "smtp://localhost:587"),
    );
    let on_b = MapFile::new(
        "instance-b",
        &entry(
            "example.test",
            "imap://localhost:143",
            "smtp://localhost:587",
        ),
    );
    let with_redis = |file: &MapFile| {
        let mut config = map_config(file, &[]);
        config.redis_url = Some(redis.url.clone().into());
        config
    };
    let a = spawn_app_with(with_redis(&on_a)).await;
    let b = spawn_app_with(with_redis(&on_b)).await;
    let user = user_at("cyrus.test");
    seed(CYRUS_PLAIN, &user, "Lida pela outra instancia").await;
    // One cookie jar for both: cookies ignore the port, as behind one load balancer.
    let client = browser();
    let (status, _) = login(&a, &client, &user).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        inbox_subjects(&b, &client).await,
        ["Lida pela outra instancia"]
    );
    let (status, _) = login(&b, &browser(), &user).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "B itself maps no cyrus.test"
    );
}
