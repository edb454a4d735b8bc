//! Filters and the out-of-office reply, kept as one Sieve script on the ManageSieve server:
//! the workflows the filter pages call, with no HTTP in sight.
//!
//! - [`error`]: what can go wrong, with its cause; the pages put it into words.
//! - [`load`]: the scripts on the server, which one is active, and Carteiro's own read back
//!   into [`crate::sieve::model::Filters`] (or found to be written by hand: foreign).
//! - [`save`]: writing Carteiro's script from the filters, or a script as typed in the
//!   expert editor, without ever destroying what someone else wrote.
//! - [`status`]: whether an out-of-office reply is on, cached per account for the banner
//!   every page shows.
//!
//! Every workflow opens its own ManageSieve connection and closes it: a person changes
//! filters rarely, and a connection held per session would tie up the server's
//! connection limit for nothing.

pub mod error;
pub mod load;
pub mod save;
pub mod status;

pub use error::FilterError;
pub use load::{Loaded, OwnScript};
pub use save::{Activate, Saved};
pub use status::{StatusCache, VacationOn};
