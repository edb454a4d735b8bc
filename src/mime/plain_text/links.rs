//! Escaping the text of a plain-text body and turning its URLs and e-mail addresses into links:
//! the only markup it produces is ours, with an escaped `href` that is always `http`, `https`
//! or `mailto`.

/// Added to every generated link; the page around the body must not be reachable from the
/// opened page, nor learn where the reader came from.
const LINK_ATTRIBUTES: &str = r#" target="_blank" rel="noopener noreferrer""#;

/// Appends `text` escaped, with URLs and e-mail addresses turned into links.
pub(super) fn push_linked(out: &mut String, text: &str) {
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
