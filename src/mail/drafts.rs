//! Drafts in the account's Drafts folder: saving the form as one (replacing the version it
//! was resumed from), and reading one back into the form.

use percent_encoding::percent_decode_str;

use super::account::Account;
use super::address::format_list;
use super::draft::Draft;
use super::error::MailError;
use super::parts::kept_attachments;
use crate::mime;
use crate::model::Role;
use crate::percent::segment;
use crate::smtp::compose::{self, Outgoing};

/// Largest draft read back whole.
const MAX_DRAFT: u32 = 4 * 1024 * 1024;

/// Reads the saved draft `uid` of the Drafts folder back into the form.
pub async fn load(account: &Account, uid: u32) -> Result<Draft, MailError> {
    let folder = account.folder(Role::Drafts)?;
    let fetched = account.imap.message(folder, uid, MAX_DRAFT, false).await?;
    let message = mime::parse(&fetched.bytes).ok_or(MailError::Unreadable)?;
    let list = |a: Option<&mail_parser::Address<'_>>| format_list(&mime::mailboxes(a));
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let kept = kept_attachments(&message, fetched.parts.as_deref(), folder, uid);
    let origin = header("X-Carteiro-Origin");
    let mut origin_parts = origin.splitn(3, ' ');
    Ok(Draft {
        to: list(message.to()),
        cc: list(message.cc()),
        bcc: list(message.bcc()),
        subject: message.subject().map(mime::clean_text).unwrap_or_default(),
        body: message
            .body_text(0)
            .map(|t| t.replace("\r\n", "\n"))
            .unwrap_or_default(),
        in_reply_to: header("In-Reply-To"),
        references: header("References"),
        origin_kind: origin_parts.next().unwrap_or_default().to_string(),
        origin_uid: origin_parts.next().unwrap_or_default().to_string(),
        origin_folder: origin_parts
            .next()
            .and_then(|f| percent_decode_str(f).decode_utf8().ok())
            .map(|f| f.to_string())
            .unwrap_or_default(),
        draft_uid: uid.to_string(),
        identity: header("X-Carteiro-Identity"),
        kept,
    })
}

/// Saves the form as a draft (replacing the previous version) and returns its UID.
/// `outgoing` is the message as it would be sent; a draft may be incomplete, so only the
/// addresses that parse are kept from each field. A draft larger than `limit` bytes, once
/// built, is refused before anything is sent to the server (see [`super::budget::draft_limit`]).
pub async fn save(
    account: &Account,
    draft: &Draft,
    outgoing: &Outgoing,
    limit: usize,
) -> Result<u32, MailError> {
    let drafts = account.folder(Role::Drafts)?;
    let lenient = |field: &str| {
        field
            .split(',')
            .filter_map(|p| compose::parse_addresses(p).ok())
            .flatten()
            .collect::<Vec<_>>()
    };
    // A copy with other recipients; the attachments' bytes are shared, not copied.
    let mut for_draft = outgoing.clone();
    for_draft.to = lenient(&draft.to);
    for_draft.cc = lenient(&draft.cc);
    for_draft.bcc = lenient(&draft.bcc);
    // What it answers, to flag the original when the draft is finally sent.
    let origin = match draft.origin_uid.parse::<u32>() {
        Ok(uid) => Some(format!(
            "{} {uid} {}",
            if draft.origin_kind == "forward" {
                "forward"
            } else {
                "reply"
            },
            segment(&draft.origin_folder)
        )),
        Err(_) => None,
    };
    let notes = compose::DraftNotes {
        origin: origin.as_deref(),
        identity: Some(draft.identity.as_str()),
    };
    let built = compose::build_draft(&for_draft, notes).map_err(MailError::Build)?;
    drop(for_draft);
    if built.for_sent.len() > limit {
        return Err(MailError::DraftTooLarge {
            size: built.for_sent.len(),
            limit,
        });
    }
    account
        .imap
        .append(drafts, "(\\Draft \\Seen)", built.for_sent)
        .await?;
    let uid = account
        .imap
        .find_message_id(drafts, &built.message_id)
        .await?
        .ok_or(MailError::DraftLost)?;
    if let Ok(old) = draft.draft_uid.parse::<u32>() {
        if old != uid {
            let _ = account.imap.delete(drafts, old).await;
        }
    }
    Ok(uid)
}
