//! Fuzz target: the inspection readers (DNG/TIFF metadata from bytes and through `Read + Seek`,
//! Broadcast WAV, iXML, OpenEXR, DPX, QuickTime / MP4, MXF) and the roll grouping over fuzzed
//! files must never panic or allocate without bound; what they accept must be usable
//! (timecodes, schema JSON).
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use rushes_engine::inspect::group::ReadSeek;
use rushes_engine::inspect::ixml::parse_ixml;
use rushes_engine::inspect::{
    RollFile, group_roll, read_bwf, read_dng_metadata, read_dng_metadata_from_bytes, read_dpx,
    read_exr_header, read_movie, read_mxf, read_tiff_metadata,
};

/// The same bytes as every file of a small roll with one clip per reader.
fn roll(body: &[u8], files: &[&str]) {
    let list: Vec<RollFile> = files
        .iter()
        .map(|p| RollFile::new(*p, body.len() as u64))
        .collect();
    let bytes = body.to_vec();
    let mut open = |_: &str| -> rushes_engine::Result<Box<dyn ReadSeek>> {
        Ok(Box::new(Cursor::new(bytes.clone())))
    };
    if let Ok(roll) = group_roll("A001", &list, &mut open) {
        for clip in &roll.clips {
            assert!(serde_json::to_string(clip).is_ok());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    match selector % 9 {
        0 => {
            let from_bytes = read_dng_metadata_from_bytes(body, "fuzz.dng");
            let from_reader = read_dng_metadata(&mut Cursor::new(body), "fuzz.dng");
            assert_eq!(from_bytes.is_ok(), from_reader.is_ok());
            let _ = read_tiff_metadata(&mut Cursor::new(body), "fuzz.tif");
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
        3 => {
            if let Ok(h) = read_exr_header(&mut Cursor::new(body), "fuzz.exr") {
                for p in &h.parts {
                    let _ = p.time_code().map(|t| t.timecode());
                    let _ = p.strings();
                }
            }
        }
        4 => {
            if let Ok(m) = read_dpx(&mut Cursor::new(body), "fuzz.dpx") {
                let _ = m.frame_rate();
                let _ = m.film.edge_code();
            }
        }
        5 => {
            if let Ok(m) = read_movie(&mut Cursor::new(body), "fuzz.mov") {
                let _ = m.creation_time();
                let _ = m.timecode().map(|t| t.start_timecode());
            }
        }
        6 => {
            if let Ok(m) = read_mxf(&mut Cursor::new(body), "fuzz.mxf") {
                let _ = m.timecode.map(|t| t.start_timecode());
                let _ = m.pictures.first().map(|p| p.codec());
            }
        }
        7 => roll(
            body,
            &[
                "A001C001/A001C001.1001.exr",
                "A001C001/A001C001.1003.exr",
                "B001C001/B001C001.0001.dpx",
                "B001C001/B001C001.0002.dpx",
                "A001C002.mov",
                "A001C003.mxf",
                "scan_0001.tif",
            ],
        ),
        _ => roll(
            body,
            &[
                "A001C001/A001C001_0000001.dng",
                "A001C001/A001C001_0000003.dng",
                "S01T01.wav",
            ],
        ),
    }
});
