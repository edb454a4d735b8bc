//! UID sets: the compact `1:3,7` syntax IMAP commands take, the [`Selection`] of messages an
//! action applies to, and the UIDs a COPYUID answer names.

/// Which messages of a folder an action applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Uids(Vec<u32>),
    /// Every message of the folder: one `1:*` UID set, whatever the folder's size.
    All,
}

impl Selection {
    pub fn to_set(&self) -> String {
        match self {
            Selection::Uids(uids) => uid_set(uids),
            Selection::All => "1:*".into(),
        }
    }

    /// Parses a compact UID set (`1:3,7`) as produced by [`Selection::to_set`].
    pub fn parse(set: &str) -> Option<Selection> {
        let mut uids = Vec::new();
        for piece in set.split(',') {
            match piece.split_once(':') {
                Some((a, b)) => {
                    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
                    if b < a || b - a > 1_000_000 {
                        return None;
                    }
                    uids.extend(a..=b);
                }
                None => uids.push(piece.parse().ok()?),
            }
        }
        (!uids.is_empty() && uids.iter().all(|&u| u > 0)).then_some(Selection::Uids(uids))
    }
}

/// `1,3,5:9` style UID set from a list (order irrelevant to the server).
pub(crate) fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// UIDs of a COPYUID set, in order.
pub(crate) fn expand(set: &[async_imap::imap_proto::rfc4315::UidSetMember]) -> Vec<u32> {
    use async_imap::imap_proto::rfc4315::UidSetMember;
    set.iter()
        .flat_map(|m| match m {
            UidSetMember::Uid(u) => *u..=*u,
            UidSetMember::UidRange(r) => r.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_compress_runs() {
        assert_eq!(uid_set(&[5, 1, 2, 3, 9, 10]), "1:3,5,9:10");
        assert_eq!(uid_set(&[7]), "7");
    }
}
