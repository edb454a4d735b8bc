//! Turning message bytes into what the pages show.
//!
//! - [`parse`] wraps mail-parser with a size cap and a panic guard: hostile input must cost a
//!   bounded amount and never take the worker down.
//! - [`headers`] decodes the header block of a list row; [`view`] builds a message view.
//! - [`parts`] classifies parts into body, inline images and attachments.
//! - [`sanitize`] and [`plain_text`] render bodies safely (the sanitizer, fed hostile HTML,
//!   contains its panics too); [`transfer`] undoes Content-Transfer-Encoding while streaming a
//!   download.

pub mod headers;
pub mod idn;
pub mod parts;
pub mod plain_text;
pub mod sanitize;
pub mod snippet;
pub mod transfer;
pub mod view;

use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::{DateTime, FixedOffset, NaiveDate};
use mail_parser::{Message, MessageParser};

/// Largest message handed to the parser; bigger ones are shown from their structure only.
pub const MAX_PARSE_BYTES: usize = 64 * 1024 * 1024;

/// Parses a message (or a bare header block). `None` for input the parser rejects, input over
/// the cap, or a parser panic (logged: it is a parser bug worth reporting).
pub fn parse(raw: &[u8]) -> Option<Message<'_>> {
    if raw.len() > MAX_PARSE_BYTES {
        return None;
    }
    match catch_unwind(AssertUnwindSafe(|| MessageParser::default().parse(raw))) {
        Ok(message) => message,
        Err(_) => {
            tracing::error!(bytes = raw.len(), "mail-parser panicked on a message");
            None
        }
    }
}

/// A decoded address for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub email: Option<String>,
}

impl Mailbox {
    /// What a list shows: the display name, else the address. A display name that looks
    /// like an address other than the real one (`"ceo@bank.example" <x@evil.example>`) is a
    /// spoofing trick, so the real address is shown with it.
    pub fn short(&self) -> String {
        if self.deceptive_domain() {
            // A look-alike domain: the ASCII form gives the trick away. A domain sent already
            // in punycode (`xn--pypal-4ve.com`) has no other ASCII form: it is its own.
            let ascii = self
                .ascii_email()
                .or_else(|| self.email.clone())
                .unwrap_or_default();
            return match &self.name {
                Some(n) if !n.trim().is_empty() => format!("{} <{ascii}>", n.trim()),
                _ => ascii,
            };
        }
        match (&self.name, &self.email) {
            (Some(n), Some(e)) if self.name_spoofs_address() => {
                format!("{} <{e}>", n.trim())
            }
            (Some(n), _) if !n.trim().is_empty() => n.trim().to_string(),
            (_, Some(e)) => e.clone(),
            _ => String::new(),
        }
    }

    /// Whether the address's domain poses as another with look-alike letters.
    pub fn deceptive_domain(&self) -> bool {
        self.email.as_deref().is_some_and(idn::is_deceptive)
    }

    /// The address with an internationalised domain written in ASCII (punycode).
    pub fn ascii_email(&self) -> Option<String> {
        self.email.as_deref().and_then(idn::ascii_address)
    }

    /// Whether the display name contains an address that is not the real one. The fullwidth
    /// `＠` and small `﹫` pass for `@` on screen, so they count as one.
    pub fn name_spoofs_address(&self) -> bool {
        let (Some(name), Some(email)) = (&self.name, &self.email) else {
            return false;
        };
        name.contains(['@', '\u{FF20}', '\u{FE6B}'])
            && !name.to_lowercase().contains(&email.to_lowercase())
    }
}

/// Flattens an address header (lists and groups) into mailboxes.
pub fn mailboxes(address: Option<&mail_parser::Address<'_>>) -> Vec<Mailbox> {
    let Some(address) = address else {
        return Vec::new();
    };
    address
        .iter()
        .map(|a| Mailbox {
            name: a.name().map(clean_text).filter(|n| !n.is_empty()),
            email: a.address().map(clean_text).filter(|e| !e.is_empty()),
        })
        .collect()
}

/// Most characters of a header text (subject, name, address) shown. A Subject can be a
/// megabyte long, and pages repeat it (title, heading, each list row's label and link).
pub const MAX_HEADER_TEXT: usize = 1000;

/// Bidi embedding, override and isolate controls: they can reorder what surrounds them on the
/// page (an address or an extension that reads backwards), so no text from a message keeps them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Removes control characters (a header may carry NUL, bidi overrides or line breaks) and cuts
/// the text at [`MAX_HEADER_TEXT`] characters, marking the cut with `…`.
pub fn clean_text(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !is_bidi_control(*c))
        .take(MAX_HEADER_TEXT + 1)
        .collect::<String>()
        .trim()
        .to_string();
    if let Some((cut, _)) = out.char_indices().nth(MAX_HEADER_TEXT) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// The moment a header date names, with the sender's offset (pages show it in their own
/// zone: see `i18n::dates`). `None` for dates that do not exist (a hostile `31 Feb`).
pub fn header_date(date: &mail_parser::DateTime) -> Option<DateTime<FixedOffset>> {
    let sign = if date.tz_before_gmt { -1 } else { 1 };
    let offset = FixedOffset::east_opt(
        sign * (i32::from(date.tz_hour) * 3600 + i32::from(date.tz_minute) * 60),
    )?;
    NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )?
    .and_hms_opt(
        u32::from(date.hour),
        u32::from(date.minute),
        u32::from(date.second.min(59)),
    )?
    .and_local_timezone(offset)
    .single()
}

/// A tiny deterministic PRNG for the randomized tests, so failures reproduce.
#[cfg(test)]
pub(crate) mod test_rng {
    pub struct XorShift(pub u64);

    impl XorShift {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        pub fn pick<'t>(&mut self, items: &[&'t str]) -> &'t str {
            items[(self.next() % items.len() as u64) as usize]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_dates_keep_their_moment_and_refuse_impossible_days() {
        let parsed = |raw: &str| {
            let text = format!("Date: {raw}\r\n\r\n");
            let message = parse(text.as_bytes()).expect("parses");
            message.date().and_then(header_date)
        };
        let date = parsed("Fri, 7 Mar 2025 16:20:00 -0300").expect("a date");
        assert_eq!(date.to_rfc3339(), "2025-03-07T16:20:00-03:00");
        assert_eq!(parsed("Mon, 31 Feb 2025 10:00:00 +0000"), None);
    }

    #[test]
    fn a_display_name_posing_as_another_address_shows_the_real_one() {
        let spoof = Mailbox {
            name: Some("ceo@bank.example".into()),
            email: Some("x@evil.example".into()),
        };
        assert_eq!(spoof.short(), "ceo@bank.example <x@evil.example>");
        let honest = Mailbox {
            name: Some("ana@example.com".into()),
            email: Some("Ana@Example.com".into()),
        };
        assert_eq!(honest.short(), "ana@example.com");
        let plain = Mailbox {
            name: Some("Ana".into()),
            email: Some("ana@example.com".into()),
        };
        assert_eq!(plain.short(), "Ana");
    }

    #[test]
    fn a_look_alike_domain_sent_in_punycode_still_shows_its_address() {
        let m = Mailbox {
            name: Some("PayPal".into()),
            email: Some("service@xn--pypal-4ve.com".into()),
        };
        assert!(m.deceptive_domain());
        assert_eq!(m.short(), "PayPal <service@xn--pypal-4ve.com>");
    }

    #[test]
    fn a_fullwidth_at_sign_in_the_name_counts_as_an_address() {
        for name in ["ceo\u{FF20}bank.example", "ceo\u{FE6B}bank.example"] {
            let spoof = Mailbox {
                name: Some(name.into()),
                email: Some("x@evil.example".into()),
            };
            assert_eq!(spoof.short(), format!("{name} <x@evil.example>"));
        }
    }

    #[test]
    fn control_and_bidi_characters_are_removed() {
        assert_eq!(clean_text("a\u{0}b\r\nc\u{202E}d"), "a b  cd");
    }

    #[test]
    fn header_text_is_cut_at_a_thousand_characters() {
        let long = "é".repeat(5000);
        let shown = clean_text(&long);
        assert_eq!(shown.chars().count(), MAX_HEADER_TEXT + 1);
        assert!(shown.ends_with("é…"));
        let exact = "x".repeat(MAX_HEADER_TEXT);
        assert_eq!(clean_text(&exact), exact);
    }
}
