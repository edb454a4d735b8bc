//! A TCP proxy between Carteiro and Dovecot that can take the line down and bring it back,
//! and that records what the client sent (to count IMAP commands on plain connections). It can
//! also be slow, holding back what the client sends, to keep an exchange under way for a while,
//! or hold it back altogether until told to let it through.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct ChaosProxy {
    pub port: u16,
    /// `true` while the line is down: existing connections are cut, new ones refused.
    down: watch::Sender<bool>,
    /// `true` while what clients send is held back (connections stay open).
    held: watch::Sender<bool>,
    sent: Arc<Mutex<Vec<u8>>>,
}

/// A signed-in app whose IMAP goes, in plain text, through a recording proxy in front of the
/// local Dovecot, so a test can read the commands a page costs.
pub async fn signed_in_behind_recorder() -> (ChaosProxy, crate::helpers::TestApp) {
    signed_in_behind_recorder_with(|_| {}).await
}

/// [`signed_in_behind_recorder`], with the configuration changed by `configure` first.
pub async fn signed_in_behind_recorder_with(
    configure: impl FnOnce(&mut carteiro::config::Config),
) -> (ChaosProxy, crate::helpers::TestApp) {
    let proxy = ChaosProxy::start("127.0.0.1:143").await;
    let mut config =
        crate::helpers::test_config(&format!("imap://127.0.0.1:{}?tls=none", proxy.port));
    configure(&mut config);
    let app = crate::helpers::spawn_app_with(config).await;
    app.login().await;
    (proxy, app)
}

impl ChaosProxy {
    pub async fn start(target: &'static str) -> ChaosProxy {
        ChaosProxy::start_slow(target, Duration::ZERO).await
    }

    /// A proxy that waits `delay` before passing on each piece the client sends.
    pub async fn start_slow(target: &'static str, delay: Duration) -> ChaosProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let (down, _) = watch::channel(false);
        let (held, _) = watch::channel(false);
        let held_rx = held.subscribe();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let down_rx = down.subscribe();
        let log = sent.clone();
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                if *down_rx.borrow() {
                    drop(client);
                    continue;
                }
                let mut watch = down_rx.clone();
                let held = held_rx.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = pipe(client, server, log, delay, held) => {}
                        _ = watch.wait_for(|down| *down) => {}
                    }
                });
            }
        });
        ChaosProxy {
            port,
            down,
            held,
            sent,
        }
    }

    /// Holds back whatever clients send from now on, so the commands under way hang.
    pub fn hold(&self) {
        self.held.send_replace(true);
    }

    /// Lets what was held back through.
    pub fn release(&self) {
        self.held.send_replace(false);
    }

    pub fn go_down(&self) {
        self.down.send_replace(true);
    }

    pub fn come_back(&self) {
        self.down.send_replace(false);
    }

    /// Whether any client has sent anything yet.
    pub fn saw_traffic(&self) -> bool {
        !self.sent.lock().expect("lock").is_empty()
    }

    /// Forgets what was recorded so far.
    pub fn clear(&self) {
        self.sent.lock().expect("lock").clear();
    }

    /// The tagged commands the client sent since the last `clear`, e.g. `UID FETCH 1:50 (…)`.
    pub fn commands(&self) -> Vec<String> {
        let sent = self.sent.lock().expect("lock");
        String::from_utf8_lossy(&sent)
            .lines()
            .filter_map(|line| {
                let (tag, rest) = line.split_once(' ')?;
                let looks_tagged =
                    !tag.is_empty() && tag.chars().all(|c| c.is_ascii_alphanumeric());
                (looks_tagged && !rest.is_empty()).then(|| rest.trim().to_string())
            })
            .collect()
    }

    /// Waits (at most `limit`) until the client has sent `command`; whether it did.
    pub async fn saw_within(&self, command: &str, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if self.commands().iter().any(|c| c == command) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn pipe(
    client: TcpStream,
    server: TcpStream,
    log: Arc<Mutex<Vec<u8>>>,
    delay: Duration,
    mut held: watch::Receiver<bool>,
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let upstream = async {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            log.lock().expect("lock").extend_from_slice(&buf[..n]);
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if held.wait_for(|held| !*held).await.is_err() {
                return;
            }
            if server_write.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    let downstream = async {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
    };
    tokio::select! {
        _ = upstream => {}
        _ = downstream => {}
    }
}
