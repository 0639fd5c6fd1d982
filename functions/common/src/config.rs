//! Step configuration, read from key/value pairs (the Lambda environment, passed in by `main.rs`).

use std::collections::BTreeMap;

use crate::{Error, Result};

/// What a deployed step needs to find its resources.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Library bucket (`RUSHES_LIBRARY_BUCKET`).
    pub library_bucket: Option<String>,
    /// Archive bucket (`RUSHES_ARCHIVE_BUCKET`).
    pub archive_bucket: Option<String>,
    /// Catalog table (`RUSHES_CATALOG_TABLE`).
    pub catalog_table: Option<String>,
    /// Ingest state machine ARN, for the starter (`RUSHES_INGEST_STATE_MACHINE_ARN`).
    pub ingest_state_machine_arn: Option<String>,
    /// Endpoint override for S3/DynamoDB/SFN (`RUSHES_AWS_ENDPOINT_URL`, e.g. a local moto server).
    pub endpoint_url: Option<String>,
    /// Use path-style S3 addressing (`RUSHES_S3_PATH_STYLE=true`), needed by most S3 emulators.
    pub s3_path_style: bool,
    /// Log as JSON lines (`RUSHES_LOG_JSON=true`, the default on Lambda).
    pub log_json: bool,
}

impl Config {
    /// Builds the configuration from `(name, value)` pairs such as `std::env::vars()`.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Result<Self> {
        let vars: BTreeMap<String, String> = pairs
            .into_iter()
            .filter(|(k, _)| k.starts_with("RUSHES_") || k == "AWS_LAMBDA_FUNCTION_NAME")
            .collect();
        let text = |name: &str| vars.get(name).filter(|v| !v.trim().is_empty()).cloned();
        let flag = |name: &str, default: bool| -> Result<bool> {
            match vars.get(name).map(|v| v.trim().to_ascii_lowercase()) {
                None => Ok(default),
                Some(v) if v == "true" || v == "1" => Ok(true),
                Some(v) if v == "false" || v == "0" || v.is_empty() => Ok(false),
                Some(v) => Err(Error::Config(format!(
                    "{name} must be true or false, not `{v}`"
                ))),
            }
        };
        Ok(Self {
            library_bucket: text("RUSHES_LIBRARY_BUCKET"),
            archive_bucket: text("RUSHES_ARCHIVE_BUCKET"),
            catalog_table: text("RUSHES_CATALOG_TABLE"),
            ingest_state_machine_arn: text("RUSHES_INGEST_STATE_MACHINE_ARN"),
            endpoint_url: text("RUSHES_AWS_ENDPOINT_URL"),
            s3_path_style: flag("RUSHES_S3_PATH_STYLE", false)?,
            log_json: flag(
                "RUSHES_LOG_JSON",
                vars.contains_key("AWS_LAMBDA_FUNCTION_NAME"),
            )?,
        })
    }

    /// A required setting, or a clear error naming the variable.
    pub fn require<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str> {
        value
            .as_deref()
            .ok_or_else(|| Error::Config(format!("{name} is not set")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_settings_and_rejects_bad_flags() {
        let cfg = Config::from_pairs(pairs(&[
            ("RUSHES_LIBRARY_BUCKET", "lib"),
            ("RUSHES_S3_PATH_STYLE", "true"),
            ("AWS_LAMBDA_FUNCTION_NAME", "x"),
            ("HOME", "/root"),
        ]))
        .unwrap();
        assert_eq!(cfg.library_bucket.as_deref(), Some("lib"));
        assert!(cfg.s3_path_style && cfg.log_json);
        assert!(
            Config::require(&cfg.catalog_table, "RUSHES_CATALOG_TABLE")
                .unwrap_err()
                .to_string()
                .contains("RUSHES_CATALOG_TABLE")
        );
        let bad = Config::from_pairs(pairs(&[("RUSHES_S3_PATH_STYLE", "yes please")]));
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("RUSHES_S3_PATH_STYLE")
        );
    }
}
