//! The byte stream under every IMAP connection, boxed so TLS and plain TCP share one code
//! path: what dialling ([`super::connect`]) produces and a connection ([`super::conn`]) reads.

use std::fmt::Debug;

use tokio::io::{AsyncRead, AsyncWrite};

/// Any byte stream an IMAP client can run over (TCP or TLS over TCP).
pub trait ImapStream: AsyncRead + AsyncWrite + Unpin + Send + Sync + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync + Debug> ImapStream for T {}

/// The boxed stream type every connection uses, so TLS and plain share one code path.
pub type BoxedStream = Box<dyn ImapStream>;
