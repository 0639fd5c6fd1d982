//! Reference frames for perceptual matching, read from a folder: an image sequence exported from
//! the editor's reference movie (frame i = the list's first record frame + i; numbering may
//! start anywhere, e.g. at 1 as `ffmpeg -i ref.mov ref/%06d.png` writes), or stills named by
//! record timecode (`01_00_10_05.png`, `01-00-10-05.jpg`, `01.00.10.05.tif`). PNG, JPEG and
//! TIFF, decoded with the `image` crate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rushes_engine::edl::Edl;
use rushes_engine::edl::matching::perceptual::{FrameSignature, LumaImage, ReferenceFrames};
use rushes_engine::timecode::Timecode;

/// Largest reference image accepted, per side.
const MAX_SIDE: u32 = 16_384;
/// Smallest reference image compared, per side.
const MIN_SIDE: u32 = 16;
/// Most reference images read from one folder.
const MAX_FILES: usize = 200_000;

/// How a file names its frame.
enum FrameName {
    /// A number in an image sequence.
    Index(u64),
    /// A record timecode, as a frame count at the list's rate.
    Record(i64),
}

/// Reads every reference image in `dir` and returns their signatures by record frame of `list`.
pub fn read_reference(dir: &Path, list: &Edl) -> anyhow::Result<ReferenceFrames> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("--reference {}: cannot read the folder", dir.display()))?;
    let mut files: Vec<(PathBuf, FrameName)> = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("--reference {}", dir.display()))?
            .path();
        let is_image = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "png" | "jpg" | "jpeg" | "tif" | "tiff"
            )
        });
        if !is_image || !path.is_file() {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let name = frame_name(&stem, list).with_context(|| {
            format!(
                "{}: the name is neither a frame number nor a record timecode",
                path.display()
            )
        })?;
        files.push((path, name));
        if files.len() > MAX_FILES {
            bail!(
                "--reference {}: more than {MAX_FILES} images",
                dir.display()
            );
        }
    }
    if files.is_empty() {
        bail!(
            "--reference {}: no PNG, JPEG or TIFF images in the folder",
            dir.display()
        );
    }
    let by_index = files.iter().any(|(_, n)| matches!(n, FrameName::Index(_)));
    let by_timecode = files.iter().any(|(_, n)| matches!(n, FrameName::Record(_)));
    if by_index && by_timecode {
        bail!(
            "--reference {}: mixes numbered frames and timecode-named stills; use one kind",
            dir.display()
        );
    }
    let list_start = list
        .events
        .iter()
        .map(|e| e.record.start)
        .min()
        .context("the list has no events")?;
    let first_index = files
        .iter()
        .filter_map(|(_, n)| match n {
            FrameName::Index(i) => Some(*i),
            FrameName::Record(_) => None,
        })
        .min()
        .unwrap_or(0);
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let bar = progress(files.len() as u64, "reading reference frames");
    let mut frames = BTreeMap::new();
    let mut size: Option<(u32, u32, PathBuf)> = None;
    for (path, name) in &files {
        let record = match name {
            FrameName::Index(i) => i64::try_from(i - first_index)
                .ok()
                .and_then(|i| list_start.checked_add(i))
                .with_context(|| format!("{}: frame number too large", path.display()))?,
            FrameName::Record(frame) => *frame,
        };
        let image = read_image(path)?;
        let (w, h) = (image.width() as u32, image.height() as u32);
        match &size {
            Some((sw, sh, other)) if (*sw, *sh) != (w, h) => bail!(
                "{}: {w}x{h}, but {} is {sw}x{sh}; the reference frames of one folder must \
                 share a size",
                path.display(),
                other.display()
            ),
            Some(_) => {}
            None => size = Some((w, h, path.clone())),
        }
        if frames.insert(record, FrameSignature::of(&image)).is_some() {
            bail!(
                "{}: a second image for record frame {}",
                path.display(),
                Timecode::from_frame_wrapping(record, list.rate)
            );
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(ReferenceFrames { frames })
}

/// Decodes one reference image into grey, bounded in size.
fn read_image(path: &Path) -> anyhow::Result<LumaImage> {
    let mut reader = image::ImageReader::open(path)
        .with_context(|| format!("{}: cannot open", path.display()))?
        .with_guessed_format()
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let decoded = reader
        .decode()
        .with_context(|| format!("{}: cannot decode the image", path.display()))?;
    let grey = decoded.to_luma32f();
    let (w, h) = grey.dimensions();
    if w < MIN_SIDE || h < MIN_SIDE {
        bail!(
            "{}: {w}x{h} is too small to compare (at least {MIN_SIDE}x{MIN_SIDE})",
            path.display()
        );
    }
    Ok(LumaImage::new(
        &path.display().to_string(),
        w as usize,
        h as usize,
        grey.into_raw(),
    )?)
}

/// A file stem as a record timecode (four 2-digit fields separated by `_`, `-`, `.`, `:` or
/// `;`) or, failing that, by its last run of digits as a sequence number.
fn frame_name(stem: &str, list: &Edl) -> Option<FrameName> {
    let fields: Vec<&str> = stem.split(['_', '-', '.', ':', ';']).collect();
    let tail = fields.get(fields.len().saturating_sub(4)..)?;
    if fields.len() >= 4
        && tail
            .iter()
            .all(|f| f.len() == 2 && f.bytes().all(|b| b.is_ascii_digit()))
    {
        let text = tail.join(":");
        let timecode = Timecode::parse_detect_drop(&text, list.rate).ok()?;
        return i64::try_from(timecode.to_frame())
            .ok()
            .map(FrameName::Record);
    }
    let digits: String = stem
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok().map(FrameName::Index)
}

/// A progress bar on standard error (hidden when it is not a terminal).
pub fn progress(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}
