//! Decoding the header fields a message list shows.

use chrono::{DateTime, FixedOffset};

use super::{clean_text, header_date, mailboxes, parse, Mailbox};

/// From/To/Subject/Date of one list row, decoded (RFC 2047, charsets, raw UTF-8).
#[derive(Debug, Clone, Default)]
pub struct ListHeaders {
    pub from: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub subject: String,
    /// The Date header, if it names a real moment.
    pub date: Option<DateTime<FixedOffset>>,
}

/// Decodes a header block fetched with `BODY.PEEK[HEADER.FIELDS (...)]<0.n>`. A block cut by
/// the fetch's size limit is read up to its last whole line.
pub fn list_headers(raw: &[u8]) -> ListHeaders {
    let mut whole;
    let raw = if raw.ends_with(b"\n\n") || raw.ends_with(b"\r\n\r\n") || raw.is_empty() {
        raw
    } else {
        let end = raw.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        whole = raw[..end].to_vec();
        whole.extend_from_slice(b"\r\n");
        &whole
    };
    let Some(message) = parse(raw) else {
        return ListHeaders::default();
    };
    ListHeaders {
        from: mailboxes(message.from()),
        to: mailboxes(message.to()),
        subject: message.subject().map(clean_text).unwrap_or_default(),
        date: message.date().and_then(header_date),
    }
}

/// The identifier of the mailing list a message came through (RFC 2919's `List-Id`: the
/// part in angle brackets, `rust-users.lists.example.org`), without the list's description.
/// `None` when the message has none, or only an empty one.
pub fn list_id(message: &mail_parser::Message<'_>) -> Option<String> {
    let raw = message.header_raw("List-Id")?;
    list_id_of(raw)
}

/// The identifier in a `List-Id` header's value: between its last angle brackets, else (a
/// sender that left them out) the whole value.
pub fn list_id_of(raw: &str) -> Option<String> {
    let unfolded: String = raw.split(['\r', '\n']).collect::<Vec<_>>().join(" ");
    let id = match (unfolded.rfind('<'), unfolded.rfind('>')) {
        (Some(open), Some(close)) if open < close => &unfolded[open + 1..close],
        _ => unfolded.as_str(),
    };
    let id = id.trim();
    let clean = !id.is_empty() && !id.chars().any(|c| c.is_control() || c.is_whitespace());
    clean.then(|| id.to_string())
}

/// Reads an IMAP INTERNALDATE (`17-Jul-1996 02:44:25 -0700`; the day may be space-padded).
pub fn internal_date(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_str(text.trim(), "%d-%b-%Y %H:%M:%S %z").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_id_is_the_part_in_angle_brackets() {
        assert_eq!(
            list_id_of(" \"Rust users\" <rust-users.lists.example.org>\r\n").as_deref(),
            Some("rust-users.lists.example.org")
        );
        assert_eq!(
            list_id_of(" Lista\r\n <obra.lists.example.com.br>").as_deref(),
            Some("obra.lists.example.com.br"),
            "folded"
        );
        assert_eq!(
            list_id_of(" bare.example.org").as_deref(),
            Some("bare.example.org")
        );
        assert_eq!(list_id_of(" <>"), None);
        assert_eq!(list_id_of(" two words"), None);
        let raw = b"From: a@example.test\r\nList-Id: Obra <obra.example.org>\r\nSubject: x\r\n\r\nbody\r\n";
        let message = mail_parser::MessageParser::default()
            .parse(&raw[..])
            .unwrap();
        assert_eq!(list_id(&message).as_deref(), Some("obra.example.org"));
    }

    #[test]
    fn encoded_words_and_names_are_decoded() {
        let raw = b"From: =?ISO-8859-1?Q?Jo=E3o_Ara=FAjo?= <joao@example.com.br>\r\n\
Subject: =?UTF-8?B?UmV1bmnDo28gZGUgb3LDp2FtZW50bw==?=\r\n\
Date: Mon, 3 Mar 2025 10:42:00 -0300\r\n\r\n";
        let h = list_headers(raw);
        assert_eq!(h.from[0].short(), "João Araújo");
        assert_eq!(h.subject, "Reunião de orçamento");
        let date = h.date.expect("a date").to_rfc3339();
        assert_eq!(date, "2025-03-03T10:42:00-03:00");
    }

    #[test]
    fn a_header_block_cut_by_the_fetch_keeps_its_whole_lines() {
        let raw = b"Subject: Long\r\n and longer\r\n and cu";
        assert_eq!(list_headers(raw).subject, "Long and longer");
    }

    #[test]
    fn internal_dates_are_read() {
        let read = |t: &str| internal_date(t).map(|d| d.to_rfc3339());
        assert_eq!(
            read("17-Jul-1996 02:44:25 -0700").as_deref(),
            Some("1996-07-17T02:44:25-07:00")
        );
        assert_eq!(
            read(" 3-Mar-2025 10:42:00 +0000").as_deref(),
            Some("2025-03-03T10:42:00+00:00")
        );
        assert_eq!(read("yesterday"), None);
    }
}
