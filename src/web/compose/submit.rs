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
use crate::mail::budget::{draft_limit, MAX_KEPT};
use crate::mail::parts::gather_kept;
use crate::mail::send::{send_detached, Outbox};
use crate::mail::{drafts, Draft, KeptPart, MailError};
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
    let limit = state.submitter.max_size;
    // Kept parts are listed again from their references, so the form can show them again.
    s.draft.kept = s
        .keep
        .iter()
        .map(|at| KeptPart {
            reference: at.to_string(),
            filename: at.section.clone(),
            size: None,
        })
        .collect();
    if s.too_many_kept {
        let message = Msg::new("compose-error-too-many-kept").arg("count", MAX_KEPT);
        return Ok(over_limit(&state, frame, s.draft, message));
    }
    // Each kept part is fetched only if it fits in what the text and the files left.
    let gathered = gather_kept(&session.imap, &s.keep, &mut s.budget).await?;
    s.draft.kept = gathered.kept;
    s.left_out.extend(gathered.left_out);
    if !s.left_out.is_empty() {
        let message = Msg::new("compose-error-too-large")
            .arg("limit", session.lang.size(limit as u64))
            .arg("names", s.left_out.join(", "));
        return Ok(over_limit(&state, frame, s.draft, message));
    }

    let from = sender(&session.username, session.prefs.display_name.as_deref());
    let to = compose::parse_addresses(&s.draft.to);
    let cc = compose::parse_addresses(&s.draft.cc);
    let bcc = compose::parse_addresses(&s.draft.bcc);
    let invalid = [(&to, "to"), (&cc, "cc"), (&bcc, "bcc")]
        .into_iter()
        .find_map(|(r, field)| r.as_ref().err().map(|bad| (field, bad.clone())));

    let mut attachments = gathered.attachments;
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

    let draft_limit = draft_limit(limit);

    if s.action == "save" {
        return match drafts::save(&account, &s.draft, &outgoing, draft_limit).await {
            Ok(uid) => {
                Ok(Redirect::to(&format!("{base}/compose?draft={uid}&saved=1")).into_response())
            }
            // Nothing stored: the form comes back as typed, with why.
            Err(e @ MailError::DraftTooLarge { .. }) => {
                let (status, message) = on_form(session.lang, e)?;
                Ok((status, render(&state, frame, s.draft, Some(message), None)).into_response())
            }
            Err(e) => Err(e.into()),
        };
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
            Ok(()) => {
                // Whoever was just written to is suggested from the next page on.
                state.suggestions.invalidate(&session.username);
                return Ok(Redirect::to(&format!("{base}/compose?sent=1")).into_response());
            }
            Err(e) => on_form(session.lang, e)?,
        }
    };
    // Nothing is lost: the draft (with every attachment) goes to the Drafts folder, and the
    // form comes back with what was typed, exactly.
    let mut notice = None;
    let typed = s.draft;
    let mut shown = typed.clone();
    if let Ok(uid) = drafts::save(&account, &typed, &outgoing, draft_limit).await {
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

/// The form back as typed, with why it was refused: more than the message may hold. Nothing
/// was sent or stored, so the parts it keeps are still where they were.
fn over_limit(state: &AppState, frame: PageFrame, draft: Draft, message: Msg) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        render(state, frame, draft, Some(message), None),
    )
        .into_response()
}
