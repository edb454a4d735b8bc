//! The rows of a message list: fetched (envelope headers, size, flags, structure) or taken
//! from the shared row cache with fresh flags, and their snippets.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_imap::imap_proto::{AttributeValue, Response};

use super::connection::ImapConn;
use crate::imap::cache::CachedRow;
use crate::imap::error::ImapError;
use crate::imap::structure::flatten;
use crate::imap::uids::uid_set;
use crate::model::{Flags, PartInfo, Summary, TransferEncoding};

/// The header fields a message list shows, fetched instead of whole headers.
/// At most 64 KiB of them: a Subject can be megabytes long, and a page shows fifty rows.
const LIST_HEADERS: &str =
    "BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE CONTENT-TYPE)]<0.65536>";
/// The most a row's answer carries besides its BODYSTRUCTURE: the header fields above, plus
/// room for UID, FLAGS, size and date.
const ROW_BYTES: usize = 65536 + 1024;
/// How much of a message's text part a list row's snippet is made from: enough for the
/// ~140 characters shown even in base64 or quoted-printable.
const SNIPPET_PLAIN_BYTES: u32 = 600;
/// HTML spends more bytes on markup before the first words.
const SNIPPET_HTML_BYTES: u32 = 2048;

impl ImapConn {
    /// The list rows of `uids` in the selected folder, in that order. Rows shown recently
    /// (by any session of this user) come from [`MailCache`] with only their flags fetched
    /// fresh; the others are fetched whole, with their snippets, and remembered.
    ///
    /// [`MailCache`]: crate::imap::cache::MailCache
    pub(super) async fn fetch_summaries(
        &mut self,
        uids: &[u32],
        with_structure: bool,
    ) -> Result<Vec<Summary>, ImapError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        // Rows fetched without BODYSTRUCTURE guess their paper clip: not worth remembering.
        let key = self.selected_key().filter(|_| with_structure);
        let mut cached: HashMap<u32, Arc<CachedRow>> = HashMap::new();
        if let Some((folder, validity)) = &key {
            for &uid in uids {
                if let Some(row) = self.cache.row(&self.user, folder, *validity, uid) {
                    cached.insert(uid, row);
                }
            }
        }
        let missing: Vec<u32> = uids
            .iter()
            .copied()
            .filter(|u| !cached.contains_key(u))
            .collect();
        let mut found: HashMap<u32, Summary> = HashMap::new();
        if !missing.is_empty() {
            let wanted: HashSet<u32> = missing.iter().copied().collect();
            let mut rows = Vec::new();
            self.fetch_rows(
                &format!("UID FETCH {}", uid_set(&missing)),
                missing.len(),
                with_structure,
                |_, s, text| {
                    if wanted.contains(&s.uid) {
                        rows.push((s, text));
                    }
                },
            )
            .await?;
            self.add_snippets(&mut rows).await?;
            for (row, _) in rows {
                if let Some((folder, validity)) = &key {
                    self.cache
                        .put_row(&self.user, folder, *validity, row.uid, CachedRow::of(&row));
                }
                found.insert(row.uid, row);
            }
        }
        self.metrics
            .list_cache_rows(cached.len() as u64, missing.len() as u64);
        if !cached.is_empty() {
            let set = uid_set(&cached.keys().copied().collect::<Vec<_>>());
            let mut flags: HashMap<u32, Flags> = HashMap::new();
            self.command(&format!("UID FETCH {set} (UID FLAGS)"), |r| {
                if let Response::Fetch(_, attrs) = r {
                    let mut uid = None;
                    let mut names = None;
                    for attr in attrs {
                        match attr {
                            AttributeValue::Uid(u) => uid = Some(*u),
                            AttributeValue::Flags(f) => {
                                names = Some(Flags::from_names(f.iter().map(|s| s.as_ref())))
                            }
                            _ => {}
                        }
                    }
                    if let (Some(uid), Some(names)) = (uid, names) {
                        flags.insert(uid, names);
                    }
                }
            })
            .await?;
            for (uid, row) in cached {
                // No answer for a UID: the message was expunged meanwhile.
                if let Some(flags) = flags.remove(&uid) {
                    found.insert(uid, row.summary(uid, flags));
                }
            }
        }
        // Keep the sorted order; a message expunged meanwhile simply drops out.
        Ok(uids.iter().filter_map(|u| found.remove(u)).collect())
    }

    pub(super) async fn fetch_summaries_by_seq(
        &mut self,
        lo: u32,
        hi: u32,
        with_structure: bool,
    ) -> Result<Vec<(u32, Summary)>, ImapError> {
        let mut rows = Vec::new();
        let mut seqs = HashMap::new();
        self.fetch_rows(
            &format!("FETCH {lo}:{hi}"),
            (hi - lo + 1) as usize,
            with_structure,
            |seq, s, text| {
                if (lo..=hi).contains(&seq) {
                    seqs.insert(s.uid, seq);
                    rows.push((s, text));
                }
            },
        )
        .await?;
        self.add_snippets(&mut rows).await?;
        Ok(rows
            .into_iter()
            .map(|(s, _)| (seqs.get(&s.uid).copied().unwrap_or_default(), s))
            .collect())
    }

    /// Runs a FETCH of list rows. `with_structure: false` is the fallback for servers whose
    /// BODYSTRUCTURE cannot be parsed: attachments are then guessed from Content-Type, and
    /// there is no snippet. `on_row` gets each row with the text part its snippet comes from.
    /// `rows`: how many messages `prefix` names, which bounds the answer's size.
    async fn fetch_rows(
        &mut self,
        prefix: &str,
        rows: usize,
        with_structure: bool,
        mut on_row: impl FnMut(u32, Summary, Option<SnippetSource>),
    ) -> Result<(), ImapError> {
        let structure = if with_structure { " BODYSTRUCTURE" } else { "" };
        let items =
            format!("{prefix} (UID FLAGS RFC822.SIZE INTERNALDATE{structure} {LIST_HEADERS})");
        let mut found = Vec::new();
        self.command_long(&items, rows.saturating_mul(ROW_BYTES), |r| {
            if let Some(row) = summary_from(r) {
                found.push(row);
            }
        })
        .await?;
        for (seq, row, text) in found {
            on_row(seq, row, text);
        }
        Ok(())
    }

    /// Fills in the rows' snippets from the start of their text parts: one partial FETCH per
    /// distinct section (most messages of a page share one or two: `1`, `1.1`). The server
    /// never sets `\Seen` for `BODY.PEEK`. A refusal leaves the rows without a snippet.
    async fn add_snippets(
        &mut self,
        rows: &mut [(Summary, Option<SnippetSource>)],
    ) -> Result<(), ImapError> {
        let mut by_section: std::collections::BTreeMap<(String, u32), Vec<u32>> =
            Default::default();
        for (row, text) in rows.iter() {
            if let Some(text) = text {
                by_section
                    .entry((text.section.clone(), text.bytes()))
                    .or_default()
                    .push(row.uid);
            }
        }
        let mut raw: HashMap<u32, Vec<u8>> = HashMap::new();
        for ((section, bytes), uids) in &by_section {
            let cmd = format!(
                "UID FETCH {} (UID BODY.PEEK[{section}]<0.{bytes}>)",
                uid_set(uids)
            );
            let result = self
                .command(&cmd, |r| {
                    if let Response::Fetch(_, attrs) = r {
                        let uid = attrs.iter().find_map(|a| match a {
                            AttributeValue::Uid(u) => Some(*u),
                            _ => None,
                        });
                        let data = attrs.iter().find_map(|a| match a {
                            AttributeValue::BodySection { data, .. } => Some(data),
                            _ => None,
                        });
                        if let (Some(uid), Some(data)) = (uid, data) {
                            raw.insert(uid, data.as_deref().unwrap_or_default().to_vec());
                        }
                    }
                })
                .await;
            match result {
                Err(e) if e.breaks_connection() => return Err(e),
                Err(e) => tracing::debug!(error = %e, "snippet fetch refused"),
                Ok(()) => {}
            }
        }
        for (row, text) in rows.iter_mut() {
            if let (Some(text), Some(bytes)) = (text, raw.remove(&row.uid)) {
                // Fewer bytes than asked for: the part ended there.
                let whole = bytes.len() < text.bytes() as usize;
                row.snippet = crate::mime::snippet::snippet(
                    &bytes,
                    text.encoding,
                    text.charset.as_deref(),
                    text.html,
                    whole,
                );
            }
        }
        Ok(())
    }
}

/// The text part a list row's snippet is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SnippetSource {
    section: String,
    encoding: TransferEncoding,
    charset: Option<String>,
    html: bool,
}

impl SnippetSource {
    /// The first plain-text part that is not an attachment, else the first HTML one.
    fn pick(parts: &[PartInfo]) -> Option<SnippetSource> {
        let body = |ty: &str| {
            parts
                .iter()
                .find(|p| p.mime_type == ty && !p.is_attachment_disposition())
        };
        let (part, html) = match body("text/plain") {
            Some(p) => (p, false),
            None => (body("text/html")?, true),
        };
        Some(SnippetSource {
            section: part.section.clone(),
            encoding: part.encoding,
            charset: part
                .type_params
                .iter()
                .find(|(k, _)| k == "charset")
                .map(|(_, v)| v.clone()),
            html,
        })
    }

    fn bytes(&self) -> u32 {
        if self.html {
            SNIPPET_HTML_BYTES
        } else {
            SNIPPET_PLAIN_BYTES
        }
    }
}

/// Builds a list row from one FETCH response, with the part its snippet would come from;
/// `None` for unrelated (unsolicited) responses.
fn summary_from(response: &Response<'_>) -> Option<(u32, Summary, Option<SnippetSource>)> {
    let Response::Fetch(seq, attrs) = response else {
        return None;
    };
    let mut row = Summary {
        uid: 0,
        flags: Flags::default(),
        size: 0,
        internal_date: None,
        headers: Vec::new(),
        has_attachment: false,
        snippet: None,
    };
    let mut has_headers = false;
    let mut has_structure = false;
    let mut text = None;
    for attr in attrs {
        match attr {
            AttributeValue::Uid(u) => row.uid = *u,
            AttributeValue::Flags(f) => row.flags = Flags::from_names(f.iter().map(|s| s.as_ref())),
            AttributeValue::Rfc822Size(s) => row.size = *s,
            AttributeValue::InternalDate(d) => row.internal_date = Some(d.to_string()),
            AttributeValue::BodyStructure(bs) => {
                has_structure = true;
                let parts = flatten(bs);
                row.has_attachment = parts.iter().any(looks_like_attachment);
                text = SnippetSource::pick(&parts);
            }
            AttributeValue::BodySection { data, .. } => {
                has_headers = true;
                row.headers = data.as_deref().unwrap_or_default().to_vec();
            }
            _ => {}
        }
    }
    if !has_structure {
        let headers = String::from_utf8_lossy(&row.headers).to_ascii_lowercase();
        row.has_attachment = headers.contains("multipart/mixed");
    }
    (row.uid != 0 && has_headers).then_some((*seq, row, text))
}

/// The list's paper-clip rule: an explicit attachment, or a named non-text part.
fn looks_like_attachment(part: &PartInfo) -> bool {
    if part.is_attachment_disposition() {
        return true;
    }
    let is_body_text = part.mime_type == "text/plain" || part.mime_type == "text/html";
    let inline_image = part.mime_type.starts_with("image/") && part.content_id.is_some();
    !is_body_text
        && !inline_image
        && !part.mime_type.starts_with("multipart/")
        && (part.raw_filename().is_some() || part.mime_type.starts_with("application/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rows_room_covers_the_header_fields_it_asks_for() {
        let asked: usize = LIST_HEADERS
            .rsplit_once("<0.")
            .and_then(|(_, n)| n.strip_suffix('>'))
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(ROW_BYTES > asked);
    }
}
