//! Match candidates from inspected clips (the normalized clip schema of `crate::inspect`).

use super::candidate::{CameraName, LibraryClip};
use crate::inspect::clip::Clip;
use crate::timecode::{FrameRate, Timecode};

/// The matcher's view of an inspected clip: names, timecode range and shoot day. `None` when the
/// clip has no usable frame rate, start timecode or length (it cannot be matched by timecode).
pub fn library_clip(clip: &Clip) -> Option<LibraryClip> {
    let rate = clip.timing.frame_rate?;
    let rate = FrameRate::new(rate.num, rate.den, clip.timing.drop_frame).ok()?;
    let start = clip.timing.start_timecode.as_deref()?;
    let start = Timecode::parse_detect_drop(start, rate).ok()?.to_frame();
    let frame_count = clip.timing.frame_count.filter(|&n| n > 0)?;
    let camera = CameraName::parse(&clip.clip_name);
    let shoot_date = camera.as_ref().and_then(|c| c.date.clone());
    Some(LibraryClip {
        clip_id: clip.clip_id.clone(),
        roll: Some(clip.roll.clone()),
        reel: clip.reel_name.clone(),
        clip_name: Some(clip.clip_name.clone()),
        file_names: clip.files.iter().map(|f| f.path.clone()).collect(),
        camera,
        rate,
        start: i64::try_from(start).ok()?,
        frame_count,
        shoot_date,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::inspect::clip::{ClipKind, Rational};

    fn clip() -> Clip {
        let mut c = Clip::new("A001", "A001C003_230612_R1AB", ClipKind::Camera, "dng");
        c.timing.frame_rate = Some(Rational {
            num: 24000,
            den: 1001,
        });
        c.timing.start_timecode = Some("01:00:00:00".into());
        c.timing.frame_count = Some(48);
        c.reel_name = Some("A001C003".into());
        c
    }

    #[test]
    fn an_inspected_clip_becomes_a_candidate() {
        let lc = library_clip(&clip()).unwrap();
        assert_eq!(lc.start, 86_400);
        assert_eq!(lc.frame_count, 48);
        assert_eq!(lc.rate.num(), 24000);
        assert_eq!(lc.reel.as_deref(), Some("A001C003"));
        assert_eq!(lc.shoot_date.as_deref(), Some("230612"));
        assert_eq!(lc.camera.as_ref().unwrap().clip, 3);
        lc.validate(0).unwrap();
    }

    #[test]
    fn clips_without_timing_are_left_out() {
        let mut c = clip();
        c.timing.start_timecode = None;
        assert!(library_clip(&c).is_none());
        let mut c = clip();
        c.timing.start_timecode = Some("99:99:99:99".into());
        assert!(library_clip(&c).is_none());
        let mut c = clip();
        c.timing.frame_rate = Some(Rational { num: 24, den: 0 });
        assert!(library_clip(&c).is_none());
        let mut c = clip();
        c.timing.frame_count = Some(0);
        assert!(library_clip(&c).is_none());
    }
}
