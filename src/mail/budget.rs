//! How much a message being written may hold, counted before anything is loaded: its text,
//! the files uploaded with it and the parts it keeps from the server, against the message
//! size limit. A file or part that does not fit in what is left is never read into memory.

/// Most parts a message keeps from the server by reference. Each costs a FETCH (and its
/// message's structure, once per message), so a form repeating references by the thousand
/// must not turn into thousands of commands; a person attaching this many files has long
/// since reached the size limit anyway.
pub const MAX_KEPT: usize = 100;

/// A running total of a message's bytes against the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    limit: u64,
    used: u64,
}

impl Budget {
    pub fn new(limit: usize) -> Budget {
        Budget {
            limit: limit as u64,
            used: 0,
        }
    }

    /// The message size limit, in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes not yet counted.
    pub fn left(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }

    /// Counts `bytes` when they fit in what is left; `false`, counting nothing, otherwise.
    pub fn take(&mut self, bytes: u64) -> bool {
        if bytes > self.left() {
            return false;
        }
        self.used += bytes;
        true
    }

    /// Counts `bytes` whether or not they fit: text the person typed is never dropped, it
    /// only leaves less room for files.
    pub fn charge(&mut self, bytes: u64) {
        self.used = self.used.saturating_add(bytes);
    }
}

/// The largest draft saved, for a message size limit of `limit`. A draft holds what the form
/// may hold, up to `limit` in text and files, once encoded: base64 makes files a third larger
/// and headers and line ends add more, so a message refused by the SMTP server for its size
/// can still be kept as a draft. Twice the limit leaves room for that, whatever the limit.
pub fn draft_limit(limit: usize) -> usize {
    limit.saturating_mul(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_does_not_fit_is_not_counted_and_typed_text_always_is() {
        let mut budget = Budget::new(100);
        assert!(budget.take(60));
        assert!(!budget.take(41), "over by one");
        assert_eq!(budget.left(), 40);
        assert!(budget.take(40));
        assert!(!budget.take(1));
        budget.charge(500);
        assert_eq!(budget.left(), 0);
        assert!(budget.take(0));
    }
}
