//! Typed catalog records for rolls and files, and their item keys.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rushes_engine::hash::HashFormat;

use crate::{CatalogItem, Error, Result};

/// Where a file stands after the latest verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Every recorded hash matched.
    Verified,
    /// At least one hash differed from the history: the content is altered.
    Failed,
    /// Listed in the history but not present.
    Missing,
    /// Present but not in the history (recorded as a new original).
    New,
}

/// The catalog record of one file of a roll.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileRecord {
    /// Roll name, e.g. `A001`.
    pub roll: String,
    /// Path relative to the roll root, `/`-separated.
    pub path: String,
    /// Object key in the library store.
    pub key: String,
    /// Size in bytes (0 for a missing file).
    pub size: u64,
    /// Hashes computed during the latest verification (MHL text encodings).
    pub hashes: BTreeMap<HashFormat, String>,
    /// Hashes the MHL history expected, where they differ or the file is missing.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub expected: BTreeMap<HashFormat, String>,
    /// Outcome.
    pub status: FileStatus,
    /// When the verification ran.
    pub verified_at: DateTime<Utc>,
}

/// Summary counts of a roll's latest verification.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RollCounts {
    /// Files whose hashes matched.
    pub verified: u64,
    /// Files whose content differs from the history.
    pub failed: u64,
    /// Files in the history that are absent.
    pub missing: u64,
    /// Files not in the history.
    pub new: u64,
    /// Total bytes verified.
    pub bytes: u64,
}

/// The catalog record of one roll.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RollRecord {
    /// Roll name, e.g. `A001`.
    pub roll: String,
    /// Object-key prefix of the roll in the library.
    pub prefix: String,
    /// `verified` when every file verified, else `failed`.
    pub status: String,
    /// Counts by outcome.
    pub counts: RollCounts,
    /// File name of the MHL generation that recorded this verification.
    pub generation: Option<String>,
    /// Key of the JSON report.
    pub report: Option<String>,
    /// Name of the execution that verified it.
    pub execution: String,
    /// When it was recorded.
    pub updated_at: DateTime<Utc>,
}

/// Partition key of a roll.
pub fn roll_pk(roll: &str) -> String {
    format!("ROLL#{roll}")
}

impl RollRecord {
    /// As a catalog item.
    pub fn to_item(&self) -> Result<CatalogItem> {
        Ok(CatalogItem {
            pk: roll_pk(&self.roll),
            sk: "ROLL".into(),
            body: to_body(self)?,
        })
    }
}

impl FileRecord {
    /// As a catalog item.
    pub fn to_item(&self) -> Result<CatalogItem> {
        Ok(CatalogItem {
            pk: roll_pk(&self.roll),
            sk: format!("FILE#{}", self.path),
            body: to_body(self)?,
        })
    }
}

fn to_body<T: serde::Serialize>(record: &T) -> Result<serde_json::Value> {
    serde_json::to_value(record).map_err(|e| Error::Catalog {
        op: "encode",
        detail: e.to_string(),
    })
}

/// Decodes a catalog item's body into a record.
pub fn from_item<T: serde::de::DeserializeOwned>(item: &CatalogItem) -> Result<T> {
    serde_json::from_value(item.body.clone()).map_err(|e| Error::Catalog {
        op: "decode",
        detail: format!("{} / {}: {e}", item.pk, item.sk),
    })
}
