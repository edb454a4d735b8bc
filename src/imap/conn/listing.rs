//! A page of a folder, newest first: the folder's sorted order (shared by every session of
//! the account and revalidated on each SELECT), or the UIDs a search found.

use std::sync::Arc;

use async_imap::imap_proto::{AttributeValue, MailboxDatum, Response};

use super::connection::ImapConn;
use crate::imap::cache::SortedOrder;
use crate::imap::error::ImapError;
use crate::imap::search::SearchQuery;
use crate::model::{MailboxState, Page};

impl ImapConn {
    /// One page (0-based) of a folder, newest first, `per_page` rows.
    ///
    /// Cost: SELECT, then SORT only when the folder changed since any session of this user
    /// last sorted it ([`MailCache`]), then one FETCH of the page's rows (of only their flags
    /// for rows shown recently) and one partial FETCH for the snippets of rows not cached.
    ///
    /// [`MailCache`]: crate::imap::cache::MailCache
    pub async fn page(
        &mut self,
        folder: &str,
        page: usize,
        per_page: usize,
        with_structure: bool,
        search: Option<&SearchQuery>,
    ) -> Result<Page, ImapError> {
        let state = self.select(folder).await?;
        if let Some(query) = search {
            let uids = self.search(query).await?;
            let start = page.saturating_mul(per_page).min(uids.len());
            let end = (start + per_page).min(uids.len());
            let rows = self
                .fetch_summaries(&uids[start..end], with_structure)
                .await?;
            return Ok(Page {
                state,
                total: uids.len() as u32,
                rows,
            });
        }
        let total = state.exists;
        let start = page.saturating_mul(per_page);
        if start >= total as usize {
            return Ok(Page {
                state,
                total,
                rows: Vec::new(),
            });
        }
        let rows = if self.caps.has("SORT") {
            let order = self.sorted_uids(folder, state).await?;
            let end = (start + per_page).min(order.uids.len());
            let page_uids: Vec<u32> = order.uids[start.min(end)..end].to_vec();
            self.fetch_summaries(&page_uids, with_structure).await?
        } else {
            // Without SORT, sequence order is arrival order: page from the end by sequence
            // number, one FETCH, no SEARCH of all UIDs.
            let hi = total as usize - start;
            let lo = hi.saturating_sub(per_page - 1).max(1);
            let mut rows = self
                .fetch_summaries_by_seq(lo as u32, hi as u32, with_structure)
                .await?;
            rows.sort_by_key(|row| std::cmp::Reverse(row.0));
            rows.into_iter().map(|(_, s)| s).collect()
        };
        Ok(Page { state, total, rows })
    }

    /// UIDs matching `query` in the selected folder, newest first. The server does the work:
    /// SORT when it has it, SEARCH otherwise (sorted here by UID, which is arrival order).
    async fn search(&mut self, query: &SearchQuery) -> Result<Vec<u32>, ImapError> {
        let criteria = query.criteria(self.caps.has("LITERAL+"))?;
        let mut uids: Vec<u32> = Vec::new();
        let sort = self.caps.has("SORT");
        let command = if sort {
            format!("UID SORT (ARRIVAL) UTF-8 {criteria}")
        } else {
            format!("UID SEARCH CHARSET UTF-8 {criteria}")
        };
        let collect = |r: &Response<'_>| match r {
            Response::MailboxData(MailboxDatum::Sort(list))
            | Response::MailboxData(MailboxDatum::Search(list)) => uids.extend_from_slice(list),
            _ => {}
        };
        if command.contains(crate::imap::search::LITERAL_CUT) {
            // No LITERAL+: the text goes as synchronizing literals.
            self.command_literals(&command, collect).await?;
        } else {
            self.command(&command, collect).await?;
        }
        if sort {
            uids.reverse();
        } else {
            uids.sort_unstable_by(|a, b| b.cmp(a));
        }
        Ok(uids)
    }

    /// The folder's UIDs newest first (by arrival), shared by every session of this user
    /// ([`MailCache`]). Reused while the folder's UIDVALIDITY, UIDNEXT and EXISTS are those it
    /// was made for (flag changes do not reorder); when only new mail arrived it is extended
    /// ([`Self::extend_order`]); anything else (an expunge, a new UIDVALIDITY) sorts again.
    ///
    /// Expunges could be applied from QRESYNC's VANISHED instead of sorting again, but that
    /// needs `ENABLE QRESYNC` and a SELECT carrying the last known state per folder, after
    /// which the server reports expunges as VANISHED on every command, a response
    /// imap-proto does not parse (async-imap would fail the command). Deleting is rarer than
    /// reading, and one SORT after it is the cost today.
    ///
    /// [`MailCache`]: crate::imap::cache::MailCache
    async fn sorted_uids(
        &mut self,
        folder: &str,
        state: MailboxState,
    ) -> Result<Arc<SortedOrder>, ImapError> {
        if let Some(known) = self.cache.order(&self.user, folder) {
            let was = known.state;
            if was.uid_validity == state.uid_validity {
                if was.uid_next == state.uid_next && was.exists == state.exists {
                    self.metrics.list_cache("order", "hit");
                    return Ok(known);
                }
                if state.uid_next > was.uid_next && state.exists > was.exists {
                    if let Some(uids) = self.extend_order(&known, state).await? {
                        self.metrics.list_cache("order", "extended");
                        return Ok(self.remember_order(folder, SortedOrder { state, uids }));
                    }
                }
            }
        }
        self.metrics.list_cache("order", "miss");
        let mut uids = Vec::with_capacity(state.exists as usize);
        // Ascending, then reversed here: SORT breaks ties (messages that arrived in the same
        // second) by ascending sequence number even with REVERSE, which would put the older
        // of two simultaneous messages first.
        self.command("UID SORT (ARRIVAL) UTF-8 ALL", |r| {
            if let Response::MailboxData(MailboxDatum::Sort(list)) = r {
                uids.extend_from_slice(list);
            }
        })
        .await?;
        uids.reverse();
        let order = SortedOrder { state, uids };
        if order.uids.len() != state.exists as usize {
            // Mail arrived (or left) between SELECT and SORT: the order is right for now but
            // not for `state`, and extending it later would list a message twice.
            return Ok(Arc::new(order));
        }
        Ok(self.remember_order(folder, order))
    }

    fn remember_order(&self, folder: &str, order: SortedOrder) -> Arc<SortedOrder> {
        let order = Arc::new(order);
        self.cache.put_order(&self.user, folder, order.clone());
        order
    }

    /// The order for `state` when, since `known` was made, messages only arrived (none left)
    /// and every one of them arrived no earlier than the newest known message: then the new
    /// UIDs go in front, ordered among themselves, exactly where a full SORT would put them.
    /// `None` when that cannot be shown, e.g. an APPEND with an old date, or an expunge.
    ///
    /// One `UID FETCH <newest>,<old UIDNEXT>:* (UID INTERNALDATE)`: as cheap as the
    /// `UID SEARCH UID <old UIDNEXT>:*` that would find the new UIDs, and it also says where
    /// they belong. (`n:*` always matches the highest UID, so old UIDs are filtered out.)
    async fn extend_order(
        &mut self,
        known: &SortedOrder,
        state: MailboxState,
    ) -> Result<Option<Vec<u32>>, ImapError> {
        let from = known.state.uid_next;
        let newest = known.uids.first().copied();
        let set = match newest {
            Some(uid) => format!("{uid},{from}:*"),
            None => format!("{from}:*"),
        };
        let mut dates: Vec<(u32, Option<chrono::DateTime<chrono::FixedOffset>>)> = Vec::new();
        self.command(&format!("UID FETCH {set} (UID INTERNALDATE)"), |r| {
            if let Response::Fetch(_, attrs) = r {
                let mut uid = None;
                let mut date = None;
                for attr in attrs {
                    match attr {
                        AttributeValue::Uid(u) => uid = Some(*u),
                        AttributeValue::InternalDate(d) => {
                            date = crate::mime::headers::internal_date(d)
                        }
                        _ => {}
                    }
                }
                if let Some(uid) = uid {
                    dates.push((uid, date));
                }
            }
        })
        .await?;
        let newest_date = match newest {
            Some(uid) => match dates.iter().find(|(u, _)| *u == uid) {
                Some((_, Some(date))) => Some(*date),
                // The newest known message is gone (or has no readable date): sort again.
                _ => return Ok(None),
            },
            None => None,
        };
        let mut arrived = Vec::new();
        for (uid, date) in dates {
            if uid < from {
                continue;
            }
            match date {
                Some(date) if newest_date.is_none_or(|n| date >= n) => arrived.push((date, uid)),
                _ => return Ok(None),
            }
        }
        arrived.sort_unstable();
        arrived.dedup();
        if known.state.exists as usize + arrived.len() != state.exists as usize {
            return Ok(None);
        }
        // Newest first; among equal dates the later sequence number (= higher UID) first, as
        // the full SORT reversed gives.
        let mut uids: Vec<u32> = arrived.iter().rev().map(|(_, uid)| *uid).collect();
        uids.extend_from_slice(&known.uids);
        Ok(Some(uids))
    }
}
