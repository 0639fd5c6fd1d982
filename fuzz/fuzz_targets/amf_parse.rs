//! Fuzz target: the AMF reader must never panic, and what it accepts must survive a write/parse
//! round trip with the same planning outcome.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rushes_engine::amf::Amf;

fuzz_target!(|data: &[u8]| {
    if let Ok(amf) = Amf::parse("fuzz.amf", data) {
        let again = Amf::parse("fuzz_rewritten.amf", amf.to_xml().as_bytes());
        let again = match again {
            Ok(a) => a,
            Err(e) => panic!("re-parse of our own output failed: {e}"),
        };
        assert_eq!(amf.pipeline.plan().is_ok(), again.pipeline.plan().is_ok());
        assert_eq!(amf.archived_pipelines.len(), again.archived_pipelines.len());
    }
});
