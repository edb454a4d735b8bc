//! What mail apps (Thunderbird, Outlook, Apple Mail, phones) should connect to, and the
//! automatic-configuration documents built from it.
//!
//! These are the names the world uses (`mail.example.com:993`), set by the admin with
//! `apps_imap`, `apps_pop3` and `apps_smtp`; they may differ from the upstreams Carteiro
//! itself dials (`dovecot:143` inside Docker). Unset, IMAP and SMTP default to Carteiro's own
//! `imap_url` and `smtp_url`, and POP3 is not offered.
//!
//! Login name: apps are told to sign in with the e-mail address. The anonymous documents
//! (autoconfig, Autodiscover) only know the address the app asks about, and Carteiro sends
//! mail as its login name (`From:` is the session user name), so a login name that is not
//! the address is not a setup Carteiro serves today. The signed-in page and the Apple
//! profile use the session's login name as it is, which is that same address.

pub mod autoconfig;
pub mod autodiscover;
pub mod mobileconfig;
mod servers;
pub mod xml;

pub use servers::{domain_of, parse_server, AppsUrlError, Encryption, Kind, MailApps, Server};
