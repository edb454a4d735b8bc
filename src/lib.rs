//! Carteiro: a webmail gateway that brings an IMAP/SMTP mailbox to the browser.

/// Per-domain look: accent colours checked strictly, with their contrast (a leaf).
pub mod brand;
/// The CardDAV client: an address book on a CardDAV server, for the contacts.
pub mod carddav;
/// Configuration from a TOML file and `CARTEIRO_*` variables.
pub mod config;
/// The address book: contacts (CardDAV or a private IMAP folder) and recipient suggestions.
pub mod contacts;
/// Readiness: whether the IMAP server can be reached, asked at most every few seconds.
pub mod health;
/// `carteiro healthcheck`: asks a running server whether it is healthy.
pub mod healthcheck;
/// Languages: Fluent messages, and numbers, sizes and dates written per language.
pub mod i18n;
/// IMAP connections, the per-session actor and typed operations.
pub mod imap;
/// Accepting any upstream certificate, only when the admin explicitly asks (`tls_insecure`).
pub mod insecure_tls;
/// Mail workflows the pages call: replies and forwards, drafts, sending.
pub mod mail;
/// What mail apps connect to, and the automatic-configuration documents built from it.
pub mod mailapps;
/// Prometheus metrics and the `/metrics` endpoint.
pub mod metrics;
/// Message parsing, rendering and sanitizing.
pub mod mime;
/// The mail types shared by imap, mime and the pages (folders, flags, rows, parts).
pub mod model;
/// Changing a person's password through the admin's backend (a program or a panel's API).
pub mod password;
/// Percent-encoding of text put into URLs.
pub mod percent;
/// A person's preferences (theme, page size, language…), kept on the IMAP server.
pub mod prefs;
/// The HTTP accept loop, with graceful shutdown and limits on slow clients.
pub mod server;
/// Sessions: cookie, store, login and logout.
pub mod session;
/// Sieve filters and the vacation reply over ManageSieve (RFC 5804): the client, the filter
/// model and Carteiro's own script.
pub mod sieve;
/// Building and submitting outgoing mail.
pub mod smtp;
/// Building and running the application: the one composition root.
pub mod startup;
/// The state every request shares.
pub mod state;
/// Tracing set-up that never logs credentials.
pub mod telemetry;
/// The TLS client set-up shared by the upstreams (web PKI roots, `tls_ca_file`, `tls_insecure`).
pub mod tls;
/// The upstream servers as URLs: protocol, host, port and transport security (a leaf).
pub mod upstream;
/// Many domains, one instance: which servers a login's domain uses (`upstream_map`).
pub mod upstream_map;
/// HTTP routes, pages and middleware.
pub mod web;
