//! BODYSTRUCTURE turned into the flat part list of [`crate::model::PartInfo`], numbered with
//! the IMAP section numbers that `BODY[section]` fetches, so the attachment list and the
//! download route agree by construction: both use the server's view of the MIME tree.

use std::borrow::Cow;

use async_imap::imap_proto::{BodyStructure, ContentEncoding};

use crate::model::{media_type, PartInfo, TransferEncoding};

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
