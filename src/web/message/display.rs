//! What a view renders: the message whole when it is small, else its header and its text
//! parts, within a budget, so a large message's attachments never pass through memory.
//! Shared by the page and its HTML frame.

use std::collections::HashSet;

use serde::Deserialize;

use crate::imap::ImapHandle;
use crate::mail::bodies::BodyKey;
use crate::mail::read::Links;
use crate::mime::view;
use crate::model::FetchedMessage;
use crate::percent::segment;
use crate::web::error::AppError;
use crate::web::extract::CurrentSession;
use crate::web::page::PageCtx;

/// Bytes of a message fetched for its view in one go. A larger message is shown from its
/// text parts only, fetched by section, so its attachments never pass through memory.
pub const MAX_VIEW_BYTES: u32 = 1024 * 1024;
/// Largest text part shown of a large message.
pub const MAX_TEXT_PART: u32 = 4 * 1024 * 1024;
/// Most text shown of a large message, in all, and from how many parts at most.
pub const MAX_TEXT_TOTAL: u32 = 8 * 1024 * 1024;
pub const MAX_TEXT_SECTIONS: usize = 100;

/// How the page and its frame are asked for.
#[derive(Deserialize)]
pub struct ViewQuery {
    pub images: Option<String>,
    /// The list shown beside the message (page, view, search), as the list linked to it.
    #[serde(flatten)]
    pub list: crate::web::mailbox::ListQuery,
}

/// The bytes a view renders, and whether they are cut short: the whole message when it fit in
/// the first fetch, else a message rebuilt from its header and its text parts.
pub async fn display_bytes(
    imap: &ImapHandle,
    folder: &str,
    fetched: &FetchedMessage,
) -> Result<(Vec<u8>, bool), AppError> {
    if fetched.is_complete() {
        return Ok((fetched.bytes.clone(), false));
    }
    let Some(parts) = &fetched.parts else {
        return Ok((fetched.bytes.clone(), true));
    };
    // The text parts in order, within a budget of parts and bytes: a message of ten thousand
    // text parts must not become one FETCH of ten thousand sections (longer than the server
    // takes in a command line, which failed the page) nor tens of megabytes to render.
    let wanted: HashSet<String> = view::display_sections(parts).into_iter().collect();
    let mut sections = Vec::new();
    let mut bytes_left = MAX_TEXT_TOTAL;
    let mut cut = false;
    for p in parts.iter().filter(|p| wanted.contains(&p.section)) {
        let size = p.octets.min(MAX_TEXT_PART);
        if sections.len() == MAX_TEXT_SECTIONS || size > bytes_left {
            cut = true;
            break;
        }
        cut |= p.octets > MAX_TEXT_PART;
        bytes_left -= size;
        sections.push(p.section.clone());
    }
    let pieces = imap
        .sections(folder, fetched.uid, sections, MAX_TEXT_PART)
        .await?;
    Ok((view::synthesize(&fetched.bytes, &pieces), cut))
}

/// How a rendered body links to the message's parts and to the blocked-image placeholder.
pub fn links(ctx: &PageCtx, folder: &str, uid: u32) -> Links {
    let message_url = ctx.message_url(folder, uid);
    Links {
        part_url: Box::new(move |section| format!("{message_url}/part/{}", segment(section))),
        blocked_image_url: crate::web::assets::url(&ctx.base, "blocked.svg"),
    }
}

/// What the session's rendering of a message's HTML body is kept under. UIDVALIDITY comes
/// from SELECT's answer, at hand once the folder is open: asking costs no FETCH.
pub async fn body_key(
    session: &CurrentSession,
    folder: &str,
    uid: u32,
    allow_remote: bool,
) -> Result<BodyKey, AppError> {
    Ok(BodyKey {
        user: session.username.clone(),
        folder: folder.to_string(),
        uid_validity: session.imap.uid_validity(folder).await?,
        uid,
        allow_remote,
    })
}
