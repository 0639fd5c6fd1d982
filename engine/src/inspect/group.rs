//! Groups a roll's files into clips: numbered frames become sequences (gaps reported as missing
//! frame ranges), movie and sound files are clips of their own; the roll is classified as camera,
//! sound or other. Metadata is read through a caller-supplied opener.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::bwf::read_bwf;
use super::clip::{Clip, ClipFile, ClipKind, Warning, WarningCode};
use super::dng::{DngMetadata, read_dng_metadata};
use super::dpx::read_dpx;
use super::mxf::read_mxf;
use super::naming::{parse_camera_clip_name, parse_frame_name, split_path};
use super::normalize::{apply_bwf, apply_dng};
use super::normalize_media::{apply_dpx, apply_exr, apply_movie, apply_mxf, apply_tiff_extras};
use super::openexr::read_exr_header;
use super::quicktime::read_movie;
use super::tiff::read_tiff_metadata;
use super::timecode::timecode_base;
use crate::Result;

/// Most files accepted in one roll.
pub const MAX_ROLL_FILES: usize = 10_000_000;
/// Most missing-frame ranges spelled out in one warning.
const MAX_LISTED_RANGES: usize = 50;

/// A reader the grouping can read headers through.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Opens a file of the roll (by its path relative to the roll) for reading its metadata.
pub type Opener<'a> = dyn FnMut(&str) -> Result<Box<dyn ReadSeek>> + 'a;

/// One file of a roll, as listed by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollFile {
    /// Path relative to the roll, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
}

impl RollFile {
    /// A file at `path` of `size` bytes.
    pub fn new(path: impl Into<String>, size: u64) -> Self {
        Self {
            path: path.into(),
            size,
        }
    }
}

/// What a roll holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RollKind {
    /// At least one camera clip.
    Camera,
    /// Sound clips and no camera clip.
    Sound,
    /// Neither.
    Other,
}

/// The inspection of one roll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RollInspection {
    /// Roll name.
    pub roll: String,
    /// Camera, sound or other.
    pub kind: RollKind,
    /// Clips in path order.
    pub clips: Vec<Clip>,
    /// Files that are not media (ASC MHL history, hidden files, sidecars), relative paths.
    pub ignored: Vec<String>,
    /// Roll-level warnings (each clip's own are in the clip too).
    pub warnings: Vec<Warning>,
}

/// How a file takes part in clips, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaClass {
    /// One image per file (DNG, TIFF, EXR, DPX...).
    Frame,
    /// A movie file: one clip.
    Movie,
    /// A sound file: one clip.
    Sound,
    /// Not media.
    Ignored,
}

fn classify(path: &str) -> MediaClass {
    let (dir, stem, ext) = split_path(path);
    let hidden = stem.starts_with('.') || dir.split('/').any(|d| d.starts_with('.'));
    let mhl = dir == "ascmhl" || dir.starts_with("ascmhl/") || dir.contains("/ascmhl");
    if hidden || mhl {
        return MediaClass::Ignored;
    }
    match ext.to_ascii_lowercase().as_str() {
        "dng" | "tif" | "tiff" | "exr" | "dpx" | "cin" | "ari" | "j2c" | "jpg" | "jpeg" | "png" => {
            MediaClass::Frame
        }
        "mov" | "mp4" | "m4v" | "mxf" | "r3d" | "braw" | "crm" | "avi" => MediaClass::Movie,
        "wav" | "bwf" | "rf64" | "w64" | "aif" | "aiff" => MediaClass::Sound,
        _ => MediaClass::Ignored,
    }
}

/// `a-b` ranges of the frames missing between `frames` (sorted, deduplicated) first and last.
pub fn missing_ranges(frames: &[u64]) -> Vec<(u64, u64)> {
    frames
        .windows(2)
        .filter_map(|w| match w {
            [a, b] if *b > a.saturating_add(1) => Some((a + 1, b - 1)),
            _ => None,
        })
        .collect()
}

fn ranges_text(r: &[(u64, u64)]) -> String {
    let mut parts: Vec<String> = r
        .iter()
        .take(MAX_LISTED_RANGES)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    if r.len() > MAX_LISTED_RANGES {
        parts.push(format!("and {} more ranges", r.len() - MAX_LISTED_RANGES));
    }
    parts.join(", ")
}

/// A frame sequence being collected: key is (folder, base, separator, extension lower-case).
type SeqKey = (String, String, Option<char>, String);

/// Groups the files of roll `roll` into clips and reads their metadata through `open`.
///
/// DNG/TIFF, OpenEXR and DPX sequences: the first and last frames' headers are read (metadata
/// of the first, continuity of timecode and format checked against the last). Broadcast WAV,
/// QuickTime / MP4 and MXF files are one clip each, their headers read. Other media (R3D,
/// BRAW, ARRIRAW...) become clips from their names with an `unsupported` warning. A file that cannot be opened or read gives an
/// `unreadable` warning on its clip; only a roll over [`MAX_ROLL_FILES`] files is an error.
pub fn group_roll(roll: &str, files: &[RollFile], open: &mut Opener<'_>) -> Result<RollInspection> {
    group_roll_with(roll, files, open, &GroupOptions::default())
}

/// How thoroughly [`group_roll_with`] reads a sequence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupOptions {
    /// Read every frame's header (not only the first and last): frames whose size, bit depth,
    /// compression or CFA differ from the first, and breaks in the timecode, are listed.
    pub check_every_frame: bool,
}

/// [`group_roll`] with options.
pub fn group_roll_with(
    roll: &str,
    files: &[RollFile],
    open: &mut Opener<'_>,
    options: &GroupOptions,
) -> Result<RollInspection> {
    if files.len() > MAX_ROLL_FILES {
        return Err(crate::Error::InvalidInput {
            what: format!("roll {roll}"),
            problem: format!(
                "{} files is over the {MAX_ROLL_FILES} file limit",
                files.len()
            ),
        });
    }
    let mut ignored = Vec::new();
    let mut sequences: BTreeMap<SeqKey, Vec<(u64, &RollFile)>> = BTreeMap::new();
    let mut singles: Vec<(MediaClass, &RollFile)> = Vec::new();
    for f in files {
        match classify(&f.path) {
            MediaClass::Ignored => ignored.push(f.path.clone()),
            MediaClass::Frame => match parse_frame_name(&f.path) {
                Some(n) => {
                    let key = (
                        n.dir.to_string(),
                        n.base.to_string(),
                        n.separator,
                        n.ext.to_ascii_lowercase(),
                    );
                    sequences.entry(key).or_default().push((n.frame, f));
                }
                None => singles.push((MediaClass::Frame, f)),
            },
            class => singles.push((class, f)),
        }
    }
    let mut clips = Vec::new();
    for ((dir, base, _, ext), mut frames) in sequences {
        frames.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.path.cmp(&b.1.path)));
        let clip_name = if base.is_empty() {
            dir.rsplit('/')
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or(roll)
                .to_string()
        } else {
            base.clone()
        };
        clips.push(sequence_clip(
            roll, &clip_name, &ext, &frames, open, options,
        ));
    }
    for (class, f) in singles {
        clips.push(single_clip(roll, class, f, open));
    }
    clips.sort_by(|a, b| {
        let first = |c: &Clip| c.files.first().map(|f| f.path.clone()).unwrap_or_default();
        first(a).cmp(&first(b))
    });
    // Clip ids must be unique within the roll: the same name in two folders gets the folder.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for c in &clips {
        *counts.entry(c.clip_id.clone()).or_default() += 1;
    }
    for c in &mut clips {
        if counts.get(&c.clip_id).copied().unwrap_or(0) > 1 {
            if let Some(f) = c.files.first() {
                c.clip_id = format!("{roll}/{}", f.path);
            }
        }
    }
    let kind = if clips.iter().any(|c| c.kind == ClipKind::Camera) {
        RollKind::Camera
    } else if clips.iter().any(|c| c.kind == ClipKind::Sound) {
        RollKind::Sound
    } else {
        RollKind::Other
    };
    let mut warnings = Vec::new();
    if clips.is_empty() {
        warnings.push(Warning::new(
            WarningCode::MissingMetadata,
            format!(
                "roll {roll}: no media files ({} other files)",
                ignored.len()
            ),
        ));
    }
    for c in &clips {
        if c.warnings
            .iter()
            .any(|w| w.code == WarningCode::MissingFrames)
        {
            warnings.push(Warning::new(
                WarningCode::MissingFrames,
                format!("roll {roll}: clip {} has missing frames", c.clip_name),
            ));
        }
    }
    Ok(RollInspection {
        roll: roll.to_string(),
        kind,
        clips,
        ignored,
        warnings,
    })
}

fn read_with<T>(
    open: &mut Opener<'_>,
    path: &str,
    read: impl FnOnce(&mut dyn ReadSeek) -> Result<T>,
) -> Result<T> {
    let mut r = open(path)?;
    read(&mut *r)
}

fn sequence_clip(
    roll: &str,
    clip_name: &str,
    ext: &str,
    frames: &[(u64, &RollFile)],
    open: &mut Opener<'_>,
    options: &GroupOptions,
) -> Clip {
    let mut clip = Clip::new(roll, clip_name, ClipKind::Camera, ext);
    name_fields(&mut clip);
    clip.files = frames
        .iter()
        .map(|(n, f)| ClipFile {
            path: f.path.clone(),
            size: f.size,
            frame_number: Some(*n),
            checksums: BTreeMap::new(),
        })
        .collect();
    let mut numbers: Vec<u64> = frames.iter().map(|f| f.0).collect();
    numbers.dedup();
    if numbers.len() != frames.len() {
        clip.warn(
            WarningCode::DuplicateFrames,
            format!(
                "{clip_name}: {} files share a frame number with another file",
                frames.len() - numbers.len()
            ),
        );
    }
    let gaps = missing_ranges(&numbers);
    if !gaps.is_empty() {
        let missing: u64 = gaps.iter().map(|(a, b)| b - a + 1).sum();
        clip.warn(
            WarningCode::MissingFrames,
            format!(
                "{clip_name}: {missing} missing frames: {}",
                ranges_text(&gaps)
            ),
        );
    }
    let (first_n, last_n) = (numbers.first().copied(), numbers.last().copied());
    clip.timing.first_frame_number = first_n;
    clip.timing.last_frame_number = last_n;
    // Frame count covers the whole numbered range, so timecode stays right across gaps.
    let count = match (first_n, last_n) {
        (Some(a), Some(b)) => b - a + 1,
        _ => 0,
    };
    if matches!(ext, "exr" | "dpx") {
        read_image_sequence(&mut clip, ext, frames, open, count);
        check_names(&mut clip);
        return clip;
    }
    if !matches!(ext, "dng" | "tif" | "tiff") {
        clip.timing.frame_count = Some(count);
        clip.warn(
            WarningCode::Unsupported,
            format!("{clip_name}: .{ext} metadata is not read yet; clip from file names only"),
        );
        return clip;
    }
    let (Some(first), Some(last)) = (frames.first(), frames.last()) else {
        return clip;
    };
    let first_meta = read_with(open, &first.1.path, |r| read_dng_metadata(r, &first.1.path));
    let last_meta = if frames.len() > 1 {
        Some(read_with(open, &last.1.path, |r| {
            read_dng_metadata(r, &last.1.path)
        }))
    } else {
        None
    };
    match first_meta {
        Ok(m) => {
            let last_ok = match last_meta {
                Some(Ok(l)) => Some(l),
                Some(Err(e)) => {
                    clip.warn(WarningCode::Unreadable, e.to_string());
                    None
                }
                None => None,
            };
            apply_dng(&mut clip, &m, last_ok.as_ref(), count);
            if m.dng_version.is_none() {
                if let Ok(t) = read_with(open, &first.1.path, |r| {
                    read_tiff_metadata(r, &first.1.path)
                }) {
                    apply_tiff_extras(&mut clip, &t);
                }
            }
            if options.check_every_frame && frames.len() > 2 {
                check_middle_frames(&mut clip, &m, frames, open);
            }
            if m.compression == Some(1) {
                let sizes: std::collections::BTreeSet<u64> =
                    frames.iter().map(|f| f.1.size).collect();
                if sizes.len() > 1 {
                    clip.warn(
                        WarningCode::Inconsistent,
                        format!(
                            "{clip_name}: uncompressed frames of {} different sizes (mixed frame formats?)",
                            sizes.len()
                        ),
                    );
                }
            }
        }
        Err(e) => {
            clip.timing.frame_count = Some(count);
            clip.warn(WarningCode::Unreadable, e.to_string());
        }
    }
    check_names(&mut clip);
    clip
}

/// Reads the first and last frames of an OpenEXR or DPX sequence and fills the clip.
fn read_image_sequence(
    clip: &mut Clip,
    ext: &str,
    frames: &[(u64, &RollFile)],
    open: &mut Opener<'_>,
    count: u64,
) {
    let (Some(first), Some(last)) = (frames.first(), frames.last()) else {
        clip.timing.frame_count = Some(count);
        return;
    };
    let several = frames.len() > 1;
    if ext == "exr" {
        let read =
            |open: &mut Opener<'_>, path: &str| read_with(open, path, |r| read_exr_header(r, path));
        let first_meta = read(open, &first.1.path);
        let last_meta = several.then(|| read(open, &last.1.path));
        match first_meta {
            Ok(m) => {
                let last_ok = take_last(clip, last_meta);
                apply_exr(clip, &m, last_ok.as_ref(), count);
            }
            Err(e) => unreadable(clip, e, count),
        }
    } else {
        let read = |open: &mut Opener<'_>, path: &str| read_with(open, path, |r| read_dpx(r, path));
        let first_meta = read(open, &first.1.path);
        let last_meta = several.then(|| read(open, &last.1.path));
        match first_meta {
            Ok(m) => {
                let last_ok = take_last(clip, last_meta);
                apply_dpx(clip, &m, last_ok.as_ref(), count);
            }
            Err(e) => unreadable(clip, e, count),
        }
    }
}

/// The last frame's metadata, or a warning on the clip when it could not be read.
fn take_last<T>(clip: &mut Clip, last: Option<Result<T>>) -> Option<T> {
    match last {
        Some(Ok(l)) => Some(l),
        Some(Err(e)) => {
            clip.warn(WarningCode::Unreadable, e.to_string());
            None
        }
        None => None,
    }
}

fn unreadable(clip: &mut Clip, e: crate::Error, count: u64) {
    clip.timing.frame_count = Some(count);
    clip.warn(WarningCode::Unreadable, e.to_string());
}

/// Reads every frame between the first and the last; lists frames whose format differs from the
/// first frame's and frames whose timecode breaks the run.
fn check_middle_frames(
    clip: &mut Clip,
    first: &DngMetadata,
    frames: &[(u64, &RollFile)],
    open: &mut Opener<'_>,
) {
    let name = clip.clip_name.clone();
    let format_of = |m: &DngMetadata| {
        (
            m.width,
            m.height,
            m.bits_per_sample,
            m.compression,
            m.cfa_pattern.clone(),
        )
    };
    let want_format = format_of(first);
    let base = clip
        .timing
        .frame_rate
        .and_then(|r| timecode_base(r.num, r.den));
    let first_number = frames.first().map_or(0, |f| f.0);
    let (mut odd_format, mut tc_breaks, mut unreadable) = (Vec::new(), Vec::new(), Vec::new());
    let middle = frames.get(1..frames.len() - 1).unwrap_or_default();
    for (n, f) in middle {
        match read_with(open, &f.path, |r| read_dng_metadata(r, &f.path)) {
            Ok(m) => {
                if format_of(&m) != want_format {
                    odd_format.push(*n);
                }
                if let (Some(tc0), Some(tc), Some(b)) = (first.timecode, m.timecode, base) {
                    if tc != tc0.plus_frames(n - first_number, b) {
                        tc_breaks.push(*n);
                    }
                }
            }
            Err(e) => unreadable.push(e.to_string()),
        }
    }
    let runs = |v: &[u64]| {
        let mut r: Vec<(u64, u64)> = Vec::new();
        for &x in v {
            match r.last_mut() {
                Some(last) if last.1 + 1 == x => last.1 = x,
                _ => r.push((x, x)),
            }
        }
        ranges_text(&r)
    };
    if !odd_format.is_empty() {
        clip.warn(
            WarningCode::Inconsistent,
            format!(
                "{name}: mixed frame formats: frames {} differ from the first frame",
                runs(&odd_format)
            ),
        );
    }
    if !tc_breaks.is_empty() {
        clip.warn(
            WarningCode::Inconsistent,
            format!("{name}: timecode breaks at frames {}", runs(&tc_breaks)),
        );
    }
    if let Some(e) = unreadable.first() {
        clip.warn(
            WarningCode::Unreadable,
            format!("{name}: {} frames unreadable, first: {e}", unreadable.len()),
        );
    }
}

/// Sets the camera-name fields from the clip name.
fn name_fields(clip: &mut Clip) {
    if let Some(n) = parse_camera_clip_name(&clip.clip_name) {
        clip.camera_letter = Some(n.camera_letter.clone());
        clip.camera_name = Some(n);
    }
}

/// After metadata: fill the camera letter from the label and flag disagreements.
fn check_names(clip: &mut Clip) {
    let name = clip.clip_name.clone();
    match (&clip.camera_letter, &clip.camera.label) {
        (None, Some(l)) if l.len() == 1 => clip.camera_letter = Some(l.clone()),
        (Some(a), Some(l)) if l.len() == 1 && a != l => {
            let msg =
                format!("{name}: camera letter {a} in the name, CameraLabel {l} in the metadata");
            clip.warn(WarningCode::Inconsistent, msg);
        }
        _ => {}
    }
    if let Some(reel) = clip.reel_name.clone() {
        if !reel.starts_with(&name) && !name.starts_with(&reel) {
            clip.warn(
                WarningCode::Inconsistent,
                format!("{name}: metadata reel name {reel} differs from the file names"),
            );
        }
    }
}

fn single_clip(roll: &str, class: MediaClass, f: &RollFile, open: &mut Opener<'_>) -> Clip {
    let (_, stem, ext) = split_path(&f.path);
    let ext_l = ext.to_ascii_lowercase();
    let kind = if class == MediaClass::Sound {
        ClipKind::Sound
    } else {
        ClipKind::Camera
    };
    let mut clip = Clip::new(roll, stem, kind, &ext_l);
    clip.files.push(ClipFile {
        path: f.path.clone(),
        size: f.size,
        frame_number: None,
        checksums: BTreeMap::new(),
    });
    match (class, ext_l.as_str()) {
        (MediaClass::Sound, "wav" | "bwf" | "rf64") => {
            match read_with(open, &f.path, |r| read_bwf(r, &f.path)) {
                Ok(m) => apply_bwf(&mut clip, &m),
                Err(e) => clip.warn(WarningCode::Unreadable, e.to_string()),
            }
        }
        (MediaClass::Frame, "dng" | "tif" | "tiff") => {
            name_fields(&mut clip);
            match read_with(open, &f.path, |r| read_tiff_metadata(r, &f.path)) {
                Ok(m) => {
                    apply_dng(&mut clip, &m.image, None, 1);
                    if m.image.dng_version.is_none() {
                        apply_tiff_extras(&mut clip, &m);
                    }
                }
                Err(e) => clip.warn(WarningCode::Unreadable, e.to_string()),
            }
            check_names(&mut clip);
        }
        (MediaClass::Frame, "exr" | "dpx") => {
            name_fields(&mut clip);
            let single = [(0u64, f)];
            read_image_sequence(&mut clip, &ext_l, &single, open, 1);
            clip.timing.first_frame_number = None;
            clip.timing.last_frame_number = None;
            check_names(&mut clip);
        }
        (MediaClass::Movie, "mov" | "mp4" | "m4v" | "mxf") => {
            name_fields(&mut clip);
            let read = if ext_l == "mxf" {
                read_with(open, &f.path, |r| read_mxf(r, &f.path)).map(|m| apply_mxf(&mut clip, &m))
            } else {
                read_with(open, &f.path, |r| read_movie(r, &f.path))
                    .map(|m| apply_movie(&mut clip, &m, &ext_l))
            };
            let read_ok = read.is_ok();
            if let Err(e) = read {
                clip.warn(WarningCode::Unreadable, e.to_string());
            }
            if read_ok && clip.sensor.is_none() && clip.picture.is_none() {
                clip.kind = if clip.audio.is_some() {
                    ClipKind::Sound
                } else {
                    ClipKind::Other
                };
            }
            check_names(&mut clip);
        }
        _ => {
            name_fields(&mut clip);
            clip.warn(
                WarningCode::Unsupported,
                format!(
                    "{}: .{ext_l} metadata is not read yet; clip from its name only",
                    f.path
                ),
            );
        }
    }
    clip
}
