//! Collected addresses: the people a person has written to, read from the To, Cc and Bcc of
//! what is in their Sent folder, so they are suggested as recipients even when nobody added
//! them to the address book (and "show images from known senders" can answer without
//! asking the server).
//!
//! Kept in memory per account and read incrementally: the folder's UIDVALIDITY and the
//! highest UID read are remembered, and the next read asks only for newer messages (a new
//! UIDVALIDITY starts over). Bounded both ways: a first read takes at most the newest
//! [`MAX_MESSAGES`] sent messages, and at most [`MAX_ADDRESSES`] distinct addresses are kept,
//! the ones written to least often (and longest ago) dropped first. Nothing is stored: after
//! a restart the list is read again, which costs one FETCH of header fields.

use std::collections::HashMap;

use crate::imap::conn::{ReadMark, RecipientHeaders};
use crate::imap::{ImapError, ImapHandle};

/// At most how many sent messages a first read looks at (the newest).
pub const MAX_MESSAGES: usize = 2_000;
/// At most how many distinct addresses are kept.
pub const MAX_ADDRESSES: usize = 2_000;

/// One address the person has written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectedAddress {
    /// The display name last used with it; empty when none was.
    pub name: String,
    /// The address as last written.
    pub address: String,
    /// In how many of the messages read it was a recipient.
    pub count: u32,
    /// The UID of the newest message it was a recipient of (recency).
    pub last_uid: u32,
}

/// The collected addresses of one account, and where reading its Sent folder stopped.
#[derive(Debug, Default)]
pub struct Collected {
    /// Keyed by the address in lower case.
    by_address: HashMap<String, CollectedAddress>,
    mark: Option<ReadMark>,
    /// The Sent folder the mark belongs to (another folder starts over).
    folder: String,
    /// The person's own address, never collected (a copy to oneself is not a correspondent).
    own: String,
}

impl Collected {
    /// An empty list for the person whose login (or address) is `own`.
    pub fn new(own: &str) -> Collected {
        Collected {
            own: own.to_lowercase(),
            ..Default::default()
        }
    }

    /// Reads what is new in `folder` (the Sent folder) and adds its recipients.
    pub async fn refresh(&mut self, imap: &ImapHandle, folder: &str) -> Result<(), ImapError> {
        let since = self.mark.filter(|_| self.folder == folder);
        let read = imap.recipient_headers(folder, since, MAX_MESSAGES).await?;
        self.folder = folder.to_string();
        self.absorb(read);
        Ok(())
    }

    /// Adds what a read found (throwing the old list away when the read started over).
    pub fn absorb(&mut self, read: RecipientHeaders) {
        if read.restarted {
            self.by_address.clear();
        }
        for (uid, headers) in &read.messages {
            self.add_message(*uid, headers);
        }
        self.mark = read.mark;
        self.trim();
    }

    /// Counts the recipients of one message (its To/Cc/Bcc header block).
    fn add_message(&mut self, uid: u32, headers: &[u8]) {
        let Some(parsed) = crate::mime::parse(headers) else {
            return;
        };
        let mut seen: Vec<String> = Vec::new();
        for field in [parsed.to(), parsed.cc(), parsed.bcc()] {
            for mailbox in crate::mime::mailboxes(field) {
                let Some(address) = mailbox.email.filter(|e| plausible(e)) else {
                    continue;
                };
                let key = address.to_lowercase();
                if key == self.own || seen.contains(&key) {
                    continue;
                }
                seen.push(key.clone());
                let entry = self
                    .by_address
                    .entry(key)
                    .or_insert_with(|| CollectedAddress {
                        name: String::new(),
                        address: address.clone(),
                        count: 0,
                        last_uid: 0,
                    });
                entry.count += 1;
                if uid >= entry.last_uid {
                    entry.last_uid = uid;
                    entry.address = address;
                    if let Some(name) = mailbox.name.filter(|n| !same_as(n, &entry.address)) {
                        entry.name = name;
                    }
                }
            }
        }
    }

    /// Drops the least used addresses beyond [`MAX_ADDRESSES`].
    fn trim(&mut self) {
        if self.by_address.len() <= MAX_ADDRESSES {
            return;
        }
        let mut ranked: Vec<(u32, u32, String)> = self
            .by_address
            .iter()
            .map(|(k, a)| (a.count, a.last_uid, k.clone()))
            .collect();
        ranked.sort_unstable();
        let excess = ranked.len() - MAX_ADDRESSES;
        for (_, _, key) in ranked.into_iter().take(excess) {
            self.by_address.remove(&key);
        }
    }

    /// Whether the person has written to `address` (among the messages read).
    pub fn contains(&self, address: &str) -> bool {
        self.by_address.contains_key(&address.to_lowercase())
    }

    /// Every address, the most written to first, then the most recent.
    pub fn ranked(&self) -> Vec<CollectedAddress> {
        let mut all: Vec<CollectedAddress> = self.by_address.values().cloned().collect();
        all.sort_by(|a, b| {
            (b.count, b.last_uid, &a.address).cmp(&(a.count, a.last_uid, &b.address))
        });
        all
    }

    pub fn len(&self) -> usize {
        self.by_address.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty()
    }

    /// Where reading stopped (for tests and the logs).
    pub fn mark(&self) -> Option<ReadMark> {
        self.mark
    }
}

/// An address worth suggesting: `local@domain`, no spaces. mail-parser also hands over the
/// words of a malformed header, which are not addresses.
fn plausible(address: &str) -> bool {
    match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !address
                    .chars()
                    .any(|c| c.is_whitespace() || c == '<' || c == '>')
        }
        None => false,
    }
}

/// Whether a display name only repeats the address (`"ana@x.example" <ana@x.example>`).
fn same_as(name: &str, address: &str) -> bool {
    name.trim()
        .trim_matches(['\'', '"'])
        .eq_ignore_ascii_case(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(restarted: bool, last: u32, messages: &[(u32, &str)]) -> RecipientHeaders {
        RecipientHeaders {
            mark: Some(ReadMark {
                uid_validity: 7,
                last_uid: last,
            }),
            restarted,
            messages: messages
                .iter()
                .map(|(uid, h)| (*uid, h.replace('\n', "\r\n").into_bytes()))
                .collect(),
        }
    }

    #[test]
    fn recipients_of_to_cc_and_bcc_are_counted_once_per_message_with_their_decoded_names() {
        let mut c = Collected::new("me@example.com");
        c.absorb(read(
            true,
            2,
            &[
                (
                    1,
                    "To: =?utf-8?q?Jo=C3=A3o_Silva?= <joao@example.com>, me@example.com\nCc: Ana <ANA@example.com>\n\n",
                ),
                (
                    2,
                    "To: joao@example.com\nBcc: ana@example.com, \"Ana\" <ana@example.com>\n\n",
                ),
            ],
        ));
        let ranked = c.ranked();
        assert_eq!(ranked.len(), 2, "{ranked:?}");
        assert!(
            !c.contains("me@example.com"),
            "one's own address is left out"
        );
        // Equal counts: the most recent first; the name of an earlier message is kept.
        assert_eq!(ranked[0].count, 2);
        assert_eq!(ranked[0].address, "ana@example.com");
        assert_eq!(ranked[0].name, "Ana");
        assert_eq!(ranked[1].name, "João Silva");
        assert!(c.contains("JOAO@example.com"));
        assert_eq!(c.mark().unwrap().last_uid, 2);
    }

    #[test]
    fn a_read_that_starts_over_forgets_the_old_list_and_one_that_goes_on_adds_to_it() {
        let mut c = Collected::new("me");
        c.absorb(read(true, 1, &[(1, "To: old@example.com\n\n")]));
        c.absorb(read(false, 2, &[(2, "To: new@example.com\n\n")]));
        assert!(c.contains("old@example.com") && c.contains("new@example.com"));
        c.absorb(read(true, 1, &[(1, "To: other@example.com\n\n")]));
        assert!(!c.contains("old@example.com"));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn the_list_keeps_the_most_used_addresses_within_its_bound() {
        let mut c = Collected::new("me");
        // One address written to in every message, then more single ones than the bound.
        let messages: Vec<(u32, String)> = (1..=(MAX_ADDRESSES as u32 + 50))
            .map(|i| (i, format!("To: friend@example.com, p{i}@example.com\n\n")))
            .collect();
        let borrowed: Vec<(u32, &str)> = messages.iter().map(|(u, h)| (*u, h.as_str())).collect();
        c.absorb(read(true, 1, &borrowed));
        assert_eq!(c.len(), MAX_ADDRESSES);
        assert_eq!(c.ranked()[0].address, "friend@example.com");
        // The oldest single ones went; the newest stayed.
        assert!(!c.contains("p1@example.com"));
        assert!(c.contains(&format!("p{}@example.com", MAX_ADDRESSES + 50)));
    }

    #[test]
    fn malformed_headers_and_groups_add_nothing_unusable() {
        let mut c = Collected::new("me");
        c.absorb(read(
            true,
            3,
            &[
                (1, "To: undisclosed-recipients:;\n\n"),
                (2, "To: not an address\n\n"),
                (3, "To: Team: a@example.com, b@example.com;\n\n"),
            ],
        ));
        let mut got: Vec<String> = c.ranked().into_iter().map(|a| a.address).collect();
        got.sort();
        assert_eq!(got, ["a@example.com", "b@example.com"]);
    }
}
