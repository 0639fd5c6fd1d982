//! The execution's event history (saved or printed by callers) and live progress notifications.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEvent {
    /// 1-based position in the history.
    pub id: u64,
    /// RFC 3339 time from the execution's clock.
    pub timestamp: String,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

/// What happened; serialised with a `type` tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Event {
    /// The execution began.
    ExecutionStarted {
        /// Execution input.
        input: Value,
    },
    /// The execution ended successfully.
    ExecutionSucceeded {
        /// Execution output.
        output: Value,
    },
    /// The execution failed.
    ExecutionFailed {
        /// Error name.
        error: String,
        /// Cause.
        cause: String,
    },
    /// A state was entered with its raw input.
    StateEntered {
        /// State name.
        state: String,
        /// Raw state input.
        input: Value,
    },
    /// A state finished with its output.
    StateExited {
        /// State name.
        state: String,
        /// State output.
        output: Value,
    },
    /// A task's resource is about to run.
    TaskScheduled {
        /// State name.
        state: String,
        /// Resource invoked.
        resource: String,
        /// Effective input handed to it.
        input: Value,
    },
    /// A task's resource returned.
    TaskSucceeded {
        /// State name.
        state: String,
        /// Raw result.
        output: Value,
    },
    /// A task's resource failed or timed out.
    TaskFailed {
        /// State name.
        state: String,
        /// Error name.
        error: String,
        /// Cause.
        cause: String,
    },
    /// A Retry rule matched; the state runs again after `delay_seconds`.
    RetryScheduled {
        /// State name.
        state: String,
        /// Error being retried.
        error: String,
        /// Retry number for this state (1 = first retry).
        attempt: u32,
        /// Back-off before the retry.
        delay_seconds: f64,
    },
    /// A Catch rule matched.
    ErrorCaught {
        /// State name.
        state: String,
        /// Error caught.
        error: String,
        /// Catcher's Next.
        next: String,
    },
    /// A Wait state began waiting.
    WaitStarted {
        /// State name.
        state: String,
        /// How long.
        seconds: f64,
    },
    /// A Map state began.
    MapStarted {
        /// State name.
        state: String,
        /// Number of items.
        items: usize,
    },
    /// One Map iteration began.
    MapIterationStarted {
        /// State name.
        state: String,
        /// Item index.
        index: usize,
    },
    /// One Map iteration succeeded.
    MapIterationSucceeded {
        /// State name.
        state: String,
        /// Item index.
        index: usize,
    },
    /// One Map iteration failed.
    MapIterationFailed {
        /// State name.
        state: String,
        /// Item index.
        index: usize,
        /// Error name.
        error: String,
    },
    /// A Parallel state started its branches.
    ParallelStarted {
        /// State name.
        state: String,
        /// Number of branches.
        branches: usize,
    },
    /// A state failed (before Retry/Catch are considered).
    StateFailed {
        /// State name.
        state: String,
        /// Error name.
        error: String,
        /// Cause.
        cause: String,
    },
}

/// Live progress for a CLI display.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// A state was entered.
    StateEntered {
        /// State name.
        state: String,
    },
    /// A state finished successfully.
    StateExited {
        /// State name.
        state: String,
    },
    /// A retry is scheduled.
    Retrying {
        /// State name.
        state: String,
        /// Error being retried.
        error: String,
        /// Retry number.
        attempt: u32,
    },
    /// A Map state finished one more item.
    MapItemDone {
        /// Map state name.
        state: String,
        /// Items finished so far.
        done: usize,
        /// Items in total.
        total: usize,
    },
}

/// A progress callback; called from the executing tasks, so keep it quick.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;
