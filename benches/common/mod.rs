//! What the benches share: the configuration against the local stack, a running Carteiro
//! with one signed-in browser, and medians.

use std::time::{Duration, Instant};

use carteiro::config::Config;
use carteiro::startup::Application;

/// The test stack's password for any fresh user.
pub const PASSWORD: &str = "Senha-çé-123";

/// Carteiro against the local stack (`scripts/mailstack.sh up`), on a free port.
pub fn config() -> Config {
    let stack =
        std::env::var("CARTEIRO_STACK_DIR").unwrap_or_else(|_| "/tmp/carteiro-stack".into());
    let env = [
        ("CARTEIRO_LISTEN", "127.0.0.1:0".to_string()),
        ("CARTEIRO_IMAP_URL", "imap://localhost:143".to_string()),
        ("CARTEIRO_TLS_CA_FILE", format!("{stack}/ca.pem")),
        (
            "CARTEIRO_SECRET_KEY",
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
        ),
    ]
    .map(|(k, v)| (k.to_string(), v));
    Config::load(None, &env)
        .expect("config (is the stack up?)")
        .0
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A running Carteiro with one signed-in browser, stopped (sessions logged out) on `stop`.
pub struct Running {
    base: String,
    http: reqwest::Client,
    stop: tokio::sync::oneshot::Sender<()>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Starts Carteiro and signs `user` in.
pub async fn start(user: &str) -> Running {
    let app = Application::build(config()).await.expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http
        .post(format!("{base}/login"))
        .form(&[("username", user), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    Running {
        base,
        http,
        stop,
        served,
    }
}

impl Running {
    /// Gets `path` (a 200, read to its end) and answers how long that took.
    pub async fn get(&self, path: &str) -> Duration {
        let start = Instant::now();
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.bytes().await.unwrap();
        start.elapsed()
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.served.await;
    }
}
