//! Broadcast WAV encoder: RIFF/WAVE with `bext` (EBU Tech 3285 v1), `fmt `, `iXML` and 24-bit PCM `data`.
//!
//! The audio is a quiet room tone on both tracks, a slate clap (a short, loud noise burst)
//! exactly where the camera clip's first frame is, then a voice-like modulated tone per track.

use std::io::Write;

use super::clip::SoundFilePlan;
use super::{mix64, noise};
use crate::{Error, Result};

/// Fixed part of a `bext` chunk: Description 256, Originator 32, OriginatorReference 32,
/// OriginationDate 10, OriginationTime 8, TimeReference 8, Version 2, UMID 64, reserved 190.
const BEXT_FIXED: usize = 256 + 32 + 32 + 10 + 8 + 8 + 2 + 64 + 190;

/// `s` as a fixed-width, NUL-padded ASCII field (non-ASCII bytes become `?`, excess is cut).
fn fixed_ascii(s: &str, len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = s
        .chars()
        .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
        .take(len)
        .collect();
    v.resize(len, 0);
    v
}

fn yes_no(b: bool) -> &'static str {
    if b { "TRUE" } else { "FALSE" }
}

/// The `bext` chunk body.
pub(crate) fn bext_bytes(f: &SoundFilePlan) -> Vec<u8> {
    let description = format!(
        "sSCENE={}\r\nsTAKE={:02}\r\nsTAPE={}\r\nsCIRCLED={}\r\nsNOTE={}\r\n",
        f.scene,
        f.take,
        f.roll,
        yes_no(f.circled),
        f.note
    );
    let reference = format!(
        "RSH{}{}T{:02}{}",
        f.roll,
        f.scene,
        f.take,
        f.origination_time.replace(':', "")
    );
    let mut b = Vec::with_capacity(BEXT_FIXED + 64);
    b.extend(fixed_ascii(&description, 256));
    b.extend(fixed_ascii("rushes", 32));
    b.extend(fixed_ascii(&reference, 32));
    b.extend(fixed_ascii(&f.origination_date, 10));
    b.extend(fixed_ascii(&f.origination_time, 8));
    b.extend_from_slice(&(f.time_reference as u32).to_le_bytes());
    b.extend_from_slice(&((f.time_reference >> 32) as u32).to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes()); // Version 1
    b.extend_from_slice(&[0u8; 64]); // UMID: none
    b.extend_from_slice(&[0u8; 190]); // reserved
    debug_assert_eq!(b.len(), BEXT_FIXED);
    let history = format!(
        "A=PCM,F={},W={},M={},T=rushes sample-card\r\n",
        f.sample_rate,
        f.bits_per_sample,
        if f.channels == 2 { "stereo" } else { "mono" }
    );
    b.extend_from_slice(history.as_bytes());
    b
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// The `iXML` chunk body (UTF-8 XML).
pub(crate) fn ixml_text(f: &SoundFilePlan) -> String {
    let rate = format!("{}/{}", f.timecode_rate.num, f.timecode_rate.den);
    let mut tracks = String::new();
    for (i, name) in f.track_names.iter().enumerate() {
        tracks.push_str(&format!(
            "    <TRACK>\n      <CHANNEL_INDEX>{n}</CHANNEL_INDEX>\n      <INTERLEAVE_INDEX>{n}</INTERLEAVE_INDEX>\n      <NAME>{}</NAME>\n    </TRACK>\n",
            esc(name),
            n = i + 1
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<BWFXML>
  <IXML_VERSION>2.10</IXML_VERSION>
  <PROJECT>{project}</PROJECT>
  <SCENE>{scene}</SCENE>
  <TAKE>{take}</TAKE>
  <TAPE>{tape}</TAPE>
  <CIRCLED>{circled}</CIRCLED>
  <NOTE>{note}</NOTE>
  <FILE_UID>{uid}</FILE_UID>
  <SPEED>
    <MASTER_SPEED>{rate}</MASTER_SPEED>
    <CURRENT_SPEED>{rate}</CURRENT_SPEED>
    <TIMECODE_RATE>{rate}</TIMECODE_RATE>
    <TIMECODE_FLAG>NDF</TIMECODE_FLAG>
    <FILE_SAMPLE_RATE>{sr}</FILE_SAMPLE_RATE>
    <AUDIO_BIT_DEPTH>{bits}</AUDIO_BIT_DEPTH>
    <DIGITIZER_SAMPLE_RATE>{sr}</DIGITIZER_SAMPLE_RATE>
    <TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>{hi}</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>
    <TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>{lo}</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>
    <TIMESTAMP_SAMPLE_RATE>{sr}</TIMESTAMP_SAMPLE_RATE>
  </SPEED>
  <TRACK_LIST>
    <TRACK_COUNT>{count}</TRACK_COUNT>
{tracks}  </TRACK_LIST>
</BWFXML>
"#,
        project = esc(&f.project),
        scene = esc(&f.scene),
        take = f.take,
        tape = esc(&f.roll),
        circled = yes_no(f.circled),
        note = esc(&f.note),
        uid = esc(&format!("{}-{}", f.roll, f.file_name)),
        sr = f.sample_rate,
        bits = f.bits_per_sample,
        hi = f.time_reference >> 32,
        lo = f.time_reference & 0xFFFF_FFFF,
        count = f.track_names.len(),
    )
}

/// The `fmt ` chunk body: WAVE_FORMAT_PCM.
fn fmt_bytes(f: &SoundFilePlan) -> Vec<u8> {
    let block = f.channels * (f.bits_per_sample / 8);
    let mut b = Vec::with_capacity(16);
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&f.channels.to_le_bytes());
    b.extend_from_slice(&f.sample_rate.to_le_bytes());
    b.extend_from_slice(&(f.sample_rate * u32::from(block)).to_le_bytes());
    b.extend_from_slice(&block.to_le_bytes());
    b.extend_from_slice(&f.bits_per_sample.to_le_bytes());
    b
}

/// Bytes a chunk with a body of `n` bytes takes: header, body, pad byte when `n` is odd.
pub(crate) fn chunk_len(n: u64) -> u64 {
    8 + n + (n & 1)
}

fn check_format(f: &SoundFilePlan) -> Result<u64> {
    if f.bits_per_sample != 24 || f.channels == 0 || f.channels > 8 || f.sample_rate == 0 {
        return Err(Error::Sample(format!(
            "{}: only 24-bit PCM with 1 to 8 channels is generated",
            f.path
        )));
    }
    let n = f
        .sample_count
        .checked_mul(u64::from(f.channels) * 3)
        .ok_or_else(|| Error::Sample(format!("{}: audio size overflows", f.path)))?;
    Ok(n)
}

/// Exact size in bytes of the BWF file of `f`.
pub fn bwf_len(f: &SoundFilePlan) -> Result<u64> {
    let data = check_format(f)?;
    let total = 12
        + chunk_len(bext_bytes(f).len() as u64)
        + chunk_len(16)
        + chunk_len(ixml_text(f).len() as u64)
        + chunk_len(data);
    if total - 8 > u64::from(u32::MAX) {
        return Err(Error::Sample(format!(
            "{}: {total} bytes is over the 4 GiB RIFF limit",
            f.path
        )));
    }
    Ok(total)
}

fn write_chunk(out: &mut dyn Write, id: &[u8; 4], body: &[u8]) -> std::io::Result<()> {
    out.write_all(id)?;
    out.write_all(&(body.len() as u32).to_le_bytes())?;
    out.write_all(body)?;
    if body.len() & 1 == 1 {
        out.write_all(&[0])?;
    }
    Ok(())
}

/// Sample `i` of channel `ch`, in [-1, 1].
fn sample(f: &SoundFilePlan, key: u64, i: u64, ch: u16) -> f64 {
    let t = i as f64 / f64::from(f.sample_rate);
    let tau = std::f64::consts::TAU;
    let n = |k: u64| noise(key ^ mix64(i.wrapping_mul(8).wrapping_add(k)));
    let mut v = 0.002 * n(u64::from(ch));
    let clap = f.clip_start_offset;
    let burst = u64::from(f.sample_rate) / 80; // 12.5 ms
    if (clap..clap + burst).contains(&i) {
        let k = (i - clap) as f64 / (f64::from(f.sample_rate) * 0.002);
        v += 0.35 * n(7) * (-k).exp();
    } else if i > clap + burst {
        let (freq, level) = if ch == 0 {
            (220.0, 0.08)
        } else {
            (330.0, 0.12)
        };
        let env = 0.5 + 0.5 * (tau * 3.0 * t).sin();
        v += level * env * env * (tau * freq * t).sin();
    }
    v.clamp(-1.0, 1.0)
}

/// Writes the Broadcast WAV file of `f`; `seed` selects the noise.
pub fn write_bwf(f: &SoundFilePlan, seed: u64, out: &mut dyn Write) -> Result<()> {
    let total = bwf_len(f)?;
    let data_len = check_format(f)?;
    let io = |source| Error::Io {
        path: f.path.clone(),
        op: "write",
        source,
    };
    let key = mix64(seed ^ mix64(f.time_reference));
    out.write_all(b"RIFF").map_err(io)?;
    out.write_all(&((total - 8) as u32).to_le_bytes())
        .map_err(io)?;
    out.write_all(b"WAVE").map_err(io)?;
    write_chunk(out, b"bext", &bext_bytes(f)).map_err(io)?;
    write_chunk(out, b"fmt ", &fmt_bytes(f)).map_err(io)?;
    write_chunk(out, b"iXML", ixml_text(f).as_bytes()).map_err(io)?;
    out.write_all(b"data").map_err(io)?;
    out.write_all(&(data_len as u32).to_le_bytes())
        .map_err(io)?;
    let mut buf = Vec::with_capacity(4096 * 6);
    let mut i = 0;
    while i < f.sample_count {
        buf.clear();
        for j in i..(i + 4096).min(f.sample_count) {
            for ch in 0..f.channels {
                let q = (sample(f, key, j, ch) * 8_388_607.0).round() as i32;
                buf.extend_from_slice(&q.to_le_bytes()[..3]);
            }
        }
        out.write_all(&buf).map_err(io)?;
        i += 4096;
    }
    if data_len & 1 == 1 {
        out.write_all(&[0]).map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::super::{CardPlan, CardSpec};
    use super::*;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    /// Walks the RIFF chunks: (id, body offset, body length); checks sizes and padding.
    fn chunks(b: &[u8]) -> Vec<([u8; 4], usize, usize)> {
        assert_eq!(&b[..4], b"RIFF");
        assert_eq!(u32_at(b, 4) as usize, b.len() - 8);
        assert_eq!(&b[8..12], b"WAVE");
        let mut at = 12;
        let mut out = Vec::new();
        while at < b.len() {
            let id: [u8; 4] = b[at..at + 4].try_into().unwrap();
            let n = u32_at(b, at + 4) as usize;
            out.push((id, at + 8, n));
            at += 8 + n + (n & 1);
        }
        assert_eq!(at, b.len(), "chunks end exactly at the end of the file");
        out
    }

    fn plan() -> CardPlan {
        CardPlan::new(&CardSpec::default()).unwrap()
    }

    #[test]
    fn riff_structure_and_padding() {
        let p = plan();
        for f in p.sound_files() {
            let mut b = Vec::new();
            write_bwf(f, 1, &mut b).unwrap();
            assert_eq!(b.len() as u64, bwf_len(f).unwrap());
            let c = chunks(&b);
            let ids: Vec<&[u8]> = c.iter().map(|x| &x.0[..]).collect();
            assert_eq!(ids, vec![&b"bext"[..], b"fmt ", b"iXML", b"data"]);
            let (_, at, n) = c[3];
            assert_eq!(n as u64, f.sample_count * 6);
            let (_, fat, _) = c[1];
            assert_eq!(&b[fat..fat + 4], &[1, 0, 2, 0]);
            assert_eq!(u32_at(&b, fat + 4), 48_000);
            let _ = at;
        }
    }

    #[test]
    fn odd_chunk_gets_a_pad_byte() {
        let mut out = Vec::new();
        write_chunk(&mut out, b"iXML", b"abc").unwrap();
        assert_eq!(out, b"iXML\x03\x00\x00\x00abc\x00");
        assert_eq!(chunk_len(3), 12);
        assert_eq!(chunk_len(4), 12);
    }

    #[test]
    fn bext_fields() {
        let p = plan();
        let f = p.sound_files().nth(2).unwrap();
        let b = bext_bytes(f);
        let text = |at: usize, n: usize| {
            String::from_utf8(
                b[at..at + n]
                    .iter()
                    .copied()
                    .take_while(|&c| c != 0)
                    .collect(),
            )
            .unwrap()
        };
        assert!(text(0, 256).starts_with("sSCENE=12\r\nsTAKE=03\r\n"));
        assert_eq!(text(256, 32), "rushes");
        assert_eq!(text(320, 10), "2026-11-22");
        assert_eq!(text(330, 8), f.origination_time);
        let tr = u64::from(u32_at(&b, 338)) | (u64::from(u32_at(&b, 342)) << 32);
        assert_eq!(tr, f.time_reference);
        assert_eq!(u16::from_le_bytes([b[346], b[347]]), 1);
        assert!(text(BEXT_FIXED, b.len() - BEXT_FIXED).starts_with("A=PCM,F=48000,W=24"));
    }

    #[test]
    fn ixml_is_escaped_and_complete() {
        let p = plan();
        let f = p.sound_files().nth(2).unwrap();
        let x = ixml_text(f);
        assert!(x.contains("<NOTE>good take &lt;print&gt;</NOTE>"), "{x}");
        assert!(x.contains("<CIRCLED>TRUE</CIRCLED>"));
        assert!(x.contains("<TIMECODE_RATE>24000/1001</TIMECODE_RATE>"));
        assert!(x.contains(&format!(
            "<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>{}</",
            f.time_reference
        )));
        assert!(x.contains("<NAME>LAV 1</NAME>"));
        let f = p.sound_files().nth(4).unwrap();
        assert!(ixml_text(f).contains("anamorphic wide &amp; clean"));
    }

    #[test]
    fn clap_sits_on_the_first_camera_frame() {
        let p = plan();
        let f = p.sound_files().next().unwrap();
        let key = 99;
        let quiet = (0..f.clip_start_offset).map(|i| sample(f, key, i, 0).abs());
        assert!(quiet.fold(0.0, f64::max) < 0.02);
        let clap =
            (f.clip_start_offset..f.clip_start_offset + 100).map(|i| sample(f, key, i, 0).abs());
        assert!(clap.fold(0.0, f64::max) > 0.2);
    }

    #[test]
    fn rejects_unsupported_and_huge() {
        let p = plan();
        let mut f = p.sound_files().next().unwrap().clone();
        f.bits_per_sample = 16;
        assert!(bwf_len(&f).unwrap_err().to_string().contains("24-bit"));
        f.bits_per_sample = 24;
        f.sample_count = 1 << 32;
        let err = write_bwf(&f, 1, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("4 GiB"), "{err}");
        assert!(err.to_string().contains("S001/SC12_T01.WAV"), "{err}");
    }

    #[test]
    fn deterministic() {
        let p = plan();
        let f = p.sound_files().next().unwrap();
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        write_bwf(f, 5, &mut a).unwrap();
        write_bwf(f, 5, &mut b).unwrap();
        write_bwf(f, 6, &mut c).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
