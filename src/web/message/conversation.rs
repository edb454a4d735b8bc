//! The other messages of a message's conversation, found by its root Message-ID (see
//! [`crate::mail::read::conversation_root`]) in its own folder, in Sent and in the Inbox.

use crate::imap::ImapHandle;
use crate::model::{Folder, Role};
use crate::web::page::PageCtx;

/// One message of a conversation, as the message page lists it.
pub struct ConversationRow {
    pub url: String,
    pub who: String,
    pub subject: String,
    pub date: String,
    pub current: bool,
    /// The folder's label when it is not the one being read (replies sit in Sent).
    pub elsewhere: Option<String>,
}

/// The conversation in this folder, in Sent (where the person's own replies are) and in the Inbox,
/// oldest first; empty when the message stands alone.
pub async fn conversation(
    imap: &ImapHandle,
    ctx: &PageCtx,
    folders: &[Folder],
    folder: &str,
    uid: u32,
    root: &str,
) -> Vec<ConversationRow> {
    // The other side of a conversation lives in Sent (or, read from Sent, in the Inbox).
    let mut places = vec![folder.to_string()];
    for role in [Role::Sent, Role::Inbox] {
        if let Some(f) = folders.iter().find(|f| f.role == Some(role)) {
            if !places.contains(&f.name) {
                places.push(f.name.clone());
            }
        }
    }
    let mut rows: Vec<(String, ConversationRow)> = Vec::new();
    for place in places {
        // A failure here only costs the list, never the message itself.
        let Ok(found) = imap.conversation(&place, root).await else {
            continue;
        };
        for s in found {
            let h = crate::mime::headers::list_headers(&s.headers);
            let sort_key = s
                .internal_date
                .as_deref()
                .map(sortable_date)
                .unwrap_or_default();
            rows.push((
                sort_key,
                ConversationRow {
                    url: ctx.message_url(&place, s.uid),
                    who: h.from.first().map(|m| m.short()).unwrap_or_default(),
                    subject: h.subject,
                    date: h
                        .date
                        .or_else(|| {
                            s.internal_date
                                .as_deref()
                                .and_then(crate::mime::headers::internal_date)
                        })
                        .map(|d| ctx.list_date(d))
                        .unwrap_or_default(),
                    current: place == folder && s.uid == uid,
                    elsewhere: (place != folder)
                        .then(|| crate::web::page::folder_title(ctx, folders, &place)),
                },
            ));
        }
    }
    if rows.len() < 2 {
        return Vec::new();
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// `17-Jul-1996 02:44:25 -0700` as `1996-07-17 02:44:25`, for ordering.
pub fn sortable_date(internal: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut it = internal.trim().split([' ', '-']).filter(|s| !s.is_empty());
    let (Some(d), Some(m), Some(y), Some(t)) = (it.next(), it.next(), it.next(), it.next()) else {
        return String::new();
    };
    let month = MONTHS
        .iter()
        .position(|x| x.eq_ignore_ascii_case(m))
        .unwrap_or(0)
        + 1;
    format!("{y}-{month:02}-{:0>2} {t}", d)
}
