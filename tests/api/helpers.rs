//! Test harness: a real Carteiro (built by the same `Application::build` as `main`) against the
//! real Dovecot started by `scripts/mailstack.sh`, a fresh mailbox per test, and a direct IMAP
//! client to seed and check mailboxes without going through Carteiro.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use carteiro::config::Config;
use carteiro::startup::Application;
use carteiro::state::AppState;
use reqwest::{redirect, StatusCode};
use scraper::{Html, Selector};
use tokio::net::TcpStream;

/// The one password the test passdb accepts for every invented user (non-ASCII on purpose).
pub const TEST_PASSWORD: &str = "Senha-çé-123";

pub fn stack_dir() -> PathBuf {
    std::env::var("CARTEIRO_STACK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/tmp/carteiro-stack"))
}

/// A user name no other test (or run) has used: a fresh, empty mailbox.
pub fn fresh_user(label: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nonce: u32 = rand_u32();
    format!(
        "t-{label}-{}-{n}-{nonce:08x}@example.test",
        std::process::id()
    )
}

pub fn rand_u32() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    nanos ^ std::process::id().rotate_left(16)
}

/// A running Carteiro and a browser-like client for it.
pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    pub user: String,
    /// The app's shared state, to drive housekeeping in tests.
    pub state: AppState,
    /// `http://127.0.0.1:port` of the metrics listener, when the config asked for one.
    pub metrics_url: Option<String>,
}

/// Configuration pointing at the local stack, with test-friendly settings.
pub fn test_config(imap_url: &str) -> Config {
    let secret = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let ca = stack_dir().join("ca.pem");
    let env = vec![
        ("CARTEIRO_LISTEN".to_string(), "127.0.0.1:0".to_string()),
        ("CARTEIRO_IMAP_URL".to_string(), imap_url.to_string()),
        // The stack's Pigeonhole: filters and vacation replies, as a hosting provider has them.
        (
            "CARTEIRO_MANAGESIEVE_URL".to_string(),
            "sieve://localhost:4190".to_string(),
        ),
        ("CARTEIRO_TLS_CA_FILE".to_string(), ca.display().to_string()),
        ("CARTEIRO_SECRET_KEY".to_string(), secret.to_string()),
    ];
    Config::load(None, &env)
        .expect("test configuration is valid (is the mail stack up? scripts/mailstack.sh up)")
        .0
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(test_config("imap://localhost:143")).await
}

pub async fn spawn_app_with(config: Config) -> TestApp {
    let (app, application) = build_app(config).await;
    tokio::spawn(application.run_until(std::future::pending()));
    app
}

async fn build_app(config: Config) -> (TestApp, Application) {
    carteiro::telemetry::init_for_tests();
    let application = Application::build(config).await.expect("app builds");
    let port = application.port();
    let app = TestApp {
        base_url: format!("http://127.0.0.1:{port}"),
        client: browser(),
        user: fresh_user("user"),
        state: application.state(),
        metrics_url: application
            .metrics_port()
            .map(|port| format!("http://127.0.0.1:{port}")),
    };
    (app, application)
}

/// A running Carteiro that shuts down, as on SIGTERM, when told to.
pub struct Stoppable {
    stop: tokio::sync::oneshot::Sender<()>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Stoppable {
    /// Starts the shutdown and waits until `run_until` has returned: requests finished,
    /// sends done, IMAP sessions logged out.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.served
            .await
            .expect("server task")
            .expect("server ends cleanly");
    }
}

pub async fn spawn_stoppable_app(config: Config) -> (TestApp, Stoppable) {
    let (app, application) = build_app(config).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    (app, Stoppable { stop, served })
}

/// The test configuration with a metrics listener on a free loopback port.
pub fn config_with_metrics() -> Config {
    let mut config = test_config("imap://localhost:143");
    config.metrics_listen = Some("127.0.0.1:0".parse().expect("address"));
    config
}

/// A cookie-keeping client that does not follow redirects, so tests see them.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .expect("client builds")
}

/// The same, from a browser that asks for pages in these languages (`Accept-Language`).
pub fn browser_speaking(accept_language: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        accept_language.parse().expect("a header value"),
    );
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client builds")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The `/metrics` exposition of this app's metrics listener.
    pub async fn metrics(&self) -> String {
        let base = self
            .metrics_url
            .as_ref()
            .expect("app has a metrics listener");
        let response = reqwest::get(format!("{base}/metrics"))
            .await
            .expect("metrics answer");
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.expect("metrics body")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET works")
    }

    /// GET a page and parse it; returns the status too.
    pub async fn page(&self, path: &str) -> (StatusCode, Html) {
        let response = self.get(path).await;
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, Html::parse_document(&text))
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST works")
    }

    pub async fn login_as(&self, user: &str, password: &str) -> reqwest::Response {
        self.post_form("/login", &[("username", user), ("password", password)])
            .await
    }

    /// Logs in as this test's fresh user and checks it worked.
    pub async fn login(&self) {
        let response = self.login_as(&self.user, TEST_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "login redirects");
    }

    /// The CSRF token of the page's sign-out form.
    pub async fn csrf_token(&self) -> String {
        let (_, html) = self.page("/mail/INBOX").await;
        first_attr(&html, "input[name=csrf]", "value").expect("page has a CSRF token")
    }

    /// A direct IMAP connection as this test's user.
    pub async fn imap(&self) -> Imap {
        Imap::connect(&self.user).await
    }
}

/// Every file under `dir`, recursively, in path order; `README.md` files excepted. Empty when
/// the directory does not exist.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.file_name().is_some_and(|n| n != "README.md") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// What a reader's browser receives for one message, remote content blocked.
pub struct Opened {
    /// The message page.
    pub page: String,
    /// The sandboxed HTML body document, when the message has an HTML body.
    pub frame: Option<String>,
    /// The frame's response headers.
    pub frame_headers: Option<reqwest::header::HeaderMap>,
}

impl Opened {
    /// A header of the frame's response, empty when absent.
    pub fn frame_header(&self, name: &str) -> &str {
        self.frame_headers
            .as_ref()
            .and_then(|h| h.get(name))
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// Every list page of a folder holding `count` messages answers 200 with nothing executable.
pub async fn check_list_pages(app: &TestApp, folder: &str, count: usize) -> Vec<String> {
    let mut pages = Vec::new();
    for page in 1..=count.div_ceil(50).max(1) {
        let response = app.get(&format!("/mail/{folder}?page={page}")).await;
        assert_eq!(response.status(), StatusCode::OK, "list page {page}");
        let html = response.text().await.expect("body");
        if let Some(what) = crate::audit::dangerous(&html) {
            panic!("list page {page} has {what}");
        }
        pages.push(html);
    }
    pages
}

/// Opens a stored message as a reader does: its page and, when it has one, its HTML body frame,
/// remote content blocked. Panics, naming `label`, on anything but a 200, on executable content
/// in either, and on a remote load in the frame.
pub async fn open_message_checked(app: &TestApp, folder: &str, uid: u32, label: &str) -> Opened {
    let response = app.get(&format!("/mail/{folder}/{uid}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{label} (uid {uid})");
    let page = response.text().await.expect("body");
    if let Some(what) = crate::audit::dangerous(&page) {
        panic!("{label}: page has {what}");
    }
    let frame_url = first_attr(&Html::parse_document(&page), "iframe.html-body", "src");
    let Some(frame_url) = frame_url else {
        return Opened {
            page,
            frame: None,
            frame_headers: None,
        };
    };
    let response = app.get(&frame_url).await;
    assert_eq!(response.status(), StatusCode::OK, "{label}: HTML body");
    let frame_headers = response.headers().clone();
    let frame = response.text().await.expect("body");
    if let Some(what) = crate::audit::dangerous(&frame) {
        panic!("{label}: HTML body has {what}");
    }
    if let Some(what) = crate::audit::remote_resource(&frame) {
        panic!("{label}: remote resource while blocked: {what}");
    }
    Opened {
        page,
        frame: Some(frame),
        frame_headers: Some(frame_headers),
    }
}

/// Text of every element matching `selector`.
pub fn texts(html: &Html, selector: &str) -> Vec<String> {
    let sel = Selector::parse(selector).expect("valid selector");
    html.select(&sel)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

pub fn first_attr(html: &Html, selector: &str, attr: &str) -> Option<String> {
    let sel = Selector::parse(selector).expect("valid selector");
    html.select(&sel)
        .next()
        .and_then(|e| e.value().attr(attr))
        .map(str::to_string)
}

pub fn attrs(html: &Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = Selector::parse(selector).expect("valid selector");
    html.select(&sel)
        .filter_map(|e| e.value().attr(attr))
        .map(str::to_string)
        .collect()
}

/// A direct IMAP client (plain, on loopback) for seeding and checking mailboxes.
pub struct Imap {
    session: async_imap::Session<TcpStream>,
}

struct Plain<'a>(&'a str);

impl async_imap::Authenticator for Plain<'_> {
    type Response = Vec<u8>;
    fn process(&mut self, _: &[u8]) -> Vec<u8> {
        format!("\0{}\0{TEST_PASSWORD}", self.0).into_bytes()
    }
}

impl Imap {
    pub async fn connect(user: &str) -> Imap {
        Imap::connect_at("127.0.0.1:143", user).await
    }

    /// The same on another server of the stack (`scripts/otherimap.sh`'s Cyrus and Courier
    /// take the same users and passwords): plain IMAP on loopback at `addr`.
    pub async fn connect_at(addr: &str, user: &str) -> Imap {
        let tcp = TcpStream::connect(addr)
            .await
            .unwrap_or_else(|e| panic!("IMAP on {addr}: {e} (is the stack up?)"));
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.expect("greeting");
        let session = client
            .authenticate("PLAIN", Plain(user))
            .await
            .map_err(|(e, _)| e)
            .expect("test user logs in");
        Imap { session }
    }

    /// CREATE and SUBSCRIBE, as mail clients do.
    pub async fn create(&mut self, folder: &str) {
        self.session.create(folder).await.expect("CREATE");
        self.session.subscribe(folder).await.expect("SUBSCRIBE");
    }

    /// APPENDs a message with flags (e.g. `"(\\Seen)"`) and an optional internal date.
    pub async fn append(&mut self, folder: &str, raw: &[u8], flags: Option<&str>) {
        self.session
            .append(folder, flags, None, raw)
            .await
            .expect("APPEND");
    }

    /// APPENDs a message with this INTERNALDATE (`"04-Mar-2020 08:00:00 +0000"`), as an
    /// import of old mail does.
    pub async fn append_dated(&mut self, folder: &str, raw: &[u8], date: &str) {
        self.session
            .append(folder, None, Some(&format!("\"{date}\"")), raw)
            .await
            .expect("APPEND");
    }

    /// A server-level private annotation (METADATA), as Carteiro stores settings.
    pub async fn setting(&mut self, entry: &str) -> Option<String> {
        self.session
            .get_metadata("", "", entry)
            .await
            .expect("GETMETADATA")
            .into_iter()
            .find(|m| m.entry.eq_ignore_ascii_case(entry))
            .and_then(|m| m.value)
    }

    /// UID STORE on one message, as another mail client would.
    pub async fn select_and_store(&mut self, folder: &str, uid: u32, change: &str) {
        use futures::TryStreamExt;
        self.session.select(folder).await.expect("SELECT");
        let _: Vec<_> = self
            .session
            .uid_store(uid.to_string(), change)
            .await
            .expect("STORE")
            .try_collect()
            .await
            .expect("STORE results");
    }

    /// EXPUNGE in the selected folder, as another mail client would.
    pub async fn expunge(&mut self) {
        use futures::TryStreamExt;
        let _: Vec<_> = self
            .session
            .expunge()
            .await
            .expect("EXPUNGE")
            .try_collect()
            .await
            .expect("EXPUNGE results");
    }

    /// STATUS UNSEEN of a folder.
    pub async fn unseen(&mut self, folder: &str) -> u32 {
        self.session
            .status(folder, "(UNSEEN)")
            .await
            .expect("STATUS")
            .unseen
            .expect("UNSEEN")
    }

    /// Removes every message of a folder (to give a big test mailbox's disk space back).
    pub async fn delete_all(&mut self, folder: &str) {
        use futures::TryStreamExt;
        self.session.select(folder).await.expect("SELECT");
        let _: Vec<_> = self
            .session
            .store("1:*", "+FLAGS.SILENT (\\Deleted)")
            .await
            .expect("STORE")
            .try_collect()
            .await
            .expect("STORE results");
        self.expunge().await;
    }

    /// Every folder's wire (modified UTF-7) name.
    pub async fn list(&mut self) -> Vec<String> {
        use futures::TryStreamExt;
        let names: Vec<_> = self
            .session
            .list(Some(""), Some("*"))
            .await
            .expect("LIST")
            .try_collect()
            .await
            .expect("LIST results");
        names.iter().map(|n| n.name().to_string()).collect()
    }

    /// Every subscribed folder's wire name (LSUB).
    pub async fn subscribed(&mut self) -> Vec<String> {
        use futures::TryStreamExt;
        let names: Vec<_> = self
            .session
            .lsub(Some(""), Some("*"))
            .await
            .expect("LSUB")
            .try_collect()
            .await
            .expect("LSUB results");
        names.iter().map(|n| n.name().to_string()).collect()
    }

    /// UIDs of the messages in a folder, ascending.
    pub async fn uids(&mut self, folder: &str) -> Vec<u32> {
        self.session.select(folder).await.expect("SELECT");
        let mut uids: Vec<u32> = self
            .session
            .uid_search("ALL")
            .await
            .expect("SEARCH")
            .into_iter()
            .collect();
        uids.sort_unstable();
        uids
    }

    /// Waits (bounded) until a folder holds at least `count` messages; returns their UIDs.
    pub async fn wait_for(&mut self, folder: &str, count: usize) -> Vec<u32> {
        for _ in 0..100 {
            let uids = self.uids(folder).await;
            if uids.len() >= count {
                return uids;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{folder} never reached {count} messages");
    }

    /// FETCH of some items of one message.
    async fn fetch(
        &mut self,
        folder: &str,
        uid: u32,
        items: &str,
    ) -> Vec<async_imap::types::Fetch> {
        use futures::TryStreamExt;
        self.session.select(folder).await.expect("SELECT");
        self.session
            .uid_fetch(uid.to_string(), items)
            .await
            .expect("FETCH")
            .try_collect()
            .await
            .expect("FETCH results")
    }

    /// The whole message as stored.
    pub async fn raw(&mut self, folder: &str, uid: u32) -> Vec<u8> {
        self.fetch(folder, uid, "BODY.PEEK[]")
            .await
            .iter()
            .find_map(|f| f.body().map(<[u8]>::to_vec))
            .expect("message body")
    }

    /// APPENDs and reports whether the server accepted the message.
    pub async fn try_append(&mut self, folder: &str, raw: &[u8]) -> bool {
        self.session.append(folder, None, None, raw).await.is_ok()
    }

    /// Flags of a message, as the server has them now.
    pub async fn flags(&mut self, folder: &str, uid: u32) -> Vec<String> {
        self.fetch(folder, uid, "FLAGS")
            .await
            .iter()
            .flat_map(|f| f.flags().map(|fl| format!("{fl:?}")).collect::<Vec<_>>())
            .collect()
    }
}

/// A simple message with the given headers and plain-text body.
pub fn message(from: &str, subject: &str, date: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: someone@example.test\r\nSubject: {subject}\r\nDate: {date}\r\n\
Message-ID: <{}@test.carteiro>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        rand_u32()
    )
    .into_bytes()
}

/// The real `carteiro` binary, started as a container would start it: configured through the
/// environment only, its output captured in a file.
pub struct Binary {
    pub child: tokio::process::Child,
    pub base_url: String,
    pub port: u16,
    log_path: PathBuf,
}

/// The port in the binary's "Carteiro listening on http://…:PORT/…" line (text or JSON).
fn listening_port(logs: &str) -> Option<u16> {
    let rest = logs.split("listening on http://").nth(1)?;
    let authority = rest.split('/').next()?;
    authority.rsplit_once(':')?.1.parse().ok()
}

impl Binary {
    /// Starts the binary against the local stack, with `env` on top, and waits until it
    /// listens.
    pub async fn start(env: &[(&str, &str)]) -> Binary {
        Binary::start_with_args(&[], env).await
    }

    pub async fn start_with_args(args: &[&str], env: &[(&str, &str)]) -> Binary {
        let ca = stack_dir().join("ca.pem").display().to_string();
        let mut full = vec![
            ("CARTEIRO_LISTEN", "127.0.0.1:0"),
            ("CARTEIRO_IMAP_URL", "imap://localhost:143"),
            ("CARTEIRO_TLS_CA_FILE", ca.as_str()),
            (
                "CARTEIRO_SECRET_KEY",
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            ),
        ];
        full.extend_from_slice(env);
        Binary::start_isolated(args, &full).await
    }

    /// Starts the binary with `args` and exactly `env` (as a container has only the variables
    /// its image and its compose file set) and waits until it says where it listens. Let it
    /// listen on port 0: a port picked in advance could be taken by another test meanwhile,
    /// and that test's server would answer in this one's place.
    pub async fn start_isolated(args: &[&str], env: &[(&str, &str)]) -> Binary {
        static STARTED: AtomicU32 = AtomicU32::new(0);
        let log_path = std::env::temp_dir().join(format!(
            "carteiro-binary-{}-{}.log",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let log = std::fs::File::create(&log_path).expect("log file");
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_carteiro"));
        command
            .args(args)
            .env_clear()
            .envs(env.iter().copied())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .kill_on_drop(true);
        let mut child = command.spawn().expect("carteiro binary starts");
        let logs = || std::fs::read_to_string(&log_path).unwrap_or_default();
        for _ in 0..200 {
            if let Some(port) = listening_port(&logs()) {
                return Binary {
                    child,
                    base_url: format!("http://127.0.0.1:{port}"),
                    port,
                    log_path,
                };
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("binary exited ({status}); its log:\n{}", logs());
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("binary did not come up; its log:\n{}", logs());
    }

    /// Everything the process wrote so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Sends SIGTERM, as `docker stop` does, and waits for the exit status.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().expect("still running");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        tokio::time::timeout(std::time::Duration::from_secs(30), self.child.wait())
            .await
            .expect("exits after SIGTERM")
            .expect("exit status")
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.log_path);
    }
}

/// A port nobody listens on right now, for a server process the test starts itself (nginx,
/// redis-server) that cannot report the port it bound.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Waits up to 5 s until something accepts connections on `port`; whether it did.
pub async fn wait_for_port(port: u16) -> bool {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

/// The IMAP connections Dovecot has open for `user` right now, counted on the server side
/// (`doveadm who`, which needs the stack's root rights, as the stack itself does).
pub fn server_connections(user: &str) -> usize {
    let conf = stack_dir().join("dovecot").join("dovecot.conf");
    let out = std::process::Command::new("doveadm")
        .arg("-c")
        .arg(&conf)
        .args(["who", "-1", user])
        .output()
        .expect("doveadm runs");
    assert!(
        out.status.success(),
        "doveadm who failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter(|line| line.split_whitespace().nth(1) == Some("imap"))
        .count()
}

/// Waits up to 5 s until Dovecot counts `expected` IMAP connections for `user`; the last count.
pub async fn server_connections_become(user: &str, expected: usize) -> usize {
    let mut seen = server_connections(user);
    for _ in 0..50 {
        if seen == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        seen = server_connections(user);
    }
    seen
}
