//! Brute-force protection for the login form.
//!
//! Failed logins are counted per account and per client address over a window. Past a small
//! allowance, each further attempt must wait, twice as long each time: the password is not
//! even tried (so a blocked attempt costs the IMAP server nothing), and the answer is the
//! same whether the account exists or not.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use moka::sync::Cache;

/// Failures allowed per account before waiting starts.
const ACCOUNT_ALLOWANCE: u32 = 5;
/// Failures allowed per client address (many accounts from one place) before waiting starts.
const ADDRESS_ALLOWANCE: u32 = 20;
/// How long failures are remembered.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Longest wait imposed.
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// Counts failed logins; cheap to share.
pub struct LoginThrottle {
    accounts: Cache<String, Failures>,
    addresses: Cache<IpAddr, Failures>,
    /// Serialises read-modify-write of the counters.
    lock: Mutex<()>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            accounts: Cache::builder()
                .time_to_live(WINDOW)
                .max_capacity(1_000_000)
                .build(),
            addresses: Cache::builder()
                .time_to_live(WINDOW)
                .max_capacity(1_000_000)
                .build(),
            lock: Mutex::new(()),
        }
    }
}

impl LoginThrottle {
    /// `Some(wait)` when this attempt must not be tried now.
    pub fn check(&self, account: &str, address: IpAddr) -> Option<Duration> {
        let account = account.to_lowercase();
        let by_account = self
            .accounts
            .get(&account)
            .and_then(|f| wait(f, ACCOUNT_ALLOWANCE));
        let by_address = self
            .addresses
            .get(&address)
            .and_then(|f| wait(f, ADDRESS_ALLOWANCE));
        by_account.max(by_address)
    }

    /// Records a failed attempt.
    pub fn failed(&self, account: &str, address: IpAddr) {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let bump = |f: Option<Failures>| Failures {
            count: f.map(|f| f.count).unwrap_or(0).saturating_add(1),
            last: Instant::now(),
        };
        let account = account.to_lowercase();
        self.accounts
            .insert(account.clone(), bump(self.accounts.get(&account)));
        self.addresses
            .insert(address, bump(self.addresses.get(&address)));
    }

    /// A successful login clears the account's count (not the address's).
    pub fn succeeded(&self, account: &str) {
        self.accounts.invalidate(&account.to_lowercase());
    }
}

/// The remaining wait after `f` failures, or `None` if the allowance is not used up.
fn wait(f: Failures, allowance: u32) -> Option<Duration> {
    if f.count < allowance {
        return None;
    }
    let exponent = (f.count - allowance).min(16);
    let delay = Duration::from_secs(1u64 << exponent).min(MAX_WAIT);
    let elapsed = f.last.elapsed();
    (elapsed < delay).then(|| delay - elapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_starts_after_the_allowance_and_doubles() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..ACCOUNT_ALLOWANCE {
            assert!(t.check("Ana@example.test", ip).is_none());
            t.failed("ana@example.test", ip);
        }
        let first = t
            .check("ANA@example.test", ip)
            .expect("blocked after the allowance");
        assert!(first <= Duration::from_secs(1));
        t.failed("ana@example.test", ip);
        let second = t.check("ana@example.test", ip).unwrap();
        assert!(second > Duration::from_secs(1) && second <= Duration::from_secs(2));
        assert!(
            t.check("bob@example.test", ip).is_none(),
            "another account is not blocked"
        );
        t.succeeded("ana@example.test");
        assert!(t.check("ana@example.test", ip).is_none());
    }
}
