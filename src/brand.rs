//! Per-domain look: the accent colour a map file may give a domain, checked strictly.
//!
//! The colour ends up in CSS (the `--accent` custom property), so only `#rgb` and `#rrggbb`
//! pass: a named colour, `rgb(…)` or anything with `;`, `(` or spaces could carry more CSS
//! than a colour (`red;background:url(x)`), and an allow-list of two shapes is easier to
//! trust than a CSS parser. Primary buttons print white text on the accent, so an accent
//! must also reach WCAG's 4.5:1 contrast against white, checked when the map is read.
//!
//! A leaf: imports nothing of the crate. The map file ([`crate::upstream_map`]) reads the
//! looks; the pages ask it which one applies.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

/// The product name shown when the map file names none.
pub const DEFAULT_PRODUCT: &str = "Carteiro";
/// A longer product name is refused: it sits in every page's title and header.
const MAX_PRODUCT_LEN: usize = 60;
/// A larger logo file is refused: it is held in memory with the map.
pub const MAX_LOGO_SIZE: u64 = 256 * 1024;

/// A logo read when the map file is: PNG or SVG by its first bytes, and small.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logo {
    pub bytes: Arc<[u8]>,
    /// `image/png` or `image/svg+xml`: decided by the bytes, never by the file name.
    pub content_type: &'static str,
    /// The first 16 hex digits of the bytes' SHA-256: the logo's URL, so it is cached for good.
    pub hash: String,
}

impl Logo {
    /// Reads and checks a logo file.
    pub fn read(path: &Path) -> Result<Logo, String> {
        let size = std::fs::metadata(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .len();
        if size > MAX_LOGO_SIZE {
            return Err(format!(
                "{} is larger than {MAX_LOGO_SIZE} bytes",
                path.display()
            ));
        }
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        // Checked again: the file may have grown between the two calls.
        if bytes.len() as u64 > MAX_LOGO_SIZE {
            return Err(format!("{} grew while read", path.display()));
        }
        let content_type = sniff(&bytes)
            .ok_or_else(|| format!("{} is neither a PNG nor an SVG image", path.display()))?;
        let hash: String = Sha256::digest(&bytes)
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Logo {
            bytes: bytes.into(),
            content_type,
            hash,
        })
    }

    /// The file name the logo is served under: `logo-<hash>.png` or `.svg`.
    pub fn file_name(&self) -> String {
        let ext = if self.content_type == "image/png" {
            "png"
        } else {
            "svg"
        };
        format!("logo-{}.{ext}", self.hash)
    }
}

/// PNG by its signature; SVG when, after an optional BOM, XML declaration, comments and
/// doctype, the first element is `<svg`. An HTML page named `logo.svg` is refused (and
/// even an SVG is only ever shown through `<img>`, under a CSP that runs nothing).
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("<?xml") {
            rest = r.split_once("?>")?.1.trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->")?.1.trim_start();
        } else if let Some(r) = rest.strip_prefix("<!DOCTYPE svg") {
            rest = r.split_once('>')?.1.trim_start();
        } else {
            break;
        }
    }
    let after = rest.strip_prefix("<svg")?;
    after
        .starts_with(|c: char| c.is_whitespace() || c == '>')
        .then_some("image/svg+xml")
}

/// One domain's look (or the map file's default): each part optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Look {
    pub product_name: Option<String>,
    pub accent: Option<Accent>,
    pub logo: Option<Logo>,
}

impl Look {
    /// Reads one entry's look as written; a refused part is logged with `who` (the domain,
    /// or "default") and left out, so the default shows instead of a hostile value.
    pub fn read(
        who: &str,
        product_name: Option<&str>,
        accent: Option<&str>,
        logo: Option<&Path>,
    ) -> Look {
        let product_name = product_name.map(str::trim).filter(|n| !n.is_empty());
        let product_name = match product_name {
            Some(name)
                if name.chars().count() <= MAX_PRODUCT_LEN
                    && !name.chars().any(char::is_control) =>
            {
                Some(name.to_string())
            }
            Some(_) => {
                tracing::warn!(domain = who, "product_name refused: over {MAX_PRODUCT_LEN} characters or holds control characters; the default is used");
                None
            }
            None => None,
        };
        let accent = match accent.map(Accent::parse_for_buttons) {
            Some(Ok(accent)) => Some(accent),
            Some(Err(e)) => {
                tracing::warn!(domain = who, error = %e, "accent refused; the default is used");
                None
            }
            None => None,
        };
        let logo = match logo.map(Logo::read) {
            Some(Ok(logo)) => Some(logo),
            Some(Err(e)) => {
                tracing::warn!(domain = who, error = %e, "logo refused; the default is used");
                None
            }
            None => None,
        };
        Look {
            product_name,
            accent,
            logo,
        }
    }
}

/// Every look of a map file: the default, each domain's, and which web host names which
/// domain (for the login page, before anyone has signed in).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Looks {
    pub default: Look,
    pub domains: HashMap<String, Look>,
    /// Lower-case host name (no port) → domain.
    pub hosts: HashMap<String, String>,
}

/// The look a page shows, resolved: a domain's parts, else the default's, else Carteiro's.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub product_name: String,
    pub accent: Option<Accent>,
    /// The served file name of the logo ([`Logo::file_name`]).
    pub logo: Option<String>,
}

impl Default for Shown {
    fn default() -> Shown {
        Shown {
            product_name: DEFAULT_PRODUCT.to_string(),
            accent: None,
            logo: None,
        }
    }
}

impl Looks {
    /// The look of `domain` (already clean), falling back part by part to the default.
    pub fn for_domain(&self, domain: Option<&str>) -> Shown {
        let own = domain.and_then(|d| self.domains.get(d));
        let pick = |f: fn(&Look) -> Option<String>| own.and_then(f).or_else(|| f(&self.default));
        Shown {
            product_name: pick(|l| l.product_name.clone())
                .unwrap_or_else(|| DEFAULT_PRODUCT.to_string()),
            accent: own.and_then(|l| l.accent).or(self.default.accent),
            logo: own
                .and_then(|l| l.logo.as_ref())
                .or(self.default.logo.as_ref())
                .map(Logo::file_name),
        }
    }

    /// The logo served as `name` (a [`Logo::file_name`]), if any look has it.
    pub fn logo(&self, name: &str) -> Option<Logo> {
        std::iter::once(&self.default)
            .chain(self.domains.values())
            .filter_map(|l| l.logo.as_ref())
            .find(|l| l.file_name() == name)
            .cloned()
    }

    /// The look for a request's `Host` header (its port ignored): the domain that lists the
    /// host, else the default.
    pub fn for_host(&self, host: Option<&str>) -> Shown {
        let host = host.map(|h| {
            let h = h.trim();
            // `[v6]:port`, `name:port`, `name`.
            let h = match h.rfind(':') {
                Some(i) if !h.ends_with(']') => &h[..i],
                _ => h,
            };
            h.trim_end_matches('.').to_ascii_lowercase()
        });
        let domain = host.and_then(|h| self.hosts.get(&h)).map(String::as_str);
        self.for_domain(domain)
    }
}

/// The text colour of primary buttons on the accent (`--accent-fg` in the light theme).
pub const BUTTON_TEXT: Accent = Accent([0xff, 0xff, 0xff]);
/// The least contrast WCAG 2 (AA) asks of normal text.
pub const MIN_CONTRAST: f64 = 4.5;

/// A checked accent colour: three 8-bit channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accent([u8; 3]);

/// Why an accent was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AccentError {
    /// Not `#rgb` or `#rrggbb`.
    #[error("{0:?} is not a colour of the form #rgb or #rrggbb")]
    Malformed(String),
    /// Readable text on it would be too faint.
    #[error("{colour} has a contrast of {ratio:.2}:1 against the white button text; at least 4.5:1 is needed")]
    LowContrast { colour: String, ratio: f64 },
}

impl Accent {
    /// Reads `#rgb` or `#rrggbb` (either case); nothing else.
    pub fn parse(text: &str) -> Result<Accent, AccentError> {
        let bad = || AccentError::Malformed(text.chars().take(40).collect());
        let hex = text.strip_prefix('#').ok_or_else(bad)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let nibble = |i: usize| u8::from_str_radix(&hex[i..i + 1], 16).map_err(|_| bad());
        match hex.len() {
            3 => Ok(Accent([nibble(0)? * 17, nibble(1)? * 17, nibble(2)? * 17])),
            6 => {
                let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
                Ok(Accent([byte(0)?, byte(2)?, byte(4)?]))
            }
            _ => Err(bad()),
        }
    }

    /// Reads the colour and refuses one under [`MIN_CONTRAST`] against [`BUTTON_TEXT`].
    pub fn parse_for_buttons(text: &str) -> Result<Accent, AccentError> {
        let accent = Accent::parse(text)?;
        let ratio = accent.contrast(BUTTON_TEXT);
        if ratio < MIN_CONTRAST {
            return Err(AccentError::LowContrast {
                colour: accent.css(),
                ratio,
            });
        }
        Ok(accent)
    }

    /// `#rrggbb` in lower case: the only form that is ever written into CSS.
    pub fn css(&self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// WCAG 2 relative luminance.
    pub fn luminance(&self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }

    /// WCAG 2 contrast ratio between two colours, from 1 to 21.
    pub fn contrast(&self, other: Accent) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_falls_back_part_by_part_and_hosts_pick_domains() {
        let mut looks = Looks {
            default: Look::read("default", Some("Hosting Mail"), None, None),
            ..Looks::default()
        };
        looks.domains.insert(
            "a.example".into(),
            Look::read("a.example", None, Some("#8a1c1c"), None),
        );
        looks
            .hosts
            .insert("webmail.a.example".into(), "a.example".into());
        let a = looks.for_host(Some("WebMail.a.example:8080"));
        assert_eq!(a.product_name, "Hosting Mail");
        assert_eq!(a.accent.unwrap().css(), "#8a1c1c");
        assert_eq!(looks.for_host(Some("other.example")).accent, None);
        assert_eq!(Looks::default().for_domain(None), Shown::default());
    }

    #[test]
    fn hostile_look_parts_are_left_out() {
        let look = Look::read(
            "x",
            Some("Evil\u{7}Mail"),
            Some("red;background:url(x)"),
            Some(Path::new("/nonexistent/logo.svg")),
        );
        assert_eq!(look, Look::default());
    }

    #[test]
    fn logos_are_known_by_their_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(
            sniff(
                b"<?xml version=\"1.0\"?>\n<!-- x --><svg xmlns=\"http://www.w3.org/2000/svg\"/>"
            ),
            Some("image/svg+xml")
        );
        for hostile in [
            &b"<html><svg></svg></html>"[..],
            b"<!DOCTYPE html><svg>",
            b"<svgx>",
            b"GIF89a",
            b"\x89PNG",
            b"",
        ] {
            assert_eq!(sniff(hostile), None, "{hostile:?}");
        }
    }

    #[test]
    fn six_and_three_digit_hex_colours_are_read() {
        assert_eq!(Accent::parse("#1f5fbf").unwrap().css(), "#1f5fbf");
        assert_eq!(Accent::parse("#1F5FBF").unwrap().css(), "#1f5fbf");
        assert_eq!(Accent::parse("#a0c").unwrap().css(), "#aa00cc");
    }

    #[test]
    fn anything_but_hex_colours_is_refused() {
        for text in [
            "red",
            "red;background:url(x)",
            "#1f5fbf;background:url(x)",
            "#1f5fbf ",
            " #1f5fbf",
            "#1f5fbg",
            "#1f5f",
            "#1f5fbfff",
            "rgb(0,0,0)",
            "#",
            "",
            "#+1f5fb",
            "#１２３",
            "var(--x)",
        ] {
            assert!(
                matches!(Accent::parse(text), Err(AccentError::Malformed(_))),
                "{text:?} passed"
            );
        }
    }

    #[test]
    fn contrast_matches_known_wcag_values() {
        let black = Accent::parse("#000").unwrap();
        let white = Accent::parse("#fff").unwrap();
        assert!((black.contrast(white) - 21.0).abs() < 1e-9);
        assert!((white.contrast(white) - 1.0).abs() < 1e-9);
        // #767676 is the well-known lightest grey with 4.5:1 on white; #777777 misses it.
        let grey = Accent::parse("#767676").unwrap().contrast(white);
        assert!((4.5..4.6).contains(&grey), "{grey}");
        assert!(Accent::parse("#777777").unwrap().contrast(white) < 4.5);
    }

    #[test]
    fn a_pale_accent_is_refused_for_buttons_and_a_dark_one_passes() {
        assert!(matches!(
            Accent::parse_for_buttons("#ffcc00"),
            Err(AccentError::LowContrast { .. })
        ));
        assert!(Accent::parse_for_buttons("#777777").is_err());
        assert_eq!(
            Accent::parse_for_buttons("#767676").unwrap().css(),
            "#767676"
        );
        assert!(Accent::parse_for_buttons("#1f5fbf").is_ok());
    }
}
