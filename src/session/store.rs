//! Where sessions live between requests.
//!
//! [`SessionStore`] is the seam for sharing sessions between instances (a Redis store can
//! implement it); [`MemoryStore`] keeps them in this process with an idle timeout.

use std::time::Duration;

use futures::future::BoxFuture;
use moka::future::Cache;

/// What the server remembers of a session. Holds no usable secret on its own: the password is
/// sealed with a key only the browser's cookie carries.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub username: String,
    /// Nonce and ciphertext of the password (see `crypto::SessionCookie::seal`).
    pub sealed_password: Vec<u8>,
    /// Token every state-changing form must echo.
    pub csrf_token: String,
    /// Unix time of the login.
    pub created_at: u64,
    /// The person's preferences (language, theme, page size…), read from the IMAP server at
    /// login and kept here so pages need not ask for them.
    pub prefs: crate::prefs::Preferences,
    /// The servers the login's domain mapped to (`upstream_map`), kept so the session goes
    /// on using them on every instance even when the map changes; `None` without a map.
    pub upstreams: Option<crate::upstream_map::Upstreams>,
}

/// A session store could not be reached (a remote store; the memory store never fails).
#[derive(Debug, thiserror::Error)]
#[error("session store unavailable: {0}")]
pub struct StoreError(pub String);

/// Storage of session records by store key.
pub trait SessionStore: Send + Sync + 'static {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SessionRecord>, StoreError>>;
    fn put<'a>(
        &'a self,
        key: &'a str,
        record: SessionRecord,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Drops expired entries; called periodically.
    fn housekeeping(&self) -> BoxFuture<'_, ()>;
}

/// Sessions in this process, forgotten after `idle` without use.
pub struct MemoryStore {
    cache: Cache<String, SessionRecord>,
}

impl MemoryStore {
    pub fn new(idle: Duration) -> MemoryStore {
        MemoryStore {
            cache: Cache::builder()
                .time_to_idle(idle)
                .max_capacity(1_000_000)
                .build(),
        }
    }
}

impl SessionStore for MemoryStore {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SessionRecord>, StoreError>> {
        Box::pin(async move { Ok(self.cache.get(key).await) })
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        record: SessionRecord,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.cache.insert(key.to_string(), record).await;
            Ok(())
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.cache.invalidate(key).await;
            Ok(())
        })
    }

    fn housekeeping(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.cache.run_pending_tasks())
    }
}
