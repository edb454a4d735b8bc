//! Tests of the sanitizer, by concern: the policy, hostile markup, styles, resources (remote
//! images, `cid:`, links), kept formatting, the bounded parser work, randomized tag soup and
//! contained panics.
//! This file holds what they share: the options they run with and a strict reader of the
//! output that checks every tag, attribute, URL and style against the rules.

mod bounded;
mod formatting;
mod hostile;
mod panics;
mod policy;
mod resources;
mod styles;
mod tag_soup;

use super::policy::{
    ALLOWED_TAGS, FORBIDDEN_IN_STYLE, GENERIC_ATTRIBUTES, STYLE_PROPERTIES, TAG_ATTRIBUTES,
};
use super::{sanitize_html, SanitizeError, SanitizeOptions, Sanitized};

const BLOCKED: &str = "/static/blocked.svg";
/// Absolute local URLs, used where output is sanitised a second time (relative URLs in the
/// output would be dropped by the second pass, which is right but hides what is compared).
const ABS_BLOCKED: &str = "https://webmail.test/static/blocked.svg";
const ABS_PARTS: &str = "https://webmail.test/part/";

fn cid_lookup(cid: &str) -> Option<String> {
    match cid {
        "logo@example.com" => Some("/mail/INBOX/7/part/2".to_owned()),
        "a&b\"c" => Some("/mail/INBOX/7/part/3?x=1&y=\"2\"".to_owned()),
        _ => None,
    }
}

fn run(input: &str, allow_remote: bool) -> Sanitized {
    sanitize_html(
        input,
        &SanitizeOptions {
            allow_remote,
            cid_url: &cid_lookup,
            blocked_image_url: BLOCKED,
        },
    )
    .expect("sanitizes without panicking")
}

fn blocked(input: &str) -> Sanitized {
    run(input, false)
}

/// Checks the structural safety invariants on serialised output (see `check_output`) and
/// panics with the input on failure.
fn assert_safe(input: &str, out: &Sanitized, allow_remote: bool) {
    if let Err(why) = check_output(&out.html, allow_remote) {
        panic!(
            "unsafe output ({why})\ninput:  {input:?}\noutput: {:?}",
            out.html
        );
    }
}

/// A strict reader for html5ever's serialisation, which escapes `<`, `>` in text and `"`,
/// `<`, `>` in attribute values, so every `<` opens a tag. Every tag and attribute must be
/// on the allow-lists and every URL and style must pass the rules.
fn check_output(html: &str, allow_remote: bool) -> Result<(), String> {
    let b = html.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'>' => return Err("raw > in text".into()),
            b'<' => i = check_tag(html, i + 1, allow_remote)?,
            _ => i += 1,
        }
    }
    Ok(())
}

fn check_tag(html: &str, mut i: usize, allow_remote: bool) -> Result<usize, String> {
    let b = html.as_bytes();
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    let name = &html[start..i];
    if !ALLOWED_TAGS.contains(&name) {
        return Err(format!("tag <{name}>"));
    }
    let mut attrs = Vec::new();
    loop {
        match b.get(i) {
            Some(b'>') => break,
            Some(b' ') if !closing => {
                let a = i + 1;
                let eq = html[a..].find("=\"").ok_or("attribute without value")? + a;
                let attr = &html[a..eq];
                let end = html[eq + 2..].find('"').ok_or("unterminated value")? + eq + 2;
                let value = html[eq + 2..end]
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&nbsp;", "\u{a0}")
                    .replace("&amp;", "&");
                check_attr(name, attr, &value, allow_remote)?;
                attrs.push(attr.to_owned());
                i = end + 1;
            }
            _ => return Err(format!("malformed tag <{name}")),
        }
    }
    if name == "a" && !closing {
        for required in ["target", "rel"] {
            if !attrs.iter().any(|a| a == required) {
                return Err(format!("<a> without {required}"));
            }
        }
    }
    Ok(i + 1)
}

/// The output with every tag's attributes sorted: ammonia does not keep attribute order
/// stable (it removes attributes with `swap_remove`), and order carries no meaning.
fn canonical(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('>').expect("tags are closed") + open;
        let tag = &rest[open + 1..close];
        // Values never contain a raw `"`, so splitting on `" ` separates attributes.
        let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        let mut attrs: Vec<&str> = attrs.split("\" ").filter(|a| !a.is_empty()).collect();
        for a in &mut attrs {
            *a = a.trim_end_matches('"');
        }
        attrs.sort_unstable();
        out.push('<');
        out.push_str(name);
        for a in attrs {
            out.push(' ');
            out.push_str(a);
            out.push('"');
        }
        out.push('>');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn check_attr(tag: &str, attr: &str, value: &str, allow_remote: bool) -> Result<(), String> {
    let allowed = GENERIC_ATTRIBUTES.contains(&attr)
        || TAG_ATTRIBUTES
            .iter()
            .any(|(t, attrs)| *t == tag && attrs.contains(&attr))
        || (tag == "a" && (attr == "target" || attr == "rel"))
        || (tag == "blockquote" && attr == "class");
    if !allowed || attr.starts_with("on") {
        return Err(format!("attribute {attr} on <{tag}>"));
    }
    let lower = value.to_ascii_lowercase();
    let remote = lower.starts_with("http:") || lower.starts_with("https:");
    let image_ok = lower.starts_with("/mail/")
        || value.starts_with(ABS_PARTS)
        || ["png", "gif", "jpeg", "webp"]
            .iter()
            .any(|t| lower.starts_with(&format!("data:image/{t}")))
        || (remote && allow_remote);
    let ok = match attr {
        "href" => remote || lower.starts_with("mailto:"),
        "src" => image_ok || value == BLOCKED || value == ABS_BLOCKED,
        "background" => image_ok,
        "target" => value == "_blank",
        "rel" => value == "noopener noreferrer",
        "class" => value == "quote",
        "style" => check_style(value),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{attr}={value:?} on <{tag}>"))
    }
}

fn check_style(value: &str) -> bool {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    !FORBIDDEN_IN_STYLE.iter().any(|bad| compact.contains(bad))
        && value.split(';').all(|decl| {
            decl.split_once(':').is_some_and(|(p, _)| {
                STYLE_PROPERTIES.contains(&p.trim().to_ascii_lowercase().as_str())
            })
        })
}
