//! Messages: their flags, a list row before its headers are decoded, and a message as
//! fetched for the message view.

use super::part::PartInfo;

/// The flags a list or a message view cares about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub draft: bool,
    pub forwarded: bool,
}

impl Flags {
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Flags {
        let mut flags = Flags::default();
        for name in names {
            match name.to_ascii_lowercase().as_str() {
                "\\seen" => flags.seen = true,
                "\\flagged" => flags.flagged = true,
                "\\answered" => flags.answered = true,
                "\\draft" => flags.draft = true,
                "$forwarded" => flags.forwarded = true,
                _ => {}
            }
        }
        flags
    }
}

/// One row of a message list, before its headers are decoded.
#[derive(Debug, Clone)]
pub struct Summary {
    pub uid: u32,
    pub flags: Flags,
    pub size: u32,
    /// INTERNALDATE as the server sent it (`17-Jul-1996 02:44:25 -0700`).
    pub internal_date: Option<String>,
    /// The raw From/To/Cc/Subject/Date header block, decoded by the mime module.
    pub headers: Vec<u8>,
    pub has_attachment: bool,
    /// The start of the message's text, for the list (made by `mime::snippet`).
    pub snippet: Option<String>,
}

/// A message as fetched for the message view.
#[derive(Debug, Clone)]
pub struct FetchedMessage {
    pub uid: u32,
    pub flags: Flags,
    pub size: u32,
    /// The parts as the server describes them, when BODYSTRUCTURE could be read.
    pub parts: Option<Vec<PartInfo>>,
    /// The message bytes, whole when `size` is within the limit asked for, else the start.
    pub bytes: Vec<u8>,
}

impl FetchedMessage {
    pub fn is_complete(&self) -> bool {
        self.bytes.len() as u64 >= u64::from(self.size)
    }
}
