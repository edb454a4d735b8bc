//! Turning untrusted text into IMAP strings that cannot change the command around them.

use super::error::ImapError;

/// Quotes `text` as an IMAP quoted string. CR, LF and NUL cannot appear in a quoted string
/// (they would end or corrupt the command), so they are refused rather than stripped:
/// silently changing a folder name would act on the wrong folder.
pub fn quoted(text: &str) -> Result<String, ImapError> {
    if text.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(ImapError::Refused(
            "line breaks are not allowed in IMAP strings".into(),
        ));
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

/// A mailbox name as it goes on the wire: modified UTF-7, quoted.
pub fn mailbox(name: &str) -> Result<String, ImapError> {
    quoted(&super::utf7::encode(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped_and_line_breaks_refused() {
        assert_eq!(quoted(r#"a"b\c"#).unwrap(), r#""a\"b\\c""#);
        assert!(quoted("x\r\nA1 DELETE INBOX").is_err());
        assert_eq!(mailbox("Família").unwrap(), "\"Fam&AO0-lia\"");
    }
}
