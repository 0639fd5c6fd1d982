//! Input/output processing helpers (InputPath, ResultPath, OutputPath, seconds and Fail fields) and
//! error-name matching for Retry/Catch.

use serde_json::{Value, json};

use super::error::{AslError, names};
use super::intrinsics;
use super::jsonpath::{JsonPath, kind};
use super::model::{FailField, Seconds, State};

/// Is this the Lambda `invoke` service integration (request-response)?
pub fn is_lambda_invoke(resource: &str) -> bool {
    resource.starts_with("arn:")
        && resource.ends_with(":lambda:invoke")
        && resource.contains(":states:")
}

pub(crate) fn is_terminal(name: &str) -> bool {
    name == names::RUNTIME || name == names::DATA_LIMIT_EXCEEDED
}

/// Does `ErrorEquals` match `name`?
pub fn error_matches(list: &[String], name: &str) -> bool {
    list.iter().any(|e| {
        e == name
            || (e == names::ALL && !is_terminal(name))
            || (e == names::TASK_FAILED && name != names::TIMEOUT && !is_terminal(name))
    })
}

pub(crate) fn missing(p: &JsonPath, field: &str) -> AslError {
    AslError::states_runtime(format!(
        "Invalid path '{}' for {field}: nothing was found at that path",
        p.text()
    ))
}

pub(crate) fn input_path(st: &State, raw: &Value, ctx: &Value) -> Result<Value, AslError> {
    match &st.input_path {
        None => Ok(json!({})),
        Some(p) => p
            .select(if p.is_context() { ctx } else { raw })
            .ok_or_else(|| {
                AslError::states_runtime(format!(
                    "state '{}': Invalid path '{}': the InputPath could not be found in the input",
                    st.name,
                    p.text()
                ))
            }),
    }
}

pub(crate) fn output_path(st: &State, out: Value, ctx: &Value) -> Result<Value, AslError> {
    match &st.output_path {
        None => Ok(json!({})),
        Some(p) if p.is_root() => Ok(out),
        Some(p) => p.select(if p.is_context() { ctx } else { &out }).ok_or_else(|| {
            AslError::states_runtime(format!(
                "state '{}': Invalid path '{}': the OutputPath could not be found in the output",
                st.name,
                p.text()
            ))
        }),
    }
}

pub(crate) fn apply_result_path(
    rp: &Option<JsonPath>,
    raw: &Value,
    result: Value,
) -> Result<Value, AslError> {
    match rp {
        None => Ok(raw.clone()),
        Some(p) if p.is_root() => Ok(result),
        Some(p) => p
            .set(raw.clone(), result)
            .map_err(|e| AslError::runtime(names::RESULT_PATH_MATCH_FAILURE, e)),
    }
}

pub(crate) fn seconds_value(s: &Seconds, eff: &Value, field: &str) -> Result<u64, AslError> {
    match s {
        Seconds::Fixed(n) => Ok(*n),
        Seconds::Path(p) => {
            let v = p.select(eff).ok_or_else(|| missing(p, field))?;
            v.as_u64().ok_or_else(|| {
                AslError::states_runtime(format!(
                    "{field} '{}' must select a non-negative integer, found {v}",
                    p.text()
                ))
            })
        }
    }
}

pub(crate) fn secs_until(
    now: chrono::DateTime<chrono::Utc>,
    then: chrono::DateTime<chrono::Utc>,
) -> f64 {
    ((then - now).num_milliseconds().max(0) as f64) / 1000.0
}

pub(crate) fn fail_text(
    f: Option<&FailField>,
    raw: &Value,
    ctx: &Value,
    field: &str,
) -> Result<String, AslError> {
    let v = match f {
        None => return Ok(String::new()),
        Some(FailField::Literal(s)) => return Ok(s.clone()),
        Some(FailField::Path(p)) => p.select(raw).ok_or_else(|| missing(p, field))?,
        Some(FailField::Intrinsic(c)) => intrinsics::eval(c, raw, ctx)?,
    };
    match v {
        Value::String(s) => Ok(s),
        other => Err(AslError::states_runtime(format!(
            "{field} must select a string, found a {}",
            kind(&other)
        ))),
    }
}
