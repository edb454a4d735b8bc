//! Keeps the work of ammonia's HTML parser and serialiser linear in the size of the input.
//!
//! html5ever, which ammonia uses, has quadratic corners that a hostile message can reach with
//! a few hundred kilobytes (measured in release builds, 1 MB of input each):
//!
//! * the tree builder rescans its stack of open elements for most tags, so deep nesting is
//!   quadratic (servo/html5ever#788): `<div>` × 200 000 took 150 s;
//! * the tokenizer checks every attribute against the earlier ones of its tag: one tag with
//!   120 000 attributes took 8 s;
//! * the serialiser, for each `&` or U+0080–U+00BF character of a text node or attribute value,
//!   searches on to the next `<`/`>`/`"`: `&amp;` × 400 000 took 1.5 s, growing quadratically.
//!
//! `bound_parser_work` rewrites the input so that none of these can happen, and the attribute
//! filter additionally drops values that would be expensive to serialise
//! ([`cheap_to_serialize`]). Security does not depend on any of this: the rewritten input is
//! sanitised by ammonia like any input.

/// Deepest element nesting passed on to the parser. Real mail stays far below (long reply
/// chains reach a few dozen levels); browsers stop nesting at 512.
pub(super) const MAX_NESTING: usize = 256;

/// Most attributes a tag may carry into the parser; a tag with more loses all of them.
pub(super) const MAX_ATTRIBUTES: usize = 128;

/// Longest run of text given to the parser as one text node; longer runs are split by an
/// empty comment (which ammonia then removes, leaving adjacent text nodes).
pub(super) const TEXT_CHUNK: usize = 1024;

/// Void elements that html5ever never pushes on its stack of open elements, even inside
/// SVG or MathML (they break out of foreign content).
const BREAKOUT_VOIDS: &[&str] = &["br", "embed", "hr", "img", "meta"];

/// The other void elements. Inside SVG/MathML they are ordinary elements that stay open,
/// so they are passed on with an explicit end tag, which HTML content ignores.
#[rustfmt::skip]
const OTHER_VOIDS: &[&str] = &[
    "area", "base", "basefont", "bgsound", "col", "frame", "image", "input", "keygen",
    "link", "param", "source", "track", "wbr",
];

/// Raw-text elements whose content ammonia drops (they are in `DROP_WITH_CONTENT`), so
/// they are dropped here already, content and all.
#[rustfmt::skip]
pub(super) const DROPPED_RAW_TEXT: &[&str] = &[
    "iframe", "noembed", "noframes", "noscript", "script", "style", "textarea", "title",
];

/// Rewrites `input` into equivalent HTML that the parser handles in linear time: nesting
/// at most [`MAX_NESTING`] deep (deeper start tags are dropped, their content kept), at
/// most [`MAX_ATTRIBUTES`] attributes per tag, text nodes of about [`TEXT_CHUNK`] bytes.
///
/// Modelling the parser's nesting from outside is only sound if the parser then sees
/// exactly the markup the model saw, so this is a small HTML tokenizer that re-emits only
/// what it understood. Tags are copied verbatim (the same tokenizer rules, so the parser
/// reads them the same way); comments, doctypes, bogus comments and CDATA are removed
/// (ammonia drops them anyway); a `<` that does not start a tag is escaped; raw-text
/// elements are removed (their content is dropped later anyway) except `<xmp>` and
/// `<plaintext>`, whose content is passed on as escaped text; inside `<svg>`/`<math>`,
/// self-closing and void tags get an explicit end tag. The model pops an element only on
/// an end tag naming the innermost element it holds, so it never believes the parser's
/// stack is shallower than it is: the parser may close more (implied end tags), never
/// less, on such a tag.
pub(super) fn bound_parser_work(input: &str) -> String {
    let b = input.as_bytes();
    let mut out = Emitter::with_capacity(input.len() + input.len() / 64);
    let mut open: Vec<String> = Vec::new();
    let mut text_from = 0;
    let mut i = 0;
    while let Some(offset) = b[i..].iter().position(|&c| c == b'<') {
        let lt = i + offset;
        out.text(&input[text_from..lt]);
        let after = match b.get(lt + 1) {
            Some(c) if c.is_ascii_alphabetic() => start_tag(input, lt, &mut open, &mut out),
            Some(b'/') => match b.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => end_tag(input, lt, &mut open, &mut out),
                Some(b'>') => lt + 3,
                // `</` at the very end is text; `</ x>` and the like are bogus comments.
                None => {
                    out.text("&lt;/");
                    lt + 2
                }
                Some(_) => after_next_gt(b, lt + 2),
            },
            Some(b'!') => markup_declaration(b, lt),
            Some(b'?') => after_next_gt(b, lt + 2),
            _ => {
                out.text("&lt;");
                lt + 1
            }
        };
        i = after;
        text_from = after;
    }
    out.text(&input[text_from..]);
    out.out
}

/// Output with the bookkeeping that splits long text runs.
struct Emitter {
    out: String,
    /// Bytes of text emitted since the last markup.
    run: usize,
}

impl Emitter {
    fn with_capacity(capacity: usize) -> Self {
        Emitter {
            out: String::with_capacity(capacity),
            run: 0,
        }
    }

    fn markup(&mut self, markup: &str) {
        self.out.push_str(markup);
        self.run = 0;
    }

    /// Appends text (already valid HTML text: `<` escaped), splitting it into chunks of
    /// about [`TEXT_CHUNK`] bytes (see [`Self::is_split_point`]).
    fn text(&mut self, mut text: &str) {
        while self.run + text.len() > TEXT_CHUNK {
            // Text arrives in pieces (between dropped comments, escaped characters…), so
            // the split may fall at the very start of this piece.
            let from = TEXT_CHUNK.saturating_sub(self.run);
            let split = (from..text.len()).find(|&p| self.is_split_point(text, p));
            let Some(split) = split else {
                break;
            };
            self.out.push_str(&text[..split]);
            self.markup("<!---->");
            text = &text[split..];
        }
        self.out.push_str(text);
        self.run += text.len();
    }

    /// Whether `text` may be cut before its byte `p` without changing what it means: not
    /// inside a UTF-8 sequence, a character reference (`&amp;`, `&#38;`) or a CRLF (each
    /// half would become a newline of its own).
    fn is_split_point(&self, text: &str, p: usize) -> bool {
        let before = match p {
            0 => self.out.as_bytes().last().copied(),
            _ => text.as_bytes().get(p - 1).copied(),
        };
        let Some(before) = before else {
            return false;
        };
        text.is_char_boundary(p)
            && (text.as_bytes()[p] == b'&'
                || !(before.is_ascii_alphanumeric() || b"#&\r".contains(&before)))
    }

    /// Appends raw text (the content of `<xmp>`/`<plaintext>`) as escaped text.
    fn raw_text(&mut self, raw: &str) {
        let mut from = 0;
        for (at, c) in raw.char_indices() {
            let escaped = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                _ => continue,
            };
            self.text(&raw[from..at]);
            self.text(escaped);
            from = at + 1;
        }
        self.text(&raw[from..]);
    }
}

/// Handles the start tag at `lt`; returns where scanning continues.
fn start_tag(input: &str, lt: usize, open: &mut Vec<String>, out: &mut Emitter) -> usize {
    let b = input.as_bytes();
    let name_end = tag_name_end(b, lt + 1);
    let Some(TagEnd {
        end,
        self_closing,
        attributes,
    }) = skip_attributes(b, name_end)
    else {
        // A tag cut off by the end of the input is dropped by the tokenizer too.
        return b.len();
    };
    let name = input[lt + 1..name_end].to_ascii_lowercase();
    let bare;
    let tag = if attributes > MAX_ATTRIBUTES {
        bare = format!("<{name}>");
        bare.as_str()
    } else {
        &input[lt..end]
    };
    if BREAKOUT_VOIDS.contains(&name.as_str()) {
        out.markup(tag);
        return end;
    }
    // The parser ignores `/>` on these in HTML content (`<style/>` starts a stylesheet).
    if DROPPED_RAW_TEXT.contains(&name.as_str()) || name == "xmp" {
        let (content_end, after) = raw_text_end(b, end, &name);
        if name == "xmp" {
            out.raw_text(&input[end..content_end]);
        }
        return after;
    }
    if name == "plaintext" {
        // Everything after it is text, for the parser as for us.
        out.raw_text(&input[end..]);
        return b.len();
    }
    // Inside SVG/MathML, `/>` closes any element and the HTML void elements are ordinary
    // ones. Whether the parser is still inside is not known here (a `<div>` breaks out),
    // so such tags get an explicit end tag: right in foreign content, ignored in HTML.
    let maybe_foreign = open.iter().any(|open| open == "svg" || open == "math");
    let void = OTHER_VOIDS.contains(&name.as_str());
    if maybe_foreign && (void || self_closing) {
        out.markup(tag);
        out.markup(&format!("</{name}>"));
        return end;
    }
    if void {
        out.markup(tag);
        return end;
    }
    // In HTML content `/>` means nothing: `<div/>` opens a div like `<div>`.
    if open.len() >= MAX_NESTING {
        return end;
    }
    out.markup(tag);
    open.push(name);
    end
}

/// Handles the end tag at `lt` (`</` + letter); returns where scanning continues.
fn end_tag(input: &str, lt: usize, open: &mut Vec<String>, out: &mut Emitter) -> usize {
    let b = input.as_bytes();
    let name_end = tag_name_end(b, lt + 2);
    let Some(TagEnd { end, .. }) = skip_attributes(b, name_end) else {
        return b.len();
    };
    let name = input[lt + 2..name_end].to_ascii_lowercase();
    if open.last() == Some(&name) {
        open.pop();
    }
    // Attributes on end tags mean nothing; the bare tag is equivalent.
    out.markup(&format!("</{name}>"));
    end
}

/// `<!…` at `lt`: comments, doctypes, CDATA and bogus comments, all dropped. Returns where
/// scanning continues, by the tokenizer's own rules so that nothing after is misread.
fn markup_declaration(b: &[u8], lt: usize) -> usize {
    if !b[lt + 2..].starts_with(b"--") {
        // Doctype, `<![CDATA[` outside foreign content, anything else: up to the next `>`.
        return after_next_gt(b, lt + 2);
    }
    let body = lt + 4;
    // `<!-->` and `<!--->` are complete (empty) comments.
    if b[body..].starts_with(b">") {
        return body + 1;
    }
    if b[body..].starts_with(b"->") {
        return body + 2;
    }
    // Ends at the first `-->` or `--!>`, found in one forward scan.
    let mut at = body;
    while let Some(dashes) = find(b, at, b"--") {
        match b.get(dashes + 2..) {
            Some([b'>', ..]) => return dashes + 3,
            Some([b'!', b'>', ..]) => return dashes + 4,
            _ => at = dashes + 1,
        }
    }
    b.len()
}

fn after_next_gt(b: &[u8], from: usize) -> usize {
    find(b, from, b">").map_or(b.len(), |gt| gt + 1)
}

/// End of a tag name starting at `from`: whitespace, `/` or `>` (or the end of the input).
fn tag_name_end(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| is_html_space(c) || c == b'/' || c == b'>')
        .map_or(b.len(), |p| from + p)
}

/// Where a tag ends, as found by [`skip_attributes`].
struct TagEnd {
    /// Index after the closing `>`.
    end: usize,
    self_closing: bool,
    /// Attribute count, duplicates included.
    attributes: usize,
}

/// Walks the attributes of a tag from `i` (just after its name) with the tokenizer's
/// states, so that a `>` inside a quoted value does not end the tag. `None` when the
/// input ends first.
fn skip_attributes(b: &[u8], mut i: usize) -> Option<TagEnd> {
    #[derive(Clone, Copy)]
    enum State {
        BeforeName,
        Name,
        AfterName,
        BeforeValue,
        Unquoted,
        AfterQuoted,
        SelfClosing,
    }
    use State::*;
    let mut state = BeforeName;
    let mut attributes = 0;
    while let Some(&c) = b.get(i) {
        let space = is_html_space(c);
        let end = |self_closing| TagEnd {
            end: i + 1,
            self_closing,
            attributes,
        };
        state = match (state, c) {
            (SelfClosing, b'>') => return Some(end(true)),
            (_, b'>') => return Some(end(false)),
            // Anything else after `/` is reconsumed before an attribute name.
            (SelfClosing, _) => {
                state = BeforeName;
                continue;
            }
            (BeforeName | Name | AfterName | AfterQuoted, b'/') => SelfClosing,
            (BeforeName | AfterName, _) if space => state,
            (Name | AfterName, b'=') => BeforeValue,
            // A new attribute (a leading `=` is part of its name).
            (BeforeName | AfterName, _) => {
                attributes += 1;
                Name
            }
            (Name, _) if space => AfterName,
            (Name, _) => Name,
            (BeforeValue, b'"' | b'\'') => {
                i = find(b, i + 1, &[c])?;
                AfterQuoted
            }
            (BeforeValue, _) if space => BeforeValue,
            (BeforeValue, _) => Unquoted,
            (Unquoted | AfterQuoted, _) if space => BeforeName,
            (Unquoted, _) => Unquoted,
            // No space between attributes: reconsumed as the next name.
            (AfterQuoted, _) => {
                state = BeforeName;
                continue;
            }
        };
        i += 1;
    }
    None
}

/// Where the raw text of element `name` whose content starts at `from` ends: the first
/// `</name` followed by whitespace, `/` or `>`. Returns (end of content, index after the
/// end tag).
fn raw_text_end(b: &[u8], from: usize, name: &str) -> (usize, usize) {
    let mut at = from;
    while let Some(lt) = find(b, at, b"</") {
        let name_end = lt + 2 + name.len();
        let same_name = b
            .get(lt + 2..name_end)
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()));
        let delimited = b
            .get(name_end)
            .is_some_and(|&c| is_html_space(c) || c == b'/' || c == b'>');
        if same_name && delimited {
            let after = skip_attributes(b, name_end).map_or(b.len(), |tag| tag.end);
            return (lt, after);
        }
        at = lt + 2;
    }
    (b.len(), b.len())
}

/// The tokenizer's whitespace (CR included: the parser turns it into LF first).
fn is_html_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// Whether html5ever's serialiser writes `value` in reasonable time: it searches on to the
/// next `"`, `<` or `>` for every `&` and every U+0080–U+00BF character (see the module doc).
/// Base64 `data:` images of any size pass; a long title full of `&` does not.
pub(super) fn cheap_to_serialize(value: &str) -> bool {
    let slow = value.bytes().filter(|&b| b == b'&' || b == 0xC2).count();
    slow.saturating_mul(value.len()) <= 1 << 20
}
