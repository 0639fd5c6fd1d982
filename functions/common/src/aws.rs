//! Builds the AWS SDK clients and the [`Ports`] of a deployed step from its [`Config`]: the
//! default credential chain, plus an endpoint override and path-style S3 for local emulators.

use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};

use crate::catalog_dynamo::DynamoCatalog;
use crate::store_s3::S3Store;
use crate::{Config, Ports, Result};

/// The shared SDK configuration (region and credentials from the default chain; every service
/// client built from it uses `config.endpoint_url` when set).
pub async fn sdk_config(config: &Config) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(url) = &config.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// An S3 client, path-style when `config.s3_path_style` (moto and most emulators need it).
pub fn s3_client(sdk: &SdkConfig, config: &Config) -> aws_sdk_s3::Client {
    let s3 = aws_sdk_s3::config::Builder::from(sdk)
        .force_path_style(config.s3_path_style)
        .build();
    aws_sdk_s3::Client::from_conf(s3)
}

/// A DynamoDB client.
pub fn dynamodb_client(sdk: &SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(sdk)
}

/// The ports of a step: library bucket and catalog table are required, the archive optional.
pub fn ports_from(sdk: &SdkConfig, config: &Config) -> Result<Ports> {
    let library = Config::require(&config.library_bucket, "RUSHES_LIBRARY_BUCKET")?;
    let table = Config::require(&config.catalog_table, "RUSHES_CATALOG_TABLE")?;
    let s3 = s3_client(sdk, config);
    Ok(Ports {
        library: Arc::new(S3Store::new(s3.clone(), library)),
        archive: config
            .archive_bucket
            .as_ref()
            .map(|bucket| Arc::new(S3Store::new(s3.clone(), bucket)) as _),
        catalog: Arc::new(DynamoCatalog::new(dynamodb_client(sdk), table)),
    })
}

/// [`sdk_config`] then [`ports_from`].
pub async fn ports(config: &Config) -> Result<Ports> {
    let sdk = sdk_config(config).await;
    ports_from(&sdk, config)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Config {
        Config::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap()
    }

    #[tokio::test]
    async fn ports_need_bucket_and_table_and_name_the_missing_one() {
        let sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .build();
        let missing = ports_from(&sdk, &config(&[("RUSHES_LIBRARY_BUCKET", "lib")])).unwrap_err();
        assert!(
            missing.to_string().contains("RUSHES_CATALOG_TABLE"),
            "{missing}"
        );
        let missing = ports_from(&sdk, &config(&[("RUSHES_CATALOG_TABLE", "t")])).unwrap_err();
        assert!(
            missing.to_string().contains("RUSHES_LIBRARY_BUCKET"),
            "{missing}"
        );
        let ports = ports_from(
            &sdk,
            &config(&[
                ("RUSHES_LIBRARY_BUCKET", "lib"),
                ("RUSHES_ARCHIVE_BUCKET", "arc"),
                ("RUSHES_CATALOG_TABLE", "t"),
            ]),
        )
        .unwrap();
        assert_eq!(ports.library.describe(), "s3://lib");
        assert_eq!(
            ports.archive.map(|a| a.describe()),
            Some("s3://arc".to_string())
        );
    }

    #[tokio::test]
    async fn endpoint_override_reaches_the_sdk() {
        let cfg = config(&[("RUSHES_AWS_ENDPOINT_URL", "http://127.0.0.1:9")]);
        let sdk = sdk_config(&cfg).await;
        assert_eq!(sdk.endpoint_url(), Some("http://127.0.0.1:9"));
    }
}
