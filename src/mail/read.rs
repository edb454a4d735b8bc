//! Rendering a message for reading, off the async workers. Parsing and sanitizing a large
//! message takes tens of milliseconds of CPU, which on an async worker would stall every
//! other request that worker serves; so it runs on tokio's blocking threads, and only a few
//! at a time, so that a flood of large messages queues here instead of taking every blocking
//! thread. The sanitized HTML body is kept ([`super::bodies`]) for the frame the page embeds.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::bodies::{BodyCache, BodyKey};
use super::error::MailError;
use crate::mime::{self, view};
use crate::model::PartInfo;

/// HTML kept for frames, in all.
const BODY_CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// How rendered bodies refer to the message's parts and to the blocked-image placeholder.
pub struct Links {
    /// The URL of a part of the message (an inline image), by IMAP section.
    pub part_url: Box<dyn Fn(&str) -> String + Send + Sync>,
    /// What a blocked remote image shows instead.
    pub blocked_image_url: String,
}

/// A message's view, and the Message-ID its conversation starts from.
pub struct Rendered {
    /// `None` when the message could not be parsed.
    pub view: Option<view::MessageView>,
    /// See [`conversation_root`].
    pub root: Option<String>,
}

/// Renders messages for reading, a bounded number at once, keeping their HTML bodies.
#[derive(Clone)]
pub struct Reader {
    /// One per rendering allowed at once.
    permits: Arc<Semaphore>,
    bodies: BodyCache,
}

impl Default for Reader {
    /// As many renderings at once as the machine has cores: more would only take turns.
    fn default() -> Reader {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Reader::new(cores, BODY_CACHE_BYTES)
    }
}

impl Reader {
    /// At most `at_once` renderings at a time, and up to `body_bytes` of HTML kept.
    pub fn new(at_once: usize, body_bytes: u64) -> Reader {
        Reader {
            permits: Arc::new(Semaphore::new(at_once.max(1))),
            bodies: BodyCache::new(body_bytes),
        }
    }

    /// Runs `work` on a blocking thread once a permit is free. A request that goes away
    /// meanwhile leaves the work to finish (it cannot be cut), still holding its permit, so
    /// the bound holds for work actually running.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, MailError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(MailError::Render)
    }

    /// The page's view of a message (`bytes` as fetched for display, `parts` as the server
    /// describes them). Its sanitized HTML body, if any, is kept under `key` for the frame.
    pub async fn view(
        &self,
        key: BodyKey,
        bytes: Arc<Vec<u8>>,
        parts: Option<Arc<[PartInfo]>>,
        links: Arc<Links>,
    ) -> Result<Rendered, MailError> {
        let bodies = self.bodies.clone();
        self.run(move || {
            let Some(message) = mime::parse(&bytes) else {
                return Rendered {
                    view: None,
                    root: None,
                };
            };
            let view_links = view::Links {
                part_url: &*links.part_url,
                blocked_image_url: &links.blocked_image_url,
            };
            let (view, html) =
                view::build_keeping_html(&message, parts.as_deref(), key.allow_remote, &view_links);
            if let Some(html) = html {
                bodies.insert(key, html.into());
            }
            Rendered {
                view: Some(view),
                root: conversation_root(&message),
            }
        })
        .await
    }

    /// The sanitized HTML body kept under `key`, when its page was rendered a moment ago.
    pub fn kept_body(&self, key: &BodyKey) -> Option<Arc<str>> {
        self.bodies.get(key)
    }

    /// The sanitized HTML body of a message, rendered (and kept under `key`); `None` when the
    /// message cannot be parsed or has no HTML body.
    pub async fn body(
        &self,
        key: BodyKey,
        bytes: Vec<u8>,
        parts: Option<Vec<PartInfo>>,
        links: Links,
    ) -> Result<Option<Arc<str>>, MailError> {
        let bodies = self.bodies.clone();
        self.run(move || {
            let message = mime::parse(&bytes)?;
            let parts = view::part_list(&message, parts.as_deref());
            let view_links = view::Links {
                part_url: &*links.part_url,
                blocked_image_url: &links.blocked_image_url,
            };
            let (sanitized, _) = view::html_body(&message, &parts, key.allow_remote, &view_links)?;
            let html: Arc<str> = sanitized.html.into();
            bodies.insert(key, html.clone());
            Some(html)
        })
        .await
    }
}

/// The Message-ID that starts this message's conversation (the first of its References,
/// else what it replies to), for messages that reply to something. A message that replies
/// to nothing gets no lookup: searching headers costs the server a scan of the folder
/// (about 10 ms per 10,000 messages, measured), too much to pay on every message opened.
pub fn conversation_root(message: &mail_parser::Message<'_>) -> Option<String> {
    let first = |v: &mail_parser::HeaderValue<'_>| {
        v.as_text_list()
            .and_then(|l| l.first().map(|s| s.to_string()))
            .or_else(|| v.as_text().map(str::to_string))
    };
    first(message.references())
        .or_else(|| first(message.in_reply_to()))
        .filter(|id| !id.is_empty())
        .map(|id| format!("<{id}>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> Links {
        Links {
            part_url: Box::new(|section| format!("/m/part/{section}")),
            blocked_image_url: "/blocked.svg".into(),
        }
    }

    fn key(allow_remote: bool) -> BodyKey {
        BodyKey {
            user: "ana@example.test".into(),
            folder: "INBOX".into(),
            uid_validity: 1,
            uid: 1,
            allow_remote,
        }
    }

    const HTML: &[u8] = b"From: a@example.test\r\nSubject: Oi\r\nIn-Reply-To: <raiz@example.test>\r\n\
Content-Type: text/html\r\n\r\n<p>Ol\xc3\xa1 <img src=\"https://example.com/t.gif\"><script>x()</script></p>\r\n";

    #[tokio::test]
    async fn the_page_render_keeps_the_sanitized_body_for_its_frame() {
        let reader = Reader::new(1, 1 << 20);
        let rendered = reader
            .view(key(false), Arc::new(HTML.to_vec()), None, Arc::new(links()))
            .await
            .unwrap();
        let view = rendered.view.expect("parsed");
        assert_eq!(view.blocked_remote, 1);
        assert_eq!(rendered.root.as_deref(), Some("<raiz@example.test>"));
        let kept = reader.kept_body(&key(false)).expect("kept for the frame");
        assert!(kept.contains("Olá") && !kept.contains("script"), "{kept}");
        assert!(reader.kept_body(&key(true)).is_none());
        let rendered = reader.body(key(true), HTML.to_vec(), None, links()).await;
        let allowed = rendered.unwrap().expect("an HTML body");
        assert!(allowed.contains("https://example.com/t.gif"), "{allowed}");
        assert_eq!(reader.kept_body(&key(true)).as_deref(), Some(&*allowed));
    }

    #[tokio::test]
    async fn a_text_message_or_garbage_has_no_body_to_keep() {
        let reader = Reader::new(1, 1 << 20);
        let text = b"Subject: Oi\r\n\r\nSo texto.\r\n".to_vec();
        assert!(reader
            .body(key(false), text, None, links())
            .await
            .unwrap()
            .is_none());
        assert!(reader.kept_body(&key(false)).is_none());
    }
}
