//! Building and running the application: the one composition root, shared by `main`, the
//! tests and the benches. Everything is wired here, and only here.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::carddav::CardDav;
use crate::config::{Cause, Config, ConfigError};
use crate::imap::connect::Connector;
use crate::metrics::Metrics;
use crate::password::PasswordChanger;
use crate::session::redis_store::{self, RedisStore};
use crate::session::throttle::{Limits, LoginThrottle};
use crate::session::{MemoryStore, SessionManager, SessionStore};
use crate::sieve::ManageSieve;
use crate::smtp::Submitter;
use crate::state::{App, AppState};
use crate::web;

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    /// The separate listener for `/metrics`, when `metrics_listen` is set.
    metrics_listener: Option<TcpListener>,
    state: AppState,
}

/// How long to wait for Redis at start-up.
const REDIS_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How often idle sessions and actors are swept.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(30);
/// At shutdown, how long sends already under way may take to finish (after the requests in
/// flight, see [`crate::server`]). One SMTP exchange may take 30 s before it times out.
const SENDS_GRACE: Duration = Duration::from_secs(60);
/// At shutdown, how long the IMAP connections have to log out.
const LOGOUT_GRACE: Duration = Duration::from_secs(10);

impl Application {
    /// Validates the configuration, binds the listener and wires the router.
    pub async fn build(config: Config) -> Result<Application, ConfigError> {
        let metrics = Arc::new(Metrics::new());
        let connector = Connector::new(&config, metrics.clone())?;
        let submitter = Submitter::new(&config, metrics.clone())?;
        let (store, throttle, password_throttle): (Arc<dyn SessionStore>, _, _) = match &config
            .redis_url
        {
            Some(url) => {
                let url = url.expose_secret();
                let conn = tokio::time::timeout(REDIS_CONNECT_TIMEOUT, redis_store::connect(url))
                    .await
                    .map_err(|_| {
                        let waited = REDIS_CONNECT_TIMEOUT.as_secs();
                        Cause::from(format!("no answer within {waited} s"))
                    })
                    .and_then(|r| r.map_err(Cause::from))
                    .map_err(|e| {
                        ConfigError::unavailable(
                            format!(
                                "cannot reach Redis at {}; check CARTEIRO_REDIS_URL",
                                crate::config::redact(url)
                            ),
                            e,
                        )
                    })?;
                let secret = config.secret_key.expose_secret();
                (
                    Arc::new(RedisStore::new(conn.clone(), config.session_idle_timeout)),
                    LoginThrottle::redis(conn.clone(), secret, Limits::LOGIN),
                    LoginThrottle::redis(conn, secret, Limits::PASSWORD_CHANGE),
                )
            }
            None => (
                Arc::new(MemoryStore::new(config.session_idle_timeout)),
                LoginThrottle::memory(Limits::LOGIN),
                LoginThrottle::memory(Limits::PASSWORD_CHANGE),
            ),
        };
        let sessions = SessionManager::new(
            store,
            connector.clone(),
            config.secret_key.expose_secret().to_vec(),
            config.session_idle_timeout,
            config.session_max_age,
        );
        let listener = TcpListener::bind(config.listen).await.map_err(|e| {
            ConfigError::unavailable(
                format!(
                    "cannot listen on {}; set CARTEIRO_LISTEN to a free address",
                    config.listen
                ),
                e,
            )
        })?;
        let metrics_listener = match config.metrics_listen {
            Some(addr) => Some(TcpListener::bind(addr).await.map_err(|e| {
                ConfigError::unavailable(
                    format!("cannot listen on {addr} for metrics; set CARTEIRO_METRICS_LISTEN to a free address, or leave it unset to serve no metrics"),
                    e,
                )
            })?),
            None => None,
        };
        let carddav = CardDav::new(&config)?;
        let managesieve = ManageSieve::from_config(&config)?;
        let password = PasswordChanger::from_config(&config, password_throttle)?;
        let state = AppState(Arc::new(App {
            carddav,
            managesieve,
            password,
            config,
            sessions,
            connector,
            submitter,
            throttle,
            metrics,
            readiness: Default::default(),
            reader: Default::default(),
            suggestions: Default::default(),
            sieve_status: Default::default(),
            background: TaskTracker::new(),
            stopping: CancellationToken::new(),
        }));
        let router = web::router(state.clone());
        spawn_housekeeping(&state);
        Ok(Application {
            listener,
            router,
            metrics_listener,
            state,
        })
    }

    /// The port actually bound (tests listen on port 0).
    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    /// The port the metrics listener actually bound, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
            .map(|a| a.port())
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Dials the IMAP server (and the ManageSieve server, when one is configured) once and
    /// logs one line each saying whether it works.
    pub async fn check_upstream(&self) {
        if self.state.config.upstream_map.is_some() {
            // Each domain has its own servers, dialled at its first login.
            tracing::info!("upstream_map is set: no single mail server to check at start-up");
            return;
        }
        let upstream = self.state.connector.upstream().clone();
        match self.state.connector.probe().await {
            Ok(caps) => tracing::info!(
                %upstream,
                capabilities = %caps.list().join(" "),
                "IMAP server reachable"
            ),
            Err(e) => tracing::error!(
                %upstream,
                error = %e,
                "IMAP server NOT reachable: logins will fail until it is; check CARTEIRO_IMAP_URL and what the error says"
            ),
        }
        if let Some(sieve) = &self.state.managesieve {
            let upstream = sieve.upstream().clone();
            match sieve.probe().await {
                Ok(caps) => tracing::info!(
                    %upstream,
                    implementation = %caps.implementation,
                    extensions = %caps.sieve_extensions.join(" "),
                    "ManageSieve server reachable"
                ),
                Err(e) => tracing::error!(
                    %upstream,
                    error = %e,
                    "ManageSieve server NOT reachable: the filter and vacation pages will say so until it is; check CARTEIRO_MANAGESIEVE_URL and the warning before this line"
                ),
            }
        }
    }

    /// Serves until `shutdown` resolves, then stops in order: no new connections; requests in
    /// flight finish; sends under way finish (even those whose browser has gone); every IMAP
    /// session logs out. Each step is bounded, so a stuck server cannot hold the shutdown.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let client_timeout = self.state.config.client_timeout;
        let stop = CancellationToken::new();
        let metrics_server = self.metrics_listener.map(|listener| {
            let router = crate::metrics::router(self.state.metrics.clone());
            tokio::spawn(crate::server::serve(
                listener,
                router,
                client_timeout,
                stop.clone().cancelled_owned(),
            ))
        });
        let stopping = self.state.stopping.clone();
        let shutdown = async move {
            shutdown.await;
            stopping.cancel();
        };
        let served =
            crate::server::serve(self.listener, self.router, client_timeout, shutdown).await;
        let state = self.state;
        state.background.close();
        if !state.background.is_empty() {
            tracing::info!(
                sends = state.background.len(),
                "shutting down: finishing sends under way"
            );
        }
        if tokio::time::timeout(SENDS_GRACE, state.background.wait())
            .await
            .is_err()
        {
            tracing::warn!("some sends were still running after the shutdown grace period");
        }
        let sessions = state.sessions.live_actors();
        if state.sessions.close_connections(LOGOUT_GRACE).await {
            tracing::info!(sessions, "shutting down: IMAP sessions logged out");
        } else {
            tracing::warn!("some IMAP sessions had not logged out after the grace period");
        }
        stop.cancel();
        if let Some(server) = metrics_server {
            let _ = server.await;
        }
        served
    }
}

fn spawn_housekeeping(state: &AppState) {
    // A weak reference, so the sweeper ends with the application (tests build many).
    let weak = Arc::downgrade(&state.0);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(HOUSEKEEPING_EVERY);
        loop {
            tick.tick().await;
            let Some(app) = weak.upgrade() else { break };
            app.sessions.housekeeping().await;
        }
    });
}
