//! Inline styles: the declarations of a `style` attribute that may stay (allow-listed
//! properties with inert values), and the count of the remote `url()`s they referred to.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::policy::{FORBIDDEN_IN_STYLE, SAFE_DISPLAY, STYLE_FUNCTIONS, STYLE_PROPERTIES};

/// CSS whitespace (plus vertical tab, which some engines have been lenient about).
fn is_css_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c' | '\x0b')
}

/// Keeps the declarations of a `style` attribute whose property is allow-listed and whose
/// value is inert, returning them as `prop:value;…` (empty when nothing is left).
///
/// `value` is already entity-decoded by the HTML parser (so `u&#114;l(` arrives as `url(`);
/// CSS-level obfuscation (escapes, comments) is handled by refusing any value containing a
/// backslash or comment marker instead of trying to decode it. Counts remote `url()`s in
/// `blocked` when remote content is not allowed, although `url()` is dropped either way.
pub(super) fn filter_style(value: &str, allow_remote: bool, blocked: &AtomicUsize) -> String {
    let compact: String = value
        .chars()
        .filter(|&c| !is_css_space(c))
        .flat_map(char::to_lowercase)
        .collect();
    if !allow_remote {
        let remote = count_remote_css_urls(&compact);
        if remote > 0 {
            blocked.fetch_add(remote, Ordering::Relaxed);
        }
    }

    let mut kept = String::new();
    for declaration in value.split(';') {
        let Some((property, value)) = declaration.split_once(':') else {
            continue;
        };
        let property = property.trim_matches(is_css_space).to_ascii_lowercase();
        let value = value.trim_matches(is_css_space);
        if !STYLE_PROPERTIES.contains(&property.as_str()) || !is_safe_css_value(&property, value) {
            continue;
        }
        kept.push_str(&property);
        kept.push(':');
        kept.push_str(value);
        kept.push(';');
    }
    kept.pop();
    kept
}

/// Counts `url(…)` references to http(s) or scheme-relative URLs in a lower-cased,
/// whitespace-free style value.
fn count_remote_css_urls(compact: &str) -> usize {
    compact
        .match_indices("url(")
        .filter(|(at, _)| {
            let target = compact[at + "url(".len()..].trim_start_matches(['"', '\'']);
            target.starts_with("http:") || target.starts_with("https:") || target.starts_with("//")
        })
        .count()
}

fn is_safe_css_value(property: &str, value: &str) -> bool {
    if value.is_empty() || value.chars().any(|c| c.is_control() && !is_css_space(c)) {
        return false;
    }
    let compact: String = value
        .chars()
        .filter(|&c| !is_css_space(c))
        .flat_map(char::to_lowercase)
        .collect();
    if FORBIDDEN_IN_STYLE.iter().any(|bad| compact.contains(bad)) {
        return false;
    }
    // Function calls: only the allow-listed ones, and never a bare `(`.
    for (at, _) in compact.match_indices('(') {
        let before_name =
            compact[..at].trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '-');
        if !STYLE_FUNCTIONS.contains(&&compact[before_name.len()..at]) {
            return false;
        }
    }
    // An unterminated string would swallow the declarations that follow it.
    let mut open_quote = None;
    for c in value.chars() {
        match (open_quote, c) {
            (None, '"' | '\'') => open_quote = Some(c),
            (Some(q), c) if c == q => open_quote = None,
            _ => {}
        }
    }
    if open_quote.is_some() {
        return false;
    }
    if property == "display" {
        let display = compact.trim_end_matches("!important");
        return SAFE_DISPLAY.contains(&display);
    }
    true
}
