//! Denial-of-service bounds: messages built at test time to be as expensive as possible to show
//! (deep nesting, huge headers, thousands of parts, big attachments, compression bombs, junk).
//! Each one's page answers (the message, or a clear "could not be read"), never an error page
//! or a blank one, and the same session then opens the inbox. Nothing here is timed: a
//! regression shows as a test that hangs or a server that runs out of memory.

use base64::Engine;
use reqwest::StatusCode;
use scraper::Html;

use crate::audit::dangerous;
use crate::helpers::{attrs, spawn_app, texts, TestApp};

const HEAD: &str = "From: DoS <dos@evil.example>\r\nTo: reader@example.test\r\n\
Date: Mon, 3 Mar 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n";

/// A logged-in app whose INBOX holds `raw` as UID 1.
async fn app_with(raw: &[u8]) -> TestApp {
    let app = spawn_app().await;
    app.login().await;
    app.imap().await.append("INBOX", raw, None).await;
    app
}

/// Opens UID 1: a 200 page that shows the message (its subject) or says it could not be read,
/// with nothing executable; then the inbox still opens in the same session. Returns the page.
async fn opens_then_inbox_works(app: &TestApp, subject: &str) -> Html {
    let response = app.get("/mail/INBOX/1").await;
    assert_eq!(response.status(), StatusCode::OK, "{subject}: message page");
    let text = response.text().await.unwrap();
    assert!(dangerous(&text).is_none(), "{subject}");
    let page = Html::parse_document(&text);
    let heading = texts(&page, "h1.subject").join("");
    let unreadable = texts(&page, "p.error").join("");
    assert!(
        heading.starts_with(subject) || unreadable.contains("could not be read"),
        "{subject}: page shows {heading:?} / {unreadable:?}"
    );
    let (status, inbox) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK, "{subject}: inbox afterwards");
    assert_eq!(texts(&inbox, "table.messages tbody tr").len(), 1);
    page
}

fn base64_lines(data: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 38);
    for line in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push_str("\r\n");
    }
    out
}

/// A message with one text part and one base64 attachment.
pub(crate) fn with_attachment(
    subject: &str,
    content_type: &str,
    filename: &str,
    data: &[u8],
) -> Vec<u8> {
    let mut raw = format!(
        "{HEAD}Subject: {subject}\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n\
--B\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n\
--B\r\nContent-Type: {content_type}; name=\"{filename}\"\r\n\
Content-Disposition: attachment; filename=\"{filename}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )
    .into_bytes();
    raw.extend_from_slice(base64_lines(data).as_bytes());
    raw.extend_from_slice(b"--B--\r\n");
    raw
}

/// Downloads the message's only attachment through the page's link, counting body chunks.
async fn download_attachment(
    app: &TestApp,
    page: &Html,
) -> (reqwest::header::HeaderMap, Vec<u8>, usize) {
    let urls = attrs(page, ".attachments li a", "href");
    assert_eq!(urls.len(), 1, "one attachment listed: {urls:?}");
    let mut response = app.get(&urls[0]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let mut body = Vec::new();
    let mut chunks = 0;
    while let Some(chunk) = response.chunk().await.expect("download completes") {
        chunks += 1;
        body.extend_from_slice(&chunk);
    }
    (headers, body, chunks)
}

/// Deterministic incompressible bytes.
pub(crate) fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[tokio::test]
async fn a_multipart_nested_two_thousand_levels_deep_opens() {
    const DEPTH: usize = 2000;
    let subject = "Nested 2000 deep";
    let mut raw = format!(
        "{HEAD}Subject: {subject}\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
    );
    for level in 0..DEPTH {
        raw.push_str(&format!(
            "--b{level}\r\nContent-Type: multipart/mixed; boundary=\"b{}\"\r\n\r\n",
            level + 1
        ));
    }
    raw.push_str(&format!(
        "--b{DEPTH}\r\nContent-Type: text/plain\r\n\r\nThe bottom.\r\n--b{DEPTH}--\r\n"
    ));
    for level in (0..DEPTH).rev() {
        raw.push_str(&format!("--b{level}--\r\n"));
    }
    let app = app_with(raw.as_bytes()).await;
    opens_then_inbox_works(&app, subject).await;
    let (status, _) = app.page("/mail/INBOX/1/raw").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn messages_attached_inside_each_other_two_thousand_deep_open() {
    const DEPTH: usize = 2000;
    let subject = "Forwarded 2000 times";
    let mut raw = format!("{HEAD}Subject: {subject}\r\nContent-Type: message/rfc822\r\n\r\n");
    for level in 0..DEPTH {
        raw.push_str(&format!(
            "Subject: level {level}\r\nContent-Type: message/rfc822\r\n\r\n"
        ));
    }
    raw.push_str("Subject: bottom\r\n\r\nThe bottom.\r\n");
    let app = app_with(raw.as_bytes()).await;
    opens_then_inbox_works(&app, subject).await;
}

/// A megabyte of Subject, which every page would otherwise repeat (title, heading, each list
/// row's label and link): pages stay small whatever the header's size.
#[tokio::test]
async fn a_one_megabyte_subject_opens_and_lists_in_small_pages() {
    // Folded into ordinary lines, as a real (if absurd) header would be.
    let words: Vec<String> = (0..120_000).map(|i| format!("w{i:07}")).collect();
    let long = words.join(" ");
    assert!(long.len() > 1_000_000);
    let folded = long
        .as_bytes()
        .chunks(900)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n ");
    let raw =
        format!("{HEAD}Subject: Huge {folded}\r\nContent-Type: text/plain\r\n\r\nShort body.\r\n");
    let app = app_with(raw.as_bytes()).await;
    opens_then_inbox_works(&app, "Huge w0000000").await;
    for path in ["/mail/INBOX/1", "/mail/INBOX"] {
        let page = app.get(path).await.text().await.unwrap();
        assert!(page.len() < 64 * 1024, "{path}: {} bytes", page.len());
        let shown = texts(&Html::parse_document(&page), "h1.subject, td.subject a").join("");
        assert!(
            shown.starts_with("Huge w0000000 w0000001"),
            "{path}: {shown:?}"
        );
    }
}

/// A header block of a hundred thousand lines (2.4 MB, more than the view fetches at once):
/// the body still shows as the body, not the header's tail, and the page stays small.
#[tokio::test]
async fn a_header_block_of_a_hundred_thousand_lines_opens() {
    let mut raw = format!("{HEAD}Subject: Many headers\r\n");
    for i in 0..100_000 {
        raw.push_str(&format!("X-Junk-{i}: value {i}\r\n"));
    }
    raw.push_str("Content-Type: text/plain\r\n\r\nShort body.\r\n");
    let app = app_with(raw.as_bytes()).await;
    let page = opens_then_inbox_works(&app, "Many headers").await;
    assert_eq!(texts(&page, ".text-body"), ["Short body."]);
    assert!(page.html().len() < 64 * 1024, "{} bytes", page.html().len());
}

/// Ten thousand parts with 2,000-character names: a 21 MB BODYSTRUCTURE in every list page
/// that shows the message. Read linearly it costs well under a second; read the way
/// async-imap reads (all buffered bytes parsed again per 4 KiB received) it took minutes.
#[tokio::test]
async fn ten_thousand_parts_with_long_names_open_and_list() {
    const PARTS: usize = 10_000;
    let subject = "Ten thousand parts";
    let pad = "n".repeat(2000);
    let mut raw = format!(
        "{HEAD}Subject: {subject}\r\nContent-Type: multipart/mixed; boundary=\"P\"\r\n\r\n\
--P\r\nContent-Type: text/plain\r\n\r\nThe text.\r\n"
    );
    for i in 0..PARTS {
        raw.push_str(&format!(
            "--P\r\nContent-Type: application/octet-stream; name=\"f{i}{pad}.bin\"\r\n\
Content-Disposition: attachment\r\n\r\nx\r\n"
        ));
    }
    raw.push_str("--P--\r\n");
    let app = app_with(raw.as_bytes()).await;
    let page = opens_then_inbox_works(&app, subject).await;
    let urls = attrs(&page, ".attachments li a", "href");
    // Dovecot counts at most 10,000 MIME parts, the multipart and the text among them.
    assert!(urls.len() >= PARTS - 2, "{} parts listed", urls.len());
    // (Past its limit Dovecot leaves the rest of the message in the last part.)
    let response = app.get(urls.last().unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.unwrap().starts_with(b"x"));
}

#[tokio::test]
async fn a_fifty_megabyte_attachment_streams_in_full() {
    const SIZE: usize = 50 * 1024 * 1024;
    let data = noise(SIZE);
    let raw = with_attachment(
        "Big attachment",
        "application/octet-stream",
        "big.bin",
        &data,
    );
    let app = app_with(&raw).await;
    drop(raw);
    let page = opens_then_inbox_works(&app, "Big attachment").await;
    let (headers, body, chunks) = download_attachment(&app, &page).await;
    assert!(headers
        .get("content-disposition")
        .is_some_and(|v| v.to_str().unwrap().starts_with("attachment")));
    assert_eq!(body.len(), SIZE, "every byte arrives");
    assert!(body == data, "the bytes are the attachment's");
    assert!(chunks > 10, "the download streams ({chunks} chunks)");
}

/// A minimal TNEF stream: signature, key, and one attribute (the message class).
fn tnef() -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0x223E_9F78u32.to_le_bytes());
    out.extend_from_slice(&0x0001u16.to_le_bytes());
    let class = b"IPM.Microsoft Mail.Note\0";
    out.push(0x01); // level: message
    out.extend_from_slice(&0x0007_8008u32.to_le_bytes()); // attMessageClass
    out.extend_from_slice(&(class.len() as u32).to_le_bytes());
    out.extend_from_slice(class);
    let checksum: u16 = class
        .iter()
        .map(|&b| u16::from(b))
        .fold(0, u16::wrapping_add);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

#[tokio::test]
async fn a_tnef_winmail_dat_is_an_ordinary_download() {
    let data = tnef();
    let raw = with_attachment("Winmail", "application/ms-tnef", "winmail.dat", &data);
    let app = app_with(&raw).await;
    let page = opens_then_inbox_works(&app, "Winmail").await;
    let (headers, body, _) = download_attachment(&app, &page).await;
    assert_eq!(body, data);
    assert_eq!(headers["content-type"], "application/ms-tnef");
}

/// A raw DEFLATE stream of `len` zero bytes (fixed Huffman codes: one literal, then
/// length-258 distance-1 matches), about 160 to 1: 200 MB of zeros in 1.3 MB.
fn deflate_zeros(len: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u32,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u32, count: u32) {
            self.acc |= value << self.n;
            self.n += count;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn code(&mut self, code: u32, count: u32) {
            let reversed = code.reverse_bits() >> (32 - count);
            self.put(reversed, count);
        }
    }
    let mut bits = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman
    bits.code(0b0011_0000, 8); // literal 0
    let mut left = len - 1;
    while left >= 258 + 3 {
        bits.code(0b1100_0101, 8); // length 258 (code 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0b0011_0000, 8);
    }
    bits.code(0, 7); // end of block (256)
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    bits.out
}

fn crc32_of_zeros(len: usize) -> u32 {
    let mut table = [0u32; 256];
    for (i, entry) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *entry = c;
    }
    let mut crc = !0u32;
    for _ in 0..len {
        crc = table[(crc & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

#[tokio::test]
async fn compression_bombs_download_as_stored_and_are_never_opened() {
    const INFLATED: usize = 200 * 1024 * 1024;
    let deflated = deflate_zeros(INFLATED);
    let crc = crc32_of_zeros(INFLATED);
    let mut gzip = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    gzip.extend_from_slice(&deflated);
    gzip.extend_from_slice(&crc.to_le_bytes());
    gzip.extend_from_slice(&(INFLATED as u32).to_le_bytes());

    let name = b"zeros.bin";
    let mut zip = Vec::new();
    let local = |zip: &mut Vec<u8>| {
        zip.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        zip.extend_from_slice(&[20, 0, 0, 0, 8, 0, 0, 0, 0, 0]);
        zip.extend_from_slice(&crc.to_le_bytes());
        zip.extend_from_slice(&(deflated.len() as u32).to_le_bytes());
        zip.extend_from_slice(&(INFLATED as u32).to_le_bytes());
        zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
        zip.extend_from_slice(&0u16.to_le_bytes());
        zip.extend_from_slice(name);
    };
    local(&mut zip);
    zip.extend_from_slice(&deflated);
    let central = zip.len();
    zip.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    zip.extend_from_slice(&[20, 0, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0]);
    zip.extend_from_slice(&crc.to_le_bytes());
    zip.extend_from_slice(&(deflated.len() as u32).to_le_bytes());
    zip.extend_from_slice(&(INFLATED as u32).to_le_bytes());
    zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
    zip.extend_from_slice(&[0; 12]);
    zip.extend_from_slice(&0u32.to_le_bytes());
    zip.extend_from_slice(name);
    let central_len = zip.len() - central;
    zip.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    zip.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
    zip.extend_from_slice(&(central_len as u32).to_le_bytes());
    zip.extend_from_slice(&(central as u32).to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());

    for (subject, content_type, filename, data) in [
        ("Gzip bomb", "application/gzip", "zeros.bin.gz", gzip),
        ("Zip bomb", "application/zip", "zeros.zip", zip),
    ] {
        let raw = with_attachment(subject, content_type, filename, &data);
        let app = app_with(&raw).await;
        let page = opens_then_inbox_works(&app, subject).await;
        let (headers, body, _) = download_attachment(&app, &page).await;
        assert_eq!(
            body.len(),
            data.len(),
            "{subject}: the stored bytes, not inflated"
        );
        assert!(body == data, "{subject}: the stored bytes");
        assert!(
            headers.get("content-encoding").is_none(),
            "{subject}: a Content-Encoding would make the browser inflate it"
        );
        assert_eq!(headers["content-type"], content_type, "{subject}");
    }
}

#[tokio::test]
async fn a_base64_body_of_junk_opens() {
    let junk: String = noise(2 * 1024 * 1024)
        .iter()
        .map(|&b| match b % 5 {
            0 => '=',
            1 => char::from(b'!' + b % 90),
            2 => '\u{00e9}',
            _ => char::from(b'A' + b % 26),
        })
        .collect();
    let chars: Vec<char> = junk.chars().collect();
    let lines: Vec<String> = chars.chunks(70).map(|l| l.iter().collect()).collect();
    for (subject, content_type) in [("Junk text", "text/plain"), ("Junk html", "text/html")] {
        let raw = format!(
            "{HEAD}Subject: {subject}\r\nContent-Type: {content_type}; charset=utf-8\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            lines.join("\r\n")
        );
        let app = app_with(raw.as_bytes()).await;
        opens_then_inbox_works(&app, subject).await;
        if content_type == "text/html" {
            let response = app.get("/mail/INBOX/1/body").await;
            assert!(
                response.status() == StatusCode::OK || response.status() == StatusCode::NOT_FOUND,
                "{subject}: body frame {}",
                response.status()
            );
        }
    }
}

/// The conversation lookup searches the server for the first Reference: here 100 KB long,
/// longer than an IMAP server takes in one command line.
#[tokio::test]
async fn a_references_header_of_ten_thousand_ids_opens() {
    let mut ids: Vec<String> = (0..10_000)
        .map(|i| format!("<{i}.{}@evil.example>", "x".repeat(40)))
        .collect();
    ids.insert(0, format!("<{}@evil.example>", "q".repeat(100_000)));
    let raw = format!(
        "{HEAD}Subject: Long thread\r\nMessage-ID: <{}@evil.example>\r\nReferences: {}\r\n\
In-Reply-To: <{}@evil.example>\r\nContent-Type: text/plain\r\n\r\nReply.\r\n",
        "m".repeat(100_000),
        ids.join("\r\n "),
        "r".repeat(100_000)
    );
    let app = app_with(raw.as_bytes()).await;
    opens_then_inbox_works(&app, "Long thread").await;
}

/// A large message (past the size fetched whole) made of ten thousand text parts: the view
/// fetches its text by section, and must bound how many sections and bytes it asks for.
#[tokio::test]
async fn a_large_message_of_ten_thousand_text_parts_opens() {
    let subject = "Ten thousand texts";
    let mut raw = format!(
        "{HEAD}Subject: {subject}\r\nContent-Type: multipart/mixed; boundary=\"T\"\r\n\r\n"
    );
    let line = "text ".repeat(40);
    for i in 0..10_000 {
        raw.push_str(&format!(
            "--T\r\nContent-Type: text/plain\r\n\r\nPart {i}. {line}\r\n"
        ));
    }
    raw.push_str("--T--\r\n");
    assert!(raw.len() > 2 * 1024 * 1024);
    let app = app_with(raw.as_bytes()).await;
    let page = opens_then_inbox_works(&app, subject).await;
    let body = texts(&page, ".text-body").join("");
    assert!(body.contains("Part 0. text"), "the first text is shown");
    assert!(
        texts(&page, "p.notice")
            .join("")
            .contains("only its beginning is shown"),
        "the reader is told the rest is not shown"
    );
}

/// Nine thousand `cid:` references to nine thousand inline images (near the server's part
/// limit). Each reference was looked up by scanning the parts, 2.4 s of CPU per view in a
/// debug build; now each view costs a map lookup per reference.
#[tokio::test]
async fn nine_thousand_inline_images_open() {
    const IMAGES: usize = 9_000;
    let subject = "Nine thousand images";
    let mut html = String::new();
    for i in 0..IMAGES {
        html.push_str(&format!("<img src=\"cid:i{i}@x\">"));
    }
    let mut raw = format!(
        "{HEAD}Subject: {subject}\r\nContent-Type: multipart/related; boundary=\"R\"\r\n\r\n\
--R\r\nContent-Type: text/html\r\n\r\n{html}\r\n"
    );
    for i in 0..IMAGES {
        raw.push_str(&format!(
            "--R\r\nContent-Type: image/png\r\nContent-ID: <i{i}@x>\r\n\r\nx\r\n"
        ));
    }
    raw.push_str("--R--\r\n");
    let app = app_with(raw.as_bytes()).await;
    opens_then_inbox_works(&app, subject).await;
    let response = app.get("/mail/INBOX/1/body").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = Html::parse_document(&response.text().await.unwrap());
    let sources = attrs(&body, "img", "src");
    assert_eq!(sources.len(), IMAGES);
    assert!(sources[IMAGES - 1].ends_with(&format!("/part/{}?inline=1", IMAGES + 1)));
}
