//! [`SieveError`]: what can go wrong talking to the ManageSieve server, in the terms the
//! filter pages act on (show the line of a script error, the quota's reason, a 503 when the
//! server is down), not in the protocol's.
//!
//! The server's own words (`message`) are kept because they are the most precise reason a
//! person can be shown ("line 3: unknown command 'fileinot'"); they are bounded and cleaned
//! of control characters by [`clean_text`] before they get here.

/// The longest server text kept in an error, in characters.
const MAX_TEXT: usize = 2_000;

/// Why a ManageSieve operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SieveError {
    /// The server cannot be reached or stopped answering: connect, TLS, timeout, connection
    /// lost, or a session that an interrupted command left unusable. The cause is logged
    /// where it happens (it names the server, never a credential).
    #[error("the ManageSieve server cannot be reached")]
    Unreachable,
    /// AUTHENTICATE was refused: a wrong login or password.
    #[error("the ManageSieve server refused the login")]
    Auth,
    /// PUTSCRIPT or CHECKSCRIPT: the script does not compile. `line` is the first line the
    /// server's text names ("line 3: …"), when it names one.
    #[error("the Sieve script does not compile: {message}")]
    Invalid { message: String, line: Option<u32> },
    /// Over a limit of the server: `NO (QUOTA)`, `(QUOTA/MAXSCRIPTS)`, `(QUOTA/MAXSIZE)`.
    #[error("the ManageSieve server's limit is reached: {message}")]
    Quota { message: String },
    /// `NO (NONEXISTENT)`: no script of that name.
    #[error("no Sieve script of that name")]
    NotFound,
    /// `NO (ACTIVE)`: the active script cannot be deleted.
    #[error("the Sieve script is the active one")]
    Active,
    /// `NO (ALREADYEXISTS)`: a script of the new name exists.
    #[error("a Sieve script of that name exists")]
    AlreadyExists,
    /// Any other NO or BYE, with the server's human text.
    #[error("the ManageSieve server refused: {message}")]
    Server { message: String },
    /// An answer that does not parse, or is larger than Carteiro accepts.
    #[error("the ManageSieve server's answer could not be read")]
    Protocol,
}

/// The server's human text as it may be shown and logged: at most [`MAX_TEXT`] characters,
/// line breaks kept as `\n`, other control characters (a terminal escape, a NUL) dropped.
pub(super) fn clean_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out: String = text
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .take(MAX_TEXT)
        .collect();
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// The first line number a compiler message names: `line 3: error: …` (Pigeonhole),
/// `script.sieve: line 12: …`, `Line 7:` — "line", spaces, digits, then `:`, `,` or the end.
pub(super) fn line_of(message: &str) -> Option<u32> {
    let lower = message.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("line") {
        let before_ok = at == 0 || {
            let prev = rest.as_bytes()[at - 1];
            !(prev.is_ascii_alphanumeric() || prev == b'_')
        };
        let after = &rest[at + 4..];
        let digits_from = after.len() - after.trim_start_matches(' ').len();
        let number = &after[digits_from..];
        let len = number.bytes().take_while(u8::is_ascii_digit).count();
        let end_ok = matches!(number.as_bytes().get(len), None | Some(b':' | b',' | b' '));
        if before_ok && digits_from > 0 && len > 0 && end_ok {
            if let Ok(n) = number[..len].parse() {
                return Some(n);
            }
        }
        rest = &rest[at + 4..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_read_from_the_compilers_words() {
        assert_eq!(
            line_of("line 3: error: unknown command 'fileinot'."),
            Some(3)
        );
        assert_eq!(
            line_of("script: line 12: error: ...\nline 14: error: more"),
            Some(12)
        );
        assert_eq!(line_of("Line 7, column 2: bad"), Some(7));
        assert_eq!(line_of("error: validation failed."), None);
        assert_eq!(line_of("deadline 3: x"), None, "a word ending in line");
        assert_eq!(line_of("line: 3"), None);
        assert_eq!(line_of("line 99999999999: x"), None, "too big for u32");
    }

    #[test]
    fn server_text_is_bounded_and_loses_control_characters() {
        assert_eq!(
            clean_text("line 1: bad\r\nline 2: \x1b[31mred\x00\r\n"),
            "line 1: bad\nline 2: [31mred"
        );
        assert_eq!(clean_text(&"é".repeat(5_000)).chars().count(), MAX_TEXT);
    }
}
