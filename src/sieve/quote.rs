//! Values written into Sieve (RFC 5228 §2.4.2) so that none can end its literal early and
//! become commands: quoted strings, string lists, `text:` multi-line strings, and comments.
//!
//! Every value a person types goes through here. The functions take any text, checked or
//! not: what [`crate::sieve::model`]'s checks refuse (control characters, line breaks in a
//! one-line field) can make a script the server rejects, never one that does something else.
//!
//! No extension that reads strings a second time is ever required: with `variables`,
//! `${…}` in a string would be expanded, and with `encoded-character`, `${hex:…}` decoded;
//! both would need escaping here first.

/// `"…"`: a quoted string. Only `"` ends one and only `\` changes what follows, so those two
/// are escaped and everything else stands for itself (a quoted string may even span lines).
pub fn string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `["a", "b"]`: a string list, each one quoted by [`string`].
pub fn list<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = values.into_iter().map(string).collect();
    format!("[{}]", items.join(", "))
}

/// `text:` … `.`: a multi-line string, for the vacation message. It ends at a line holding
/// a single `.`, so every line that starts with `.` gets one more (dot-stuffing, which the
/// reader takes off again). Line breaks (CRLF, LF or a lone CR) are written as LF, one
/// trailing line break is dropped (the last line is ended anyway), and the result ends with
/// the closing `.` line and its line break: the caller writes `;` on the next line.
pub fn text(value: &str) -> String {
    let value = value.replace("\r\n", "\n").replace('\r', "\n");
    let value = value.strip_suffix('\n').unwrap_or(&value);
    let mut out = String::with_capacity(value.len() + 16);
    out.push_str("text:\n");
    if !value.is_empty() {
        for line in value.split('\n') {
            if line.starts_with('.') {
                out.push('.');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str(".\n");
    out
}

/// Text for a `#` comment, which runs to the end of the line: every control character
/// (line breaks above all) becomes a space, so the comment ends where the line does.
pub fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped_and_nothing_else() {
        assert_eq!(string("plain"), r#""plain""#);
        assert_eq!(string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(string(r#"""#), r#""\"""#);
        assert_eq!(string("\\"), r#""\\""#);
        assert_eq!(string("${x} * ? \t ção"), "\"${x} * ? \t ção\"");
        assert_eq!(string(""), r#""""#);
    }

    #[test]
    fn a_list_quotes_each_item() {
        assert_eq!(list(["to", "c\"c"]), r#"["to", "c\"c"]"#);
        assert_eq!(list(["one"]), r#"["one"]"#);
    }

    #[test]
    fn text_is_dot_stuffed_and_ends_with_a_lone_dot() {
        assert_eq!(text("Hello"), "text:\nHello\n.\n");
        assert_eq!(text("Hello\n"), "text:\nHello\n.\n");
        assert_eq!(text(""), "text:\n.\n");
        assert_eq!(text(".\n..\n.x\nx.\n"), "text:\n..\n...\n..x\nx.\n.\n");
        assert_eq!(
            text("a\r\nb\rc\n\nd"),
            "text:\na\nb\nc\n\nd\n.\n",
            "every kind of line break is one LF"
        );
        assert_eq!(text("\r\n.\r\n"), "text:\n\n..\n.\n");
    }

    #[test]
    fn comments_stay_on_their_line() {
        assert_eq!(comment("Newsletters"), "Newsletters");
        assert_eq!(comment("a\r\ndiscard;\n"), "a  discard;");
        assert_eq!(comment("x\u{0}\u{1b}\u{85}y */"), "x   y */");
    }
}
