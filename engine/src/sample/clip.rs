//! Per-clip and per-sound-file metadata of a planned card: camera body, sensor geometry, clips, rolls.

use super::{CfaPattern, Illuminant, Rational, Timecode};

/// A camera body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraBody {
    /// DNG `Make`.
    pub make: String,
    /// DNG `Model`.
    pub model: String,
    /// DNG `UniqueCameraModel`.
    pub unique_camera_model: String,
    /// DNG `CameraSerialNumber` (distinct per body).
    pub serial: String,
    /// DNG `CameraLabel`: the unit's camera letter, `A` or `B`.
    pub label: String,
    /// Four-character camera id ending every clip name, e.g. `R1AB`.
    pub camera_id: String,
}

/// Where the pixels are on the raw image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SensorLayout {
    /// Full raw image width (`ImageWidth`), masked borders included.
    pub width: u32,
    /// Full raw image height (`ImageLength`).
    pub height: u32,
    /// `ActiveArea`: top, left, bottom, right (all even, so the CFA phase is the same from the
    /// image origin and from the active-area origin).
    pub active_area: [u32; 4],
    /// `DefaultCropOrigin` (horizontal, vertical), relative to the active area.
    pub crop_origin: [u32; 2],
    /// `DefaultCropSize` (width, height), in raw photosites (before `DefaultScale`).
    pub crop_size: [u32; 2],
}

impl SensorLayout {
    /// Active area width.
    pub fn active_width(&self) -> u32 {
        self.active_area[3] - self.active_area[1]
    }

    /// Active area height.
    pub fn active_height(&self) -> u32 {
        self.active_area[2] - self.active_area[0]
    }

    /// A layout with an active area of `aw` x `ah` inside 8-photosite (left/right) and
    /// 6-photosite (top/bottom) masked borders, and a centred crop of `cw` x `ch`, all times `k`.
    pub(crate) fn with_borders(aw: u32, ah: u32, cw: u32, ch: u32, k: u32) -> Self {
        let (mx, my) = (8 * k, 6 * k);
        let (aw, ah, cw, ch) = (aw * k, ah * k, cw * k, ch * k);
        Self {
            width: aw + 2 * mx,
            height: ah + 2 * my,
            active_area: [my, mx, my + ah, mx + aw],
            crop_origin: [(aw - cw) / 2, (ah - ch) / 2],
            crop_size: [cw, ch],
        }
    }
}

/// One camera clip (a folder of DNG frames) and its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipPlan {
    /// Camera roll, e.g. `A001` (also the folder under the card).
    pub roll: String,
    /// Clip name, e.g. `A001C001_261122_R1AB` (also the clip folder and the DNG `ReelName`).
    pub clip_name: String,
    /// Clip number on its roll (1-based).
    pub clip_number: u32,
    /// Folder of the frames, relative to the card, with `/` separators.
    pub dir: String,
    /// Frame rate, e.g. 24000/1001.
    pub fps: Rational,
    /// Time-of-day timecode of the first frame.
    pub start_tc: Timecode,
    /// Number of frames (files).
    pub frame_count: u32,
    /// Frame number in the first file name (later files count up by one).
    pub first_frame_number: u32,
    /// The camera body.
    pub camera: CameraBody,
    /// Raw geometry.
    pub sensor: SensorLayout,
    /// CFA phase from the active-area origin.
    pub cfa: CfaPattern,
    /// Horizontal squeeze (`DefaultScale` horizontal): 1 for spherical, 2 for 2x anamorphic.
    pub squeeze: Rational,
    /// Scene (slate), e.g. `12` or `14A`.
    pub scene: String,
    /// Take number.
    pub take: u32,
    /// Exposure index.
    pub iso: u32,
    /// Shutter time in seconds (180 degrees: half the frame duration).
    pub exposure_time: Rational,
    /// Aperture as f-number.
    pub f_number: Rational,
    /// Aperture as T-stop (CinemaDNG `TStop`).
    pub t_stop: Rational,
    /// Lens model (EXIF `LensModel`).
    pub lens_model: String,
    /// Focal length in mm.
    pub focal_length_mm: u32,
    /// Light the clip was shot under.
    pub illuminant: Illuminant,
    /// `BlackLevel` (12-bit data in 16-bit samples).
    pub black_level: u16,
    /// `WhiteLevel`.
    pub white_level: u16,
    /// `AsShotNeutral`: camera response to the scene white, green = 1.
    pub as_shot_neutral: [f64; 3],
    /// Shoot day (year, month, day), for `DateTime` tags.
    pub shoot_date: (u16, u8, u8),
}

impl ClipPlan {
    /// File name of frame `i` (0-based): `<clip>_<7-digit frame number>.dng`.
    pub fn frame_file_name(&self, i: u32) -> String {
        format!("{}_{:07}.dng", self.clip_name, self.first_frame_number + i)
    }

    /// Path of frame `i` relative to the card.
    pub fn frame_path(&self, i: u32) -> String {
        format!("{}/{}", self.dir, self.frame_file_name(i))
    }

    /// Timecode of frame `i`.
    pub fn frame_tc(&self, i: u32) -> Timecode {
        self.start_tc.plus_frames(u64::from(i))
    }

    /// Start of the clip in seconds since midnight.
    pub fn start_seconds(&self) -> f64 {
        self.start_tc.frames() as f64 * f64::from(self.fps.den) / f64::from(self.fps.num)
    }

    /// End of the clip (after its last frame) in seconds since midnight.
    pub fn end_seconds(&self) -> f64 {
        (self.start_tc.frames() + u64::from(self.frame_count)) as f64 * f64::from(self.fps.den)
            / f64::from(self.fps.num)
    }
}

/// A camera roll: one folder of clips shot by one body.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraRoll {
    /// Roll name and folder, e.g. `A001`.
    pub name: String,
    /// Clips in shooting order.
    pub clips: Vec<ClipPlan>,
}

/// One Broadcast WAV file: the sound of one camera take.
#[derive(Debug, Clone, PartialEq)]
pub struct SoundFilePlan {
    /// Sound roll (folder and iXML `TAPE`), e.g. `S001`.
    pub roll: String,
    /// File name, e.g. `SC12_T01.WAV`.
    pub file_name: String,
    /// Path relative to the card.
    pub path: String,
    /// Production (iXML `PROJECT`).
    pub project: String,
    /// Scene, as on the camera clip.
    pub scene: String,
    /// Take, as on the camera clip.
    pub take: u32,
    /// Circled (printed) take.
    pub circled: bool,
    /// Sound report note.
    pub note: String,
    /// The camera clip this take belongs to.
    pub camera_clip: String,
    /// 48000.
    pub sample_rate: u32,
    /// 2.
    pub channels: u16,
    /// 24.
    pub bits_per_sample: u16,
    /// Recorder timecode rate (the camera's frame rate), non-drop.
    pub timecode_rate: Rational,
    /// Timecode of the first sample.
    pub start_tc: Timecode,
    /// BWF `TimeReference`: samples since midnight of the first sample.
    pub time_reference: u64,
    /// Samples per channel.
    pub sample_count: u64,
    /// Samples from the start of the file to the camera clip's first frame (where the slate
    /// clap is).
    pub clip_start_offset: u64,
    /// Track names, one per channel.
    pub track_names: Vec<String>,
    /// BWF `OriginationDate`, `yyyy-mm-dd`.
    pub origination_date: String,
    /// BWF `OriginationTime`, `hh:mm:ss`.
    pub origination_time: String,
}

/// A sound roll.
#[derive(Debug, Clone, PartialEq)]
pub struct SoundRoll {
    /// Roll name and folder, e.g. `S001`.
    pub name: String,
    /// Files in recording order.
    pub files: Vec<SoundFilePlan>,
}
