//! Whether an account's out-of-office reply is on, for the banner every page shows while it
//! is: read from the server at most once a minute per account, and forgotten at once when
//! the filters are saved ([`StatusCache::forget`]).
//!
//! Looking it up must never make a page slow or fail: a server that does not answer within
//! [`LOOKUP_TIMEOUT`] (or refuses) counts as "no reply on" until the next look.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use moka::future::Cache;
use secrecy::SecretString;

use super::error::FilterError;
use super::load::{load, open, Loaded, OwnScript};
use crate::sieve::model::IsoDate;
use crate::sieve::{ManageSieve, SieveError};

/// How long a looked-up status is trusted: a reply turned on or off elsewhere (another
/// device, another instance) shows up on the pages within this time.
pub const FRESH_FOR: Duration = Duration::from_secs(60);
/// The longest a page waits for the ManageSieve server to say.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a refused sign-in is remembered before trying again: a server that refuses this
/// login to ManageSieve (while IMAP takes it) would otherwise see a failed login every minute
/// for every person reading mail, and may start slowing down Carteiro's address for it.
pub const REFUSED_FOR: Duration = Duration::from_secs(30 * 60);
/// Accounts whose status is kept (a few dozen bytes each).
const MAX_ACCOUNTS: u64 = 100_000;

/// An out-of-office reply that is on, with its dates (inclusive, either may be open).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VacationOn {
    pub start: Option<IsoDate>,
    pub end: Option<IsoDate>,
}

impl VacationOn {
    /// Whether its period has not ended by `today`: a reply set for later is shown too, so
    /// the person knows it is coming.
    pub fn current(&self, today: NaiveDate) -> bool {
        self.end.is_none_or(|end| end.date() >= today)
    }
}

/// What the pages show about an account's filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// The reply, when it is switched on in Carteiro's script and that script is the one
    /// the server runs.
    pub vacation: Option<VacationOn>,
    /// The server refused the sign-in: asked again only after [`REFUSED_FOR`].
    pub refused: bool,
}

impl Status {
    pub fn of(loaded: &Loaded) -> Status {
        let vacation = &loaded.filters.vacation;
        let on = loaded.own == OwnScript::Ours && loaded.ours_active() && vacation.enabled;
        Status {
            vacation: on.then_some(VacationOn {
                start: vacation.start,
                end: vacation.end,
            }),
            refused: false,
        }
    }
}

/// How long a status is kept: a minute, or longer when the server refused the sign-in.
struct Freshness;

impl moka::Expiry<String, Status> for Freshness {
    fn expire_after_create(&self, _: &String, status: &Status, _: Instant) -> Option<Duration> {
        Some(if status.refused {
            REFUSED_FOR
        } else {
            FRESH_FOR
        })
    }
}

/// Every account's status; one per application, in [`crate::state::App`].
#[derive(Clone)]
pub struct StatusCache {
    cache: Cache<String, Status>,
}

impl Default for StatusCache {
    fn default() -> Self {
        StatusCache {
            cache: Cache::builder()
                .max_capacity(MAX_ACCOUNTS)
                .expire_after(Freshness)
                .build(),
        }
    }
}

impl StatusCache {
    /// The reply of `login`'s account, if it is on and its period has not ended by `today`.
    /// Without a ManageSieve server there is never one. `password` is asked for (unsealed)
    /// only when the server has to be asked.
    pub async fn vacation(
        &self,
        server: Option<&ManageSieve>,
        login: &str,
        password: impl FnOnce() -> Option<SecretString>,
        today: NaiveDate,
    ) -> Option<VacationOn> {
        let server = server?;
        let status = self
            .cache
            .get_with(login.to_string(), async move {
                let looked = tokio::time::timeout(LOOKUP_TIMEOUT, async {
                    let mut sieve = open(Some(server), login, password()).await?;
                    let loaded = load(&mut sieve).await;
                    sieve.logout().await;
                    loaded
                })
                .await;
                match looked {
                    Ok(Ok(loaded)) => Status::of(&loaded),
                    Ok(Err(FilterError::Sieve(SieveError::Auth))) => {
                        tracing::warn!(
                            user = crate::telemetry::untrusted(login),
                            "the ManageSieve server refused a login the IMAP server took; not asking again for a while"
                        );
                        Status {
                            refused: true,
                            ..Status::default()
                        }
                    }
                    Ok(Err(e)) => {
                        tracing::debug!(error = %e, "filter status not read");
                        Status::default()
                    }
                    Err(_) => {
                        tracing::debug!("filter status not read in time");
                        Status::default()
                    }
                }
            })
            .await;
        status.vacation.filter(|v| v.current(today))
    }

    /// After a save: the next page asks the server again.
    pub async fn forget(&self, login: &str) {
        self.cache.invalidate(login).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<IsoDate> {
        text.parse().ok()
    }

    #[test]
    fn a_reply_is_current_until_the_end_of_its_last_day() {
        let on = VacationOn {
            start: date("2025-03-01"),
            end: date("2025-03-10"),
        };
        let day = |text: &str| date(text).unwrap().date();
        assert!(on.current(day("2025-02-20")), "set for later: shown");
        assert!(on.current(day("2025-03-10")), "the last day is included");
        assert!(!on.current(day("2025-03-11")));
        let open = VacationOn {
            start: None,
            end: None,
        };
        assert!(open.current(day("2999-01-01")));
    }
}
