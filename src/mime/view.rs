//! The message view model: decoded headers, the body to show, the attachments.

use std::cell::RefCell;
use std::collections::HashSet;
use std::panic::catch_unwind;

use mail_parser::decoders::html::html_to_text;
use mail_parser::{Message, MimeHeaders, PartType};

use super::parts::{self, Attachment};
use super::sanitize::{sanitize_html, SanitizeError, SanitizeOptions, Sanitized};
use super::{clean_text, header_date, mailboxes, plain_text, Mailbox};
use crate::model::PartInfo;

/// Everything the message page shows, already safe to put in a template (the text body is
/// escaped HTML; the HTML body is served separately into a sandboxed frame).
#[derive(Debug, Clone)]
pub struct MessageView {
    pub subject: String,
    pub from: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    pub date: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub body: Body,
    pub attachments: Vec<Attachment>,
    /// Remote resources the HTML body would load, blocked until the reader allows them.
    pub blocked_remote: usize,
    /// The mailing list it came through (`List-Id`), for "filter messages like this".
    pub list_id: Option<String>,
}

/// What stands where the message text goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// An HTML body, shown in a sandboxed frame from its own URL.
    Html,
    /// A plain-text body rendered to escaped HTML.
    Text(String),
    /// No text at all (only attachments, or an empty message).
    Empty,
    /// An HTML body the sanitizer failed on, with no text to show in its place: the page should
    /// say that the message could not be shown and offer its source.
    Unreadable,
}

/// How bodies refer to parts: builds the URL of an inline image part.
pub struct Links<'a> {
    pub part_url: &'a dyn Fn(&str) -> String,
    pub blocked_image_url: &'a str,
}

/// Builds the view. `server_parts` is the server's BODYSTRUCTURE when it could be read;
/// otherwise the parts are derived from the parsed message.
pub fn build(
    message: &Message<'_>,
    server_parts: Option<&[PartInfo]>,
    allow_remote: bool,
    links: &Links<'_>,
) -> MessageView {
    build_keeping_html(message, server_parts, allow_remote, links).0
}

/// [`build`], also returning the sanitized HTML body when the view shows one, so the frame
/// that serves it need not sanitize the message again.
pub fn build_keeping_html(
    message: &Message<'_>,
    server_parts: Option<&[PartInfo]>,
    allow_remote: bool,
    links: &Links<'_>,
) -> (MessageView, Option<String>) {
    let parts = part_list(message, server_parts);
    let rendered = try_html_body(message, &parts, allow_remote, links);
    let (body, shown_cids, blocked_remote, html) = match rendered {
        Ok(Some((sanitized, cids))) => (
            Body::Html,
            cids,
            sanitized.blocked_remote,
            Some(sanitized.html),
        ),
        Ok(None) => match text_body(message) {
            Some(html) => (Body::Text(html), HashSet::new(), 0, None),
            None => (Body::Empty, HashSet::new(), 0, None),
        },
        // The sanitizer failed on the HTML (it logged why). The reader still gets the message:
        // the sender's own plain-text version when there is one, else the text of the HTML,
        // escaped like any plain text (formatting lost; inline images listed as attachments).
        Err(SanitizeError::Panicked) => {
            let text = text_body(message).or_else(|| html_as_text(message));
            (
                text.map_or(Body::Unreadable, Body::Text),
                HashSet::new(),
                0,
                None,
            )
        }
    };
    let view = MessageView {
        subject: message.subject().map(clean_text).unwrap_or_default(),
        from: mailboxes(message.from()),
        to: mailboxes(message.to()),
        cc: mailboxes(message.cc()),
        reply_to: mailboxes(message.reply_to()),
        date: message.date().and_then(header_date),
        list_id: super::headers::list_id(message),
        body,
        attachments: parts::attachments(&parts, &shown_cids),
        blocked_remote,
    };
    (view, html)
}

/// The server's part list, or one derived from the parsed message.
pub fn part_list(message: &Message<'_>, server_parts: Option<&[PartInfo]>) -> Vec<PartInfo> {
    match server_parts {
        Some(p) => p.to_vec(),
        None => parts::from_parsed(message)
            .into_iter()
            .map(|(p, _)| p)
            .collect(),
    }
}

/// [`try_html_body`] for the body's own frame, where a body that cannot be shown is simply not
/// there: the page never links to the frame of such a body, since [`build`] puts text in its
/// place (and sanitizing the same body gives the same outcome every time).
pub fn html_body(
    message: &Message<'_>,
    parts: &[PartInfo],
    allow_remote: bool,
    links: &Links<'_>,
) -> Option<(Sanitized, HashSet<String>)> {
    try_html_body(message, parts, allow_remote, links)
        .ok()
        .flatten()
}

/// Sanitizes the HTML body, if the message has one (`Ok(None)` otherwise). Returns it with the
/// Content-IDs it shows, or the sanitizer's error when it failed on the body.
pub fn try_html_body(
    message: &Message<'_>,
    parts: &[PartInfo],
    allow_remote: bool,
    links: &Links<'_>,
) -> Result<Option<(Sanitized, HashSet<String>)>, SanitizeError> {
    let has_html = message.html_body.iter().any(|&i| {
        matches!(
            message.parts.get(i as usize).map(|p| &p.body),
            Some(PartType::Html(_))
        )
    });
    if !has_html {
        return Ok(None);
    }
    // Concatenate every body part in order: HTML as is, text escaped, so a message made of
    // several inline pieces shows them all.
    let mut html = String::new();
    for &index in &message.html_body {
        match message.parts.get(index as usize).map(|p| &p.body) {
            Some(PartType::Html(text)) => html.push_str(text),
            Some(PartType::Text(text)) => {
                html.push_str("<div style=\"white-space: pre-wrap\">");
                html.push_str(&plain_text::plain_to_html(text));
                html.push_str("</div>");
            }
            _ => {}
        }
    }
    let shown = RefCell::new(HashSet::new());
    let images = parts::inline_images(parts);
    let cid_url = |cid: &str| {
        let part = images.get(cid)?;
        shown.borrow_mut().insert(cid.to_string());
        Some(format!("{}?inline=1", (links.part_url)(&part.section)))
    };
    let sanitized = sanitize_html(
        &html,
        &SanitizeOptions {
            allow_remote,
            cid_url: &cid_url,
            blocked_image_url: links.blocked_image_url,
        },
    )?;
    Ok(Some((sanitized, shown.into_inner())))
}

/// The text of the HTML body's parts as escaped HTML, for when the sanitizer failed on them.
/// mail-parser's converter is a plain scanner, not the html5ever parser under the sanitizer,
/// so the same bug is unlikely to stop it too; it is guarded all the same.
fn html_as_text(message: &Message<'_>) -> Option<String> {
    let mut pieces = Vec::new();
    for &index in &message.html_body {
        let text = match message.parts.get(index as usize).map(|p| &p.body) {
            Some(PartType::Html(html)) => match catch_unwind(|| html_to_text(html)) {
                Ok(text) => text,
                Err(_) => continue,
            },
            Some(PartType::Text(text)) => text.to_string(),
            _ => continue,
        };
        if !text.trim().is_empty() {
            pieces.push(plain_text::plain_to_html(&text));
        }
    }
    (!pieces.is_empty()).then(|| pieces.join("\n<hr>\n"))
}

/// The plain-text body as escaped HTML, joining several text parts with a rule.
fn text_body(message: &Message<'_>) -> Option<String> {
    let mut pieces = Vec::new();
    for &index in &message.text_body {
        let Some(part) = message.parts.get(index as usize) else {
            continue;
        };
        if let PartType::Text(text) = &part.body {
            let flowed = part.content_type().is_some_and(|ct| {
                ct.attribute("format")
                    .is_some_and(|f| f.eq_ignore_ascii_case("flowed"))
            });
            let text = if flowed {
                let delsp = part.content_type().is_some_and(|ct| {
                    ct.attribute("delsp")
                        .is_some_and(|d| d.eq_ignore_ascii_case("yes"))
                });
                plain_text::unflow(text, delsp)
            } else {
                text.to_string()
            };
            if !text.trim().is_empty() {
                pieces.push(plain_text::plain_to_html(&text));
            }
        }
    }
    (!pieces.is_empty()).then(|| pieces.join("\n<hr>\n"))
}

/// For a message too large to fetch whole: the sections whose text the view shows (its
/// HTML parts when it has any, else its plain-text ones).
pub fn display_sections(parts: &[PartInfo]) -> Vec<String> {
    let texts: Vec<&PartInfo> = parts.iter().filter(|p| parts::is_body_text(p)).collect();
    let has_html = texts.iter().any(|p| p.mime_type == "text/html");
    texts
        .into_iter()
        .filter(|p| !has_html || p.mime_type == "text/html")
        .map(|p| p.section.clone())
        .collect()
}

/// Rebuilds a small message from the top-level header of a large one and the (MIME header,
/// body) of the parts to show, so the usual parser and view apply unchanged. Either header may
/// have been cut short by the size of the fetch (a header of a hundred thousand lines): the
/// cut line is left out, so that what follows it is not read as part of it.
pub fn synthesize(start_of_message: &[u8], pieces: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let head_end = find(start_of_message, b"\r\n\r\n")
        .map(|i| i + 2)
        .or_else(|| find(start_of_message, b"\n\n").map(|i| i + 1))
        .unwrap_or(start_of_message.len());
    let head = &start_of_message[..head_end];
    let boundary = format!("carteiro-part-{:016x}", rand::random::<u64>());
    let mut out = Vec::with_capacity(
        head.len()
            + pieces
                .iter()
                .map(|p| p.0.len() + p.1.len() + 64)
                .sum::<usize>(),
    );
    // Keep every header but the ones describing the original body.
    let mut skipping = false;
    for line in head.split_inclusive(|&b| b == b'\n') {
        if !line.ends_with(b"\n") {
            break;
        }
        let folded = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !folded {
            let lower = String::from_utf8_lossy(line).to_ascii_lowercase();
            skipping = lower.starts_with("content-type:")
                || lower.starts_with("content-transfer-encoding:");
        }
        if !skipping && line.iter().any(|b| !b.is_ascii_whitespace()) {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(
        format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n").as_bytes(),
    );
    for (mime, body) in pieces {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let whole_lines = mime.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let mime = &mime[..whole_lines];
        out.extend_from_slice(mime);
        if !mime.ends_with(b"\n\n") && !mime.ends_with(b"\r\n\r\n") {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::sanitize::panic_at_next_attribute;

    fn view(raw: &str) -> MessageView {
        let message = crate::mime::parse(raw.as_bytes()).expect("parses");
        let part_url = |section: &str| format!("/mail/INBOX/1/part/{section}");
        let links = Links {
            part_url: &part_url,
            blocked_image_url: "/static/blocked.svg",
        };
        build(&message, None, false, &links)
    }

    const ALTERNATIVE: &str = "From: a@example.test\r\nSubject: Both\r\n\
Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nOl\u{e1}, the text version.\r\n\
--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p title=\"t\">The <b>HTML</b> one.</p>\r\n\
--b--\r\n";

    const HTML_ONLY: &str = "From: a@example.test\r\nSubject: Html\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n\
<p title=\"t\">Only <b>HTML</b> here, see https://example.com/x</p>\r\n";

    #[test]
    fn a_body_the_sanitizer_fails_on_gives_way_to_its_text_version() {
        assert_eq!(view(ALTERNATIVE).body, Body::Html);
        panic_at_next_attribute();
        let shown = view(ALTERNATIVE);
        assert_eq!(shown.body, Body::Text("Olá, the text version.".into()));
    }

    #[test]
    fn an_html_only_body_the_sanitizer_fails_on_shows_its_text_escaped() {
        panic_at_next_attribute();
        let Body::Text(html) = view(HTML_ONLY).body else {
            panic!("the HTML's text is shown");
        };
        assert!(html.contains("Only HTML here"), "{html}");
        assert!(html.contains("<a href=\"https://example.com/x\""), "{html}");
        assert!(!html.contains("<b>") && !html.contains("<p"), "{html}");
    }

    #[test]
    fn a_failed_body_with_no_text_at_all_is_unreadable_and_has_no_frame() {
        let raw = HTML_ONLY.replace("Only <b>HTML</b> here, see https://example.com/x", "");
        assert_eq!(view(&raw).body, Body::Html);
        panic_at_next_attribute();
        assert_eq!(view(&raw).body, Body::Unreadable);
        let message = crate::mime::parse(raw.as_bytes()).expect("parses");
        let part_url = |section: &str| format!("/part/{section}");
        let links = Links {
            part_url: &part_url,
            blocked_image_url: "/static/blocked.svg",
        };
        let parts = part_list(&message, None);
        panic_at_next_attribute();
        assert!(html_body(&message, &parts, false, &links).is_none());
        panic_at_next_attribute();
        assert_eq!(
            try_html_body(&message, &parts, false, &links).err(),
            Some(SanitizeError::Panicked)
        );
    }

    #[test]
    fn a_rebuilt_message_keeps_headers_and_shows_the_fetched_text() {
        let start = b"From: =?UTF-8?Q?Jos=C3=A9?= <j@example.test>\r\nSubject: Grande\r\n\
Content-Type: multipart/mixed;\r\n boundary=\"orig\"\r\n\r\n--orig\r\nContent-Type: text/pl";
        let pieces = vec![(
            b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".to_vec(),
            b"Ol=E1, segue o arquivo.".to_vec(),
        )];
        let rebuilt = synthesize(start, &pieces);
        let message = crate::mime::parse(&rebuilt).unwrap();
        assert_eq!(message.subject(), Some("Grande"));
        assert_eq!(
            message.body_text(0).as_deref(),
            Some("Olá, segue o arquivo.")
        );
        assert!(!String::from_utf8_lossy(&rebuilt).contains("orig"));
    }

    #[test]
    fn headers_cut_by_the_fetch_lose_their_cut_line() {
        let start = b"From: a@example.test\r\nSubject: Cut\r\nX-Junk-1: one\r\nX-Junk-2: tw";
        let pieces = vec![(
            b"Content-Type: text/plain\r\nX-Junk-9: ni".to_vec(),
            b"Short body.".to_vec(),
        )];
        let rebuilt = synthesize(start, &pieces);
        let message = crate::mime::parse(&rebuilt).unwrap();
        assert_eq!(message.subject(), Some("Cut"));
        assert_eq!(message.body_text(0).as_deref(), Some("Short body."));
    }
}
