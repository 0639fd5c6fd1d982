//! The Catalog port: the library's index of rolls and files (DynamoDB on AWS, redb locally).
//!
//! Items are addressed by a partition key and a sort key, like a DynamoDB single-table design:
//! `ROLL#A001` / `ROLL` for a roll, `ROLL#A001` / `FILE#<path>` for each of its files.

use async_trait::async_trait;

use crate::Result;

/// One catalog item: keys plus a JSON body.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CatalogItem {
    /// Partition key, e.g. `ROLL#A001`.
    pub pk: String,
    /// Sort key, e.g. `FILE#A001C001/frame_0001.dng`.
    pub sk: String,
    /// The record itself.
    pub body: serde_json::Value,
}

/// The catalog. Every write is an idempotent upsert of a whole item.
#[async_trait]
pub trait Catalog: Send + Sync + std::fmt::Debug {
    /// Inserts or replaces items (all or nothing where the backend allows).
    async fn put_all(&self, items: &[CatalogItem]) -> Result<()>;
    /// One item, `None` if absent.
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<CatalogItem>>;
    /// Every item of a partition whose sort key starts with `sk_prefix`, sorted by sort key.
    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<CatalogItem>>;
}
