//! Which addresses a person may send as: the admin's policy (`identities` /
//! `CARTEIRO_IDENTITIES`) and the login's own address, which the policy is measured against.
//!
//! A leaf: the configuration reads [`Policy`] from here, and nothing here reads the
//! configuration, so the rules can be tested on strings alone.

/// What the admin lets people send as, besides the login's own address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// Only the login's own address (other identities may still differ in name, reply-to,
    /// signature).
    Login,
    /// Any address at the login address's domain: the usual hosting set-up, where aliases
    /// on the same domain belong to the same customer.
    #[default]
    Domain,
    /// Any address; the SMTP server (`smtpd_sender_login_maps` and the like) decides.
    Any,
}

impl Policy {
    /// The setting's words: `login`, `domain` or `any`, in any case.
    pub fn parse(text: &str) -> Option<Policy> {
        match text.trim().to_ascii_lowercase().as_str() {
            "login" => Some(Policy::Login),
            "domain" => Some(Policy::Domain),
            "any" => Some(Policy::Any),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Login => "login",
            Policy::Domain => "domain",
            Policy::Any => "any",
        }
    }

    /// Whether `address` may be sent as, for a login whose own address is `login_address`
    /// (`None` while a bare login has none yet: then only [`Policy::Any`] allows anything).
    pub fn allows(self, login_address: Option<&str>, address: &str) -> bool {
        match (self, login_address) {
            (Policy::Any, _) => true,
            (_, None) => false,
            (Policy::Login, Some(own)) => same_address(own, address),
            (Policy::Domain, Some(own)) => match (domain_of(own), domain_of(address)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }
}

/// A domain as the `mail_domain` setting may name it: `example.com` or `exémplo.com.br`
/// (a leading `@` is forgiven), returned as written, in lower case; `None` when it is not a
/// domain an address can end with.
pub fn clean_domain(text: &str) -> Option<String> {
    let domain = text.trim().trim_start_matches('@').to_lowercase();
    let ascii = idna::domain_to_ascii(&domain).ok()?;
    let plausible = !ascii.is_empty()
        && ascii.len() <= 253
        && ascii
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'))
        && ascii
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    plausible.then_some(domain)
}

/// The login's own address: the login itself when it is an address, else `login@mail_domain`
/// when the admin set one; `None` for a bare login on a server without `mail_domain` (the
/// person then states it in Settings).
pub fn login_address(login: &str, mail_domain: Option<&str>) -> Option<String> {
    let login = login.trim();
    if login.contains('@') {
        return is_address(login).then(|| login.to_string());
    }
    let address = format!("{login}@{}", mail_domain?);
    is_address(&address).then_some(address)
}

/// Whether `text` is one plain address (`ana@example.com`, no name, no brackets).
pub fn is_address(text: &str) -> bool {
    text.len() <= 254 && text.parse::<lettre::Address>().is_ok()
}

/// The domain of an address in one comparable form: ASCII (punycode), lower case. So
/// `ana@Exémplo.com` and `ana@xn--exmplo-cva.com` have the same domain.
pub fn domain_of(address: &str) -> Option<String> {
    let (_, domain) = address.trim().rsplit_once('@')?;
    let ascii = idna::domain_to_ascii(domain).ok()?;
    (!ascii.is_empty()).then(|| ascii.to_ascii_lowercase())
}

/// Whether two addresses are the same mailbox as far as a person can tell: the domain
/// compared as [`domain_of`] does, the local part without regard to case (servers that
/// tell `Ana@` from `ana@` exist, but no person means two mailboxes by them).
pub fn same_address(a: &str, b: &str) -> bool {
    let local = |s: &str| s.trim().rsplit_once('@').map(|(l, _)| l.to_lowercase());
    match (local(a), local(b)) {
        (Some(x), Some(y)) => x == y && domain_of(a).is_some() && domain_of(a) == domain_of(b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_words_are_read_in_any_case_and_nothing_else() {
        assert_eq!(Policy::parse(" Domain "), Some(Policy::Domain));
        assert_eq!(Policy::parse("LOGIN"), Some(Policy::Login));
        assert_eq!(Policy::parse("any"), Some(Policy::Any));
        assert_eq!(Policy::parse("all"), None);
        assert_eq!(Policy::default(), Policy::Domain);
    }

    #[test]
    fn the_login_address_comes_from_the_login_or_the_mail_domain() {
        assert_eq!(
            login_address("ana@example.com", Some("other.org")).as_deref(),
            Some("ana@example.com")
        );
        assert_eq!(
            login_address("joao", Some("example.com")).as_deref(),
            Some("joao@example.com")
        );
        assert_eq!(login_address("joao", None), None);
        assert_eq!(login_address("not an address@", Some("example.com")), None);
        assert_eq!(login_address("jo ao", Some("example.com")), None);
    }

    #[test]
    fn domains_are_compared_in_one_form_whatever_the_case_and_script() {
        let own = Some("joao@Exémplo.com.br");
        assert!(Policy::Domain.allows(own, "vendas@xn--exmplo-cva.com.br"));
        assert!(Policy::Domain.allows(own, "Vendas@EXÉMPLO.com.br"));
        assert!(!Policy::Domain.allows(own, "joao@exemplo.com.br"));
        assert!(!Policy::Domain.allows(own, "joao@sub.exémplo.com.br"));
        assert!(!Policy::Domain.allows(None, "joao@exémplo.com.br"));
    }

    #[test]
    fn login_allows_only_the_login_address_and_any_allows_all() {
        let own = Some("ana@example.com");
        assert!(Policy::Login.allows(own, "ANA@Example.com"));
        assert!(!Policy::Login.allows(own, "vendas@example.com"));
        assert!(!Policy::Login.allows(None, "ana@example.com"));
        assert!(Policy::Any.allows(own, "someone@elsewhere.org"));
        assert!(Policy::Any.allows(None, "someone@elsewhere.org"));
    }

    #[test]
    fn mail_domains_are_checked_and_kept_as_written() {
        assert_eq!(
            clean_domain(" @Example.COM ").as_deref(),
            Some("example.com")
        );
        assert_eq!(clean_domain("açaí.com.br").as_deref(), Some("açaí.com.br"));
        for bad in ["", "exa mple.com", "a..b", "-x.com", "ex@mple.com", "x/y"] {
            assert_eq!(clean_domain(bad), None, "{bad:?}");
        }
    }
}
