//! The state-machine definition model: machines, states, Retry/Catch rules, and `${Name}` substitutions.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::choice::ChoiceRule;
use super::error::AslError;
use super::intrinsics::Call;
use super::jsonpath::JsonPath;
use super::template::Template;

/// A parsed (sub-)state machine: the top level, a Parallel branch, or a Map item processor.
#[derive(Debug, Clone)]
pub struct Machine {
    /// The first state.
    pub start_at: String,
    /// The states by name.
    pub states: HashMap<String, State>,
    /// Whole-execution timeout (top level only).
    pub timeout_seconds: Option<u64>,
}

/// How a state ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    /// Go to the named state.
    Next(String),
    /// The (sub-)machine ends here.
    End,
}

/// One state.
#[derive(Debug, Clone)]
pub struct State {
    /// Its name.
    pub name: String,
    /// `InputPath` (`None` when set to null).
    pub input_path: Option<JsonPath>,
    /// `OutputPath` (`None` when set to null).
    pub output_path: Option<JsonPath>,
    /// `Next`/`End`; `None` for Choice, Succeed and Fail.
    pub transition: Option<Transition>,
    /// The type-specific part.
    pub kind: Kind,
}

/// Fields shared by Task, Parallel and Map.
#[derive(Debug, Clone, Default)]
pub struct Handling {
    /// `Parameters` (Map: `ItemSelector`).
    pub parameters: Option<Template>,
    /// `ResultSelector`.
    pub result_selector: Option<Template>,
    /// `ResultPath` (`None` when null: the result is discarded).
    pub result_path: Option<JsonPath>,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
}

/// A number of seconds, literal or read from the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Seconds {
    /// Literal.
    Fixed(u64),
    /// Read from the effective input by a reference path.
    Path(JsonPath),
}

/// The Wait state's variants.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitSpec {
    /// `Seconds` or `SecondsPath`.
    Seconds(Seconds),
    /// `Timestamp`.
    Timestamp(DateTime<FixedOffset>),
    /// `TimestampPath`.
    TimestampPath(JsonPath),
}

/// A Fail state's Error/Cause: literal, path or intrinsic.
#[derive(Debug, Clone, PartialEq)]
pub enum FailField {
    /// `Error` / `Cause`.
    Literal(String),
    /// `ErrorPath` / `CausePath` as a path.
    Path(JsonPath),
    /// `ErrorPath` / `CausePath` as an intrinsic function.
    Intrinsic(Call),
}

/// The type-specific part of a state.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Pass.
    Pass {
        /// `Parameters`.
        parameters: Option<Template>,
        /// `Result`.
        result: Option<Value>,
        /// `ResultPath`.
        result_path: Option<JsonPath>,
    },
    /// Task.
    Task {
        /// `Resource` as written.
        resource: String,
        /// Parameters, selectors, Retry, Catch.
        handling: Handling,
        /// `TimeoutSeconds`/`TimeoutSecondsPath`.
        timeout: Option<Seconds>,
        /// `HeartbeatSeconds`/`HeartbeatSecondsPath` (validated, not enforced locally).
        heartbeat: Option<Seconds>,
    },
    /// Choice.
    Choice {
        /// `Choices`.
        rules: Vec<ChoiceRule>,
        /// `Default`.
        default: Option<String>,
    },
    /// Wait.
    Wait(WaitSpec),
    /// Succeed.
    Succeed,
    /// Fail.
    Fail {
        /// `Error`/`ErrorPath`.
        error: Option<FailField>,
        /// `Cause`/`CausePath`.
        cause: Option<FailField>,
    },
    /// Parallel.
    Parallel {
        /// `Branches`.
        branches: Vec<Arc<Machine>>,
        /// Parameters, selectors, Retry, Catch.
        handling: Handling,
    },
    /// Inline Map.
    Map {
        /// `ItemsPath`.
        items_path: JsonPath,
        /// `ItemProcessor` / `Iterator`.
        processor: Arc<Machine>,
        /// `MaxConcurrency` (0 = unbounded) or `MaxConcurrencyPath`.
        max_concurrency: Seconds,
        /// ItemSelector (in `parameters`), selectors, Retry, Catch.
        handling: Handling,
    },
}

/// One `Retry` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrier {
    /// `ErrorEquals`.
    pub error_equals: Vec<String>,
    /// `IntervalSeconds` (default 1).
    pub interval_seconds: f64,
    /// `MaxAttempts` (default 3).
    pub max_attempts: u32,
    /// `BackoffRate` (default 2.0).
    pub backoff_rate: f64,
    /// `MaxDelaySeconds`.
    pub max_delay_seconds: Option<f64>,
    /// `JitterStrategy: FULL`.
    pub full_jitter: bool,
}

/// One `Catch` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Catcher {
    /// `ErrorEquals`.
    pub error_equals: Vec<String>,
    /// `Next`.
    pub next: String,
    /// `ResultPath` (default `$`).
    pub result_path: Option<JsonPath>,
}

/// Every state name `st` may transition to.
pub fn targets(st: &State) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some(Transition::Next(n)) = &st.transition {
        out.push(n.as_str());
    }
    match &st.kind {
        Kind::Choice { rules, default } => {
            out.extend(rules.iter().map(|r| r.next.as_str()));
            out.extend(default.as_deref());
        }
        Kind::Task { handling, .. }
        | Kind::Parallel { handling, .. }
        | Kind::Map { handling, .. } => {
            out.extend(handling.catch.iter().map(|c| c.next.as_str()));
        }
        _ => {}
    }
    out
}

/// Every `${Name}` placeholder in `text` (SAM DefinitionSubstitutions style).
pub fn substitution_names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
                {
                    out.insert(name.to_string());
                }
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// Replaces every `${Name}` in `text` with its value; a placeholder without a value is an error.
pub fn apply_substitutions(
    text: &str,
    values: &HashMap<String, String>,
) -> Result<String, AslError> {
    let mut out = text.to_string();
    for name in substitution_names(text) {
        let value = values
            .get(&name)
            .ok_or_else(|| AslError::MissingSubstitution(name.clone()))?;
        out = out.replace(&format!("${{{name}}}"), value);
    }
    Ok(out)
}

/// All state names of a machine and its nested branches/processors (for duplicate-free reporting).
pub fn all_state_names(m: &Machine) -> HashSet<String> {
    let mut out = HashSet::new();
    for (name, st) in &m.states {
        out.insert(name.clone());
        match &st.kind {
            Kind::Parallel { branches, .. } => {
                branches.iter().for_each(|b| out.extend(all_state_names(b)))
            }
            Kind::Map { processor, .. } => out.extend(all_state_names(processor)),
            _ => {}
        }
    }
    out
}
