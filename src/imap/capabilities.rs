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
