//! A person's preferences: what they are, their defaults, and how they are kept.
//!
//! They live on the IMAP server as private METADATA entries (one per preference, so an
//! entry another client or an older Carteiro does not know is simply ignored), which every
//! Carteiro instance and every device reads; on a server without METADATA, as the same
//! entries in one message of a private folder (`crate::imap::conn`'s settings folder). At
//! login they are read in one GETMETADATA (or one read of that folder) and copied into the
//! session record, so no page has to ask the server for them again.

use std::collections::HashMap;

use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};

/// Where each preference lives on the server (private, server-level annotations).
pub const LANGUAGE: &str = "/private/vendor/carteiro/language";
pub const THEME: &str = "/private/vendor/carteiro/theme";
pub const PAGE_SIZE: &str = "/private/vendor/carteiro/page-size";
pub const KNOWN_IMAGES: &str = "/private/vendor/carteiro/images-from-known-senders";
pub const DISPLAY_NAME: &str = "/private/vendor/carteiro/display-name";

/// Every entry read at login.
pub const ENTRIES: [&str; 5] = [LANGUAGE, THEME, PAGE_SIZE, KNOWN_IMAGES, DISPLAY_NAME];

/// Messages per list page a person may choose; the first one that is not the default is
/// what a phone on a slow link wants, the last what a desktop wants.
pub const PAGE_SIZES: [usize; 3] = [25, 50, 100];
pub const DEFAULT_PAGE_SIZE: usize = 50;
/// Longest display name kept (it goes into every From header).
const MAX_DISPLAY_NAME: usize = 100;

/// Light, dark, or whatever the system says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn parse(text: &str) -> Theme {
        match text {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::Auto,
        }
    }

    /// The stored word; empty for automatic (nothing stored).
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Everything a person can set, with the defaults a new account gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preferences {
    /// A language tag (`pt-BR`), or `None` for the browser's.
    pub language: Option<String>,
    pub theme: Theme,
    pub page_size: usize,
    /// Remote images are shown without asking in mail from people the person has written to.
    pub known_images: bool,
    /// The name put before the address in From; `None` sends the bare address.
    pub display_name: Option<String>,
}

impl Default for Preferences {
    fn default() -> Preferences {
        Preferences {
            language: None,
            theme: Theme::Auto,
            page_size: DEFAULT_PAGE_SIZE,
            known_images: false,
            display_name: None,
        }
    }
}

impl Preferences {
    /// From the server's entries (entry name → value); unknown or malformed values fall back
    /// to the default, so a value written by hand or by a newer version never breaks a page.
    pub fn from_entries(entries: &HashMap<String, String>) -> Preferences {
        let get = |name: &str| {
            entries
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let mut prefs = Preferences::default();
        prefs.set(LANGUAGE, get(LANGUAGE).unwrap_or(""));
        prefs.set(THEME, get(THEME).unwrap_or(""));
        prefs.set(PAGE_SIZE, get(PAGE_SIZE).unwrap_or(""));
        prefs.set(KNOWN_IMAGES, get(KNOWN_IMAGES).unwrap_or(""));
        prefs.set(DISPLAY_NAME, get(DISPLAY_NAME).unwrap_or(""));
        prefs
    }

    /// Sets one preference from its stored text, keeping only valid values.
    fn set(&mut self, entry: &str, value: &str) {
        match entry {
            LANGUAGE => {
                self.language = crate::i18n::Lang::from_tag(value).map(|l| l.tag());
            }
            THEME => self.theme = Theme::parse(value),
            PAGE_SIZE => {
                self.page_size = value
                    .parse()
                    .ok()
                    .filter(|n| PAGE_SIZES.contains(n))
                    .unwrap_or(DEFAULT_PAGE_SIZE);
            }
            KNOWN_IMAGES => self.known_images = value == "yes",
            DISPLAY_NAME => self.display_name = clean_display_name(value),
            _ => {}
        }
    }

    /// The entries to store: `None` removes one (the default is never written).
    pub fn entries(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            (LANGUAGE, self.language.clone()),
            (
                THEME,
                Some(self.theme.as_str().to_string()).filter(|t| !t.is_empty()),
            ),
            (
                PAGE_SIZE,
                (self.page_size != DEFAULT_PAGE_SIZE).then(|| self.page_size.to_string()),
            ),
            (KNOWN_IMAGES, self.known_images.then(|| "yes".to_string())),
            (DISPLAY_NAME, self.display_name.clone()),
        ]
    }

    /// A compact one-line form for the session record: `entry=value` pairs, values
    /// percent-encoded, so the record's line-based layout stays intact.
    pub fn encode(&self) -> String {
        self.entries()
            .into_iter()
            .filter_map(|(entry, value)| {
                let value = value?;
                let name = entry.rsplit('/').next().unwrap_or(entry);
                Some(format!(
                    "{name}={}",
                    utf8_percent_encode(&value, NON_ALPHANUMERIC)
                ))
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Reads [`Preferences::encode`]'s form; anything unreadable is the default.
    pub fn decode(text: &str) -> Preferences {
        let mut prefs = Preferences::default();
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let value = percent_decode_str(value).decode_utf8_lossy();
            if let Some(entry) = ENTRIES.iter().find(|e| e.rsplit('/').next() == Some(name)) {
                prefs.set(entry, &value);
            }
        }
        prefs
    }
}

/// A display name as it may go into a From header: one line, no control characters, not
/// too long; empty means none.
pub fn clean_display_name(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_DISPLAY_NAME)
        .collect();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn nothing_stored_is_the_defaults() {
        assert_eq!(
            Preferences::from_entries(&HashMap::new()),
            Preferences::default()
        );
        assert!(Preferences::default()
            .entries()
            .iter()
            .all(|(_, v)| v.is_none()));
    }

    #[test]
    fn stored_values_are_read_and_bad_ones_fall_back() {
        let prefs = Preferences::from_entries(&entries(&[
            (LANGUAGE, "pt-BR"),
            (THEME, "dark"),
            (PAGE_SIZE, "100"),
            (KNOWN_IMAGES, "yes"),
            (DISPLAY_NAME, "  Alice\r\nSilva  "),
        ]));
        assert_eq!(prefs.language.as_deref(), Some("pt-BR"));
        assert_eq!(prefs.theme, Theme::Dark);
        assert_eq!(prefs.page_size, 100);
        assert!(prefs.known_images);
        assert_eq!(prefs.display_name.as_deref(), Some("Alice Silva"));

        let bad = Preferences::from_entries(&entries(&[
            (LANGUAGE, "xx"),
            (THEME, "neon"),
            (PAGE_SIZE, "100000"),
            (KNOWN_IMAGES, "maybe"),
            (DISPLAY_NAME, " \t "),
        ]));
        assert_eq!(bad, Preferences::default());
    }

    #[test]
    fn the_session_form_round_trips() {
        let prefs = Preferences {
            language: Some("pt-BR".into()),
            theme: Theme::Light,
            page_size: 25,
            known_images: true,
            display_name: Some("Zé & Ana = \"nós\"".into()),
        };
        let text = prefs.encode();
        assert!(!text.contains('\n'));
        assert_eq!(Preferences::decode(&text), prefs);
        assert_eq!(Preferences::decode(""), Preferences::default());
        assert_eq!(
            Preferences::decode("garbage&&theme"),
            Preferences::default()
        );
    }
}
