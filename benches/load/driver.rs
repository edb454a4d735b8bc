//! The load generator shared by `cargo bench --bench load` (1,000 sessions for a minute) and
//! the integration test's short smoke run: seeds users over IMAP, starts the `carteiro`
//! binary, signs sessions in, then keeps a fixed number of requests in flight over a mix of
//! pages for every session in turn, and reports throughput, latency, errors, the IMAP
//! connections the process held (its own sockets to port 143, read from /proc) and its memory.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

/// The one password the stack's passdb accepts for every invented user.
pub const PASSWORD: &str = "Senha-çé-123";

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    pub users: usize,
    pub sessions: usize,
    pub messages_per_user: usize,
    pub duration: Duration,
    /// Requests in flight at any moment (a closed loop: each worker waits for its answer).
    pub concurrency: usize,
    /// Sessions take strict turns instead of being picked at random.
    pub round_robin: bool,
    pub max_imap_connections: usize,
}

/// What came out.
#[derive(Debug, Default)]
pub struct Report {
    pub requests: u64,
    /// Answers other than 200, by status.
    pub bad_status: BTreeMap<u16, u64>,
    /// Requests that got no answer (connection refused or reset, timeout).
    pub socket_errors: u64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub per_second: f64,
    pub login_seconds: f64,
    pub peak_imap_connections: usize,
    pub rss_before_logins_kib: u64,
    pub rss_after_logins_kib: u64,
    pub rss_peak_kib: u64,
    pub rss_end_kib: u64,
    pub imap_connections_end: usize,
}

impl Report {
    pub fn errors(&self) -> u64 {
        self.socket_errors + self.bad_status.values().sum::<u64>()
    }

    pub fn print(&self, plan: &Plan) {
        let kib_per_session = (self.rss_after_logins_kib as f64
            - self.rss_before_logins_kib as f64)
            / plan.sessions as f64;
        println!("plan: {plan:?}");
        println!(
            "logins: {} sessions in {:.1} s; RSS {} -> {} KiB ({kib_per_session:.0} KiB per session)",
            plan.sessions, self.login_seconds, self.rss_before_logins_kib, self.rss_after_logins_kib
        );
        println!(
            "requests: {} in {:.0} s = {:.0}/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.requests,
            plan.duration.as_secs_f64(),
            self.per_second,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.max.as_secs_f64() * 1e3
        );
        println!(
            "errors: {} (socket {}, status {:?})",
            self.errors(),
            self.socket_errors,
            self.bad_status
        );
        println!(
            "IMAP connections: peak {} (limit {}), at the end {}",
            self.peak_imap_connections, plan.max_imap_connections, self.imap_connections_end
        );
        println!(
            "RSS: peak {} KiB, at the end {} KiB",
            self.rss_peak_kib, self.rss_end_kib
        );
    }
}

/// Resident memory of `pid` in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Established TCP connections of process `pid` to port 143: its socket inodes (from
/// /proc/PID/fd) matched against the kernel's TCP tables.
pub fn imap_connections(pid: u32) -> usize {
    let mut inodes = HashSet::new();
    if let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) {
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                let target = target.to_string_lossy().to_string();
                if let Some(inode) = target
                    .strip_prefix("socket:[")
                    .and_then(|r| r.strip_suffix(']'))
                {
                    inodes.insert(inode.to_string());
                }
            }
        }
    }
    let mut count = 0;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 10 {
                continue;
            }
            let to_imap = fields[2].ends_with(":008F");
            let established = fields[3] == "01";
            if to_imap && established && inodes.contains(fields[9]) {
                count += 1;
            }
        }
    }
    count
}

struct Plain<'a>(&'a str);

impl async_imap::Authenticator for Plain<'_> {
    type Response = Vec<u8>;
    fn process(&mut self, _: &[u8]) -> Vec<u8> {
        format!("\0{}\0{PASSWORD}", self.0).into_bytes()
    }
}

/// Fills each user's INBOX with `count` small messages, a few of them with a word to search.
pub async fn seed(users: &[String], count: usize) {
    let jobs = users.iter().map(|user| async move {
        let tcp = TcpStream::connect("127.0.0.1:143")
            .await
            .expect("Dovecot on 143 (scripts/mailstack.sh up)");
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.expect("greeting");
        let mut session = client
            .authenticate("PLAIN", Plain(user))
            .await
            .map_err(|(e, _)| e)
            .expect("test user logs in");
        for i in 0..count {
            let word = if i % 10 == 0 {
                "orçamento"
            } else {
                "reunião"
            };
            let raw = format!(
                "From: Remetente {i} <r{i}@example.test>\r\nTo: {user}\r\n\
Subject: Mensagem {i} sobre {word}\r\nDate: Tue, 11 Mar 2025 10:{:02}:{:02} +0000\r\n\
Message-ID: <load-{i}-{user}>\r\nMIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
Olá! Esta é a mensagem {i} sobre {word}.\r\n{}\r\n",
                (i / 60) % 60,
                i % 60,
                "Uma linha de texto comum para dar corpo à mensagem.\r\n".repeat(20)
            );
            session
                .append("INBOX", None, None, raw.as_bytes())
                .await
                .expect("APPEND");
        }
        let _ = session.logout().await;
    });
    futures::future::join_all(jobs).await;
}

/// A running `carteiro` process.
pub struct Server {
    /// Killed when the server is dropped.
    _child: tokio::process::Child,
    pub pid: u32,
    pub base_url: String,
    log_path: std::path::PathBuf,
}

impl Server {
    /// Starts `binary` against the local stack and waits until it says where it listens.
    pub async fn start(binary: &Path, stack_dir: &Path, env: &[(&str, String)]) -> Server {
        let log_path =
            std::env::temp_dir().join(format!("carteiro-load-{}.log", std::process::id()));
        let log = std::fs::File::create(&log_path).expect("log file");
        let mut command = tokio::process::Command::new(binary);
        command
            .env_clear()
            .env("CARTEIRO_LISTEN", "127.0.0.1:0")
            .env("CARTEIRO_IMAP_URL", "imap://localhost:143")
            .env("CARTEIRO_TLS_CA_FILE", stack_dir.join("ca.pem"))
            .env(
                "CARTEIRO_SECRET_KEY",
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            )
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .kill_on_drop(true);
        let mut child = command.spawn().expect("carteiro starts");
        let pid = child.id().expect("pid");
        for _ in 0..400 {
            let logs = std::fs::read_to_string(&log_path).unwrap_or_default();
            if let Some(port) = logs
                .split("listening on http://")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .and_then(|a| a.rsplit_once(':'))
                .and_then(|(_, p)| p.parse::<u16>().ok())
            {
                return Server {
                    _child: child,
                    pid,
                    base_url: format!("http://127.0.0.1:{port}"),
                    log_path,
                };
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("carteiro exited ({status}):\n{logs}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("carteiro did not come up");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.log_path);
    }
}

/// An HTTP client that keeps no cookies (each request names its session) and follows no
/// redirect (a redirect to the sign-in page is a lost session, an error here).
pub fn client(concurrency: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Signs `sessions` sessions in, spread over `users`, `parallel` at a time; their cookies.
pub async fn login_all(
    http: &reqwest::Client,
    base: &str,
    users: &[String],
    sessions: usize,
    parallel: usize,
) -> Vec<String> {
    use futures::StreamExt;
    let logins = (0..sessions).map(|i| {
        let user = users[i % users.len()].clone();
        let url = format!("{base}/login");
        async move {
            let response = http
                .post(url)
                .form(&[("username", user.as_str()), ("password", PASSWORD)])
                .send()
                .await
                .expect("login answers");
            if response.status() != 303 {
                let status = response.status();
                let page = response.text().await.unwrap_or_default();
                let alert = page
                    .split("role=\"alert\"")
                    .nth(1)
                    .map(|rest| rest.chars().take(300).collect::<String>())
                    .unwrap_or_default();
                panic!("login of session {i} ({user}): {status}{alert}");
            }
            let cookie = response
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("carteiro_session="))
                .and_then(|v| v.split(';').next())
                .expect("a session cookie")
                .to_string();
            cookie
        }
    });
    futures::stream::iter(logins)
        .buffer_unordered(parallel)
        .collect()
        .await
}

/// The mix of pages a reader goes through, with weights out of 100.
fn pick_path(roll: u64, messages: usize) -> String {
    let page = roll % 100;
    let uid = (roll / 100) as usize % messages + 1;
    match page {
        0..40 => "/mail/INBOX".into(),
        40..55 => "/mail/INBOX?page=2".into(),
        55..65 => "/mail/INBOX?page=3".into(),
        65..95 => format!("/mail/INBOX/{uid}"),
        _ => "/mail/INBOX?q=or%C3%A7amento".into(),
    }
}

fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// Samples a process's IMAP connections and memory every 100 ms on a thread of its own.
struct Sampler {
    stop: Arc<AtomicBool>,
    peak_conns: Arc<AtomicUsize>,
    peak_rss: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<()>,
}

impl Sampler {
    fn start(pid: u32) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_conns = Arc::new(AtomicUsize::new(0));
        let peak_rss = Arc::new(AtomicU64::new(0));
        let thread = std::thread::spawn({
            let (stop, peak_conns, peak_rss) = (stop.clone(), peak_conns.clone(), peak_rss.clone());
            move || {
                while !stop.load(Ordering::Relaxed) {
                    peak_conns.fetch_max(imap_connections(pid), Ordering::Relaxed);
                    peak_rss.fetch_max(rss_kib(pid), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        });
        Sampler {
            stop,
            peak_conns,
            peak_rss,
            thread,
        }
    }

    /// Peak connections and peak RSS (KiB).
    fn finish(self) -> (usize, u64) {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("sampler");
        (
            self.peak_conns.load(Ordering::Relaxed),
            self.peak_rss.load(Ordering::Relaxed),
        )
    }
}

/// Runs the mix for `plan.duration` over every session's cookie.
pub async fn run(
    http: &reqwest::Client,
    base: &str,
    pid: u32,
    cookies: &[String],
    plan: &Plan,
) -> Report {
    let deadline = Instant::now() + plan.duration;
    let round_robin = plan.round_robin;
    let latencies = Arc::new(Mutex::new(Vec::<u32>::with_capacity(1 << 20)));
    let bad = Arc::new(Mutex::new(BTreeMap::<u16, u64>::new()));
    let socket_errors = Arc::new(AtomicU64::new(0));
    let next_session = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers = (0..plan.concurrency).map(|w| {
        let (latencies, bad, socket_errors, next_session) = (
            latencies.clone(),
            bad.clone(),
            socket_errors.clone(),
            next_session.clone(),
        );
        let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ ((w as u64 + 1) << 32);
        async move {
            let mut mine = Vec::new();
            while Instant::now() < deadline {
                // Sessions at random (all of them get used). Strict turns would be the worst
                // case for the connection limit's least-recently-used reclaiming when there
                // are more sessions than connections: every request would reconnect.
                let session = if round_robin {
                    next_session.fetch_add(1, Ordering::Relaxed) % cookies.len()
                } else {
                    xorshift(&mut seed) as usize % cookies.len()
                };
                let path = pick_path(xorshift(&mut seed), plan.messages_per_user);
                let sent = Instant::now();
                let result = http
                    .get(format!("{base}{path}"))
                    .header("cookie", &cookies[session])
                    .send()
                    .await;
                match result {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let body = response.bytes().await;
                        if body.is_err() {
                            socket_errors.fetch_add(1, Ordering::Relaxed);
                        } else if status != 200 {
                            *bad.lock().unwrap().entry(status).or_default() += 1;
                        }
                    }
                    Err(_) => {
                        socket_errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                mine.push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
            }
            latencies.lock().unwrap().extend(mine);
        }
    });
    futures::future::join_all(workers).await;
    let elapsed = started.elapsed();
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map(|us| Duration::from_micros(u64::from(*us)))
            .unwrap_or_default()
    };
    let bad_status = std::mem::take(&mut *bad.lock().unwrap());
    Report {
        requests: latencies.len() as u64,
        bad_status,
        socket_errors: socket_errors.load(Ordering::Relaxed),
        p50: at(0.50),
        p99: at(0.99),
        max: at(1.0),
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        rss_end_kib: rss_kib(pid),
        imap_connections_end: imap_connections(pid),
        ..Report::default()
    }
}

/// Everything in order: seed, start, sign in, load. `tag` makes the user names unique.
pub async fn full_run(binary: &Path, stack_dir: &Path, plan: &Plan, tag: &str) -> Report {
    let users: Vec<String> = (0..plan.users)
        .map(|i| format!("load-{tag}-{i}@example.test"))
        .collect();
    seed(&users, plan.messages_per_user).await;
    let server = Server::start(
        binary,
        stack_dir,
        &[(
            "CARTEIRO_MAX_IMAP_CONNECTIONS",
            plan.max_imap_connections.to_string(),
        )],
    )
    .await;
    let http = client(plan.concurrency);
    // Warm the process up (first page, templates) before measuring its idle size.
    let _ = http.get(format!("{}/login", server.base_url)).send().await;
    let rss_before = rss_kib(server.pid);
    let sampler = Sampler::start(server.pid);
    let login_started = Instant::now();
    // No more logins at once than requests in flight later, nor than half the connections:
    // a login waits for a connection to park before it can reclaim one.
    let parallel = plan
        .concurrency
        .min(16)
        .min(plan.max_imap_connections / 2)
        .max(1);
    let cookies = login_all(&http, &server.base_url, &users, plan.sessions, parallel).await;
    let login_seconds = login_started.elapsed().as_secs_f64();
    let rss_after = rss_kib(server.pid);
    let mut report = run(&http, &server.base_url, server.pid, &cookies, plan).await;
    (report.peak_imap_connections, report.rss_peak_kib) = sampler.finish();
    report.login_seconds = login_seconds;
    // Why anything failed, as the server saw it.
    let logs = std::fs::read_to_string(&server.log_path).unwrap_or_default();
    for line in logs
        .lines()
        .filter(|l| l.contains("WARN") || l.contains("ERROR"))
        .take(10)
    {
        println!("server: {line}");
    }
    report.rss_before_logins_kib = rss_before;
    report.rss_after_logins_kib = rss_after;
    drop(server);
    report
}
