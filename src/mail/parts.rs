//! Parts the form keeps by reference: attachments of a saved draft or of a forwarded message,
//! still on the server, named `folder/uid/section` and fetched again when the message is sent
//! or saved.

use std::fmt;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::draft::KeptPart;
use super::error::MailError;
use crate::imap::{ImapHandle, PartInfo};
use crate::mime::{self, parts};
use crate::smtp::compose::OutgoingAttachment;

/// The section a part reference uses for a whole message forwarded as an attachment.
pub const WHOLE_MESSAGE: &str = "0";

/// Characters a folder keeps as they are in a reference: RFC 3986 unreserved, as in the
/// pages' URLs, so a reference reads like the path of the part's download.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'~')
    .remove(b'.');

/// Where a kept part is: folder, message UID and IMAP section ([`WHOLE_MESSAGE`] for the
/// whole message).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartRef {
    pub folder: String,
    pub uid: u32,
    pub section: String,
}

impl PartRef {
    pub fn new(folder: &str, uid: u32, section: &str) -> PartRef {
        PartRef {
            folder: folder.to_string(),
            uid,
            section: section.to_string(),
        }
    }

    /// Reads a reference as the form sends it back; `None` for anything else.
    pub fn parse(reference: &str) -> Option<PartRef> {
        let mut pieces = reference.rsplitn(3, '/');
        let section = pieces.next()?.to_string();
        let uid = pieces.next()?.parse().ok()?;
        let folder = percent_decode_str(pieces.next()?)
            .decode_utf8()
            .ok()?
            .to_string();
        let valid = !section.is_empty() && section.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        valid.then_some(PartRef {
            folder,
            uid,
            section,
        })
    }

    pub fn is_whole_message(&self) -> bool {
        self.section == WHOLE_MESSAGE
    }
}

impl fmt::Display for PartRef {
    /// `folder/uid/section`, the folder percent-encoded (it may contain `/`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let folder = utf8_percent_encode(&self.folder, SEGMENT);
        write!(f, "{folder}/{}/{}", self.uid, self.section)
    }
}

/// A folder name as a reference (and the origin a draft records) carries it.
pub fn encode_folder(folder: &str) -> String {
    utf8_percent_encode(folder, SEGMENT).to_string()
}

/// A message's attachments as parts the form keeps by reference.
pub fn kept_attachments(
    message: &mail_parser::Message<'_>,
    server: Option<&[PartInfo]>,
    folder: &str,
    uid: u32,
) -> Vec<KeptPart> {
    let parts = mime::view::part_list(message, server);
    parts::attachments(&parts, &Default::default())
        .into_iter()
        .map(|a| KeptPart {
            reference: PartRef::new(folder, uid, &a.section).to_string(),
            filename: a.filename,
            size: Some(a.size),
        })
        .collect()
}

/// Fetches the kept parts (from drafts and forwarded messages) as attachments. References
/// that do not parse, and sections the message does not have, are left out.
pub async fn gather_kept(
    imap: &ImapHandle,
    references: &[String],
) -> Result<Vec<OutgoingAttachment>, MailError> {
    let mut out = Vec::new();
    for reference in references {
        let Some(at) = PartRef::parse(reference) else {
            continue;
        };
        let (size, parts) = imap.structure(&at.folder, at.uid).await?;
        if at.is_whole_message() {
            let raw = imap
                .chunk(&at.folder, at.uid, "", 0, size.saturating_add(1))
                .await?;
            out.push(OutgoingAttachment {
                filename: "forwarded-message.eml".into(),
                content_type: "message/rfc822".into(),
                bytes: raw,
            });
            continue;
        }
        let Some(part) = parts.iter().find(|p| p.section == at.section) else {
            continue;
        };
        let bytes = imap.part_bytes(&at.folder, at.uid, part).await?;
        out.push(OutgoingAttachment {
            filename: parts::filename(part),
            content_type: part.mime_type.clone(),
            bytes,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_references_round_trip_folder_names_with_slashes() {
        let r = PartRef::new("Projetos/Obra", 12, "2.1").to_string();
        assert_eq!(r, "Projetos%2FObra/12/2.1");
        assert_eq!(
            PartRef::parse(&r),
            Some(PartRef::new("Projetos/Obra", 12, "2.1"))
        );
        assert_eq!(PartRef::parse("INBOX/1/1 BODY"), None);
    }
}
