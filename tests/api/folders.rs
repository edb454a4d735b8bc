use reqwest::StatusCode;

use crate::helpers::{attrs, message, spawn_app, texts};

#[tokio::test]
async fn folder_list_labels_special_use_folders_and_links_nested_and_non_ascii_names() {
    let app = spawn_app().await;
    app.login().await;
    let mut imap = app.imap().await;
    // Modified UTF-7 on the wire: "Família" is "Fam&AO0-lia".
    imap.create("Fam&AO0-lia").await;
    imap.create("Projetos").await;
    imap.create("Projetos/Obra").await;
    imap.create("100% certo").await;
    imap.append(
        "Fam&AO0-lia",
        &message(
            "tia@example.test",
            "Almoço de domingo",
            "Sun, 2 Mar 2025 09:00:00 -0300",
            "Vamos?",
        ),
        None,
    )
    .await;
    imap.append(
        "Projetos/Obra",
        &message(
            "mestre@example.test",
            "Orçamento da obra",
            "Mon, 3 Mar 2025 10:00:00 -0300",
            "Segue.",
        ),
        None,
    )
    .await;
    imap.append(
        "Projetos/Obra",
        &message(
            "mestre@example.test",
            "Fotos",
            "Mon, 3 Mar 2025 11:00:00 -0300",
            "Anexo.",
        ),
        Some("(\\Seen)"),
    )
    .await;

    let (status, html) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
    let labels = texts(&html, ".folders .folder-name");
    assert_eq!(
        &labels[..6],
        ["Inbox", "Drafts", "Sent", "Archive", "Junk", "Trash"],
        "special-use folders come first, labelled by role"
    );
    for expected in ["Família", "Projetos", "Obra", "100% certo"] {
        assert!(
            labels.iter().any(|l| l == expected),
            "{expected} in {labels:?}"
        );
    }
    let links = attrs(&html, ".folders a", "href");
    assert!(
        links.contains(&"/mail/Fam%C3%ADlia".to_string()),
        "{links:?}"
    );
    assert!(
        links.contains(&"/mail/Projetos%2FObra".to_string()),
        "{links:?}"
    );
    assert!(
        links.contains(&"/mail/100%25%20certo".to_string()),
        "{links:?}"
    );
    // Unread count of the nested folder: one of its two messages is unread.
    let nested = texts(&html, ".folders li.depth-1 .unread-count");
    assert_eq!(nested, ["1"]);

    let (status, html) = app.page("/mail/Projetos%2FObra").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "td.subject a"), ["Fotos", "Orçamento da obra"]);
    let (status, html) = app.page("/mail/Fam%C3%ADlia").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "h1"), ["Família"]);
    assert_eq!(texts(&html, "td.subject a"), ["Almoço de domingo"]);
    let (status, _) = app.page("/mail/100%25%20certo").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_folder_that_does_not_exist_is_a_clear_404_page() {
    let app = spawn_app().await;
    app.login().await;
    let (status, html) = app.page("/mail/Nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(texts(&html, "h1"), ["Not found"]);
    // The session still works afterwards.
    let (status, _) = app.page("/mail/INBOX").await;
    assert_eq!(status, StatusCode::OK);
}

async fn folder_form(app: &crate::helpers::TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let csrf = app.csrf_token().await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    app.client
        .post(app.url("/folders"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn folders_are_created_nested_renamed_and_deleted_on_the_server() {
    let app = spawn_app().await;
    app.login().await;
    let response = folder_form(
        &app,
        &[("action", "create"), ("new_name", "Viagens & Ação")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = folder_form(
        &app,
        &[
            ("action", "create"),
            ("new_name", "Julho"),
            ("parent", "Viagens & Ação"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mut imap = app.imap().await;
    let names = imap.list().await;
    assert!(
        names.contains(&"Viagens &- A&AOcA4w-o".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"Viagens &- A&AOcA4w-o/Julho".to_string()),
        "{names:?}"
    );
    let (_, html) = app.page("/mail/INBOX").await;
    assert!(
        texts(&html, ".folders .folder-name").contains(&"Julho".to_string()),
        "new folders show in the list"
    );

    let response = folder_form(
        &app,
        &[
            ("action", "rename"),
            ("name", "Viagens & Ação/Julho"),
            ("new_name", "Agosto"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(imap
        .list()
        .await
        .contains(&"Viagens &- A&AOcA4w-o/Agosto".to_string()));

    let response = folder_form(
        &app,
        &[("action", "delete"), ("name", "Viagens & Ação/Agosto")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "asks first");
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(texts(&html, "[role=alert] p")[0].contains("cannot be undone"));
    assert!(imap
        .list()
        .await
        .contains(&"Viagens &- A&AOcA4w-o/Agosto".to_string()));
    folder_form(
        &app,
        &[
            ("action", "delete"),
            ("name", "Viagens & Ação/Agosto"),
            ("confirm", "1"),
        ],
    )
    .await;
    assert!(!imap
        .list()
        .await
        .contains(&"Viagens &- A&AOcA4w-o/Agosto".to_string()));
}

#[tokio::test]
async fn inbox_and_special_folders_cannot_be_renamed_or_deleted() {
    let app = spawn_app().await;
    app.login().await;
    for (action, name) in [("delete", "INBOX"), ("rename", "Sent"), ("delete", "Trash")] {
        let response = folder_form(
            &app,
            &[
                ("action", action),
                ("name", name),
                ("new_name", "X"),
                ("confirm", "1"),
            ],
        )
        .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{action} {name}"
        );
    }
    let names = app.imap().await.list().await;
    for name in ["INBOX", "Sent", "Trash"] {
        assert!(names.contains(&name.to_string()));
    }
    let response = folder_form(&app, &[("action", "create"), ("new_name", "Sent")]).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the server's refusal is shown"
    );
}

#[tokio::test]
async fn unsubscribed_folders_leave_the_sidebar_but_stay_on_the_folders_page() {
    let app = spawn_app().await;
    app.login().await;
    app.imap().await.create("Antigos").await;
    let (_, html) = app.page("/mail/INBOX").await;
    assert!(texts(&html, ".folders .folder-name").contains(&"Antigos".to_string()));
    folder_form(&app, &[("action", "unsubscribe"), ("name", "Antigos")]).await;
    let (_, html) = app.page("/mail/INBOX").await;
    assert!(!texts(&html, ".folders .folder-name").contains(&"Antigos".to_string()));
    let (_, html) = app.page("/folders").await;
    assert!(texts(&html, ".folder-table td a").contains(&"Antigos".to_string()));
    assert!(
        texts(&html, ".quota")[0].starts_with("Using "),
        "quota shown"
    );
    folder_form(&app, &[("action", "subscribe"), ("name", "Antigos")]).await;
    let (_, html) = app.page("/mail/INBOX").await;
    assert!(texts(&html, ".folders .folder-name").contains(&"Antigos".to_string()));
}
