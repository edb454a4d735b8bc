//! Brute-force protection for the login form.
//!
//! Failed logins are counted per account and per client address over a window. Past a small
//! allowance, each further attempt must wait, twice as long each time: the password is not
//! even tried (so a blocked attempt costs the IMAP server nothing), and the answer is the
//! same whether the account exists or not.

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use moka::sync::Cache;
use redis::aio::ConnectionManager;
use sha2::Sha256;

/// Failures allowed per account before waiting starts.
const ACCOUNT_ALLOWANCE: u32 = 5;
/// Failures allowed per client address (many accounts from one place) before waiting starts.
const ADDRESS_ALLOWANCE: u32 = 20;
/// How long failures are remembered.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Longest wait imposed.
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy, Default)]
struct Failures {
    count: u32,
    /// Unix time of the last failure, in milliseconds (comparable across instances).
    last_ms: u64,
}

/// Counts failed logins, in this process or in Redis (shared by every instance).
pub struct LoginThrottle {
    backend: Backend,
}

enum Backend {
    Memory {
        accounts: Cache<String, Failures>,
        addresses: Cache<IpAddr, Failures>,
        /// Serialises read-modify-write of the counters.
        lock: Mutex<()>,
    },
    /// Keys are HMACs of the account and address, so a dump of Redis does not list who was
    /// attacked from where.
    Redis {
        conn: ConnectionManager,
        secret: Vec<u8>,
    },
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            backend: Backend::Memory {
                accounts: Cache::builder()
                    .time_to_live(WINDOW)
                    .max_capacity(1_000_000)
                    .build(),
                addresses: Cache::builder()
                    .time_to_live(WINDOW)
                    .max_capacity(1_000_000)
                    .build(),
                lock: Mutex::new(()),
            },
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl LoginThrottle {
    /// Counters shared through Redis.
    pub fn redis(conn: ConnectionManager, secret: &[u8]) -> LoginThrottle {
        LoginThrottle {
            backend: Backend::Redis {
                conn,
                secret: secret.to_vec(),
            },
        }
    }

    /// `Some(wait)` when this attempt must not be tried now.
    pub async fn check(&self, account: &str, address: IpAddr) -> Option<Duration> {
        let account = account.to_lowercase();
        let (by_account, by_address) = match &self.backend {
            Backend::Memory {
                accounts,
                addresses,
                ..
            } => (
                accounts.get(&account).unwrap_or_default(),
                addresses.get(&address).unwrap_or_default(),
            ),
            Backend::Redis { conn, secret } => {
                let keys = [
                    redis_key(secret, "account", &account),
                    redis_key(secret, "address", &address.to_string()),
                ];
                let mut pipe = redis::pipe();
                for key in &keys {
                    pipe.cmd("HMGET").arg(key).arg("count").arg("last");
                }
                let answer: Result<Vec<(Option<u32>, Option<u64>)>, _> =
                    pipe.query_async(&mut conn.clone()).await;
                match answer {
                    Ok(rows) if rows.len() == 2 => {
                        let f = |(count, last): (Option<u32>, Option<u64>)| Failures {
                            count: count.unwrap_or(0),
                            last_ms: last.unwrap_or(0),
                        };
                        (f(rows[0]), f(rows[1]))
                    }
                    other => {
                        // Failing open: a Redis outage must not lock everyone out (and the
                        // sessions in the same Redis are down anyway).
                        tracing::error!(result = ?other.err(), "login throttle: Redis unavailable");
                        (Failures::default(), Failures::default())
                    }
                }
            }
        };
        let now = now_ms();
        wait(by_account, ACCOUNT_ALLOWANCE, now).max(wait(by_address, ADDRESS_ALLOWANCE, now))
    }

    /// Records a failed attempt.
    pub async fn failed(&self, account: &str, address: IpAddr) {
        let account = account.to_lowercase();
        let now = now_ms();
        match &self.backend {
            Backend::Memory {
                accounts,
                addresses,
                lock,
            } => {
                let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
                let bump = |f: Option<Failures>| Failures {
                    count: f.map(|f| f.count).unwrap_or(0).saturating_add(1),
                    last_ms: now,
                };
                accounts.insert(account.clone(), bump(accounts.get(&account)));
                addresses.insert(address, bump(addresses.get(&address)));
            }
            Backend::Redis { conn, secret } => {
                let mut pipe = redis::pipe();
                pipe.atomic();
                for key in [
                    redis_key(secret, "account", &account),
                    redis_key(secret, "address", &address.to_string()),
                ] {
                    pipe.cmd("HINCRBY").arg(&key).arg("count").arg(1).ignore();
                    pipe.cmd("HSET").arg(&key).arg("last").arg(now).ignore();
                    pipe.cmd("PEXPIRE")
                        .arg(&key)
                        .arg(WINDOW.as_millis() as u64)
                        .ignore();
                }
                if let Err(e) = pipe.query_async::<()>(&mut conn.clone()).await {
                    tracing::error!(error = %e, "login throttle: Redis unavailable");
                }
            }
        }
    }

    /// A successful login clears the account's count (not the address's).
    pub async fn succeeded(&self, account: &str) {
        let account = account.to_lowercase();
        match &self.backend {
            Backend::Memory { accounts, .. } => accounts.invalidate(&account),
            Backend::Redis { conn, secret } => {
                let deleted = redis::cmd("DEL")
                    .arg(redis_key(secret, "account", &account))
                    .query_async::<()>(&mut conn.clone())
                    .await;
                if let Err(e) = deleted {
                    tracing::error!(error = %e, "login throttle: Redis unavailable");
                }
            }
        }
    }
}

fn redis_key(secret: &[u8], kind: &str, value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(kind.as_bytes());
    mac.update(b"\0");
    mac.update(value.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("carteiro:login-failures:{hex}")
}

/// The remaining wait after `f`'s failures at time `now_ms`, or `None` if the allowance is not
/// used up.
fn wait(f: Failures, allowance: u32, now_ms: u64) -> Option<Duration> {
    if f.count < allowance {
        return None;
    }
    let exponent = (f.count - allowance).min(16);
    let delay = Duration::from_secs(1u64 << exponent).min(MAX_WAIT);
    let elapsed = Duration::from_millis(now_ms.saturating_sub(f.last_ms));
    (elapsed < delay).then(|| delay - elapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiting_starts_after_the_allowance_and_doubles() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..ACCOUNT_ALLOWANCE {
            assert!(t.check("Ana@example.test", ip).await.is_none());
            t.failed("ana@example.test", ip).await;
        }
        let first = t
            .check("ANA@example.test", ip)
            .await
            .expect("blocked after the allowance");
        assert!(first <= Duration::from_secs(1));
        t.failed("ana@example.test", ip).await;
        let second = t.check("ana@example.test", ip).await.unwrap();
        assert!(second > Duration::from_secs(1) && second <= Duration::from_secs(2));
        assert!(
            t.check("bob@example.test", ip).await.is_none(),
            "another account is not blocked"
        );
        t.succeeded("ana@example.test").await;
        assert!(t.check("ana@example.test", ip).await.is_none());
    }
}
