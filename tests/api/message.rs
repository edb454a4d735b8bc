use base64::Engine;
use reqwest::StatusCode;

use crate::helpers::{attrs, first_attr, spawn_app, texts, TestApp};

/// Deterministic pseudo-random bytes (an attachment that is not text).
fn noise(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x & 0xff) as u8
        })
        .collect()
}

fn base64_lines(data: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    encoded
        .as_bytes()
        .chunks(76)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect::<Vec<_>>()
        .join("\r\n")
}

async fn seed(app: &TestApp, raw: &[u8]) {
    app.imap().await.append("INBOX", raw, None).await;
}

#[tokio::test]
async fn a_plain_text_message_shows_decoded_headers_and_body_and_is_marked_read() {
    let app = spawn_app().await;
    app.login().await;
    let raw = "From: =?ISO-8859-1?Q?Jo=E3o_Ara=FAjo?= <joao@example.test>\r\n\
To: Maria <maria@example.test>, pedro@example.test\r\n\
Cc: =?UTF-8?B?SsO8cmdlbg==?= <j@example.test>\r\n\
Subject: =?UTF-8?Q?Reuni=C3=A3o_amanh=C3=A3?=\r\nDate: Fri, 7 Mar 2025 16:20:00 -0300\r\n\
MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Ol=E1 Maria,\r\nA reuni=E3o =E9 =E0s 10h. Veja https://example.test/agenda?a=3D1&b=3D2\r\n\r\n> mensagem anterior\r\n> <script>alert(1)</script>\r\n";
    seed(&app, raw.as_bytes()).await;
    let (status, html) = app.page("/mail/INBOX/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "h1.subject"), ["Reunião amanhã"]);
    assert_eq!(texts(&html, "dd.from"), ["João Araújo <joao@example.test>"]);
    assert_eq!(
        texts(&html, "dd.to"),
        ["Maria <maria@example.test>, pedro@example.test"]
    );
    assert_eq!(texts(&html, "dd.cc"), ["Jürgen <j@example.test>"]);
    // Shown in the server's time zone, whatever the sender's was.
    let shown = chrono::DateTime::parse_from_rfc2822("Fri, 7 Mar 2025 16:20:00 -0300")
        .unwrap()
        .with_timezone(&chrono::Local);
    assert_eq!(
        texts(&html, "dd.date"),
        [shown.format("%-d %b %Y %H:%M").to_string()]
    );
    let body = texts(&html, ".text-body").join("");
    assert!(body.contains("Olá Maria,"), "{body}");
    assert!(body.contains("A reunião é às 10h."), "{body}");
    let links = attrs(&html, ".text-body a", "href");
    assert_eq!(links, ["https://example.test/agenda?a=1&b=2"]);
    let page = app.get("/mail/INBOX/1").await.text().await.unwrap();
    assert!(!page.contains("<script>alert(1)"), "quoted text is escaped");
    let flags = app.imap().await.flags("INBOX", 1).await;
    assert!(
        flags.iter().any(|f| f.contains("Seen")),
        "opening marks read: {flags:?}"
    );
}

const HTML_MESSAGE_HEAD: &str = "From: News <news@example.test>\r\nSubject: Newsletter\r\n\
Date: Sat, 8 Mar 2025 08:00:00 +0000\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/related; boundary=\"REL\"\r\n\r\n--REL\r\n\
Content-Type: multipart/alternative; boundary=\"ALT\"\r\n\r\n--ALT\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nPlain version\r\n--ALT\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n\
<html><head><script>alert('head')</script></head><body>\
<h2 onclick=\"alert(1)\">Ofertas da semana</h2>\
<img src=\"https://tracker.example/pixel.gif\" alt=\"pixel\">\
<img src=\"cid:logo@carteiro.test\" alt=\"logo\">\
<a href=\"javascript:alert(2)\">bad</a> <a href=\"https://shop.example/\">loja</a>\
</body></html>\r\n--ALT--\r\n--REL\r\n\
Content-Type: image/png\r\nContent-ID: <logo@carteiro.test>\r\nContent-Transfer-Encoding: base64\r\n\r\n";

#[tokio::test]
async fn an_html_message_is_sanitized_framed_and_remote_images_wait_for_permission() {
    let app = spawn_app().await;
    app.login().await;
    let logo = noise(2000, 7);
    let raw = format!("{HTML_MESSAGE_HEAD}{}\r\n--REL--\r\n", base64_lines(&logo));
    seed(&app, raw.as_bytes()).await;

    let (status, html) = app.page("/mail/INBOX/1").await;
    assert_eq!(status, StatusCode::OK);
    let frame = first_attr(&html, "iframe.html-body", "src").expect("an HTML body frame");
    assert_eq!(frame, "/mail/INBOX/1/body");
    let sandbox = first_attr(&html, "iframe.html-body", "sandbox").unwrap();
    assert!(!sandbox.contains("allow-scripts"), "{sandbox}");
    assert_eq!(texts(&html, "a.show-images"), ["Show images"]);
    assert!(
        texts(&html, ".attachments li").is_empty(),
        "the inline logo is not an attachment"
    );

    let response = app.get(&frame).await;
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("sandbox") && !csp.contains("allow-scripts"),
        "{csp}"
    );
    assert!(
        csp.contains("img-src 'self' data:;"),
        "remote images blocked by policy too: {csp}"
    );
    let body = response.text().await.unwrap();
    assert!(body.contains("Ofertas da semana"));
    for forbidden in ["<script", "onclick", "javascript:", "tracker.example"] {
        assert!(
            !body.to_lowercase().contains(forbidden),
            "{forbidden} in {body}"
        );
    }
    let doc = scraper::Html::parse_document(&body);
    let images = attrs(&doc, "img", "src");
    assert!(
        images
            .iter()
            .any(|i| i.starts_with("/static/blocked.svg?v=")),
        "{images:?}"
    );
    let logo_url = images
        .iter()
        .find(|s| s.contains("/part/"))
        .expect("cid rewritten")
        .clone();
    let logo_response = app.get(&logo_url).await;
    assert_eq!(logo_response.headers()["content-type"], "image/png");
    assert!(logo_response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline"));
    assert_eq!(logo_response.bytes().await.unwrap().to_vec(), logo);

    // After the reader allows it, the remote image is kept and the policy lets it load.
    let response = app.get("/mail/INBOX/1/body?images=1").await;
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("https:"), "{csp}");
    let body = response.text().await.unwrap();
    assert!(body.contains("https://tracker.example/pixel.gif"));
    let (_, html) = app.page("/mail/INBOX/1?images=1").await;
    assert_eq!(
        first_attr(&html, "iframe.html-body", "src").unwrap(),
        "/mail/INBOX/1/body?images=1"
    );
    assert!(texts(&html, "a.show-images").is_empty());
}

#[tokio::test]
async fn attachments_are_listed_and_download_byte_for_byte_in_chunks() {
    let app = spawn_app().await;
    app.login().await;
    // 2.5 MB: more than one 1 MiB partial FETCH.
    let big = noise(2_500_000, 42);
    let small = noise(3000, 9);
    let raw = format!(
        "From: a@example.test\r\nSubject: Arquivos\r\nDate: Sun, 9 Mar 2025 10:00:00 +0000\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nDois anexos.\r\n--B\r\n\
Content-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename*=UTF-8''planilha%20or%C3%A7amento.bin\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--B\r\n\
Content-Type: image/svg+xml; name=\"desenho.svg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--B--\r\n",
        base64_lines(&big),
        base64_lines(&small)
    );
    seed(&app, raw.as_bytes()).await;
    let (status, html) = app.page("/mail/INBOX/1").await;
    assert_eq!(status, StatusCode::OK);
    let names = texts(&html, ".attachments li a");
    assert_eq!(names, ["planilha orçamento.bin", "desenho.svg"]);
    let urls = attrs(&html, ".attachments li a", "href");
    assert_eq!(urls, ["/mail/INBOX/1/part/2", "/mail/INBOX/1/part/3"]);

    let response = app.get(&urls[0]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''planilha%20or%C3%A7amento%2Ebin"),
        "{disposition}"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.bytes().await.unwrap().to_vec(), big);

    // SVG can carry script: even asked for inline, it downloads, under a sandbox policy.
    let response = app.get(&format!("{}?inline=1", urls[1])).await;
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert!(response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    assert_eq!(response.bytes().await.unwrap().to_vec(), small);

    let (status, _) = app.page("/mail/INBOX/1/part/9").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.page("/mail/INBOX/1/part/1%20BODY").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_raw_source_is_the_message_byte_for_byte() {
    let app = spawn_app().await;
    app.login().await;
    let raw = "From: x@example.test\r\nSubject: Fonte\r\nDate: Mon, 10 Mar 2025 10:00:00 +0000\r\n\r\nCorpo <b>cru</b>\r\n";
    seed(&app, raw.as_bytes()).await;
    let response = app.get("/mail/INBOX/1/raw").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert!(response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("sandbox"));
    assert_eq!(response.text().await.unwrap(), raw);
    let response = app.get("/mail/INBOX/1/raw?download=1").await;
    assert_eq!(response.headers()["content-type"], "message/rfc822");
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let flags = app.imap().await.flags("INBOX", 1).await;
    assert!(
        !flags.iter().any(|f| f.contains("Seen")),
        "viewing the source does not mark read"
    );
}

#[tokio::test]
async fn missing_messages_and_bad_uids_are_404_pages() {
    let app = spawn_app().await;
    app.login().await;
    for path in [
        "/mail/INBOX/99",
        "/mail/INBOX/abc",
        "/mail/INBOX/0",
        "/mail/INBOX/99/raw",
        "/mail/Nope/1",
    ] {
        let (status, html) = app.page(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(texts(&html, "h1"), ["Not found"], "{path}");
    }
}

#[tokio::test]
async fn a_large_message_is_shown_from_its_text_parts_without_fetching_its_attachment() {
    let (proxy, app) = crate::chaos::signed_in_behind_recorder().await;
    let video = noise(3_000_000, 5);
    let raw = format!(
        "From: Tio <tio@example.test>\r\nSubject: =?UTF-8?Q?V=C3=ADdeo_da_festa?=\r\nDate: Tue, 11 Mar 2025 10:00:00 +0000\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\n\
Content-Type: multipart/alternative; boundary=\"A\"\r\n\r\n--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
Segue o vídeo.\r\n--A\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
<p>Segue o <b>v=C3=ADdeo</b>.</p>\r\n--A--\r\n--B\r\n\
Content-Type: video/mp4; name=festa.mp4\r\nContent-Disposition: attachment; filename=festa.mp4\r\n\
Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--B--\r\n",
        base64_lines(&video)
    );
    seed(&app, raw.as_bytes()).await;
    proxy.clear();
    let (status, html) = app.page("/mail/INBOX/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "h1.subject"), ["Vídeo da festa"]);
    assert!(texts(&html, ".notice").is_empty(), "nothing was cut");
    assert_eq!(texts(&html, ".attachments li a"), ["festa.mp4"]);
    let body = app.get("/mail/INBOX/1/body").await.text().await.unwrap();
    assert!(body.contains("<b>vídeo</b>"), "{body}");
    let commands = proxy.commands();
    assert!(
        commands.iter().any(|c| c.contains("BODY.PEEK[1.2.MIME]")),
        "the HTML part is fetched by section: {commands:?}"
    );
    assert!(
        !commands
            .iter()
            .any(|c| c.contains("[2]") || (c.contains("[]") && !c.contains("[]<0.1048576>"))),
        "the attachment is never fetched, the message only its first MiB: {commands:?}"
    );
    // And it still downloads whole.
    assert_eq!(
        app.get("/mail/INBOX/1/part/2")
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec(),
        video
    );
}

#[tokio::test]
async fn a_message_that_arrived_after_the_folder_was_opened_can_be_opened_directly() {
    let app = spawn_app().await;
    app.login().await;
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    // Delivered by another client while this session has INBOX selected.
    seed(&app, b"From: a@example.test\r\nSubject: Nova\r\nDate: Tue, 11 Mar 2025 10:00:00 +0000\r\n\r\nChegou agora.\r\n").await;
    let (status, html) = app.page("/mail/INBOX/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "h1.subject"), ["Nova"]);
}

/// The view fetches the message's structure with its body; its attachments and inline images
/// then download without asking for the structure again.
#[tokio::test]
async fn a_viewed_messages_parts_download_without_fetching_its_structure_again() {
    let (proxy, app) = crate::chaos::signed_in_behind_recorder().await;
    let raw = "From: a@example.test\r\nSubject: Anexo\r\nDate: Sun, 9 Mar 2025 10:00:00 +0000\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nUm anexo.\r\n--B\r\n\
Content-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=a.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--B--\r\n";
    seed(&app, raw.as_bytes()).await;
    seed(&app, raw.as_bytes()).await;
    let structure_fetches = || {
        proxy
            .commands()
            .iter()
            // The list beside an open message fetches its rows' structures (for the paper
            // clips) with their headers; only a message's own structure lookups count here.
            .filter(|c| c.contains("BODYSTRUCTURE") && !c.contains("HEADER.FIELDS"))
            .count()
    };
    // Without a view first, the download looks the structure up itself.
    proxy.clear();
    let response = app.get("/mail/INBOX/1/part/2").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"%PDF-1.4\n");
    assert_eq!(structure_fetches(), 1, "{:?}", proxy.commands());
    // After a view, it is already known.
    proxy.clear();
    let (status, _) = app.page("/mail/INBOX/2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(structure_fetches(), 1, "the view's: {:?}", proxy.commands());
    let response = app.get("/mail/INBOX/2/part/2").await;
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"%PDF-1.4\n");
    assert_eq!(structure_fetches(), 1, "{:?}", proxy.commands());
}
