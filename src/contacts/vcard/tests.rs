use super::*;

const V3: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:João da Silva\r\nN:da Silva;João;;;\r\nEMAIL;TYPE=INTERNET:joao@home.example\r\nEMAIL;TYPE=INTERNET,pref:joao@work.example\r\nTEL;TYPE=CELL:+55 11 99999-0000\r\nORG:Acme;Vendas\r\nNOTE:Met at the fair\\, 2024\r\nUID:abc-123\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r\nBDAY:1980-04-01\r\nADR;TYPE=HOME:;;Rua A\\, 10;São Paulo;SP;01000-000;Brasil\r\nitem1.X-ABLabel:custom\r\nEND:VCARD\r\n";

const V4: &str = "BEGIN:VCARD\nVERSION:4.0\nFN:Ana Souza\nEMAIL;PREF=2:ana@b.example\nEMAIL;PREF=1:ana@a.example\nEMAIL:ana@c.example\nTEL;VALUE=uri:tel:+1-555-0100\nUID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\nEND:VCARD\n";

#[test]
fn a_vcard_3_is_read_with_the_preferred_address_first() {
    let c = read(V3).unwrap();
    assert_eq!(c.name, "João da Silva");
    assert_eq!(c.emails, ["joao@work.example", "joao@home.example"]);
    assert_eq!(c.phones, ["+55 11 99999-0000"]);
    assert_eq!(c.organization, "Acme, Vendas");
    assert_eq!(c.note, "Met at the fair, 2024");
    assert_eq!(c.uid, "abc-123");
}

#[test]
fn a_vcard_4_is_read_in_pref_order_without_uri_schemes() {
    let c = read(V4).unwrap();
    assert_eq!(c.name, "Ana Souza");
    assert_eq!(
        c.emails,
        ["ana@a.example", "ana@b.example", "ana@c.example"]
    );
    assert_eq!(c.phones, ["+1-555-0100"]);
    assert_eq!(c.uid, "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1");
}

#[test]
fn without_fn_the_name_comes_from_n() {
    let c = read("BEGIN:VCARD\nVERSION:3.0\nN:Souza;Ana;Maria;Dra.;\nEND:VCARD\n").unwrap();
    assert_eq!(c.name, "Dra. Ana Maria Souza");
    let c = read("BEGIN:VCARD\nVERSION:3.0\nFN:\nN:Souza;Ana;;;\nEND:VCARD\n").unwrap();
    assert_eq!(c.name, "Ana Souza");
}

#[test]
fn a_card_with_neither_name_nor_address_is_refused() {
    let card = "BEGIN:VCARD\nVERSION:3.0\nTEL:123\nEND:VCARD\n";
    assert_eq!(read(card), Err(CardProblem::Empty));
    let only_address = "BEGIN:VCARD\nVERSION:4.0\nEMAIL:x@example.com\nEND:VCARD\n";
    assert_eq!(read(only_address).unwrap().display_name(), "x@example.com");
}

#[test]
fn a_new_card_reads_back_as_written_with_a_fresh_uid() {
    let contact = Contact {
        name: "Zé; Ninguém, Jr".into(),
        emails: vec!["ze@example.com".into(), "ze@work.example".into()],
        phones: vec!["+55 21 1234".into()],
        organization: "Casa; Lar".into(),
        note: "two\nlines".into(),
        ..Default::default()
    };
    let text = new_card(&contact);
    assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"), "{text}");
    let back = read(&text).unwrap();
    assert_eq!(back.name, contact.name);
    assert_eq!(back.emails, contact.emails);
    assert_eq!(back.phones, contact.phones);
    assert_eq!(back.note, contact.note);
    assert_eq!(back.uid.len(), 36, "{}", back.uid);
    let other = read(&new_card(&contact)).unwrap();
    assert_ne!(back.uid, other.uid, "each new card has its own UID");
    // vCard 3 wants N; the last word is the family name.
    let n = parse(&text).unwrap();
    let n = n.property(&VCardProperty::N).expect("N written");
    assert_eq!(value_text(&n.values[0]), "Jr", "{text}");
}

#[test]
fn an_edit_keeps_what_carteiro_does_not_show() {
    let mut c = read(V3).unwrap();
    c.name = "João Silva".into();
    c.emails = vec!["joao@home.example".into(), "novo@example.com".into()];
    c.note = String::new();
    let text = edited(V3, &c).unwrap();
    let back = read(&text).unwrap();
    assert_eq!(back.name, "João Silva");
    assert_eq!(back.emails, ["joao@home.example", "novo@example.com"]);
    assert_eq!(back.note, "");
    assert_eq!(back.uid, "abc-123", "the UID never changes");
    assert_eq!(back.phones, ["+55 11 99999-0000"]);
    assert_eq!(back.organization, "Acme, Vendas");
    let card = parse(&text).unwrap();
    for kept in [
        VCardProperty::Photo,
        VCardProperty::Bday,
        VCardProperty::Adr,
    ] {
        assert!(card.property(&kept).is_some(), "{kept:?} kept: {text}");
    }
    assert!(text.contains("X-ABLabel"), "{text}");
    assert!(text.contains("São Paulo"), "{text}");
    assert!(text.contains("/9j/4AAQSkZJRgABAQ"), "{text}");
    // The address kept keeps its own type; the preference moved to the first one.
    let home = card
        .properties(&VCardProperty::Email)
        .find(|e| joined(e, "") == "joao@home.example")
        .unwrap();
    assert!(home.params.iter().any(is_pref), "{text}");
    assert!(
        text.starts_with("BEGIN:VCARD\r\nVERSION:3.0"),
        "version kept: {text}"
    );
}

#[test]
fn an_edit_that_changes_nothing_changes_nothing_carteiro_reads() {
    let c = read(V4).unwrap();
    let text = edited(V4, &c).unwrap();
    assert_eq!(read(&text).unwrap(), c);
    assert!(
        text.contains("PREF=2"),
        "untouched values keep their parameters: {text}"
    );
}

#[test]
fn a_card_without_uid_gets_one_when_edited() {
    let card = "BEGIN:VCARD\nVERSION:3.0\nFN:Sem Uid\nEND:VCARD\n";
    let c = read(card).unwrap();
    assert!(c.uid.is_empty());
    let back = read(&edited(card, &c).unwrap()).unwrap();
    assert!(!back.uid.is_empty());
}

#[test]
fn what_is_written_is_trimmed_bounded_and_one_line() {
    let c = clean(&Contact {
        name: "  Ana\r\nBCC: x  ".into(),
        emails: vec![" a@x ".into(), String::new(), "a@x".into()],
        phones: (0..200).map(|i| i.to_string()).collect(),
        note: "a\r\nb\u{0}".into(),
        ..Default::default()
    });
    assert_eq!(c.name, "Ana  BCC: x");
    assert_eq!(c.emails, ["a@x"]);
    assert_eq!(c.phones.len(), MAX_VALUES);
    assert_eq!(c.note, "a\nb");
}

#[test]
fn hostile_cards_are_refused_without_a_panic() {
    let huge_line = format!(
        "BEGIN:VCARD\nVERSION:3.0\nFN:{}\nEND:VCARD\n",
        "x".repeat(MAX_CARD_BYTES)
    );
    assert_eq!(read(&huge_line), Err(CardProblem::TooLarge));
    let mut many = String::from("BEGIN:VCARD\nVERSION:3.0\nFN:Many\n");
    for i in 0..10_000 {
        many.push_str(&format!("EMAIL:a{i}@example.com\n"));
    }
    many.push_str("END:VCARD\n");
    assert_eq!(read(&many), Err(CardProblem::TooLarge));
    for garbage in [
        "",
        "\u{feff}",
        "garbage",
        "BEGIN:VCARD",
        "BEGIN:VCARD\n",
        "BEGIN:VCALENDAR\nEND:VCALENDAR\n",
        "BEGIN:VCARD\n;;;:::\n\\\n=\n\u{0}\u{1}\nEND:VCARD",
        "BEGIN:VCARD\nEMAIL;PREF=99999999999999999999:a@b\nEND:VCARD\n",
        "BEGIN:VCARD\nPHOTO;ENCODING=b:%%%%\nN:;;;;;;;;;;;;;;;;;;\nEND:VCARD\n",
        "BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=x-unknown:=C3=A3=\n=\nEND:VCARD\n",
        "BEGIN:VCARD\nBDAY:--0231T99\nREV:99999999T999999Z\nEND:VCARD\n",
    ] {
        let _ = read(garbage);
        let _ = edited(garbage, &Contact::default());
    }
    assert_eq!(read("garbage"), Err(CardProblem::Malformed));
}

#[test]
fn folded_lines_and_a_byte_order_mark_are_read() {
    let card = "\u{feff}BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Maria da Concei\r\n ção Aparecida\r\nEMAIL:maria@exa\r\n\tmple.com\r\nEND:VCARD\r\n";
    let c = read(card).unwrap();
    assert_eq!(c.name, "Maria da Conceição Aparecida");
    assert_eq!(c.emails, ["maria@example.com"]);
}
