//! The caller-supplied ports of the runner: task invocation, sleeping and the clock.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// A task's failure: a States-style error name and a cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailure {
    /// Error name, e.g. `Rushes.VerificationFailed` (matched by Retry/Catch `ErrorEquals`).
    pub error: String,
    /// Human-readable cause (often a JSON document, as Lambda reports it).
    pub cause: String,
}

impl TaskFailure {
    /// A failure with the given name and cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
        }
    }
}

/// What a task invocation knows about where it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskContext {
    /// The execution's name.
    pub execution_name: String,
    /// The execution's ARN-style id.
    pub execution_id: String,
    /// The Task state's name.
    pub state_name: String,
    /// How many times this state has been retried so far (0 on the first attempt).
    pub retry_count: u32,
    /// The Resource as written in the definition (for `lambda:invoke`, the state's resource ARN,
    /// while the `resource` argument of [`TaskInvoker::invoke`] is the FunctionName).
    pub resource: String,
    /// For `lambda:invoke` tasks: the whole effective Parameters (FunctionName, Payload, Qualifier...).
    pub parameters: Option<Value>,
    /// The state's HeartbeatSeconds, for invokers that can report liveness (not enforced locally).
    pub heartbeat_seconds: Option<u64>,
}

/// Runs Task states' resources.
#[async_trait::async_trait]
pub trait TaskInvoker: Send + Sync {
    /// Runs one Task state's resource with its effective input; `Err` carries a States-style error
    /// name and cause.
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        ctx: &TaskContext,
    ) -> Result<Value, TaskFailure>;
}

/// Sleeps for Wait states and retry back-off; tests inject one that returns at once.
#[async_trait::async_trait]
pub trait Sleeper: Send + Sync {
    /// Waits for `duration`.
    async fn sleep(&self, duration: Duration);
}

/// Real sleeping on the tokio timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

#[async_trait::async_trait]
impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// The wall clock (context timestamps, Wait `Timestamp`); tests inject a fixed one.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
