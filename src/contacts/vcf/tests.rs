use super::*;

fn card(name: &str, email: &str) -> String {
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEMAIL:{email}\r\nUID:{email}\r\nEND:VCARD\r\n"
    )
}

#[test]
fn a_file_of_mixed_cards_imports_the_good_and_names_the_bad() {
    let file = [
        "\u{feff}".to_string(),
        card("Ana", "ana@example.com"),
        // vCard 4, LF line ends, a folded line, no UID.
        "BEGIN:VCARD\nVERSION:4.0\nFN:Bruno Con\n ceição\nEMAIL;PREF=1:bruno@example.com\nEND:VCARD\n".into(),
        "this is not a card\r\n".into(),
        "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:123\r\nEND:VCARD\r\n".into(),
        // Never ended: the next card begins.
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Short\r\n".into(),
        card("Dora", "dora@example.com"),
    ]
    .concat();
    let import = import(file.as_bytes()).unwrap();
    let names: Vec<_> = import
        .cards
        .iter()
        .map(|c| c.contact.name.as_str())
        .collect();
    assert_eq!(names, ["Ana", "Bruno Conceição", "Dora"]);
    assert_eq!(
        import
            .skipped
            .iter()
            .map(|s| (s.position, s.reason))
            .collect::<Vec<_>>(),
        [
            (3, SkipReason::Malformed),
            (4, SkipReason::NoNameOrAddress),
            (5, SkipReason::Malformed),
        ]
    );
    assert_eq!(import.skipped[0].label, "this is not a card");
    assert_eq!(import.skipped[2].label, "Cut Short");
    assert_eq!(import.skipped_total, 3);
    // A card without a UID gets one; one with a UID keeps it.
    assert_eq!(import.cards[0].contact.uid, "ana@example.com");
    let bruno = &import.cards[1];
    assert!(!bruno.contact.uid.is_empty());
    assert_eq!(vcard::read(&bruno.vcard).unwrap().uid, bruno.contact.uid);
}

#[test]
fn an_export_reads_back_as_the_same_contacts() {
    let cards = [
        card("Ana", "ana@example.com"),
        card("Dora", "dora@example.com"),
    ];
    let file = export(cards.iter().map(String::as_str));
    assert_eq!(file.matches("BEGIN:VCARD").count(), 2);
    assert!(file.ends_with("END:VCARD\r\n"));
    let back = import(file.as_bytes()).unwrap();
    assert_eq!(back.cards.len(), 2);
    assert_eq!(back.skipped_total, 0);
    assert_eq!(back.cards[1].contact.emails, ["dora@example.com"]);
}

#[test]
fn a_file_is_bounded_in_size_and_in_cards() {
    assert!(import(&vec![b'x'; MAX_IMPORT_BYTES + 1]).is_none());
    let many: String = (0..MAX_IMPORT_CARDS + 10)
        .map(|i| card(&format!("P{i}"), &format!("p{i}@example.com")))
        .collect();
    let import = import(many.as_bytes()).unwrap();
    assert_eq!(import.cards.len(), MAX_IMPORT_CARDS);
    assert_eq!(import.skipped_total, 10);
    assert!(import
        .skipped
        .iter()
        .all(|s| s.reason == SkipReason::TooMany));
}

#[test]
fn the_list_of_skipped_entries_is_bounded_but_counted() {
    let junk = "BEGIN:VCARD\nTEL:1\nEND:VCARD\n".repeat(MAX_LISTED + 50);
    let import = import(junk.as_bytes()).unwrap();
    assert_eq!(import.skipped.len(), MAX_LISTED);
    assert_eq!(import.skipped_total, MAX_LISTED + 50);
}

#[test]
fn hostile_files_never_panic() {
    let huge_line = "A".repeat(MAX_IMPORT_BYTES);
    let one = import(huge_line.as_bytes()).unwrap();
    assert_eq!((one.cards.len(), one.skipped_total), (0, 1));
    assert!(one.skipped[0].label.chars().count() <= 80);
    let mut emails = String::from("BEGIN:VCARD\nVERSION:3.0\nFN:Many\n");
    for i in 0..10_000 {
        emails.push_str(&format!("EMAIL:a{i}@example.com\n"));
    }
    emails.push_str("END:VCARD\n");
    let many = import(emails.as_bytes()).unwrap();
    assert_eq!(many.skipped[0].reason, SkipReason::TooLarge);
    for bytes in [
        &b""[..],
        b"\xff\xfe\x00B\x00E",
        b"END:VCARD\nEND:VCARD\n",
        b"BEGIN:VCARD\nBEGIN:VCARD\nBEGIN:VCARD\n",
        b"BEGIN:VCARD\r\nFN:\xc3\r\nEND:VCARD",
        b"\r\r\r\n\n\n\t \x00",
    ] {
        let _ = import(bytes);
    }
    let latin1 = import(b"BEGIN:VCARD\nVERSION:3.0\nFN:Jo\xe3o\nEND:VCARD\n").unwrap();
    assert_eq!(
        latin1.cards.len(),
        1,
        "bytes that are not UTF-8 are replaced, not fatal"
    );
}
