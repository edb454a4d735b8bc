//! Rendering `text/plain` bodies as HTML.
//!
//! The text is hostile like any other part of a message, so everything is escaped and the only
//! markup produced is ours: links for URLs and e-mail addresses (always `http`, `https` or
//! `mailto`, with an escaped `href`) and `<blockquote class="quote">` for runs of quoted lines.
//! Line breaks are kept as newlines; the caller shows the fragment with
//! `white-space: pre-wrap`.

use std::borrow::Cow;

/// Deeper quoting is shown at this depth: a line of thousands of `>` must not become thousands
/// of nested elements for the browser to lay out.
const MAX_QUOTE_DEPTH: usize = 24;

/// Added to every generated link; the page around the body must not be reachable from the
/// opened page, nor learn where the reader came from.
const LINK_ATTRIBUTES: &str = r#" target="_blank" rel="noopener noreferrer""#;

/// Renders a text/plain body as an HTML fragment.
///
/// * Everything is HTML-escaped; C0 control characters other than tab and newline are dropped.
/// * URLs (`http://`, `https://`, and `www.` which links to `http://www.…`) and e-mail
///   addresses become links with `target="_blank" rel="noopener noreferrer"`. Trailing
///   sentence punctuation and unbalanced closing brackets are left out of a URL.
/// * Line breaks stay newlines (CRLF and CR become LF) and no `<br>` is inserted: show the
///   fragment inside an element styled `white-space: pre-wrap`.
/// * Runs of quoted lines (starting with `>`, nested as `>>` or `> >`) are wrapped in
///   `<blockquote class="quote">`, one per level, with the markers removed. Very deep quoting
///   is capped: deeper lines show at the deepest level.
///
/// The newline ending the last line before a `<blockquote>` or `</blockquote>` is kept but
/// renders nothing (a block boundary breaks the line anyway), so blank lines around quotes
/// show exactly as in the text.
pub fn plain_to_html(text: &str) -> String {
    let text: Cow<'_, str> = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut open = 0;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let (depth, content) = split_quote(line);
        let depth = depth.min(MAX_QUOTE_DEPTH);
        while open < depth {
            out.push_str(r#"<blockquote class="quote">"#);
            open += 1;
        }
        while open > depth {
            out.push_str("</blockquote>");
            open -= 1;
        }
        push_linked(&mut out, content);
    }
    for _ in 0..open {
        out.push_str("</blockquote>");
    }
    out
}

/// Decodes a `format=flowed` body (RFC 3676) into plain fixed lines for [`plain_to_html`].
///
/// Soft line breaks (a line ending in a space, followed by a newline) are unfolded; with
/// `delsp` (`DelSp=yes`) that trailing space is deleted as well, as languages written without
/// spaces need. Space-stuffing (one leading space after the quote markers) is removed.
///
/// Quoted paragraphs come out as `>`… `> text` lines. A line whose content itself starts with
/// `>` keeps one leading space, so that it is not mistaken for a deeper quote later. The
/// signature separator `-- ` is never joined, and a flowed line followed by a line of another
/// quote depth ends its paragraph (RFC 3676 §4.5). Lines end in LF; a final newline is kept.
pub fn unflow(text: &str, delsp: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut paragraph: Option<(usize, String)> = None;
    let mut first = true;
    let mut emit = |depth: usize, content: &str| {
        if !first {
            out.push('\n');
        }
        first = false;
        out.extend(std::iter::repeat_n('>', depth));
        if depth > 0 && !content.is_empty() {
            out.push(' ');
        }
        if content.starts_with('>') {
            out.push(' ');
        }
        out.push_str(content);
    };
    for line in text.lines() {
        let depth = line.bytes().take_while(|&b| b == b'>').count();
        let content = &line[depth..];
        let content = content.strip_prefix(' ').unwrap_or(content);
        let signature = content == "-- ";
        let flowed = !signature && content.ends_with(' ');
        if let Some((open_depth, buf)) = paragraph.take() {
            if open_depth == depth && !signature {
                paragraph = Some((open_depth, buf));
            } else {
                emit(open_depth, &buf);
            }
        }
        let piece = if flowed && delsp {
            &content[..content.len() - 1]
        } else {
            content
        };
        match &mut paragraph {
            Some((_, buf)) => buf.push_str(piece),
            None => paragraph = Some((depth, piece.to_owned())),
        }
        if !flowed {
            if let Some((depth, buf)) = paragraph.take() {
                emit(depth, &buf);
            }
        }
    }
    if let Some((depth, buf)) = paragraph.take() {
        emit(depth, &buf);
    }
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Splits a line into its quote depth and content: `>` markers, each optionally followed by
/// one space (`>> x`, `> > x`), are removed together with one space after the last of them.
fn split_quote(line: &str) -> (usize, &str) {
    let mut depth = 0;
    let mut rest = line;
    while let Some(after) = rest.strip_prefix('>') {
        depth += 1;
        rest = after;
        if let Some(after_space) = rest.strip_prefix(' ') {
            rest = after_space;
            if !rest.starts_with('>') {
                break;
            }
        }
    }
    (depth, rest)
}

/// Appends `text` escaped, with URLs and e-mail addresses turned into links.
fn push_linked(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        // URL prefixes start with an ASCII letter, so `i` is then a char boundary.
        let candidate = matches!(bytes[i], b'h' | b'H' | b'w' | b'W');
        if let Some((end, scheme)) = candidate.then(|| url_at(text, i)).flatten() {
            push_emails(out, &text[plain_from..i]);
            push_link(out, scheme, &text[i..end]);
            i = end;
            plain_from = end;
        } else {
            i += 1;
        }
    }
    push_emails(out, &text[plain_from..]);
}

/// If a URL starts at byte `start`, returns where it ends and the scheme to prepend to its text
/// to make the href ("" when the text already starts with one).
fn url_at(text: &str, start: usize) -> Option<(usize, &'static str)> {
    let rest = &text[start..];
    let (prefix_len, scheme) = if starts_with_ignore_case(rest, "https://") {
        (8, "")
    } else if starts_with_ignore_case(rest, "http://") {
        (7, "")
    } else if starts_with_ignore_case(rest, "www.") {
        (4, "http://")
    } else {
        return None;
    };
    // Only at the start of a word: not in `xhttp://`, `foo.www.bar` or `user@www.example`.
    if let Some(before) = text[..start].chars().next_back() {
        if before.is_alphanumeric() || matches!(before, '@' | '.' | '_' | '-' | '/' | '+' | '%') {
            return None;
        }
    }
    // Something host-like must follow the prefix: `http://` alone or `http://.` is not a link.
    // Checked before scanning on, so that every scan to the end of a URL yields a link and
    // the caller skips past it (no quadratic rescans of a long line of failed candidates).
    let host_start = rest[prefix_len..].chars().next()?;
    if !(host_start.is_alphanumeric() || (scheme.is_empty() && host_start == '[')) {
        return None;
    }
    let len = rest
        .char_indices()
        .find(|&(_, c)| ends_url(c))
        .map_or(rest.len(), |(i, _)| i);
    // Trimming never reaches the prefix: the host's first character is never trimmed.
    let url = trim_url_end(&rest[..len]);
    Some((start + url.len(), scheme))
}

/// Characters that cannot be part of a URL in running text, besides whitespace and controls.
/// `"`, `<`, `>` and the backtick are the ones that could end an attribute or a tag; the
/// typographic quotes, brackets and CJK punctuation are how prose closes a URL without a space.
const URL_TERMINATORS: &str = "<>\"`“”‘’«»「」『』【】（）。、，：；！？";

fn ends_url(c: char) -> bool {
    c.is_whitespace() || c.is_control() || URL_TERMINATORS.contains(c)
}

/// Drops sentence punctuation after a URL, and a closing bracket that has no opening partner
/// inside it (`(see http://x/)` vs `http://x/wiki/Foo_(bar)`). Bracket balance is counted once
/// and updated while trimming, so a line of a million `)` stays linear.
fn trim_url_end(url: &str) -> &str {
    let balance = |open: char, close: char| {
        url.chars().fold(0isize, |n, c| {
            n + isize::from(c == open) - isize::from(c == close)
        })
    };
    let mut parens = balance('(', ')');
    let mut brackets = balance('[', ']');
    let mut braces = balance('{', '}');
    let mut end = url.len();
    while let Some(last) = url[..end].chars().next_back() {
        let unbalanced = match last {
            ')' => Some(&mut parens),
            ']' => Some(&mut brackets),
            '}' => Some(&mut braces),
            _ => None,
        };
        let trim = match unbalanced {
            Some(balance) if *balance < 0 => {
                *balance += 1;
                true
            }
            Some(_) => false,
            None => matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '…'),
        };
        if !trim {
            break;
        }
        end -= last.len_utf8();
    }
    &url[..end]
}

/// Appends `text` escaped, with e-mail addresses turned into `mailto:` links.
fn push_emails(out: &mut String, text: &str) {
    let mut plain_from = 0;
    let mut search_from = 0;
    while let Some(found) = text[search_from..].find('@') {
        let at = search_from + found;
        search_from = at + 1;
        if let Some((start, end)) = email_around(text, at, plain_from) {
            push_escaped(out, &text[plain_from..start]);
            let address = &text[start..end];
            out.push_str(r#"<a href="mailto:"#);
            push_escaped(out, address);
            out.push('"');
            out.push_str(LINK_ATTRIBUTES);
            out.push('>');
            push_escaped(out, address);
            out.push_str("</a>");
            plain_from = end;
            search_from = end;
        }
    }
    push_escaped(out, &text[plain_from..]);
}

/// The byte range of a plausible address around the `@` at `at`, not reaching before `floor`.
/// Deliberately narrow (ASCII `local@label.label.tld`): a missed link costs nothing, a wrong
/// one misleads.
fn email_around(text: &str, at: usize, floor: usize) -> Option<(usize, usize)> {
    let is_local = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    let is_domain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');

    let mut start = text[floor..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_local(c))
        .last()
        .map_or(at, |(i, _)| floor + i);
    // Part of a longer word (`joão@…` would otherwise link `o@…`): no link at all.
    if text[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '@')
    {
        return None;
    }
    while text[start..at].starts_with('.') {
        start += 1;
    }
    let local = &text[start..at];
    if local.is_empty() || local.ends_with('.') || local.contains("..") {
        return None;
    }

    let after = &text[at + 1..];
    let domain_len = after
        .char_indices()
        .find(|&(_, c)| !is_domain(c))
        .map_or(after.len(), |(i, _)| i);
    let domain = after[..domain_len].trim_end_matches(['.', '-']);
    let labels: Vec<&str> = domain.split('.').collect();
    let tld = labels.last()?;
    let valid = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic());
    valid.then_some((start, at + 1 + domain.len()))
}

fn push_link(out: &mut String, scheme: &str, url: &str) {
    out.push_str(r#"<a href=""#);
    push_escaped(out, scheme);
    push_escaped(out, url);
    out.push('"');
    out.push_str(LINK_ATTRIBUTES);
    out.push('>');
    push_escaped(out, url);
    out.push_str("</a>");
}

/// Escapes for text and for double- or single-quoted attribute values alike; drops control
/// characters that have no business in rendered text (tab and newline excepted).
fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(href: &str, text: &str) -> String {
        format!(r#"<a href="{href}" target="_blank" rel="noopener noreferrer">{text}</a>"#)
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            plain_to_html("<script>alert(\"x\") & 'y'</script>"),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(plain_to_html("&lt;b&gt;"), "&amp;lt;b&amp;gt;");
        assert_eq!(plain_to_html("a\0b\x1bc\td\u{7f}"), "abc\td");
    }

    #[test]
    fn line_breaks_are_kept_without_br() {
        assert_eq!(
            plain_to_html("one\ntwo\r\nthree\rfour\n"),
            "one\ntwo\nthree\nfour\n"
        );
        assert_eq!(plain_to_html("\n\n"), "\n\n");
        assert_eq!(plain_to_html(""), "");
    }

    #[test]
    fn portuguese_text_is_intact() {
        let text = "Olá João, a reunião é às 15h — não se esqueça da ação «urgente»!";
        assert_eq!(plain_to_html(text), text.replace('\'', "&#39;"));
    }

    #[test]
    fn urls_become_links() {
        assert_eq!(
            plain_to_html("see https://example.com/a?b=1&c=2 now"),
            format!(
                "see {} now",
                link(
                    "https://example.com/a?b=1&amp;c=2",
                    "https://example.com/a?b=1&amp;c=2"
                )
            )
        );
        assert_eq!(
            plain_to_html("HTTP://EXAMPLE.COM"),
            link("HTTP://EXAMPLE.COM", "HTTP://EXAMPLE.COM")
        );
        assert_eq!(
            plain_to_html("visit www.example.com.br"),
            format!(
                "visit {}",
                link("http://www.example.com.br", "www.example.com.br")
            )
        );
        assert_eq!(
            plain_to_html("https://pt.wikipedia.org/wiki/São_Paulo"),
            link(
                "https://pt.wikipedia.org/wiki/São_Paulo",
                "https://pt.wikipedia.org/wiki/São_Paulo"
            )
        );
        assert_eq!(
            plain_to_html("<http://example.com/x>"),
            format!(
                "&lt;{}&gt;",
                link("http://example.com/x", "http://example.com/x")
            )
        );
        assert_eq!(
            plain_to_html("link:http://example.com"),
            format!("link:{}", link("http://example.com", "http://example.com"))
        );
    }

    #[test]
    fn trailing_punctuation_is_not_part_of_a_link() {
        let u = "http://example.com/path";
        let l = link(u, u);
        for (text, expected) in [
            (format!("{u}."), format!("{l}.")),
            (format!("{u},"), format!("{l},")),
            (format!("{u};"), format!("{l};")),
            (format!("{u}:"), format!("{l}:")),
            (format!("{u}!"), format!("{l}!")),
            (format!("{u}?"), format!("{l}?")),
            (format!("{u}..."), format!("{l}...")),
            (format!("({u})"), format!("({l})")),
            (format!("({u}).)"), format!("({l}).)")),
            (format!("'{u}'"), format!("&#39;{l}&#39;")),
            (format!("“{u}”"), format!("“{l}”")),
            (format!("[{u}]"), format!("[{l}]")),
        ] {
            assert_eq!(plain_to_html(&text), expected, "{text}");
        }
        let wiki = "https://en.wikipedia.org/wiki/Rust_(programming_language)";
        assert_eq!(
            plain_to_html(&format!("(see {wiki})")),
            format!("(see {})", link(wiki, wiki))
        );
        assert_eq!(
            plain_to_html("http://example.com/?q=a.b"),
            link("http://example.com/?q=a.b", "http://example.com/?q=a.b")
        );
    }

    #[test]
    fn hostile_text_around_urls() {
        assert_eq!(
            plain_to_html(r#"http://example.com/"><script>alert(1)</script>"#),
            format!(
                "{}&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
                link("http://example.com/", "http://example.com/")
            )
        );
        assert_eq!(
            plain_to_html("http://example.com/'onmouseover='alert(1)'"),
            link(
                "http://example.com/&#39;onmouseover=&#39;alert(1)",
                "http://example.com/&#39;onmouseover=&#39;alert(1)"
            ) + "&#39;"
        );
        for text in [
            "javascript:alert(1)",
            "JavaScript:alert(document.cookie)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "xhttp://example.com",
            "http://",
            "http://.",
            "https:// example.com",
            "www.",
            "foo.www.example.com",
        ] {
            assert!(!plain_to_html(text).contains("<a"), "{text}");
        }
        // `http://javascript:…` is an (odd) http URL and stays one.
        let out = plain_to_html("http://javascript:alert(1)");
        assert!(
            out.starts_with(r#"<a href="http://javascript:alert(1)""#),
            "{out}"
        );
    }

    #[test]
    fn email_addresses_become_links() {
        assert_eq!(
            plain_to_html("write to maria.silva+news@example.com.br."),
            format!(
                "write to {}.",
                link(
                    "mailto:maria.silva+news@example.com.br",
                    "maria.silva+news@example.com.br"
                )
            )
        );
        assert_eq!(
            plain_to_html("<joe@example.org>"),
            format!(
                "&lt;{}&gt;",
                link("mailto:joe@example.org", "joe@example.org")
            )
        );
        for text in [
            "joão@example.com",
            "@example.com",
            "joe@",
            "joe@localhost",
            "joe@example.c0m",
            "joe@-example.com",
            "a@b@c.com",
            "joe@example..com",
        ] {
            assert!(
                !plain_to_html(text).contains("mailto"),
                "{text}: {}",
                plain_to_html(text)
            );
        }
        // Addresses inside URLs belong to the URL.
        assert_eq!(
            plain_to_html("http://user@example.com/"),
            link("http://user@example.com/", "http://user@example.com/")
        );
    }

    #[test]
    fn quotes_are_nested_blockquotes() {
        let text = "Hi,\n> first\n> > second\n>> second too\n>\n> back\nme\n";
        assert_eq!(
            plain_to_html(text),
            "Hi,\n<blockquote class=\"quote\">first\n<blockquote class=\"quote\">second\n\
             second too\n</blockquote>\nback\n</blockquote>me\n"
        );
        assert_eq!(
            plain_to_html("> a\n\nb"),
            "<blockquote class=\"quote\">a\n</blockquote>\nb"
        );
        assert_eq!(
            plain_to_html(">>> deep"),
            format!(
                "{0}{0}{0}deep{1}{1}{1}",
                "<blockquote class=\"quote\">", "</blockquote>"
            )
        );
        // `>` inside a line, or after leading spaces, is text.
        assert_eq!(plain_to_html("a > b\n  > c"), "a &gt; b\n  &gt; c");
        // Links work inside quotes.
        assert_eq!(
            plain_to_html("> see www.example.com"),
            format!(
                "<blockquote class=\"quote\">see {}</blockquote>",
                link("http://www.example.com", "www.example.com")
            )
        );
    }

    #[test]
    fn quote_depth_is_capped() {
        let out = plain_to_html(&(">".repeat(10_000) + " deep"));
        assert_eq!(out.matches("<blockquote").count(), MAX_QUOTE_DEPTH);
        assert_eq!(out.matches("</blockquote>").count(), MAX_QUOTE_DEPTH);
        assert!(out.contains(">deep<"));
    }

    #[test]
    fn pathological_lines_stay_fast() {
        let started = std::time::Instant::now();
        for text in [
            "http://a".to_owned() + &")".repeat(200_000),
            "http://.(".repeat(50_000),
            "www.".repeat(100_000),
            "a".repeat(200_000) + &"@".repeat(100_000),
            "a@b.".repeat(100_000),
            "(http://x".repeat(50_000),
        ] {
            let out = plain_to_html(&text);
            assert!(!out.is_empty());
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn unflow_joins_soft_breaks() {
        assert_eq!(
            unflow("This is a \r\nflowed paragraph.\r\nFixed line.\r\n", false),
            "This is a flowed paragraph.\nFixed line.\n"
        );
        assert_eq!(unflow("日本語の \nテキスト\n", true), "日本語のテキスト\n");
        assert_eq!(unflow("no newline at end ", false), "no newline at end ");
    }

    #[test]
    fn unflow_removes_space_stuffing() {
        assert_eq!(
            unflow(" From here\n  two spaces\n", false),
            "From here\n two spaces\n"
        );
        // A stuffed `>` stays stuffed, so it does not turn into a quote afterwards.
        assert_eq!(unflow(" >not a quote\n", false), " >not a quote\n");
        assert_eq!(
            plain_to_html(&unflow(" >not a quote", false)),
            " &gt;not a quote"
        );
    }

    #[test]
    fn unflow_keeps_quote_depth() {
        let text = "> quoted \n> paragraph\n>> deeper \n>> too\n> flowed into \nnot quoted\n";
        assert_eq!(
            unflow(text, false),
            "> quoted paragraph\n>> deeper too\n> flowed into \nnot quoted\n"
        );
        assert_eq!(unflow(">\n> a\n", false), ">\n> a\n");
        assert_eq!(unflow("> >x\n", false), ">  >x\n");
        assert_eq!(
            plain_to_html(&unflow("> >x", false)),
            "<blockquote class=\"quote\"> &gt;x</blockquote>"
        );
    }

    #[test]
    fn unflow_never_joins_the_signature_separator() {
        assert_eq!(
            unflow("Bye \n-- \nJoe \nSmith\n", false),
            "Bye \n-- \nJoe Smith\n"
        );
    }

    // ---- randomized invariants -------------------------------------------------------------

    use crate::mime::test_rng::XorShift;

    #[rustfmt::skip]
    const TOKENS: &[&str] = &[
        "http://", "https://", "www.", "HTTP://", "example.com", "/path", "?a=1&b=2", "#x",
        "javascript:", "alert(1)", "vbscript:", "data:text/html,", "<script>", "</script>",
        "<a href=", "<img src=x onerror=alert(1)>", "\"", "'", "`", "<", ">", "> ", ">>", "&",
        "&amp;", "&#106;", "(", ")", "[", "]", ".", ",", ";", ":", "!", "?", "@", "joe",
        "maria.silva", "@example.org", " ", "  ", "\n", "\r\n", "\t", "\0", "\u{a0}", "Olá",
        "ação", "“", "”", "«", "»", "。", "onmouseover=", "=", "-- ", "x", "1",
    ];

    /// Reads our own output back: the only markup allowed is our `<a …>`, `</a>`,
    /// `<blockquote class="quote">` and `</blockquote>`, balanced, with safe hrefs. Returns the
    /// text content (entities decoded) for comparison with the input.
    fn read_back(html: &str) -> Result<String, String> {
        let mut text = String::new();
        let mut rest = html;
        let mut quotes = 0usize;
        let mut in_link = false;
        while let Some(c) = rest.chars().next() {
            if c == '>' || c == '"' || c == '\'' {
                return Err(format!("raw {c:?} in text"));
            } else if c == '&' {
                let end = rest.find(';').ok_or("unterminated entity")?;
                text.push(match &rest[..=end] {
                    "&amp;" => '&',
                    "&lt;" => '<',
                    "&gt;" => '>',
                    "&quot;" => '"',
                    "&#39;" => '\'',
                    other => return Err(format!("entity {other}")),
                });
                rest = &rest[end + 1..];
            } else if let Some(after) = rest.strip_prefix(r#"<blockquote class="quote">"#) {
                if in_link {
                    return Err("blockquote inside link".into());
                }
                quotes += 1;
                rest = after;
            } else if let Some(after) = rest.strip_prefix("</blockquote>") {
                quotes = quotes.checked_sub(1).ok_or("unbalanced </blockquote>")?;
                rest = after;
            } else if let Some(after) = rest.strip_prefix(r#"<a href=""#) {
                if in_link {
                    return Err("nested link".into());
                }
                let end = after.find('"').ok_or("unterminated href")?;
                let href = &after[..end];
                if !(href.starts_with("http://")
                    || href.starts_with("https://")
                    || href.starts_with("HTTP://")
                    || href.starts_with("HTTPS://")
                    || href.starts_with("mailto:"))
                    || href.contains(['<', '>', '\'', ' ', '\n'])
                {
                    return Err(format!("href {href}"));
                }
                let after = after[end..]
                    .strip_prefix(r#"" target="_blank" rel="noopener noreferrer">"#)
                    .ok_or("link attributes")?;
                in_link = true;
                rest = after;
            } else if let Some(after) = rest.strip_prefix("</a>") {
                if !in_link {
                    return Err("stray </a>".into());
                }
                in_link = false;
                rest = after;
            } else if c == '<' {
                return Err(format!("markup {:?}", &rest[..rest.len().min(20)]));
            } else {
                text.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if quotes != 0 || in_link {
            return Err("unclosed element".into());
        }
        Ok(text)
    }

    #[test]
    fn random_text_keeps_invariants() {
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        for _ in 0..2_000 {
            let len = 1 + rng.next() % 30;
            let input: String = (0..len).map(|_| rng.pick(TOKENS)).collect();
            let out = plain_to_html(&input);
            let text = read_back(&out).unwrap_or_else(|e| panic!("{e}\n{input:?}\n{out:?}"));
            // Nothing is lost or invented: the text is the input minus quote markers, CRs and
            // control characters.
            let expected: Vec<String> = input
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .split('\n')
                .map(|l| {
                    split_quote(l)
                        .1
                        .chars()
                        .filter(|c| !c.is_control() || *c == '\t')
                        .collect()
                })
                .collect();
            assert_eq!(text, expected.join("\n"), "{input:?}");
            // Unfolding never breaks these invariants either.
            let unflowed = unflow(&input, rng.next().is_multiple_of(2));
            let out = plain_to_html(&unflowed);
            read_back(&out).unwrap_or_else(|e| panic!("{e}\n{unflowed:?}\n{out:?}"));
        }
    }
}
