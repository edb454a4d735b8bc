//! The server's capabilities: what it advertised, minus what the admin turned off.

use std::collections::HashSet;

use async_imap::imap_proto::Capability;

/// The server's capabilities, upper-cased.
#[derive(Debug, Clone, Default)]
pub struct Capabilities(HashSet<String>);

impl Capabilities {
    pub fn new(names: impl IntoIterator<Item = String>) -> Capabilities {
        Capabilities(names.into_iter().collect())
    }

    pub(crate) fn from_proto(list: &[Capability<'_>]) -> Capabilities {
        let names = list.iter().map(|c| match c {
            Capability::Imap4rev1 => "IMAP4REV1".to_string(),
            Capability::Auth(mech) => format!("AUTH={}", mech.to_ascii_uppercase()),
            Capability::Atom(atom) => atom.to_ascii_uppercase(),
        });
        Capabilities::new(names)
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.contains(name)
    }

    /// Forgets `name` (a capability the admin disabled, see `imap_disabled_caps`).
    pub(crate) fn remove(&mut self, name: &str) {
        self.0.remove(name);
    }

    /// All names, sorted, for logs.
    pub fn list(&self) -> Vec<String> {
        let mut v: Vec<String> = self.0.iter().cloned().collect();
        v.sort();
        v
    }
}

/// The extensions Carteiro uses when the server offers them, each with what it does without
/// it: what the log says once per server ([`Capabilities::fallbacks`]) and what the README's
/// compatibility table lists.
pub const FALLBACKS: &[(&str, &str)] = &[
    (
        "SORT",
        "lists in arrival order (sequence numbers) and sorts search results by UID",
    ),
    (
        "THREAD=REFERENCES",
        "groups conversations itself from Message-ID, In-Reply-To and References",
    ),
    (
        "METADATA",
        "keeps settings in a private folder instead of server annotations (so it does, \
         too, where the server refuses Carteiro's entries)",
    ),
    (
        "LIST-STATUS",
        "asks STATUS folder by folder and LSUB for subscriptions",
    ),
    (
        "SPECIAL-USE",
        "finds Sent, Drafts, Trash, Junk and Archive by their names",
    ),
    (
        "CONDSTORE",
        "revalidates remembered lists by UIDNEXT and message count only",
    ),
    ("MOVE", "moves with UID COPY, then \\Deleted and expunge"),
    (
        "UIDPLUS",
        "expunges with plain EXPUNGE only when no other message is marked \\Deleted",
    ),
];

impl Capabilities {
    /// The extensions of [`FALLBACKS`] this server lacks (or the admin turned off), with what
    /// Carteiro does instead, in [`FALLBACKS`] order. Settings need LITERAL+ besides METADATA.
    pub fn fallbacks(&self) -> Vec<(&'static str, &'static str)> {
        FALLBACKS
            .iter()
            .copied()
            .filter(|(name, _)| match *name {
                "METADATA" => !(self.has("METADATA") && self.has("LITERAL+")),
                name => !self.has(name),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(names: &str) -> Capabilities {
        Capabilities::new(names.split_whitespace().map(str::to_string))
    }

    #[test]
    fn a_server_with_every_extension_needs_no_fallback() {
        let full = caps(
            "IMAP4REV1 SORT THREAD=REFERENCES METADATA LITERAL+ LIST-STATUS SPECIAL-USE \
             CONDSTORE MOVE UIDPLUS",
        );
        assert!(full.fallbacks().is_empty());
    }

    #[test]
    fn courier_s_defaults_fall_back_from_five_extensions() {
        let courier = caps(
            "IMAP4REV1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT \
             QUOTA IDLE AUTH=PLAIN ACL ACL2=UNION ENABLE UTF8=ACCEPT",
        );
        let names: Vec<&str> = courier.fallbacks().iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "METADATA",
                "LIST-STATUS",
                "SPECIAL-USE",
                "CONDSTORE",
                "MOVE"
            ]
        );
    }

    #[test]
    fn metadata_without_literal_plus_still_falls_back() {
        let names: Vec<&str> = caps("METADATA")
            .fallbacks()
            .iter()
            .map(|(n, _)| *n)
            .collect();
        assert!(names.contains(&"METADATA"));
    }
}
