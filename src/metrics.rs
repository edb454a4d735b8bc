//! Prometheus metrics: requests, sessions, IMAP and SMTP, as an operator needs them.
//!
//! `prometheus-client` rather than the `metrics` facade with `metrics-exporter-prometheus`: its
//! registry is a value owned by the [`App`](crate::state::App), not a process-wide recorder that
//! can be installed once. Every `Application` (the tests build dozens in one process) counts
//! only its own traffic, and the handle is passed along explicitly like the rest of the state.
//!
//! Every label has a small, fixed set of values, chosen by the code, never by a client: the
//! route *template* (`/mail/{folder}/{uid}`), never the path, which would hold folder names
//! (private) and grow without bound; the IMAP command verb, never its arguments.
//!
//! The families are served at `/metrics` on their own listener (`metrics_listen`), never on
//! the public one: see [`router`].

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, Method};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandLabels {
    command: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    cache: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Every metric Carteiro records, and the registry that exposes them.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Histograms<RouteLabels>,
    sessions_live: Gauge,
    imap_connections: Gauge,
    imap_released: Family<ReasonLabels, Counter>,
    imap_command_seconds: Histograms<CommandLabels>,
    smtp_sends: Family<OutcomeLabels, Counter>,
    login_failures: Family<ReasonLabels, Counter>,
    list_cache: Family<CacheLabels, Counter>,
}

/// 5 ms … 20 s: a page is fast, an upload on a slow line is not.
fn request_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.0, 13))
}

/// 0.5 ms … 8 s: NOOP on a local Dovecot takes ~0.2 ms, SORT of 10,000 messages ~23 ms.
fn command_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("carteiro");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let request_seconds = Histograms::<RouteLabels>::new_with_constructor(request_buckets);
        registry.register_with_unit(
            "http_request_duration",
            "Time to the response head, by method and route template",
            Unit::Seconds,
            request_seconds.clone(),
        );
        let sessions_live = Gauge::default();
        registry.register(
            "sessions_live",
            "Sessions with a live IMAP actor in this process",
            sessions_live.clone(),
        );
        let imap_connections = Gauge::default();
        registry.register(
            "imap_connections_open",
            "Authenticated IMAP connections open, all sessions together",
            imap_connections.clone(),
        );
        let imap_released = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "imap_connections_released",
            "IMAP connections logged out while their session went on: idle for too long, or reclaimed for another session at the connection limit",
            imap_released.clone(),
        );
        let imap_command_seconds =
            Histograms::<CommandLabels>::new_with_constructor(command_buckets);
        registry.register_with_unit(
            "imap_command_duration",
            "IMAP command round trips, by command verb",
            Unit::Seconds,
            imap_command_seconds.clone(),
        );
        let smtp_sends = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "smtp_sends",
            "Messages submitted over SMTP, by outcome (sent, or why not)",
            smtp_sends.clone(),
        );
        let login_failures = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "login_failures",
            "Failed logins, by reason",
            login_failures.clone(),
        );
        let list_cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "list_cache_lookups",
            "Lookups in the shared list caches: cache=order (a folder's sorted UIDs: hit, \
             extended with new mail, or miss = one UID SORT) and cache=rows (one per list row: \
             hit = only its flags fetched, miss = fetched whole)",
            list_cache.clone(),
        );
        Metrics {
            list_cache,
            registry,
            requests,
            request_seconds,
            sessions_live,
            imap_connections,
            imap_released,
            imap_command_seconds,
            smtp_sends,
            login_failures,
        }
    }

    /// The OpenMetrics text exposition of every family.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    /// Records one answered request under its route template (see [`method_label`]).
    pub fn request_done(&self, method: &'static str, route: String, status: u16, took: Duration) {
        self.request_seconds
            .get_or_create(&RouteLabels {
                method,
                route: route.clone(),
            })
            .observe(took.as_secs_f64());
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
    }

    /// Counts a session actor for as long as the guard lives.
    pub fn session_started(&self) -> GaugeGuard {
        GaugeGuard::new(&self.sessions_live)
    }

    /// Counts an open IMAP connection for as long as the guard lives.
    pub fn imap_connection_opened(&self) -> GaugeGuard {
        GaugeGuard::new(&self.imap_connections)
    }

    /// Counts one connection logged out while its session goes on: `idle` or `reclaimed`.
    pub fn imap_connection_released(&self, reason: &'static str) {
        self.imap_released
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// Records one IMAP command's round trip; `command` is the full command line, of which
    /// only the verb is kept.
    pub fn imap_command(&self, command: &str, took: Duration) {
        self.imap_command_seconds
            .get_or_create(&CommandLabels {
                command: imap_verb(command),
            })
            .observe(took.as_secs_f64());
    }

    /// Counts one lookup of a folder's sorted order: `hit`, `extended` or `miss`.
    pub fn list_cache(&self, cache: &'static str, outcome: &'static str) {
        self.list_cache
            .get_or_create(&CacheLabels { cache, outcome })
            .inc();
    }

    /// Counts the rows of one list FETCH found in the row cache and those fetched whole.
    pub fn list_cache_rows(&self, hits: u64, misses: u64) {
        for (outcome, n) in [("hit", hits), ("miss", misses)] {
            if n > 0 {
                self.list_cache
                    .get_or_create(&CacheLabels {
                        cache: "rows",
                        outcome,
                    })
                    .inc_by(n);
            }
        }
    }

    /// Counts one SMTP submission: `sent`, or a short reason it was not.
    pub fn smtp_send(&self, outcome: &'static str) {
        self.smtp_sends
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// Counts one failed login: `wrong_credentials`, `throttled`, `unavailable`, …
    pub fn login_failed(&self, reason: &'static str) {
        self.login_failures
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }
}

/// Adds one to a gauge now and takes it away when dropped, however the owner ends.
pub struct GaugeGuard(Gauge);

impl GaugeGuard {
    fn new(gauge: &Gauge) -> GaugeGuard {
        gauge.inc();
        GaugeGuard(gauge.clone())
    }
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The verb of an IMAP command line (`UID FETCH`, `SELECT`), from the fixed list Carteiro
/// sends; anything else is `OTHER`, so no argument (a folder name, a search term) can ever
/// become a label.
fn imap_verb(command: &str) -> &'static str {
    const VERBS: &[&str] = &[
        "APPEND",
        "CAPABILITY",
        "CLOSE",
        "COPY",
        "CREATE",
        "DELETE",
        "ENABLE",
        "EXAMINE",
        "EXPUNGE",
        "FETCH",
        "GETMETADATA",
        "GETQUOTAROOT",
        "ID",
        "IDLE",
        "LIST",
        "LOGOUT",
        "LSUB",
        "MOVE",
        "NOOP",
        "RENAME",
        "SEARCH",
        "SELECT",
        "SETMETADATA",
        "SORT",
        "STATUS",
        "STORE",
        "SUBSCRIBE",
        "THREAD",
        "UNSELECT",
        "UNSUBSCRIBE",
    ];
    const UID_VERBS: &[&str] = &[
        "UID COPY",
        "UID EXPUNGE",
        "UID FETCH",
        "UID MOVE",
        "UID SEARCH",
        "UID SORT",
        "UID STORE",
        "UID THREAD",
    ];
    let mut words = command.split_ascii_whitespace();
    let first = words.next().unwrap_or_default();
    if first.eq_ignore_ascii_case("UID") {
        let second = words.next().unwrap_or_default();
        return UID_VERBS
            .iter()
            .find(|v| v[4..].eq_ignore_ascii_case(second))
            .copied()
            .unwrap_or("UID OTHER");
    }
    VERBS
        .iter()
        .find(|v| v.eq_ignore_ascii_case(first))
        .copied()
        .unwrap_or("OTHER")
}

/// The method as a label: the standard ones by name, anything a client invents as `OTHER`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The metrics listener's router: `GET /metrics` and nothing else.
///
/// It is served on `metrics_listen`, never on the public listener. The numbers are not
/// secret, but they tell an outsider how many people use the service, when, and whether
/// logins are failing, and scraping costs work; a separate address that the admin binds to
/// loopback or to an internal network is the usual arrangement (Prometheus scrapes it there)
/// and needs no token to manage. An allow-list on the public listener was rejected: behind
/// a reverse proxy every request comes from the proxy's address, so the list would rest on
/// the forwarding headers and on `trusted_proxies` being right, and a proxy that forwards
/// everything would publish the path anyway.
pub fn router(metrics: Arc<Metrics>) -> Router {
    Router::new().route(
        "/metrics",
        get(move || async move {
            (
                [(
                    header::CONTENT_TYPE,
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                )],
                metrics.render(),
            )
                .into_response()
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_verbs_become_labels() {
        assert_eq!(imap_verb("UID FETCH 1:50 (FLAGS)"), "UID FETCH");
        assert_eq!(imap_verb("select \"Família\""), "SELECT");
        assert_eq!(imap_verb("UID XYZZY secret"), "UID OTHER");
        assert_eq!(imap_verb("Projetos/Obra"), "OTHER");
        assert_eq!(imap_verb(""), "OTHER");
    }

    #[test]
    fn families_render_with_the_carteiro_prefix_and_units() {
        let metrics = Metrics::new();
        metrics.login_failed("wrong_credentials");
        metrics.imap_command("NOOP", Duration::from_millis(1));
        let _open = metrics.imap_connection_opened();
        let text = metrics.render();
        assert!(text.contains("carteiro_login_failures_total{reason=\"wrong_credentials\"} 1"));
        assert!(text.contains("carteiro_imap_command_duration_seconds_count{command=\"NOOP\"} 1"));
        assert!(text.contains("carteiro_imap_connections_open 1"));
        assert!(text.ends_with("# EOF\n"));
    }
}
