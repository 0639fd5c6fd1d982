//! The Lambda serve loop every step's `main.rs` calls: tracing setup, ports from the config, the
//! typed handler behind a JSON boundary, and failures reported under their stable `Rushes.*`
//! names so Step Functions Retry/Catch rules can match them.

use std::future::Future;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Config, Error, Ports, Result};

/// Sets up logging once: JSON lines when `config.log_json` (the default on Lambda), else text.
/// A second call is a no-op.
pub fn init_tracing(config: &Config) {
    let builder = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_target(false);
    let _ = if config.log_json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// The Lambda error report of a failure: `errorType` is the stable name (`Rushes.NotFound`...).
pub fn diagnostic(err: &Error) -> Diagnostic {
    Diagnostic {
        error_type: err.name().to_string(),
        error_message: err.to_string(),
    }
}

/// Decodes `payload`, runs `handler`, encodes its output; errors keep their stable names
/// (an undecodable payload is `Rushes.BadInput`, not a runtime deserialisation error).
pub async fn invoke<I, O, F, Fut>(
    handler: &F,
    ports: Ports,
    payload: serde_json::Value,
) -> Result<serde_json::Value, Diagnostic>
where
    I: DeserializeOwned,
    O: Serialize,
    F: Fn(Ports, I) -> Fut,
    Fut: Future<Output = Result<O>>,
{
    run_json(|input| handler(ports, input), payload).await
}

async fn run_json<I, O, F, Fut>(
    handler: F,
    payload: serde_json::Value,
) -> Result<serde_json::Value, Diagnostic>
where
    I: DeserializeOwned,
    O: Serialize,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O>>,
{
    let outcome = async {
        let input: I = serde_json::from_value(payload)
            .map_err(|e| Error::BadInput(format!("invalid event: {e}")))?;
        let output = handler(input).await?;
        serde_json::to_value(output)
            .map_err(|e| Error::BadInput(format!("cannot encode the output: {e}")))
    }
    .await;
    outcome.map_err(|err| {
        tracing::error!(error_type = err.name(), error = %err, "step failed");
        diagnostic(&err)
    })
}

/// Runs a step handler `fn(Ports, Input) -> Result<Output>` as a Lambda function: builds the
/// ports from `config` (see [`crate::aws`]) and serves invocations until the runtime stops.
pub async fn serve<I, O, F, Fut>(config: Config, handler: F) -> Result<(), lambda_runtime::Error>
where
    I: DeserializeOwned + Send,
    O: Serialize + Send,
    F: Fn(Ports, I) -> Fut + Send + Sync,
    Fut: Future<Output = Result<O>> + Send,
{
    init_tracing(&config);
    let ports = crate::aws::ports(&config).await?;
    let handler = &handler;
    let ports = &ports;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            invoke(handler, ports.clone(), event.payload).await
        },
    ))
    .await
}

/// Runs a handler that needs no ports (the starter) as a Lambda function, with the same JSON
/// boundary and error names as [`serve`].
pub async fn serve_fn<I, O, F, Fut>(config: Config, handler: F) -> Result<(), lambda_runtime::Error>
where
    I: DeserializeOwned + Send,
    O: Serialize + Send,
    F: Fn(I) -> Fut + Send + Sync,
    Fut: Future<Output = Result<O>> + Send,
{
    init_tracing(&config);
    let handler = &handler;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            run_json(handler, event.payload).await
        },
    ))
    .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::sync::Arc;

    use super::*;
    use crate::catalog_embedded::EmbeddedCatalog;
    use crate::store_local::LocalStore;

    #[derive(serde::Deserialize)]
    struct In {
        roll: String,
    }

    async fn handler(_ports: Ports, input: In) -> Result<serde_json::Value> {
        match input.roll.as_str() {
            "missing" => Err(Error::NotFound("rolls/missing".into())),
            "bad" => Err(Error::VerificationFailed("a.dng differs".into())),
            roll => Ok(serde_json::json!({ "roll": roll })),
        }
    }

    fn ports(dir: &std::path::Path) -> Ports {
        Ports {
            library: Arc::new(LocalStore::open(dir.join("lib")).unwrap()),
            archive: None,
            catalog: Arc::new(EmbeddedCatalog::open(dir.join("c.redb")).unwrap()),
        }
    }

    #[tokio::test]
    async fn errors_carry_stable_names_as_error_type() {
        let dir = tempfile::tempdir().unwrap();
        let ok = invoke(
            &handler,
            ports(dir.path()),
            serde_json::json!({ "roll": "A001" }),
        )
        .await
        .unwrap();
        assert_eq!(ok["roll"], "A001");
        let e = invoke(
            &handler,
            ports(dir.path()),
            serde_json::json!({ "roll": "missing" }),
        )
        .await
        .unwrap_err();
        assert_eq!(e.error_type, "Rushes.NotFound");
        assert!(e.error_message.contains("rolls/missing"));
        let e = invoke(
            &handler,
            ports(dir.path()),
            serde_json::json!({ "roll": "bad" }),
        )
        .await
        .unwrap_err();
        assert_eq!(e.error_type, "Rushes.VerificationFailed");
        let e = invoke(
            &handler,
            ports(dir.path()),
            serde_json::json!({ "reel": 3 }),
        )
        .await
        .unwrap_err();
        assert_eq!(e.error_type, "Rushes.BadInput");
        assert!(e.error_message.contains("roll"), "{}", e.error_message);
    }
}
