//! Formatting that real mail needs survives unchanged.

use super::*;

#[test]
fn rendered_plain_text_survives_sanitising() {
    // The message view embeds rendered text parts in HTML bodies before sanitising.
    let text =
        "Olá,\n> quoted <b>not bold</b>\n> > deeper\nsee www.example.com & write to a@example.org";
    let rendered = crate::mime::plain_text::plain_to_html(text);
    let out = blocked(&format!(
        "<div style=\"white-space: pre-wrap\">{rendered}</div>"
    ));
    assert_safe(text, &out, false);
    let expected = rendered.replace("http://www.example.com\"", "http://www.example.com/\"");
    assert_eq!(
        canonical(&out.html),
        canonical(&format!(
            "<div style=\"white-space:pre-wrap\">{expected}</div>"
        ))
    );
    assert!(out.html.contains("<blockquote class=\"quote\">"));
}

#[test]
fn formatting_is_kept() {
    let input = "<h1>Title</h1><p align=\"center\"><b>bold</b> <i>it</i> <u>u</u> \
        <strong>s</strong> <em>e</em> <s>x</s> <strike>y</strike> <del>d</del> <ins>i</ins> \
        <sub>2</sub><sup>3</sup> <small>sm</small> <big>bg</big> <abbr title=\"Abbrev\">A</abbr></p>\
        <font face=\"Arial\" color=\"#ff0000\" size=\"2\">f</font><center>c</center>\
        <ul><li>one</li></ul><ol start=\"3\" type=\"a\"><li>two</li></ol>\
        <blockquote dir=\"rtl\" lang=\"ar\">q</blockquote><pre><code>code</code></pre><hr size=\"1\"><br>\
        <dl><dt>t</dt><dd>d</dd></dl>";
    let out = blocked(input);
    assert_safe(input, &out, false);
    assert_eq!(out.html, input);
}

#[test]
fn table_attributes_are_kept() {
    let input = "<table width=\"600\" border=\"0\" cellpadding=\"4\" cellspacing=\"0\" \
        bgcolor=\"#ffffff\" align=\"center\" class=\"x\" id=\"y\"><tbody><tr valign=\"top\">\
        <td colspan=\"2\" rowspan=\"1\" width=\"50%\" height=\"20\" nowrap=\"\" \
        style=\"padding: 4px; border-bottom: 1px solid #eee\">cell</td></tr></tbody></table>";
    let out = blocked(input);
    assert_safe(input, &out, false);
    assert_eq!(
        out.html,
        "<table width=\"600\" border=\"0\" cellpadding=\"4\" cellspacing=\"0\" \
         bgcolor=\"#ffffff\" align=\"center\"><tbody><tr valign=\"top\">\
         <td colspan=\"2\" rowspan=\"1\" width=\"50%\" height=\"20\" nowrap=\"\" \
         style=\"padding:4px;border-bottom:1px solid #eee\">cell</td></tr></tbody></table>"
    );
}

#[test]
fn portuguese_text_is_intact() {
    let input = "<p>Olá João, a reunião é às 15h — não se esqueça da ação «urgente»!</p>\
        <p>Coração, pão, maçã &amp; açúcar &lt;3</p>";
    let out = blocked(input);
    assert_eq!(out.html, input);
}
