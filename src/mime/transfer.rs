//! Incremental Content-Transfer-Encoding decoders for streamed downloads.
//!
//! A download arrives from IMAP in chunks cut at arbitrary byte offsets, so a base64 quantum
//! or a quoted-printable `=XX` escape may straddle two chunks; each decoder keeps that tail.

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;

use crate::model::TransferEncoding;

/// Decodes one part's body chunk by chunk.
pub struct Decoder {
    encoding: TransferEncoding,
    /// Undecoded tail carried to the next chunk.
    carry: Vec<u8>,
}

impl Decoder {
    pub fn new(encoding: TransferEncoding) -> Decoder {
        Decoder {
            encoding,
            carry: Vec::new(),
        }
    }

    /// Decodes `chunk`, returning what can be decoded so far.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        match self.encoding {
            TransferEncoding::Identity => chunk.to_vec(),
            TransferEncoding::Base64 => {
                self.carry
                    .extend(chunk.iter().copied().filter(|b| is_base64(*b)));
                let usable = self.carry.len() / 4 * 4;
                let out = decode_base64(&self.carry[..usable]);
                self.carry.drain(..usable);
                out
            }
            TransferEncoding::QuotedPrintable => {
                self.carry.extend_from_slice(chunk);
                // Keep back a possibly incomplete escape or soft line break at the end.
                let keep = self
                    .carry
                    .iter()
                    .rev()
                    .take(3)
                    .position(|&b| b == b'=')
                    .map(|p| p + 1)
                    .unwrap_or(0);
                let usable = self.carry.len() - keep;
                let out = decode_qp(&self.carry[..usable]);
                self.carry.drain(..usable);
                out
            }
        }
    }

    /// Decodes whatever is left at the end of the part.
    pub fn finish(&mut self) -> Vec<u8> {
        let rest = std::mem::take(&mut self.carry);
        match self.encoding {
            TransferEncoding::Identity => rest,
            TransferEncoding::Base64 => decode_base64(&rest),
            TransferEncoding::QuotedPrintable => decode_qp(&rest),
        }
    }
}

fn is_base64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// Lenient base64: padding and junk were already dropped; a trailing partial quantum decodes
/// as far as it goes, as mail clients do with truncated attachments.
fn decode_base64(data: &[u8]) -> Vec<u8> {
    let usable = match data.len() % 4 {
        1 => data.len() - 1,
        _ => data.len(),
    };
    STANDARD_NO_PAD
        .decode(&data[..usable])
        .or_else(|_| {
            // Non-canonical trailing bits: decode with them cleared rather than fail.
            base64::engine::GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_allow_trailing_bits(true)
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
            )
            .decode(&data[..usable])
        })
        .unwrap_or_default()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn decode_qp(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b != b'=' {
            out.push(b);
            i += 1;
            continue;
        }
        match (data.get(i + 1), data.get(i + 2)) {
            (Some(b'\r'), Some(b'\n')) => i += 3,
            (Some(b'\n'), _) => i += 2,
            (Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push(hex(h).unwrap_or(0) << 4 | hex(l).unwrap_or(0));
                i += 3;
            }
            _ => {
                // A stray '=' is kept literally, as RFC 2045 suggests for robustness.
                out.push(b'=');
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_chunks(encoding: TransferEncoding, data: &[u8], size: usize) -> Vec<u8> {
        let mut d = Decoder::new(encoding);
        let mut out = Vec::new();
        for chunk in data.chunks(size) {
            out.extend(d.push(chunk));
        }
        out.extend(d.finish());
        out
    }

    #[test]
    fn base64_decodes_the_same_whatever_the_chunking() {
        let original: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let encoded = base64::engine::general_purpose::STANDARD.encode(&original);
        let wrapped: Vec<u8> = encoded
            .as_bytes()
            .chunks(76)
            .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
            .collect();
        for size in [1, 3, 7, 64, 1000, 100_000] {
            assert_eq!(
                decode_in_chunks(TransferEncoding::Base64, &wrapped, size),
                original
            );
        }
    }

    #[test]
    fn quoted_printable_escapes_survive_chunk_boundaries() {
        let encoded = b"Ol=C3=A1, mundo! Linha longa =\r\ncontinua=3D fim=\r\n";
        for size in 1..10 {
            assert_eq!(
                decode_in_chunks(TransferEncoding::QuotedPrintable, encoded, size),
                "Olá, mundo! Linha longa continua= fim".as_bytes()
            );
        }
    }
}
