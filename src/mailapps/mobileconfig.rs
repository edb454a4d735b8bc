//! Apple configuration profile (`.mobileconfig`) for iPhone, iPad and Mac Mail: a property
//! list holding one `com.apple.mail.managed` payload for the signed-in user.
//!
//! Format: Apple's "Configuration Profile Reference" and the `Mail` payload of its
//! device-management documentation. The password is never in it: the device asks for it
//! when the profile is installed. The profile is not signed, so the device calls it
//! "unverified"; signing needs a certificate Carteiro does not have.
//!
//! Identifiers and UUIDs are derived from the user and the server, not random, so that
//! installing a fresh download replaces the earlier profile instead of adding a second
//! account.

use sha2::{Digest, Sha256};

use super::servers::{domain_of, Encryption, Kind, MailApps, Server};
use super::xml::Xml;

/// The Content-Type iOS and macOS open as a profile.
pub const CONTENT_TYPE: &str = "application/x-apple-aspen-config";

/// The profile for `username`, or `None` when the admin configured nothing to read mail
/// with or nothing to send it with.
pub fn render(apps: &MailApps, username: &str) -> Option<String> {
    let incoming = apps.incoming().next()?;
    let outgoing = apps.smtp.first()?;
    let address = domain_of(username)
        .filter(|_| !username.starts_with('@'))
        .map(|_| username);
    let root_id = identifier(&incoming.host, username);
    let mail_id = format!("{root_id}.mail");

    let mut xml = Xml::new();
    xml.raw_line(
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">",
    );
    xml.open("plist", &[("version", "1.0")]);
    xml.open("dict", &[]);

    key_string(&mut xml, "PayloadType", "Configuration");
    key_integer(&mut xml, "PayloadVersion", 1);
    key_string(&mut xml, "PayloadIdentifier", &root_id);
    key_string(
        &mut xml,
        "PayloadUUID",
        &uuid("profile", incoming, username),
    );
    key_string(&mut xml, "PayloadDisplayName", &format!("Mail: {username}"));
    key_string(
        &mut xml,
        "PayloadDescription",
        &format!(
            "Sets up the mail account {username} in Mail. You will be asked for its password."
        ),
    );
    key_bool(&mut xml, "PayloadRemovalDisallowed", false);

    xml.leaf("key", "PayloadContent");
    xml.open("array", &[]);
    xml.open("dict", &[]);
    key_string(&mut xml, "PayloadType", "com.apple.mail.managed");
    key_integer(&mut xml, "PayloadVersion", 1);
    key_string(&mut xml, "PayloadIdentifier", &mail_id);
    key_string(&mut xml, "PayloadUUID", &uuid("mail", incoming, username));
    key_string(&mut xml, "PayloadDisplayName", "Mail account");
    key_string(&mut xml, "EmailAccountDescription", username);
    key_string(
        &mut xml,
        "EmailAccountType",
        match incoming.kind {
            Kind::Pop3 => "EmailTypePOP",
            _ => "EmailTypeIMAP",
        },
    );
    // Left out when the login name is not an address: the device then asks for it.
    if let Some(address) = address {
        key_string(&mut xml, "EmailAddress", address);
    }
    server_keys(&mut xml, &INCOMING, incoming, username);
    server_keys(&mut xml, &OUTGOING, outgoing, username);
    key_bool(&mut xml, "OutgoingPasswordSameAsIncomingPassword", true);
    xml.close();
    xml.close();

    xml.close();
    xml.close();
    Some(xml.finish())
}

/// The names of one direction's `…MailServer…` keys.
struct ServerKeys {
    host: &'static str,
    port: &'static str,
    use_ssl: &'static str,
    username: &'static str,
    authentication: &'static str,
}

const INCOMING: ServerKeys = ServerKeys {
    host: "IncomingMailServerHostName",
    port: "IncomingMailServerPortNumber",
    use_ssl: "IncomingMailServerUseSSL",
    username: "IncomingMailServerUsername",
    authentication: "IncomingMailServerAuthentication",
};

const OUTGOING: ServerKeys = ServerKeys {
    host: "OutgoingMailServerHostName",
    port: "OutgoingMailServerPortNumber",
    use_ssl: "OutgoingMailServerUseSSL",
    username: "OutgoingMailServerUsername",
    authentication: "OutgoingMailServerAuthentication",
};

fn server_keys(xml: &mut Xml, keys: &ServerKeys, server: &Server, username: &str) {
    key_string(xml, keys.host, &server.host);
    key_integer(xml, keys.port, server.port.into());
    // Apple has one switch for both kinds of TLS: on port 993/465 the device speaks TLS
    // from the start, on 143/587 it upgrades with STARTTLS. Every server Carteiro offers
    // is encrypted one way or the other.
    key_bool(
        xml,
        keys.use_ssl,
        matches!(server.encryption, Encryption::Tls | Encryption::StartTls),
    );
    key_string(xml, keys.username, username);
    key_string(xml, keys.authentication, "EmailAuthPassword");
}

fn key_string(xml: &mut Xml, key: &'static str, value: &str) {
    xml.leaf("key", key);
    xml.leaf("string", value);
}

fn key_integer(xml: &mut Xml, key: &'static str, value: u32) {
    xml.leaf("key", key);
    xml.leaf("integer", &value.to_string());
}

fn key_bool(xml: &mut Xml, key: &'static str, value: bool) {
    xml.leaf("key", key);
    xml.empty(if value { "true" } else { "false" }, &[]);
}

/// A reverse-DNS identifier from the server's name and a digest of the user, e.g.
/// `com.example.mail.carteiro.1f2e3d4c5b6a7988`: only characters identifiers allow, and
/// no user name in it to escape.
fn identifier(host: &str, username: &str) -> String {
    let mut labels: Vec<String> = host
        .split('.')
        .rev()
        .map(|label| {
            label
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|label| !label.is_empty())
        .collect();
    labels.push("carteiro".into());
    let digest = Sha256::digest(format!("carteiro-mobileconfig-id\0{username}").as_bytes());
    labels.push(hex::encode(&digest[..8]));
    labels.join(".")
}

/// A UUID (version 8: made by the application, here from a SHA-256 digest) that stays the
/// same for the same user, server and payload.
fn uuid(part: &str, server: &Server, username: &str) -> String {
    let digest = Sha256::digest(
        format!("carteiro-mobileconfig\0{part}\0{}\0{username}", server.host).as_bytes(),
    );
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode_upper(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// A file name for the download, from the server's name (only safe characters).
pub fn file_name(apps: &MailApps) -> String {
    let host: String = apps
        .incoming()
        .next()
        .map(|s| s.host.as_str())
        .unwrap_or("mail")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .collect();
    let host = host.trim_matches('.');
    if host.is_empty() {
        "mail.mobileconfig".into()
    } else {
        format!("{host}.mobileconfig")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailapps::{Encryption, Kind, Server};

    fn apps() -> MailApps {
        let server = |kind, port, encryption| Server {
            kind,
            host: "mail.example.com".into(),
            port,
            encryption,
        };
        MailApps {
            imap: vec![server(Kind::Imap, 993, Encryption::Tls)],
            pop3: vec![],
            smtp: vec![server(Kind::Smtp, 587, Encryption::StartTls)],
        }
    }

    #[test]
    fn identifiers_are_stable_per_user_and_shaped_as_apple_expects() {
        let a = render(&apps(), "ana@example.com").unwrap();
        assert_eq!(a, render(&apps(), "ana@example.com").unwrap());
        assert_ne!(a, render(&apps(), "bia@example.com").unwrap());
        let id = identifier("Mail.Example.com", "x");
        assert!(id.starts_with("com.example.mail.carteiro."), "{id}");
        let u = uuid("mail", &apps().imap[0], "ana@example.com");
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "8");
        assert_eq!(file_name(&apps()), "mail.example.com.mobileconfig");
    }

    #[test]
    fn no_profile_without_a_server_to_read_or_send_with() {
        let mut apps = apps();
        apps.smtp.clear();
        assert!(render(&apps, "ana@example.com").is_none());
    }

    #[test]
    fn a_login_name_that_is_not_an_address_leaves_the_address_to_the_device() {
        let profile = render(&apps(), "ana").unwrap();
        assert!(!profile.contains("EmailAddress"));
        assert!(render(&apps(), "ana@example.com")
            .unwrap()
            .contains("<key>EmailAddress</key>"));
    }
}
