//! The normalized clip schema: one record per camera or sound clip, whatever format it came from.
//!
//! The serde types here are the schema. `schemas/clip.schema.json` at the workspace root is
//! generated from them ([`clip_json_schema`]) and a test keeps the committed file identical.
//! Units: seconds, millimetres, frames, EV; rates are exact rationals; timecodes are
//! `HH:MM:SS:FF` (`;` before the frames when drop frame).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the clip schema written in every record. The major number changes when a field is
/// removed or changes meaning; the minor number when optional fields are added.
///
/// 1.1 added `format.codec_tag`, `format.codec_name`, `picture`, `film`, `creation_time` and
/// `attributes` (all optional; a 1.0 record reads as 1.1 with them absent).
pub const CLIP_SCHEMA_VERSION: &str = "1.1";

/// An exact positive rational, e.g. a frame rate of `24000/1001` or a squeeze of `2/1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Rational {
    /// Numerator.
    pub num: u32,
    /// Denominator (never 0).
    pub den: u32,
}

impl Rational {
    /// The value as a float (`0.0` for a zero denominator).
    pub fn as_f64(self) -> f64 {
        if self.den == 0 {
            0.0
        } else {
            f64::from(self.num) / f64::from(self.den)
        }
    }
}

/// What a clip holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClipKind {
    /// Camera picture (a frame sequence or a movie file).
    Camera,
    /// Production sound.
    Sound,
    /// Anything else (documents, sidecars, unknown media).
    Other,
}

/// Stable, machine-readable class of a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// Frames are missing inside a numbered sequence (a QC error).
    MissingFrames,
    /// The same frame number appears in more than one file name.
    DuplicateFrames,
    /// A field every clip of this kind should have could not be found.
    MissingMetadata,
    /// Values disagree (between frames, between tags, or with the file name).
    Inconsistent,
    /// A file or one of its tags could not be read.
    Unreadable,
    /// A file is not of a format rushes reads; the clip has only what its name says.
    Unsupported,
}

/// Something the inspection could not read or found inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Warning {
    /// Class of the warning.
    pub code: WarningCode,
    /// Human-readable explanation naming the file and the field.
    pub message: String,
}

impl Warning {
    /// A warning of class `code`.
    pub fn new(code: WarningCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Fields of a camera-style clip name such as `A001C003_230612_R1AB`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CameraClipName {
    /// Camera letter (`A`).
    pub camera_letter: String,
    /// Camera roll / reel (`A001`).
    pub roll: String,
    /// Clip number on the roll (`3`).
    pub clip_number: u32,
    /// Shoot date from the name as `YYYY-MM-DD` (the name holds `YYMMDD`; 20YY assumed).
    pub date: Option<String>,
    /// Trailing camera or card id (`R1AB`).
    pub suffix: Option<String>,
}

/// The camera body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Camera {
    /// Manufacturer (DNG/TIFF `Make`).
    pub make: Option<String>,
    /// Model (`Model`).
    pub model: Option<String>,
    /// Make and model as the colour profile knows it (DNG `UniqueCameraModel`).
    pub unique_model: Option<String>,
    /// Body serial number.
    pub serial: Option<String>,
    /// Camera label / unit letter as recorded by the camera (CinemaDNG `CameraLabel`).
    pub label: Option<String>,
}

/// Container and coding of the essence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MediaFormat {
    /// Container or file format: `cinemadng`, `dng`, `tiff`, `bwf`, `wav`, or the file extension.
    pub container: String,
    /// Coding: `uncompressed`, `lossless_jpeg`, `jpeg_xl`, `pcm`, `float`, ... or `unknown`.
    pub codec: String,
    /// Bits per sample of the stored essence.
    pub bit_depth: Option<u32>,
    /// Colour filter array of a raw sensor, read from the active-area origin (`RGGB`, ...).
    pub cfa_pattern: Option<String>,
    /// Codec identifier as stored (since 1.1): the QuickTime / MP4 sample-description four-CC
    /// (`apch`, `avc1`), or the MXF picture essence coding label (dotted hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codec_tag: Option<String>,
    /// Codec name as the file writes it (since 1.1): the QuickTime compressor name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codec_name: Option<String>,
}

/// Sensor mode: the recorded raster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SensorMode {
    /// Recorded width in photosites (masked borders included).
    pub width: u32,
    /// Recorded height in photosites.
    pub height: u32,
    /// Active (light-sensitive) area: top, left, bottom, right.
    pub active_area: Option<[u32; 4]>,
    /// Default crop origin (horizontal, vertical) inside the active area.
    pub crop_origin: Option<[f64; 2]>,
    /// Default crop size (width, height) in photosites.
    pub crop_size: Option<[f64; 2]>,
    /// Raw black level (first value).
    pub black_level: Option<f64>,
    /// Raw white level (first value).
    pub white_level: Option<u32>,
}

/// A channel (component) of a picture (since 1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PictureChannel {
    /// Channel name (`R`, `G`, `B`, `A`, `Y`...).
    pub name: String,
    /// Sample type: `half`, `float`, `uint` (OpenEXR), or `uintN` (N bits, DPX / TIFF).
    pub sample_type: String,
}

/// How a picture is stored and meant to be shown, beyond the raster size (since 1.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Picture {
    /// Display width in pixels (OpenEXR display window, MXF display width, QuickTime track
    /// presentation width).
    pub display_width: Option<u32>,
    /// Display height in pixels.
    pub display_height: Option<u32>,
    /// OpenEXR data window: x min, y min, x max, y max (inclusive).
    pub data_window: Option<[i32; 4]>,
    /// OpenEXR display window: x min, y min, x max, y max (inclusive).
    pub display_window: Option<[i32; 4]>,
    /// Channels in stored order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<PictureChannel>,
    /// Pixel aspect ratio (width / height of one pixel).
    pub pixel_aspect_ratio: Option<f64>,
    /// Display aspect ratio of the whole picture (MXF `AspectRatio`).
    pub display_aspect_ratio: Option<Rational>,
    /// CIE xy chromaticities of the primaries and white: red x, y, green x, y, blue x, y,
    /// white x, y (OpenEXR `chromaticities`).
    pub chromaticities: Option<[f64; 8]>,
    /// Transfer characteristic (DPX, by its SMPTE 268M name).
    pub transfer: Option<String>,
    /// Colorimetric specification (DPX, by its SMPTE 268M name).
    pub colorimetric: Option<String>,
    /// Component layout (DPX descriptor: `RGB`, `RGBA`, `CbYCrY`...; TIFF photometric).
    pub descriptor: Option<String>,
    /// DPX packing (`Packed`, `Filled, method A`, ...).
    pub packing: Option<String>,
    /// Image orientation code (DPX orientation, 0 left-to-right top-to-bottom).
    pub orientation: Option<u16>,
    /// Interlaced (DPX interlace flag, MXF frame layout other than full frame).
    pub interlaced: Option<bool>,
    /// OpenEXR: the image is tiled.
    pub tiled: Option<bool>,
    /// OpenEXR: number of parts (more than one for a multi-part file).
    pub parts: Option<u32>,
}

/// Film key code / edge code of the first frame (since 1.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FilmKeyCode {
    /// Film manufacturer code.
    pub manufacturer: Option<String>,
    /// Film type code.
    pub film_type: Option<String>,
    /// Key prefix (roll identifier).
    pub prefix: Option<String>,
    /// Key count.
    pub count: Option<String>,
    /// Offset in perforations from the key mark.
    pub perf_offset: Option<String>,
    /// Perforations per frame (OpenEXR `keyCode`).
    pub perfs_per_frame: Option<u32>,
    /// Perforations per key count (OpenEXR `keyCode`).
    pub perfs_per_count: Option<u32>,
    /// Film format, e.g. `Academy` (DPX).
    pub format: Option<String>,
    /// The edge code digits run together (manufacturer, type, offset, prefix, count), as DPX
    /// tools print it.
    pub edge_code: Option<String>,
}

/// Timing of the clip.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Timing {
    /// Frame rate (picture rate for camera clips, timecode rate for sound).
    pub frame_rate: Option<Rational>,
    /// Timecode counts drop frame (29.97 / 59.94 DF).
    pub drop_frame: bool,
    /// Timecode of the first frame (or first audio sample).
    pub start_timecode: Option<String>,
    /// Timecode just after the last frame (exclusive, as an EDL record-out).
    pub end_timecode: Option<String>,
    /// Number of frames: for a sequence the numbered range, first to last frame number (missing
    /// frames included, listed in `warnings`); for sound the whole timecode frames covered.
    pub frame_count: Option<u64>,
    /// Frame number in the first file name of a sequence.
    pub first_frame_number: Option<u64>,
    /// Frame number in the last file name of a sequence.
    pub last_frame_number: Option<u64>,
    /// Duration in seconds.
    pub duration_seconds: Option<f64>,
}

/// Slate information.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Slate {
    /// Scene, e.g. `12` or `14A`.
    pub scene: Option<String>,
    /// Take, e.g. `3`.
    pub take: Option<String>,
    /// Circled (print) take.
    pub circled: Option<bool>,
    /// Note from the recorder or camera.
    pub note: Option<String>,
    /// Where the slate came from: `ixml`, `bext`, `metadata` or `file_name`.
    pub source: Option<String>,
}

/// Lens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Lens {
    /// Lens model.
    pub model: Option<String>,
    /// Focal length in mm.
    pub focal_length_mm: Option<f64>,
    /// T-stop.
    pub t_stop: Option<f64>,
    /// F-number.
    pub f_number: Option<f64>,
    /// Anamorphic squeeze: horizontal / vertical pixel aspect (DNG `DefaultScale`); 1 spherical.
    pub squeeze: Option<f64>,
}

/// Exposure settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Exposure {
    /// Exposure index (ISO).
    pub iso: Option<u32>,
    /// Shutter (exposure time) in seconds, exact.
    pub shutter_seconds: Option<Rational>,
    /// Shutter angle in degrees (exposure time x frame rate x 360), when both are known.
    pub shutter_angle: Option<f64>,
}

/// White balance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WhiteBalance {
    /// Camera-native response to the scene white (DNG `AsShotNeutral`).
    pub as_shot_neutral: Option<Vec<f64>>,
    /// Correlated colour temperature in kelvin, when the camera records one.
    pub kelvin: Option<u32>,
}

/// Colour calibration of a raw camera.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Colour {
    /// XYZ to camera matrix under illuminant 1, row major (DNG `ColorMatrix1`).
    pub color_matrix_1: Option<Vec<f64>>,
    /// XYZ to camera matrix under illuminant 2 (`ColorMatrix2`).
    pub color_matrix_2: Option<Vec<f64>>,
    /// White-balanced camera to XYZ D50 under illuminant 1 (`ForwardMatrix1`).
    pub forward_matrix_1: Option<Vec<f64>>,
    /// Same under illuminant 2 (`ForwardMatrix2`).
    pub forward_matrix_2: Option<Vec<f64>>,
    /// EXIF LightSource code of illuminant 1 (17 Standard light A, 21 D65, ...).
    pub calibration_illuminant_1: Option<u16>,
    /// EXIF LightSource code of illuminant 2.
    pub calibration_illuminant_2: Option<u16>,
    /// Exposure offset in EV the camera asks for (DNG `BaselineExposure`).
    pub baseline_exposure: Option<f64>,
}

/// Sound essence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Audio {
    /// Samples per second.
    pub sample_rate: u32,
    /// Bits per sample.
    pub bit_depth: u32,
    /// Channels.
    pub channels: u32,
    /// Sample frames in the file.
    pub sample_count: u64,
    /// First sample's position in samples since midnight (BWF `TimeReference`).
    pub time_reference: Option<u64>,
    /// Track names, in channel order (iXML).
    pub track_names: Vec<String>,
    /// Recorder or software that wrote the file (BWF `Originator`).
    pub originator: Option<String>,
    /// Sound roll / tape name (iXML `TAPE`).
    pub tape: Option<String>,
}

/// One file of a clip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClipFile {
    /// Path relative to the roll, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Frame number in the file name, for a frame of a sequence.
    pub frame_number: Option<u64>,
    /// Checksums by ASC MHL hash format (`xxh64`, `md5`, ...), hex; filled by the pipeline.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checksums: BTreeMap<String, String>,
}

/// One camera or sound clip in the normalized schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Clip {
    /// Schema version of this record, `major.minor` (this schema: `1.1`).
    pub schema_version: String,
    /// Stable id: `<roll>/<clip name>`.
    pub clip_id: String,
    /// Roll (card / magazine / sound roll) the clip was found on.
    pub roll: String,
    /// What the clip holds.
    pub kind: ClipKind,
    /// Clip name: the sequence's base name or the file name without extension.
    pub clip_name: String,
    /// Reel name recorded in the metadata (CinemaDNG `ReelName`), if any.
    pub reel_name: Option<String>,
    /// Camera letter: from the clip name, else the camera's label.
    pub camera_letter: Option<String>,
    /// Fields of a camera-style clip name, when the name follows one.
    pub camera_name: Option<CameraClipName>,
    /// The camera body.
    pub camera: Camera,
    /// Container and coding.
    pub format: MediaFormat,
    /// Sensor mode (picture clips).
    pub sensor: Option<SensorMode>,
    /// Frame rate, timecode and length.
    pub timing: Timing,
    /// Scene, take, circled.
    pub slate: Slate,
    /// Lens.
    pub lens: Lens,
    /// ISO and shutter.
    pub exposure: Exposure,
    /// White balance.
    pub white_balance: WhiteBalance,
    /// Colour calibration (raw cameras).
    pub colour: Colour,
    /// Sound essence (sound clips, and movie files carrying sound).
    pub audio: Option<Audio>,
    /// Picture storage and display details (since 1.1; image sequences and movie files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<Picture>,
    /// Film key code of the first frame (since 1.1; DPX film header, OpenEXR `keyCode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub film: Option<FilmKeyCode>,
    /// When the file says its essence was created or captured (since 1.1): OpenEXR `capDate`
    /// and DPX creation time as written, QuickTime and MXF creation dates as
    /// `YYYY-MM-DDThh:mm:ssZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    /// Other text metadata by name (since 1.1): every OpenEXR string attribute under its own
    /// name, QuickTime user data under its four-CC (`©nam`...), DPX `creator`, `project`,
    /// `copyright`, TIFF `software`, `date_time`, `image_description`, MXF
    /// `material_package_name`, `company_name`, `product_name`, timecode `user_bits`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// The clip's files, in frame order.
    pub files: Vec<ClipFile>,
    /// What was missing or inconsistent.
    pub warnings: Vec<Warning>,
}

impl Clip {
    /// An empty record for `clip_name` on `roll`.
    pub fn new(roll: &str, clip_name: &str, kind: ClipKind, container: &str) -> Self {
        Self {
            schema_version: CLIP_SCHEMA_VERSION.to_string(),
            clip_id: format!("{roll}/{clip_name}"),
            roll: roll.to_string(),
            kind,
            clip_name: clip_name.to_string(),
            reel_name: None,
            camera_letter: None,
            camera_name: None,
            camera: Camera::default(),
            format: MediaFormat {
                container: container.to_string(),
                codec: "unknown".into(),
                bit_depth: None,
                cfa_pattern: None,
                codec_tag: None,
                codec_name: None,
            },
            sensor: None,
            timing: Timing::default(),
            slate: Slate::default(),
            lens: Lens::default(),
            exposure: Exposure::default(),
            white_balance: WhiteBalance::default(),
            colour: Colour::default(),
            audio: None,
            picture: None,
            film: None,
            creation_time: None,
            attributes: BTreeMap::new(),
            files: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Adds a warning.
    pub fn warn(&mut self, code: WarningCode, message: impl Into<String>) {
        self.warnings.push(Warning::new(code, message));
    }
}

/// The JSON Schema (draft 2020-12) of [`Clip`], as committed in `schemas/clip.schema.json`.
pub fn clip_json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Clip);
    serde_json::to_value(&schema).unwrap_or(serde_json::Value::Null)
}

/// [`clip_json_schema`] as pretty-printed text with a final newline (the committed file).
pub fn clip_json_schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&clip_json_schema()).unwrap_or_default();
    s.push('\n');
    s
}
