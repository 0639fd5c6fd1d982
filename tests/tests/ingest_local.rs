//! The ingest pipeline end to end on the embedded local default: sample card in, verified library
//! copy, catalog, reports and a new MHL generation out; plus every class of bad card we handle.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rushes_cli::commands::ingest::{IngestReport, ingest};
use rushes_cli::commands::sample_card::write_card;
use rushes_cli::local::Library;
use rushes_common::records::{FileRecord, FileStatus, RollRecord, from_item, roll_pk};
use rushes_engine::sample::CardSpec;

fn card(dir: &Path) -> Vec<PathBuf> {
    let plan = write_card(dir, &CardSpec::default(), false).unwrap();
    plan.roll_names().into_iter().map(|r| dir.join(r)).collect()
}

/// Every file under `dir` with its bytes (to prove nothing was altered or lost).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for entry in walkdir(dir) {
        out.insert(entry.clone(), std::fs::read(&entry).unwrap());
    }
    out
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn run(rolls: &[PathBuf], library: &Path) -> IngestReport {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(ingest(rolls, library, false)).unwrap()
}

fn catalog_clips(library: &Path, roll: &str) -> Vec<serde_json::Value> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let lib = Library::open(library).unwrap();
    rt.block_on(lib.ports().catalog.query(&roll_pk(roll), "CLIP#"))
        .unwrap()
        .into_iter()
        .map(|i| i.body)
        .collect()
}

fn catalog_files(library: &Path, roll: &str) -> Vec<FileRecord> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let lib = Library::open(library).unwrap();
    rt.block_on(lib.ports().catalog.query(&roll_pk(roll), "FILE#"))
        .unwrap()
        .iter()
        .map(|i| from_item(i).unwrap())
        .collect()
}

fn catalog_roll(library: &Path, roll: &str) -> RollRecord {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let lib = Library::open(library).unwrap();
    let item = rt
        .block_on(lib.ports().catalog.get(&roll_pk(roll), "ROLL"))
        .unwrap()
        .expect("roll record");
    from_item(&item).unwrap()
}

fn media_files(roll_dir: &Path) -> Vec<PathBuf> {
    walkdir(roll_dir)
        .into_iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "ascmhl"))
        .collect()
}

#[test]
fn sample_card_ingests_verified_with_catalog_reports_and_a_new_generation() {
    let tmp = tempfile::tempdir().unwrap();
    let rolls = card(&tmp.path().join("card"));
    assert!(rolls.len() >= 3, "two camera rolls and a sound roll");
    let library = tmp.path().join("library");
    let before = snapshot(&tmp.path().join("card"));
    let report = run(&rolls, &library);
    for (roll_dir, outcome) in rolls.iter().zip(&report.rolls) {
        assert_eq!(outcome.status, "verified", "{outcome:?}");
        assert!(outcome.source_mismatches.is_empty() && outcome.missing.is_empty());
        let roll = &outcome.roll;
        let media = media_files(roll_dir);
        let files = catalog_files(&library, roll);
        assert_eq!(files.len(), media.len(), "catalog has every file of {roll}");
        assert!(files.iter().all(|f| f.status == FileStatus::Verified));
        assert!(files.iter().all(|f| {
            f.hashes
                .contains_key(&rushes_engine::hash::HashFormat::Xxh64)
        }));
        let record = catalog_roll(&library, roll);
        assert_eq!(record.status, "verified");
        assert_eq!(record.counts.verified, media.len() as u64);
        // The inspect step ran after custody: clips in the catalog and in the run's documents.
        let clips = catalog_clips(&library, roll);
        assert!(!clips.is_empty(), "no CLIP# items for {roll}");
        assert!(
            clips.iter().all(|c| c["roll"] == roll.as_str()),
            "{clips:?}"
        );
        let execution = outcome.execution.clone().unwrap();
        let clips_doc = library
            .join("runs")
            .join(roll)
            .join(&execution)
            .join("clips.json");
        assert!(clips_doc.is_file(), "{clips_doc:?}");
        let generation = record.generation.clone().unwrap();
        assert!(
            generation.starts_with(&format!("rolls/{roll}/ascmhl/0002_{roll}_")),
            "{generation}"
        );
        assert!(library.join(&generation).is_file());
        let report_key = record.report.clone().unwrap();
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(library.join(&report_key)).unwrap()).unwrap();
        assert_eq!(report["status"], "verified");
        assert_eq!(report["files"].as_array().unwrap().len(), media.len());
        // The library copy is byte-identical to the card.
        for file in &media {
            let rel = file.strip_prefix(roll_dir).unwrap();
            let copy = library.join("rolls").join(roll).join(rel);
            assert_eq!(std::fs::read(file).unwrap(), std::fs::read(copy).unwrap());
        }
        // The reference tool accepts the history with our generation appended.
        if let Some(ascmhl) = rushes_tests::ref_tool("ascmhl-debug") {
            let status = std::process::Command::new(ascmhl)
                .arg("verify")
                .arg(library.join("rolls").join(roll))
                .output()
                .unwrap();
            assert!(
                status.status.success(),
                "ascmhl-debug verify {roll}: {status:?}"
            );
        } else {
            rushes_tests::skip("ingest_local", "ascmhl-debug is not installed");
        }
    }
    // The card itself is untouched.
    assert_eq!(before, snapshot(&tmp.path().join("card")));
}

#[test]
fn re_ingest_is_idempotent_and_records_another_verification() {
    let tmp = tempfile::tempdir().unwrap();
    let rolls = card(&tmp.path().join("card"));
    let library = tmp.path().join("library");
    let first = run(&rolls[..1], &library);
    assert_eq!(first.rolls[0].status, "verified");
    let media_before: BTreeMap<_, _> = snapshot(&library.join("rolls"))
        .into_iter()
        .filter(|(p, _)| !p.components().any(|c| c.as_os_str() == "ascmhl"))
        .collect();
    let second = run(&rolls[..1], &library);
    let outcome = &second.rolls[0];
    assert_eq!(outcome.status, "verified", "{outcome:?}");
    assert_eq!(outcome.copied, 0);
    assert!(outcome.already_present > 0);
    let record = catalog_roll(&library, &outcome.roll);
    assert!(record.generation.unwrap().contains("/ascmhl/0003_"));
    let media_after: BTreeMap<_, _> = snapshot(&library.join("rolls"))
        .into_iter()
        .filter(|(p, _)| !p.components().any(|c| c.as_os_str() == "ascmhl"))
        .collect();
    assert_eq!(media_before, media_after);
}

#[test]
fn a_corrupted_file_fails_verification_and_is_recorded_without_losing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let rolls = card(&tmp.path().join("card"));
    let roll_dir = &rolls[0];
    let victim = media_files(roll_dir)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "dng"))
        .unwrap();
    let mut bytes = std::fs::read(&victim).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&victim, &bytes).unwrap();
    let library = tmp.path().join("library");
    let report = run(&rolls[..1], &library);
    let outcome = &report.rolls[0];
    assert_eq!(outcome.status, "failed", "{outcome:?}");
    let rel = victim
        .strip_prefix(roll_dir)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(outcome.source_mismatches, vec![rel.clone()]);
    let files = catalog_files(&library, &outcome.roll);
    let failed: Vec<_> = files
        .iter()
        .filter(|f| f.status == FileStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].path, rel);
    assert!(
        !failed[0].expected.is_empty(),
        "the expected hash is recorded beside the actual one"
    );
    let record = catalog_roll(&library, &outcome.roll);
    assert_eq!(record.status, "failed");
    assert_eq!(record.counts.failed, 1);
    let report_doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(library.join(record.report.unwrap())).unwrap())
            .unwrap();
    assert_eq!(report_doc["status"], "failed");
    // The altered file is kept (it may be the only copy), byte for byte as it arrived.
    let stored = library.join("rolls").join(&outcome.roll).join(&rel);
    assert_eq!(std::fs::read(stored).unwrap(), bytes);
    // The generation records the failure; the reference tool sees the same altered content.
    let generation = std::fs::read_to_string(library.join(record.generation.unwrap())).unwrap();
    assert!(generation.contains("action=\"failed\""));
}

#[test]
fn bad_rolls_get_clear_errors_and_leave_the_library_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let rolls = card(&tmp.path().join("card"));
    let library = tmp.path().join("library");
    // A good roll first, so there is something to protect.
    assert_eq!(run(&rolls[..1], &library).rolls[0].status, "verified");
    let protected = snapshot(&library.join("rolls"));

    // 1. A roll without ascmhl/.
    let bare = tmp.path().join("bare").join("C001");
    std::fs::create_dir_all(&bare).unwrap();
    std::fs::write(bare.join("clip.mov"), b"not really a movie").unwrap();
    // 2. A truncated manifest.
    let truncated = copy_roll(&rolls[1], &tmp.path().join("truncated"));
    let manifest = only_manifest(&truncated);
    let text = std::fs::read(&manifest).unwrap();
    std::fs::write(&manifest, &text[..text.len() / 2]).unwrap();
    // 3. Malformed XML.
    let malformed = copy_roll(&rolls[1], &tmp.path().join("malformed"));
    std::fs::write(
        only_manifest(&malformed),
        b"<hashlist version=\"2.0\"><hashes><hash>",
    )
    .unwrap();
    // 4. A manifest entry escaping the roll.
    let hostile = copy_roll(&rolls[1], &tmp.path().join("hostile"));
    let manifest = only_manifest(&hostile);
    let text = std::fs::read_to_string(&manifest).unwrap();
    let escaped = replace_first_path(&text, "../../etc/passwd");
    std::fs::write(&manifest, &escaped).unwrap();
    // Keep the chain consistent so the path check itself is what refuses the manifest.
    let chain = manifest.with_file_name("ascmhl_chain.xml");
    let c4 = |t: &str| {
        rushes_engine::hash::hash_bytes(rushes_engine::hash::HashFormat::C4, t.as_bytes())
    };
    let chain_text = std::fs::read_to_string(&chain).unwrap();
    std::fs::write(&chain, chain_text.replace(&c4(&text), &c4(&escaped))).unwrap();
    // 4b. A manifest edited without updating the chain.
    let edited = copy_roll(&rolls[1], &tmp.path().join("edited"));
    let manifest = only_manifest(&edited);
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replacen("<hostname>", "<hostname>x", 1)).unwrap();
    // 5. A hostile roll folder name.
    let odd = tmp.path().join("odd").join("bad name!");
    std::fs::create_dir_all(odd.join("ascmhl")).unwrap();

    let cases: Vec<(PathBuf, &str)> = vec![
        (bare.clone(), "no ASC MHL history"),
        (truncated.clone(), ".mhl"),
        (malformed.clone(), ".mhl"),
        (hostile.clone(), "../../etc/passwd"),
        (edited.clone(), "manifest was modified"),
        (odd.clone(), "roll folder name"),
    ];
    for (roll, needle) in cases {
        let report = run(std::slice::from_ref(&roll), &library);
        let outcome = &report.rolls[0];
        assert_eq!(outcome.status, "error", "{}: {outcome:?}", roll.display());
        let error = outcome.error.clone().unwrap();
        assert!(
            error.contains(needle),
            "{}: error `{error}` should mention `{needle}`",
            roll.display()
        );
        assert_eq!(
            protected,
            snapshot(&library.join("rolls")),
            "{}: library altered",
            roll.display()
        );
    }
}

#[test]
fn a_different_card_under_an_existing_roll_name_is_refused_without_overwriting() {
    let tmp = tempfile::tempdir().unwrap();
    let rolls = card(&tmp.path().join("card"));
    let library = tmp.path().join("library");
    assert_eq!(run(&rolls[..1], &library).rolls[0].status, "verified");
    let protected = snapshot(&library.join("rolls"));
    // Another card that happens to use the same roll name, with its own consistent history.
    let other = tempfile::tempdir().unwrap();
    let other_rolls = {
        let spec = CardSpec::new(99, 1);
        let plan = write_card(&other.path().join("card"), &spec, false).unwrap();
        plan.roll_names()
            .into_iter()
            .map(|r| other.path().join("card").join(r))
            .collect::<Vec<_>>()
    };
    let report = run(&other_rolls[..1], &library);
    let outcome = &report.rolls[0];
    assert_eq!(outcome.status, "error", "{outcome:?}");
    assert!(
        outcome
            .error
            .as_deref()
            .unwrap()
            .contains("already holds a different")
    );
    assert_eq!(protected, snapshot(&library.join("rolls")));
}

fn copy_roll(roll: &Path, parent: &Path) -> PathBuf {
    let dest = parent.join(roll.file_name().unwrap());
    for file in walkdir(roll) {
        let rel = file.strip_prefix(roll).unwrap();
        let target = dest.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, &target).unwrap();
    }
    dest
}

fn only_manifest(roll: &Path) -> PathBuf {
    walkdir(&roll.join("ascmhl"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "mhl"))
        .unwrap()
}

/// Replaces the text of the first `<path ...>` element.
fn replace_first_path(text: &str, new_path: &str) -> String {
    let start = text.find("<path").unwrap();
    let open_end = start + text[start..].find('>').unwrap() + 1;
    let close = open_end + text[open_end..].find("</path>").unwrap();
    format!("{}{}{}", &text[..open_end], new_path, &text[close..])
}

/// Writes `files` small files per clip folder into `dir`, then the on-set MHL with xxh64.
fn many_file_roll(dir: &Path, clips: usize, files: usize) {
    for clip in 0..clips {
        let folder = dir.join(format!("C001C{clip:03}"));
        std::fs::create_dir_all(&folder).unwrap();
        for frame in 0..files {
            let name = format!("C001C{clip:03}_{frame:07}.dng");
            std::fs::write(folder.join(name), format!("clip {clip} frame {frame}")).unwrap();
        }
    }
    rushes_cli::commands::mhl::create_generation(dir, &[rushes_engine::hash::HashFormat::Xxh64])
        .unwrap();
}

fn ascmhl_verifies(test: &str, root: &Path) {
    if let Some(ascmhl) = rushes_tests::ref_tool("ascmhl-debug") {
        let out = std::process::Command::new(ascmhl)
            .arg("verify")
            .arg(root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ascmhl-debug verify {root:?}: {out:?}"
        );
    } else {
        rushes_tests::skip(test, "ascmhl-debug is not installed");
    }
}

#[test]
fn a_roll_of_thousands_of_files_stays_within_the_step_functions_limits() {
    // 4,000 files: their per-file plan alone would be about 1 MB, four times the 256 KiB payload
    // Step Functions allows; the local runner enforces that limit and the 25,000-event history.
    let tmp = tempfile::tempdir().unwrap();
    let roll = tmp.path().join("card").join("C001");
    many_file_roll(&roll, 4, 1000);
    let library = tmp.path().join("library");
    let report = run(std::slice::from_ref(&roll), &library);
    let outcome = &report.rolls[0];
    assert_eq!(outcome.status, "verified", "{:?}", outcome.error);
    let counts = &outcome.custody.as_ref().unwrap()["counts"];
    assert_eq!(counts["verified"], 4000, "{counts}");
    assert_eq!(catalog_files(&library, "C001").len(), 4000);
    ascmhl_verifies(
        "a_roll_of_thousands_of_files_stays_within_the_step_functions_limits",
        &library.join("rolls").join("C001"),
    );
}

#[test]
fn a_roll_with_a_nested_history_gets_nested_generations() {
    // A clip folder offloaded separately on set carries its own history, referenced by the roll's.
    let tmp = tempfile::tempdir().unwrap();
    let roll = tmp.path().join("card").join("C001");
    many_file_roll(&roll, 2, 3);
    let nested = roll.join("C001C000");
    rushes_cli::commands::mhl::create_generation(
        &nested,
        &[rushes_engine::hash::HashFormat::Xxh64],
    )
    .unwrap();
    rushes_cli::commands::mhl::create_generation(&roll, &[rushes_engine::hash::HashFormat::Xxh64])
        .unwrap();
    let library = tmp.path().join("library");
    let report = run(std::slice::from_ref(&roll), &library);
    let outcome = &report.rolls[0];
    assert_eq!(outcome.status, "verified", "{:?}", outcome.error);
    let copy = library.join("rolls").join("C001");
    // On set: the roll's generation 1, then the clip folder's own generation 1, then the roll's
    // generation 2 (which also wrote the clip's generation 2 and references it). The library
    // verification is recorded in both: the roll's generation 3 references the clip's 3.
    let names = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir.join("ascmhl"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".mhl"))
            .collect();
        v.sort();
        v
    };
    let roll_generations = names(&copy);
    let nested_generations = names(&copy.join("C001C000"));
    assert_eq!(roll_generations.len(), 3, "{roll_generations:?}");
    assert_eq!(nested_generations.len(), 3, "{nested_generations:?}");
    let latest_roll =
        std::fs::read_to_string(copy.join("ascmhl").join(&roll_generations[2])).unwrap();
    assert!(
        latest_roll.contains(nested_generations[2].as_str()),
        "the roll's new generation must reference the nested one"
    );
    let latest_nested =
        std::fs::read_to_string(copy.join("C001C000/ascmhl").join(&nested_generations[2])).unwrap();
    assert!(
        latest_nested.contains("action=\"verified\""),
        "{latest_nested}"
    );
    ascmhl_verifies(
        "a_roll_with_a_nested_history_gets_nested_generations",
        &copy,
    );
}
