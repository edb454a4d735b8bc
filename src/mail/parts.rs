//! Parts the form keeps by reference: attachments of a saved draft or of a forwarded message,
//! still on the server, named `folder/uid/section` and fetched again when the message is sent
//! or saved.

use std::fmt;

use percent_encoding::percent_decode_str;

use super::budget::Budget;
use super::draft::KeptPart;
use super::error::MailError;
use crate::imap::ImapHandle;
use crate::mime::{self, parts};
use crate::model::{PartInfo, TransferEncoding};
use crate::percent::segment;
use crate::smtp::compose::OutgoingAttachment;

/// The section a part reference uses for a whole message forwarded as an attachment.
pub const WHOLE_MESSAGE: &str = "0";

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
        write!(f, "{}/{}/{}", segment(&self.folder), self.uid, self.section)
    }
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

/// What a message's kept parts came to.
pub struct Gathered {
    /// The parts that fit in the budget, fetched and decoded.
    pub attachments: Vec<OutgoingAttachment>,
    /// Every part found, fitting or not, as the form lists it again.
    pub kept: Vec<KeptPart>,
    /// The names of the parts that did not fit, and were not fetched.
    pub left_out: Vec<String>,
}

/// The most a part can take once decoded: base64 carries three bytes in four characters
/// (line ends only make it less), and the other encodings never grow. (The attachment list's
/// estimate assumes line ends, so it can be lower: a limit needs the bound.)
pub fn decoded_bound(part: &PartInfo) -> u64 {
    let octets = u64::from(part.octets);
    match part.encoding {
        TransferEncoding::Base64 => octets.div_ceil(4) * 3,
        _ => octets,
    }
}

/// Fetches the kept parts (from drafts and forwarded messages) as attachments, each only
/// when its size, read from the message's structure, fits in what is left of `budget`.
/// References to sections the message does not have are left out.
pub async fn gather_kept(
    imap: &ImapHandle,
    references: &[PartRef],
    budget: &mut Budget,
) -> Result<Gathered, MailError> {
    let mut gathered = Gathered {
        attachments: Vec::new(),
        kept: Vec::new(),
        left_out: Vec::new(),
    };
    // One message's structure at a time: references come grouped by message, and a message
    // may have thousands of parts.
    let mut structure: Option<(&str, u32, u32, Vec<PartInfo>)> = None;
    for at in references {
        let known = matches!(&structure, Some((f, u, _, _)) if *f == at.folder && *u == at.uid);
        if !known {
            let (size, parts) = imap.structure(&at.folder, at.uid).await?;
            structure = Some((&at.folder, at.uid, size, parts));
        }
        let Some((_, _, size, parts)) = &structure else {
            continue;
        };
        let (name, bytes) = if at.is_whole_message() {
            ("forwarded-message.eml".to_string(), u64::from(*size))
        } else {
            match parts.iter().find(|p| p.section == at.section) {
                Some(part) => (parts::filename(part), decoded_bound(part)),
                None => continue,
            }
        };
        gathered.kept.push(KeptPart {
            reference: at.to_string(),
            filename: name.clone(),
            size: Some(bytes),
        });
        if !budget.take(bytes) {
            gathered.left_out.push(name);
            continue;
        }
        if at.is_whole_message() {
            let raw = imap
                .chunk(&at.folder, at.uid, "", 0, size.saturating_add(1))
                .await?;
            gathered.attachments.push(OutgoingAttachment {
                filename: name,
                content_type: "message/rfc822".into(),
                bytes: raw.into(),
            });
        } else if let Some(part) = parts.iter().find(|p| p.section == at.section) {
            let bytes = imap.part_bytes(&at.folder, at.uid, part).await?;
            gathered.attachments.push(OutgoingAttachment {
                filename: name,
                content_type: part.mime_type.clone(),
                bytes: bytes.into(),
            });
        }
    }
    Ok(gathered)
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

    #[test]
    fn a_base64_parts_bound_is_never_below_its_decoded_size() {
        let part = |octets, encoding| PartInfo {
            section: "2".into(),
            mime_type: "application/pdf".into(),
            type_params: Vec::new(),
            disposition: None,
            disposition_params: Vec::new(),
            content_id: None,
            encoding,
            octets,
        };
        // 30,000 bytes as one unbroken base64 line: 40,000 octets.
        assert_eq!(
            decoded_bound(&part(40_000, TransferEncoding::Base64)),
            30_000
        );
        assert_eq!(decoded_bound(&part(3, TransferEncoding::Base64)), 3);
        assert_eq!(
            decoded_bound(&part(500, TransferEncoding::QuotedPrintable)),
            500
        );
    }
}
