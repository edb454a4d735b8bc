//! Filling a folder with many messages fast: one MULTIAPPEND (RFC 3502) per batch of
//! messages, each a non-synchronizing literal (LITERAL+), written over one plain loopback
//! connection without waiting for a round trip per message. Dovecot stores a whole batch in
//! one transaction: 10,000 messages take about 0.3 s, against minutes for one APPEND each.
//!
//! `doveadm import` from a generated mbox would be as fast, but needs root and the stack's
//! Dovecot configuration, where this needs only the test password.
//!
//! Shared by the integration tests and `benches/pages.rs` (included there with `#[path]`), so
//! it uses only tokio and the standard library.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The one password the test passdb accepts for every invented user.
const PASSWORD: &str = "Senha-çé-123";
/// Messages per MULTIAPPEND command.
const BATCH: u32 = 10_000;

/// Every 1,000th message (numbers 500, 1500, …) has this word in its subject, so a search
/// finds results spread over the whole folder.
pub const NEEDLE: &str = "Agulha";

/// The subject of message `i` (1-based, oldest first).
pub fn subject(i: u32) -> String {
    if i % 1000 == 500 {
        format!("{NEEDLE} {i:06}")
    } else {
        format!("Mensagem {i:06}")
    }
}

/// Message `i`: plain text, quoted-printable HTML or base64 plain text in turn, some with an
/// attachment, from one of 97 senders. Its date is `i` minutes after 1 Jan 2024.
pub fn message(i: u32, to: &str) -> Vec<u8> {
    let minutes = i64::from(i);
    let (day, hour, minute) = (minutes / 1440, (minutes / 60) % 24, minutes % 60);
    let (month, mday) = month_day(day);
    let date = format!("{mday} {month} 2024 {hour:02}:{minute:02}:00 +0000");
    let body = match i % 4 {
        0 => format!(
            "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
<html><body><p>Ol=C3=A1, esta =C3=A9 a mensagem <b>{i}</b>.</p></body></html>\r\n"
        ),
        1 => format!(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64(format!("Corpo da mensagem {i}, em base64.").as_bytes())
        ),
        2 => format!(
            "Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nSegue o anexo {i}.\r\n--b{i}\r\n\
Content-Type: application/pdf; name=a{i}.pdf\r\nContent-Disposition: attachment; filename=a{i}.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b{i}--\r\n"
        ),
        _ => format!(
            "Content-Type: text/plain; charset=utf-8\r\n\r\nMensagem n\u{fa}mero {i}.\r\nLinha dois.\r\n"
        ),
    };
    format!(
        "From: Remetente {n} <r{n}@example.test>\r\nTo: {to}\r\nSubject: {subject}\r\n\
Date: {date}\r\nMessage-ID: <seed-{i}@example.test>\r\nMIME-Version: 1.0\r\n{body}",
        n = i % 97,
        subject = subject(i)
    )
    .into_bytes()
}

/// The INTERNALDATE matching message `i`'s Date, so arrival order is number order.
fn internal_date(i: u32) -> String {
    let minutes = i64::from(i);
    let (day, hour, minute) = (minutes / 1440, (minutes / 60) % 24, minutes % 60);
    let (month, mday) = month_day(day);
    format!("{mday:02}-{month}-2024 {hour:02}:{minute:02}:00 +0000")
}

/// Day `day` (0-based) of 2024 as (month abbreviation, day of month).
fn month_day(mut day: i64) -> (&'static str, i64) {
    const MONTHS: [(&str, i64); 12] = [
        ("Jan", 31),
        ("Feb", 29),
        ("Mar", 31),
        ("Apr", 30),
        ("May", 31),
        ("Jun", 30),
        ("Jul", 31),
        ("Aug", 31),
        ("Sep", 30),
        ("Oct", 31),
        ("Nov", 30),
        ("Dec", 31),
    ];
    for (name, len) in MONTHS {
        if day < len {
            return (name, day + 1);
        }
        day -= len;
    }
    ("Dec", 31)
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// APPENDs messages `first..=last` (see [`message`]) to `folder` of `user`, flagged
/// `\Seen` when `seen`, in batches of [`BATCH`] per MULTIAPPEND.
pub async fn multiappend(user: &str, folder: &str, first: u32, last: u32, seen: bool) {
    let tcp = TcpStream::connect("127.0.0.1:143")
        .await
        .expect("Dovecot on 143");
    let (read, mut write) = tcp.into_split();
    let mut lines = BufReader::new(read);
    let mut line = String::new();
    lines.read_line(&mut line).await.expect("greeting");
    let auth = base64(format!("\0{user}\0{PASSWORD}").as_bytes());
    write
        .write_all(format!("s1 AUTHENTICATE PLAIN {auth}\r\n").as_bytes())
        .await
        .expect("write");
    tagged(&mut lines, "s1").await;
    let flags = if seen { "(\\Seen) " } else { "" };
    let mut start = first;
    let mut tag = 2;
    while start <= last {
        let end = last.min(start + BATCH - 1);
        let mut command = format!("s{tag} APPEND \"{folder}\"").into_bytes();
        for i in start..=end {
            let raw = message(i, user);
            command.extend_from_slice(
                format!(" {flags}\"{}\" {{{}+}}\r\n", internal_date(i), raw.len()).as_bytes(),
            );
            command.extend_from_slice(&raw);
        }
        command.extend_from_slice(b"\r\n");
        write.write_all(&command).await.expect("write");
        tagged(&mut lines, &format!("s{tag}")).await;
        start = end + 1;
        tag += 1;
    }
    let _ = write.write_all(b"s0 LOGOUT\r\n").await;
}

/// Reads until the tagged answer, which must be OK.
async fn tagged(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, tag: &str) {
    let mut line = String::new();
    loop {
        line.clear();
        let n = lines.read_line(&mut line).await.expect("read");
        assert!(n > 0, "Dovecot closed the connection");
        if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
            assert!(rest.starts_with("OK"), "{tag}: {line}");
            return;
        }
    }
}
