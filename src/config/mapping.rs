//! `upstream_map` and `upstream_allow`: reading the many-domains settings.
//!
//! Unset, Carteiro has one IMAP/SMTP/ManageSieve upstream as always, and a `%d` in one of
//! their URLs is refused (it would otherwise be dialled as a literal host name). Set to
//! `template`, the URLs must hold `%d` and `upstream_allow` must name where they may lead;
//! set to a path, that TOML file maps domains to servers; set to `discover`, each domain's
//! own SRV records or autoconfig file say (`upstream_discovery = true` adds that to a file or
//! a template, for the domains they do not name).

use std::path::PathBuf;
use std::sync::Arc;

use super::error::ConfigError;
use crate::upstream::Protocol;
use crate::upstream_map::{AllowList, MapFile, Mapping, Template, UpstreamMap};

/// The URL settings as written (`imap_url`, `smtp_url`, `managesieve_url`).
pub(super) struct UrlTexts<'a> {
    pub imap: Option<&'a str>,
    pub smtp: Option<&'a str>,
    pub sieve: Option<&'a str>,
}

/// The discovery settings as written (`upstream_discovery`, `discovery_dns`) and the TLS
/// settings autoconfig is fetched with.
pub(super) struct DiscoveryTexts<'a> {
    pub on: bool,
    pub dns: Option<&'a str>,
    pub tls_ca_file: Option<&'a std::path::Path>,
    pub tls_insecure: bool,
}

/// The mapping the settings describe; `None` for the single upstream of old.
pub(super) fn upstream_map(
    mode: Option<&str>,
    allow: &[String],
    urls: &UrlTexts<'_>,
    discover: &DiscoveryTexts<'_>,
) -> Result<Option<Arc<UpstreamMap>>, ConfigError> {
    let allow = AllowList::parse(allow).map_err(|entry| {
        ConfigError::invalid(
            "upstream_allow",
            format!("entry {entry:?} is not a host (mail.example.net), a wildcard (*.example.net) or a network (10.0.0.0/8)"),
        )
    })?;
    let templated = [
        ("imap_url", urls.imap),
        ("smtp_url", urls.smtp),
        ("managesieve_url", urls.sieve),
    ]
    .into_iter()
    .find(|(_, text)| text.is_some_and(Template::is_template));
    let mode = mode.map(str::trim);
    let mapping = match mode {
        None | Some("") => {
            if discover.on {
                return Err(ConfigError::invalid(
                    "upstream_discovery",
                    "needs upstream_map (\"discover\", \"template\" or a map file): with one server for everyone there is nothing to discover",
                ));
            }
            if let Some((setting, _)) = templated {
                return Err(ConfigError::invalid(
                    setting,
                    "holds %d, which stands for the login's domain only with upstream_map = \"template\" (and upstream_allow naming where it may lead)",
                ));
            }
            return Ok(None);
        }
        Some("template") => {
            let template = |setting: &'static str, protocol, text: Option<&str>| {
                let text = text.filter(|t| Template::is_template(t)).ok_or_else(|| {
                    ConfigError::invalid(
                        setting,
                        format!(
                            "must hold %d with upstream_map = \"template\", such as {}://mail.%d",
                            protocol_example(protocol)
                        ),
                    )
                })?;
                Ok::<_, ConfigError>(Template::parse(protocol, text)?)
            };
            if allow.is_empty() {
                return Err(ConfigError::invalid(
                    "upstream_allow",
                    "must name the hosts or networks a template may lead to (such as *.mail.example.net or 10.0.0.0/8): without it, anyone could make Carteiro dial any machine",
                ));
            }
            Mapping::Template {
                imap: template("imap_url", Protocol::Imap, urls.imap)?,
                smtp: template("smtp_url", Protocol::Smtp, urls.smtp)?,
                sieve: match urls.sieve.map(str::trim) {
                    None | Some("") => None,
                    text => Some(template("managesieve_url", Protocol::Sieve, text)?),
                },
            }
        }
        Some("discover") => {
            if let Some((setting, _)) = templated {
                return Err(ConfigError::invalid(
                    setting,
                    "holds %d, but upstream_map = \"discover\" takes each domain's servers from its DNS",
                ));
            }
            Mapping::Discover
        }
        Some(path) => {
            if let Some((setting, _)) = templated {
                return Err(ConfigError::invalid(
                    setting,
                    "holds %d, but upstream_map names a file: the file says each domain's servers",
                ));
            }
            let file = MapFile::open(PathBuf::from(path)).map_err(|e| {
                ConfigError::invalid(
                    "upstream_map",
                    format!("is \"template\" or a TOML file of [domains.\"example.com\"] tables with imap, smtp and managesieve URLs: {e}"),
                )
            })?;
            Mapping::File(file)
        }
    };
    let discovery = if discover.on || mode == Some("discover") {
        if allow.is_empty() {
            return Err(ConfigError::invalid(
                "upstream_allow",
                "must name the hosts or networks discovered servers may be (such as *.mail.example.net or 10.0.0.0/8): a domain's DNS is written by whoever owns the domain, and without the list anyone could make Carteiro dial any machine",
            ));
        }
        let dns = match discover.dns.map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(text) => Some(text.parse::<std::net::SocketAddr>().map_err(|_| {
                ConfigError::invalid(
                    "discovery_dns",
                    format!("{text:?} is not an ip:port such as 127.0.0.1:53"),
                )
            })?),
        };
        let tls = crate::tls::client_config(discover.tls_ca_file, discover.tls_insecure)?;
        Some(
            crate::upstream_map::discovery::Discovery::new(dns, tls)
                .map_err(|e| ConfigError::invalid("upstream_discovery", e))?,
        )
    } else {
        None
    };
    Ok(Some(Arc::new(UpstreamMap {
        mapping,
        allow,
        discovery,
    })))
}

fn protocol_example(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Imap => "imaps",
        Protocol::Smtp => "smtps",
        Protocol::Sieve => "sieve",
        Protocol::CardDav => "https",
    }
}
