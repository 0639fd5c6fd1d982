//! Fuzz target: the ASC MHL manifest and chain parsers must never panic, and what they accept
//! must survive a write/parse round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rushes_engine::mhl::{parse_chain, parse_manifest, write_chain, write_manifest};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = parse_manifest("fuzz.mhl", data) {
        let bytes = write_manifest(&m);
        let again = parse_manifest("fuzz.mhl", &bytes);
        assert!(again.is_ok(), "re-parse of our own output failed: {again:?}");
    }
    if let Ok(c) = parse_chain("fuzz_chain.xml", data) {
        assert!(parse_chain("fuzz_chain.xml", &write_chain(&c)).is_ok());
    }
});
