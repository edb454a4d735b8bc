//! Where a password change is made: `password_command` (a program on this machine) or
//! `password_http` (a POST to the hosting panel's API), and the shortest new password
//! allowed (`password_min_length`). At most one backend; with none, Carteiro offers no
//! password change and says it is done elsewhere.
//!
//! Checked at start-up like every setting: a program that is not there, or a panel reached
//! over plain http across the network, stops Carteiro with a line saying what to fix.

use std::path::PathBuf;

use secrecy::SecretString;

use super::error::ConfigError;
use super::parse::is_loopback;

/// The shortest `password_min_length` accepted: anything shorter is guessed offline in
/// moments once a hash leaks, whatever the other rules.
const LOWEST_MIN_LENGTH: usize = 6;
/// `password_min_length` when unset: ten characters, as current guidance for passwords that
/// people choose themselves.
const DEFAULT_MIN_LENGTH: usize = 10;
/// The longest new password, in characters: room for a long passphrase, and small enough
/// for every hashing scheme and panel API.
pub const MAX_PASSWORD_LENGTH: usize = 256;

/// How a password change is made.
#[derive(Clone, Debug)]
pub enum PasswordBackend {
    /// A program, by absolute path, with the arguments the admin wrote after it. It reads the
    /// login, the current and the new password from its standard input (see
    /// `crate::password::command`); nothing secret is on its command line or in its
    /// environment.
    Command { program: PathBuf, args: Vec<String> },
    /// A POST of a small JSON document to the panel's API (see `crate::password::http`),
    /// with `token` as a bearer token when set.
    Http {
        url: url::Url,
        token: Option<SecretString>,
    },
}

/// The backend (if any) and the shortest password, from the raw settings.
pub(super) fn password_settings(
    command: Option<String>,
    http: Option<String>,
    token: Option<String>,
    min_length: Option<usize>,
    warnings: &mut Vec<String>,
) -> Result<(Option<PasswordBackend>, usize), ConfigError> {
    let command = command.filter(|c| !c.trim().is_empty());
    let http = http.filter(|h| !h.trim().is_empty());
    let token = token.filter(|t| !t.trim().is_empty());
    let backend = match (command, http) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::invalid(
                "password_command",
                "and password_http are both set: password changes go to one place; keep the one your mail server's passwords are kept by",
            ))
        }
        (Some(command), None) => Some(parse_command(&command)?),
        (None, Some(url)) => Some(parse_http(&url, token.clone())?),
        (None, None) => None,
    };
    if token.is_some() && !matches!(backend, Some(PasswordBackend::Http { .. })) {
        warnings
            .push("password_http_token is set without password_http: it is not used".to_string());
    }
    let min_length = min_length.unwrap_or(DEFAULT_MIN_LENGTH);
    if !(LOWEST_MIN_LENGTH..=MAX_PASSWORD_LENGTH).contains(&min_length) {
        return Err(ConfigError::invalid(
            "password_min_length",
            format!("{min_length} is not between {LOWEST_MIN_LENGTH} and {MAX_PASSWORD_LENGTH}: shorter passwords are guessed in moments once a hash leaks (the default is {DEFAULT_MIN_LENGTH})"),
        ));
    }
    Ok((backend, min_length))
}

/// `"/usr/local/bin/change-password --db mail"`: a program by absolute path, and its
/// arguments, separated by spaces. No shell reads it, so nothing in it is expanded or quoted.
fn parse_command(text: &str) -> Result<PasswordBackend, ConfigError> {
    let mut words = text.split_whitespace().map(str::to_string);
    let program = PathBuf::from(words.next().unwrap_or_default());
    if !program.is_absolute() {
        return Err(ConfigError::invalid(
            "password_command",
            format!("{text:?} must start with the program's absolute path, such as /usr/local/bin/passwd-file-change.sh /etc/dovecot/users (no shell reads it: arguments are separated by spaces)"),
        ));
    }
    if !program.is_file() {
        return Err(ConfigError::invalid(
            "password_command",
            format!(
                "names {}, which is not a file; point it at the program that changes passwords",
                program.display()
            ),
        ));
    }
    Ok(PasswordBackend::Command {
        program,
        args: words.collect(),
    })
}

/// The panel's API: https, or plain http to this machine only, since the body carries both
/// passwords.
fn parse_http(text: &str, token: Option<String>) -> Result<PasswordBackend, ConfigError> {
    let text = text.trim();
    let url = url::Url::parse(text).map_err(|e| {
        ConfigError::invalid(
            "password_http",
            format!(
                "{text:?} is not a URL such as https://panel.example.com/api/mail/password ({e})"
            ),
        )
    })?;
    let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']);
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(ConfigError::invalid(
                "password_http",
                format!("{text:?} is plain http to another machine: both passwords would cross the network unencrypted; use https://"),
            ))
        }
        _ => {
            return Err(ConfigError::invalid(
                "password_http",
                format!("{text:?} must be an https:// URL"),
            ))
        }
    }
    if url.password().is_some() {
        return Err(ConfigError::invalid(
            "password_http",
            "must not carry a password in the URL: put the panel's API token in password_http_token",
        ));
    }
    Ok(PasswordBackend::Http {
        url,
        token: token.map(|t| SecretString::from(t.trim().to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(
        command: Option<&str>,
        http: Option<&str>,
        min: Option<usize>,
    ) -> Result<(Option<PasswordBackend>, usize), ConfigError> {
        password_settings(
            command.map(str::to_string),
            http.map(str::to_string),
            None,
            min,
            &mut Vec::new(),
        )
    }

    #[test]
    fn no_backend_by_default_and_ten_characters() {
        let (backend, min) = settings(None, Some("  "), None).unwrap();
        assert!(backend.is_none());
        assert_eq!(min, 10);
    }

    #[test]
    fn a_command_is_an_absolute_program_and_its_words() {
        let (backend, _) = settings(Some("/bin/sh  -c  x"), None, Some(12)).unwrap();
        let Some(PasswordBackend::Command { program, args }) = backend else {
            panic!("a command");
        };
        assert_eq!(program, PathBuf::from("/bin/sh"));
        assert_eq!(args, ["-c", "x"]);
        let err = settings(Some("sh -c x"), None, None).unwrap_err();
        assert!(err.to_string().contains("absolute path"), "{err}");
        let err = settings(Some("/no/such/program"), None, None).unwrap_err();
        assert!(err.to_string().contains("not a file"), "{err}");
    }

    #[test]
    fn the_panel_is_reached_over_https_or_on_this_machine_only() {
        assert!(settings(None, Some("https://panel.example.com/api"), None).is_ok());
        assert!(settings(None, Some("http://127.0.0.1:8000/api"), None).is_ok());
        assert!(settings(None, Some("http://[::1]:8000/api"), None).is_ok());
        let err = settings(None, Some("http://panel.example.com/api"), None).unwrap_err();
        assert!(err.to_string().contains("unencrypted"), "{err}");
        let err = settings(None, Some("https://u:p@panel.example.com/"), None).unwrap_err();
        assert!(err.to_string().contains("password_http_token"), "{err}");
        assert!(settings(None, Some("ftp://panel.example.com/"), None).is_err());
    }

    #[test]
    fn one_backend_at_most_and_a_sensible_minimum() {
        let err = settings(Some("/bin/sh"), Some("https://p.example/"), None).unwrap_err();
        assert!(err.to_string().contains("both set"), "{err}");
        assert!(settings(None, None, Some(5)).is_err());
        assert!(settings(None, None, Some(6)).is_ok());
        let mut warnings = Vec::new();
        password_settings(None, None, Some("t".into()), None, &mut warnings).unwrap();
        assert_eq!(warnings.len(), 1, "a token without a panel is pointless");
    }
}
