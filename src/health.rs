//! Readiness: whether the IMAP server can be reached, asked at most once every few seconds.
//!
//! The answer is a TCP dial, TLS (or STARTTLS) and the server's greeting, without logging
//! in. It is remembered for [`READY_CACHE`] and only one check runs at a time, so however
//! often (and by whomever) readiness is asked, the IMAP server sees at most one connection
//! every few seconds. `GET /readyz` serves it.

use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::imap::connect::Connector;

/// How long a readiness answer is reused.
pub const READY_CACHE: Duration = Duration::from_secs(3);
/// How long one readiness check may take; probes time out after a few seconds themselves.
const READY_TIMEOUT: Duration = Duration::from_secs(3);

/// The last readiness answer and when it was found.
#[derive(Default)]
pub struct Readiness {
    /// Held while a check runs, so concurrent requests wait for its answer instead of
    /// dialling too.
    last: Mutex<Option<(Instant, bool)>>,
}

impl Readiness {
    /// Whether the IMAP server answered a dial recently (or does now).
    pub async fn check(&self, connector: &Connector) -> bool {
        let mut last = self.last.lock().await;
        if let Some((at, ready)) = *last {
            if at.elapsed() < READY_CACHE {
                return ready;
            }
        }
        let was = last.map(|(_, ready)| ready);
        let ready = match tokio::time::timeout(READY_TIMEOUT, connector.probe()).await {
            Ok(Ok(_)) => true,
            Ok(Err(e)) => {
                if was != Some(false) {
                    tracing::warn!(upstream = %connector.upstream(), error = %e, "not ready: IMAP server unreachable");
                }
                false
            }
            Err(_) => {
                if was != Some(false) {
                    tracing::warn!(upstream = %connector.upstream(), "not ready: IMAP server did not greet in time");
                }
                false
            }
        };
        if ready && was == Some(false) {
            tracing::info!(upstream = %connector.upstream(), "ready again: IMAP server reachable");
        }
        *last = Some((Instant::now(), ready));
        ready
    }
}
