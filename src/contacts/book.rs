//! The address book as pages use it: contacts, not vCards, whatever store keeps them.
//!
//! Built per request from the session: the person's address book on the CardDAV server when
//! the admin configured one ([`CardDavCards`]), else the private IMAP folder of
//! [`ImapCards`], which needs nothing but the mail server. Every card is read with
//! [`vcard`], once, here; an edit starts from the card as stored so that what Carteiro does
//! not show is kept, and is saved with the version it was read at (a CardDAV ETag), so a
//! change made meanwhile on a phone is not overwritten.
//!
//! The stores only list whole: `get` and `update` find their card in the list. An address
//! book is small (a few thousand cards at most, bounded by the stores), and a per-card read
//! would be one more protocol to keep in step for no page that needs it.

use super::fold::fold;
use super::imap_store::ImapCards;
use super::store::{ContactsError, StoredCard};
use crate::carddav::CardDavCards;
use std::collections::HashSet;

use super::vcf::{self, SkipReason, Skipped};
use super::{vcard, Contact};
use crate::imap::ImapHandle;

/// Where the cards are kept.
enum Store {
    Imap(ImapCards),
    CardDav(CardDavCards),
    /// A CardDAV server is configured but this login cannot name a book on it (see
    /// [`crate::carddav::CardDav::cards`]): every step is refused, as the server would.
    NoBook,
}

impl Store {
    async fn list(&self) -> Result<Vec<StoredCard>, ContactsError> {
        match self {
            Store::Imap(s) => s.list().await,
            Store::CardDav(s) => s.list().await,
            Store::NoBook => Err(ContactsError::AuthFailed),
        }
    }

    async fn create(&self, vcard: &str) -> Result<String, ContactsError> {
        match self {
            Store::Imap(s) => s.create(vcard).await,
            Store::CardDav(s) => s.create(vcard).await,
            Store::NoBook => Err(ContactsError::AuthFailed),
        }
    }

    /// Replaces a card; `etag` is the version it was read at, where the store has versions.
    async fn replace(
        &self,
        id: &str,
        vcard: &str,
        etag: Option<&str>,
    ) -> Result<String, ContactsError> {
        match self {
            Store::Imap(s) => s.replace(id, vcard).await,
            Store::CardDav(s) => s.replace(id, vcard, etag).await,
            Store::NoBook => Err(ContactsError::AuthFailed),
        }
    }

    async fn delete(&self, id: &str) -> Result<(), ContactsError> {
        match self {
            Store::Imap(s) => s.delete(id).await,
            Store::CardDav(s) => s.delete(id).await,
            Store::NoBook => Err(ContactsError::AuthFailed),
        }
    }
}

/// One person's address book.
pub struct AddressBook {
    store: Store,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Cards saved.
    pub added: usize,
    /// Entries not imported, the first [`vcf::MAX_LISTED`], with their reason.
    pub skipped: Vec<Skipped>,
    /// How many entries were not imported in all.
    pub skipped_total: usize,
    /// The store failed part-way: the cards after that were not saved (and are counted as
    /// skipped). Importing the same file again adds only those: the others are there.
    pub failure: Option<ContactsError>,
}

impl AddressBook {
    /// The address book kept in the private IMAP folder of the session whose connection
    /// `imap` is.
    pub fn in_imap(imap: ImapHandle) -> AddressBook {
        AddressBook {
            store: Store::Imap(ImapCards::new(imap)),
        }
    }

    /// The address book on the CardDAV server; `None` when the login cannot name one there.
    pub fn on_carddav(cards: Option<CardDavCards>) -> AddressBook {
        AddressBook {
            store: cards.map_or(Store::NoBook, Store::CardDav),
        }
    }

    /// Every contact, sorted by name as people read it (accents and case aside). A card
    /// that cannot be read is left out of the list (and out of harm: nothing changes it).
    pub async fn list(&self) -> Result<Vec<Contact>, ContactsError> {
        let cards = self.store.list().await?;
        // Reading thousands of cards is CPU work: off the async workers.
        Ok(tokio::task::spawn_blocking(move || read_all_now(&cards))
            .await
            .unwrap_or_default())
    }

    /// One contact, by its store id.
    pub async fn get(&self, id: &str) -> Result<Contact, ContactsError> {
        let (contact, _) = self.stored(id).await?;
        Ok(contact)
    }

    /// The contact one of whose addresses is `email` (case aside), if any.
    pub async fn find_by_email(&self, email: &str) -> Result<Option<Contact>, ContactsError> {
        let email = email.trim().to_lowercase();
        Ok(self
            .list()
            .await?
            .into_iter()
            .find(|c| c.emails.iter().any(|e| e.to_lowercase() == email)))
    }

    /// Saves a new contact; returns its id.
    pub async fn create(&self, contact: &Contact) -> Result<String, ContactsError> {
        self.store.create(&vcard::new_card(contact)).await
    }

    /// Saves an edited contact over its card, keeping what the card holds beyond what
    /// Carteiro shows; returns its id (which may have changed). The card must still be at
    /// the contact's `version` when it has one ([`ContactsError::Conflict`] otherwise).
    pub async fn update(&self, contact: &Contact) -> Result<String, ContactsError> {
        let (_, card) = self.stored(&contact.id).await?;
        let version = match contact.version.as_str() {
            "" => card.etag.as_deref(),
            read_at => Some(read_at),
        };
        let text = vcard::edited(&card.vcard, contact).map_err(|_| ContactsError::NotFound)?;
        self.store.replace(&card.id, &text, version).await
    }

    pub async fn delete(&self, id: &str) -> Result<(), ContactsError> {
        self.store.delete(id).await
    }

    /// Imports a `.vcf` file: every readable card not already in the book (same `UID`).
    /// `None` when the file is over [`vcf::MAX_IMPORT_BYTES`].
    pub async fn import(&self, bytes: Vec<u8>) -> Result<Option<ImportReport>, ContactsError> {
        // Parsing thousands of cards is CPU work: off the async workers.
        let read = tokio::task::spawn_blocking(move || vcf::import(&bytes))
            .await
            .ok()
            .flatten();
        let Some(mut read) = read else {
            return Ok(None);
        };
        let cards = std::mem::take(&mut read.cards);
        let mut known: HashSet<String> = read_all_now(&self.store.list().await?)
            .into_iter()
            .map(|c| c.uid)
            .filter(|uid| !uid.is_empty())
            .collect();
        let mut added = 0;
        let mut failure = None;
        for card in cards {
            let label = card.contact.display_name();
            if failure.is_some() {
                read.skip(card.position, label, SkipReason::NotSaved);
            } else if !known.insert(card.contact.uid.clone()) {
                read.skip(card.position, label, SkipReason::AlreadyThere);
            } else {
                match self.store.create(&card.vcard).await {
                    Ok(_) => added += 1,
                    // Nothing saved yet: the person sees the store's error, as for any page.
                    Err(e) if added == 0 => return Err(e),
                    Err(e) => {
                        read.skip(card.position, label, SkipReason::NotSaved);
                        failure = Some(e);
                    }
                }
            }
        }
        read.skipped.sort_by_key(|s| s.position);
        Ok(Some(ImportReport {
            added,
            skipped: read.skipped,
            skipped_total: read.skipped_total,
            failure,
        }))
    }

    /// Every card, as one `.vcf` file (the cards as stored, unread ones included).
    pub async fn export(&self) -> Result<String, ContactsError> {
        let cards = self.store.list().await?;
        Ok(vcf::export(cards.iter().map(|c| c.vcard.as_str())))
    }

    /// A contact and its card as stored.
    async fn stored(&self, id: &str) -> Result<(Contact, StoredCard), ContactsError> {
        let cards = self.store.list().await?;
        let card = cards
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(ContactsError::NotFound)?;
        let mut contact = vcard::read(&card.vcard).map_err(|_| ContactsError::NotFound)?;
        contact.id = card.id.clone();
        contact.version = card.etag.clone().unwrap_or_default();
        Ok((contact, card))
    }
}

/// The contacts whose name or an address contains `query`, accents and case aside; every
/// contact for an empty query.
pub fn search<'a>(contacts: &'a [Contact], query: &str) -> Vec<&'a Contact> {
    let query = fold(query.trim());
    contacts
        .iter()
        .filter(|c| {
            query.is_empty()
                || fold(&c.name).contains(&query)
                || c.emails.iter().any(|e| fold(e).contains(&query))
        })
        .collect()
}

/// Reads cards into contacts sorted by name; a card that cannot be read is left out.
fn read_all_now(cards: &[StoredCard]) -> Vec<Contact> {
    let mut contacts: Vec<(String, Contact)> = cards
        .iter()
        .filter_map(|card| match vcard::read(&card.vcard) {
            Ok(mut c) => {
                c.id = card.id.clone();
                c.version = card.etag.clone().unwrap_or_default();
                Some((fold(c.display_name()), c))
            }
            Err(problem) => {
                tracing::warn!(id = %crate::telemetry::untrusted(&card.id), ?problem, "a stored card could not be read");
                None
            }
        })
        .collect();
    contacts.sort_by(|a, b| a.0.cmp(&b.0));
    contacts.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(id: &str, name: &str, email: &str) -> StoredCard {
        StoredCard {
            id: id.into(),
            etag: None,
            vcard: format!(
                "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEMAIL:{email}\r\nEND:VCARD\r\n"
            ),
        }
    }

    #[test]
    fn contacts_sort_by_name_accents_and_case_aside_and_bad_cards_are_left_out() {
        let cards = vec![
            stored("1", "zeca", "z@example.com"),
            stored("2", "Élia", "e@example.com"),
            stored("3", "", "b@example.com"),
            StoredCard {
                id: "4".into(),
                etag: None,
                vcard: "garbage".into(),
            },
            stored("5", "Ana", "a@example.com"),
        ];
        let names: Vec<_> = read_all_now(&cards)
            .iter()
            .map(|c| (c.id.clone(), c.display_name().to_string()))
            .collect();
        assert_eq!(
            names,
            [
                ("5".to_string(), "Ana".to_string()),
                ("3".into(), "b@example.com".into()),
                ("2".into(), "Élia".into()),
                ("1".into(), "zeca".into()),
            ]
        );
    }

    #[test]
    fn search_matches_names_and_addresses_without_accents() {
        let contacts = read_all_now(&[
            stored("1", "João Conceição", "jc@example.com"),
            stored("2", "Maria", "maria@exemplo.com.br"),
        ]);
        let names = |q: &str| -> Vec<String> {
            search(&contacts, q)
                .iter()
                .map(|c| c.name.clone())
                .collect()
        };
        assert_eq!(names("joao"), ["João Conceição"]);
        assert_eq!(names("CONCEICAO"), ["João Conceição"]);
        assert_eq!(names("exemplo.com"), ["Maria"]);
        assert_eq!(names(" "), ["João Conceição", "Maria"]);
        assert!(names("nobody").is_empty());
    }
}
