//! One message: fetched for display, its text sections, its part list (structure), a chunk
//! of a part for downloads, and finding it by Message-ID.

use std::collections::HashMap;

use async_imap::imap_proto::{AttributeValue, MailboxDatum, MessageSection, Response, SectionPath};

use super::connection::ImapConn;
use crate::imap::error::ImapError;
use crate::imap::quote;
use crate::imap::structure::flatten;
use crate::model::{FetchedMessage, Flags, PartInfo};

impl ImapConn {
    pub async fn message(
        &mut self,
        folder: &str,
        uid: u32,
        max_bytes: u32,
        mark_seen: bool,
        with_structure: bool,
    ) -> Result<FetchedMessage, ImapError> {
        self.with_reselect(folder, |c| {
            Box::pin(c.message_selected(uid, max_bytes, mark_seen, with_structure))
        })
        .await
    }

    /// Fetches a message for display: flags, size, structure and up to `max_bytes` of it.
    /// With `mark_seen` the fetch sets `\Seen`, as opening a message does in every client.
    async fn message_selected(
        &mut self,
        uid: u32,
        max_bytes: u32,
        mark_seen: bool,
        with_structure: bool,
    ) -> Result<FetchedMessage, ImapError> {
        let body = if mark_seen { "BODY" } else { "BODY.PEEK" };
        let structure = if with_structure { " BODYSTRUCTURE" } else { "" };
        let cmd =
            format!("UID FETCH {uid} (UID FLAGS RFC822.SIZE{structure} {body}[]<0.{max_bytes}>)");
        let mut found: Option<FetchedMessage> = None;
        self.command_long(&cmd, max_bytes as usize, |r| {
            if let Response::Fetch(_, attrs) = r {
                let mut msg = FetchedMessage {
                    uid: 0,
                    flags: Flags::default(),
                    size: 0,
                    parts: None,
                    bytes: Vec::new(),
                };
                let mut has_body = false;
                for attr in attrs {
                    match attr {
                        AttributeValue::Uid(u) => msg.uid = *u,
                        AttributeValue::Flags(f) => {
                            msg.flags = Flags::from_names(f.iter().map(|s| s.as_ref()))
                        }
                        AttributeValue::Rfc822Size(s) => msg.size = *s,
                        AttributeValue::BodyStructure(bs) => msg.parts = Some(flatten(bs)),
                        AttributeValue::BodySection { data, .. } => {
                            has_body = true;
                            msg.bytes = data.as_deref().unwrap_or_default().to_vec();
                        }
                        _ => {}
                    }
                }
                if msg.uid == uid && has_body {
                    found = Some(msg);
                }
            }
        })
        .await?;
        let found = found.ok_or(ImapError::NotFound)?;
        if let Some(parts) = &found.parts {
            self.remember_structure(uid, found.size, parts);
        }
        Ok(found)
    }

    pub async fn sections(
        &mut self,
        folder: &str,
        uid: u32,
        sections: &[String],
        max_each: u32,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, ImapError> {
        self.with_reselect(folder, |c| {
            let sections = sections.to_vec();
            Box::pin(async move { c.sections_selected(uid, &sections, max_each).await })
        })
        .await
    }

    /// The MIME header and (up to `max_each` bytes of) the body of each section, without
    /// setting `\Seen`: how a large message's text parts are read without its attachments.
    async fn sections_selected(
        &mut self,
        uid: u32,
        sections: &[String],
        max_each: u32,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, ImapError> {
        if sections.is_empty() {
            return Ok(Vec::new());
        }
        if sections
            .iter()
            .any(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        {
            return Err(ImapError::NotFound);
        }
        let items: Vec<String> = sections
            .iter()
            // A part's MIME header is a few lines; a single-part message's is the message's
            // own header, which can be megabytes of junk.
            .map(|s| format!("BODY.PEEK[{s}.MIME]<0.65536> BODY.PEEK[{s}]<0.{max_each}>"))
            .collect();
        let cmd = format!("UID FETCH {uid} (UID {})", items.join(" "));
        let mut found: HashMap<String, (Vec<u8>, Vec<u8>)> = HashMap::new();
        self.command(&cmd, |r| {
            let Response::Fetch(_, attrs) = r else { return };
            if !attrs
                .iter()
                .any(|a| matches!(a, AttributeValue::Uid(u) if *u == uid))
            {
                return;
            }
            for attr in attrs {
                if let AttributeValue::BodySection {
                    section: Some(SectionPath::Part(path, kind)),
                    data,
                    ..
                } = attr
                {
                    let key = path
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(".");
                    let entry = found.entry(key).or_default();
                    let bytes = data.as_deref().unwrap_or_default().to_vec();
                    match kind {
                        Some(MessageSection::Mime) => entry.0 = bytes,
                        None => entry.1 = bytes,
                        _ => {}
                    }
                }
            }
        })
        .await?;
        Ok(sections
            .iter()
            .map(|s| found.remove(s).unwrap_or_default())
            .collect())
    }

    pub async fn structure(
        &mut self,
        folder: &str,
        uid: u32,
    ) -> Result<(u32, Vec<PartInfo>), ImapError> {
        self.with_reselect(folder, |c| Box::pin(c.known_structure(uid)))
            .await
    }

    /// The part list and size of a message in the selected folder: remembered, or fetched
    /// and then remembered.
    async fn known_structure(&mut self, uid: u32) -> Result<(u32, Vec<PartInfo>), ImapError> {
        if let Some((folder, validity)) = self.selected_key() {
            if let Some(known) = self.cache.structure(&self.user, &folder, validity, uid) {
                return Ok((known.0, known.1.clone()));
            }
        }
        let found = self.structure_selected(uid).await?;
        self.remember_structure(uid, found.0, &found.1);
        Ok(found)
    }

    /// Keeps a message's part list for its downloads and inline images ([`MailCache`]).
    ///
    /// [`MailCache`]: crate::imap::cache::MailCache
    fn remember_structure(&self, uid: u32, size: u32, parts: &[PartInfo]) {
        if let Some((folder, validity)) = self.selected_key() {
            self.cache
                .put_structure(&self.user, &folder, validity, uid, (size, parts.to_vec()));
        }
    }

    /// The part list and size of a message, for downloads.
    async fn structure_selected(&mut self, uid: u32) -> Result<(u32, Vec<PartInfo>), ImapError> {
        let mut found = None;
        self.command_long(
            &format!("UID FETCH {uid} (UID RFC822.SIZE BODYSTRUCTURE)"),
            0,
            |r| {
                if let Response::Fetch(_, attrs) = r {
                    let mut size = None;
                    let mut parts = None;
                    let mut this = false;
                    for attr in attrs {
                        match attr {
                            AttributeValue::Uid(u) => this = *u == uid,
                            AttributeValue::Rfc822Size(s) => size = Some(*s),
                            AttributeValue::BodyStructure(bs) => parts = Some(flatten(bs)),
                            _ => {}
                        }
                    }
                    if let (true, Some(size), Some(parts)) = (this, size, parts) {
                        found = Some((size, parts));
                    }
                }
            },
        )
        .await?;
        found.ok_or(ImapError::NotFound)
    }

    pub async fn chunk(
        &mut self,
        folder: &str,
        uid: u32,
        section: &str,
        offset: u64,
        len: u32,
    ) -> Result<Vec<u8>, ImapError> {
        self.with_reselect(folder, |c| {
            let section = section.to_string();
            Box::pin(async move { c.chunk_selected(uid, &section, offset, len).await })
        })
        .await
    }

    /// `len` bytes from `offset` of a section (`""` for the whole message), without setting
    /// `\Seen`. Returns fewer bytes (maybe none) at the end of the section.
    async fn chunk_selected(
        &mut self,
        uid: u32,
        section: &str,
        offset: u64,
        len: u32,
    ) -> Result<Vec<u8>, ImapError> {
        if !section.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(ImapError::NotFound);
        }
        let cmd = format!("UID FETCH {uid} (UID BODY.PEEK[{section}]<{offset}.{len}>)");
        let mut found: Option<Vec<u8>> = None;
        self.command(&cmd, |r| {
            if let Response::Fetch(_, attrs) = r {
                let this = attrs
                    .iter()
                    .any(|a| matches!(a, AttributeValue::Uid(u) if *u == uid));
                for attr in attrs {
                    if let (true, AttributeValue::BodySection { data, .. }) = (this, attr) {
                        found = Some(data.as_deref().unwrap_or_default().to_vec());
                    }
                }
            }
        })
        .await?;
        found.ok_or(ImapError::NotFound)
    }

    /// The UID of the message with this Message-ID in `folder`, if any (newest if several).
    pub async fn find_message_id(
        &mut self,
        folder: &str,
        message_id: &str,
    ) -> Result<Option<u32>, ImapError> {
        self.select(folder).await?;
        let cmd = format!(
            "UID SEARCH HEADER Message-ID {}",
            quote::quoted(message_id)?
        );
        let mut found = Vec::new();
        self.command(&cmd, |r| {
            if let Response::MailboxData(MailboxDatum::Search(uids)) = r {
                found.extend_from_slice(uids);
            }
        })
        .await?;
        Ok(found.into_iter().max())
    }
}
