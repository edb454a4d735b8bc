//! Who is on the other end of a request: the client's address and whether it reached us
//! over HTTPS, seen through the reverse proxies the admin trusts.
//!
//! `X-Forwarded-*` and `Forwarded` headers are believed only when the connection comes from
//! an address in `trusted_proxies`; from anyone else they are ignored, or a client could pick
//! the address the login limits count against. The client address is the right-most entry
//! of the forwarding chain that is not itself a trusted proxy: entries further left were
//! written by the client and prove nothing.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::state::AppState;

/// The client as Carteiro should see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientInfo {
    /// The browser's address (for login limits and logs).
    pub ip: IpAddr,
    /// Whether the browser's request was made over HTTPS (cookies get `Secure`, HSTS is sent).
    pub https: bool,
}

/// Works out the client from the connection's peer and the request's headers.
pub fn resolve(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
    always_https: bool,
) -> ClientInfo {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return ClientInfo {
            ip: peer,
            https: always_https,
        };
    }
    let (chain, proto) = forwarded(headers);
    // Walk from the nearest hop outwards, past our own proxies.
    let ip = chain
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(chain.first())
        .copied()
        .unwrap_or(peer);
    ClientInfo {
        ip,
        https: always_https || proto.as_deref() == Some("https"),
    }
}

/// The forwarding chain (client first) and the scheme our nearest proxy reports, from
/// `Forwarded` (RFC 7239) when present, else from `X-Forwarded-For` and `X-Forwarded-Proto`.
fn forwarded(headers: &HeaderMap) -> (Vec<IpAddr>, Option<String>) {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_string())
            .collect()
    };
    let standard = values("forwarded");
    if !standard.is_empty() {
        let mut chain = Vec::new();
        let mut proto = None;
        for element in &standard {
            for pair in element.split(';') {
                let Some((key, value)) = pair.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "for" => {
                        if let Some(ip) = parse_node(value) {
                            chain.push(ip);
                        }
                    }
                    // Proxies append: the last value was written by ours, which we trust.
                    "proto" => proto = Some(value.to_ascii_lowercase()),
                    _ => {}
                }
            }
        }
        return (chain, proto);
    }
    let chain = values("x-forwarded-for")
        .iter()
        .filter_map(|v| parse_node(v))
        .collect();
    let proto = values("x-forwarded-proto")
        .last()
        .map(|p| p.to_ascii_lowercase());
    (chain, proto)
}

/// `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`, `[2001:db8::1]:4711` or `2001:db8::1`.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|inner| inner.parse().ok())
}

/// Middleware: records the [`ClientInfo`] of every request, and takes the original `Host`
/// from a trusted proxy's `X-Forwarded-Host`, so the CSRF layer's `Origin` check compares
/// against the name the browser used.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let trusted = &state.config.trusted_proxies;
    let client = resolve(
        peer,
        request.headers(),
        trusted,
        state.config.secure_cookies,
    );
    if trusted.iter().any(|net| net.contains(&peer)) {
        let host = request
            .headers()
            .get("x-forwarded-host")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .and_then(|v| HeaderValue::from_str(v).ok());
        if let Some(host) = host {
            request.headers_mut().insert(header::HOST, host);
        }
    }
    request.extensions_mut().insert(client);
    next.run(request).await
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let fallback = || ClientInfo {
            ip: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
                .unwrap_or(IpAddr::from([127, 0, 0, 1])),
            https: false,
        };
        Ok(parts
            .extensions
            .get::<ClientInfo>()
            .copied()
            .unwrap_or_else(fallback))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    const PROXY: &str = "10.0.0.5";

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = resolve(
            "198.51.100.7".parse().unwrap(),
            &h,
            &nets(&["10.0.0.0/8"]),
            false,
        );
        assert_eq!(client.ip, "198.51.100.7".parse::<IpAddr>().unwrap());
        assert!(!client.https);
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        // The client claimed 1.2.3.4; the proxy appended the real address.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4, 203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = resolve(PROXY.parse().unwrap(), &h, &nets(&["10.0.0.0/8"]), false);
        assert_eq!(client.ip, "203.0.113.9".parse::<IpAddr>().unwrap());
        assert!(client.https);
        // Two trusted proxies in a row are both skipped.
        let h = headers(&[("x-forwarded-for", "203.0.113.9, 10.0.0.7")]);
        let client = resolve(PROXY.parse().unwrap(), &h, &nets(&["10.0.0.0/8"]), false);
        assert_eq!(client.ip, "203.0.113.9".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn the_standard_forwarded_header_is_understood() {
        let h = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8::9]:4711\";proto=https",
        )]);
        let client = resolve(PROXY.parse().unwrap(), &h, &nets(&["10.0.0.5/32"]), false);
        assert_eq!(client.ip, "2001:db8::9".parse::<IpAddr>().unwrap());
        assert!(client.https);
    }

    #[test]
    fn a_trusted_peer_without_headers_is_the_client_itself() {
        let client = resolve(
            PROXY.parse().unwrap(),
            &HeaderMap::new(),
            &nets(&["10.0.0.5/32"]),
            true,
        );
        assert_eq!(client.ip, PROXY.parse::<IpAddr>().unwrap());
        assert!(client.https, "secure_cookies means every request is HTTPS");
    }
}
