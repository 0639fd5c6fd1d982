//! Lambda wrapper of the starter: SQS batches of upload-complete notifications in, ingest
//! executions out.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = rushes_common::Config::from_pairs(std::env::vars())?;
    let sdk = rushes_common::aws::sdk_config(&config).await;
    let starter = rushes_starter::SfnStarter::from_config(&sdk, &config)?;
    let starter = &starter;
    rushes_common::lambda::serve_fn(config, move |event| rushes_starter::handle(starter, event))
        .await
}
