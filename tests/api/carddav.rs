//! The CardDAV client against the test stack's real Radicale, which checks every login
//! against Dovecot: each test uses fresh users, so each starts with no address book.

use std::time::{Duration, Instant};

use carteiro::carddav::{CardDav, CardDavCards};
use carteiro::config::Config;
use carteiro::contacts::store::ContactsError;
use secrecy::SecretString;

use crate::helpers::{fresh_user, stack_dir, TEST_PASSWORD};

/// The stack's Radicale, over TLS with the stack's CA.
const RADICALE: &str = "https://localhost:5232/%u/contacts/";

fn carddav(url: &str) -> CardDav {
    let env = vec![
        ("CARTEIRO_CARDDAV_URL".to_string(), url.to_string()),
        (
            "CARTEIRO_TLS_CA_FILE".to_string(),
            stack_dir().join("ca.pem").display().to_string(),
        ),
        (
            "CARTEIRO_SECRET_KEY".to_string(),
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
        ),
    ];
    let (config, _) = Config::load(None, &env).expect("a valid CardDAV test configuration");
    CardDav::new(&config)
        .unwrap()
        .expect("CardDAV is configured")
}

fn book(user: &str, password: &str) -> CardDavCards {
    carddav(RADICALE)
        .cards(user, SecretString::from(password.to_string()))
        .unwrap()
}

fn vcard(uid: &str, name: &str) -> String {
    format!("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:{uid}\r\nFN:{name}\r\nEMAIL:{uid}@example.test\r\nEND:VCARD\r\n")
}

#[tokio::test]
async fn a_new_persons_address_book_is_created_on_first_use_and_empty() {
    let cards = book(&fresh_user("dav-new"), TEST_PASSWORD);
    assert_eq!(cards.list().await.unwrap(), vec![]);
    // The collection now exists: listing again does not need to create it.
    assert_eq!(cards.list().await.unwrap(), vec![]);
    let created = std::fs::metadata(
        stack_dir()
            .join("radicale/collections/collection-root")
            .join(cards.url().path().trim_matches('/').replace("%40", "@")),
    );
    assert!(created.is_ok_and(|m| m.is_dir()), "{}", cards.url());
}

#[tokio::test]
async fn cards_are_created_listed_replaced_and_deleted_with_unicode_intact() {
    let cards = book(&fresh_user("dav-trip"), TEST_PASSWORD);
    // Creating first also creates the address book.
    let id = cards
        .create(&vcard("joao-1", "João Çé Ñandú 😀"))
        .await
        .unwrap();
    assert!(id.ends_with(".vcf"), "{id}");
    let listed = cards.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id, "listed under the id it was created under");
    assert!(
        listed[0].vcard.contains("FN:João Çé Ñandú 😀"),
        "{}",
        listed[0].vcard
    );
    let etag = listed[0].etag.clone().expect("Radicale gives ETags");

    let second = cards.create(&vcard("ana-2", "Ana")).await.unwrap();
    assert_ne!(second, id);
    assert_eq!(cards.list().await.unwrap().len(), 2);

    let same = cards
        .replace(&id, &vcard("joao-1", "João Souza"), Some(&etag))
        .await
        .unwrap();
    assert_eq!(same, id);
    let listed = cards.list().await.unwrap();
    let joao = listed.iter().find(|c| c.id == id).unwrap();
    assert!(joao.vcard.contains("FN:João Souza"), "{}", joao.vcard);
    assert_ne!(joao.etag.as_deref(), Some(etag.as_str()));

    // The old ETag no longer matches: an edit made elsewhere is not overwritten.
    let stale = cards
        .replace(&id, &vcard("joao-1", "Old"), Some(&etag))
        .await;
    assert!(matches!(stale, Err(ContactsError::Conflict)), "{stale:?}");

    cards.delete(&id).await.unwrap();
    let listed = cards.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, second);
    assert!(matches!(
        cards.delete(&id).await,
        Err(ContactsError::NotFound)
    ));
    let gone = cards.replace(&id, &vcard("joao-1", "Back"), None).await;
    assert!(matches!(gone, Err(ContactsError::NotFound)), "{gone:?}");
}

#[tokio::test]
async fn a_wrong_password_is_refused() {
    let user = fresh_user("dav-auth");
    let cards = book(&user, "not-the-password");
    let listed = cards.list().await;
    assert!(
        matches!(listed, Err(ContactsError::AuthFailed)),
        "{listed:?}"
    );
    let created = cards.create(&vcard("x", "X")).await;
    assert!(
        matches!(created, Err(ContactsError::AuthFailed)),
        "{created:?}"
    );
    // The right password works for the same user.
    assert!(book(&user, TEST_PASSWORD).list().await.is_ok());
}

#[tokio::test]
async fn a_server_that_is_down_is_unavailable_at_once() {
    // A port nothing listens on: bind one, then close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cards = carddav(&format!("https://127.0.0.1:{port}/%u/contacts/"))
        .cards(&fresh_user("dav-down"), SecretString::from(TEST_PASSWORD))
        .unwrap();
    let started = Instant::now();
    let listed = cards.list().await;
    assert!(
        matches!(listed, Err(ContactsError::Unavailable(_))),
        "{listed:?}"
    );
    let created = cards.create(&vcard("x", "X")).await;
    assert!(
        matches!(created, Err(ContactsError::Unavailable(_))),
        "{created:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn ids_outside_the_address_book_are_refused_and_people_cannot_see_each_others_cards() {
    let ana_user = fresh_user("dav-ana");
    let bob_user = fresh_user("dav-bob");
    let ana = book(&ana_user, TEST_PASSWORD);
    let bob = book(&bob_user, TEST_PASSWORD);
    let anas = ana.create(&vcard("ana-card", "Ana")).await.unwrap();
    let bobs = bob.create(&vcard("bob-card", "Bob")).await.unwrap();

    assert_eq!(ana.list().await.unwrap().len(), 1);
    let listed = bob.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, bobs);

    // Bob's own card named from Ana's address book, a path climbing out of it, another host:
    // none names a card of Ana's, so nothing is sent.
    let climbing = format!("{}../../{}", ana.url().path(), bobs.trim_start_matches('/'));
    for foreign in [
        bobs.as_str(),
        climbing.as_str(),
        "https://evil.example/x.vcf",
        "//evil.example/x.vcf",
    ] {
        let deleted = ana.delete(foreign).await;
        assert!(
            matches!(deleted, Err(ContactsError::NotFound)),
            "{foreign}: {deleted:?}"
        );
        let replaced = ana
            .replace(foreign, &vcard("bob-card", "Taken"), None)
            .await;
        assert!(
            matches!(replaced, Err(ContactsError::NotFound)),
            "{foreign}: {replaced:?}"
        );
    }
    // And the server itself keeps Ana out of Bob's address book (owner_only).
    let ca = std::fs::read(stack_dir().join("ca.pem")).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let peek = http
        .request(
            reqwest::Method::from_bytes(b"PROPFIND").unwrap(),
            bob.url().clone(),
        )
        .header("Depth", "1")
        .basic_auth(&ana_user, Some(TEST_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(peek.status(), reqwest::StatusCode::FORBIDDEN);
    assert_eq!(ana.list().await.unwrap()[0].id, anas);
    let listed = bob.list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].vcard.contains("FN:Bob"), "{}", listed[0].vcard);
}
