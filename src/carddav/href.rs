//! Card ids: the hrefs of cards inside one address-book collection, written one way.
//!
//! An id comes back from the browser, so it is checked before any request is made with it:
//! it must name a resource right inside the collection, on the same server (no `..`, no other
//! host, no sub-collection). Servers percent-encode hrefs as they like (`@` or `%40`), so
//! every href is decoded segment by segment and encoded again with [`crate::percent::segment`]
//! (RFC 3986 unreserved characters kept, the way Radicale writes them): the id a card is
//! listed under is the id it was created under.

use percent_encoding::percent_decode_str;
use url::Url;

/// One address-book collection, and the ids of the cards in it.
#[derive(Clone, Debug)]
pub struct Collection {
    /// The collection's URL; its path ends with `/`.
    url: Url,
    /// The collection's path, decoded, segment by segment.
    segments: Vec<String>,
}

/// The path segments of `url`, decoded; `None` when one is not UTF-8. A trailing `/` gives
/// a last, empty segment.
fn decoded_segments(url: &Url) -> Option<Vec<String>> {
    url.path()
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|s| s.into_owned())
        })
        .collect()
}

impl Collection {
    /// The collection at `url` (a `/` is added to its path when missing).
    pub fn new(mut url: Url) -> Collection {
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        let mut segments = decoded_segments(&url).unwrap_or_default();
        segments.pop(); // the empty one after the trailing `/`
        Collection { url, segments }
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The id of the card `href` names (relative, absolute path or full URL), when it names
    /// one right inside this collection; `None` for anything else.
    pub fn card_id(&self, href: &str) -> Option<String> {
        let url = self.url.join(href.trim()).ok()?;
        if url.origin() != self.url.origin() || url.query().is_some() || url.fragment().is_some() {
            return None;
        }
        // `join` has already resolved dot segments, encoded ones included.
        let mut segments = decoded_segments(&url)?;
        let name = segments.pop()?;
        if segments != self.segments
            || name.is_empty()
            || name == "."
            || name == ".."
            || name.contains('/')
        {
            return None;
        }
        let mut id = String::new();
        for segment in segments.iter().chain(std::iter::once(&name)) {
            id.push('/');
            id.push_str(&crate::percent::segment(segment));
        }
        Some(id)
    }

    /// The URL of the card `id` names, when it names one inside this collection.
    pub fn card_url(&self, id: &str) -> Option<(String, Url)> {
        let id = self.card_id(id)?;
        let url = self.url.join(&id).ok()?;
        Some((id, url))
    }

    /// The id and URL a new card called `name` gets.
    pub fn new_card(&self, name: &str) -> Option<(String, Url)> {
        self.card_url(&crate::percent::segment(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> Collection {
        Collection::new(Url::parse("https://dav.example.com/ana%40example.com/contacts").unwrap())
    }

    #[test]
    fn hrefs_inside_the_collection_become_one_id_however_they_are_encoded() {
        let book = book();
        assert_eq!(
            book.url().as_str(),
            "https://dav.example.com/ana%40example.com/contacts/"
        );
        let id = "/ana%40example.com/contacts/c%C3%A9.vcf";
        for href in [
            id,
            "/ana@example.com/contacts/cé.vcf",
            "/ana%40example.com/contacts/c%c3%a9.vcf",
            "c%C3%A9.vcf",
            "https://dav.example.com/ana@example.com/contacts/c%C3%A9.vcf",
            "https://dav.example.com:443/ana@example.com/contacts/x/../c%C3%A9.vcf",
        ] {
            assert_eq!(book.card_id(href).as_deref(), Some(id), "{href}");
        }
        let (new_id, url) = book.new_card("a b.vcf").unwrap();
        assert_eq!(new_id, "/ana%40example.com/contacts/a%20b.vcf");
        assert_eq!(
            url.as_str(),
            "https://dav.example.com/ana%40example.com/contacts/a%20b.vcf"
        );
    }

    #[test]
    fn hrefs_outside_the_collection_name_no_card() {
        let book = book();
        for href in [
            "/ana%40example.com/contacts/",
            "/ana%40example.com/contacts/sub/",
            "/ana%40example.com/contacts/sub/x.vcf",
            "/ana%40example.com/contacts/../other/x.vcf",
            "/ana%40example.com/contacts/%2e%2e/x.vcf",
            "/ana%40example.com/contacts/a%2Fb.vcf",
            "/bob%40example.com/contacts/x.vcf",
            "../../bob%40example.com/contacts/x.vcf",
            "/ana%40example.com/x.vcf",
            "https://evil.example/ana%40example.com/contacts/x.vcf",
            "//evil.example/ana%40example.com/contacts/x.vcf",
            "http://dav.example.com/ana%40example.com/contacts/x.vcf",
            "https://dav.example.com:8443/ana%40example.com/contacts/x.vcf",
            "/ana%40example.com/contacts/x.vcf?a=1",
            "/ana%40example.com/contacts/%FF.vcf",
            "",
            "..",
        ] {
            assert_eq!(book.card_id(href), None, "{href}");
            assert!(book.card_url(href).is_none(), "{href}");
        }
    }
}
