//! The runner's error type: load-time refusals (naming the state and field) and run-time States.* errors.

/// Everything that can go wrong loading or running a state machine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AslError {
    /// The definition is not JSON at all.
    #[error("state machine definition is not valid JSON: {0}")]
    Json(String),
    /// The definition is JSON but breaks a rule of the Amazon States Language.
    #[error("{location}: {message}")]
    Invalid {
        /// Where: e.g. `state 'Verify' field 'Next'`.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// The definition uses a feature this local runner deliberately does not implement.
    #[error("{location}: {feature} is not supported by the local runner")]
    Unsupported {
        /// Where the feature is used.
        location: String,
        /// The feature, e.g. `QueryLanguage "JSONata"`.
        feature: String,
    },
    /// A `${Name}` substitution has no value.
    #[error("definition substitution ${{{0}}} has no value")]
    MissingSubstitution(String),
    /// A run-time failure carrying a States-style error name (`States.Runtime`, `States.TaskFailed`,
    /// a task's own error name, ...) and a cause.
    #[error("{error}: {cause}")]
    Runtime {
        /// Error name as Retry/Catch `ErrorEquals` sees it.
        error: String,
        /// Human-readable cause.
        cause: String,
    },
}

impl AslError {
    /// A load-time error at `location`.
    pub(crate) fn invalid(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            location: location.into(),
            message: message.into(),
        }
    }

    /// A load-time refusal of an unsupported feature at `location`.
    pub(crate) fn unsupported(location: impl Into<String>, feature: impl Into<String>) -> Self {
        Self::Unsupported {
            location: location.into(),
            feature: feature.into(),
        }
    }

    /// A run-time error with the given States error name.
    pub(crate) fn runtime(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self::Runtime {
            error: error.into(),
            cause: cause.into(),
        }
    }

    /// A `States.Runtime` error (never retried, never caught).
    pub(crate) fn states_runtime(cause: impl Into<String>) -> Self {
        Self::runtime(names::RUNTIME, cause)
    }

    /// The States error name for a run-time error; load errors report `States.Runtime`.
    pub fn error_name(&self) -> &str {
        match self {
            Self::Runtime { error, .. } => error,
            _ => names::RUNTIME,
        }
    }

    /// The cause text.
    pub fn cause(&self) -> String {
        match self {
            Self::Runtime { cause, .. } => cause.clone(),
            other => other.to_string(),
        }
    }
}

/// The predefined error names of the Amazon States Language.
pub mod names {
    /// Wildcard matching every error except `States.Runtime` and `States.DataLimitExceeded`.
    pub const ALL: &str = "States.ALL";
    /// Wildcard matching every error except `States.Timeout` (and the terminal ones).
    pub const TASK_FAILED: &str = "States.TaskFailed";
    /// A task ran longer than `TimeoutSeconds`.
    pub const TIMEOUT: &str = "States.Timeout";
    /// A task did not heartbeat in time.
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    /// Terminal run-time error: bad paths, bad intrinsic arguments, history limit.
    pub const RUNTIME: &str = "States.Runtime";
    /// Terminal error: a payload too large.
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    /// No Choice rule matched and there is no Default.
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    /// ResultPath could not be applied to the state's input.
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    /// A Parallel branch failed.
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
}
