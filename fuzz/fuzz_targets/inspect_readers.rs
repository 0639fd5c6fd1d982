//! Fuzz target: the inspection readers (DNG/TIFF metadata from bytes and through `Read + Seek`,
//! Broadcast WAV, iXML) and the roll grouping over fuzzed files must never panic or allocate
//! without bound; what they accept must be usable (timecodes, schema JSON).
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use rushes_engine::inspect::group::ReadSeek;
use rushes_engine::inspect::ixml::parse_ixml;
use rushes_engine::inspect::{
    RollFile, group_roll, read_bwf, read_dng_metadata, read_dng_metadata_from_bytes,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    match selector % 4 {
        0 => {
            let from_bytes = read_dng_metadata_from_bytes(body, "fuzz.dng");
            let from_reader = read_dng_metadata(&mut Cursor::new(body), "fuzz.dng");
            assert_eq!(from_bytes.is_ok(), from_reader.is_ok());
        }
        1 => {
            if let Ok(bwf) = read_bwf(&mut Cursor::new(body), "fuzz.wav") {
                let _ = bwf.duration_seconds();
                if let Some(((num, den), drop)) = bwf.bext.as_ref().and_then(|b| b.speed()) {
                    let _ = bwf.start_timecode(num, den, drop);
                }
                let _ = bwf.start_timecode(24000, 1001, false);
                let _ = bwf.start_timecode(30000, 1001, true);
            }
        }
        2 => {
            let text = String::from_utf8_lossy(body);
            let _ = parse_ixml(&text, "fuzz.ixml");
        }
        _ => {
            // The same bytes as every frame of a short sequence and as a sound file.
            let files = [
                RollFile::new("A001C001/A001C001_0000001.dng", body.len() as u64),
                RollFile::new("A001C001/A001C001_0000003.dng", body.len() as u64),
                RollFile::new("S01T01.wav", body.len() as u64),
            ];
            let bytes = body.to_vec();
            let mut open = |_: &str| -> rushes_engine::Result<Box<dyn ReadSeek>> {
                Ok(Box::new(Cursor::new(bytes.clone())))
            };
            if let Ok(roll) = group_roll("A001", &files, &mut open) {
                for clip in &roll.clips {
                    assert!(serde_json::to_string(clip).is_ok());
                }
            }
        }
    }
});
