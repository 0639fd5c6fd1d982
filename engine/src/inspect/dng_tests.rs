//! Tests of the DNG reader: the sample generator's frames, both byte orders, SubIFDs, hostile files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::dng::{DngMetadata, read_dng_metadata_from_bytes};
use super::ifd::{SRational, URational};
use super::test_tiff::TestTiff;
use crate::sample::{CardPlan, CardSpec, write_dng};

fn sample_frame(roll: usize, clip: usize, frame: u32) -> (crate::sample::ClipPlan, Vec<u8>) {
    let plan = CardPlan::new(&CardSpec::default()).unwrap();
    let c = plan.camera_rolls[roll].clips[clip].clone();
    let mut out = Vec::new();
    write_dng(&c, frame, 1, &mut out).unwrap();
    (c, out)
}

#[test]
fn reads_every_tag_of_a_sample_frame() {
    let (c, bytes) = sample_frame(1, 1, 2);
    let m = read_dng_metadata_from_bytes(&bytes, "f.dng").unwrap();
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    assert_eq!(m.dng_version, Some([1, 4, 0, 0]));
    assert_eq!(m.raw_ifd, "IFD0");
    assert_eq!(m.make.as_deref(), Some("Rushes"));
    assert_eq!(m.model.as_deref(), Some("SampleCam"));
    assert_eq!(m.unique_camera_model.as_deref(), Some("Rushes SampleCam"));
    assert_eq!(m.serial.as_deref(), Some(c.camera.serial.as_str()));
    assert_eq!(m.width, Some(c.sensor.width));
    assert_eq!(m.height, Some(c.sensor.height));
    assert_eq!(m.bits_per_sample, Some(16));
    assert_eq!(m.compression, Some(1));
    assert_eq!(m.photometric, Some(32803));
    assert_eq!(m.cfa_repeat_dim, Some([2, 2]));
    assert_eq!(m.cfa_pattern.as_deref(), Some(&c.cfa.colors()[..]));
    assert_eq!(m.black_level, Some(vec![f64::from(c.black_level)]));
    assert_eq!(m.white_level, Some(vec![u32::from(c.white_level)]));
    assert_eq!(m.active_area, Some(c.sensor.active_area));
    let o = c.sensor.crop_origin.map(f64::from);
    let s = c.sensor.crop_size.map(f64::from);
    assert_eq!(m.default_crop_origin, Some(o));
    assert_eq!(m.default_crop_size, Some(s));
    let sq = URational {
        num: c.squeeze.num,
        den: c.squeeze.den,
    };
    assert_eq!(m.default_scale, Some([sq, URational { num: 1, den: 1 }]));
    let cm1 = m.color_matrix_1.unwrap();
    assert_eq!(cm1.len(), 9);
    assert_eq!(
        cm1[0],
        SRational {
            num: 7234,
            den: 10_000
        }
    );
    assert_eq!(
        m.forward_matrix_2.unwrap()[8],
        SRational {
            num: 10570,
            den: 10_000
        }
    );
    assert_eq!(m.calibration_illuminant_1, Some(17));
    assert_eq!(m.calibration_illuminant_2, Some(21));
    let n = m.as_shot_neutral.unwrap();
    for (got, want) in n.iter().zip(c.as_shot_neutral) {
        assert!((got.to_f64().unwrap() - want).abs() < 1e-6);
    }
    assert_eq!(m.baseline_exposure, Some(SRational { num: 1, den: 2 }));
    assert_eq!(m.iso, Some(c.iso));
    assert_eq!(
        m.exposure_time,
        Some(URational {
            num: c.exposure_time.num,
            den: c.exposure_time.den
        })
    );
    assert_eq!(
        m.t_stop,
        Some(URational {
            num: c.t_stop.num,
            den: c.t_stop.den
        })
    );
    assert_eq!(
        m.focal_length,
        Some(URational {
            num: c.focal_length_mm,
            den: 1
        })
    );
    assert_eq!(m.lens_model.as_deref(), Some(c.lens_model.as_str()));
    assert_eq!(m.timecode.unwrap().to_string(), c.frame_tc(2).to_string());
    assert_eq!(
        m.frame_rate,
        Some(SRational {
            num: c.fps.num as i32,
            den: c.fps.den as i32
        })
    );
    assert_eq!(m.reel_name.as_deref(), Some(c.clip_name.as_str()));
    assert_eq!(m.camera_label.as_deref(), Some("B"));
}

/// A big-endian DNG with a preview in IFD 0 and the raw image in SubIFD 0, EXIF in its own IFD.
fn subifd_dng(big: bool) -> TestTiff {
    let mut t = TestTiff::new(big);
    t.longs(0, 254, &[1]); // IFD 0: reduced-resolution preview
    t.longs(0, 256, &[256]);
    t.longs(0, 257, &[171]);
    t.shorts(0, 262, &[2]); // RGB
    t.ascii(0, 271, "Big Endian Co");
    t.ascii(0, 272, "BE-1");
    t.bytes(0, 50706, &[1, 6, 0, 0]);
    t.ascii(0, 50708, "Big Endian BE-1");
    t.srationals(
        0,
        50721,
        &[
            (10000, 10000),
            (-2000, 10000),
            (0, 1),
            (0, 1),
            (1, 1),
            (0, 1),
            (0, 1),
            (0, 1),
            (1, 1),
        ],
    );
    t.rationals(0, 50728, &[(1, 2), (1, 1), (2, 3)]);
    t.shorts(0, 50778, &[21]);
    t.bytes(0, 51043, &[0x05, 0x59, 0x59, 0x23, 0, 0, 0, 0]);
    t.srationals(0, 51044, &[(30000, 1001)]);
    t.ascii(0, 51081, "A002C007_200101_X9ZZ");
    t.longs(0, 330, &[1]); // SubIFDs -> IFD 1
    t.longs(0, 34665, &[2]); // EXIF -> IFD 2
    // SubIFD 0: the raw image.
    t.longs(1, 254, &[0]);
    t.longs(1, 256, &[6048]);
    t.longs(1, 257, &[4032]);
    t.shorts(1, 258, &[14]);
    t.shorts(1, 259, &[7]);
    t.shorts(1, 262, &[32803]);
    t.shorts(1, 33421, &[2, 2]);
    t.bytes(1, 33422, &[2, 1, 1, 0]);
    t.rationals(1, 50714, &[(512, 1), (512, 1), (512, 1), (512, 1)]);
    t.longs(1, 50717, &[16383]);
    t.rationals(1, 50718, &[(13, 10), (1, 1)]);
    t.longs(1, 50829, &[0, 0, 4032, 6048]);
    // EXIF IFD.
    t.shorts(2, 34855, &[640]);
    t.rationals(2, 33434, &[(1, 48)]);
    t.ascii(2, 42036, "Zoom 24-70");
    t.ascii(2, 42033, "SN-BODY");
    t
}

#[test]
fn big_endian_raw_in_subifd() {
    for big in [true, false] {
        let (bytes, _) = subifd_dng(big).build(&[]);
        let m = read_dng_metadata_from_bytes(&bytes, "be.dng").unwrap();
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
        assert_eq!(m.raw_ifd, "SubIFD 0");
        assert_eq!(m.dng_version, Some([1, 6, 0, 0]));
        assert_eq!(m.make.as_deref(), Some("Big Endian Co"));
        assert_eq!((m.width, m.height), (Some(6048), Some(4032)));
        assert_eq!(m.bits_per_sample, Some(14));
        assert_eq!(m.compression, Some(7));
        assert_eq!(m.cfa_pattern, Some(vec![2, 1, 1, 0]));
        assert_eq!(m.black_level, Some(vec![512.0; 4]));
        assert_eq!(m.white_level, Some(vec![16383]));
        assert_eq!(m.default_scale.unwrap()[0], URational { num: 13, den: 10 });
        assert_eq!(m.active_area, Some([0, 0, 4032, 6048]));
        assert_eq!(
            m.color_matrix_1.unwrap()[1],
            SRational {
                num: -2000,
                den: 10000
            }
        );
        assert_eq!(m.iso, Some(640));
        assert_eq!(m.exposure_time, Some(URational { num: 1, den: 48 }));
        assert_eq!(m.lens_model.as_deref(), Some("Zoom 24-70"));
        assert_eq!(m.serial.as_deref(), Some("SN-BODY"));
        assert_eq!(m.timecode.unwrap().to_string(), "23:59:59:05");
        assert_eq!(
            m.frame_rate,
            Some(SRational {
                num: 30000,
                den: 1001
            })
        );
        assert_eq!(m.reel_name.as_deref(), Some("A002C007_200101_X9ZZ"));
        assert_eq!(m.calibration_illuminant_1, Some(21));
        assert_eq!(m.calibration_illuminant_2, None);
    }
}

fn read(bytes: &[u8]) -> crate::Result<DngMetadata> {
    read_dng_metadata_from_bytes(bytes, "bad.dng")
}

#[test]
fn refuses_non_tiff_bigtiff_and_short_files() {
    let e = read(b"II*").unwrap_err().to_string();
    assert!(e.contains("bad.dng") && e.contains("too short"), "{e}");
    let e = read(b"PK\x03\x04\0\0\0\0").unwrap_err().to_string();
    assert!(e.contains("not a TIFF"), "{e}");
    let e = read(b"II+\0\x10\0\0\0\0\0\0\0\0\0\0\0")
        .unwrap_err()
        .to_string();
    assert!(e.contains("BigTIFF"), "{e}");
    let e = read(b"II\x2b\x01\x08\0\0\0").unwrap_err().to_string();
    assert!(e.contains("magic"), "{e}");
    // IFD 0 offset past the end.
    let e = read(b"II*\0\xff\xff\0\0").unwrap_err().to_string();
    assert!(e.contains("not inside the file"), "{e}");
}

#[test]
fn every_truncation_of_a_header_is_an_error_or_warning_never_a_panic() {
    let (_, bytes) = sample_frame(0, 0, 0);
    let m = read(&bytes).unwrap();
    let header_end = 1400.min(bytes.len());
    for n in 0..header_end {
        match read(&bytes[..n]) {
            Err(e) => assert!(e.to_string().contains("bad.dng"), "{e}"),
            Ok(t) => {
                // Whatever is missing is said in warnings.
                if t != m {
                    assert!(!t.warnings.is_empty(), "cut at {n}: silent loss");
                }
            }
        }
    }
}

#[test]
fn ifd_chain_loop_is_a_warning() {
    let mut t = TestTiff::new(false);
    t.longs(0, 256, &[10]);
    t.longs(1, 256, &[5]);
    t.longs(2, 256, &[6]);
    // Chain 0 -> 1 -> 2 -> 1 (loop): build with chain [1, 2], then patch IFD 2's next to IFD 1.
    let (mut bytes, offs) = t.build(&[1, 2]);
    let next_at = offs[2] as usize + 2 + 12;
    bytes[next_at..next_at + 4].copy_from_slice(&offs[1].to_le_bytes());
    let m = read(&bytes).unwrap();
    assert!(
        m.warnings.iter().any(|w| w.contains("loops back")),
        "{:?}",
        m.warnings
    );
    assert_eq!(m.width, Some(10));
    // A chain pointing at IFD 0 itself.
    let (mut bytes, offs) = t.build(&[]);
    let next_at = offs[0] as usize + 2 + 12;
    bytes[next_at..next_at + 4].copy_from_slice(&offs[0].to_le_bytes());
    assert!(
        read(&bytes)
            .unwrap()
            .warnings
            .iter()
            .any(|w| w.contains("loops back"))
    );
}

#[test]
fn subifd_loop_and_exif_pointing_at_ifd0() {
    let mut t = TestTiff::new(true);
    t.longs(0, 254, &[1]);
    t.longs(0, 330, &[1]);
    t.longs(0, 34665, &[0]); // EXIF pointing at IFD 0
    t.longs(1, 254, &[0]);
    t.longs(1, 330, &[1]); // SubIFD pointing at itself
    t.shorts(1, 262, &[32803]);
    t.longs(1, 256, &[99]);
    let (bytes, _) = t.build(&[]);
    let m = read(&bytes).unwrap();
    assert_eq!(m.width, Some(99));
    assert!(
        m.warnings.iter().any(|w| w.contains("already visited")),
        "{:?}",
        m.warnings
    );
    assert!(
        m.warnings.iter().any(|w| w.contains("EXIF IFD offset")),
        "{:?}",
        m.warnings
    );
}

#[test]
fn hostile_counts_offsets_and_types() {
    let mut t = TestTiff::new(false);
    t.longs(0, 256, &[u32::MAX]); // huge dimensions: reported, nothing allocated
    t.longs(0, 257, &[u32::MAX]);
    t.ascii(0, 271, "Make");
    let (mut bytes, offs) = t.build(&[]);
    // Forge more tags by appending entries to IFD 0: rewrite the directory by hand.
    let forged: [(u16, u16, u32, u32); 5] = [
        (272, 2, 100, 0xFFFF_FFF0),                   // Model: offset past the end
        (50721, 10, u32::MAX, 8),                     // ColorMatrix1: count overflow / over limit
        (50708, 99, 4, 0),                            // unknown field type
        (50714, 5, 1 << 28, 8),                       // BlackLevel: 2 GiB value
        (50778, 2, 4, u32::from_le_bytes(*b"abc\0")), // illuminant as text
    ];
    let base = offs[0] as usize;
    let n = u16::from_le_bytes([bytes[base], bytes[base + 1]]) as usize;
    let mut dir = bytes[base + 2..base + 2 + 12 * n].to_vec();
    for (tag, typ, count, val) in forged {
        dir.extend(tag.to_le_bytes());
        dir.extend(typ.to_le_bytes());
        dir.extend(count.to_le_bytes());
        dir.extend(val.to_le_bytes());
    }
    let new_at = bytes.len() as u32;
    bytes.extend(((n + forged.len()) as u16).to_le_bytes());
    bytes.extend(dir);
    bytes.extend(0u32.to_le_bytes());
    bytes[4..8].copy_from_slice(&new_at.to_le_bytes());
    let m = read(&bytes).unwrap();
    assert_eq!((m.width, m.height), (Some(u32::MAX), Some(u32::MAX)));
    assert_eq!(m.make.as_deref(), Some("Make"));
    assert_eq!(m.model, None);
    assert_eq!(m.color_matrix_1, None);
    assert_eq!(m.black_level, None);
    assert_eq!(m.calibration_illuminant_1, None);
    let w = m.warnings.join("\n");
    assert!(w.contains("past the end"), "{w}");
    assert!(w.contains("tag 50721") && w.contains("limit"), "{w}");
    assert!(w.contains("unknown field type 99"), "{w}");
    assert!(w.contains("tag 50714"), "{w}");
    assert!(w.contains("tag 50778"), "{w}");
    // Entry count over the limit is an error for IFD 0.
    let mut b = b"II*\0\x08\0\0\0\xff\xff".to_vec();
    b.resize(64, 0);
    let e = read(&b).unwrap_err().to_string();
    assert!(e.contains("65535 entries"), "{e}");
}

#[test]
fn random_corruption_never_panics() {
    let (_, bytes) = sample_frame(1, 0, 0);
    let head = &bytes[..1400];
    let mut state = 0x1234_5678_9abc_def0_u64;
    let mut rnd = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let mut b = head.to_vec();
        for _ in 0..(rnd() % 8 + 1) {
            let at = (rnd() % b.len() as u64) as usize;
            b[at] = rnd() as u8;
        }
        let _ = read(&b);
    }
}

#[test]
fn bad_timecode_bytes_are_a_warning() {
    let mut t = TestTiff::new(false);
    t.longs(0, 256, &[4]);
    t.bytes(0, 51043, &[0x3A, 0, 0, 0, 0, 0, 0, 0]);
    t.srationals(0, 51044, &[(-25, 1)]);
    let (bytes, _) = t.build(&[]);
    let m = read(&bytes).unwrap();
    assert_eq!(m.timecode, None);
    assert!(
        m.warnings.iter().any(|w| w.contains("TimeCodes")),
        "{:?}",
        m.warnings
    );
    assert_eq!(m.frame_rate, None);
    assert!(
        m.warnings.iter().any(|w| w.contains("FrameRate -25/1")),
        "{:?}",
        m.warnings
    );
}

/// A reader that counts the reads it serves.
struct Counting<R>(R, usize);
impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.1 += 1;
        self.0.read(buf)
    }
}
impl<R: std::io::Seek> std::io::Seek for Counting<R> {
    fn seek(&mut self, p: std::io::SeekFrom) -> std::io::Result<u64> {
        self.0.seek(p)
    }
}

#[test]
fn metadata_comes_from_one_read_of_the_file_start() {
    let (_, bytes) = sample_frame(0, 1, 0);
    let mut r = Counting(std::io::Cursor::new(bytes.clone()), 0);
    let m = super::dng::read_dng_metadata(&mut r, "f.dng").unwrap();
    assert_eq!(r.1, 1, "one read for the whole header");
    assert_eq!(m, read(&bytes).unwrap());
}

#[test]
fn reads_calibration_analog_balance_and_white_xy_tags() {
    let mut t = TestTiff::new(false);
    t.longs(0, 256, &[64]);
    t.longs(0, 257, &[32]);
    t.shorts(0, 262, &[32803]);
    let cc: Vec<(i32, i32)> = [10100, 0, 0, 0, 10000, 0, 0, 0, 9900]
        .iter()
        .map(|&v| (v, 10000))
        .collect();
    t.srationals(0, 50723, &cc);
    t.srationals(0, 50724, &cc);
    t.rationals(0, 50727, &[(11, 10), (1, 1), (9, 10)]);
    t.rationals(0, 50729, &[(3457, 10000), (3585, 10000)]);
    t.ascii(0, 50931, "com.example calibration");
    t.bytes(0, 50932, b"com.example calibration\0");
    let (bytes, _) = t.build(&[]);
    let m = read_dng_metadata_from_bytes(&bytes, "cal.dng").unwrap();
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    assert_eq!(
        m.camera_calibration_1.as_ref().unwrap()[0],
        SRational {
            num: 10100,
            den: 10000
        }
    );
    assert_eq!(m.camera_calibration_2.unwrap().len(), 9);
    assert_eq!(m.analog_balance.unwrap()[0], URational { num: 11, den: 10 });
    assert_eq!(
        m.as_shot_white_xy,
        Some([
            URational {
                num: 3457,
                den: 10000
            },
            URational {
                num: 3585,
                den: 10000
            }
        ])
    );
    assert_eq!(
        m.camera_calibration_signature.as_deref(),
        Some("com.example calibration")
    );
    assert_eq!(
        m.profile_calibration_signature,
        m.camera_calibration_signature
    );
}
