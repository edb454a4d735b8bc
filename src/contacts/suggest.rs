//! The recipient suggestion index: every address of the address book (with its contact's
//! name) and every collected address, with their matching keys folded once when the index
//! is built, so answering a keystroke is a scan of ready-made keys and no folding of
//! thousands of names.
//!
//! Matching is case- and accent-insensitive ([`fold`]: `joao` finds `João`, `sao` finds
//! `São`), by prefix of any word of the name or of the address (its local part and domain
//! split at `.`, `_`, `-`, `+`, `@`); every word typed must match. Best first: the name or
//! address starting with what was typed, then a name word, then an address word, then a
//! match inside a word; within each, contacts before collected addresses, then the addresses
//! written to most often, most recently.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use super::collected::CollectedAddress;
use super::fold::fold;
use super::Contact;

/// At most how many suggestions one query answers.
pub const MAX_RESULTS: usize = 10;

/// Where a suggestion comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The address book.
    Contact,
    /// Someone the person has written to, not in the address book.
    Collected,
}

/// One suggested recipient.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suggestion {
    /// The name to show and to write before the address; may be empty.
    pub name: String,
    pub address: String,
    pub source: Source,
}

impl Suggestion {
    /// The text a recipient field takes: `Name <address>`, the name quoted when it holds
    /// characters an address list gives a meaning to (`"Silva, João" <joao@example.com>`).
    pub fn field_text(&self) -> String {
        let name = self.name.trim();
        if name.is_empty() {
            return self.address.clone();
        }
        let plain = name
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || "!#$%&'*+-/=?^_`{|}~".contains(c));
        if plain {
            format!("{name} <{}>", self.address)
        } else {
            let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
            format!("\"{escaped}\" <{}>", self.address)
        }
    }
}

/// One address with its folded keys.
struct Entry {
    suggestion: Suggestion,
    /// The whole name and address, folded.
    name: String,
    address: String,
    /// Their words, folded.
    name_words: Vec<String>,
    address_words: Vec<String>,
    /// How often and how lately the person wrote to it (0 when never).
    count: u32,
    last_uid: u32,
}

/// How well an entry matches; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    /// The whole name or address starts with the query.
    Start,
    /// Every word typed starts a word of the name.
    NameWord,
    /// Every word typed starts a word of the name or of the address.
    AnyWord,
    /// The query is found inside the name or address.
    Inside,
}

/// A query's words, folded once.
struct Query {
    whole: String,
    words: Vec<String>,
}

/// Suggestions for one account, built from its contacts and collected addresses.
#[derive(Default)]
pub struct SuggestionIndex {
    /// Sorted by name (folded), so equal matches come alphabetically.
    entries: Vec<Entry>,
}

impl SuggestionIndex {
    /// Each address of each contact, then each collected address that no contact has.
    pub fn build(contacts: &[Contact], collected: &[CollectedAddress]) -> SuggestionIndex {
        let written: HashMap<String, &CollectedAddress> = collected
            .iter()
            .map(|c| (c.address.to_lowercase(), c))
            .collect();
        let mut seen: HashSet<String> = HashSet::new();
        let mut entries = Vec::new();
        for contact in contacts {
            for address in &contact.emails {
                let address = address.trim();
                if address.is_empty() || !seen.insert(address.to_lowercase()) {
                    continue;
                }
                let (count, last_uid) = written
                    .get(&address.to_lowercase())
                    .map_or((0, 0), |c| (c.count, c.last_uid));
                entries.push(Entry::new(
                    contact.name.trim(),
                    address,
                    Source::Contact,
                    count,
                    last_uid,
                ));
            }
        }
        for c in collected {
            if seen.insert(c.address.to_lowercase()) {
                entries.push(Entry::new(
                    &c.name,
                    &c.address,
                    Source::Collected,
                    c.count,
                    c.last_uid,
                ));
            }
        }
        entries.sort_by(|a, b| (&a.name, &a.address).cmp(&(&b.name, &b.address)));
        SuggestionIndex { entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` matches of what was typed, best first; none for a blank query.
    pub fn query(&self, typed: &str, limit: usize) -> Vec<Suggestion> {
        let Some(query) = Query::new(typed) else {
            return Vec::new();
        };
        let mut found: Vec<_> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let tier = e.matches(&query)?;
                Some((
                    (
                        tier,
                        e.suggestion.source,
                        Reverse(e.count),
                        Reverse(e.last_uid),
                    ),
                    i,
                ))
            })
            .collect();
        if found.len() > limit && limit > 0 {
            found.select_nth_unstable(limit - 1);
            found.truncate(limit);
        }
        found.sort_unstable();
        found
            .into_iter()
            .take(limit)
            .map(|(_, i)| self.entries[i].suggestion.clone())
            .collect()
    }

    /// The `limit` addresses most likely wanted with nothing typed yet: the ones written to
    /// most (and most lately), then the other contacts alphabetically. What the compose
    /// page offers without JavaScript.
    pub fn top(&self, limit: usize) -> Vec<&Suggestion> {
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        order.sort_by_key(|&i| {
            let e = &self.entries[i];
            (
                Reverse(e.count),
                Reverse(e.last_uid),
                e.suggestion.source,
                i,
            )
        });
        order
            .into_iter()
            .take(limit)
            .map(|i| &self.entries[i].suggestion)
            .collect()
    }
}

impl Entry {
    fn new(name: &str, address: &str, source: Source, count: u32, last_uid: u32) -> Entry {
        let name_folded = fold(name);
        let address_folded = fold(address);
        Entry {
            name_words: words(&name_folded),
            address_words: words(&address_folded),
            name: name_folded,
            address: address_folded,
            suggestion: Suggestion {
                name: name.to_string(),
                address: address.to_string(),
                source,
            },
            count,
            last_uid,
        }
    }

    fn matches(&self, q: &Query) -> Option<Tier> {
        if self.name.starts_with(&q.whole) || self.address.starts_with(&q.whole) {
            return Some(Tier::Start);
        }
        let starts = |words: &[String], w: &str| words.iter().any(|x| x.starts_with(w));
        if q.words.iter().all(|w| starts(&self.name_words, w)) {
            return Some(Tier::NameWord);
        }
        if q.words
            .iter()
            .all(|w| starts(&self.name_words, w) || starts(&self.address_words, w))
        {
            return Some(Tier::AnyWord);
        }
        // Inside a word only from two letters on: one letter is found almost everywhere.
        if q.whole.chars().count() >= 2
            && (self.name.contains(&q.whole) || self.address.contains(&q.whole))
        {
            return Some(Tier::Inside);
        }
        None
    }
}

impl Query {
    fn new(typed: &str) -> Option<Query> {
        let whole = fold(typed.trim());
        let words = words(&whole);
        (!whole.is_empty()).then_some(Query { whole, words })
    }
}

/// The words of a folded text: runs of letters and digits.
fn words(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(name: &str, emails: &[&str]) -> Contact {
        Contact {
            name: name.into(),
            emails: emails.iter().map(|e| e.to_string()).collect(),
            ..Default::default()
        }
    }

    fn collected(name: &str, address: &str, count: u32, last_uid: u32) -> CollectedAddress {
        CollectedAddress {
            name: name.into(),
            address: address.into(),
            count,
            last_uid,
        }
    }

    fn addresses(found: &[Suggestion]) -> Vec<&str> {
        found.iter().map(|s| s.address.as_str()).collect()
    }

    fn sample() -> SuggestionIndex {
        SuggestionIndex::build(
            &[
                contact(
                    "João Conceição",
                    &["joao@example.com", "jc@trabalho.example"],
                ),
                contact("Maria de São Pedro", &["maria.pedro@example.com"]),
                contact("Ana Souza", &["ana@example.com"]),
            ],
            &[
                collected("Joana Prado", "joana@example.org", 5, 9),
                collected("", "joaquim.sao@example.net", 1, 3),
                // Also a contact: shown once, as the contact.
                collected("Ana S.", "ANA@example.com", 2, 8),
            ],
        )
    }

    #[test]
    fn accents_and_case_do_not_matter() {
        let index = sample();
        assert_eq!(
            addresses(&index.query("joao", 10)),
            ["jc@trabalho.example", "joao@example.com"]
        );
        assert_eq!(
            addresses(&index.query("JOÃO", 10))[0],
            "jc@trabalho.example"
        );
        assert_eq!(
            addresses(&index.query("sao", 10)),
            ["maria.pedro@example.com", "joaquim.sao@example.net"]
        );
        assert_eq!(addresses(&index.query("CONCEICAO", 10)).len(), 2);
    }

    #[test]
    fn a_collected_address_that_is_a_contact_shows_once_as_the_contact() {
        let found = sample().query("ana", 10);
        let ana: Vec<&Suggestion> = found
            .iter()
            .filter(|s| s.address.eq_ignore_ascii_case("ana@example.com"))
            .collect();
        assert_eq!(ana.len(), 1, "{found:?}");
        assert_eq!(ana[0].source, Source::Contact);
        assert_eq!(ana[0].name, "Ana Souza");
        // First: a name start beats Joana's inner "ana".
        assert_eq!(found[0].address, "ana@example.com");
        assert_eq!(addresses(&found), ["ana@example.com", "joana@example.org"]);
    }

    #[test]
    fn name_and_address_starts_come_before_words_and_contacts_before_collected() {
        let index = sample();
        // "jo": both João's addresses (a contact, name start), then Joana and Joaquim
        // (collected), Joana written to more often.
        assert_eq!(
            addresses(&index.query("jo", 10)),
            [
                "jc@trabalho.example",
                "joao@example.com",
                "joana@example.org",
                "joaquim.sao@example.net"
            ]
        );
        // "pedro": the start of a name word, and of an address word, before an inside match.
        let index = SuggestionIndex::build(
            &[contact("Lupedro Alves", &["lu@example.com"])],
            &[collected("", "x.pedro@example.com", 1, 1)],
        );
        assert_eq!(
            addresses(&index.query("pedro", 10)),
            ["x.pedro@example.com", "lu@example.com"]
        );
    }

    #[test]
    fn every_word_typed_must_start_a_word_and_domains_count() {
        let index = sample();
        assert_eq!(
            addresses(&index.query("maria pedro", 10)),
            ["maria.pedro@example.com"]
        );
        assert_eq!(addresses(&index.query("pedro maria", 10)).len(), 1);
        assert_eq!(
            addresses(&index.query("trabalho", 10)),
            ["jc@trabalho.example"]
        );
        assert!(index.query("maria ana", 10).is_empty());
        assert!(index.query("   ", 10).is_empty());
        assert!(index.query("zzz", 10).is_empty());
    }

    #[test]
    fn frequency_then_recency_order_equal_matches_and_results_are_bounded() {
        let many: Vec<CollectedAddress> = (0..30)
            .map(|i| collected("", &format!("p{i:02}@example.com"), i % 3, i))
            .collect();
        let index = SuggestionIndex::build(&[], &many);
        let found = index.query("p", MAX_RESULTS);
        assert_eq!(found.len(), MAX_RESULTS);
        // count 2 first (i = 29, 26, 23, …), the most recent of them first.
        assert_eq!(
            addresses(&found[..3]),
            ["p29@example.com", "p26@example.com", "p23@example.com"]
        );
        let top = index.top(5);
        assert_eq!(top[0].address, "p29@example.com");
        assert_eq!(top.len(), 5);
    }

    #[test]
    fn field_text_quotes_names_that_an_address_list_would_misread() {
        let s = |name: &str| Suggestion {
            name: name.into(),
            address: "a@example.com".into(),
            source: Source::Contact,
        };
        assert_eq!(s("João Silva").field_text(), "João Silva <a@example.com>");
        assert_eq!(
            s("Silva, João").field_text(),
            "\"Silva, João\" <a@example.com>"
        );
        assert_eq!(
            s("A \"B\" C.").field_text(),
            "\"A \\\"B\\\" C.\" <a@example.com>"
        );
        assert_eq!(s("").field_text(), "a@example.com");
        for name in ["João Silva", "Silva, João", "A \"B\" C."] {
            let parsed = crate::smtp::compose::parse_addresses(&s(name).field_text())
                .expect("a field text parses back");
            assert_eq!(parsed.len(), 1);
            assert_eq!(parsed[0].email.to_string(), "a@example.com");
        }
    }
}
