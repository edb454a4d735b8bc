//! `carteiro healthcheck [--ready]`: asks the running server on the configured listen address
//! for `/healthz` (or `/readyz`) and exits 0 when it answers 200, 1 otherwise.
//!
//! It exists for the container image's `HEALTHCHECK`: the image holds nothing but the binary,
//! so there is no curl or wget to do it. It reads the same configuration as the server (only
//! `listen` and `base_path`), so the check follows the server wherever it is told to listen.
//! A bare HTTP/1.1 request over a `std` socket is all it needs; no HTTP client library, no
//! async runtime.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// Connecting, writing and reading each have this long; Docker's own timeout is longer.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Which endpoint to ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    /// `/healthz`: the process serves HTTP (the default, what a container health check wants:
    /// an IMAP outage must not get Carteiro restarted).
    Live,
    /// `/readyz`: and the IMAP server can be reached.
    Ready,
}

/// Asks `listen` (where the server listens) for the probe's path under `base_path`. An
/// unspecified address (`0.0.0.0`, `::`) is asked on loopback.
pub fn check(listen: SocketAddr, base_path: &str, probe: Probe) -> Result<(), String> {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let addr = SocketAddr::new(ip, listen.port());
    let path = match probe {
        Probe::Live => "healthz",
        Probe::Ready => "readyz",
    };
    let url = format!("http://{addr}{base_path}/{path}");
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)
        .map_err(|e| format!("{url}: cannot connect: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| format!("{url}: {e}"))?;
    let request = format!(
        "GET {base_path}/{path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: carteiro-healthcheck\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("{url}: cannot send the request: {e}"))?;
    // The status line is all that matters; read a little more than it, never the world.
    let mut head = Vec::new();
    stream
        .take(1024)
        .read_to_end(&mut head)
        .map_err(|e| format!("{url}: no answer: {e}"))?;
    let head = String::from_utf8_lossy(&head);
    let status_line = head.lines().next().unwrap_or_default();
    match status_line.split(' ').nth(1) {
        Some("200") => Ok(()),
        Some(status) => Err(format!("{url}: answered {status}")),
        None => Err(format!("{url}: not an HTTP answer: {status_line:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_listening_is_unhealthy() {
        // Bind, learn a free port, and close it again: nobody listens there now.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let listen: SocketAddr = format!("0.0.0.0:{port}").parse().unwrap();
        let error = check(listen, "", Probe::Live).unwrap_err();
        assert!(error.contains("cannot connect"), "{error}");
        assert!(
            error.contains(&format!("127.0.0.1:{port}/healthz")),
            "{error}"
        );
    }
}
