//! The identities a person sends as, and how they are kept: one private METADATA entry
//! holding a small versioned JSON document, so adding a field later needs no new entry and
//! an older Carteiro reading a newer document keeps what it knows.
//!
//! Everything read back is cleaned again as if typed (the entry can be written by any IMAP
//! client), and everything typed is checked here, so the page only puts the outcome into
//! words.

use serde::{Deserialize, Serialize};

use super::policy::{is_address, same_address, Policy};
use crate::prefs::clean_display_name;

/// Where the identities live: a private server annotation of the person's own.
pub const ENTRY: &str = "/private/vendor/carteiro/identities";
/// The document's layout; a newer one is read for the fields this version knows.
const VERSION: u32 = 1;
/// Most identities one person keeps: enough for every alias of a small business, and a
/// bound on what every compose page reads.
pub const MAX_IDENTITIES: usize = 20;
/// Longest signature kept (the same as the single signature of before).
pub const MAX_SIGNATURE: usize = 4000;
/// The id the identity made up from the older settings gets, until it is saved.
const FIRST_ID: &str = "default";

/// One way of signing a message: who it is from, where replies go, and the signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Short, stable, opaque: what the compose form and drafts refer to.
    pub id: String,
    /// Put before the address in From; `None` sends the bare address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub address: String,
    /// Where replies should go instead, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Send a copy of every message to this identity's own address (Bcc).
    #[serde(default)]
    pub bcc_self: bool,
    /// Added below new messages started with this identity; may be empty.
    #[serde(default)]
    pub signature: String,
}

/// What the person typed in the identity editor.
#[derive(Clone, Debug, Default)]
pub struct Typed {
    pub name: String,
    pub address: String,
    pub reply_to: String,
    pub bcc_self: bool,
    pub signature: String,
}

/// Why an identity, or a change to the list, was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("{0:?} is not an e-mail address")]
    Address(String),
    #[error("{0:?} is not an e-mail address to reply to")]
    ReplyTo(String),
    /// The admin's policy does not let this login send as the address.
    #[error("the policy does not allow sending as {0:?}")]
    NotAllowed(String),
    #[error("no more than {MAX_IDENTITIES} identities")]
    TooMany,
    /// The only identity left cannot go: mail needs a sender.
    #[error("the last identity cannot be deleted")]
    Last,
    #[error("no such identity")]
    Unknown,
}

impl Typed {
    /// The identity this form describes, checked. `id` is kept when editing; a new one gets
    /// a fresh id.
    pub fn check(&self, id: Option<&str>) -> Result<Identity, Invalid> {
        let address = self.address.trim();
        if !is_address(address) {
            return Err(Invalid::Address(one_line(address)));
        }
        let reply_to = self.reply_to.trim();
        if !reply_to.is_empty() && !is_address(reply_to) {
            return Err(Invalid::ReplyTo(one_line(reply_to)));
        }
        Ok(Identity {
            id: id.map(str::to_string).unwrap_or_else(new_id),
            name: clean_display_name(&self.name),
            address: address.to_string(),
            reply_to: (!reply_to.is_empty()).then(|| reply_to.to_string()),
            bcc_self: self.bcc_self,
            signature: clean_signature(&self.signature),
        })
    }
}

impl Identity {
    /// The form showing this identity, to edit it.
    pub fn typed(&self) -> Typed {
        Typed {
            name: self.name.clone().unwrap_or_default(),
            address: self.address.clone(),
            reply_to: self.reply_to.clone().unwrap_or_default(),
            bcc_self: self.bcc_self,
            signature: self.signature.clone(),
        }
    }

    /// `Name <address>` for the From header.
    pub fn mailbox(&self) -> Option<lettre::message::Mailbox> {
        let address = self.address.parse().ok()?;
        Some(lettre::message::Mailbox::new(self.name.clone(), address))
    }

    /// The Reply-To mailbox, when one is set and still an address.
    pub fn reply_to_mailbox(&self) -> Option<lettre::message::Mailbox> {
        let address = self.reply_to.as_deref()?.parse().ok()?;
        Some(lettre::message::Mailbox::new(None, address))
    }

    /// As the person reads it in a list or select: `Name <address>`, or the address.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => format!("{name} <{}>", self.address),
            None => self.address.clone(),
        }
    }
}

/// A signature as kept: plain line ends, no other control characters, not too long.
pub fn clean_signature(text: &str) -> String {
    let signature: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .take(MAX_SIGNATURE)
        .collect();
    if signature.trim().is_empty() {
        String::new()
    } else {
        signature
    }
}

/// A piece of refused input, fit to be quoted in one line of a message.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(254)
        .collect()
}

fn new_id() -> String {
    format!("{:08x}", rand::random::<u32>())
}

/// The stored document.
#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    /// The address a bare login stated as its own (only when none can be derived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    own_address: Option<String>,
    #[serde(default)]
    default: String,
    #[serde(default)]
    identities: Vec<Identity>,
}

/// A person's identities, with exactly one default while there is any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identities {
    /// The address a bare login stated as its own, when the server gives it none.
    pub own_address: Option<String>,
    list: Vec<Identity>,
    default: String,
}

impl Identities {
    /// Reads a stored document; `None` when it is not one (then the page starts over from
    /// the older settings rather than failing). Identities that no longer check out are left
    /// out, and the first one left is the default when the named one is gone.
    pub fn decode(text: &str) -> Option<Identities> {
        let stored: Stored = serde_json::from_str(text).ok()?;
        let mut out = Identities {
            own_address: stored
                .own_address
                .map(|a| a.trim().to_string())
                .filter(|a| is_address(a)),
            ..Identities::default()
        };
        for identity in stored.identities {
            let id = identity.id.trim();
            let id_ok = !id.is_empty()
                && id.len() <= 32
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !id_ok || out.get(id).is_some() || out.list.len() == MAX_IDENTITIES {
                continue;
            }
            if let Ok(clean) = identity.typed().check(Some(id)) {
                out.list.push(clean);
            }
        }
        out.default = stored.default;
        out.settle_default();
        Some(out)
    }

    /// The document to store.
    pub fn encode(&self) -> String {
        let stored = Stored {
            version: VERSION,
            own_address: self.own_address.clone(),
            default: self.default.clone(),
            identities: self.list.clone(),
        };
        serde_json::to_string(&stored).expect("identities serialize")
    }

    /// The identities made up from the settings of before there were identities: the
    /// display name and the one signature, at the login's address.
    pub fn from_older_settings(
        address: Option<&str>,
        name: Option<&str>,
        signature: Option<&str>,
    ) -> Identities {
        let mut out = Identities::default();
        if let Some(address) = address {
            out.list.push(Identity {
                id: FIRST_ID.into(),
                name: name.and_then(clean_display_name),
                address: address.to_string(),
                reply_to: None,
                bcc_self: false,
                signature: clean_signature(signature.unwrap_or_default()),
            });
        }
        out.settle_default();
        out
    }

    pub fn list(&self) -> &[Identity] {
        &self.list
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Identity> {
        self.list.iter().find(|i| i.id == id)
    }

    pub fn default_id(&self) -> &str {
        &self.default
    }

    pub fn default_identity(&self) -> Option<&Identity> {
        self.get(&self.default)
    }

    /// Adds a new identity, or replaces the one with the same id; the first one is the
    /// default.
    pub fn put(&mut self, identity: Identity) -> Result<(), Invalid> {
        let full = self.list.len() >= MAX_IDENTITIES;
        match self.list.iter_mut().find(|i| i.id == identity.id) {
            Some(old) => *old = identity,
            None if full => return Err(Invalid::TooMany),
            None => self.list.push(identity),
        }
        self.settle_default();
        Ok(())
    }

    /// Removes an identity; the last one stays (a person always has someone to send as).
    pub fn remove(&mut self, id: &str) -> Result<(), Invalid> {
        if self.get(id).is_none() {
            return Err(Invalid::Unknown);
        }
        if self.list.len() == 1 {
            return Err(Invalid::Last);
        }
        self.list.retain(|i| i.id != id);
        self.settle_default();
        Ok(())
    }

    pub fn make_default(&mut self, id: &str) -> Result<(), Invalid> {
        if self.get(id).is_none() {
            return Err(Invalid::Unknown);
        }
        self.default = id.to_string();
        Ok(())
    }

    /// Exactly one default while there is any identity.
    fn settle_default(&mut self) {
        if self.get(&self.default).is_none() {
            self.default = self.list.first().map(|i| i.id.clone()).unwrap_or_default();
        }
    }

    /// The identity addressed by a message: the first whose address is in `to`, then in
    /// `cc`, then in `delivered_to`; `None` when none is (the caller takes the default).
    pub fn addressed(&self, to: &[&str], cc: &[&str], delivered_to: &[&str]) -> Option<&Identity> {
        [to, cc, delivered_to].into_iter().find_map(|field| {
            field
                .iter()
                .find_map(|a| self.list.iter().find(|i| same_address(&i.address, a)))
        })
    }

    /// Whether `address` is one of these identities' (to leave the person out of a
    /// reply-all).
    pub fn is_mine(&self, address: &str) -> bool {
        self.list.iter().any(|i| same_address(&i.address, address))
    }
}

/// What decides whom a login may send as: the admin's policy, measured against the login's
/// address (the one derived from the login, else the one the person stated).
#[derive(Clone, Debug)]
pub struct Rules {
    pub policy: Policy,
    /// The login's address as the login and `mail_domain` give it; `None` for a bare login
    /// without `mail_domain`.
    pub derived: Option<String>,
}

impl Rules {
    /// The login's address, for `identities` stored by this person.
    pub fn login_address<'a>(&'a self, identities: &'a Identities) -> Option<&'a str> {
        self.derived
            .as_deref()
            .or(identities.own_address.as_deref())
    }

    /// The identity as checked against the policy: refused when it names an address this
    /// login may not send as.
    pub fn allow<'a>(
        &self,
        identities: &Identities,
        identity: &'a Identity,
    ) -> Result<&'a Identity, Invalid> {
        if self
            .policy
            .allows(self.login_address(identities), &identity.address)
        {
            Ok(identity)
        } else {
            Err(Invalid::NotAllowed(identity.address.clone()))
        }
    }

    /// The identities this login may send as now (the policy may have changed since they
    /// were saved), in their order.
    pub fn usable<'a>(&self, identities: &'a Identities) -> Vec<&'a Identity> {
        identities
            .list()
            .iter()
            .filter(|i| self.allow(identities, i).is_ok())
            .collect()
    }
}
