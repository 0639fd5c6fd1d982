//! `rushes sample-card`: writes a synthetic shoot day (CinemaDNG camera rolls, a BWF sound roll) with an on-set ASC MHL history per roll.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Component, Path};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rushes_engine::hash::HashFormat;
use rushes_engine::sample::{CardPlan, CardSpec, DngCompression, MAX_SCALE, PlannedFile};

/// Arguments of `rushes sample-card`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write the card into; created if missing, refused if it exists and is not empty.
    pub dir: std::path::PathBuf,
    /// Benchmark size: multiplies frame width, height and every clip's frame count (1 to 8).
    #[arg(long, default_value_t = 1)]
    pub scale: u32,
    /// Seed of the sensor and audio noise; the same seed gives byte-identical media files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How the CinemaDNG frames store their samples: `none` (uncompressed strips) or `ljpeg`
    /// (lossless JPEG tiles, as compressed CinemaDNG cameras write them).
    #[arg(long, default_value = "none", value_parser = parse_dng_compression)]
    pub dng_compression: DngCompression,
}

fn parse_dng_compression(s: &str) -> Result<DngCompression, String> {
    s.parse().map_err(|e: rushes_engine::Error| e.to_string())
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.scale == 0 || args.scale > MAX_SCALE {
        bail!("--scale {} is out of range (1 to {MAX_SCALE})", args.scale);
    }
    let spec = CardSpec {
        dng_compression: args.dng_compression,
        ..CardSpec::new(args.seed, args.scale)
    };
    let plan = write_card(&args.dir, &spec, true)?;
    let files = plan.files()?;
    let bytes: u64 = files.iter().map(|f| f.size).sum();
    println!(
        "wrote sample card {}: {} clips on {}, {} sound files on {}, {} files, {:.1} MB",
        args.dir.display(),
        plan.clips().count(),
        plan.camera_rolls
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" + "),
        plan.sound_files().count(),
        plan.sound_rolls
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" + "),
        files.len(),
        bytes as f64 / 1e6
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the whole card into `dir` and gives every roll an ASC MHL history (xxh64), as a DIT
/// would on set. `dir` must be missing or empty.
pub fn write_card(dir: &Path, spec: &CardSpec, progress: bool) -> anyhow::Result<CardPlan> {
    let plan = write_media(dir, spec, progress)?;
    for roll in plan.roll_names() {
        let roll_dir = dir.join(roll);
        super::mhl::create_generation(&roll_dir, &[HashFormat::Xxh64]).with_context(|| {
            format!("{}: cannot create the ASC MHL history", roll_dir.display())
        })?;
    }
    Ok(plan)
}

/// Writes the card's media files (no MHL history) into `dir`, which must be missing or empty.
pub fn write_media(dir: &Path, spec: &CardSpec, progress: bool) -> anyhow::Result<CardPlan> {
    let plan = CardPlan::new(spec)?;
    let files = plan.files()?;
    prepare_dir(dir)?;
    for f in &files {
        check_relative(&f.path)?;
    }
    let total: u64 = files.iter().map(|f| f.size).sum();
    let bar = if progress {
        let bar = ProgressBar::new(total);
        let style = ProgressStyle::with_template(
            "{msg:>8} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message("writing");
        bar
    } else {
        ProgressBar::hidden()
    };

    // Files are independent: share them out over the cores.
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let next = Mutex::new(0usize);
    let failure: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = {
                        let Ok(mut n) = next.lock() else { return };
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(file) = files.get(i) else { return };
                    if failure.lock().map(|f| f.is_some()).unwrap_or(true) {
                        return;
                    }
                    match write_one(dir, &plan, file) {
                        Ok(()) => bar.inc(file.size),
                        Err(e) => {
                            if let Ok(mut f) = failure.lock() {
                                f.get_or_insert(e);
                            }
                            return;
                        }
                    }
                }
            });
        }
    });
    bar.finish_and_clear();
    if let Some(e) = failure.into_inner().unwrap_or(None) {
        return Err(e);
    }
    Ok(plan)
}

/// Creates `dir` or checks that it is an empty folder.
fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                bail!(
                    "{}: refusing to write a sample card into a folder that is not empty",
                    dir.display()
                );
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the folder", dir.display())),
        Err(e) if dir.exists() && !dir.is_dir() => {
            Err(e).with_context(|| format!("{}: exists and is not a folder", dir.display()))
        }
        Err(e) => Err(e).with_context(|| format!("{}: cannot read the folder", dir.display())),
    }
}

/// Refuses a planned path that is absolute or leaves the card (`..`).
fn check_relative(path: &str) -> anyhow::Result<()> {
    let p = Path::new(path);
    if path.is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_))) {
        bail!("{path}: unsafe path in the card plan (absolute, empty or with `..`)");
    }
    Ok(())
}

fn write_one(dir: &Path, plan: &CardPlan, file: &PlannedFile) -> anyhow::Result<()> {
    let path = dir.join(&file.path);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create the folder", parent.display()))?;
    }
    let f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("{}: cannot create the file", path.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    plan.write_file(file, &mut w)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    w.flush()
        .with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn unsafe_plan_paths_are_refused() {
        for bad in ["../x", "/abs/x", "A001/../../x", "", "./x"] {
            let err = check_relative(bad).unwrap_err();
            assert!(err.to_string().contains("unsafe path"), "{bad}: {err}");
        }
        check_relative("A001/A001C001/A001C001_0001001.dng").unwrap();
    }

    #[test]
    fn refuses_non_empty_folder_and_files() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("keep.txt"), b"x").unwrap();
        let err = write_media(tmp.path(), &CardSpec::default(), false).unwrap_err();
        assert!(err.to_string().contains("not empty"), "{err}");
        assert!(!tmp.path().join("A001").exists());
        let file = tmp.path().join("keep.txt");
        assert!(write_media(&file, &CardSpec::default(), false).is_err());
    }

    #[test]
    fn dng_compression_flag_parses() {
        assert_eq!(
            parse_dng_compression("ljpeg"),
            Ok(DngCompression::LosslessJpeg)
        );
        assert_eq!(parse_dng_compression("none"), Ok(DngCompression::None));
        assert!(
            parse_dng_compression("zip")
                .unwrap_err()
                .contains("none or ljpeg")
        );
    }

    #[test]
    fn writes_every_planned_file_with_its_size() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("card");
        let plan = write_media(&dir, &CardSpec::default(), false).unwrap();
        for f in plan.files().unwrap() {
            let meta = fs::metadata(dir.join(&f.path)).unwrap();
            assert_eq!(meta.len(), f.size, "{}", f.path);
        }
        let err = write_media(&dir, &CardSpec::default(), false).unwrap_err();
        assert!(err.to_string().contains("not empty"));
        // Compressed frames: sizes known only after encoding, still exact.
        let dir = tmp.path().join("ljpeg");
        let spec = CardSpec {
            dng_compression: DngCompression::LosslessJpeg,
            ..CardSpec::default()
        };
        let plan = write_media(&dir, &spec, false).unwrap();
        for f in plan.files().unwrap() {
            let meta = fs::metadata(dir.join(&f.path)).unwrap();
            assert_eq!(meta.len(), f.size, "{}", f.path);
        }
    }
}
