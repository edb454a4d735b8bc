//! Upstream discovery (`upstream_map = "discover"`, `upstream_discovery`): a login's domain
//! finds its servers in its own SRV records (RFC 6186) or autoconfig file, served here by a
//! real DNS server (dnsmasq) and a real HTTPS server, both started by
//! `scripts/discoverystack.sh` (its header lists the test domains). What the DNS says is
//! hostile until the allow-list agrees: a server, or an autoconfig host, outside it is never
//! contacted.

use std::net::TcpListener as StdListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use carteiro::config::Config;
use reqwest::StatusCode;
use scraper::Html;

use crate::helpers::{browser, browser_speaking, spawn_app_with, stack_dir, texts, TestApp};
use crate::upstream_map::{config, count_connections, entry, login, user_at, MapFile};

/// Where `scripts/discoverystack.sh` answers DNS queries.
const DNS: &str = "127.0.0.1:5353";
/// Where the hostile records point (an address where a host name belongs, as an attacker
/// aiming at an internal machine writes it).
const TRAP: (&str, u16) = ("127.0.0.2", 10999);

fn discovery_config(allow: &str, extra: &[(&str, &str)]) -> Config {
    let mut all = vec![
        ("CARTEIRO_UPSTREAM_ALLOW", allow),
        ("CARTEIRO_DISCOVERY_DNS", DNS),
    ];
    all.extend_from_slice(extra);
    config(&all)
}

fn discover_only(allow: &str) -> Config {
    discovery_config(allow, &[("CARTEIRO_UPSTREAM_MAP", "discover")])
}

/// The lines of a log of the discovery stack that hold `needle`.
fn log_lines(name: &str, needle: &str) -> usize {
    std::fs::read_to_string(stack_dir().join("discovery").join(name))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(needle))
        .count()
}

fn error_text(html: &Html) -> String {
    texts(html, ".error, [role=alert]").join(" ")
}

async fn signed_in_inbox(app: &TestApp, client: &reqwest::Client) {
    let response = client.get(app.url("/mail/INBOX")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the inbox opens");
}

/// The session's servers, as the mail-apps page shows them to the person.
async fn apps_page(app: &TestApp, client: &reqwest::Client) -> String {
    let response = client.get(app.url("/apps")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

#[tokio::test]
async fn srv_records_give_the_servers_and_the_answer_is_cached() {
    let app = spawn_app_with(discover_only("localhost")).await;
    let before = log_lines("dns.log", "query[SRV] _imaps._tcp.srv.test");
    let client = browser();
    let (status, html) = login(&app, &client, &user_at("srv.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", error_text(&html));
    signed_in_inbox(&app, &client).await;
    let asked = log_lines("dns.log", "query[SRV] _imaps._tcp.srv.test");
    assert!(asked > before, "the DNS server was asked");
    // A second person of the same domain: the cached answer, no new query.
    let (status, _) = login(&app, &browser(), &user_at("srv.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        log_lines("dns.log", "query[SRV] _imaps._tcp.srv.test"),
        asked,
        "the second login used the cache"
    );
    // The servers the records named (993 TLS, 465 TLS) are the session's.
    let page = apps_page(&app, &client).await;
    assert!(page.contains("993") && page.contains("465"), "{page}");
}

#[tokio::test]
async fn a_service_marked_not_offered_falls_back_to_the_starttls_records() {
    let app = spawn_app_with(discover_only("localhost")).await;
    let client = browser();
    let (status, html) = login(&app, &client, &user_at("starttls.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", error_text(&html));
    signed_in_inbox(&app, &client).await;
    let page = apps_page(&app, &client).await;
    assert!(page.contains("143") && page.contains("587"), "{page}");
}

#[tokio::test]
async fn without_srv_records_the_autoconfig_file_gives_the_servers() {
    let app = spawn_app_with(discover_only("localhost, autoconfig.auto.test")).await;
    let before = log_lines("https.log", "autoconfig.auto.test /mail/config-v1.1.xml");
    let client = browser();
    let (status, html) = login(&app, &client, &user_at("auto.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", error_text(&html));
    signed_in_inbox(&app, &client).await;
    assert!(
        log_lines("https.log", "autoconfig.auto.test /mail/config-v1.1.xml") > before,
        "the file was fetched from the domain's autoconfig host"
    );
}

#[tokio::test]
async fn an_autoconfig_host_outside_the_allow_list_is_never_fetched() {
    let app = spawn_app_with(discover_only("localhost")).await;
    let before = log_lines("https.log", "autoconfig.offlist.test");
    let (status, html) = login(&app, &browser_speaking("pt-BR"), &user_at("offlist.test")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error_text(&html).contains("Não há serviço de e-mail para “offlist.test” aqui."),
        "{}",
        error_text(&html)
    );
    assert_eq!(
        log_lines("https.log", "autoconfig.offlist.test"),
        before,
        "nothing was fetched from a host the admin did not allow"
    );
}

/// A TCP listener on the trap's address that counts the connections made to it.
fn trap() -> Arc<AtomicUsize> {
    count_connections(StdListener::bind(TRAP).expect("the trap's address is free"))
}

/// One test holds the trap's fixed port for every hostile case, so they cannot collide.
#[tokio::test]
async fn hostile_records_pointing_off_the_allow_list_are_never_dialled() {
    let dialled = trap();
    let app = spawn_app_with(discover_only("localhost, autoconfig.hostile-auto.test")).await;
    for domain in ["hostile.test", "hostile-auto.test", "nothing.test"] {
        let (status, html) = login(&app, &browser_speaking("en"), &user_at(domain)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{domain}");
        assert!(
            error_text(&html).contains(&format!("There is no mail service for “{domain}” here.")),
            "{domain}: {}",
            error_text(&html)
        );
    }
    assert_eq!(
        dialled.load(Ordering::SeqCst),
        0,
        "the trap was never dialled"
    );

    // The control: once the admin allows the trap's host, the same records are followed
    // (and the login fails at the trap, which is no IMAP server). Without this, the count
    // above could be zero because discovery never found the trap at all.
    let loosened = spawn_app_with(discover_only("localhost, 127.0.0.2")).await;
    let (status, _) = login(&loosened, &browser(), &user_at("hostile.test")).await;
    assert_ne!(status, StatusCode::SEE_OTHER);
    assert!(
        dialled.load(Ordering::SeqCst) > 0,
        "the allowed trap was dialled"
    );
}

#[tokio::test]
async fn discovery_adds_to_a_map_file_whose_entries_come_first() {
    // The file names srv.test with STARTTLS servers; its records say TLS. The file wins;
    // a domain the file does not name is discovered.
    let file = MapFile::new(
        "discovery",
        &entry("srv.test", "imap://localhost:143", "smtp://localhost:587"),
    );
    let path = file.0.display().to_string();
    let config = discovery_config(
        "localhost",
        &[
            ("CARTEIRO_UPSTREAM_MAP", path.as_str()),
            ("CARTEIRO_UPSTREAM_DISCOVERY", "true"),
        ],
    );
    let app = spawn_app_with(config).await;
    let client = browser();
    let (status, _) = login(&app, &client, &user_at("srv.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = apps_page(&app, &client).await;
    assert!(page.contains("143") && !page.contains("993"), "{page}");
    let client = browser();
    let (status, _) = login(&app, &client, &user_at("starttls.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "not in the file: discovered");
}

#[test]
fn discovery_without_an_allow_list_is_a_configuration_error() {
    let env = vec![
        ("CARTEIRO_LISTEN".to_string(), "127.0.0.1:0".to_string()),
        (
            "CARTEIRO_SECRET_KEY".to_string(),
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
        ),
        ("CARTEIRO_UPSTREAM_MAP".to_string(), "discover".to_string()),
    ];
    let refused = Config::load(None, &env).unwrap_err().to_string();
    assert!(refused.contains("upstream_allow"), "{refused}");
}
