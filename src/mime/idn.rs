//! Internationalised domain names in addresses: telling real ones from look-alikes.
//!
//! `joão@açaí.com.br` is ordinary Brazilian mail; `suporte@pаypal.com` with a Cyrillic `а` is
//! phishing. Like browsers, Carteiro keeps the readable form when a domain's labels each stay
//! within one script, and flags the domain when a label mixes Latin, Cyrillic and Greek, or is
//! written entirely in Cyrillic or Greek letters that all look like Latin ones (`аррӏе`).
//! A flagged address is shown with its ASCII (punycode) form, which cannot pretend.

/// The scripts whose letters are confused with one another.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
    Other,
}

fn script(c: char) -> Option<Script> {
    if !c.is_alphabetic() {
        return None; // digits, hyphens and marks belong to every script
    }
    Some(match c as u32 {
        0x0041..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF => Script::Latin,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        _ => Script::Other,
    })
}

/// Cyrillic and Greek letters that are drawn like Latin ones.
const LATIN_LOOKALIKES: &str = "аеорсухіјѕԁӏһԛԝвкмнтПАВЕКМНОРСТХЅІЈԌαοιυνκρτχεΑΒΕΖΗΙΚΜΝΟΡΤΥΧ";

/// Whether one label could pass for a different, Latin one.
fn label_is_deceptive(label: &str) -> bool {
    let scripts: Vec<Script> = label.chars().filter_map(script).collect();
    let Some(&first) = scripts.first() else {
        return false;
    };
    if scripts.iter().any(|&s| s != first) {
        return scripts
            .iter()
            .any(|s| matches!(s, Script::Latin | Script::Cyrillic | Script::Greek));
    }
    matches!(first, Script::Cyrillic | Script::Greek)
        && label
            .chars()
            .filter(|c| script(*c).is_some())
            .all(|c| LATIN_LOOKALIKES.contains(c))
}

/// The Unicode form of a domain, with punycode labels (`xn--`) decoded.
fn unicode_form(domain: &str) -> String {
    idna::domain_to_unicode(domain).0
}

/// Whether an address's domain uses look-alike characters to pose as another domain.
pub fn is_deceptive(email: &str) -> bool {
    let Some((_, domain)) = email.rsplit_once('@') else {
        return false;
    };
    unicode_form(domain).split('.').any(label_is_deceptive)
}

/// The address with its domain in ASCII (punycode) when the domain is not plain ASCII;
/// `None` for an ASCII address or a domain IDNA refuses.
pub fn ascii_address(email: &str) -> Option<String> {
    let (local, domain) = email.rsplit_once('@')?;
    if domain.is_ascii() {
        return None;
    }
    let ascii = idna::domain_to_ascii(domain).ok()?;
    Some(format!("{local}@{ascii}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_international_domains_are_not_flagged() {
        for email in [
            "joao@açaí.com.br",
            "contato@pão-de-açúcar.com.br",
            "info@münchen.de",
            "user@пример.рф",
            "user@例え.jp",
            "user@example.com",
            "user@ελληνικά.gr",
        ] {
            assert!(!is_deceptive(email), "{email}");
        }
    }

    #[test]
    fn look_alike_domains_are_flagged() {
        for email in [
            "suporte@p\u{0430}ypal.com", // Cyrillic а among Latin letters
            "ceo@\u{0430}\u{0440}\u{0440}\u{04CF}\u{0435}.com", // аррӏе: all Cyrillic look-alikes
            "x@g\u{03BF}\u{03BF}gle.com", // Greek omicrons
            "x@xn--pypal-4ve.com",       // the punycode of the first, decoded first
            "x@banco.c\u{043E}m.br",     // a look-alike in a later label
        ] {
            assert!(is_deceptive(email), "{email}");
        }
    }

    #[test]
    fn the_ascii_form_shows_what_the_domain_really_is() {
        assert_eq!(
            ascii_address("suporte@p\u{0430}ypal.com").as_deref(),
            Some("suporte@xn--pypal-4ve.com")
        );
        assert_eq!(ascii_address("a@example.com"), None);
    }
}
