//! The allow-lists themselves. The end-to-end hostile-message tests check rendered bodies
//! against [`ALLOWED_TAGS`] rather than a copy of it, so what must never be on it is pinned here.

use super::super::policy::DROP_WITH_CONTENT;
use super::*;

#[test]
fn the_tag_allow_list_holds_nothing_that_runs_loads_or_submits() {
    #[rustfmt::skip]
    const NEVER: &[&str] = &[
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "portal",
        "svg", "math", "form", "input", "button", "select", "option", "textarea", "base", "meta",
        "link", "template", "noscript", "noembed", "noframes", "xmp", "plaintext", "video",
        "audio", "source", "track", "picture", "image", "html", "head", "body", "title",
    ];
    for tag in NEVER {
        assert!(!ALLOWED_TAGS.contains(tag), "<{tag}> is allowed");
    }
    for tag in ALLOWED_TAGS {
        // The parser lower-cases names, so an entry in any other case would never match.
        assert!(
            tag.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
            "{tag}"
        );
        assert!(
            !DROP_WITH_CONTENT.contains(tag),
            "{tag} is kept and dropped"
        );
    }
}
