//! Contacts kept in a private IMAP folder (no CardDAV server configured), against the real
//! Dovecot: the store called directly, as the address book calls it, then the folder checked
//! from Carteiro's pages and from a plain IMAP client.

use std::sync::Arc;

use carteiro::contacts::imap_store::ImapCards;
use carteiro::contacts::store::ContactsError;
use carteiro::imap::connect::Connector;
use carteiro::imap::ImapHandle;
use carteiro::metrics::Metrics;
use reqwest::StatusCode;
use secrecy::SecretString;
use tokio_util::task::TaskTracker;

use crate::helpers::{spawn_app, test_config, texts, Imap, TEST_PASSWORD};

const FOLDER: &str = "Carteiro Contacts";

/// The session's IMAP actor for `user`, built as the application builds it.
pub fn imap_for(imap_url: &str, user: &str) -> ImapHandle {
    let config = test_config(imap_url);
    let connector = Connector::new(&config, Arc::new(Metrics::new())).expect("connector");
    ImapHandle::spawn(
        connector,
        user.to_string(),
        SecretString::from(TEST_PASSWORD.to_string()),
        None,
        &TaskTracker::new(),
    )
}

fn card(uid: &str, name: &str, note: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:{uid}\r\nFN:{name}\r\nEMAIL:ana@example.com\r\nNOTE:{note}\r\nEND:VCARD\r\n"
    )
}

#[tokio::test]
async fn cards_round_trip_through_the_private_folder_with_any_unicode() {
    let app = spawn_app().await;
    let store = ImapCards::new(imap_for("imap://localhost:143", &app.user));
    assert!(
        store.list().await.expect("list").is_empty(),
        "no folder yet"
    );
    assert!(
        !app.imap().await.list().await.iter().any(|f| f == FOLDER),
        "listing does not create the folder"
    );

    let ana = card(
        "urn:uuid:ana",
        "Ana Conceição 😀 Ñandú",
        &format!("linha um\\nlinha dois {}", "ç".repeat(2000)),
    );
    let bia = card("urn:uuid:bia", "Bia 李", "");
    let ana_id = store.create(&ana).await.expect("create ana");
    let bia_id = store.create(&bia).await.expect("create bia");
    assert_ne!(ana_id, bia_id);

    let listed = store.list().await.expect("list");
    let found: Vec<(&str, &str)> = listed
        .iter()
        .map(|c| (c.id.as_str(), c.vcard.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (ana_id.as_str(), ana.as_str()),
            (bia_id.as_str(), bia.as_str())
        ]
    );

    let edited = card("urn:uuid:ana", "Ana C. Souza", "nova");
    let new_id = store.replace(&ana_id, &edited).await.expect("replace");
    assert_ne!(new_id, ana_id, "a replaced card gets a new id");
    let listed = store.list().await.expect("list");
    let mut found: Vec<(String, String)> = listed.into_iter().map(|c| (c.id, c.vcard)).collect();
    found.sort();
    let mut expected = vec![(bia_id.clone(), bia.clone()), (new_id.clone(), edited)];
    expected.sort();
    assert_eq!(found, expected);

    store.delete(&bia_id).await.expect("delete");
    let left: Vec<String> = store
        .list()
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(left, std::slice::from_ref(&new_id));

    // Another mail app sees one readable message per card, the folder not subscribed.
    let mut imap = app.imap().await;
    assert!(imap.list().await.iter().any(|f| f == FOLDER));
    assert!(!imap
        .subscribed()
        .await
        .iter()
        .any(|f| f.contains("Carteiro")));
    let raw = imap.raw(FOLDER, new_id.parse().expect("a UID")).await;
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.contains("Content-Type: text/vcard; charset=utf-8"),
        "{text}"
    );
    assert!(text.contains("X-Carteiro-Contact: urn:uuid:ana"), "{text}");
    assert!(text.contains("Subject: Ana C. Souza"), "{text}");
}

#[tokio::test]
async fn a_card_that_is_gone_is_not_found_and_nothing_is_stored_for_it() {
    let app = spawn_app().await;
    let store = ImapCards::new(imap_for("imap://localhost:143", &app.user));
    // No folder at all yet.
    assert!(matches!(
        store.delete("1").await,
        Err(ContactsError::NotFound)
    ));
    let id = store
        .create(&card("urn:uuid:x", "Xavier", ""))
        .await
        .expect("create");
    store.delete(&id).await.expect("delete");
    assert!(matches!(
        store.delete(&id).await,
        Err(ContactsError::NotFound)
    ));
    assert!(matches!(
        store.replace(&id, &card("urn:uuid:x", "X", "")).await,
        Err(ContactsError::NotFound)
    ));
    assert!(matches!(
        store.delete("not-a-uid").await,
        Err(ContactsError::NotFound)
    ));
    assert!(
        store.list().await.expect("list").is_empty(),
        "the refused replace stored nothing"
    );
}

#[tokio::test]
async fn the_contacts_folder_is_hidden_from_every_folder_list() {
    let app = spawn_app().await;
    let store = ImapCards::new(imap_for("imap://localhost:143", &app.user));
    store
        .create(&card("urn:uuid:h", "Hidden", ""))
        .await
        .expect("create");
    let mut imap = app.imap().await;
    assert!(imap.list().await.iter().any(|f| f == FOLDER));
    // A message in INBOX, so the list page offers move targets.
    imap.append(
        "INBOX",
        &crate::helpers::message(
            "a@example.com",
            "Olá",
            "Mon, 2 Mar 2026 10:00:00 +0000",
            "x",
        ),
        None,
    )
    .await;

    app.login().await;
    for path in ["/folders", "/mail/INBOX"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = response.text().await.expect("body");
        assert!(
            body.contains("Trash") || body.contains("Lixeira"),
            "{path} lists folders"
        );
        assert!(
            !body.contains("Carteiro Contacts"),
            "{path} shows the private folder"
        );
    }
    let (_, html) = app.page("/folders").await;
    assert!(!texts(&html, "option")
        .iter()
        .any(|t| t.contains("Carteiro")));
}

#[tokio::test]
async fn the_private_folder_is_not_confused_with_a_folder_of_the_same_leaf_elsewhere() {
    let app = spawn_app().await;
    let mut imap = Imap::connect(&app.user).await;
    imap.create("Projetos/Carteiro Contacts").await;
    let store = ImapCards::new(imap_for("imap://localhost:143", &app.user));
    assert!(store.list().await.expect("list").is_empty());
    store
        .create(&card("urn:uuid:p", "P", ""))
        .await
        .expect("create");
    assert!(imap.list().await.iter().any(|f| f == FOLDER));
    assert!(imap.uids("Projetos/Carteiro Contacts").await.is_empty());
    app.login().await;
    let body = app.get("/folders").await.text().await.expect("body");
    assert!(
        body.contains("Carteiro Contacts"),
        "the person's own folder is still shown"
    );
}

#[tokio::test]
async fn large_address_books_are_read_in_batches_and_an_oversized_message_is_skipped() {
    let app = spawn_app().await;
    let store = ImapCards::new(imap_for("imap://localhost:143", &app.user));
    // 20 cards of 200 KiB: more than one FETCH batch (4 MiB) of bodies.
    let mut ids = Vec::new();
    for i in 0..20 {
        let note = format!("{i:02}{}", "é".repeat(100 << 10));
        let id = store
            .create(&card(
                &format!("urn:uuid:big-{i}"),
                &format!("Big {i}"),
                &note,
            ))
            .await
            .expect("create");
        ids.push(id);
    }
    // Another app's message far larger than any card (1 MiB body).
    let mut imap = app.imap().await;
    let huge = format!(
        "Subject: huge\r\nContent-Type: text/vcard\r\n\r\nBEGIN:VCARD\r\nNOTE:{}\r\nEND:VCARD\r\n",
        "x".repeat(1 << 20)
    );
    imap.append(FOLDER, huge.as_bytes(), None).await;

    let listed = store.list().await.expect("list");
    let got: Vec<&str> = listed.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        got, ids,
        "every card, oldest first, without the oversized one"
    );
    for (i, c) in listed.iter().enumerate() {
        assert!(
            c.vcard.contains(&format!("NOTE:{i:02}éé")),
            "card {i} whole"
        );
        assert!(c.vcard.ends_with("END:VCARD\r\n"));
    }
}
