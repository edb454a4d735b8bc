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
