//! Carteiro against IMAP servers other than Dovecot: Debian's Cyrus IMAP 3.6 and Courier IMAP
//! 5.0, started by `scripts/otherimap.sh` (the README's test command starts them). Both take
//! the Dovecot stack's users and passwords, so every test logs in as a fresh user with a fresh
//! mailbox; mail is sent through the stack's Postfix, as on Dovecot.
//!
//! Cyrus offers every extension Carteiro uses, with its own answers; Courier lacks METADATA,
//! LIST-STATUS, SPECIAL-USE, CONDSTORE and MOVE and keeps every folder under `INBOX.`, so
//! there Carteiro runs on its fallbacks. Courier's certificate is self-signed by
//! `openssl req -x509` (CA:TRUE): Carteiro trusts it because `tls_ca_file` pins it.

use std::path::PathBuf;
use std::sync::OnceLock;

use carteiro::config::Config;
use reqwest::StatusCode;

use crate::compose::{form, post_compose};
use crate::helpers::{
    attrs, fresh_user, message, open_message_checked, spawn_app_with, stack_dir, test_config,
    texts, Binary, Imap, TestApp, TEST_PASSWORD,
};

/// One of the servers of `scripts/otherimap.sh`.
struct Server {
    /// Carteiro's `imap_url`: STARTTLS, as most admins configure it.
    url: &'static str,
    /// Plain IMAP on loopback, for the direct client that seeds and checks mailboxes.
    plain: &'static str,
    /// Where the server keeps a user's folders: beside INBOX (Cyrus, like Dovecot) or under
    /// `INBOX.` (Courier).
    prefix: &'static str,
}

const CYRUS: Server = Server {
    url: "imap://localhost:10143",
    plain: "127.0.0.1:10143",
    prefix: "",
};

const COURIER: Server = Server {
    url: "imap://localhost:11143",
    plain: "127.0.0.1:11143",
    prefix: "INBOX.",
};

/// Courier's self-signed certificate, as `scripts/otherimap.sh` made it.
fn courier_certificate() -> PathBuf {
    stack_dir().join("otherimap/courier/selfsigned.pem")
}

/// What an admin of both servers puts in `tls_ca_file`: the CA that signed Cyrus's and
/// Postfix's certificates, and Courier's own certificate, pinned.
fn trust_file() -> PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let mut pem = std::fs::read(stack_dir().join("ca.pem")).expect("the stack's CA");
        pem.extend(std::fs::read(courier_certificate()).expect(
            "Courier's certificate (is the compatibility stack up? scripts/otherimap.sh up)",
        ));
        let path = std::env::temp_dir().join(format!("carteiro-compat-{}.pem", std::process::id()));
        std::fs::write(&path, pem).expect("trust file written");
        path
    })
    .clone()
}

impl Server {
    /// A folder's full name on this server (`Sent` is `INBOX.Sent` on Courier).
    fn folder(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn config(&self) -> Config {
        let mut config = test_config(self.url);
        config.tls_ca_file = Some(trust_file());
        // The stack's Pigeonhole belongs to its Dovecot, not to these servers.
        config.managesieve = None;
        config
    }

    async fn app(&self) -> TestApp {
        let app = spawn_app_with(self.config()).await;
        app.login().await;
        app
    }

    async fn imap(&self, user: &str) -> Imap {
        Imap::connect_at(self.plain, user).await
    }

    /// APPENDs messages with these subjects and bodies to INBOX, one day apart, oldest first,
    /// as delivered mail is: subjects MIME-encoded (Cyrus turns raw 8-bit header bytes into
    /// `X`), arrival times apart (Courier's SORT puts messages of the same second in no fixed
    /// order).
    async fn seed(&self, user: &str, subjects: &[(&str, &str)]) {
        use base64::Engine;
        let mut imap = self.imap(user).await;
        for (day, (subject, body)) in subjects.iter().enumerate() {
            let day = day + 4;
            let date = format!("Tue, {day} Mar 2025 08:00:00 +0000");
            let encoded = format!(
                "=?UTF-8?B?{}?=",
                base64::engine::general_purpose::STANDARD.encode(subject)
            );
            let raw = message("Maria <maria@example.test>", &encoded, &date, body);
            imap.append_dated("INBOX", &raw, &format!("{day:02}-Mar-2025 08:00:00 +0000"))
                .await;
        }
    }
}

/// POSTs an action form as the list page's form does.
async fn act(app: &TestApp, folder: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = app.csrf_token().await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    form.extend_from_slice(fields);
    let response = app
        .client
        .post(app.url(&format!("/mail/{folder}/actions")))
        .form(&form)
        .send()
        .await
        .expect("POST works");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "action done");
    response
}

fn has(flags: &[String], name: &str) -> bool {
    flags.iter().any(|f| f.contains(name))
}

// ------------------------------------------------------------------ reading

async fn folders_list_search_open_and_flags(server: &Server) {
    let app = server.app().await;
    server
        .seed(
            &app.user,
            &[
                ("Reunião de orçamento", "A construção começa na segunda."),
                ("Fotos", "Seguem as fotos."),
                ("Almoço", "Sexta ao meio-dia?"),
            ],
        )
        .await;

    // The folder tree, with the roles Carteiro found (by SPECIAL-USE or by name).
    let (status, html) = app.page("/folders").await;
    assert_eq!(status, StatusCode::OK);
    let links = attrs(&html, "a", "href");
    for name in ["Sent", "Drafts", "Trash", "Junk", "Archive"] {
        let url = format!("/mail/{}", server.folder(name));
        assert!(links.contains(&url), "{url} in {links:?}");
    }
    let (_, inbox) = app.page("/mail/INBOX").await;
    let sidebar: Vec<String> = attrs(&inbox, "a.folder.role-sent", "href");
    assert!(
        sidebar.contains(&format!("/mail/{}", server.folder("Sent"))),
        "the Sent folder is known as such: {sidebar:?}"
    );

    // The list, newest first.
    assert_eq!(
        texts(&inbox, "td.subject a"),
        ["Almoço", "Fotos", "Reunião de orçamento"]
    );

    // A message opens, and reading it marks it read on the server.
    let mut imap = server.imap(&app.user).await;
    let uids = imap.uids("INBOX").await;
    let opened = open_message_checked(&app, "INBOX", uids[0], "the oldest message").await;
    assert!(opened.page.contains("A construção começa na segunda."));
    assert!(has(&imap.flags("INBOX", uids[0]).await, "Seen"));

    // Search with non-ASCII text (a literal on a server without LITERAL+).
    let (status, found) = app.page("/mail/INBOX?q=constru%C3%A7%C3%A3o").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&found, "td.subject a"), ["Reunião de orçamento"]);
    let (_, none) = app.page("/mail/INBOX?q=nada-disso").await;
    assert!(texts(&none, "td.subject a").is_empty());
    // A text that tries to end its literal early and send a command of its own stays text.
    let (status, _) = app
        .page("/mail/INBOX?q=%C3%A9%0D%0ACR1%20LOGOUT%0D%0A")
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = app.page("/mail/INBOX?q=Fotos").await;
    assert_eq!(status, StatusCode::OK, "the connection is still in step");
    assert_eq!(texts(&again, "td.subject a"), ["Fotos"]);

    // Flags: read, unread, star, unstar.
    let (one, two) = (uids[1].to_string(), uids[2].to_string());
    act(&app, "INBOX", &[("uid", &one), ("action", "read")]).await;
    act(&app, "INBOX", &[("uid", &two), ("action", "flag")]).await;
    assert!(has(&imap.flags("INBOX", uids[1]).await, "Seen"));
    assert!(has(&imap.flags("INBOX", uids[2]).await, "Flagged"));
    act(&app, "INBOX", &[("uid", &one), ("action", "unread")]).await;
    act(&app, "INBOX", &[("uid", &two), ("action", "unflag")]).await;
    assert!(!has(&imap.flags("INBOX", uids[1]).await, "Seen"));
    assert!(!has(&imap.flags("INBOX", uids[2]).await, "Flagged"));
}

#[tokio::test]
async fn cyrus_lists_folders_and_messages_opens_searches_and_flags() {
    folders_list_search_open_and_flags(&CYRUS).await;
}

#[tokio::test]
async fn courier_lists_folders_and_messages_opens_searches_and_flags() {
    folders_list_search_open_and_flags(&COURIER).await;
}

// ------------------------------------------------------------------ organising

async fn move_and_delete_to_trash(server: &Server) {
    let app = server.app().await;
    server
        .seed(&app.user, &[("Para arquivar", "a"), ("Para apagar", "b")])
        .await;
    let mut imap = server.imap(&app.user).await;
    let uids = imap.uids("INBOX").await;
    let archive = server.folder("Archive");
    let trash = server.folder("Trash");

    let (keep, drop) = (uids[0].to_string(), uids[1].to_string());
    act(
        &app,
        "INBOX",
        &[("uid", &keep), ("action", "move"), ("target", &archive)],
    )
    .await;
    let response = act(&app, "INBOX", &[("uid", &drop), ("action", "delete")]).await;
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("done=trashed"), "{location}");

    assert!(imap.uids("INBOX").await.is_empty(), "both left INBOX");
    assert_eq!(imap.uids(&archive).await.len(), 1);
    assert_eq!(imap.uids(&trash).await.len(), 1);
    let (_, html) = app.page(&format!("/mail/{trash}")).await;
    assert_eq!(texts(&html, "td.subject a"), ["Para apagar"]);
    let (_, html) = app.page(&format!("/mail/{archive}")).await;
    assert_eq!(texts(&html, "td.subject a"), ["Para arquivar"]);
}

#[tokio::test]
async fn cyrus_moves_messages_and_deletes_them_to_trash() {
    move_and_delete_to_trash(&CYRUS).await;
}

#[tokio::test]
async fn courier_moves_messages_and_deletes_them_to_trash_without_move() {
    move_and_delete_to_trash(&COURIER).await;
}

/// Without UIDPLUS there is no UID EXPUNGE: Carteiro expunges only when the messages marked
/// `\Deleted` are the ones it is removing, never another mail app's.
#[tokio::test]
async fn without_uidplus_deleting_leaves_another_app_s_marked_message_alone() {
    let mut config = CYRUS.config();
    config.imap_disabled_caps = vec!["UIDPLUS".into(), "MOVE".into()];
    let app = spawn_app_with(config).await;
    app.login().await;
    CYRUS
        .seed(&app.user, &[("um", "1"), ("dois", "2"), ("três", "3")])
        .await;
    let mut imap = CYRUS.imap(&app.user).await;
    let uids = imap.uids("INBOX").await;

    // Nothing else marked: the deleted message is gone from INBOX at once.
    act(
        &app,
        "INBOX",
        &[("uid", &uids[0].to_string()), ("action", "delete")],
    )
    .await;
    assert_eq!(imap.uids("INBOX").await, uids[1..]);
    assert_eq!(imap.uids("Trash").await.len(), 1);

    // Another app marked "três" and has not expunged yet: Carteiro's delete must not
    // expunge it, so its own message stays too, marked, until the next EXPUNGE.
    imap.select_and_store("INBOX", uids[2], "+FLAGS (\\Deleted)")
        .await;
    act(
        &app,
        "INBOX",
        &[("uid", &uids[1].to_string()), ("action", "delete")],
    )
    .await;
    assert_eq!(imap.uids("INBOX").await, uids[1..], "nothing expunged");
    assert!(has(&imap.flags("INBOX", uids[1]).await, "Deleted"));
    assert_eq!(
        imap.uids("Trash").await.len(),
        2,
        "copied to Trash all the same"
    );
}

// ------------------------------------------------------------------ sending

async fn send_with_sent_copy(server: &Server) {
    let app = server.app().await;
    let recipient = fresh_user("compat-rcpt");
    let csrf = app.csrf_token().await;
    let subject = format!("Olá de {}", server.url);
    let fields = [
        ("to", recipient.as_str()),
        ("subject", subject.as_str()),
        ("body", "Mensagem enviada."),
        ("action", "send"),
    ];
    let response = post_compose(&app, form(&csrf, &fields, &[])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "sent");

    // The Sent copy is on this server, read.
    let sent = server.folder("Sent");
    let mut imap = server.imap(&app.user).await;
    let copies = imap.uids(&sent).await;
    assert_eq!(copies.len(), 1, "one copy in {sent}");
    let raw = String::from_utf8_lossy(&imap.raw(&sent, copies[0]).await).to_string();
    assert!(raw.contains("Mensagem enviada."), "{raw}");
    assert!(has(&imap.flags(&sent, copies[0]).await, "Seen"));
    let (_, html) = app.page(&format!("/mail/{sent}")).await;
    assert_eq!(texts(&html, "td.subject a"), [subject.as_str()]);

    // Postfix delivered it (to the stack's Dovecot, where every other address lives).
    let mut inbox = Imap::connect(&recipient).await;
    assert_eq!(inbox.wait_for("INBOX", 1).await.len(), 1);
}

#[tokio::test]
async fn cyrus_sends_and_files_a_copy_in_its_sent_folder() {
    send_with_sent_copy(&CYRUS).await;
}

#[tokio::test]
async fn courier_sends_and_files_a_copy_in_its_sent_folder() {
    send_with_sent_copy(&COURIER).await;
}

// ------------------------------------------------------------------ settings

async fn settings_survive_a_new_login(server: &Server) -> Vec<String> {
    let app = server.app().await;
    let csrf = app.csrf_token().await;
    let response = app
        .post_form(
            "/settings",
            &[("csrf", &csrf), ("theme", "dark"), ("page_size", "25")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "settings saved");
    let csrf = app.csrf_token().await;
    let response = app.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = app.login_as(&app.user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let (_, html) = app.page("/settings").await;
    assert_eq!(
        crate::helpers::first_attr(&html, "#theme option[selected]", "value").as_deref(),
        Some("dark")
    );
    let (_, folders) = app.page("/folders").await;
    let shown = attrs(&folders, "a", "href");
    assert!(
        !shown.iter().any(|href| href.contains("Carteiro")),
        "Carteiro's own folders stay hidden: {shown:?}"
    );
    server.imap(&app.user).await.list().await
}

/// Cyrus offers METADATA but, by default, refuses entries its `annotation_definitions` does
/// not list: Carteiro finds out and keeps the settings in the private folder there too.
#[tokio::test]
async fn cyrus_keeps_settings_across_logins_though_it_refuses_carteiro_s_annotations() {
    let folders = settings_survive_a_new_login(&CYRUS).await;
    assert!(
        folders.iter().any(|f| f == "Carteiro Settings"),
        "the settings folder: {folders:?}"
    );
}

#[tokio::test]
async fn courier_keeps_settings_in_a_private_folder_without_metadata() {
    let folders = settings_survive_a_new_login(&COURIER).await;
    assert!(
        folders.iter().any(|f| f == "INBOX.Carteiro Settings"),
        "the settings folder, under INBOX as Courier wants: {folders:?}"
    );
}

// ------------------------------------------------------------------ the log

/// Courier lacks five of the extensions Carteiro uses: the log says which, and what Carteiro
/// does instead, once for the server however many people log in.
#[tokio::test]
async fn the_extensions_courier_lacks_are_logged_once_with_their_fallbacks() {
    let trust = trust_file().display().to_string();
    let mut binary = Binary::start(&[
        ("CARTEIRO_IMAP_URL", COURIER.url),
        ("CARTEIRO_TLS_CA_FILE", trust.as_str()),
    ])
    .await;
    for _ in 0..2 {
        let client = crate::helpers::browser();
        let response = client
            .post(format!("{}/login", binary.base_url))
            .form(&[
                ("username", fresh_user("compat-log").as_str()),
                ("password", TEST_PASSWORD),
            ])
            .send()
            .await
            .expect("login answers");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    binary.child.kill().await.expect("stopped");
    let logs = binary.logs();
    let lines: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains("Carteiro falls back"))
        .collect();
    assert_eq!(lines.len(), 1, "one line for two logins: {logs}");
    let line = lines[0];
    for lacking in [
        "lacks=METADATA LIST-STATUS SPECIAL-USE CONDSTORE MOVE",
        "without SPECIAL-USE it finds Sent, Drafts, Trash, Junk and Archive by their names",
        "without MOVE it moves with UID COPY",
    ] {
        assert!(line.contains(lacking), "{lacking:?} in {line}");
    }
    assert!(!line.contains("without SORT"), "Courier has SORT: {line}");
}

// ------------------------------------------------------------------ TLS

/// Courier's certificate was made by `openssl req -x509`, so it says CA:TRUE, which webpki
/// refuses as a server's own certificate however it is trusted; pinned, it is accepted.
#[tokio::test]
async fn a_self_signed_ca_certificate_is_trusted_once_pinned_in_tls_ca_file() {
    let mut config = test_config("imaps://localhost:11993");
    config.tls_ca_file = Some(courier_certificate());
    config.managesieve = None;
    let app = spawn_app_with(config).await;
    let caps = app.state.connector.probe().await.expect("TLS with Courier");
    assert!(caps.has("IMAP4REV1"));
    app.login().await;
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
}

/// The error says the real cause: a CA certificate presented as the server's own, not in the
/// file already set; or, with no file set, that one should be.
#[tokio::test]
async fn an_unpinned_self_signed_certificate_is_refused_with_the_real_cause() {
    let ca = stack_dir().join("ca.pem");
    let mut config = test_config("imaps://localhost:11993");
    config.tls_ca_file = Some(ca.clone());
    config.managesieve = None;
    let app = spawn_app_with(config).await;
    let error = app.state.connector.probe().await.unwrap_err().to_string();
    assert!(
        error.contains("presents a CA certificate as its own"),
        "{error}"
    );
    assert!(
        error.contains(&format!("it is not in tls_ca_file {}", ca.display())),
        "{error}"
    );
    assert!(!error.contains("set CARTEIRO_TLS_CA_FILE"), "{error}");
    let response = app.login_as(&app.user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);

    let mut config = test_config("imaps://localhost:11993");
    config.tls_ca_file = None;
    config.managesieve = None;
    let app = spawn_app_with(config).await;
    let error = app.state.connector.probe().await.unwrap_err().to_string();
    assert!(
        error.contains("point CARTEIRO_TLS_CA_FILE at exactly the server's certificate"),
        "{error}"
    );
}

/// A server signed by a CA that is not in the file set: the error names the file, instead of
/// suggesting the setting that is already there.
#[tokio::test]
async fn a_certificate_signed_by_a_ca_missing_from_tls_ca_file_names_that_file() {
    let pinned = courier_certificate();
    let mut config = test_config("imaps://localhost:10993");
    config.tls_ca_file = Some(pinned.clone());
    config.managesieve = None;
    let app = spawn_app_with(config).await;
    let error = app.state.connector.probe().await.unwrap_err().to_string();
    assert!(
        error.contains(&format!(
            "signed neither by a public CA nor by a certificate in tls_ca_file {}",
            pinned.display()
        )),
        "{error}"
    );

    // With the CA that signed it, Cyrus's TLS port works.
    let mut config = test_config("imaps://localhost:10993");
    config.managesieve = None;
    let app = spawn_app_with(config).await;
    app.state.connector.probe().await.expect("TLS with Cyrus");
}
