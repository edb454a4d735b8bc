//! Hostile markup: scripts, event handlers, dangerous schemes, foreign content, mutation XSS,
//! forbidden elements, and the corpus's payloads.

use super::*;

#[test]
fn script_is_removed_with_its_content() {
    for input in [
        "<script>alert(1)</script>ok",
        "<SCRIPT SRC=http://evil.test/x.js></SCRIPT>ok",
        "<scr<script>ipt>alert(1)</script>ok",
        "<script>document.write('<img src=x>')</script>ok",
    ] {
        let out = blocked(input);
        assert_safe(input, &out, false);
        let lower = out.html.to_lowercase();
        assert!(!lower.contains("<script"), "{input}: {}", out.html);
        assert!(!lower.contains("alert(1)</"), "{input}: {}", out.html);
        assert!(out.html.ends_with("ok"), "{input}: {}", out.html);
    }
}

#[test]
fn event_handlers_are_removed() {
    for input in [
        "<img src=x onerror=alert(1)>",
        "<img src=\"cid:logo@example.com\" onload=\"alert(1)\">",
        "<p onmouseover=alert(1)>hover</p>",
        "<body onload=alert(1)>x",
        "<a href=http://ok.test/ onclick=alert(1) OnFocus=alert(2)>x</a>",
        "<div/onclick=alert(1)>x</div>",
        "<img src=x onerror\x0c=alert(1)>",
        "<table background=x onload=alert(1)><tr><td onclick=alert(1)>x</td></tr></table>",
    ] {
        let out = blocked(input);
        assert_safe(input, &out, false);
        assert!(
            !out.html.to_lowercase().contains(" on"),
            "{input}: {}",
            out.html
        );
        assert!(!out.html.contains("alert"), "{input}: {}", out.html);
    }
}

#[test]
fn dangerous_link_schemes_are_removed() {
    for href in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "jav&#10;ascript:alert(1)",
        "java&NewLine;script:alert(1)",
        "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
        "&#x6A;avascript&colon;alert(1)",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/png;base64,iVBORw0KGgo=",
        "livescript:alert(1)",
        "file:///etc/passwd",
        "/relative/path",
        "#fragment",
    ] {
        let input = format!("<a href=\"{href}\">click</a>");
        let out = blocked(&input);
        assert_safe(&input, &out, false);
        assert!(!out.html.contains("href"), "{input}: {}", out.html);
        assert!(out.html.contains(">click</a>"), "{input}: {}", out.html);
    }
}

#[test]
fn data_urls_only_for_raster_images() {
    let input = "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">\
                 <img src=\"data:text/html,<script>alert(1)</script>\">\
                 <img src=\"data:;base64,R0lGODlhAQABAAAAACw=\">\
                 <img src=\"DATA:image/GIF;base64,R0lGODlhAQABAAAAACw=\">\
                 <img src=\"data:image/webp;base64,UklGRg==\">";
    let out = blocked(input);
    assert_safe(input, &out, false);
    assert!(!out.html.contains("svg"), "{}", out.html);
    assert!(!out.html.contains("text/html"), "{}", out.html);
    assert!(out
        .html
        .contains("src=\"data:image/GIF;base64,R0lGODlhAQABAAAAACw=\""));
    assert!(out.html.contains("src=\"data:image/webp;base64,UklGRg==\""));
    assert_eq!(out.blocked_remote, 0);
}

#[test]
fn svg_and_mathml_are_removed() {
    for input in [
        "<svg onload=alert(1)><circle r=10 /></svg>after",
        "<svg><animate attributeName=href values=javascript:alert(1) /><a><text>x</text></a></svg>after",
        "<svg><a><set attributeName=href to=javascript:alert(1) /><text>x</text></a></svg>after",
        "<svg><use href=\"data:image/svg+xml;base64,PHN2ZyBpZD0neCc+PC9zdmc+#x\" /></svg>after",
        "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>after",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>after",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<math><annotation-xml encoding=\"text/html\"><img src=x onerror=alert(1)></annotation-xml></math>",
    ] {
        let out = blocked(input);
        assert_safe(input, &out, false);
        let lower = out.html.to_lowercase();
        assert!(!lower.contains("<svg") && !lower.contains("<math"), "{input}: {lower}");
        assert!(!lower.contains("javascript") && !lower.contains("alert"), "{input}: {lower}");
    }
}

#[test]
fn mutation_xss_payloads_stay_inert() {
    for input in [
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<svg><style><img src=x onerror=alert(1)></style></svg>",
        "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
        "<xmp><p title=\"</xmp><img src=x onerror=alert(1)>\">",
        "<noembed><img title=\"</noembed><img src=x onerror=alert(1)>\"></noembed>",
        "<textarea><img title=\"</textarea><img src=x onerror=alert(1)>\">",
        "<title><img title=\"</title><img src=x onerror=alert(1)>\">",
        "<iframe><img title=\"</iframe><img src=x onerror=alert(1)>\">",
        "<style><img title=\"</style><img src=x onerror=alert(1)>\">",
        "<a title=\"&lt;/a&gt;&lt;img src=x onerror=alert(1)&gt;\">x</a>",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<!--<script>alert(1)</script>-->",
        "<!-- --!><img src=x onerror=alert(1)>-->",
        "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
        "<? <img src=x onerror=alert(1)> ?>",
        "<a href=\"http://ok.test/\"\"onclick=alert(1)>x</a>",
    ] {
        let out = blocked(input);
        assert_safe(input, &out, false);
        // Must also survive a second parse unchanged: if re-parsing moved anything, a
        // browser could see a different tree than the sanitiser did.
        let again = blocked(&out.html);
        assert_eq!(canonical(&again.html), canonical(&out.html), "{input}");
        assert!(!out.html.contains("<script"), "{input}: {}", out.html);
    }
}

#[test]
fn forbidden_elements_disappear() {
    let input = "<base href=\"http://evil.test/\">\
        <meta http-equiv=\"refresh\" content=\"0;url=http://evil.test/\">\
        <link rel=stylesheet href=http://evil.test/x.css>\
        <form action=http://evil.test/><input name=p type=password><button formaction=javascript:alert(1)>Go</button></form>\
        <iframe srcdoc=\"<script>alert(1)</script>\" src=http://evil.test/></iframe>\
        <object data=http://evil.test/x.swf></object><embed src=http://evil.test/x.swf>\
        <video poster=http://evil.test/p.png src=http://evil.test/v.mp4></video>\
        <select><option>one</option></select><textarea>secret</textarea>\
        <template><img src=http://evil.test/t.png></template>\
        <audio src=http://evil.test/a.mp3></audio><p>text</p>";
    let out = blocked(input);
    assert_safe(input, &out, false);
    assert!(!out.html.contains("evil.test"), "{}", out.html);
    for word in ["one", "secret", "alert"] {
        assert!(!out.html.contains(word), "{word}: {}", out.html);
    }
    assert!(out.html.contains("Go") && out.html.ends_with("<p>text</p>"));
}

#[test]
fn full_documents_lose_head_and_title() {
    let input = "<!DOCTYPE html><html><head><title>Secret title</title>\
        <meta charset=utf-8><style>@import url(http://evil.test/x.css); p { color: red }</style>\
        <script>alert(1)</script></head><body bgcolor=red><p>Body</p></body></html>";
    let out = blocked(input);
    assert_safe(input, &out, false);
    assert_eq!(out.html, "<p>Body</p>");
}

/// The hostile HTML samples of the shared corpus (`../shared/corpus/`), when present:
/// Cure53's HTTPLeaks lists every way HTML can load a remote resource; the others are
/// Roundcube's and Zimbra's XSS regression inputs.
#[test]
fn corpus_payloads_are_neutralised() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/html-payloads-not-messages");
    let Ok(groups) = std::fs::read_dir(&dir) else {
        return; // corpus not present on this machine
    };
    let mut seen = 0;
    for group in groups.flatten() {
        for file in std::fs::read_dir(group.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = file.file_name().to_string_lossy().into_owned();
            if name == "LICENSE" {
                continue;
            }
            let Ok(bytes) = std::fs::read(file.path()) else {
                continue;
            };
            let input = String::from_utf8_lossy(&bytes);
            seen += 1;
            for allow_remote in [false, true] {
                let out = run(&input, allow_remote);
                assert_safe(&name, &out, allow_remote);
                if !allow_remote {
                    assert_no_leak(&name, &out.html, "leaking.via");
                }
            }
        }
    }
    assert!(seen > 0);
    if let Ok(leak) = std::fs::read_to_string(dir.join("cure53-httpleaks/leak.html")) {
        let out = blocked(&leak);
        assert!(out.blocked_remote >= 10, "{}", out.blocked_remote);
        assert!(!out.html.contains("leaking.via/img-src"));
    }
}

/// `host` may appear in text and in link targets (inert until clicked), nowhere else.
fn assert_no_leak(name: &str, html: &str, host: &str) {
    let mut rest = html;
    while let Some(at) = rest.find(host) {
        let before = &rest[..at];
        let tag = &before[before.rfind('<').unwrap_or(0)..];
        let in_text = tag.contains('>');
        let in_href = tag.starts_with("<a ") && tag.ends_with(" href=\"https://");
        assert!(in_text || in_href, "{name}: {host} in {tag:?}");
        rest = &rest[at + host.len()..];
    }
}

#[test]
fn nested_markup_does_not_overflow_the_stack() {
    let input = "<div>".repeat(50_000) + "deep" + &"</div>".repeat(50_000);
    let out = blocked(&input);
    assert!(out.html.contains("deep"));
}
