//! File-name patterns: numbered frames of a sequence (`clip_000123.dng`, `A001C003_230612_R1AB.0000123.dng`)
//! and camera-style clip names (`A001C003_230612_R1AB`, `A001_C003_0612AB`).

use super::clip::CameraClipName;

/// Most digits accepted in a frame number.
const MAX_FRAME_DIGITS: usize = 10;

/// A file name split into the parts that make it a frame of a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameName<'a> {
    /// Folder part of the path (without the final `/`), empty at the top.
    pub dir: &'a str,
    /// Name before the frame number and its separator (may be empty: `000123.dng`).
    pub base: &'a str,
    /// The separator before the frame number (`.`, `_`, `-`), if any.
    pub separator: Option<char>,
    /// The frame number.
    pub frame: u64,
    /// Digits of the frame number as written (padding).
    pub digits: usize,
    /// Extension without the dot, as written.
    pub ext: &'a str,
}

/// Splits `path` (`/`-separated) into folder, file name and extension.
pub fn split_path(path: &str) -> (&str, &str, &str) {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let (stem, ext) = match file.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, e),
        _ => (file, ""),
    };
    (dir, stem, ext)
}

/// Parses a numbered frame file name: `<base><sep><digits>.<ext>`.
pub fn parse_frame_name(path: &str) -> Option<FrameName<'_>> {
    let (dir, stem, ext) = split_path(path);
    if ext.is_empty() {
        return None;
    }
    let digits = stem.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > MAX_FRAME_DIGITS {
        return None;
    }
    let cut = stem.len() - digits;
    let frame: u64 = stem.get(cut..)?.parse().ok()?;
    let head = stem.get(..cut)?;
    let (base, separator) = match head.chars().last() {
        Some(c @ ('.' | '_' | '-')) => (head.get(..head.len() - 1)?, Some(c)),
        _ => (head, None),
    };
    // A name like `T01` or `A001C003` without a separator is a take, not a frame number,
    // unless the number is padded to at least 4 digits.
    if separator.is_none() && !base.is_empty() && digits < 4 {
        return None;
    }
    Some(FrameName {
        dir,
        base,
        separator,
        frame,
        digits,
        ext,
    })
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn alnum_upper(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

fn date_from_yymmdd(s: &str) -> Option<String> {
    if s.len() != 6 || !all_digits(s) {
        return None;
    }
    let (y, m, d) = (s.get(0..2)?, s.get(2..4)?, s.get(4..6)?);
    let (mi, di): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&mi) && (1..=31).contains(&di)).then(|| format!("20{y}-{m}-{d}"))
}

/// Parses a camera-style clip name:
/// - ARRI style `A001C003_230612_R1AB` (letter, 3-digit roll, `C` + 3-digit clip, `YYMMDD`,
///   camera/card id; the date and id are optional, extra `_parts` after them are allowed);
/// - RED style `A001_C003_0612AB` (letter, roll, clip, `MMDD` plus a 2-character id; no year).
pub fn parse_camera_clip_name(name: &str) -> Option<CameraClipName> {
    let b = name.as_bytes();
    let letter = *b.first()?;
    if !letter.is_ascii_uppercase() {
        return None;
    }
    let roll_digits = name.get(1..4)?;
    if !all_digits(roll_digits) {
        return None;
    }
    let roll = name.get(..4)?.to_string();
    let rest = name.get(4..)?;
    let (red, rest) = match rest.strip_prefix("_C") {
        Some(r) => (true, r),
        None => (false, rest.strip_prefix('C')?),
    };
    let clip_digits = rest.get(..3)?;
    if !all_digits(clip_digits) {
        return None;
    }
    let clip_number: u32 = clip_digits.parse().ok()?;
    let rest = rest.get(3..)?;
    let mut parts = rest.split('_');
    if parts.next() != Some("") {
        return None; // something glued to the clip number
    }
    let (date, suffix) = if red {
        match parts.next() {
            Some(p) if p.len() == 6 && all_digits(p.get(..4)?) && alnum_upper(p.get(4..)?) => {
                let (m, d) = (p.get(..2)?, p.get(2..4)?);
                let ok = m.parse::<u32>().is_ok_and(|v| (1..=12).contains(&v))
                    && d.parse::<u32>().is_ok_and(|v| (1..=31).contains(&v));
                if !ok {
                    return None;
                }
                (None, Some(p.get(4..)?.to_string()))
            }
            Some(_) => return None,
            None => (None, None),
        }
    } else {
        let date = match parts.next() {
            None => return Some(build(letter, roll, clip_number, None, None)),
            Some(p) => Some(date_from_yymmdd(p)?),
        };
        let suffix = parts.next().filter(|p| alnum_upper(p)).map(str::to_string);
        (date, suffix)
    };
    Some(build(letter, roll, clip_number, date, suffix))
}

fn build(
    letter: u8,
    roll: String,
    clip_number: u32,
    date: Option<String>,
    suffix: Option<String>,
) -> CameraClipName {
    CameraClipName {
        camera_letter: char::from(letter).to_string(),
        roll,
        clip_number,
        date,
        suffix,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn frame_names() {
        let f = parse_frame_name("A001/A001C003_230612_R1AB.0000123.dng").unwrap();
        assert_eq!(
            (f.dir, f.base, f.separator, f.frame, f.digits, f.ext),
            ("A001", "A001C003_230612_R1AB", Some('.'), 123, 7, "dng")
        );
        let f = parse_frame_name("clip_000123.dng").unwrap();
        assert_eq!(
            (f.dir, f.base, f.separator, f.frame),
            ("", "clip", Some('_'), 123)
        );
        let f = parse_frame_name("x/y/000123.exr").unwrap();
        assert_eq!(
            (f.dir, f.base, f.separator, f.frame),
            ("x/y", "", None, 123)
        );
        let f = parse_frame_name("plate1001.dpx").unwrap();
        assert_eq!((f.base, f.separator, f.frame), ("plate", None, 1001));
        assert!(parse_frame_name("SC12_T01.WAV").is_none());
        assert!(parse_frame_name("A001C003.mov").is_none());
        assert!(parse_frame_name("notes.txt").is_none());
        assert!(parse_frame_name("12345678901.dng").is_none()); // 11 digits
        assert!(parse_frame_name("1234").is_none()); // no extension
    }

    #[test]
    fn camera_names() {
        let n = parse_camera_clip_name("A001C003_230612_R1AB").unwrap();
        assert_eq!(n.camera_letter, "A");
        assert_eq!(n.roll, "A001");
        assert_eq!(n.clip_number, 3);
        assert_eq!(n.date.as_deref(), Some("2023-06-12"));
        assert_eq!(n.suffix.as_deref(), Some("R1AB"));
        let n = parse_camera_clip_name("B012C104").unwrap();
        assert_eq!(
            (n.roll.as_str(), n.clip_number, n.date),
            ("B012", 104, None)
        );
        let n = parse_camera_clip_name("A001_C003_0612AB").unwrap();
        assert_eq!((n.camera_letter.as_str(), n.clip_number), ("A", 3));
        assert_eq!(n.suffix.as_deref(), Some("AB"));
        for bad in [
            "a001C003",
            "A01C003",
            "A001X003",
            "A001C03",
            "A001C003_231312_R1AB",
            "A001C0031",
            "clip",
        ] {
            assert!(parse_camera_clip_name(bad).is_none(), "{bad}");
        }
    }
}
