//! Fuzz target: the ASC CDL reader (.cc, .ccc, .cdl) must never panic, and what it accepts must
//! survive a write/parse round trip with the same decisions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rushes_engine::cdl::CdlDocument;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = CdlDocument::parse("fuzz.ccc", data) {
        let again = match CdlDocument::parse("fuzz_rewritten.ccc", doc.to_xml().as_bytes()) {
            Ok(a) => a,
            Err(e) => panic!("re-parse of our own output failed: {e}"),
        };
        assert_eq!(doc.kind, again.kind);
        assert_eq!(doc.corrections.len(), again.corrections.len());
        for (a, b) in doc.corrections.iter().zip(&again.corrections) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.cdl, b.cdl);
        }
    }
});
