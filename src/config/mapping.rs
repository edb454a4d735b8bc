//! `upstream_map` and `upstream_allow`: reading the many-domains settings.
//!
//! Unset, Carteiro has one IMAP/SMTP/ManageSieve upstream as always, and a `%d` in one of
//! their URLs is refused (it would otherwise be dialled as a literal host name). Set to
//! `template`, the URLs must hold `%d` and `upstream_allow` must name where they may lead;
//! set to a path, that TOML file maps domains to servers.

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

/// The mapping the settings describe; `None` for the single upstream of old.
pub(super) fn upstream_map(
    mode: Option<&str>,
    allow: &[String],
    urls: &UrlTexts<'_>,
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
    let mapping = match mode.map(str::trim) {
        None | Some("") => {
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
    Ok(Some(Arc::new(UpstreamMap { mapping, allow })))
}

fn protocol_example(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Imap => "imaps",
        Protocol::Smtp => "smtps",
        Protocol::Sieve => "sieve",
        Protocol::CardDav => "https",
    }
}
