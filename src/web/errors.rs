//! Turns error responses into pages a person can act on.
//!
//! Handlers return [`AppError`](crate::error::AppError), which marks the response with what to
//! show; this middleware has the state (base path) to render it. Plain-text rejections from
//! extractors and other layers (bad path, timeout, CSRF) get a page too: never a blank page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::page::{query_value, PageCtx};
use crate::app::AppState;
use crate::error::{ErrorPage, LoginRedirect};

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorTemplate {
    ctx: PageCtx,
    status: u16,
    title: &'static str,
    message: String,
}

pub async fn render_error_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
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
                message: generic_message(status).to_string(),
            }
        }
    };
    let template = ErrorTemplate {
        ctx: PageCtx::anonymous(&state),
        status: page.status.as_u16(),
        title: title(page.status),
        message: page.message,
    };
    (page.status, template).into_response()
}

fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "That request could not be understood",
        403 => "Request refused",
        404 => "Not found",
        408 => "Request too slow",
        413 => "Too large",
        503 => "Mail server unavailable",
        _ if status.is_server_error() => "Something went wrong",
        _ => "Request failed",
    }
}

fn generic_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "The address or form data was not valid. Go back and try again.",
        403 => "This request did not come from a Carteiro page and was refused. Reload the page and try again.",
        404 => "This page, folder or message does not exist (it may have been moved or deleted).",
        405 => "This address does not accept that kind of request.",
        413 => "What you sent is larger than Carteiro accepts.",
        503 => "The mail server took too long to answer. Your mail is safe on the server; please try again in a moment.",
        _ => "Something went wrong on our side. Please try again; if it keeps happening, tell your administrator.",
    }
}
