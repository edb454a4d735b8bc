//! Is a new password good enough? A small check that says exactly what to change.
//!
//! The rules, in the order they are tried:
//! 1. at least `password_min_length` characters (default 10), at most
//!    [`MAX_PASSWORD_LENGTH`];
//! 2. no control characters: line breaks and the like cannot be typed into a login form,
//!    and the password program reads one password per line;
//! 3. not the login (nor its part before `@`), give or take digits and symbols at the ends;
//! 4. not the current password;
//! 5. at least [`MIN_DISTINCT`] different characters (`aaaaaaaaaa`, `abababab12`);
//! 6. not one of the most common passwords ([`COMMON`]), compared without case, without the
//!    digits and symbols added at either end, and with the usual look-alike digits read as
//!    letters: `P@ssw0rd2024!` is `password`.
//!
//! zxcvbn (the `zxcvbn` crate) was considered: it estimates guesses far better, but carries
//! English dictionaries of tens of thousands of words (of little use to a Portuguese
//! speaker, whose common passwords it mostly does not know), and its verdict is a score
//! that is hard to explain in one sentence. These rules stop what attackers try first
//! (leaked-password lists, the login, repeated characters) and every refusal says which rule
//! it was, in the person's language.

use crate::config::MAX_PASSWORD_LENGTH;

/// The fewest different characters a new password must have.
pub const MIN_DISTINCT: usize = 5;

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Weakness {
    /// Fewer characters than the minimum (which it carries).
    TooShort(usize),
    /// More characters than the maximum (which it carries).
    TooLong(usize),
    /// A line break or another control character.
    ControlCharacter,
    /// The login, or the login's name before `@`.
    Login,
    /// The same as the current password.
    Current,
    /// Too few different characters (the minimum).
    FewDistinct(usize),
    /// One of the most common passwords, maybe with digits or symbols added.
    Common,
}

/// Checks `new` for the person signed in as `login`, whose current password is `current`.
pub fn check(new: &str, login: &str, current: &str, min_length: usize) -> Result<(), Weakness> {
    let length = new.chars().count();
    if length < min_length {
        return Err(Weakness::TooShort(min_length));
    }
    if length > MAX_PASSWORD_LENGTH {
        return Err(Weakness::TooLong(MAX_PASSWORD_LENGTH));
    }
    if new.chars().any(char::is_control) {
        return Err(Weakness::ControlCharacter);
    }
    let lower = new.to_lowercase();
    let core = core(&lower);
    let login = login.trim().to_lowercase();
    let name = login.split('@').next().unwrap_or_default();
    if lower == login || core == login || (name.chars().count() >= 3 && core == name) {
        return Err(Weakness::Login);
    }
    if new == current {
        return Err(Weakness::Current);
    }
    let mut distinct: Vec<char> = new.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_DISTINCT {
        return Err(Weakness::FewDistinct(MIN_DISTINCT));
    }
    if COMMON.contains(&lower.as_str()) || COMMON.contains(&core.as_str()) {
        return Err(Weakness::Common);
    }
    Ok(())
}

/// What is left of a lower-cased password without the digits, symbols and spaces at its
/// ends (`senha@2024!` → `senha`), with look-alike digits and symbols inside read as the
/// letters they stand for (`p@ssw0rd` → `password`). A password of digits only is its own
/// core, so `1234567890` is found in the list.
fn core(lower: &str) -> String {
    let trimmed = lower.trim_matches(|c: char| !c.is_alphabetic());
    if trimmed.is_empty() {
        return lower.to_string();
    }
    trimmed
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            _ => c,
        })
        .collect()
}

/// The most used passwords of public leak statistics (NordPass, SplashData and the
/// Portuguese-language lists of the same leaks), lower case, with the Brazilian favourites
/// (`senha`, `mudar123`, football clubs) among them. Short on purpose: the length rule
/// already stops the long tail of short ones, and the list is for what survives it, or what
/// becomes long by adding digits (`senha12345` has the core `senha`).
const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "passwort",
    "senha",
    "minhasenha",
    "suasenha",
    "novasenha",
    "mudar",
    "mudarsenha",
    "trocar",
    "acesso",
    "admin",
    "administrator",
    "administrador",
    "root",
    "welcome",
    "bemvindo",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qazwsx",
    "qwertyui",
    "azerty",
    "iloveyou",
    "teamo",
    "euteamo",
    "amor",
    "amormeu",
    "meuamor",
    "princess",
    "princesa",
    "dragon",
    "monkey",
    "sunshine",
    "letmein",
    "football",
    "futebol",
    "baseball",
    "master",
    "shadow",
    "superman",
    "batman",
    "michael",
    "jesus",
    "jesuscristo",
    "deus",
    "deuseamor",
    "deusefiel",
    "brasil",
    "brazil",
    "flamengo",
    "corinthians",
    "palmeiras",
    "saopaulo",
    "vasco",
    "gremio",
    "cruzeiro",
    "santos",
    "botafogo",
    "fluminense",
    "internacional",
    "vitoria",
    "familia",
    "gabriel",
    "computador",
    "internet",
    "email",
    "webmail",
    "carteiro",
    "changeme",
    "default",
    "secret",
    "segredo",
    "trustno",
    "whatever",
    "freedom",
    "liberdade",
    "hello",
    "ola",
    "login",
    "abc",
    "abcdef",
    "abcdefgh",
    "abcdefghij",
    "abcd",
    "aaaaaa",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "0123456789",
    "12345678910",
    "0987654321",
    "9876543210",
    "1111111111",
    "0000000000",
    "1212121212",
    "123123123",
    "1234512345",
    "123321",
    "654321",
    "147258369",
    "159753",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "1qaz2wsx",
    "zaq12wsx",
    "q1w2e3r4",
    "a1b2c3d4",
];

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN: &str = "maria.silva@example.com";

    fn verdict(new: &str) -> Result<(), Weakness> {
        check(new, LOGIN, "Antiga-Senha-1", 10)
    }

    #[test]
    fn good_passwords_pass_in_any_script() {
        assert_eq!(verdict("correct horse battery"), Ok(()));
        assert_eq!(verdict("Jabuticaba-no-pé-42"), Ok(()));
        assert_eq!(verdict("ветер-над-рекой"), Ok(()));
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert_eq!(verdict("çãõéíáúçã"), Err(Weakness::TooShort(10)));
        assert_eq!(verdict(&"ab1-".repeat(65)), Err(Weakness::TooLong(256)));
        assert_eq!(
            check("tall-tree-9", LOGIN, "", 12),
            Err(Weakness::TooShort(12))
        );
    }

    #[test]
    fn line_breaks_and_other_controls_are_refused() {
        assert_eq!(verdict("good-pass\nword"), Err(Weakness::ControlCharacter));
        assert_eq!(
            verdict("good-pass\u{0}word"),
            Err(Weakness::ControlCharacter)
        );
        assert_eq!(verdict("good-pass\tword"), Err(Weakness::ControlCharacter));
    }

    #[test]
    fn the_login_and_the_current_password_are_refused() {
        assert_eq!(verdict("Maria.Silva@example.com"), Err(Weakness::Login));
        assert_eq!(verdict("maria.silva2024!"), Err(Weakness::Login));
        assert_eq!(verdict("Antiga-Senha-1"), Err(Weakness::Current));
        // A short name is not looked for: "ana" would refuse every "banana".
        assert_eq!(
            check("ana1234567", "ana@x.example", "", 10),
            Err(Weakness::Login)
        );
        assert_eq!(check("bananada-do-sul", "ana@x.example", "", 10), Ok(()));
    }

    #[test]
    fn repeated_characters_are_refused() {
        assert_eq!(verdict("aaaaaaaaaaaa"), Err(Weakness::FewDistinct(5)));
        assert_eq!(verdict("abababab12"), Err(Weakness::FewDistinct(5)));
    }

    #[test]
    fn common_passwords_are_found_behind_case_digits_symbols_and_look_alikes() {
        for weak in [
            "password123",
            "P@ssw0rd2024!",
            "Senha@2024",
            "senha123456",
            "1234567890",
            "Flamengo2019",
            "  qwertyuiop  ",
            "mudar123456",
        ] {
            assert_eq!(verdict(weak), Err(Weakness::Common), "{weak}");
        }
        assert_eq!(
            verdict("senhas-do-rio"),
            Ok(()),
            "a word of the list inside is fine"
        );
    }
}
