//! `password_http`: the hosting panel's API changes the password.
//!
//! The contract, for whoever writes the endpoint (or the adapter in front of a panel):
//! - **Request**: `POST` to the configured URL, `Content-Type: application/json`, with
//!   `Authorization: Bearer <password_http_token>` when a token is configured, and the body
//!   `{"login": "…", "current_password": "…", "new_password": "…"}` (UTF-8; the login as the
//!   person signed in with).
//! - **Answer**: any `2xx` the password was changed; `403` the current password (or the
//!   account) was not accepted; `422` the new password was refused by the panel's own rules;
//!   `401` the panel refused Carteiro's token (logged for the admin); anything else, no
//!   answer within [`REQUEST_TIMEOUT`], or a redirect (never followed: it would carry both
//!   passwords elsewhere) is a failure, and the person is told to try again later. The
//!   answer's body is not read: it could repeat the passwords into a log.
//! - **TLS**: the same settings as for the mail servers (`tls_ca_file`, `tls_insecure`);
//!   plain `http://` only to this machine (checked at start-up).

use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};

use super::backend::BackendError;
use crate::config::{Config, ConfigError};

/// How long opening the connection (TCP and TLS) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the whole exchange may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// The panel's password endpoint.
#[derive(Debug, Clone)]
pub struct PanelApi {
    http: reqwest::Client,
    url: url::Url,
    /// Sent only in the Authorization header, which reqwest marks sensitive.
    token: Option<SecretString>,
}

/// The request body. Built by hand from `serde_json` values, so the passwords are in no
/// struct that could be printed with `Debug`.
pub fn body(login: &str, current: &str, new: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "login": login,
        "current_password": current,
        "new_password": new,
    }))
    .expect("a JSON object of strings serialises")
}

/// What the panel's answer means.
pub fn outcome(status: StatusCode) -> Result<(), BackendError> {
    match status {
        s if s.is_success() => Ok(()),
        StatusCode::FORBIDDEN => Err(BackendError::CurrentRefused),
        StatusCode::UNPROCESSABLE_ENTITY => Err(BackendError::NewRefused),
        StatusCode::UNAUTHORIZED => Err(BackendError::Failed(
            "the panel refused Carteiro's token (401); check password_http_token".into(),
        )),
        s if s.is_redirection() => Err(BackendError::Failed(format!(
            "the panel answered with a redirect ({s}), which is not followed; point password_http at the final URL"
        ))),
        s => Err(BackendError::Failed(format!("the panel answered {s}"))),
    }
}

impl PanelApi {
    /// The client for `url`, with the TLS settings every upstream shares.
    pub fn new(
        config: &Config,
        url: url::Url,
        token: Option<SecretString>,
    ) -> Result<PanelApi, ConfigError> {
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(crate::tls::client_config(
                config.tls_ca_file.as_deref(),
                config.tls_insecure,
            )?)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Carteiro/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::tls("the password_http client cannot be set up", e))?;
        Ok(PanelApi { http, url, token })
    }

    /// Asks the panel to change `login`'s password from `current` to `new`.
    pub async fn change(
        &self,
        login: &str,
        current: &SecretString,
        new: &SecretString,
    ) -> Result<(), BackendError> {
        let mut request = self
            .http
            .post(self.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .body(body(login, current.expose_secret(), new.expose_secret()));
        if let Some(token) = &self.token {
            let mut value = reqwest::header::HeaderValue::from_str(&format!(
                "Bearer {}",
                token.expose_secret()
            ))
            .map_err(|_| {
                BackendError::Failed(
                    "password_http_token holds characters a header cannot carry".into(),
                )
            })?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        let response = request.send().await.map_err(|e| {
            // Without the URL: reqwest's errors name it, and the admin knows it already.
            let e = e.without_url();
            BackendError::Failed(format!(
                "the panel cannot be reached: {}",
                crate::telemetry::error_chain(&e)
            ))
        })?;
        outcome(response.status())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_one_json_object_with_the_three_fields() {
        let bytes = body("ana@example.com", "velha \"senha\"", "nova-çé\n");
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(value["login"], "ana@example.com");
        assert_eq!(value["current_password"], "velha \"senha\"");
        assert_eq!(value["new_password"], "nova-çé\n");
        assert_eq!(value.as_object().unwrap().len(), 3);
    }

    #[test]
    fn answers_mean_changed_current_refused_new_refused_or_failed() {
        assert_eq!(outcome(StatusCode::OK), Ok(()));
        assert_eq!(outcome(StatusCode::NO_CONTENT), Ok(()));
        assert_eq!(
            outcome(StatusCode::FORBIDDEN),
            Err(BackendError::CurrentRefused)
        );
        assert_eq!(
            outcome(StatusCode::UNPROCESSABLE_ENTITY),
            Err(BackendError::NewRefused)
        );
        for status in [
            StatusCode::UNAUTHORIZED,
            StatusCode::FOUND,
            StatusCode::NOT_FOUND,
            StatusCode::INTERNAL_SERVER_ERROR,
        ] {
            assert!(
                matches!(outcome(status), Err(BackendError::Failed(_))),
                "{status}"
            );
        }
    }
}
