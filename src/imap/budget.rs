//! One memory budget for the server answers that every connection of this process is reading
//! at once: a raw answer grows only as far as its share of the budget, and a fallback that
//! collects data from many messages reserves its share first.
//!
//! A cap per answer alone bounds nothing useful: with `max_imap_connections` at 1,000, even a
//! modest 64 MiB per answer allows 64 GiB at once. Answers are short-lived (milliseconds for
//! a list page, a second for a hostile 20 MB BODYSTRUCTURE), so a reader that finds the
//! budget spent waits a little for others to finish, and only then gives up. The rejected
//! alternative, failing at once, would turn a burst of ordinary pages into errors.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::ImapError;

/// Default budget: room for a dozen of the largest answers (a hostile BODYSTRUCTURE) at once,
/// or thousands of list pages.
pub const DEFAULT_ANSWER_BYTES: usize = 256 << 20;
/// How long a reader waits for room before its command fails.
const WAIT: Duration = Duration::from_secs(5);

/// The bytes of answers being read, all connections together (see the module documentation).
#[derive(Debug)]
pub struct AnswerBudget {
    permits: Arc<Semaphore>,
    limit: usize,
    wait: Duration,
}

impl Default for AnswerBudget {
    fn default() -> Self {
        AnswerBudget::new(DEFAULT_ANSWER_BYTES)
    }
}

impl AnswerBudget {
    pub fn new(limit: usize) -> AnswerBudget {
        AnswerBudget::with_wait(limit, WAIT)
    }

    /// A budget whose readers wait at most `wait` for room.
    pub fn with_wait(limit: usize, wait: Duration) -> AnswerBudget {
        AnswerBudget {
            permits: Arc::new(Semaphore::new(limit)),
            limit,
            wait,
        }
    }

    /// Nothing held yet; grow it as the answer grows.
    pub fn hold(&self) -> Held {
        Held {
            permits: self.permits.clone(),
            wait: self.wait,
            limit: self.limit,
            permit: None,
        }
    }

    /// Holds `bytes` of the budget (see [`Held::grow_to`]).
    pub async fn reserve(&self, bytes: usize) -> Result<Held, ImapError> {
        let mut held = self.hold();
        held.grow_to(bytes).await?;
        Ok(held)
    }

    /// Bytes held right now by answers being read.
    pub fn in_use(&self) -> usize {
        self.limit - self.permits.available_permits()
    }

    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// A share of the budget, given back when dropped.
#[derive(Debug)]
pub struct Held {
    permits: Arc<Semaphore>,
    wait: Duration,
    limit: usize,
    permit: Option<OwnedSemaphorePermit>,
}

impl Held {
    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.permit
            .as_ref()
            .map_or(0, OwnedSemaphorePermit::num_permits)
    }

    /// Holds `bytes` in all (nothing changes if that much is held already), waiting for room
    /// if the budget is spent. Fails when no room comes in time, or when `bytes` exceeds the
    /// whole budget; the share held so far is kept until the `Held` is dropped.
    pub async fn grow_to(&mut self, bytes: usize) -> Result<(), ImapError> {
        let more = bytes.saturating_sub(self.bytes());
        if more == 0 {
            return Ok(());
        }
        let busy =
            || ImapError::Unavailable("Carteiro is reading too many large answers at once".into());
        if bytes > self.limit {
            return Err(busy());
        }
        let more = u32::try_from(more).map_err(|_| busy())?;
        let acquire = self.permits.clone().acquire_many_owned(more);
        let permit = tokio::time::timeout(self.wait, acquire)
            .await
            .map_err(|_| busy())?
            // The semaphore is never closed.
            .map_err(|_| busy())?;
        match &mut self.permit {
            Some(held) => held.merge(permit),
            None => self.permit = Some(permit),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn shares_grow_wait_for_room_and_come_back_when_dropped() {
        let budget = AnswerBudget::with_wait(1000, Duration::from_millis(50));
        let mut a = budget.hold();
        a.grow_to(600).await.unwrap();
        a.grow_to(400).await.unwrap();
        assert_eq!(a.bytes(), 600, "growing to less holds what it held");
        assert_eq!(budget.in_use(), 600);
        let mut b = budget.reserve(300).await.unwrap();
        // 100 bytes left: a share that needs more waits, then fails, keeping what it had.
        let err = b.grow_to(500).await.unwrap_err();
        assert!(err.breaks_connection(), "{err:?}");
        assert_eq!(b.bytes(), 300);
        // Room comes back when another share is dropped, also while waiting.
        let (grown, ()) = tokio::join!(b.grow_to(500), async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            drop(a);
        });
        grown.unwrap();
        assert_eq!(budget.in_use(), 500);
        drop(b);
        assert_eq!(budget.in_use(), 0);
    }

    #[tokio::test]
    async fn a_share_larger_than_the_whole_budget_fails_at_once() {
        let budget = AnswerBudget::with_wait(1000, Duration::from_secs(60));
        let started = std::time::Instant::now();
        assert!(budget.reserve(1001).await.is_err());
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(budget.in_use(), 0);
    }
}
