//! Unit tests of the OpenEXR, DPX, QuickTime and MXF readers on headers built in memory: values
//! decoded in both byte orders, and every class of bad input (truncation, lengths past the end,
//! absurd sizes, garbage) answered by a clear error naming the file, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use super::dpx::read_dpx;
use super::mxf::read_mxf;
use super::openexr::{EXR_MAGIC, ExrValue, read_exr_header};
use super::quicktime::read_movie;

fn err_text<T: std::fmt::Debug>(r: crate::Result<T>) -> String {
    r.expect_err("expected an error").to_string()
}

// --- OpenEXR ---------------------------------------------------------------------------------

fn exr_attr(out: &mut Vec<u8>, name: &str, ty: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    out.extend_from_slice(ty.as_bytes());
    out.push(0);
    out.extend_from_slice(&(value.len() as i32).to_le_bytes());
    out.extend_from_slice(value);
}

fn le32s(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn exr_file() -> Vec<u8> {
    let mut b = EXR_MAGIC.to_vec();
    b.extend_from_slice(&2u32.to_le_bytes());
    let mut ch = Vec::new();
    for name in ["B", "G", "R"] {
        ch.extend_from_slice(name.as_bytes());
        ch.push(0);
        ch.extend_from_slice(&le32s(&[1, 0, 1, 1]));
    }
    ch.push(0);
    exr_attr(&mut b, "channels", "chlist", &ch);
    exr_attr(&mut b, "compression", "compression", &[4]);
    exr_attr(&mut b, "dataWindow", "box2i", &le32s(&[0, 0, 1919, 1079]));
    exr_attr(
        &mut b,
        "displayWindow",
        "box2i",
        &le32s(&[0, 0, 1919, 1079]),
    );
    // 10:20:30:12, drop frame, user bits.
    let tc = 0x1020_3012u32 | 0x40;
    exr_attr(
        &mut b,
        "timeCode",
        "timecode",
        &le32s(&[tc as i32, 0x0102_0304]),
    );
    exr_attr(
        &mut b,
        "framesPerSecond",
        "rational",
        &le32s(&[30000, 1001]),
    );
    exr_attr(&mut b, "owner", "string", b"me");
    exr_attr(&mut b, "custom", "myOpaqueType", &[1, 2, 3]);
    b.push(0);
    b.extend_from_slice(&[0u8; 64]); // offsets and pixels, never read
    b
}

#[test]
fn exr_header_values() {
    let h = read_exr_header(&mut Cursor::new(exr_file()), "a.exr").unwrap();
    let p = &h.parts[0];
    assert_eq!(p.channels().len(), 3);
    assert_eq!(p.compression(), Some(4));
    assert_eq!(p.data_window(), Some([0, 0, 1919, 1079]));
    let tc = p.time_code().unwrap();
    assert_eq!(tc.timecode().unwrap().to_string(), "10:20:30;12");
    assert_eq!(tc.user_data, 0x0102_0304);
    assert_eq!(p.frames_per_second(), Some((30000, 1001)));
    assert_eq!(p.owner().as_deref(), Some("me"));
    assert_eq!(p.get("custom"), Some(&ExrValue::Opaque(3)));
    assert!(!h.multi_part && !h.tiled);
}

#[test]
fn exr_bad_input() {
    let good = exr_file();
    // Truncated anywhere in the header: an error naming the file, never a panic.
    for n in [0, 3, 8, 20, 60, 120, 200, 250] {
        let e = err_text(read_exr_header(
            &mut Cursor::new(good[..n].to_vec()),
            "t.exr",
        ));
        assert!(e.contains("t.exr"), "{n}: {e}");
    }
    let mut bad = good.clone();
    bad[0] = 0;
    assert!(err_text(read_exr_header(&mut Cursor::new(bad), "m.exr")).contains("magic"));
    let mut bad = good.clone();
    bad[4] = 3;
    assert!(err_text(read_exr_header(&mut Cursor::new(bad), "v.exr")).contains("version"));
    // An attribute size past the end of the file.
    let mut b = EXR_MAGIC.to_vec();
    b.extend_from_slice(&2u32.to_le_bytes());
    b.extend_from_slice(b"owner\0string\0");
    b.extend_from_slice(&i32::MAX.to_le_bytes());
    b.extend_from_slice(b"xx");
    let e = err_text(read_exr_header(&mut Cursor::new(b.clone()), "s.exr"));
    assert!(
        e.contains("owner") && (e.contains("truncated") || e.contains("limit")),
        "{e}"
    );
    // A negative size.
    let n = b.len();
    b[n - 6..n - 2].copy_from_slice(&(-5i32).to_le_bytes());
    assert!(err_text(read_exr_header(&mut Cursor::new(b), "n.exr")).contains("negative"));
    // A name that never ends.
    let mut b = EXR_MAGIC.to_vec();
    b.extend_from_slice(&2u32.to_le_bytes());
    b.extend_from_slice(&[b'a'; 100]);
    assert!(err_text(read_exr_header(&mut Cursor::new(b), "l.exr")).contains("longer than"));
    // A box2i of the wrong size, a channel list without its terminator.
    let mut b = EXR_MAGIC.to_vec();
    b.extend_from_slice(&2u32.to_le_bytes());
    exr_attr(&mut b, "dataWindow", "box2i", &[1, 2, 3]);
    b.push(0);
    assert!(err_text(read_exr_header(&mut Cursor::new(b), "w.exr")).contains("dataWindow"));
    let mut b = EXR_MAGIC.to_vec();
    b.extend_from_slice(&2u32.to_le_bytes());
    exr_attr(&mut b, "channels", "chlist", b"R\0\x01\0\0\0");
    b.push(0);
    assert!(err_text(read_exr_header(&mut Cursor::new(b), "c.exr")).contains("channel"));
    // A preview whose size overflows 64 bits.
    let mut b = EXR_MAGIC.to_vec();
    b.extend_from_slice(&2u32.to_le_bytes());
    exr_attr(&mut b, "preview", "preview", &le32s(&[-1, -1]));
    b.push(0);
    assert!(err_text(read_exr_header(&mut Cursor::new(b), "p.exr")).contains("preview"));
    // Required attributes missing.
    let mut b = EXR_MAGIC.to_vec();
    b.extend_from_slice(&2u32.to_le_bytes());
    exr_attr(&mut b, "owner", "string", b"x");
    b.push(0);
    assert!(err_text(read_exr_header(&mut Cursor::new(b), "r.exr")).contains("required"));
}

// --- DPX -------------------------------------------------------------------------------------

fn dpx_file(big_endian: bool) -> Vec<u8> {
    let mut b = vec![0xFFu8; 2048 + 64];
    let put32 = |b: &mut Vec<u8>, at: usize, v: u32| {
        let bytes = if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        b[at..at + 4].copy_from_slice(&bytes);
    };
    let put16 = |b: &mut Vec<u8>, at: usize, v: u16| {
        let bytes = if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        b[at..at + 2].copy_from_slice(&bytes);
    };
    b[..4].copy_from_slice(if big_endian { b"SDPX" } else { b"XPDS" });
    put32(&mut b, 4, 2048);
    b[8..16].copy_from_slice(b"V2.0\0\0\0\0");
    b[160..170].copy_from_slice(b"scanner\0\0\0");
    put16(&mut b, 768, 0);
    put16(&mut b, 770, 1);
    put32(&mut b, 772, 4096);
    put32(&mut b, 776, 3112);
    b[780 + 20] = 50; // RGB
    b[780 + 21] = 1; // printing density
    b[780 + 22] = 1;
    b[780 + 23] = 10;
    put16(&mut b, 780 + 24, 1);
    put16(&mut b, 780 + 26, 0);
    b[1664..1666].copy_from_slice(b"KK");
    put32(&mut b, 1724, 24.0f32.to_bits());
    put32(&mut b, 1920, 0x0102_0304);
    put32(&mut b, 1924, 0);
    b
}

#[test]
fn dpx_both_byte_orders_and_unset_fields() {
    for big in [true, false] {
        let m = read_dpx(&mut Cursor::new(dpx_file(big)), "a.dpx").unwrap();
        assert_eq!(m.big_endian, big);
        assert_eq!((m.width, m.height), (4096, 3112));
        assert_eq!(m.elements[0].descriptor, Some(50));
        assert_eq!(m.elements[0].bit_depth, Some(10));
        assert_eq!(m.elements[0].packing, Some(1));
        assert_eq!(m.creator.as_deref(), Some("scanner"));
        assert_eq!(m.tv.timecode.unwrap().to_string(), "01:02:03:04");
        assert_eq!(m.frame_rate(), Some(24.0));
        assert_eq!(m.film.manufacturer_id.as_deref(), Some("KK"));
        // All-0xFF fields are absent, not garbage.
        assert_eq!(m.project, None);
        assert_eq!(m.film.prefix, None);
        assert_eq!(m.film.shutter_angle, None);
        assert_eq!(m.tv.frame_rate, None);
        assert_eq!(m.offset, [None, None]);
        assert_eq!(m.tv.interlace, None);
    }
}

#[test]
fn dpx_bad_input() {
    let good = dpx_file(true);
    for n in [0, 2, 4, 100, 2047] {
        let e = err_text(read_dpx(&mut Cursor::new(good[..n].to_vec()), "t.dpx"));
        assert!(e.contains("t.dpx"), "{e}");
    }
    assert!(
        err_text(read_dpx(&mut Cursor::new(good[..1000].to_vec()), "t.dpx")).contains("truncated")
    );
    let mut bad = good.clone();
    bad[..4].copy_from_slice(b"JUNK");
    assert!(err_text(read_dpx(&mut Cursor::new(bad), "j.dpx")).contains("not a DPX"));
    let mut bad = good.clone();
    bad[770..772].copy_from_slice(&9u16.to_be_bytes());
    assert!(err_text(read_dpx(&mut Cursor::new(bad), "e.dpx")).contains("image elements"));
    let mut bad = good.clone();
    bad[772..776].copy_from_slice(&0u32.to_be_bytes());
    assert!(err_text(read_dpx(&mut Cursor::new(bad), "z.dpx")).contains("empty"));
    // Not BCD: a warning, the rest still read; an image offset past the end: a warning.
    let mut bad = good.clone();
    bad[1920..1924].copy_from_slice(&0x0102_03AAu32.to_be_bytes());
    bad[4..8].copy_from_slice(&999_999u32.to_be_bytes());
    let m = read_dpx(&mut Cursor::new(bad), "b.dpx").unwrap();
    assert_eq!(m.tv.timecode, None);
    assert_eq!(m.warnings.len(), 2, "{:?}", m.warnings);
    // Absurd dimensions become a clip warning (see normalize_media), not an error here.
    let mut huge = good;
    huge[772..776].copy_from_slice(&u32::MAX.wrapping_sub(1).to_be_bytes());
    assert_eq!(
        read_dpx(&mut Cursor::new(huge), "h.dpx").unwrap().width,
        u32::MAX - 1
    );
}

// --- QuickTime / MP4 -------------------------------------------------------------------------

fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(payload);
    v
}

fn be32(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}

/// A movie with a 25 fps video track and a drop-frame 30 fps timecode track whose sample (at
/// `tc_offset`) holds frame 108_000 (01:00:03;18 in drop-frame counting).
fn movie(tc_offset: u32) -> Vec<u8> {
    let mvhd = be32(&[0, 0, 0, 600, 1200]);
    let video_trak = {
        let tkhd = [
            be32(&[0, 0, 0, 1, 0, 50]),
            vec![0; 60],
            be32(&[1920 << 16, 1080 << 16]),
        ]
        .concat();
        let mdhd = be32(&[0, 0, 0, 25, 50, 0]);
        let hdlr = [
            be32(&[0, 0]),
            b"vide".to_vec(),
            vec![0; 12],
            b"\x05Video".to_vec(),
        ]
        .concat();
        let mut entry = vec![0u8; 78];
        entry[24..26].copy_from_slice(&1920u16.to_be_bytes());
        entry[26..28].copy_from_slice(&1080u16.to_be_bytes());
        entry[42] = 5;
        entry[43..48].copy_from_slice(b"H.264");
        let stsd = [be32(&[0, 1]), bx(b"avc1", &entry)].concat();
        let stts = be32(&[0, 1, 50, 1]);
        let stbl = [bx(b"stsd", &stsd), bx(b"stts", &stts)].concat();
        let minf = bx(b"stbl", &stbl);
        let mdia = [bx(b"mdhd", &mdhd), bx(b"hdlr", &hdlr), bx(b"minf", &minf)].concat();
        bx(b"trak", &[bx(b"tkhd", &tkhd), bx(b"mdia", &mdia)].concat())
    };
    let tc_trak = {
        let mdhd = be32(&[0, 0, 0, 30000, 60060, 0]);
        let hdlr = [be32(&[0, 0]), b"tmcd".to_vec(), vec![0; 12], vec![0]].concat();
        let name = bx(b"name", &[0, 4, 0, 0, b'R', b'0', b'0', b'7']);
        let entry = [
            vec![0, 0, 0, 0, 0, 0, 0, 1],
            be32(&[0, 1, 30000, 1001]),
            vec![30, 0],
            name,
        ]
        .concat();
        let stsd = [be32(&[0, 1]), bx(b"tmcd", &entry)].concat();
        let stts = be32(&[0, 1, 1, 60060]);
        let stsz = be32(&[0, 4, 1]);
        let stco = be32(&[0, 1, tc_offset]);
        let stbl = [
            bx(b"stsd", &stsd),
            bx(b"stts", &stts),
            bx(b"stsz", &stsz),
            bx(b"stco", &stco),
        ]
        .concat();
        let minf = bx(b"stbl", &stbl);
        let mdia = [bx(b"mdhd", &mdhd), bx(b"hdlr", &hdlr), bx(b"minf", &minf)].concat();
        bx(
            b"trak",
            &[bx(b"tkhd", &be32(&[0, 0, 0, 2, 0, 0])), bx(b"mdia", &mdia)].concat(),
        )
    };
    let ftyp = bx(b"ftyp", b"qt  \0\0\0\0");
    let mdat = bx(b"mdat", &108_000u32.to_be_bytes());
    let moov = bx(b"moov", &[bx(b"mvhd", &mvhd), video_trak, tc_trak].concat());
    [ftyp, mdat, moov].concat()
}

#[test]
fn movie_tracks_and_timecode() {
    // ftyp is 16 bytes; the mdat payload starts at 16 + 8.
    let m = read_movie(&mut Cursor::new(movie(24)), "a.mov").unwrap();
    let v = m.video().unwrap();
    assert_eq!(v.codec.as_deref(), Some("avc1"));
    assert_eq!(v.codec_name.as_deref(), Some("H.264"));
    assert_eq!((v.width, v.height), (Some(1920), Some(1080)));
    assert_eq!(v.frame_rate, Some((25, 1)));
    assert_eq!(v.sample_count, 50);
    let tc = m.timecode().unwrap();
    assert!(tc.drop_frame());
    assert_eq!(tc.reel_name.as_deref(), Some("R007"));
    assert_eq!(tc.first_frame, Some(108_000));
    assert_eq!(tc.start_timecode().unwrap().to_string(), "01:00:03;18");
    assert_eq!(m.major_brand.as_deref(), Some("qt  "));
}

#[test]
fn movie_bad_input() {
    let good = movie(24);
    // Truncated: the last box runs past the end.
    for n in [0, 5, 12, 30, good.len() - 1] {
        let e = err_text(read_movie(&mut Cursor::new(good[..n].to_vec()), "t.mov"));
        assert!(e.contains("t.mov"), "{n}: {e}");
    }
    // A box size past the end of its parent inside moov.
    let mut bad = good.clone();
    let moov = bad.windows(4).position(|w| w == b"mvhd").unwrap() - 4;
    bad[moov..moov + 4].copy_from_slice(&10_000u32.to_be_bytes());
    let e = err_text(read_movie(&mut Cursor::new(bad), "b.mov"));
    assert!(e.contains("'mvhd'") && e.contains("does not fit"), "{e}");
    // A 64-bit size past the end of the file.
    let mut bad = good[..16].to_vec();
    bad.extend_from_slice(&1u32.to_be_bytes());
    bad.extend_from_slice(b"mdat");
    bad.extend_from_slice(&u64::MAX.to_be_bytes());
    assert!(err_text(read_movie(&mut Cursor::new(bad), "l.mov")).contains("past the end"));
    // No moov.
    let e = err_text(read_movie(
        &mut Cursor::new(good[..24 + 4].to_vec()),
        "n.mov",
    ));
    assert!(e.contains("moov"), "{e}");
    // Garbage.
    let e = err_text(read_movie(&mut Cursor::new(vec![0x41u8; 64]), "g.mov"));
    assert!(e.contains("g.mov"), "{e}");
    // A timecode sample offset past the end: a warning, the rest still read.
    let m = read_movie(&mut Cursor::new(movie(1 << 30)), "o.mov").unwrap();
    assert_eq!(m.timecode().unwrap().first_frame, None);
    assert!(m.warnings[0].contains("past the end"), "{:?}", m.warnings);
    // A truncated stts table.
    let mut bad = good.clone();
    let stts = bad.windows(4).position(|w| w == b"stts").unwrap();
    bad[stts + 8..stts + 12].copy_from_slice(&1_000_000u32.to_be_bytes());
    assert!(err_text(read_movie(&mut Cursor::new(bad), "s.mov")).contains("stts"));
}

// --- MXF -------------------------------------------------------------------------------------

fn klv(key: &[u8; 16], value: &[u8]) -> Vec<u8> {
    let mut v = key.to_vec();
    v.push(0x83);
    v.extend_from_slice(&(value.len() as u32).to_be_bytes()[1..]);
    v.extend_from_slice(value);
    v
}

fn set_key(class: u8) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..13].copy_from_slice(&super::klv::LOCAL_SET_PREFIX);
    k[13] = 0x01;
    k[14] = class;
    k
}

fn prop(tag: u16, v: &[u8]) -> Vec<u8> {
    [
        tag.to_be_bytes().to_vec(),
        (v.len() as u16).to_be_bytes().to_vec(),
        v.to_vec(),
    ]
    .concat()
}

fn uid(n: u8) -> [u8; 16] {
    [n; 16]
}

fn refs(ids: &[[u8; 16]]) -> Vec<u8> {
    let mut v = be32(&[ids.len() as u32, 16]);
    for i in ids {
        v.extend_from_slice(i);
    }
    v
}

fn mxf_file(header_byte_count: Option<u64>) -> Vec<u8> {
    let utf16 = |s: &str| {
        s.encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect::<Vec<u8>>()
    };
    let mut tc_def = [0u8; 16];
    tc_def[8..12].copy_from_slice(&[0x01, 0x03, 0x02, 0x01]);
    let mut pic_def = [0u8; 16];
    pic_def[8..13].copy_from_slice(&[0x01, 0x03, 0x02, 0x02, 0x01]);
    let mut coding = [0u8; 16];
    coding[8..14].copy_from_slice(&[0x04, 0x01, 0x02, 0x02, 0x71, 0x01]);
    let sets = [
        klv(
            &set_key(0x36),
            &[
                prop(0x3C0A, &uid(1)),
                prop(0x4402, &utf16("CLIP 7")),
                prop(0x4403, &refs(&[uid(2), uid(3)])),
            ]
            .concat(),
        ),
        klv(
            &set_key(0x3B),
            &[
                prop(0x3C0A, &uid(2)),
                prop(0x4B01, &be32(&[24000, 1001])),
                prop(0x4803, &uid(4)),
            ]
            .concat(),
        ),
        klv(
            &set_key(0x3B),
            &[
                prop(0x3C0A, &uid(3)),
                prop(0x4B01, &be32(&[24000, 1001])),
                prop(0x4803, &uid(5)),
            ]
            .concat(),
        ),
        klv(
            &set_key(0x0F),
            &[
                prop(0x3C0A, &uid(4)),
                prop(0x0201, &tc_def),
                prop(0x1001, &refs(&[uid(6)])),
            ]
            .concat(),
        ),
        klv(
            &set_key(0x0F),
            &[
                prop(0x3C0A, &uid(5)),
                prop(0x0201, &pic_def),
                prop(0x0202, &240u64.to_be_bytes()),
            ]
            .concat(),
        ),
        klv(
            &set_key(0x14),
            &[
                prop(0x3C0A, &uid(6)),
                prop(0x1501, &86_400u64.to_be_bytes()),
                prop(0x1502, &24u16.to_be_bytes()),
                prop(0x1503, &[0]),
            ]
            .concat(),
        ),
        klv(
            &set_key(0x28),
            &[
                prop(0x3C0A, &uid(7)),
                prop(0x3203, &be32(&[1920])),
                prop(0x3202, &be32(&[1080])),
                prop(0x3201, &coding),
                prop(0x8001, &[1]),
            ]
            .concat(),
        ),
    ]
    .concat();
    let mut primer_v = be32(&[1, 18]);
    primer_v.extend_from_slice(&0x8001u16.to_be_bytes());
    primer_v.extend_from_slice(&[0xAB; 16]);
    let primer = klv(&super::klv::PRIMER_KEY, &primer_v);
    let hbc = header_byte_count.unwrap_or((primer.len() + sets.len()) as u64);
    let mut pack = vec![0u8; 88];
    pack[0..2].copy_from_slice(&1u16.to_be_bytes());
    pack[2..4].copy_from_slice(&3u16.to_be_bytes());
    pack[32..40].copy_from_slice(&hbc.to_be_bytes());
    pack[64..80].copy_from_slice(&[6, 0x0E, 0x2B, 0x34, 4, 1, 1, 1, 0x0D, 1, 2, 1, 1, 1, 9, 0]);
    let mut key = [0u8; 16];
    key[..13].copy_from_slice(&super::klv::PARTITION_PREFIX);
    key[13] = 0x02;
    key[14] = 0x04;
    let run_in = vec![0u8; 7];
    [run_in, klv(&key, &pack), primer, sets].concat()
}

#[test]
fn mxf_header_metadata() {
    let m = read_mxf(&mut Cursor::new(mxf_file(None)), "a.mxf").unwrap();
    assert_eq!(m.partition.operational_pattern_name(), "OP1a");
    assert_eq!(m.material_package_name.as_deref(), Some("CLIP 7"));
    assert_eq!(m.edit_rate, Some((24000, 1001)));
    assert_eq!(m.duration, Some(240));
    let tc = m.timecode.unwrap();
    assert_eq!(tc.start_timecode().unwrap().to_string(), "01:00:00:00");
    assert_eq!(m.pictures[0].codec().as_deref(), Some("dnxhd"));
    assert_eq!(m.pictures[0].stored_width, Some(1920));
    assert_eq!(m.dynamic_properties.len(), 1);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn mxf_bad_input() {
    let good = mxf_file(None);
    for n in [0, 10, 30, 100, 150, good.len() - 1] {
        let e = err_text(read_mxf(&mut Cursor::new(good[..n].to_vec()), "t.mxf"));
        assert!(e.contains("t.mxf"), "{n}: {e}");
    }
    let e = err_text(read_mxf(&mut Cursor::new(vec![0x06u8; 5000]), "g.mxf"));
    assert!(e.contains("no header partition"), "{e}");
    // A BER length of 9 bytes, and one running past the end of the file.
    let mut bad = good.clone();
    bad[7 + 16] = 0x89;
    assert!(err_text(read_mxf(&mut Cursor::new(bad), "b.mxf")).contains("BER"));
    let mut bad = good.clone();
    bad[7 + 16..7 + 20].copy_from_slice(&[0x83, 0xFF, 0xFF, 0xFF]);
    assert!(err_text(read_mxf(&mut Cursor::new(bad), "p.mxf")).contains("past the end"));
    // Header byte count of zero, or absurd.
    assert!(err_text(read_mxf(&mut Cursor::new(mxf_file(Some(0))), "z.mxf")).contains("no header"));
    assert!(
        err_text(read_mxf(
            &mut Cursor::new(mxf_file(Some(u64::MAX))),
            "h.mxf"
        ))
        .contains("limit")
    );
    // A header byte count that cuts a set in two.
    let e = err_text(read_mxf(&mut Cursor::new(mxf_file(Some(200))), "c.mxf"));
    assert!(e.contains("runs past the end of the header"), "{e}");
    // A property length past its set.
    let mut bad = good.clone();
    let at = bad.windows(2).position(|w| w == [0x44, 0x02]).unwrap();
    bad[at + 2..at + 4].copy_from_slice(&0xFFFFu16.to_be_bytes());
    assert!(err_text(read_mxf(&mut Cursor::new(bad), "s.mxf")).contains("runs past the set"));
    // A dangling reference: a warning.
    let mut bad = good;
    let at = bad.windows(16).position(|w| w == [3u8; 16]).unwrap();
    bad[at] = 9;
    let m = read_mxf(&mut Cursor::new(bad), "r.mxf").unwrap();
    assert!(
        m.warnings.iter().any(|w| w.contains("missing")),
        "{:?}",
        m.warnings
    );
}

#[test]
fn dpx_sequence_mixed_sizes_and_broken_timecode() {
    use super::clip::WarningCode;
    use super::group::{ReadSeek, RollFile, group_roll};
    let first = dpx_file(true);
    let mut last = dpx_file(false);
    last[772..776].copy_from_slice(&2048u32.to_le_bytes());
    let files = [
        RollFile::new("P/plate.0001.dpx", first.len() as u64),
        RollFile::new("P/plate.0002.dpx", first.len() as u64),
        RollFile::new("P/plate.0003.dpx", last.len() as u64),
    ];
    let mut open = |p: &str| -> crate::Result<Box<dyn ReadSeek>> {
        let b = if p.ends_with("0003.dpx") {
            &last
        } else {
            &first
        };
        Ok(Box::new(Cursor::new(b.clone())))
    };
    let r = group_roll("P", &files, &mut open).unwrap();
    let c = &r.clips[0];
    assert_eq!(c.timing.frame_count, Some(3));
    assert_eq!(c.timing.start_timecode.as_deref(), Some("01:02:03:04"));
    assert_eq!(c.timing.end_timecode.as_deref(), Some("01:02:03:07"));
    let has = |s: &str| {
        c.warnings
            .iter()
            .any(|w| w.code == WarningCode::Inconsistent && w.message.contains(s))
    };
    assert!(has("mixed frame formats"), "{:?}", c.warnings);
    assert!(
        has("last frame has timecode 01:02:03:04"),
        "{:?}",
        c.warnings
    );
    // An unreadable last frame: a warning, the clip still built from the first.
    let mut open = |p: &str| -> crate::Result<Box<dyn ReadSeek>> {
        let b = if p.ends_with("0003.dpx") {
            vec![1u8; 10]
        } else {
            first.clone()
        };
        Ok(Box::new(Cursor::new(b)))
    };
    let r = group_roll("P", &files, &mut open).unwrap();
    let c = &r.clips[0];
    assert!(c.sensor.is_some());
    assert!(
        c.warnings
            .iter()
            .any(|w| w.code == WarningCode::Unreadable && w.message.contains("plate.0003.dpx")),
        "{:?}",
        c.warnings
    );
}
