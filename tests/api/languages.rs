//! Languages: English and Brazilian Portuguese, chosen from the browser's Accept-Language or
//! the person's setting (stored on the IMAP server), on every page, with dates and sizes
//! written the way each language writes them.

use chrono::{Duration, Local};
use reqwest::StatusCode;
use scraper::{Html, Selector};

use crate::compose::{form, post_compose};
use crate::helpers::{
    browser_speaking, first_attr, message, spawn_app, texts, TestApp, TEST_PASSWORD,
};

const LANGUAGE_SETTING: &str = "/private/vendor/carteiro/language";

fn lang_of(html: &Html) -> String {
    first_attr(html, "html", "lang").unwrap_or_default()
}

/// Every piece of text a person can read or hear: text nodes and the attributes screen
/// readers and tooltips use.
fn readable(html: &Html) -> Vec<String> {
    let mut out: Vec<String> = html
        .root_element()
        .text()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let any = Selector::parse("[title], [aria-label], [placeholder]").expect("selector");
    for element in html.select(&any) {
        for attr in ["title", "aria-label", "placeholder"] {
            if let Some(v) = element.value().attr(attr) {
                out.push(v.to_string());
            }
        }
    }
    out
}

/// A page in `lang` with every message found: no `⟦id⟧` marker, no unfilled `{ $var }`, and,
/// in Portuguese, none of the English interface words.
pub(crate) fn check_page(html: &Html, lang: &str, what: &str) {
    assert_eq!(lang_of(html), lang, "{what}: <html lang>");
    let text = readable(html).join("\n");
    assert!(
        !text.contains('⟦'),
        "{what} ({lang}) has a missing message:\n{text}"
    );
    assert!(
        !text.contains("{$") && !text.contains("{ $"),
        "{what} ({lang}) has an unfilled argument:\n{text}"
    );
    if lang == "pt-BR" {
        // Words that are neither Portuguese nor a server's folder name (Drafts, Sent…).
        const ENGLISH: [&str; 20] = [
            "Sign out",
            "Sign in",
            "Settings",
            "Inbox",
            "Search",
            "Delete",
            "Write",
            "Folders",
            "Reply",
            "Forward",
            "Attachments",
            "Save",
            "Cancel",
            "Page ",
            "Password",
            "Message",
            "Unread",
            "Yesterday",
            "Not found",
            "From:",
        ];
        for word in ENGLISH {
            // As a word of its own: "Cancelar" is not "Cancel".
            let alone = text.match_indices(word).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + word.len()..].chars().next();
                !before.is_some_and(char::is_alphabetic) && !after.is_some_and(char::is_alphabetic)
            });
            assert!(!alone, "{what} in Portuguese still says {word:?}:\n{text}");
        }
    }
}

async fn page_in(app: &TestApp, path: &str) -> (StatusCode, Html) {
    app.page(path).await
}

/// A fresh app whose client asks for `accept_language`.
async fn app_speaking(accept_language: &str) -> TestApp {
    let mut app = spawn_app().await;
    app.client = browser_speaking(accept_language);
    app
}

#[tokio::test]
async fn the_login_page_follows_the_browsers_language() {
    for (header, lang, button) in [
        ("pt-BR,pt;q=0.9,en;q=0.8", "pt-BR", "Entrar"),
        ("pt-PT", "pt-BR", "Entrar"),
        ("en-US,en;q=0.9,pt-BR;q=0.8", "en", "Sign in"),
        ("fr-FR, de;q=0.5", "en", "Sign in"),
        ("en;q=0.1, pt;q=0.7", "pt-BR", "Entrar"),
    ] {
        let app = app_speaking(header).await;
        let (status, html) = page_in(&app, "/login").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(lang_of(&html), lang, "{header}");
        assert_eq!(texts(&html, "form button"), [button], "{header}");
    }
    // No header at all: English.
    let app = spawn_app().await;
    let (_, html) = page_in(&app, "/login").await;
    assert_eq!(lang_of(&html), "en");
}

#[tokio::test]
async fn a_brazilian_browser_gets_portuguese_pages_errors_and_notices() {
    let app = app_speaking("pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7").await;
    let response = app.login_as(&app.user, "senha errada").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let html = Html::parse_document(&response.text().await.unwrap());
    assert_eq!(
        texts(&html, "#login-error"),
        ["Usuário ou senha incorretos. Confira e tente de novo."]
    );
    app.login().await;
    let (status, html) = page_in(&app, "/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lang_of(&html), "pt-BR");
    assert_eq!(texts(&html, "h1"), ["Caixa de entrada"]);
    assert_eq!(texts(&html, "p.empty"), ["Nenhuma mensagem aqui."]);
    let (status, html) = page_in(&app, "/mail/INBOX/4242").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(texts(&html, "h1"), ["Não encontrado"]);
    let (status, html) = page_in(&app, "/mail/INBOX?page=zero").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        texts(&html, ".error-message"),
        ["Esse número de página não é válido."]
    );
    let (_, html) = page_in(&app, "/mail/INBOX?done=trashed&n=3&to=Trash").await;
    assert_eq!(
        texts(&html, "[role=status]").join(" "),
        "3 mensagens movidas para a Lixeira."
    );
}

#[tokio::test]
async fn the_language_setting_beats_the_browser_and_survives_a_new_login_elsewhere() {
    let app = app_speaking("en-US,en;q=0.9").await;
    app.login().await;
    let (_, html) = page_in(&app, "/settings").await;
    assert_eq!(lang_of(&html), "en");
    let options = crate::helpers::attrs(&html, "#language option", "value");
    assert_eq!(options, ["", "en", "pt-BR"]);
    assert_eq!(
        texts(&html, "#language option"),
        [
            "Automatic (your browser's language)",
            "English",
            "Português (Brasil)"
        ]
    );
    let csrf = app.csrf_token().await;
    let response = app
        .post_form(
            "/settings",
            &[("csrf", &csrf), ("signature", ""), ("language", "pt-BR")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = page_in(&app, "/settings?saved=1").await;
    assert_eq!(
        lang_of(&html),
        "pt-BR",
        "the choice wins over Accept-Language"
    );
    assert_eq!(texts(&html, "[role=status]"), ["Configurações salvas."]);
    assert_eq!(
        first_attr(&html, "#language option[selected]", "value").as_deref(),
        Some("pt-BR")
    );
    // Error pages of the session follow the choice too.
    let (_, html) = page_in(&app, "/mail/INBOX/4242").await;
    assert_eq!(texts(&html, "h1"), ["Não encontrado"]);

    // Stored on the mail server, where any other instance finds it at login.
    assert_eq!(
        app.imap().await.setting(LANGUAGE_SETTING).await.as_deref(),
        Some("pt-BR")
    );
    let mut elsewhere = spawn_app().await;
    elsewhere.client = browser_speaking("en-US");
    elsewhere.user = app.user.clone();
    let response = elsewhere.login_as(&app.user, TEST_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = page_in(&elsewhere, "/mail/INBOX").await;
    assert_eq!(lang_of(&html), "pt-BR");
    assert_eq!(texts(&html, "h1"), ["Caixa de entrada"]);

    // Back to automatic: the browser decides again, and the server forgets the choice.
    let csrf = elsewhere.csrf_token().await;
    elsewhere
        .post_form(
            "/settings",
            &[("csrf", &csrf), ("signature", ""), ("language", "")],
        )
        .await;
    let (_, html) = page_in(&elsewhere, "/mail/INBOX").await;
    assert_eq!(lang_of(&html), "en");
    assert_eq!(app.imap().await.setting(LANGUAGE_SETTING).await, None);
    // A form without the field (an older page) leaves the choice alone.
    let csrf = elsewhere.csrf_token().await;
    elsewhere
        .post_form("/settings", &[("csrf", &csrf), ("signature", "Abraços")])
        .await;
    assert_eq!(app.imap().await.setting(LANGUAGE_SETTING).await, None);
}

#[tokio::test]
async fn list_dates_are_relative_and_sizes_use_the_languages_decimal_comma() {
    let mut app = app_speaking("pt-BR").await;
    app.login().await;
    let mut imap = app.imap().await;
    let now = Local::now();
    let yesterday = now - Duration::days(1);
    let old = "Sun, 12 Mar 2023 10:42:00 -0300";
    let big = "x".repeat(1_600_000);
    for (subject, date, body) in [
        ("Antiga", old.to_string(), "a"),
        ("Ontem", yesterday.to_rfc2822(), "b"),
        ("Hoje", now.to_rfc2822(), big.as_str()),
    ] {
        imap.append(
            "INBOX",
            &message("Ana <ana@example.test>", subject, &date, body),
            None,
        )
        .await;
    }
    let old_shown = chrono::DateTime::parse_from_rfc2822(old)
        .unwrap()
        .with_timezone(&Local);
    let (_, html) = page_in(&app, "/mail/INBOX").await;
    assert_eq!(texts(&html, "td.subject a"), ["Hoje", "Ontem", "Antiga"]);
    assert_eq!(
        texts(&html, "td.date"),
        [
            now.format("%H:%M").to_string(),
            "Ontem".to_string(),
            old_shown.format("%d/%m/%Y").to_string()
        ]
    );
    assert_eq!(texts(&html, "td.size")[0], "1,5 MB");

    app.client = browser_speaking("en");
    app.login().await;
    let (_, html) = page_in(&app, "/mail/INBOX").await;
    assert_eq!(lang_of(&html), "en");
    assert_eq!(
        texts(&html, "td.date"),
        [
            now.format("%H:%M").to_string(),
            "Yesterday".to_string(),
            old_shown.format("%-d %b %Y").to_string()
        ]
    );
    assert_eq!(texts(&html, "td.size")[0], "1.5 MB");
    // The message page keeps the full date.
    let (_, html) = page_in(&app, "/mail/INBOX/1").await;
    assert_eq!(
        texts(&html, "dd.date"),
        [old_shown.format("%-d %b %Y %H:%M").to_string()]
    );
}

/// Seeds a mailbox that makes every part of every page appear: a conversation, flags, an
/// attachment, remote images, a message too large to show whole, messages in Trash, a folder.
async fn seed_everything(app: &TestApp) -> u32 {
    let mut imap = app.imap().await;
    imap.create("Fam&AO0-lia").await;
    let first = "From: Ana <ana@example.test>\r\nTo: someone@example.test\r\n\
Subject: Obra\r\nDate: Mon, 3 Mar 2025 10:42:00 -0300\r\nMessage-ID: <obra-1@example.test>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n--XYZ\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nSegue a planta.\r\n--XYZ\r\n\
Content-Type: application/pdf; name=planta.pdf\r\nContent-Disposition: attachment; filename=planta.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--XYZ--\r\n";
    imap.append("INBOX", first.as_bytes(), Some("(\\Flagged \\Answered)"))
        .await;
    let reply = "From: Bia <bia@example.test>\r\nTo: ana@example.test\r\nSubject: Re: Obra\r\n\
Date: Tue, 4 Mar 2025 09:00:00 -0300\r\nMessage-ID: <obra-2@example.test>\r\n\
In-Reply-To: <obra-1@example.test>\r\nReferences: <obra-1@example.test>\r\n\
MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<p>Ficou ótima <img src=\"https://tracker.example/p.gif\"></p>\r\n";
    imap.append("INBOX", reply.as_bytes(), None).await;
    let big = "y".repeat(1_200_000);
    imap.append(
        "INBOX",
        &message(
            "Caio <caio@example.test>",
            "Grande",
            "Wed, 5 Mar 2025 08:00:00 -0300",
            &big,
        ),
        None,
    )
    .await;
    for subject in ["Lixo um", "Lixo dois"] {
        imap.append(
            "Trash",
            &message(
                "x@example.test",
                subject,
                "Thu, 6 Mar 2025 08:00:00 -0300",
                "z",
            ),
            None,
        )
        .await;
    }
    imap.uids("Trash").await[0]
}

#[tokio::test]
async fn every_page_in_both_languages_has_every_message() {
    for (header, lang) in [("en", "en"), ("pt-BR", "pt-BR")] {
        let app = app_speaking(header).await;
        let (_, html) = page_in(&app, "/login").await;
        check_page(&html, lang, "login");
        let (_, html) = page_in(&app, "/login?out=1").await;
        check_page(&html, lang, "signed out");
        let (_, html) = page_in(&app, "/no/such/page").await;
        check_page(&html, lang, "404 without a session");
        let response = app.login_as(&app.user, "wrong").await;
        let html = Html::parse_document(&response.text().await.unwrap());
        check_page(&html, lang, "wrong password");
        let response = app.login_as("", "").await;
        let html = Html::parse_document(&response.text().await.unwrap());
        check_page(&html, lang, "empty login");

        app.login().await;
        let trash_uid = seed_everything(&app).await;
        let csrf = app.csrf_token().await;
        let pages = [
            "/mail/INBOX",
            "/mail/INBOX?page=1&view=threads",
            "/mail/INBOX?q=Obra",
            "/mail/INBOX?q=nada-disso&unread=1",
            "/mail/INBOX?done=moved&n=2&to=Fam%C3%ADlia&undo_from=Fam%C3%ADlia&undo_uids=1:2&undo_to=INBOX",
            "/mail/INBOX?done=read&n=1",
            "/mail/Trash",
            "/mail/Sent",
            "/mail/INBOX/1",
            "/mail/INBOX/2",
            "/mail/INBOX/3",
            "/search?q=Obra",
            "/search?q=nada-disso",
            "/compose",
            "/compose?sent=1",
            "/compose?folder=INBOX&reply=1",
            "/compose?folder=INBOX&reply=2&all=1",
            "/compose?folder=INBOX&forward=1",
            "/compose?folder=INBOX&forward=1&attach=1",
            "/settings",
            "/settings?saved=1",
            "/settings/vacation",
            "/settings/vacation?saved=1",
            "/settings/vacation?off=1",
            "/settings/filters",
            "/settings/filters?saved=1",
            "/settings/filters/rule",
            "/settings/filters/rule?list=obra.lists.example.org",
            "/settings/filters/script",
            "/settings/filters/script?saved=1",
            // Without a backend (this app has none): "changed elsewhere". The form and its
            // refusals are checked in Portuguese by password.rs, with a backend.
            "/settings/password",
            "/folders",
            "/folders?done=created&name=Fam%C3%ADlia",
            "/apps",
            "/mail/INBOX/999",
            "/mail/INBOX?page=x",
        ];
        for path in pages {
            let (status, html) = page_in(&app, path).await;
            assert!(
                status.is_success() || status.is_client_error(),
                "{path}: {status}"
            );
            check_page(&html, lang, path);
        }
        // Pages that only a form brings up.
        let response = app
            .post_form(
                "/mail/Trash/actions",
                &[
                    ("csrf", &csrf),
                    ("uid", &trash_uid.to_string()),
                    ("action", "delete"),
                ],
            )
            .await;
        let html = Html::parse_document(&response.text().await.unwrap());
        check_page(&html, lang, "confirm deleting one");
        let response = app
            .post_form(
                "/mail/Trash/actions",
                &[("csrf", &csrf), ("all", "1"), ("action", "empty")],
            )
            .await;
        let html = Html::parse_document(&response.text().await.unwrap());
        check_page(&html, lang, "confirm emptying");
        let response = app
            .post_form(
                "/folders",
                &[("csrf", &csrf), ("action", "delete"), ("name", "Família")],
            )
            .await;
        let html = Html::parse_document(&response.text().await.unwrap());
        check_page(&html, lang, "confirm deleting a folder");
        let response = app
            .post_form(
                "/folders",
                &[
                    ("csrf", &csrf),
                    ("action", "rename"),
                    ("name", "INBOX"),
                    ("new_name", "x"),
                ],
            )
            .await;
        let html = Html::parse_document(&response.text().await.unwrap());
        check_page(&html, lang, "refused rename");
        let response = app
            .post_form(
                "/mail/INBOX/actions",
                &[("csrf", &csrf), ("action", "read")],
            )
            .await;
        let html = Html::parse_document(&response.text().await.unwrap());
        check_page(&html, lang, "nothing selected");
        let response = app
            .post_form("/settings", &[("csrf", "forged"), ("signature", "x")])
            .await;
        let html = Html::parse_document(&response.text().await.unwrap());
        check_page(&html, lang, "forged form");
        let response = post_compose(
            &app,
            form(
                &csrf,
                &[
                    ("to", "joão arroba exemplo"),
                    ("subject", "Teste"),
                    ("body", "Olá"),
                    ("action", "send"),
                ],
                &[("anexo.txt", b"conteudo")],
            ),
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = Html::parse_document(&response.text().await.unwrap());
        check_page(&html, lang, "send refused");
        let draft = crate::helpers::attrs(&html, "input[name=draft_uid]", "value");
        let (_, html) = page_in(&app, &format!("/compose?draft={}&saved=1", draft.join(""))).await;
        check_page(&html, lang, "saved draft");
    }
}

#[tokio::test]
async fn replies_and_forwards_are_introduced_in_the_writers_language() {
    let app = app_speaking("pt-BR").await;
    app.login().await;
    app.imap()
        .await
        .append(
            "INBOX",
            &message(
                "Ana <ana@example.test>",
                "Obra",
                "Fri, 7 Mar 2025 16:20:00 +0000",
                "Vamos às 12h?",
            ),
            None,
        )
        .await;
    let shown = chrono::DateTime::parse_from_rfc2822("Fri, 7 Mar 2025 16:20:00 +0000")
        .unwrap()
        .with_timezone(&Local);
    let (_, html) = page_in(&app, "/compose?folder=INBOX&reply=1").await;
    let body = texts(&html, "#body").join("");
    let months = [
        "jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.",
        "dez.",
    ];
    use chrono::Datelike;
    let expected = format!(
        "Em {} de {} de {} às {}, Ana escreveu:\n> Vamos às 12h?",
        shown.day(),
        months[shown.month0() as usize],
        shown.year(),
        shown.format("%H:%M")
    );
    assert!(body.contains(&expected), "{body:?} lacks {expected:?}");
    let (_, html) = page_in(&app, "/compose?folder=INBOX&forward=1").await;
    let body = texts(&html, "#body").join("");
    assert!(
        body.contains(
            "---------- Mensagem encaminhada ----------\nDe: Ana <ana@example.test>\nData: "
        ),
        "{body:?}"
    );
    assert!(
        body.contains("\nAssunto: Obra\nPara: someone@example.test\n"),
        "{body:?}"
    );
}

#[tokio::test]
async fn translated_sentences_escape_what_they_carry() {
    let app = app_speaking("pt-BR").await;
    app.login().await;
    let body = app
        .get("/mail/INBOX?done=moved&n=1&to=%3Cb%20onclick%3D%22x%22%3EOi%3C%2Fb%3E")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("1 mensagem movida para &#60;b onclick=&#34;x&#34;&#62;Oi&#60;/b&#62;.")
            || body.contains("1 mensagem movida para &lt;b onclick=&quot;x&quot;&gt;Oi&lt;/b&gt;."),
        "{body}"
    );
    assert!(!body.contains("<b onclick"), "{body}");
}
