//! Accessibility: axe-core, run in Debian's Chromium on every kind of page, in both languages,
//! at desktop and phone widths (`tests/browser/axe-pages.mjs`), with the out-of-office
//! banner showing. No serious or critical violation of the WCAG 2.1 A/AA rules is allowed.

use serde::Deserialize;

use crate::helpers::{message, spawn_app_with, test_config, TestApp, TEST_PASSWORD};

#[derive(Debug, Deserialize)]
struct Violation {
    id: String,
    impact: Option<String>,
    help: String,
    targets: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PageResult {
    path: String,
    status: Option<u16>,
    violations: Vec<Violation>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    signed_in: bool,
    control: Vec<Violation>,
    pages: Vec<PageResult>,
}

async fn run_axe(app: &TestApp, locale: &str, width: u32, pages: &[&str]) -> Report {
    // A refused password change: its alert and the field marked invalid (a wrong current
    // password, so nothing is changed).
    let submits = serde_json::json!([{
        "path": "/settings/password",
        "form": "#password-form",
        "fields": {
            "current_password": "Not-the-password-1",
            "new_password": "Jabuticaba no pé 42",
            "repeat_password": "Jabuticaba no pé 42",
        },
        "shows": "#password-error",
    }]);
    let plan = serde_json::json!({
        "base": app.base_url,
        "username": app.user,
        "password": TEST_PASSWORD,
        "locale": locale,
        "width": width,
        "pages": pages,
        "submits": submits,
    });
    crate::browser::run_harness("axe-pages.mjs", &plan).await
}

#[tokio::test]
async fn every_page_has_no_serious_or_critical_accessibility_violation() {
    // With a password backend, so the password page shows its form (only looked at here,
    // never posted: nothing is changed).
    let config = crate::password::with_command(test_config("imap://localhost:143"));
    let app = spawn_app_with(config).await;
    let mut imap = app.imap().await;
    imap.append(
        "INBOX",
        &message(
            "Ana Souza <ana@example.test>",
            "Reunião de sexta",
            "Tue, 4 Mar 2025 08:00:00 +0000",
            "Olá! Podemos conversar na sexta?\n\n> citação\n",
        ),
        None,
    )
    .await;
    let uid = imap.uids("INBOX").await[0];
    let message_page = format!("/mail/INBOX/{uid}");
    let reply = format!("/compose?folder=INBOX&reply={uid}");
    // A contact, so the address book shows its table and an edit form.
    app.login().await;
    let csrf = app.csrf_token().await;
    let added = app
        .post_form(
            "/contacts/new",
            &[
                ("csrf", &csrf),
                ("name", "Bruno Lima"),
                ("emails", "bruno@example.test"),
            ],
        )
        .await;
    assert_eq!(added.status(), reqwest::StatusCode::SEE_OTHER);
    // The out-of-office reply on, so every page carries its banner, and one rule to list.
    let on = app
        .post_form(
            "/settings/vacation",
            &[
                ("csrf", &csrf),
                ("enabled", "yes"),
                ("subject", "Ausente"),
                ("body", "Volto logo."),
                ("addresses", &app.user),
            ],
        )
        .await;
    assert_eq!(on.status(), reqwest::StatusCode::SEE_OTHER);
    let rule = app
        .post_form(
            "/settings/filters/rule",
            &[
                ("csrf", &csrf),
                ("name", "Obra"),
                ("enabled", "yes"),
                ("field", "list"),
                ("op", "contains"),
                ("value", "obra.lists.example.org"),
                ("action", "move"),
                ("folder", "INBOX"),
                ("submit", "save"),
            ],
        )
        .await;
    assert_eq!(rule.status(), reqwest::StatusCode::SEE_OTHER);
    let (_, contacts) = app.page("/contacts").await;
    let contact = crate::helpers::first_attr(&contacts, ".contact-name", "href").expect("listed");
    let pages = [
        "/mail/INBOX",
        message_page.as_str(),
        "/compose",
        reply.as_str(),
        "/settings",
        "/settings/identities",
        "/settings/vacation",
        "/settings/filters",
        "/settings/filters/rule?index=0",
        "/settings/filters/rule?from=ana%40example.test",
        "/settings/filters/script",
        "/settings/password",
        "/settings/password?changed=1",
        "/folders",
        "/search?q=sexta",
        "/apps",
        "/shortcuts",
        "/contacts",
        "/contacts/new?name=Ana%20Souza&email=ana%40example.test",
        contact.as_str(),
        "/mail/Nao-existe",
    ];
    let mut serious = Vec::new();
    let mut minor = Vec::new();
    for (locale, width) in [("en-US", 1440), ("pt-BR", 375)] {
        let report = run_axe(&app, locale, width, &pages).await;
        assert!(report.signed_in, "signed in");
        assert!(
            report
                .control
                .iter()
                .any(|v| v.impact.as_deref() == Some("critical")),
            "axe sees an unlabelled field on the control page: {:?}",
            report.control
        );
        assert_eq!(
            report.pages.len(),
            pages.len() + 2,
            "the sign-in page and the refused password change too"
        );
        for page in &report.pages {
            let expected = if page.path.contains("Nao-existe") {
                404
            } else if page.path.ends_with("(submitted)") {
                422
            } else {
                200
            };
            assert_eq!(page.status, Some(expected), "{}", page.path);
            for v in &page.violations {
                let line = format!(
                    "{locale} {width}px {}: {} ({:?}) {} at {:?}",
                    page.path, v.id, v.impact, v.help, v.targets
                );
                match v.impact.as_deref() {
                    Some("serious") | Some("critical") => serious.push(line),
                    _ => minor.push(line),
                }
            }
        }
    }
    if !minor.is_empty() {
        eprintln!(
            "minor or moderate accessibility findings:\n{}",
            minor.join("\n")
        );
    }
    assert!(serious.is_empty(), "{}", serious.join("\n"));
}
