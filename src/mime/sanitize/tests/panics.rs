//! A panic while sanitizing is contained at the public entry: the caller gets an error, the
//! thread goes on, and the next body sanitizes normally.

use super::*;

#[test]
fn a_panic_inside_ammonia_comes_back_as_an_error() {
    super::super::panic_at_next_attribute();
    let failed = sanitize_html(
        "<p title=\"t\">x</p>",
        &SanitizeOptions {
            allow_remote: false,
            cid_url: &cid_lookup,
            blocked_image_url: BLOCKED,
        },
    );
    assert_eq!(failed, Err(SanitizeError::Panicked));
    // Nothing is left armed or poisoned: the same input now sanitizes.
    assert_eq!(blocked("<p title=\"t\">x</p>").html, "<p title=\"t\">x</p>");
}

#[test]
fn a_panic_in_the_callers_cid_lookup_comes_back_as_an_error() {
    let lookup = |_: &str| -> Option<String> { panic!("a lookup that fails") };
    let failed = sanitize_html(
        "<img src=\"cid:logo@example.com\">",
        &SanitizeOptions {
            allow_remote: false,
            cid_url: &lookup,
            blocked_image_url: BLOCKED,
        },
    );
    assert_eq!(failed, Err(SanitizeError::Panicked));
}
