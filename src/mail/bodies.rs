//! Sanitized HTML bodies kept for a few minutes, so the frame a message page embeds is served
//! without fetching, parsing and sanitizing the message a second time.
//!
//! Bounded by bytes (each entry weighs its HTML), and by time: a body is wanted right after
//! its page, and the person's mail should not linger in memory for longer than that.

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;

/// How long a body is kept after it was rendered.
const KEEP_FOR: Duration = Duration::from_secs(5 * 60);

/// What one sanitized body is for. The account is part of it: two accounts' folders can have
/// the same name, UIDVALIDITY (Dovecot uses the creation time) and UIDs, and one person's
/// mail must never be served to another.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BodyKey {
    /// The account, as it signed in.
    pub user: String,
    pub folder: String,
    /// With the UID, names the message's bytes for good (IMAP never reuses a UID under one
    /// UIDVALIDITY).
    pub uid_validity: u32,
    pub uid: u32,
    /// Remote images allowed: the same message sanitizes differently.
    pub allow_remote: bool,
}

/// Sanitized HTML bodies by [`BodyKey`], up to a total size.
#[derive(Clone)]
pub struct BodyCache {
    bodies: Cache<BodyKey, Arc<str>>,
}

impl BodyCache {
    /// A cache holding up to `max_bytes` of HTML.
    pub fn new(max_bytes: u64) -> BodyCache {
        BodyCache {
            bodies: Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &BodyKey, html: &Arc<str>| {
                    let bytes = html.len() + key.user.len() + key.folder.len() + 64;
                    u32::try_from(bytes).unwrap_or(u32::MAX)
                })
                .time_to_live(KEEP_FOR)
                .build(),
        }
    }

    pub fn get(&self, key: &BodyKey) -> Option<Arc<str>> {
        self.bodies.get(key)
    }

    pub fn insert(&self, key: BodyKey, html: Arc<str>) {
        self.bodies.insert(key, html);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(user: &str, uid_validity: u32, allow_remote: bool) -> BodyKey {
        BodyKey {
            user: user.into(),
            folder: "INBOX".into(),
            uid_validity,
            uid: 1,
            allow_remote,
        }
    }

    #[test]
    fn a_body_is_found_only_under_its_own_account_folder_state_and_image_choice() {
        let cache = BodyCache::new(1 << 20);
        cache.insert(key("ana@example.test", 7, false), "<p>da Ana</p>".into());
        assert_eq!(
            cache.get(&key("ana@example.test", 7, false)).as_deref(),
            Some("<p>da Ana</p>")
        );
        for other in [
            key("bia@example.test", 7, false),
            key("ana@example.test", 8, false),
            key("ana@example.test", 7, true),
        ] {
            assert_eq!(cache.get(&other), None, "{other:?}");
        }
    }

    #[test]
    fn bodies_are_bounded_by_their_size() {
        let cache = BodyCache::new(100_000);
        let big: Arc<str> = "x".repeat(30_000).into();
        for uid in 1..=20 {
            cache.insert(
                BodyKey {
                    uid,
                    ..key("ana@example.test", 7, false)
                },
                big.clone(),
            );
        }
        cache.bodies.run_pending_tasks();
        assert!(
            cache.bodies.weighted_size() <= 100_000,
            "{}",
            cache.bodies.weighted_size()
        );
        assert!(cache.bodies.entry_count() <= 3);
    }
}
