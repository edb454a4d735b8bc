//! The syntaxes of setting values: addresses, paths, sizes, durations, booleans, networks.

use std::net::SocketAddr;
use std::time::Duration;

use super::error::ConfigError;

pub(super) fn parse_listen(text: &str) -> Result<SocketAddr, ConfigError> {
    text.trim().parse().map_err(|_| {
        ConfigError::invalid(
            "listen",
            format!("address {text:?} is not an IP:port such as 0.0.0.0:8080"),
        )
    })
}

/// `true`/`false` and the usual spellings of each, in an environment variable `var`.
pub(super) fn parse_bool(var: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::invalid(
            var,
            format!("must be true or false, not {value:?}"),
        )),
    }
}

/// `"/webmail/"` → `"/webmail"`, `"/"` → `""`; anything that is not a plain path is refused.
pub(super) fn normalize_base_path(text: &str) -> Result<String, ConfigError> {
    let trimmed = text.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    let ok = trimmed.starts_with('/')
        && !trimmed.contains("//")
        && trimmed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-_.~".contains(c));
    if !ok {
        return Err(ConfigError::invalid(
            "base_path",
            format!("{text:?} must be a path such as /webmail (letters, digits, - _ . ~)"),
        ));
    }
    Ok(trimmed.to_string())
}

/// Accepts `25MB`, `512KB`, `1GB` or a bare number of bytes.
pub fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim().to_ascii_uppercase();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text.as_str(), ""),
    };
    let n: usize = number.parse().ok()?;
    let factor = match unit.trim() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1024,
        "M" | "MB" | "MIB" => 1024 * 1024,
        "G" | "GB" | "GIB" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(factor).filter(|&n| n > 0)
}

/// Accepts `90s`, `30m`, `2h`, `1d` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number.parse().ok()?;
    let secs = match unit.trim() {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (secs > 0).then(|| Duration::from_secs(secs))
}

/// Whether `host` is this machine (where plain http exposes nothing to the network).
pub(super) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `10.0.0.5`, `10.0.0.0/8` or `::1`: an address is a network of one.
pub(super) fn parse_network(text: &str) -> Result<ipnet::IpNet, ConfigError> {
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| {
            ConfigError::invalid(
                "trusted_proxies",
                format!(
                    "entry {text:?} is not an address or network such as 10.0.0.5 or 172.16.0.0/12"
                ),
            )
        })
}

/// A URL with its password (if any) replaced, for messages and logs.
pub fn redact(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(unparsable URL)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_a_unit() {
        assert_eq!(parse_size("25MB"), Some(25 * 1024 * 1024));
        assert_eq!(parse_size("512 kb"), Some(512 * 1024));
        assert_eq!(parse_size("huge"), None);
    }

    #[test]
    fn durations_and_base_paths_are_validated() {
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(normalize_base_path("/webmail/").unwrap(), "/webmail");
        assert_eq!(normalize_base_path("/").unwrap(), "");
        assert!(normalize_base_path("webmail").is_err());
        assert!(normalize_base_path("/a\"b").is_err());
    }
}
