//! `.vcf` files: many cards in one, read for an import and written for an export.
//!
//! An import file is split into cards at their `BEGIN:VCARD` / `END:VCARD` lines before
//! `calcard` reads each one, so a broken card is one entry skipped (and named in the
//! report) instead of swallowing the cards after it, and each card is bounded on its own.
//! The file is bounded too: [`MAX_IMPORT_BYTES`], [`MAX_IMPORT_CARDS`].

use calcard::vcard::VCardVersion;

use super::vcard::{self, CardProblem};
use super::Contact;

/// Largest `.vcf` read (a phone's whole address book with photos is a few megabytes).
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;
/// Most cards read from one file; the rest are counted, not read.
pub const MAX_IMPORT_CARDS: usize = 5000;
/// Most skipped entries named one by one in a report; more are only counted.
pub const MAX_LISTED: usize = 200;
/// Longest label of a skipped entry.
const MAX_LABEL: usize = 80;

/// One card of a file, read.
#[derive(Clone, Debug)]
pub struct ImportedCard {
    /// Its place in the file, from 1 (as [`Skipped::position`]).
    pub position: usize,
    pub contact: Contact,
    /// The card as it will be stored: re-written by calcard (folding, line ends), with a
    /// `UID` added when it had none, nothing else changed.
    pub vcard: String,
}

/// Why an entry of a file was not imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Not a card the parser could read, or text outside any card.
    Malformed,
    /// Neither a name nor an address.
    NoNameOrAddress,
    /// Over the size or property bound of one card.
    TooLarge,
    /// Past [`MAX_IMPORT_CARDS`].
    TooMany,
    /// A card with the same `UID` is already in the address book.
    AlreadyThere,
    /// The store failed before this card was saved.
    NotSaved,
}

impl From<CardProblem> for SkipReason {
    fn from(p: CardProblem) -> Self {
        match p {
            CardProblem::Malformed => SkipReason::Malformed,
            CardProblem::Empty => SkipReason::NoNameOrAddress,
            CardProblem::TooLarge => SkipReason::TooLarge,
        }
    }
}

/// An entry of a file that was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Its place in the file, from 1.
    pub position: usize,
    /// What names it: its name or address when readable, else its first line (bounded).
    pub label: String,
    pub reason: SkipReason,
}

/// A file read: the cards to import and what was skipped.
#[derive(Clone, Debug, Default)]
pub struct Import {
    pub cards: Vec<ImportedCard>,
    /// Skipped entries, the first [`MAX_LISTED`].
    pub skipped: Vec<Skipped>,
    /// How many entries were skipped in all (more than `skipped` holds when there were many).
    pub skipped_total: usize,
}

impl Import {
    /// Notes a skipped entry, naming it while the list is short.
    pub fn skip(&mut self, position: usize, label: &str, reason: SkipReason) {
        self.skipped_total += 1;
        if self.skipped.len() < MAX_LISTED {
            self.skipped.push(Skipped {
                position,
                label: label.chars().take(MAX_LABEL).collect(),
                reason,
            });
        }
    }
}

/// Reads a `.vcf` file: vCard 3 or 4 (2.1 too, as calcard reads it), CRLF or LF line ends,
/// folded lines, a byte-order mark, bytes that are not UTF-8 (replaced). A file over
/// [`MAX_IMPORT_BYTES`] is refused whole (`None`).
pub fn import(bytes: &[u8]) -> Option<Import> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut out = Import::default();
    let mut position = 0;
    for chunk in chunks(text) {
        position += 1;
        match chunk {
            Chunk::Card(_, _) if position > MAX_IMPORT_CARDS => {
                out.skip(position, "", SkipReason::TooMany)
            }
            Chunk::Card(card, false) => out.skip(position, &label_of(card), SkipReason::Malformed),
            Chunk::Card(card, true) => match read_card(card, position) {
                Ok(imported) => out.cards.push(imported),
                Err(reason) => out.skip(position, &label_of(card), reason),
            },
            Chunk::Stray(stray) => out.skip(position, first_line(stray), SkipReason::Malformed),
        }
    }
    Some(out)
}

/// Every card as one file, each ending with CRLF as vCard wants.
pub fn export<'a>(cards: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for card in cards {
        let card = card.trim_start_matches('\u{feff}').trim();
        if card.is_empty() {
            continue;
        }
        out.push_str(card);
        out.push_str("\r\n");
    }
    out
}

fn read_card(text: &str, position: usize) -> Result<ImportedCard, SkipReason> {
    let mut contact = vcard::read(text)?;
    let vcard = if contact.uid.is_empty() {
        contact.uid = vcard::fresh_uid();
        vcard::edited(text, &contact)?
    } else {
        let card = vcard::parse(text)?;
        let version = card.version().unwrap_or(VCardVersion::V3_0);
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = card.write_to(&mut out, version);
        out
    };
    Ok(ImportedCard {
        position,
        contact,
        vcard,
    })
}

/// What an entry is called in a report: its name or address when it can be read.
fn label_of(card: &str) -> String {
    vcard::parse(card)
        .ok()
        .map(|c| vcard::contact_of(&c))
        .map(|c| c.display_name().to_string())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| {
            // Past the BEGIN line, the first line says what the entry is.
            card.lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.eq_ignore_ascii_case("BEGIN:VCARD"))
                .unwrap_or_default()
                .to_string()
        })
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

/// A piece of a file: one card (BEGIN to END, or to where the next card begins when its
/// END is missing: then marked as not ended), or text found between cards.
enum Chunk<'a> {
    Card(&'a str, bool),
    Stray(&'a str),
}

/// Splits a file at its card boundaries, in one pass over its lines.
fn chunks(text: &str) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let mut card_start: Option<usize> = None;
    let mut stray_start: Option<usize> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let word = line.trim();
        if word.eq_ignore_ascii_case("BEGIN:VCARD") {
            if let Some(s) = stray_start.take() {
                out.push(Chunk::Stray(&text[s..start]));
            }
            // A card still open was never ended: it is what it is, up to here.
            if let Some(s) = card_start.replace(start) {
                out.push(Chunk::Card(&text[s..start], false));
            }
        } else if word.eq_ignore_ascii_case("END:VCARD") {
            if let Some(s) = card_start.take() {
                out.push(Chunk::Card(&text[s..at], true));
            } else if stray_start.is_none() {
                stray_start = Some(start);
            }
        } else if card_start.is_none() && stray_start.is_none() && !word.is_empty() {
            stray_start = Some(start);
        }
    }
    if let Some(s) = card_start {
        out.push(Chunk::Card(&text[s..], false));
    }
    if let Some(s) = stray_start {
        out.push(Chunk::Stray(&text[s..]));
    }
    out
}

#[cfg(test)]
mod tests;
