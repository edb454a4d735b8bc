//! Recipient suggestions: the people written to, collected from the real Sent folder (mail
//! sent through the real Postfix, its copy filed in the real Dovecot), offered by
//! `/contacts/suggest` and by the compose page's `<datalist>`; and the collected addresses
//! read incrementally, straight from an IMAP session.

use carteiro::contacts::collected::Collected;
use carteiro::imap::conn::ReadMark;
use reqwest::StatusCode;
use serde::Deserialize;

use crate::compose::{form, post_compose};
use crate::helpers::{attrs, fresh_user, spawn_app, TestApp};
use crate::mail_layer::direct;

#[derive(Deserialize, Debug)]
struct Found {
    name: String,
    address: String,
    source: String,
    text: String,
}

async fn suggest(app: &TestApp, q: &str) -> Vec<Found> {
    let response = app
        .client
        .get(app.url("/contacts/suggest"))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

async fn send(app: &TestApp, to: &str, cc: &str) {
    let csrf = app.csrf_token().await;
    let response = post_compose(
        app,
        form(
            &csrf,
            &[
                ("to", to),
                ("cc", cc),
                ("subject", "Oi"),
                ("body", "Tudo bem?\n"),
                ("action", "send"),
            ],
            &[],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "sent");
}

#[tokio::test]
async fn people_written_to_are_suggested_as_collected_whatever_the_accents_and_case() {
    let app = spawn_app().await;
    app.login().await;
    let joao = fresh_user("joao");
    let maria = fresh_user("maria");
    send(
        &app,
        &format!("João Conceição <{joao}>"),
        &format!("\"Maria de São Pedro\" <{maria}>"),
    )
    .await;

    for typed in ["joao", "JOÃO", "conceicao", "t-joao"] {
        let found = suggest(&app, typed).await;
        assert_eq!(found.len(), 1, "{typed}: {found:?}");
        assert_eq!(found[0].address, joao);
        assert_eq!(found[0].name, "João Conceição");
        assert_eq!(found[0].source, "collected");
        assert_eq!(found[0].text, format!("João Conceição <{joao}>"));
    }
    let found = suggest(&app, "sao").await;
    assert_eq!(
        found.iter().map(|f| f.address.as_str()).collect::<Vec<_>>(),
        [maria.as_str()]
    );
    assert!(suggest(&app, "nobody-like-this").await.is_empty());
    assert!(suggest(&app, "").await.is_empty());

    // Without JavaScript, the compose page lists them for the browser to offer.
    let (_, html) = app.page("/compose").await;
    let offered = attrs(&html, "datalist#recipients option", "value");
    assert!(
        offered.contains(&format!("João Conceição <{joao}>")),
        "{offered:?}"
    );
    assert_eq!(
        attrs(&html, "input[list=recipients]", "name"),
        ["to", "cc", "bcc"]
    );
}

#[tokio::test]
async fn the_next_message_sent_is_suggested_too_and_the_earlier_ones_stay() {
    let app = spawn_app().await;
    app.login().await;
    let first = fresh_user("primeiro");
    send(&app, &first, "").await;
    assert_eq!(suggest(&app, "t-primeiro").await.len(), 1);
    let second = fresh_user("segundo");
    send(&app, &format!("Segundo <{second}>"), "").await;
    let found = suggest(&app, "segundo").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].address, second);
    assert_eq!(suggest(&app, "t-primeiro").await.len(), 1);
}

#[tokio::test]
async fn suggestions_need_a_signed_in_session() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/contacts/suggest?q=a"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(!content_type.contains("json"), "{content_type}");
}

fn sent_to(to: &str) -> Vec<u8> {
    format!(
        "From: me@example.test\r\nTo: {to}\r\nSubject: x\r\nDate: Mon, 1 Dec 2025 10:00:00 +0000\r\n\r\nx\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn collected_addresses_read_only_newer_messages_and_start_over_on_a_new_uidvalidity() {
    let d = direct("collect").await;
    let imap = &d.account.imap;
    let mut seed = crate::helpers::Imap::connect(&d.account.username).await;
    seed.append("Sent", &sent_to("Ana <ana@example.test>"), None)
        .await;
    seed.append("Sent", &sent_to("bia@example.test"), None)
        .await;

    let mut collected = Collected::new(&d.account.username);
    collected.refresh(imap, "Sent").await.unwrap();
    assert!(collected.contains("ana@example.test") && collected.contains("bia@example.test"));
    let mark = collected.mark().expect("a mark");
    assert_eq!(mark.last_uid, 2);

    // Nothing new: nothing read.
    let again = imap
        .recipient_headers("Sent", Some(mark), 2000)
        .await
        .unwrap();
    assert!(!again.restarted && again.messages.is_empty());

    // One new message: only it is read, and added to what was there.
    seed.append("Sent", &sent_to("Caio <caio@example.test>"), None)
        .await;
    let newer = imap
        .recipient_headers("Sent", Some(mark), 2000)
        .await
        .unwrap();
    assert_eq!(newer.messages.iter().map(|m| m.0).collect::<Vec<_>>(), [3]);
    collected.refresh(imap, "Sent").await.unwrap();
    assert_eq!(collected.len(), 3);
    assert_eq!(collected.mark().unwrap().last_uid, 3);

    // A mark from another UIDVALIDITY counts for nothing: everything is read again, within
    // the bound (the newest first).
    let stale = ReadMark {
        uid_validity: mark.uid_validity.wrapping_add(1),
        last_uid: 3,
    };
    let fresh = imap
        .recipient_headers("Sent", Some(stale), 2)
        .await
        .unwrap();
    assert!(fresh.restarted);
    assert_eq!(
        fresh.messages.iter().map(|m| m.0).collect::<Vec<_>>(),
        [2, 3]
    );
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BrowserReport {
    signed_in: bool,
    errors: Vec<String>,
    steps: serde_json::Map<String, serde_json::Value>,
}

#[tokio::test]
async fn in_chromium_typing_a_name_offers_it_and_arrow_enter_inserts_it_and_without_script_typed_addresses_still_send(
) {
    let app = spawn_app().await;
    app.login().await;
    let joao = fresh_user("joao");
    send(&app, &format!("João Conceição <{joao}>"), "").await;
    let no_js_to = fresh_user("semscript");
    let plan = serde_json::json!({
        "base": app.base_url,
        "username": app.user,
        "password": crate::helpers::TEST_PASSWORD,
        "typed": "conce",
        "noJsTo": format!("Sem Script <{no_js_to}>"),
    });
    let report: BrowserReport = crate::browser::run_harness("autocomplete.mjs", &plan).await;
    assert!(report.signed_in);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let step = |name: &str| -> &serde_json::Value {
        let s = &report.steps[name];
        assert_eq!(s["ok"], true, "{name}: {s}");
        s
    };
    let chosen = format!("João Conceição <{joao}>, ");

    let keyboard = step("keyboard");
    assert_eq!(keyboard["role"], "combobox", "{keyboard}");
    assert_eq!(keyboard["listbox"], "listbox");
    assert_eq!(keyboard["datalistDropped"], true);
    assert_eq!(keyboard["expanded"], "true");
    let options = keyboard["options"].as_array().unwrap();
    assert_eq!(options.len(), 1, "{keyboard}");
    let option = options[0].as_str().unwrap();
    assert!(
        option.contains("João Conceição") && option.contains(&joao),
        "{option}"
    );
    assert!(
        option.contains("written to before"),
        "marked as collected: {option}"
    );
    assert_eq!(
        keyboard["announced"]
            .as_str()
            .unwrap()
            .trim()
            .split('.')
            .next(),
        Some("One suggestion")
    );
    assert_eq!(keyboard["activeRole"], "option");
    assert_eq!(keyboard["activeSelected"], "true");
    assert_eq!(keyboard["value"], chosen.as_str(), "Enter inserted it");
    assert_eq!(keyboard["expandedAfter"], "false");
    assert_eq!(
        keyboard["stayed"], true,
        "Enter on a suggestion does not submit"
    );

    let mouse = step("mouseKeepsWhatCameBefore");
    assert_eq!(
        mouse["value"],
        format!("ana@example.test, {chosen}").as_str()
    );

    let escape = step("escape");
    assert_eq!(escape["hidden"], true);
    assert_eq!(escape["expanded"], "false");
    assert_eq!(escape["value"], "conce", "Escape keeps what was typed");

    let in_place = step("inPlace");
    assert_eq!(in_place["noReload"], true, "{in_place}");
    assert_eq!(in_place["options"].as_array().unwrap().len(), 1);

    let axe = step("axe");
    let serious: Vec<_> = axe["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");

    let no_js = step("noJavaScript");
    assert_eq!(
        no_js["role"],
        serde_json::Value::Null,
        "no script, no combobox"
    );
    assert!(
        no_js["datalist"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v.as_str() == Some(&format!("João Conceição <{joao}>"))),
        "{no_js}"
    );
    assert!(
        no_js["url"].as_str().unwrap().ends_with("/compose?sent=1"),
        "{no_js}"
    );
    let delivered = crate::helpers::Imap::connect(&no_js_to)
        .await
        .wait_for("INBOX", 1)
        .await;
    assert_eq!(delivered.len(), 1);
}
