//! Checks on HTML that is about to reach the browser, shared by the corpus, the hostile-message
//! suite and the fuzz targets (which include this file by path).

/// Executable content in rendered output: script, event-handler attributes, and attribute
/// values that run script (a `javascript:`/`vbscript:` URL, or one inside CSS). Text that only
/// mentions such a scheme is escaped and inert, so it is not flagged; nor are the attributes
/// that browsers show as text.
pub fn dangerous(html: &str) -> Option<String> {
    if html.to_ascii_lowercase().contains("<script") {
        return Some("<script".to_string());
    }
    const TEXT: &[&str] = &["alt", "title", "abbr", "summary", "aria-label", "value"];
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.root_element().descendants() {
        if let Some(element) = node.value().as_element() {
            for (name, value) in element.attrs() {
                let name = name.to_ascii_lowercase();
                if name.starts_with("on") {
                    return Some(format!("{} attribute {name}", element.name()));
                }
                if TEXT.contains(&name.as_str()) {
                    continue;
                }
                // Stricter than a browser's URL parser, which skips leading spaces and
                // controls and drops tabs and newlines anywhere.
                let value: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                for scheme in ["javascript:", "vbscript:"] {
                    if value.starts_with(scheme) || (name == "style" && value.contains(scheme)) {
                        return Some(format!("{} attribute {name}={scheme}", element.name()));
                    }
                }
            }
        }
    }
    None
}

/// A remote URL the browser would load by itself (links excepted): the privacy leak that
/// blocking remote content prevents.
pub fn remote_resource(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.root_element().descendants() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
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
                "style",
                "action",
                "formaction",
                "codebase",
                "archive",
                "ping",
                "manifest",
                "profile",
            ];
            if !LOADS.contains(&name) || (element.name() == "a" && name == "href") {
                continue;
            }
            let v = value.trim().to_ascii_lowercase();
            // `url(` is CSS: only a style loads through it (in a `data:` URL it is data).
            if v.starts_with("http:")
                || v.starts_with("https:")
                || v.starts_with("//")
                || (name == "style" && v.contains("url("))
            {
                return Some(format!("<{} {name}={value}>", element.name()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_mentioning_a_script_scheme_is_not_flagged_but_a_script_url_is() {
        assert_eq!(dangerous("<p>vbscript: and javascript:alert(1)</p>"), None);
        assert_eq!(
            dangerous("<p title=\"javascript:x\">&lt;script&gt;</p>"),
            None
        );
        assert!(dangerous("<p><script>x</script></p>").is_some());
        assert!(dangerous("<a href=\" java\tscript:x\">a</a>").is_some());
        assert!(dangerous("<a href=\"VBScript:x\">a</a>").is_some());
        assert!(dangerous("<p style=\"background:url(javascript:x)\">a</p>").is_some());
        assert!(dangerous("<img src=x OnError=x>").is_some());
    }

    #[test]
    fn css_url_is_a_remote_load_only_in_a_style() {
        assert_eq!(remote_resource("<img src=\"data:image/jpeg;url(\">"), None);
        assert!(remote_resource("<p style=\"background: URL(x)\">a</p>").is_some());
        assert!(remote_resource("<img src=\" //x.example/a\">").is_some());
    }
}
