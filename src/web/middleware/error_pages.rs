//! Turns error responses into pages a person can act on.
//!
//! Handlers return [`AppError`](crate::web::error::AppError), which marks the response with what to
//! show; this middleware has the state (base path) and the request's language to render it.
//! Plain-text rejections from extractors and other layers (bad path, timeout, CSRF) get a page
//! too: never a blank page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::i18n::Msg;
use crate::percent::query_value;
use crate::state::AppState;
use crate::web::error::{ErrorPage, LoginRedirect};
use crate::web::lang::{browser_lang, ChosenLang};
use crate::web::page::PageCtx;

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorTemplate {
    ctx: PageCtx,
    status: u16,
    title: String,
    message: String,
}

pub async fn render_error_pages(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let browser = browser_lang(request.headers());
    let chosen = ChosenLang::default();
    request.extensions_mut().insert(chosen.clone());
    let response = next.run(request).await;
    if let Some(LoginRedirect(next_path)) = response.extensions().get::<LoginRedirect>() {
        let base = &state.config.base_path;
        return Redirect::to(&format!("{base}/login?next={}", query_value(next_path)))
            .into_response();
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let page = match response.extensions().get::<ErrorPage>() {
        Some(page) => page.clone(),
        None => {
            let is_html = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            if is_html {
                return response;
            }
            ErrorPage {
                status,
                message: Msg::new(generic_message(status)),
            }
        }
    };
    let ctx = PageCtx::anonymous(&state, chosen.get().unwrap_or(browser));
    let template = ErrorTemplate {
        status: page.status.as_u16(),
        title: ctx.lang.t(title(page.status)),
        message: ctx.lang.format(&page.message),
        ctx,
    };
    (page.status, template).into_response()
}

/// The message id of an error page's heading.
fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "error-title-bad-request",
        403 => "error-title-forbidden",
        404 => "error-title-not-found",
        408 => "error-title-slow",
        413 => "error-title-too-large",
        503 => "error-title-unavailable",
        _ if status.is_server_error() => "error-title-server",
        _ => "error-title-other",
    }
}

/// The message id for an error response that came without one.
fn generic_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "error-invalid-request",
        403 => "error-forbidden",
        404 => "error-not-found",
        405 => "error-method",
        413 => "error-too-large",
        503 => "error-timeout",
        _ => "error-internal",
    }
}
