//! The checksum step: hashes one stored object by streaming ranged reads and compares the result
//! with the hashes its MHL history recorded. A file too large for one invocation is hashed in
//! slices: the output then carries the hashing state and the next offset, and the state machine
//! calls the step again with it until `done` is true.

use std::collections::BTreeMap;

use rushes_common::{Error, ObjectKey, Ports, Result};
use rushes_engine::hash::{HashFormat, HashState, MultiHasher};
use serde::{Deserialize, Serialize};

/// Bytes read per ranged request.
pub const READ_CHUNK: u64 = 8 << 20;

/// Default bytes hashed per invocation: well inside a 15-minute Lambda at S3 read speeds.
pub const DEFAULT_BYTES_PER_CALL: u64 = 64 << 30;

/// Outcome of one file's verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every expected hash matched.
    Verified,
    /// At least one expected hash differed.
    Failed,
    /// The history had no hash for this file: it is a new original.
    New,
}

/// Input of the checksum step (also its output shape while `done` is false).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// Roll name.
    pub roll: String,
    /// Path of the file relative to the roll root.
    pub path: String,
    /// Object key of the file in the library.
    pub key: ObjectKey,
    /// Size the manifest step saw; a different size now means the object changed.
    pub size: u64,
    /// Formats to compute in addition to those the history expects.
    #[serde(default)]
    pub formats: Vec<HashFormat>,
    /// Hashes the history recorded for this file (empty for a new file).
    #[serde(default)]
    pub expected: BTreeMap<HashFormat, String>,
    /// Where to continue (0 for a fresh start).
    #[serde(default)]
    pub offset: u64,
    /// Saved hashing state when `offset > 0`.
    #[serde(default)]
    pub state: Option<HashState>,
    /// Most bytes to hash in this invocation (defaults to [`DEFAULT_BYTES_PER_CALL`]).
    #[serde(default)]
    pub max_bytes_per_call: Option<u64>,
}

/// Output of the checksum step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Output {
    /// Roll name.
    pub roll: String,
    /// Path relative to the roll root.
    pub path: String,
    /// Object key.
    pub key: ObjectKey,
    /// Object size.
    pub size: u64,
    /// Formats being computed.
    pub formats: Vec<HashFormat>,
    /// Hashes the history recorded.
    #[serde(default)]
    pub expected: BTreeMap<HashFormat, String>,
    /// True once the whole object is hashed.
    pub done: bool,
    /// Bytes hashed so far.
    pub offset: u64,
    /// Hashing state to resume from (while not done).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<HashState>,
    /// Budget carried to the next invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes_per_call: Option<u64>,
    /// Computed hashes (when done).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hashes: BTreeMap<HashFormat, String>,
    /// Verdict (when done).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
}

/// Compares computed hashes with the expected ones.
pub fn judge(
    expected: &BTreeMap<HashFormat, String>,
    hashes: &BTreeMap<HashFormat, String>,
) -> Verdict {
    if expected.is_empty() {
        return Verdict::New;
    }
    let all_match = expected.iter().all(|(format, want)| {
        hashes
            .get(format)
            .is_some_and(|got| got.eq_ignore_ascii_case(want))
    });
    if all_match {
        Verdict::Verified
    } else {
        Verdict::Failed
    }
}

/// Runs the step: hashes up to one invocation's budget of the object.
pub async fn handle(ports: Ports, input: Input) -> Result<Output> {
    let store = ports.library.as_ref();
    let head = store
        .head(&input.key)
        .await?
        .ok_or_else(|| Error::NotFound(format!("{}: `{}`", store.describe(), input.key)))?;
    if head.size != input.size {
        return Err(Error::Engine(rushes_engine::Error::ChangedWhileHashing {
            path: input.key.to_string(),
            detail: format!("listed with {} bytes, now {} bytes", input.size, head.size),
        }));
    }
    let mut formats: Vec<HashFormat> = input.formats.clone();
    formats.extend(input.expected.keys().copied());
    formats.sort();
    formats.dedup();
    if formats.is_empty() {
        return Err(Error::BadInput(format!(
            "checksum `{}`: no hash format requested and none expected",
            input.path
        )));
    }
    let mut hasher = match (&input.state, input.offset) {
        (None, 0) => MultiHasher::new(&formats),
        (Some(state), offset) => {
            let hasher = MultiHasher::resume(state)?;
            if hasher.bytes_hashed() != offset {
                return Err(Error::BadInput(format!(
                    "checksum `{}`: saved state covers {} bytes but offset is {offset}",
                    input.path,
                    hasher.bytes_hashed()
                )));
            }
            hasher
        }
        (None, offset) => {
            return Err(Error::BadInput(format!(
                "checksum `{}`: offset {offset} given without a saved hash state",
                input.path
            )));
        }
    };
    if input.offset > input.size {
        return Err(Error::BadInput(format!(
            "checksum `{}`: offset {} is past the end ({} bytes)",
            input.path, input.offset, input.size
        )));
    }
    let budget = input
        .max_bytes_per_call
        .unwrap_or(DEFAULT_BYTES_PER_CALL)
        .max(1);
    let stop_at = input.size.min(input.offset.saturating_add(budget));
    let mut offset = input.offset;
    while offset < stop_at {
        let want = READ_CHUNK.min(stop_at - offset);
        let chunk = store.read_range(&input.key, offset, want).await?;
        if chunk.len() as u64 != want {
            return Err(Error::Engine(rushes_engine::Error::ChangedWhileHashing {
                path: input.key.to_string(),
                detail: format!(
                    "read {} bytes at offset {offset} where {want} were expected",
                    chunk.len()
                ),
            }));
        }
        hasher = tokio::task::spawn_blocking(move || {
            hasher.update(&chunk);
            hasher
        })
        .await
        .map_err(|e| Error::BadInput(format!("hashing task failed: {e}")))?;
        offset += want;
    }
    let done = offset >= input.size;
    let mut output = Output {
        roll: input.roll,
        path: input.path,
        key: input.key,
        size: input.size,
        formats,
        expected: input.expected,
        done,
        offset,
        state: None,
        max_bytes_per_call: input.max_bytes_per_call,
        hashes: BTreeMap::new(),
        verdict: None,
    };
    if done {
        // The object must not have changed under us while we read it.
        let after = store.head(&output.key).await?;
        if after.as_ref().map(|m| (m.size, m.modified)) != Some((head.size, head.modified)) {
            return Err(Error::Engine(rushes_engine::Error::ChangedWhileHashing {
                path: output.key.to_string(),
                detail: "size or modification time changed during hashing".into(),
            }));
        }
        output.hashes = hasher.finish().0;
        output.verdict = Some(judge(&output.expected, &output.hashes));
    } else {
        output.state = Some(hasher.save_state());
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use rushes_common::PutMode;
    use rushes_common::catalog_embedded::EmbeddedCatalog;
    use rushes_common::store_local::LocalStore;
    use rushes_engine::hash::hash_bytes;

    use super::*;

    async fn ports(dir: &std::path::Path) -> Ports {
        Ports {
            library: Arc::new(LocalStore::open(dir.join("lib")).unwrap()),
            archive: None,
            catalog: Arc::new(EmbeddedCatalog::open(dir.join("c.redb")).unwrap()),
        }
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    fn input(key: &ObjectKey, size: u64, expected: BTreeMap<HashFormat, String>) -> Input {
        Input {
            roll: "A001".into(),
            path: "clip/f.dng".into(),
            key: key.clone(),
            size,
            formats: vec![HashFormat::Xxh64],
            expected,
            offset: 0,
            state: None,
            max_bytes_per_call: None,
        }
    }

    #[tokio::test]
    async fn resumed_slices_give_the_one_pass_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let ports = ports(dir.path()).await;
        let bytes = data(3 * 1024 * 1024 + 17);
        let key = ObjectKey::new("rolls/A001/clip/f.dng").unwrap();
        ports
            .library
            .put(&key, bytes.clone(), PutMode::CreateNew)
            .await
            .unwrap();
        let mut expected = BTreeMap::new();
        expected.insert(HashFormat::Xxh64, hash_bytes(HashFormat::Xxh64, &bytes));
        expected.insert(HashFormat::Md5, hash_bytes(HashFormat::Md5, &bytes));

        let mut step = input(&key, bytes.len() as u64, expected.clone());
        step.max_bytes_per_call = Some(1024 * 1024);
        let mut calls = 0;
        let out = loop {
            calls += 1;
            // Round-trip through JSON, as the state machine carries it.
            let json = serde_json::to_value(&step).unwrap();
            let out = handle(ports.clone(), serde_json::from_value(json).unwrap())
                .await
                .unwrap();
            if out.done {
                break out;
            }
            assert!(out.state.is_some() && out.hashes.is_empty());
            step = serde_json::from_value(serde_json::to_value(&out).unwrap()).unwrap();
        };
        assert_eq!(calls, 4);
        assert_eq!(out.verdict, Some(Verdict::Verified));
        assert_eq!(out.hashes, expected);
    }

    #[tokio::test]
    async fn altered_new_and_changed_objects() {
        let dir = tempfile::tempdir().unwrap();
        let ports = ports(dir.path()).await;
        let bytes = data(4096);
        let key = ObjectKey::new("rolls/A001/clip/f.dng").unwrap();
        ports
            .library
            .put(&key, bytes.clone(), PutMode::CreateNew)
            .await
            .unwrap();

        let mut wrong = BTreeMap::new();
        wrong.insert(HashFormat::Xxh64, "0000000000000000".to_string());
        let out = handle(ports.clone(), input(&key, 4096, wrong))
            .await
            .unwrap();
        assert_eq!(out.verdict, Some(Verdict::Failed));

        let out = handle(ports.clone(), input(&key, 4096, BTreeMap::new()))
            .await
            .unwrap();
        assert_eq!(out.verdict, Some(Verdict::New));
        assert_eq!(
            out.hashes[&HashFormat::Xxh64],
            hash_bytes(HashFormat::Xxh64, &bytes)
        );

        // Listed at another size: the object changed since the manifest step saw it.
        let err = handle(ports.clone(), input(&key, 4000, BTreeMap::new()))
            .await
            .unwrap_err();
        assert_eq!(err.name(), "Rushes.ChangedWhileHashing");
        assert!(err.to_string().contains("rolls/A001/clip/f.dng"));

        let missing = ObjectKey::new("rolls/A001/none").unwrap();
        let err = handle(ports.clone(), input(&missing, 1, BTreeMap::new()))
            .await
            .unwrap_err();
        assert_eq!(err.name(), "Rushes.NotFound");

        let mut forged = input(&key, 4096, BTreeMap::new());
        forged.offset = 100;
        let err = handle(ports.clone(), forged).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.BadInput");
    }
}
