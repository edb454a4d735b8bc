//! The mail workflows called directly, as the compose handlers call them, with no HTTP in
//! between: a reply started from its original, saved as a draft, then sent through the real
//! Postfix, filed in Sent, the original flagged and the draft removed.

use std::sync::Arc;

use carteiro::i18n::Lang;
use carteiro::imap::connect::Connector;
use carteiro::imap::ImapHandle;
use carteiro::mail::identity::Identities;
use carteiro::mail::reply::{self, Start};
use carteiro::mail::send::{self, Outbox};
use carteiro::mail::{drafts, Account, Draft, MailError};
use carteiro::metrics::Metrics;
use carteiro::smtp::compose::{parse_addresses, Outgoing, OutgoingAttachment};
use carteiro::smtp::Submitter;
use secrecy::SecretString;
use tokio_util::task::TaskTracker;

use crate::helpers::{fresh_user, message, test_config, Imap, TEST_PASSWORD};

/// What the workflows need for a fresh user, built the way the application builds it, but
/// with no server in front.
pub struct Direct {
    pub account: Account,
    pub outbox: Outbox,
    pub password: SecretString,
}

pub async fn direct(label: &str) -> Direct {
    let config = test_config("imap://localhost:143");
    let metrics = Arc::new(Metrics::new());
    let connector = Connector::new(&config, metrics.clone()).expect("connector");
    let submitter = Submitter::new(&config, metrics).expect("submitter");
    let user = fresh_user(label);
    let password = SecretString::from(TEST_PASSWORD.to_string());
    let imap = ImapHandle::spawn(
        connector,
        user.clone(),
        password.clone(),
        None,
        &TaskTracker::new(),
    );
    let folders = imap.folders().await.expect("folders");
    Direct {
        account: Account {
            imap,
            username: user,
            folders,
        },
        outbox: Outbox {
            submitter,
            save_sent: true,
        },
        password,
    }
}

/// The message a draft form describes, as the compose handler builds it.
pub fn outgoing(from: &str, draft: &Draft) -> Outgoing {
    Outgoing {
        from: from.parse().ok(),
        to: parse_addresses(&draft.to).expect("addresses"),
        subject: draft.subject.clone(),
        body: draft.body.clone(),
        in_reply_to: Some(draft.in_reply_to.clone()),
        references: Some(draft.references.clone()),
        ..Outgoing::default()
    }
}

#[tokio::test]
async fn a_reply_saved_as_a_draft_then_sent_is_filed_flags_its_original_and_leaves_no_draft() {
    let alice = direct("alice").await;
    let bob = fresh_user("bob");
    let me = alice.account.username.clone();
    let mut imap = Imap::connect(&me).await;
    imap.append(
        "INBOX",
        &message(
            &bob,
            "Almoço",
            "Tue, 11 Mar 2025 10:00:00 -0300",
            "Vamos às 12h?",
        ),
        None,
    )
    .await;

    let mine = Identities::from_older_settings(Some(&me), None, None);
    let mut draft = reply::start_from(
        &alice.account.imap,
        Lang::default(),
        &mine,
        "INBOX",
        1,
        Start::Reply,
    )
    .await
    .expect("a reply starts");
    assert_eq!(draft.to, bob);
    assert_eq!(draft.subject, "Re: Almoço");
    assert!(draft.body.contains("> Vamos às 12h?"), "{}", draft.body);
    draft.body = format!("Combinado!{}", draft.body);

    let uid = drafts::save(&alice.account, &draft, &outgoing(&me, &draft), 1 << 20)
        .await
        .expect("the draft is saved");
    assert_eq!(imap.uids("Drafts").await, [uid]);
    let resumed = drafts::load(&alice.account, uid).await.expect("read back");
    assert_eq!(resumed.to, bob);
    assert_eq!(
        (resumed.origin_kind.as_str(), resumed.origin_uid.as_str()),
        ("reply", "1")
    );

    send::send(
        &alice.outbox,
        &alice.account,
        Some(alice.password.clone()),
        &resumed,
        &outgoing(&me, &resumed),
    )
    .await
    .expect("sent");
    let delivered = Imap::connect(&bob).await.wait_for("INBOX", 1).await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(imap.wait_for("Sent", 1).await.len(), 1);
    let flags = imap.flags("INBOX", 1).await;
    assert!(flags.iter().any(|f| f.contains("Answered")), "{flags:?}");
    assert!(imap.uids("Drafts").await.is_empty(), "the draft is gone");
}

#[tokio::test]
async fn a_draft_over_its_limit_is_refused_before_anything_is_appended() {
    let alice = direct("alice").await;
    let me = alice.account.username.clone();
    let draft = Draft {
        to: "bob@example.test".into(),
        subject: "Grande".into(),
        body: "Anexo grande.".into(),
        ..Draft::default()
    };
    let mut message = outgoing(&me, &draft);
    message.attachments.push(OutgoingAttachment {
        filename: "grande.bin".into(),
        content_type: "application/octet-stream".into(),
        bytes: crate::dos::noise(10_000).into(),
    });
    let refused = drafts::save(&alice.account, &draft, &message, 10_000).await;
    match refused {
        Err(MailError::DraftTooLarge { size, limit }) => {
            assert_eq!(limit, 10_000);
            assert!(size > 13_000, "base64 makes it a third larger: {size}");
        }
        other => panic!("refused for its size, not {other:?}"),
    }
    let mut imap = Imap::connect(&me).await;
    assert!(imap.uids("Drafts").await.is_empty(), "nothing appended");
    // The same draft within its limit is saved.
    let uid = drafts::save(&alice.account, &draft, &message, 20_000)
        .await
        .expect("saved");
    assert_eq!(imap.uids("Drafts").await, [uid]);
}
