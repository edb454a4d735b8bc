//! What the person reads when a mail workflow fails: errors that end the request become an
//! [`AppError`] (and its page; the message pages use this conversion too); errors shown on
//! the compose form, with the message kept, become a status and a [`Msg`]. Sizes are written
//! in the page's language; the SMTP server's own words are passed on as they are.

use axum::http::StatusCode;

use crate::i18n::{Lang, Msg};
use crate::mail::MailError;
use crate::smtp::compose::BuildError;
use crate::smtp::SendError;
use crate::telemetry::error_chain;
use crate::web::error::AppError;

impl From<MailError> for AppError {
    fn from(e: MailError) -> AppError {
        match e {
            MailError::Imap(e) => e.into(),
            MailError::NoFolder(role) => {
                AppError::BadRequest(Msg::new("error-no-role-folder").arg("role", role.slug()))
            }
            MailError::Unreadable => AppError::NotFound,
            MailError::Build(e) => AppError::BadRequest(build_error(&e)),
            // Shown on the form by the handlers (with sizes in the page's language); this is
            // the page for any other way of reaching it.
            MailError::DraftTooLarge { .. } => {
                AppError::BadRequest(Msg::new("compose-error-upload-too-large"))
            }
            MailError::NoPassword => AppError::LoginRequired {
                next: "/compose".into(),
            },
            e @ (MailError::Send(_)
            | MailError::DraftLost
            | MailError::Task(_)
            | MailError::Render(_)) => AppError::Internal(error_chain(&e)),
        }
    }
}

/// A failure to show on the form (status and words), or one that ends the request.
pub fn on_form(lang: Lang, e: MailError) -> Result<(StatusCode, Msg), AppError> {
    match e {
        MailError::Build(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, build_error(&e))),
        MailError::DraftTooLarge { size, limit } => Ok((
            StatusCode::PAYLOAD_TOO_LARGE,
            Msg::new("compose-error-draft-too-large")
                .arg("size", lang.size(size as u64))
                .arg("limit", lang.size(limit as u64)),
        )),
        MailError::Send(e) => {
            let status = match e {
                SendError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                SendError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::BAD_GATEWAY,
            };
            Ok((status, send_error(lang, &e)))
        }
        other => Err(other.into()),
    }
}

/// What the person reads when the SMTP server would not take the message.
fn send_error(lang: Lang, e: &SendError) -> Msg {
    match e {
        SendError::TooLarge { size, limit } => Msg::new("send-error-too-large")
            .arg("size", lang.size(*size as u64))
            .arg("limit", lang.size(*limit as u64)),
        SendError::AuthFailed(words) => Msg::new("send-error-login").arg("reason", words),
        SendError::Refused(words) => Msg::new("send-error-refused").arg("reason", words),
        SendError::SenderRefused { address, words } => Msg::new("send-error-sender-refused")
            .arg("address", address)
            .arg("reason", words),
        SendError::Unavailable(_) => Msg::new("send-error-unavailable"),
    }
}

fn build_error(e: &BuildError) -> Msg {
    match e {
        BuildError::NoRecipient => Msg::new("compose-error-no-recipient"),
        BuildError::NoSender => Msg::new("identity-error-no-sender"),
        BuildError::Invalid(reason) => Msg::new("compose-error-build").arg("reason", reason),
    }
}
