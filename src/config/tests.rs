//! Loading whole configurations from variables: defaults, warnings and refusals.

use std::time::Duration;

use super::*;

#[test]
fn unknown_variables_are_reported_and_short_secrets_refused() {
    let env = vec![
        ("CARTEIRO_IMAP_URLS".to_string(), "x".to_string()),
        ("CARTEIRO_SECRET_KEY".to_string(), "c2hvcnQ=".to_string()),
    ];
    let err = Config::load(None, &env).unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Invalid {
                setting: "secret_key",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("at least 32"), "{err}");
    let env = vec![
        ("CARTEIRO_IMAP_URLS".to_string(), "x".to_string()),
        (
            "CARTEIRO_SECRET_KEY".to_string(),
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
        ),
    ];
    let (config, warnings) = Config::load(None, &env).unwrap();
    assert_eq!(config.imap.port, 143);
    assert!(warnings[0].contains("CARTEIRO_IMAP_URLS"));
}

#[test]
fn metrics_need_an_address_of_their_own() {
    let env = |metrics: &str| {
        vec![
            ("CARTEIRO_LISTEN".to_string(), "0.0.0.0:8080".to_string()),
            ("CARTEIRO_METRICS_LISTEN".to_string(), metrics.to_string()),
            (
                "CARTEIRO_SECRET_KEY".to_string(),
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
            ),
        ]
    };
    let (config, _) = Config::load(None, &env("127.0.0.1:9090")).unwrap();
    assert_eq!(
        config.metrics_listen,
        Some("127.0.0.1:9090".parse().unwrap())
    );
    let (config, _) = Config::load(None, &env("")).unwrap();
    assert_eq!(config.metrics_listen, None, "empty means off");
    let err = Config::load(None, &env("0.0.0.0:8080")).unwrap_err();
    assert!(err.to_string().contains("own address"), "{err}");
    assert!(Config::load(None, &env("9090")).is_err());
}

#[test]
fn live_updates_poll_every_25_seconds_unless_set_and_never_every_0() {
    let env = |every: Option<&str>| {
        let mut env = vec![(
            "CARTEIRO_SECRET_KEY".to_string(),
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
        )];
        if let Some(every) = every {
            env.push(("CARTEIRO_LIVE_UPDATES_EVERY".to_string(), every.to_string()));
        }
        env
    };
    let (config, warnings) = Config::load(None, &env(None)).unwrap();
    assert_eq!(config.live_updates_every, Duration::from_secs(25));
    assert!(warnings.is_empty(), "{warnings:?}");
    let (config, _) = Config::load(None, &env(Some("1m"))).unwrap();
    assert_eq!(config.live_updates_every, Duration::from_secs(60));
    let err = Config::load(None, &env(Some("0s"))).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("live_updates_every \"0s\" is not a duration"),
        "{err}"
    );
    assert!(Config::load(None, &env(Some("often"))).is_err());
}

#[test]
fn the_health_check_reads_only_where_the_server_listens() {
    let env = vec![
        ("CARTEIRO_LISTEN".to_string(), "0.0.0.0:8081".to_string()),
        ("CARTEIRO_BASE_PATH".to_string(), "/webmail/".to_string()),
        // Would stop the server; the health check does not care.
        ("CARTEIRO_SECRET_KEY".to_string(), "short".to_string()),
        ("CARTEIRO_SAVE_SENT".to_string(), "maybe".to_string()),
    ];
    let (listen, base) = Config::listen_from(None, &env).unwrap();
    assert_eq!(listen, "0.0.0.0:8081".parse().unwrap());
    assert_eq!(base, "/webmail");
    let (listen, base) = Config::listen_from(None, &[]).unwrap();
    assert_eq!(
        (listen, base.as_str()),
        ("127.0.0.1:8080".parse().unwrap(), "")
    );
}

#[test]
fn certificate_checks_are_on_unless_explicitly_turned_off_with_a_warning() {
    let secret = (
        "CARTEIRO_SECRET_KEY".to_string(),
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
    );
    let (config, warnings) = Config::load(None, std::slice::from_ref(&secret)).unwrap();
    assert!(!config.tls_insecure);
    assert!(warnings.is_empty(), "{warnings:?}");
    let env = vec![secret, ("CARTEIRO_TLS_INSECURE".into(), "true".into())];
    let (config, warnings) = Config::load(None, &env).unwrap();
    assert!(config.tls_insecure);
    assert!(
        warnings.iter().any(|w| w.contains("NOT verified")),
        "{warnings:?}"
    );
}

#[test]
fn debug_output_of_the_configuration_shows_no_secret() {
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let env = vec![
        ("CARTEIRO_SECRET_KEY".to_string(), key.to_string()),
        (
            "CARTEIRO_REDIS_URL".to_string(),
            "redis://:hunter2-redis@redis.internal:6379/0".to_string(),
        ),
    ];
    let (config, _) = Config::load(None, &env).unwrap();
    let debug = format!("{config:?}");
    // The key as configured, as bytes ([48, 49, ...]) and as the text those bytes spell.
    let bytes = b"0123456789abcdef0123456789abcdef";
    for secret in [
        key.to_string(),
        format!("{:?}", bytes.to_vec()),
        "0123456789abcdef".to_string(),
        "hunter2-redis".to_string(),
    ] {
        assert!(!debug.contains(&secret), "{secret} in {debug}");
    }
    assert!(
        debug.contains("secret_key"),
        "the field is still listed: {debug}"
    );
    assert!(debug.contains("REDACTED"), "{debug}");
}

#[test]
fn errors_keep_their_cause_and_the_report_shows_it_once() {
    use std::error::Error;
    let dir = std::env::temp_dir().join(format!(
        "carteiro-config-errors-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).unwrap();

    let missing = dir.join("missing.toml");
    let err = Config::load(Some(&missing), &[]).unwrap_err();
    let cause = err
        .source()
        .and_then(|e| e.downcast_ref::<std::io::Error>());
    assert_eq!(cause.map(|e| e.kind()), Some(std::io::ErrorKind::NotFound));
    assert_eq!(
        err.to_string(),
        format!("cannot read config file {}", missing.display())
    );
    let report = err.report();
    assert!(report.starts_with(&format!("{err}: ")), "{report}");
    assert_eq!(report.matches(&cause.unwrap().to_string()).count(), 1);

    let typo = dir.join("typo.toml");
    std::fs::write(&typo, "listen = \"127.0.0.1:8080\"\nsave_sendt = true\n").unwrap();
    let err = Config::load(Some(&typo), &[]).unwrap_err();
    assert!(matches!(err, ConfigError::FileSyntax { .. }), "{err:?}");
    assert!(err.report().contains("save_sendt"), "{}", err.report());

    let env = [(
        "CARTEIRO_IMAP_URL".to_string(),
        "imaps://mail.example.com:99999".to_string(),
    )];
    let err = Config::load(None, &env).unwrap_err();
    assert!(
        err.source().is_some_and(|e| e.is::<url::ParseError>()),
        "{err:?}"
    );
    assert!(
        err.report().ends_with(": invalid port number"),
        "{}",
        err.report()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_carddav_url_is_optional_checked_and_warned_about_when_plain_across_the_network() {
    let env = |url: &str| {
        vec![
            ("CARTEIRO_CARDDAV_URL".to_string(), url.to_string()),
            (
                "CARTEIRO_SECRET_KEY".to_string(),
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
            ),
        ]
    };
    let (config, warnings) = Config::load(None, &env("")).unwrap();
    assert!(config.carddav.is_none(), "empty means no CardDAV");
    assert!(warnings.is_empty(), "{warnings:?}");
    let (config, warnings) =
        Config::load(None, &env("https://dav.example.com/%u/contacts/")).unwrap();
    let book = config.carddav.unwrap();
    assert_eq!(
        book.for_login("ana@example.com").unwrap().as_str(),
        "https://dav.example.com/ana%40example.com/contacts/"
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let (_, warnings) = Config::load(None, &env("http://127.0.0.1:5232/%u/")).unwrap();
    assert!(warnings.is_empty(), "loopback is fine: {warnings:?}");
    let (_, warnings) = Config::load(None, &env("http://dav.example.com/%u/")).unwrap();
    assert!(warnings[0].contains("unencrypted"), "{warnings:?}");
    let err = Config::load(None, &env("https://dav.example.com/contacts/")).unwrap_err();
    assert!(matches!(err, ConfigError::Upstream(_)), "{err:?}");
    assert!(err.to_string().contains("has no %u"), "{err}");
}

#[test]
fn a_managesieve_url_is_optional_checked_and_warned_about_when_plain_across_the_network() {
    let env = |url: &str| {
        vec![
            ("CARTEIRO_MANAGESIEVE_URL".to_string(), url.to_string()),
            (
                "CARTEIRO_SECRET_KEY".to_string(),
                "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
            ),
        ]
    };
    let (config, warnings) = Config::load(None, &env(" ")).unwrap();
    assert!(config.managesieve.is_none(), "blank means no ManageSieve");
    assert!(warnings.is_empty(), "{warnings:?}");
    let (config, warnings) = Config::load(None, &env("sieve://mail.example.com")).unwrap();
    let sieve = config.managesieve.unwrap();
    assert_eq!(
        (
            sieve.protocol,
            sieve.host.as_str(),
            sieve.port,
            sieve.security
        ),
        (
            crate::upstream::Protocol::Sieve,
            "mail.example.com",
            4190,
            crate::upstream::Security::StartTls
        )
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let (_, warnings) = Config::load(None, &env("sieve://127.0.0.1:4190?tls=none")).unwrap();
    assert!(warnings.is_empty(), "loopback is fine: {warnings:?}");
    let (_, warnings) = Config::load(None, &env("sieve://mail.example.com?tls=none")).unwrap();
    assert!(warnings[0].contains("unencrypted"), "{warnings:?}");
    let err = Config::load(None, &env("sieves://mail.example.com")).unwrap_err();
    assert!(matches!(err, ConfigError::Upstream(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("write the ManageSieve server as sieve://host:4190 (STARTTLS)"),
        "{err}"
    );
    let err = Config::load(None, &env("sieve://mail.example.com/filters")).unwrap_err();
    assert!(err.to_string().contains("must not have a path"), "{err}");
}

#[test]
fn the_mail_domain_and_identity_policy_are_checked_with_clear_words() {
    let env = with_secret;
    let (config, warnings) = Config::load(None, &env(&[])).unwrap();
    assert_eq!(config.mail_domain, None);
    assert_eq!(
        config.identities,
        crate::mail::identity::Policy::Domain,
        "any address at the login's domain, by default"
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let (config, _) = Config::load(
        None,
        &env(&[
            ("CARTEIRO_MAIL_DOMAIN", "@Exémplo.com.br"),
            ("CARTEIRO_IDENTITIES", "Login"),
        ]),
    )
    .unwrap();
    assert_eq!(config.mail_domain.as_deref(), Some("exémplo.com.br"));
    assert_eq!(config.identities, crate::mail::identity::Policy::Login);
    let err = Config::load(None, &env(&[("CARTEIRO_IDENTITIES", "everyone")])).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("identities \"everyone\" is not one of login"),
        "{err}"
    );
    let err = Config::load(None, &env(&[("CARTEIRO_MAIL_DOMAIN", "exa mple")])).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("mail_domain \"exa mple\" is not a domain such as example.com"),
        "{err}"
    );
}

#[test]
fn a_template_needs_upstream_map_and_an_allow_list() {
    let env = with_secret;
    // Without a map, today's single upstream; %d would be dialled as a host name.
    let (config, _) = Config::load(None, &env(&[])).unwrap();
    assert!(config.upstream_map.is_none());
    let err = Config::load(None, &env(&[("CARTEIRO_IMAP_URL", "imaps://mail.%d")])).unwrap_err();
    assert!(err.to_string().starts_with("imap_url holds %d"), "{err}");
    let template = [
        ("CARTEIRO_UPSTREAM_MAP", "template"),
        ("CARTEIRO_IMAP_URL", "imaps://mail.%d"),
        ("CARTEIRO_SMTP_URL", "smtps://mail.%d"),
    ];
    let err = Config::load(None, &env(&template)).unwrap_err();
    assert!(
        err.to_string().starts_with("upstream_allow must name"),
        "{err}"
    );
    let mut allowed = template.to_vec();
    allowed.push(("CARTEIRO_UPSTREAM_ALLOW", "*.example.test, 10.0.0.0/8"));
    let (config, _) = Config::load(None, &env(&allowed)).unwrap();
    assert!(config.upstream_map.is_some());
    let mut half = allowed.clone();
    half[2] = ("CARTEIRO_SMTP_URL", "smtps://mail.example.test");
    let err = Config::load(None, &env(&half)).unwrap_err();
    assert!(
        err.to_string().starts_with("smtp_url must hold %d"),
        "{err}"
    );
    let mut bad = allowed.clone();
    bad[3] = ("CARTEIRO_UPSTREAM_ALLOW", "mail/evil");
    let err = Config::load(None, &env(&bad)).unwrap_err();
    assert!(
        err.to_string().contains("\"mail/evil\" is not a host"),
        "{err}"
    );
    let err = Config::load(
        None,
        &env(&[("CARTEIRO_UPSTREAM_MAP", "/nonexistent/domains.toml")]),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("cannot read /nonexistent"),
        "{err}"
    );
}

#[test]
fn discovery_needs_a_map_mode_an_allow_list_and_a_dns_address() {
    let env = with_secret;
    let err = Config::load(None, &env(&[("CARTEIRO_UPSTREAM_DISCOVERY", "true")])).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("upstream_discovery needs upstream_map"),
        "{err}"
    );
    let err = Config::load(None, &env(&[("CARTEIRO_UPSTREAM_MAP", "discover")])).unwrap_err();
    assert!(
        err.to_string().starts_with("upstream_allow must name"),
        "{err}"
    );
    let allowed = [
        ("CARTEIRO_UPSTREAM_MAP", "discover"),
        ("CARTEIRO_UPSTREAM_ALLOW", "localhost, *.mail.example.net"),
        ("CARTEIRO_DISCOVERY_DNS", "127.0.0.1:5353"),
    ];
    let (config, _) = Config::load(None, &env(&allowed)).unwrap();
    let map = config.upstream_map.expect("a map");
    assert!(map.discovery.is_some());
    let mut bad_dns = allowed.to_vec();
    bad_dns[2] = ("CARTEIRO_DISCOVERY_DNS", "dns.example.net");
    let err = Config::load(None, &env(&bad_dns)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("discovery_dns \"dns.example.net\""),
        "{err}"
    );
}

/// A secret key (every configuration needs one) and `pairs`, as environment variables.
fn with_secret(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = vec![(
        "CARTEIRO_SECRET_KEY".to_string(),
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string(),
    )];
    env.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}
