//! Modified UTF-7 (RFC 3501 §5.1.3), the wire form of non-ASCII mailbox names.
//!
//! Carteiro shows and links folders by their UTF-8 names and converts at the IMAP boundary
//! only, so URLs stay readable (`/mail/Fam%C3%ADlia`) and no template ever sees `&AO0-`.

use base64::alphabet::Alphabet;
use base64::engine::{general_purpose::NO_PAD, GeneralPurpose};
use base64::Engine;
use std::sync::LazyLock;

/// RFC 3501's base64 variant: `,` instead of `/`, no padding.
static MUTF7: LazyLock<GeneralPurpose> = LazyLock::new(|| {
    let alphabet =
        Alphabet::new("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,")
            .expect("valid alphabet");
    GeneralPurpose::new(&alphabet, NO_PAD)
});

/// UTF-8 → modified UTF-7.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        out.push_str(&MUTF7.encode(bytes));
        out.push('-');
        pending.clear();
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut pending, &mut out);
    out
}

/// Modified UTF-7 → UTF-8. A name that is not valid modified UTF-7 (some servers send raw
/// UTF-8) is returned as it is, so it still displays and round-trips through [`encode`]
/// only when it was valid; callers keep the wire name next to the display name.
pub fn decode(wire: &str) -> String {
    try_decode(wire).unwrap_or_else(|| wire.to_string())
}

fn try_decode(wire: &str) -> Option<String> {
    let mut out = String::with_capacity(wire.len());
    let mut rest = wire;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('-')?;
        let chunk = &after[..end];
        if chunk.is_empty() {
            out.push('&');
        } else {
            let bytes = MUTF7.decode(chunk).ok()?;
            if bytes.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect();
            out.push_str(&String::from_utf16(&units).ok()?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_rfc_examples_and_portuguese() {
        assert_eq!(
            encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(
            decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
            "~peter/mail/台北/日本語"
        );
        assert_eq!(encode("Família"), "Fam&AO0-lia");
        assert_eq!(decode("Fam&AO0-lia"), "Família");
        assert_eq!(encode("Tom & Jerry"), "Tom &- Jerry");
        assert_eq!(decode("Tom &- Jerry"), "Tom & Jerry");
        for name in ["Ações/Cotações", "😀 emoji", "plain", "a&b&c", "Ünïcödé&x"] {
            assert_eq!(decode(&encode(name)), name);
        }
    }

    #[test]
    fn invalid_input_is_kept_verbatim() {
        assert_eq!(decode("Broken&AO0"), "Broken&AO0");
        assert_eq!(decode("Raw UTF-8 ção"), "Raw UTF-8 ção");
    }
}
