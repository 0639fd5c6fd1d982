//! Field readers of CMX3600 lines: text decoding and line splitting, keywords, transition and
//! channel codes, locator comments.

use super::model::{Channels, KeyKind, Locator, Transition};
use crate::timecode::{FrameRate, Timecode};

pub(super) fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Lines ending in LF, CRLF, or (old Mac files) lone CR.
pub(super) fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let lone_cr = !text.contains('\n') && text.contains('\r');
    let separator = if lone_cr { '\r' } else { '\n' };
    text.split(separator)
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
}

pub(super) fn strip_keyword<'l>(line: &'l str, upper_start: &str, key: &str) -> Option<&'l str> {
    // `key` is ASCII; when the uppercased start matches it, its bytes are the line's bytes.
    upper_start
        .starts_with(key)
        .then(|| line.get(key.len()..))
        .flatten()
}

pub(super) fn parse_transition(code: &str, frames: u32) -> Option<Transition> {
    let code = code.to_ascii_uppercase();
    Some(match code.as_str() {
        "C" => Transition::Cut,
        "D" => Transition::Dissolve { frames },
        "K" => Transition::Key {
            kind: KeyKind::Foreground,
            frames,
        },
        "KB" => Transition::Key {
            kind: KeyKind::Background,
            frames,
        },
        "KO" => Transition::Key {
            kind: KeyKind::Out,
            frames,
        },
        _ => {
            let digits = code.strip_prefix('W')?;
            if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            Transition::Wipe {
                pattern: digits.parse().ok()?,
                frames,
            }
        }
    })
}

/// `V`, `A`, `A2`, `AA`, `B`, `AA/V`, `A2/V`, `A3` ... `A99`, `NONE`, and `/`-joined mixes.
pub(super) fn parse_channels(code: &str) -> Option<Channels> {
    let mut channels = Channels::default();
    for part in code.to_ascii_uppercase().split('/') {
        match part {
            "V" => channels.video = true,
            "A" => channels.audio.push(1),
            "AA" => channels.audio.extend([1, 2]),
            "B" => {
                channels.video = true;
                channels.audio.push(1);
            }
            "NONE" => {}
            _ => {
                let digits = part.strip_prefix('A')?;
                if digits.is_empty()
                    || digits.len() > 2
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return None;
                }
                let n: u8 = digits.parse().ok()?;
                if n == 0 {
                    return None;
                }
                channels.audio.push(n);
            }
        }
    }
    channels.audio.sort_unstable();
    channels.audio.dedup();
    Some(channels)
}

/// `01:00:01:14 RED  ANIM FIX NEEDED` (the timecode may use `;`; colour and text optional).
pub(super) fn parse_locator(body: &str, rate: FrameRate, line: usize) -> Option<Locator> {
    let mut parts = body.trim().splitn(2, char::is_whitespace);
    let tc = parts.next()?;
    let rest = parts.next().unwrap_or("").trim();
    let label = Timecode::parse_detect_drop(tc, rate).ok()?;
    let (color, text) = match rest.split_once(char::is_whitespace) {
        Some((word, text)) if is_color(word) => (Some(word.to_string()), text.trim().to_string()),
        None if is_color(rest) => (Some(rest.to_string()), String::new()),
        _ => (None, rest.to_string()),
    };
    Some(Locator {
        // Below one day's frames: fits i64.
        frame: label.to_frame() as i64,
        timecode: tc.to_string(),
        color,
        text,
        line,
    })
}

fn is_color(word: &str) -> bool {
    matches!(
        word.to_ascii_uppercase().as_str(),
        "RED"
            | "GREEN"
            | "BLUE"
            | "CYAN"
            | "MAGENTA"
            | "YELLOW"
            | "WHITE"
            | "BLACK"
            | "PINK"
            | "PURPLE"
            | "ORANGE"
    )
}

pub(super) fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().nth(60).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn channel_and_transition_codes() {
        let ch = |c: &str| parse_channels(c).map(|c| (c.video, c.audio));
        assert_eq!(ch("V"), Some((true, vec![])));
        assert_eq!(ch("AA/V"), Some((true, vec![1, 2])));
        assert_eq!(ch("a2/v"), Some((true, vec![2])));
        assert_eq!(ch("B"), Some((true, vec![1])));
        assert_eq!(ch("A12"), Some((false, vec![12])));
        assert_eq!(ch("NONE"), Some((false, vec![])));
        for bad in ["A0", "A100", "X", "", "V/", "A-1"] {
            assert_eq!(ch(bad), None, "{bad}");
        }
        assert_eq!(
            parse_transition("w001", 5),
            Some(Transition::Wipe {
                pattern: 1,
                frames: 5
            })
        );
        assert_eq!(parse_transition("W", 5), None);
        assert_eq!(parse_transition("W99999", 5), None);
        assert_eq!(
            parse_transition("KO", 0),
            Some(Transition::Key {
                kind: KeyKind::Out,
                frames: 0
            })
        );
    }

    #[test]
    fn lines_and_text() {
        assert_eq!(
            split_lines("a\r\nb\nc").collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(split_lines("a\rb").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(decode(b"\xEF\xBB\xBFok"), "ok");
        assert_eq!(decode(b"caf\xe9"), "café");
        assert_eq!(shorten(&"x".repeat(100)).chars().count(), 61);
        let loc = parse_locator("01:00:00:10 purple  note here", FrameRate::FPS_24, 7).unwrap();
        assert_eq!(
            (loc.color.as_deref(), loc.text.as_str(), loc.line),
            (Some("purple"), "note here", 7)
        );
        assert!(parse_locator("soon RED", FrameRate::FPS_24, 1).is_none());
    }
}
