//! The source frames an event actually needs (speed changes incl. reverse and freeze, the
//! outgoing side of dissolves, handles) and their conversion onto a clip's timecode.

use crate::edl::{Event, Transition};
use crate::timecode::{FrameRange, FrameRate, Rounding, convert_timecode_frame};

/// Largest speed-scaled frame offset trusted from an `M2` line (about 48 days at 240 fps).
const MAX_SPEED_OFFSET: f64 = 1.0e9;

/// For each event line, how many frames past its out point a following dissolve or wipe
/// plays it for (the outgoing side of the transition).
pub fn transition_tails(events: &[Event]) -> Vec<u64> {
    let mut tails = vec![0u64; events.len()];
    for (index, event) in events.iter().enumerate().skip(1) {
        let frames = match event.transition {
            Transition::Dissolve { frames } | Transition::Wipe { frames, .. } => frames,
            Transition::Cut | Transition::Key { .. } => 0,
        };
        if let Some(tail) = tails.get_mut(index - 1) {
            *tail = tail.saturating_add(u64::from(frames));
        }
    }
    tails
}

/// The source frames (at the event's source rate) the event shows, before handles: the
/// written source range, or for an `M2` speed change the frames the speed touches over the
/// record duration; `tail` extra record frames are played after the out point (the outgoing
/// side of a dissolve). Warnings explain what was assumed.
pub fn core_frames(event: &Event, tail: u64, warnings: &mut Vec<String>) -> FrameRange {
    let source = event.source;
    let written = FrameRange {
        start: source.start,
        end_exclusive: source
            .end_exclusive
            .saturating_add(i64::try_from(tail).unwrap_or(i64::MAX)),
    };
    let Some(speed) = &event.speed else {
        return written;
    };
    let duration = event.record.len().saturating_add(tail);
    let entry = if event.rate == event.source_rate {
        speed.entry_frame
    } else {
        source.start
    };
    if speed.is_freeze() {
        return FrameRange {
            start: entry,
            end_exclusive: entry.saturating_add(1),
        };
    }
    if duration == 0 {
        return FrameRange {
            start: entry,
            end_exclusive: entry,
        };
    }
    let ratio = speed.fps / f64::from(event.source_rate.nominal());
    // The frame shown on record frame k is entry + floor(k * ratio); the last is k = D - 1.
    let offset = ((duration - 1) as f64 * ratio).floor();
    if !offset.is_finite() || offset.abs() > MAX_SPEED_OFFSET {
        warnings.push(format!(
            "line {}: M2 speed {} fps is out of range; using the written source range",
            speed.line, speed.fps
        ));
        return written;
    }
    // In range by the check above, so the cast is exact.
    let last = entry.saturating_add(offset as i64);
    let range = if offset < 0.0 {
        FrameRange {
            start: last,
            end_exclusive: entry.saturating_add(1),
        }
    } else {
        FrameRange {
            start: entry,
            end_exclusive: last.saturating_add(1),
        }
    };
    warnings.push(format!(
        "line {}: speed {} fps ({:.3}x{}): source frames {} over {} record frames",
        speed.line,
        speed.fps,
        ratio,
        if ratio < 0.0 { ", reverse" } else { "" },
        range,
        duration
    ));
    range
}

/// `range` (at `from`) on a clip's timecode at `to`, keeping timecode labels (`01:00:00:00`
/// stays `01:00:00:00`): exact frame for frame when the two rates count the same nominal
/// frames per second (23.976 and 24, 29.97 DF and NDF), else the first and last frames go
/// to the nearest label. Returns the range and whether the conversion was exact.
pub fn to_clip_frames(
    range: FrameRange,
    from: FrameRate,
    to: FrameRate,
) -> Result<(FrameRange, bool), String> {
    if from == to {
        return Ok((range, true));
    }
    let frame = |value: i64, rounding| -> Result<i64, String> {
        let value = u64::try_from(value)
            .map_err(|_| format!("source frame {value} is before 00:00:00:00"))?;
        let converted =
            convert_timecode_frame(value, from, to, rounding).map_err(|e| e.to_string())?;
        i64::try_from(converted).map_err(|_| format!("frame {converted} is out of range"))
    };
    let start = frame(range.start, Rounding::Nearest)?;
    let end = match range.last_inclusive() {
        Some(last) => frame(last, Rounding::Nearest)?.saturating_add(1),
        None => start,
    };
    let converted = FrameRange::new(start, end).map_err(|e| e.to_string())?;
    Ok((converted, from.nominal() == to.nominal()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::edl::{Cmx3600Options, parse_cmx3600};

    fn events(text: &str) -> Vec<Event> {
        parse_cmx3600(
            "t.edl",
            text.as_bytes(),
            &Cmx3600Options::new(FrameRate::FPS_24),
        )
        .unwrap()
        .events
    }

    fn range(a: i64, b: i64) -> FrameRange {
        FrameRange::new(a, b).unwrap()
    }

    #[test]
    fn speed_forward_reverse_freeze() {
        // 48 record frames at 50% (12 fps): 24 source frames touched from the entry.
        let list = "001  A001 V C 01:00:00:00 01:00:02:00 00:00:00:00 00:00:02:00\n\
                    M2   A001       012.0                01:00:00:00\n\
                    002  A002 V C 01:00:00:00 01:00:01:00 00:00:02:00 00:00:03:00\n\
                    M2   A002       -024.0               01:00:00:23\n\
                    003  A003 V C 01:00:00:10 01:00:00:10 00:00:03:00 00:00:04:00\n\
                    M2   A003       000.0                01:00:00:10\n\
                    004  A004 V C 01:00:00:00 01:00:01:00 00:00:04:00 00:00:05:00\n\
                    M2   A004       048.0                01:00:00:00\n";
        let ev = events(list);
        let hour = 86_400;
        let mut w = Vec::new();
        assert_eq!(core_frames(&ev[0], 0, &mut w), range(hour, hour + 24));
        // Reverse from 01:00:00:23 for 24 frames: 01:00:00:00 to 01:00:00:23.
        assert_eq!(core_frames(&ev[1], 0, &mut w), range(hour, hour + 24));
        assert_eq!(core_frames(&ev[2], 0, &mut w), range(hour + 10, hour + 11));
        // Double speed over 24 record frames touches 47 source frames.
        assert_eq!(core_frames(&ev[3], 0, &mut w), range(hour, hour + 47));
        assert!(w.iter().any(|m| m.contains("reverse")), "{w:?}");
    }

    #[test]
    fn dissolves_extend_the_outgoing_side() {
        let list = "001  A001 V C        01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n\
                    002  A001 V C        01:00:01:00 01:00:01:00 00:00:01:00 00:00:01:00\n\
                    002  A002 V D 012    02:00:00:00 02:00:01:00 00:00:01:00 00:00:02:00\n";
        let ev = events(list);
        let tails = transition_tails(&ev);
        assert_eq!(tails, vec![0, 12, 0]);
        let mut w = Vec::new();
        let hour = 86_400;
        assert_eq!(
            core_frames(&ev[1], tails[1], &mut w),
            range(hour + 24, hour + 36)
        );
        assert_eq!(
            core_frames(&ev[2], tails[2], &mut w),
            range(2 * hour, 2 * hour + 24)
        );
    }

    #[test]
    fn label_preserving_conversion() {
        // 23.976 and 24 count the same labels: exact.
        let r = range(86_400, 86_424);
        assert_eq!(
            to_clip_frames(r, FrameRate::FPS_23_976, FrameRate::FPS_24).unwrap(),
            (r, true)
        );
        // 01:00:00;00 DF is frame 107892; NDF 01:00:00:00 is frame 108000.
        let df = range(107_892, 107_922);
        assert_eq!(
            to_clip_frames(df, FrameRate::FPS_29_97_DF, FrameRate::FPS_29_97_NDF).unwrap(),
            (range(108_000, 108_030), true)
        );
        // 25 -> 24 keeps the second, rounds the frames to the nearest, and is not exact.
        let (c, exact) =
            to_clip_frames(range(90_000, 90_025), FrameRate::FPS_25, FrameRate::FPS_24).unwrap();
        assert!(!exact);
        // The last frame (:24 of 25) is nearest to :23 of 24.
        assert_eq!(c, range(86_400, 86_424));
        assert!(to_clip_frames(range(-5, 3), FrameRate::FPS_25, FrameRate::FPS_24).is_err());
    }
}
