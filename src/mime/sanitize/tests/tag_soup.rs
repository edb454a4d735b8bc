//! Random tag soup built from hostile fragments keeps every output invariant.

use super::*;
use crate::mime::test_rng::XorShift;

#[rustfmt::skip]
const SOUP: &[&str] = &[
    "<script>", "</script>", "<img", "<svg>", "</svg>", "<math>", "<mtext>", "<mglyph>",
    "<style>", "</style>", "<a", "</a>", "<iframe", "</iframe>", "<noscript>",
    "</noscript>", "<p", "</p>", "<table>", "<tr>", "<td", "</td>",
    "<base href=http://evil.test/>",
    "<meta http-equiv=refresh content='0;url=http://evil.test/'>",
    "<form action=http://evil.test/>", "<input", "<button",
    "<object data=http://evil.test/", "<embed src=http://evil.test/", "<template>",
    "<textarea>", "</textarea>", "<title>", "</title>", "<!--", "-->", "--!>",
    "<![CDATA[", "]]>", "<xmp>", "</xmp>", "<select>", "<option>", "<foreignObject>",
    "<annotation-xml encoding=text/html>", "<animate", "<set", "<use", "<image", "<video",
    "<body", "<html>", "<head>", "<font", "<div", "</div>", "<span", ">", "/>", "\"", "'",
    "=", " ", "\n", "\t", "/", "text", "Olá ação", "&lt;", "&gt;", "&quot;",
    "&#106;avascript:", "javascript:alert(1)", " onerror=alert(1)", " onload=alert(1)",
    " onmouseover=\"alert(1)\"", " src=x", " src=http://evil.test/i.png",
    " src=//evil.test/i.png", " src=cid:logo@example.com", " src=cid:unknown",
    " src=\"data:image/svg+xml,<svg onload=alert(1)>\"",
    " src=data:image/png;base64,iVBORw0KGgo=",
    " src=data:text/html,<script>alert(1)</script>", " href=javascript:alert(1)",
    " href=\"jav&#x09;ascript:alert(1)\"", " href=vbscript:msgbox(1)",
    " href=http://ok.test/", " href=data:text/html;base64,PHNjcmlwdD4=", " href=#x",
    " style=\"background:url(http://evil.test/)\"",
    " style=\"width:expression(alert(1))\"", " style=\"color:red\"",
    " style='b\\61ckground:url(http://evil.test/)'",
    " style=\"color:red;background-image:\\75 rl(http://evil.test)\"", " style=\"x:1;/*",
    " style=\"color:u&#114;l(http://evil.test/)\"", " background=http://evil.test/bg.png",
    " background=cid:logo@example.com", " srcset=\"http://evil.test/1x 1x\"",
    " title=\"</noscript><img src=x onerror=alert(1)>\"",
    " xlink:href=javascript:alert(1)", " formaction=javascript:alert(1)", " id=x",
    " class=c", " attributeName=href", " values=javascript:alert(1)",
    " to=javascript:alert(1)", " target=_self", " rel=opener", " width=1", " bgcolor=red",
    " style=\"font-family:é(x);color:rgb(1,2,3)\"", " face=Arial", "<br>", "<hr", "<center>", "<blockquote>",
];

#[test]
fn random_tag_soup_keeps_invariants() {
    let cid_url = |cid: &str| (cid == "logo@example.com").then(|| format!("{ABS_PARTS}{cid}"));
    let sanitize = |input: &str, allow_remote| {
        sanitize_html(
            input,
            &SanitizeOptions {
                allow_remote,
                cid_url: &cid_url,
                blocked_image_url: ABS_BLOCKED,
            },
        )
        .expect("sanitizes")
    };
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for case in 0..2_000u32 {
        let len = 1 + rng.next() % 40;
        let input: String = (0..len).map(|_| rng.pick(SOUP)).collect();
        let allow_remote = case.is_multiple_of(3);
        let out = sanitize(&input, allow_remote);
        assert_safe(&input, &out, allow_remote);
        let lower = out.html.to_lowercase();
        for bad in [
            "<script", "<svg", "<math", "<style", "<iframe", "<base", "<meta", "<form",
        ] {
            assert!(
                !lower.contains(bad),
                "{bad} in {:?} from {input:?}",
                out.html
            );
        }
        if allow_remote {
            assert_eq!(out.blocked_remote, 0, "{input:?}");
        } else {
            // Every blocked <img> shows the placeholder, so placeholders never exceed the
            // count (the rest are backgrounds and CSS url()s).
            assert!(
                out.html.matches(ABS_BLOCKED).count() <= out.blocked_remote,
                "{input:?}"
            );
        }
        // Re-sanitising the output must not change it: the tree a browser builds from it is
        // the tree that was checked.
        let again = sanitize(&out.html, true);
        assert_eq!(canonical(&again.html), canonical(&out.html), "{input:?}");
    }
}
