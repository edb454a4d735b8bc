//! The short plain-text preview a message list shows under each subject.
//!
//! Made from the first few hundred bytes of the message's text part (a partial FETCH), so
//! everything here must accept input cut anywhere: in a base64 quantum, a quoted-printable
//! escape, a multi-byte character, an HTML tag or entity. The result is plain text; the
//! template escapes it like any other text.
//!
//! The server's own previews (RFC 8970 `PREVIEW`, which Dovecot offers) were not used:
//! imap-proto cannot parse a FETCH answer carrying them, and an unparsable answer breaks the
//! connection.

use crate::mime::transfer::Decoder;
use crate::model::TransferEncoding;

/// Characters shown at most.
pub const SNIPPET_CHARS: usize = 140;

/// The preview of a text part's first bytes (`raw`, still transfer-encoded), or `None` when
/// nothing readable is left. `whole` says `raw` is the entire part, not a cut start.
pub fn snippet(
    raw: &[u8],
    encoding: TransferEncoding,
    charset: Option<&str>,
    html: bool,
    whole: bool,
) -> Option<String> {
    // Only what decodes whole: `push` keeps back a cut base64 quantum or `=X` escape, which
    // `finish` would decode as garbage unless that really is the end of the part.
    let mut decoder = Decoder::new(encoding);
    let mut bytes = decoder.push(raw);
    if whole {
        bytes.extend(decoder.finish());
    }
    let text = decode_charset(&bytes, charset);
    let text = if html {
        // The cut may fall inside a tag or an entity; drop the unfinished tail first.
        let text = match (text.rfind('<'), text.rfind('>')) {
            (Some(open), close) if close.is_none_or(|c| c < open) => &text[..open],
            _ => text.as_str(),
        };
        std::panic::catch_unwind(|| mail_parser::decoders::html::html_to_text(text)).ok()?
    } else {
        text
    };
    let mut out = String::new();
    let mut count = 0;
    let mut words = text
        .lines()
        // Quoted replies and signature separators say nothing new about the message.
        .filter(|l| !l.trim_start().starts_with('>'))
        .flat_map(str::split_whitespace)
        .peekable();
    while let Some(word) = words.next() {
        let word: String = word
            .chars()
            .filter(|c| !c.is_control() && !super::is_bidi_control(*c))
            .collect();
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count == SNIPPET_CHARS {
                out.push('…');
                return Some(out);
            }
            out.push(c);
            count += 1;
        }
        if count >= SNIPPET_CHARS && words.peek().is_some() {
            out.push('…');
            return Some(out);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Bytes in `charset` (UTF-8 when absent or unknown) as text. A multi-byte character cut at
/// the end becomes a replacement character, which the caller's word split may keep; that is
/// the price of never failing.
fn decode_charset(bytes: &[u8], charset: Option<&str>) -> String {
    let utf8 = charset
        .is_none_or(|c| c.eq_ignore_ascii_case("utf-8") || c.eq_ignore_ascii_case("us-ascii"));
    if !utf8 {
        if let Some(decode) =
            mail_parser::decoders::charsets::map::charset_decoder(charset.unwrap_or("").as_bytes())
        {
            if let Ok(text) = std::panic::catch_unwind(|| decode(bytes)) {
                return text;
            }
        }
    }
    let text = String::from_utf8_lossy(bytes);
    // A character cut by the partial fetch: drop it rather than show `�`.
    text.strip_suffix('\u{FFFD}').unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_collapsed_and_cut_at_a_character() {
        let raw = "Olá,\r\n\r\n  segue   o relatório.\r\n> citação antiga\r\nAbraço";
        assert_eq!(
            snippet(
                raw.as_bytes(),
                TransferEncoding::Identity,
                Some("utf-8"),
                false,
                false
            )
            .as_deref(),
            Some("Olá, segue o relatório. Abraço")
        );
        let long = "ç".repeat(300);
        let s = snippet(
            long.as_bytes(),
            TransferEncoding::Identity,
            None,
            false,
            false,
        )
        .unwrap();
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(
            snippet(b"  \r\n ", TransferEncoding::Identity, None, false, false),
            None
        );
    }

    #[test]
    fn bidi_controls_never_reach_the_preview() {
        let raw = "pay \u{202E}fdp.exe\u{202C} now \u{2067}x\u{2069}";
        let s = snippet(
            raw.as_bytes(),
            TransferEncoding::Identity,
            None,
            false,
            false,
        )
        .unwrap();
        assert_eq!(s, "pay fdp.exe now x");
    }

    #[test]
    fn truncated_encodings_never_fail() {
        // "Reunião amanhã" in quoted-printable, cut inside an escape.
        let qp = b"Reuni=C3=A3o amanh=C3=A3 =C3";
        assert_eq!(
            snippet(
                qp,
                TransferEncoding::QuotedPrintable,
                Some("utf-8"),
                false,
                false
            )
            .as_deref(),
            Some("Reunião amanhã")
        );
        // base64 cut mid-quantum and mid-character.
        let b64 = b"UmV1bmnDo28gYW1hbmjDo8Oj";
        for cut in 1..b64.len() {
            let s = snippet(
                &b64[..cut],
                TransferEncoding::Base64,
                Some("utf-8"),
                false,
                false,
            );
            if let Some(s) = s {
                assert!("Reunião amanhãã".starts_with(&s), "{cut}: {s}");
            }
        }
        // The whole part: its last, padded quantum counts.
        assert_eq!(
            snippet(b"T2zDoSE=", TransferEncoding::Base64, None, false, true).as_deref(),
            Some("Olá!")
        );
        assert_eq!(
            snippet(b"T2zDoSE=", TransferEncoding::Base64, None, false, false).as_deref(),
            Some("Ol"),
            "a cut start keeps only whole quanta and whole characters"
        );
        // Latin-1 and an unknown charset.
        assert_eq!(
            snippet(
                b"Jo\xe3o",
                TransferEncoding::Identity,
                Some("iso-8859-1"),
                false,
                false
            )
            .as_deref(),
            Some("João")
        );
        assert!(snippet(
            b"abc",
            TransferEncoding::Identity,
            Some("x-nonsense"),
            false,
            false
        )
        .is_some());
    }

    #[test]
    fn html_becomes_text_without_tags_styles_or_cut_markup() {
        let html = b"<html><head><style>p{color:red}</style></head><body><p>Ol&aacute; &amp; \
<b>bem-vindo</b></p><p>Segunda&nbsp;linha</p><a href=\"https://exam";
        let s = snippet(html, TransferEncoding::Identity, Some("utf-8"), true, false).unwrap();
        assert!(s.starts_with("Olá & bem-vindo"), "{s}");
        assert!(s.contains("Segunda"), "{s}");
        assert!(
            !s.contains('<') && !s.contains("color") && !s.contains("href"),
            "{s}"
        );
        let script = b"<script>alert(1)</script><img src=x onerror=alert(2)>Oi";
        assert_eq!(
            snippet(script, TransferEncoding::Identity, None, true, false).as_deref(),
            Some("Oi")
        );
    }
}
