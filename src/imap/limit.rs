//! The limit on IMAP connections open at once, and the idle connections it may take back.
//!
//! Every open connection holds one permit of a semaphore sized `max_imap_connections`. A
//! session's actor keeps its connection between requests, because a new one costs a TLS
//! handshake and an AUTHENTICATE (a few ms on loopback, far more across a network). With
//! more live sessions than permits, though, every permit would sit on some idle connection
//! and the next request would wait for one to time out. So an actor whose connection is idle
//! *parks* it here, and whoever finds no free permit *reclaims* the connection parked the
//! longest: its actor logs it out (the session stays; it reconnects on its next request), and
//! the permit passes on. Only when nothing is parked, every connection being mid-job, does the
//! asker wait, and after a few seconds it is told the server is busy.
//!
//! The rejected alternative, a pool of connections shared by sessions, would need a LOGOUT
//! and a new login per switch of user anyway (IMAP connections are authenticated), so it buys
//! nothing over this.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::error::ImapError;

/// How often a login waiting for a permit looks again for a parked connection to reclaim.
const RECLAIM_RETRY: Duration = Duration::from_millis(50);

/// The permits and the parked connections.
pub struct ConnectionLimit {
    permits: Arc<Semaphore>,
    parked: Mutex<Parked>,
}

#[derive(Default)]
struct Parked {
    /// Tickets are handed out in increasing order, so the first entry is the oldest.
    next_ticket: u64,
    queue: BTreeMap<u64, Arc<Notify>>,
}

impl ConnectionLimit {
    pub fn new(max: usize) -> Arc<ConnectionLimit> {
        Arc::new(ConnectionLimit {
            permits: Arc::new(Semaphore::new(max)),
            parked: Mutex::new(Parked::default()),
        })
    }

    /// A permit for one connection: a free one, else one freed by reclaiming the connection
    /// parked the longest; `Busy` when none comes free within `wait`.
    pub async fn acquire(&self, wait: Duration) -> Result<OwnedSemaphorePermit, ImapError> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        // Queued from now on, so a permit freed meanwhile is not taken by a later asker.
        let acquire = self.permits.clone().acquire_owned();
        tokio::pin!(acquire);
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            self.reclaim_oldest();
            tokio::select! {
                permit = &mut acquire => return permit.map_err(|_| ImapError::Busy),
                _ = tokio::time::sleep(RECLAIM_RETRY) => {
                    if tokio::time::Instant::now() >= deadline {
                        return Err(ImapError::Busy);
                    }
                }
            }
        }
    }

    /// Asks the actor whose connection has been parked longest to log it out. Whether there
    /// was one.
    fn reclaim_oldest(&self) -> bool {
        let oldest = self.lock().queue.pop_first();
        match oldest {
            Some((_, reclaim)) => {
                reclaim.notify_one();
                true
            }
            None => false,
        }
    }

    /// Number of connections parked right now.
    pub fn parked(&self) -> usize {
        self.lock().queue.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Parked> {
        // The map stays consistent whatever panicked while holding the lock.
        self.parked.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One actor's place in the parked queue.
pub struct Parking {
    limit: Arc<ConnectionLimit>,
    ticket: Option<u64>,
    reclaim: Arc<Notify>,
}

impl Parking {
    pub fn new(limit: Arc<ConnectionLimit>) -> Parking {
        Parking {
            limit,
            ticket: None,
            reclaim: Arc::new(Notify::new()),
        }
    }

    /// Offers the (idle) connection for reclaiming, behind every one parked before.
    pub fn park(&mut self) {
        if self.ticket.is_some() {
            return;
        }
        let mut parked = self.limit.lock();
        let ticket = parked.next_ticket;
        parked.next_ticket += 1;
        parked.queue.insert(ticket, self.reclaim.clone());
        self.ticket = Some(ticket);
    }

    /// Takes the connection back for a job (or because it is closing).
    pub fn unpark(&mut self) {
        let Some(ticket) = self.ticket.take() else {
            return;
        };
        if self.limit.lock().queue.remove(&ticket).is_none() {
            // Reclaimed just now, but the job came first: forget that request, or it would
            // close the connection after the job for nothing.
            self.reclaim = Arc::new(Notify::new());
        }
    }

    /// Resolves when another login has reclaimed the parked connection.
    pub async fn reclaimed(&self) {
        self.reclaim.notified().await;
    }
}

impl Drop for Parking {
    fn drop(&mut self) {
        self.unpark();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_free_permit_is_taken_without_reclaiming_anything() {
        let limit = ConnectionLimit::new(2);
        let mut parking = Parking::new(limit.clone());
        let _first = limit.acquire(Duration::from_millis(10)).await.unwrap();
        parking.park();
        let _second = limit.acquire(Duration::from_millis(10)).await.unwrap();
        assert_eq!(limit.parked(), 1, "the parked connection was left alone");
    }

    #[tokio::test]
    async fn at_the_limit_the_longest_parked_connection_is_reclaimed() {
        let limit = ConnectionLimit::new(2);
        let older = limit.acquire(Duration::from_millis(10)).await.unwrap();
        let newer = limit.acquire(Duration::from_millis(10)).await.unwrap();
        let mut first = Parking::new(limit.clone());
        let mut second = Parking::new(limit.clone());
        first.park();
        second.park();
        let asker = tokio::spawn({
            let limit = limit.clone();
            async move { limit.acquire(Duration::from_secs(5)).await }
        });
        // The older one is asked; dropping its permit (its actor logging out) lets the asker in.
        tokio::time::timeout(Duration::from_secs(1), first.reclaimed())
            .await
            .expect("the longest-parked connection is reclaimed");
        assert_eq!(limit.parked(), 1);
        drop(older);
        assert!(asker.await.unwrap().is_ok());
        second.unpark();
        drop(newer);
    }

    #[tokio::test]
    async fn with_nothing_parked_the_asker_is_told_busy() {
        let limit = ConnectionLimit::new(1);
        let _held = limit.acquire(Duration::from_millis(10)).await.unwrap();
        let refused = limit.acquire(Duration::from_millis(120)).await;
        assert!(matches!(refused, Err(ImapError::Busy)));
    }

    #[tokio::test]
    async fn a_reclaim_that_raced_a_job_does_not_close_the_connection_later() {
        let limit = ConnectionLimit::new(1);
        let mut parking = Parking::new(limit.clone());
        parking.park();
        assert!(limit.reclaim_oldest());
        // The actor took the connection for a job before it saw the request …
        parking.unpark();
        // … and parks it again afterwards: no stale request may be waiting.
        parking.park();
        let stale = tokio::time::timeout(Duration::from_millis(50), parking.reclaimed()).await;
        assert!(stale.is_err(), "no reclaim is pending");
    }
}
