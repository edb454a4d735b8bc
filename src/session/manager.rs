//! Opening, finding and ending sessions, and the IMAP actor each one owns in this process.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use moka::future::Cache;
use secrecy::SecretString;
use subtle::ConstantTimeEq;
use tokio_util::task::TaskTracker;

use super::crypto::{self, SessionCookie};
use super::store::{SessionRecord, SessionStore, StoreError};
use crate::imap::conn::ImapConn;
use crate::imap::connect::Connector;
use crate::imap::{ImapError, ImapHandle};
use crate::telemetry::untrusted;
use crate::upstream_map::Upstreams;

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Creates, finds and ends sessions.
pub struct SessionManager {
    store: Arc<dyn SessionStore>,
    /// This process's IMAP actors, by store key; dropping one logs its connection out.
    handles: Cache<String, Actor>,
    connector: Connector,
    secret: Vec<u8>,
    /// A session older than this ends however busy it is (a stolen cookie stops working).
    max_age: Duration,
    /// Every actor task, including those still logging out after their entry left `handles`.
    actors: TaskTracker,
}

/// Why a login did not open a session.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The IMAP server refused the credentials, or could not be reached.
    #[error("{0}")]
    Imap(ImapError),
    #[error("{0}")]
    Store(StoreError),
}

/// A session's IMAP actor in this process, and the sealed password it was started with: when
/// the record's differs (the password was changed, maybe on another instance), the actor
/// would reconnect with the old one, so it is replaced.
#[derive(Clone)]
struct Actor {
    handle: ImapHandle,
    sealed_password: Arc<[u8]>,
}

/// The cookie does not unseal the record's password: it is not this record's cookie.
#[derive(Debug)]
struct NotThisSession;

/// A session found from a cookie's value.
#[derive(Clone)]
pub struct Session {
    pub store_key: String,
    pub username: String,
    pub csrf_token: String,
    pub imap: ImapHandle,
    /// The person's preferences; `prefs.language` is `None` for the browser's language.
    pub prefs: crate::prefs::Preferences,
    /// The servers of the login's domain when `upstream_map` is set; `None` for the one
    /// configured upstream.
    pub upstreams: Option<Upstreams>,
    cookie: SessionCookie,
    sealed_password: Vec<u8>,
}

impl Session {
    /// The password, unsealed for the moment it is needed (SMTP submission).
    pub fn password(&self) -> Option<SecretString> {
        self.cookie.open(&self.store_key, &self.sealed_password)
    }

    /// Whether a form's CSRF token is this session's (pages carry it masked, see
    /// [`crypto::mask_token`]).
    pub fn csrf_matches(&self, token: &str) -> bool {
        let unmasked = crypto::unmask_token(token).unwrap_or_default();
        // In time independent of where the tokens differ.
        unmasked.as_bytes().ct_eq(self.csrf_token.as_bytes()).into()
    }
}

impl SessionManager {
    pub fn new(
        store: Arc<dyn SessionStore>,
        connector: Connector,
        secret: Vec<u8>,
        idle: Duration,
        max_age: Duration,
    ) -> SessionManager {
        SessionManager {
            store,
            handles: Cache::builder()
                .time_to_idle(idle)
                // Expired or replaced actors log out at once, not whenever the last clone of
                // their handle happens to be dropped.
                .eviction_listener(|_key, actor: Actor, _cause| actor.handle.close())
                .build(),
            connector,
            secret,
            max_age,
            actors: TaskTracker::new(),
        }
    }

    /// The connector of a session's IMAP server: its domain's when mapped, else the one.
    pub fn connector_for(&self, upstreams: Option<&Upstreams>) -> Connector {
        match upstreams {
            Some(u) => self.connector.with_upstream(u.imap.clone()),
            None => self.connector.clone(),
        }
    }

    /// Checks the credentials against the IMAP server (`upstreams.imap` for a mapped
    /// domain) and opens a session on success. The connection opened to check them
    /// becomes the session's connection.
    pub async fn login(
        &self,
        username: &str,
        password: SecretString,
        upstreams: Option<Upstreams>,
    ) -> Result<SessionCookie, LoginError> {
        let connector = self.connector_for(upstreams.as_ref());
        let conn = connector
            .login(username, &password)
            .await
            .map_err(LoginError::Imap)?;
        let cookie = SessionCookie::generate();
        let key = cookie.store_key(&self.secret);
        let sealed_password = cookie.seal(&key, &password);
        let handle = ImapHandle::spawn(
            connector,
            username.to_string(),
            password,
            Some(conn),
            &self.actors,
        );
        let actor = Actor {
            handle: handle.clone(),
            sealed_password: sealed_password.as_slice().into(),
        };
        // Read once here, so no page has to ask the server. A server without METADATA (or
        // a failure) leaves the defaults, which is what "no choice" means anyway.
        let prefs = handle.preferences().await.unwrap_or_else(|e| {
            tracing::debug!(error = %e, "preferences not read");
            Default::default()
        });
        let record = SessionRecord {
            username: username.to_string(),
            sealed_password,
            csrf_token: crypto::random_token(),
            created_at: unix_now(),
            prefs,
            upstreams,
        };
        if let Err(e) = self.store.put(&key, record).await {
            handle.close();
            return Err(LoginError::Store(e));
        }
        self.handles.insert(key, actor).await;
        Ok(cookie)
    }

    /// The session a cookie value names, if it is still valid.
    pub async fn resolve(&self, cookie_value: &str) -> Result<Option<Session>, StoreError> {
        let Some(cookie) = SessionCookie::decode(cookie_value) else {
            return Ok(None);
        };
        let key = cookie.store_key(&self.secret);
        let Some(record) = self.store.get(&key).await? else {
            return Ok(None);
        };
        if unix_now().saturating_sub(record.created_at) >= self.max_age.as_secs() {
            // Past its absolute lifetime: ended on the server exactly like a logout.
            tracing::info!(
                user = untrusted(&record.username),
                "session reached its maximum age"
            );
            self.logout(&key).await?;
            return Ok(None);
        }
        // The password was changed since this actor started (here or on another instance):
        // it would reconnect with the old one.
        if let Some(actor) = self.handles.get(&key).await {
            if *actor.sealed_password != *record.sealed_password {
                self.handles.invalidate(&key).await;
            }
        }
        // Another instance (or an earlier process) may have opened this session, or its actor
        // was evicted: rebuild the actor from the record. `try_get_with` runs this once for
        // concurrent requests of one session, so a session never has two actors (and two
        // IMAP connections). A record that does not open with this cookie is not this
        // cookie's session.
        let spawned = self
            .handles
            .try_get_with(key.clone(), async {
                let password = cookie
                    .open(&key, &record.sealed_password)
                    .ok_or(NotThisSession)?;
                Ok::<_, NotThisSession>(Actor {
                    handle: ImapHandle::spawn(
                        self.connector_for(record.upstreams.as_ref()),
                        record.username.clone(),
                        password,
                        None,
                        &self.actors,
                    ),
                    sealed_password: record.sealed_password.as_slice().into(),
                })
            })
            .await;
        let Ok(actor) = spawned else {
            return Ok(None);
        };
        let imap = actor.handle.clone();
        Ok(Some(Session {
            store_key: key,
            username: record.username,
            csrf_token: record.csrf_token,
            imap,
            prefs: record.prefs,
            upstreams: record.upstreams,
            cookie,
            sealed_password: record.sealed_password,
        }))
    }

    /// Ends a session everywhere: the record goes, and this process's actor logs out.
    pub async fn logout(&self, store_key: &str) -> Result<(), StoreError> {
        self.store.remove(store_key).await?;
        if let Some(actor) = self.handles.remove(store_key).await {
            actor.handle.close();
        }
        Ok(())
    }

    /// After the password was changed: seals the new one into this session's record, with
    /// the session's own cookie, so the person stays signed in, and replaces this process's
    /// actor (whose connection would reconnect with the old one) by one on `conn`, a
    /// connection logged in with the new password, when there is one. Another instance
    /// notices the new seal on its next request and replaces its actor too. The person's
    /// other sessions (other browsers) hold the old password sealed with keys only their
    /// cookies carry: they go on until their IMAP connection has to log in again, which then
    /// fails and sends them to the sign-in page.
    pub async fn set_password(
        &self,
        session: &Session,
        password: SecretString,
        conn: Option<ImapConn>,
    ) -> Result<(), StoreError> {
        let Some(mut record) = self.store.get(&session.store_key).await? else {
            return Ok(());
        };
        let sealed_password = session.cookie.seal(&session.store_key, &password);
        record.sealed_password = sealed_password.clone();
        self.store.put(&session.store_key, record).await?;
        match conn {
            Some(conn) => {
                let actor = Actor {
                    handle: ImapHandle::spawn(
                        self.connector_for(session.upstreams.as_ref()),
                        session.username.clone(),
                        password,
                        Some(conn),
                        &self.actors,
                    ),
                    sealed_password: sealed_password.as_slice().into(),
                };
                // The replaced actor logs out (the eviction listener).
                self.handles.insert(session.store_key.clone(), actor).await;
            }
            None => self.handles.invalidate(&session.store_key).await,
        }
        Ok(())
    }

    /// Remembers new preferences in the session (already stored on the IMAP server).
    pub async fn set_preferences(
        &self,
        store_key: &str,
        prefs: crate::prefs::Preferences,
    ) -> Result<(), StoreError> {
        if let Some(mut record) = self.store.get(store_key).await? {
            record.prefs = prefs;
            self.store.put(store_key, record).await?;
        }
        Ok(())
    }

    /// Evicts idle sessions and actors; moka only does so when asked.
    pub async fn housekeeping(&self) {
        self.store.housekeeping().await;
        self.handles.run_pending_tasks().await;
    }

    /// Number of IMAP actors alive in this process (logged at shutdown).
    pub fn live_actors(&self) -> u64 {
        // Counted from the entries themselves: moka's `entry_count` is updated by its
        // maintenance tasks and lagged behind (a shutdown logged `sessions=0` with one open).
        self.handles.iter().count() as u64
    }

    /// At shutdown: asks every session's actor to finish the job at hand and log out of IMAP,
    /// and waits until all have, or `within` has passed. Returns whether all did.
    ///
    /// The sessions themselves are not ended: with a shared store they stay valid on the
    /// other instances (and here after a restart), which rebuild their actors on demand.
    pub async fn close_connections(&self, within: Duration) -> bool {
        for (_, actor) in self.handles.iter() {
            actor.handle.close();
        }
        self.actors.close();
        tokio::time::timeout(within, self.actors.wait())
            .await
            .is_ok()
    }
}
