//! A new message started from another one: a reply or reply-all (recipients, subject, the
//! quoted text, the threading headers) or a forward (the text under a header block, the
//! attachments kept by reference, or the whole original attached). What it writes into the
//! message is in the writer's language, like the page.

use super::address::{format_list, format_mailbox, same_address};
use super::draft::{Draft, KeptPart};
use super::error::MailError;
use super::identity::Identities;
use super::parts::{kept_attachments, PartRef, WHOLE_MESSAGE};
use crate::i18n::{Lang, Msg};
use crate::imap::ImapHandle;
use crate::mime::{self, parts};
use crate::model::PartInfo;

/// Largest original read to start from; a longer one is quoted from its start.
const MAX_ORIGINAL: u32 = 4 * 1024 * 1024;

/// How the new message starts from the original.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// To the sender (or Reply-To), quoting the text.
    Reply,
    /// The same, with every other recipient in Cc.
    ReplyAll,
    /// The text under a header block, the attachments kept.
    Forward,
    /// The original whole, as a `message/rfc822` attachment.
    ForwardAsAttachment,
}

/// Prefills a reply, reply-all or forward of `folder`/`uid`. `mine` are the writer's
/// identities: their addresses are left out of the recipients, and the one the original was
/// addressed to is the one the new message is written as (its id in [`Draft::identity`];
/// empty when none was addressed, for the default).
pub async fn start_from(
    imap: &ImapHandle,
    lang: Lang,
    mine: &Identities,
    folder: &str,
    uid: u32,
    start: Start,
) -> Result<Draft, MailError> {
    let fetched = imap.message(folder, uid, MAX_ORIGINAL, false).await?;
    let message = mime::parse(&fetched.bytes).ok_or(MailError::Unreadable)?;
    let mut draft = Draft {
        origin_folder: folder.to_string(),
        origin_uid: uid.to_string(),
        identity: addressed(mine, &message),
        ..Draft::default()
    };
    match start {
        Start::Reply | Start::ReplyAll => {
            reply(&mut draft, lang, mine, &message, start == Start::ReplyAll);
        }
        Start::Forward | Start::ForwardAsAttachment => {
            forward(
                &mut draft,
                lang,
                &message,
                fetched.parts.as_deref(),
                folder,
                uid,
            );
            if start == Start::ForwardAsAttachment {
                draft.body.clear();
                draft.kept = vec![KeptPart {
                    reference: PartRef::new(folder, uid, WHOLE_MESSAGE).to_string(),
                    filename: format!(
                        "{}.eml",
                        parts::safe_filename(draft.subject.trim_start_matches("Fwd: "))
                    ),
                    size: None,
                }];
            }
        }
    }
    Ok(draft)
}

/// The id of the identity `message` was addressed to: in To, else Cc, else Delivered-To
/// (where a message sent to a list or as Bcc shows who it reached); empty for none.
fn addressed(mine: &Identities, message: &mail_parser::Message<'_>) -> String {
    let emails = |list: Vec<mime::Mailbox>| list.into_iter().filter_map(|m| m.email).collect();
    let to: Vec<String> = emails(mime::mailboxes(message.to()));
    let cc: Vec<String> = emails(mime::mailboxes(message.cc()));
    let delivered: Vec<String> = message
        .headers_raw()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Delivered-To"))
        .map(|(_, value)| value.trim().trim_matches(['<', '>']).to_string())
        .collect();
    fn refs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    mine.addressed(&refs(&to), &refs(&cc), &refs(&delivered))
        .map(|i| i.id.clone())
        .unwrap_or_default()
}

/// The date of the original, written out in the writer's language.
fn written_date(lang: Lang, message: &mail_parser::Message<'_>) -> String {
    message
        .date()
        .and_then(mime::header_date)
        .map(|d| lang.full_date(crate::i18n::dates::shown(d)))
        .unwrap_or_default()
}

/// The original's text, with plain line ends.
fn original_text(message: &mail_parser::Message<'_>) -> String {
    message
        .body_text(0)
        .map(|t| t.replace("\r\n", "\n"))
        .unwrap_or_default()
}

fn forward(
    draft: &mut Draft,
    lang: Lang,
    message: &mail_parser::Message<'_>,
    server_parts: Option<&[PartInfo]>,
    folder: &str,
    uid: u32,
) {
    let subject = message.subject().map(mime::clean_text).unwrap_or_default();
    let from = mime::mailboxes(message.from());
    let date = written_date(lang, message);
    let text = original_text(message);
    draft.origin_kind = "forward".into();
    draft.subject = prefixed("Fwd: ", &subject);
    let to: Vec<String> = mime::mailboxes(message.to())
        .iter()
        .map(format_mailbox)
        .collect();
    draft.body = format!(
        "\n\n{}\n{}: {}\n{}: {date}\n{}: {subject}\n{}: {}\n\n{text}",
        lang.t("compose-forwarded"),
        lang.t("header-from"),
        format_list(&from),
        lang.t("header-date"),
        lang.t("header-subject"),
        lang.t("header-to"),
        to.join(", ")
    );
    draft.kept = kept_attachments(message, server_parts, folder, uid);
}

fn reply(
    draft: &mut Draft,
    lang: Lang,
    mine: &Identities,
    message: &mail_parser::Message<'_>,
    all: bool,
) {
    let subject = message.subject().map(mime::clean_text).unwrap_or_default();
    let from = mime::mailboxes(message.from());
    let date = written_date(lang, message);
    let text = original_text(message);
    let message_id = message.message_id().map(|id| format!("<{id}>"));
    let who = from.first().map(|m| m.short()).unwrap_or_default();
    draft.origin_kind = "reply".into();
    draft.subject = prefixed("Re: ", &subject);
    let reply_to = mime::mailboxes(message.reply_to());
    let primary = if reply_to.is_empty() {
        from.clone()
    } else {
        reply_to
    };
    let not_me = |m: &&mime::Mailbox| !m.email.as_deref().is_some_and(|e| mine.is_mine(e));
    let mut to: Vec<mime::Mailbox> = primary.iter().filter(not_me).cloned().collect();
    if to.is_empty() {
        to = primary.clone();
    }
    draft.to = format_list(&to);
    if all {
        let mut cc: Vec<mime::Mailbox> = Vec::new();
        for m in mime::mailboxes(message.to())
            .iter()
            .chain(mime::mailboxes(message.cc()).iter())
        {
            let duplicate = to.iter().chain(cc.iter()).any(|x| same_address(x, m));
            if not_me(&m) && !duplicate {
                cc.push(m.clone());
            }
        }
        draft.cc = format_list(&cc);
    }
    let quoted: String = text.lines().map(|l| format!("> {l}\n")).collect();
    let intro = lang.format(
        &Msg::new("compose-quote-intro")
            .arg("date", date)
            .arg("name", who),
    );
    draft.body = format!("\n\n{intro}\n{quoted}");
    draft.in_reply_to = message_id.clone().unwrap_or_default();
    let mut references: Vec<String> = message
        .references()
        .as_text_list()
        .map(|l| l.iter().map(|r| format!("<{r}>")).collect())
        .or_else(|| {
            message
                .references()
                .as_text()
                .map(|r| vec![format!("<{r}>")])
        })
        .unwrap_or_default();
    if let Some(id) = message_id {
        references.push(id);
    }
    draft.references = references.join(" ");
}

/// Puts the signature (after the `-- ` delimiter) above any quoted or forwarded text.
pub fn with_signature(body: &str, signature: &str) -> String {
    let block = format!("\n\n-- \n{}", signature.trim_end());
    if body.trim().is_empty() {
        return block;
    }
    // Replies and forwards start with two empty lines for the person's text.
    match body.strip_prefix("\n\n") {
        Some(rest) => format!("{block}\n\n{rest}"),
        None => format!("{body}{block}"),
    }
}

/// Adds `Re: ` or `Fwd: ` once, however many the subject already has.
pub fn prefixed(prefix: &str, subject: &str) -> String {
    let mut rest = subject.trim();
    loop {
        let lower = rest.to_ascii_lowercase();
        let cut = ["re:", "fwd:", "fw:", "res:", "enc:", "aw:", "wg:"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len());
        match cut {
            Some(n) => rest = rest[n..].trim_start(),
            None => break,
        }
    }
    format!("{prefix}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_get_one_prefix() {
        assert_eq!(prefixed("Re: ", "Re: RE: Fwd: Orçamento"), "Re: Orçamento");
        assert_eq!(prefixed("Fwd: ", "Reunião"), "Fwd: Reunião");
        assert_eq!(prefixed("Re: ", "Res: Enc: teste"), "Re: teste");
    }
}
