//! Search criteria built from what a person typed, safe to put in an IMAP command.
//!
//! Every piece of user text becomes an IMAP string: a quoted string when it is plain ASCII,
//! otherwise a non-synchronizing literal (LITERAL+), which carries any byte sequence, quotes,
//! backslashes, CR/LF and `{123}` markers included, without ending or altering the command.

use super::error::{Declined, ImapError};

/// A search as the search form describes it. Empty fields do not restrict.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Free text, looked for in From, To, Subject and the body.
    pub text: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// `YYYY-MM-DD`, inclusive.
    pub since: String,
    /// `YYYY-MM-DD`, inclusive.
    pub until: String,
    pub unread: bool,
    pub flagged: bool,
    pub attachment: bool,
}

impl SearchQuery {
    pub fn is_empty(&self) -> bool {
        *self == SearchQuery::default()
    }

    /// The SEARCH/SORT criteria, e.g. `UNSEEN OR OR OR FROM "x" TO "x" SUBJECT "x" BODY "x"`.
    /// `literal_plus`: the server accepts non-synchronizing literals.
    pub fn criteria(&self, literal_plus: bool) -> Result<String, ImapError> {
        let s = |text: &str| string(text, literal_plus);
        let mut parts: Vec<String> = Vec::new();
        let text = self.text.trim();
        if !text.is_empty() {
            let t = s(text)?;
            parts.push(format!("OR OR OR FROM {t} TO {t} SUBJECT {t} BODY {t}"));
        }
        for (key, value) in [
            ("FROM", &self.from),
            ("TO", &self.to),
            ("SUBJECT", &self.subject),
            ("BODY", &self.body),
        ] {
            if !value.trim().is_empty() {
                parts.push(format!("{key} {}", s(value.trim())?));
            }
        }
        if !self.since.trim().is_empty() {
            parts.push(format!("SENTSINCE {}", imap_date(&self.since)?));
        }
        if !self.until.trim().is_empty() {
            // SENTBEFORE is exclusive; the form's "until" is inclusive. The Sent* keys use the
            // Date header, the date the list shows, not the arrival date.
            parts.push(format!("SENTBEFORE {}", imap_date_after(&self.until)?));
        }
        if self.unread {
            parts.push("UNSEEN".into());
        }
        if self.flagged {
            parts.push("FLAGGED".into());
        }
        if self.attachment {
            parts.push(format!("HEADER Content-Type {}", s("multipart/mixed")?));
        }
        if parts.is_empty() {
            parts.push("ALL".into());
        }
        Ok(parts.join(" "))
    }
}

/// One IMAP string for `text`.
/// Marks where a command holding synchronizing literals is cut: the server must answer `+`
/// to each literal's length before its text is sent ([`crate::imap::wire::exchange_literals`]).
/// A NUL, which no search text may hold, so a text cannot cut a command of its own.
pub const LITERAL_CUT: char = '\0';

/// A search string: quoted when it is printable ASCII; otherwise a literal, non-synchronizing
/// (`{n+}`) where the server has LITERAL+, synchronizing (`{n}`, then [`LITERAL_CUT`]) where
/// it has not (Courier).
fn string(text: &str, literal_plus: bool) -> Result<String, ImapError> {
    let plain = text.bytes().all(|b| (0x20..0x7f).contains(&b));
    if plain {
        return super::quote::quoted(text);
    }
    if text.contains(LITERAL_CUT) {
        return Err(ImapError::Declined(Declined::SearchText));
    }
    if literal_plus {
        return Ok(format!("{{{}+}}\r\n{text}", text.len()));
    }
    Ok(format!("{{{}}}\r\n{LITERAL_CUT}{text}", text.len()))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn parse_ymd(text: &str) -> Result<(i32, u32, u32), ImapError> {
    let bad = || ImapError::Declined(Declined::NotADate(text.to_string()));
    let mut it = text.trim().splitn(3, '-');
    let y: i32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    let m: u32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    let d: u32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
    if !(1900..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in(y, m) {
        return Err(bad());
    }
    Ok((y, m, d))
}

fn days_in(y: i32, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn format_imap((y, m, d): (i32, u32, u32)) -> String {
    format!("{d}-{}-{y}", MONTHS[(m - 1) as usize])
}

fn imap_date(text: &str) -> Result<String, ImapError> {
    parse_ymd(text).map(format_imap)
}

fn imap_date_after(text: &str) -> Result<String, ImapError> {
    let (y, m, d) = parse_ymd(text)?;
    let next = if d < days_in(y, m) {
        (y, m, d + 1)
    } else if m < 12 {
        (y, m + 1, 1)
    } else {
        (y + 1, 1, 1)
    };
    Ok(format_imap(next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_searches_four_fields_and_flags_combine() {
        let q = SearchQuery {
            text: "relatório".into(),
            unread: true,
            ..SearchQuery::default()
        };
        let c = q.criteria(true).unwrap();
        assert_eq!(
            c,
            "OR OR OR FROM {10+}\r\nrelatório TO {10+}\r\nrelatório SUBJECT {10+}\r\nrelatório BODY {10+}\r\nrelatório UNSEEN"
        );
        assert_eq!(
            q.criteria(false).unwrap(),
            "OR OR OR FROM {10}\r\n\0relatório TO {10}\r\n\0relatório SUBJECT {10}\r\n\0relatório \
             BODY {10}\r\n\0relatório UNSEEN",
            "synchronizing literals, cut where the server must say +"
        );
        let nul = SearchQuery {
            text: "a\0b\u{e9}".into(),
            ..SearchQuery::default()
        };
        assert!(nul.criteria(false).is_err());
    }

    #[test]
    fn hostile_text_stays_inside_its_string() {
        for evil in [
            "x\" OR ALL \"",
            "a\\",
            "{5}\r\nA1 LOGOUT",
            "x\r\nA2 DELETE INBOX",
        ] {
            let q = SearchQuery {
                subject: evil.into(),
                ..SearchQuery::default()
            };
            let c = q.criteria(true).unwrap();
            if evil.bytes().any(|b| b < 0x20) {
                // A literal: the announced length covers exactly the text.
                assert_eq!(c, format!("SUBJECT {{{}+}}\r\n{evil}", evil.len()));
            } else {
                assert!(c.starts_with("SUBJECT \""), "{c}");
            }
        }
        let q = SearchQuery {
            from: "a\"b\\c".into(),
            ..SearchQuery::default()
        };
        assert_eq!(q.criteria(true).unwrap(), r#"FROM "a\"b\\c""#);
    }

    #[test]
    fn dates_are_validated_and_until_is_inclusive() {
        let q = SearchQuery {
            since: "2025-03-01".into(),
            until: "2025-12-31".into(),
            ..SearchQuery::default()
        };
        assert_eq!(
            q.criteria(true).unwrap(),
            "SENTSINCE 1-Mar-2025 SENTBEFORE 1-Jan-2026"
        );
        let bad = SearchQuery {
            since: "2025-02-30".into(),
            ..SearchQuery::default()
        };
        assert!(bad.criteria(true).is_err());
        let injected = SearchQuery {
            since: "2025-01-01 ALL".into(),
            ..SearchQuery::default()
        };
        assert!(injected.criteria(true).is_err());
    }
}
