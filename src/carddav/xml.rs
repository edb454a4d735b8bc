//! The WebDAV/CardDAV XML Carteiro writes (PROPFIND, addressbook-multiget, extended MKCOL)
//! and reads (a 207 multistatus), kept apart from HTTP so both are tested on bytes.
//!
//! Answers are read with roxmltree, by namespace rather than prefix (servers pick their own
//! prefixes: Radicale writes `DAV:` as the default namespace and CardDAV as `CR:`). DTDs are
//! refused, so entity tricks cannot expand an answer.

use roxmltree::{Document, Node, ParsingOptions};

const DAV: &str = "DAV:";
const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";

/// Asks for what tells cards from other resources, and their versions: no card bodies, so
/// the listing of a large address book stays small.
pub const PROPFIND_CARDS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getetag/></d:prop></d:propfind>"#;

/// Creates an address book (RFC 5689 extended MKCOL, RFC 6352 section 6.3.1). No display
/// name: other apps show their own words for it, in their person's language.
pub const MKCOL_ADDRESSBOOK: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:mkcol xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><c:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>"#;

/// An addressbook-multiget REPORT (RFC 6352 section 8.7) for the cards at `hrefs`.
pub fn multiget<'a>(hrefs: impl IntoIterator<Item = &'a str>) -> String {
    let mut body = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?>
<c:addressbook-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><c:address-data/></d:prop>"#,
    );
    for href in hrefs {
        body.push_str("<d:href>");
        escape_into(&mut body, href);
        body.push_str("</d:href>");
    }
    body.push_str("</c:addressbook-multiget>");
    body
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

/// One `<response>` of a multistatus, with the properties the server found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    pub href: String,
    /// The resource is there and its properties were given (a 2xx status, for the whole
    /// response or for a propstat); false for a card gone meanwhile (404).
    pub found: bool,
    /// The resource is a collection (the address book itself, or one inside it).
    pub collection: bool,
    pub etag: Option<String>,
    /// The vCard, for a multiget.
    pub address_data: Option<String>,
}

/// Most nodes an answer may have: 5,000 cards take about 60,000; more is not an address book.
const NODES_LIMIT: u32 = 2_000_000;

/// Reads a 207 multistatus answer. The error says what is wrong, for the log.
pub fn read_multistatus(body: &[u8]) -> Result<Vec<Entry>, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("the answer is not UTF-8: {e}"))?;
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options)
        .map_err(|e| format!("the answer is not XML: {e}"))?;
    let root = doc.root_element();
    if !is(root, DAV, "multistatus") {
        return Err(format!(
            "the answer is <{}>, not a DAV multistatus",
            root.tag_name().name()
        ));
    }
    let mut entries = Vec::new();
    for response in children(root, DAV, "response") {
        let Some(href) = children(response, DAV, "href").next().map(text_of) else {
            return Err("a response has no href".into());
        };
        let mut entry = Entry {
            href: href.trim().to_string(),
            ..Entry::default()
        };
        // A status for the whole response (RFC 4918 14.24) is given instead of propstats,
        // for a resource that is not there.
        if let Some(status) = children(response, DAV, "status").next() {
            entry.found = is_success(&text_of(status));
        }
        for propstat in children(response, DAV, "propstat") {
            let ok = children(propstat, DAV, "status")
                .next()
                .is_some_and(|s| is_success(&text_of(s)));
            if !ok {
                continue;
            }
            entry.found = true;
            for prop in children(propstat, DAV, "prop").flat_map(|p| p.children()) {
                if is(prop, DAV, "resourcetype") {
                    entry.collection |= children(prop, DAV, "collection").next().is_some();
                } else if is(prop, DAV, "getetag") {
                    entry.etag = Some(text_of(prop).trim().to_string()).filter(|e| !e.is_empty());
                } else if is(prop, CARDDAV, "address-data") {
                    entry.address_data = Some(text_of(prop));
                }
            }
        }
        entries.push(entry);
    }
    Ok(entries)
}

fn is(node: Node, namespace: &str, name: &str) -> bool {
    node.is_element()
        && node.tag_name().namespace() == Some(namespace)
        && node.tag_name().name() == name
}

fn children<'a, 'input: 'a>(
    node: Node<'a, 'input>,
    namespace: &'static str,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(move |n| is(*n, namespace, name))
}

/// All the text inside `node`, CDATA sections included.
fn text_of(node: Node) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect()
}

/// `HTTP/1.1 200 OK` and the like.
fn is_success(status_line: &str) -> bool {
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .is_some_and(|code| (200..300).contains(&code))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Radicale 3.1.8's answer to [`PROPFIND_CARDS`] with Depth 1 on an address book
    /// holding one card (captured from the test stack).
    const RADICALE_PROPFIND: &str = r#"<?xml version='1.0' encoding='utf-8'?>
<multistatus xmlns="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><response><href>/t-probe-1%40example.test/contacts/</href><propstat><prop><resourcetype><CR:addressbook /><collection /></resourcetype><getetag>"1e47e8e6b1e4f99d96fa9af94907e9297de0ff7c882d33676bcacad3e6c31a12"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response><response><href>/t-probe-1%40example.test/contacts/abc-1.vcf</href><propstat><prop><resourcetype /><getetag>"91b2c67f4603f826c1ffc417bdcb406026d05e496244306dc2e4b7db2c00c6e1"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>"#;

    /// Radicale 3.1.8's answer to a multiget of one card and one href that is not there.
    const RADICALE_MULTIGET: &str = r#"<?xml version='1.0' encoding='utf-8'?>
<multistatus xmlns="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><response><href>/t-probe-1%40example.test/contacts/missing.vcf</href><status>HTTP/1.1 404 Not Found</status></response><response><href>/t-probe-1%40example.test/contacts/abc-1.vcf</href><propstat><prop><getetag>"91b2c67f4603f826c1ffc417bdcb406026d05e496244306dc2e4b7db2c00c6e1"</getetag><CR:address-data>BEGIN:VCARD
VERSION:3.0
UID:abc-1
EMAIL:joao@example.test
FN:João Çé &amp; &lt;x&gt;
END:VCARD
</CR:address-data></prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>"#;

    #[test]
    fn a_radicale_listing_tells_the_book_from_its_cards() {
        let entries = read_multistatus(RADICALE_PROPFIND.as_bytes()).unwrap();
        assert_eq!(entries.len(), 2);
        assert!(entries[0].collection && entries[0].found);
        assert_eq!(
            entries[1].href,
            "/t-probe-1%40example.test/contacts/abc-1.vcf"
        );
        assert!(!entries[1].collection && entries[1].found);
        assert_eq!(
            entries[1].etag.as_deref(),
            Some("\"91b2c67f4603f826c1ffc417bdcb406026d05e496244306dc2e4b7db2c00c6e1\"")
        );
        assert_eq!(entries[1].address_data, None);
    }

    #[test]
    fn a_radicale_multiget_gives_the_cards_text_and_marks_a_missing_one() {
        let entries = read_multistatus(RADICALE_MULTIGET.as_bytes()).unwrap();
        assert_eq!(entries.len(), 2);
        assert!(!entries[0].found, "404 for the whole response");
        assert_eq!(entries[0].address_data, None);
        let card = &entries[1];
        assert!(card.found);
        let vcard = card.address_data.as_deref().unwrap();
        assert!(vcard.starts_with("BEGIN:VCARD\nVERSION:3.0\n"), "{vcard}");
        assert!(vcard.contains("FN:João Çé & <x>\n"), "{vcard}");
    }

    #[test]
    fn other_prefixes_cdata_and_failed_propstats_are_read_by_namespace() {
        let body = r#"<?xml version="1.0"?>
<D:multistatus xmlns:D="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav">
 <D:response><D:href> /book/a.vcf </D:href>
  <D:propstat><D:prop><D:getetag>"e1"</D:getetag><card:address-data><![CDATA[BEGIN:VCARD
FN:A & B
END:VCARD
]]></card:address-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
  <D:propstat><D:prop><D:displayname/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
 </D:response>
 <D:response><D:href>/book/b.vcf</D:href>
  <D:propstat><D:prop><card:address-data/></D:prop><D:status>HTTP/1.1 403 Forbidden</D:status></D:propstat>
 </D:response>
</D:multistatus>"#;
        let entries = read_multistatus(body.as_bytes()).unwrap();
        assert_eq!(entries[0].href, "/book/a.vcf");
        assert_eq!(entries[0].etag.as_deref(), Some("\"e1\""));
        assert_eq!(
            entries[0].address_data.as_deref(),
            Some("BEGIN:VCARD\nFN:A & B\nEND:VCARD\n")
        );
        assert!(!entries[1].found && entries[1].address_data.is_none());
    }

    #[test]
    fn what_is_not_a_multistatus_is_an_error() {
        for body in [
            &b"<html><body>Login</body></html>"[..],
            b"not xml at all",
            b"<multistatus xmlns=\"DAV:\"><response><propstat/></response></multistatus>",
            b"\xff\xfe<x/>",
            b"<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"aaaa\">]><multistatus xmlns=\"DAV:\">&a;</multistatus>",
        ] {
            assert!(read_multistatus(body).is_err(), "{body:?}");
        }
    }

    #[test]
    fn multiget_hrefs_are_escaped_and_bodies_are_well_formed() {
        let body = multiget(["/book/a.vcf", "/book/<&>.vcf"]);
        assert!(
            body.contains("<d:href>/book/&lt;&amp;&gt;.vcf</d:href>"),
            "{body}"
        );
        for xml in [body.as_str(), PROPFIND_CARDS, MKCOL_ADDRESSBOOK] {
            let doc = Document::parse(xml).unwrap();
            assert!(doc.root_element().tag_name().namespace().is_some());
        }
    }
}
