//! Checks on HTML that is about to reach the browser, shared by the corpus, the hostile-message
//! suite and the fuzz targets (which include this file by path).

/// Executable content in rendered output: script, JS URLs, event-handler attributes.
pub fn dangerous(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    for needle in ["<script", "javascript:", "vbscript:"] {
        if lower.contains(needle) {
            return Some(needle.to_string());
        }
    }
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.root_element().descendants() {
        if let Some(element) = node.value().as_element() {
            for (name, _) in element.attrs() {
                if name.to_ascii_lowercase().starts_with("on") {
                    return Some(format!("{} attribute {name}", element.name()));
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
            if v.starts_with("http:")
                || v.starts_with("https:")
                || v.starts_with("//")
                || v.contains("url(")
            {
                return Some(format!("<{} {name}={value}>", element.name()));
            }
        }
    }
    None
}
