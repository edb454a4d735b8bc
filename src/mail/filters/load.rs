//! Reading the filters: the list of scripts, which one is active, and Carteiro's own script
//! (`carteiro`) read back into its model. A script Carteiro cannot read back exactly (edited
//! by hand, written by another program) is reported as [`OwnScript::Foreign`] and never
//! guessed at: the pages then offer the expert editor instead of the rules view.

use secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::error::FilterError;
use crate::sieve::model::Filters;
use crate::sieve::script::{self, Read, SCRIPT_NAME};
use crate::sieve::{Capabilities, ManageSieve, ScriptInfo, SieveSession};

/// What Carteiro's own script is on the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnScript {
    /// There is none yet.
    Missing,
    /// There is one, and it reads back into filters.
    Ours,
    /// There is one, edited by hand or by another program: shown in the expert editor only,
    /// and kept under another name before Carteiro replaces it.
    Foreign,
}

/// The filters as the server has them now.
pub struct Loaded {
    /// Carteiro's filters; empty ones when its script is missing or foreign.
    pub filters: Filters,
    pub own: OwnScript,
    /// The text of Carteiro's script, when there is one.
    pub own_text: Option<String>,
    /// The name of the script the server runs at delivery, if any.
    pub active: Option<String>,
    /// Every script on the server.
    pub scripts: Vec<ScriptInfo>,
    pub capabilities: Capabilities,
}

impl Loaded {
    /// The active script, when it is not Carteiro's: another program's, which Carteiro never
    /// overwrites or deactivates without the person's say-so.
    pub fn other_active(&self) -> Option<&str> {
        self.active.as_deref().filter(|name| *name != SCRIPT_NAME)
    }

    /// Whether the server runs Carteiro's script.
    pub fn ours_active(&self) -> bool {
        self.active.as_deref() == Some(SCRIPT_NAME)
    }

    /// A short fingerprint of Carteiro's script as it is now. Forms that point at a rule by
    /// its place in the list carry it, so a change made meanwhile (in another tab, another
    /// program) is noticed instead of editing the wrong rule.
    pub fn version(&self) -> String {
        fingerprint(self.own_text.as_deref().unwrap_or_default())
    }
}

/// The first 8 hex digits of the SHA-256 of `text`.
pub fn fingerprint(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..4])
}

/// Signs in to the ManageSieve server with the person's own login and password.
pub async fn open(
    server: Option<&ManageSieve>,
    login: &str,
    password: Option<SecretString>,
) -> Result<SieveSession, FilterError> {
    let server = server.ok_or(FilterError::NotConfigured)?;
    let password = password.ok_or(FilterError::NoPassword)?;
    Ok(server.connect(login, &password).await?)
}

/// Reads the scripts and Carteiro's own.
pub async fn load(sieve: &mut SieveSession) -> Result<Loaded, FilterError> {
    let scripts = sieve.list().await?;
    let active = scripts.iter().find(|s| s.active).map(|s| s.name.clone());
    let own_text = if scripts.iter().any(|s| s.name == SCRIPT_NAME) {
        Some(sieve.get(SCRIPT_NAME).await?)
    } else {
        None
    };
    let (filters, own) = match own_text.as_deref().map(script::read) {
        None => (Filters::default(), OwnScript::Missing),
        Some(Read::Ours(filters)) => (filters, OwnScript::Ours),
        Some(Read::Foreign) => (Filters::default(), OwnScript::Foreign),
    };
    Ok(Loaded {
        filters,
        own,
        own_text,
        active,
        scripts,
        capabilities: sieve.capabilities().clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_is_eight_hex_digits_of_the_sha256() {
        // sha256("") = e3b0c442…
        assert_eq!(fingerprint(""), "e3b0c442");
        assert_eq!(fingerprint("abc"), "ba7816bf");
    }
}
