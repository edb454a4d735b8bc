//! Integration tests: one binary, a real Carteiro against the real local Dovecot.
//! Start the stack first: `scripts/mailstack.sh up` (the README's test command does).

mod audit;
mod chaos;
mod compose;
mod corpus;
mod folders;
mod fuzz_regressions;
mod helpers;
mod listing;
mod login;
mod message;
mod organise;
mod resilience;
mod search;
