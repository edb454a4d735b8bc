//! Expert mode and the safety rules, against the real ManageSieve server: the server's
//! CHECKSCRIPT error shown next to its line, a valid script saved as typed, a hand-edited
//! `carteiro` script kept under another name before Carteiro replaces it, another program's
//! active script never overwritten and replaced only after the person confirms, and the
//! server's own words when a script is over its size limit.

use reqwest::StatusCode;

use carteiro::sieve::script::SCRIPT_NAME;

use crate::filters::{filters_app, own_script, post, server_filters, sieve};
use crate::helpers::{first_attr, texts};

#[tokio::test]
async fn an_invalid_script_shows_the_servers_error_next_to_its_line_and_is_not_saved() {
    let app = filters_app().await;
    let broken = "require \"fileinto\";\nif header :contains \"subject\" \"x\" {\n  fileinto \"Lixo\"\n}\nkeep;\n";
    let (status, html, _) = post(
        &app,
        "/settings/filters/script",
        &[
            ("name", SCRIPT_NAME),
            ("script", broken),
            ("submit", "check"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", html.html());
    let error = texts(&html, "#filters-error").join(" ");
    assert!(error.starts_with("Line 4:"), "{error}");
    let wrong = texts(&html, "#wrong-line").join(" ");
    assert!(wrong.contains('}'), "the wrong line is marked: {wrong}");
    assert!(
        wrong.contains('←'),
        "with the server's words beside it: {wrong}"
    );
    assert_eq!(
        texts(&html, "#script-text").join("").replace("\r\n", "\n"),
        broken.trim_end_matches('\n'),
        "the text stays as typed"
    );
    // Saving it is refused the same way, and nothing is written.
    let (status, _, _) = post(
        &app,
        "/settings/filters/script",
        &[
            ("name", SCRIPT_NAME),
            ("script", broken),
            ("submit", "save"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own_script(&app).await.is_none());
}

#[tokio::test]
async fn a_valid_script_is_checked_then_saved_as_typed() {
    let app = filters_app().await;
    let good = "require [\"fileinto\"];\n# by hand\nif header :contains \"subject\" \"[spam]\" {\n  fileinto \"Junk\";\n}\n";
    let (status, html, _) = post(
        &app,
        "/settings/filters/script",
        &[("name", SCRIPT_NAME), ("script", good), ("submit", "check")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!texts(&html, "#script-notice").is_empty());
    assert!(own_script(&app).await.is_none(), "checking saves nothing");
    let (status, _, location) = post(
        &app,
        "/settings/filters/script",
        &[("name", SCRIPT_NAME), ("script", good), ("submit", "save")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("saved=1"), "{location}");
    let (text, active) = own_script(&app).await.expect("saved");
    assert_eq!(text.replace("\r\n", "\n"), good);
    assert!(active);
    // The rules view says it cannot show it, and points at the editor.
    let (_, list) = app.page("/settings/filters").await;
    assert_eq!(texts(&list, "#foreign-script").len(), 1);
    let (_, editor) = app.page("/settings/filters/script").await;
    assert_eq!(
        texts(&editor, "#script-text")
            .join("")
            .replace("\r\n", "\n"),
        good.trim_end_matches('\n')
    );
}

#[tokio::test]
async fn a_hand_edited_carteiro_script_is_kept_before_carteiro_replaces_it() {
    let app = filters_app().await;
    let by_hand = "# edited by hand\nkeep;\n";
    let mut direct = sieve(&app).await;
    direct.put(SCRIPT_NAME, by_hand).await.expect("PUTSCRIPT");
    direct
        .set_active(Some(SCRIPT_NAME))
        .await
        .expect("SETACTIVE");
    direct.logout().await;

    let (status, html, location) = post(
        &app,
        "/settings/filters/forward",
        &[
            ("enabled", "yes"),
            ("to", "outro@example.test"),
            ("keep_copy", "yes"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", html.html());
    let kept = carteiro::mail::filters::save::kept_name(by_hand);
    assert!(kept.starts_with("carteiro-kept-") && kept.len() == "carteiro-kept-".len() + 8);
    assert!(location.contains("kept="), "{location}");
    let mut direct = sieve(&app).await;
    assert_eq!(
        direct.get(&kept).await.expect("kept on the server"),
        by_hand
    );
    let list = direct.list().await.unwrap();
    assert!(list.iter().any(|s| s.name == SCRIPT_NAME && s.active));
    direct.logout().await;
    assert!(server_filters(&app).await.forward.enabled);
    let (_, page) = app.page(&location).await;
    assert!(texts(&page, "[role=status]").join(" ").contains(&kept));
}

#[tokio::test]
async fn another_programs_active_script_is_never_overwritten_and_replacing_it_needs_a_yes() {
    let app = filters_app().await;
    let theirs = "require [\"fileinto\"];\n# roundcube\nif header :contains \"subject\" \"x\" { fileinto \"Junk\"; }\n";
    let mut direct = sieve(&app).await;
    direct.put("roundcube", theirs).await.expect("PUTSCRIPT");
    direct
        .set_active(Some("roundcube"))
        .await
        .expect("SETACTIVE");
    direct.logout().await;

    let (_, list) = app.page("/settings/filters").await;
    assert!(texts(&list, "#active-script")[0].contains("roundcube"));
    let edit = first_attr(&list, "#other-active a", "href").expect("offered in the editor");
    let (status, editor) = app.page(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        texts(&editor, "#script-text")
            .join("")
            .replace("\r\n", "\n"),
        theirs.trim_end_matches('\n')
    );

    // Saving asks first, and changes nothing until the person says yes.
    let fields = [("enabled", "yes"), ("to", "outro@example.test")];
    let (status, html, _) = post(&app, "/settings/filters/forward", &fields).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(texts(&html, "#confirm-other").len(), 1);
    assert_eq!(
        first_attr(&html, "#forward-to", "value").as_deref(),
        Some("outro@example.test")
    );
    let mut direct = sieve(&app).await;
    let list = direct.list().await.unwrap();
    assert!(list.iter().any(|s| s.name == "roundcube" && s.active));
    assert!(!list.iter().any(|s| s.name == SCRIPT_NAME));
    direct.logout().await;

    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm", "yes"));
    let (status, _, _) = post(&app, "/settings/filters/forward", &confirmed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut direct = sieve(&app).await;
    let list = direct.list().await.unwrap();
    assert!(list.iter().any(|s| s.name == SCRIPT_NAME && s.active));
    assert!(
        list.iter().any(|s| s.name == "roundcube" && !s.active),
        "still there"
    );
    assert_eq!(direct.get("roundcube").await.unwrap(), theirs, "untouched");
    direct.logout().await;
}

#[tokio::test]
async fn a_script_over_the_servers_limit_is_refused_in_the_servers_words() {
    let app = filters_app().await;
    // The stack allows 256 KiB per script.
    let huge = format!("# {}\nkeep;\n", "x".repeat(300 * 1024));
    let (status, html, _) = post(
        &app,
        "/settings/filters/script",
        &[("name", SCRIPT_NAME), ("script", &huge), ("submit", "save")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::INSUFFICIENT_STORAGE,
        "{}",
        texts(&html, "[role=alert]").join(" ")
    );
    let error = texts(&html, "#filters-error").join(" ");
    assert!(
        error.starts_with("Your mail server has no room for this:"),
        "{error}"
    );
    assert!(
        error.len() > "Your mail server has no room for this: ".len() + 3,
        "{error}"
    );
    assert!(own_script(&app).await.is_none());
}
