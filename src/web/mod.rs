//! The HTTP side: one module per page, each with its own `router()`, merged here under the
//! configured base path, with the middleware every response goes through.

pub mod actions;
pub mod apps;
pub mod assets;
pub mod compose;
pub mod contacts;
pub mod error;
pub mod events;
pub mod extract;
pub mod filters;
pub mod folders;
pub mod health;
pub mod identities;
pub mod lang;
pub mod login;
pub mod mailbox;
pub mod message;
pub mod middleware;
pub mod page;
pub mod password;
pub mod search;
pub mod settings;
pub mod suggest;

use std::any::Any;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use error::AppError;
use middleware::{body_guard, client, error_pages, observe, security};

/// Largest request body accepted (login and other forms; uploads get their own limit).
const MAX_FORM_BYTES: usize = 64 * 1024;
/// How long a handler may take to produce its response head.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);
/// The same for composing and importing contacts, whose request may be a large upload over
/// a slow line.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The complete router with its middleware.
pub fn router(state: AppState) -> Router {
    // Uploads may legitimately take long on a slow line (the stalled-body guard stops the
    // ones that stop), so composing gets a longer overall limit than the other pages.
    let pages = Router::new()
        .merge(login::router())
        .merge(mailbox::router())
        .merge(message::router())
        .merge(settings::router())
        .merge(identities::router())
        .merge(filters::router())
        .merge(password::router())
        .merge(apps::router())
        .merge(folders::router())
        .merge(contacts::router())
        .merge(search::router())
        .merge(suggest::router())
        .merge(actions::router())
        .merge(assets::router())
        .merge(health::router())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .merge(compose::router(state.config.max_message_size).layer(
            TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, UPLOAD_TIMEOUT),
        ))
        // An import is an upload too, and saves its cards one by one.
        .merge(
            contacts::import_router().layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                UPLOAD_TIMEOUT,
            )),
        )
        // The live-update stream lasts as long as its page: no overall limit (it ends with
        // the session, the client, or the server).
        .merge(events::router())
        .fallback(|| async { AppError::NotFound })
        .with_state(state.clone());
    let base = state.config.base_path.clone();
    let routed = if base.is_empty() {
        pages
    } else {
        // A proxy's `location /webmail/` sends the prefix with its slash, which a nested
        // router does not match: it lands on the inbox (or, signed out, the login page).
        let inbox = format!("{base}/mail/INBOX");
        Router::new()
            .nest(&base, pages)
            .route(
                &format!("{base}/"),
                get(move || async move { axum::response::Redirect::to(&inbox) }),
            )
            // Mail apps look for their settings at the domain root, not under the prefix.
            .merge(apps::discovery().with_state(state.clone()))
    };
    with_middleware(routed, &state)
}

/// Wraps the routes in the middleware every response goes through.
fn with_middleware(routed: Router, state: &AppState) -> Router {
    let request_id = HeaderName::from_static(observe::REQUEST_ID);
    // Layers wrap the ones added before them: the CSRF check, the timeouts, the
    // stalled-body guard and the panic catcher sit inside the error-page renderer, so their
    // refusals become pages; the request id is set before the span that carries it is opened.
    routed
        .layer(CsrfLayer::new())
        .layer(from_fn_with_state(
            state.clone(),
            body_guard::stalled_body_guard,
        ))
        // A bug that panics in a handler ends that one request with the ordinary "something
        // went wrong" page, instead of resetting the connection with no answer at all.
        .layer(CatchPanicLayer::custom(|panic: Box<dyn Any + Send>| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            AppError::Internal(format!("a handler panicked: {what:?}")).into_response()
        }))
        .layer(from_fn_with_state(
            state.clone(),
            error_pages::render_error_pages,
        ))
        .layer(from_fn(security::headers))
        .layer(from_fn_with_state(state.clone(), client::identify))
        .layer(from_fn_with_state(state.clone(), observe::observe))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(CompressionLayer::new().compress_when(compressible()))
        // The access line and error logging are `observe`'s; the layer only opens the span.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(observe::span_for)
                .on_response(())
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, observe::RandomRequestId))
        .layer(from_fn_with_state(
            state.clone(),
            observe::drop_unusable_request_id,
        ))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::COOKIE,
            header::AUTHORIZATION,
        ]))
}

/// Which responses are compressed: pages, styles and text, where it pays. Downloads
/// (attachments are mostly compressed already) and images are left as they are. Pages carry
/// the CSRF token masked afresh each time, so compression does not expose it (BREACH).
/// The live-update stream (`text/event-stream`) is never compressed: the encoder would hold
/// each small event back until its buffer fills.
fn compressible() -> impl Predicate {
    DefaultPredicate::new().and(
        |_status, _version, headers: &axum::http::HeaderMap, _ext: &axum::http::Extensions| {
            let content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let attachment = headers
                .get(header::CONTENT_DISPOSITION)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("attachment"));
            !attachment
                && !content_type.starts_with("text/event-stream")
                && (content_type.starts_with("text/")
                    || content_type.starts_with("application/xml")
                    || content_type.contains("+xml"))
        },
    )
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;
    use crate::config::Config;
    use crate::startup::Application;

    async fn state() -> AppState {
        let env: Vec<(String, String)> = [
            ("CARTEIRO_LISTEN", "127.0.0.1:0"),
            // Never dialled: these routes do not touch the mail server.
            ("CARTEIRO_IMAP_URL", "imap://127.0.0.1:9"),
            (
                "CARTEIRO_SECRET_KEY",
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            ),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into();
        let config = Config::load(None, &env)
            .expect("valid test configuration")
            .0;
        Application::build(config).await.expect("builds").state()
    }

    async fn boom() -> &'static str {
        panic!("a bug")
    }

    #[tokio::test]
    async fn a_handler_that_panics_gets_the_error_page_and_the_server_goes_on() {
        let state = state().await;
        let routes = Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "fine" }))
            .with_state(state.clone());
        let app = with_middleware(routes, &state);
        let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
        let response = app.clone().oneshot(get("/boom")).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let page = String::from_utf8_lossy(&body);
        assert!(page.contains("Something went wrong"), "{page}");
        assert!(!page.contains("a bug"), "the panic's words stay in the log");
        let response = app.oneshot(get("/fine")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
