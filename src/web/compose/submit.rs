//! `POST /compose`: send the message, or save it as a draft. A message that cannot be sent
//! loses nothing: it goes to Drafts, attachments and all, and the form comes back with what
//! was typed, exactly.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::errors::on_form;
use super::form::ComposeForm;
use super::page::{account, render};
use crate::i18n::Msg;
use crate::mail::address::sender;
use crate::mail::parts::{gather_kept, PartRef};
use crate::mail::send::{send_detached, Outbox};
use crate::mail::{drafts, Draft, KeptPart};
use crate::smtp::compose::{self, Outgoing};
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::CurrentSession;
use crate::web::page::PageFrame;

pub async fn submit(
    State(state): State<AppState>,
    session: CurrentSession,
    ComposeForm(mut s): ComposeForm,
) -> Result<Response, AppError> {
    let frame = PageFrame::load(&state, &session).await?;
    let account = account(&session, &frame);
    // Kept parts are re-listed from their references, so the form can show them again.
    s.draft.kept = s
        .keep
        .iter()
        .filter(|r| PartRef::parse(r).is_some())
        .map(|r| KeptPart {
            reference: r.clone(),
            filename: r.rsplit('/').next().unwrap_or_default().to_string(),
            size: None,
        })
        .collect();

    let from = sender(&session.username, session.prefs.display_name.as_deref());
    let to = compose::parse_addresses(&s.draft.to);
    let cc = compose::parse_addresses(&s.draft.cc);
    let bcc = compose::parse_addresses(&s.draft.bcc);
    let invalid = [(&to, "to"), (&cc, "cc"), (&bcc, "bcc")]
        .into_iter()
        .find_map(|(r, field)| r.as_ref().err().map(|bad| (field, bad.clone())));

    let mut attachments = gather_kept(&session.imap, &s.keep).await?;
    attachments.append(&mut s.uploads);
    // Shared with the task that sends it, without copying the attachments.
    let outgoing = Arc::new(Outgoing {
        from: from.clone(),
        to: to.clone().unwrap_or_default(),
        cc: cc.clone().unwrap_or_default(),
        bcc: bcc.clone().unwrap_or_default(),
        subject: s.draft.subject.clone(),
        body: s.draft.body.clone(),
        in_reply_to: Some(s.draft.in_reply_to.clone()),
        references: Some(s.draft.references.clone()),
        attachments,
    });
    let base = &state.config.base_path;

    if s.action == "save" {
        let uid = drafts::save(&account, &s.draft, &outgoing).await?;
        return Ok(Redirect::to(&format!("{base}/compose?draft={uid}&saved=1")).into_response());
    }

    let (status, message) = if let Some((field, bad)) = invalid {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Msg::new("compose-error-address")
                .arg("address", bad)
                .arg("field", field),
        )
    } else {
        let outbox = Outbox {
            submitter: state.submitter.clone(),
            save_sent: state.config.save_sent,
        };
        let sent = send_detached(
            &state.background,
            outbox,
            account.clone(),
            session.password(),
            s.draft.clone(),
            outgoing.clone(),
        )
        .await;
        match sent {
            Ok(()) => return Ok(Redirect::to(&format!("{base}/compose?sent=1")).into_response()),
            Err(e) => on_form(session.lang, e)?,
        }
    };
    // Nothing is lost: the draft (with every attachment) goes to the Drafts folder, and the
    // form comes back with what was typed, exactly.
    let mut notice = None;
    let typed = s.draft;
    let mut shown = typed.clone();
    if let Ok(uid) = drafts::save(&account, &typed, &outgoing).await {
        if let Ok(saved) = drafts::load(&account, uid).await {
            shown = Draft {
                to: typed.to,
                cc: typed.cc,
                bcc: typed.bcc,
                ..saved
            };
            notice = Some(Msg::new("compose-kept-in-drafts"));
        }
    }
    Ok((status, render(&state, frame, shown, Some(message), notice)).into_response())
}
