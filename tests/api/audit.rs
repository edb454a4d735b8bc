//! Checks on HTML that is about to reach the browser, shared by the corpus, the hostile-message
//! suite and the fuzz targets (which include this file by path).
//!
//! Both checks read the HTML the way a browser does (html5ever, as in browsers), so text that
//! merely mentions `javascript:` or `<script>` (escaped) is not flagged, while markup that a
//! browser would run or load is, however it is spelled in the source.

/// Executable content in rendered output: script elements, event-handler attributes, URLs with
/// a script scheme (or an HTML `data:` document), and the elements and attributes that can run
/// or retarget a document (`srcdoc`, `<object>`/`<embed>`, `<base href>`, meta refresh, SVG
/// animation of `href`, CSS `expression()`/`behavior` in styles).
///
/// Carteiro's own enhancement script is the one exception: an empty `<script>` whose `src` is
/// `static/app.js` with its fingerprint (under the base path, if any).
pub fn dangerous(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.root_element().descendants() {
        if let Some(element) = node.value().as_element() {
            let tag = element.name().to_ascii_lowercase();
            if tag == "script" && scraper::ElementRef::wrap(node).is_some_and(is_own_script) {
                continue;
            }
            if matches!(
                tag.as_str(),
                "script" | "object" | "embed" | "applet" | "frame" | "frameset" | "portal"
            ) {
                return Some(format!("<{tag}> element"));
            }
            // Foreign (SVG/MathML) attribute names keep their case (`attributeName`).
            let attr = |n: &str| {
                element
                    .attrs()
                    .find(|(k, _)| k.eq_ignore_ascii_case(n))
                    .map(|(_, v)| v.to_ascii_lowercase())
            };
            if tag == "base" && element.attr("href").is_some() {
                return Some("<base href>".into());
            }
            if tag == "meta" && attr("http-equiv").is_some_and(|v| v.trim() != "content-type") {
                return Some(format!("<meta http-equiv={}>", attr("http-equiv").unwrap()));
            }
            if matches!(tag.as_str(), "animate" | "set" | "animatemotion")
                && attr("attributename").is_some_and(|v| v.contains("href"))
            {
                return Some(format!("<{tag}> animating href"));
            }
            if tag == "style" {
                let text = scraper::ElementRef::wrap(node)
                    .map(node_text)
                    .unwrap_or_default();
                if let Some(what) = script_in_css(&text) {
                    return Some(format!("<style> with {what}"));
                }
            }
            for (name, value) in element.attrs() {
                let name = name.to_ascii_lowercase();
                if name.starts_with("on") {
                    return Some(format!("{tag} attribute {name}"));
                }
                if name == "srcdoc" {
                    return Some(format!("{tag} attribute {name}"));
                }
                if name == "style" {
                    if let Some(what) = script_in_css(value) {
                        return Some(format!("{tag} style with {what}"));
                    }
                }
                if let Some(scheme) = script_url(value) {
                    return Some(format!("{tag} attribute {name}={scheme}"));
                }
            }
        }
    }
    None
}

/// The scheme of a URL that runs script or opens an HTML document when followed or loaded,
/// read as a browser's URL parser reads it (leading spaces and controls skipped, tabs and
/// newlines anywhere removed, case ignored).
fn script_url(value: &str) -> Option<&'static str> {
    let url: String = value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take(40)
        .collect::<String>()
        .to_ascii_lowercase();
    for scheme in ["javascript:", "vbscript:", "livescript:", "jar:"] {
        if url.starts_with(scheme) {
            return Some(scheme);
        }
    }
    let data_ok = [
        "data:image/png",
        "data:image/gif",
        "data:image/jpeg",
        "data:image/webp",
    ];
    if url.starts_with("data:") && !data_ok.iter().any(|ok| url.starts_with(ok)) {
        return Some("data:");
    }
    None
}

/// Script-capable CSS: old IE `expression()`, `behavior`, `-moz-binding`, `javascript:` URLs.
fn script_in_css(css: &str) -> Option<&'static str> {
    let compact: String = css
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    [
        "expression(",
        "behavior:",
        "-moz-binding",
        "javascript:",
        "vbscript:",
    ]
    .into_iter()
    .find(|needle| compact.contains(needle))
}

fn node_text(element: scraper::ElementRef<'_>) -> String {
    element.text().collect()
}

/// In body HTML (not a whole Carteiro page, whose own body frame counts as a nested document):
/// a remote URL the browser would load by itself (links excepted), the privacy leak that
/// blocking remote content prevents. Looks at every loading attribute (each `srcset`
/// candidate too), at CSS in `style` attributes and `<style>` elements (`url()`, `@import`,
/// `image-set()`), at meta refresh, and at nested documents (frames, objects, embeds).
pub fn remote_resource(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.root_element().descendants() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let tag = element.name();
        if tag.eq_ignore_ascii_case("style") {
            let text = scraper::ElementRef::wrap(node)
                .map(node_text)
                .unwrap_or_default();
            if let Some(what) = remote_in_css(&text) {
                return Some(format!("<style> with {what}"));
            }
        }
        // A nested document loads whatever it contains, `data:` and `srcdoc` ones included.
        if matches!(tag, "iframe" | "frame" | "object" | "embed")
            && ["src", "data", "srcdoc"]
                .iter()
                .any(|a| element.attr(a).is_some())
        {
            return Some(format!("<{tag}> document"));
        }
        for (name, value) in element.attrs() {
            const LOADS: &[&str] = &[
                "src",
                "srcset",
                "background",
                "poster",
                "data",
                "lowsrc",
                "dynsrc",
                "href",
                "xlink:href",
                "action",
                "formaction",
                "codebase",
                "archive",
                "ping",
                "manifest",
                "profile",
            ];
            if name == "style" {
                if let Some(what) = remote_in_css(value) {
                    return Some(format!("<{tag} style> with {what}"));
                }
                continue;
            }
            if name == "content"
                && element
                    .attr("http-equiv")
                    .is_some_and(|e| e.eq_ignore_ascii_case("refresh"))
            {
                return Some(format!("<meta http-equiv=refresh content={value}>"));
            }
            if !LOADS.contains(&name) || ((tag == "a" || tag == "area") && name == "href") {
                continue;
            }
            let candidates: Vec<&str> = if name == "srcset" {
                value.split(',').collect()
            } else {
                vec![value]
            };
            if candidates.iter().any(|c| is_remote_url(c)) {
                return Some(format!("<{tag} {name}={value}>"));
            }
        }
    }
    None
}

/// Whether a URL leaves the origin: a network scheme, scheme-relative (`//host`, `\\host`,
/// `/\host`), or a special scheme without slashes (`https:host`), as browsers read them.
fn is_remote_url(value: &str) -> bool {
    let v: String = value
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    let b = v.as_bytes();
    ["http:", "https:", "ftp:", "ws:", "wss:"]
        .iter()
        .any(|s| v.starts_with(s))
        || (b.len() >= 2 && matches!(b[0], b'/' | b'\\') && matches!(b[1], b'/' | b'\\'))
}

/// A CSS reference to anything outside the document: `url()` (except `data:`), `@import`,
/// `image-set()`, `src()`.
fn remote_in_css(css: &str) -> Option<String> {
    let compact: String = css
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if compact.contains("@import") {
        return Some("@import".into());
    }
    for function in ["url(", "image-set(", "src("] {
        let mut rest = compact.as_str();
        while let Some(at) = rest.find(function) {
            rest = &rest[at + function.len()..];
            let arg = rest.trim_start_matches(['"', '\'']);
            if !arg.starts_with("data:") {
                return Some(format!("{function}{}", &arg[..arg.len().min(60)]));
            }
        }
    }
    None
}

/// An attribute value (links and text-bearing attributes excepted) that names `host` or one of
/// its subdomains: stricter than [`remote_resource`] for payloads whose remote references all
/// point to one host.
pub fn mentions_host_outside_links(html: &str, host: &str) -> Option<String> {
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.root_element().descendants() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let tag = element.name();
        let style = (tag == "style")
            .then(|| scraper::ElementRef::wrap(node).map(node_text))
            .flatten();
        if style.is_some_and(|text| text.to_ascii_lowercase().contains(host)) {
            return Some(format!("<style> naming {host}"));
        }
        for (name, value) in element.attrs() {
            let link = (tag == "a" || tag == "area") && name == "href";
            const TEXT: &[&str] = &["alt", "title", "download", "aria-label", "value"];
            if !link && !TEXT.contains(&name) && value.to_ascii_lowercase().contains(host) {
                return Some(format!("<{tag} {name}={value}>"));
            }
        }
    }
    None
}

/// Carteiro's own scripts, the only `<script>` elements a page may carry.
const OWN_SCRIPTS: &[&str] = &["app.js", "autocomplete.js"];

/// Whether a `<script>` is one of Carteiro's own: an empty element loading a fingerprinted
/// static file (`/static/app.js?v=` and 16 hex digits), optionally under a base path.
fn is_own_script(script: scraper::ElementRef<'_>) -> bool {
    let src = script.value().attr("src").unwrap_or_default();
    let Some((path, hash)) = OWN_SCRIPTS
        .iter()
        .find_map(|name| src.split_once(&format!("/static/{name}?v=")))
    else {
        return false;
    };
    let base_ok = path.is_empty()
        || (path.starts_with('/')
            && path[1..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'/'));
    base_ok
        && hash.len() == 16
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && script.children().next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_carteiros_own_empty_fingerprinted_script_passes() {
        let own = r#"<script src="/static/app.js?v=0123456789abcdef" defer></script>"#;
        assert_eq!(dangerous(own), None);
        let under_base = r#"<script src="/webmail/static/app.js?v=0123456789abcdef"></script>"#;
        assert_eq!(dangerous(under_base), None);
        for other in [
            r#"<script src="/static/app.js?v=0123456789abcdef">alert(1)</script>"#,
            r#"<script src="/static/app.js"></script>"#,
            r#"<script src="https://evil.example/static/app.js?v=0123456789abcdef"></script>"#,
            r#"<script src="/static/evil.js?v=0123456789abcdef"></script>"#,
            "<script>alert(1)</script>",
        ] {
            assert!(dangerous(other).is_some(), "{other}");
        }
    }

    #[test]
    fn escaped_text_is_not_flagged_but_markup_is() {
        assert_eq!(
            dangerous("<p>see javascript:alert(1) and &lt;script&gt;</p>"),
            None
        );
        assert!(dangerous("<p><script>x</script></p>").is_some());
        assert!(dangerous("<a href=\" java\tscript:x\">a</a>").is_some());
        assert!(dangerous("<img src=x OnError=x>").is_some());
        assert!(dangerous("<iframe srcdoc=\"x\"></iframe>").is_some());
        assert!(dangerous("<div style=\"width: ex pression(1)\"></div>").is_some());
        assert!(dangerous("<svg><set attributeName=\"href\" to=\"x\"/></svg>").is_some());
        assert_eq!(dangerous("<img src=\"data:image/png;base64,AA==\">"), None);
        assert!(dangerous("<a href=\"data:text/html,x\">x</a>").is_some());
    }

    #[test]
    fn remote_loads_are_flagged_wherever_they_hide() {
        assert_eq!(remote_resource("<a href=\"http://x.example/\">l</a>"), None);
        assert!(remote_resource("<img srcset=\"a.png 1x, http://x.example/b 2x\">").is_some());
        assert!(remote_resource("<style>@import 'x.css';</style>").is_some());
        assert!(remote_resource("<style>p{background:url( //x.example/a )}</style>").is_some());
        assert_eq!(
            remote_resource("<style>p{background:url(data:image/png;base64,AA)}</style>"),
            None
        );
        assert!(remote_resource("<img src=\"\\\\x.example/a\">").is_some());
        assert!(
            remote_resource("<meta http-equiv=refresh content=\"0;url=http://x.example\">")
                .is_some()
        );
    }
}
