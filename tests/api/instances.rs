//! Several Carteiro instances behind one load balancer: sessions and login limits shared
//! through a real Redis (Debian's redis-server, started by the test), one Dovecot.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use carteiro::startup::Application;
use reqwest::StatusCode;

use crate::helpers::{
    browser, free_port, fresh_user, message, server_connections, server_connections_become,
    test_config, wait_for_port, Imap, TEST_PASSWORD,
};

/// A throw-away redis-server on a free port, killed on drop.
pub struct Redis {
    child: Child,
    pub url: String,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Redis {
    pub async fn start() -> Redis {
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (scripts/test-deps.sh installs it)");
        let redis = Redis {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        };
        assert!(
            wait_for_port(port).await,
            "redis-server did not start on port {port}"
        );
        redis
    }
}

/// One running instance; `stop` shuts it down as SIGTERM would.
struct Instance {
    base_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Instance {
    async fn start(redis: &Redis) -> Instance {
        Instance::start_with(redis, "imap://localhost:143").await
    }

    async fn start_with(redis: &Redis, imap_url: &str) -> Instance {
        let mut config = test_config(imap_url);
        config.redis_url = Some(redis.url.clone().into());
        let app = Application::build(config).await.expect("app builds");
        let base_url = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Instance {
            base_url,
            stop: Some(stop),
            done,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(30), self.done)
            .await
            .expect("stopped in time")
            .unwrap()
            .unwrap();
    }
}

fn csrf_of(html: &str) -> String {
    crate::helpers::first_attr(
        &scraper::Html::parse_document(html),
        "input[name=csrf]",
        "value",
    )
    .expect("a form with a CSRF token")
}

#[tokio::test]
async fn one_browser_session_alternates_between_two_instances() {
    let redis = Redis::start().await;
    let a = Instance::start(&redis).await;
    let b = Instance::start(&redis).await;
    let user = fresh_user("shared");
    Imap::connect(&user)
        .await
        .append(
            "INBOX",
            &message(
                "x@example.test",
                "Compartilhada",
                "Tue, 4 Mar 2025 08:00:00 +0000",
                "x",
            ),
            None,
        )
        .await;
    // One cookie jar: cookies ignore the port, so both instances see the same cookie, as
    // they would behind one load balancer.
    let client = browser();
    let response = client
        .post(a.url("/login"))
        .form(&[("username", user.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "signed in on A");

    // B knows the session: it lists the inbox and accepts A's CSRF token.
    let html = client
        .get(b.url("/mail/INBOX"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Compartilhada"), "B serves the session");
    let csrf = csrf_of(&html);
    let uid = Imap::connect(&user).await.uids("INBOX").await[0].to_string();
    let response = client
        .post(a.url("/mail/INBOX/actions"))
        .form(&[("csrf", csrf.as_str()), ("uid", &uid), ("action", "flag")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "A accepts B's page's form"
    );
    let flags = Imap::connect(&user)
        .await
        .flags("INBOX", uid.parse().unwrap())
        .await;
    assert!(flags.iter().any(|f| f.ends_with("Flagged")), "{flags:?}");

    // A goes away; B carries on with the same session, and a new instance C does too.
    a.stop().await;
    let response = client.get(b.url("/mail/INBOX")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "B after A stopped");
    let c = Instance::start(&redis).await;
    let response = client.get(c.url("/mail/INBOX")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "a fresh instance C");

    // Signing out on C signs out everywhere.
    let html = client
        .get(c.url("/mail/INBOX"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let response = client
        .post(c.url("/logout"))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = client.get(b.url("/mail/INBOX")).send().await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "signed out on B too"
    );
}

// Several worker threads, as in production: on one thread the requests never interleave
// between looking the actor up and storing it, so the race could not happen.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_reaching_a_new_instance_with_many_requests_at_once_opens_one_connection_there() {
    let redis = Redis::start().await;
    let a = Instance::start(&redis).await;
    // B talks plain IMAP through a proxy that records its commands.
    let proxy = crate::chaos::ChaosProxy::start("127.0.0.1:143").await;
    let b =
        Instance::start_with(&redis, &format!("imap://127.0.0.1:{}?tls=none", proxy.port)).await;
    let user = fresh_user("burst");
    let client = browser();
    let response = client
        .post(a.url("/login"))
        .form(&[("username", user.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    a.stop().await;
    assert_eq!(server_connections_become(&user, 0).await, 0, "A logged out");

    // B has no actor for this session yet; twenty requests race to build it.
    let pages = (0..20).map(|_| {
        let client = client.clone();
        let url = b.url("/mail/INBOX");
        async move { client.get(url).send().await.unwrap().status() }
    });
    let statuses = futures::future::join_all(pages).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    let logins = proxy
        .commands()
        .iter()
        .filter(|c| c.starts_with("AUTHENTICATE"))
        .count();
    assert_eq!(logins, 1, "one actor, one login: {:?}", proxy.commands());
    assert_eq!(server_connections(&user), 1);
}

#[tokio::test]
async fn login_limits_are_shared_between_instances() {
    let redis = Redis::start().await;
    let a = Instance::start(&redis).await;
    let b = Instance::start(&redis).await;
    let user = fresh_user("target");
    for _ in 0..5 {
        let response = browser()
            .post(a.url("/login"))
            .form(&[("username", user.as_str()), ("password", "wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits, on the other instance.
    let response = browser()
        .post(b.url("/login"))
        .form(&[("username", user.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn guesses_sent_at_once_to_two_instances_share_one_allowance() {
    let redis = Redis::start().await;
    let a = Instance::start(&redis).await;
    let b = Instance::start(&redis).await;
    let user = fresh_user("race");
    let guesses = (0..12).map(|i| {
        let url = if i % 2 == 0 {
            a.url("/login")
        } else {
            b.url("/login")
        };
        let user = user.clone();
        async move {
            browser()
                .post(url)
                .form(&[("username", user.as_str()), ("password", "wrong")])
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(tried, 5, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_unreachable_redis_stops_start_up_with_one_clear_line() {
    let mut config = test_config("imap://localhost:143");
    config.redis_url = Some("redis://:s3cret@127.0.0.1:1".into());
    let error = Application::build(config).await.err().expect("refused");
    let text = error.to_string();
    assert!(text.contains("cannot reach Redis"), "{text}");
    assert!(
        !text.contains("s3cret"),
        "no password in the message: {text}"
    );
}

#[tokio::test]
async fn a_dump_of_the_shared_store_reveals_no_password_and_no_cookie() {
    let redis = Redis::start().await;
    let a = Instance::start(&redis).await;
    let user = fresh_user("dumped");
    let client = browser();
    // A failed attempt too, so login-limit keys exist.
    client
        .post(a.url("/login"))
        .form(&[("username", user.as_str()), ("password", "wrong-guess")])
        .send()
        .await
        .unwrap();
    let response = client
        .post(a.url("/login"))
        .form(&[("username", user.as_str()), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    let cookie_value = cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap();

    // Everything Redis holds, keys and values, as an attacker with a dump would see it.
    let mut conn = carteiro::session::redis_store::connect(&redis.url)
        .await
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(keys.len() >= 2, "a session and login-limit keys: {keys:?}");
    let mut dump = keys.join("\n");
    for key in &keys {
        let kind: String = redis::cmd("TYPE")
            .arg(key)
            .query_async(&mut conn)
            .await
            .unwrap();
        let value: String = if kind == "hash" {
            let fields: Vec<String> = redis::cmd("HGETALL")
                .arg(key)
                .query_async(&mut conn)
                .await
                .unwrap();
            fields.join("\n")
        } else {
            redis::cmd("GET")
                .arg(key)
                .query_async(&mut conn)
                .await
                .unwrap()
        };
        dump.push('\n');
        dump.push_str(&value);
    }
    use base64::Engine;
    let encodings = |secret: &str| {
        [
            secret.to_string(),
            base64::engine::general_purpose::STANDARD.encode(secret),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
        ]
    };
    for secret in encodings(TEST_PASSWORD)
        .into_iter()
        .chain(encodings("wrong-guess"))
        .chain([cookie_value.clone()])
    {
        assert!(!dump.contains(&secret), "the dump holds {secret:?}");
    }
    // Nor the cookie's halves (its id and its key).
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&cookie_value)
        .expect("the cookie is base64url");
    for half in [&raw[..16], &raw[16..]] {
        for text in [
            base64::engine::general_purpose::STANDARD.encode(half),
            half.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        ] {
            assert!(!dump.contains(&text), "the dump holds part of the cookie");
        }
    }
    // The login-limit keys do not name the account either.
    assert!(!keys.iter().any(|k| k.contains(&user)), "{keys:?}");
}
