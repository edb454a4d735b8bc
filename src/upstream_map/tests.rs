//! Unit tests of domain cleaning, template expansion, the allow-list and the map file.

use super::*;

#[test]
fn a_domain_is_lower_case_ascii_and_idn_becomes_punycode() {
    assert_eq!(clean_domain("Example.TEST").unwrap(), "example.test");
    assert_eq!(
        clean_domain("exémplo.com.br").unwrap(),
        "xn--exmplo-cva.com.br"
    );
    assert_eq!(clean_domain("example.test.").unwrap(), "example.test");
}

#[test]
fn a_hostile_domain_is_refused_before_anything_is_expanded() {
    let long = format!("{}.test", "a".repeat(64));
    let very_long = format!("{}test", "abcdefghi.".repeat(30));
    for text in [
        "evil.com:25@",
        "a/b",
        "%",
        "ex%61mple.test",
        "evil.com@127.0.0.1",
        "a b.test",
        "",
        "localhost",
        "127.0.0.1",
        "1.2.3.4.5",
        "[::1]",
        "-a.test",
        "a..test",
        long.as_str(),
        very_long.as_str(),
        "evil.com#x",
        "evil.com?tls=none",
        "evil.com\n.test",
    ] {
        assert!(
            matches!(clean_domain(text), Err(MapError::BadDomain(_))),
            "{text:?}"
        );
    }
}

#[test]
fn a_template_puts_the_domain_in_the_host_only() {
    let t = Template::parse(Protocol::Imap, "imaps://mail.%d").unwrap();
    let u = t.expand("example.test").unwrap();
    assert_eq!(u.to_string(), "imaps://mail.example.test:993");
    let t = Template::parse(Protocol::Smtp, "smtp://%d:2525?tls=none").unwrap();
    assert_eq!(
        t.expand("example.test").unwrap().to_string(),
        "smtp://example.test:2525?tls=none"
    );
    for text in [
        "imaps://mail.example.com:%d",
        "imaps://%d.%d",
        "imaps://mail.example.com?x=%d",
    ] {
        assert!(Template::parse(Protocol::Imap, text).is_err(), "{text}");
    }
}

#[test]
fn the_allow_list_reads_hosts_suffixes_and_networks() {
    let list =
        AllowList::parse(&["mail.example.test", "*.hosting.test", "127.0.0.0/8", "::1"]).unwrap();
    assert!(list.allows_name("mail.example.test"));
    assert!(list.allows_name("MAIL.example.test"));
    assert!(list.allows_name("mail.a.hosting.test"));
    assert!(
        !list.allows_name("hosting.test"),
        "a suffix is not its own domain"
    );
    assert!(!list.allows_name("evilhosting.test"));
    assert!(list.allows_name("127.0.0.2"));
    assert!(list.allows_name("::1"));
    assert!(!list.allows_name("10.0.0.1"));
    assert!(!list.allows_name("other.example.test"));
    assert_eq!(
        AllowList::parse(&["mail/evil"]).unwrap_err(),
        "mail/evil".to_string()
    );
    // A name without a dot (`localhost`, a LAN host) is an admin's word, allowed as written.
    let local = AllowList::parse(&["localhost", "mailhost"]).unwrap();
    assert!(local.allows_name("localhost") && local.allows_name("MailHost"));
    assert!(!local.allows_name("localhost.evil.test"));
    for bad in ["-mail", "mail-", "12345", "mail_host"] {
        assert!(AllowList::parse(&[bad]).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn a_name_is_allowed_by_the_networks_its_addresses_lie_in() {
    let loopback = AllowList::parse(&["127.0.0.0/8", "::1/128"]).unwrap();
    assert!(loopback.allows("localhost").await);
    let elsewhere = AllowList::parse(&["10.0.0.0/8"]).unwrap();
    assert!(!elsewhere.allows("localhost").await);
    assert!(!elsewhere.allows("name-that-does-not-resolve.invalid").await);
}

#[tokio::test]
async fn a_template_expansion_outside_the_allow_list_is_refused() {
    let map = UpstreamMap {
        mapping: Mapping::Template {
            imap: Template::parse(Protocol::Imap, "imaps://mail.%d").unwrap(),
            smtp: Template::parse(Protocol::Smtp, "smtps://mail.%d").unwrap(),
            sieve: None,
        },
        allow: AllowList::parse(&["*.example.test"]).unwrap(),
        discovery: None,
    };
    let ok = map.resolve("Example.Test").await.unwrap();
    assert_eq!(ok.imap.host, "mail.example.test");
    assert_eq!(ok.smtp.to_string(), "smtps://mail.example.test:465");
    assert_eq!(
        map.resolve("evil.com").await.unwrap_err(),
        MapError::NotAllowed {
            domain: "evil.com".into(),
            host: "mail.evil.com".into()
        }
    );
    assert!(matches!(
        map.resolve("evil.com:25@").await,
        Err(MapError::BadDomain(_))
    ));
}

#[test]
fn a_map_file_is_read_again_when_it_changes_and_a_broken_edit_keeps_the_last() {
    let dir = std::env::temp_dir().join(format!("carteiro-map-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("domains.toml");
    std::fs::write(
        &path,
        "[domains.\"a.test\"]\nimap = \"imap://127.0.0.1:143\"\nsmtp = \"smtp://127.0.0.1:587\"\n",
    )
    .unwrap();
    let file = MapFile::open(path.clone()).unwrap();
    assert!(file.current().contains_key("a.test"));
    // A different length changes the stamp even on a filesystem with coarse times.
    std::fs::write(
        &path,
        "[domains.\"b.test\"]\nimap = \"imaps://127.0.0.1:993\"\nsmtp = \"smtp://127.0.0.1:587\"\nmanagesieve = \"sieve://127.0.0.1\"\n",
    )
    .unwrap();
    let map = file.current();
    assert!(!map.contains_key("a.test"));
    assert_eq!(map["b.test"].sieve.as_ref().unwrap().port, 4190);
    std::fs::write(&path, "[domains.\"c.test\"]\nimap = 1\n").unwrap();
    assert!(
        file.current().contains_key("b.test"),
        "the last good map stays"
    );
    std::fs::write(
        &path,
        "[domains.\"x/y\"]\nimap = \"imap://h\"\nsmtp = \"smtp://h\"\n",
    )
    .unwrap();
    assert!(read_map_file(&path)
        .unwrap_err()
        .contains("not a domain name"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn map_file_entries_pass_the_allow_list_only_when_one_is_set() {
    let dir = std::env::temp_dir().join(format!("carteiro-map-allow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("domains.toml");
    std::fs::write(
        &path,
        "[domains.\"a.test\"]\nimap = \"imap://10.1.2.3:143\"\nsmtp = \"smtp://10.1.2.3:587\"\n",
    )
    .unwrap();
    let map = |allow: &[&str]| UpstreamMap {
        mapping: Mapping::File(MapFile::open(path.clone()).unwrap()),
        allow: AllowList::parse(allow).unwrap(),
        discovery: None,
    };
    assert!(
        map(&[]).resolve("a.test").await.is_ok(),
        "the admin's own words"
    );
    assert!(map(&["10.0.0.0/8"]).resolve("a.test").await.is_ok());
    assert_eq!(
        map(&["192.0.2.0/24"]).resolve("a.test").await.unwrap_err(),
        MapError::NotAllowed {
            domain: "a.test".into(),
            host: "10.1.2.3".into()
        }
    );
    assert_eq!(
        map(&[]).resolve("b.test").await.unwrap_err(),
        MapError::Unknown("b.test".into())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
