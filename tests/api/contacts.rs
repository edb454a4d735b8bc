//! The address book pages against the real Dovecot: contacts kept in the private IMAP
//! folder, added, edited, searched, deleted, imported and exported through the pages as a
//! person would.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use scraper::Html;

use crate::helpers::{attrs, browser_speaking, first_attr, message, spawn_app, texts, TestApp};

/// The list page's contact names, in order.
async fn names(app: &TestApp, query: &str) -> Vec<String> {
    let (status, html) = app.page(&format!("/contacts?q={}", urlencode(query))).await;
    assert_eq!(status, StatusCode::OK);
    texts(&html, ".contact-table .contact-name")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Adds a contact through the form; returns the page it lands on.
async fn add(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = app.csrf_token().await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    app.post_form("/contacts/new", &form).await
}

/// The edit link of the contact named `name` on the list.
async fn edit_link(app: &TestApp, name: &str) -> String {
    let (_, html) = app.page("/contacts").await;
    let selector = scraper::Selector::parse(".contact-table .contact-name").unwrap();
    html.select(&selector)
        .find(|a| a.text().collect::<String>() == name)
        .and_then(|a| a.value().attr("href"))
        .unwrap_or_else(|| panic!("{name} listed"))
        .to_string()
}

async fn import(app: &TestApp, file: &[u8]) -> (StatusCode, Html) {
    let csrf = app.csrf_token().await;
    let form = Form::new().text("csrf", csrf).part(
        "file",
        Part::bytes(file.to_vec())
            .file_name("contacts.vcf")
            .mime_str("text/vcard")
            .unwrap(),
    );
    let response = app
        .client
        .post(app.url("/contacts/import"))
        .multipart(form)
        .send()
        .await
        .expect("POST works");
    let status = response.status();
    (
        status,
        Html::parse_document(&response.text().await.unwrap()),
    )
}

fn field(html: &Html, selector: &str) -> String {
    let sel = scraper::Selector::parse(selector).unwrap();
    html.select(&sel)
        .next()
        .map(|e| {
            e.value()
                .attr("value")
                .map(str::to_string)
                .unwrap_or_else(|| e.text().collect::<String>())
        })
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[tokio::test]
async fn a_contact_is_added_edited_found_without_accents_and_deleted_through_the_pages() {
    let app = spawn_app().await;
    app.login().await;
    let (status, html) = app.page("/contacts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!texts(&html, ".empty").is_empty(), "an empty book says so");
    assert!(attrs(&html, ".folders a", "href").contains(&"/contacts".to_string()));

    let response = add(
        &app,
        &[
            ("name", "João Conceição"),
            ("emails", "joao@example.com\njoao@work.example"),
            ("phones", "+55 11 5555-0000"),
            ("organization", "Padaria"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    add(&app, &[("name", "Ana"), ("emails", "ana@example.com")]).await;
    add(&app, &[("name", "Élia"), ("emails", "elia@example.com")]).await;
    assert_eq!(names(&app, "").await, ["Ana", "Élia", "João Conceição"]);
    assert_eq!(names(&app, "joao").await, ["João Conceição"]);
    assert_eq!(names(&app, "CONCEICAO").await, ["João Conceição"]);
    assert_eq!(names(&app, "work.example").await, ["João Conceição"]);
    assert!(names(&app, "nobody").await.is_empty());

    // "Write to" links open the compose form addressed to the contact.
    let (_, html) = app.page("/contacts?q=ana").await;
    assert_eq!(
        attrs(&html, ".contact-table a.write-to", "href"),
        ["/compose?to=ana%40example%2Ecom"]
    );
    let (_, compose) = app.page("/compose?to=ana%40example%2Ecom").await;
    assert_eq!(field(&compose, "#to"), "ana@example.com");

    let edit = edit_link(&app, "João Conceição").await;
    let (status, html) = app.page(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(field(&html, "#contact-name"), "João Conceição");
    assert_eq!(
        field(&html, "#contact-emails"),
        "joao@example.com\njoao@work.example"
    );
    let id = first_attr(&html, ".contact-form input[name=id]", "value").unwrap();
    let csrf = app.csrf_token().await;
    let response = app
        .post_form(
            "/contacts/edit",
            &[
                ("csrf", &csrf),
                ("id", &id),
                ("name", "João C. Silva"),
                ("emails", "joao@work.example"),
                ("phones", "+55 11 5555-0000"),
                ("organization", "Padaria"),
                ("note", "Pão de queijo"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = app
        .page(response.headers()["location"].to_str().unwrap())
        .await;
    assert!(texts(&html, ".notice")[0].contains("João C. Silva"));
    assert_eq!(names(&app, "").await, ["Ana", "Élia", "João C. Silva"]);
    let (_, html) = app.page(&edit_link(&app, "João C. Silva").await).await;
    assert_eq!(field(&html, "#contact-emails"), "joao@work.example");
    assert_eq!(field(&html, "#contact-note"), "Pão de queijo");

    // Deleting asks first; only the confirmed POST deletes.
    let id = first_attr(&html, ".contact-form input[name=id]", "value").unwrap();
    let csrf = app.csrf_token().await;
    let response = app
        .post_form("/contacts/delete", &[("csrf", &csrf), ("id", &id)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = Html::parse_document(&response.text().await.unwrap());
    assert_eq!(
        first_attr(
            &html,
            "form[action='/contacts/delete'] input[name=confirm]",
            "value"
        )
        .as_deref(),
        Some("1")
    );
    assert_eq!(
        names(&app, "").await.len(),
        3,
        "not deleted before confirming"
    );
    let response = app
        .post_form(
            "/contacts/delete",
            &[
                ("csrf", &csrf),
                ("id", &id),
                ("confirm", "1"),
                ("name", "João C. Silva"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(names(&app, "").await, ["Ana", "Élia"]);
}

#[tokio::test]
async fn a_form_with_a_bad_address_comes_back_as_typed_with_the_reason() {
    let app = spawn_app().await;
    app.login().await;
    let response = add(
        &app,
        &[
            ("name", "Carla"),
            ("emails", "carla@example.com\nnot an address"),
            ("note", "keep this note"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = Html::parse_document(&response.text().await.unwrap());
    assert!(texts(&html, ".error")[0].contains("“not an address” is not an email address"));
    assert_eq!(field(&html, "#contact-name"), "Carla");
    assert_eq!(field(&html, "#contact-note"), "keep this note");
    assert!(field(&html, "#contact-emails").contains("not an address"));
    let response = add(&app, &[("name", " "), ("emails", "")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(names(&app, "").await.is_empty(), "nothing was saved");
}

#[tokio::test]
async fn changes_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    app.login().await;
    let response = app
        .post_form(
            "/contacts/new",
            &[("name", "Forged"), ("emails", "f@example.com")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let form = Form::new().part(
        "file",
        Part::bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Forged\r\nEND:VCARD\r\n".to_vec())
            .file_name("x.vcf"),
    );
    let response = app
        .client
        .post(app.url("/contacts/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app
        .post_form("/contacts/delete", &[("id", "1"), ("confirm", "1")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(names(&app, "").await.is_empty());
}

const MIXED: &str = "\u{feff}BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bia Imported\r\nN:Imported;Bia;;;\r\nEMAIL;TYPE=INTERNET:bia@example.com\r\nUID:bia-1\r\nBDAY:1990-05-17\r\nADR;TYPE=HOME:;;Rua das Flores 5;Recife;PE;50000-000;Brasil\r\nX-SOCIAL:https://social.example/@bia\r\nEND:VCARD\r\nthis line is not a card\r\nBEGIN:VCARD\nVERSION:4.0\nFN:Caio\n  Folded\nEMAIL;PREF=1:caio@example.com\nEND:VCARD\nBEGIN:VCARD\r\nVERSION:3.0\r\nTEL:12345\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Never Ended\r\n";

#[tokio::test]
async fn an_import_adds_the_good_cards_and_names_the_skipped_ones_with_their_reason() {
    let app = spawn_app().await;
    app.login().await;
    let (status, html) = import(&app, MIXED.as_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    let summary = texts(&html, ".import-summary").join(" ");
    assert!(summary.contains("2 contacts were added"), "{summary}");
    assert!(
        summary.contains("3 entries of the file were skipped"),
        "{summary}"
    );
    let reasons = texts(&html, ".import-skipped td.reason");
    assert_eq!(
        reasons,
        [
            "Not a vCard that can be read.",
            "Neither a name nor an email address.",
            "Not a vCard that can be read.",
        ]
    );
    let rows = texts(&html, ".import-skipped tbody tr");
    assert!(rows[0].contains("this line is not a card"), "{rows:?}");
    assert!(rows[2].contains("Never Ended"), "{rows:?}");
    assert_eq!(names(&app, "").await, ["Bia Imported", "Caio Folded"]);

    // The same file again adds nothing twice: Bia has a UID and is there already.
    let (_, html) = import(&app, MIXED.as_bytes()).await;
    let reasons = texts(&html, ".import-skipped td.reason");
    assert!(
        reasons.contains(&"Already in your address book.".to_string()),
        "{reasons:?}"
    );

    // Editing an imported card keeps what the pages do not show.
    let (_, html) = app.page(&edit_link(&app, "Bia Imported").await).await;
    let id = first_attr(&html, ".contact-form input[name=id]", "value").unwrap();
    let csrf = app.csrf_token().await;
    let response = app
        .post_form(
            "/contacts/edit",
            &[
                ("csrf", &csrf),
                ("id", &id),
                ("name", "Bia Edited"),
                ("emails", "bia@example.com\nbia@new.example"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let export = app.get("/contacts/export").await;
    assert_eq!(export.status(), StatusCode::OK);
    assert!(export.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/vcard"));
    assert!(export.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("contacts.vcf"));
    let file = export.text().await.unwrap();
    let bia = file
        .split("END:VCARD")
        .find(|c| c.contains("Bia Edited"))
        .expect("the edited card is exported");
    for kept in [
        "BDAY",
        "Rua das Flores 5",
        "X-SOCIAL",
        "UID:bia-1",
        "bia@new.example",
    ] {
        assert!(bia.contains(kept), "{kept} kept in {bia}");
    }
}

#[tokio::test]
async fn an_export_imports_into_another_account_as_the_same_contacts() {
    let app = spawn_app().await;
    app.login().await;
    add(
        &app,
        &[
            ("name", "Dênis"),
            ("emails", "denis@example.com"),
            ("phones", "+1 555"),
        ],
    )
    .await;
    add(
        &app,
        &[
            ("name", "Eva"),
            ("emails", "eva@example.com\neva@home.example"),
        ],
    )
    .await;
    let file = app.get("/contacts/export").await.bytes().await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&file)
            .matches("BEGIN:VCARD")
            .count(),
        2
    );

    let other = spawn_app().await;
    other.login().await;
    let (status, html) = import(&other, &file).await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&html, ".import-skipped").is_empty());
    assert_eq!(names(&other, "").await, ["Dênis", "Eva"]);
    let (_, html) = other.page(&edit_link(&other, "Eva").await).await;
    assert_eq!(
        field(&html, "#contact-emails"),
        "eva@example.com\neva@home.example"
    );
    let (_, html) = other.page(&edit_link(&other, "Dênis").await).await;
    assert_eq!(field(&html, "#contact-phones"), "+1 555");
}

#[tokio::test]
async fn an_upload_that_is_not_a_card_file_is_a_clear_report_not_an_error() {
    let app = spawn_app().await;
    app.login().await;
    let mut junk = vec![0xffu8, 0xfe, 0x00];
    junk.extend(std::iter::repeat_n(b'A', 300_000));
    let (status, html) = import(&app, &junk).await;
    assert_eq!(status, StatusCode::OK);
    let summary = texts(&html, ".import-summary").join(" ");
    assert!(summary.contains("No contact was added"), "{summary}");
    assert_eq!(
        texts(&html, ".import-skipped td.reason"),
        ["Not a vCard that can be read."]
    );
    let (status, html) = import(&app, b"").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(texts(&html, ".error")[0].contains("Choose a .vcf file"));
}

#[tokio::test]
async fn the_sender_of_a_message_is_added_from_the_message_and_known_afterwards() {
    let app = spawn_app().await;
    app.login().await;
    let mut imap = app.imap().await;
    imap.append(
        "INBOX",
        &message(
            "Fábio Remetente <fabio@example.com>",
            "Olá",
            "Mon, 3 Mar 2025 10:00:00 -0300",
            "Oi!",
        ),
        None,
    )
    .await;
    let uid = imap.uids("INBOX").await[0];
    let (_, html) = app.page(&format!("/mail/INBOX/{uid}")).await;
    let link = first_attr(&html, ".add-contact a", "href").expect("an add-to-contacts link");
    let (status, form) = app.page(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(field(&form, "#contact-name"), "Fábio Remetente");
    assert_eq!(field(&form, "#contact-emails"), "fabio@example.com");
    let csrf = app.csrf_token().await;
    let response = app
        .post_form(
            "/contacts/new",
            &[
                ("csrf", &csrf),
                ("name", &field(&form, "#contact-name")),
                ("emails", &field(&form, "#contact-emails")),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(names(&app, "fabio").await, ["Fábio Remetente"]);
    // Now the same link says the sender is a contact already, and offers no second card.
    let (_, again) = app.page(&link).await;
    let notice = texts(&again, ".notice").join(" ");
    assert!(notice.contains("already in your address book"), "{notice}");
    assert!(texts(&again, ".contact-form").is_empty());
}

#[tokio::test]
async fn the_address_book_speaks_portuguese() {
    let mut app = spawn_app().await;
    app.client = browser_speaking("pt-BR");
    app.login().await;
    let (_, html) = app.page("/contacts").await;
    assert_eq!(texts(&html, "h1"), ["Contatos"]);
    assert!(texts(&html, ".empty")[0].contains("Você ainda não tem contatos"));
    let response = add(&app, &[("name", "Zeca"), ("emails", "zeca@@x")]).await;
    let html = Html::parse_document(&response.text().await.unwrap());
    assert!(texts(&html, ".error")[0].contains("não é um endereço de e-mail"));
    let (_, html) = import(&app, MIXED.as_bytes()).await;
    let summary = texts(&html, ".import-summary").join(" ");
    assert!(
        summary.contains("2 contatos foram adicionados"),
        "{summary}"
    );
    assert!(
        texts(&html, ".import-skipped td.reason").contains(&"Não tem nome nem e-mail.".to_string())
    );
}

#[tokio::test]
async fn with_the_mail_server_down_a_new_contact_comes_back_as_typed_with_a_503() {
    let (proxy, app) = crate::chaos::signed_in_behind_recorder().await;
    let csrf = app.csrf_token().await;
    proxy.go_down();
    let fields = [
        ("csrf", csrf.as_str()),
        ("name", "Gil Ausente"),
        ("emails", "gil@example.com"),
        ("note", "typed while the server was down"),
    ];
    let response = app.post_form("/contacts/new", &fields).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = Html::parse_document(&response.text().await.unwrap());
    assert!(texts(&html, ".error")[0].contains("cannot be reached"));
    assert_eq!(field(&html, "#contact-name"), "Gil Ausente");
    assert_eq!(
        field(&html, "#contact-note"),
        "typed while the server was down"
    );
    proxy.come_back();
    let response = app.post_form("/contacts/new", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(names(&app, "").await, ["Gil Ausente"]);
}
