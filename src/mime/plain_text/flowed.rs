//! `format=flowed` (RFC 3676): soft line breaks unfolded and space-stuffing removed, so that
//! the text can be rendered like any fixed-line body.

/// Decodes a `format=flowed` body (RFC 3676) into plain fixed lines for [`super::plain_to_html`].
///
/// Soft line breaks (a line ending in a space, followed by a newline) are unfolded; with
/// `delsp` (`DelSp=yes`) that trailing space is deleted as well, as languages written without
/// spaces need. Space-stuffing (one leading space after the quote markers) is removed.
///
/// Quoted paragraphs come out as `>`… `> text` lines. A line whose content itself starts with
/// `>` keeps one leading space, so that it is not mistaken for a deeper quote later. The
/// signature separator `-- ` is never joined, and a flowed line followed by a line of another
/// quote depth ends its paragraph (RFC 3676 §4.5). Lines end in LF; a final newline is kept.
pub fn unflow(text: &str, delsp: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut paragraph: Option<(usize, String)> = None;
    let mut first = true;
    let mut emit = |depth: usize, content: &str| {
        if !first {
            out.push('\n');
        }
        first = false;
        out.extend(std::iter::repeat_n('>', depth));
        if depth > 0 && !content.is_empty() {
            out.push(' ');
        }
        if content.starts_with('>') {
            out.push(' ');
        }
        out.push_str(content);
    };
    for line in text.lines() {
        let depth = line.bytes().take_while(|&b| b == b'>').count();
        let content = &line[depth..];
        let content = content.strip_prefix(' ').unwrap_or(content);
        let signature = content == "-- ";
        let flowed = !signature && content.ends_with(' ');
        if let Some((open_depth, buf)) = paragraph.take() {
            if open_depth == depth && !signature {
                paragraph = Some((open_depth, buf));
            } else {
                emit(open_depth, &buf);
            }
        }
        let piece = if flowed && delsp {
            &content[..content.len() - 1]
        } else {
            content
        };
        match &mut paragraph {
            Some((_, buf)) => buf.push_str(piece),
            None => paragraph = Some((depth, piece.to_owned())),
        }
        if !flowed {
            if let Some((depth, buf)) = paragraph.take() {
                emit(depth, &buf);
            }
        }
    }
    if let Some((depth, buf)) = paragraph.take() {
        emit(depth, &buf);
    }
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}
