//! The address book pages with `carddav_url` set: the contacts live on the test stack's
//! real Radicale (which checks every login against Dovecot), reached with the person's own
//! credentials; and the recipient suggestions offer the address book's people, whichever
//! store keeps them, as soon as one is added.

use carteiro::carddav::CardDavCards;
use carteiro::upstream::parse_carddav_url;
use reqwest::StatusCode;
use scraper::Html;
use secrecy::SecretString;
use serde::Deserialize;

use crate::helpers::{
    first_attr, spawn_app, spawn_app_with, test_config, texts, TestApp, TEST_PASSWORD,
};

/// The stack's Radicale, over TLS with the stack's CA (`test_config` trusts it).
const RADICALE: &str = "https://localhost:5232/%u/contacts/";
/// A port nothing listens on: a CardDAV server that is down.
const RADICALE_DOWN: &str = "https://localhost:1/%u/contacts/";

async fn spawn_with_carddav(url: &str) -> TestApp {
    let mut config = test_config("imap://localhost:143");
    config.carddav = Some(parse_carddav_url(url).unwrap());
    spawn_app_with(config).await
}

/// The person's address book, read straight from Radicale as another device would.
fn on_radicale(app: &TestApp) -> CardDavCards {
    let config = {
        let mut config = test_config("imap://localhost:143");
        config.carddav = Some(parse_carddav_url(RADICALE).unwrap());
        config
    };
    carteiro::carddav::CardDav::new(&config)
        .unwrap()
        .unwrap()
        .cards(&app.user, SecretString::from(TEST_PASSWORD.to_string()))
        .unwrap()
}

/// Whether the card's formatted name is `name`. vCard 3.0 as calcard writes it gives a
/// non-ASCII value `CHARSET=UTF-8`, so the parameters are not compared.
fn has_name(vcard: &str, name: &str) -> bool {
    vcard.lines().any(|line| {
        line.starts_with("FN") && line.trim_end().split_once(':').map(|(_, v)| v) == Some(name)
    })
}

async fn add(app: &TestApp, name: &str, emails: &str) -> reqwest::Response {
    let csrf = app.csrf_token().await;
    app.post_form(
        "/contacts/new",
        &[("csrf", csrf.as_str()), ("name", name), ("emails", emails)],
    )
    .await
}

async fn names(app: &TestApp) -> Vec<String> {
    let (status, html) = app.page("/contacts").await;
    assert_eq!(status, StatusCode::OK);
    texts(&html, ".contact-table .contact-name")
}

#[derive(Deserialize, Debug)]
struct Found {
    address: String,
    source: String,
}

async fn suggest(app: &TestApp, q: &str) -> Vec<Found> {
    let response = app
        .client
        .get(app.url("/contacts/suggest"))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn contacts_added_on_the_pages_are_on_the_carddav_server_and_its_cards_on_the_pages() {
    let app = spawn_with_carddav(RADICALE).await;
    app.login().await;
    let response = add(&app, "João Conceição", "joao@example.com").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let cards = on_radicale(&app).list().await.unwrap();
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert!(
        has_name(&cards[0].vcard, "João Conceição"),
        "{}",
        cards[0].vcard
    );
    assert!(cards[0].vcard.contains("joao@example.com"));
    // Nothing went to the private IMAP folder.
    let folders = app.imap().await.list().await;
    assert!(
        !folders.iter().any(|f| f.contains("Carteiro Contacts")),
        "{folders:?}"
    );

    // A card made on another device shows up on the page.
    on_radicale(&app)
        .create("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:ana-phone\r\nFN:Ana do Celular\r\nEMAIL:ana@example.com\r\nEND:VCARD\r\n")
        .await
        .unwrap();
    assert_eq!(names(&app).await, ["Ana do Celular", "João Conceição"]);

    // Edited on the page: the card on the server changes, what the page does not show
    // (its UID) is kept, and only over the version the form was filled from.
    let (_, list) = app.page("/contacts?q=ana").await;
    let edit_link = first_attr(&list, ".contact-table .contact-name", "href").unwrap();
    let (status, html) = app.page(&edit_link).await;
    assert_eq!(status, StatusCode::OK);
    let id = first_attr(&html, ".contact-form input[name=id]", "value").unwrap();
    let version = first_attr(&html, ".contact-form input[name=version]", "value").unwrap();
    assert!(!version.is_empty(), "the form carries the card's ETag");
    let csrf = app.csrf_token().await;
    let edit = |version: String| {
        let (app, csrf, id) = (&app, csrf.clone(), id.clone());
        async move {
            let form = [
                ("csrf", csrf.as_str()),
                ("id", id.as_str()),
                ("version", version.as_str()),
                ("name", "Ana Souza"),
                ("emails", "ana@example.com"),
                ("note", "typed on the page"),
            ];
            app.post_form("/contacts/edit", &form).await
        }
    };

    // Changed on the phone while the form was open: saving does not overwrite it, and the
    // form comes back as typed.
    let phone = on_radicale(&app);
    let on_phone = phone.list().await.unwrap();
    let card = on_phone.iter().find(|c| c.id == id).unwrap();
    phone
        .replace(
            &id,
            &card.vcard.replace("Ana do Celular", "Ana (phone)"),
            card.etag.as_deref(),
        )
        .await
        .unwrap();
    let response = edit(version).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = Html::parse_document(&response.text().await.unwrap());
    assert!(texts(&html, ".error")[0].contains("changed elsewhere"));
    assert_eq!(texts(&html, "#contact-note"), ["typed on the page"]);
    assert_eq!(names(&app).await, ["Ana (phone)", "João Conceição"]);

    // Opened again, it saves.
    let (_, html) = app.page(&edit_link).await;
    let version = first_attr(&html, ".contact-form input[name=version]", "value").unwrap();
    let response = edit(version).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cards = on_radicale(&app).list().await.unwrap();
    let ana = cards.iter().find(|c| c.id == id).expect("same card");
    assert!(has_name(&ana.vcard, "Ana Souza"), "{}", ana.vcard);
    assert!(ana.vcard.contains("UID:ana-phone"), "{}", ana.vcard);

    // Deleted on the page: gone from the server.
    let response = app
        .post_form(
            "/contacts/delete",
            &[("csrf", csrf.as_str()), ("id", &id), ("confirm", "1")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let left = on_radicale(&app).list().await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].vcard.contains("João Conceição"));
}

#[tokio::test]
async fn with_the_carddav_server_down_the_pages_say_so_and_the_form_keeps_what_was_typed() {
    let app = spawn_with_carddav(RADICALE_DOWN).await;
    app.login().await;
    let (status, html) = app.page("/contacts").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        texts(&html, ".error")[0].contains("cannot be reached"),
        "{:?}",
        texts(&html, ".error")
    );

    let response = add(&app, "Gil Ausente", "gil@example.com").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let html = Html::parse_document(&response.text().await.unwrap());
    assert_eq!(
        first_attr(&html, "#contact-name", "value").as_deref(),
        Some("Gil Ausente")
    );
    // Mail still works: the address book is not the mailbox.
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    // And compose still suggests (nothing from the book, no error).
    assert!(suggest(&app, "gil").await.is_empty());
}

/// Suggestions come from the address book in both stores, and a contact added after the
/// index was built is offered at once (the change rebuilds it).
async fn a_new_contact_is_suggested_at_once(app: TestApp) {
    app.login().await;
    assert!(suggest(&app, "joao").await.is_empty(), "nothing yet");
    let response = add(&app, "João Conceição", "jc@example.com").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    for typed in ["joao", "CONCEICAO", "jc@"] {
        let found = suggest(&app, typed).await;
        assert_eq!(found.len(), 1, "{typed}: {found:?}");
        assert_eq!(found[0].address, "jc@example.com");
        assert_eq!(found[0].source, "contact");
    }
}

#[tokio::test]
async fn contacts_in_the_private_folder_are_suggested_as_soon_as_they_are_added() {
    a_new_contact_is_suggested_at_once(spawn_app().await).await;
}

#[tokio::test]
async fn contacts_on_the_carddav_server_are_suggested_as_soon_as_they_are_added() {
    a_new_contact_is_suggested_at_once(spawn_with_carddav(RADICALE).await).await;
}
