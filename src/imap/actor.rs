//! One task per session owns that session's IMAP connection.
//!
//! Handlers send jobs (closures over [`ImapConn`]) through an [`ImapHandle`] and await the
//! answer on a oneshot channel. The job runs to completion inside the actor even when the
//! request that asked for it is dropped (client gone, HTTP timeout), so the IMAP stream is
//! never left mid-response — the cancellation problem async-imap has when a future holding the
//! stream is dropped. The actor reconnects lazily after the server drops the connection, checks
//! a connection that sat idle with NOOP before using it, and logs out when every handle is
//! gone (the session ended or idled out).
//!
//! A session holds at most one IMAP connection, this actor's, and only while it is in use:
//! unused for `imap_idle_timeout` (or reclaimed for another session at the connection limit,
//! see [`super::limit`]) it is logged out while the session lives on, and the next job
//! reconnects transparently.

use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use secrecy::SecretString;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Notify};
use tokio_util::task::TaskTracker;

use super::conn::{ImapConn, ReadMark, RecipientHeaders};
use super::connect::Connector;
use super::error::ImapError;
use super::limit::Parking;
use super::search::SearchQuery;
use super::uids::Selection;
use crate::model::{
    FetchedMessage, Folder, FolderChange, FolderStatus, Page, PartInfo, Quota, Summary, ThreadPage,
};
use crate::telemetry::untrusted;

/// A job: given the connection (or why there is none), do the work and report back.
type Job = Box<dyn for<'a> FnOnce(Result<&'a mut ImapConn, ImapError>) -> BoxFuture<'a, ()> + Send>;

/// How long one job may take before the connection is considered stuck.
const JOB_TIMEOUT: Duration = Duration::from_secs(60);
/// A connection unused for longer than this is checked with NOOP before the next job.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(60);
/// Jobs waiting for a busy session's connection.
const QUEUE: usize = 32;
/// How long a connection released while its session goes on may take to log out.
const LOGOUT_WAIT: Duration = Duration::from_secs(2);

/// The handlers' side of a session's IMAP actor. Cloning is cheap; the actor logs out when
/// the last clone is dropped.
#[derive(Clone)]
pub struct ImapHandle {
    jobs: mpsc::Sender<Job>,
    /// Asks the actor to log out now (session ended or idled out). Dropping every handle
    /// does the same, but caches may hold a clone for a while after removing an entry.
    stop: Arc<Notify>,
}

impl ImapHandle {
    /// Starts the actor for `username`. `conn` is the connection the login just opened, if any;
    /// without one the actor connects on the first job. The task is tracked by `tasks`, so a
    /// shutdown can wait for every actor to log out.
    pub fn spawn(
        connector: Connector,
        username: String,
        password: SecretString,
        conn: Option<ImapConn>,
        tasks: &TaskTracker,
    ) -> ImapHandle {
        let (tx, rx) = mpsc::channel(QUEUE);
        let stop = Arc::new(Notify::new());
        let actor = Actor {
            parking: connector.parking(),
            connector,
            username,
            password,
            conn,
            last_used: Instant::now(),
        };
        tasks.spawn(actor.run(rx, stop.clone()));
        ImapHandle { jobs: tx, stop }
    }

    /// Ends the session's connection: the actor finishes the job at hand, then logs out.
    pub fn close(&self) {
        self.stop.notify_one();
    }

    /// Runs `work` on the session's connection and returns its result.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ImapError>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a mut ImapConn) -> BoxFuture<'a, Result<T, ImapError>> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job = job(move |conn| {
            Box::pin(async move {
                let result = match conn {
                    Ok(conn) => work(conn).await,
                    Err(e) => Err(e),
                };
                let _ = tx.send(result);
            })
        });
        self.jobs
            .send(job)
            .await
            .map_err(|_| ImapError::Unavailable("session connection has stopped".into()))?;
        rx.await
            .map_err(|_| ImapError::Unavailable("the mail server did not answer in time".into()))?
    }

    pub async fn folders(&self) -> Result<Vec<Folder>, ImapError> {
        self.run(|c| Box::pin(c.folders())).await
    }

    /// A page of a folder; retried without BODYSTRUCTURE if the server's cannot be parsed.
    pub async fn page(
        &self,
        folder: &str,
        page: usize,
        per_page: usize,
        search: Option<SearchQuery>,
    ) -> Result<Page, ImapError> {
        let attempt = |with_structure: bool| {
            let folder = folder.to_string();
            let search = search.clone();
            self.run(move |c| {
                Box::pin(async move {
                    c.page(&folder, page, per_page, with_structure, search.as_ref())
                        .await
                })
            })
        };
        match attempt(true).await {
            Err(ImapError::Protocol(cause)) => {
                tracing::warn!(%cause, "unreadable FETCH answer; listing without BODYSTRUCTURE");
                attempt(false).await
            }
            other => other,
        }
    }

    /// A message for display; retried without BODYSTRUCTURE if the server's cannot be parsed.
    pub async fn message(
        &self,
        folder: &str,
        uid: u32,
        max_bytes: u32,
        mark_seen: bool,
    ) -> Result<FetchedMessage, ImapError> {
        let attempt = |with_structure: bool| {
            let folder = folder.to_string();
            self.run(move |c| {
                Box::pin(async move {
                    c.message(&folder, uid, max_bytes, mark_seen, with_structure)
                        .await
                })
            })
        };
        match attempt(true).await {
            Err(ImapError::Protocol(cause)) => {
                tracing::warn!(%cause, "unreadable FETCH answer; fetching without BODYSTRUCTURE");
                attempt(false).await
            }
            other => other,
        }
    }

    pub async fn structure(
        &self,
        folder: &str,
        uid: u32,
    ) -> Result<(u32, Vec<PartInfo>), ImapError> {
        let folder = folder.to_string();
        self.run(move |c| Box::pin(async move { c.structure(&folder, uid).await }))
            .await
    }

    pub async fn sections(
        &self,
        folder: &str,
        uid: u32,
        sections: Vec<String>,
        max_each: u32,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, ImapError> {
        let folder = folder.to_string();
        self.run(move |c| {
            Box::pin(async move { c.sections(&folder, uid, &sections, max_each).await })
        })
        .await
    }

    pub async fn append(&self, folder: &str, flags: &str, raw: Vec<u8>) -> Result<(), ImapError> {
        let folder = folder.to_string();
        let flags = flags.to_string();
        self.run(move |c| Box::pin(async move { c.append(&folder, Some(&flags), &raw).await }))
            .await
    }

    pub async fn store(&self, folder: &str, uid: u32, change: &str) -> Result<(), ImapError> {
        let folder = folder.to_string();
        let change = change.to_string();
        self.run(move |c| Box::pin(async move { c.store(&folder, uid, &change).await }))
            .await
    }

    pub async fn delete(&self, folder: &str, uid: u32) -> Result<(), ImapError> {
        let folder = folder.to_string();
        self.run(move |c| Box::pin(async move { c.delete(&folder, uid).await }))
            .await
    }

    pub async fn find_message_id(
        &self,
        folder: &str,
        message_id: &str,
    ) -> Result<Option<u32>, ImapError> {
        let folder = folder.to_string();
        let id = message_id.to_string();
        self.run(move |c| Box::pin(async move { c.find_message_id(&folder, &id).await }))
            .await
    }

    /// A whole part, decoded (for attachments carried into a new message).
    pub async fn part_bytes(
        &self,
        folder: &str,
        uid: u32,
        part: &PartInfo,
    ) -> Result<Vec<u8>, ImapError> {
        let raw = self
            .chunk(folder, uid, &part.section, 0, part.octets.saturating_add(1))
            .await?;
        let mut decoder = crate::mime::transfer::Decoder::new(part.encoding);
        let mut out = decoder.push(&raw);
        out.extend(decoder.finish());
        Ok(out)
    }

    pub async fn get_setting(&self, entry: &str) -> Result<Option<String>, ImapError> {
        let entry = entry.to_string();
        self.run(move |c| Box::pin(async move { c.get_setting(&entry).await }))
            .await
    }

    pub async fn set_setting(&self, entry: &str, value: Option<String>) -> Result<(), ImapError> {
        let entry = entry.to_string();
        self.run(move |c| Box::pin(async move { c.set_setting(&entry, value.as_deref()).await }))
            .await
    }

    /// The person's preferences, read in one round trip (defaults where nothing is stored):
    /// from METADATA, or the private settings folder on a server without it.
    pub async fn preferences(&self) -> Result<crate::prefs::Preferences, ImapError> {
        let entries = self
            .run(|c| Box::pin(async move { c.get_settings(&crate::prefs::ENTRIES).await }))
            .await?;
        Ok(crate::prefs::Preferences::from_entries(&entries))
    }

    /// Stores every preference in one round trip.
    pub async fn set_preferences(
        &self,
        prefs: &crate::prefs::Preferences,
    ) -> Result<(), ImapError> {
        let values = prefs.entries();
        self.run(move |c| Box::pin(async move { c.set_settings(&values).await }))
            .await
    }

    pub async fn flag(
        &self,
        folder: &str,
        selection: Selection,
        change: &str,
    ) -> Result<(), ImapError> {
        let folder = folder.to_string();
        let change = change.to_string();
        self.run(move |c| Box::pin(async move { c.flag(&folder, &selection, &change).await }))
            .await
    }

    pub async fn transfer(
        &self,
        folder: &str,
        selection: Selection,
        target: &str,
        copy: bool,
    ) -> Result<Vec<u32>, ImapError> {
        let folder = folder.to_string();
        let target = target.to_string();
        self.run(move |c| {
            Box::pin(async move { c.transfer(&folder, &selection, &target, copy).await })
        })
        .await
    }

    pub async fn destroy(&self, folder: &str, selection: Selection) -> Result<(), ImapError> {
        let folder = folder.to_string();
        self.run(move |c| Box::pin(async move { c.destroy(&folder, &selection).await }))
            .await
    }

    pub async fn manage_folder(&self, change: FolderChange) -> Result<(), ImapError> {
        self.run(move |c| Box::pin(async move { c.manage_folder(&change).await }))
            .await
    }

    /// Counts of one folder without selecting it (live updates).
    pub async fn status(&self, folder: &str) -> Result<FolderStatus, ImapError> {
        let folder = folder.to_string();
        self.run(move |c| Box::pin(async move { c.status(&folder).await }))
            .await
    }

    pub async fn quota(&self) -> Result<Option<Quota>, ImapError> {
        self.run(|c| Box::pin(c.quota())).await
    }

    pub async fn conversation(&self, folder: &str, root: &str) -> Result<Vec<Summary>, ImapError> {
        let folder = folder.to_string();
        let root = root.to_string();
        self.run(move |c| Box::pin(async move { c.conversation(&folder, &root).await }))
            .await
    }

    pub async fn thread_page(
        &self,
        folder: &str,
        page: usize,
        per_page: usize,
    ) -> Result<ThreadPage, ImapError> {
        let folder = folder.to_string();
        self.run(move |c| Box::pin(async move { c.thread_page(&folder, page, per_page).await }))
            .await
    }

    /// The folder's UIDVALIDITY, without fetching anything.
    pub async fn uid_validity(&self, folder: &str) -> Result<u32, ImapError> {
        let folder = folder.to_string();
        self.run(move |c| Box::pin(async move { c.uid_validity(&folder).await }))
            .await
    }

    /// The To/Cc/Bcc headers of `folder`'s messages newer than `since`, at most `limit`
    /// (the collected addresses).
    pub async fn recipient_headers(
        &self,
        folder: &str,
        since: Option<ReadMark>,
        limit: usize,
    ) -> Result<RecipientHeaders, ImapError> {
        let folder = folder.to_string();
        self.run(move |c| Box::pin(async move { c.recipient_headers(&folder, since, limit).await }))
            .await
    }

    pub async fn chunk(
        &self,
        folder: &str,
        uid: u32,
        section: &str,
        offset: u64,
        len: u32,
    ) -> Result<Vec<u8>, ImapError> {
        let folder = folder.to_string();
        let section = section.to_string();
        self.run(move |c| {
            Box::pin(async move { c.chunk(&folder, uid, &section, offset, len).await })
        })
        .await
    }
}

/// Pins down the higher-ranked closure type the compiler cannot infer on its own.
fn job<F>(f: F) -> Job
where
    F: for<'a> FnOnce(Result<&'a mut ImapConn, ImapError>) -> BoxFuture<'a, ()> + Send + 'static,
{
    Box::new(f)
}

struct Actor {
    connector: Connector,
    username: String,
    password: SecretString,
    conn: Option<ImapConn>,
    last_used: Instant,
    /// Offers the connection, while idle, to logins that find the connection limit reached.
    parking: Parking,
}

/// Why the actor closes its connection while the session goes on.
#[derive(Clone, Copy)]
enum Release {
    /// Unused for `imap_idle_timeout`.
    Idle,
    /// Taken back for another session at the connection limit.
    Reclaimed,
}

impl Actor {
    async fn run(mut self, mut jobs: mpsc::Receiver<Job>, stop: Arc<Notify>) {
        let _live = self.connector.metrics().session_started();
        let idle_timeout = self.connector.idle_timeout();
        loop {
            if self.conn.is_some() {
                self.parking.park();
            }
            let idle_until = tokio::time::Instant::from_std(self.last_used + idle_timeout);
            let has_conn = self.conn.is_some();
            let job = tokio::select! {
                job = jobs.recv() => match job {
                    Some(job) => job,
                    None => break,
                },
                _ = stop.notified() => break,
                _ = tokio::time::sleep_until(idle_until), if has_conn => {
                    self.release(Release::Idle).await;
                    continue;
                }
                _ = self.parking.reclaimed(), if has_conn => {
                    self.release(Release::Reclaimed).await;
                    continue;
                }
            };
            self.parking.unpark();
            match self.ready().await {
                Ok(()) => {
                    let conn = self.conn.as_mut().expect("ready() leaves a connection");
                    let finished = tokio::time::timeout(JOB_TIMEOUT, job(Ok(conn))).await;
                    let broken = self.conn.as_ref().is_none_or(|c| c.is_broken());
                    if finished.is_err() || broken {
                        // Mid-command or unreadable: the stream position is unknown.
                        tracing::info!(
                            user = untrusted(&self.username),
                            "dropping IMAP connection"
                        );
                        self.conn = None;
                    }
                    self.last_used = Instant::now();
                }
                Err(e) => job(Err(e)).await,
            }
        }
        self.parking.unpark();
        if let Some(conn) = self.conn.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), conn.logout()).await;
        }
        tracing::debug!(
            user = untrusted(&self.username),
            "IMAP session actor stopped"
        );
    }

    /// Logs the connection out while the session goes on; the next job reconnects.
    async fn release(&mut self, why: Release) {
        self.parking.unpark();
        let Some(conn) = self.conn.take() else {
            return;
        };
        let reason = match why {
            Release::Idle => "idle",
            Release::Reclaimed => "reclaimed",
        };
        tracing::debug!(
            user = untrusted(&self.username),
            reason,
            "IMAP connection released"
        );
        self.connector.metrics().imap_connection_released(reason);
        // Short: a reclaimed connection's permit is what another request is waiting for.
        let _ = tokio::time::timeout(LOGOUT_WAIT, conn.logout()).await;
    }

    /// Makes sure there is a live connection, reconnecting if needed.
    async fn ready(&mut self) -> Result<(), ImapError> {
        if let Some(conn) = &mut self.conn {
            if conn.is_broken() {
                self.conn = None;
            } else if self.last_used.elapsed() > CHECK_AFTER_IDLE {
                let alive = tokio::time::timeout(Duration::from_secs(5), conn.noop()).await;
                if !matches!(alive, Ok(Ok(()))) {
                    self.conn = None;
                }
            }
        }
        if self.conn.is_none() {
            let conn = self.connector.login(&self.username, &self.password).await?;
            tracing::debug!(user = untrusted(&self.username), "IMAP connection opened");
            self.conn = Some(conn);
        }
        Ok(())
    }
}
