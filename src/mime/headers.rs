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

/// Reads an IMAP INTERNALDATE (`17-Jul-1996 02:44:25 -0700`; the day may be space-padded).
pub fn internal_date(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_str(text.trim(), "%d-%b-%Y %H:%M:%S %z").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

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
