//! The custody step: records a roll's verification in its chain of custody. It appends a new
//! ASC MHL generation to the library copy's history (verified, failed and new files, with folder
//! hashes), updates the catalog (the roll and every file) and writes the JSON report.
//!
//! Idempotent: when the catalog shows this execution already recorded the roll, the recorded
//! outcome is returned and nothing is written again.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rushes_checksum::{BatchResults, FileResult, Verdict};
use rushes_common::records::{FileRecord, FileStatus, RollCounts, RollRecord, from_item, roll_pk};
use rushes_common::runs::{RunDocs, read_json, validate_name};
use rushes_common::store_fs::StoreSnapshot;
use rushes_common::{Error, ObjectKey, Ports, PutMode, Result};
use rushes_engine::hash::Digests;
use rushes_engine::mhl::create::{CommitOptions, commit_generations};
use rushes_engine::mhl::fs::RelPath;
use rushes_engine::mhl::generation::{GenerationBuilder, mhl_date};
use rushes_engine::mhl::history::History;
use rushes_engine::mhl::model::{Action, CreatorInfo, HashValue, Tool};
use rushes_manifest::Plan;
use serde::{Deserialize, Serialize};

/// Most file paths listed in the step output (the report lists them all).
pub const MAX_LISTED_PROBLEMS: usize = 50;

/// Input: the manifest step's output and the checksum step's outputs (the plan and the per-file
/// results themselves are read from the run's working documents).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// Roll name.
    pub roll: String,
    /// Object-key prefix of the roll.
    pub prefix: ObjectKey,
    /// Name of the state-machine execution (recorded; makes the step idempotent).
    pub execution: String,
    /// When the execution started (ISO 8601); dates the new generation.
    pub started_at: Option<DateTime<Utc>>,
    /// Output of the manifest step.
    pub manifest: rushes_manifest::Output,
    /// Summaries of the checksum step's final outputs, one per batch.
    pub checksums: Vec<rushes_checksum::BatchSummary>,
    /// Host or agent name recorded in the generation (defaults to `rushes`).
    #[serde(default)]
    pub hostname: Option<String>,
}

/// What the step recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// Roll name.
    pub roll: String,
    /// `verified` when every file verified and none is missing, else `failed`.
    pub status: String,
    /// Counts by outcome.
    pub counts: RollCounts,
    /// Key of the new MHL generation.
    pub generation: Option<String>,
    /// Key of the JSON report.
    pub report: String,
    /// Up to [`MAX_LISTED_PROBLEMS`] paths of altered or missing files.
    pub problems: Vec<String>,
}

/// The JSON report written for every verification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Roll name.
    pub roll: String,
    /// Object-key prefix of the roll.
    pub prefix: String,
    /// Execution that verified it.
    pub execution: String,
    /// Overall outcome.
    pub status: String,
    /// Counts by outcome.
    pub counts: RollCounts,
    /// Key of the new MHL generation.
    pub generation: Option<String>,
    /// Every file with its outcome.
    pub files: Vec<FileRecord>,
    /// Files skipped by ignore patterns.
    pub ignored: Vec<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// Key of the report of one execution.
pub fn report_key(roll: &str, execution: &str) -> Result<ObjectKey> {
    ObjectKey::new(format!("reports/{roll}/{execution}.json"))
}

/// Runs the step.
pub async fn handle(ports: Ports, input: Input) -> Result<Output> {
    validate_name("roll", &input.roll)?;
    validate_name("execution", &input.execution)?;
    let report_key = report_key(&input.roll, &input.execution)?;
    if let Some(done) = already_recorded(&ports, &input, &report_key).await? {
        return Ok(done);
    }
    let now = Utc::now();
    let date = input.started_at.unwrap_or(now);
    let (plan, results) = gather(&ports, &input).await?;

    let mut files = Vec::new();
    let mut counts = RollCounts::default();
    let mut problems = Vec::new();
    for result in &results {
        let status = match result.verdict {
            Verdict::Verified => FileStatus::Verified,
            Verdict::Failed => FileStatus::Failed,
            Verdict::New => FileStatus::New,
        };
        match status {
            FileStatus::Verified => counts.verified += 1,
            FileStatus::Failed => {
                counts.failed += 1;
                problems.push(result.path.clone());
            }
            FileStatus::New => counts.new += 1,
            FileStatus::Missing => {}
        }
        counts.bytes += result.size;
        let expected = if status == FileStatus::Failed {
            result.expected.clone()
        } else {
            BTreeMap::new()
        };
        files.push(FileRecord {
            roll: input.roll.clone(),
            path: result.path.clone(),
            key: result.key.to_string(),
            size: result.size,
            hashes: result.hashes.clone(),
            expected,
            status,
            verified_at: now,
        });
    }
    for missing in &plan.missing {
        counts.missing += 1;
        problems.push(missing.path.clone());
        files.push(FileRecord {
            roll: input.roll.clone(),
            path: missing.path.clone(),
            key: input.prefix.join(&missing.path)?.to_string(),
            size: 0,
            hashes: BTreeMap::new(),
            expected: missing.expected.clone(),
            status: FileStatus::Missing,
            verified_at: now,
        });
    }
    let status = if counts.failed == 0 && counts.missing == 0 {
        "verified"
    } else {
        "failed"
    };

    let generation = append_custody_generation(&ports, &input, &plan, &results, date).await?;

    let report = Report {
        roll: input.roll.clone(),
        prefix: input.prefix.to_string(),
        execution: input.execution.clone(),
        status: status.to_string(),
        counts: counts.clone(),
        generation: Some(generation.to_string()),
        files: files.clone(),
        ignored: plan.ignored.clone(),
        recorded_at: now,
    };
    let report_bytes = serde_json::to_vec_pretty(&report)
        .map_err(|e| Error::BadInput(format!("custody: cannot encode the report: {e}")))?;
    ports
        .library
        .put(&report_key, report_bytes, PutMode::Overwrite)
        .await?;

    let roll_record = RollRecord {
        roll: input.roll.clone(),
        prefix: input.prefix.to_string(),
        status: status.to_string(),
        counts: counts.clone(),
        generation: Some(generation.to_string()),
        report: Some(report_key.to_string()),
        execution: input.execution.clone(),
        updated_at: now,
    };
    let mut items = files
        .iter()
        .map(FileRecord::to_item)
        .collect::<Result<Vec<_>>>()?;
    // The roll record goes last: its presence marks the whole recording as complete.
    ports.catalog.put_all(&items).await?;
    items.clear();
    items.push(roll_record.to_item()?);
    ports.catalog.put_all(&items).await?;

    problems.truncate(MAX_LISTED_PROBLEMS);
    Ok(Output {
        roll: input.roll,
        status: status.to_string(),
        counts,
        generation: Some(generation.to_string()),
        report: report_key.to_string(),
        problems,
    })
}

/// Reads the run's plan and every batch's results, checking they belong together: each batch
/// hashed completely, and the results cover exactly the planned files, in order.
async fn gather(ports: &Ports, input: &Input) -> Result<(Plan, Vec<FileResult>)> {
    let store = ports.library.as_ref();
    let docs = RunDocs::new(&input.roll, &input.execution)?;
    let manifest = &input.manifest;
    if manifest.roll != input.roll || manifest.execution != input.execution {
        return Err(Error::BadInput(format!(
            "custody: the manifest output is for roll {} execution {}, not roll {} execution {}",
            manifest.roll, manifest.execution, input.roll, input.execution
        )));
    }
    let plan_key = docs.plan()?;
    if manifest.plan != plan_key {
        return Err(Error::BadInput(format!(
            "custody: the plan of this run is `{plan_key}`, not `{}`",
            manifest.plan
        )));
    }
    let plan: Plan = read_json(store, &plan_key).await?;
    if plan.roll != input.roll || plan.prefix != input.prefix {
        return Err(Error::BadInput(format!(
            "custody: `{}` plans roll {} at `{}`, not roll {} at `{}`",
            manifest.plan, plan.roll, plan.prefix, input.roll, input.prefix
        )));
    }
    let mut results = Vec::with_capacity(plan.files.len());
    for batch in &manifest.batches {
        let finished = input
            .checksums
            .iter()
            .find(|c| c.batch == batch.index)
            .ok_or_else(|| {
                Error::BadInput(format!(
                    "custody: no checksum result for batch {}",
                    batch.index
                ))
            })?;
        let key = docs.results(batch.index)?;
        let stored: BatchResults = read_json(store, &key).await?;
        if !finished.done || !stored.complete || stored.files.len() != batch.files {
            return Err(Error::BadInput(format!(
                "custody: batch {} was not completely hashed ({} of {} files in `{key}`)",
                batch.index,
                stored.files.len(),
                batch.files
            )));
        }
        results.extend(stored.files);
    }
    let planned = plan.files.iter().map(|f| (f.path.as_str(), f.size));
    let hashed = results.iter().map(|r| (r.path.as_str(), r.size));
    if results.len() != plan.files.len() || !planned.eq(hashed) {
        return Err(Error::BadInput(format!(
            "custody: the checksum results ({} files) do not match the plan `{}` ({} files)",
            results.len(),
            manifest.plan,
            plan.files.len()
        )));
    }
    Ok((plan, results))
}

/// The recorded outcome when this execution already completed the step.
async fn already_recorded(
    ports: &Ports,
    input: &Input,
    report_key: &ObjectKey,
) -> Result<Option<Output>> {
    let Some(item) = ports.catalog.get(&roll_pk(&input.roll), "ROLL").await? else {
        return Ok(None);
    };
    let record: RollRecord = from_item(&item)?;
    if record.execution != input.execution {
        return Ok(None);
    }
    let problems = ports
        .catalog
        .query(&roll_pk(&input.roll), "FILE#")
        .await?
        .iter()
        .filter_map(|item| from_item::<FileRecord>(item).ok())
        .filter(|f| matches!(f.status, FileStatus::Failed | FileStatus::Missing))
        .map(|f| f.path)
        .take(MAX_LISTED_PROBLEMS)
        .collect();
    Ok(Some(Output {
        roll: record.roll,
        status: record.status,
        counts: record.counts,
        generation: record.generation,
        report: record.report.unwrap_or_else(|| report_key.to_string()),
        problems,
    }))
}

/// Appends the generation recording this verification to the roll's history in the library:
/// files belonging to a nested history go into a new generation of that history, which its
/// parent seals and references, exactly as `ascmhl create` records nested histories.
async fn append_custody_generation(
    ports: &Ports,
    input: &Input,
    plan: &Plan,
    results: &[FileResult],
    date: DateTime<Utc>,
) -> Result<ObjectKey> {
    let store = ports.library.as_ref();
    let snapshot = StoreSnapshot::load(store, &input.prefix, &input.roll).await?;
    let history = History::load(&snapshot)?;
    let hash_date = mhl_date(date);
    let mut builders: BTreeMap<RelPath, GenerationBuilder> = BTreeMap::new();
    for result in results {
        let path = RelPath::parse("checksum results", &result.path)?;
        let recorded = result
            .hashes
            .iter()
            .map(|(format, value)| {
                let action = match result.expected.get(format) {
                    None => Action::Original,
                    Some(want) if want.eq_ignore_ascii_case(value) => Action::Verified,
                    Some(_) => Action::Failed,
                };
                HashValue {
                    format: *format,
                    value: value.clone(),
                    action: Some(action),
                    hash_date: Some(hash_date),
                }
            })
            .collect();
        let modified = snapshot_modified(&snapshot, &path)?;
        let (owner, rel) = history.history_for(&path);
        builders
            .entry(owner.root.clone())
            .or_insert_with(|| GenerationBuilder::new(&plan.formats))
            .add_file_values(
                rel,
                result.size,
                modified.map(mhl_date),
                recorded,
                Digests(result.hashes.clone()),
            )?;
    }
    // The root history always records the verification, even of a roll whose files all vanished.
    builders
        .entry(history.root.clone())
        .or_insert_with(|| GenerationBuilder::new(&plan.formats));
    let creator = CreatorInfo {
        creation_date: hash_date,
        hostname: input.hostname.clone().unwrap_or_else(|| "rushes".into()),
        tool: Tool {
            name: "rushes".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        authors: Vec::new(),
        location: Some(format!("{}/{}", store.describe(), input.prefix)),
        comment: Some(format!(
            "library verification, execution {}",
            input.execution
        )),
    };
    let written = commit_generations(
        &snapshot,
        &history,
        builders,
        &BTreeMap::new(),
        &CommitOptions {
            formats: &plan.formats,
            creator: &creator,
            extra_ignores: &[],
            date,
            directory_hashes: true,
        },
    )?;
    snapshot.flush(store, &input.prefix).await?;
    // Written children first: the root history's new manifest comes last.
    let root = written
        .last()
        .ok_or_else(|| Error::BadInput("custody: no generation was written".into()))?;
    input.prefix.join(root.path.as_str())
}

fn snapshot_modified(snapshot: &StoreSnapshot, path: &RelPath) -> Result<Option<DateTime<Utc>>> {
    use rushes_engine::mhl::fs::MhlFs;
    Ok(snapshot.stat(path)?.and_then(|entry| entry.modified))
}
