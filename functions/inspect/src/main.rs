//! Lambda wrapper of the inspect step.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = rushes_common::Config::from_pairs(std::env::vars())?;
    rushes_common::lambda::serve(config, rushes_inspect::handle).await
}
