//! Percent-encoding of text put into URLs: a path segment (a folder name may hold `/`, `%`,
//! spaces, accents) and a query value. Pages build their links with it, and the part
//! references a compose form keeps are written the same way, so one reads like the path of
//! the part's download.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Characters left as they are in a path segment: RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'~')
    .remove(b'.');

/// Percent-encodes one path segment.
pub fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// Percent-encodes a query value.
pub fn query_value(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_encode_delimiters_percent_dots_and_accents() {
        assert_eq!(segment("Projetos/Obra"), "Projetos%2FObra");
        assert_eq!(segment("100% Família"), "100%25%20Fam%C3%ADlia");
        assert_eq!(segment("a.b"), "a.b");
    }
}
