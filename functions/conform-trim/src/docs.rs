//! The working documents of one pull execution (`runs/pulls/<package>/<execution>/...`) and the
//! package's place in the library (`pulls/<package>/`).

use std::collections::BTreeMap;

use rushes_common::runs::{read_json, validate_name};
use rushes_common::{ObjectKey, ObjectStore, Result};
use serde::{Deserialize, Serialize};

/// One file to copy into the package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedFile {
    /// The original in the library (`rolls/<roll>/...`).
    pub source: ObjectKey,
    /// Where it goes (`pulls/<package>/<roll>/...`, the roll's own layout).
    pub dest: ObjectKey,
    /// Path inside the package (the MHL path).
    pub package_path: String,
    /// Size recorded at ingest.
    pub size: u64,
    /// Checksums recorded at ingest (format name to hex); the copy must reproduce them.
    pub checksums: BTreeMap<String, String>,
}

/// What one event of the cut needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPlan {
    /// Event number in the list.
    pub number: u32,
    /// `matched`, `ambiguous`, `missing` or `skipped` (from the match report).
    pub outcome: String,
    /// The matched clip.
    pub clip_id: Option<String>,
    /// First source frame needed (timecode frame count at the clip's rate), handles included.
    pub first_frame: Option<i64>,
    /// Source frames needed.
    pub frames: u64,
    /// Files of the package this event uses.
    pub files: usize,
    /// Frame numbers of a sequence that the range needs but the roll does not have.
    pub missing_frames: Vec<u64>,
    /// Why the event contributes nothing or something is off.
    pub notes: Vec<String>,
}

/// The stored plan of a pull.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrimPlan {
    /// Package name.
    pub package: String,
    /// Key of the match report it was planned from.
    pub report: ObjectKey,
    /// Handles of the report.
    pub handles: u64,
    /// Every event.
    pub events: Vec<EventPlan>,
    /// Every file, each once, in package-path order.
    pub files: Vec<PlannedFile>,
    /// Number of copy batches.
    pub batches: usize,
}

/// Result of copying one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopiedFile {
    /// Path inside the package.
    pub package_path: String,
    /// Bytes.
    pub size: u64,
    /// Checksums of the copy (format name to hex), equal to the ingest record.
    pub checksums: BTreeMap<String, String>,
    /// False when an identical copy was already in place (a re-run).
    pub copied: bool,
}

/// Keys of a pull's working documents and of its package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullDocs {
    base: ObjectKey,
    package: ObjectKey,
    name: String,
}

impl PullDocs {
    /// The documents of `execution` pulling `package`; both names are validated.
    pub fn new(package: &str, execution: &str) -> Result<Self> {
        validate_name("package", package)?;
        validate_name("execution", execution)?;
        Ok(Self {
            base: ObjectKey::new(format!("runs/pulls/{package}/{execution}"))?,
            package: ObjectKey::new(format!("pulls/{package}"))?,
            name: package.to_string(),
        })
    }

    /// The package name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The package folder (`pulls/<package>`).
    pub fn package(&self) -> &ObjectKey {
        &self.package
    }

    /// The stored plan.
    pub fn plan(&self) -> Result<ObjectKey> {
        self.base.join("plan.json")
    }

    /// The files of one copy batch.
    pub fn batch(&self, index: usize) -> Result<ObjectKey> {
        self.base.join(&format!("batches/{index:05}.json"))
    }

    /// The results of one copy batch.
    pub fn results(&self, index: usize) -> Result<ObjectKey> {
        self.base.join(&format!("results/{index:05}.json"))
    }

    /// The pull report (`reports/pulls/<package>/<execution>.json`).
    pub fn report(&self, execution: &str) -> Result<ObjectKey> {
        ObjectKey::new(format!("reports/pulls/{}/{execution}.json", self.name))
    }

    /// Reads the stored plan.
    pub async fn read_plan(&self, store: &dyn ObjectStore) -> Result<TrimPlan> {
        read_json(store, &self.plan()?).await
    }
}
