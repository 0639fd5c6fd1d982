//! iXML chunk reader (sound recorders' production metadata in Broadcast WAV): scene, take, circled,
//! tape, note, timecode rate and flag, track names. Bounded, malformed XML reported with its line.

use quick_xml::events::Event;

use crate::{Error, Result};

/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 32;
/// Most tracks accepted in `TRACK_LIST`.
const MAX_TRACKS: usize = 1024;

/// The iXML fields rushes uses. Empty elements read as `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IxmlMetadata {
    /// `PROJECT`.
    pub project: Option<String>,
    /// `SCENE`.
    pub scene: Option<String>,
    /// `TAKE`.
    pub take: Option<String>,
    /// `TAPE` (the sound roll).
    pub tape: Option<String>,
    /// `CIRCLED` (`TRUE`/`FALSE`).
    pub circled: Option<bool>,
    /// `NOTE`.
    pub note: Option<String>,
    /// `FILE_UID`.
    pub file_uid: Option<String>,
    /// `SPEED/TIMECODE_RATE` as numerator/denominator (`24000/1001`, or a decimal like `23.976`).
    pub timecode_rate: Option<(u32, u32)>,
    /// `SPEED/TIMECODE_FLAG`: `DF` (true) or `NDF` (false).
    pub timecode_drop_frame: Option<bool>,
    /// `SPEED/FILE_SAMPLE_RATE`.
    pub file_sample_rate: Option<u32>,
    /// `SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI/LO` combined.
    pub timestamp_samples_since_midnight: Option<u64>,
    /// `TRACK_LIST/TRACK/NAME`, ordered by `CHANNEL_INDEX` when given.
    pub track_names: Vec<String>,
    /// Values that were present but not understood.
    pub warnings: Vec<String>,
}

fn line_of(text: &str, pos: u64) -> usize {
    let end = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
    text.as_bytes()
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}

/// Parses a frame rate as iXML writes it: `num/den`, an integer, or a decimal (`23.976`,
/// `29.97`, `59.94` become their exact NTSC rationals).
pub fn parse_rate(s: &str) -> Option<(u32, u32)> {
    let s = s.trim();
    if let Some((n, d)) = s.split_once('/') {
        let (n, d) = (n.trim().parse::<u32>().ok()?, d.trim().parse::<u32>().ok()?);
        return (n > 0 && d > 0).then_some((n, d));
    }
    if let Ok(n) = s.parse::<u32>() {
        return (n > 0).then_some((n, 1));
    }
    let v: f64 = s.parse().ok()?;
    if !(v.is_finite() && v > 0.0 && v < 1000.0) {
        return None;
    }
    for base in [24u32, 30, 48, 60, 120] {
        let ntsc = f64::from(base) * 1000.0 / 1001.0;
        if (v - ntsc).abs() < 0.01 {
            return Some((base * 1000, 1001));
        }
    }
    let milli = (v * 1000.0).round() as u32;
    let g = gcd(milli, 1000);
    Some((milli / g, 1000 / g))
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_uppercase().as_str() {
        "TRUE" | "YES" | "1" => Some(true),
        "FALSE" | "NO" | "0" => Some(false),
        _ => None,
    }
}

/// Parses iXML text; `file` names the WAV file in errors.
pub fn parse_ixml(text: &str, file: &str) -> Result<IxmlMetadata> {
    let invalid = |problem: String| Error::MetadataInvalid {
        file: file.to_string(),
        format: "iXML",
        problem,
    };
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut path: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut m = IxmlMetadata::default();
    let mut tracks: Vec<(Option<u32>, Option<String>)> = Vec::new();
    let (mut ts_hi, mut ts_lo) = (None, None);
    let mut seen_root = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            let pos = reader.error_position();
            invalid(format!("malformed XML at line {}: {e}", line_of(text, pos)))
        })?;
        match event {
            Event::Start(s) => {
                if path.len() >= MAX_DEPTH {
                    let line = line_of(text, reader.buffer_position());
                    return Err(invalid(format!(
                        "elements nested too deeply at line {line}"
                    )));
                }
                let name = String::from_utf8_lossy(s.local_name().as_ref()).to_ascii_uppercase();
                if path.is_empty() {
                    if seen_root {
                        let line = line_of(text, reader.buffer_position());
                        return Err(invalid(format!("second root element at line {line}")));
                    }
                    seen_root = true;
                    if name != "BWFXML" {
                        return Err(invalid(format!("root element is <{name}>, not <BWFXML>")));
                    }
                }
                if name == "TRACK" && path.last().is_some_and(|p| p == "TRACK_LIST") {
                    if tracks.len() >= MAX_TRACKS {
                        return Err(invalid(format!("more than {MAX_TRACKS} tracks")));
                    }
                    tracks.push((None, None));
                }
                path.push(name);
                current.clear();
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| {
                    let line = line_of(text, reader.buffer_position());
                    invalid(format!("bad text at line {line}: {e}"))
                })?;
                current.push_str(&s);
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| {
                    let line = line_of(text, reader.buffer_position());
                    invalid(format!("bad CDATA at line {line}: {e}"))
                })?;
                current.push_str(&s);
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => match r.as_ref() {
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"amp" => Some('&'),
                        b"apos" => Some('\''),
                        b"quot" => Some('"'),
                        _ => None,
                    },
                    Err(_) => None,
                };
                let c = c.ok_or_else(|| {
                    let line = line_of(text, reader.buffer_position());
                    invalid(format!("unknown entity at line {line}"))
                })?;
                current.push(c);
            }
            Event::End(_) => {
                let value = current.trim().to_string();
                current.clear();
                let joined = path.get(1..).unwrap_or_default().join("/");
                let text = (!value.is_empty()).then(|| value.clone());
                match joined.as_str() {
                    "PROJECT" => m.project = text,
                    "SCENE" => m.scene = text,
                    "TAKE" => m.take = text,
                    "TAPE" => m.tape = text,
                    "NOTE" => m.note = text,
                    "FILE_UID" => m.file_uid = text,
                    "CIRCLED" => {
                        m.circled = parse_bool(&value);
                        if m.circled.is_none() && !value.is_empty() {
                            m.warnings
                                .push(format!("CIRCLED `{value}` is not TRUE/FALSE"));
                        }
                    }
                    "SPEED/TIMECODE_RATE" => {
                        m.timecode_rate = parse_rate(&value);
                        if m.timecode_rate.is_none() && !value.is_empty() {
                            m.warnings
                                .push(format!("TIMECODE_RATE `{value}` is not a rate"));
                        }
                    }
                    "SPEED/TIMECODE_FLAG" => {
                        m.timecode_drop_frame = match value.to_ascii_uppercase().as_str() {
                            "DF" => Some(true),
                            "NDF" => Some(false),
                            _ => None,
                        }
                    }
                    "SPEED/FILE_SAMPLE_RATE" => m.file_sample_rate = value.parse().ok(),
                    "SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI" => {
                        ts_hi = value.parse::<u32>().ok()
                    }
                    "SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO" => {
                        ts_lo = value.parse::<u32>().ok()
                    }
                    "TRACK_LIST/TRACK/NAME" => {
                        if let Some(t) = tracks.last_mut() {
                            t.1 = Some(value);
                        }
                    }
                    "TRACK_LIST/TRACK/CHANNEL_INDEX" => {
                        if let Some(t) = tracks.last_mut() {
                            t.0 = value.parse().ok();
                        }
                    }
                    _ => {}
                }
                path.pop();
            }
            Event::Empty(s) if path.is_empty() => {
                let name = String::from_utf8_lossy(s.local_name().as_ref()).to_ascii_uppercase();
                if seen_root || name != "BWFXML" {
                    return Err(invalid(format!(
                        "root element is <{name}>, not one <BWFXML>"
                    )));
                }
                seen_root = true;
            }
            Event::Empty(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::DocType(_) => {
                let line = line_of(text, reader.buffer_position());
                return Err(invalid(format!("DOCTYPE is not allowed (line {line})")));
            }
            Event::Eof => break,
        }
    }
    if let Some(open) = path.last() {
        return Err(invalid(format!(
            "truncated document: <{open}> is never closed"
        )));
    }
    if !seen_root {
        return Err(invalid("no <BWFXML> element".into()));
    }
    if let Some(lo) = ts_lo {
        m.timestamp_samples_since_midnight =
            Some((u64::from(ts_hi.unwrap_or(0)) << 32) | u64::from(lo));
    }
    if tracks.iter().all(|t| t.0.is_some()) {
        tracks.sort_by_key(|t| t.0);
    }
    m.track_names = tracks
        .into_iter()
        .map(|t| t.1.unwrap_or_default())
        .collect();
    Ok(m)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("24000/1001"), Some((24000, 1001)));
        assert_eq!(parse_rate("25"), Some((25, 1)));
        assert_eq!(parse_rate("23.976"), Some((24000, 1001)));
        assert_eq!(parse_rate("29.97"), Some((30000, 1001)));
        assert_eq!(parse_rate("12.5"), Some((25, 2)));
        assert_eq!(parse_rate("0/1"), None);
        assert_eq!(parse_rate("x"), None);
        assert_eq!(parse_rate("1e300"), None);
    }

    #[test]
    fn tracks_ordered_by_channel_and_flags() {
        let x = "<BWFXML><SCENE>4</SCENE><CIRCLED>maybe</CIRCLED><SPEED><TIMECODE_FLAG>DF</TIMECODE_FLAG>\
            <TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>1</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>\
            <TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>2</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO></SPEED>\
            <TRACK_LIST><TRACK><CHANNEL_INDEX>2</CHANNEL_INDEX><NAME>B &amp; C</NAME></TRACK>\
            <TRACK><CHANNEL_INDEX>1</CHANNEL_INDEX><NAME>A</NAME></TRACK></TRACK_LIST></BWFXML>";
        let m = parse_ixml(x, "f.wav").unwrap();
        assert_eq!(m.scene.as_deref(), Some("4"));
        assert_eq!(m.circled, None);
        assert_eq!(m.warnings.len(), 1);
        assert_eq!(m.timecode_drop_frame, Some(true));
        assert_eq!(m.timestamp_samples_since_midnight, Some((1 << 32) | 2));
        assert_eq!(m.track_names, vec!["A", "B & C"]);
    }

    #[test]
    fn malformed_documents() {
        let cases = [
            ("<BWFXML><SCENE>1</SCENE>", "never closed"),
            ("<BWFXML>\n<SCENE>1</TAKE></BWFXML>", "line 2"),
            ("<OTHER/>", "not one <BWFXML>"),
            ("<OTHER></OTHER>", "not <BWFXML>"),
            ("<!DOCTYPE x [<!ENTITY a 'b'>]><BWFXML/>", "DOCTYPE"),
            ("<BWFXML>&bogus;</BWFXML>", "unknown entity"),
            ("", "no <BWFXML>"),
        ];
        for (x, want) in cases {
            let e = parse_ixml(x, "f.wav").unwrap_err().to_string();
            assert!(e.contains("f.wav") && e.contains(want), "{x}: {e}");
        }
        let deep = "<BWFXML>".to_string() + &"<A>".repeat(40) + &"</A>".repeat(40) + "</BWFXML>";
        assert!(
            parse_ixml(&deep, "f.wav")
                .unwrap_err()
                .to_string()
                .contains("deeply")
        );
    }
}
