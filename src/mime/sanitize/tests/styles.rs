//! Inline styles: what the style filter keeps, and random styles against its invariants.

use std::sync::atomic::AtomicUsize;

use super::super::css::filter_style;
use super::*;
use crate::mime::test_rng::XorShift;

#[test]
fn style_attributes_are_filtered() {
    let cases: &[(&str, &str)] = &[
        (
            "color: red; font-weight: bold",
            "color:red;font-weight:bold",
        ),
        ("COLOR: Red", "color:Red"),
        ("background:url(http://evil.test/x)", ""),
        ("background-image:url('cid:logo@example.com')", ""),
        ("background: red", ""),
        ("width:expression(alert(1))", ""),
        ("width: exp/**/ression(alert(1))", ""),
        ("width: 10px; color: \\72 ed", "width:10px"),
        ("\\63olor: red", ""),
        ("color: r\\65d", ""),
        (
            "font-family: \"Segoe UI\", Arial",
            "font-family:\"Segoe UI\" , Arial",
        ),
        ("font-family: \"unterminated; color: red", "color:red"),
        ("color: red; behavior: url(x.htc)", "color:red"),
        ("-moz-binding: url(x.xml#xss)", ""),
        ("color: var(--x)", ""),
        ("color: attr(title)", ""),
        ("width: env(safe-area-inset-left)", ""),
        ("content: url(http://evil.test/)", ""),
        ("list-style: url(http://evil.test/)", ""),
        ("list-style-type: square", "list-style-type:square"),
        (
            "border: 1px solid #ccc; border-image: url(http://evil.test/) 30",
            "border:1px solid #ccc",
        ),
        ("display: block", "display:block"),
        ("display: none !important", "display:none ! important"),
        ("display: -webkit-box", ""),
        ("position: fixed; top: 0", ""),
        ("color: rgb(1, 2, 3)", "color:rgb(1, 2, 3)"),
        ("color: foo(1)", ""),
        ("font-family: é(x)", ""),
        (
            "font-family: \"Meiryo UI\", メイリオ",
            "font-family:\"Meiryo UI\" , メイリオ",
        ),
        ("width: calc(100% - 10px)", "width:calc(100% - 10px)"),
        (
            "margin: 0 auto; padding: 4px 8px",
            "margin:0 auto;padding:4px 8px",
        ),
        (
            "color: red; } body { background: url(http://evil.test/)",
            "color:red",
        ),
        ("color: red</style><script>alert(1)</script>", ""),
        ("font-family: @import", ""),
        ("{ left:expression( alert('xss') ) }", ""),
    ];
    for (style, expected) in cases {
        let input = format!("<p style='{}'>x</p>", style.replace('\'', "&#39;"));
        let out = blocked(&input);
        assert_safe(&input, &out, false);
        let expected_html = if expected.is_empty() {
            "<p>x</p>".to_owned()
        } else {
            format!("<p style=\"{}\">x</p>", expected.replace('"', "&quot;"))
        };
        assert_eq!(out.html, expected_html, "style {style:?}");
    }
}

#[test]
fn html_entities_are_decoded_before_the_style_filter() {
    // ammonia hands the filter the parsed (entity-decoded) value; these only become
    // dangerous once decoded, so they prove the filter sees the decoded form.
    for style in [
        "background:u&#114;l(http://evil.test/a)",
        "background:url&#x28;http://evil.test/a&#x29;",
        "background-image:url&lpar;http://evil.test/a&rpar;",
        "width:&#x65;xpression(alert(1))",
        "color:&#92;72ed",
        "width:e&#x78;pression(alert(1)); color: blue",
    ] {
        let input = format!("<div style=\"{style}\">x</div>");
        let out = blocked(&input);
        assert_safe(&input, &out, false);
        assert!(
            out.html == "<div>x</div>" || out.html == "<div style=\"color:blue\">x</div>",
            "{style}: {}",
            out.html
        );
    }
    assert_eq!(
        blocked("<p style=\"background:u&#114;l(http://evil.test/a)\">x</p>").blocked_remote,
        1
    );
}

#[test]
fn css_urls_are_counted_when_blocked() {
    let input = "<div style=\"background:url(http://evil.test/a); color: red\">a</div>\
        <div style=\"background-image: URL( 'https://evil.test/b' )\">b</div>\
        <div style=\"background-image: url(//evil.test/c)\">c</div>\
        <div style=\"background-image: url(cid:logo@example.com)\">d</div>";
    let out = blocked(input);
    assert_safe(input, &out, false);
    assert_eq!(out.blocked_remote, 3);
    assert!(!out.html.contains("evil.test") && !out.html.contains("url("));
    let out = run(input, true);
    assert_eq!(out.blocked_remote, 0);
    assert!(!out.html.contains("evil.test") && !out.html.contains("url("));
}

#[rustfmt::skip]
const CSS_SOUP: &[&str] = &[
    "color", "background", "background-image", "display", "font-family", "width", "list-style",
    "behavior", ":", ";", " ", "\t", "\n", "\\", "\\75 ", "/*", "*/", "url(", "URL (", ")", "(",
    "\"", "'", "http://evil.test/", "//evil.test", "expression", "exp", "ression", "rgb(", "calc(",
    "var(--x)", "!important", "block", "contents", "red", "é", "メイリオ", "\u{fffd}", "\0", "{",
    "}", "<", "@import", "image-set(", "-moz-binding", "10px", ",", "#fff", "attr(x)", "u", "rl(",
];

#[test]
fn random_styles_keep_invariants() {
    let mut rng = XorShift(0xd1b5_4a32_d192_ed03);
    for case in 0..2_000u32 {
        let len = 1 + rng.next() % 24;
        let style: String = (0..len).map(|_| rng.pick(CSS_SOUP)).collect();
        let blocked = AtomicUsize::new(0);
        let kept = filter_style(&style, case.is_multiple_of(2), &blocked);
        assert!(
            kept.is_empty() || check_style(&kept),
            "{style:?} -> {kept:?}"
        );
        let input = format!("<p style=\"{}\">x</p>", style.replace('"', "&quot;"));
        let out = blocked_html_checked(&input);
        assert!(!out.contains("evil.test"), "{input:?} -> {out:?}");
    }
}

fn blocked_html_checked(input: &str) -> String {
    let out = blocked(input);
    assert_safe(input, &out, false);
    out.html
}
