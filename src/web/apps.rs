//! "Use your mail in an app": the page with the servers, ports and login name a mail app
//! needs, the Apple profile download for the signed-in user, and the automatic-configuration
//! endpoints mail apps query by themselves (Thunderbird autoconfig, Outlook Autodiscover).
//!
//! The automatic endpoints need no session: an app asks before it has any credential, and
//! what they reveal is what the admin chose to publish. They are served under the base path
//! and, through [`discovery`], also at the domain root, because mail apps ask there.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::error::AppError;
use super::extract::CurrentSession;
use super::page::{FolderLink, PageCtx, PageFrame};
use crate::mailapps::{autoconfig, autodiscover, domain_of, mobileconfig, MailApps, Server};
use crate::state::AppState;

/// Where the Apple profile is downloaded from (under the base path).
const PROFILE_PATH: &str = "/apps/mail.mobileconfig";

/// The page and the profile (signed in), plus the discovery endpoints.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apps", get(apps_page))
        .route(PROFILE_PATH, get(profile))
        .merge(discovery())
}

/// The endpoints mail apps find by themselves. Thunderbird asks for
/// `/.well-known/autoconfig/mail/config-v1.1.xml` on the mail domain and for
/// `/mail/config-v1.1.xml` on `autoconfig.<domain>`; Outlook POSTs to
/// `/autodiscover/autodiscover.xml`, spelt in more than one case.
pub fn discovery() -> Router<AppState> {
    let autodiscover = || axum::routing::post(autodiscover).get(autodiscover_get);
    Router::new()
        .route(
            "/.well-known/autoconfig/mail/config-v1.1.xml",
            get(autoconfig),
        )
        .route("/mail/config-v1.1.xml", get(autoconfig))
        .route("/autodiscover/autodiscover.xml", autodiscover())
        .route("/Autodiscover/Autodiscover.xml", autodiscover())
        .route("/AutoDiscover/AutoDiscover.xml", autodiscover())
        // A request larger than this is refused (413) before it is parsed.
        .layer(DefaultBodyLimit::max(autodiscover::MAX_REQUEST_BYTES))
}

/// One row of a server table.
struct ServerRow {
    protocol: &'static str,
    host: String,
    port: u16,
    security: &'static str,
}

impl From<&Server> for ServerRow {
    fn from(server: &Server) -> Self {
        ServerRow {
            protocol: server.kind.label(),
            host: server.host.clone(),
            port: server.port,
            security: server.encryption.label(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "apps.html")]
struct AppsTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    /// The login name apps must use: the one this session signed in with.
    username: String,
    incoming: Vec<ServerRow>,
    outgoing: Vec<ServerRow>,
    has_pop3: bool,
    /// Some protocol has more than one server: say which to try first.
    several: bool,
    profile_url: Option<String>,
}

async fn apps_page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
) -> Result<AppsTemplate, AppError> {
    let folders = frame.sidebar("");
    let ctx = frame.ctx;
    let apps = &state.mail_apps_for(session.upstreams.as_ref());
    Ok(AppsTemplate {
        folders,
        profile_url: apps
            .is_complete()
            .then(|| format!("{}{PROFILE_PATH}", ctx.base)),
        ctx,
        username: session.username.clone(),
        incoming: apps.incoming().map(ServerRow::from).collect(),
        outgoing: apps.smtp.iter().map(ServerRow::from).collect(),
        has_pop3: !apps.pop3.is_empty(),
        several: [&apps.imap, &apps.pop3, &apps.smtp]
            .iter()
            .any(|list| list.len() > 1),
    })
}

/// The Apple configuration profile of the signed-in user, as a download.
async fn profile(
    State(state): State<AppState>,
    session: CurrentSession,
) -> Result<Response, AppError> {
    let apps = &state.mail_apps_for(session.upstreams.as_ref());
    let document = mobileconfig::render(apps, &session.username).ok_or(AppError::NotFound)?;
    let disposition = format!("attachment; filename=\"{}\"", mobileconfig::file_name(apps));
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(mobileconfig::CONTENT_TYPE),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition)
            .map_err(|e| AppError::Internal(format!("profile file name: {e}")))?,
    );
    // It names the user: no shared cache may keep it.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok((headers, document).into_response())
}

/// Thunderbird autoconfig. The domain in the document is the one of the address the app
/// asks about (`?emailaddress=`), else the host it asked (without `autoconfig.`).
async fn autoconfig(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let address = query.as_deref().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(key, _)| key == "emailaddress")
            .map(|(_, value)| value.into_owned())
    });
    let domain = address
        .as_deref()
        .and_then(domain_of)
        .map(str::to_lowercase)
        .unwrap_or_else(|| request_domain(&headers, &state.config.mail_apps));
    let apps = state
        .mail_apps_of_domain(&domain)
        .await
        .filter(MailApps::is_complete)
        // Nothing to offer: a 404 sends the app on to its other ways of finding settings.
        .ok_or(AppError::NotFound)?;
    Ok(xml_response(
        "application/xml; charset=utf-8",
        autoconfig::render(&apps, &domain),
    ))
}

/// The host the request was made to, without port and `autoconfig.`/`autodiscover.`
/// prefix; the first server's name when there is no usable `Host`.
fn request_domain(headers: &HeaderMap, apps: &MailApps) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<axum::http::uri::Authority>().ok())
        .map(|authority| authority.host().to_ascii_lowercase())
        .map(|host| {
            let bare = host
                .strip_prefix("autoconfig.")
                .or_else(|| host.strip_prefix("autodiscover."))
                .unwrap_or(&host);
            bare.to_string()
        })
        .or_else(|| apps.incoming().next().map(|s| s.host.clone()))
        .unwrap_or_default()
}

/// Outlook Autodiscover: settings for the address in the request, or the documented error
/// document (HTTP 200, `ErrorCode` 600 or 601) for a request that cannot be answered.
async fn autodiscover(State(state): State<AppState>, body: Bytes) -> Result<Response, AppError> {
    if !state.config.mail_apps.is_complete() && state.config.upstream_map.is_none() {
        return Err(AppError::NotFound);
    }
    let document = match autodiscover::parse_request(&body) {
        Ok(request) => {
            let domain = domain_of(&request.email).unwrap_or_default();
            let apps = state
                .mail_apps_of_domain(domain)
                .await
                .filter(MailApps::is_complete)
                .ok_or(AppError::NotFound)?;
            autodiscover::render(&apps, &request.email)
        }
        Err(error) => {
            tracing::info!(code = error.code(), ?error, "Autodiscover request refused");
            autodiscover::render_error(&error)
        }
    };
    Ok(xml_response("text/xml; charset=utf-8", document))
}

/// A GET (an admin checking the address in a browser) gets what Exchange answers: error
/// 600, which at least shows that Autodiscover requests reach Carteiro.
async fn autodiscover_get(State(state): State<AppState>) -> Result<Response, AppError> {
    if !state.config.mail_apps.is_complete() {
        return Err(AppError::NotFound);
    }
    let error = autodiscover::RequestError::Invalid(
        "Autodiscover requests are POSTed XML documents naming an <EMailAddress>".into(),
    );
    Ok(xml_response(
        "text/xml; charset=utf-8",
        autodiscover::render_error(&error),
    ))
}

fn xml_response(content_type: &'static str, document: String) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        document,
    )
        .into_response()
}
