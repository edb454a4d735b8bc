//! Resources: remote images blocked or kept, `cid:` references rewritten, links that open in a
//! new context.

use super::*;

#[test]
fn remote_images_are_blocked_and_counted() {
    let input = "<img src=\"http://tracker.test/p.gif\" width=1 height=1>\
        <img src=\"HTTPS://cdn.test/logo.png\" alt=\"Logo\">\
        <img src=\"//cdn.test/scheme-relative.png\">\
        <img src=\"\\\\cdn.test/backslashes.png\">\
        <img src=\" https://cdn.test/space.png \">\
        <img src=\"https://cdn.test/a.png\" srcset=\"https://cdn.test/b.png 2x\">\
        <table background=\"http://cdn.test/bg.png\"><tr><td background=\"https://cdn.test/td.png\">x</td></tr></table>";
    let out = blocked(input);
    assert_safe(input, &out, false);
    assert_eq!(out.blocked_remote, 8, "{}", out.html);
    assert!(!out.html.contains("cdn.test") && !out.html.contains("tracker.test"));
    assert_eq!(out.html.matches(BLOCKED).count(), 6);
    assert!(out.html.contains("alt=\"Logo\""));
    assert!(!out.html.contains("srcset") && !out.html.contains("background"));
}

#[test]
fn remote_images_are_kept_when_allowed() {
    let input = "<img src=\"https://cdn.test/logo.png\" alt=\"Logo\">\
        <img src=\"//cdn.test/scheme-relative.png\">\
        <img src=\"https://cdn.test/a.png\" srcset=\"https://cdn.test/b.png 2x\">\
        <table><tr><td background=\"https://cdn.test/td.png\">x</td></tr></table>";
    let out = run(input, true);
    assert_safe(input, &out, true);
    assert_eq!(out.blocked_remote, 0);
    assert!(out
        .html
        .contains("<img src=\"https://cdn.test/logo.png\" alt=\"Logo\">"));
    assert!(out
        .html
        .contains("src=\"https://cdn.test/scheme-relative.png\""));
    assert!(out.html.contains("<img src=\"https://cdn.test/a.png\">"));
    assert!(out.html.contains("background=\"https://cdn.test/td.png\""));
    assert!(!out.html.contains(BLOCKED) && !out.html.contains("srcset"));
}

#[test]
fn relative_and_odd_image_urls_are_dropped() {
    for src in [
        "x",
        "/mail/INBOX/1/raw",
        "../logout",
        "javascript:alert(1)",
        "mailto:a@example.com",
        "file:///etc/passwd",
        "ftp://files.test/x.png",
        "http://",
        "",
    ] {
        let input = format!("<img src=\"{src}\" alt=\"a\">");
        let out = blocked(&input);
        assert_eq!(out.html, "<img alt=\"a\">", "{src}");
        assert_eq!(out.blocked_remote, 0, "{src}");
    }
}

#[test]
fn cid_references_are_rewritten() {
    let input = "<img src=\"cid:logo@example.com\" alt=\"logo\">\
        <img src=\"CID:%3Clogo@example.com%3E\">\
        <img src=\"cid:<logo@example.com>\">\
        <img src=\" cid:logo@exa\tmple.com\">\
        <img src=\"cid:unknown@example.com\" alt=\"gone\">\
        <img src=\"cid:a%26b%22c\">\
        <table><tr><td background=\"cid:logo@example.com\">x</td><td background=\"cid:nope\">y</td></tr></table>";
    let out = blocked(input);
    assert_safe(input, &out, false);
    assert_eq!(out.blocked_remote, 0);
    assert_eq!(
        out.html,
        "<img src=\"/mail/INBOX/7/part/2\" alt=\"logo\">\
         <img src=\"/mail/INBOX/7/part/2\">\
         <img src=\"/mail/INBOX/7/part/2\">\
         <img src=\"/mail/INBOX/7/part/2\">\
         <img alt=\"gone\">\
         <img src=\"/mail/INBOX/7/part/3?x=1&amp;y=&quot;2&quot;\">\
         <table><tbody><tr><td background=\"/mail/INBOX/7/part/2\">x</td><td>y</td></tr></tbody></table>"
    );
}

#[test]
fn cid_callback_is_called_once_per_distinct_id() {
    let calls = std::cell::Cell::new(0);
    let lookup = |cid: &str| {
        calls.set(calls.get() + 1);
        Some(format!("/part/{cid}"))
    };
    let input = "<img src=cid:a><img src=cid:b><img src=cid:a>".repeat(100);
    let out = sanitize_html(
        &input,
        &SanitizeOptions {
            allow_remote: false,
            cid_url: &lookup,
            blocked_image_url: BLOCKED,
        },
    )
    .expect("sanitizes");
    assert_eq!(calls.get(), 2);
    assert_eq!(out.html.matches("src=\"/part/a\"").count(), 200);
    assert_eq!(out.html.matches("src=\"/part/b\"").count(), 100);
}

#[test]
fn text_resembling_a_cid_marker_is_left_alone() {
    let input = "<p>carteiro-cid-0123-s0\" src=\"carteiro-cid-</p><img src=cid:logo@example.com>";
    let out = blocked(input);
    assert_safe(input, &out, false);
    assert!(out
        .html
        .starts_with("<p>carteiro-cid-0123-s0\" src=\"carteiro-cid-</p>"));
    assert!(out.html.ends_with("<img src=\"/mail/INBOX/7/part/2\">"));
}

#[test]
fn links_open_in_a_new_context() {
    let input =
        "<a href=\"https://example.com/a?b=1&amp;c=2\" target=\"_self\" rel=\"opener\">x</a>\
        <a href=\"mailto:someone@example.com?subject=Ol%C3%A1\">m</a>\
        <a name=\"anchor\">n</a>";
    let out = blocked(input);
    assert_safe(input, &out, false);
    assert!(out
        .html
        .contains("href=\"https://example.com/a?b=1&amp;c=2\""));
    assert!(out
        .html
        .contains("href=\"mailto:someone@example.com?subject=Ol%C3%A1\""));
    assert_eq!(out.html.matches("target=\"_blank\"").count(), 3);
    assert_eq!(out.html.matches("rel=\"noopener noreferrer\"").count(), 3);
    assert!(!out.html.contains("_self") && !out.html.contains("\"opener\""));
    assert!(!out.html.contains("name="));
    // Links never count as blocked resources: nothing loads until the reader clicks.
    assert_eq!(out.blocked_remote, 0);
}
