//! Helpers of the OpenTimelineIO reader that need no reader state: media references, frame
//! rates from OTIO's float rates, short texts for messages.

use serde_json::{Map, Value};

use crate::timecode::FrameRate;

/// The clip's active media reference (`media_reference` of Clip.1, or the active entry of
/// Clip.2's `media_references`).
pub(super) fn media_reference(obj: &Map<String, Value>) -> Option<&Map<String, Value>> {
    if let Some(r) = obj.get("media_reference").and_then(Value::as_object) {
        return Some(r);
    }
    let key = obj
        .get("active_media_reference_key")
        .and_then(Value::as_str)
        .unwrap_or("DEFAULT_MEDIA");
    obj.get("media_references")?.get(key)?.as_object()
}

/// The rate of the first clip or gap found, depth-first (bounded by JSON's own nesting limit).
pub(super) fn first_rate(tracks: &[Value]) -> Option<f64> {
    for track in tracks {
        for item in track.get("children")?.as_array()? {
            let rate = item
                .get("source_range")
                .and_then(|r| r.get("duration"))
                .and_then(|d| d.get("rate"))
                .and_then(Value::as_f64);
            if let Some(rate) = rate {
                return Some(rate);
            }
        }
    }
    None
}

/// A float rate as the standard rate it stands for (23.976 -> 24000/1001), or an integer rate.
pub(super) fn rate_from_float(rate: f64) -> Option<FrameRate> {
    if !rate.is_finite() || rate <= 0.0 {
        return None;
    }
    for candidate in FrameRate::STANDARD {
        if !candidate.is_drop_frame() && (candidate.as_f64() - rate).abs() < 1e-3 {
            return Some(candidate);
        }
    }
    let whole = rate.round();
    if (whole - rate).abs() < 1e-6
        && whole >= 1.0
        && whole <= f64::from(crate::timecode::MAX_NOMINAL_FPS)
    {
        return FrameRate::new(whole as u32, 1, false).ok();
    }
    for den in [1001u32, 2, 4, 100, 1000] {
        let num = (rate * f64::from(den)).round();
        if (num / f64::from(den) - rate).abs() < 1e-9 && num >= 1.0 && num < f64::from(u32::MAX) {
            return FrameRate::new(num as u32, den, false).ok();
        }
    }
    None
}

pub(super) fn short(text: &str) -> String {
    text.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn float_rates_map_to_exact_rates() {
        assert_eq!(
            rate_from_float(24000.0 / 1001.0),
            Some(FrameRate::FPS_23_976)
        );
        assert_eq!(rate_from_float(23.976), Some(FrameRate::FPS_23_976));
        assert_eq!(rate_from_float(29.97), Some(FrameRate::FPS_29_97_NDF));
        assert_eq!(
            rate_from_float(60000.0 / 1001.0),
            Some(FrameRate::FPS_59_94_NDF)
        );
        assert_eq!(rate_from_float(25.0), Some(FrameRate::FPS_25));
        assert_eq!(rate_from_float(120.0), FrameRate::new(120, 1, false).ok());
        assert_eq!(rate_from_float(12.5), FrameRate::new(25, 2, false).ok());
        for bad in [0.0, -24.0, f64::NAN, f64::INFINITY, 1e9, 0.123_456_789] {
            assert_eq!(rate_from_float(bad), None, "{bad}");
        }
    }
}
