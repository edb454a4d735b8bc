//! Sanitising HTML e-mail bodies for display.
//!
//! Every message is potentially hostile, so the HTML goes through ammonia with an explicit
//! allow-list of formatting elements and attributes; everything else is dropped. On top of
//! ammonia's own checks, one attribute filter decides every URL and inline style:
//!
//! * links keep only `http`, `https` and `mailto` targets and always open in a new browsing
//!   context (`target="_blank" rel="noopener noreferrer"`);
//! * images may be `cid:` references (rewritten to the URL that serves the inline part), raster
//!   `data:` images, or remote `http(s)` images, which are replaced by a local placeholder (and
//!   counted) until the reader allows remote content;
//! * `style` attributes keep only allow-listed properties whose values cannot load anything or
//!   run anything (no `url()`, `expression()`, escapes, comments…).
//!
//! The result is a fragment meant for a document shown in a sandboxed iframe under a strict
//! Content-Security-Policy; this module is the first line of defence, the CSP the second. The
//! document around it should be served with, for instance:
//!
//! ```text
//! Content-Security-Policy: default-src 'none'; img-src <own origin> data:[ https: http:];
//!     style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'
//! Referrer-Policy: no-referrer
//! <iframe sandbox="allow-popups allow-popups-to-escape-sandbox" …>
//! ```
//!
//! (`https: http:` only when remote content is allowed; `allow-popups` because every link opens
//! a new window; never `allow-scripts`.)
//!
//! Before ammonia sees the input, it is rewritten to keep the parser's work linear (see the
//! private `bounded` module): html5ever is quadratic in nesting depth and in a few other
//! places, so a megabyte of `<div>` would otherwise cost minutes of CPU each time it is shown.
//!
//! The files, by concern: [`policy`] (the allow-lists), `filter` (ammonia's attribute filter,
//! which decides every kept URL and style), `url` (what a URL attribute value is), `css`
//! (inline styles), `cid` (`cid:` references resolved to part URLs) and `bounded` (the
//! pre-tokenizer that bounds the parser's work). This file holds the public entry point, which
//! puts them together.

mod bounded;
mod cid;
mod css;
mod filter;
pub mod policy;
mod url;

#[cfg(test)]
mod tests;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use cid::{nonce, resolve_cid_markers, CidTable};
use filter::FilterState;
use policy::{
    ALLOWED_TAGS, DROP_WITH_CONTENT, GENERIC_ATTRIBUTES, STYLE_PROPERTIES, TAG_ATTRIBUTES,
    URL_SCHEMES,
};

/// How [`sanitize_html`] treats resources that the message references.
pub struct SanitizeOptions<'a> {
    /// Whether remote (http/https) images and other resources may load.
    pub allow_remote: bool,
    /// Maps a `cid:` reference (the part after `cid:`, percent-decoded, without `<>`) to the
    /// URL that serves that inline part, or None if unknown. Called once per distinct id; the
    /// URL is inserted as given (attribute-escaped), so it must be one the iframe can load.
    pub cid_url: &'a dyn Fn(&str) -> Option<String>,
    /// URL of a local placeholder image shown instead of a blocked remote image.
    pub blocked_image_url: &'a str,
}

/// The outcome of [`sanitize_html`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitized {
    /// Safe HTML fragment (body content only) to be embedded in a document served in a
    /// sandboxed iframe with a strict CSP.
    pub html: String,
    /// Number of remote resources that were blocked (0 when allow_remote).
    pub blocked_remote: usize,
}

/// Sanitises an HTML body for display, rewriting `cid:` references and blocking remote
/// resources unless `opts.allow_remote`.
///
/// Full documents are accepted: `<head>` metadata, `<title>` and `<style>` contents are dropped
/// and only the body content is returned, as a fragment to place directly in the `<body>` of
/// the iframe document (not inside a `<p>` or a table, where the parser would move things).
/// Attributes of `<html>`/`<body>` are lost (a fragment parser ignores those tags).
///
/// Remote resources: blocked `<img>` sources become `opts.blocked_image_url`; blocked
/// `background` attributes are removed; CSS `url()` is always removed, even when remote
/// content is allowed (counted only when it is not); `srcset` is always removed. The count
/// therefore tells whether offering "show remote content" is worthwhile.
///
/// The output is deterministic for a given input and options.
///
/// A panic inside (a bug in this module, in ammonia or in html5ever that a hostile body
/// reaches, or in `opts.cid_url`) is contained and logged, and comes back as
/// [`SanitizeError::Panicked`]: it costs the reader this body, not the connection or the
/// worker. (Under a fuzzer, whose panic hook aborts first, it is still a crash.)
pub fn sanitize_html(input: &str, opts: &SanitizeOptions<'_>) -> Result<Sanitized, SanitizeError> {
    // Unwind safety: everything the call builds (the filter's state, ammonia's tree) is its own
    // and dropped with it; the caller's `cid_url` may have recorded some ids before a panic,
    // which is why the caller gets an error and no partial result to combine them with.
    let sanitized = catch_unwind(AssertUnwindSafe(|| {
        sanitize_prepared(&bounded::bound_parser_work(input), opts)
    }));
    sanitized.map_err(|_| {
        tracing::error!(bytes = input.len(), "the HTML sanitizer panicked on a body");
        SanitizeError::Panicked
    })
}

/// Why [`sanitize_html`] returned no body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SanitizeError {
    /// The sanitizer panicked on this body: a bug worth reporting (it is logged), not something
    /// the reader can fix. Show the message without its HTML, never a broken page.
    #[error("the HTML body could not be sanitized (the sanitizer panicked)")]
    Panicked,
}

/// Makes the next sanitizing on this thread panic from inside ammonia, at the first attribute
/// its filter sees (so the input needs one), as a bug in the parser or the filter would: tests
/// use it to check that a panic is contained, here and in the callers.
#[cfg(test)]
pub(crate) fn panic_at_next_attribute() {
    filter::PANIC_AT_NEXT_ATTRIBUTE.set(true);
}

/// [`sanitize_html`] without the rewriting that bounds the parser's work (tests compare both).
fn sanitize_prepared(input: &str, opts: &SanitizeOptions<'_>) -> Sanitized {
    let state = Arc::new(FilterState {
        allow_remote: opts.allow_remote,
        blocked_image_url: opts.blocked_image_url.to_owned(),
        placeholder_prefix: format!("carteiro-cid-{}-", nonce()),
        blocked: AtomicUsize::new(0),
        cids: Mutex::new(CidTable::default()),
    });

    let mut builder = ammonia::Builder::empty();
    builder
        .tags(ALLOWED_TAGS.iter().copied().collect())
        .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(
            TAG_ATTRIBUTES
                .iter()
                .map(|(tag, attrs)| (*tag, attrs.iter().copied().collect()))
                .collect(),
        )
        // `plain_text` marks quoted runs this way; the class carries no risk and lets rendered
        // text parts keep their quote styling when they are embedded in an HTML body.
        .allowed_classes(
            [("blockquote", ["quote"].into_iter().collect())]
                .into_iter()
                .collect(),
        )
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        // Relative URLs pass ammonia's check but the filter drops every relative URL it sees;
        // PassThrough is needed so that the placeholder image URL and the cid markers the
        // filter itself produces (both relative) survive ammonia's later relative-URL step.
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .set_tag_attribute_value("a", "target", "_blank")
        .strip_comments(true)
        // Second line of defence behind `filter_style`: ammonia re-tokenises what we kept with a
        // real CSS parser and re-serialises it, dropping anything that is not a clean
        // declaration of an allowed property.
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect());
    let filter_state = Arc::clone(&state);
    builder.attribute_filter(move |element, attribute, value| {
        filter_state.filter(element, attribute, value)
    });

    let html = builder.clean(input).to_string();

    let cids = std::mem::take(&mut *state.cids.lock().unwrap_or_else(PoisonError::into_inner));
    let html = if cids.list.is_empty() {
        html
    } else {
        resolve_cid_markers(&html, &state.placeholder_prefix, &cids.list, opts.cid_url)
    };
    Sanitized {
        html,
        blocked_remote: state.blocked.load(Ordering::Relaxed),
    }
}
