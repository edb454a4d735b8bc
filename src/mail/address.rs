//! Addresses as a person reads and types them: what prefilled fields show. (The From of
//! what is sent is an identity's: see [`super::identity`].)

use crate::mime::Mailbox;

/// `Name <address>` as a person would type it, quoting names that need it.
pub fn format_mailbox(m: &Mailbox) -> String {
    match (&m.name, &m.email) {
        (Some(name), Some(email)) => {
            let needs_quotes = name.chars().any(|c| ",;<>\"@()[]:\\".contains(c));
            if needs_quotes {
                format!("\"{}\" <{email}>", name.replace(['\\', '"'], ""))
            } else {
                format!("{name} <{email}>")
            }
        }
        (None, Some(email)) => email.clone(),
        (Some(name), None) => name.clone(),
        (None, None) => String::new(),
    }
}

/// A list of mailboxes as one field: `a <a@x>, b@y`.
pub fn format_list(list: &[Mailbox]) -> String {
    list.iter()
        .map(format_mailbox)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether two mailboxes are the same address, whatever their names and case.
pub fn same_address(a: &Mailbox, b: &Mailbox) -> bool {
    match (&a.email, &b.email) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => false,
    }
}
