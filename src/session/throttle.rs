//! Brute-force protection for the login form, and for the password-change form, which
//! guesses the same secret (see [`Limits`]).
//!
//! Login attempts are counted per account and per client address over a window. Past a small
//! allowance, each further attempt must wait, twice as long each time: the password is not
//! even tried (so a blocked attempt costs the IMAP server nothing), and the answer is the
//! same whether the account exists or not.
//!
//! An attempt is counted *before* its password is tried ([`LoginThrottle::begin`]), in one
//! atomic step with the check: checking first and counting after the IMAP answer let every
//! guess sent in parallel pass the check while the others were still being tried. A right
//! password then clears the account's count and takes the attempt back from the address's;
//! an attempt the server could not judge (down, busy) is taken back from both.
//!
//! Addresses are counted by host for IPv4 and by /64 for IPv6, the block one subscriber
//! usually holds: counting single IPv6 addresses would give an attacker billions of fresh
//! allowances.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use moka::sync::Cache;
use redis::aio::ConnectionManager;
use sha2::Sha256;

/// Attempts allowed per account before waiting starts (at sign-in).
const ACCOUNT_ALLOWANCE: u32 = 5;
/// Attempts allowed per client address (many accounts from one place) before waiting starts.
const ADDRESS_ALLOWANCE: u32 = 20;

/// What one throttle counts and how long it makes attempts wait.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Names the counters in Redis, so two throttles sharing it never share a count.
    name: &'static str,
    account_allowance: u32,
    address_allowance: u32,
    /// The first wait after the allowance; each further attempt doubles it.
    first_wait: Duration,
}

impl Limits {
    /// The sign-in form: a mistyped password is common, so the first wait is one second.
    pub const LOGIN: Limits = Limits {
        name: "login-failures",
        account_allowance: ACCOUNT_ALLOWANCE,
        address_allowance: ADDRESS_ALLOWANCE,
        first_wait: Duration::from_secs(1),
    };
    /// The password-change form. It guesses the same secret as sign-in, but only from a
    /// signed-in session, where someone with a stolen cookie could otherwise try passwords
    /// without ever failing a sign-in; and nobody changes a password five times a minute,
    /// so the waiting starts at a minute.
    pub const PASSWORD_CHANGE: Limits = Limits {
        name: "password-change-failures",
        account_allowance: 5,
        address_allowance: ADDRESS_ALLOWANCE,
        first_wait: Duration::from_secs(60),
    };
}

/// How long attempts are remembered.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Longest wait imposed.
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Failures {
    count: u32,
    /// Unix time of the last attempt, in milliseconds (comparable across instances).
    last_ms: u64,
}

/// Counts login attempts, in this process or in Redis (shared by every instance).
pub struct LoginThrottle {
    backend: Backend,
    limits: Limits,
}

enum Backend {
    Memory(Memory),
    /// Keys are HMACs of the account and address, so a dump of Redis does not list who was
    /// attacked from where.
    Redis {
        conn: ConnectionManager,
        secret: Vec<u8>,
    },
}

/// The counters of one process.
struct Memory {
    accounts: Cache<String, Failures>,
    addresses: Cache<IpAddr, Failures>,
    /// Makes each read-and-change of the counters one step.
    lock: Mutex<()>,
}

impl Memory {
    /// Hands `change` the attempt's two counters (`None`: no attempt on record) and keeps
    /// what it leaves, all under the lock. A counter left as it was is not written back, so
    /// merely looking does not restart its window.
    fn change<R>(
        &self,
        attempt: &Attempt,
        change: impl FnOnce(&mut Option<Failures>, &mut Option<Failures>) -> R,
    ) -> R {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let (account_was, address_was) = (
            self.accounts.get(&attempt.account),
            self.addresses.get(&attempt.address),
        );
        let (mut account, mut address) = (account_was, address_was);
        let result = change(&mut account, &mut address);
        if account != account_was {
            match account {
                Some(f) => self.accounts.insert(attempt.account.clone(), f),
                None => self.accounts.invalidate(&attempt.account),
            }
        }
        if address != address_was {
            match address {
                Some(f) => self.addresses.insert(attempt.address, f),
                None => self.addresses.invalidate(&attempt.address),
            }
        }
        result
    }
}

/// One login attempt, counted already; say how it ended with [`LoginThrottle::succeeded`],
/// [`LoginThrottle::failed`] or [`LoginThrottle::not_tried`]. An attempt whose request goes
/// away before it ends stays counted, as a failure.
#[must_use = "an attempt stays counted as a failure until its outcome is reported"]
#[derive(Debug)]
pub struct Attempt {
    account: String,
    address: IpAddr,
}

impl Default for LoginThrottle {
    /// The sign-in throttle, in this process.
    fn default() -> Self {
        LoginThrottle::memory(Limits::LOGIN)
    }
}

impl LoginThrottle {
    /// Counters in this process.
    pub fn memory(limits: Limits) -> LoginThrottle {
        LoginThrottle {
            limits,
            backend: Backend::Memory(Memory {
                accounts: Cache::builder()
                    .time_to_live(WINDOW)
                    .max_capacity(1_000_000)
                    .build(),
                addresses: Cache::builder()
                    .time_to_live(WINDOW)
                    .max_capacity(1_000_000)
                    .build(),
                lock: Mutex::new(()),
            }),
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The address attempts are counted under: IPv4 as it is (an IPv4-mapped IPv6 address too),
/// IPv6 by its /64.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Checks both counters and, when neither asks to wait, counts the attempt in both: all in
/// one step on the Redis server. Answers the wait in milliseconds, 0 for "counted, go on".
/// The arithmetic is [`wait`]'s.
const BEGIN_SCRIPT: &str = r"
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[5])
local first_wait = tonumber(ARGV[6])
local function wait(key, allowance)
  local v = redis.call('HMGET', key, 'count', 'last')
  local count = tonumber(v[1]) or 0
  local last = tonumber(v[2]) or 0
  if count < allowance then return 0 end
  local delay = math.min(first_wait * 2 ^ math.min(count - allowance, 16), max_wait)
  local elapsed = now - last
  if elapsed < delay then return delay - elapsed end
  return 0
end
local w = math.max(wait(KEYS[1], tonumber(ARGV[3])), wait(KEYS[2], tonumber(ARGV[4])))
if w > 0 then return w end
for _, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, 'count', 1)
  redis.call('HSET', key, 'last', now)
  redis.call('PEXPIRE', key, window)
end
return 0
";

impl LoginThrottle {
    /// Counters shared through Redis.
    pub fn redis(conn: ConnectionManager, secret: &[u8], limits: Limits) -> LoginThrottle {
        LoginThrottle {
            limits,
            backend: Backend::Redis {
                conn,
                secret: secret.to_vec(),
            },
        }
    }

    /// Counts an attempt before its password is tried, or answers how long it must wait
    /// (and then it is not counted: waiting attempts do not lengthen the wait).
    pub async fn begin(&self, account: &str, ip: IpAddr) -> Result<Attempt, Duration> {
        let attempt = Attempt {
            account: account.to_lowercase(),
            address: address_key(ip),
        };
        let now = now_ms();
        match &self.backend {
            Backend::Memory(memory) => {
                let refused =
                    memory.change(&attempt, |account, address| {
                        let (by_account, by_address) =
                            (account.unwrap_or_default(), address.unwrap_or_default());
                        let limits = &self.limits;
                        let waits = wait(by_account, limits.account_allowance, limits, now)
                            .max(wait(by_address, limits.address_allowance, limits, now));
                        if waits.is_none() {
                            let bump = |f: Failures| Failures {
                                count: f.count.saturating_add(1),
                                last_ms: now,
                            };
                            *account = Some(bump(by_account));
                            *address = Some(bump(by_address));
                        }
                        waits
                    });
                if let Some(wait) = refused {
                    return Err(wait);
                }
            }
            Backend::Redis { conn, secret } => {
                let [account_key, address_key] = attempt.redis_keys(secret, &self.limits);
                let answer: Result<u64, _> = redis::cmd("EVAL")
                    .arg(BEGIN_SCRIPT)
                    .arg(2)
                    .arg(account_key)
                    .arg(address_key)
                    .arg(now)
                    .arg(WINDOW.as_millis() as u64)
                    .arg(self.limits.account_allowance)
                    .arg(self.limits.address_allowance)
                    .arg(MAX_WAIT.as_millis() as u64)
                    .arg(self.limits.first_wait.as_millis() as u64)
                    .query_async(&mut conn.clone())
                    .await;
                match answer {
                    Ok(0) => {}
                    Ok(wait_ms) => return Err(Duration::from_millis(wait_ms)),
                    // Failing open: a Redis outage must not lock everyone out (and the
                    // sessions in the same Redis are down anyway).
                    Err(e) => tracing::error!(error = %e, "login throttle: Redis unavailable"),
                }
            }
        }
        Ok(attempt)
    }

    /// The password was wrong. The attempt is counted already; the wait runs from now.
    pub async fn failed(&self, attempt: Attempt) {
        let now = now_ms();
        match &self.backend {
            Backend::Memory(memory) => memory.change(&attempt, |account, address| {
                for f in [account, address].into_iter().flatten() {
                    f.last_ms = now;
                }
            }),
            Backend::Redis { conn, secret } => {
                let mut pipe = redis::pipe();
                for key in attempt.redis_keys(secret, &self.limits) {
                    pipe.cmd("HSET").arg(&key).arg("last").arg(now).ignore();
                }
                if let Err(e) = pipe.query_async::<()>(&mut conn.clone()).await {
                    tracing::error!(error = %e, "login throttle: Redis unavailable");
                }
            }
        }
    }

    /// The password was right: the account's count is cleared, and the attempt no longer
    /// counts against the address (many people may sign in from one office).
    pub async fn succeeded(&self, attempt: Attempt) {
        self.take_back(attempt, true).await;
    }

    /// The server could not judge the password (unreachable, busy): the attempt counts
    /// against no one.
    pub async fn not_tried(&self, attempt: Attempt) {
        self.take_back(attempt, false).await;
    }

    async fn take_back(&self, attempt: Attempt, clear_account: bool) {
        match &self.backend {
            Backend::Memory(memory) => memory.change(&attempt, |account, address| {
                let less = |f: &mut Failures| f.count = f.count.saturating_sub(1);
                if clear_account {
                    *account = None;
                } else if let Some(f) = account {
                    less(f);
                }
                if let Some(f) = address {
                    less(f);
                }
            }),
            Backend::Redis { conn, secret } => {
                let [account_key, address_key] = attempt.redis_keys(secret, &self.limits);
                let mut pipe = redis::pipe();
                pipe.atomic();
                if clear_account {
                    pipe.cmd("DEL").arg(&account_key).ignore();
                } else {
                    pipe.cmd("HINCRBY")
                        .arg(&account_key)
                        .arg("count")
                        .arg(-1)
                        .ignore();
                }
                pipe.cmd("HINCRBY")
                    .arg(&address_key)
                    .arg("count")
                    .arg(-1)
                    .ignore();
                if let Err(e) = pipe.query_async::<()>(&mut conn.clone()).await {
                    tracing::error!(error = %e, "login throttle: Redis unavailable");
                }
            }
        }
    }
}

impl Attempt {
    fn redis_keys(&self, secret: &[u8], limits: &Limits) -> [String; 2] {
        [
            redis_key(secret, limits.name, "account", &self.account),
            redis_key(secret, limits.name, "address", &self.address.to_string()),
        ]
    }
}

fn redis_key(secret: &[u8], name: &str, kind: &str, value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(kind.as_bytes());
    mac.update(b"\0");
    mac.update(value.as_bytes());
    let digest = mac.finalize().into_bytes();
    format!("carteiro:{name}:{}", hex::encode(&digest[..16]))
}

/// The remaining wait after `f`'s attempts at time `now_ms`, or `None` if the allowance is
/// not used up. [`BEGIN_SCRIPT`] does the same arithmetic on the Redis server.
fn wait(f: Failures, allowance: u32, limits: &Limits, now_ms: u64) -> Option<Duration> {
    if f.count < allowance {
        return None;
    }
    let exponent = (f.count - allowance).min(16);
    let delay = limits
        .first_wait
        .saturating_mul(1u32 << exponent)
        .min(MAX_WAIT);
    let elapsed = Duration::from_millis(now_ms.saturating_sub(f.last_ms));
    (elapsed < delay).then(|| delay - elapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn fail(t: &LoginThrottle, account: &str, ip: IpAddr) -> Result<(), Duration> {
        let attempt = t.begin(account, ip).await?;
        t.failed(attempt).await;
        Ok(())
    }

    #[tokio::test]
    async fn waiting_starts_after_the_allowance_and_doubles() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..ACCOUNT_ALLOWANCE {
            fail(&t, "Ana@example.test", ip).await.unwrap();
        }
        let first = fail(&t, "ANA@example.test", ip)
            .await
            .expect_err("blocked after the allowance");
        assert!(first <= Duration::from_secs(1));
        let other = t.begin("bob@example.test", ip).await;
        assert!(other.is_ok(), "another account is not blocked");
        t.succeeded(other.unwrap()).await;
        tokio::time::sleep(first).await;
        fail(&t, "ana@example.test", ip).await.unwrap();
        let second = t.begin("ana@example.test", ip).await.unwrap_err();
        assert!(second > Duration::from_secs(1) && second <= Duration::from_secs(2));
    }

    #[tokio::test]
    async fn guesses_sent_together_get_no_more_than_the_allowance() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.2".parse().unwrap();
        // Every guess begins before any of them has an answer, as when they race.
        let mut begun = Vec::new();
        let mut refused = 0;
        for _ in 0..50 {
            match t.begin("ana@example.test", ip).await {
                Ok(attempt) => begun.push(attempt),
                Err(_) => refused += 1,
            }
        }
        assert_eq!(begun.len(), ACCOUNT_ALLOWANCE as usize);
        assert_eq!(refused, 50 - ACCOUNT_ALLOWANCE as usize);
        for attempt in begun {
            t.failed(attempt).await;
        }
    }

    #[tokio::test]
    async fn a_right_password_clears_the_account_and_an_untried_one_counts_for_no_one() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.3".parse().unwrap();
        for _ in 0..ACCOUNT_ALLOWANCE - 1 {
            fail(&t, "ana@example.test", ip).await.unwrap();
        }
        // The server was down for this one: it does not use up the last try.
        let untried = t.begin("ana@example.test", ip).await.unwrap();
        t.not_tried(untried).await;
        let right = t.begin("ana@example.test", ip).await.unwrap();
        t.succeeded(right).await;
        for _ in 0..ACCOUNT_ALLOWANCE {
            fail(&t, "ana@example.test", ip).await.unwrap();
        }
        assert!(t.begin("ana@example.test", ip).await.is_err());
    }

    #[tokio::test]
    async fn the_password_change_throttle_waits_a_minute_and_keeps_its_own_count() {
        let login = LoginThrottle::default();
        let change = LoginThrottle::memory(Limits::PASSWORD_CHANGE);
        let ip: IpAddr = "192.0.2.4".parse().unwrap();
        for _ in 0..Limits::PASSWORD_CHANGE.account_allowance {
            fail(&change, "ana@example.test", ip).await.unwrap();
        }
        let wait = change.begin("ana@example.test", ip).await.unwrap_err();
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60));
        // The sign-in counters are another throttle's.
        let attempt = login.begin("ana@example.test", ip).await.unwrap();
        login.succeeded(attempt).await;
        assert_ne!(
            redis_key(b"k", Limits::LOGIN.name, "account", "ana"),
            redis_key(b"k", Limits::PASSWORD_CHANGE.name, "account", "ana")
        );
    }

    #[tokio::test]
    async fn ipv6_clients_are_counted_by_their_64_block() {
        let t = LoginThrottle::default();
        for i in 0..ADDRESS_ALLOWANCE {
            // A new address and a new account every time, all in one /64.
            let ip: IpAddr = format!("2001:db8:1:2::{:x}", i + 1).parse().unwrap();
            fail(&t, &format!("user{i}@example.test"), ip)
                .await
                .unwrap();
        }
        let same_block: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert!(t.begin("fresh@example.test", same_block).await.is_err());
        let next_block: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(t.begin("fresh@example.test", next_block).await.is_ok());
        assert_eq!(
            address_key("::ffff:192.0.2.9".parse().unwrap()),
            "192.0.2.9".parse::<IpAddr>().unwrap()
        );
    }
}
