//! Reading a URL attribute value the way a browser would, to decide what it is: remote,
//! `mailto:`, a `cid:` reference to an inline part, an allowed raster `data:` image, or
//! anything else (dropped). The attribute filter ([`super::filter`]) acts on the answer.

use ammonia::url::Url;

use super::policy::DATA_IMAGE_TYPES;

/// What a URL attribute value turned out to be, with the normalised URL to emit.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum UrlKind {
    /// `http`/`https`, including scheme-relative `//host/…` (resolved as `https:`).
    Remote(String),
    Mailto(String),
    /// The content-id, percent-decoded and without angle brackets.
    Cid(String),
    /// A `data:` URL of an allowed raster image type.
    DataImage(String),
    /// Relative, unparseable or any other scheme.
    Other,
}

/// Classifies a URL the way a browser would read it. The value ammonia hands the filter is
/// entity-decoded but otherwise raw, so first apply the URL parser's own clean-up (strip
/// leading/trailing C0 controls and spaces, drop tabs and newlines anywhere); `Url::parse`
/// does the same, which keeps `java\tscript:` or ` javascript:` from being misread.
pub(super) fn classify_url(raw: &str) -> UrlKind {
    let cleaned: String = raw
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let bytes = cleaned.as_bytes();
    // `//host`, `\\host`, `/\host`: browsers resolve these against the document's scheme;
    // treat them as https so they are blocked (or loaded) like any other remote URL.
    if bytes.len() >= 2 && matches!(bytes[0], b'/' | b'\\') && matches!(bytes[1], b'/' | b'\\') {
        return match Url::parse(&format!("https:{cleaned}")) {
            Ok(url) if url.has_host() => UrlKind::Remote(url.into()),
            _ => UrlKind::Other,
        };
    }
    let Ok(url) = Url::parse(&cleaned) else {
        return UrlKind::Other;
    };
    match url.scheme() {
        "http" | "https" if url.has_host() => UrlKind::Remote(url.into()),
        "mailto" => UrlKind::Mailto(url.into()),
        "cid" => {
            // Take the id from the cleaned text rather than from `Url`, whose parser would
            // split off `?…`/`#…`, both legal in a Content-ID.
            let id = percent_decode(&cleaned["cid:".len()..]);
            let id = id.trim();
            let id = id
                .strip_prefix('<')
                .and_then(|s| s.strip_suffix('>'))
                .unwrap_or(id);
            if id.is_empty() {
                UrlKind::Other
            } else {
                UrlKind::Cid(id.to_owned())
            }
        }
        "data" => {
            let media_type = url
                .path()
                .split([';', ','])
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            if DATA_IMAGE_TYPES.contains(&media_type.as_str()) {
                UrlKind::DataImage(url.into())
            } else {
                UrlKind::Other
            }
        }
        _ => UrlKind::Other,
    }
}

/// Decodes `%XX` escapes; invalid UTF-8 is replaced, malformed escapes are kept literally.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex_value(bytes[i + 1]), hex_value(bytes[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}
