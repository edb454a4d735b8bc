//! The parts of a message as a flat list of leaves with their IMAP section numbers.
//!
//! Section numbers are what `BODY[section]` fetches, so the attachment list and the download
//! route agree by construction: both use the server's view of the MIME tree.

/// Content-Transfer-Encoding of a part, which the download route undoes while streaming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferEncoding {
    /// 7bit, 8bit, binary and unknown encodings: the bytes are the content.
    Identity,
    Base64,
    QuotedPrintable,
}

/// One leaf part (or an embedded message, kept whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartInfo {
    /// IMAP section, e.g. `2` or `1.3`.
    pub section: String,
    /// Lower-case `type/subtype`.
    pub mime_type: String,
    /// Content-Type parameters, names lower-cased, values as sent (maybe RFC 2231/2047 encoded).
    pub type_params: Vec<(String, String)>,
    /// Lower-case disposition (`attachment`, `inline`) if any.
    pub disposition: Option<String>,
    pub disposition_params: Vec<(String, String)>,
    /// Content-ID without the angle brackets.
    pub content_id: Option<String>,
    pub encoding: TransferEncoding,
    /// Size of the encoded body in octets.
    pub octets: u32,
}

impl PartInfo {
    pub fn is_attachment_disposition(&self) -> bool {
        self.disposition.as_deref() == Some("attachment")
    }

    /// The raw (possibly still encoded) file name, from the disposition or the type.
    pub fn raw_filename(&self) -> Option<&str> {
        fn find<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
            params
                .iter()
                .find(|(k, _)| k == key || k.starts_with(&format!("{key}*")))
                .map(|(_, v)| v.as_str())
        }
        find(&self.disposition_params, "filename").or_else(|| find(&self.type_params, "name"))
    }
}

/// `type/subtype`, lower-cased, when both are tokens as RFC 6838 restricts them; anything else
/// is `application/octet-stream`. A hostile Content-Type such as `"><img …>/x` reaches us as an
/// empty type from Dovecot (`"" ""`), and must not become a `/` served as a Content-Type or
/// shown in the attachment list.
pub fn media_type(ty: &str, subtype: &str) -> String {
    let token = |t: &str| {
        !t.is_empty()
            && t.len() <= 127
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    if token(ty) && token(subtype) {
        format!("{ty}/{subtype}").to_ascii_lowercase()
    } else {
        "application/octet-stream".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_media_types_become_octet_stream() {
        assert_eq!(media_type("Image", "PNG"), "image/png");
        assert_eq!(
            media_type("application", "vnd.ms-excel"),
            "application/vnd.ms-excel"
        );
        for (ty, subtype) in [("", ""), ("text", "<script>"), ("a b", "c"), ("x\"y", "z")] {
            assert_eq!(media_type(ty, subtype), "application/octet-stream");
        }
    }
}
