//! Signing in and out, and the root redirect.

use askama::Template;
use askama_web::WebTemplate;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use secrecy::SecretString;
use serde::de::IgnoredAny;
use serde::Deserialize;

use super::error::AppError;
use super::extract::{self, CsrfForm, CurrentSession};
use super::lang::BrowserLang;
use super::middleware::client::ClientInfo;
use super::page::PageCtx;
use crate::i18n::Msg;
use crate::imap::ImapError;
use crate::session::LoginError;
use crate::state::AppState;
use crate::telemetry::untrusted;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginTemplate {
    ctx: PageCtx,
    username: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    out: Option<String>,
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn root(State(state): State<AppState>, session: Option<CurrentSession>) -> Redirect {
    let base = &state.config.base_path;
    match session {
        Some(_) => Redirect::to(&format!("{base}/mail/INBOX")),
        None => Redirect::to(&format!("{base}/login")),
    }
}

async fn login_page(
    State(state): State<AppState>,
    BrowserLang(lang): BrowserLang,
    Query(query): Query<LoginQuery>,
    headers: HeaderMap,
) -> Response {
    let ctx = PageCtx::anonymous(&state, lang).with_host(&state, host(&headers));
    LoginTemplate {
        username: String::new(),
        next: query.next.filter(|n| is_safe_next(n)).unwrap_or_default(),
        error: None,
        notice: query.out.map(|_| ctx.lang.t("login-signed-out")),
        ctx,
    }
    .into_response()
}

async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    BrowserLang(lang): BrowserLang,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let ip = client.ip;
    let mut username = form.username.trim().to_string();
    if state.config.upstream_map.is_some() && !username.is_empty() && !username.contains('@') {
        // A bare login is the address at the default domain (`mail_domain`): with a map,
        // each domain's server knows its people by their full address.
        if let Some(domain) = &state.config.mail_domain {
            username = format!("{username}@{domain}");
        }
    }
    let username = username;
    let next = if is_safe_next(&form.next) {
        form.next
    } else {
        String::new()
    };
    // No session yet: the login page speaks the browser's language.
    let failed = |status: StatusCode, error: Msg| {
        let ctx = PageCtx::anonymous(&state, lang).with_host(&state, host(&headers));
        let page = LoginTemplate {
            username: username.clone(),
            next: next.clone(),
            error: Some(ctx.msg(&error)),
            notice: None,
            ctx,
        };
        Ok((status, page).into_response())
    };
    if username.is_empty() || form.password.is_empty() {
        return failed(StatusCode::BAD_REQUEST, Msg::new("login-error-missing"));
    }
    // With a map, the domain picks the servers before anything is dialled; a domain the
    // admin did not map (or allow) ends here, and no server is asked.
    let mut upstreams = None;
    if let Some(map) = &state.config.upstream_map {
        let Some((_, domain)) = username.rsplit_once('@') else {
            return failed(StatusCode::BAD_REQUEST, Msg::new("login-error-need-domain"));
        };
        match map.resolve(domain).await {
            Ok(found) => upstreams = Some(found),
            Err(e) => {
                let why = e.to_string();
                tracing::warn!(user = untrusted(&username), %ip, error = untrusted(&why), "login refused: no servers for this domain");
                state.metrics.login_failed("unknown_domain");
                let shown: String = domain.chars().take(80).collect();
                return failed(
                    StatusCode::BAD_REQUEST,
                    Msg::new("login-error-domain").arg("domain", shown),
                );
            }
        }
    }
    // Counted before the password is tried, so guesses sent together cannot all slip
    // through while the first ones are still being checked.
    let attempt = match state.throttle.begin(&username, ip).await {
        Ok(attempt) => attempt,
        Err(wait) => {
            // Same words whether the account exists or not; the IMAP server is not asked.
            tracing::warn!(user = untrusted(&username), %ip, "login refused: too many failed attempts");
            state.metrics.login_failed("throttled");
            let minutes = wait.as_secs().div_ceil(60).max(1);
            return failed(
                StatusCode::TOO_MANY_REQUESTS,
                Msg::new("login-error-throttled").arg("minutes", minutes),
            );
        }
    };
    let password = SecretString::from(form.password);
    let outcome = state.sessions.login(&username, password, upstreams).await;
    match &outcome {
        Ok(_) => state.throttle.succeeded(attempt).await,
        Err(LoginError::Imap(ImapError::AuthFailed)) => state.throttle.failed(attempt).await,
        Err(_) => state.throttle.not_tried(attempt).await,
    }
    if let Err(LoginError::Imap(e)) = &outcome {
        state.metrics.login_failed(match e {
            ImapError::AuthFailed => "wrong_credentials",
            ImapError::Busy => "busy",
            _ => "unavailable",
        });
    }
    match outcome {
        Ok(cookie) => {
            tracing::info!(user = untrusted(&username), %ip, "login succeeded");
            let base = &state.config.base_path;
            let target = if next.is_empty() {
                format!("{base}/mail/INBOX")
            } else {
                format!("{base}{next}")
            };
            let jar = jar.add(extract::session_cookie(cookie.encode(), base, client.https));
            Ok((jar, Redirect::to(&target)).into_response())
        }
        Err(LoginError::Imap(ImapError::AuthFailed)) => {
            // A fail2ban filter can match this line: see the README. The user name is what
            // the client typed, so it is logged escaped: a name holding a line break must
            // not forge a line of its own for the filter to read.
            tracing::warn!(user = untrusted(&username), %ip, "login failed: wrong credentials");
            failed(StatusCode::UNAUTHORIZED, Msg::new("login-error-wrong"))
        }
        Err(LoginError::Imap(ImapError::Busy)) => failed(
            StatusCode::SERVICE_UNAVAILABLE,
            Msg::new("login-error-busy"),
        ),
        Err(LoginError::Imap(e)) => {
            tracing::warn!(user = untrusted(&username), error = %e, "login failed: mail server unavailable");
            failed(
                StatusCode::SERVICE_UNAVAILABLE,
                Msg::new("login-error-unavailable"),
            )
        }
        Err(LoginError::Store(e)) => Err(AppError::Internal(e.to_string())),
    }
}

async fn logout(
    State(state): State<AppState>,
    client: ClientInfo,
    session: CurrentSession,
    jar: CookieJar,
    // The form has no field but the token.
    _: CsrfForm<IgnoredAny>,
) -> Result<Response, AppError> {
    state.sessions.logout(&session.store_key).await?;
    tracing::info!(user = untrusted(&session.username), "logged out");
    let base = &state.config.base_path;
    let jar = jar.add(extract::removal_cookie(base, client.https));
    Ok((jar, Redirect::to(&format!("{base}/login?out=1"))).into_response())
}

/// Only local paths of this application are acceptable places to return to after login:
/// no scheme, no `//host`, no backslashes (browsers treat `/\host` as `//host`), no controls.
/// The request's `Host`, which picks the login page's look (see `hosts` in the map file).
fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|v| v.to_str().ok())
}

pub fn is_safe_next(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
        && next.len() <= 2048
}

#[cfg(test)]
mod tests {
    use super::is_safe_next;

    #[test]
    fn next_accepts_local_paths_only() {
        assert!(is_safe_next("/mail/INBOX?page=2"));
        assert!(!is_safe_next("//evil.example"));
        assert!(!is_safe_next("/\\evil.example"));
        assert!(!is_safe_next("https://evil.example"));
        assert!(!is_safe_next("/mail\r\nSet-Cookie: x"));
        assert!(!is_safe_next(""));
    }
}
