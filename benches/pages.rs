//! Speed of a list page and a message view: Carteiro over HTTP against the same IMAP
//! commands issued directly, measured in one run against the local Dovecot.
//!
//! Run: `scripts/mailstack.sh up && cargo bench --bench pages` (seeds a 10,000-message folder
//! for the user `bench-10k@example.test` on first run). Prints medians and the ratio
//! carteiro/raw; the ratio is what to compare between machines and commits.

use std::time::{Duration, Instant};

use carteiro::app::Application;
use carteiro::config::Config;
use carteiro::imap::connect::Connector;
use secrecy::SecretString;

const USER: &str = "bench-10k@example.test";
const PASSWORD: &str = "Senha-çé-123";
const MESSAGES: u32 = 10_000;
const SAMPLES: usize = 200;
const LIST_FETCH: &str = "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE CONTENT-TYPE)])";
const LIST: &str = r#"LIST "" "*" RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))"#;

fn config() -> Config {
    let stack =
        std::env::var("CARTEIRO_STACK_DIR").unwrap_or_else(|_| "/tmp/carteiro-stack".into());
    let env = vec![
        ("CARTEIRO_LISTEN".to_string(), "127.0.0.1:0".to_string()),
        (
            "CARTEIRO_IMAP_URL".to_string(),
            "imap://localhost:143".to_string(),
        ),
        (
            "CARTEIRO_TLS_CA_FILE".to_string(),
            format!("{stack}/ca.pem"),
        ),
        (
            "CARTEIRO_SECRET_KEY".to_string(),
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
        ),
    ];
    Config::load(None, &env)
        .expect("config (is the stack up?)")
        .0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p90(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() * 9 / 10]
}

async fn time<F, Fut>(samples: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..samples / 10 {
        f().await; // warm-up
    }
    let mut out = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        f().await;
        out.push(start.elapsed());
    }
    out
}

fn report(name: &str, raw: Vec<Duration>, http: Vec<Duration>) {
    let (rm, hm) = (median(raw.clone()), median(http.clone()));
    println!(
        "{name:<28} raw IMAP median {:>8.3} ms (p90 {:>7.3})   Carteiro HTTP median {:>8.3} ms (p90 {:>7.3})   ratio {:>5.2}x",
        rm.as_secs_f64() * 1e3,
        p90(raw).as_secs_f64() * 1e3,
        hm.as_secs_f64() * 1e3,
        p90(http).as_secs_f64() * 1e3,
        hm.as_secs_f64() / rm.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let config = config();
    let connector = Connector::new(&config, Default::default()).expect("connector");
    let password = SecretString::from(PASSWORD.to_string());
    let mut raw = connector
        .login(USER, &password)
        .await
        .expect("bench user logs in");

    // Seed once: the folder keeps its 10,000 messages between runs.
    let state = raw.select("INBOX").await.expect("select");
    if state.exists < MESSAGES {
        eprintln!("seeding {} messages…", MESSAGES - state.exists);
        seed(USER, MESSAGES - state.exists).await;
    }
    let state = raw.select("INBOX").await.expect("select");
    assert!(state.exists >= MESSAGES);

    let app = Application::build(config).await.expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http
        .post(format!("{base}/login"))
        .form(&[("username", USER), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);

    // The newest 50 UIDs, as the page shows them.
    let mut uids = Vec::new();
    raw.command("UID SORT (ARRIVAL) UTF-8 ALL", |r| {
        if let async_imap::imap_proto::Response::MailboxData(
            async_imap::imap_proto::MailboxDatum::Sort(list),
        ) = r
        {
            uids.extend_from_slice(list);
        }
    })
    .await
    .unwrap();
    uids.reverse();
    let page: Vec<String> = uids[..50].iter().map(|u| u.to_string()).collect();
    let page_fetch = format!("UID FETCH {} {LIST_FETCH}", page.join(","));
    let newest = uids[0];
    let raw_conn = std::sync::Arc::new(tokio::sync::Mutex::new(raw));

    println!(
        "Folder of {} messages, {SAMPLES} samples each, medians:",
        state.exists
    );

    // Cold list page: what a first visit costs (SORT included).
    let c = raw_conn.clone();
    let f = page_fetch.clone();
    let raw_cold = time(SAMPLES / 4, || {
        let c = c.clone();
        let f = f.clone();
        async move {
            let mut c = c.lock().await;
            c.command(LIST, |_| {}).await.unwrap();
            c.select("INBOX").await.unwrap();
            c.command("UID SORT (ARRIVAL) UTF-8 ALL", |_| {})
                .await
                .unwrap();
            c.command(&f, |_| {}).await.unwrap();
        }
    })
    .await;
    let c = raw_conn.clone();
    let f = page_fetch.clone();
    let raw_warm = time(SAMPLES, || {
        let c = c.clone();
        let f = f.clone();
        async move {
            let mut c = c.lock().await;
            c.command(LIST, |_| {}).await.unwrap();
            c.select("INBOX").await.unwrap();
            c.command(&f, |_| {}).await.unwrap();
        }
    })
    .await;
    let http_page = time(SAMPLES, || {
        let http = http.clone();
        let url = format!("{base}/mail/INBOX");
        async move {
            let r = http.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap();
        }
    })
    .await;
    report("list page (raw with SORT)", raw_cold, http_page.clone());
    report("list page (raw, no SORT)", raw_warm, http_page);

    let view_fetch =
        format!("UID FETCH {newest} (UID FLAGS RFC822.SIZE BODYSTRUCTURE BODY.PEEK[]<0.8388608>)");
    let c = raw_conn.clone();
    let raw_view = time(SAMPLES, || {
        let c = c.clone();
        let f = view_fetch.clone();
        async move {
            let mut c = c.lock().await;
            c.command(LIST, |_| {}).await.unwrap();
            c.command(&f, |_| {}).await.unwrap();
        }
    })
    .await;
    let http_view = time(SAMPLES, || {
        let http = http.clone();
        let url = format!("{base}/mail/INBOX/{newest}");
        async move {
            let r = http.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap();
        }
    })
    .await;
    report("open message", raw_view, http_view);
}

/// APPENDs `count` varied messages to the bench user's INBOX.
async fn seed(user: &str, count: u32) {
    let config = config();
    let connector = Connector::new(&config, Default::default()).unwrap();
    let mut conn = connector
        .login(user, &SecretString::from(PASSWORD.to_string()))
        .await
        .unwrap();
    for i in 0..count {
        let body = if i % 3 == 0 {
            format!(
                "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Olá <b>mensagem</b> {i}</p>\r\n"
            )
        } else {
            format!("Content-Type: text/plain; charset=utf-8\r\n\r\nMensagem número {i}.\r\nLinha dois.\r\n")
        };
        let raw = format!(
            "From: Remetente {n} <r{n}@example.test>\r\nTo: {user}\r\nSubject: =?UTF-8?Q?Mensagem_n=C2=BA_{i}?=\r\n\
Date: Tue, 4 Mar 2025 08:{m:02}:{s:02} +0000\r\nMessage-ID: <bench-{i}@example.test>\r\nMIME-Version: 1.0\r\n{body}",
            n = i % 97,
            m = (i / 60) % 60,
            s = i % 60
        );
        conn.append("INBOX", None, raw.as_bytes()).await.unwrap();
    }
}
