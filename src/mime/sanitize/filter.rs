//! ammonia's attribute filter: the one place that decides every URL and inline style that
//! survived the allow-lists. Links keep `http(s)`/`mailto` targets; images keep `cid:`
//! references (as markers, see [`super::cid`]), raster `data:` images and, when allowed, remote
//! URLs (otherwise the placeholder, counted); styles go through [`super::css`].

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use super::bounded::cheap_to_serialize;
use super::cid::{CidTable, UrlAttr};
use super::css::filter_style;
use super::url::{classify_url, UrlKind};

/// Per-call state shared with ammonia's attribute filter, which must be `'static + Send +
/// Sync` and therefore cannot borrow `opts.cid_url`. `cid:` references are replaced by unique
/// markers during cleaning and resolved through the callback afterwards.
pub(super) struct FilterState {
    pub(super) allow_remote: bool,
    pub(super) blocked_image_url: String,
    /// Unpredictable per call, so a message cannot contain a marker of its own.
    pub(super) placeholder_prefix: String,
    pub(super) blocked: AtomicUsize,
    pub(super) cids: Mutex<CidTable>,
}

#[cfg(test)]
thread_local! {
    /// Set by `super::panic_at_next_attribute`; taken (and acted on) by the next filter call on
    /// this thread.
    pub(super) static PANIC_AT_NEXT_ATTRIBUTE: std::cell::Cell<bool> =
        const { std::cell::Cell::new(false) };
}

impl FilterState {
    /// ammonia's attribute filter: gets the entity-decoded value of every attribute that
    /// survived the allow-list, returns the value to keep or `None` to drop the attribute.
    pub(super) fn filter<'u>(
        &self,
        element: &str,
        attribute: &str,
        value: &'u str,
    ) -> Option<Cow<'u, str>> {
        #[cfg(test)]
        if PANIC_AT_NEXT_ATTRIBUTE.take() {
            panic!("forced by a test: <{element} {attribute}>");
        }
        self.decide(element, attribute, value)
            .filter(|kept| cheap_to_serialize(kept))
    }

    fn decide<'u>(&self, element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
        match (element, attribute) {
            (_, "style") => {
                let kept = filter_style(value, self.allow_remote, &self.blocked);
                (!kept.is_empty()).then_some(Cow::Owned(kept))
            }
            ("a", "href") => match classify_url(value) {
                UrlKind::Remote(url) | UrlKind::Mailto(url) => Some(Cow::Owned(url)),
                _ => None,
            },
            // Set by ammonia itself (`set_tag_attribute_value`, `link_rel`) before the filter
            // runs; pinned here so nothing can change them.
            ("a", "target") => Some(Cow::Borrowed("_blank")),
            ("a", "rel") => Some(Cow::Borrowed("noopener noreferrer")),
            ("img", "src") => self.image_url(value, UrlAttr::Src),
            (_, "background") => self.image_url(value, UrlAttr::Background),
            // Any other URL-bearing attribute is not expected (the allow-list has none), so
            // refuse rather than pass an unchecked URL.
            (_, "href" | "src" | "srcset" | "action" | "formaction" | "poster" | "ping") => None,
            _ => Some(Cow::Borrowed(value)),
        }
    }

    /// Decides an image-like URL (`<img src>`, `background`).
    fn image_url<'u>(&self, value: &str, attr: UrlAttr) -> Option<Cow<'u, str>> {
        match classify_url(value) {
            UrlKind::Remote(url) if self.allow_remote => Some(Cow::Owned(url)),
            UrlKind::Remote(_) => {
                self.blocked.fetch_add(1, Ordering::Relaxed);
                match attr {
                    UrlAttr::Src => Some(Cow::Owned(self.blocked_image_url.clone())),
                    // A placeholder tiled as a table background would be noise.
                    UrlAttr::Background => None,
                }
            }
            UrlKind::Cid(cid) => {
                let mut table = self.cids.lock().unwrap_or_else(PoisonError::into_inner);
                let next = table.list.len();
                let index = *table.index.entry(cid.clone()).or_insert(next);
                if index == next {
                    table.list.push(cid);
                }
                Some(Cow::Owned(format!(
                    "{}{}{}",
                    self.placeholder_prefix,
                    attr.letter(),
                    index
                )))
            }
            UrlKind::DataImage(url) => Some(Cow::Owned(url)),
            UrlKind::Mailto(_) | UrlKind::Other => None,
        }
    }
}
