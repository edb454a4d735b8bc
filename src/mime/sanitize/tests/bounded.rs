//! The rewriting that bounds the parser's work: hostile nesting and attributes are capped, and
//! real mail comes out as it would without the rewriting.

use super::super::bounded;
use super::super::policy::DROP_WITH_CONTENT;
use super::super::sanitize_prepared;
use super::super::url::hex_value;
use super::*;
use crate::mime::test_rng::XorShift;

/// Deepest element nesting in serialised output (well-formed, so counting is enough).
fn max_depth(html: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        if tag.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else if !matches!(
            tag.split(' ').next(),
            Some("br" | "hr" | "img" | "wbr" | "col")
        ) {
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

#[test]
fn hostile_nesting_is_capped() {
    // Each of these nests without limit in html5ever; unbounded, a megabyte of them costs
    // minutes of CPU. Some try to hide the nesting from the rewriting step.
    let cases: Vec<String> = vec![
        "<div>".repeat(2_000),
        "<ul><li>".repeat(2_000),
        "<table><tr><td>".repeat(2_000),
        "<div/>".repeat(2_000),
        "<blockquote><p><b>".repeat(2_000),
        "<div title=\">x</div>\">".repeat(2_000),
        "<div title='>x</div>'>".repeat(2_000),
        "<div a=b title=\">x</div>\">".repeat(2_000),
        "<div><!--</div>-->".repeat(2_000),
        "<div><!--->x</div>".repeat(2_000),
        "<div><!x</div>>".repeat(2_000),
        "<div><?x</div>>".repeat(2_000),
        "<div><![CDATA[</div>]]>".repeat(2_000),
        "<svg><div><path/>".repeat(2_000),
        "<svg><div><input>".repeat(2_000),
        "<math><mi><wbr>".repeat(2_000),
        "<div><style/>x</style>".repeat(2_000),
        format!("<select><xmp><input>{}", "<div>".repeat(2_000)),
        format!("<title><!--</title>{}-->", "<div>".repeat(2_000)),
        format!("<textarea><!--</textarea>{}-->", "<div>".repeat(2_000)),
    ];
    for input in &cases {
        let out = blocked(input);
        let depth = max_depth(&out.html);
        assert!(
            depth <= 2 * bounded::MAX_NESTING,
            "{depth}: {}",
            &input[..60]
        );
    }
    // Nesting within the limit is untouched.
    let input = "<div>".repeat(100) + "deep" + &"</div>".repeat(100);
    assert_eq!(blocked(&input).html, input);
}

#[test]
fn tags_with_too_many_attributes_lose_them() {
    let attrs: String = (0..=bounded::MAX_ATTRIBUTES)
        .map(|i| format!(" data-a{i}=\"{i}\""))
        .collect();
    let out = blocked(&format!(
        "<p title=\"t\"{attrs}>x</p><p title=\"kept\">y</p>"
    ));
    assert_eq!(out.html, "<p>x</p><p title=\"kept\">y</p>");
}

#[test]
fn attribute_values_too_slow_to_serialise_are_dropped() {
    let out = blocked(&format!("<p title=\"{}\">x</p>", "&amp;".repeat(5_000)));
    assert_eq!(out.html, "<p>x</p>");
    let out = blocked("<p title=\"Tom &amp; Jerry © 2024\">x</p>");
    assert_eq!(out.html, "<p title=\"Tom &amp; Jerry © 2024\">x</p>");
    // Base64 has none of the slow characters, so big inline images are fine.
    let image = format!("data:image/png;base64,{}", "iVBORw0K".repeat(250_000));
    let out = blocked(&format!("<img src=\"{image}\">"));
    assert_eq!(out.html, format!("<img src=\"{image}\">"));
}

#[test]
fn raw_text_dropped_early_is_dropped_by_ammonia_anyway() {
    for name in bounded::DROPPED_RAW_TEXT {
        assert!(DROP_WITH_CONTENT.contains(name), "{name}");
    }
}

#[test]
fn rewriting_for_the_parser_keeps_text_intact() {
    // Long text runs are split for the serialiser's sake; the split must never land inside
    // a character reference, a UTF-8 sequence or a CRLF.
    const PIECES: &[&str] = &[
        "&amp;",
        "&#x41;",
        "&#65",
        "&amp",
        "&notit;",
        "&",
        "#",
        "x",
        "1",
        " ",
        "©",
        "\u{a0}",
        "ação",
        "\r\n",
        "\n",
        "\r",
        "&#128512;",
        "😀",
        ">",
        "&lt;",
        ";",
    ];
    let mut rng = XorShift(0x1234_5678_9abc_def1);
    for _ in 0..200 {
        let len = 500 + rng.next() % 1500;
        let text: String = (0..len).map(|_| rng.pick(PIECES)).collect();
        let input = format!("<p>{text}</p>");
        let opts = SanitizeOptions {
            allow_remote: false,
            cid_url: &cid_lookup,
            blocked_image_url: BLOCKED,
        };
        assert_eq!(
            sanitize_html(&input, &opts).expect("sanitizes").html,
            sanitize_prepared(&input, &opts).html,
            "{input:?}"
        );
    }
}

/// A message as Outlook writes it: conditional comments, a commented-out stylesheet,
/// Office namespaces, `<br/>`, `<td/>`, entities.
const OUTLOOK_SAMPLE: &str = concat!(
    r#"<html xmlns:v="urn:schemas-microsoft-com:vml" "#,
    r#"xmlns:o="urn:schemas-microsoft-com:office:office"><head>"#,
    r#"<meta http-equiv=Content-Type content="text/html; charset=utf-8"><style><!--"#,
    "\r\np.MsoNormal {margin:0cm; font-family:\"Calibri\",sans-serif;}\r\n--></style>",
    r#"<!--[if gte mso 9]><xml><o:shapedefaults v:ext="edit" spidmax="1026" /></xml>"#,
    r#"<![endif]--></head><body lang=PT-BR link="blue"><div class=WordSection1>"#,
    r#"<p class=MsoNormal>Olá João,<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>"#,
    r#"<p class=MsoNormal style='margin-left:35.4pt'>Segue o relatório &amp; anexos.<br/>"#,
    r#"Abraço<o:p></o:p></p><table border=0 cellspacing=0 cellpadding=0 width="100%" "#,
    r#"style='width:100.0%'><tr><td width=300 valign=top style='padding:0cm 5.4pt'>"#,
    r#"<p class=MsoNormal><img width=120 height=40 src="cid:logo@example.com" alt=Logo>"#,
    r#"</p></td><td/><td>x</td></tr></table>"#,
    r#"<a href="https://example.com/?a=1&amp;b=2">link</a></div></body></html>"#,
);

#[test]
fn rewriting_for_the_parser_keeps_real_mail_intact() {
    let opts = SanitizeOptions {
        allow_remote: false,
        cid_url: &cid_lookup,
        blocked_image_url: BLOCKED,
    };
    let same = |input: &str| {
        canonical(&sanitize_html(input, &opts).expect("sanitizes").html)
            == canonical(&sanitize_prepared(input, &opts).html)
    };
    assert!(same(OUTLOOK_SAMPLE));
    // HTML found in the shared corpus, when present (crudely extracted, quoted-printable
    // decoded). Inline SVG/MathML is left out: there the rewriting knowingly differs
    // (their content is dropped either way).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut dirs = vec![root];
    let mut compared = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let lower = text.to_ascii_lowercase();
            let Some(start) = lower.find("<html").or_else(|| lower.find("<body")) else {
                continue;
            };
            if lower.contains("<svg") || lower.contains("<math") {
                continue;
            }
            let html = if lower.contains("quoted-printable") {
                decode_quoted_printable(&text[start..])
            } else {
                text[start..].to_owned()
            };
            assert!(same(&html), "{}", path.display());
            compared += 1;
        }
    }
    eprintln!("compared {compared} corpus messages");
}

fn decode_quoted_printable(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            let soft = [&b"\r\n"[..], b"\n"]
                .into_iter()
                .find(|nl| b[i + 1..].starts_with(nl));
            if let Some(nl) = soft {
                i += 1 + nl.len();
                continue;
            }
            let hex = (b.get(i + 1).copied().and_then(hex_value))
                .zip(b.get(i + 2).copied().and_then(hex_value));
            if let Some((h, l)) = hex {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
