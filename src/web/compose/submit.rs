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
use crate::mail::budget::{draft_limit, MAX_KEPT};
use crate::mail::identity::Book;
use crate::mail::parts::gather_kept;
use crate::mail::send::{as_identity, send_detached, Outbox};
use crate::mail::{drafts, Draft, KeptPart, MailError};
use crate::smtp::compose::{self, Outgoing};
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::CurrentSession;
use crate::web::identities::{book, refusal};
use crate::web::page::PageFrame;

pub async fn submit(
    State(state): State<AppState>,
    session: CurrentSession,
    ComposeForm(mut s): ComposeForm,
) -> Result<Response, AppError> {
    let frame = PageFrame::load(&state, &session).await?;
    let account = account(&session, &frame);
    let book = book(&state, &session).await?;
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
        return Ok(over_limit(&state, frame, &book, s.draft, message));
    }
    // Each kept part is fetched only if it fits in what the text and the files left.
    let gathered = gather_kept(&session.imap, &s.keep, &mut s.budget).await?;
    s.draft.kept = gathered.kept;
    s.left_out.extend(gathered.left_out);
    if !s.left_out.is_empty() {
        let message = Msg::new("compose-error-too-large")
            .arg("limit", session.lang.size(limit as u64))
            .arg("names", s.left_out.join(", "));
        return Ok(over_limit(&state, frame, &book, s.draft, message));
    }

    // The identity chosen, held to the policy: the form may be made by hand, and the admin
    // may have tightened the policy since the identity was saved. A draft is still written
    // as someone: the identity a new message starts with.
    let asked = s.draft.identity.clone();
    let chosen = book.sender(&asked).cloned();
    let identity = chosen.clone().ok().or_else(|| book.starting().cloned());
    if let Some(identity) = &identity {
        s.draft.identity = identity.id.clone();
    }
    let to = compose::parse_addresses(&s.draft.to);
    let cc = compose::parse_addresses(&s.draft.cc);
    let bcc = compose::parse_addresses(&s.draft.bcc);
    let invalid = [(&to, "to"), (&cc, "cc"), (&bcc, "bcc")]
        .into_iter()
        .find_map(|(r, field)| r.as_ref().err().map(|bad| (field, bad.clone())));

    let mut attachments = gathered.attachments;
    attachments.append(&mut s.uploads);
    // Shared with the task that sends it, without copying the attachments.
    let mut outgoing = Outgoing {
        to: to.clone().unwrap_or_default(),
        cc: cc.clone().unwrap_or_default(),
        bcc: bcc.clone().unwrap_or_default(),
        subject: s.draft.subject.clone(),
        body: s.draft.body.clone(),
        in_reply_to: Some(s.draft.in_reply_to.clone()),
        references: Some(s.draft.references.clone()),
        attachments,
        ..Outgoing::default()
    };
    if let Some(identity) = &identity {
        as_identity(&mut outgoing, identity);
    }
    let outgoing = Arc::new(outgoing);
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
                let page = render(&state, frame, &book, s.draft, Some(message), None);
                Ok((status, page).into_response())
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
    } else if let (Err(why), Some(_)) = (&chosen, &identity) {
        tracing::info!(
            user = crate::telemetry::untrusted(&session.username),
            identity = crate::telemetry::untrusted(&asked),
            "sending as a refused identity"
        );
        (StatusCode::UNPROCESSABLE_ENTITY, refusal(why))
    } else {
        let outbox = Outbox {
            // A mapped domain sends through its own SMTP server.
            submitter: match &session.upstreams {
                Some(u) => state.submitter.with_upstream(u.smtp.clone()),
                None => state.submitter.clone(),
            },
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
    let page = render(&state, frame, &book, shown, Some(message), notice);
    Ok((status, page).into_response())
}

/// The form back as typed, with why it was refused: more than the message may hold. Nothing
/// was sent or stored, so the parts it keeps are still where they were.
fn over_limit(
    state: &AppState,
    frame: PageFrame,
    book: &Book,
    draft: Draft,
    message: Msg,
) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        render(state, frame, book, draft, Some(message), None),
    )
        .into_response()
}
