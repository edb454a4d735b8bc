//! Which parts of a message are its body, its inline images and its attachments.
//!
//! Works on [`PartInfo`] lists, whether they come from the server's BODYSTRUCTURE or, when
//! that is unavailable, from mail-parser's tree numbered the same way (RFC 3501 §6.4.5).

use std::collections::{HashMap, HashSet};

use mail_parser::{Message, MimeHeaders, PartType};

use crate::model::{PartInfo, TransferEncoding};

/// An attachment as the message view lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub section: String,
    pub filename: String,
    pub mime_type: String,
    /// Decoded size, estimated from the encoded size.
    pub size: u64,
}

/// Whether a leaf is shown as body text rather than listed.
pub fn is_body_text(part: &PartInfo) -> bool {
    (part.mime_type == "text/plain" || part.mime_type == "text/html")
        && !part.is_attachment_disposition()
        && part.raw_filename().is_none()
}

/// Image types a browser may display inline from our origin (no SVG: it can carry script).
pub fn is_safe_inline_image(mime_type: &str) -> bool {
    matches!(
        mime_type,
        "image/png" | "image/jpeg" | "image/jpg" | "image/gif" | "image/webp" | "image/bmp"
    )
}

/// The attachments of a message: every leaf that is not body text and not an image the HTML
/// body shows through `cid:`.
pub fn attachments(parts: &[PartInfo], shown_cids: &HashSet<String>) -> Vec<Attachment> {
    parts
        .iter()
        .filter(|p| !is_body_text(p))
        .filter(|p| {
            let shown_inline = p
                .content_id
                .as_ref()
                .is_some_and(|id| shown_cids.contains(id));
            !shown_inline || p.is_attachment_disposition()
        })
        .map(|p| Attachment {
            section: p.section.clone(),
            filename: filename(p),
            mime_type: p.mime_type.clone(),
            size: decoded_size(p),
        })
        .collect()
}

/// The images we can show inline, by Content-ID (the first part wins a duplicate id). A map,
/// not a scan per reference: ten thousand `cid:` references to ten thousand parts made a
/// hundred million comparisons, seconds of CPU for each view of one message.
pub fn inline_images(parts: &[PartInfo]) -> HashMap<&str, &PartInfo> {
    let mut images = HashMap::new();
    for p in parts.iter().filter(|p| is_safe_inline_image(&p.mime_type)) {
        if let Some(cid) = p.content_id.as_deref() {
            images.entry(cid).or_insert(p);
        }
    }
    images
}

fn decoded_size(part: &PartInfo) -> u64 {
    let octets = u64::from(part.octets);
    match part.encoding {
        // 76-character lines plus CRLF carry 57 bytes.
        TransferEncoding::Base64 => octets * 57 / 78,
        _ => octets,
    }
}

/// A safe, decoded file name for a part, with a fallback built from its type.
pub fn filename(part: &PartInfo) -> String {
    let decoded = part
        .raw_filename()
        .and_then(|_| decode_param_filename(part));
    let name = decoded.map(|n| safe_filename(&n)).filter(|n| !n.is_empty());
    name.unwrap_or_else(|| {
        let ext = match part.mime_type.as_str() {
            "message/rfc822" => "eml",
            "text/plain" => "txt",
            "text/html" => "html",
            "text/calendar" => "ics",
            "application/pdf" => "pdf",
            t if t.starts_with("image/") => t.trim_start_matches("image/"),
            _ => "bin",
        };
        format!("part-{}.{ext}", part.section)
    })
}

/// Decodes RFC 2231 (`filename*=utf-8''…`, continuations) and RFC 2047 parameter values by
/// letting mail-parser read a synthetic header built from the server's parameter list.
fn decode_param_filename(part: &PartInfo) -> Option<String> {
    let quote = |v: &str| v.replace(['\\', '"', '\r', '\n'], "");
    let mut header = String::from("Content-Type: application/octet-stream");
    for (k, v) in &part.type_params {
        header.push_str(&format!("; {k}=\"{}\"", quote(v)));
    }
    header.push_str("\r\nContent-Disposition: attachment");
    for (k, v) in &part.disposition_params {
        header.push_str(&format!("; {k}=\"{}\"", quote(v)));
    }
    header.push_str("\r\n\r\n");
    let message = super::parse(header.as_bytes())?;
    let root = message.parts.first()?;
    root.attachment_name().map(str::to_string)
}

/// Strips what a file name must not carry into a download: paths, controls, quotes, bidi
/// controls, and the invisible characters and runs of spaces that push the real extension
/// out of sight (`doc.pdf\u{200B}\u{3000}\u{3000}…\u{3000}.exe` reads as a PDF).
pub fn safe_filename(name: &str) -> String {
    let mut cleaned = String::with_capacity(name.len());
    for c in name.chars() {
        let c = match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c if super::is_bidi_control(c) => '_',
            // Zero-width space, marks and joiners of no use in a name, word joiner, BOM.
            '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{180E}' => continue,
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' && cleaned.ends_with(' ') {
            continue;
        }
        cleaned.push(c);
    }
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    trimmed.chars().take(200).collect()
}

/// Part list derived from mail-parser's tree, with IMAP section numbers, and for each the
/// index of the mail-parser part (used when the server's structure is unavailable).
pub fn from_parsed(message: &Message<'_>) -> Vec<(PartInfo, usize)> {
    let mut out = Vec::new();
    let Some(root) = message.parts.first() else {
        return out;
    };
    match &root.body {
        PartType::Multipart(children) => walk(message, children, "", &mut out),
        _ => out.push((leaf(message, 0, "1".into()), 0)),
    }
    out
}

fn walk(message: &Message<'_>, children: &[u32], prefix: &str, out: &mut Vec<(PartInfo, usize)>) {
    for (i, &child) in children.iter().enumerate() {
        let section = if prefix.is_empty() {
            (i + 1).to_string()
        } else {
            format!("{prefix}.{}", i + 1)
        };
        let index = child as usize;
        let Some(part) = message.parts.get(index) else {
            continue;
        };
        match &part.body {
            PartType::Multipart(grandchildren) => walk(message, grandchildren, &section, out),
            _ => out.push((leaf(message, index, section.clone()), index)),
        }
    }
}

fn leaf(message: &Message<'_>, index: usize, section: String) -> PartInfo {
    let part = &message.parts[index];
    let (mime_type, type_params) = match part.content_type() {
        Some(ct) => (
            crate::model::media_type(ct.ctype(), ct.subtype().unwrap_or("octet-stream")),
            ct.attributes()
                .unwrap_or_default()
                .iter()
                .map(|a| (a.name.to_ascii_lowercase(), a.value.to_string()))
                .collect(),
        ),
        None => match &part.body {
            PartType::Message(_) => ("message/rfc822".to_string(), Vec::new()),
            PartType::Html(_) => ("text/html".to_string(), Vec::new()),
            _ => ("text/plain".to_string(), Vec::new()),
        },
    };
    let (disposition, disposition_params) = match part.content_disposition() {
        Some(cd) => (
            Some(cd.ctype().to_ascii_lowercase()),
            cd.attributes()
                .unwrap_or_default()
                .iter()
                .map(|a| (a.name.to_ascii_lowercase(), a.value.to_string()))
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    let encoding = match part
        .content_transfer_encoding()
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("base64") => TransferEncoding::Base64,
        Some("quoted-printable") => TransferEncoding::QuotedPrintable,
        _ => TransferEncoding::Identity,
    };
    PartInfo {
        section,
        mime_type,
        type_params,
        disposition,
        disposition_params,
        content_id: part.content_id().map(|id| {
            id.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        }),
        encoding,
        octets: (part.offset_end.saturating_sub(part.offset_body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &[u8] = b"From: a@example.com\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n\
--b2\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
--b2\r\nContent-Type: text/html\r\n\r\n<p>hello <img src=\"cid:logo@x\"></p>\r\n\
--b2--\r\n\
--b1\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n\
--b1\r\nContent-Type: application/pdf; name=\"=?UTF-8?Q?relat=C3=B3rio.pdf?=\"\r\n\
Content-Disposition: attachment; filename*=UTF-8''relat%C3%B3rio%20final.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n\
--b1--\r\n";

    #[test]
    fn sections_follow_imap_numbering_and_attachments_exclude_shown_images() {
        let message = crate::mime::parse(MIXED).unwrap();
        let parts: Vec<PartInfo> = from_parsed(&message).into_iter().map(|(p, _)| p).collect();
        let sections: Vec<&str> = parts.iter().map(|p| p.section.as_str()).collect();
        assert_eq!(sections, ["1.1", "1.2", "2", "3"]);
        let shown: HashSet<String> = ["logo@x".to_string()].into();
        let list = attachments(&parts, &shown);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].section, "3");
        assert_eq!(list[0].filename, "relatório final.pdf");
        let none_shown = attachments(&parts, &HashSet::new());
        assert_eq!(none_shown.len(), 2);
        assert_eq!(inline_images(&parts)["logo@x"].section, "2");
    }

    #[test]
    fn file_names_cannot_carry_paths_or_controls() {
        assert_eq!(safe_filename("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_filename("a\r\nb.txt"), "a__b.txt");
        assert_eq!(safe_filename("evil\u{202E}fdp.exe"), "evil_fdp.exe");
    }

    #[test]
    fn file_names_cannot_hide_their_extension() {
        assert_eq!(
            safe_filename("doc\u{200B}.pdf\u{3000}\u{3000}\u{3000}\u{3000}.exe"),
            "doc.pdf .exe"
        );
        assert_eq!(safe_filename("a\u{200F}.txt\u{FEFF}"), "a.txt");
        assert_eq!(safe_filename("relatório  final.pdf"), "relatório final.pdf");
        // Joiners some scripts need are kept.
        assert_eq!(safe_filename("می\u{200C}خواهم.txt"), "می\u{200C}خواهم.txt");
    }
}
