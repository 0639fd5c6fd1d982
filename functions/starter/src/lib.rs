//! The starter step: turns SQS batches of S3 "upload complete" notifications into ingest
//! state-machine executions, idempotently, and reports failed messages as a partial batch
//! response so only they are redelivered (and end in the dead-letter queue if they keep failing).

pub mod notification;

use async_trait::async_trait;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use aws_sdk_sfn::error::DisplayErrorContext;

use rushes_common::{Config, Error, Result};

pub use notification::{MarkerUpload, Notification, parse_body};

/// What starting one execution did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartOutcome {
    /// A new execution was started.
    Started,
    /// An execution with that name exists already (a redelivered notification).
    AlreadyExists,
}

/// Starts state-machine executions; Step Functions on AWS, a fake in tests.
#[async_trait]
pub trait ExecutionStarter: Send + Sync {
    /// Starts an execution called `name` with the JSON `input`.
    async fn start(&self, name: &str, input: &serde_json::Value) -> Result<StartOutcome>;
}

/// Starts executions of one state machine with Step Functions.
#[derive(Clone, Debug)]
pub struct SfnStarter {
    client: aws_sdk_sfn::Client,
    state_machine_arn: String,
}

impl SfnStarter {
    /// A starter for `state_machine_arn`.
    pub fn new(client: aws_sdk_sfn::Client, state_machine_arn: impl Into<String>) -> Self {
        Self {
            client,
            state_machine_arn: state_machine_arn.into(),
        }
    }

    /// A starter for `RUSHES_INGEST_STATE_MACHINE_ARN`, with a client from the shared SDK config.
    pub fn from_config(sdk: &aws_config::SdkConfig, config: &Config) -> Result<Self> {
        let arn = Config::require(
            &config.ingest_state_machine_arn,
            "RUSHES_INGEST_STATE_MACHINE_ARN",
        )?;
        Ok(Self::new(aws_sdk_sfn::Client::new(sdk), arn))
    }
}

#[async_trait]
impl ExecutionStarter for SfnStarter {
    async fn start(&self, name: &str, input: &serde_json::Value) -> Result<StartOutcome> {
        let result = self
            .client
            .start_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(name)
            .input(input.to_string())
            .send()
            .await;
        match result {
            Ok(_) => Ok(StartOutcome::Started),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_execution_already_exists()) =>
            {
                Ok(StartOutcome::AlreadyExists)
            }
            Err(e) => Err(Error::Store {
                store: self.state_machine_arn.clone(),
                op: "start execution",
                key: name.to_string(),
                detail: DisplayErrorContext(&e).to_string(),
            }),
        }
    }
}

/// Handles one message: starts an execution per marker upload it holds.
pub async fn handle_message<S: ExecutionStarter + ?Sized>(
    starter: &S,
    message_id: &str,
    body: &str,
) -> Result<Vec<(String, StartOutcome)>> {
    let uploads = match parse_body(message_id, body)? {
        Notification::Uploads(uploads) => uploads,
        Notification::TestEvent => {
            tracing::info!(message_id, "S3 test event, nothing to start");
            return Ok(Vec::new());
        }
        Notification::Ignored(why) => {
            tracing::info!(message_id, why, "not an upload marker, ignored");
            return Ok(Vec::new());
        }
    };
    let mut started = Vec::new();
    for upload in uploads {
        let name = upload.execution_name();
        let outcome = starter.start(&name, &upload.execution_input()).await?;
        tracing::info!(
            message_id,
            roll = upload.roll,
            execution = name,
            ?outcome,
            "ingest"
        );
        started.push((name, outcome));
    }
    Ok(started)
}

/// Handles an SQS batch; the response lists the messages to redeliver.
pub async fn handle<S: ExecutionStarter + ?Sized>(
    starter: &S,
    event: SqsEvent,
) -> Result<SqsBatchResponse> {
    let mut response = SqsBatchResponse::default();
    for (index, message) in event.records.into_iter().enumerate() {
        let id = message.message_id.clone().unwrap_or_default();
        let outcome = match (&message.message_id, &message.body) {
            (None, _) => {
                // Without an id the message cannot be reported alone: fail the whole batch.
                return Err(Error::BadInput(format!(
                    "SQS record {index} has no messageId"
                )));
            }
            (Some(_), None) => Err(Error::BadInput(format!("SQS message {id}: no body"))),
            (Some(_), Some(body)) => handle_message(starter, &id, body).await,
        };
        if let Err(err) = outcome {
            tracing::error!(message_id = id, error_type = err.name(), error = %err, "message failed");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::*;

    /// Remembers executions like Step Functions does: a name can only be started once.
    #[derive(Default)]
    struct FakeSfn {
        executions: Mutex<BTreeMap<String, serde_json::Value>>,
        fail_roll: Option<String>,
    }

    #[async_trait]
    impl ExecutionStarter for FakeSfn {
        async fn start(&self, name: &str, input: &serde_json::Value) -> Result<StartOutcome> {
            if self.fail_roll.as_deref() == input["roll"].as_str() {
                return Err(Error::Store {
                    store: "sfn".into(),
                    op: "start execution",
                    key: name.into(),
                    detail: "throttled".into(),
                });
            }
            let mut map = self.executions.lock().unwrap();
            if map.contains_key(name) {
                return Ok(StartOutcome::AlreadyExists);
            }
            map.insert(name.to_string(), input.clone());
            Ok(StartOutcome::Started)
        }
    }

    fn event(path: &str) -> SqsEvent {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../events/starter")
            .join(path);
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        serde_json::from_str(&text).unwrap()
    }

    fn failed(resp: &SqsBatchResponse) -> Vec<&str> {
        resp.batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect()
    }

    #[tokio::test]
    async fn starts_one_execution_per_upload_and_redelivery_starts_none() {
        let sfn = FakeSfn::default();
        let resp = handle(&sfn, event("sqs-s3-upload.json")).await.unwrap();
        assert!(failed(&resp).is_empty());
        let executions = sfn.executions.lock().unwrap().clone();
        assert_eq!(executions.len(), 1);
        let (name, input) = executions.iter().next().unwrap();
        assert!(name.starts_with("A001-"));
        assert_eq!(
            input,
            &serde_json::json!({"roll": "A001", "prefix": "rolls/A001"})
        );
        let again = handle(&sfn, event("sqs-s3-upload.json")).await.unwrap();
        assert!(failed(&again).is_empty());
        assert_eq!(sfn.executions.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn test_event_is_accepted_and_starts_nothing() {
        let sfn = FakeSfn::default();
        let resp = handle(&sfn, event("sqs-test-event.json")).await.unwrap();
        assert!(failed(&resp).is_empty());
        assert!(sfn.executions.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn mixed_batch_reports_only_the_bad_messages() {
        let sfn = FakeSfn::default();
        let batch = event("sqs-mixed-batch.json");
        let ids: Vec<String> = batch
            .records
            .iter()
            .map(|r| r.message_id.clone().unwrap())
            .collect();
        let resp = handle(&sfn, batch).await.unwrap();
        // The sample holds: a good upload (B002), the test event, a hostile key, a non-JSON body.
        assert_eq!(failed(&resp), [ids[2].as_str(), ids[3].as_str()]);
        let rolls: Vec<String> = sfn
            .executions
            .lock()
            .unwrap()
            .values()
            .map(|v| v["roll"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(rolls, ["B002"]);
    }

    #[tokio::test]
    async fn a_failing_start_fails_only_its_message() {
        let sfn = FakeSfn {
            fail_roll: Some("A001".into()),
            ..FakeSfn::default()
        };
        let mut batch = event("sqs-mixed-batch.json");
        batch.records.extend(event("sqs-s3-upload.json").records);
        let last = batch.records.last().unwrap().message_id.clone().unwrap();
        let resp = handle(&sfn, batch).await.unwrap();
        assert_eq!(failed(&resp).len(), 3);
        assert_eq!(failed(&resp)[2], last);
        assert_eq!(sfn.executions.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_record_without_id_fails_the_batch() {
        let sfn = FakeSfn::default();
        let mut batch = event("sqs-s3-upload.json");
        batch.records[0].message_id = None;
        let err = handle(&sfn, batch).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.BadInput");
    }
}
