//! The ManageSieve client against the test stack's real Dovecot Pigeonhole (port 4190,
//! STARTTLS with the stack's CA), and the scripts it stores run for real: mail sent through
//! the stack's Postfix is delivered over LMTP, where Sieve files it, answers it or sends it on.
//! Every test uses fresh users, so each starts with no script.

use carteiro::config::Config;
use carteiro::sieve::{ManageSieve, ScriptInfo, SieveError, SieveSession};
use lettre::AsyncTransport;
use secrecy::SecretString;

use crate::helpers::{fresh_user, rand_u32, stack_dir, Binary, Imap, TEST_PASSWORD};

/// The stack's Pigeonhole.
const PIGEONHOLE: &str = "sieve://localhost:4190";

fn config(url: &str, trust_stack_ca: bool) -> Config {
    let mut env = vec![
        ("CARTEIRO_MANAGESIEVE_URL".to_string(), url.to_string()),
        (
            "CARTEIRO_SECRET_KEY".to_string(),
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
        ),
    ];
    if trust_stack_ca {
        env.push((
            "CARTEIRO_TLS_CA_FILE".to_string(),
            stack_dir().join("ca.pem").display().to_string(),
        ));
    }
    Config::load(None, &env)
        .expect("a valid ManageSieve test configuration")
        .0
}

fn managesieve(url: &str) -> ManageSieve {
    ManageSieve::from_config(&config(url, true))
        .expect("TLS set-up")
        .expect("ManageSieve is configured")
}

/// A session of a fresh user, logged in with the stack's test password.
async fn session(label: &str) -> (String, SieveSession) {
    let user = fresh_user(label);
    let session = managesieve(PIGEONHOLE)
        .connect(&user, &SecretString::from(TEST_PASSWORD))
        .await
        .expect("a fresh user logs in to ManageSieve");
    (user, session)
}

fn script(name: &str, active: bool) -> ScriptInfo {
    ScriptInfo {
        name: name.to_string(),
        active,
    }
}

#[tokio::test]
async fn pigeonhole_answers_after_starttls_with_its_extensions() {
    let caps = managesieve(PIGEONHOLE).probe().await.expect("probe");
    assert!(caps.implementation.contains("Pigeonhole"), "{caps:?}");
    assert_eq!(caps.version.as_deref(), Some("1.0"), "RFC 5804 server");
    for extension in [
        "fileinto",
        "vacation",
        "copy",
        "imap4flags",
        "date",
        "relational",
        "vacation-seconds",
    ] {
        assert!(caps.supports(extension), "{extension}: {caps:?}");
    }
    assert!(!caps.supports("no-such-extension"));
    let (_, session) = session("sieve-caps").await;
    assert_eq!(session.capabilities(), &caps, "the same server after login");
    session.logout().await;
}

#[tokio::test]
async fn scripts_are_put_listed_read_activated_renamed_and_deleted() {
    let (_, mut sieve) = session("sieve-crud").await;
    assert_eq!(sieve.list().await.unwrap(), vec![], "a fresh user has none");

    // CRLF, UTF-8 and a line that looks like a server answer all come back byte for byte.
    let text = "# Férias ação 😀\r\nrequire \"fileinto\";\r\n# OK \"fake\"\r\nif header :contains \"subject\" \"{5}\" { fileinto \"Lixo\"; }\r\n";
    sieve.put("one", text).await.unwrap();
    assert_eq!(sieve.get("one").await.unwrap(), text);
    assert_eq!(sieve.list().await.unwrap(), vec![script("one", false)]);

    sieve.set_active(Some("one")).await.unwrap();
    assert_eq!(sieve.list().await.unwrap(), vec![script("one", true)]);
    let deleted = sieve.delete("one").await;
    assert!(matches!(deleted, Err(SieveError::Active)), "{deleted:?}");

    // PUTSCRIPT replaces a script of the same name.
    sieve.put("one", "keep;\r\n").await.unwrap();
    assert_eq!(sieve.get("one").await.unwrap(), "keep;\r\n");

    sieve.put("two", "discard;\r\n").await.unwrap();
    let renamed = sieve.rename("two", "one").await;
    assert!(
        matches!(renamed, Err(SieveError::AlreadyExists)),
        "{renamed:?}"
    );
    sieve.rename("two", "três \"aspas\"").await.unwrap();
    let gone = sieve.get("two").await;
    assert!(matches!(gone, Err(SieveError::NotFound)), "{gone:?}");
    assert_eq!(
        sieve.get("três \"aspas\"").await.unwrap(),
        "discard;\r\n",
        "a name with quotes and UTF-8 is quoted correctly"
    );
    for missing in [
        sieve.delete("missing").await,
        sieve.set_active(Some("missing")).await,
        sieve.rename("missing", "other").await,
    ] {
        assert!(matches!(missing, Err(SieveError::NotFound)), "{missing:?}");
    }

    sieve.set_active(None).await.unwrap();
    let mut listed = sieve.list().await.unwrap();
    listed.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        listed,
        vec![script("one", false), script("três \"aspas\"", false)]
    );
    sieve.delete("one").await.unwrap();
    assert_eq!(
        sieve.list().await.unwrap(),
        vec![script("três \"aspas\"", false)]
    );
    sieve.logout().await;
}

#[tokio::test]
async fn a_command_cut_off_halfway_leaves_the_session_refusing_rather_than_misreading() {
    use futures::FutureExt;
    let (_, mut sieve) = session("sieve-cut").await;
    sieve.put("one", "keep;\r\n").await.unwrap();
    // Polled once: the command is written, its answer has not been read when the future is
    // dropped (as when a request's future is dropped). Were the session used again, the
    // LISTSCRIPTS answer still on the wire would be read as the next command's.
    let mut cut = false;
    for _ in 0..20 {
        if sieve.list().now_or_never().is_none() {
            cut = true;
            break;
        }
    }
    assert!(cut, "the answer was never pending after one poll");
    let next = sieve.get("one").await;
    assert!(matches!(next, Err(SieveError::Unreachable)), "{next:?}");
    sieve.logout().await;
}

#[tokio::test]
async fn a_script_that_does_not_compile_is_refused_with_its_line() {
    let (_, mut sieve) = session("sieve-check").await;
    let broken = "require \"fileinto\";\r\nkeep;\r\nfileinot \"Junk\";\r\n";
    let checked = sieve.check(broken).await;
    match &checked {
        Err(SieveError::Invalid { message, line }) => {
            assert_eq!(*line, Some(3), "{message}");
            assert!(message.contains("fileinot"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let put = sieve.put("carteiro", broken).await;
    assert!(
        matches!(put, Err(SieveError::Invalid { line: Some(3), .. })),
        "{put:?}"
    );
    assert_eq!(sieve.list().await.unwrap(), vec![], "nothing was stored");
    // A missing `require` is an error of line 1, where the extension is used.
    let unrequired = sieve.check("fileinto \"Junk\";\r\n").await;
    assert!(
        matches!(unrequired, Err(SieveError::Invalid { line: Some(1), .. })),
        "{unrequired:?}"
    );
    sieve
        .check("require [\"fileinto\"];\r\nfileinto \"Junk\";\r\n")
        .await
        .unwrap();
    // The session goes on working after refusals.
    sieve.put("ok", "keep;\r\n").await.unwrap();
    sieve.logout().await;
}

#[tokio::test]
async fn the_servers_limits_are_refused_as_quota() {
    let (_, mut sieve) = session("sieve-quota").await;
    // The stack allows 256 KiB per script.
    let big = format!(
        "{}keep;\r\n",
        "# padding padding padding padding\r\n".repeat(8_000)
    );
    assert!(big.len() > 256 * 1024);
    let space = sieve.have_space("big", big.len()).await;
    assert!(matches!(space, Err(SieveError::Quota { .. })), "{space:?}");
    let put = sieve.put("big", &big).await;
    match &put {
        Err(SieveError::Quota { message }) => assert!(!message.is_empty()),
        other => panic!("{other:?}"),
    }
    sieve.have_space("small", 100).await.unwrap();

    // ... and 20 scripts per person.
    for n in 0..20 {
        sieve.put(&format!("s{n}"), "keep;\r\n").await.unwrap();
    }
    let space = sieve.have_space("s20", 10).await;
    assert!(matches!(space, Err(SieveError::Quota { .. })), "{space:?}");
    let put = sieve.put("s20", "keep;\r\n").await;
    assert!(matches!(put, Err(SieveError::Quota { .. })), "{put:?}");
    // Replacing one that exists is no new script.
    sieve.put("s3", "discard;\r\n").await.unwrap();
    assert_eq!(sieve.list().await.unwrap().len(), 20);
    sieve.logout().await;
}

#[tokio::test]
async fn a_wrong_password_is_refused_as_auth() {
    let client = managesieve(PIGEONHOLE);
    let user = fresh_user("sieve-auth");
    for wrong in ["not-the-password", "", "Senha-çé-124"] {
        let refused = client.connect(&user, &SecretString::from(wrong)).await;
        assert!(matches!(refused, Err(SieveError::Auth)), "{wrong:?}");
    }
    // A demo account with the shared test password is refused too (it has its own).
    let refused = client
        .connect("alice@example.test", &SecretString::from(TEST_PASSWORD))
        .await;
    assert!(matches!(refused, Err(SieveError::Auth)));
    // A NUL cannot be sent in SASL PLAIN: refused without asking.
    let refused = client
        .connect(&user, &SecretString::from("a\0b".to_string()))
        .await;
    assert!(matches!(refused, Err(SieveError::Auth)));
    // The right password works for the same user.
    client
        .connect(&user, &SecretString::from(TEST_PASSWORD))
        .await
        .expect("right password")
        .logout()
        .await;
}

#[tokio::test]
async fn a_server_that_is_down_or_untrusted_is_unreachable() {
    let port = crate::helpers::free_port();
    let down = managesieve(&format!("sieve://127.0.0.1:{port}"));
    assert!(matches!(down.probe().await, Err(SieveError::Unreachable)));
    let connected = down
        .connect(
            &fresh_user("sieve-down"),
            &SecretString::from(TEST_PASSWORD),
        )
        .await;
    assert!(
        matches!(connected, Err(SieveError::Unreachable)),
        "{connected:?}"
    );
    // The real server, but its certificate is not trusted (no tls_ca_file): no password is
    // sent to a server whose certificate does not verify.
    let untrusted = ManageSieve::from_config(&config(PIGEONHOLE, false))
        .unwrap()
        .unwrap();
    let connected = untrusted
        .connect(&fresh_user("sieve-tls"), &SecretString::from(TEST_PASSWORD))
        .await;
    assert!(
        matches!(connected, Err(SieveError::Unreachable)),
        "{connected:?}"
    );
    // Without encryption (loopback, as the admin may write it) the same server works.
    let plain = managesieve("sieve://127.0.0.1:4190?tls=none");
    plain
        .connect(
            &fresh_user("sieve-plain"),
            &SecretString::from(TEST_PASSWORD),
        )
        .await
        .expect("plain login on loopback")
        .logout()
        .await;
}

#[tokio::test]
async fn the_start_up_check_says_whether_managesieve_answers() {
    let binary = Binary::start(&[("CARTEIRO_MANAGESIEVE_URL", PIGEONHOLE)]).await;
    let logs = binary.logs();
    assert!(logs.contains("ManageSieve server reachable"), "{logs}");
    assert!(logs.contains("Pigeonhole"), "{logs}");
    drop(binary);
    let down = format!("sieve://127.0.0.1:{}", crate::helpers::free_port());
    let binary = Binary::start(&[("CARTEIRO_MANAGESIEVE_URL", down.as_str())]).await;
    let logs = binary.logs();
    assert!(logs.contains("ManageSieve server NOT reachable"), "{logs}");
    assert!(logs.contains("CARTEIRO_MANAGESIEVE_URL"), "{logs}");
}

// ---- delivery: Postfix (port 25) → LMTP → Sieve

/// Sends `subject` from `from` to `to` through the stack's Postfix, as mail from outside.
async fn deliver(from: &str, to: &str, subject: &str) {
    let raw = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Mon, 1 Jul 2024 10:00:00 +0000\r\n\
Message-ID: <{}.{}@test.carteiro>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
Hello from {from}.\r\n",
        rand_u32(),
        subject.len()
    );
    let envelope = lettre::address::Envelope::new(
        Some(from.parse().expect("sender address")),
        vec![to.parse().expect("recipient address")],
    )
    .expect("envelope");
    let smtp = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(25)
        .build();
    smtp.send_raw(&envelope, raw.as_bytes())
        .await
        .expect("Postfix accepts the message");
}

/// Waits (bounded, 30 s) until `folder` of `user` holds `count` messages; the raw messages.
async fn wait_for_mail(user: &str, folder: &str, count: usize) -> Vec<String> {
    let mut imap = Imap::connect(user).await;
    for _ in 0..300 {
        let uids = imap.uids(folder).await;
        if uids.len() >= count {
            let mut messages = Vec::new();
            for uid in uids {
                messages.push(String::from_utf8_lossy(&imap.raw(folder, uid).await).into_owned());
            }
            return messages;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{user}: {folder} never reached {count} messages");
}

/// Stores `script` as the user's active script.
async fn activate(sieve: &mut SieveSession, script: &str) {
    sieve.put("carteiro", script).await.expect("script stored");
    sieve
        .set_active(Some("carteiro"))
        .await
        .expect("script active");
}

#[tokio::test]
async fn a_fileinto_script_files_delivered_mail_in_its_folder() {
    let (user, mut sieve) = session("sieve-into").await;
    Imap::connect(&user).await.create("Newsletters").await;
    activate(
        &mut sieve,
        "require [\"fileinto\"];\r\nif header :contains \"subject\" \"[news]\" {\r\n  fileinto \"Newsletters\";\r\n}\r\n",
    )
    .await;
    sieve.logout().await;

    let sender = fresh_user("sieve-into-from");
    deliver(&sender, &user, "[news] This week").await;
    deliver(&sender, &user, "Lunch?").await;
    let filed = wait_for_mail(&user, "Newsletters", 1).await;
    assert_eq!(header(&filed[0], "Subject"), Some("[news] This week"));
    let inbox = wait_for_mail(&user, "INBOX", 1).await;
    assert_eq!(inbox.len(), 1, "only the other message stays in INBOX");
    assert_eq!(header(&inbox[0], "Subject"), Some("Lunch?"));
}

#[tokio::test]
async fn a_vacation_script_sends_a_reply_that_arrives_in_the_senders_mailbox() {
    let (away, mut sieve) = session("sieve-away").await;
    activate(
        &mut sieve,
        &format!(
            "require [\"vacation\"];\r\nvacation :days 1 :subject \"Out of the office\" :addresses [\"{away}\"]\r\n  \"I am away until Monday.\";\r\n"
        ),
    )
    .await;
    sieve.logout().await;

    let sender = fresh_user("sieve-asker");
    deliver(&sender, &away, "Are you there?").await;
    let replies = wait_for_mail(&sender, "INBOX", 1).await;
    let reply = &replies[0];
    assert_eq!(
        header(reply, "Subject"),
        Some("Out of the office"),
        "{reply}"
    );
    assert!(
        header(reply, "Auto-Submitted").is_some_and(|v| v.starts_with("auto-replied")),
        "{reply}"
    );
    assert_eq!(
        header(reply, "Return-Path"),
        Some("<>"),
        "no reply to a reply"
    );
    assert!(
        header(reply, "To").is_some_and(|to| to.contains(&sender)),
        "{reply}"
    );
    assert!(
        header(reply, "From").is_some_and(|from| from.contains(&away)),
        "{reply}"
    );
    assert!(reply.contains("I am away until Monday."), "{reply}");
    // The original is kept for the person who is away.
    let kept = wait_for_mail(&away, "INBOX", 1).await;
    assert_eq!(header(&kept[0], "Subject"), Some("Are you there?"));
}

/// The value of the first header `name` of a raw message (unfolded lines only).
fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.split("\r\n\r\n").next()?.lines().find_map(|line| {
        let (field, value) = line.split_once(':')?;
        field.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[tokio::test]
async fn a_redirect_script_sends_mail_on_to_the_other_account() {
    let (user, mut sieve) = session("sieve-fwd").await;
    let other = fresh_user("sieve-fwd-to");
    let copy = fresh_user("sieve-fwd-copy");
    activate(
        &mut sieve,
        &format!(
            "require [\"copy\"];\r\nif header :contains \"subject\" \"keep\" {{\r\n  redirect :copy \"{copy}\";\r\n  stop;\r\n}}\r\nredirect \"{other}\";\r\n"
        ),
    )
    .await;
    sieve.logout().await;

    let sender = fresh_user("sieve-fwd-from");
    deliver(&sender, &user, "Forward me").await;
    let forwarded = wait_for_mail(&other, "INBOX", 1).await;
    assert_eq!(header(&forwarded[0], "Subject"), Some("Forward me"));
    assert_eq!(header(&forwarded[0], "From"), Some(sender.as_str()));

    // `redirect :copy` also keeps the message; a message that arrives after the plain
    // redirect shows the redirected one was not kept.
    deliver(&sender, &user, "keep this").await;
    wait_for_mail(&copy, "INBOX", 1).await;
    let inbox = wait_for_mail(&user, "INBOX", 1).await;
    assert_eq!(inbox.len(), 1, "only the :copy message stays");
    assert_eq!(header(&inbox[0], "Subject"), Some("keep this"));
}
