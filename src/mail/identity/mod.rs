//! Identities: the names, addresses, reply-to addresses and signatures a person sends as,
//! and the admin's policy on which addresses those may be.
//!
//! - [`policy`]: the policy (`login`, `domain`, `any`) and the login's own address (a leaf,
//!   which the configuration reads too);
//! - [`model`]: an identity, the list with its default, how it is kept (one JSON document
//!   in one private METADATA entry) and checked;
//! - [`store`]: reading and writing them through the session, with the first identity made
//!   from the older display name and signature when none is stored.

pub mod model;
pub mod policy;
pub mod store;

#[cfg(test)]
mod tests;

pub use model::{Identities, Identity, Invalid, Rules, Typed, ENTRY, MAX_IDENTITIES};
pub use policy::Policy;
pub use store::{Book, OLDER_SIGNATURE};
