//! Behind a real reverse proxy (Debian's nginx, started by the test with its own
//! configuration): at the root and under `/webmail`, every link, form, redirect, asset and
//! cookie stays under the prefix, including folders named with `/`, `%`, spaces and accents;
//! forwarded headers are believed only from the trusted proxy.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;

use crate::helpers::{
    fresh_user, message, spawn_app_with, test_config, Imap, TestApp, TEST_PASSWORD,
};

/// An nginx in front of one Carteiro, killed on drop.
struct Nginx {
    child: Child,
    port: u16,
    _dir: TempDir,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nginx {
    /// Proxies `location` to the app, the way docs/reverse-proxy.md tells admins to;
    /// `proto` is what it reports in `X-Forwarded-Proto` (`https` stands for TLS ending at
    /// the proxy).
    async fn start(app: &TestApp, location: &str, proto: &str) -> Nginx {
        let dir = std::env::temp_dir().join(format!(
            "carteiro-nginx-{}-{}",
            std::process::id(),
            crate::helpers::rand_u32()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let port = crate::helpers::free_port();
        let upstream = app.base_url.trim_start_matches("http://");
        let d = dir.display();
        let conf = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
               server {{\n    listen 127.0.0.1:{port};\n    location {location} {{\n\
                   proxy_pass http://{upstream};\n\
                   proxy_set_header Host $host:$server_port;\n\
                   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
                   proxy_set_header X-Forwarded-Proto {proto};\n\
                   proxy_set_header X-Forwarded-Host $http_host;\n\
                   client_max_body_size 30m;\n    }}\n  }}\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new("/usr/sbin/nginx")
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-p")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx runs (scripts/test-deps.sh installs it)");
        // From here on, dropping the guard kills and reaps nginx, whatever happens.
        let nginx = Nginx {
            child,
            port,
            _dir: TempDir(dir.clone()),
        };
        assert!(
            crate::helpers::wait_for_port(port).await,
            "nginx did not start: {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        nginx
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

/// A browser-like client (cookies, no redirect following) from a given loopback address.
fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(address.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// Configuration for an app that trusts the loopback nginx.
fn proxied_config(base_path: &str) -> carteiro::config::Config {
    let mut config = test_config("imap://localhost:143");
    config.base_path = base_path.to_string();
    config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    config
}

/// Folder names that are awkward in URLs, as IMAP names (modified UTF-7) and as shown.
const AWKWARD: &[(&str, &str)] = &[
    ("Pasta", "Pasta"),
    ("Pasta/Sub", "Sub"),
    ("100% certo", "100% certo"),
    ("Com espa&AOc-o", "Com espaço"),
    ("A&AOcA4w-o", "Ação"),
];

async fn seed_awkward_folders(user: &str) {
    let mut imap = Imap::connect(user).await;
    for (wire, shown) in AWKWARD {
        imap.create(wire).await;
        let raw = message(
            "Remetente <r@example.test>",
            &format!("Mensagem em {shown}"),
            "Tue, 4 Mar 2025 08:00:00 +0000",
            "x",
        );
        imap.append(wire, &raw, None).await;
    }
}

/// Every URL a page points the browser at: links, assets, frames and form targets.
fn references(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let mut out = Vec::new();
    for (selector, attr) in [
        ("a[href]", "href"),
        ("link[href]", "href"),
        ("img[src]", "src"),
        ("iframe[src]", "src"),
        ("script[src]", "src"),
        ("form[action]", "action"),
    ] {
        let selector = scraper::Selector::parse(selector).unwrap();
        for element in doc.select(&selector) {
            if let Some(value) = element.value().attr(attr) {
                out.push(value.to_string());
            }
        }
    }
    out
}

/// Signs in through the proxy, then follows every reference of the inbox, of every folder
/// page and of one message per folder: each stays under `prefix` and answers.
async fn crawl_through(nginx: &Nginx, prefix: &str, user: &str) {
    let browser = client_from("127.0.0.1");
    let response = browser
        .get(nginx.url(&format!("{prefix}/")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(&format!("{prefix}/")));
    let response = browser
        .post(nginx.url(&format!("{prefix}/login")))
        .header("origin", nginx.url(""))
        .form(&[("username", user), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "login via the proxy"
    );
    assert_eq!(
        response.headers()["location"],
        format!("{prefix}/mail/INBOX").as_str()
    );
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    let cookie_path = if prefix.is_empty() { "/" } else { prefix };
    assert!(
        cookie.contains(&format!("Path={cookie_path}")),
        "cookie scoped to the prefix: {cookie}"
    );

    let mut checked = BTreeSet::new();
    let inbox = get_checked(
        &browser,
        nginx,
        prefix,
        &format!("{prefix}/mail/INBOX"),
        &mut checked,
    )
    .await;
    for (_, shown) in AWKWARD {
        // The sidebar link to the folder, followed as a browser would.
        let link = link_named(&inbox, ".folders a", shown)
            .unwrap_or_else(|| panic!("a sidebar link to {shown}"));
        let folder = get_checked(&browser, nginx, prefix, &link, &mut checked).await;
        let subject = format!("Mensagem em {shown}");
        let message = link_named(&folder, "td.subject a", &subject)
            .unwrap_or_else(|| panic!("{subject} listed in {shown}"));
        get_checked(&browser, nginx, prefix, &message, &mut checked).await;
    }
}

/// The href of the first element matching `selector` whose text contains `text`.
fn link_named(html: &str, selector: &str, text: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(selector).unwrap();
    doc.select(&selector)
        .find(|a| a.text().collect::<String>().contains(text))
        .and_then(|a| a.value().attr("href").map(str::to_string))
}

/// GETs a page through the proxy: it answers 200, everything it references stays under
/// `prefix/`, and its assets and frames (fetched once each) answer 200 too.
async fn get_checked(
    browser: &reqwest::Client,
    nginx: &Nginx,
    prefix: &str,
    path: &str,
    checked: &mut BTreeSet<String>,
) -> String {
    let response = browser.get(nginx.url(path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let html = response.text().await.unwrap();
    for reference in references(&html) {
        assert!(
            reference.starts_with(&format!("{prefix}/")) || reference.starts_with('#'),
            "{path} points outside {prefix}/: {reference}"
        );
        let loads_by_itself = reference.contains("/static/") || reference.ends_with("/body");
        if loads_by_itself && checked.insert(reference.clone()) {
            let response = browser.get(nginx.url(&reference)).send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::OK,
                "{reference} (from {path})"
            );
        }
    }
    html
}

#[tokio::test]
async fn under_a_sub_path_behind_nginx_everything_stays_under_it() {
    let app = spawn_app_with(proxied_config("/webmail")).await;
    seed_awkward_folders(&app.user).await;
    let nginx = Nginx::start(&app, "/webmail/", "$scheme").await;
    crawl_through(&nginx, "/webmail", &app.user).await;
}

#[tokio::test]
async fn at_the_root_behind_nginx_too() {
    let app = spawn_app_with(proxied_config("")).await;
    seed_awkward_folders(&app.user).await;
    let nginx = Nginx::start(&app, "/", "$scheme").await;
    crawl_through(&nginx, "", &app.user).await;
}

#[tokio::test]
async fn https_at_the_proxy_makes_cookies_secure_but_a_client_cannot_claim_it() {
    let app = spawn_app_with(proxied_config("")).await;
    let nginx = Nginx::start(&app, "/", "https").await;
    let response = client_from("127.0.0.1")
        .post(nginx.url("/login"))
        .form(&[("username", app.user.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(response.headers().contains_key("strict-transport-security"));

    // Straight to Carteiro from an address that is not the proxy: the header is ignored.
    let mut config = proxied_config("");
    config.trusted_proxies = vec!["10.9.9.9/32".parse().unwrap()];
    let direct = spawn_app_with(config).await;
    let response = client_from("127.0.0.1")
        .post(direct.url("/login"))
        .header("x-forwarded-proto", "https")
        .form(&[
            ("username", direct.user.as_str()),
            ("password", TEST_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(!response.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn login_limits_count_the_real_client_behind_the_proxy_not_what_it_claims() {
    let app = spawn_app_with(proxied_config("")).await;
    let nginx = Nginx::start(&app, "/", "$scheme").await;
    // 127.0.0.2 fails 20 times (different accounts, a different forged address each time).
    let attacker = client_from("127.0.0.2");
    for i in 0..20 {
        let response = attacker
            .post(nginx.url("/login"))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .form(&[
                ("username", fresh_user("x").as_str()),
                ("password", "wrong"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let response = attacker
        .post(nginx.url("/login"))
        .header("x-forwarded-for", "198.51.100.200")
        .form(&[("username", app.user.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the attacker's real address is held back"
    );
    // Another client behind the same proxy is not.
    let response = client_from("127.0.0.3")
        .post(nginx.url("/login"))
        .form(&[("username", app.user.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn live_updates_pass_through_nginx_one_event_at_a_time() {
    let mut config = proxied_config("/webmail");
    config.live_updates_every = std::time::Duration::from_secs(1);
    let app = spawn_app_with(config).await;
    let nginx = Nginx::start(&app, "/webmail/", "http").await;
    let user = fresh_user("proxy-live");
    let browser = client_from("127.0.0.1");
    let response = browser
        .post(nginx.url("/webmail/login"))
        .header("origin", nginx.url(""))
        .form(&[("username", user.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = browser
        .get(nginx.url("/webmail/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Each event must come through as it is sent (the response tells nginx not to buffer
    // it), not when kilobytes more have piled up: the reader gives up after 30 s.
    let mut events = crate::events::Events::new(response);
    assert_eq!(events.next_for("INBOX").await["messages"], 0);
    let mut imap = Imap::connect(&user).await;
    imap.append(
        "INBOX",
        &message(
            "a@example.test",
            "Via nginx",
            "Tue, 4 Mar 2025 08:00:00 +0000",
            "b",
        ),
        None,
    )
    .await;
    assert_eq!(events.next_for("INBOX").await["messages"], 1);
}
