//! Filters and the out-of-office reply through the real pages, the real ManageSieve server
//! and the real delivery path (Postfix → LMTP → Dovecot with Pigeonhole): a reply set in the
//! page arrives in the sender's mailbox, a forward and a rule act on a delivered message,
//! the banner shows on every page and turns the reply off, and everything is refused without
//! the CSRF token or said in the person's language when the server is down.

use chrono::{Days, Local};
use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use reqwest::StatusCode;
use scraper::Html;
use secrecy::SecretString;

use carteiro::sieve::script::{self, Read, SCRIPT_NAME};
use carteiro::sieve::SieveSession;
use carteiro::upstream::{Protocol, Upstream};

use crate::helpers::{
    browser_speaking, first_attr, fresh_user, spawn_app_with, test_config, texts, Imap, TestApp,
    TEST_PASSWORD,
};

/// The test configuration with the ManageSieve server at `url` (the stack's, or a proxy in
/// front of it).
pub fn config_with_sieve(url: &str) -> carteiro::config::Config {
    let mut config = test_config("imap://localhost:143");
    config.managesieve = Some(Upstream::parse(Protocol::Sieve, url).expect("a sieve URL"));
    config
}

/// A signed-in app whose filters live on the stack's ManageSieve server.
pub async fn filters_app() -> TestApp {
    let app = spawn_app_with(config_with_sieve("sieve://localhost:4190")).await;
    app.login().await;
    app
}

/// A ManageSieve session of the test's user, straight to the server (not through Carteiro).
pub async fn sieve(app: &TestApp) -> SieveSession {
    app.state
        .managesieve
        .as_ref()
        .expect("ManageSieve configured")
        .connect(&app.user, &SecretString::from(TEST_PASSWORD))
        .await
        .expect("the test user signs in to ManageSieve")
}

/// Carteiro's script as the server has it, and whether it is the active one.
pub async fn own_script(app: &TestApp) -> Option<(String, bool)> {
    let mut sieve = sieve(app).await;
    let list = sieve.list().await.expect("LISTSCRIPTS");
    let info = list.iter().find(|s| s.name == SCRIPT_NAME)?;
    let text = sieve.get(SCRIPT_NAME).await.expect("GETSCRIPT");
    Some((text, info.active))
}

/// The filters Carteiro's script on the server reads back as.
pub async fn server_filters(app: &TestApp) -> carteiro::sieve::model::Filters {
    let (text, _) = own_script(app)
        .await
        .expect("carteiro's script is on the server");
    match script::read(&text) {
        Read::Ours(filters) => filters,
        Read::Foreign => panic!("the script reads back as Carteiro's:\n{text}"),
    }
}

/// POSTs a form of the filter pages with the page's CSRF token; the status, the page (or
/// empty) and where a redirect goes.
pub async fn post(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Html, String) {
    let csrf = app.csrf_token().await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = app.post_form(path, &form).await;
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let html = Html::parse_document(&response.text().await.expect("body"));
    (status, html, location)
}

/// Hands a message to Postfix on port 25, as another mail server would: it is delivered
/// over LMTP, where the recipient's Sieve script runs.
pub async fn deliver(from: &str, to: &str, raw: &[u8]) {
    let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(25)
        .build();
    let envelope = Envelope::new(
        Some(from.parse().expect("sender")),
        vec![to.parse().expect("recipient")],
    )
    .expect("envelope");
    smtp.send_raw(&envelope, raw)
        .await
        .expect("Postfix takes the message");
}

/// A message from `from` to `to`, with extra header lines.
pub fn mail(from: &str, to: &str, subject: &str, extra: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Tue, 4 Mar 2025 08:00:00 +0000\r\n\
Message-ID: <{}@test.carteiro>\r\n{extra}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
Olá, tudo bem?\r\n",
        crate::helpers::rand_u32()
    )
    .into_bytes()
}

/// The whole of message `uid` in `folder` as text.
pub async fn text_of(imap: &mut Imap, folder: &str, uid: u32) -> String {
    String::from_utf8_lossy(&imap.raw(folder, uid).await).to_string()
}

fn day(offset: i64) -> String {
    let today = Local::now().date_naive();
    let day = if offset >= 0 {
        today.checked_add_days(Days::new(offset as u64))
    } else {
        today.checked_sub_days(Days::new(offset.unsigned_abs()))
    };
    day.expect("a date").format("%Y-%m-%d").to_string()
}

/// Turns the vacation reply on through the page, from yesterday to a week from now.
async fn vacation_on(app: &TestApp, subject: &str) {
    let (yesterday, next_week) = (day(-1), day(7));
    let (status, html, location) = post(
        app,
        "/settings/vacation",
        &[
            ("enabled", "yes"),
            ("start", &yesterday),
            ("end", &next_week),
            ("subject", subject),
            (
                "body",
                "Estou de férias até a semana que vem.\r\nVolto logo.",
            ),
            ("addresses", &app.user),
            ("from", &app.user),
            ("days", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", html.html());
    assert!(
        location.ends_with("/settings/vacation?saved=1"),
        "{location}"
    );
}

/// Delivers a message with `subject` to `app`'s account from a fresh sender through Postfix,
/// waits for the automatic reply in the sender's inbox, checks its subject and that its body
/// holds each of `lines`, and gives its source.
async fn vacation_reply(
    app: &TestApp,
    subject: &str,
    reply_subject: &str,
    lines: &[&str],
) -> String {
    let sender = fresh_user("sender");
    deliver(&sender, &app.user, &mail(&sender, &app.user, subject, "")).await;
    let mut imap = Imap::connect(&sender).await;
    let uids = imap.wait_for("INBOX", 1).await;
    let reply = text_of(&mut imap, "INBOX", uids[0]).await;
    let parsed = mail_parser::MessageParser::default()
        .parse(reply.as_bytes())
        .expect("the reply parses");
    assert_eq!(parsed.subject(), Some(reply_subject), "{reply}");
    let body = parsed.body_text(0).unwrap_or_default();
    for line in lines {
        assert!(body.contains(line), "{line:?} in {reply}");
    }
    reply
}

#[tokio::test]
async fn vacation_set_in_the_page_is_on_the_server_and_answers_a_delivered_message() {
    let app = filters_app().await;
    let (status, html) = app.page("/settings/vacation").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        first_attr(&html, "input[name=addresses]", "value").as_deref(),
        Some(app.user.as_str()),
        "the addresses come from the identities"
    );
    vacation_on(&app, "Fora do escritório").await;

    let (text, active) = own_script(&app).await.expect("the script was written");
    assert!(active, "Carteiro's script is the active one");
    assert!(text.contains("vacation"), "{text}");
    let vacation = server_filters(&app).await.vacation;
    assert!(vacation.enabled);
    assert_eq!(vacation.subject, "Fora do escritório");
    assert_eq!(vacation.addresses, vec![app.user.clone()]);
    assert_eq!(vacation.start.map(|d| d.to_string()), Some(day(-1)));
    assert_eq!(vacation.end.map(|d| d.to_string()), Some(day(7)));
    assert_eq!(vacation.days, 1);

    // A message arrives through Postfix; the reply goes back to its sender.
    let reply = vacation_reply(
        &app,
        "Reunião amanhã?",
        "Fora do escritório",
        &["Estou de férias", "Volto logo."],
    )
    .await;
    assert!(reply.contains("Auto-Submitted: auto-replied"), "{reply}");
    assert!(
        reply.contains(&format!("From: {}", app.user)),
        "from the identity: {reply}"
    );
    // The message itself is in the inbox as usual.
    assert_eq!(app.imap().await.wait_for("INBOX", 1).await.len(), 1);
}

#[tokio::test]
async fn the_banner_shows_on_other_pages_and_its_button_turns_the_reply_off() {
    let app = filters_app().await;
    let (_, inbox) = app.page("/mail/INBOX").await;
    assert!(
        texts(&inbox, "#vacation-banner").is_empty(),
        "off: no banner"
    );
    vacation_on(&app, "Ausente").await;
    for path in ["/mail/INBOX", "/settings", "/contacts", "/settings/filters"] {
        let (status, html) = app.page(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(texts(&html, "#vacation-banner").len(), 1, "{path}");
        assert_eq!(
            first_attr(&html, "#vacation-banner input[name=back]", "value").as_deref(),
            Some(path),
            "the button comes back to {path}"
        );
    }
    let (status, _, location) = post(
        &app,
        "/settings/vacation/off",
        &[("back", "/mail/INBOX?page=1")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/mail/INBOX?page=1");
    assert!(
        !server_filters(&app).await.vacation.enabled,
        "off on the server"
    );
    let (_, inbox) = app.page("/mail/INBOX").await;
    assert!(
        texts(&inbox, "#vacation-banner").is_empty(),
        "the banner is gone"
    );

    // Another site is never where the button returns to.
    vacation_on(&app, "Ausente").await;
    let (status, _, location) = post(
        &app,
        "/settings/vacation/off",
        &[("back", "//evil.example/")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/settings/vacation?off=1");
}

#[tokio::test]
async fn forwarding_with_and_without_a_copy_is_delivered() {
    let app = filters_app().await;
    let target = fresh_user("fwd");
    let (status, html, _) = post(
        &app,
        "/settings/filters/forward",
        &[("enabled", "yes"), ("to", &target), ("keep_copy", "yes")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", html.html());
    let sender = fresh_user("sender");
    deliver(
        &sender,
        &app.user,
        &mail(&sender, &app.user, "Primeira", ""),
    )
    .await;
    let mut forwarded = Imap::connect(&target).await;
    assert_eq!(forwarded.wait_for("INBOX", 1).await.len(), 1);
    let mut own = app.imap().await;
    assert_eq!(own.wait_for("INBOX", 1).await.len(), 1, "a copy is kept");

    let (status, _, _) = post(
        &app,
        "/settings/filters/forward",
        &[("enabled", "yes"), ("to", &target)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let forward = server_filters(&app).await.forward;
    assert!(forward.enabled && !forward.keep_copy && forward.to == target);
    deliver(&sender, &app.user, &mail(&sender, &app.user, "Segunda", "")).await;
    let uids = forwarded.wait_for("INBOX", 2).await;
    assert!(text_of(&mut forwarded, "INBOX", uids[1])
        .await
        .contains("Segunda"));
    // The second forward arrived, so its delivery is over: no copy of it was kept.
    let own_uids = own.uids("INBOX").await;
    assert_eq!(own_uids.len(), 1, "no copy kept");
}

#[tokio::test]
async fn a_rule_moving_a_lists_mail_files_a_delivered_message_in_that_folder() {
    let app = filters_app().await;
    let mut imap = app.imap().await;
    imap.create("Listas").await;
    let (status, html) = app.page("/settings/filters/rule").await;
    assert_eq!(status, StatusCode::OK);
    let folders: Vec<String> = crate::helpers::attrs(&html, "select[name=folder] option", "value");
    assert!(folders.contains(&"Listas".to_string()), "{folders:?}");
    let (status, html, location) = post(
        &app,
        "/settings/filters/rule",
        &[
            ("name", "Lista da obra"),
            ("enabled", "yes"),
            ("all", "all"),
            ("field", "list"),
            ("header", ""),
            ("op", "contains"),
            ("value", "obra.lists.example.org"),
            ("action", "move"),
            ("folder", "Listas"),
            ("address", ""),
            ("submit", "save"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", html.html());
    assert!(
        location.ends_with("/settings/filters?saved=1"),
        "{location}"
    );
    let (_, list) = app.page("/settings/filters").await;
    assert_eq!(texts(&list, ".rule-name"), ["Lista da obra"]);

    let sender = fresh_user("list");
    deliver(
        &sender,
        &app.user,
        &mail(
            &sender,
            &app.user,
            "Cronograma",
            "List-Id: Obra <obra.lists.example.org>\r\n",
        ),
    )
    .await;
    deliver(&sender, &app.user, &mail(&sender, &app.user, "Pessoal", "")).await;
    let filed = imap.wait_for("Listas", 1).await;
    assert!(text_of(&mut imap, "Listas", filed[0])
        .await
        .contains("Cronograma"));
    let inbox = imap.wait_for("INBOX", 1).await;
    assert_eq!(inbox.len(), 1);
    assert!(text_of(&mut imap, "INBOX", inbox[0])
        .await
        .contains("Pessoal"));
}

/// Adds a rule named `name` that stars messages from `from`.
async fn add_rule(app: &TestApp, name: &str, from: &str) {
    let (status, html, _) = post(
        app,
        "/settings/filters/rule",
        &[
            ("name", name),
            ("enabled", "yes"),
            ("field", "from"),
            ("op", "contains"),
            ("value", from),
            ("action", "flag"),
            ("submit", "save"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", html.html());
}

/// The list's button `action` on rule `index`, with the version the page shows.
async fn arrange(app: &TestApp, index: &str, action: &str) -> StatusCode {
    let (_, list) = app.page("/settings/filters").await;
    let version = first_attr(&list, "input[name=version]", "value").expect("a version");
    post(
        app,
        "/settings/filters",
        &[("version", &version), ("index", index), ("action", action)],
    )
    .await
    .0
}

fn names(filters: &carteiro::sieve::model::Filters) -> Vec<(String, bool)> {
    filters
        .rules
        .iter()
        .map(|r| (r.name.clone(), r.enabled))
        .collect()
}

#[tokio::test]
async fn rules_are_reordered_switched_off_edited_and_deleted() {
    let app = filters_app().await;
    for (name, from) in [
        ("A", "a@example.test"),
        ("B", "b@example.test"),
        ("C", "c@example.test"),
    ] {
        add_rule(&app, name, from).await;
    }
    let (_, list) = app.page("/settings/filters").await;
    assert_eq!(texts(&list, ".rule-name"), ["A", "B", "C"]);
    assert_eq!(arrange(&app, "2", "up").await, StatusCode::SEE_OTHER);
    assert_eq!(arrange(&app, "0", "down").await, StatusCode::SEE_OTHER);
    assert_eq!(arrange(&app, "2", "disable").await, StatusCode::SEE_OTHER);
    let on = |n: &str, e: bool| (n.to_string(), e);
    assert_eq!(
        names(&server_filters(&app).await),
        [on("C", true), on("A", true), on("B", false)]
    );
    let (_, list) = app.page("/settings/filters").await;
    assert_eq!(texts(&list, ".rule-off").len(), 1, "shown as off");

    // Editing the second rule keeps its place.
    let (status, form) = app.page("/settings/filters/rule?index=1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        first_attr(&form, "#rule-name", "value").as_deref(),
        Some("A")
    );
    assert_eq!(
        first_attr(&form, "#value-1", "value").as_deref(),
        Some("a@example.test")
    );
    let version = first_attr(&form, "input[name=version]", "value").unwrap();
    let (status, html, _) = post(
        &app,
        "/settings/filters/rule?index=1",
        &[
            ("version", &version),
            ("name", "A2"),
            ("enabled", "yes"),
            ("field", "subject"),
            ("op", "contains"),
            ("value", "urgente"),
            ("action", "read"),
            ("submit", "save"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", html.html());
    let filters = server_filters(&app).await;
    assert_eq!(
        names(&filters),
        [on("C", true), on("A2", true), on("B", false)]
    );

    // A button from a page made before that change is refused, not applied to another rule.
    let (status, html, _) = post(
        &app,
        "/settings/filters",
        &[("version", &version), ("index", "1"), ("action", "delete")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(texts(&html, ".rule-name").len(), 3);
    assert_eq!(arrange(&app, "0", "delete").await, StatusCode::SEE_OTHER);
    assert_eq!(
        names(&server_filters(&app).await),
        [on("A2", true), on("B", false)]
    );
}

#[tokio::test]
async fn filter_messages_like_this_prefills_from_the_list_else_the_sender() {
    let app = filters_app().await;
    let mut imap = app.imap().await;
    imap.append(
        "INBOX",
        &mail(
            "Obra <obra@example.test>",
            &app.user,
            "Da lista",
            "List-Id: \"Obra\" <obra.lists.example.org>\r\n",
        ),
        None,
    )
    .await;
    imap.append(
        "INBOX",
        &mail("Ana <ana@example.test>", &app.user, "Da Ana", ""),
        None,
    )
    .await;
    let uids = imap.uids("INBOX").await;
    let expected = [
        ("list", "obra.lists.example.org"),
        ("from", "ana@example.test"),
    ];
    for (uid, (field, value)) in uids.iter().zip(expected) {
        let (_, page) = app.page(&format!("/mail/INBOX/{uid}")).await;
        let href = first_attr(&page, "#filter-like", "href").expect("the link is there");
        let (status, form) = app.page(&href).await;
        assert_eq!(status, StatusCode::OK, "{href}");
        assert_eq!(
            first_attr(&form, "#field-1 option[selected]", "value").as_deref(),
            Some(field)
        );
        assert_eq!(
            first_attr(&form, "#value-1", "value").as_deref(),
            Some(value)
        );
        assert_eq!(
            first_attr(&form, "#action-1 option[selected]", "value").as_deref(),
            Some("move")
        );
    }
}

#[tokio::test]
async fn managesieve_down_answers_503_and_keeps_what_was_typed() {
    let proxy = crate::chaos::ChaosProxy::start("127.0.0.1:4190").await;
    let app = spawn_app_with(config_with_sieve(&format!(
        "sieve://localhost:{}",
        proxy.port
    )))
    .await;
    app.login().await;
    proxy.go_down();
    let (status, html, _) = post(
        &app,
        "/settings/vacation",
        &[
            ("enabled", "yes"),
            ("subject", "Em viagem"),
            ("body", "Volto dia 10."),
            ("days", "3"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!texts(&html, "#filters-error").is_empty());
    assert_eq!(
        first_attr(&html, "#vacation-subject", "value").as_deref(),
        Some("Em viagem")
    );
    assert_eq!(texts(&html, "#vacation-body"), ["Volto dia 10."]);
    assert_eq!(
        first_attr(&html, "#vacation-days", "value").as_deref(),
        Some("3")
    );
    // The other pages still work, without a banner, while it is down.
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    let (status, list) = app.page("/settings/filters").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!texts(&list, "#filters-error").is_empty());
    proxy.come_back();
    let (status, html, _) = post(
        &app,
        "/settings/vacation",
        &[
            ("enabled", "yes"),
            ("subject", "Em viagem"),
            ("body", "Volto dia 10."),
            ("days", "3"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "saved once it is back: {}",
        texts(&html, "[role=alert]").join(" ")
    );
}

#[tokio::test]
async fn every_filter_form_without_the_csrf_token_is_refused() {
    let app = filters_app().await;
    for path in [
        "/settings/vacation",
        "/settings/vacation/off",
        "/settings/filters",
        "/settings/filters/forward",
        "/settings/filters/rule",
        "/settings/filters/script",
    ] {
        let response = app
            .post_form(
                path,
                &[
                    ("enabled", "yes"),
                    ("to", "x@example.test"),
                    ("script", "keep;"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert!(own_script(&app).await.is_none(), "nothing was written");
}

#[tokio::test]
async fn the_filter_pages_speak_portuguese() {
    let mut app = spawn_app_with(config_with_sieve("sieve://localhost:4190")).await;
    app.client = browser_speaking("pt-BR,pt;q=0.9");
    app.login().await;
    vacation_on(&app, "Férias").await;
    for (path, title) in [
        ("/settings/vacation", "Ausência"),
        ("/settings/filters", "Filtros"),
        ("/settings/filters/rule", "Adicionar uma regra"),
        ("/settings/filters/script", "Modo avançado"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let text = response.text().await.unwrap();
        assert!(!text.contains(carteiro::i18n::MISSING_MARK), "{path}");
        let html = Html::parse_document(&text);
        assert_eq!(texts(&html, "h1"), [title], "{path}");
        assert!(
            texts(&html, "#vacation-banner")[0].contains("Sua resposta automática de ausência"),
            "{path}"
        );
    }
    let (_, settings) = app.page("/settings").await;
    assert_eq!(texts(&settings, "#filters-settings-link"), ["Filtros"]);
}

#[tokio::test]
async fn without_a_managesieve_server_the_pages_say_so_and_nothing_links_to_them() {
    let mut config = test_config("imap://localhost:143");
    config.managesieve = None;
    let app = spawn_app_with(config).await;
    app.login().await;
    let mut imap = app.imap().await;
    imap.append(
        "INBOX",
        &mail("ana@example.test", &app.user, "Oi", ""),
        None,
    )
    .await;
    let uid = imap.uids("INBOX").await[0];
    for path in [
        "/settings/vacation",
        "/settings/filters",
        "/settings/filters/script",
    ] {
        let (status, html) = app.page(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            texts(&html, "#filters-message")[0].contains("offers no filters"),
            "{path}"
        );
    }
    let (_, settings) = app.page("/settings").await;
    assert!(texts(&settings, "#filters-settings-link").is_empty());
    let (_, message) = app.page(&format!("/mail/INBOX/{uid}")).await;
    assert!(texts(&message, "#filter-like").is_empty());
}

#[tokio::test]
async fn a_refused_reply_names_each_problem_and_keeps_the_form() {
    let app = filters_app().await;
    let (status, html, _) = post(
        &app,
        "/settings/vacation",
        &[
            ("enabled", "yes"),
            ("start", "2025-03-10"),
            ("end", "2025-03-01"),
            ("subject", "Fora"),
            ("body", "Volto logo."),
            ("days", "400"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = texts(&html, "#filters-problems li");
    assert!(
        problems.iter().any(|p| p.starts_with("Last day:")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("between 1 and 365")),
        "{problems:?}"
    );
    assert_eq!(
        first_attr(&html, "#vacation-end", "value").as_deref(),
        Some("2025-03-01")
    );
    assert_eq!(
        first_attr(&html, "#vacation-days", "value").as_deref(),
        Some("400")
    );
    let (status, html, _) = post(&app, "/settings/vacation", &[("start", "amanhã")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(texts(&html, "#filters-error")[0].contains("“amanhã” is not a date"));
    assert!(own_script(&app).await.is_none(), "nothing was written");
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct BrowserReport {
    signed_in: bool,
    errors: Vec<String>,
    steps: serde_json::Map<String, serde_json::Value>,
}

#[tokio::test]
async fn in_chromium_the_banner_turns_the_reply_off_with_and_without_script_and_a_reply_written_there_arrives(
) {
    let app = filters_app().await;
    vacation_on(&app, "Ausente").await;
    let plan = serde_json::json!({
        "base": app.base_url,
        "username": app.user,
        "password": TEST_PASSWORD,
        "start": "/mail/INBOX?page=1",
        "noJsStart": "/folders",
        "subject": "Férias, escrito no navegador",
        "body": "Respondo na volta.\nAbraços.",
    });
    let report: BrowserReport = crate::browser::run_harness("vacation-banner.mjs", &plan).await;
    assert!(report.signed_in);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let step = |name: &str| -> &serde_json::Value {
        let s = &report.steps[name];
        assert_eq!(s["ok"], true, "{name}: {s}");
        s
    };
    let off = step("turnOff");
    assert!(
        off["before"]
            .as_str()
            .unwrap()
            .starts_with("Your out-of-office reply is on until"),
        "{off}"
    );
    assert_eq!(
        off["path"], "/mail/INBOX?page=1",
        "back where it was clicked"
    );
    assert_eq!(off["after"], 0);
    let on = step("turnOnAgain");
    assert_eq!(on["path"], "/settings/vacation?saved=1");
    assert!(
        on["banner"]
            .as_str()
            .unwrap()
            .contains("out-of-office reply is on"),
        "{on}"
    );
    let plain = step("noJavaScript");
    assert_eq!(plain["before"], 1);
    assert_eq!(plain["path"], "/folders");
    assert_eq!(plain["after"], 0);

    // The reply the browser wrote is on the server and answers a message Postfix delivers.
    let written = step("writeInForm");
    assert_eq!(written["path"], "/settings/vacation?saved=1");
    let vacation = server_filters(&app).await.vacation;
    assert!(vacation.enabled);
    assert_eq!(vacation.subject, "Férias, escrito no navegador");
    vacation_reply(
        &app,
        "Você volta quando?",
        "Férias, escrito no navegador",
        &["Respondo na volta.", "Abraços."],
    )
    .await;
}
