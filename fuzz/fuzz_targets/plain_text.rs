//! Any text through `plain_to_html`, directly and after `unflow`; see `checks::plain_text`.

#![no_main]

use carteiro_fuzz::checks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(what) = checks::plain_text(data) {
        panic!("{what}");
    }
});
