//! Per-domain look: the map file gives domains a product name and an accent colour. After
//! login a page shows the session's domain's look; the login page shows the look of the
//! domain that lists the request's `Host`, else the default. Hostile colours are refused
//! and the default look stays; an edit of the file is picked up without a restart.

use reqwest::StatusCode;
use scraper::{Html, Selector};

use crate::helpers::{browser, spawn_app_with, texts, TestApp};
use crate::upstream_map::{entry, login, map_config, user_at, MapFile};

const IMAP: &str = "imap://localhost:143";
const SMTP: &str = "smtp://localhost:587";

/// An entry on the stack's Dovecot (which takes any user) with look keys on top.
fn branded(domain: &str, look: &str) -> String {
    let plain = entry(domain, IMAP, SMTP);
    format!("{}\n{look}\n\n", plain.trim_end())
}

/// The product name in the page's header and the href of its accent stylesheet, if any.
fn look_of(html: &Html) -> (String, Option<String>) {
    let title = texts(html, "title").join("");
    let name = title
        .rsplit(" · ")
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let css = Selector::parse(r#"link[rel="stylesheet"][href*="/static/brand/"]"#).unwrap();
    let href = html
        .select(&css)
        .next()
        .and_then(|l| l.value().attr("href"))
        .map(str::to_string);
    (name, href)
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str, host: Option<&str>) -> Html {
    let mut request = client.get(app.url(path));
    if let Some(host) = host {
        request = request.header(reqwest::header::HOST, host);
    }
    let response = request.send().await.expect("GET works");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    Html::parse_document(&response.text().await.expect("body"))
}

const DEFAULT: &str = "product_name = \"Hosting Mail\"\naccent = \"#005a32\"\n\n";

#[tokio::test]
async fn each_domain_sees_its_own_name_and_accent_after_login_and_an_edit_is_picked_up() {
    let file = MapFile::new(
        "look-two",
        &(DEFAULT.to_string()
            + &branded(
                "alfa.test",
                "product_name = \"Alfa Correio\"\naccent = \"#8a1c1c\"",
            )
            + &branded(
                "beta.test",
                "product_name = \"Beta Post\"\naccent = \"#1f3f9f\"",
            )),
    );
    let app = spawn_app_with(map_config(&file, &[])).await;

    let alfa = browser();
    let (status, _) = login(&app, &alfa, &user_at("alfa.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let beta = browser();
    let (status, _) = login(&app, &beta, &user_at("beta.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let html = page(&app, &alfa, "/mail/INBOX", None).await;
    let (name, css) = look_of(&html);
    assert_eq!(name, "Alfa Correio");
    assert_eq!(texts(&html, "a.brand"), ["Alfa Correio"]);
    assert!(css
        .as_deref()
        .unwrap()
        .ends_with("/static/brand/accent-8a1c1c.css"));

    let (name, css) = look_of(&page(&app, &beta, "/mail/INBOX", None).await);
    assert_eq!(name, "Beta Post");
    assert!(css
        .as_deref()
        .unwrap()
        .ends_with("/static/brand/accent-1f3f9f.css"));

    // A new colour for beta (and a different length, so the file's stamp surely changes).
    file.write(
        &(DEFAULT.to_string()
            + &branded(
                "alfa.test",
                "product_name = \"Alfa Correio\"\naccent = \"#8a1c1c\"",
            )
            + &branded(
                "beta.test",
                "product_name = \"Beta Post 2\"\naccent = \"#0b5a2e\"",
            )),
    );
    let (name, css) = look_of(&page(&app, &beta, "/mail/INBOX", None).await);
    assert_eq!(name, "Beta Post 2", "the edited file is read again");
    assert!(css
        .as_deref()
        .unwrap()
        .ends_with("/static/brand/accent-0b5a2e.css"));
}

#[tokio::test]
async fn the_login_page_shows_the_brand_of_a_listed_host_and_the_default_elsewhere() {
    let file = MapFile::new(
        "look-host",
        &(DEFAULT.to_string()
            + &branded(
                "alfa.test",
                "product_name = \"Alfa Correio\"\naccent = \"#8a1c1c\"\nhosts = [\"webmail.alfa.test\"]",
            )),
    );
    let app = spawn_app_with(map_config(&file, &[])).await;
    let client = browser();

    let html = page(&app, &client, "/login", Some("webmail.alfa.test:8080")).await;
    assert_eq!(texts(&html, "h1"), ["Alfa Correio"]);
    assert!(look_of(&html).1.unwrap().ends_with("accent-8a1c1c.css"));

    let html = page(&app, &client, "/login", Some("webmail.other.test")).await;
    assert_eq!(texts(&html, "h1"), ["Hosting Mail"]);
    assert!(look_of(&html).1.unwrap().ends_with("accent-005a32.css"));
}

#[tokio::test]
async fn the_accent_stylesheet_is_plain_css_with_strict_headers_and_refuses_other_colours() {
    let file = MapFile::new("look-css", &branded("alfa.test", "accent = \"#8a1c1c\""));
    let app = spawn_app_with(map_config(&file, &[])).await;
    let client = browser();

    let response = client
        .get(app.url("/static/brand/accent-8a1c1c.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let h = response.headers();
    assert_eq!(h["content-type"], "text/css; charset=utf-8");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    let body = response.text().await.unwrap();
    assert!(body.contains("--accent: light-dark(#8a1c1c,"), "{body}");

    // Not a colour, or a colour too pale for white button text: nothing is served.
    for path in [
        "/static/brand/accent-ffcc00.css",
        "/static/brand/accent-red;x.css",
        "/static/brand/accent-8a1c1.css",
        "/static/brand/other-8a1c1c.css",
    ] {
        let status = client.get(app.url(path)).send().await.unwrap().status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn hostile_or_pale_accents_are_refused_and_the_default_look_is_used() {
    let file = MapFile::new(
        "look-hostile",
        &(DEFAULT.to_string()
            + &branded("evil.test", "accent = \"red;background:url(x)\"")
            + &branded("pale.test", "accent = \"#ffcc00\"")),
    );
    let app = spawn_app_with(map_config(&file, &[])).await;
    for domain in ["evil.test", "pale.test"] {
        let client = browser();
        let (status, _) = login(&app, &client, &user_at(domain)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{domain} still signs in");
        let html = page(&app, &client, "/mail/INBOX", None).await;
        let (name, css) = look_of(&html);
        assert_eq!(name, "Hosting Mail", "{domain}");
        assert!(
            css.as_deref().unwrap().ends_with("accent-005a32.css"),
            "{domain}: {css:?}"
        );
        let page_text = html.html();
        assert!(!page_text.contains("url(x)") && !page_text.contains("ffcc00"));
    }
}

#[tokio::test]
async fn the_mail_apps_page_names_the_product_of_the_sessions_domain() {
    let plain = entry(
        "alfa.test",
        "imaps://localhost:993",
        "smtps://localhost:465",
    );
    let file = MapFile::new(
        "look-apps",
        &(DEFAULT.to_string()
            + &format!("{}\nproduct_name = \"Alfa Correio\"\n", plain.trim_end())),
    );
    let app = spawn_app_with(map_config(&file, &[])).await;
    let client = browser();
    let (status, _) = login(&app, &client, &user_at("alfa.test")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let html = page(&app, &client, "/apps", None).await;
    assert_eq!(look_of(&html).0, "Alfa Correio");
    let facts = texts(&html, ".account-facts dd").join(" ");
    assert!(facts.contains("Alfa Correio"), "{facts}");
    assert!(!facts.contains("Hosting Mail"), "{facts}");
}

/// A file of this test's own, removed at the end.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, bytes: &[u8]) -> TempFile {
        let path = std::env::temp_dir().join(format!(
            "carteiro-look-{}-{:08x}-{name}",
            std::process::id(),
            crate::helpers::rand_u32()
        ));
        std::fs::write(&path, bytes).expect("written");
        TempFile(path)
    }

    /// The path as a TOML string value.
    fn toml(&self) -> String {
        format!("{:?}", self.0.display().to_string())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The `src` of the page's logo image, if it shows one.
fn logo_src(html: &Html) -> Option<String> {
    let img = Selector::parse("img.brand-logo").unwrap();
    html.select(&img)
        .next()
        .and_then(|i| i.value().attr("src"))
        .map(str::to_string)
}

const SVG: &[u8] = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;

#[tokio::test]
async fn each_domains_logo_is_served_with_strict_headers_and_hostile_logos_are_refused() {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    let png_file = TempFile::new("logo.png", &png);
    let svg_file = TempFile::new("logo.svg", SVG);
    let html_file = TempFile::new(
        "evil.svg",
        b"<html><script>alert(1)</script><svg></svg></html>",
    );
    let mut huge = b"\x89PNG\r\n\x1a\n".to_vec();
    huge.resize(300 * 1024, 0);
    let huge_file = TempFile::new("huge.png", &huge);
    let file = MapFile::new(
        "look-logo",
        &(branded("alfa.test", &format!("logo = {}", png_file.toml()))
            + &branded("beta.test", &format!("logo = {}", svg_file.toml()))
            + &branded("evil.test", &format!("logo = {}", html_file.toml()))
            + &branded("huge.test", &format!("logo = {}", huge_file.toml()))),
    );
    let app = spawn_app_with(map_config(&file, &[])).await;

    for (domain, bytes, content_type) in [
        ("alfa.test", &png[..], "image/png"),
        ("beta.test", SVG, "image/svg+xml"),
    ] {
        let client = browser();
        let (status, _) = login(&app, &client, &user_at(domain)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let src = logo_src(&page(&app, &client, "/mail/INBOX", None).await).expect("a logo");
        assert!(src.contains("/static/brand/logo-"), "{src}");
        let response = reqwest::Client::new()
            .get(format!("{}{}", app.url(""), src))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{domain}");
        let h = response.headers();
        assert_eq!(h["content-type"], content_type);
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"));
        assert_eq!(&response.bytes().await.unwrap()[..], bytes, "{domain}");
    }

    for domain in ["evil.test", "huge.test"] {
        let client = browser();
        let (status, _) = login(&app, &client, &user_at(domain)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{domain} still signs in");
        let html = page(&app, &client, "/mail/INBOX", None).await;
        assert_eq!(logo_src(&html), None, "{domain} shows no logo");
        assert_eq!(look_of(&html).0, "Carteiro");
    }
}
