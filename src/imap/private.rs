//! Carteiro's private folders: IMAP folders that hold Carteiro's own data (contacts when no
//! CardDAV server is configured, settings when the server has no METADATA) as small
//! messages, so that data follows the person and needs no database.
//!
//! A private folder is created on first write, never subscribed, and never shown among the
//! person's folders ([`is_private`] is how the folder list leaves them out). It sits at the
//! top level, or under `INBOX` on servers that keep every folder there (Courier, some
//! Dovecot `INBOX.` namespaces): the server's CREATE decides, see
//! `ImapConn::private_folder`. NAMESPACE is not asked: imap-proto cannot parse its answer,
//! and trying the top level first and `INBOX<delimiter>` second finds the same place on
//! the servers that exist.
//!
//! Each item is one message whose body is base64, so that any UTF-8 and any line length
//! survive every server ([`message`]); [`body_of`] reads one back.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::mime::transfer::Decoder;
use crate::model::TransferEncoding;

/// Which private folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrivateFolder {
    /// The address book, one vCard per message.
    Contacts,
    /// Settings on a server without METADATA: one message holding every entry.
    Settings,
}

impl PrivateFolder {
    /// The folder's name (its last component). Plain ASCII with no hierarchy character of
    /// any server (`/`, `.`), and worded so a person who meets it in another mail app knows
    /// what it is and leaves it be.
    pub fn name(self) -> &'static str {
        match self {
            PrivateFolder::Contacts => "Carteiro Contacts",
            PrivateFolder::Settings => "Carteiro Settings",
        }
    }

    pub const ALL: [PrivateFolder; 2] = [PrivateFolder::Contacts, PrivateFolder::Settings];

    /// Whether `name` (UTF-8, as LIST gives it) is this folder, at the top level or under
    /// INBOX.
    pub fn is(self, name: &str, delimiter: Option<char>) -> bool {
        if name == self.name() {
            return true;
        }
        let Some(d) = delimiter else { return false };
        match name.split_once(d) {
            Some((inbox, rest)) => inbox.eq_ignore_ascii_case("INBOX") && rest == self.name(),
            None => false,
        }
    }
}

/// The settings last read from (or written to) the settings folder by one connection, with
/// the folder's counts then: while STATUS gives the same counts, nothing was saved since.
pub(crate) struct SettingsSnapshot {
    pub(crate) folder: String,
    pub(crate) messages: u32,
    pub(crate) uid_next: u32,
    pub(crate) entries: std::collections::HashMap<String, String>,
}

/// Whether a folder of the folder list is one of Carteiro's private folders, which pages
/// never show (sidebar, folder page, move targets).
pub fn is_private(name: &str, delimiter: Option<char>) -> bool {
    PrivateFolder::ALL.iter().any(|p| p.is(name, delimiter))
}

/// A private message: `subject` (any text; RFC 2047-encoded when not ASCII), `content_type`
/// (e.g. `text/vcard; charset=utf-8`), extra header fields, and `body` in base64. Returns the
/// message and its Message-ID, by which the new message is found after APPEND (async-imap
/// does not pass APPENDUID on).
pub fn message(
    subject: &str,
    content_type: &str,
    extra: &[(&str, &str)],
    body: &[u8],
) -> (Vec<u8>, String) {
    let message_id = format!("<{:032x}@carteiro.private>", rand::random::<u128>());
    let date = chrono::Local::now().to_rfc2822();
    let mut out = String::new();
    out.push_str(&format!("Date: {date}\r\n"));
    out.push_str("From: Carteiro <carteiro@localhost>\r\n");
    out.push_str(&format!("Subject: {}\r\n", encode_word(subject)));
    out.push_str(&format!("Message-ID: {message_id}\r\n"));
    for (name, value) in extra {
        out.push_str(&format!("{name}: {}\r\n", one_line(value)));
    }
    out.push_str("MIME-Version: 1.0\r\n");
    out.push_str(&format!("Content-Type: {content_type}\r\n"));
    out.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
    let encoded = STANDARD.encode(body);
    for line in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push_str("\r\n");
    }
    (out.into_bytes(), message_id)
}

/// The body of a whole message (`BODY[]`), decoded from its Content-Transfer-Encoding.
pub fn body_of(raw: &[u8]) -> Vec<u8> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| {
            raw.windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, i + 2))
        });
    let Some((header_end, body_start)) = split else {
        return Vec::new();
    };
    let header = String::from_utf8_lossy(&raw[..header_end]).replace("\r\n", "\n");
    let encoding = header
        .replace("\n ", " ")
        .replace("\n\t", " ")
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-transfer-encoding")
                .then(|| value.trim().to_ascii_lowercase())
        });
    let encoding = match encoding.as_deref() {
        Some("base64") => TransferEncoding::Base64,
        Some("quoted-printable") => TransferEncoding::QuotedPrintable,
        _ => TransferEncoding::Identity,
    };
    let mut decoder = Decoder::new(encoding);
    let mut out = decoder.push(&raw[body_start..]);
    out.extend(decoder.finish());
    out
}

/// A header value on one line: line breaks (which would start a forged header field) become
/// spaces, and it is cut to a length every server takes.
fn one_line(value: &str) -> String {
    let flat: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    flat.chars().filter(char::is_ascii).take(200).collect()
}

/// `text` as a Subject: ASCII as it is, anything else as one RFC 2047 base64 word per
/// 45 bytes (whole characters), so no line grows past what servers take.
fn encode_word(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    if flat.is_ascii() {
        return flat;
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in flat.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| format!("=?utf-8?b?{}?=", STANDARD.encode(w)))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_folders_are_known_at_the_top_level_and_under_inbox_only() {
        assert!(is_private("Carteiro Contacts", Some('/')));
        assert!(is_private("INBOX.Carteiro Settings", Some('.')));
        assert!(is_private("inbox/Carteiro Contacts", Some('/')));
        assert!(!is_private("Projetos/Carteiro Contacts", Some('/')));
        assert!(!is_private("INBOX.Carteiro Contacts", None));
        assert!(!is_private("Carteiro", Some('/')));
    }

    #[test]
    fn a_message_body_comes_back_whole_with_any_utf8_and_long_lines() {
        let body = format!("FN:João Ñandú 😀\r\nNOTE:{}\r\n", "ç".repeat(3000));
        let (raw, id) = message(
            "João\r\nBcc: evil@example.com",
            "text/vcard; charset=utf-8",
            &[("X-Carteiro-Contact", "urn:uuid:1\r\nX: y")],
            body.as_bytes(),
        );
        let text = String::from_utf8(raw.clone()).unwrap();
        assert!(id.starts_with('<') && text.contains(&format!("Message-ID: {id}\r\n")));
        assert!(!text.contains("\nBcc:") && !text.contains("\nX: y"));
        assert!(text.lines().all(|l| l.len() <= 998));
        assert_eq!(body_of(&raw), body.as_bytes());
    }

    #[test]
    fn bodies_in_other_encodings_are_decoded_too() {
        let raw = b"Subject: x\r\nContent-Transfer-Encoding:\r\n quoted-printable\r\n\r\nJo=C3=A3o";
        assert_eq!(body_of(raw), "João".as_bytes());
        assert_eq!(body_of(b"Subject: x\n\nplain"), b"plain");
        assert_eq!(body_of(b"no body"), b"");
    }
}
