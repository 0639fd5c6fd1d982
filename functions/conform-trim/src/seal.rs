//! `seal`: checks that the copy results cover the plan exactly, appends the package's ASC MHL
//! generation (every file with its xxh64, folder hashes as ascmhl computes them) and writes the
//! pull report.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rushes_common::runs::read_json;
use rushes_common::store_fs::StoreSnapshot;
use rushes_common::{Error, ObjectKey, ObjectStore, Ports, PutMode, Result};
use rushes_engine::hash::{Digests, HashFormat};
use rushes_engine::mhl::create::{CommitOptions, commit_generations};
use rushes_engine::mhl::fs::{MhlFs, RelPath};
use rushes_engine::mhl::generation::{GenerationBuilder, mhl_date};
use rushes_engine::mhl::history::History;
use rushes_engine::mhl::{Action, CreatorInfo, HashValue, Tool};
use serde::{Deserialize, Serialize};

use crate::docs::{CopiedFile, EventPlan, PullDocs, TrimPlan};

/// Input of `seal`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealInput {
    /// Package name.
    pub package: String,
    /// Execution that planned and copied the pull.
    pub execution: String,
}

/// Output of `seal`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealOutput {
    /// The package folder.
    pub package: ObjectKey,
    /// The package's newest MHL manifest.
    pub manifest: ObjectKey,
    /// Whether this run wrote it (false: an identical generation was already there).
    pub written: bool,
    /// The pull report.
    pub report: ObjectKey,
    /// Files in the package from this pull.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
    /// Events in the list.
    pub events: usize,
    /// Events served.
    pub matched: usize,
    /// Events not served (ambiguous, missing, not catalogued).
    pub unresolved: usize,
    /// Frames of matched ranges absent from their roll.
    pub missing_frames: usize,
}

/// The pull report stored beside the package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullReport {
    /// Package name.
    pub package: String,
    /// Execution.
    pub execution: String,
    /// The match report it was planned from.
    pub match_report: ObjectKey,
    /// Handles, in source frames.
    pub handles: u64,
    /// The newest manifest of the package's history.
    pub manifest: ObjectKey,
    /// Every event with what it got.
    pub events: Vec<EventPlan>,
    /// Every file of the pull, with its checksums.
    pub files: Vec<CopiedFile>,
}

/// Runs `seal`.
pub async fn seal(ports: &Ports, input: SealInput) -> Result<SealOutput> {
    let docs = PullDocs::new(&input.package, &input.execution)?;
    let store = ports.library.as_ref();
    let plan = docs.read_plan(store).await?;
    let files = collect_results(store, &docs, &plan).await?;
    let (manifest, written) = append_generation(store, &docs, &input.execution, &files).await?;
    let report_key = docs.report(&input.execution)?;
    let matched = plan
        .events
        .iter()
        .filter(|e| e.outcome == "matched")
        .count();
    let skipped = plan
        .events
        .iter()
        .filter(|e| e.outcome == "skipped")
        .count();
    let report = PullReport {
        package: plan.package.clone(),
        execution: input.execution.clone(),
        match_report: plan.report.clone(),
        handles: plan.handles,
        manifest: manifest.clone(),
        events: plan.events.clone(),
        files: files.clone(),
    };
    let json = serde_json::to_vec_pretty(&report)
        .map_err(|e| Error::BadInput(format!("pull report: {e}")))?;
    store.put(&report_key, json, PutMode::Overwrite).await?;
    Ok(SealOutput {
        package: docs.package().clone(),
        manifest,
        written,
        report: report_key,
        files: files.len(),
        bytes: files.iter().map(|f| f.size).sum(),
        events: plan.events.len(),
        matched,
        unresolved: plan.events.len() - matched - skipped,
        missing_frames: plan.events.iter().map(|e| e.missing_frames.len()).sum(),
    })
}

/// Reads every batch's results and checks they are exactly the planned files.
async fn collect_results(
    store: &dyn ObjectStore,
    docs: &PullDocs,
    plan: &TrimPlan,
) -> Result<Vec<CopiedFile>> {
    let mut by_path: BTreeMap<String, CopiedFile> = BTreeMap::new();
    for batch in 0..plan.batches {
        let results: Vec<CopiedFile> = read_json(store, &docs.results(batch)?).await?;
        for r in results {
            by_path.insert(r.package_path.clone(), r);
        }
    }
    let planned: Vec<&str> = plan.files.iter().map(|f| f.package_path.as_str()).collect();
    let got: Vec<&str> = by_path.keys().map(String::as_str).collect();
    if planned.len() != got.len() || planned.iter().zip(&got).any(|(a, b)| a != b) {
        let absent: Vec<&&str> = planned
            .iter()
            .filter(|p| !by_path.contains_key(**p))
            .collect();
        return Err(Error::BadInput(format!(
            "pull {}: the copy results do not cover the plan ({} planned, {} copied; not copied: {:?})",
            plan.package,
            planned.len(),
            got.len(),
            absent.iter().take(10).collect::<Vec<_>>()
        )));
    }
    Ok(by_path.into_values().collect())
}

/// Appends a generation recording `files` to the package's history, unless its newest
/// generation already records exactly these files with these hashes. Returns the newest
/// manifest's key and whether it was written now.
async fn append_generation(
    store: &dyn ObjectStore,
    docs: &PullDocs,
    execution: &str,
    files: &[CopiedFile],
) -> Result<(ObjectKey, bool)> {
    let snapshot = StoreSnapshot::load(store, docs.package(), docs.name()).await?;
    let history = History::load(&snapshot)?;
    let xxh64 = HashFormat::Xxh64.name();
    if let Some(latest) = history.generations.last() {
        let recorded: BTreeMap<String, String> = latest
            .manifest
            .files()
            .filter_map(|f| {
                let v = f.hashes.iter().find(|h| h.format == HashFormat::Xxh64)?;
                Some((f.path.to_string(), v.value.clone()))
            })
            .collect();
        let wanted: BTreeMap<String, String> = files
            .iter()
            .filter_map(|f| Some((f.package_path.clone(), f.checksums.get(xxh64)?.clone())))
            .collect();
        if recorded == wanted {
            let key = docs
                .package()
                .join(&format!("ascmhl/{}", latest.file_name))?;
            return Ok((key, false));
        }
    }
    let date: DateTime<Utc> = Utc::now();
    let hash_date = mhl_date(date);
    let mut builder = GenerationBuilder::new(&[HashFormat::Xxh64]);
    for f in files {
        let path = RelPath::parse("pull results", &f.package_path)?;
        let value = f.checksums.get(xxh64).cloned().ok_or_else(|| {
            Error::BadInput(format!("pull results: no xxh64 for `{}`", f.package_path))
        })?;
        let action = match history.first_entry_for_format(&path, HashFormat::Xxh64) {
            None => Action::Original,
            Some(e) if e.value.eq_ignore_ascii_case(&value) => Action::Verified,
            Some(_) => Action::Failed,
        };
        let modified = snapshot.stat(&path)?.and_then(|e| e.modified);
        builder.add_file_values(
            path,
            f.size,
            modified.map(mhl_date),
            vec![HashValue {
                format: HashFormat::Xxh64,
                value: value.clone(),
                action: Some(action),
                hash_date: Some(hash_date),
            }],
            Digests(BTreeMap::from([(HashFormat::Xxh64, value)])),
        )?;
    }
    let creator = CreatorInfo {
        creation_date: hash_date,
        hostname: "rushes".into(),
        tool: Tool {
            name: "rushes".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        authors: Vec::new(),
        location: Some(format!("{}/{}", store.describe(), docs.package())),
        comment: Some(format!("conform pull, execution {execution}")),
    };
    let written = commit_generations(
        &snapshot,
        &history,
        BTreeMap::from([(RelPath::root(), builder)]),
        &BTreeMap::new(),
        &CommitOptions {
            formats: &[HashFormat::Xxh64],
            creator: &creator,
            extra_ignores: &[],
            date,
            directory_hashes: true,
        },
    )?;
    snapshot.flush(store, docs.package()).await?;
    let root = written
        .last()
        .ok_or_else(|| Error::BadInput("pull: no generation was written".into()))?;
    Ok((docs.package().join(root.path.as_str())?, true))
}
