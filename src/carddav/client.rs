//! Talking to the CardDAV server: WebDAV over HTTP with the person's credentials.
//!
//! Bounded on every side, because the server is outside Carteiro's control: a connect
//! timeout and a whole-request timeout, a cap on the bytes of an answer and on the cards
//! listed, and redirects followed only on the same origin (a redirect elsewhere would carry
//! the person's password to another host).
//!
//! Listing is a PROPFIND (Depth 1) for the hrefs and ETags, then addressbook-multiget
//! REPORTs for the cards in batches: every CardDAV server has both, unlike an
//! addressbook-query with an empty filter, which some answer with nothing. A missing address
//! book is created (extended MKCOL) the first time it is used, so a new person just works.

use std::time::Duration;

use reqwest::header::{HeaderValue, CONTENT_TYPE, IF_MATCH, IF_NONE_MATCH};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};

use super::href::Collection;
use super::xml;
use crate::config::{Config, ConfigError};
use crate::contacts::store::{ContactsError, StoredCard};
use crate::upstream::CardDavUrl;

/// How long opening the connection (TCP and TLS) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole request may take, answer included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes read from the server for one operation (all the answers of a listing).
const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;
/// The most cards listed; an address book with more is listed up to here (and logged).
pub const MAX_CARDS: usize = 5_000;
/// Cards asked for per multiget REPORT.
const MULTIGET_BATCH: usize = 250;
/// Same-origin redirects followed for one request.
const MAX_REDIRECTS: usize = 5;

const XML: &str = "application/xml; charset=utf-8";
const VCARD: &str = "text/vcard; charset=utf-8";

/// The CardDAV server the admin configured: one HTTP client (its connection pool shared by
/// every person) and the URL of each person's address book.
#[derive(Clone, Debug)]
pub struct CardDav {
    http: reqwest::Client,
    book: CardDavUrl,
}

impl CardDav {
    /// The client for `config.carddav`, or `None` when no CardDAV server is configured.
    /// TLS follows the same settings as IMAP (`tls_ca_file`, `tls_insecure`).
    pub fn new(config: &Config) -> Result<Option<CardDav>, ConfigError> {
        let Some(book) = config.carddav.clone() else {
            return Ok(None);
        };
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            let same_origin = attempt
                .previous()
                .first()
                .is_some_and(|first| first.origin() == attempt.url().origin());
            if same_origin && attempt.previous().len() <= MAX_REDIRECTS {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(crate::tls::client_config(
                config.tls_ca_file.as_deref(),
                config.tls_insecure,
            )?)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .redirect(redirects)
            .user_agent(concat!("Carteiro/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::tls("the CardDAV client cannot be set up", e))?;
        Ok(Some(CardDav { http, book }))
    }

    /// The address book of `login`, reached with `login` and `password`.
    /// [`ContactsError::AuthFailed`] for a login that cannot be put in a URL (`..`).
    pub fn cards(
        &self,
        login: &str,
        password: SecretString,
    ) -> Result<CardDavCards, ContactsError> {
        let url = self
            .book
            .for_login(login)
            .ok_or(ContactsError::AuthFailed)?;
        Ok(CardDavCards {
            http: self.http.clone(),
            collection: Collection::new(url),
            login: login.to_string(),
            password,
        })
    }
}

/// One person's address book on the CardDAV server. Ids are card hrefs (absolute paths);
/// ids given back are checked to lie inside this address book before any request.
#[derive(Clone)]
pub struct CardDavCards {
    http: reqwest::Client,
    collection: Collection,
    login: String,
    /// Sent only in the Authorization header, which reqwest marks sensitive.
    password: SecretString,
}

impl std::fmt::Debug for CardDavCards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardDavCards")
            .field("collection", &self.collection.url().as_str())
            .finish_non_exhaustive()
    }
}

impl CardDavCards {
    /// The address book's URL.
    pub fn url(&self) -> &url::Url {
        self.collection.url()
    }

    /// Every card (up to [`MAX_CARDS`]), sorted by id. A missing address book is created,
    /// and is empty.
    pub async fn list(&self) -> Result<Vec<StoredCard>, ContactsError> {
        let response = self
            .send(
                self.request(method(b"PROPFIND"), self.collection.url().clone())
                    .header("Depth", "1")
                    .header(CONTENT_TYPE, XML)
                    .body(xml::PROPFIND_CARDS),
            )
            .await?;
        match response.status() {
            StatusCode::MULTI_STATUS => {}
            StatusCode::NOT_FOUND => {
                self.create_collection().await?;
                return Ok(Vec::new());
            }
            status => return Err(status_error(status)),
        }
        let mut budget = MAX_ANSWER_BYTES;
        let entries = read_multistatus(response, &mut budget).await?;
        let mut ids: Vec<String> = Vec::new();
        for entry in entries.iter().filter(|e| e.found && !e.collection) {
            match self.collection.card_id(&entry.href) {
                Some(id) => ids.push(id),
                None => tracing::warn!(
                    href = %crate::telemetry::untrusted(&entry.href),
                    "CardDAV listing named a resource outside the address book; skipped"
                ),
            }
        }
        if ids.len() > MAX_CARDS {
            tracing::warn!(
                cards = ids.len(),
                listed = MAX_CARDS,
                "CardDAV address book holds more cards than are listed"
            );
            ids.truncate(MAX_CARDS);
        }
        let mut cards = Vec::with_capacity(ids.len());
        for batch in ids.chunks(MULTIGET_BATCH) {
            let response = self
                .send(
                    self.request(method(b"REPORT"), self.collection.url().clone())
                        .header("Depth", "1")
                        .header(CONTENT_TYPE, XML)
                        .body(xml::multiget(batch.iter().map(String::as_str))),
                )
                .await?;
            if response.status() != StatusCode::MULTI_STATUS {
                return Err(status_error(response.status()));
            }
            for entry in read_multistatus(response, &mut budget).await? {
                // A card deleted between the two requests is simply not listed.
                let (true, Some(vcard)) = (entry.found, entry.address_data) else {
                    continue;
                };
                if let Some(id) = self.collection.card_id(&entry.href) {
                    cards.push(StoredCard {
                        id,
                        etag: entry.etag,
                        vcard,
                    });
                }
            }
        }
        cards.sort_by(|a, b| a.id.cmp(&b.id));
        cards.dedup_by(|a, b| a.id == b.id);
        Ok(cards)
    }

    /// Stores a new card under a new random name; returns its id. Never overwrites a card
    /// (`If-None-Match: *`).
    pub async fn create(&self, vcard: &str) -> Result<String, ContactsError> {
        let name = format!("{:032x}.vcf", rand::random::<u128>());
        let (id, url) = self
            .collection
            .new_card(&name)
            .ok_or_else(|| ContactsError::Protocol("the address book URL takes no card".into()))?;
        for first in [true, false] {
            let response = self
                .send(
                    self.request(Method::PUT, url.clone())
                        .header(IF_NONE_MATCH, "*")
                        .header(CONTENT_TYPE, VCARD)
                        .body(vcard.to_string()),
                )
                .await?;
            match response.status() {
                status if status.is_success() => return Ok(id),
                // No address book yet (Radicale says 409, others 404): make it, try again.
                StatusCode::NOT_FOUND | StatusCode::CONFLICT if first => {
                    self.create_collection().await?
                }
                status => return Err(status_error(status)),
            }
        }
        Err(status_error(StatusCode::CONFLICT))
    }

    /// Replaces the card `id` with `vcard`; returns its id (unchanged on CardDAV). With the
    /// `etag` it was read with, a card changed meanwhile elsewhere is not overwritten
    /// ([`ContactsError::Conflict`]); without one, the card must still exist
    /// ([`ContactsError::NotFound`]).
    pub async fn replace(
        &self,
        id: &str,
        vcard: &str,
        etag: Option<&str>,
    ) -> Result<String, ContactsError> {
        let (id, url) = self.card_url(id)?;
        let if_match =
            HeaderValue::from_str(etag.unwrap_or("*")).map_err(|_| ContactsError::Conflict)?;
        let response = self
            .send(
                self.request(Method::PUT, url)
                    .header(IF_MATCH, if_match)
                    .header(CONTENT_TYPE, VCARD)
                    .body(vcard.to_string()),
            )
            .await?;
        match response.status() {
            status if status.is_success() => Ok(id),
            StatusCode::PRECONDITION_FAILED if etag.is_none() => Err(ContactsError::NotFound),
            status => Err(status_error(status)),
        }
    }

    /// Deletes the card `id`.
    pub async fn delete(&self, id: &str) -> Result<(), ContactsError> {
        let (_, url) = self.card_url(id)?;
        let response = self.send(self.request(Method::DELETE, url)).await?;
        match response.status() {
            status if status.is_success() => Ok(()),
            status => Err(status_error(status)),
        }
    }

    /// The id, written the one way, and URL of a card; an id that does not name a card of
    /// this address book (another person's, another host's, `..`) names none.
    fn card_url(&self, id: &str) -> Result<(String, url::Url), ContactsError> {
        self.collection.card_url(id).ok_or(ContactsError::NotFound)
    }

    /// Creates the address book. One that exists already (another request made it just
    /// now) is fine.
    async fn create_collection(&self) -> Result<(), ContactsError> {
        let response = self
            .send(
                self.request(method(b"MKCOL"), self.collection.url().clone())
                    .header(CONTENT_TYPE, XML)
                    .body(xml::MKCOL_ADDRESSBOOK),
            )
            .await?;
        match response.status() {
            status if status.is_success() => Ok(()),
            StatusCode::METHOD_NOT_ALLOWED => Ok(()),
            status => Err(status_error(status)),
        }
    }

    fn request(&self, method: Method, url: url::Url) -> RequestBuilder {
        self.http
            .request(method, url)
            .basic_auth(&self.login, Some(self.password.expose_secret()))
    }

    async fn send(&self, request: RequestBuilder) -> Result<Response, ContactsError> {
        request
            .send()
            .await
            .map_err(|e| ContactsError::Unavailable(Box::new(e)))
    }
}

/// A WebDAV method; the names used here are valid tokens, so this cannot fail.
fn method(name: &'static [u8]) -> Method {
    Method::from_bytes(name).unwrap_or(Method::OPTIONS)
}

/// What an error status means for the address book.
fn status_error(status: StatusCode) -> ContactsError {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ContactsError::AuthFailed,
        StatusCode::NOT_FOUND | StatusCode::GONE => ContactsError::NotFound,
        StatusCode::PRECONDITION_FAILED => ContactsError::Conflict,
        status => ContactsError::Refused {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
        },
    }
}

/// Reads a multistatus answer, taking its bytes from `budget`. The XML is read off the
/// async workers: an answer can be megabytes.
async fn read_multistatus(
    response: Response,
    budget: &mut usize,
) -> Result<Vec<xml::Entry>, ContactsError> {
    let body = read_capped(response, budget).await?;
    tokio::task::spawn_blocking(move || xml::read_multistatus(&body))
        .await
        .map_err(|_| ContactsError::Protocol("reading the answer failed".into()))?
        .map_err(ContactsError::Protocol)
}

/// The answer's body, refused once it passes `budget` bytes (what is left of the cap).
async fn read_capped(mut response: Response, budget: &mut usize) -> Result<Vec<u8>, ContactsError> {
    let too_large = || {
        ContactsError::Protocol(format!(
            "the answers are larger than {} MiB",
            MAX_ANSWER_BYTES / (1024 * 1024)
        ))
    };
    if response
        .content_length()
        .is_some_and(|len| len > *budget as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| ContactsError::Unavailable(Box::new(e)))?
    {
        if chunk.len() > *budget {
            return Err(too_large());
        }
        *budget -= chunk.len();
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_what_the_address_book_can_say() {
        assert!(matches!(
            status_error(StatusCode::UNAUTHORIZED),
            ContactsError::AuthFailed
        ));
        assert!(matches!(
            status_error(StatusCode::FORBIDDEN),
            ContactsError::AuthFailed
        ));
        assert!(matches!(
            status_error(StatusCode::NOT_FOUND),
            ContactsError::NotFound
        ));
        assert!(matches!(
            status_error(StatusCode::PRECONDITION_FAILED),
            ContactsError::Conflict
        ));
        assert!(matches!(
            status_error(StatusCode::INSUFFICIENT_STORAGE),
            ContactsError::Refused { status: 507, .. }
        ));
        for name in [&b"PROPFIND"[..], b"REPORT", b"MKCOL"] {
            assert_eq!(method(name).as_str().as_bytes(), name);
        }
    }
}
