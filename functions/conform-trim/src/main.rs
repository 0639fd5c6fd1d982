//! Lambda wrapper of the conform-trim step.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = rushes_common::Config::from_pairs(std::env::vars())?;
    rushes_common::lambda::serve(config, rushes_conform_trim::handle).await
}
