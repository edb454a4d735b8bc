//! CardDAV (RFC 6352): the address book on a CardDAV server, when the admin names one
//! (`carddav_url`), reached with the person's own credentials.
//!
//! - `client.rs`: [`CardDav`] (one per process: the HTTP client and the URL template) and
//!   [`CardDavCards`] (one person's address book: list, create, replace, delete);
//! - `href.rs`: card ids, and the check that an id names a card inside the collection;
//! - `xml.rs`: the XML written and read, tested on bytes.
//!
//! Cards are handled as vCard text: reading them is the address book's job
//! ([`crate::contacts`]), the same for every store.

mod client;
mod href;
mod xml;

pub use client::{CardDav, CardDavCards, MAX_CARDS};
