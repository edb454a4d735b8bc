//! What every session of this process shares about folders: their sorted order, and the
//! list rows of recently shown messages.
//!
//! A per-connection cache would be lost whenever the actor reconnects or the person opens a
//! second session (another browser, a phone), and each loss costs a full `UID SORT` of the
//! folder (~12-23 ms on 10,000 messages, far more on 100,000). Both caches are keyed by the
//! IMAP user name, so sessions of one account share them and no account ever sees another's.
//!
//! Both are bounded by weight (approximate bytes), not by entry count: one folder's order is
//! 4 bytes per message, and one row is its header block plus its snippet.
//!
//! - [`SortedOrder`] is only reused for the mailbox state it was made for (or extended, see
//!   `ImapConn::sorted_uids`); the caller revalidates it against every SELECT.
//! - [`CachedRow`] is what IMAP never changes about a message (headers, size, structure,
//!   snippet), keyed by UIDVALIDITY and UID, which name one message content for good. Flags
//!   change, so they are never cached.
//! - The part list (BODYSTRUCTURE) and size of recently viewed messages, under the same key:
//!   the message view fetches it with the body, and every inline image or download of that
//!   message then needs no FETCH of it again.
//! - A folder's [`Conversations`] for the conversation view, valid for the mailbox state they
//!   were made for. They used to be kept per connection with no bound; here they are weighed
//!   like the rest.
//! - The [`AnswerBudget`]: not a cache, but the memory of answers being read, shared by the
//!   same connections and reported beside the caches ([`MailCache::sizes`]).

use std::sync::{Arc, OnceLock};

use moka::sync::Cache;

use super::budget::AnswerBudget;
use super::threads::Conversations;
use crate::model::{Flags, MailboxState, PartInfo, Summary};

/// Default bound of the shared sorted orders: 64 MiB is 16 million UIDs, e.g. 160 folders of
/// 100,000 messages.
pub const DEFAULT_ORDER_BYTES: u64 = 64 << 20;
/// Default bound of the shared list rows: about 40,000 rows of typical headers.
pub const DEFAULT_ROW_BYTES: u64 = 32 << 20;
/// Default bound of the shared message structures (part lists) that downloads and inline
/// images look up.
pub const DEFAULT_STRUCTURE_BYTES: u64 = 8 << 20;
/// Default bound of the shared conversations: about 2 million threaded messages, e.g. twenty
/// folders of 100,000.
pub const DEFAULT_THREAD_BYTES: u64 = 8 << 20;

/// A folder's UIDs in display order (newest first), valid for `state`.
#[derive(Debug)]
pub struct SortedOrder {
    pub state: MailboxState,
    pub uids: Vec<u32>,
}

/// What a list row shows that never changes for a given UIDVALIDITY and UID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedRow {
    pub size: u32,
    pub internal_date: Option<String>,
    pub headers: Vec<u8>,
    pub has_attachment: bool,
    pub snippet: Option<String>,
}

impl CachedRow {
    /// What of this row stays true for as long as the message exists (all but the flags).
    pub fn of(row: &Summary) -> CachedRow {
        CachedRow {
            size: row.size,
            internal_date: row.internal_date.clone(),
            headers: row.headers.clone(),
            has_attachment: row.has_attachment,
            snippet: row.snippet.clone(),
        }
    }

    /// The row of message `uid`, from this cached part and fresh flags.
    pub fn summary(&self, uid: u32, flags: Flags) -> Summary {
        Summary {
            uid,
            flags,
            size: self.size,
            internal_date: self.internal_date.clone(),
            headers: self.headers.clone(),
            has_attachment: self.has_attachment,
            snippet: self.snippet.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RowKey {
    user: Arc<str>,
    folder: Arc<str>,
    uid_validity: u32,
    uid: u32,
}

type OrderKey = (Arc<str>, Arc<str>);

/// Weight of an entry: its bytes plus a fixed overhead for the key, the map slot and moka's
/// bookkeeping (an estimate; what matters is that it grows with the content).
const ENTRY_OVERHEAD: usize = 160;

fn weight(bytes: usize) -> u32 {
    u32::try_from(bytes.saturating_add(ENTRY_OVERHEAD)).unwrap_or(u32::MAX)
}

/// The process-wide caches (see the module documentation).
pub struct MailCache {
    order: Cache<OrderKey, Arc<SortedOrder>>,
    rows: Cache<RowKey, Arc<CachedRow>>,
    structures: Cache<RowKey, Arc<(u32, Vec<PartInfo>)>>,
    threads: Cache<OrderKey, Arc<Conversations>>,
    answers: AnswerBudget,
    order_limit: u64,
    row_limit: u64,
    /// Whether the server lets users write Carteiro's METADATA entries: unknown until the
    /// first connection asks ([`crate::imap::conn`]'s settings), then kept for the process.
    vendor_metadata: OnceLock<bool>,
}

/// How full the caches are, in weighted bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheSizes {
    pub order_bytes: u64,
    pub order_limit: u64,
    pub order_entries: u64,
    pub row_bytes: u64,
    pub row_limit: u64,
    pub row_entries: u64,
    pub structure_bytes: u64,
    pub structure_limit: u64,
    pub thread_bytes: u64,
    pub thread_limit: u64,
    pub thread_entries: u64,
    /// Bytes of answers being read right now ([`AnswerBudget::in_use`]).
    pub answer_bytes: u64,
    pub answer_limit: u64,
}

impl Default for MailCache {
    fn default() -> Self {
        MailCache::new(DEFAULT_ORDER_BYTES, DEFAULT_ROW_BYTES)
    }
}

impl MailCache {
    pub fn new(order_bytes: u64, row_bytes: u64) -> MailCache {
        MailCache {
            order: Cache::builder()
                .max_capacity(order_bytes)
                .weigher(|k: &OrderKey, v: &Arc<SortedOrder>| {
                    weight(k.0.len() + k.1.len() + v.uids.len() * 4)
                })
                .build(),
            rows: Cache::builder()
                .max_capacity(row_bytes)
                .weigher(|k: &RowKey, v: &Arc<CachedRow>| {
                    weight(
                        k.user.len()
                            + k.folder.len()
                            + v.headers.len()
                            + v.internal_date.as_ref().map_or(0, String::len)
                            + v.snippet.as_ref().map_or(0, String::len),
                    )
                })
                .build(),
            structures: Cache::builder()
                .max_capacity(DEFAULT_STRUCTURE_BYTES)
                .weigher(|k: &RowKey, v: &Arc<(u32, Vec<PartInfo>)>| {
                    let parts: usize = v.1.iter().map(part_bytes).sum();
                    weight(k.user.len() + k.folder.len() + parts)
                })
                .build(),
            threads: Cache::builder()
                .max_capacity(DEFAULT_THREAD_BYTES)
                .weigher(|k: &OrderKey, v: &Arc<Conversations>| {
                    weight(k.0.len() + k.1.len() + v.bytes())
                })
                .build(),
            answers: AnswerBudget::default(),
            order_limit: order_bytes,
            row_limit: row_bytes,
            vendor_metadata: OnceLock::new(),
        }
    }

    /// Whether the server takes Carteiro's METADATA entries, when a connection found out.
    pub fn vendor_metadata(&self) -> Option<bool> {
        self.vendor_metadata.get().copied()
    }

    /// Remembers whether the server takes Carteiro's METADATA entries; `true` when this call
    /// was the one that settled it (the others found it settled).
    pub fn settle_vendor_metadata(&self, allowed: bool) -> bool {
        self.vendor_metadata.set(allowed).is_ok()
    }

    /// The same caches with another answer budget.
    pub fn with_answer_budget(mut self, answers: AnswerBudget) -> MailCache {
        self.answers = answers;
        self
    }

    /// The budget every raw answer and every threading fallback draws from.
    pub fn answers(&self) -> &AnswerBudget {
        &self.answers
    }

    /// The remembered conversations of `folder`, whatever state they were made for.
    pub fn threads(&self, user: &Arc<str>, folder: &str) -> Option<Arc<Conversations>> {
        self.threads.get(&(user.clone(), Arc::from(folder)))
    }

    pub fn put_threads(&self, user: &Arc<str>, folder: &str, threads: Arc<Conversations>) {
        self.threads
            .insert((user.clone(), Arc::from(folder)), threads);
    }

    /// The remembered order of `folder`, whatever state it was made for.
    pub fn order(&self, user: &Arc<str>, folder: &str) -> Option<Arc<SortedOrder>> {
        self.order.get(&(user.clone(), Arc::from(folder)))
    }

    pub fn put_order(&self, user: &Arc<str>, folder: &str, order: Arc<SortedOrder>) {
        self.order.insert((user.clone(), Arc::from(folder)), order);
    }

    /// Forgets a folder's order (after a move out of it, a rename, a delete).
    pub fn forget_order(&self, user: &Arc<str>, folder: &str) {
        self.order.invalidate(&(user.clone(), Arc::from(folder)));
    }

    pub fn row(
        &self,
        user: &Arc<str>,
        folder: &Arc<str>,
        uid_validity: u32,
        uid: u32,
    ) -> Option<Arc<CachedRow>> {
        self.rows.get(&RowKey {
            user: user.clone(),
            folder: folder.clone(),
            uid_validity,
            uid,
        })
    }

    pub fn put_row(
        &self,
        user: &Arc<str>,
        folder: &Arc<str>,
        uid_validity: u32,
        uid: u32,
        row: CachedRow,
    ) {
        self.rows.insert(
            RowKey {
                user: user.clone(),
                folder: folder.clone(),
                uid_validity,
                uid,
            },
            Arc::new(row),
        );
    }

    /// The size and parts of a message, when a view or download looked them up recently.
    pub fn structure(
        &self,
        user: &Arc<str>,
        folder: &Arc<str>,
        uid_validity: u32,
        uid: u32,
    ) -> Option<Arc<(u32, Vec<PartInfo>)>> {
        self.structures.get(&RowKey {
            user: user.clone(),
            folder: folder.clone(),
            uid_validity,
            uid,
        })
    }

    pub fn put_structure(
        &self,
        user: &Arc<str>,
        folder: &Arc<str>,
        uid_validity: u32,
        uid: u32,
        structure: (u32, Vec<PartInfo>),
    ) {
        self.structures.insert(
            RowKey {
                user: user.clone(),
                folder: folder.clone(),
                uid_validity,
                uid,
            },
            Arc::new(structure),
        );
    }

    /// Current weighted sizes, after applying pending evictions (moka applies them lazily).
    pub fn sizes(&self) -> CacheSizes {
        self.order.run_pending_tasks();
        self.rows.run_pending_tasks();
        self.structures.run_pending_tasks();
        self.threads.run_pending_tasks();
        CacheSizes {
            order_bytes: self.order.weighted_size(),
            order_limit: self.order_limit,
            order_entries: self.order.entry_count(),
            row_bytes: self.rows.weighted_size(),
            row_limit: self.row_limit,
            row_entries: self.rows.entry_count(),
            structure_bytes: self.structures.weighted_size(),
            structure_limit: DEFAULT_STRUCTURE_BYTES,
            thread_bytes: self.threads.weighted_size(),
            thread_limit: DEFAULT_THREAD_BYTES,
            thread_entries: self.threads.entry_count(),
            answer_bytes: self.answers.in_use() as u64,
            answer_limit: self.answers.limit() as u64,
        }
    }
}

/// Approximate bytes of one part's description.
fn part_bytes(p: &PartInfo) -> usize {
    let params =
        |v: &[(String, String)]| v.iter().map(|(k, v)| k.len() + v.len() + 48).sum::<usize>();
    96 + p.section.len()
        + p.mime_type.len()
        + params(&p.type_params)
        + params(&p.disposition_params)
        + p.disposition.as_ref().map_or(0, String::len)
        + p.content_id.as_ref().map_or(0, String::len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(headers: usize) -> CachedRow {
        CachedRow {
            size: 1,
            internal_date: None,
            headers: vec![b'x'; headers],
            has_attachment: false,
            snippet: None,
        }
    }

    #[test]
    fn rows_are_per_user_folder_and_uidvalidity() {
        let cache = MailCache::default();
        let (ana, bia): (Arc<str>, Arc<str>) = ("ana".into(), "bia".into());
        let inbox: Arc<str> = "INBOX".into();
        cache.put_row(&ana, &inbox, 7, 1, row(10));
        assert!(cache.row(&ana, &inbox, 7, 1).is_some());
        assert!(cache.row(&bia, &inbox, 7, 1).is_none());
        assert!(cache.row(&ana, &inbox, 8, 1).is_none());
        assert!(cache.row(&ana, &"Sent".into(), 7, 1).is_none());
    }

    #[test]
    fn the_weighted_size_stays_within_the_bound() {
        let cache = MailCache::new(1 << 20, 64 << 10);
        let user: Arc<str> = "ana".into();
        let folder: Arc<str> = "INBOX".into();
        for uid in 1..=1000 {
            cache.put_row(&user, &folder, 1, uid, row(500));
        }
        for n in 0..10 {
            cache.put_order(
                &user,
                &format!("F{n}"),
                Arc::new(SortedOrder {
                    state: MailboxState::default(),
                    uids: (0..100_000).collect(),
                }),
            );
        }
        let sizes = cache.sizes();
        assert!(sizes.row_bytes <= 64 << 10, "{sizes:?}");
        assert!(
            sizes.row_entries > 0 && sizes.row_entries < 1000,
            "{sizes:?}"
        );
        assert!(sizes.order_bytes <= 1 << 20, "{sizes:?}");
        assert!(sizes.order_entries >= 1, "{sizes:?}");
    }

    #[test]
    fn conversations_are_shared_per_user_and_folder_and_weighed_by_their_uids() {
        let cache = MailCache::default();
        let (ana, bia): (Arc<str>, Arc<str>) = ("ana".into(), "bia".into());
        // 100 folders of 100,000 single-message conversations: 80 MB if all were kept.
        for n in 0..100 {
            let threads = (1..=100_000).map(|uid| vec![uid]).collect();
            let all = Conversations::new(MailboxState::default(), threads, 0);
            cache.put_threads(&ana, &format!("F{n}"), Arc::new(all));
        }
        let sizes = cache.sizes();
        assert!(sizes.thread_bytes <= sizes.thread_limit, "{sizes:?}");
        assert!(
            sizes.thread_entries >= 5 && sizes.thread_entries < 100,
            "{sizes:?}"
        );
        let small = Arc::new(Conversations::new(
            MailboxState::default(),
            vec![vec![1]],
            0,
        ));
        cache.put_threads(&ana, "INBOX", small.clone());
        assert_eq!(cache.threads(&ana, "INBOX"), Some(small));
        assert_eq!(cache.threads(&bia, "INBOX"), None);
        assert_eq!(sizes.answer_bytes, 0);
    }
}
