//! Finding a domain's servers from what the domain itself publishes (`upstream_discovery`):
//! RFC 6186 SRV records first (`_imaps._tcp`, then `_imap._tcp`; `_submissions._tcp` (RFC
//! 8314), then `_submission._tcp`; `_sieve._tcp` from RFC 5804), and, when they name no IMAP
//! or no submission server, the domain's autoconfig file as Thunderbird reads it
//! (`https://autoconfig.<domain>/mail/config-v1.1.xml`, then
//! `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`).
//!
//! Everything here comes from whoever controls the domain's DNS, which is anyone who can
//! type a domain into the login form: every host it names, the autoconfig host included,
//! must pass the allow-list before anything connects to it ([`super::UpstreamMap::resolve`]
//! checks the servers, [`Discovery::autoconfig`] the web host), and discovery cannot be
//! switched on without an allow-list. Autoconfig is fetched over HTTPS only, certificate
//! checked as for every upstream, without following redirects, with a small size cap and
//! short timeouts; a server offering only clear text is not used (the person's password
//! would cross the network in clear).
//!
//! Answers are cached (found for an hour, nothing found for five minutes), bounded in
//! entries, and concurrent logins of one domain share one lookup.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;

use crate::upstream::{Protocol, Upstream};

/// How long one domain's whole discovery may take.
const LOOKUP_BUDGET: Duration = Duration::from_secs(8);
/// How long one DNS query or one autoconfig fetch may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(4);
/// An autoconfig file larger than this is not read.
const MAX_AUTOCONFIG: usize = 64 * 1024;
/// Domains remembered at once.
const CACHE_ENTRIES: u64 = 10_000;
const FOUND_FOR: Duration = Duration::from_secs(3600);
const NOTHING_FOR: Duration = Duration::from_secs(300);

/// The resolver, the HTTPS client and the cache of answers.
pub struct Discovery {
    resolver: TokioResolver,
    http: reqwest::Client,
    cache: moka::future::Cache<String, Found>,
}

/// The servers a domain publishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovered {
    pub imap: Upstream,
    pub smtp: Upstream,
    pub sieve: Option<Upstream>,
}

/// Whether a web host may be contacted (the allow-list, which the caller holds: this module
/// knows nothing of it), given a way to look up the host's addresses.
pub type HostCheck<'a> =
    &'a (dyn Fn(String) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> + Send + Sync);

/// One domain's answer, cached: its servers, or that it has none.
#[derive(Clone)]
struct Found(Option<Discovered>);

impl std::fmt::Debug for Discovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Discovery")
            .field("cached", &self.cache.entry_count())
            .finish()
    }
}

/// Keeps "nothing found" shorter than "found", so a domain that publishes its records a
/// minute after a failed login is not refused for an hour.
struct Lifetimes;

impl moka::Expiry<String, Found> for Lifetimes {
    fn expire_after_create(&self, _: &String, found: &Found, _: Instant) -> Option<Duration> {
        Some(if found.0.is_some() {
            FOUND_FOR
        } else {
            NOTHING_FOR
        })
    }
}

impl Discovery {
    /// A discovery asking `dns` (an `ip:port`) for SRV records and host addresses, or the
    /// system's resolvers (`/etc/resolv.conf`) when `None`.
    pub fn new(dns: Option<SocketAddr>, tls: rustls::ClientConfig) -> Result<Discovery, String> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = match dns {
            Some(addr) => {
                let mut connections = vec![ConnectionConfig::udp(), ConnectionConfig::tcp()];
                for connection in &mut connections {
                    connection.port = addr.port();
                }
                let server = NameServerConfig::new(addr.ip(), true, connections);
                TokioResolver::builder_with_config(
                    ResolverConfig::from_name_servers(vec![server]),
                    provider,
                )
            }
            None => TokioResolver::builder(provider)
                .map_err(|e| format!("cannot read the system's DNS settings: {e}"))?,
        };
        builder.options_mut().timeout = STEP_TIMEOUT;
        let resolver = builder
            .build()
            .map_err(|e| format!("DNS resolver set-up failed: {e}"))?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .https_only(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(STEP_TIMEOUT)
            .dns_resolver(Arc::new(HickoryHttpResolver(resolver.clone())))
            .build()
            .map_err(|e| format!("HTTPS client set-up failed: {e}"))?;
        Ok(Discovery {
            resolver,
            http,
            cache: moka::future::Cache::builder()
                .max_capacity(CACHE_ENTRIES)
                .expire_after(Lifetimes)
                .build(),
        })
    }

    /// The servers `domain` (already clean) publishes, or `None`. The caller checks them
    /// against the allow-list; `allowed` guards the autoconfig host before it is fetched.
    pub async fn discover(&self, domain: &str, allowed: HostCheck<'_>) -> Option<Discovered> {
        let found = self
            .cache
            .get_with(domain.to_string(), async {
                let work = self.look_up(domain, allowed);
                let found = tokio::time::timeout(LOOKUP_BUDGET, work)
                    .await
                    .ok()
                    .flatten();
                tracing::info!(
                    domain,
                    found = ?found,
                    "upstream discovery"
                );
                Found(found)
            })
            .await;
        found.0
    }

    async fn look_up(&self, domain: &str, allowed: HostCheck<'_>) -> Option<Discovered> {
        let imap = match self
            .srv(Protocol::Imap, "_imaps._tcp", domain, "imaps")
            .await
        {
            Some(found) => Some(found),
            None => self.srv(Protocol::Imap, "_imap._tcp", domain, "imap").await,
        };
        let smtp = match self
            .srv(Protocol::Smtp, "_submissions._tcp", domain, "smtps")
            .await
        {
            Some(found) => Some(found),
            None => {
                self.srv(Protocol::Smtp, "_submission._tcp", domain, "smtp")
                    .await
            }
        };
        let sieve = self
            .srv(Protocol::Sieve, "_sieve._tcp", domain, "sieve")
            .await;
        if let (Some(imap), Some(smtp)) = (&imap, &smtp) {
            return Some(Discovered {
                imap: imap.clone(),
                smtp: smtp.clone(),
                sieve,
            });
        }
        let (auto_imap, auto_smtp) = self.autoconfig(domain, allowed).await?;
        Some(Discovered {
            imap: imap.unwrap_or(auto_imap),
            smtp: smtp.unwrap_or(auto_smtp),
            sieve,
        })
    }

    /// The server an SRV name points to: lowest priority first, then highest weight (a
    /// fixed choice rather than RFC 2782's weighted draw, so one domain always gets the
    /// same server and the cache means something). A target of "." says the service is
    /// not offered.
    async fn srv(
        &self,
        protocol: Protocol,
        service: &str,
        domain: &str,
        scheme: &str,
    ) -> Option<Upstream> {
        let name = format!("{service}.{domain}.");
        let lookup = self.resolver.lookup(name, RecordType::SRV).await.ok()?;
        let mut records: Vec<_> = lookup
            .answers()
            .iter()
            .filter_map(|record| match &record.data {
                RData::SRV(srv) => Some(srv.clone()),
                _ => None,
            })
            .collect();
        records.sort_by_key(|srv| (srv.priority, std::cmp::Reverse(srv.weight)));
        let best = records.first()?;
        let target = best.target.to_ascii();
        let target = target.trim_end_matches('.');
        if target.is_empty() || best.port == 0 {
            return None;
        }
        Upstream::parse(protocol, &format!("{scheme}://{target}:{}", best.port)).ok()
    }

    /// IMAP and SMTP servers from the domain's autoconfig file, if one is published on an
    /// allowed host and names servers reached over TLS.
    async fn autoconfig(
        &self,
        domain: &str,
        allowed: HostCheck<'_>,
    ) -> Option<(Upstream, Upstream)> {
        let places = [
            (
                format!("autoconfig.{domain}"),
                "/mail/config-v1.1.xml".to_string(),
            ),
            (
                domain.to_string(),
                "/.well-known/autoconfig/mail/config-v1.1.xml".to_string(),
            ),
        ];
        for (host, path) in places {
            if !allowed(host.clone()).await {
                tracing::debug!(host, "autoconfig host not in upstream_allow: not fetched");
                continue;
            }
            let Some(text) = self.fetch(&format!("https://{host}{path}")).await else {
                continue;
            };
            if let Some(found) = parse_autoconfig(&text, domain) {
                return Some(found);
            }
        }
        None
    }

    async fn fetch(&self, url: &str) -> Option<String> {
        let mut response = self.http.get(url).send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.ok()? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_AUTOCONFIG {
                return None;
            }
        }
        String::from_utf8(body).ok()
    }

    /// A host's addresses through the discovery resolver, the one autoconfig is fetched
    /// through (for the allow-list's networks).
    pub async fn addresses(&self, host: String) -> Vec<IpAddr> {
        match self.resolver.lookup_ip(host.as_str()).await {
            Ok(found) => found.iter().collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// The HTTPS client resolves autoconfig hosts with the same resolver as the SRV records,
/// so one DNS server (`discovery_dns`) answers for all of discovery.
struct HickoryHttpResolver(TokioResolver);

impl reqwest::dns::Resolve for HickoryHttpResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = self.0.clone();
        Box::pin(async move {
            let found = resolver.lookup_ip(name.as_str()).await?;
            let addrs: Vec<SocketAddr> = found.iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The first IMAP incoming server and the first SMTP outgoing server over TLS (SSL or
/// STARTTLS) in a Thunderbird autoconfig file; `%EMAILDOMAIN%` becomes `domain`.
fn parse_autoconfig(text: &str, domain: &str) -> Option<(Upstream, Upstream)> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let server = |tag: &str, kind: &str, protocol: Protocol, tls: &str, starttls: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name(tag) && n.attribute("type") == Some(kind))
            .find_map(|n| {
                let child = |name: &str| {
                    n.children()
                        .find(|c| c.has_tag_name(name))
                        .and_then(|c| c.text())
                        .map(str::trim)
                };
                let host = child("hostname")?.replace("%EMAILDOMAIN%", domain);
                let port: u16 = child("port")?.parse().ok()?;
                let scheme = match child("socketType")?.to_ascii_uppercase().as_str() {
                    "SSL" => tls,
                    "STARTTLS" => starttls,
                    _ => return None,
                };
                if host.is_empty()
                    || !host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                {
                    return None;
                }
                Upstream::parse(protocol, &format!("{scheme}://{host}:{port}")).ok()
            })
    };
    let imap = server("incomingServer", "imap", Protocol::Imap, "imaps", "imap")?;
    let smtp = server("outgoingServer", "smtp", Protocol::Smtp, "smtps", "smtp")?;
    Some((imap, smtp))
}

#[cfg(test)]
mod tests {
    use super::*;

    const THUNDERBIRD_STYLE: &str = r#"<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <incomingServer type="pop3">
      <hostname>pop.example.org</hostname><port>995</port><socketType>SSL</socketType>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.example.org</hostname><port>143</port><socketType>plain</socketType>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>mail.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.org</hostname><port>587</port><socketType>STARTTLS</socketType>
    </outgoingServer>
  </emailProvider>
</clientConfig>"#;

    #[test]
    fn autoconfig_gives_the_first_servers_over_tls_and_skips_clear_text() {
        let (imap, smtp) = parse_autoconfig(THUNDERBIRD_STYLE, "example.org").unwrap();
        assert_eq!(imap.to_string(), "imaps://mail.example.org:993");
        assert_eq!(smtp.to_string(), "smtp://smtp.example.org:587");
    }

    #[test]
    fn autoconfig_without_a_tls_server_or_with_a_hostile_host_gives_nothing() {
        let clear = THUNDERBIRD_STYLE.replace(
            "<socketType>SSL</socketType>\n    </incomingServer>\n    <outgoingServer",
            "<socketType>plain</socketType>\n    </incomingServer>\n    <outgoingServer",
        );
        assert!(parse_autoconfig(&clear, "example.org").is_none());
        let hostile = THUNDERBIRD_STYLE.replace("mail.%EMAILDOMAIN%", "evil@host/x");
        assert!(parse_autoconfig(&hostile, "example.org").is_none());
        assert!(parse_autoconfig("<not xml", "example.org").is_none());
    }
}
