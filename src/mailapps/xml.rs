//! A small XML writer for the automatic-configuration documents.
//!
//! Every value goes through [`escape`], which also replaces the characters XML 1.0 cannot
//! carry at all (most C0 controls, U+FFFE, U+FFFF): escaping `<`, `&` and `"` alone would
//! still let an address typed with a control character break the document. Element names
//! are `'static` so that only Carteiro's own code chooses them. Rejected alternative: askama
//! templates, whose HTML escaper knows nothing of the characters XML forbids.

/// An XML document being written, indented two spaces per level.
pub struct Xml {
    out: String,
    open: Vec<&'static str>,
}

impl Xml {
    /// Starts a document with the XML declaration.
    pub fn new() -> Xml {
        Xml {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            open: Vec::new(),
        }
    }

    /// Writes trusted markup as it is (a DOCTYPE line), before the root element.
    pub fn raw_line(&mut self, markup: &'static str) {
        self.out.push_str(markup);
        self.out.push('\n');
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }

    fn start_tag(&mut self, name: &'static str, attrs: &[(&'static str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape(value, &mut self.out);
            self.out.push('"');
        }
    }

    /// Opens an element that will hold other elements.
    pub fn open(&mut self, name: &'static str, attrs: &[(&'static str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str(">\n");
        self.open.push(name);
    }

    /// Closes the element opened last.
    pub fn close(&mut self) {
        let name = self.open.pop().expect("close matches an open");
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// An element holding only text.
    pub fn leaf(&mut self, name: &'static str, text: &str) {
        self.leaf_with(name, &[], text);
    }

    /// An element with attributes holding only text.
    pub fn leaf_with(&mut self, name: &'static str, attrs: &[(&'static str, &str)], text: &str) {
        self.start_tag(name, attrs);
        self.out.push('>');
        escape(text, &mut self.out);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// An element with no content (`<true/>`).
    pub fn empty(&mut self, name: &'static str, attrs: &[(&'static str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str("/>\n");
    }

    /// The finished document; every element opened must have been closed.
    pub fn finish(self) -> String {
        debug_assert!(self.open.is_empty(), "unclosed {:?}", self.open);
        self.out
    }
}

impl Default for Xml {
    fn default() -> Self {
        Xml::new()
    }
}

/// Appends `text` escaped for element content and attribute values alike.
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Kept as references so that a parser's newline and attribute-value
            // normalisation gives back the very same text.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Characters outside XML 1.0's `Char` production: not even a character reference may
/// stand for them.
fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_and_forbidden_ones_replaced() {
        let mut out = String::new();
        escape("a<b>&\"c'\u{1}d\u{FFFF}", &mut out);
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}d\u{FFFD}");
    }

    #[test]
    fn documents_nest_and_parse_back_to_the_same_text() {
        let hostile = "<x a=\"1\">&amp; ' \t\r\n ]]> \u{7}";
        let mut xml = Xml::new();
        xml.open("root", &[("attr", hostile)]);
        xml.leaf("text", hostile);
        xml.empty("flag", &[]);
        xml.close();
        let text = xml.finish();
        let doc = roxmltree::Document::parse(&text).expect("well-formed");
        let root = doc.root_element();
        let expected = hostile.replace('\u{7}', "\u{FFFD}");
        assert_eq!(root.attribute("attr"), Some(expected.as_str()));
        let leaf = root.first_element_child().unwrap();
        assert_eq!(leaf.text(), Some(expected.as_str()));
    }
}
