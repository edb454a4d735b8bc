//! What the person reads when their contacts' store fails, and with which status: the
//! server down or busy is 503 (try again later), a refusal or an answer that makes no sense
//! is 502 (the server's fault, not theirs), as on the Settings page. The cause goes to the
//! log, once, here.

use axum::http::StatusCode;

use crate::contacts::store::ContactsError;
use crate::i18n::Msg;
use crate::imap::ImapError;
use crate::telemetry::error_chain;

/// The status and the sentence for a store's failure.
pub fn failure(error: &ContactsError) -> (StatusCode, Msg) {
    tracing::warn!(error = %error_chain(error), "address book step failed");
    match error {
        ContactsError::Imap(ImapError::Unavailable(_) | ImapError::Busy)
        | ContactsError::Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Msg::new("contacts-error-unavailable"),
        ),
        ContactsError::Imap(ImapError::Refused(reason)) => (
            StatusCode::BAD_GATEWAY,
            Msg::new("contacts-error-refused").arg("reason", reason.clone()),
        ),
        ContactsError::Refused { status, reason } => (
            StatusCode::BAD_GATEWAY,
            Msg::new("contacts-error-refused").arg("reason", format!("{status} {reason}")),
        ),
        ContactsError::Imap(ImapError::AuthFailed) | ContactsError::AuthFailed => {
            (StatusCode::BAD_GATEWAY, Msg::new("contacts-error-auth"))
        }
        ContactsError::NotFound | ContactsError::Imap(ImapError::NotFound) => {
            (StatusCode::NOT_FOUND, Msg::new("contacts-error-not-found"))
        }
        ContactsError::Conflict => (StatusCode::CONFLICT, Msg::new("contacts-error-conflict")),
        ContactsError::Imap(_) | ContactsError::Protocol(_) => {
            (StatusCode::BAD_GATEWAY, Msg::new("contacts-error-protocol"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_down_is_503_and_a_refusal_or_bad_answer_is_502_with_the_reason_kept() {
        let down = ContactsError::Unavailable("connection refused".into());
        assert_eq!(failure(&down).0, StatusCode::SERVICE_UNAVAILABLE);
        let imap_down = ContactsError::Imap(ImapError::Unavailable("reset".into()));
        assert_eq!(failure(&imap_down).0, StatusCode::SERVICE_UNAVAILABLE);
        let refused = ContactsError::Refused {
            status: 507,
            reason: "Insufficient Storage".into(),
        };
        let (status, msg) = failure(&refused);
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert_eq!(msg.id, "contacts-error-refused");
        let (status, msg) = failure(&ContactsError::AuthFailed);
        assert_eq!(
            (status, msg.id),
            (StatusCode::BAD_GATEWAY, "contacts-error-auth")
        );
        let bad = ContactsError::Protocol("not XML".into());
        assert_eq!(failure(&bad).0, StatusCode::BAD_GATEWAY);
        assert_eq!(failure(&ContactsError::Conflict).0, StatusCode::CONFLICT);
        assert_eq!(failure(&ContactsError::NotFound).0, StatusCode::NOT_FOUND);
    }
}
