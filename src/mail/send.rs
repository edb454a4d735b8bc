//! Sending: build the message, submit it over SMTP with the person's own login, then file a
//! copy (Bcc kept) in Sent, flag the original answered or forwarded, and delete the draft it
//! was sent from.

use std::sync::Arc;

use secrecy::SecretString;
use tokio_util::task::TaskTracker;

use super::account::Account;
use super::draft::Draft;
use super::error::MailError;
use super::identity::Identity;
use crate::model::Role;
use crate::smtp::compose::{self, Outgoing};
use crate::smtp::Submitter;
use crate::telemetry::untrusted;

/// How a send is carried out: through which server, and whether a copy goes to Sent.
#[derive(Clone)]
pub struct Outbox {
    pub submitter: Submitter,
    /// File a copy of every sent message in the Sent folder.
    pub save_sent: bool,
}

/// The message as `identity` sends it: From its name and address (so also the envelope's
/// MAIL FROM; the SMTP login stays the person's own), Reply-To when it has one, and a Bcc
/// copy to its own address when it asks for one and the address is not a recipient already.
pub fn as_identity(outgoing: &mut Outgoing, identity: &Identity) {
    outgoing.from = identity.mailbox();
    outgoing.reply_to = identity.reply_to_mailbox();
    if identity.bcc_self {
        if let Some(me) = identity.mailbox() {
            let already = outgoing
                .to
                .iter()
                .chain(&outgoing.cc)
                .chain(&outgoing.bcc)
                .any(|m| m.email == me.email);
            if !already {
                outgoing
                    .bcc
                    .push(lettre::message::Mailbox::new(None, me.email));
            }
        }
    }
}

/// [`send`] in a task of its own, tracked by `tasks`: once a send has begun it runs to the
/// end (the message out, filed in Sent, the draft removed) even if the request that started
/// it is dropped (the browser went away), and a shutdown waiting on `tasks` waits for it.
/// Cutting it anywhere in between could leave a message sent but not filed, or half
/// submitted.
pub async fn send_detached(
    tasks: &TaskTracker,
    outbox: Outbox,
    account: Account,
    password: Option<SecretString>,
    draft: Draft,
    outgoing: Arc<Outgoing>,
) -> Result<(), MailError> {
    tasks
        .spawn(async move { send(&outbox, &account, password, &draft, &outgoing).await })
        .await
        .map_err(MailError::Task)?
}

/// Sends `outgoing`, written in the form `draft`. `password` is the one the session unsealed
/// (`None` when it could not, and the person must sign in again). Once the message is out,
/// nothing that follows (filing, flagging, removing the draft) can make it look unsent:
/// those steps are logged when they fail, never returned.
pub async fn send(
    outbox: &Outbox,
    account: &Account,
    password: Option<SecretString>,
    draft: &Draft,
    outgoing: &Outgoing,
) -> Result<(), MailError> {
    let built = compose::build(outgoing).map_err(MailError::Build)?;
    let password = password.ok_or(MailError::NoPassword)?;
    outbox
        .submitter
        .send(
            &account.username,
            &password,
            &built.envelope,
            &built.for_recipients,
        )
        .await
        .map_err(|e| {
            tracing::warn!(user = untrusted(&account.username), error = %e, "send failed");
            MailError::Send(e)
        })?;
    tracing::info!(user = untrusted(&account.username), "message sent");
    if outbox.save_sent {
        match account.folder(Role::Sent) {
            Ok(sent) => {
                if let Err(e) = account
                    .imap
                    .append(sent, "(\\Seen)", built.for_sent.clone())
                    .await
                {
                    tracing::warn!(error = %e, "could not file the sent message");
                }
            }
            Err(_) => tracing::warn!("no Sent folder to file the sent message in"),
        }
    }
    if let Ok(uid) = draft.origin_uid.parse::<u32>() {
        let flag = if draft.origin_kind == "forward" {
            "$Forwarded"
        } else {
            "\\Answered"
        };
        let _ = account
            .imap
            .store(
                &draft.origin_folder,
                uid,
                &format!("+FLAGS.SILENT ({flag})"),
            )
            .await;
    }
    if let (Ok(uid), Ok(drafts)) = (draft.draft_uid.parse::<u32>(), account.folder(Role::Drafts)) {
        let _ = account.imap.delete(drafts, uid).await;
    }
    Ok(())
}
