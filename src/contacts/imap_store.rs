//! The contact store used when no CardDAV server is configured: each vCard is one small
//! message in a private IMAP folder (`Carteiro Contacts`, see [`crate::imap::private`]), so
//! the address book follows the person to any device and Carteiro needs no database.
//!
//! A card's id is its message's IMAP UID, as text. IMAP messages cannot change, so
//! `replace` APPENDs the new card and then removes the old one, and the card gets a new id.
//! The folder is created on the first write and is never subscribed or shown.
//!
//! `list` is bounded: at most [`MAX_CARDS`] cards (the oldest UIDs first; those beyond are
//! left out with a warning in the log), each at most [`MAX_CARD_BYTES`] (a larger message is
//! skipped with a warning: nobody's contact card is that big, and a cut vCard would be
//! corrupt). Bodies are fetched a few megabytes at a time.

use crate::imap::private::{self, PrivateFolder};
use crate::imap::{ImapError, ImapHandle};

use super::store::{ContactsError, StoredCard};

/// At most this many cards are listed.
pub const MAX_CARDS: usize = 5_000;
/// A card (decoded vCard text) larger than this is neither stored nor listed.
pub const MAX_CARD_BYTES: usize = 256 << 10;
/// The largest message that can hold a card of [`MAX_CARD_BYTES`]: base64 grows it by a
/// third plus line breaks, and the header is small.
const MAX_MESSAGE_BYTES: u32 = (MAX_CARD_BYTES as u32 / 3 * 4) * 78 / 76 + 8192;

/// The contacts of one person, kept in their private IMAP folder.
#[derive(Clone)]
pub struct ImapCards {
    imap: ImapHandle,
}

impl ImapCards {
    /// The store of the session whose IMAP connection `imap` is.
    pub fn new(imap: ImapHandle) -> ImapCards {
        ImapCards { imap }
    }

    /// Every card (up to [`MAX_CARDS`]), oldest first. None when the folder does not exist.
    pub async fn list(&self) -> Result<Vec<StoredCard>, ContactsError> {
        let fetched = self
            .imap
            .run(|c| {
                Box::pin(async move {
                    let Some(folder) = c.private_folder(PrivateFolder::Contacts, false).await?
                    else {
                        return Ok(Vec::new());
                    };
                    let index = c.private_index(&folder).await?;
                    if index.len() > MAX_CARDS {
                        tracing::warn!(
                            cards = index.len(),
                            listed = MAX_CARDS,
                            "too many contacts in the private folder; listing the oldest"
                        );
                    }
                    let (fits, too_big): (Vec<_>, Vec<_>) = index
                        .into_iter()
                        .take(MAX_CARDS)
                        .partition(|item| item.size <= MAX_MESSAGE_BYTES);
                    if !too_big.is_empty() {
                        tracing::warn!(skipped = too_big.len(), "contact messages too large");
                    }
                    c.private_bodies(&fits).await
                })
            })
            .await
            .map_err(from_imap)?;
        Ok(fetched
            .into_iter()
            .filter(|(_, body)| body.len() <= MAX_CARD_BYTES)
            .map(|(uid, body)| StoredCard {
                id: uid.to_string(),
                etag: None,
                vcard: String::from_utf8_lossy(&body).into_owned(),
            })
            .collect())
    }

    /// Stores a new card; returns its id.
    pub async fn create(&self, vcard: &str) -> Result<String, ContactsError> {
        let (raw, message_id) = card_message(vcard)?;
        let uid = self
            .imap
            .run(move |c| {
                Box::pin(async move {
                    let folder = c
                        .private_folder(PrivateFolder::Contacts, true)
                        .await?
                        .ok_or(ImapError::NotFound)?;
                    c.private_append(&folder, &raw, &message_id).await
                })
            })
            .await
            .map_err(from_imap)?;
        Ok(uid.to_string())
    }

    /// Replaces card `id` with `vcard`; returns the new id. [`ContactsError::NotFound`] when
    /// `id` is gone (deleted meanwhile, on another device too), and then nothing is stored.
    pub async fn replace(&self, id: &str, vcard: &str) -> Result<String, ContactsError> {
        let old = parse_id(id)?;
        let (raw, message_id) = card_message(vcard)?;
        let uid = self
            .imap
            .run(move |c| {
                Box::pin(async move {
                    let Some(folder) = c.private_folder(PrivateFolder::Contacts, false).await?
                    else {
                        return Ok(None);
                    };
                    if !c.private_has(&folder, old).await? {
                        return Ok(None);
                    }
                    // The new card first: if removing the old one fails, the person sees
                    // both rather than neither.
                    let new = c.private_append(&folder, &raw, &message_id).await?;
                    c.private_remove(&folder, &[old]).await?;
                    Ok(Some(new))
                })
            })
            .await
            .map_err(from_imap)?;
        uid.map(|u| u.to_string()).ok_or(ContactsError::NotFound)
    }

    /// Removes card `id`; [`ContactsError::NotFound`] when it is not there.
    pub async fn delete(&self, id: &str) -> Result<(), ContactsError> {
        let uid = parse_id(id)?;
        let removed = self
            .imap
            .run(move |c| {
                Box::pin(async move {
                    let Some(folder) = c.private_folder(PrivateFolder::Contacts, false).await?
                    else {
                        return Ok(false);
                    };
                    if !c.private_has(&folder, uid).await? {
                        return Ok(false);
                    }
                    c.private_remove(&folder, &[uid]).await?;
                    Ok(true)
                })
            })
            .await
            .map_err(from_imap)?;
        if removed {
            Ok(())
        } else {
            Err(ContactsError::NotFound)
        }
    }
}

/// IMAP's "no such folder or message" is the store's [`ContactsError::NotFound`] (the
/// folder deleted from another mail app between two steps); the rest keeps its cause.
fn from_imap(e: ImapError) -> ContactsError {
    match e {
        ImapError::NotFound => ContactsError::NotFound,
        e => ContactsError::Imap(e),
    }
}

/// An id this store gave out: a UID. Anything else names no card.
fn parse_id(id: &str) -> Result<u32, ContactsError> {
    id.parse::<u32>()
        .ok()
        .filter(|uid| *uid > 0)
        .ok_or(ContactsError::NotFound)
}

/// The message that holds `vcard`: its name (`FN`) as the Subject, so the folder reads well
/// in another mail app, and its `UID` in `X-Carteiro-Contact`. A card over
/// [`MAX_CARD_BYTES`] is refused as HTTP would refuse it (413).
fn card_message(vcard: &str) -> Result<(Vec<u8>, String), ContactsError> {
    if vcard.len() > MAX_CARD_BYTES {
        return Err(ContactsError::Refused {
            status: 413,
            reason: format!("a contact card may hold at most {MAX_CARD_BYTES} bytes"),
        });
    }
    let name = property(vcard, "FN").unwrap_or_default();
    let uid = property(vcard, "UID").unwrap_or_default();
    let mut extra = Vec::new();
    if !uid.is_empty() {
        extra.push(("X-Carteiro-Contact", uid.as_str()));
    }
    Ok(private::message(
        &name,
        "text/vcard; charset=utf-8",
        &extra,
        vcard.as_bytes(),
    ))
}

/// The raw value of the first `name` property (unfolded, parameters and escapes left as
/// they are): a label for the message header only. Reading cards is the address book's job.
fn property(vcard: &str, name: &str) -> Option<String> {
    let unfolded = vcard
        .replace("\r\n", "\n")
        .replace("\n ", "")
        .replace("\n\t", "");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        let key = key.split(';').next()?.rsplit('.').next()?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_labels_come_from_the_card_and_ids_must_be_uids() {
        let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:42\r\nFN;LANGUAGE=pt:Jo\r\n ão\r\nEND:VCARD\r\n";
        assert_eq!(property(card, "fn").as_deref(), Some("João"));
        assert_eq!(property(card, "UID").as_deref(), Some("urn:uuid:42"));
        assert_eq!(property(card, "NOTE"), None);
        let (raw, _) = card_message(card).unwrap();
        let text = String::from_utf8(raw).unwrap();
        assert!(text.contains("X-Carteiro-Contact: urn:uuid:42\r\n"));
        assert!(matches!(parse_id("0"), Err(ContactsError::NotFound)));
        assert!(matches!(parse_id("12a"), Err(ContactsError::NotFound)));
        assert_eq!(parse_id("12").unwrap(), 12);
    }

    #[test]
    fn a_card_too_large_is_refused_and_the_largest_allowed_fits_the_message_bound() {
        assert!(matches!(
            card_message(&"x".repeat(MAX_CARD_BYTES + 1)),
            Err(ContactsError::Refused { status: 413, .. })
        ));
        let (raw, _) = card_message(&"x".repeat(MAX_CARD_BYTES)).unwrap();
        assert!(raw.len() as u32 <= MAX_MESSAGE_BYTES);
    }
}
