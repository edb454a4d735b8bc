//! Grouping a folder's messages into conversations from their Message-ID, In-Reply-To and
//! References headers (the REFERENCES idea of RFC 5256, without subject merging).
//!
//! The server's THREAD command would do this, but imap-proto 0.17 cannot parse its answer,
//! and an unparsable answer breaks the connection; the headers come in one FETCH instead.

use std::collections::HashMap;

use crate::model::MailboxState;

/// What threading needs of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadHeaders {
    pub uid: u32,
    pub message_id: Option<String>,
    /// In-Reply-To and References, in any order.
    pub parents: Vec<String>,
}

/// Reads Message-ID, In-Reply-To and References from a header block.
pub fn parse(uid: u32, block: &[u8]) -> ThreadHeaders {
    let text = String::from_utf8_lossy(block);
    // Unfold continuation lines, then look at each field.
    let unfolded = text
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ")
        .replace("\n ", " ")
        .replace("\n\t", " ");
    let mut out = ThreadHeaders {
        uid,
        ..ThreadHeaders::default()
    };
    for line in unfolded.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let ids = angle_ids(value);
        match name.trim().to_ascii_lowercase().as_str() {
            "message-id" => out.message_id = ids.into_iter().next(),
            "in-reply-to" | "references" => out.parents.extend(ids),
            _ => {}
        }
    }
    out
}

/// `<id>` tokens of a header value, lower-cased for comparison.
fn angle_ids(value: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let id = &rest[start + 1..start + len];
        if !id.is_empty() && id.len() < 1000 {
            ids.push(id.to_ascii_lowercase());
        }
        rest = &rest[start + len + 1..];
    }
    ids
}

/// Disjoint sets of nodes, with path halving.
#[derive(Default)]
struct Sets {
    parent: Vec<usize>,
}

impl Sets {
    fn add(&mut self) -> usize {
        self.parent.push(self.parent.len());
        self.parent.len() - 1
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a] = b;
        }
    }
}

/// The node of a message id, created on first sight.
fn node_of<'a>(id: &'a str, by_id: &mut HashMap<&'a str, usize>, sets: &mut Sets) -> usize {
    *by_id.entry(id).or_insert_with(|| sets.add())
}

/// Conversations as UID lists (oldest first), the most recently active conversation first.
pub fn group(messages: &[ThreadHeaders]) -> Vec<Vec<u32>> {
    let mut sets = Sets::default();
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut nodes = Vec::with_capacity(messages.len());
    for m in messages {
        // A message without an id is its own conversation.
        let own = match &m.message_id {
            Some(id) => node_of(id, &mut by_id, &mut sets),
            None => sets.add(),
        };
        for p in &m.parents {
            let other = node_of(p, &mut by_id, &mut sets);
            sets.union(own, other);
        }
        nodes.push(own);
    }
    let mut groups: HashMap<usize, Vec<u32>> = HashMap::new();
    for (m, &n) in messages.iter().zip(&nodes) {
        groups.entry(sets.find(n)).or_default().push(m.uid);
    }
    let mut out: Vec<Vec<u32>> = groups
        .into_values()
        .map(|mut uids| {
            uids.sort_unstable();
            uids
        })
        .collect();
    out.sort_by(|a, b| b.last().cmp(&a.last()));
    out
}

/// A folder's conversations as a page of the conversation view needs them, most recently
/// active first, for one state of the folder (shared through the cache, see
/// [`super::cache::MailCache::threads`]).
///
/// Kept flat, one `Vec` of UIDs and one of boundaries, rather than a `Vec` per conversation:
/// a folder of 100,000 messages that are each their own conversation costs 800 KB instead
/// of about 4 MB of vector headers and allocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversations {
    /// The folder's state these were made for; any change makes them stale.
    pub state: MailboxState,
    /// Every conversation's UIDs, oldest first within one, conversations one after another.
    uids: Vec<u32>,
    /// Where each conversation ends in `uids`.
    ends: Vec<u32>,
    /// Messages (sequence numbers `1..=older`) left out of threading: shown after every
    /// conversation, one row each, newest first. They are all older than every threaded
    /// message, so "most recently active first" still holds.
    older: u32,
}

/// What one page of conversations holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationPage {
    /// Threaded conversations, each its UIDs oldest first.
    pub threads: Vec<Vec<u32>>,
    /// Older messages shown one per row, as the sequence range `(lo, hi)`, newest first.
    pub older: Option<(u32, u32)>,
}

impl Conversations {
    /// `threads` in display order, plus `older` messages left out of threading.
    pub fn new(state: MailboxState, threads: Vec<Vec<u32>>, older: u32) -> Conversations {
        let mut uids = Vec::with_capacity(threads.iter().map(Vec::len).sum());
        let mut ends = Vec::with_capacity(threads.len());
        for thread in threads.into_iter().filter(|t| !t.is_empty()) {
            uids.extend(thread);
            ends.push(uids.len() as u32);
        }
        Conversations {
            state,
            uids,
            ends,
            older,
        }
    }

    /// Rows of the conversation view: conversations plus older messages.
    pub fn len(&self) -> usize {
        self.ends.len() + self.older as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows `start..end` (clamped to [`Self::len`]).
    pub fn page(&self, start: usize, end: usize) -> ConversationPage {
        let end = end.min(self.len());
        let start = start.min(end);
        let threaded = self.ends.len();
        let threads = (start.min(threaded)..end.min(threaded))
            .map(|i| {
                let from = if i == 0 { 0 } else { self.ends[i - 1] as usize };
                self.uids[from..self.ends[i] as usize].to_vec()
            })
            .collect();
        // Row `threaded + k` is the k-th newest older message: sequence number `older - k`.
        let first = start.max(threaded) - threaded;
        let last = end.max(threaded) - threaded;
        let older =
            (first < last).then(|| (self.older - last as u32 + 1, self.older - first as u32));
        ConversationPage { threads, older }
    }

    /// Approximate bytes held, for the cache's weight.
    pub fn bytes(&self) -> usize {
        (self.uids.len() + self.ends.len()) * 4 + 64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_join_their_root_even_when_the_root_is_missing() {
        let messages = vec![
            parse(1, b"Message-ID: <A@x>\r\n\r\n"),
            parse(2, b"Message-ID: <B@x>\r\nIn-Reply-To: <A@x>\r\n\r\n"),
            parse(3, b"Message-ID: <C@x>\r\n\r\n"),
            parse(
                4,
                b"Message-ID: <D@x>\r\nReferences: <gone@x>\r\n <E@x>\r\n\r\n",
            ),
            parse(5, b"Message-ID: <E@x>\r\nReferences: <gone@x>\r\n\r\n"),
            parse(6, b"Message-ID: <F@x>\r\nReferences: <a@X> <B@x>\r\n\r\n"),
            parse(7, b"Subject: no id\r\n\r\n"),
        ];
        assert_eq!(
            group(&messages),
            vec![vec![7], vec![1, 2, 6], vec![4, 5], vec![3]]
        );
    }

    #[test]
    fn pages_run_through_the_conversations_then_the_older_messages_newest_first() {
        let all = Conversations::new(
            MailboxState::default(),
            vec![vec![20, 23], vec![22], vec![], vec![15, 16, 21]],
            5,
        );
        assert_eq!(all.len(), 8);
        let page = |start, end| all.page(start, end);
        assert_eq!(
            page(0, 2),
            ConversationPage {
                threads: vec![vec![20, 23], vec![22]],
                older: None
            }
        );
        assert_eq!(
            page(2, 5),
            ConversationPage {
                threads: vec![vec![15, 16, 21]],
                older: Some((4, 5))
            }
        );
        assert_eq!(page(5, 100).threads, Vec::<Vec<u32>>::new());
        assert_eq!(page(5, 100).older, Some((1, 3)));
        assert_eq!(
            page(8, 10),
            ConversationPage {
                threads: vec![],
                older: None
            }
        );
        // Without older messages, nothing past the conversations.
        let threaded = Conversations::new(MailboxState::default(), vec![vec![1], vec![2]], 0);
        assert_eq!(threaded.page(1, 50).older, None);
        assert_eq!(threaded.page(1, 50).threads, vec![vec![2]]);
        assert_eq!(threaded.bytes(), 4 * 4 + 64);
    }
}

/// Reads the conversations out of a `* THREAD` response line (RFC 5256): each top-level
/// parenthesised group is one conversation, whatever its inner tree.
pub fn parse_thread_line(line: &str) -> Vec<Vec<u32>> {
    let Some(rest) = line.trim_start().strip_prefix("* THREAD") else {
        return Vec::new();
    };
    let mut threads = Vec::new();
    let mut current: Vec<u32> = Vec::new();
    let mut depth = 0usize;
    let mut number = String::new();
    for c in rest.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        if let Ok(n) = number.parse::<u32>() {
            current.push(n);
        }
        number.clear();
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 && !current.is_empty() {
                    current.sort_unstable();
                    threads.push(std::mem::take(&mut current));
                }
            }
            _ => {}
        }
    }
    threads
}

#[cfg(test)]
mod thread_line_tests {
    use super::*;

    #[test]
    fn rfc_5256_example_gives_one_group_per_top_level_list() {
        let line = "* THREAD (2)(3 6 (4 23)(44 7 96))";
        assert_eq!(
            parse_thread_line(line),
            vec![vec![2], vec![3, 4, 6, 7, 23, 44, 96]]
        );
        assert!(parse_thread_line("* THREAD").is_empty());
        assert!(parse_thread_line("* OK nothing").is_empty());
    }
}
