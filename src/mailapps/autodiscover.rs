//! Outlook Autodiscover ("POX", plain old XML): Outlook POSTs
//!
//! ```xml
//! <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
//!   <Request>
//!     <EMailAddress>ana@example.com</EMailAddress>
//!     <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
//!   </Request>
//! </Autodiscover>
//! ```
//!
//! to `https://<domain>/autodiscover/autodiscover.xml` (or `autodiscover.<domain>`) and reads
//! an `Account` of `AccountType` email with one `Protocol` per server (MS-OXDSCLI; the POX
//! reference on learn.microsoft.com). Errors are answered the documented way, with HTTP 200
//! and an `Error` element: 600 for a request that cannot be understood, 601 for a response
//! schema Carteiro does not provide (Exchange ActiveSync's `mobilesync` schema, for one).

use super::servers::{domain_of, Encryption, Kind, MailApps};
use super::xml::Xml;

/// Namespace of every Autodiscover response document.
pub const RESPONSE_NS: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
/// The Outlook response schema, the only one Carteiro answers with.
pub const OUTLOOK_RESPONSE_NS: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
/// Largest request body read. A real request is about 350 bytes; this leaves room for
/// clients that add whitespace or comments, and keeps parsing cheap.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// Longest address accepted (RFC 5321's 64-octet local part, `@`, 255-octet domain).
const MAX_ADDRESS: usize = 320;
/// Elements, attributes and text nodes a request may have; a real one has about ten.
const MAX_NODES: u32 = 256;

/// Why a request gets an error document instead of settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// 600 "Invalid Request": the text says what is wrong, for the `DebugData` element.
    Invalid(String),
    /// 601: the client asked for a response schema other than Outlook's.
    UnsupportedSchema(String),
}

impl RequestError {
    pub fn code(&self) -> u16 {
        match self {
            RequestError::Invalid(_) => 600,
            RequestError::UnsupportedSchema(_) => 601,
        }
    }
}

/// What Carteiro needs from a request: the address the settings are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub email: String,
}

/// Parses a request body with a real XML parser. Document type declarations are refused
/// (no entity expansion, so no "billion laughs" and no external entities), and the number
/// of nodes is bounded as well as the body's size (by the caller).
pub fn parse_request(body: &[u8]) -> Result<Request, RequestError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| RequestError::Invalid("the request is not UTF-8 text".into()))?;
    let text = text.trim_start_matches('\u{FEFF}');
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| RequestError::Invalid(format!("the request is not well-formed XML: {e}")))?;
    // Element names are matched without their namespace: clients differ in whether (and
    // which) request namespace they declare, and nothing else in a request could be meant.
    let root = doc.root_element();
    if root.tag_name().name() != "Autodiscover" {
        return Err(RequestError::Invalid(format!(
            "the document element is <{}>, not <Autodiscover>",
            root.tag_name().name()
        )));
    }
    let request = child(root, "Request")
        .ok_or_else(|| RequestError::Invalid("<Autodiscover> has no <Request>".into()))?;
    let schema = child_text(request, "AcceptableResponseSchema").ok_or_else(|| {
        RequestError::Invalid("<Request> has no <AcceptableResponseSchema>".into())
    })?;
    if schema != OUTLOOK_RESPONSE_NS {
        return Err(RequestError::UnsupportedSchema(format!(
            "the response schema {schema:?} is not provided; ask for {OUTLOOK_RESPONSE_NS}"
        )));
    }
    let email = child_text(request, "EMailAddress")
        .ok_or_else(|| RequestError::Invalid("<Request> has no <EMailAddress>".into()))?;
    if email.chars().count() > MAX_ADDRESS
        || email.chars().any(char::is_control)
        || domain_of(&email).is_none()
        || email.starts_with('@')
    {
        return Err(RequestError::Invalid(format!(
            "<EMailAddress> {email:?} is not an e-mail address"
        )));
    }
    Ok(Request { email })
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

fn child_text(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    let text: String = child(node, name)?
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The settings for `email`, which is also the login name apps are told to use.
pub fn render(apps: &MailApps, email: &str) -> String {
    let mut xml = Xml::new();
    xml.open("Autodiscover", &[("xmlns", RESPONSE_NS)]);
    xml.open("Response", &[("xmlns", OUTLOOK_RESPONSE_NS)]);
    xml.open("Account", &[]);
    xml.leaf("AccountType", "email");
    xml.leaf("Action", "settings");
    for server in apps.incoming().chain(&apps.smtp) {
        xml.open("Protocol", &[]);
        xml.leaf(
            "Type",
            match server.kind {
                Kind::Imap => "IMAP",
                Kind::Pop3 => "POP3",
                Kind::Smtp => "SMTP",
            },
        );
        xml.leaf("Server", &server.host);
        xml.leaf("Port", &server.port.to_string());
        xml.leaf("LoginName", email);
        xml.leaf("DomainRequired", "off");
        xml.leaf("SPA", "off");
        // `SSL` says whether encryption is required: it is, both ways. `Encryption` says
        // which: "SSL" for TLS from the first byte, "TLS" for STARTTLS (Outlook's own names
        // for the two; an Outlook that does not know the element reads only `SSL`).
        xml.leaf("SSL", "on");
        xml.leaf(
            "Encryption",
            match server.encryption {
                Encryption::Tls => "SSL",
                Encryption::StartTls => "TLS",
            },
        );
        xml.leaf("AuthRequired", "on");
        xml.close();
    }
    xml.close();
    xml.close();
    xml.close();
    xml.finish()
}

/// The documented error document for a request that cannot be answered.
pub fn render_error(error: &RequestError) -> String {
    let (message, detail) = match error {
        RequestError::Invalid(detail) => ("Invalid Request", detail),
        RequestError::UnsupportedSchema(detail) => {
            ("Requested schema version not supported", detail)
        }
    };
    let now = time::OffsetDateTime::now_utc();
    let time = format!(
        "{:02}:{:02}:{:02}.{:07}",
        now.hour(),
        now.minute(),
        now.second(),
        now.nanosecond() / 100
    );
    let mut xml = Xml::new();
    xml.open("Autodiscover", &[("xmlns", RESPONSE_NS)]);
    xml.open("Response", &[]);
    xml.open("Error", &[("Time", &time), ("Id", "0")]);
    xml.leaf("ErrorCode", &error.code().to_string());
    xml.leaf("Message", message);
    xml.leaf("DebugData", detail);
    xml.close();
    xml.close();
    xml.close();
    xml.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(address: &str, schema: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
             <Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">\
             <Request><EMailAddress>{address}</EMailAddress>\
             <AcceptableResponseSchema>{schema}</AcceptableResponseSchema></Request></Autodiscover>"
        )
    }

    #[test]
    fn the_documented_request_gives_its_address() {
        let body = request("ana@example.com", OUTLOOK_RESPONSE_NS);
        let parsed = parse_request(body.as_bytes()).unwrap();
        assert_eq!(parsed.email, "ana@example.com");
        let escaped = request("&quot;a&lt;b&amp;c&quot;@example.com", OUTLOOK_RESPONSE_NS);
        assert_eq!(
            parse_request(escaped.as_bytes()).unwrap().email,
            "\"a<b&c\"@example.com"
        );
    }

    #[test]
    fn bad_requests_get_600_and_other_schemas_601() {
        let mobilesync =
            "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006";
        let cases = [
            (request("ana@example.com", mobilesync), 601),
            (request("ana", OUTLOOK_RESPONSE_NS), 600),
            (request("@example.com", OUTLOOK_RESPONSE_NS), 600),
            (request("", OUTLOOK_RESPONSE_NS), 600),
            ("<Autodiscover><Request>".to_string(), 600),
            ("<html><body>hi</body></html>".to_string(), 600),
            (
                "<!DOCTYPE a [<!ENTITY e \"x\">]><Autodiscover>&e;</Autodiscover>".to_string(),
                600,
            ),
        ];
        for (body, code) in cases {
            let err = parse_request(body.as_bytes()).unwrap_err();
            assert_eq!(err.code(), code, "{body}: {err:?}");
        }
        assert!(parse_request(b"\xff\xfe<").is_err());
        let many = format!(
            "<Autodiscover><Request>{}</Request></Autodiscover>",
            "<x/>".repeat(300)
        );
        assert_eq!(parse_request(many.as_bytes()).unwrap_err().code(), 600);
    }
}
