//! Thunderbird autoconfig: the `clientConfig` version 1.1 document Thunderbird (and K-9 /
//! Thunderbird for Android, Evolution, KMail…) fetch from
//! `https://autoconfig.<domain>/mail/config-v1.1.xml` or
//! `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`.
//!
//! Format: <https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat>.
//! Servers are listed in preference order (the app takes the first that works); the user
//! name is the `%EMAILADDRESS%` placeholder, which the app fills in with the address typed.

use super::servers::{Encryption, Kind, MailApps, Server};
use super::xml::Xml;

/// The document for `domain` (the e-mail domain asked about, used as the provider's id).
pub fn render(apps: &MailApps, domain: &str) -> String {
    let mut xml = Xml::new();
    xml.open("clientConfig", &[("version", "1.1")]);
    xml.open("emailProvider", &[("id", domain)]);
    xml.leaf("domain", domain);
    xml.leaf("displayName", domain);
    xml.leaf("displayShortName", domain);
    for server in apps.incoming() {
        let kind = match server.kind {
            Kind::Pop3 => "pop3",
            _ => "imap",
        };
        xml.open("incomingServer", &[("type", kind)]);
        server_fields(&mut xml, server);
        if server.kind == Kind::Pop3 {
            // The same mailbox is read in the browser: a POP3 app must not empty it.
            xml.open("pop3", &[]);
            xml.leaf("leaveMessagesOnServer", "true");
            xml.close();
        }
        xml.close();
    }
    for server in &apps.smtp {
        xml.open("outgoingServer", &[("type", "smtp")]);
        server_fields(&mut xml, server);
        xml.close();
    }
    xml.close();
    xml.close();
    xml.finish()
}

fn server_fields(xml: &mut Xml, server: &Server) {
    xml.leaf("hostname", &server.host);
    xml.leaf("port", &server.port.to_string());
    xml.leaf(
        "socketType",
        match server.encryption {
            Encryption::Tls => "SSL",
            Encryption::StartTls => "STARTTLS",
        },
    );
    xml.leaf("username", "%EMAILADDRESS%");
    xml.leaf("authentication", "password-cleartext");
}
