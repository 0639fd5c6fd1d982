//! `rushes develop`: CinemaDNG / DNG frames to ACES2065-1 OpenEXR plates (decode, white balance,
//! demosaic, the DNG colour model to ACES, the DNG default crop), with progress.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rushes_engine::color::dng::WhiteBalanceMode;
use rushes_engine::demosaic::DemosaicMethod;
use rushes_engine::develop::{DevelopOptions, develop_dng, plate_exr};
use rushes_engine::image_io::exr::ExrCompression;
use rushes_engine::raw::ImageLimits;

/// Largest DNG frame read, in bytes (a 16-bit 16K x 12K frame is about 400 MB).
const MAX_FRAME_BYTES: u64 = 2 << 30;

/// Demosaicing algorithm on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Demosaic {
    /// Ratio-corrected demosaicing: the quality default for plates.
    Rcd,
    /// Malvar-He-Cutler: fast, good.
    Mhc,
    /// Bilinear: fastest, soft; previews.
    Bilinear,
}

/// OpenEXR compression on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Compression {
    /// Uncompressed (what a strict ST 2065-4 container requires).
    None,
    /// PIZ wavelet: lossless, best on grainy plates.
    Piz,
    /// ZIP (deflate, 16 lines per block): lossless.
    Zip,
    /// ZIPS (deflate, one line per block): lossless.
    Zips,
}

/// Arguments of `rushes develop`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A DNG file, or a folder of one clip's CinemaDNG frames (`*.dng`, not recursive).
    pub input: PathBuf,
    /// Output folder for the plates (`<frame name>.exr`); created if needed.
    #[arg(long)]
    pub out: PathBuf,
    /// Demosaicing algorithm.
    #[arg(long, value_enum, default_value = "rcd")]
    pub demosaic: Demosaic,
    /// OpenEXR compression (half float).
    #[arg(long, value_enum, default_value = "piz")]
    pub compression: Compression,
    /// Write strict SMPTE ST 2065-4 ACES containers (uncompressed; needs `--compression none`).
    #[arg(long)]
    pub aces_container: bool,
    /// Exposure offset in stops, on top of the DNG's BaselineExposure.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub exposure: f64,
    /// Ignore the DNG's BaselineExposure.
    #[arg(long)]
    pub no_baseline_exposure: bool,
    /// White balance: `as-shot` (default) or a colour temperature in kelvin with an optional
    /// tint, e.g. `5600` or `5600,+10`.
    #[arg(long, default_value = "as-shot")]
    pub white_balance: String,
    /// Replace plates already in the output folder (default: refuse).
    #[arg(long)]
    pub overwrite: bool,
}

/// Parses `--white-balance`.
fn white_balance(text: &str) -> anyhow::Result<WhiteBalanceMode> {
    if text.eq_ignore_ascii_case("as-shot") || text.eq_ignore_ascii_case("asshot") {
        return Ok(WhiteBalanceMode::AsShot);
    }
    let (kelvin, tint) = match text.split_once(',') {
        Some((k, t)) => (k, t),
        None => (text, "0"),
    };
    let kelvin: f64 = kelvin
        .trim()
        .trim_end_matches(['K', 'k'])
        .parse()
        .with_context(|| format!("--white-balance `{text}`: not `as-shot` or kelvin[,tint]"))?;
    let tint: f64 = tint
        .trim()
        .parse()
        .with_context(|| format!("--white-balance `{text}`: the tint is not a number"))?;
    Ok(WhiteBalanceMode::Temperature { kelvin, tint })
}

/// The DNG frames to develop, sorted by name.
fn frames(input: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let meta =
        std::fs::metadata(input).with_context(|| format!("{}: cannot read", input.display()))?;
    if meta.is_file() {
        return Ok(vec![input.to_path_buf()]);
    }
    let mut out = Vec::new();
    for entry in
        std::fs::read_dir(input).with_context(|| format!("{}: cannot list", input.display()))?
    {
        let path = entry
            .with_context(|| format!("{}: cannot list", input.display()))?
            .path();
        let is_dng = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("dng"));
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if is_dng && !hidden && path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    anyhow::ensure!(!out.is_empty(), "{}: no .dng frames", input.display());
    Ok(out)
}

/// The clip name of a frame: its folder's name for a sequence, else the file stem.
fn clip_name(input: &Path, frame: &Path) -> Option<String> {
    let source = if input.is_dir() { input } else { frame };
    let name = if input.is_dir() {
        source.file_name()
    } else {
        source.file_stem()
    };
    name.and_then(|n| n.to_str()).map(str::to_string)
}

/// Runs `rushes develop`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = DevelopOptions {
        demosaic: match args.demosaic {
            Demosaic::Rcd => DemosaicMethod::Rcd,
            Demosaic::Mhc => DemosaicMethod::MalvarHeCutler,
            Demosaic::Bilinear => DemosaicMethod::Bilinear,
        },
        exposure_stops: args.exposure,
        white_balance: white_balance(&args.white_balance)?,
        apply_baseline_exposure: !args.no_baseline_exposure,
        ..DevelopOptions::default()
    };
    options.validate()?;
    let compression = match args.compression {
        Compression::None => ExrCompression::None,
        Compression::Piz => ExrCompression::Piz,
        Compression::Zip => ExrCompression::Zip,
        Compression::Zips => ExrCompression::Zips,
    };
    anyhow::ensure!(
        !args.aces_container || compression == ExrCompression::None,
        "--aces-container writes SMPTE ST 2065-4 files, which are uncompressed: add --compression none"
    );
    let frames = frames(&args.input)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create", args.out.display()))?;
    let bar = ProgressBar::new(frames.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("develop [{bar:30}] {pos}/{len} frames {msg} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let limits = ImageLimits::default();
    let started = Instant::now();
    let mut pixels = 0u64;
    let mut written = 0usize;
    for frame in &frames {
        let name = frame.display().to_string();
        bar.set_message(
            frame
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
        );
        let size = std::fs::metadata(frame)
            .with_context(|| format!("{name}: cannot read"))?
            .len();
        anyhow::ensure!(
            size <= MAX_FRAME_BYTES,
            "{name}: {size} bytes is larger than a DNG frame may be ({MAX_FRAME_BYTES})"
        );
        let bytes = std::fs::read(frame).with_context(|| format!("{name}: cannot read"))?;
        let developed = develop_dng(&bytes, &name, &options, &limits)
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        pixels += (developed.image.width() * developed.image.height()) as u64;
        let exr = plate_exr(
            &developed,
            clip_name(&args.input, frame).as_deref(),
            compression,
            args.aces_container,
        )?;
        let stem = frame
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "frame".into());
        let dest = args.out.join(format!("{stem}.exr"));
        write_plate(&dest, &exr, args.overwrite)?;
        written += 1;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    println!(
        "developed {written} frames into {} ({} demosaic, {:?} EXR): {:.2} frames/s, {:.1} MP/s",
        args.out.display(),
        options.demosaic.name(),
        compression,
        written as f64 / seconds,
        pixels as f64 / 1e6 / seconds
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes one plate: create-only unless `overwrite`, through a temporary file so a plate is
/// never seen half written.
fn write_plate(dest: &Path, bytes: &[u8], overwrite: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        overwrite || !dest.exists(),
        "{}: already exists (pass --overwrite to replace it)",
        dest.display()
    );
    let tmp = dest.with_extension("exr.partial");
    std::fs::write(&tmp, bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, dest).with_context(|| format!("{}: cannot write", dest.display()))?;
    Ok(())
}
