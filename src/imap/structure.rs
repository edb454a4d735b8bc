//! The parts of a message as a flat list of leaves with their IMAP section numbers.
//!
//! Section numbers are what `BODY[section]` fetches, so the attachment list and the download
//! route agree by construction: both use the server's view of the MIME tree.

use std::borrow::Cow;

use async_imap::imap_proto::{BodyStructure, ContentEncoding};

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

/// Flattens a BODYSTRUCTURE into its leaves, numbered as RFC 3501 §6.4.5 numbers sections.
pub fn flatten(root: &BodyStructure<'_>) -> Vec<PartInfo> {
    let mut out = Vec::new();
    match root {
        BodyStructure::Multipart { bodies, .. } => walk_children(bodies, "", &mut out),
        single => push_leaf(single, "1".to_string(), &mut out),
    }
    out
}

fn walk_children(bodies: &[BodyStructure<'_>], prefix: &str, out: &mut Vec<PartInfo>) {
    for (i, body) in bodies.iter().enumerate() {
        let section = if prefix.is_empty() {
            (i + 1).to_string()
        } else {
            format!("{prefix}.{}", i + 1)
        };
        match body {
            BodyStructure::Multipart { bodies, .. } => walk_children(bodies, &section, out),
            leaf => push_leaf(leaf, section, out),
        }
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

fn push_leaf(body: &BodyStructure<'_>, section: String, out: &mut Vec<PartInfo>) {
    let (common, other) = match body {
        BodyStructure::Basic { common, other, .. }
        | BodyStructure::Text { common, other, .. }
        | BodyStructure::Message { common, other, .. } => (common, other),
        BodyStructure::Multipart { .. } => return,
    };
    let params = |p: &Option<Vec<(Cow<'_, str>, Cow<'_, str>)>>| -> Vec<(String, String)> {
        p.iter()
            .flatten()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect()
    };
    let encoding = match &other.transfer_encoding {
        ContentEncoding::Base64 => TransferEncoding::Base64,
        ContentEncoding::QuotedPrintable => TransferEncoding::QuotedPrintable,
        ContentEncoding::Other(name) if name.eq_ignore_ascii_case("base64") => {
            TransferEncoding::Base64
        }
        _ => TransferEncoding::Identity,
    };
    out.push(PartInfo {
        section,
        mime_type: media_type(&common.ty.ty, &common.ty.subtype),
        type_params: params(&common.ty.params),
        disposition: common
            .disposition
            .as_ref()
            .map(|d| d.ty.to_ascii_lowercase()),
        disposition_params: common
            .disposition
            .as_ref()
            .map(|d| params(&d.params))
            .unwrap_or_default(),
        content_id: other.id.as_ref().map(|id| {
            id.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        }),
        encoding,
        octets: other.octets,
    });
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
