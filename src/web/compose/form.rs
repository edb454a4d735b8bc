//! The compose form as the browser sends it: `multipart/form-data`, because it carries files.
//! [`CsrfForm`](crate::web::extract::CsrfForm) reads only url-encoded forms, so this extractor
//! reads the parts itself and checks the session's CSRF token the same way.

use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::i18n::Msg;
use crate::mail::Draft;
use crate::smtp::compose::OutgoingAttachment;
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::CurrentSession;

/// What the browser sent: the fields, the references of kept parts, and new files.
pub struct Submission {
    /// `send` or `save`.
    pub action: String,
    pub draft: Draft,
    /// References of the parts to keep, as sent.
    pub keep: Vec<String>,
    pub uploads: Vec<OutgoingAttachment>,
}

/// A compose form POSTed by one of this session's own pages (refused with 403 otherwise).
pub struct ComposeForm(pub Submission);

impl FromRequest<AppState> for ComposeForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let session =
            <CurrentSession as FromRequestParts<AppState>>::from_request_parts(&mut parts, state)
                .await
                .map_err(IntoResponse::into_response)?;
        let form = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let (csrf, submission) = read_form(form).await.map_err(IntoResponse::into_response)?;
        session
            .check_csrf(&csrf)
            .map_err(IntoResponse::into_response)?;
        Ok(ComposeForm(submission))
    }
}

/// Reads every part: the CSRF token, the fields, and the files.
async fn read_form(mut form: Multipart) -> Result<(String, Submission), AppError> {
    let mut csrf = String::new();
    let mut s = Submission {
        action: "send".into(),
        draft: Draft::default(),
        keep: Vec::new(),
        uploads: Vec::new(),
    };
    let unreadable = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::BadRequest(Msg::new("compose-error-upload-too-large"))
        } else {
            AppError::BadRequest(Msg::new("compose-error-form"))
        }
    };
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "files" {
            let filename = field.file_name().unwrap_or_default().to_string();
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            if !filename.is_empty() || !bytes.is_empty() {
                s.uploads.push(OutgoingAttachment {
                    filename,
                    content_type,
                    bytes: bytes.to_vec(),
                });
            }
            continue;
        }
        let value = field.text().await.map_err(unreadable)?;
        let d = &mut s.draft;
        match name.as_str() {
            "csrf" => csrf = value,
            "action" => s.action = value,
            "to" => d.to = value,
            "cc" => d.cc = value,
            "bcc" => d.bcc = value,
            "subject" => d.subject = value,
            "body" => d.body = value,
            "in_reply_to" => d.in_reply_to = value,
            "references" => d.references = value,
            "origin_kind" => d.origin_kind = value,
            "origin_folder" => d.origin_folder = value,
            "origin_uid" => d.origin_uid = value,
            "draft_uid" => d.draft_uid = value,
            "keep" => s.keep.push(value),
            _ => {}
        }
    }
    Ok((csrf, s))
}
