//! `cid:` references. ammonia's attribute filter cannot call the caller's lookup (it must be
//! `'static`), so the filter replaces each reference by an unguessable marker and records the
//! content-id in a [`CidTable`]; once ammonia is done, [`resolve_cid_markers`] swaps the
//! markers for the URLs of the inline parts in one pass.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Distinct content-ids referenced by the message, in first-seen order.
#[derive(Default)]
pub(super) struct CidTable {
    pub(super) list: Vec<String>,
    pub(super) index: HashMap<String, usize>,
}

/// Which attribute a cid marker stands in, encoded as one letter in the marker.
#[derive(Clone, Copy)]
pub(super) enum UrlAttr {
    Src,
    Background,
}

impl UrlAttr {
    pub(super) fn letter(self) -> char {
        match self {
            UrlAttr::Src => 's',
            UrlAttr::Background => 'b',
        }
    }

    fn from_letter(c: u8) -> Option<Self> {
        match c {
            b's' => Some(UrlAttr::Src),
            b'b' => Some(UrlAttr::Background),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            UrlAttr::Src => "src",
            UrlAttr::Background => "background",
        }
    }
}

/// Replaces the cid markers left by the filter with the URLs from `cid_url`, or removes the
/// whole attribute when the content-id is unknown. One pass, so a message with thousands of
/// inline references stays linear.
pub(super) fn resolve_cid_markers(
    html: &str,
    prefix: &str,
    cids: &[String],
    cid_url: &dyn Fn(&str) -> Option<String>,
) -> String {
    let urls: Vec<Option<String>> = cids.iter().map(|cid| cid_url(cid)).collect();
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        let tail = &rest[at + prefix.len()..];
        let digits = tail
            .as_bytes()
            .iter()
            .skip(1)
            .take_while(|b| b.is_ascii_digit())
            .count();
        let marker = tail
            .as_bytes()
            .first()
            .and_then(|&b| UrlAttr::from_letter(b))
            .zip(
                tail.get(1..1 + digits)
                    .and_then(|d| d.parse::<usize>().ok()),
            )
            .filter(|_| tail.as_bytes().get(1 + digits) == Some(&b'"'));
        // A marker is only ever the whole value of its attribute, serialised as ` name="…"`.
        match marker {
            Some((attr, index)) if index < urls.len() && ends_with_attr_open(&out, attr) => {
                match &urls[index] {
                    Some(url) => {
                        escape_attr(url, &mut out);
                        out.push('"');
                    }
                    None => out.truncate(out.len() - (attr.name().len() + 3)),
                }
                rest = &tail[digits + 2..];
            }
            _ => {
                out.push_str(prefix);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn ends_with_attr_open(out: &str, attr: UrlAttr) -> bool {
    out.strip_suffix("=\"")
        .and_then(|s| s.strip_suffix(attr.name()))
        .is_some_and(|s| s.ends_with(' '))
}

/// Escapes text for a double-quoted attribute value (also safe in text content).
fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// 128 unpredictable bits as hex. std's `RandomState` keys SipHash with a secret seeded from the
/// OS and vary per instance, which is all a marker that must not be guessable needs.
pub(super) fn nonce() -> String {
    let a = RandomState::new().hash_one(0x6361_7274_6569_726f_u64);
    let b = RandomState::new().hash_one(a);
    format!("{a:016x}{b:016x}")
}
