//! Tests of plain-text rendering: escaping, links, quotes, `format=flowed`, and random text
//! against the output's invariants.

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
