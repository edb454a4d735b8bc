//! The state every request shares: [`AppState`], a cheap handle to the one [`App`].
//!
//! A leaf of the web layer: it names the services handlers use and imports nothing from
//! `web`, so pages, extractors and middleware depend on it and never the other way round.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::carddav::CardDav;
use crate::config::Config;
use crate::contacts::suggestions::Suggestions;
use crate::health::Readiness;
use crate::imap::connect::Connector;
use crate::mail::filters::StatusCache;
use crate::mail::read::Reader;
use crate::mailapps::MailApps;
use crate::metrics::Metrics;
use crate::password::PasswordChanger;
use crate::session::throttle::LoginThrottle;
use crate::session::SessionManager;
use crate::sieve::ManageSieve;
use crate::smtp::Submitter;
use crate::upstream_map::Upstreams;

/// Shared state of every request.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl App {
    /// The ManageSieve server of a session: its domain's with `upstream_map` (none when the
    /// domain has none), else the one configured.
    pub fn sieve_for(&self, upstreams: Option<&Upstreams>) -> Option<ManageSieve> {
        match upstreams {
            None => self.managesieve.clone(),
            Some(u) => {
                let server = u.sieve.clone()?;
                Some(self.managesieve.as_ref()?.with_upstream(server))
            }
        }
    }

    /// What mail apps asking about `domain` without signing in (autoconfig, Autodiscover)
    /// are told: with `upstream_map`, the domain's own servers, and `None` for a domain that
    /// is not mapped or not allowed (as at login); else the configured ones.
    pub async fn mail_apps_of_domain(&self, domain: &str) -> Option<MailApps> {
        match &self.config.upstream_map {
            None => Some(self.config.mail_apps.clone()),
            Some(map) => {
                let upstreams = map.resolve(domain).await.ok()?;
                Some(self.mail_apps_for(Some(&upstreams)))
            }
        }
    }

    /// What mail apps are told to use by a session: its domain's own servers with
    /// `upstream_map` (the instance-wide `apps_*` names belong to no one domain; a server
    /// reached without encryption is not offered), else the configured ones.
    pub fn mail_apps_for(&self, upstreams: Option<&Upstreams>) -> MailApps {
        match upstreams {
            None => self.config.mail_apps.clone(),
            Some(u) => MailApps::from_settings(None, None, None, &u.imap, &u.smtp, &mut Vec::new())
                // Only given lists can be refused, and none is given.
                .unwrap_or_else(|_| self.config.mail_apps.clone()),
        }
    }
}

/// What the handlers share.
pub struct App {
    /// The validated configuration.
    pub config: Config,
    /// Login, lookup and logout of sessions, and their IMAP actors.
    pub sessions: SessionManager,
    /// Dials the IMAP server (used by the start-up check).
    pub connector: Connector,
    /// Submits outgoing mail over SMTP.
    pub submitter: Submitter,
    /// Counts failed logins (brute-force protection).
    pub throttle: LoginThrottle,
    /// Counters, gauges and histograms served at `/metrics` on the metrics listener.
    pub metrics: Arc<Metrics>,
    /// The last answer of `/readyz`, reused for a few seconds.
    pub readiness: Readiness,
    /// Renders messages for reading off the async workers, and keeps their HTML bodies for
    /// the frames that show them.
    pub reader: Reader,
    /// Each account's recipient suggestions (contacts and collected addresses), so a
    /// keystroke in a recipient field asks no server anything.
    pub suggestions: Suggestions,
    /// Whether each account's out-of-office reply is on, for the banner of every page: asked
    /// of the ManageSieve server at most once a minute per account, forgotten on a save.
    pub sieve_status: StatusCache,
    /// The CardDAV server that keeps address books, when the admin configured one; without
    /// it, contacts live in each person's private IMAP folder.
    pub carddav: Option<CardDav>,
    /// The ManageSieve server that keeps filters and the vacation reply, when the admin
    /// configured one; without it, the filter pages say the server offers no filters. With
    /// `upstream_map`, reach it through [`App::sieve_for`], which picks the session's.
    pub managesieve: Option<ManageSieve>,
    /// Changes passwords through the admin's backend, when one is configured; without it,
    /// the password page says changes are made elsewhere.
    pub password: Option<PasswordChanger>,
    /// Work that must not be cut when its request goes away (a send in progress); a
    /// shutdown waits for it.
    pub background: TaskTracker,
    /// Cancelled when shutdown begins: endless responses (live updates) end then, so the
    /// server does not wait out its grace period for them.
    pub stopping: CancellationToken,
}
