//! The out-of-office page (`/settings/vacation`): on or off, the first and last days, the
//! subject and text of the reply, the addresses it answers for and the one it comes from
//! (both from the person's identities), and how often one sender gets it. The banner's
//! one-click "turn off" posts to `/settings/vacation/off` and comes back to its page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::shared::{self, frame_for_failure, local_path, not_offered, refusal};
use crate::i18n::Msg;
use crate::mail::filters::load::OwnScript;
use crate::mail::filters::{save, Activate, FilterError, Loaded};
use crate::mail::identity::Identity;
use crate::sieve::model::{Filters, IsoDate, Vacation, DEFAULT_DAYS};
use crate::state::AppState;
use crate::web::error::AppError;
use crate::web::extract::{CsrfForm, CurrentSession};
use crate::web::page::{FolderLink, PageCtx, PageFrame};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/vacation", get(page).post(change))
        .route("/settings/vacation/off", post(off))
}

/// One checkbox or option of the form.
pub struct Choice {
    pub value: String,
    pub chosen: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "vacation.html")]
struct VacationTemplate {
    ctx: PageCtx,
    folders: Vec<FolderLink>,
    form: VacationForm,
    /// The addresses the reply may answer for.
    addresses: Vec<Choice>,
    /// The senders it may come from ("" is the server's choice).
    senders: Vec<Choice>,
    /// Another program's script that runs now, and would stop if this were saved.
    other_active: Option<String>,
    /// Carteiro's script was edited by hand: a save keeps it under another name.
    foreign: bool,
    /// Ask to confirm that the other script stops running.
    confirm: bool,
    notice: Option<String>,
    error: Option<String>,
    problems: Vec<String>,
}

/// The form as typed (and as shown again after a refusal).
#[derive(Deserialize, Default, Clone)]
struct VacationForm {
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    addresses: Vec<String>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    confirm: Option<String>,
}

impl VacationForm {
    fn of(vacation: &Vacation) -> VacationForm {
        VacationForm {
            enabled: vacation.enabled.then(|| "yes".to_string()),
            start: vacation
                .start
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            end: vacation
                .end
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            subject: vacation.subject.clone(),
            body: vacation.body.clone(),
            addresses: vacation.addresses.clone(),
            from: vacation.from.clone().unwrap_or_default(),
            days: vacation.days.to_string(),
            confirm: None,
        }
    }

    fn enabled(&self) -> bool {
        self.enabled.as_deref() == Some("yes")
    }

    /// The reply this form asks for, or what in it is not understood.
    fn vacation(&self) -> Result<Vacation, Msg> {
        let date = |text: &str| -> Result<Option<IsoDate>, Msg> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse()
                .map(Some)
                .map_err(|_| Msg::new("vacation-error-date").arg("date", text))
        };
        let days = match self.days.trim() {
            "" => DEFAULT_DAYS,
            text => text
                .parse()
                .map_err(|_| Msg::new("vacation-error-days").arg("days", text))?,
        };
        let from = self.from.trim();
        Ok(Vacation {
            enabled: self.enabled(),
            start: date(&self.start)?,
            end: date(&self.end)?,
            subject: self.subject.trim().to_string(),
            body: self.body.replace("\r\n", "\n"),
            addresses: self
                .addresses
                .iter()
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect(),
            from: (!from.is_empty()).then(|| from.to_string()),
            days,
        })
    }
}

/// How an identity is written as the reply's sender: `"Name" <address>`, quoted as a
/// header needs it.
fn sender(identity: &Identity) -> String {
    identity
        .mailbox()
        .map(|m| m.to_string())
        .unwrap_or_else(|| identity.address.clone())
}

/// The checkboxes and options for `form`, from the person's identities (and whatever the
/// form holds that is no longer one of them, so a save does not drop it unseen).
fn choices(identities: &[Identity], form: &VacationForm) -> (Vec<Choice>, Vec<Choice>) {
    let mut addresses: Vec<Choice> = identities
        .iter()
        .map(|i| Choice {
            chosen: form
                .addresses
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&i.address)),
            value: i.address.clone(),
        })
        .collect();
    for a in &form.addresses {
        if !addresses.iter().any(|c| c.value.eq_ignore_ascii_case(a)) {
            addresses.push(Choice {
                value: a.clone(),
                chosen: true,
            });
        }
    }
    addresses.dedup_by(|a, b| a.value.eq_ignore_ascii_case(&b.value));
    let mut senders = vec![Choice {
        value: String::new(),
        chosen: form.from.is_empty(),
    }];
    senders.extend(identities.iter().map(|i| {
        let value = sender(i);
        Choice {
            chosen: form.from == value,
            value,
        }
    }));
    if !form.from.is_empty() && !senders.iter().any(|c| c.value == form.from) {
        senders.push(Choice {
            value: form.from.clone(),
            chosen: true,
        });
    }
    (addresses, senders)
}

/// The person's identities, the default one first; none when they cannot be read (the
/// form still works).
async fn identities(state: &AppState, session: &CurrentSession) -> Vec<Identity> {
    match crate::web::identities::book(state, session).await {
        Ok(book) => {
            let default = book.identities.default_id().to_string();
            let mut list = book.identities.list().to_vec();
            list.sort_by_key(|i| i.id != default);
            list
        }
        Err(e) => {
            tracing::warn!(error = %e, "identities not read for the vacation page");
            Vec::new()
        }
    }
}

struct Shown {
    form: VacationForm,
    other_active: Option<String>,
    foreign: bool,
    confirm: bool,
    notice: Option<Msg>,
    error: Option<Msg>,
    problems: Vec<String>,
}

async fn render(
    state: &AppState,
    session: &CurrentSession,
    frame: PageFrame,
    shown: Shown,
) -> VacationTemplate {
    let identities = identities(state, session).await;
    let (addresses, senders) = choices(&identities, &shown.form);
    let ctx = frame.ctx.clone();
    VacationTemplate {
        folders: frame.sidebar(""),
        form: shown.form,
        addresses,
        senders,
        other_active: shown.other_active,
        foreign: shown.foreign,
        confirm: shown.confirm,
        notice: shown.notice.map(|m| ctx.msg(&m)),
        error: shown.error.map(|m| ctx.msg(&m)),
        problems: shown.problems,
        ctx,
    }
}

#[derive(Deserialize)]
struct PageQuery {
    saved: Option<String>,
    kept: Option<String>,
    off: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    session: CurrentSession,
    frame: PageFrame,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    if state.sieve_for(session.upstreams.as_ref()).is_none() {
        return Ok(not_offered(frame));
    }
    let (loaded, error) = match shared::read(&state, &session).await {
        Ok(loaded) => (Some(loaded), None),
        Err(e) => (None, Some(refusal(&e))),
    };
    let mut form = match &loaded {
        Some(l) => VacationForm::of(&l.filters.vacation),
        None => VacationForm::of(&Filters::default().vacation),
    };
    let fresh = loaded.as_ref().is_none_or(|l| l.own != OwnScript::Ours);
    if fresh && form.addresses.is_empty() {
        // A first reply answers for every address the person has, from the default one.
        let identities = identities(&state, &session).await;
        form.addresses = identities.iter().map(|i| i.address.clone()).collect();
        if let Some(first) = identities.first() {
            form.from = sender(first);
        }
    }
    let notice = match (query.kept, query.saved, query.off) {
        (Some(kept), _, _) => Some(Msg::new("filters-kept").arg("name", kept)),
        (None, Some(_), _) => Some(Msg::new("vacation-saved")),
        (None, None, Some(_)) => Some(Msg::new("vacation-turned-off")),
        _ => None,
    };
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.0);
    let page = render(
        &state,
        &session,
        frame,
        Shown {
            form,
            other_active: loaded
                .as_ref()
                .and_then(|l| l.other_active().map(str::to_string)),
            foreign: loaded.as_ref().is_some_and(|l| l.own == OwnScript::Foreign),
            confirm: false,
            notice,
            error: error.map(|e| e.1),
            problems: Vec::new(),
        },
    )
    .await;
    Ok((status, page).into_response())
}

async fn change(
    State(state): State<AppState>,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<VacationForm>,
) -> Result<Response, AppError> {
    let activate = Activate::from_confirm(form.confirm.as_deref());
    let outcome = match form.vacation() {
        Err(msg) => Err((StatusCode::UNPROCESSABLE_ENTITY, msg, Vec::new(), None)),
        Ok(vacation) => shared::change(&state, &session, activate, |loaded: &Loaded| {
            let mut filters = match loaded.own {
                OwnScript::Ours => loaded.filters.clone(),
                _ => Filters::default(),
            };
            filters.vacation = vacation;
            Ok(filters)
        })
        .await
        .map_err(|e| {
            let (status, msg) = refusal(&e);
            let other = match &e {
                FilterError::OtherActive(name) => Some(name.clone()),
                _ => None,
            };
            (status, msg, vec![e], other)
        }),
    };
    let base = &state.config.base_path;
    let (status, msg, errors, other) = match outcome {
        Ok(saved) => {
            let to = match saved.kept {
                Some(kept) => format!(
                    "{base}/settings/vacation?kept={}",
                    crate::percent::query_value(&kept)
                ),
                None => format!("{base}/settings/vacation?saved=1"),
            };
            return Ok(Redirect::to(&to).into_response());
        }
        Err(failure) => failure,
    };
    if status == StatusCode::NOT_FOUND {
        return Err(AppError::NotFound);
    }
    // Shown again as typed, with why it was not saved.
    let frame = frame_for_failure(&state, &session).await;
    let problems = errors
        .first()
        .map(|e| shared::problems(&frame.ctx, e))
        .unwrap_or_default();
    let mut form = form;
    form.confirm = None;
    let confirm = other.is_some();
    let page = render(
        &state,
        &session,
        frame,
        Shown {
            form,
            other_active: other,
            foreign: false,
            confirm,
            notice: None,
            error: Some(msg),
            problems,
        },
    )
    .await;
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
struct OffForm {
    #[serde(default)]
    back: String,
}

/// The banner's button: the reply goes off at once, and the person is back where they were.
async fn off(
    State(state): State<AppState>,
    session: CurrentSession,
    CsrfForm(form): CsrfForm<OffForm>,
) -> Result<Response, AppError> {
    let base = &state.config.base_path;
    let turned_off = async {
        let mut sieve = shared::open(&state, &session).await?;
        let done = save::vacation_off(&mut sieve).await;
        sieve.logout().await;
        done
    }
    .await;
    state.sieve_status.forget(&session.username).await;
    match turned_off {
        Ok(_) => {
            let back = local_path(&form.back, "/settings/vacation?off=1");
            Ok(Redirect::to(&format!("{base}{back}")).into_response())
        }
        Err(FilterError::NotConfigured) => Err(AppError::NotFound),
        Err(e) => {
            let (status, msg) = refusal(&e);
            let frame = frame_for_failure(&state, &session).await;
            Ok(shared::message_page(frame, status, "vacation-title", msg))
        }
    }
}
