//! Text folded for matching and sorting: lower case, accents dropped, so `joao` finds `João`
//! and `Élia` sorts beside `Elia`, as people expect of an address book in Portuguese.
//!
//! NFD splits `ã` into `a` + a combining tilde, and the marks (U+0300–U+036F, what Latin
//! scripts use) are left out. Full Unicode collation (ICU4X's collator) was rejected: it
//! needs a large data crate for what a list of names does not need.

use icu_normalizer::DecomposingNormalizerBorrowed;

/// `text` in lower case without accents.
pub fn fold(text: &str) -> String {
    DecomposingNormalizerBorrowed::new_nfd()
        .normalize(text)
        .chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_do_not_matter() {
        assert_eq!(fold("João Conceição"), "joao conceicao");
        assert_eq!(fold("ÉLIA"), "elia");
        assert!(fold("Antônio Brandão").contains(&fold("antonio")));
        assert_eq!(fold("ana@example.com"), "ana@example.com");
        // Scripts without combining Latin marks are kept as they are.
        assert_eq!(fold("Ωμέγα"), "ωμεγα");
        assert_eq!(fold("日本"), "日本");
    }
}
