//! What each fuzz target asserts, written once. The fuzz crate includes this file by path
//! (`fuzz/src/lib.rs`) and so does the stable replay of kept inputs
//! (`tests/api/fuzz_regressions.rs`); both provide the rendered-HTML audit of
//! `tests/api/audit.rs` as `crate::audit`.
//!
//! A check returns `Err(what)` when output that would reach the browser breaks a safety rule;
//! a panic in the code under test propagates as it is (a crash to the fuzzer, a failure to the
//! test). Beyond the audit (nothing executable; nothing remote loaded while blocked), every URL
//! the renderer emits must be one it is documented to emit, so the fuzzers hunt sanitizer
//! bypasses and not only crashes.

use carteiro::mime::plain_text::{plain_to_html, unflow};
use carteiro::mime::sanitize::{sanitize_html, SanitizeOptions};
use carteiro::mime::{self, view};

use crate::audit::{dangerous, remote_resource};

/// Where the checked message pretends to live (the part URLs the pages would build).
const PART_URL_PREFIX: &str = "/mail/INBOX/1/part/";
const BLOCKED_IMAGE_URL: &str = "/static/blocked.svg";

/// Raster types a `data:` image may have (the sanitizer's own list; SVG never).
const DATA_IMAGES: &[&str] = &[
    "data:image/png",
    "data:image/gif",
    "data:image/jpeg",
    "data:image/webp",
];

/// Target `message`: bytes as the IMAP server would hand them over, rendered the way the
/// message page renders them (view model and HTML body), with remote content blocked and
/// allowed.
pub fn message(raw: &[u8]) -> Result<(), String> {
    let Some(message) = mime::parse(raw) else {
        return Ok(());
    };
    let part_url = |section: &str| format!("{PART_URL_PREFIX}{section}");
    let links = view::Links {
        part_url: &part_url,
        blocked_image_url: BLOCKED_IMAGE_URL,
    };
    for allow_remote in [false, true] {
        let shown = view::build(&message, None, allow_remote, &links);
        if let view::Body::Text(html) = &shown.body {
            // Text parts joined by `view::text_body`: plain_to_html's markup and a rule.
            rendered_text(html, &["a", "blockquote", "hr"])
                .map_err(|e| format!("text body: {e}"))?;
        }
        if allow_remote && shown.blocked_remote != 0 {
            return Err(format!(
                "{} resources counted as blocked while remote content is allowed",
                shown.blocked_remote
            ));
        }
        let parts = view::part_list(&message, None);
        // The sanitizer contains its own panics and reports them as an error: one here is a
        // failure like any other (under libFuzzer, whose panic hook aborts, it is a crash).
        let rendered = view::try_html_body(&message, &parts, allow_remote, &links)
            .map_err(|e| format!("HTML body (allow_remote {allow_remote}): {e}"))?;
        if let Some((sanitized, _)) = rendered {
            sanitized_html(&sanitized.html, allow_remote)
                .map_err(|e| format!("HTML body (allow_remote {allow_remote}): {e}"))?;
        }
    }
    Ok(())
}

/// Target `plain_text`: any text (bytes read as UTF-8, invalid sequences replaced) through
/// `plain_to_html`, as is and after `unflow` with and without DelSp.
pub fn plain_text(input: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(input);
    rendered_text(&plain_to_html(&text), &["a", "blockquote"])?;
    for delsp in [false, true] {
        rendered_text(&plain_to_html(&unflow(&text, delsp)), &["a", "blockquote"])
            .map_err(|e| format!("after unflow (delsp {delsp}): {e}"))?;
    }
    Ok(())
}

/// Target `sanitize`: any HTML (bytes read as UTF-8, invalid sequences replaced) straight into
/// `sanitize_html`, remote content blocked and allowed.
pub fn sanitize(input: &[u8]) -> Result<(), String> {
    let html = String::from_utf8_lossy(input);
    // Half the content-ids are known, so both the rewrite and the removal are exercised.
    let cid_url = |cid: &str| {
        cid.len()
            .is_multiple_of(2)
            .then(|| format!("{PART_URL_PREFIX}2?inline=1"))
    };
    for allow_remote in [false, true] {
        let out = sanitize_html(
            &html,
            &SanitizeOptions {
                allow_remote,
                cid_url: &cid_url,
                blocked_image_url: BLOCKED_IMAGE_URL,
            },
        )
        .map_err(|e| format!("allow_remote {allow_remote}: {e}"))?;
        sanitized_html(&out.html, allow_remote)
            .map_err(|e| format!("allow_remote {allow_remote}: {e}"))?;
        if allow_remote && out.blocked_remote != 0 {
            return Err(format!(
                "{} resources counted as blocked while remote content is allowed",
                out.blocked_remote
            ));
        }
    }
    Ok(())
}

/// Output of `sanitize_html`: the audit, and only the URLs the sanitizer documents.
fn sanitized_html(html: &str, allow_remote: bool) -> Result<(), String> {
    if let Some(what) = dangerous(html) {
        return Err(format!("executable content: {what}"));
    }
    if !allow_remote {
        if let Some(what) = remote_resource(html) {
            return Err(format!("remote resource while blocked: {what}"));
        }
    }
    let doc = scraper::Html::parse_fragment(html);
    for element in doc
        .root_element()
        .descendants()
        .filter_map(|n| n.value().as_element())
    {
        for (name, value) in element.attrs() {
            let tag = element.name();
            let v = value.trim().to_ascii_lowercase();
            let remote = v.starts_with("http:") || v.starts_with("https:");
            let image = value.starts_with(PART_URL_PREFIX)
                || value == BLOCKED_IMAGE_URL
                || DATA_IMAGES.iter().any(|t| v.starts_with(t))
                || (remote && allow_remote);
            let ok = match name {
                "href" => tag == "a" && (remote || v.starts_with("mailto:")),
                "src" => tag == "img" && image,
                "background" => image,
                _ => true,
            };
            if !ok {
                return Err(format!("<{tag} {name}={value:?}>"));
            }
        }
    }
    Ok(())
}

/// Output of `plain_to_html` (possibly joined with `<hr>`): the audit, no element but
/// `allowed`, and exactly the attributes plain_to_html writes on them.
fn rendered_text(html: &str, allowed: &[&str]) -> Result<(), String> {
    if let Some(what) = dangerous(html) {
        return Err(format!("executable content: {what}"));
    }
    if let Some(what) = remote_resource(html) {
        return Err(format!("remote resource: {what}"));
    }
    let doc = scraper::Html::parse_fragment(html);
    let root = doc.root_element().id();
    for node in doc.root_element().descendants().filter(|n| n.id() != root) {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let tag = element.name();
        if !allowed.contains(&tag) {
            return Err(format!("element <{tag}>"));
        }
        let mut attrs: Vec<(&str, &str)> = element.attrs().collect();
        attrs.sort_unstable();
        let ok = match (tag, attrs.as_slice()) {
            ("a", [("href", href), ("rel", "noopener noreferrer"), ("target", "_blank")]) => {
                let href = href.to_ascii_lowercase();
                href.starts_with("http://")
                    || href.starts_with("https://")
                    || href.starts_with("mailto:")
            }
            ("blockquote", [("class", "quote")]) => true,
            ("hr", []) => true,
            _ => false,
        };
        if !ok {
            return Err(format!("<{tag}> with attributes {attrs:?}"));
        }
    }
    Ok(())
}
