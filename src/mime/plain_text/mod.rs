//! Rendering `text/plain` bodies as HTML.
//!
//! The text is hostile like any other part of a message, so everything is escaped and the only
//! markup produced is ours: links for URLs and e-mail addresses (always `http`, `https` or
//! `mailto`, with an escaped `href`) and `<blockquote class="quote">` for runs of quoted lines.
//! Line breaks are kept as newlines; the caller shows the fragment with
//! `white-space: pre-wrap`.
//!
//! This file puts quoted runs into blockquotes; `links` escapes the text and finds the URLs and
//! addresses in it; `flowed` decodes `format=flowed` bodies before they get here.

mod flowed;
mod links;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

pub use flowed::unflow;
use links::push_linked;

/// Deeper quoting is shown at this depth: a line of thousands of `>` must not become thousands
/// of nested elements for the browser to lay out.
const MAX_QUOTE_DEPTH: usize = 24;

/// Renders a text/plain body as an HTML fragment.
///
/// * Everything is HTML-escaped; C0 control characters other than tab and newline are dropped.
/// * URLs (`http://`, `https://`, and `www.` which links to `http://www.…`) and e-mail
///   addresses become links with `target="_blank" rel="noopener noreferrer"`. Trailing
///   sentence punctuation and unbalanced closing brackets are left out of a URL.
/// * Line breaks stay newlines (CRLF and CR become LF) and no `<br>` is inserted: show the
///   fragment inside an element styled `white-space: pre-wrap`.
/// * Runs of quoted lines (starting with `>`, nested as `>>` or `> >`) are wrapped in
///   `<blockquote class="quote">`, one per level, with the markers removed. Very deep quoting
///   is capped: deeper lines show at the deepest level.
///
/// The newline ending the last line before a `<blockquote>` or `</blockquote>` is kept but
/// renders nothing (a block boundary breaks the line anyway), so blank lines around quotes
/// show exactly as in the text.
pub fn plain_to_html(text: &str) -> String {
    let text: Cow<'_, str> = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut open = 0;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let (depth, content) = split_quote(line);
        let depth = depth.min(MAX_QUOTE_DEPTH);
        while open < depth {
            out.push_str(r#"<blockquote class="quote">"#);
            open += 1;
        }
        while open > depth {
            out.push_str("</blockquote>");
            open -= 1;
        }
        push_linked(&mut out, content);
    }
    for _ in 0..open {
        out.push_str("</blockquote>");
    }
    out
}
/// Splits a line into its quote depth and content: `>` markers, each optionally followed by
/// one space (`>> x`, `> > x`), are removed together with one space after the last of them.
fn split_quote(line: &str) -> (usize, &str) {
    let mut depth = 0;
    let mut rest = line;
    while let Some(after) = rest.strip_prefix('>') {
        depth += 1;
        rest = after;
        if let Some(after_space) = rest.strip_prefix(' ') {
            rest = after_space;
            if !rest.starts_with('>') {
                break;
            }
        }
    }
    (depth, rest)
}
