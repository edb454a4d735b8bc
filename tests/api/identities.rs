//! Identities (send-as) against the real Dovecot and Postfix: a bare login made an address by
//! `mail_domain`, several identities with reply-to, a copy to oneself and their own
//! signatures, the admin's policy held at save and at send (forged forms included), replies
//! written as the identity addressed, and a sender the SMTP server refuses.

use reqwest::StatusCode;
use scraper::Html;

use crate::compose::{form, post_compose};
use crate::helpers::{
    attrs, browser_speaking, first_attr, fresh_user, spawn_app_with, test_config, texts, Imap,
    TestApp,
};

const ENTRY: &str = "/private/vendor/carteiro/identities";

/// An app whose policy is `policy`, and optionally a `mail_domain`.
async fn app_with(policy: &str, mail_domain: Option<&str>) -> TestApp {
    let mut config = test_config("imap://localhost:143");
    config.identities = carteiro::mail::identity::Policy::parse(policy).unwrap();
    config.mail_domain = mail_domain.map(str::to_string);
    spawn_app_with(config).await
}

/// Posts one change of the Identities page.
async fn change(app: &TestApp, fields: &[(&str, &str)]) -> (StatusCode, Html) {
    let csrf = app.csrf_token().await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = app.post_form("/settings/identities", &form).await;
    let status = response.status();
    (
        status,
        Html::parse_document(&response.text().await.unwrap()),
    )
}

/// Adds an identity and returns its id (read from the list, by its address).
async fn add(app: &TestApp, fields: &[(&str, &str)]) -> String {
    let mut all = vec![("action", "save")];
    all.extend_from_slice(fields);
    let (status, html) = change(app, &all).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", html.html());
    let address = fields.iter().find(|(k, _)| *k == "address").unwrap().1;
    let (_, html) = app.page("/settings/identities").await;
    let ids = attrs(&html, "tr[data-identity]", "data-identity");
    let labels = texts(&html, "tr[data-identity] .identity-label");
    let at = labels
        .iter()
        .position(|l| l.contains(address))
        .unwrap_or_else(|| panic!("{address} listed: {labels:?}"));
    ids[at].clone()
}

/// Sends a message written as `identity` (empty: the default) and returns the response.
async fn send_as(app: &TestApp, identity: &str, to: &str, subject: &str) -> reqwest::Response {
    let csrf = app.csrf_token().await;
    post_compose(
        app,
        form(
            &csrf,
            &[
                ("identity", identity),
                ("to", to),
                ("subject", subject),
                ("body", "Olá"),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await
}

/// The first delivered message of `user`'s INBOX, as text.
async fn delivered(user: &str) -> String {
    let mut imap = Imap::connect(user).await;
    let uids = imap.wait_for("INBOX", 1).await;
    String::from_utf8_lossy(&imap.raw("INBOX", uids[0]).await).to_string()
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let head = &raw[..raw.find("\r\n\r\n").unwrap_or(raw.len())];
    head.lines()
        .find(|l| l.len() > name.len() && l[..name.len()].eq_ignore_ascii_case(name))
        .map(|l| l[name.len()..].trim_start_matches(':').trim())
}

async fn alert(response: reqwest::Response) -> (StatusCode, Html, String) {
    let status = response.status();
    let html = Html::parse_document(&response.text().await.unwrap());
    let alert = texts(&html, "[role=alert]").join(" ");
    (status, html, alert)
}

#[tokio::test]
async fn a_bare_login_with_a_mail_domain_sends_from_login_at_domain() {
    let mut app = app_with("domain", Some("example.test")).await;
    // The test Dovecot and Postfix take any user name, with or without a domain.
    let full = fresh_user("bare");
    let bare = full.split('@').next().unwrap().to_string();
    app.user = bare.clone();
    app.login().await;
    let address = format!("{bare}@example.test");
    let (status, html) = app.page("/compose").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        texts(&html, "#from").join(""),
        address,
        "one identity: text"
    );
    assert!(texts(&html, "select#identity").is_empty());
    let recipient = fresh_user("rcpt");
    let response = send_as(&app, "", &recipient, "De um login sem domínio").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let raw = delivered(&recipient).await;
    assert_eq!(header(&raw, "From"), Some(address.as_str()), "{raw}");
    assert_eq!(
        header(&raw, "Return-Path"),
        Some(format!("<{address}>").as_str()),
        "the envelope sender is the address too"
    );
    let (_, html) = app.page("/settings/identities").await;
    assert!(texts(&html, "#identities-policy")
        .join("")
        .contains("any address at example.test"));
}

#[tokio::test]
async fn a_bare_login_without_mail_domain_states_its_address_before_sending() {
    let mut app = app_with("domain", None).await;
    app.user = fresh_user("bare").split('@').next().unwrap().to_string();
    app.login().await;
    let (_, html) = app.page("/compose").await;
    assert!(
        texts(&html, "#from").join("").contains("no e-mail address"),
        "{}",
        html.html()
    );
    let response = send_as(&app, "", &fresh_user("rcpt"), "Sem remetente").await;
    let (status, _, alert) = alert(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(alert.contains("Settings → Identities"), "{alert}");

    let (status, html) = change(&app, &[("action", "own_address"), ("own_address", "nope")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(texts(&html, "[role=alert]")
        .join("")
        .contains("is not an e-mail address"));
    assert_eq!(
        first_attr(&html, "#own_address", "value").as_deref(),
        Some("nope"),
        "what was typed stays"
    );
    let own = fresh_user("own");
    let (status, _) = change(&app, &[("action", "own_address"), ("own_address", &own)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = app.page("/compose").await;
    assert_eq!(texts(&html, "#from").join(""), own);
    // The policy is measured against the stated address.
    let (status, _) = change(
        &app,
        &[("action", "save"), ("address", "someone@elsewhere.test")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let recipient = fresh_user("rcpt");
    let response = send_as(&app, "", &recipient, "Agora sim").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        header(&delivered(&recipient).await, "From"),
        Some(own.as_str())
    );
}

#[tokio::test]
async fn identities_send_with_their_name_reply_to_copy_and_signature_and_drafts_keep_them() {
    let app = app_with("domain", None).await;
    app.login().await;
    let sales = fresh_user("sales");
    let replies = fresh_user("sac");
    let id = add(
        &app,
        &[
            ("name", "Vendas Ltda."),
            ("address", &sales),
            ("reply_to", &replies),
            ("bcc_self", "yes"),
            ("signature", "Equipe de vendas"),
        ],
    )
    .await;
    let (_, html) = app.page("/compose").await;
    assert_eq!(
        attrs(&html, "select#identity option", "value"),
        ["default", id.as_str()]
    );
    assert_eq!(
        first_attr(&html, "select#identity option[selected]", "value").as_deref(),
        Some("default")
    );
    assert!(!texts(&html, "#body").join("").contains("Equipe de vendas"));

    // Made the default, it starts new messages, with its signature.
    let (status, _) = change(&app, &[("action", "default"), ("id", &id)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = app.page("/compose").await;
    assert_eq!(
        first_attr(&html, "select#identity option[selected]", "value").as_deref(),
        Some(id.as_str())
    );
    assert_eq!(texts(&html, "#body").join(""), "-- \nEquipe de vendas");

    let recipient = fresh_user("rcpt");
    let response = send_as(&app, &id, &recipient, "Proposta").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let raw = delivered(&recipient).await;
    assert_eq!(
        header(&raw, "From"),
        Some(format!("\"Vendas Ltda.\" <{sales}>").as_str()),
        "{raw}"
    );
    assert_eq!(header(&raw, "Reply-To"), Some(replies.as_str()));
    assert_eq!(header(&raw, "Bcc"), None, "the copy is blind");
    // The copy to itself arrives at the identity's own mailbox.
    let copy = delivered(&sales).await;
    assert!(copy.contains("Subject: Proposta"), "{copy}");

    // A draft written as the other identity reopens as it.
    let csrf = app.csrf_token().await;
    let response = post_compose(
        &app,
        form(
            &csrf,
            &[
                ("identity", "default"),
                ("to", &recipient),
                ("subject", "Rascunho"),
                ("body", "x"),
                ("action", "save"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = app.page(&location).await;
    assert_eq!(
        first_attr(&html, "select#identity option[selected]", "value").as_deref(),
        Some("default")
    );
    let stored = app.imap().await.setting(ENTRY).await.unwrap();
    assert!(stored.contains("\"version\":1"), "{stored}");
}

#[tokio::test]
async fn the_policy_refuses_foreign_addresses_at_save_and_at_send() {
    let login_only = app_with("login", None).await;
    login_only.login().await;
    let user = login_only.user.clone();
    let (status, html) = change(
        &login_only,
        &[
            ("action", "save"),
            ("name", "Outra"),
            ("address", "other@example.test"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&html, "[role=alert]"),
        ["Your provider does not let you send as other@example.test."]
    );
    assert_eq!(
        first_attr(&html, "#name", "value").as_deref(),
        Some("Outra"),
        "what was typed stays"
    );
    // The login's own address with another name is fine.
    add(&login_only, &[("name", "Eu mesmo"), ("address", &user)]).await;

    let mut domain = app_with("domain", None).await;
    domain.user = user.clone();
    domain.login().await;
    let (status, _) = change(
        &domain,
        &[("action", "save"), ("address", "ana@elsewhere.test")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    add(&domain, &[("address", "alias@example.test")]).await;

    // Saved where the policy allowed it (policy `any`), then sent where it does not.
    let mut any = app_with("any", None).await;
    any.user = user.clone();
    any.login().await;
    let foreign = "t-foreign@elsewhere.test";
    let id = add(&any, &[("address", foreign)]).await;
    let (_, html) = domain.page("/settings/identities").await;
    assert_eq!(
        texts(&html, &format!("tr[data-identity=\"{id}\"] .refused")),
        ["not allowed by your provider"]
    );
    let (_, html) = domain.page("/compose").await;
    assert!(!attrs(&html, "select#identity option", "value").contains(&id));
    let response = send_as(&domain, &id, &fresh_user("rcpt"), "Forjado").await;
    let (status, html, alert) = alert(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        alert.contains(&format!("does not let you send as {foreign}")),
        "{alert}"
    );
    assert_eq!(
        first_attr(&html, "#subject", "value").as_deref(),
        Some("Forjado"),
        "nothing typed is lost"
    );
    assert_eq!(domain.imap().await.uids("Drafts").await.len(), 1);
    // A made-up identity is refused too.
    let response = send_as(&domain, "no-such-id", &fresh_user("rcpt"), "Inventado").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(Imap::connect(foreign).await.uids("INBOX").await.is_empty());
}

#[tokio::test]
async fn a_reply_is_written_as_the_identity_the_message_was_addressed_to() {
    let app = app_with("domain", None).await;
    app.login().await;
    let sales = fresh_user("sales");
    let support = fresh_user("support");
    let sales_id = add(&app, &[("address", &sales), ("signature", "Vendas")]).await;
    let support_id = add(&app, &[("address", &support), ("signature", "Suporte")]).await;
    let mut imap = app.imap().await;
    let upper = sales.to_uppercase();
    let cc = format!(
        "From: Cliente <c@example.test>\r\nTo: outra@example.test\r\nCc: Vendas <{upper}>, {support}\r\nSubject: Pedido\r\nMessage-ID: <p1@example.test>\r\nDate: Tue, 11 Mar 2025 10:00:00 +0000\r\n\r\nQuero comprar.\r\n"
    );
    imap.append("INBOX", cc.as_bytes(), None).await;
    let delivered_to = format!(
        "Delivered-To: {support}\r\nFrom: Lista <lista@example.test>\r\nTo: lista@example.test\r\nSubject: Ajuda\r\nMessage-ID: <p2@example.test>\r\nDate: Tue, 11 Mar 2025 11:00:00 +0000\r\n\r\nSocorro.\r\n"
    );
    imap.append("INBOX", delivered_to.as_bytes(), None).await;
    let plain = "From: x@example.test\r\nTo: y@example.test\r\nSubject: Outro\r\nDate: Tue, 11 Mar 2025 12:00:00 +0000\r\n\r\nOi\r\n";
    imap.append("INBOX", plain.as_bytes(), None).await;
    let uids = imap.uids("INBOX").await;

    let selected = |html: &Html| first_attr(html, "select#identity option[selected]", "value");
    let (_, html) = app
        .page(&format!("/compose?folder=INBOX&reply={}&all=1", uids[0]))
        .await;
    assert_eq!(
        selected(&html).as_deref(),
        Some(sales_id.as_str()),
        "Cc, any case"
    );
    assert!(texts(&html, "#body").join("").contains("-- \nVendas"));
    let cc_field = first_attr(&html, "#cc", "value").unwrap_or_default();
    assert!(
        !cc_field.to_lowercase().contains(&sales) && !cc_field.contains(&support),
        "my own addresses are left out of a reply-all: {cc_field}"
    );
    let (_, html) = app
        .page(&format!("/compose?folder=INBOX&reply={}", uids[1]))
        .await;
    assert_eq!(
        selected(&html).as_deref(),
        Some(support_id.as_str()),
        "Delivered-To"
    );
    assert!(texts(&html, "#body").join("").contains("-- \nSuporte"));
    let (_, html) = app
        .page(&format!("/compose?folder=INBOX&reply={}", uids[2]))
        .await;
    assert_eq!(
        selected(&html).as_deref(),
        Some("default"),
        "none: the default"
    );
}

#[tokio::test]
async fn a_sender_the_server_refuses_is_explained_in_the_persons_language_and_kept() {
    for (lang, words) in [
        ("en", "would not let you send as owned@example.test"),
        ("pt-BR", "não deixou você enviar como owned@example.test"),
    ] {
        let mut app = app_with("any", None).await;
        app.client = browser_speaking(lang);
        app.login().await;
        let id = add(&app, &[("name", "Dono"), ("address", "owned@example.test")]).await;
        let response = send_as(&app, &id, &fresh_user("rcpt"), "Como outro").await;
        let (status, html, alert) = alert(response).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert!(alert.contains(words), "{lang}: {alert}");
        assert!(
            alert.contains("not owned by user"),
            "the server's reason: {alert}"
        );
        assert_eq!(
            first_attr(&html, "select#identity option[selected]", "value").as_deref(),
            Some(id.as_str()),
            "the choice stays"
        );
        let mut imap = app.imap().await;
        let drafts = imap.uids("Drafts").await;
        assert_eq!(drafts.len(), 1, "the draft survives");
        let raw = String::from_utf8_lossy(&imap.raw("Drafts", drafts[0]).await).to_string();
        assert!(raw.contains("Como outro"), "{raw}");
        assert!(raw.contains(&format!("X-Carteiro-Identity: {id}")), "{raw}");
    }
}

#[tokio::test]
async fn the_identities_page_speaks_portuguese_and_refuses_in_it() {
    let mut app = app_with("login", None).await;
    app.client = browser_speaking("pt-BR");
    app.login().await;
    let (status, html) = app.page("/settings/identities").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "h1"), ["Identidades"]);
    assert_eq!(
        texts(&html, "#identities-policy").join(""),
        format!("Você só pode enviar como {}.", app.user)
    );
    let (_, html) = app.page("/settings").await;
    assert_eq!(texts(&html, "#identities-link"), ["Identidades"]);
    let (status, html) = change(
        &app,
        &[("action", "save"), ("address", "vendas@example.test")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        texts(&html, "[role=alert]"),
        ["O seu provedor não permite enviar como vendas@example.test."]
    );
    let (status, html) = change(&app, &[("action", "delete"), ("id", "default")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(texts(&html, "[role=alert]")
        .join("")
        .contains("a última não pode ser excluída"));
}
