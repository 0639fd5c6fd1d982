//! The DynamoDB catalog: one table with partition key `pk` (S) and sort key `sk` (S); each item's
//! body is stored as its JSON text in the string attribute `body`, so it round-trips exactly.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};

use crate::{Catalog, CatalogItem, Error, Result};

/// Most write requests one `BatchWriteItem` call takes.
pub const BATCH_SIZE: usize = 25;
/// Longest partition key DynamoDB accepts, in bytes.
pub const MAX_PK_BYTES: usize = 2048;
/// Longest sort key DynamoDB accepts, in bytes.
pub const MAX_SK_BYTES: usize = 1024;
/// Largest body we store, leaving room under DynamoDB's 400 KB item limit for the keys.
pub const MAX_BODY_BYTES: usize = 380 * 1024;
/// How many times unprocessed items are resubmitted before giving up.
const MAX_ATTEMPTS: u32 = 8;

/// A DynamoDB table used as the [`Catalog`].
#[derive(Clone, Debug)]
pub struct DynamoCatalog {
    client: Client,
    table: String,
}

fn err(op: &'static str, e: impl std::fmt::Display) -> Error {
    Error::Catalog {
        op,
        detail: e.to_string(),
    }
}

/// Checks an item against DynamoDB's limits and encodes it as table attributes.
pub fn encode_item(item: &CatalogItem) -> Result<HashMap<String, AttributeValue>> {
    let name = || {
        format!(
            "catalog item `{}` / `{}`",
            item.pk.escape_debug(),
            item.sk.escape_debug()
        )
    };
    if item.pk.is_empty() || item.pk.len() > MAX_PK_BYTES {
        return Err(Error::BadInput(format!(
            "{}: the partition key must be 1 to {MAX_PK_BYTES} bytes",
            name()
        )));
    }
    if item.sk.is_empty() || item.sk.len() > MAX_SK_BYTES {
        return Err(Error::BadInput(format!(
            "{}: the sort key must be 1 to {MAX_SK_BYTES} bytes",
            name()
        )));
    }
    let body = serde_json::to_string(&item.body).map_err(|e| err("encode", e))?;
    if body.len() > MAX_BODY_BYTES {
        return Err(Error::BadInput(format!(
            "{}: the body is {} bytes, more than the {MAX_BODY_BYTES} a catalog item may hold",
            name(),
            body.len()
        )));
    }
    Ok(HashMap::from([
        ("pk".to_string(), AttributeValue::S(item.pk.clone())),
        ("sk".to_string(), AttributeValue::S(item.sk.clone())),
        ("body".to_string(), AttributeValue::S(body)),
    ]))
}

/// Decodes table attributes back into an item, naming the item when something is off.
pub fn decode_item(attrs: &HashMap<String, AttributeValue>) -> Result<CatalogItem> {
    let text = |name: &str| -> Result<String> {
        match attrs.get(name) {
            Some(AttributeValue::S(s)) => Ok(s.clone()),
            _ => Err(err(
                "decode",
                format!("item without a string attribute `{name}`"),
            )),
        }
    };
    let (pk, sk) = (text("pk")?, text("sk")?);
    let body = serde_json::from_str(&text("body")?)
        .map_err(|e| err("decode", format!("`{pk}` / `{sk}`: body is not JSON: {e}")))?;
    Ok(CatalogItem { pk, sk, body })
}

/// Encodes items into batches of at most [`BATCH_SIZE`], keeping only the last write of any
/// repeated key (DynamoDB refuses a batch holding the same key twice).
pub fn batches(items: &[CatalogItem]) -> Result<Vec<Vec<WriteRequest>>> {
    let mut latest: BTreeMap<(&str, &str), &CatalogItem> = BTreeMap::new();
    for item in items {
        latest.insert((item.pk.as_str(), item.sk.as_str()), item);
    }
    let mut requests = Vec::with_capacity(latest.len());
    for item in latest.values() {
        let put = PutRequest::builder()
            .set_item(Some(encode_item(item)?))
            .build()
            .map_err(|e| err("encode", e))?;
        requests.push(WriteRequest::builder().put_request(put).build());
    }
    Ok(requests
        .chunks(BATCH_SIZE)
        .map(<[WriteRequest]>::to_vec)
        .collect())
}

impl DynamoCatalog {
    /// The catalog in `table`, using an already configured client (see [`crate::aws`]).
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    async fn write_batch(&self, mut pending: Vec<WriteRequest>) -> Result<()> {
        let mut attempt = 0;
        while !pending.is_empty() {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(50 << attempt.min(5))).await;
            }
            if attempt >= MAX_ATTEMPTS {
                return Err(err(
                    "put",
                    format!(
                        "table `{}`: {} items still unprocessed after {MAX_ATTEMPTS} attempts",
                        self.table,
                        pending.len()
                    ),
                ));
            }
            attempt += 1;
            let out = self
                .client
                .batch_write_item()
                .request_items(&self.table, pending)
                .send()
                .await
                .map_err(|e| {
                    err(
                        "put",
                        format!("table `{}`: {}", self.table, DisplayErrorContext(&e)),
                    )
                })?;
            pending = out
                .unprocessed_items()
                .and_then(|m| m.get(&self.table))
                .cloned()
                .unwrap_or_default();
        }
        Ok(())
    }
}

#[async_trait]
impl Catalog for DynamoCatalog {
    /// Writes in batches of 25; DynamoDB gives no atomicity across batches, but every write is
    /// an idempotent upsert, so a failed call can simply be repeated.
    async fn put_all(&self, items: &[CatalogItem]) -> Result<()> {
        for batch in batches(items)? {
            self.write_batch(batch).await?;
        }
        Ok(())
    }

    async fn get(&self, pk: &str, sk: &str) -> Result<Option<CatalogItem>> {
        if pk.is_empty() || sk.is_empty() {
            return Ok(None);
        }
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(pk.to_string()))
            .key("sk", AttributeValue::S(sk.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| {
                err(
                    "get",
                    format!("table `{}`: {}", self.table, DisplayErrorContext(&e)),
                )
            })?;
        out.item().map(decode_item).transpose()
    }

    async fn query(&self, pk: &str, sk_prefix: &str) -> Result<Vec<CatalogItem>> {
        if pk.is_empty() {
            return Ok(Vec::new());
        }
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk.to_string()));
        // An empty string is not a valid key-condition value: no prefix means the whole partition.
        req = if sk_prefix.is_empty() {
            req.key_condition_expression("#pk = :pk")
        } else {
            req.key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", "sk")
                .expression_attribute_values(":prefix", AttributeValue::S(sk_prefix.to_string()))
        };
        let mut pages = req.into_paginator().send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                err(
                    "query",
                    format!("table `{}`: {}", self.table, DisplayErrorContext(&e)),
                )
            })?;
            for attrs in page.items() {
                out.push(decode_item(attrs)?);
            }
        }
        out.sort_by(|a, b| a.sk.cmp(&b.sk));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    fn item(pk: &str, sk: &str, n: i64) -> CatalogItem {
        CatalogItem {
            pk: pk.into(),
            sk: sk.into(),
            body: json!({ "n": n, "text": "é\"x" }),
        }
    }

    #[test]
    fn items_round_trip_through_attributes() {
        let original = item("ROLL#A001", "FILE#clip/a b.dng", 7);
        let attrs = encode_item(&original).unwrap();
        assert_eq!(attrs["pk"], AttributeValue::S("ROLL#A001".into()));
        assert_eq!(decode_item(&attrs).unwrap(), original);
    }

    #[test]
    fn bad_items_are_refused_with_their_keys() {
        let e = encode_item(&item("", "ROLL", 1)).unwrap_err();
        assert!(
            matches!(e, Error::BadInput(_)) && e.to_string().contains("partition key"),
            "{e}"
        );
        let e = encode_item(&item("ROLL#A", &"s".repeat(1025), 1)).unwrap_err();
        assert!(e.to_string().contains("sort key"), "{e}");
        let mut huge = item("ROLL#A", "FILE#x", 1);
        huge.body = json!({ "blob": "x".repeat(MAX_BODY_BYTES) });
        let e = encode_item(&huge).unwrap_err();
        assert!(
            e.to_string().contains("FILE#x") && e.to_string().contains("bytes"),
            "{e}"
        );
        let mut attrs = encode_item(&item("ROLL#A", "ROLL", 1)).unwrap();
        attrs.insert("body".into(), AttributeValue::S("{not json".into()));
        let e = decode_item(&attrs).unwrap_err();
        assert!(e.to_string().contains("ROLL#A"), "{e}");
        attrs.remove("sk");
        assert!(
            decode_item(&attrs)
                .unwrap_err()
                .to_string()
                .contains("`sk`")
        );
    }

    #[test]
    fn batches_hold_25_and_keep_the_last_duplicate() {
        let mut items: Vec<CatalogItem> = (0..60)
            .map(|i| item("ROLL#A", &format!("FILE#{i:03}"), i))
            .collect();
        items.push(item("ROLL#A", "FILE#000", 99));
        let b = batches(&items).unwrap();
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), [25, 25, 10]);
        let first = b[0][0].put_request().expect("put").item();
        assert_eq!(decode_item(first).unwrap().body["n"], 99);
        assert!(batches(&[]).unwrap().is_empty());
    }
}
