//! Side-by-side benchmark of `rushes mhl create` and `ascmhl create` (xxh64) on one sample card folder, plus `rushes ingest` against a plain copy.
//!
//! The card (about `RUSHES_BENCH_BYTES`, default 1 GiB under `cargo bench`, 16 MiB when the bench
//! binary runs as a test) is written once per process into a temporary folder with the project's
//! own sample-card generator: CinemaDNG frames and Broadcast WAV files, several cards side by side
//! when one card at the largest scale is not enough. Every file is read once before the first
//! measurement so all benches read from the page cache: they compare CPU cost, not the disk.
//!
//! See `docs/benchmarks.md` for how to run it and the figures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use divan::Bencher;
use divan::counter::BytesCount;
use rushes_cli::commands::{ingest, mhl, sample_card};
use rushes_engine::hash::{HashFormat, hash_reader};
use rushes_engine::sample::{CardPlan, CardSpec, MAX_SCALE};

fn main() {
    // Build the card before divan starts printing its table (not for a mere listing).
    if !std::env::args().any(|a| a == "--list") {
        fixture();
    }
    divan::main();
    // A static is never dropped: remove the card folder ourselves.
    if let Some(fx) = FIXTURE.get() {
        let _ = fs::remove_dir_all(fx._tmp.path());
    }
}

/// Card size when the bench binary runs as a quick test (no `--bench` flag).
const TEST_BYTES: u64 = 16 << 20;
/// Card size under `cargo bench` unless `RUSHES_BENCH_BYTES` says otherwise.
const BENCH_BYTES: u64 = 1 << 30;

/// The generated card and its derived folders, shared by every bench of the process.
struct Fixture {
    /// The temporary folder (removed at the end of `main`).
    _tmp: tempfile::TempDir,
    /// Scratch space for libraries and copies.
    work: PathBuf,
    /// Root of the media (no history): what `mhl create` hashes.
    card: PathBuf,
    /// Media files relative to `card`.
    files: Vec<PathBuf>,
    /// Total media bytes.
    bytes: u64,
    /// Roll folders for ingest: hard links to the same media plus an on-set rushes history each.
    rolls: Vec<PathBuf>,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(build_fixture)
}

/// The wanted card size: `RUSHES_BENCH_BYTES` (a byte count, optionally with a K, M or G binary
/// suffix), else 1 GiB under `cargo bench` and 16 MiB as a test.
fn target_bytes() -> u64 {
    if let Ok(text) = std::env::var("RUSHES_BENCH_BYTES") {
        return parse_size(&text).unwrap_or_else(|| {
            panic!("RUSHES_BENCH_BYTES={text:?} is not a size like 1073741824, 512M or 1G")
        });
    }
    if std::env::args().any(|a| a == "--bench") {
        BENCH_BYTES
    } else {
        TEST_BYTES
    }
}

fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, shift) = match t.char_indices().last()? {
        (i, 'k' | 'K') => (&t[..i], 10),
        (i, 'm' | 'M') => (&t[..i], 20),
        (i, 'g' | 'G') => (&t[..i], 30),
        _ => (t, 0),
    };
    let n: u64 = digits.trim().parse().ok()?;
    n.checked_mul(1u64 << shift).filter(|&n| n > 0)
}

fn card_bytes(seed: u64, scale: u32) -> u64 {
    let plan = CardPlan::new(&CardSpec::new(seed, scale)).unwrap();
    plan.files().unwrap().iter().map(|f| f.size).sum()
}

/// The largest card scale to use: `RUSHES_BENCH_SCALE` (1 to `MAX_SCALE`), else `MAX_SCALE`.
/// Small scales give many small frames (per-file costs), large ones few big frames.
fn max_scale() -> u32 {
    match std::env::var("RUSHES_BENCH_SCALE") {
        Ok(text) => text
            .trim()
            .parse()
            .ok()
            .filter(|s| (1..=MAX_SCALE).contains(s))
            .unwrap_or_else(|| {
                panic!("RUSHES_BENCH_SCALE={text:?} is not a scale from 1 to {MAX_SCALE}")
            }),
        Err(_) => MAX_SCALE,
    }
}

/// Cards (seed, scale) whose sizes add up to about `target`: the largest scale that still fits,
/// again and again, until less than the smallest card is left (at least one card).
fn plan_cards(target: u64) -> Vec<(u64, u32)> {
    let sizes: Vec<(u32, u64)> = (1..=max_scale()).map(|s| (s, card_bytes(1, s))).collect();
    let mut cards = Vec::new();
    let mut total = 0u64;
    loop {
        let remaining = target.saturating_sub(total);
        match sizes.iter().rev().find(|(_, b)| *b <= remaining) {
            Some(&(scale, bytes)) => {
                cards.push((cards.len() as u64 + 1, scale));
                total += bytes;
            }
            None => {
                if cards.is_empty() {
                    cards.push((1, 1));
                }
                return cards;
            }
        }
    }
}

fn build_fixture() -> Fixture {
    let target = target_bytes();
    let tmp = tempfile::Builder::new()
        .prefix("rushes-bench-")
        .tempdir()
        .unwrap();
    let card = tmp.path().join("card");
    let ingest_root = tmp.path().join("rolls");
    let work = tmp.path().join("work");
    fs::create_dir_all(&ingest_root).unwrap();
    fs::create_dir_all(&work).unwrap();

    let cards = plan_cards(target);
    let mut rolls = Vec::new();
    for (i, &(seed, scale)) in cards.iter().enumerate() {
        let dir = card.join(format!("card{:02}", i + 1));
        let plan = sample_card::write_media(&dir, &CardSpec::new(seed, scale), false).unwrap();
        for roll in plan.roll_names() {
            // Roll names must be unique in a library: A001 of card 2 becomes A001-02.
            let dest = ingest_root.join(format!("{roll}-{:02}", i + 1));
            link_tree(&dir.join(roll), &dest);
            mhl::create_generation(&dest, &[HashFormat::Xxh64]).unwrap();
            rolls.push(dest);
        }
    }

    let mut files = Vec::new();
    let mut bytes = 0u64;
    for entry in walkdir::WalkDir::new(&card).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            bytes += entry.metadata().unwrap().len();
            files.push(entry.path().strip_prefix(&card).unwrap().to_path_buf());
        }
    }
    eprintln!(
        "bench card: {} ({} files, {:.1} MB in {} card(s) at scale {}), {} rolls for ingest",
        card.display(),
        files.len(),
        bytes as f64 / 1e6,
        cards.len(),
        cards
            .iter()
            .map(|c| c.1.to_string())
            .collect::<Vec<_>>()
            .join("+"),
        rolls.len()
    );
    let fx = Fixture {
        _tmp: tmp,
        work,
        card,
        files,
        bytes,
        rolls,
    };
    warm(&fx);
    fx
}

/// Mirrors `src` into `dest` with hard links (a copy where the file system has none).
fn link_tree(src: &Path, dest: &Path) {
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.unwrap();
        let to = dest.join(entry.path().strip_prefix(src).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&to).unwrap();
        } else if fs::hard_link(entry.path(), &to).is_err() {
            fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// Reads every media file once so the page cache holds the card.
fn warm(fx: &Fixture) {
    let mut buf = vec![0u8; 1 << 20];
    for rel in &fx.files {
        let mut f = fs::File::open(fx.card.join(rel)).unwrap();
        while f.read(&mut buf).unwrap() > 0 {}
    }
}

/// Removes the `ascmhl/` history a previous iteration left at the card root.
fn remove_history(card: &Path) {
    let history = card.join("ascmhl");
    if history.exists() {
        fs::remove_dir_all(&history).unwrap();
    }
}

/// `work/<name>`, removed if an earlier iteration left it (not created).
fn fresh_dir(work: &Path, name: &str) -> PathBuf {
    let dir = work.join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap();
    }
    dir
}

/// The reference `ascmhl`: `$RUSHES_REF_VENV/bin/ascmhl`, else the workspace's `.venv`.
fn ascmhl_path() -> Result<PathBuf, String> {
    let venv = match std::env::var_os("RUSHES_REF_VENV") {
        Some(v) => PathBuf::from(v),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv"),
    };
    let exe = venv.join("bin").join("ascmhl");
    if exe.is_file() {
        Ok(exe)
    } else {
        Err(format!(
            "{} not found (set RUSHES_REF_VENV to the reference venv)",
            exe.display()
        ))
    }
}

/// The in-process library call behind `rushes mhl create -h xxh64 <card>`.
#[divan::bench(sample_count = 3, sample_size = 1, max_time = 600)]
fn rushes_mhl_create(bencher: Bencher) {
    let fx = fixture();
    warm(fx);
    bencher
        .counter(BytesCount::new(fx.bytes))
        .with_inputs(|| remove_history(&fx.card))
        .bench_local_values(|()| mhl::create_generation(&fx.card, &[HashFormat::Xxh64]).unwrap());
    remove_history(&fx.card);
}

/// The `rushes` binary as a subprocess, exactly like `ascmhl_create` (process start included).
#[divan::bench(sample_count = 3, sample_size = 1, max_time = 600)]
fn rushes_mhl_create_process(bencher: Bencher) {
    let fx = fixture();
    warm(fx);
    let exe = env!("CARGO_BIN_EXE_rushes");
    bencher
        .counter(BytesCount::new(fx.bytes))
        .with_inputs(|| remove_history(&fx.card))
        .bench_local_values(|()| {
            let status = Command::new(exe)
                .args(["mhl", "create", "-h", "xxh64"])
                .arg(&fx.card)
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "rushes mhl create failed: {status}");
        });
    remove_history(&fx.card);
}

/// The reference: `ascmhl create -h xxh64 <card>` from the reference venv.
#[divan::bench(sample_count = 3, sample_size = 1, max_time = 600)]
fn ascmhl_create(bencher: Bencher) {
    let exe = match ascmhl_path() {
        Ok(exe) => exe,
        Err(reason) => {
            eprintln!("ascmhl_create skipped: {reason}");
            return;
        }
    };
    let fx = fixture();
    warm(fx);
    bencher
        .counter(BytesCount::new(fx.bytes))
        .with_inputs(|| remove_history(&fx.card))
        .bench_local_values(|()| {
            let status = Command::new(&exe)
                .args(["create", "-h", "xxh64"])
                .arg(&fx.card)
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "ascmhl create failed: {status}");
        });
    remove_history(&fx.card);
}

/// The floor of any single-threaded create: open, read and xxh64 every file, nothing else.
#[divan::bench(sample_count = 3, sample_size = 1, max_time = 600)]
fn xxh64_read_1_thread(bencher: Bencher) {
    let fx = fixture();
    warm(fx);
    bencher
        .counter(BytesCount::new(fx.bytes))
        .bench_local(|| hash_files(fx, &AtomicUsize::new(0)));
}

/// The same read and hash shared out over 2 threads (what a parallel create could reach here).
#[divan::bench(sample_count = 3, sample_size = 1, max_time = 600)]
fn xxh64_read_2_threads(bencher: Bencher) {
    let fx = fixture();
    warm(fx);
    bencher.counter(BytesCount::new(fx.bytes)).bench_local(|| {
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            let a = s.spawn(|| hash_files(fx, &next));
            let b = hash_files(fx, &next);
            a.join().unwrap() + b
        })
    });
}

/// Hashes files (xxh64) taken from the shared index until none is left; returns the bytes.
fn hash_files(fx: &Fixture, next: &AtomicUsize) -> u64 {
    let mut total = 0;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(rel) = fx.files.get(i) else {
            return total;
        };
        let f = fs::File::open(fx.card.join(rel)).unwrap();
        let (digests, n) = hash_reader(f, &[HashFormat::Xxh64], |_| {}).unwrap();
        assert!(digests.get(HashFormat::Xxh64).is_some());
        total += n;
    }
}

/// `rushes ingest` of every roll (same media, with its on-set history) into a fresh library.
#[divan::bench(sample_count = 3, sample_size = 1, max_time = 600)]
fn ingest_local(bencher: Bencher) {
    let fx = fixture();
    warm(fx);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    bencher
        .counter(BytesCount::new(fx.bytes))
        .with_inputs(|| fresh_dir(&fx.work, "library"))
        .bench_local_values(|library| {
            let report = runtime
                .block_on(ingest::ingest(&fx.rolls, &library, false))
                .unwrap();
            for roll in &report.rolls {
                assert_eq!(roll.status, "verified", "{roll:?}");
            }
            library
        });
    fresh_dir(&fx.work, "library");
}

/// Baseline for ingest: `std::fs::copy` of the same media files into a fresh folder.
#[divan::bench(sample_count = 3, sample_size = 1, max_time = 600)]
fn copy(bencher: Bencher) {
    copy_files(bencher, false);
}

/// The durable baseline: the same copy with every file flushed to disk (`sync_all`) before the
/// next, as the library store does before it publishes a file.
#[divan::bench(sample_count = 3, sample_size = 1, max_time = 600)]
fn copy_fsync(bencher: Bencher) {
    copy_files(bencher, true);
}

fn copy_files(bencher: Bencher, sync: bool) {
    let fx = fixture();
    warm(fx);
    bencher
        .counter(BytesCount::new(fx.bytes))
        .with_inputs(|| fresh_dir(&fx.work, "copy"))
        .bench_local_values(|dest| {
            let mut total = 0;
            for rel in &fx.files {
                let to = dest.join(rel);
                if let Some(parent) = to.parent() {
                    fs::create_dir_all(parent).unwrap();
                }
                total += fs::copy(fx.card.join(rel), &to).unwrap();
                if sync {
                    fs::File::open(&to).unwrap().sync_all().unwrap();
                }
            }
            assert_eq!(total, fx.bytes);
            dest
        });
    fresh_dir(&fx.work, "copy");
}
