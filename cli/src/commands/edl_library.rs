//! The local library seen by `rushes edl match --library`: match candidates from the inspected
//! clips in its catalog (the `CLIP#` items the inspect step wrote), and per-clip frame
//! signatures for perceptual matching, cached under `<library>/index/perceptual/<roll>/<clip>.json`
//! and rebuilt when the clip's files or checksums change.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rushes_engine::edl::matching::perceptual::{ClipSignatures, FrameSignature, SampledFrame};
use rushes_engine::edl::matching::{LibraryClip, library_clip};
use rushes_engine::inspect::clip::{Clip, ClipKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::edl_dng_luma::dng_luma;
use super::edl_reference::progress;
use crate::local::{CATALOG_FILE, Library};

/// Format tag of a cached signature file.
const INDEX_FORMAT: &str = "rushes-perceptual-index/1";
/// Largest DNG frame read for a thumbnail.
const MAX_FRAME_BYTES: u64 = 1 << 30;

/// Camera clips of a library: their catalog records and the matcher's view of each.
#[derive(Debug)]
pub struct LibraryClips {
    /// The inspected clips (camera clips with usable timing).
    pub records: Vec<Clip>,
    /// The same clips as match candidates, in the same order.
    pub candidates: Vec<LibraryClip>,
}

/// Reads every inspected camera clip of the library at `dir` from its catalog.
pub fn read_library(dir: &Path) -> anyhow::Result<LibraryClips> {
    if !dir.join(CATALOG_FILE).is_file() {
        bail!(
            "--library {}: not a rushes library (no {CATALOG_FILE}; ingest a card first)",
            dir.display()
        );
    }
    let rolls_dir = dir.join("rolls");
    let mut rolls: Vec<String> = std::fs::read_dir(&rolls_dir)
        .with_context(|| format!("--library {}: cannot list rolls/", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    rolls.sort();
    let lib = Library::open(dir)?;
    let catalog = lib.ports().catalog;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let mut out = LibraryClips {
        records: Vec::new(),
        candidates: Vec::new(),
    };
    for roll in &rolls {
        let items = runtime.block_on(catalog.query(&format!("ROLL#{roll}"), "CLIP#"))?;
        for item in items {
            let clip: Clip = serde_json::from_value(item.body)
                .with_context(|| format!("catalog item {}/{} is not a clip", item.pk, item.sk))?;
            if clip.kind != ClipKind::Camera {
                continue;
            }
            if let Some(candidate) = library_clip(&clip) {
                out.records.push(clip);
                out.candidates.push(candidate);
            }
        }
    }
    if out.candidates.is_empty() {
        bail!(
            "--library {}: the catalog holds no inspected camera clip with timecode",
            dir.display()
        );
    }
    Ok(out)
}

/// A cached signature file.
#[derive(Debug, Serialize, Deserialize)]
struct IndexFile {
    format: String,
    /// SHA-256 over the clip's file paths, sizes and checksums.
    fingerprint: String,
    /// Sampling step in frames.
    every: u64,
    signatures: ClipSignatures,
}

/// The signatures of every clip whose frames can be read (uncompressed DNG), from the cache or
/// built (and cached) now; `every` samples every Nth frame. Clips that cannot be read are
/// reported in the returned warnings and left out.
pub fn clip_signatures(
    dir: &Path,
    clips: &LibraryClips,
    every: u64,
) -> anyhow::Result<(Vec<ClipSignatures>, Vec<String>)> {
    let every = every.max(1);
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut to_build = Vec::new();
    for (record, candidate) in clips.records.iter().zip(&clips.candidates) {
        let path = index_path(dir, record);
        let fingerprint = fingerprint(record);
        match read_index(&path) {
            Some(index)
                if index.format == INDEX_FORMAT
                    && index.fingerprint == fingerprint
                    && index.every == every
                    && index.signatures.clip_id == record.clip_id
                    && index.signatures.validate().is_ok() =>
            {
                out.push(index.signatures)
            }
            _ => to_build.push((record, candidate, path, fingerprint)),
        }
    }
    let frames: u64 = to_build
        .iter()
        .map(|(r, ..)| r.files.len() as u64 / every)
        .sum();
    let bar = progress(frames, "building frame signatures");
    for (record, candidate, path, fingerprint) in to_build {
        match build(dir, record, candidate.frame_count, every, &bar) {
            Ok(signatures) => {
                let index = IndexFile {
                    format: INDEX_FORMAT.into(),
                    fingerprint,
                    every,
                    signatures,
                };
                write_index(&path, &index)?;
                out.push(index.signatures);
            }
            Err(err) => warnings.push(format!("{}: no frame signatures: {err:#}", record.clip_id)),
        }
    }
    bar.finish_and_clear();
    Ok((out, warnings))
}

/// `<library>/index/perceptual/<roll>/<clip name>.json`, names kept to safe characters.
fn index_path(dir: &Path, clip: &Clip) -> PathBuf {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
            .trim_start_matches('.')
            .to_string()
    };
    dir.join("index/perceptual")
        .join(safe(&clip.roll))
        .join(format!("{}.json", safe(&clip.clip_name)))
}

fn fingerprint(clip: &Clip) -> String {
    let mut hasher = Sha256::new();
    for file in &clip.files {
        hasher.update(file.path.as_bytes());
        hasher.update([0]);
        hasher.update(file.size.to_le_bytes());
        for (format, value) in &file.checksums {
            hasher.update(format.as_bytes());
            hasher.update(b"=");
            hasher.update(value.as_bytes());
            hasher.update([0]);
        }
        hasher.update([1]);
    }
    hex::encode(hasher.finalize())
}

fn read_index(path: &Path) -> Option<IndexFile> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn write_index(path: &Path, index: &IndexFile) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create", parent.display()))?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec(index)?)
        .with_context(|| format!("{}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))
}

/// Reads every `every`th frame of `clip` and computes its signature.
fn build(
    dir: &Path,
    clip: &Clip,
    frame_count: u64,
    every: u64,
    bar: &indicatif::ProgressBar,
) -> anyhow::Result<ClipSignatures> {
    let first_number = clip.files.iter().filter_map(|f| f.frame_number).min();
    let mut frames = Vec::new();
    for (index, file) in clip.files.iter().enumerate() {
        let offset = match (file.frame_number, first_number) {
            (Some(n), Some(first)) => n - first,
            _ => index as u64,
        };
        if offset % every != 0 || offset >= frame_count {
            continue;
        }
        if !file.path.to_ascii_lowercase().ends_with(".dng") {
            bail!("only DNG frames are read for signatures ({})", file.path);
        }
        let relative = Path::new(&clip.roll).join(&file.path);
        if relative
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            bail!(
                "catalog path `{}` leaves the roll folder",
                relative.display()
            );
        }
        let path = dir.join("rolls").join(relative);
        let size = std::fs::metadata(&path)
            .with_context(|| format!("{}", path.display()))?
            .len();
        if size > MAX_FRAME_BYTES {
            bail!(
                "{}: {size} bytes, too large for a thumbnail",
                path.display()
            );
        }
        let bytes = std::fs::read(&path).with_context(|| format!("{}", path.display()))?;
        let image = dng_luma(&bytes, &path.display().to_string())?;
        frames.push(SampledFrame {
            offset,
            signature: FrameSignature::of(&image),
        });
        bar.inc(1);
    }
    frames.sort_by_key(|f| f.offset);
    frames.dedup_by_key(|f| f.offset);
    Ok(ClipSignatures {
        clip_id: clip.clip_id.clone(),
        frame_count,
        frames,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rushes_engine::inspect::clip::ClipFile;

    fn clip() -> Clip {
        let mut c = Clip::new("A001", "A001C001_230612", ClipKind::Camera, "dng");
        c.files = (0..3)
            .map(|i| ClipFile {
                path: format!("A001C001/A001C001_{i:07}.dng"),
                size: 1000,
                frame_number: Some(i),
                checksums: [("xxh64".to_string(), format!("{i:016x}"))].into(),
            })
            .collect();
        c
    }

    #[test]
    fn the_cache_key_follows_files_and_checksums() {
        let base = fingerprint(&clip());
        assert_eq!(base, fingerprint(&clip()));
        let mut changed = clip();
        changed.files[1]
            .checksums
            .insert("xxh64".into(), "ffffffffffffffff".into());
        assert_ne!(fingerprint(&changed), base);
        let mut resized = clip();
        resized.files[2].size = 999;
        assert_ne!(fingerprint(&resized), base);
        let mut fewer = clip();
        fewer.files.pop();
        assert_ne!(fingerprint(&fewer), base);
    }

    #[test]
    fn cache_paths_stay_inside_the_index() {
        let mut c = clip();
        c.roll = "../..".into();
        c.clip_name = "a/../../b".into();
        let path = index_path(Path::new("/lib"), &c);
        assert!(
            path.starts_with("/lib/index/perceptual"),
            "{}",
            path.display()
        );
        assert!(
            path.components()
                .all(|p| !matches!(p, std::path::Component::ParentDir)),
            "{}",
            path.display()
        );
    }

    #[test]
    fn a_folder_without_catalog_is_not_a_library() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_library(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a rushes library"), "{err}");
        assert!(!dir.path().join(CATALOG_FILE).exists());
    }
}
