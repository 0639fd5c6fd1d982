//! Working documents of one pipeline execution (`runs/<ROLL>/<execution>/...`): the step outputs
//! too large to travel through the state machine (Step Functions caps a payload at 256 KiB) are
//! stored here and passed along by key.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, ObjectKey, ObjectStore, PutMode, Result};

/// Largest working document a step will read back (a plan of a few hundred thousand files).
pub const MAX_RUN_DOCUMENT: u64 = 512 << 20;

/// Most files in one batch of a Map over a stored file list (before the limit grows).
pub const BATCH_FILES: usize = 256;

/// Most bytes in one batch (before the limit grows): about a minute of reading on Lambda.
pub const BATCH_BYTES: u64 = 8 << 30;

/// Batches allowed per limit before it grows, so a Map never runs more than about twice this
/// many iterations (Step Functions' 25,000-event history).
pub const MAX_BATCHES_PER_LIMIT: usize = 400;

/// Cuts files of the given sizes into consecutive batches of at most [`BATCH_FILES`] files and
/// about [`BATCH_BYTES`] bytes, both limits growing so a list never needs more than about
/// 2 x [`MAX_BATCHES_PER_LIMIT`] batches. A file larger than the byte limit is a batch of its own.
pub fn batch_ranges(sizes: &[u64]) -> Vec<std::ops::Range<usize>> {
    let total: u64 = sizes.iter().sum();
    let max_files = BATCH_FILES.max(sizes.len().div_ceil(MAX_BATCHES_PER_LIMIT));
    let max_bytes = BATCH_BYTES.max(total.div_ceil(MAX_BATCHES_PER_LIMIT as u64));
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, size) in sizes.iter().enumerate() {
        let full = i - start == max_files || bytes.saturating_add(*size) > max_bytes;
        if i > start && full {
            ranges.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes = bytes.saturating_add(*size);
    }
    if start < sizes.len() {
        ranges.push(start..sizes.len());
    }
    ranges
}

/// Checks a roll or execution name used to build keys: 1-80 letters, digits, `-`, `_` or `.`,
/// not starting with a dot.
pub fn validate_name(what: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 80
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(Error::BadInput(format!(
            "{what} name `{}` must be 1-80 letters, digits, `-`, `_` or `.`, not starting with `.`",
            name.escape_debug()
        )))
    }
}

/// The working-document keys of one execution on one roll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunDocs {
    base: ObjectKey,
}

impl RunDocs {
    /// The documents of `execution` on `roll`; both names are validated.
    pub fn new(roll: &str, execution: &str) -> Result<Self> {
        validate_name("roll", roll)?;
        validate_name("execution", execution)?;
        Ok(Self {
            base: ObjectKey::new(format!("runs/{roll}/{execution}"))?,
        })
    }

    /// The full verification plan written by the manifest step.
    pub fn plan(&self) -> Result<ObjectKey> {
        self.base.join("plan.json")
    }

    /// The files of one checksum batch.
    pub fn batch(&self, index: usize) -> Result<ObjectKey> {
        self.base.join(&format!("batches/{index:05}.json"))
    }

    /// The results of one checksum batch.
    pub fn results(&self, index: usize) -> Result<ObjectKey> {
        self.base.join(&format!("results/{index:05}.json"))
    }

    /// The roll's inspection (clips in the clip schema) written by the inspect step.
    pub fn clips(&self) -> Result<ObjectKey> {
        self.base.join("clips.json")
    }
}

/// Stores a working document as JSON, replacing an earlier version (they are derived data).
pub async fn write_json<T: Serialize + Sync>(
    store: &dyn ObjectStore,
    key: &ObjectKey,
    value: &T,
) -> Result<()> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| Error::BadInput(format!("cannot encode `{key}`: {e}")))?;
    store.put(key, bytes, PutMode::Overwrite).await
}

/// Reads a working document back, naming the store and key when it is absent or malformed.
pub async fn read_json<T: DeserializeOwned>(store: &dyn ObjectStore, key: &ObjectKey) -> Result<T> {
    let bytes = store.read_small(key, MAX_RUN_DOCUMENT).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::BadInput(format!(
            "{}: `{key}` is not a valid working document: {e}",
            store.describe()
        ))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_and_keys() {
        let docs = RunDocs::new("A001", "A001-abc.1").unwrap();
        assert_eq!(
            docs.plan().unwrap().as_str(),
            "runs/A001/A001-abc.1/plan.json"
        );
        assert_eq!(
            docs.batch(7).unwrap().as_str(),
            "runs/A001/A001-abc.1/batches/00007.json"
        );
        assert_eq!(
            docs.results(12).unwrap().as_str(),
            "runs/A001/A001-abc.1/results/00012.json"
        );
        assert_eq!(
            docs.clips().unwrap().as_str(),
            "runs/A001/A001-abc.1/clips.json"
        );
        for (roll, execution) in [
            ("../A001", "x"),
            ("A001", "../../x"),
            ("", "x"),
            ("A001", ".hidden"),
            ("A/001", "x"),
            ("A001", &"x".repeat(81)),
        ] {
            let err = RunDocs::new(roll, execution).unwrap_err();
            assert_eq!(err.name(), "Rushes.BadInput", "{roll} {execution}");
        }
    }
}
