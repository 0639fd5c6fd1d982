//! Local Amazon States Language (JSONPath) runner: loads and validates a state machine, then runs it
//! in-process with the same semantics as AWS Step Functions, calling tasks through [`TaskInvoker`].

mod choice;
mod error;
mod exec;
mod history;
mod intrinsics;
mod invoker;
mod jsonpath;
mod model;
mod parse;
mod processing;
mod template;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::SecondsFormat;
use serde::Serialize;
use serde_json::{Value, json};

pub use error::{AslError, names};
pub use history::{Event, HistoryEvent, Progress, ProgressFn};
pub use invoker::{
    Clock, Sleeper, SystemClock, TaskContext, TaskFailure, TaskInvoker, TokioSleeper,
};
pub use jsonpath::JsonPath;
pub use model::{apply_substitutions, substitution_names};
pub use processing::{error_matches, is_lambda_invoke};

use exec::Runner;
use model::{Kind, Machine};

/// Largest definition accepted (AWS's limit is 1 MB).
pub const MAX_DEFINITION_BYTES: usize = 1024 * 1024;
/// AWS's limit on an execution's history.
pub const DEFAULT_MAX_HISTORY_EVENTS: usize = 25_000;
/// AWS's limit on a state's input or output.
pub const DEFAULT_MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// A loaded and validated state machine.
#[derive(Debug, Clone)]
pub struct StateMachine {
    name: String,
    machine: Arc<Machine>,
    definition: Value,
}

/// How an execution runs: injectable sleeping and clock, progress, limits.
#[derive(Clone)]
pub struct ExecOptions {
    /// Waits for Wait states and retry back-off.
    pub sleeper: Arc<dyn Sleeper>,
    /// Supplies timestamps (context object, history, Wait `Timestamp`).
    pub clock: Arc<dyn Clock>,
    /// Live progress callback.
    pub progress: Option<ProgressFn>,
    /// History event limit; reaching it fails the execution with `States.Runtime`.
    pub max_history_events: usize,
    /// Payload size limit (`States.DataLimitExceeded`); `None` disables the check.
    pub max_payload_bytes: Option<usize>,
    /// Region used in the ARNs of the context object.
    pub region: String,
    /// Account used in the ARNs of the context object.
    pub account: String,
}

impl Default for ExecOptions {
    fn default() -> Self {
        Self {
            sleeper: Arc::new(TokioSleeper),
            clock: Arc::new(SystemClock),
            progress: None,
            max_history_events: DEFAULT_MAX_HISTORY_EVENTS,
            max_payload_bytes: Some(DEFAULT_MAX_PAYLOAD_BYTES),
            region: "local".into(),
            account: "000000000000".into(),
        }
    }
}

impl fmt::Debug for ExecOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecOptions")
            .field("progress", &self.progress.is_some())
            .field("max_history_events", &self.max_history_events)
            .field("max_payload_bytes", &self.max_payload_bytes)
            .field("region", &self.region)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// How an execution ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status")]
pub enum ExecutionStatus {
    /// It reached an End or Succeed state.
    Succeeded,
    /// It failed (a Fail state, an uncaught error, or a terminal States.Runtime error).
    Failed {
        /// Error name.
        error: String,
        /// Cause.
        cause: String,
    },
}

/// The result of one execution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Execution {
    /// Execution name.
    pub name: String,
    /// ARN-style execution id.
    pub id: String,
    /// Outcome.
    #[serde(flatten)]
    pub status: ExecutionStatus,
    /// Output (when it succeeded).
    pub output: Option<Value>,
    /// Every recorded event, in order.
    pub history: Vec<HistoryEvent>,
}

impl Execution {
    /// True when it succeeded.
    pub fn succeeded(&self) -> bool {
        self.status == ExecutionStatus::Succeeded
    }

    /// The whole execution (status, output, history) as JSON for saving.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl StateMachine {
    /// Parses and validates a definition given as JSON text.
    pub fn from_json(name: &str, text: &str) -> Result<Self, AslError> {
        if text.len() > MAX_DEFINITION_BYTES {
            return Err(AslError::invalid(
                format!("state machine '{name}'"),
                format!(
                    "the definition is {} bytes, over the {MAX_DEFINITION_BYTES}-byte limit",
                    text.len()
                ),
            ));
        }
        let value: Value = serde_json::from_str(text)
            .map_err(|e| AslError::Json(format!("state machine '{name}': {e}")))?;
        Self::from_value(name, &value)
    }

    /// Replaces `${Name}` placeholders from `substitutions`, then parses and validates.
    pub fn from_json_with_substitutions(
        name: &str,
        text: &str,
        substitutions: &HashMap<String, String>,
    ) -> Result<Self, AslError> {
        Self::from_json(name, &apply_substitutions(text, substitutions)?)
    }

    /// Validates a definition already parsed as JSON.
    pub fn from_value(name: &str, definition: &Value) -> Result<Self, AslError> {
        let machine = parse::parse_definition(definition)?;
        Ok(Self {
            name: name.to_string(),
            machine: Arc::new(machine),
            definition: definition.clone(),
        })
    }

    /// The state machine's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The definition as loaded.
    pub fn definition(&self) -> &Value {
        &self.definition
    }

    /// Every state name, including those inside Parallel branches and Map processors.
    pub fn state_names(&self) -> BTreeSet<String> {
        model::all_state_names(&self.machine).into_iter().collect()
    }

    /// Every Task `Resource` in the definition (nested ones included), sorted.
    pub fn resources(&self) -> BTreeSet<String> {
        fn walk(m: &Machine, out: &mut BTreeSet<String>) {
            for st in m.states.values() {
                match &st.kind {
                    Kind::Task { resource, .. } => {
                        out.insert(resource.clone());
                    }
                    Kind::Parallel { branches, .. } => branches.iter().for_each(|b| walk(b, out)),
                    Kind::Map { processor, .. } => walk(processor, out),
                    _ => {}
                }
            }
        }
        let mut out = BTreeSet::new();
        walk(&self.machine, &mut out);
        out
    }

    /// Runs one execution to its end. Never panics; every failure becomes `ExecutionStatus::Failed`.
    pub async fn execute(
        &self,
        name: &str,
        input: Value,
        invoker: Arc<dyn TaskInvoker>,
        options: ExecOptions,
    ) -> Execution {
        let sm_id = format!(
            "arn:aws:states:{}:{}:stateMachine:{}",
            options.region, options.account, self.name
        );
        let exec_id = format!(
            "arn:aws:states:{}:{}:execution:{}:{}",
            options.region, options.account, self.name, name
        );
        let start = options
            .clock
            .now()
            .to_rfc3339_opts(SecondsFormat::Millis, true);
        let runner = Arc::new(Runner {
            invoker,
            sleeper: options.sleeper,
            clock: options.clock,
            progress: options.progress,
            history: Mutex::new(Vec::new()),
            max_events: options.max_history_events.max(3),
            max_payload_bytes: options.max_payload_bytes,
            execution: json!({
                "Id": exec_id,
                "Input": input,
                "Name": name,
                "RoleArn": format!("arn:aws:iam::{}:role/local", options.account),
                "StartTime": start,
                "RedriveCount": 0
            }),
            state_machine: json!({"Id": sm_id, "Name": self.name}),
            execution_name: name.to_string(),
            execution_id: exec_id.clone(),
        });
        let result = match runner.record(Event::ExecutionStarted {
            input: input.clone(),
        }) {
            Err(e) => Err(e),
            Ok(()) => {
                let run = Arc::clone(&runner).run_machine(Arc::clone(&self.machine), input);
                match self.machine.timeout_seconds {
                    Some(t) => {
                        match tokio::time::timeout(std::time::Duration::from_secs(t), run).await {
                            Ok(r) => r,
                            Err(_) => Err(AslError::runtime(
                                names::TIMEOUT,
                                format!("the execution ran longer than its TimeoutSeconds ({t})"),
                            )),
                        }
                    }
                    None => run.await,
                }
            }
        };
        let (status, output) = match result {
            Ok(out) => {
                runner.record_final(Event::ExecutionSucceeded {
                    output: out.clone(),
                });
                (ExecutionStatus::Succeeded, Some(out))
            }
            Err(e) => {
                let (error, cause) = (e.error_name().to_string(), e.cause());
                runner.record_final(Event::ExecutionFailed {
                    error: error.clone(),
                    cause: cause.clone(),
                });
                (ExecutionStatus::Failed { error, cause }, None)
            }
        };
        let history =
            std::mem::take(&mut *runner.history.lock().unwrap_or_else(|p| p.into_inner()));
        Execution {
            name: name.to_string(),
            id: exec_id,
            status,
            output,
            history,
        }
    }
}

/// The placeholder name of a resource written as `${Name}` (SAM DefinitionSubstitutions), if it is one.
pub fn substitution_key(resource: &str) -> Option<&str> {
    resource
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .filter(|n| !n.is_empty() && !n.contains('$'))
}
