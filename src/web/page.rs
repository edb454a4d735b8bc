//! What every page template shares: base path, user, CSRF token, language, URL builders,
//! the sidebar; and [`PageFrame`], which a signed-in page's handler takes to get them.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, FixedOffset};

use super::error::AppError;
use super::extract::CurrentSession;
use crate::i18n::{dates, Lang, Msg, Tr};
use crate::mail::filters::VacationOn;
use crate::model::{Folder, Role};
use crate::percent::segment;
use crate::state::AppState;

/// Shared template context.
#[derive(Clone, Debug)]
pub struct PageCtx {
    /// Base path without trailing slash (`""` or `/webmail`).
    pub base: String,
    /// The logged-in user, if any.
    pub user: Option<String>,
    /// CSRF token for this session's forms.
    pub csrf: String,
    /// The language the page is written in.
    pub lang: Lang,
    /// The moment the page is made, in the zone dates are shown in: every relative date on
    /// one page is relative to the same "now".
    pub now: DateTime<FixedOffset>,
    /// Light or dark when the person chose one; automatic follows the system.
    pub theme: crate::prefs::Theme,
    /// The path and query of this page (below the base path), for forms that come back to
    /// it; empty for a visitor.
    pub here: String,
    /// The banner saying the out-of-office reply is on, in the page's language; shown on
    /// every signed-in page while it is.
    pub vacation: Option<String>,
    /// The product name and accent: the signed-in domain's, the web host's on the login
    /// page, else the map file's default ([`crate::brand`]).
    pub look: crate::brand::Shown,
}

/// The look of a domain (the session's, already clean), or the default one.
fn look_of(state: &AppState, domain: Option<String>) -> crate::brand::Shown {
    let domain = domain.and_then(|d| crate::upstream_map::clean_domain(&d).ok());
    match state.config.upstream_map.as_ref().and_then(|m| m.looks()) {
        Some(looks) => looks.for_domain(domain.as_deref()),
        None => Default::default(),
    }
}

impl PageCtx {
    /// The fingerprinted URL of a static file (cached for good by browsers).
    pub fn asset(&self, name: &str) -> String {
        super::assets::url(&self.base, name)
    }

    /// An icon from the sprite, decorative: whatever it stands for is also written beside it
    /// (or named by the control it sits in), so it is hidden from screen readers. `name` is
    /// always a literal of the templates; print it with `|safe`.
    pub fn icon(&self, name: &str) -> String {
        format!(
            r#"<svg class="icon" aria-hidden="true" focusable="false"><use href="{}#{name}"></use></svg>"#,
            self.asset("icons.svg")
        )
    }

    /// The stylesheet that sets this page's accent, when its look has one: its URL holds
    /// the (checked) colour itself, so it is fingerprinted by its content.
    pub fn accent_css(&self) -> Option<String> {
        self.look
            .accent
            .map(|a| super::assets::brand_css_url(&self.base, a))
    }

    /// The URL of this page's logo, when its look has one.
    pub fn logo_url(&self) -> Option<String> {
        self.look
            .logo
            .as_deref()
            .map(|name| super::assets::brand_logo_url(&self.base, name))
    }

    /// The look of a visitor's page: the one of the domain that lists the request's host.
    pub fn with_host(mut self, state: &AppState, host: Option<&str>) -> PageCtx {
        if let Some(looks) = state.config.upstream_map.as_ref().and_then(|m| m.looks()) {
            self.look = looks.for_host(host);
        }
        self
    }

    pub fn anonymous(state: &AppState, lang: Lang) -> PageCtx {
        PageCtx {
            base: state.config.base_path.clone(),
            user: None,
            csrf: String::new(),
            lang,
            now: dates::now(),
            theme: Default::default(),
            here: String::new(),
            vacation: None,
            look: look_of(state, None),
        }
    }

    pub fn for_session(state: &AppState, session: &CurrentSession) -> PageCtx {
        PageCtx {
            base: state.config.base_path.clone(),
            user: Some(session.username.clone()),
            csrf: crate::session::crypto::mask_token(&session.csrf_token),
            lang: session.lang,
            now: dates::now(),
            theme: session.prefs.theme,
            here: session.here.clone(),
            vacation: None,
            look: look_of(
                state,
                session
                    .username
                    .rsplit_once('@')
                    .map(|(_, d)| d.to_ascii_lowercase()),
            ),
        }
    }

    /// A message in the page's language; add arguments with `.arg(name, value)`. Templates
    /// print it escaped, like any text.
    pub fn t(&self, id: &'static str) -> Tr {
        Tr::new(self.lang, id)
    }

    /// A message raised earlier (a notice, an error), in the page's language.
    pub fn msg(&self, msg: &Msg) -> String {
        self.lang.format(msg)
    }

    /// A count the way the page's language writes it (`1,234` or `1.234`).
    pub fn number<N: Copy + Into<u64>>(&self, n: &N) -> String {
        self.lang.number((*n).into())
    }

    /// A size in the page's language (`3.2 MB` or `3,2 MB`).
    pub fn size(&self, bytes: u64) -> String {
        self.lang.size(bytes)
    }

    /// A list's date, relative to the page's "now".
    pub fn list_date(&self, when: DateTime<FixedOffset>) -> String {
        self.lang.list_date(dates::shown(when), self.now)
    }

    /// A date in full.
    pub fn full_date(&self, when: DateTime<FixedOffset>) -> String {
        self.lang.full_date(dates::shown(when))
    }

    /// The name a folder with a special use is shown with.
    pub fn role_label(&self, role: Role) -> String {
        self.lang.t(role.label_id())
    }

    pub fn folder_url(&self, folder: &str) -> String {
        format!("{}/mail/{}", self.base, segment(folder))
    }

    pub fn message_url(&self, folder: &str, uid: u32) -> String {
        format!("{}/mail/{}/{uid}", self.base, segment(folder))
    }
}

/// What frames every signed-in page: its context and the account's folders, for the sidebar
/// and for finding folders by role. As an extractor it also means "must be signed in".
pub struct PageFrame {
    pub ctx: PageCtx,
    pub folders: Vec<Folder>,
}

impl PageFrame {
    /// The frame of `session`'s pages, with the folder list as it is now and the
    /// out-of-office banner when the reply is on (both asked at once).
    pub async fn load(state: &AppState, session: &CurrentSession) -> Result<PageFrame, AppError> {
        let mut ctx = PageCtx::for_session(state, session);
        let sieve = state.sieve_for(session.upstreams.as_ref());
        let (folders, vacation) = tokio::join!(
            session.imap.folders(),
            state.sieve_status.vacation(
                sieve.as_ref(),
                &session.username,
                || session.password(),
                ctx.now.date_naive(),
            )
        );
        ctx.vacation = vacation.map(|on| vacation_banner(&ctx, &on));
        Ok(PageFrame {
            ctx,
            folders: folders?,
        })
    }

    /// The sidebar, marking `current` (empty on pages that are not a folder's).
    pub fn sidebar(&self, current: &str) -> Vec<FolderLink> {
        sidebar(&self.ctx, &self.folders, current)
    }
}

impl FromRequestParts<AppState> for PageFrame {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = CurrentSession::from_request_parts(parts, state).await?;
        PageFrame::load(state, &session).await
    }
}

/// The banner's sentence for a reply that is on: with its last day, or its first and last
/// days when it has not started yet.
fn vacation_banner(ctx: &PageCtx, on: &VacationOn) -> String {
    let today = ctx.now.date_naive();
    let start = on.start.map(|d| d.date()).filter(|start| *start > today);
    let end = on.end.map(|d| d.date());
    let msg = match (start, end) {
        (Some(start), Some(end)) => Msg::new("vacation-banner-later")
            .arg("start", ctx.lang.day(start))
            .arg("end", ctx.lang.day(end)),
        (Some(start), None) => Msg::new("vacation-banner-from").arg("start", ctx.lang.day(start)),
        (None, Some(end)) => Msg::new("vacation-banner-until").arg("end", ctx.lang.day(end)),
        (None, None) => Msg::new("vacation-banner-on"),
    };
    ctx.msg(&msg)
}

/// One entry of the folder sidebar.
#[derive(Clone, Debug)]
pub struct FolderLink {
    pub url: String,
    pub label: String,
    /// Full name, for the title attribute of nested folders.
    pub name: String,
    pub depth: usize,
    pub unseen: u32,
    pub current: bool,
    pub selectable: bool,
    /// Role slug (`inbox`, `sent`…) or empty.
    pub role: &'static str,
}

/// Builds the sidebar, marking `current`.
/// Only subscribed folders are listed (and the current one); the folders page shows all.
pub fn sidebar(ctx: &PageCtx, folders: &[Folder], current: &str) -> Vec<FolderLink> {
    folders
        .iter()
        .filter(|f| f.subscribed || f.name == current)
        .map(|f| FolderLink {
            url: ctx.folder_url(&f.name),
            label: match f.role {
                Some(role) if f.depth == 0 => ctx.role_label(role),
                _ => f.leaf.clone(),
            },
            name: f.name.clone(),
            depth: f.depth.min(6),
            unseen: f.unseen.unwrap_or(0),
            current: f.name == current,
            selectable: f.selectable,
            role: f.role.map(|r| r.slug()).unwrap_or(""),
        })
        .collect()
}

/// The name of the folder with a special-use role, or a clear error when there is none.
pub fn role_folder(folders: &[Folder], role: Role) -> Result<String, AppError> {
    folders
        .iter()
        .find(|f| f.role == Some(role))
        .map(|f| f.name.clone())
        .ok_or_else(|| {
            AppError::BadRequest(Msg::new("error-no-role-folder").arg("role", role.slug()))
        })
}

/// The label of a folder for headings: its role label, else its full name.
pub fn folder_title(ctx: &PageCtx, folders: &[Folder], name: &str) -> String {
    folders
        .iter()
        .find(|f| f.name == name)
        .and_then(|f| f.role.filter(|_| f.depth == 0))
        .map(|r| ctx.role_label(r))
        .unwrap_or_else(|| name.to_string())
}

#[cfg(test)]
mod tests {
    /// Every `ctx.icon("…")` of the templates names a symbol of the one sprite, so no icon
    /// shows as an empty box (or falls back to a glyph the fonts may lack).
    #[test]
    fn every_icon_a_template_names_is_in_the_sprite() {
        let sprite = include_str!("../../static/icons.svg");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut named = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (_, rest) in text
                .match_indices("ctx.icon(\"")
                .map(|(i, _)| ((), &text[i + 10..]))
            {
                let name = &rest[..rest.find('"').unwrap()];
                named += 1;
                assert!(
                    sprite.contains(&format!("<symbol id=\"{name}\"")),
                    "{}: icon {name} is not in static/icons.svg",
                    path.display()
                );
            }
        }
        assert!(named > 10, "the templates were read ({named} icons)");
    }
}
