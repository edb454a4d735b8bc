//! Turning what the person wrote into a MIME message.
//!
//! lettre does the encoding (RFC 2047 subjects and names, RFC 2231 file names, quoted-printable
//! or base64 bodies), so user text never reaches the header section raw: a CR or LF in any
//! field can never start a header of its own.

use std::str::FromStr;

use lettre::address::Envelope;
use lettre::message::header::{ContentType, HeaderName, HeaderValue, InReplyTo, References};
use lettre::message::{Attachment, Mailbox, Mailboxes, MultiPart, SinglePart};
use lettre::Message;

/// A message as written in the compose form, already validated.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub from: Option<Mailbox>,
    /// Where replies should go, when not to From.
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub bcc: Vec<Mailbox>,
    pub subject: String,
    pub body: String,
    /// Message-ID of the message this replies to, with angle brackets.
    pub in_reply_to: Option<String>,
    /// The References chain, space-separated Message-IDs.
    pub references: Option<String>,
    pub attachments: Vec<OutgoingAttachment>,
}

/// A file to attach. Its bytes are shared, not copied, when the message is cloned (a draft
/// is the same message with other recipients).
#[derive(Debug, Clone)]
pub struct OutgoingAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: bytes::Bytes,
}

/// The built message: bytes for the recipients, the same bytes with Bcc for the Sent folder.
pub struct Built {
    pub envelope: Envelope,
    pub for_recipients: Vec<u8>,
    pub for_sent: Vec<u8>,
    pub message_id: String,
}

/// Parses an address field: comma-separated addresses with optional display names, commas
/// allowed inside quoted names. On error, returns the piece that is not an address.
pub fn parse_addresses(field: &str) -> Result<Vec<Mailbox>, String> {
    let mut out = Vec::new();
    for piece in split_addresses(field) {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        if piece.chars().any(|c| c.is_control()) {
            return Err(piece.chars().filter(|c| !c.is_control()).collect());
        }
        match Mailbox::from_str(piece) {
            Ok(mailbox) => out.push(mailbox),
            // lettre's list parser would silently drop trailing garbage; one at a time it
            // cannot, and the person learns which address is wrong.
            Err(_) => match Mailboxes::from_str(piece) {
                Ok(list) if list.iter().count() == 1 => out.extend(list),
                _ => return Err(piece.to_string()),
            },
        }
    }
    Ok(out)
}

/// Splits on commas that are outside quotes and angle brackets.
fn split_addresses(field: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut angle, mut escaped) = (false, false, false);
    for c in field.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' | ';' if !quoted && !angle => {
                pieces.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    pieces.push(current);
    pieces
}

/// Replaces line breaks and other controls with spaces: a subject is one line.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Message-IDs as `<id@host>` tokens only, so nothing else rides along in the header.
fn message_ids(text: &str) -> String {
    text.split_whitespace()
        .filter(|id| {
            id.starts_with('<')
                && id.ends_with('>')
                && id.len() > 2
                && id.chars().all(|c| c.is_ascii_graphic())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a message could not be built; the web layer words it for the person.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("no recipient")]
    NoRecipient,
    /// The login is not an address to send from.
    #[error("no sender address")]
    NoSender,
    /// lettre refused to build it; its reason follows.
    #[error("cannot build the message: {0}")]
    Invalid(String),
}

/// Builds the MIME message to send.
pub fn build(outgoing: &Outgoing) -> Result<Built, BuildError> {
    if outgoing.to.is_empty() && outgoing.cc.is_empty() && outgoing.bcc.is_empty() {
        return Err(BuildError::NoRecipient);
    }
    build_message(outgoing, DraftNotes::default())
}

/// What a draft records for Carteiro alone, in headers of its own: what it answers and who
/// it is written as.
#[derive(Debug, Clone, Copy, Default)]
pub struct DraftNotes<'a> {
    /// What it answers (`reply 12 INBOX`), so the original can be flagged when the draft is
    /// finally sent.
    pub origin: Option<&'a str>,
    /// The id of the identity it is written as, so reopening it keeps the choice.
    pub identity: Option<&'a str>,
}

/// Builds a draft: recipients may be missing, and `notes` are kept in its headers.
pub fn build_draft(outgoing: &Outgoing, notes: DraftNotes<'_>) -> Result<Built, BuildError> {
    build_message(outgoing, notes)
}

fn build_message(outgoing: &Outgoing, notes: DraftNotes<'_>) -> Result<Built, BuildError> {
    let from = outgoing.from.clone().ok_or(BuildError::NoSender)?;
    let domain = from.email.domain().to_string();
    let message_id = format!(
        "<{:016x}{:08x}@{domain}>",
        rand::random::<u64>(),
        rand::random::<u32>()
    );
    let mut builder = Message::builder()
        .from(from)
        .subject(one_line(&outgoing.subject))
        .message_id(Some(message_id.clone()))
        .date_now()
        .keep_bcc();
    if let Some(reply_to) = &outgoing.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    for m in &outgoing.to {
        builder = builder.to(m.clone());
    }
    for m in &outgoing.cc {
        builder = builder.cc(m.clone());
    }
    for m in &outgoing.bcc {
        builder = builder.bcc(m.clone());
    }
    if let Some(id) = outgoing.in_reply_to.as_deref().map(message_ids) {
        if !id.is_empty() {
            builder = builder.header(InReplyTo::from(id));
        }
    }
    if let Some(refs) = outgoing.references.as_deref().map(message_ids) {
        if !refs.is_empty() {
            builder = builder.header(References::from(refs));
        }
    }
    for (name, value) in [
        ("X-Carteiro-Origin", notes.origin),
        ("X-Carteiro-Identity", notes.identity),
    ] {
        if let Some(value) = value.map(one_line).filter(|v| !v.is_empty()) {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str(name),
                value,
            ));
        }
    }
    let text = SinglePart::plain(outgoing.body.replace("\r\n", "\n"));
    let message = if outgoing.attachments.is_empty() {
        builder.singlepart(text)
    } else {
        let mut mixed = MultiPart::mixed().singlepart(text);
        for a in &outgoing.attachments {
            let content_type = ContentType::parse(&a.content_type)
                .unwrap_or_else(|_| ContentType::parse("application/octet-stream").expect("valid"));
            let name = crate::mime::parts::safe_filename(&a.filename);
            let name = if name.is_empty() {
                "attachment".to_string()
            } else {
                name
            };
            mixed = mixed.singlepart(Attachment::new(name).body(a.bytes.to_vec(), content_type));
        }
        builder.multipart(mixed)
    }
    .map_err(|e| BuildError::Invalid(e.to_string()))?;
    let for_sent = message.formatted();
    let for_recipients = without_bcc(&for_sent);
    Ok(Built {
        envelope: message.envelope().clone(),
        for_recipients,
        for_sent,
        message_id,
    })
}

/// Removes the Bcc field (with its folded lines) from the header section.
fn without_bcc(message: &[u8]) -> Vec<u8> {
    let header_end = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 2)
        .unwrap_or(message.len());
    let mut out = Vec::with_capacity(message.len());
    let mut skipping = false;
    for line in message[..header_end].split_inclusive(|&b| b == b'\n') {
        let folded = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !folded {
            skipping = line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"bcc:");
        }
        if !skipping {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(&message[header_end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing() -> Outgoing {
        Outgoing {
            from: Some("Alice <alice@example.test>".parse().unwrap()),
            to: parse_addresses("\"Silva, João\" <joao@example.test>, bob@example.test").unwrap(),
            bcc: parse_addresses("secret@example.test").unwrap(),
            subject: "Relatório\r\nBcc: evil@example.test".into(),
            body: "Olá!\nLinha dois.".into(),
            ..Outgoing::default()
        }
    }

    #[test]
    fn addresses_with_commas_in_names_parse_and_garbage_is_named() {
        let list =
            parse_addresses("\"Silva, João\" <joao@example.test>; ana@example.test,").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name.as_deref(), Some("Silva, João"));
        assert_eq!(
            parse_addresses("ok@example.test, not an address").unwrap_err(),
            "not an address"
        );
        assert!(parse_addresses("a@example.test\r\nBcc: x@example.test").is_err());
    }

    #[test]
    fn bcc_goes_to_the_envelope_and_the_sent_copy_only() {
        let built = build(&outgoing()).unwrap();
        let sent = String::from_utf8_lossy(&built.for_sent);
        let delivered = String::from_utf8_lossy(&built.for_recipients);
        assert!(sent.contains("Bcc: secret@example.test"), "{sent}");
        assert!(
            !delivered
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "{delivered}"
        );
        assert!(built
            .envelope
            .to()
            .iter()
            .any(|a| a.to_string() == "secret@example.test"));
        assert_eq!(
            built.for_recipients.len() + "Bcc: secret@example.test\r\n".len(),
            built.for_sent.len()
        );
    }

    #[test]
    fn line_breaks_in_file_names_never_make_a_header() {
        let mut o = outgoing();
        o.attachments.push(OutgoingAttachment {
            filename: "a.txt\r\nX-Injected: yes".into(),
            content_type: "text/plain\r\nX-Injected: yes".into(),
            bytes: b"x".as_slice().into(),
        });
        let built = build(&o).unwrap();
        let text = String::from_utf8_lossy(&built.for_recipients);
        assert!(!text.lines().any(|l| l.starts_with("X-Injected")), "{text}");
    }

    #[test]
    fn line_breaks_in_the_subject_never_make_a_header() {
        let built = build(&outgoing()).unwrap();
        let delivered = String::from_utf8_lossy(&built.for_recipients);
        let headers = &delivered[..delivered.find("\r\n\r\n").unwrap()];
        assert!(
            !headers
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "{headers}"
        );
        let parsed = crate::mime::parse(&built.for_recipients).unwrap();
        assert_eq!(parsed.subject(), Some("Relatório Bcc: evil@example.test"));
    }
}

#[cfg(test)]
mod international {
    use super::*;

    #[test]
    fn internationalized_names_and_domains_are_accepted() {
        let list = parse_addresses("Zoë Ñúñez <zoe@exémplo.test>, joão@example.test").unwrap();
        assert_eq!(list.len(), 2);
        let built = build(&Outgoing {
            from: Some("a@example.test".parse().unwrap()),
            to: list,
            subject: "Olá".into(),
            body: "x".into(),
            ..Outgoing::default()
        })
        .unwrap();
        let text = String::from_utf8_lossy(&built.for_recipients).to_string();
        let to_line = text
            .lines()
            .find(|l| l.starts_with("To:"))
            .unwrap()
            .to_string();
        assert!(
            to_line.contains("=?utf-8?"),
            "display names are encoded: {to_line}"
        );
        assert_eq!(built.envelope.to().len(), 2);
    }
}
