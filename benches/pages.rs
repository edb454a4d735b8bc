//! Speed of a list page and a message view: Carteiro over HTTP against the same IMAP
//! commands issued directly, measured in one run against the local Dovecot, on folders of
//! 10,000 and 100,000 messages, cold and warm.
//!
//! Run: `scripts/mailstack.sh up && cargo bench --bench pages` (seeds the users
//! `bench-10k@example.test` and `bench-100k@example.test` on first run, with the integration
//! tests' MULTIAPPEND seeding; they keep their messages between runs). Prints medians and the
//! ratio carteiro/raw; the ratio is what to compare between machines and commits.
//!
//! - cold: a fresh application (caches empty), logged in, then its first request; the raw
//!   floor includes the `UID SORT` a first visit needs.
//! - warm: the same application again and again; the raw floor is LIST + SELECT + the page's
//!   full FETCH (what a gateway without a row cache would send), and, for information, the
//!   flags-only FETCH that Carteiro sends for rows it has cached.

use std::time::{Duration, Instant};

use carteiro::imap::connect::Connector;
use secrecy::SecretString;

mod common;
#[allow(dead_code)]
#[path = "../tests/api/seed.rs"]
mod seed;

use common::{config, median, ms, start, PASSWORD};

const WARM_SAMPLES: usize = 200;
const LIST_FETCH: &str = "(UID FLAGS RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE CONTENT-TYPE)]<0.65536>)";
const LIST: &str = r#"LIST "" "*" RETURN (SUBSCRIBED SPECIAL-USE STATUS (MESSAGES UNSEEN))"#;

async fn time<F, Fut, T>(samples: usize, warm_up: bool, mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    if warm_up {
        for _ in 0..samples / 10 {
            f().await;
        }
    }
    let mut out = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        f().await;
        out.push(start.elapsed());
    }
    out
}

fn report(name: &str, raw: &[Duration], http: &[Duration]) {
    let (rm, hm) = (median(raw.to_vec()), median(http.to_vec()));
    println!(
        "  {name:<34} raw IMAP {:>8.3} ms   Carteiro HTTP {:>8.3} ms   ratio {:>5.2}x",
        ms(rm),
        ms(hm),
        hm.as_secs_f64() / rm.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    for (messages, user, cold_samples) in [
        (10_000u32, "bench-10k@example.test", 21usize),
        (100_000, "bench-100k@example.test", 11),
    ] {
        folder(messages, user, cold_samples).await;
    }
}

async fn folder(messages: u32, user: &str, cold_samples: usize) {
    let connector = Connector::new(&config(), Default::default()).expect("connector");
    let password = SecretString::from(PASSWORD.to_string());
    let mut raw = connector
        .login(user, &password)
        .await
        .expect("bench user logs in");
    let state = raw.select("INBOX").await.expect("select");
    if state.exists < messages {
        eprintln!("seeding {} messages…", messages - state.exists);
        let started = Instant::now();
        seed::multiappend(user, "INBOX", state.exists + 1, messages, true).await;
        eprintln!("seeded in {:?}", started.elapsed());
    }
    let state = raw.select("INBOX").await.expect("select");
    assert!(state.exists >= messages);

    // The newest 50 UIDs, as the first page shows them.
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
    let flags_fetch = format!("UID FETCH {} (UID FLAGS)", page.join(","));
    let newest = uids[0];
    let view_fetch =
        format!("UID FETCH {newest} (UID FLAGS RFC822.SIZE BODYSTRUCTURE BODY.PEEK[]<0.8388608>)");
    let raw = std::sync::Arc::new(tokio::sync::Mutex::new(raw));
    let run = |commands: Vec<String>| {
        let raw = raw.clone();
        move || {
            let raw = raw.clone();
            let commands = commands.clone();
            async move {
                let mut c = raw.lock().await;
                for cmd in &commands {
                    if cmd == "SELECT" {
                        c.select("INBOX").await.unwrap();
                    } else {
                        c.command(cmd, |_| {}).await.unwrap();
                    }
                }
            }
        }
    };
    let sort = "UID SORT (ARRIVAL) UTF-8 ALL".to_string();
    let (list, select) = (LIST.to_string(), "SELECT".to_string());

    println!("Folder of {} messages (medians):", state.exists);
    let raw_cold = time(
        cold_samples,
        true,
        run(vec![
            list.clone(),
            select.clone(),
            sort.clone(),
            page_fetch.clone(),
        ]),
    )
    .await;
    let raw_warm = time(
        WARM_SAMPLES,
        true,
        run(vec![list.clone(), select.clone(), page_fetch.clone()]),
    )
    .await;
    let raw_flags = time(
        WARM_SAMPLES,
        true,
        run(vec![list.clone(), select.clone(), flags_fetch.clone()]),
    )
    .await;
    let raw_view = time(
        WARM_SAMPLES,
        true,
        run(vec![list.clone(), view_fetch.clone()]),
    )
    .await;

    // Cold: a fresh application each time, so nothing is cached; only the first request
    // after login is timed.
    let mut http_cold = Vec::new();
    let mut http_view_cold = Vec::new();
    for _ in 0..cold_samples {
        let app = start(user).await;
        let t = Instant::now();
        app.get("/mail/INBOX").await;
        http_cold.push(t.elapsed());
        app.stop().await;
        let app = start(user).await;
        let t = Instant::now();
        app.get(&format!("/mail/INBOX/{newest}")).await;
        http_view_cold.push(t.elapsed());
        app.stop().await;
    }
    let app = start(user).await;
    let http_warm = time(WARM_SAMPLES, true, || app.get("/mail/INBOX")).await;
    let view_path = format!("/mail/INBOX/{newest}");
    let http_view = time(WARM_SAMPLES, true, || app.get(&view_path)).await;
    app.stop().await;

    report("list page, cold (raw with SORT)", &raw_cold, &http_cold);
    report("list page, warm (raw full FETCH)", &raw_warm, &http_warm);
    report("list page, warm (raw flags FETCH)", &raw_flags, &http_warm);
    report("message view, cold", &raw_view, &http_view_cold);
    report("message view, warm", &raw_view, &http_view);
}
