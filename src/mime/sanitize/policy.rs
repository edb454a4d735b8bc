//! What survives sanitising: the allow-lists of elements, attributes, URL schemes and CSS, in
//! one place so that the whole policy can be reviewed at once. The code that applies them lives
//! in the sibling modules (`filter`, `css`, `url`). [`ALLOWED_TAGS`] is public: the integration
//! tests check rendered pages against it; the rest is the sanitizer's own.

/// Formatting elements that survive. Anything else is removed, keeping its children unless it
/// is listed in [`DROP_WITH_CONTENT`]. Public so that the end-to-end hostile-message tests check
/// rendered bodies against this very list instead of a copy that could drift from it.
#[rustfmt::skip]
pub const ALLOWED_TAGS: &[&str] = &[
    "a", "abbr", "acronym", "address", "article", "aside", "b", "bdi", "bdo", "big",
    "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hgroup", "hr", "i", "img", "ins", "kbd", "li", "main", "mark",
    "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small", "span",
    "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "tt", "u", "ul", "var", "wbr",
];

/// Elements removed together with everything inside them: their content is code, metadata, a
/// nested document, or foreign (SVG/MathML) markup that would only leak as junk text. `noscript`
/// is here because the parser runs with scripting enabled, so its content is raw markup text.
#[rustfmt::skip]
pub(super) const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "title", "template", "noscript", "iframe", "frame", "frameset",
    "noframes", "noembed", "object", "embed", "applet", "svg", "math", "select", "datalist",
    "textarea",
];

/// Presentational attributes allowed on every kept element (no `class`, except
/// `<blockquote class="quote">`, see [`super::sanitize_prepared`]). `style` is filtered
/// declaration by declaration.
pub(super) const GENERIC_ATTRIBUTES: &[&str] = &[
    "align", "valign", "width", "height", "bgcolor", "color", "border", "dir", "lang", "title",
    "face", "size", "style",
];

/// Attributes allowed only on particular elements. `background` (an image URL, rewritten by the
/// attribute filter) only where browsers still load it, so that the blocked count is honest.
#[rustfmt::skip]
pub(super) const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("img", &["src", "alt", "hspace", "vspace"]),
    ("table", &["background", "cellpadding", "cellspacing", "summary", "frame", "rules"]),
    ("thead", &["background"]),
    ("tbody", &["background"]),
    ("tfoot", &["background"]),
    ("tr", &["background"]),
    ("td", &["background", "colspan", "rowspan", "nowrap", "scope", "abbr"]),
    ("th", &["background", "colspan", "rowspan", "nowrap", "scope", "abbr"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("ol", &["start", "type", "reversed"]),
    ("ul", &["type"]),
    ("li", &["value", "type"]),
    ("time", &["datetime"]),
    ("del", &["datetime"]),
    ("ins", &["datetime"]),
];

/// Schemes ammonia lets through to the attribute filter, which then narrows them per attribute
/// (`cid:`/`data:` only for images, `mailto:` only for links). ammonia checks schemes *before*
/// the filter runs, so `cid` and `data` must be listed here or they never reach it.
pub(super) const URL_SCHEMES: &[&str] = &["http", "https", "mailto", "cid", "data"];

/// CSS properties kept in `style` attributes. Shorthands that can carry images (`background`,
/// `list-style`, `border-image`, `content`, …) are deliberately absent.
#[rustfmt::skip]
pub(super) const STYLE_PROPERTIES: &[&str] = &[
    "color", "background-color", "font", "font-family", "font-size", "font-style",
    "font-variant", "font-weight", "font-stretch", "text-align", "text-decoration",
    "text-decoration-color", "text-decoration-line", "text-decoration-style", "text-indent",
    "text-overflow", "text-shadow", "text-transform", "margin", "margin-top", "margin-right",
    "margin-bottom", "margin-left", "padding", "padding-top", "padding-right",
    "padding-bottom", "padding-left", "border", "border-top", "border-right", "border-bottom",
    "border-left", "border-color", "border-style", "border-width", "border-top-color",
    "border-top-style", "border-top-width", "border-right-color", "border-right-style",
    "border-right-width", "border-bottom-color", "border-bottom-style", "border-bottom-width",
    "border-left-color", "border-left-style", "border-left-width", "border-collapse",
    "border-spacing", "border-radius", "border-top-left-radius", "border-top-right-radius",
    "border-bottom-left-radius", "border-bottom-right-radius", "width", "height", "max-width",
    "min-width", "max-height", "min-height", "line-height", "vertical-align", "display",
    "white-space", "letter-spacing", "word-spacing", "word-break", "word-wrap",
    "overflow-wrap", "list-style-type", "table-layout", "direction",
];

/// `display` values that only change layout; anything exotic (`contents`, `run-in`, …) goes.
#[rustfmt::skip]
pub(super) const SAFE_DISPLAY: &[&str] = &[
    "none", "block", "inline", "inline-block", "list-item", "table", "inline-table",
    "table-row", "table-cell", "table-caption", "table-column", "table-column-group",
    "table-header-group", "table-footer-group", "table-row-group", "flex", "inline-flex",
];

/// Substrings that disqualify a style value, checked case-insensitively after removing all
/// whitespace (so `ex pression` or `u\trl(` cannot slip through). Backslash rules out CSS
/// escapes and `/*` comments, which could otherwise spell any of the others.
#[rustfmt::skip]
pub(super) const FORBIDDEN_IN_STYLE: &[&str] = &[
    "url(", "expression", "\\", "@", "javascript", "vbscript", "behavior", "-moz-binding",
    "var(", "/*", "*/", "<", ">", "{", "}", "image-set", "attr(", "env(", "image(",
    "element(", "src(",
];

/// CSS functions a kept value may call: colours and arithmetic only.
pub(super) const STYLE_FUNCTIONS: &[&str] = &["rgb", "rgba", "hsl", "hsla", "calc"];

/// Raster image types allowed in `data:` URLs. SVG is excluded: it is a document format and
/// the usual vehicle for script in images.
pub(super) const DATA_IMAGE_TYPES: &[&str] =
    &["image/png", "image/gif", "image/jpeg", "image/webp"];
