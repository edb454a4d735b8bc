//! The address book: the people a person writes to, kept where the admin chose (a CardDAV
//! server, or a private IMAP folder when there is none), plus the addresses collected from
//! what they sent, and the index that suggests recipients as they type.
//!
//! Stores keep vCards as text and know nothing of their content ([`store`]); reading a
//! vCard into a [`Contact`] and writing one back happen here, once, for every store.
//! [`imap_store`] is the store used without a CardDAV server: a private IMAP folder.

pub mod book;
pub mod collected;
pub mod fold;
pub mod imap_store;
pub mod store;
pub mod suggest;
pub mod suggestions;
pub mod vcard;
pub mod vcf;

/// One person in the address book, as pages show and edit them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    /// Where the store keeps the card ([`store::StoredCard::id`]); empty for one not stored
    /// yet.
    pub id: String,
    /// The store's version of the card when it was read (a CardDAV ETag); empty where the
    /// store keeps none. An edit is saved only over this version, so a change made on
    /// another device between opening the form and saving it is not overwritten.
    pub version: String,
    /// The vCard `UID`, stable across edits and stores.
    pub uid: String,
    /// The name shown (`FN`); may be empty when only an address is known.
    pub name: String,
    /// Addresses, the preferred one first.
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub organization: String,
    pub note: String,
}

impl Contact {
    /// The name when there is one, else the first address: what a list shows.
    pub fn display_name(&self) -> &str {
        if self.name.trim().is_empty() {
            self.emails.first().map(String::as_str).unwrap_or("")
        } else {
            &self.name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_without_a_name_shows_its_first_address() {
        let mut c = Contact {
            emails: vec!["ana@example.com".into(), "ana@work.example".into()],
            ..Default::default()
        };
        assert_eq!(c.display_name(), "ana@example.com");
        c.name = "Ana Souza".into();
        assert_eq!(c.display_name(), "Ana Souza");
        assert_eq!(Contact::default().display_name(), "");
    }
}
