//! "Use your mail in an app": the page, and the documents mail apps fetch by themselves
//! (Thunderbird autoconfig, Outlook Autodiscover, the Apple profile), parsed with a real XML
//! parser and, for the profile, Python's plistlib. The servers offered are logged in to on
//! the real Dovecot and Postfix, the way each document says.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use carteiro::config::Config;
use carteiro::mailapps::{mobileconfig, Encryption, Kind, MailApps, Server};
use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::helpers::{attrs, spawn_app_with, stack_dir, test_config, texts, TEST_PASSWORD};

const OUTLOOK_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
const RESPONSE_NS: &str = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";

/// The test configuration with `CARTEIRO_APPS_*` settings, read the way `main` reads them.
fn with_apps(settings: &[(&str, &str)]) -> Config {
    let mut env: Vec<(String, String)> = settings
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.push((
        "CARTEIRO_SECRET_KEY".into(),
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into(),
    ));
    let (parsed, _) = Config::load(None, &env).expect("apps settings are valid");
    let mut config = test_config("imap://localhost:143");
    config.mail_apps = parsed.mail_apps;
    config
}

/// A provider whose apps reach the mail servers under public names of their own.
fn public_names() -> Config {
    with_apps(&[
        (
            "CARTEIRO_APPS_IMAP",
            "imaps://imap.example.org:993,imap://imap.example.org:143",
        ),
        ("CARTEIRO_APPS_POP3", "pop3s://pop.example.org"),
        (
            "CARTEIRO_APPS_SMTP",
            "smtps://smtp.example.org:465, smtp://smtp.example.org:587",
        ),
    ])
}

/// The local stack itself, every port it has (its certificate is for `localhost`).
fn local_stack() -> Config {
    with_apps(&[
        (
            "CARTEIRO_APPS_IMAP",
            "imaps://localhost:993,imap://localhost:143",
        ),
        (
            "CARTEIRO_APPS_POP3",
            "pop3s://localhost:995,pop3://localhost:110",
        ),
        (
            "CARTEIRO_APPS_SMTP",
            "smtps://localhost:465,smtp://localhost:587",
        ),
    ])
}

/// The documented Autodiscover request (MS-OXDSCLI 4.1), for `address` as XML text.
fn autodiscover_request(address_xml: &str, schema: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>{address_xml}</EMailAddress>
    <AcceptableResponseSchema>{schema}</AcceptableResponseSchema>
  </Request>
</Autodiscover>"#
    )
}

/// XML-escapes test input independently of the code under test.
fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// POSTs like Outlook: no cookie, no `Origin`, no `Sec-Fetch-Site`.
async fn post_autodiscover(
    base_url: &str,
    path: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base_url}{path}"))
        .header("content-type", "text/xml")
        .body(body)
        .send()
        .await
        .expect("POST works")
}

fn parse(text: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("well-formed XML ({e}):\n{text}"))
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
        .unwrap_or_else(|| panic!("<{}> has a <{name}>", node.tag_name().name()))
}

fn children<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    node.children()
        .filter(|n| n.is_element() && n.tag_name().name() == name)
        .collect()
}

fn text_of(node: roxmltree::Node<'_, '_>, name: &str) -> String {
    child(node, name).text().unwrap_or_default().to_string()
}

/// The servers of a Thunderbird autoconfig document: (type, host, port, socketType, user).
fn autoconfig_servers(doc: &roxmltree::Document<'_>) -> Vec<[String; 5]> {
    let provider = child(doc.root_element(), "emailProvider");
    provider
        .children()
        .filter(|n| n.is_element() && n.tag_name().name().ends_with("Server"))
        .map(|s| {
            assert_eq!(text_of(s, "authentication"), "password-cleartext");
            [
                s.attribute("type").unwrap_or_default().to_string(),
                text_of(s, "hostname"),
                text_of(s, "port"),
                text_of(s, "socketType"),
                text_of(s, "username"),
            ]
        })
        .collect()
}

#[tokio::test]
async fn thunderbird_autoconfig_lists_the_configured_servers_at_both_paths() {
    let app = spawn_app_with(public_names()).await;
    for path in [
        "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=ana%40Example.ORG",
        "/mail/config-v1.1.xml?emailaddress=ana%40Example.ORG",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml"));
        let text = response.text().await.unwrap();
        let doc = parse(&text);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "clientConfig");
        assert_eq!(root.attribute("version"), Some("1.1"));
        let provider = child(root, "emailProvider");
        assert_eq!(provider.attribute("id"), Some("example.org"));
        assert_eq!(text_of(provider, "domain"), "example.org");
        let expected = [
            ["imap", "imap.example.org", "993", "SSL"],
            ["imap", "imap.example.org", "143", "STARTTLS"],
            ["pop3", "pop.example.org", "995", "SSL"],
            ["smtp", "smtp.example.org", "465", "SSL"],
            ["smtp", "smtp.example.org", "587", "STARTTLS"],
        ];
        let servers = autoconfig_servers(&doc);
        assert_eq!(servers.len(), expected.len(), "{text}");
        for (server, want) in servers.iter().zip(expected) {
            assert_eq!(&server[..4], want, "{text}");
            assert_eq!(server[4], "%EMAILADDRESS%");
        }
        // Incoming servers come before outgoing ones, and POP3 leaves mail on the server.
        let pop3 = children(provider, "incomingServer")[2];
        assert_eq!(
            text_of(child(pop3, "pop3"), "leaveMessagesOnServer"),
            "true"
        );
        assert_eq!(children(provider, "outgoingServer").len(), 2);
    }
}

#[tokio::test]
async fn autoconfig_without_an_address_names_the_domain_asked() {
    let app = spawn_app_with(public_names()).await;
    let response = reqwest::Client::new()
        .get(app.url("/mail/config-v1.1.xml"))
        .header("host", "autoconfig.example.net")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let doc = parse(&text);
    let provider = child(doc.root_element(), "emailProvider");
    assert_eq!(provider.attribute("id"), Some("example.net"));
}

#[tokio::test]
async fn outlook_autodiscover_answers_the_documented_request_with_every_server() {
    let app = spawn_app_with(public_names()).await;
    // Each spelling Outlook uses; no Origin header, so the CSRF layer lets it through.
    for path in [
        "/autodiscover/autodiscover.xml",
        "/Autodiscover/Autodiscover.xml",
    ] {
        let body = autodiscover_request("ana@example.org", OUTLOOK_SCHEMA);
        let response = post_autodiscover(&app.base_url, path, body).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml"));
        let text = response.text().await.unwrap();
        let doc = parse(&text);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "Autodiscover");
        assert_eq!(root.tag_name().namespace(), Some(RESPONSE_NS));
        let response = child(root, "Response");
        assert_eq!(response.tag_name().namespace(), Some(OUTLOOK_SCHEMA));
        let account = child(response, "Account");
        assert_eq!(text_of(account, "AccountType"), "email");
        assert_eq!(text_of(account, "Action"), "settings");
        let protocols: Vec<[String; 5]> = children(account, "Protocol")
            .into_iter()
            .map(|p| {
                assert_eq!(text_of(p, "LoginName"), "ana@example.org");
                assert_eq!(text_of(p, "SPA"), "off");
                assert_eq!(text_of(p, "AuthRequired"), "on");
                [
                    text_of(p, "Type"),
                    text_of(p, "Server"),
                    text_of(p, "Port"),
                    text_of(p, "SSL"),
                    text_of(p, "Encryption"),
                ]
            })
            .collect();
        let expected = [
            ["IMAP", "imap.example.org", "993", "on", "SSL"],
            ["IMAP", "imap.example.org", "143", "on", "TLS"],
            ["POP3", "pop.example.org", "995", "on", "SSL"],
            ["SMTP", "smtp.example.org", "465", "on", "SSL"],
            ["SMTP", "smtp.example.org", "587", "on", "TLS"],
        ];
        assert_eq!(
            protocols,
            expected.map(|row| row.map(String::from)),
            "{text}"
        );
    }
}

/// The ErrorCode and DebugData of an Autodiscover error document.
async fn autodiscover_error(response: reqwest::Response) -> (String, String) {
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "errors come as documents"
    );
    let text = response.text().await.unwrap();
    let doc = parse(&text);
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(RESPONSE_NS));
    let error = child(child(root, "Response"), "Error");
    assert!(error.attribute("Time").is_some(), "{text}");
    (text_of(error, "ErrorCode"), text_of(error, "DebugData"))
}

#[tokio::test]
async fn a_malformed_autodiscover_request_gets_the_documented_error() {
    let app = spawn_app_with(public_names()).await;
    let path = "/autodiscover/autodiscover.xml";
    let cases = [
        ("not xml at all", "600", "not well-formed"),
        (
            "<Autodiscover><Request><EMailAddress>ana@example.org</Request></Autodiscover>",
            "600",
            "not well-formed",
        ),
        (
            // No entity is ever expanded: a document type declaration is refused outright.
            "<!DOCTYPE a [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\
             <Autodiscover><Request><EMailAddress>&b;</EMailAddress></Request></Autodiscover>",
            "600",
            "not well-formed",
        ),
        (
            &autodiscover_request("", OUTLOOK_SCHEMA),
            "600",
            "no <EMailAddress>",
        ),
        (
            &autodiscover_request("not-an-address", OUTLOOK_SCHEMA),
            "600",
            "not an e-mail address",
        ),
        (
            &autodiscover_request(
                "ana@example.org",
                "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006",
            ),
            "601",
            "not provided",
        ),
    ];
    for (body, code, words) in cases {
        let response = post_autodiscover(&app.base_url, path, body.to_string()).await;
        let (got_code, debug) = autodiscover_error(response).await;
        assert_eq!(got_code, code, "{body}");
        assert!(debug.contains(words), "{body}: {debug}");
    }
    // A browser's GET says the same, which shows an admin the address reaches Carteiro.
    let (code, _) = autodiscover_error(app.get(path).await).await;
    assert_eq!(code, "600");
}

#[tokio::test]
async fn an_oversized_autodiscover_request_is_refused_unread_but_a_padded_one_is_fine() {
    let app = spawn_app_with(public_names()).await;
    let path = "/autodiscover/autodiscover.xml";
    // Just under the 8 KiB bound: whitespace and a comment, as some clients send.
    let padded = format!(
        "{}<!-- {} -->",
        autodiscover_request("ana@example.org", OUTLOOK_SCHEMA),
        "x".repeat(6 * 1024)
    );
    let response = post_autodiscover(&app.base_url, path, padded).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert_eq!(
        text_of(
            child(child(parse(&text).root_element(), "Response"), "Account"),
            "Action"
        ),
        "settings"
    );
    let huge = format!(
        "{}<!-- {} -->",
        autodiscover_request("ana@example.org", OUTLOOK_SCHEMA),
        "x".repeat(200 * 1024)
    );
    let response = post_autodiscover(&app.base_url, path, huge).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Also when the client does not announce the length (chunked).
    let chunks = futures::stream::iter(
        (0..40).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 1024]))),
    );
    let response = post_autodiscover(&app.base_url, path, reqwest::Body::wrap_stream(chunks)).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn discovery_is_served_at_the_domain_root_and_under_the_base_path() {
    let mut config = public_names();
    config.base_path = "/webmail".into();
    let app = spawn_app_with(config).await;
    for path in [
        "/.well-known/autoconfig/mail/config-v1.1.xml",
        "/mail/config-v1.1.xml",
        "/webmail/.well-known/autoconfig/mail/config-v1.1.xml",
        "/webmail/mail/config-v1.1.xml",
    ] {
        let response = app
            .get(&format!("{path}?emailaddress=ana@example.org"))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let text = response.text().await.unwrap();
        assert_eq!(autoconfig_servers(&parse(&text)).len(), 5, "{path}");
    }
    for path in [
        "/autodiscover/autodiscover.xml",
        "/Autodiscover/Autodiscover.xml",
        "/webmail/autodiscover/autodiscover.xml",
    ] {
        let body = autodiscover_request("ana@example.org", OUTLOOK_SCHEMA);
        let response = post_autodiscover(&app.base_url, path, body).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let text = response.text().await.unwrap();
        let doc = parse(&text);
        let account = child(child(doc.root_element(), "Response"), "Account");
        assert_eq!(children(account, "Protocol").len(), 5, "{path}");
    }
    // Only discovery is at the root; the page and the profile stay under the prefix.
    assert_eq!(app.get("/apps").await.status(), StatusCode::NOT_FOUND);
    let response = app
        .post_form(
            "/webmail/login",
            &[("username", &app.user), ("password", TEST_PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, html) = app.page("/webmail/apps").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        attrs(&html, "a.profile-link", "href"),
        ["/webmail/apps/mail.mobileconfig"]
    );
    let response = app.get("/webmail/apps/mail.mobileconfig").await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_apps_page_shows_the_servers_for_the_signed_in_user_and_is_in_the_navigation() {
    let app = spawn_app_with(public_names()).await;
    let (status, _) = app.page("/apps").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "signed out: to the login page"
    );
    app.login().await;
    let (_, inbox) = app.page("/mail/INBOX").await;
    let links = attrs(&inbox, ".topbar a", "href");
    assert!(links.iter().any(|l| l == "/apps"), "{links:?}");

    let (status, html) = app.page("/apps").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "h1"), ["Use your mail in an app"]);
    assert_eq!(texts(&html, ".login-name"), std::slice::from_ref(&app.user));
    let rows = |table: &str| -> Vec<String> {
        let row = scraper::Selector::parse(&format!("table.{table} tbody tr")).unwrap();
        let cell = scraper::Selector::parse("td").unwrap();
        html.select(&row)
            .map(|r| {
                r.select(&cell)
                    .map(|c| c.text().collect::<String>().trim().to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    };
    assert_eq!(
        rows("incoming"),
        [
            "IMAP imap.example.org 993 SSL/TLS",
            "IMAP imap.example.org 143 STARTTLS",
            "POP3 pop.example.org 995 SSL/TLS",
        ]
    );
    assert_eq!(
        rows("outgoing"),
        [
            "SMTP smtp.example.org 465 SSL/TLS",
            "SMTP smtp.example.org 587 STARTTLS",
        ]
    );
    assert_eq!(
        attrs(&html, "a.profile-link", "href"),
        ["/apps/mail.mobileconfig"]
    );
}

#[tokio::test]
async fn with_nothing_offered_the_page_says_so_and_discovery_answers_404() {
    // Carteiro reaches IMAP unencrypted, so it is not offered to apps by default, and the
    // admin turned SMTP off: nothing to offer.
    let env: Vec<(String, String)> = [
        ("CARTEIRO_IMAP_URL", "imap://localhost:143?tls=none"),
        ("CARTEIRO_APPS_SMTP", ""),
        (
            "CARTEIRO_SECRET_KEY",
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        ),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (parsed, warnings) = Config::load(None, &env).unwrap();
    assert!(warnings[0].contains("CARTEIRO_APPS_IMAP"), "{warnings:?}");
    assert_eq!(parsed.mail_apps, MailApps::default());
    let mut config = test_config("imap://localhost:143");
    config.mail_apps = parsed.mail_apps;
    let app = spawn_app_with(config).await;
    app.login().await;
    let (status, html) = app.page("/apps").await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&html, ".notice")[0].contains("has not said"));
    assert!(texts(&html, "table").is_empty());
    let response = app
        .get("/.well-known/autoconfig/mail/config-v1.1.xml")
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body = autodiscover_request("ana@example.org", OUTLOOK_SCHEMA);
    let response = post_autodiscover(&app.base_url, "/autodiscover/autodiscover.xml", body).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app.get("/apps/mail.mobileconfig").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// Python's plistlib reading `profile`, as JSON. `plistlib.load` seeks back after sniffing
/// the format, so its input is a file, not a pipe.
fn plistlib(profile: &[u8]) -> serde_json::Value {
    use std::process::{Command, Stdio};
    let path = std::env::temp_dir().join(format!(
        "carteiro-profile-{}-{}.mobileconfig",
        std::process::id(),
        crate::helpers::rand_u32()
    ));
    std::fs::write(&path, profile).unwrap();
    let output = Command::new("python3")
        .args([
            "-c",
            "import json, plistlib, sys; print(json.dumps(plistlib.load(sys.stdin.buffer)))",
        ])
        .stdin(std::fs::File::open(&path).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("python3 runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "plistlib refuses the profile: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(profile)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn parse_plist_xml(text: &str) {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("well-formed plist ({e}):\n{text}"));
    assert_eq!(doc.root_element().tag_name().name(), "plist");
}

#[tokio::test]
async fn the_apple_profile_is_a_plist_for_the_signed_in_user_without_the_password() {
    let app = spawn_app_with(public_names()).await;
    let response = app.get("/apps/mail.mobileconfig").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "needs a session");
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));

    app.login().await;
    let response = app.get("/apps/mail.mobileconfig").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/x-apple-aspen-config");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"imap.example.org.mobileconfig\""
    );
    assert!(headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-store"));
    let body = response.bytes().await.unwrap();
    let text = std::str::from_utf8(&body).unwrap();
    assert!(!text.contains(TEST_PASSWORD) && !text.contains("Password</key>\n  <string"));
    parse_plist_xml(text);

    let profile = plistlib(&body);
    assert_eq!(profile["PayloadType"], "Configuration");
    assert_eq!(profile["PayloadVersion"], 1);
    for key in ["PayloadIdentifier", "PayloadUUID", "PayloadDisplayName"] {
        assert!(
            profile[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key}"
        );
    }
    let payloads = profile["PayloadContent"].as_array().unwrap();
    assert_eq!(payloads.len(), 1);
    let mail = &payloads[0];
    let expected = serde_json::json!({
        "PayloadType": "com.apple.mail.managed",
        "PayloadVersion": 1,
        "EmailAccountType": "EmailTypeIMAP",
        "EmailAddress": app.user,
        "IncomingMailServerHostName": "imap.example.org",
        "IncomingMailServerPortNumber": 993,
        "IncomingMailServerUseSSL": true,
        "IncomingMailServerUsername": app.user,
        "IncomingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingMailServerHostName": "smtp.example.org",
        "OutgoingMailServerPortNumber": 465,
        "OutgoingMailServerUseSSL": true,
        "OutgoingMailServerUsername": app.user,
        "OutgoingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingPasswordSameAsIncomingPassword": true,
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&mail[key], value, "{key}");
    }
    let uuid = mail["PayloadUUID"].as_str().unwrap();
    assert_eq!(uuid.len(), 36, "{uuid}");
    assert_ne!(uuid, profile["PayloadUUID"].as_str().unwrap());
    assert!(mail["PayloadIdentifier"]
        .as_str()
        .unwrap()
        .starts_with(profile["PayloadIdentifier"].as_str().unwrap()));
    for key in ["IncomingPassword", "OutgoingPassword"] {
        assert!(mail.get(key).is_none(), "{key} must not be sent");
    }
}

#[tokio::test]
async fn hostile_names_and_addresses_still_give_well_formed_documents() {
    let app = spawn_app_with(public_names()).await;
    // A quoted local part may hold any of these; so may the login name of some IMAP server.
    let hostile = "\"<a>&'b\\\" ]]>\"@example.org";

    let body = autodiscover_request(&xml_text(hostile), OUTLOOK_SCHEMA);
    let response = post_autodiscover(&app.base_url, "/autodiscover/autodiscover.xml", body).await;
    let text = response.text().await.unwrap();
    let doc = parse(&text);
    let account = child(child(doc.root_element(), "Response"), "Account");
    for protocol in children(account, "Protocol") {
        assert_eq!(text_of(protocol, "LoginName"), hostile);
    }

    // The domain of `?emailaddress=` is echoed; a control character cannot be, at all.
    let address = "x@<b>&\"c'.example\u{1}";
    let query: String = url::form_urlencoded::byte_serialize(address.as_bytes()).collect();
    let response = app
        .get(&format!("/mail/config-v1.1.xml?emailaddress={query}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let doc = parse(&text);
    let provider = child(doc.root_element(), "emailProvider");
    assert_eq!(provider.attribute("id"), Some("<b>&\"c'.example\u{FFFD}"));
    assert_eq!(text_of(provider, "domain"), "<b>&\"c'.example\u{FFFD}");

    // Dovecot allows none of these characters in a login name, so a session cannot carry
    // one here; the profile is rendered for such a name directly.
    let name = "<ana>&\"'\u{7}@example.org";
    let profile = mobileconfig::render(&app.state.config.mail_apps, name).unwrap();
    parse_plist_xml(&profile);
    let plist = plistlib(profile.as_bytes());
    let mail = &plist["PayloadContent"][0];
    let cleaned = name.replace('\u{7}', "\u{FFFD}");
    assert_eq!(mail["IncomingMailServerUsername"], cleaned.as_str());
    assert_eq!(mail["EmailAddress"], cleaned.as_str());
}

/// How an app secures one connection, in the words of either document.
fn encryption(socket_type: &str) -> Encryption {
    match socket_type {
        "SSL" => Encryption::Tls,
        "STARTTLS" | "TLS" => Encryption::StartTls,
        other => panic!("unexpected security {other}"),
    }
}

#[tokio::test]
async fn every_server_offered_accepts_the_login_the_way_each_document_says() {
    let app = spawn_app_with(local_stack()).await;
    let user = app.user.clone();
    let mut offered: Vec<Server> = Vec::new();

    let response = app
        .get(&format!(
            "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress={user}"
        ))
        .await;
    let text = response.text().await.unwrap();
    for [kind, host, port, socket_type, username] in autoconfig_servers(&parse(&text)) {
        assert_eq!(username, "%EMAILADDRESS%");
        let kind = match kind.as_str() {
            "imap" => Kind::Imap,
            "pop3" => Kind::Pop3,
            _ => Kind::Smtp,
        };
        offered.push(Server {
            kind,
            host,
            port: port.parse().unwrap(),
            encryption: encryption(&socket_type),
        });
    }
    assert_eq!(offered.len(), 6, "{text}");

    let body = autodiscover_request(&user, OUTLOOK_SCHEMA);
    let response = post_autodiscover(&app.base_url, "/autodiscover/autodiscover.xml", body).await;
    let text = response.text().await.unwrap();
    let doc = parse(&text);
    let account = child(child(doc.root_element(), "Response"), "Account");
    let mut from_outlook = Vec::new();
    for p in children(account, "Protocol") {
        assert_eq!(text_of(p, "LoginName"), user);
        let kind = match text_of(p, "Type").as_str() {
            "IMAP" => Kind::Imap,
            "POP3" => Kind::Pop3,
            _ => Kind::Smtp,
        };
        from_outlook.push(Server {
            kind,
            host: text_of(p, "Server"),
            port: text_of(p, "Port").parse().unwrap(),
            encryption: encryption(&text_of(p, "Encryption")),
        });
    }
    assert_eq!(from_outlook, offered, "both documents offer the same");

    for server in &offered {
        tokio::time::timeout(Duration::from_secs(20), log_in(server, &user))
            .await
            .unwrap_or_else(|_| panic!("{server}: timed out"))
            .unwrap_or_else(|e| panic!("{server}: {e}"));
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A line-based conversation with a mail server, in the clear or over TLS.
struct Conversation {
    stream: BufReader<Box<dyn Stream>>,
}

impl Conversation {
    async fn send(&mut self, line: &str) -> Result<(), String> {
        let stream = self.stream.get_mut();
        stream
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        stream.flush().await.map_err(|e| e.to_string())
    }

    /// Reads lines up to the one `last` recognises; returns that one.
    async fn until(&mut self, last: impl Fn(&str) -> bool) -> Result<String, String> {
        loop {
            let mut line = String::new();
            let n = self
                .stream
                .read_line(&mut line)
                .await
                .map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("connection closed".into());
            }
            if last(&line) {
                return Ok(line.trim_end().to_string());
            }
        }
    }

    /// Sends `line`, reads to the answer `last` recognises, checks it starts with `ok`.
    async fn expect(
        &mut self,
        line: &str,
        last: impl Fn(&str) -> bool,
        ok: &str,
    ) -> Result<(), String> {
        self.send(line).await?;
        let answer = self.until(last).await?;
        if answer.starts_with(ok) {
            Ok(())
        } else {
            Err(format!(
                "{:?} was answered {answer:?}",
                line.split(' ').next()
            ))
        }
    }

    async fn into_tls(self, host: &str) -> Result<Conversation, String> {
        let stream = self.stream.into_inner();
        Ok(Conversation {
            stream: BufReader::new(tls(stream, host).await?),
        })
    }
}

async fn tls(stream: Box<dyn Stream>, host: &str) -> Result<Box<dyn Stream>, String> {
    use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName};
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(stack_dir().join("ca.pem")).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_string()).map_err(|e| e.to_string())?;
    let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, stream)
        .await
        .map_err(|e| format!("TLS handshake: {e}"))?;
    Ok(Box::new(stream))
}

/// Connects as the document says (TLS first, or STARTTLS/STLS) and signs in with
/// AUTH PLAIN, the way a mail app with "normal password" does.
async fn log_in(server: &Server, user: &str) -> Result<(), String> {
    let tcp = TcpStream::connect((server.host.as_str(), server.port))
        .await
        .map_err(|e| e.to_string())?;
    let mut stream: Box<dyn Stream> = Box::new(tcp);
    if server.encryption == Encryption::Tls {
        stream = tls(stream, &server.host).await?;
    }
    let mut c = Conversation {
        stream: BufReader::new(stream),
    };
    let plain =
        base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{TEST_PASSWORD}"));
    let starttls = server.encryption == Encryption::StartTls;
    match server.kind {
        Kind::Imap => {
            let greeting = c.until(|_| true).await?;
            assert!(greeting.starts_with("* OK"), "{greeting}");
            if starttls {
                c.expect("a STARTTLS", |l| l.starts_with("a "), "a OK")
                    .await?;
                c = c.into_tls(&server.host).await?;
            }
            c.expect(
                &format!("b AUTHENTICATE PLAIN {plain}"),
                |l| l.starts_with("b "),
                "b OK",
            )
            .await
        }
        Kind::Pop3 => {
            let greeting = c.until(|_| true).await?;
            assert!(greeting.starts_with("+OK"), "{greeting}");
            if starttls {
                c.expect("STLS", |_| true, "+OK").await?;
                c = c.into_tls(&server.host).await?;
            }
            c.expect(&format!("AUTH PLAIN {plain}"), |_| true, "+OK")
                .await
        }
        Kind::Smtp => {
            let last = |l: &str| l.len() < 4 || l.as_bytes()[3] != b'-';
            let greeting = c.until(last).await?;
            assert!(greeting.starts_with("220"), "{greeting}");
            c.expect("EHLO apps.test", last, "250").await?;
            if starttls {
                c.expect("STARTTLS", last, "220").await?;
                c = c.into_tls(&server.host).await?;
                c.expect("EHLO apps.test", last, "250").await?;
            }
            c.expect(&format!("AUTH PLAIN {plain}"), last, "235").await
        }
    }
}

#[test]
fn settings_are_read_from_the_file_and_the_environment_wins() {
    let dir = std::env::temp_dir().join(format!("carteiro-apps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("carteiro.toml");
    std::fs::write(
        &file,
        "apps_imap = [\"imaps://mail.example.com:993\", \"imap://mail.example.com\"]\n\
         apps_pop3 = [\"pop3s://mail.example.com\"]\n\
         apps_smtp = [\"smtps://mail.example.com\"]\n",
    )
    .unwrap();
    let secret = (
        "CARTEIRO_SECRET_KEY".to_string(),
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
    );
    let env = vec![
        secret.clone(),
        (
            "CARTEIRO_APPS_SMTP".into(),
            "smtp://out.example.com:2525".into(),
        ),
    ];
    let (config, warnings) = Config::load(Some(&file), &env).unwrap();
    let urls = |servers: &[Server]| servers.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let apps = &config.mail_apps;
    assert_eq!(
        urls(&apps.imap),
        [
            "imaps://mail.example.com:993",
            "imap://mail.example.com:143"
        ]
    );
    assert_eq!(urls(&apps.pop3), ["pop3s://mail.example.com:995"]);
    assert_eq!(urls(&apps.smtp), ["smtp://out.example.com:2525"]);
    assert!(warnings.is_empty(), "{warnings:?}");

    let env = vec![
        secret,
        ("CARTEIRO_APPS_POP3".into(), "pop3://h?tls=none".into()),
    ];
    let err = Config::load(None, &env).unwrap_err().to_string();
    assert!(err.starts_with("apps_pop3 entry"), "{err}");
    assert!(err.contains("in the clear"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
