//! The compose form as the browser sends it: `multipart/form-data`, because it carries files.
//! [`CsrfForm`](crate::web::extract::CsrfForm) reads only url-encoded forms, so this extractor
//! reads the parts itself and checks the session's CSRF token the same way.
//!
//! Files are read a chunk at a time against the message size limit: one that does not fit in
//! what the message has left is dropped as it arrives (and named, so the page can say so),
//! never buffered whole. Kept-part references are taken once each, up to
//! [`MAX_KEPT`](crate::mail::budget::MAX_KEPT).

use std::collections::HashSet;

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::i18n::Msg;
use crate::mail::budget::MAX_KEPT;
use crate::mail::parts::PartRef;
use crate::mail::{Budget, Draft};
use crate::smtp::compose::OutgoingAttachment;
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::{signed_in, CurrentSession};

/// What the browser sent: the fields, the references of kept parts, and new files.
pub struct Submission {
    /// `send` or `save`.
    pub action: String,
    pub draft: Draft,
    /// The parts to keep, each once, in the order sent; at most `MAX_KEPT`.
    pub keep: Vec<PartRef>,
    /// More parts were asked to be kept than a message may keep.
    pub too_many_kept: bool,
    pub uploads: Vec<OutgoingAttachment>,
    /// The names of files that did not fit in the size limit; they were not kept.
    pub left_out: Vec<String>,
    /// What the text and the files came to; kept parts may take what is left.
    pub budget: Budget,
}

/// A compose form POSTed by one of this session's own pages (refused with 403 otherwise).
pub struct ComposeForm(pub Submission);

impl FromRequest<AppState> for ComposeForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (session, request) = signed_in(request, state).await?;
        let form = Multipart::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let budget = Budget::new(state.submitter.max_size);
        read_form(form, &session, budget)
            .await
            .map(ComposeForm)
            .map_err(IntoResponse::into_response)
    }
}

fn unreadable(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::BadRequest(Msg::new("compose-error-upload-too-large"))
    } else {
        AppError::BadRequest(Msg::new("compose-error-form"))
    }
}

/// Reads every part: the CSRF token (checked as soon as it arrives, so a forged form's files
/// are not even kept), the fields, the references and the files.
async fn read_form(
    mut form: Multipart,
    session: &CurrentSession,
    budget: Budget,
) -> Result<Submission, AppError> {
    let mut checked = false;
    let mut seen = HashSet::new();
    let mut s = Submission {
        action: "send".into(),
        draft: Draft::default(),
        keep: Vec::new(),
        too_many_kept: false,
        uploads: Vec::new(),
        left_out: Vec::new(),
        budget,
    };
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "files" {
            read_file(&mut field, &mut s).await?;
            continue;
        }
        let value = field.text().await.map_err(unreadable)?;
        let d = &mut s.draft;
        let typed = match name.as_str() {
            "csrf" => {
                session.check_csrf(&value)?;
                checked = true;
                continue;
            }
            "action" => {
                s.action = value;
                continue;
            }
            "keep" => {
                // Anything but a reference is ignored, as it always was; repeats count once.
                let Some(at) = PartRef::parse(&value) else {
                    continue;
                };
                if !seen.contains(&at) {
                    if seen.len() == MAX_KEPT {
                        s.too_many_kept = true;
                    } else {
                        seen.insert(at.clone());
                        s.keep.push(at);
                    }
                }
                continue;
            }
            "to" => &mut d.to,
            "cc" => &mut d.cc,
            "bcc" => &mut d.bcc,
            "subject" => &mut d.subject,
            "body" => &mut d.body,
            "in_reply_to" => &mut d.in_reply_to,
            "references" => &mut d.references,
            "origin_kind" => &mut d.origin_kind,
            "origin_folder" => &mut d.origin_folder,
            "origin_uid" => &mut d.origin_uid,
            "draft_uid" => &mut d.draft_uid,
            "identity" => &mut d.identity,
            _ => continue,
        };
        s.budget.charge(value.len() as u64);
        *typed = value;
    }
    if !checked {
        session.check_csrf("")?;
    }
    Ok(s)
}

/// Reads one file into the submission when it fits in what is left of the budget; one that
/// does not is read to its end (the fields after it are still wanted) and dropped as it comes.
async fn read_file(field: &mut Field<'_>, s: &mut Submission) -> Result<(), AppError> {
    let filename = field.file_name().unwrap_or_default().to_string();
    let content_type = field
        .content_type()
        .unwrap_or("application/octet-stream")
        .to_string();
    let mut bytes = Vec::new();
    let mut fits = true;
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        if fits && (bytes.len() + chunk.len()) as u64 <= s.budget.left() {
            bytes.extend_from_slice(&chunk);
        } else if fits {
            fits = false;
            bytes = Vec::new();
        }
    }
    if !fits {
        s.left_out.push(filename);
    } else if !filename.is_empty() || !bytes.is_empty() {
        s.budget.take(bytes.len() as u64);
        s.uploads.push(OutgoingAttachment {
            filename,
            content_type,
            bytes: bytes.into(),
        });
    }
    Ok(())
}
