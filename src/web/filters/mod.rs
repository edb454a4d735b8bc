//! The filter pages: the out-of-office reply ([`vacation`]), forwarding and the list of rules
//! ([`list`]), one rule ([`rule`]) and expert mode ([`script`]), each with its router. What
//! they read and write is [`crate::mail::filters`]'s; these modules read forms and put the
//! outcome into words ([`shared`], [`words`]).
//!
//! Without a ManageSieve server configured the pages say so (404) and nothing links to them.

pub mod list;
pub mod rule;
pub mod script;
pub mod shared;
pub mod vacation;
pub mod words;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(vacation::router())
        .merge(list::router())
        .merge(rule::router())
        .merge(script::router())
}
