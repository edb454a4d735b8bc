//! Any HTML straight into `sanitize_html`, remote content blocked and allowed; see
//! `checks::sanitize`.

#![no_main]

use carteiro_fuzz::checks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(what) = checks::sanitize(data) {
        panic!("{what}");
    }
});
