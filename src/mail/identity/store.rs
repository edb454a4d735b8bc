//! Reading and writing a person's identities on the IMAP server, through the session's
//! settings ([`ImapHandle::get_setting`]/[`ImapHandle::set_setting`]), and the [`Book`] the
//! pages work with: the identities together with the rules that apply to them.

use super::model::{Identities, Identity, Invalid, Rules, ENTRY};
use super::policy::is_address;
use crate::imap::{ImapError, ImapHandle};

/// The single signature of before there were identities; read only to make the first
/// identity of a person who has none stored yet.
pub const OLDER_SIGNATURE: &str = "/private/vendor/carteiro/signature";

/// A person's identities and the rules they are held to.
#[derive(Clone, Debug)]
pub struct Book {
    pub rules: Rules,
    pub identities: Identities,
    /// Whether the identities are stored, or were made up from the older settings.
    pub stored: bool,
}

/// Reads the identities; when none are stored yet, the display name and signature of
/// before make the first one, at the login's address. `display_name` is the older
/// preference, already in the session.
pub async fn load(
    imap: &ImapHandle,
    rules: Rules,
    display_name: Option<&str>,
) -> Result<Book, ImapError> {
    let stored = imap
        .get_setting(ENTRY)
        .await?
        .and_then(|text| Identities::decode(&text));
    let (identities, stored) = match stored {
        Some(identities) if !identities.is_empty() => (identities, true),
        other => {
            let own = other.and_then(|o| o.own_address);
            let address = rules.derived.clone().or_else(|| own.clone());
            let signature = match address {
                Some(_) => imap.get_setting(OLDER_SIGNATURE).await?,
                None => None,
            };
            let mut identities = Identities::from_older_settings(
                address.as_deref(),
                display_name,
                signature.as_deref(),
            );
            identities.own_address = own;
            (identities, false)
        }
    };
    Ok(Book {
        rules,
        identities,
        stored,
    })
}

/// Stores the identities (all of them, in one entry).
pub async fn save(imap: &ImapHandle, identities: &Identities) -> Result<(), ImapError> {
    imap.set_setting(ENTRY, Some(identities.encode())).await
}

impl Book {
    /// The login's address, derived or stated.
    pub fn login_address(&self) -> Option<&str> {
        self.rules.login_address(&self.identities)
    }

    /// Whether the person must state their own address (a bare login, no `mail_domain`).
    pub fn needs_own_address(&self) -> bool {
        self.rules.derived.is_none()
    }

    /// The identities the policy lets this login send as.
    pub fn usable(&self) -> Vec<&Identity> {
        self.rules.usable(&self.identities)
    }

    /// The identity a new message starts with: the default, or the first usable one when
    /// the policy no longer allows the default.
    pub fn starting(&self) -> Option<&Identity> {
        let usable = self.usable();
        usable
            .iter()
            .find(|i| i.id == self.identities.default_id())
            .or(usable.first())
            .copied()
    }

    /// The identity to send as, by the id the form sent (empty: the starting one), held to
    /// the policy: a form made by hand cannot send as an address the policy forbids, and
    /// neither can an identity saved before the admin tightened it.
    pub fn sender(&self, id: &str) -> Result<&Identity, Invalid> {
        let identity = if id.is_empty() {
            self.starting()
                .or(self.identities.default_identity())
                .ok_or(Invalid::Unknown)?
        } else {
            self.identities.get(id).ok_or(Invalid::Unknown)?
        };
        self.rules.allow(&self.identities, identity)
    }

    /// Checks an identity before it is saved: its address must be one the policy allows.
    pub fn check(&self, identity: Identity) -> Result<Identity, Invalid> {
        self.rules.allow(&self.identities, &identity)?;
        Ok(identity)
    }

    /// Sets the address a bare login sends from. Not held to the policy: it is what the
    /// policy is measured against when the server gives the login no address.
    pub fn set_own_address(&mut self, address: &str) -> Result<(), Invalid> {
        let address = address.trim();
        if !is_address(address) {
            return Err(Invalid::Address(address.chars().take(254).collect()));
        }
        // When nothing else is stored, the next load makes the first identity at this
        // address from the older settings.
        self.identities.own_address = Some(address.to_string());
        Ok(())
    }
}
