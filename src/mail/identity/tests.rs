//! The identity model and its rules, on values alone.

use super::*;

fn typed(name: &str, address: &str) -> Typed {
    Typed {
        name: name.into(),
        address: address.into(),
        ..Typed::default()
    }
}

fn rules(policy: Policy, derived: Option<&str>) -> Rules {
    Rules {
        policy,
        derived: derived.map(str::to_string),
    }
}

#[test]
fn what_is_typed_is_cleaned_and_bad_addresses_are_named() {
    let identity = Typed {
        name: "  Ana\r\nVendas ".into(),
        address: " vendas@example.com ".into(),
        reply_to: " sac@example.com".into(),
        bcc_self: true,
        signature: "Abraços,\r\nAna\u{7}\n".into(),
    }
    .check(None)
    .unwrap();
    assert_eq!(identity.name.as_deref(), Some("Ana Vendas"));
    assert_eq!(identity.address, "vendas@example.com");
    assert_eq!(identity.reply_to.as_deref(), Some("sac@example.com"));
    assert_eq!(identity.signature, "Abraços,\nAna\n");
    assert_eq!(identity.id.len(), 8);
    assert_eq!(
        typed("x", "not an address").check(None),
        Err(Invalid::Address("not an address".into()))
    );
    assert_eq!(
        typed("x", "Ana <ana@example.com>").check(None),
        Err(Invalid::Address("Ana <ana@example.com>".into())),
        "one plain address, no name in it"
    );
    let mut bad_reply = typed("x", "a@example.com");
    bad_reply.reply_to = "sac@\nexample.com".into();
    assert_eq!(
        bad_reply.check(None),
        Err(Invalid::ReplyTo("sac@ example.com".into()))
    );
    let long = "x".repeat(10_000);
    let mut long_sig = typed(&long, "a@example.com");
    long_sig.signature = long.clone();
    let identity = long_sig.check(Some("k")).unwrap();
    assert_eq!(identity.id, "k", "an edited identity keeps its id");
    assert_eq!(identity.signature.chars().count(), model::MAX_SIGNATURE);
    assert_eq!(identity.name.unwrap().chars().count(), 100);
}

#[test]
fn the_document_round_trips_and_a_hand_written_one_is_cleaned() {
    let mut ids = Identities::default();
    ids.put(typed("Ana", "ana@example.com").check(Some("a1")).unwrap())
        .unwrap();
    ids.put(typed("", "vendas@example.com").check(Some("b2")).unwrap())
        .unwrap();
    ids.make_default("b2").unwrap();
    ids.own_address = Some("ana@example.com".into());
    let text = ids.encode();
    assert!(text.contains("\"version\":1"), "{text}");
    assert_eq!(Identities::decode(&text), Some(ids));

    // Written by another client: bad entries are left out, repeated ids count once, an
    // unknown field or version is no reason to lose the rest.
    let hand = r#"{"version":7,"future":true,"default":"gone","identities":[
        {"id":"x","address":"not-an-address"},
        {"id":"y","address":"y@example.com","name":"  Y\n ","signature":"s\u0000ig"},
        {"id":"y","address":"again@example.com"},
        {"id":"bad id!","address":"z@example.com"}]}"#;
    let ids = Identities::decode(hand).unwrap();
    assert_eq!(ids.list().len(), 1);
    assert_eq!(ids.default_id(), "y", "the first left is the default");
    let y = ids.default_identity().unwrap();
    assert_eq!(y.name.as_deref(), Some("Y"));
    assert_eq!(y.signature, "sig");
    assert_eq!(Identities::decode("garbage"), None);
}

#[test]
fn the_count_is_bounded_and_the_last_identity_stays() {
    let mut ids = Identities::default();
    for n in 0..MAX_IDENTITIES {
        ids.put(typed("", &format!("a{n}@example.com")).check(None).unwrap())
            .unwrap();
    }
    assert_eq!(
        ids.put(typed("", "one-more@example.com").check(None).unwrap()),
        Err(Invalid::TooMany)
    );
    // Editing one is still possible at the limit.
    let mut first = ids.list()[0].clone();
    first.name = Some("Edited".into());
    ids.put(first.clone()).unwrap();
    assert_eq!(ids.get(&first.id).unwrap().name.as_deref(), Some("Edited"));
    assert_eq!(ids.default_id(), first.id);
    // Removing the default makes the next one the default.
    ids.remove(&first.id).unwrap();
    assert_eq!(ids.default_id(), ids.list()[0].id);
    while ids.list().len() > 1 {
        let id = ids.list()[0].id.clone();
        ids.remove(&id).unwrap();
    }
    let last = ids.list()[0].id.clone();
    assert_eq!(ids.remove(&last), Err(Invalid::Last));
    assert_eq!(ids.remove("nope"), Err(Invalid::Unknown));
    assert_eq!(ids.make_default("nope"), Err(Invalid::Unknown));
}

#[test]
fn the_older_name_and_signature_make_the_first_identity() {
    let ids = Identities::from_older_settings(
        Some("ana@example.com"),
        Some(" Ana  Júlia "),
        Some("Abraços"),
    );
    let first = ids.default_identity().unwrap();
    assert_eq!(first.label(), "Ana Júlia <ana@example.com>");
    assert_eq!(first.signature, "Abraços");
    assert!(Identities::from_older_settings(None, Some("Ana"), None).is_empty());
}

#[test]
fn the_policy_holds_at_save_and_at_send_and_a_bare_login_states_its_address() {
    let mut ids = Identities::default();
    ids.put(typed("", "ana@example.com").check(Some("own")).unwrap())
        .unwrap();
    ids.put(typed("", "sales@example.com").check(Some("alias")).unwrap())
        .unwrap();
    ids.put(typed("", "ana@other.org").check(Some("far")).unwrap())
        .unwrap();
    let book = |policy, derived| Book {
        rules: rules(policy, derived),
        identities: ids.clone(),
        stored: true,
    };
    let domain = book(Policy::Domain, Some("ana@example.com"));
    assert!(domain.sender("alias").is_ok());
    assert_eq!(
        domain.sender("far"),
        Err(Invalid::NotAllowed("ana@other.org".into()))
    );
    assert_eq!(domain.sender("forged"), Err(Invalid::Unknown));
    assert_eq!(domain.sender("").unwrap().id, "own", "empty: the default");
    assert_eq!(
        domain
            .usable()
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>(),
        ["own", "alias"]
    );
    let login = book(Policy::Login, Some("ana@example.com"));
    assert!(login.sender("own").is_ok());
    assert!(login.sender("alias").is_err());
    assert!(login
        .check(typed("", "x@example.com").check(None).unwrap())
        .is_err());
    assert!(book(Policy::Any, None).sender("far").is_ok());

    // A bare login without mail_domain: nothing is allowed until it states its address,
    // and the policy is measured against that address.
    let mut bare = book(Policy::Domain, None);
    assert!(bare.needs_own_address());
    assert!(bare.sender("own").is_err());
    assert!(bare.set_own_address("not an address").is_err());
    bare.set_own_address("ana@other.org").unwrap();
    assert_eq!(bare.login_address(), Some("ana@other.org"));
    assert!(bare.sender("far").is_ok());
    assert!(bare.sender("own").is_err());
    // The default no longer allowed: a new message starts with the first allowed one.
    assert_eq!(bare.starting().unwrap().id, "far");
}

#[test]
fn the_addressed_identity_is_found_in_to_then_cc_then_delivered_to() {
    let mut ids = Identities::default();
    for (id, address) in [("a", "ana@example.com"), ("s", "Sales@Exémplo.com")] {
        ids.put(typed("", address).check(Some(id)).unwrap())
            .unwrap();
    }
    let pick =
        |to: &[&str], cc: &[&str], dt: &[&str]| ids.addressed(to, cc, dt).map(|i| i.id.clone());
    assert_eq!(
        pick(
            &["x@y.org", "sales@xn--exmplo-cva.com"],
            &["ana@example.com"],
            &[]
        )
        .as_deref(),
        Some("s")
    );
    assert_eq!(
        pick(&["x@y.org"], &["ANA@example.com"], &[]).as_deref(),
        Some("a")
    );
    assert_eq!(pick(&[], &[], &["sales@exémplo.com"]).as_deref(), Some("s"));
    assert_eq!(pick(&["x@y.org"], &[], &[]), None);
    assert!(ids.is_mine("Ana@Example.com"));
}
