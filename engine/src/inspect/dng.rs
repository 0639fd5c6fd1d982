//! DNG / CinemaDNG metadata reader: camera, sensor, colour, exposure, lens and CinemaDNG timing tags
//! from the IFDs (raw image in IFD 0 or a SubIFD), never the pixels.

use std::io::{Read, Seek};

use super::ifd::{Directories, Entry, Ifd, SRational, TiffFile, URational, Value};
use super::timecode::Timecode;
use crate::Result;

/// TIFF/DNG/EXIF tag numbers read here.
mod tag {
    pub const NEW_SUBFILE_TYPE: u16 = 254;
    pub const IMAGE_WIDTH: u16 = 256;
    pub const IMAGE_LENGTH: u16 = 257;
    pub const BITS_PER_SAMPLE: u16 = 258;
    pub const COMPRESSION: u16 = 259;
    pub const PHOTOMETRIC: u16 = 262;
    pub const MAKE: u16 = 271;
    pub const MODEL: u16 = 272;
    pub const CFA_REPEAT_PATTERN_DIM: u16 = 33421;
    pub const CFA_PATTERN: u16 = 33422;
    pub const EXPOSURE_TIME: u16 = 33434;
    pub const F_NUMBER: u16 = 33437;
    pub const ISO: u16 = 34855;
    pub const DATE_TIME_ORIGINAL: u16 = 36867;
    pub const FOCAL_LENGTH: u16 = 37386;
    pub const BODY_SERIAL_NUMBER: u16 = 42033;
    pub const LENS_MODEL: u16 = 42036;
    pub const DNG_VERSION: u16 = 50706;
    pub const UNIQUE_CAMERA_MODEL: u16 = 50708;
    pub const BLACK_LEVEL: u16 = 50714;
    pub const WHITE_LEVEL: u16 = 50717;
    pub const DEFAULT_SCALE: u16 = 50718;
    pub const DEFAULT_CROP_ORIGIN: u16 = 50719;
    pub const DEFAULT_CROP_SIZE: u16 = 50720;
    pub const COLOR_MATRIX_1: u16 = 50721;
    pub const COLOR_MATRIX_2: u16 = 50722;
    pub const CAMERA_CALIBRATION_1: u16 = 50723;
    pub const CAMERA_CALIBRATION_2: u16 = 50724;
    pub const ANALOG_BALANCE: u16 = 50727;
    pub const AS_SHOT_NEUTRAL: u16 = 50728;
    pub const AS_SHOT_WHITE_XY: u16 = 50729;
    pub const BASELINE_EXPOSURE: u16 = 50730;
    pub const CAMERA_SERIAL_NUMBER: u16 = 50735;
    pub const LENS_INFO: u16 = 50736;
    pub const CALIBRATION_ILLUMINANT_1: u16 = 50778;
    pub const CALIBRATION_ILLUMINANT_2: u16 = 50779;
    pub const ACTIVE_AREA: u16 = 50829;
    pub const CAMERA_CALIBRATION_SIGNATURE: u16 = 50931;
    pub const PROFILE_CALIBRATION_SIGNATURE: u16 = 50932;
    pub const FORWARD_MATRIX_1: u16 = 50964;
    pub const FORWARD_MATRIX_2: u16 = 50965;
    pub const TIME_CODES: u16 = 51043;
    pub const FRAME_RATE: u16 = 51044;
    pub const T_STOP: u16 = 51058;
    pub const REEL_NAME: u16 = 51081;
    pub const CAMERA_LABEL: u16 = 51105;
}

/// PhotometricInterpretation of a CFA raw image.
pub const PHOTOMETRIC_CFA: u16 = 32803;
/// PhotometricInterpretation of a demosaiced (linear) raw image.
pub const PHOTOMETRIC_LINEAR_RAW: u16 = 34892;

/// Everything rushes reads from a DNG / CinemaDNG frame. Absent or unreadable tags are `None`
/// (an unreadable one also leaves a line in `warnings`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DngMetadata {
    /// `DNGVersion` (e.g. `[1, 4, 0, 0]`); `None` for a plain TIFF.
    pub dng_version: Option<[u8; 4]>,
    /// `Make`.
    pub make: Option<String>,
    /// `Model`.
    pub model: Option<String>,
    /// `UniqueCameraModel`.
    pub unique_camera_model: Option<String>,
    /// `CameraSerialNumber`, else EXIF `BodySerialNumber`.
    pub serial: Option<String>,
    /// Where the raw image's tags were found: `"IFD0"` or `"SubIFD n"`.
    pub raw_ifd: String,
    /// Raw image width (`ImageWidth`).
    pub width: Option<u32>,
    /// Raw image height (`ImageLength`).
    pub height: Option<u32>,
    /// `BitsPerSample` (first sample).
    pub bits_per_sample: Option<u16>,
    /// `Compression` (1 none, 7 lossless JPEG, 52546 JPEG XL...).
    pub compression: Option<u16>,
    /// `PhotometricInterpretation` (32803 CFA, 34892 linear raw).
    pub photometric: Option<u16>,
    /// `CFARepeatPatternDim` (rows, columns).
    pub cfa_repeat_dim: Option<[u16; 2]>,
    /// `CFAPattern`: colour of each site of the repeat pattern (0 red, 1 green, 2 blue).
    pub cfa_pattern: Option<Vec<u8>>,
    /// `BlackLevel` (one or more values).
    pub black_level: Option<Vec<f64>>,
    /// `WhiteLevel` (one per sample).
    pub white_level: Option<Vec<u32>>,
    /// `ActiveArea`: top, left, bottom, right.
    pub active_area: Option<[u32; 4]>,
    /// `DefaultCropOrigin` (horizontal, vertical), relative to the active area.
    pub default_crop_origin: Option<[f64; 2]>,
    /// `DefaultCropSize` (width, height).
    pub default_crop_size: Option<[f64; 2]>,
    /// `DefaultScale` (horizontal, vertical): horizontal / vertical is the anamorphic squeeze.
    pub default_scale: Option<[URational; 2]>,
    /// `ColorMatrix1` (XYZ to camera, row major).
    pub color_matrix_1: Option<Vec<SRational>>,
    /// `ColorMatrix2`.
    pub color_matrix_2: Option<Vec<SRational>>,
    /// `ForwardMatrix1` (white-balanced camera to XYZ D50).
    pub forward_matrix_1: Option<Vec<SRational>>,
    /// `ForwardMatrix2`.
    pub forward_matrix_2: Option<Vec<SRational>>,
    /// `CalibrationIlluminant1` (EXIF LightSource code: 17 Standard light A, 21 D65...).
    pub calibration_illuminant_1: Option<u16>,
    /// `CalibrationIlluminant2`.
    pub calibration_illuminant_2: Option<u16>,
    /// `CameraCalibration1` (reference camera to this individual camera, under illuminant 1).
    pub camera_calibration_1: Option<Vec<SRational>>,
    /// `CameraCalibration2`.
    pub camera_calibration_2: Option<Vec<SRational>>,
    /// `CameraCalibrationSignature`: which profiles the `CameraCalibration` tags belong to.
    pub camera_calibration_signature: Option<String>,
    /// `ProfileCalibrationSignature` of the embedded camera profile.
    pub profile_calibration_signature: Option<String>,
    /// `AnalogBalance`: gain applied per channel before digitising (one per colour plane).
    pub analog_balance: Option<Vec<URational>>,
    /// `AsShotNeutral` (camera response to the scene white).
    pub as_shot_neutral: Option<Vec<URational>>,
    /// `AsShotWhiteXY`: the scene white as CIE xy (the alternative to `AsShotNeutral`).
    pub as_shot_white_xy: Option<[URational; 2]>,
    /// `BaselineExposure` in EV.
    pub baseline_exposure: Option<SRational>,
    /// EXIF `ISOSpeedRatings` (first value).
    pub iso: Option<u32>,
    /// EXIF `ExposureTime` in seconds.
    pub exposure_time: Option<URational>,
    /// EXIF `FNumber`.
    pub f_number: Option<URational>,
    /// EXIF `FocalLength` in mm.
    pub focal_length: Option<URational>,
    /// CinemaDNG `TStop` (first value; a second one would be the lens's maximum).
    pub t_stop: Option<URational>,
    /// EXIF `LensModel`.
    pub lens_model: Option<String>,
    /// DNG `LensInfo`: min/max focal length, min f-number at min/max focal length.
    pub lens_info: Option<[URational; 4]>,
    /// EXIF `DateTimeOriginal` as written (`YYYY:MM:DD HH:MM:SS`).
    pub date_time_original: Option<String>,
    /// CinemaDNG `TimeCodes`: the first entry (the frame's SMPTE 331M time address).
    pub timecode: Option<Timecode>,
    /// CinemaDNG `FrameRate` (frames per second).
    pub frame_rate: Option<SRational>,
    /// CinemaDNG `ReelName`.
    pub reel_name: Option<String>,
    /// CinemaDNG `CameraLabel`.
    pub camera_label: Option<String>,
    /// What could not be read (bad tag values, unreadable directories).
    pub warnings: Vec<String>,
}

/// Reads the metadata of a DNG / CinemaDNG (or plain TIFF) file from the caller's reader.
///
/// Only directories and the values of the tags above are read (each bounded, each offset checked
/// against the file length); the image data is never touched. `name` names the file in errors and
/// warnings. Errors: no TIFF header, BigTIFF, IFD 0 unreadable; anything later is a warning.
pub fn read_dng_metadata<R: Read + Seek + ?Sized>(
    reader: &mut R,
    name: &str,
) -> Result<DngMetadata> {
    let mut file = TiffFile::open(reader, name)?;
    let dirs = file.walk()?;
    let mut tags = Tags {
        file,
        warnings: dirs.warnings.clone(),
    };
    Ok(tags.collect(&dirs))
}

/// Reads [`read_dng_metadata`] from bytes in memory (a whole file, or its header region: tags
/// whose values lie past the end of `bytes` are reported as warnings).
pub fn read_dng_metadata_from_bytes(bytes: &[u8], name: &str) -> Result<DngMetadata> {
    read_dng_metadata(&mut std::io::Cursor::new(bytes), name)
}

/// Index of the raw image among `[chain[0], sub...]`: the first full-resolution (NewSubFileType 0)
/// CFA or linear-raw image, else the first full-resolution image, else IFD 0.
fn raw_ifd<'d, R: Read + Seek + ?Sized>(
    tags: &mut Tags<'_, R>,
    dirs: &'d Directories,
) -> (&'d Ifd, String) {
    let mut candidates: Vec<(&Ifd, String)> = Vec::new();
    if let Some(ifd0) = dirs.chain.first() {
        candidates.push((ifd0, "IFD0".into()));
    }
    for (i, s) in dirs.sub.iter().enumerate() {
        candidates.push((s, format!("SubIFD {i}")));
    }
    let main = |t: &mut Tags<'_, R>, ifd: &Ifd| {
        t.u32s(&[ifd], tag::NEW_SUBFILE_TYPE)
            .and_then(|v| v.first().copied())
            .unwrap_or(0)
            == 0
    };
    let is_raw = |t: &mut Tags<'_, R>, ifd: &Ifd| {
        matches!(
            t.u32s(&[ifd], tag::PHOTOMETRIC).and_then(|v| v.first().copied()),
            Some(p) if p == u32::from(PHOTOMETRIC_CFA) || p == u32::from(PHOTOMETRIC_LINEAR_RAW)
        )
    };
    let mut first_main = None;
    for (ifd, label) in &candidates {
        if main(tags, ifd) {
            if is_raw(tags, ifd) {
                return (ifd, label.clone());
            }
            first_main.get_or_insert((*ifd, label.clone()));
        }
    }
    if let Some(found) = first_main {
        return found;
    }
    match candidates.into_iter().next() {
        Some(c) => c,
        // `walk` always returns IFD 0; an empty chain cannot happen, but stay total.
        None => (&EMPTY_IFD, "IFD0".into()),
    }
}

static EMPTY_IFD: Ifd = Ifd {
    offset: 0,
    entries: Vec::new(),
    next: 0,
};

/// Tag lookups over a list of directories, unreadable values turned into warnings.
struct Tags<'r, R: Read + Seek + ?Sized> {
    file: TiffFile<'r, R>,
    warnings: Vec<String>,
}

impl<R: Read + Seek + ?Sized> Tags<'_, R> {
    /// The value of `tag` from the first directory of `ifds` holding it.
    fn get(&mut self, ifds: &[&Ifd], tag: u16) -> Option<Value> {
        let entry: Entry = ifds.iter().find_map(|i| i.entry(tag)).copied()?;
        match self.file.value(&entry) {
            Ok(v) => Some(v),
            Err(e) => {
                self.warnings.push(e.to_string());
                None
            }
        }
    }

    fn warn_type(&mut self, tag: u16, what: &str) {
        self.warnings.push(format!(
            "tag {tag}: unexpected type or count for {what}; ignored"
        ));
    }

    fn u32s(&mut self, ifds: &[&Ifd], tag: u16) -> Option<Vec<u32>> {
        let v = self.get(ifds, tag)?;
        let out = v.as_u32s();
        if out.is_none() {
            self.warn_type(tag, "an integer");
        }
        out
    }

    fn u32_1(&mut self, ifds: &[&Ifd], tag: u16) -> Option<u32> {
        self.u32s(ifds, tag)?.first().copied()
    }

    fn u16_1(&mut self, ifds: &[&Ifd], tag: u16) -> Option<u16> {
        let v = self.u32_1(ifds, tag)?;
        let out = u16::try_from(v).ok();
        if out.is_none() {
            self.warn_type(tag, "a 16-bit value");
        }
        out
    }

    fn text(&mut self, ifds: &[&Ifd], tag: u16) -> Option<String> {
        let v = self.get(ifds, tag)?;
        match v.as_text() {
            Some(s) if !s.is_empty() => Some(s),
            Some(_) => None,
            None => {
                self.warn_type(tag, "text");
                None
            }
        }
    }

    fn f64s(&mut self, ifds: &[&Ifd], tag: u16, n: usize) -> Option<Vec<f64>> {
        let v = self.get(ifds, tag)?;
        match v.as_f64s() {
            Some(v) if v.len() >= n && v.iter().all(|x| x.is_finite()) => Some(v),
            _ => {
                self.warn_type(tag, "numbers");
                None
            }
        }
    }

    fn urationals(&mut self, ifds: &[&Ifd], tag: u16, n: usize) -> Option<Vec<URational>> {
        let v = self.get(ifds, tag)?;
        match v.as_urationals() {
            Some(v) if v.len() >= n && !v.is_empty() => Some(v),
            _ => {
                self.warn_type(tag, "rationals");
                None
            }
        }
    }

    fn srationals(&mut self, ifds: &[&Ifd], tag: u16, n: usize) -> Option<Vec<SRational>> {
        let v = self.get(ifds, tag)?;
        match v.as_srationals() {
            Some(v) if v.len() >= n && !v.is_empty() => Some(v),
            _ => {
                self.warn_type(tag, "signed rationals");
                None
            }
        }
    }

    /// A 3x3 (or 3xN) matrix: 9 values for a three-colour camera.
    fn matrix(&mut self, ifds: &[&Ifd], tag: u16) -> Option<Vec<SRational>> {
        let m = self.srationals(ifds, tag, 9)?;
        if m.len() % 3 != 0 || m.iter().any(|r| r.den == 0) {
            self.warn_type(tag, "a colour matrix");
            return None;
        }
        Some(m)
    }

    fn collect(&mut self, dirs: &Directories) -> DngMetadata {
        let (raw, raw_label) = raw_ifd(self, dirs);
        let ifd0 = dirs.chain.first().unwrap_or(&EMPTY_IFD);
        let exif = dirs.exif.as_ref();
        let raw_only: &[&Ifd] = &[raw];
        let camera: Vec<&Ifd> = [Some(ifd0), exif].into_iter().flatten().collect();
        let exif_first: Vec<&Ifd> = [exif, Some(ifd0)].into_iter().flatten().collect();

        let mut m = DngMetadata {
            raw_ifd: raw_label,
            ..DngMetadata::default()
        };
        m.dng_version = self
            .get(&[ifd0], tag::DNG_VERSION)
            .and_then(|v| v.as_bytes().and_then(|b| b.get(..4)?.try_into().ok()));
        m.make = self.text(&camera, tag::MAKE);
        m.model = self.text(&camera, tag::MODEL);
        m.unique_camera_model = self.text(&[ifd0], tag::UNIQUE_CAMERA_MODEL);
        m.serial = self
            .text(&[ifd0], tag::CAMERA_SERIAL_NUMBER)
            .or_else(|| self.text(&exif_first, tag::BODY_SERIAL_NUMBER));

        m.width = self.u32_1(raw_only, tag::IMAGE_WIDTH);
        m.height = self.u32_1(raw_only, tag::IMAGE_LENGTH);
        m.bits_per_sample = self.u16_1(raw_only, tag::BITS_PER_SAMPLE);
        m.compression = self.u16_1(raw_only, tag::COMPRESSION);
        m.photometric = self.u16_1(raw_only, tag::PHOTOMETRIC);
        m.cfa_repeat_dim = self
            .u32s(raw_only, tag::CFA_REPEAT_PATTERN_DIM)
            .and_then(|v| {
                Some([
                    u16::try_from(*v.first()?).ok()?,
                    u16::try_from(*v.get(1)?).ok()?,
                ])
            });
        m.cfa_pattern = self
            .get(raw_only, tag::CFA_PATTERN)
            .and_then(|v| v.as_bytes().map(<[u8]>::to_vec));
        if let (Some([r, c]), Some(p)) = (m.cfa_repeat_dim, &m.cfa_pattern) {
            if usize::from(r) * usize::from(c) != p.len() {
                self.warnings.push(format!(
                    "CFAPattern has {} entries for a {r}x{c} repeat pattern",
                    p.len()
                ));
            }
        }
        m.black_level = self.f64s(raw_only, tag::BLACK_LEVEL, 1);
        m.white_level = self.u32s(raw_only, tag::WHITE_LEVEL);
        m.active_area = self
            .u32s(raw_only, tag::ACTIVE_AREA)
            .and_then(|v| v.get(..4)?.try_into().ok());
        if let Some([t, l, b, r]) = m.active_area {
            if t >= b || l >= r || m.width.is_some_and(|w| r > w) || m.height.is_some_and(|h| b > h)
            {
                self.warnings.push(format!(
                    "ActiveArea {t} {l} {b} {r} is not inside the image"
                ));
            }
        }
        let pair = |v: Vec<f64>| -> Option<[f64; 2]> { Some([*v.first()?, *v.get(1)?]) };
        m.default_crop_origin = self
            .f64s(raw_only, tag::DEFAULT_CROP_ORIGIN, 2)
            .and_then(pair);
        m.default_crop_size = self
            .f64s(raw_only, tag::DEFAULT_CROP_SIZE, 2)
            .and_then(pair);
        m.default_scale = self
            .urationals(raw_only, tag::DEFAULT_SCALE, 2)
            .and_then(|v| Some([*v.first()?, *v.get(1)?]));

        m.color_matrix_1 = self.matrix(&[ifd0], tag::COLOR_MATRIX_1);
        m.color_matrix_2 = self.matrix(&[ifd0], tag::COLOR_MATRIX_2);
        m.forward_matrix_1 = self.matrix(&[ifd0], tag::FORWARD_MATRIX_1);
        m.forward_matrix_2 = self.matrix(&[ifd0], tag::FORWARD_MATRIX_2);
        m.calibration_illuminant_1 = self.u16_1(&[ifd0], tag::CALIBRATION_ILLUMINANT_1);
        m.calibration_illuminant_2 = self.u16_1(&[ifd0], tag::CALIBRATION_ILLUMINANT_2);
        m.camera_calibration_1 = self.matrix(&[ifd0], tag::CAMERA_CALIBRATION_1);
        m.camera_calibration_2 = self.matrix(&[ifd0], tag::CAMERA_CALIBRATION_2);
        m.camera_calibration_signature = self.text(&[ifd0], tag::CAMERA_CALIBRATION_SIGNATURE);
        m.profile_calibration_signature = self.text(&[ifd0], tag::PROFILE_CALIBRATION_SIGNATURE);
        m.analog_balance = self.urationals(&[ifd0], tag::ANALOG_BALANCE, 1);
        m.as_shot_neutral = self.urationals(&[ifd0], tag::AS_SHOT_NEUTRAL, 1);
        m.as_shot_white_xy = self
            .urationals(&[ifd0], tag::AS_SHOT_WHITE_XY, 2)
            .and_then(|v| Some([*v.first()?, *v.get(1)?]));
        m.baseline_exposure = self
            .srationals(&[ifd0], tag::BASELINE_EXPOSURE, 1)
            .and_then(|v| v.first().copied());

        m.iso = self.u32_1(&exif_first, tag::ISO);
        let first_ur = |v: Option<Vec<URational>>| v.and_then(|v| v.first().copied());
        m.exposure_time = first_ur(self.urationals(&exif_first, tag::EXPOSURE_TIME, 1));
        m.f_number = first_ur(self.urationals(&exif_first, tag::F_NUMBER, 1));
        m.focal_length = first_ur(self.urationals(&exif_first, tag::FOCAL_LENGTH, 1));
        m.t_stop = first_ur(self.urationals(&[ifd0], tag::T_STOP, 1));
        m.lens_model = self.text(&exif_first, tag::LENS_MODEL);
        m.lens_info = self
            .urationals(&[ifd0], tag::LENS_INFO, 4)
            .and_then(|v| v.get(..4)?.try_into().ok());
        m.date_time_original = self.text(&exif_first, tag::DATE_TIME_ORIGINAL);

        if let Some(v) = self.get(&[ifd0], tag::TIME_CODES) {
            match v.as_bytes() {
                Some(b) if b.len() >= 8 => match Timecode::from_smpte_331m(b) {
                    Ok(tc) => m.timecode = Some(tc),
                    Err(e) => self.warnings.push(format!("TimeCodes: {e}")),
                },
                _ => self.warn_type(tag::TIME_CODES, "SMPTE 331M timecodes"),
            }
        }
        m.frame_rate = match self
            .srationals(&[ifd0], tag::FRAME_RATE, 1)
            .and_then(|v| v.first().copied())
        {
            Some(r) if r.num > 0 && r.den > 0 => Some(r),
            Some(r) => {
                self.warnings.push(format!(
                    "FrameRate {}/{} is not a frame rate; ignored",
                    r.num, r.den
                ));
                None
            }
            None => None,
        };
        m.reel_name = self.text(&[ifd0], tag::REEL_NAME);
        m.camera_label = self.text(&[ifd0], tag::CAMERA_LABEL);
        m.warnings = std::mem::take(&mut self.warnings);
        m
    }
}
