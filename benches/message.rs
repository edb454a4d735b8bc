//! Time to open a large HTML message in a browser: its page, then the sandboxed frame of its
//! body that the page embeds (two requests, as a browser makes them), against the local
//! Dovecot.
//!
//! Run: `scripts/mailstack.sh up && cargo bench --bench message`. Seeds the user
//! `bench-html@example.test` on first run with two newsletter-like HTML messages, one that
//! fits the view's single FETCH (~900 KB) and one shown from its text part (~3 MB), and keeps
//! them between runs. Prints medians of the page, the frame after it, and both, beside the raw
//! floor measured in the same run (one `UID FETCH … BODY.PEEK[]` of the whole message on an
//! open IMAP connection): the ratio (page + frame) / raw is what to compare between machines
//! and commits.

use std::time::Instant;

use carteiro::imap::connect::Connector;
use secrecy::SecretString;

mod common;

use common::{config, median, ms, start, PASSWORD};

const USER: &str = "bench-html@example.test";
const SAMPLES: usize = 30;

/// A newsletter of about `bytes`: tables, inline styles, links, remote images (blocked
/// until allowed), text with entities.
fn newsletter(subject: &str, bytes: usize) -> Vec<u8> {
    let mut html =
        String::from("<html><head><style>td{padding:4px}.x{color:#333}</style></head><body>");
    let mut n = 0;
    while html.len() < bytes {
        n += 1;
        html.push_str(&format!(
            "<table width=\"600\" style=\"border:1px solid #ccc;font-family:Arial\"><tr>\
<td><img src=\"https://tracker.example.com/p/{n}.gif\" width=\"120\" alt=\"Oferta {n}\"></td>\
<td class=\"x\"><h2 style=\"margin:0\">Oferta n&ordm; {n} &mdash; s&oacute; hoje</h2>\
<p>Promo&ccedil;&atilde;o v&aacute;lida enquanto durarem os estoques. <a href=\"https://shop.example.com/item/{n}?utm_source=mail\">Veja mais</a>\
 &middot; <b>R$&nbsp;{n},90</b></p></td></tr></table>\n"
        ));
    }
    html.push_str("</body></html>");
    let mut raw = format!(
        "From: Loja <news@shop.example.com>\r\nTo: {USER}\r\nSubject: {subject}\r\n\
Date: Tue, 11 Mar 2025 10:00:00 -0300\r\nMessage-ID: <{subject}@bench.carteiro>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    .into_bytes();
    raw.extend_from_slice(html.as_bytes());
    raw.extend_from_slice(b"\r\n");
    raw
}

#[tokio::main]
async fn main() {
    let connector = Connector::new(&config(), Default::default()).expect("connector");
    let password = SecretString::from(PASSWORD.to_string());
    let mut imap = connector
        .login(USER, &password)
        .await
        .expect("bench user logs in");
    let messages = [("html-900k", 900 * 1024), ("html-3m", 3 * 1024 * 1024)];
    if imap.select("INBOX").await.expect("select").exists == 0 {
        for (subject, bytes) in messages {
            imap.append("INBOX", None, &newsletter(subject, bytes))
                .await
                .expect("append");
        }
    }
    assert_eq!(
        imap.select("INBOX").await.expect("select").exists,
        2,
        "{USER}'s INBOX holds the two bench messages only"
    );

    let app = start(USER).await;

    println!("Opening a large HTML message, page then frame (medians of {SAMPLES}):");
    for (uid, (name, _)) in (1u32..).zip(messages) {
        let mut raw = Vec::new();
        for i in 0..SAMPLES + 3 {
            let start = Instant::now();
            imap.command(&format!("UID FETCH {uid} (BODY.PEEK[])"), |_| {})
                .await
                .expect("raw fetch");
            if i >= 3 {
                raw.push(start.elapsed());
            }
        }
        let raw = median(raw);
        let (mut page, mut frame, mut both) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..SAMPLES + 3 {
            let p = app.get(&format!("/mail/INBOX/{uid}")).await;
            let f = app.get(&format!("/mail/INBOX/{uid}/body")).await;
            if i >= 3 {
                page.push(p);
                frame.push(f);
                both.push(p + f);
            }
        }
        let both = median(both);
        println!(
            "  {name:<10} raw IMAP {:>7.2} ms   page {:>8.2} ms   frame {:>8.2} ms   page+frame {:>8.2} ms   ratio {:>5.1}x",
            ms(raw),
            ms(median(page)),
            ms(median(frame)),
            ms(both),
            both.as_secs_f64() / raw.as_secs_f64()
        );
    }
    imap.logout().await;
    app.stop().await;
}
