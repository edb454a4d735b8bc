//! The per-account suggestion cache: each signed-in person's [`SuggestionIndex`] and
//! [`Collected`] addresses, kept in memory so a keystroke is answered without asking the
//! IMAP or CardDAV server anything.
//!
//! An index is used for [`FRESH_FOR`] after it was built; after that it is still answered
//! from while a new one is built in the background (the person types on, and the next
//! keystroke gets the new one). The contacts pages call [`Suggestions::invalidate`] after a
//! change, and a send does too, so what was just added or written to is there on the next
//! page. Collected addresses live longer than indexes: rebuilding an index reads only the
//! sent messages that are new since the last time.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moka::sync::Cache;

use super::collected::Collected;
use super::suggest::SuggestionIndex;
use super::Contact;
use crate::imap::ImapHandle;
use crate::model::Role;
use crate::telemetry::untrusted;

/// How long an index is answered from before it is rebuilt (in the background).
pub const FRESH_FOR: Duration = Duration::from_secs(60);
/// Entries (addresses) of all the indexes kept together, a few hundred bytes each: the
/// least recently used accounts' indexes go first beyond it (~300 MB at most).
const MAX_INDEXED: u64 = 1_000_000;
/// An index unused this long is dropped (the person has stopped writing).
const INDEX_IDLE: Duration = Duration::from_secs(30 * 60);
/// Accounts whose collected addresses are kept (at most 2,000 addresses each, ~150 bytes
/// an address: ~300 MB at most), the least recently used forgotten first.
const MAX_COLLECTED_ACCOUNTS: u64 = 1_000;
/// An account's collected addresses are forgotten after this long unused (and read again
/// from Sent the next time).
const COLLECTED_IDLE: Duration = Duration::from_secs(2 * 60 * 60);

/// An index and when it was built.
pub struct Built {
    pub index: SuggestionIndex,
    pub at: Instant,
}

impl Built {
    pub fn is_fresh(&self) -> bool {
        self.at.elapsed() < FRESH_FOR
    }
}

/// Every account's suggestions; one per application, in [`crate::state::App`].
pub struct Suggestions {
    indexes: Cache<String, Arc<Built>>,
    /// Locked while its Sent folder is read, so two builds never read the same messages.
    collected: Cache<String, Arc<tokio::sync::Mutex<Collected>>>,
    /// Logins whose index is being rebuilt in the background.
    rebuilding: Mutex<HashSet<String>>,
}

impl Default for Suggestions {
    fn default() -> Self {
        Suggestions {
            indexes: Cache::builder()
                .weigher(|_, built: &Arc<Built>| {
                    u32::try_from(built.index.len()).unwrap_or(u32::MAX).max(1)
                })
                .max_capacity(MAX_INDEXED)
                .time_to_idle(INDEX_IDLE)
                .build(),
            collected: Cache::builder()
                .max_capacity(MAX_COLLECTED_ACCOUNTS)
                .time_to_idle(COLLECTED_IDLE)
                .build(),
            rebuilding: Mutex::new(HashSet::new()),
        }
    }
}

impl Suggestions {
    /// The index of `login` as last built, however old; `None` when there is none.
    pub fn cached(&self, login: &str) -> Option<Arc<Built>> {
        self.indexes.get(login)
    }

    /// Forgets the index of `login`: the next page or keystroke builds a new one. The
    /// contacts pages call this after an add, an edit, a delete or an import.
    pub fn invalidate(&self, login: &str) {
        self.indexes.invalidate(login);
    }

    /// Whether `login` has written to `address`, from the collected addresses in memory
    /// (`false` when they have not been read: the caller may ask the server).
    pub fn has_written_to(&self, login: &str, address: &str) -> bool {
        self.collected
            .get(login)
            .and_then(|c| c.try_lock().ok().map(|c| c.contains(address)))
            .unwrap_or(false)
    }

    /// Builds the index of `login` from `contacts` and its collected addresses (brought up
    /// to date from its Sent folder first), keeps it and returns it. A Sent folder that
    /// cannot be read leaves the collected addresses as they were: suggestions are a help,
    /// never a reason for a page to fail.
    pub async fn build(
        &self,
        login: &str,
        imap: &ImapHandle,
        contacts: Vec<Contact>,
    ) -> Arc<Built> {
        let collected = self.collected.get_with(login.to_string(), || {
            Arc::new(tokio::sync::Mutex::new(Collected::new(login)))
        });
        let ranked = {
            let mut collected = collected.lock().await;
            match imap.folders().await {
                Ok(folders) => {
                    if let Some(sent) = folders.iter().find(|f| f.role == Some(Role::Sent)) {
                        if let Err(e) = collected.refresh(imap, &sent.name).await {
                            tracing::info!(user = untrusted(login), error = %e, "collected addresses not read");
                        }
                    }
                }
                Err(e) => {
                    tracing::info!(user = untrusted(login), error = %e, "collected addresses not read")
                }
            }
            collected.ranked()
        };
        // Folding thousands of names is CPU work: off the async workers.
        let index = tokio::task::spawn_blocking(move || SuggestionIndex::build(&contacts, &ranked))
            .await
            .unwrap_or_default();
        let built = Arc::new(Built {
            index,
            at: Instant::now(),
        });
        self.indexes.insert(login.to_string(), built.clone());
        built
    }

    /// Marks `login` as being rebuilt; `false` when it already is (the caller then does not
    /// start a second rebuild). [`Self::rebuilt`] clears the mark.
    pub fn start_rebuild(&self, login: &str) -> bool {
        self.rebuilding
            .lock()
            .map(|mut r| r.insert(login.to_string()))
            .unwrap_or(false)
    }

    pub fn rebuilt(&self, login: &str) {
        if let Ok(mut r) = self.rebuilding.lock() {
            r.remove(login);
        }
    }
}
