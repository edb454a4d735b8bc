//! One vCard's text and the [`Contact`] pages show, both ways, with `calcard` (vCard 3 and 4).
//!
//! Reading takes the name (`FN`, else `N`), the addresses in `PREF` order, phones,
//! organisation, note and `UID`. Writing an edit starts from the card as stored and changes
//! only the properties whose value changed: a photo, a birthday or an address added by
//! another app stays as it was, and so do the parameters (`TYPE=work`) of a value kept.
//!
//! Cards come from other apps, other servers and uploaded files: every parse is bounded in
//! size and wrapped in `catch_unwind`, so a card the parser chokes on is one card refused,
//! never a failed request.

use std::panic::{catch_unwind, AssertUnwindSafe};

use calcard::vcard::{
    VCard, VCardEntry, VCardParameter, VCardParameterName, VCardParameterValue, VCardProperty,
    VCardValue, VCardVersion,
};

use super::Contact;

/// Largest card read: room for a small photo, not for a file posing as a card (the
/// private-folder store keeps no larger one either).
pub const MAX_CARD_BYTES: usize = 256 * 1024;
/// Most properties a card may have (a card with 10,000 addresses is not a person's).
pub const MAX_PROPERTIES: usize = 1000;
/// Longest value Carteiro writes into a field (a name, an address, a note is longer).
pub const MAX_FIELD: usize = 1000;
/// Longest note written.
pub const MAX_NOTE: usize = 10_000;
/// Most addresses, or phones, a contact keeps.
pub const MAX_VALUES: usize = 50;

/// Why a card could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardProblem {
    /// Not a vCard, or one the parser could not read.
    Malformed,
    /// Neither a name nor an address: nothing to show or write to.
    Empty,
    /// Over [`MAX_CARD_BYTES`] or [`MAX_PROPERTIES`].
    TooLarge,
}

/// Parses one card, within the bounds, without letting the parser's panic out.
pub fn parse(text: &str) -> Result<VCard, CardProblem> {
    if text.len() > MAX_CARD_BYTES {
        return Err(CardProblem::TooLarge);
    }
    let text = text.trim_start_matches('\u{feff}');
    let card = catch_unwind(AssertUnwindSafe(|| VCard::parse(text)))
        .map_err(|_| CardProblem::Malformed)?
        .map_err(|_| CardProblem::Malformed)?;
    if card.entries.len() > MAX_PROPERTIES {
        return Err(CardProblem::TooLarge);
    }
    Ok(card)
}

/// Reads a card into a contact (without its store id), refusing one with neither a name
/// nor an address.
pub fn read(text: &str) -> Result<Contact, CardProblem> {
    let contact = contact_of(&parse(text)?);
    if contact.name.trim().is_empty() && contact.emails.is_empty() {
        return Err(CardProblem::Empty);
    }
    Ok(contact)
}

/// What Carteiro shows of a parsed card.
pub fn contact_of(card: &VCard) -> Contact {
    let name = first_text(card, &VCardProperty::Fn)
        .filter(|n| !n.trim().is_empty())
        .or_else(|| card.property(&VCardProperty::N).map(name_of_n))
        .unwrap_or_default();
    Contact {
        id: String::new(),
        version: String::new(),
        uid: card.uid().unwrap_or_default().trim().to_string(),
        name: name.trim().to_string(),
        emails: in_pref_order(card, &VCardProperty::Email, "mailto:"),
        phones: in_pref_order(card, &VCardProperty::Tel, "tel:"),
        organization: card
            .property(&VCardProperty::Org)
            .map(|e| joined(e, ", "))
            .unwrap_or_default(),
        note: card
            .properties(&VCardProperty::Note)
            .map(|e| joined(e, ", "))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// A new card for `contact`, with a fresh `UID` when it has none.
pub fn new_card(contact: &Contact) -> String {
    let mut contact = clean(contact);
    if contact.uid.is_empty() {
        contact.uid = fresh_uid();
    }
    let mut card = VCard {
        entries: vec![entry(
            VCardProperty::Prodid,
            vec![text("-//Carteiro//Address book//EN")],
        )],
    };
    let none = Contact::default();
    apply(&mut card, &none, &contact, VCardVersion::V3_0);
    write(&card, VCardVersion::V3_0)
}

/// The stored card `original` with the contact's fields as edited, everything else kept.
pub fn edited(original: &str, contact: &Contact) -> Result<String, CardProblem> {
    let mut card = parse(original)?;
    let version = card.version().unwrap_or(VCardVersion::V3_0);
    let before = contact_of(&card);
    let mut after = clean(contact);
    // The UID is the card's identity: an edit never changes it, and a card without one
    // gets one (the one given, else a fresh one).
    if !before.uid.is_empty() {
        after.uid = before.uid.clone();
    } else if after.uid.is_empty() {
        after.uid = fresh_uid();
    }
    apply(&mut card, &before, &after, version);
    Ok(write(&card, version))
}

/// A contact as Carteiro writes it: fields trimmed and bounded, one line where a line is
/// expected, empty values dropped.
pub fn clean(contact: &Contact) -> Contact {
    let line = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(MAX_FIELD)
            .collect::<String>()
            .trim()
            .to_string()
    };
    let list = |values: &[String]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in values.iter().map(|v| line(v)).filter(|v| !v.is_empty()) {
            if out.len() < MAX_VALUES && !out.contains(&v) {
                out.push(v);
            }
        }
        out
    };
    Contact {
        id: contact.id.clone(),
        version: contact.version.clone(),
        uid: line(&contact.uid),
        name: line(&contact.name),
        emails: list(&contact.emails),
        phones: list(&contact.phones),
        organization: line(&contact.organization),
        note: contact
            .note
            .replace("\r\n", "\n")
            .chars()
            .filter(|c| *c == '\n' || !c.is_control())
            .take(MAX_NOTE)
            .collect::<String>()
            .trim()
            .to_string(),
    }
}

/// A random `UID` (a version-4 UUID), as other apps write them.
pub fn fresh_uid() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

/// Changes in `card` the properties whose value differs between `before` and `after`.
fn apply(card: &mut VCard, before: &Contact, after: &Contact, version: VCardVersion) {
    let v4 = version == VCardVersion::V4_0;
    if after.uid != before.uid {
        replace(
            card,
            &VCardProperty::Uid,
            vec![entry(VCardProperty::Uid, vec![text(&after.uid)])],
        );
    }
    if after.name != before.name || card.property(&VCardProperty::Fn).is_none() {
        replace(
            card,
            &VCardProperty::Fn,
            vec![entry(VCardProperty::Fn, vec![text(&after.name)])],
        );
        // vCard 3 requires N, and apps that sort by it would show the old name.
        replace(
            card,
            &VCardProperty::N,
            vec![entry(VCardProperty::N, n_of_name(&after.name))],
        );
    }
    if after.emails != before.emails {
        let entries = list_entries(card, &VCardProperty::Email, &after.emails, v4);
        replace(card, &VCardProperty::Email, entries);
    }
    if after.phones != before.phones {
        let entries = list_entries(card, &VCardProperty::Tel, &after.phones, v4);
        replace(card, &VCardProperty::Tel, entries);
    }
    if after.organization != before.organization {
        let org = (!after.organization.is_empty())
            .then(|| entry(VCardProperty::Org, vec![text(&after.organization)]));
        replace(card, &VCardProperty::Org, org.into_iter().collect());
    }
    if after.note != before.note {
        let note =
            (!after.note.is_empty()).then(|| entry(VCardProperty::Note, vec![text(&after.note)]));
        replace(card, &VCardProperty::Note, note.into_iter().collect());
    }
}

/// Puts `entries` where the first `property` was (or at the end), removing the others.
fn replace(card: &mut VCard, property: &VCardProperty, entries: Vec<VCardEntry>) {
    let at = card
        .entries
        .iter()
        .position(|e| &e.name == property)
        .unwrap_or(card.entries.len());
    card.entries.retain(|e| &e.name != property);
    let at = at.min(card.entries.len());
    card.entries.splice(at..at, entries);
}

/// The entries of a list property (addresses, phones) in the new order. A value that was
/// there already keeps its group and parameters (`TYPE=work`) but its preference, which
/// goes to the first value when there are several.
fn list_entries(
    card: &VCard,
    property: &VCardProperty,
    values: &[String],
    v4: bool,
) -> Vec<VCardEntry> {
    let prefix = if property == &VCardProperty::Email {
        "mailto:"
    } else {
        "tel:"
    };
    values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let old = card
                .properties(property)
                .find(|e| value_of(e, prefix).as_deref() == Some(value.as_str()));
            let mut e = match old {
                Some(old) => VCardEntry {
                    values: old.values.clone(),
                    params: old.params.iter().filter(|p| !is_pref(p)).cloned().collect(),
                    group: old.group.clone(),
                    name: old.name.clone(),
                },
                None => entry(property.clone(), vec![text(value)]),
            };
            if i == 0 && values.len() > 1 {
                e.params.push(if v4 {
                    VCardParameter::pref(1u32)
                } else {
                    VCardParameter::typ(VCardParameterValue::Text("pref".into()))
                });
            }
            e
        })
        .collect()
}

fn is_pref(p: &VCardParameter) -> bool {
    p.name == VCardParameterName::Pref
        || (p.name == VCardParameterName::Type
            && matches!(&p.value, VCardParameterValue::Text(t) if t.eq_ignore_ascii_case("pref")))
}

/// A property's values in preference order (`PREF=1` first, vCard 3's `TYPE=pref` too; the
/// card's order otherwise), without a URI scheme some writers add, empty ones left out.
fn in_pref_order(card: &VCard, property: &VCardProperty, scheme: &str) -> Vec<String> {
    let mut found: Vec<(u32, String)> = card
        .properties(property)
        .filter_map(|e| Some((preference(e), value_of(e, scheme)?)))
        .collect();
    found.sort_by_key(|(pref, _)| *pref);
    let mut out: Vec<String> = Vec::new();
    for (_, v) in found {
        if out.len() < MAX_VALUES && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn preference(e: &VCardEntry) -> u32 {
    e.params
        .iter()
        .filter_map(|p| match (&p.name, &p.value) {
            (VCardParameterName::Pref, VCardParameterValue::Integer(n)) => Some(*n),
            (VCardParameterName::Type, VCardParameterValue::Text(t))
                if t.eq_ignore_ascii_case("pref") =>
            {
                Some(1)
            }
            _ => None,
        })
        .min()
        .unwrap_or(101)
}

fn value_of(e: &VCardEntry, scheme: &str) -> Option<String> {
    let v = joined(e, "");
    let v = v.trim();
    let v = match v.get(..scheme.len()) {
        Some(head) if head.eq_ignore_ascii_case(scheme) => &v[scheme.len()..],
        _ => v,
    };
    (!v.is_empty()).then(|| v.to_string())
}

fn first_text(card: &VCard, property: &VCardProperty) -> Option<String> {
    card.property(property).map(|e| joined(e, " "))
}

/// A property's values as one text: the non-empty parts, joined with `sep`.
fn joined(e: &VCardEntry, sep: &str) -> String {
    e.values
        .iter()
        .map(value_text)
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

fn value_text(v: &VCardValue) -> String {
    match v {
        VCardValue::Component(parts) => parts.join(" "),
        other => other.as_text().map(str::to_string).unwrap_or_default(),
    }
}

/// `N` (family; given; additional; prefixes; suffixes) as a name is written.
fn name_of_n(e: &VCardEntry) -> String {
    let part = |i: usize| e.values.get(i).map(value_text).unwrap_or_default();
    [part(3), part(1), part(2), part(0), part(4)]
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `N` for a name typed as one line: the last word as the family name, the rest as given
/// names. Wrong for some names, but what other apps do, and `FN` keeps the name as typed.
fn n_of_name(name: &str) -> Vec<VCardValue> {
    let (given, family) = match name.trim().rsplit_once(' ') {
        Some((given, family)) => (given.trim(), family),
        None => ("", name.trim()),
    };
    vec![text(family), text(given), text(""), text(""), text("")]
}

fn entry(name: VCardProperty, values: Vec<VCardValue>) -> VCardEntry {
    VCardEntry {
        group: None,
        name,
        params: Vec::new(),
        values,
    }
}

fn text(value: &str) -> VCardValue {
    VCardValue::Text(value.to_string())
}

fn write(card: &VCard, version: VCardVersion) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = card.write_to(&mut out, version);
    out
}

#[cfg(test)]
mod tests;
