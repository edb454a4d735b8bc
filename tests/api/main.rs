//! Integration tests: one binary, a real Carteiro against the real local Dovecot.
//! Start the stack first: `scripts/mailstack.sh up` (the README's test command does).

mod accessibility;
mod apps;
mod audit;
mod browser;
mod caching;
mod chaos;
mod compose;
mod connections;
mod corpus;
mod csrf;
mod dos;
mod e2e;
mod folders;
mod fuzz_regressions;
mod helpers;
mod hostile;
mod http;
mod instances;
mod languages;
mod limits;
mod listing;
mod load;
mod login;
mod memory;
mod message;
mod observability;
mod organise;
mod packaging;
mod preferences;
mod proxy;
mod resilience;
mod search;
mod shutdown;
mod upstream_tls;
