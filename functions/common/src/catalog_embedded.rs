//! The embedded catalog: a single redb database file (pure Rust, ACID, no server, no C toolchain).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use redb::{Database, TableDefinition};

use crate::{Catalog, CatalogItem, Error, Result};

/// Items keyed by `pk \u{1f} sk`; the unit separator cannot appear in our keys.
const ITEMS: TableDefinition<&str, &[u8]> = TableDefinition::new("items");
const SEP: char = '\u{1f}';

/// The catalog of a local library, stored in one file.
#[derive(Clone)]
pub struct EmbeddedCatalog {
    db: Arc<Database>,
    path: PathBuf,
}

impl std::fmt::Debug for EmbeddedCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedCatalog")
            .field("path", &self.path)
            .finish()
    }
}

fn db_err(op: &'static str, e: impl std::fmt::Display) -> Error {
    Error::Catalog {
        op,
        detail: e.to_string(),
    }
}

fn compound(pk: &str, sk: &str) -> Result<String> {
    if pk.contains(SEP) || sk.contains(SEP) {
        return Err(Error::BadInput(format!(
            "catalog key `{pk}` / `{sk}` contains a control character"
        )));
    }
    Ok(format!("{pk}{SEP}{sk}"))
}

impl EmbeddedCatalog {
    /// Opens or creates the catalog file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let db = Database::create(&path)
            .map_err(|e| db_err("open", format!("{}: {e}", path.display())))?;
        Ok(Self {
            db: Arc::new(db),
            path,
        })
    }

    fn put_blocking(&self, items: &[CatalogItem]) -> Result<()> {
        let txn = self.db.begin_write().map_err(|e| db_err("put", e))?;
        {
            let mut table = txn.open_table(ITEMS).map_err(|e| db_err("put", e))?;
            for item in items {
                let key = compound(&item.pk, &item.sk)?;
                let body = serde_json::to_vec(&item.body).map_err(|e| db_err("put", e))?;
                table
                    .insert(key.as_str(), body.as_slice())
                    .map_err(|e| db_err("put", e))?;
            }
        }
        txn.commit().map_err(|e| db_err("put", e))
    }

    fn query_blocking(&self, pk: &str, sk_prefix: &str) -> Result<Vec<CatalogItem>> {
        let start = compound(pk, sk_prefix)?;
        let txn = self.db.begin_read().map_err(|e| db_err("query", e))?;
        let table = match txn.open_table(ITEMS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(db_err("query", e)),
        };
        let mut out = Vec::new();
        for entry in table
            .range(start.as_str()..)
            .map_err(|e| db_err("query", e))?
        {
            let (key, value) = entry.map_err(|e| db_err("query", e))?;
            let key = key.value();
            if !key.starts_with(&start) {
                break;
            }
            let Some((item_pk, item_sk)) = key.split_once(SEP) else {
                continue;
            };
            let body = serde_json::from_slice(value.value()).map_err(|e| db_err("query", e))?;
            out.push(CatalogItem {
                pk: item_pk.to_string(),
                sk: item_sk.to_string(),
                body,
            });
        }
        Ok(out)
    }
}

#[async_trait]
impl Catalog for EmbeddedCatalog {
    async fn put_all(&self, items: &[CatalogItem]) -> Result<()> {
        let this = self.clone();
        let items = items.to_vec();
        tokio::task::spawn_blocking(move || this.put_blocking(&items))
            .await
            .map_err(|e| db_err("put", e))?
    }

    async fn get(&self, pk: &str, sk: &str) -> Result<Option<CatalogItem>> {
        let found = self.query(pk, sk).await?;
        Ok(found.into_iter().find(|item| item.sk == sk))
    }

    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<CatalogItem>> {
        let this = self.clone();
        let (pk, sk_prefix) = (pk.to_string(), sk_prefix.to_string());
        tokio::task::spawn_blocking(move || this.query_blocking(&pk, &sk_prefix))
            .await
            .map_err(|e| db_err("query", e))?
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn item(pk: &str, sk: &str, n: i64) -> CatalogItem {
        CatalogItem {
            pk: pk.into(),
            sk: sk.into(),
            body: json!({ "n": n }),
        }
    }

    #[tokio::test]
    async fn upsert_get_query_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.redb");
        {
            let cat = EmbeddedCatalog::open(&path).unwrap();
            assert!(cat.query("ROLL#A001", "").await.unwrap().is_empty());
            cat.put_all(&[
                item("ROLL#A001", "ROLL", 1),
                item("ROLL#A001", "FILE#b", 2),
                item("ROLL#A001", "FILE#a", 3),
                item("ROLL#A0011", "ROLL", 4),
            ])
            .await
            .unwrap();
            cat.put_all(&[item("ROLL#A001", "FILE#a", 5)])
                .await
                .unwrap();
        }
        let cat = EmbeddedCatalog::open(&path).unwrap();
        let files = cat.query("ROLL#A001", "FILE#").await.unwrap();
        assert_eq!(
            files,
            vec![
                item("ROLL#A001", "FILE#a", 5),
                item("ROLL#A001", "FILE#b", 2)
            ]
        );
        assert_eq!(cat.query("ROLL#A001", "").await.unwrap().len(), 3);
        assert_eq!(
            cat.get("ROLL#A0011", "ROLL").await.unwrap(),
            Some(item("ROLL#A0011", "ROLL", 4))
        );
        assert_eq!(cat.get("ROLL#A001", "FILE#").await.unwrap(), None);
        let bad = cat
            .put_all(&[item("ROLL#\u{1f}x", "ROLL", 0)])
            .await
            .unwrap_err();
        assert!(matches!(bad, Error::BadInput(_)));
    }
}
