//! Import and export of `.vcf` files. The import is a multipart upload (so its CSRF token
//! is read from the parts, like the compose form's), read a chunk at a time up to
//! [`MAX_UPLOAD`]; its page says how many contacts were added and names every entry that
//! was skipped, with the reason. The export is every card, as stored, in one download.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use super::errors;
use super::shared::{book, contacts_changed, frame_for_failure};
use crate::contacts::book::ImportReport;
use crate::contacts::vcf::{SkipReason, MAX_IMPORT_BYTES};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::{signed_in, CurrentSession};
use crate::web::page::{FolderLink, PageCtx, PageFrame};

/// Largest upload: the file, and room for the other fields and the multipart framing.
pub const MAX_UPLOAD: usize = MAX_IMPORT_BYTES;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts/import", post(import))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD + 64 * 1024))
}

/// The upload: the file's bytes, or why it could not be read.
pub struct Upload(Result<Vec<u8>, Msg>);

impl FromRequest<AppState> for Upload {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (session, request) = signed_in(request, state).await?;
        let form = Multipart::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        read(form, &session)
            .await
            .map(Upload)
            .map_err(IntoResponse::into_response)
    }
}

/// Reads the parts: the CSRF token first (a forged form's file is not even kept), then the
/// file, bounded as it arrives.
async fn read(
    mut form: Multipart,
    session: &CurrentSession,
) -> Result<Result<Vec<u8>, Msg>, AppError> {
    let mut checked = false;
    let mut file = None;
    let unreadable = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Msg::new("contacts-import-too-large")
        } else {
            Msg::new("contacts-import-unreadable")
        }
    };
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Ok(Err(unreadable(e))),
        };
        match field.name().unwrap_or_default() {
            "csrf" => {
                let token = field.text().await.unwrap_or_default();
                session.check_csrf(&token)?;
                checked = true;
            }
            "file" if checked => {
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) if bytes.len() + chunk.len() > MAX_IMPORT_BYTES => {
                            return Ok(Err(Msg::new("contacts-import-too-large")))
                        }
                        Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                        Ok(None) => break,
                        Err(e) => return Ok(Err(unreadable(e))),
                    }
                }
                file = Some(bytes);
            }
            _ => {}
        }
    }
    if !checked {
        session.check_csrf("")?;
    }
    Ok(match file {
        Some(bytes) if !bytes.is_empty() => Ok(bytes),
        _ => Err(Msg::new("contacts-import-no-file")),
    })
}

/// One skipped entry as the report lists it.
struct SkippedRow {
    /// Its place in the file, in the page's language.
    position: String,
    label: String,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "contacts-import.html")]
struct ImportTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    /// The import's heading, or the export's when that failed.
    heading: String,
    /// What happened, as one sentence per line.
    summary: Vec<String>,
    skipped: Vec<SkippedRow>,
    /// Skipped entries beyond those listed.
    more: usize,
    error: Option<String>,
}

fn reason(r: SkipReason) -> Msg {
    match r {
        SkipReason::Malformed => Msg::new("contacts-skip-malformed"),
        SkipReason::NoNameOrAddress => Msg::new("contacts-skip-empty"),
        SkipReason::TooLarge => Msg::new("contacts-skip-too-large"),
        SkipReason::TooMany => Msg::new("contacts-skip-too-many"),
        SkipReason::AlreadyThere => Msg::new("contacts-skip-already-there"),
        SkipReason::NotSaved => Msg::new("contacts-skip-not-saved"),
    }
}

async fn import(
    State(state): State<AppState>,
    session: CurrentSession,
    Upload(upload): Upload,
) -> Result<Response, AppError> {
    let frame = frame_for_failure(&state, &session).await;
    let page = |status: StatusCode, report: Option<ImportReport>, error: Option<Msg>| {
        let ctx = frame.ctx.clone();
        let mut summary = Vec::new();
        let mut skipped = Vec::new();
        let mut more = 0;
        if let Some(r) = &report {
            summary.push(ctx.msg(&Msg::new("contacts-import-added").arg("count", r.added)));
            if r.skipped_total > 0 {
                summary.push(
                    ctx.msg(&Msg::new("contacts-import-skipped").arg("count", r.skipped_total)),
                );
            }
            skipped = r
                .skipped
                .iter()
                .map(|s| SkippedRow {
                    position: ctx.lang.number(s.position as u64),
                    label: s.label.clone(),
                    reason: ctx.msg(&reason(s.reason)),
                })
                .collect();
            more = r.skipped_total - r.skipped.len();
        }
        (
            status,
            ImportTemplate {
                folders: frame.sidebar(""),
                heading: ctx.lang.t("contacts-import-title"),
                summary,
                skipped,
                more,
                error: error.map(|m| ctx.msg(&m)),
                ctx,
            },
        )
            .into_response()
    };
    let bytes = match upload {
        Ok(bytes) => bytes,
        Err(msg) => return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, None, Some(msg))),
    };
    let imported = book(&state, &session).import(bytes).await;
    if matches!(&imported, Ok(Some(report)) if report.added > 0) {
        contacts_changed(&state, &session);
    }
    Ok(match imported {
        Ok(Some(report)) => match &report.failure {
            // Some were saved, then the store failed: the report says which were not.
            Some(e) => {
                let (status, msg) = errors::failure(e);
                page(status, Some(report), Some(msg))
            }
            None => page(StatusCode::OK, Some(report), None),
        },
        Ok(None) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(Msg::new("contacts-import-too-large")),
        ),
        Err(e) => {
            let (status, msg) = errors::failure(&e);
            page(status, None, Some(msg))
        }
    })
}

/// Every card as one `contacts.vcf` download.
pub async fn export(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
) -> Response {
    match book(&state, &session).export().await {
        Ok(file) => (
            [
                (header::CONTENT_TYPE, "text/vcard; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"contacts.vcf\"",
                ),
            ],
            file,
        )
            .into_response(),
        Err(e) => {
            let (status, msg) = errors::failure(&e);
            let ctx = frame.ctx.clone();
            (
                status,
                ImportTemplate {
                    folders: frame.sidebar(""),
                    heading: ctx.lang.t("contacts-export-title"),
                    summary: Vec::new(),
                    skipped: Vec::new(),
                    more: 0,
                    error: Some(ctx.msg(&msg)),
                    ctx,
                },
            )
                .into_response()
        }
    }
}
