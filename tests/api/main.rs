//! Integration tests: one binary, a real Carteiro against the real local Dovecot.
//! Start the stack first: `scripts/mailstack.sh up` (the README's test command does).

mod accessibility;
mod apps;
mod audit;
mod browser;
mod chaos;
mod compose;
mod corpus;
mod csrf;
mod dos;
mod enhance;
mod events;
mod folders;
mod fuzz_regressions;
mod helpers;
mod hostile;
mod http;
mod instances;
mod languages;
mod limits;
mod listing;
mod login;
mod message;
mod observability;
mod organise;
mod packaging;
mod proxy;
mod resilience;
mod search;
mod shutdown;
mod upstream_tls;
