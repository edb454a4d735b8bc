//! Memory stays bounded while big downloads stream: a 50 MB attachment and the 68 MB source
//! of its message go through a separately started `carteiro` process, whose resident memory
//! (VmRSS in /proc) is sampled all along. Each download is checked byte for byte (by length
//! and SHA-256) against what was appended, and the peak rise over the process's resident
//! size just before it must stay well under the size of the download.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::dos::{noise, with_attachment};
use crate::helpers::{attrs, browser, fresh_user, Binary, Imap, TEST_PASSWORD};

/// Bound on the rise of resident memory during one download. The streaming path holds a
/// couple of 1 MiB partial FETCHes (one being read, two queued for the client) and their
/// decoded copies; 24 MiB leaves room for allocator slack while staying far below the 50
/// and 68 MB being downloaded, which a buffered response would have to hold whole.
const MAX_RISE_KIB: u64 = 24 * 1024;

/// Resident memory of `pid` in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

/// Samples `pid`'s resident memory every few milliseconds on its own thread until stopped.
struct PeakRss {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PeakRss {
    fn start(pid: u32) -> PeakRss {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(rss_kib(pid)));
        let thread = std::thread::spawn({
            let (stop, peak) = (stop.clone(), peak.clone());
            move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        });
        PeakRss {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("sampler");
        }
        self.peak.load(Ordering::Relaxed)
    }
}

/// Streams `url`, hashing as it goes; returns (bytes, SHA-256, peak RSS rise in KiB).
async fn download(client: &reqwest::Client, url: &str, pid: u32) -> (u64, Vec<u8>, u64) {
    let before = rss_kib(pid);
    let sampler = PeakRss::start(pid);
    let mut response = client.get(url).send().await.expect("download starts");
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    while let Some(chunk) = response.chunk().await.expect("download completes") {
        total += chunk.len() as u64;
        hasher.update(&chunk);
    }
    let peak = sampler.finish();
    (
        total,
        hasher.finalize().to_vec(),
        peak.saturating_sub(before),
    )
}

#[tokio::test]
async fn fifty_megabyte_downloads_stream_in_bounded_memory() {
    const SIZE: usize = 50 * 1024 * 1024;
    let user = fresh_user("big");
    let data = noise(SIZE);
    let data_hash = Sha256::digest(&data).to_vec();
    let raw = with_attachment(
        "Anexo grande",
        "application/octet-stream",
        "grande.bin",
        &data,
    );
    drop(data);
    let raw_len = raw.len() as u64;
    let raw_hash = Sha256::digest(&raw).to_vec();
    Imap::connect(&user).await.append("INBOX", &raw, None).await;
    drop(raw);

    // Each download in a process of its own, so the second does not reuse memory the
    // allocator kept from the first and look cheaper than it is.
    let part_rise = {
        let (carteiro, client) = signed_in(&user).await;
        let pid = carteiro.child.id().expect("running");
        let page = client
            .get(format!("{}/mail/INBOX/1", carteiro.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = scraper::Html::parse_document(&page.text().await.unwrap());
        let parts = attrs(&page, ".attachments li a", "href");
        assert_eq!(parts.len(), 1, "{parts:?}");
        let url = format!("{}{}", carteiro.base_url, parts[0]);
        let (bytes, hash, rise) = download(&client, &url, pid).await;
        assert_eq!(bytes, SIZE as u64, "every byte of the attachment arrives");
        assert!(hash == data_hash, "the attachment's own bytes");
        rise
    };
    let raw_rise = {
        let (carteiro, client) = signed_in(&user).await;
        let pid = carteiro.child.id().expect("running");
        let url = format!("{}/mail/INBOX/1/raw?download=1", carteiro.base_url);
        let (bytes, hash, rise) = download(&client, &url, pid).await;
        assert_eq!(bytes, raw_len, "every byte of the source arrives");
        assert!(hash == raw_hash, "the message's own bytes");
        rise
    };
    eprintln!(
        "peak RSS rise: attachment {part_rise} KiB, source {raw_rise} KiB (bound {MAX_RISE_KIB} KiB)"
    );
    assert!(
        part_rise < MAX_RISE_KIB,
        "attachment download raised RSS by {part_rise} KiB"
    );
    assert!(
        raw_rise < MAX_RISE_KIB,
        "source download raised RSS by {raw_rise} KiB"
    );
}

/// A freshly started `carteiro` process and a client signed in to it as `user`.
async fn signed_in(user: &str) -> (Binary, reqwest::Client) {
    let carteiro = Binary::start(&[]).await;
    let client = browser();
    let response = client
        .post(format!("{}/login", carteiro.base_url))
        .form(&[("username", user), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    (carteiro, client)
}
