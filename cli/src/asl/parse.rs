//! Load-time parsing and validation of a definition into the model, refusing unsupported features.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::choice::{self, ChoiceRule};
use super::error::{AslError, names};
use super::intrinsics;
use super::jsonpath::JsonPath;
use super::model::{
    Catcher, FailField, Handling, Kind, Machine, Retrier, Seconds, State, Transition, WaitSpec,
    targets,
};
use super::template::Template;

/// Field access on one JSON object with a location for messages.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    loc: String,
}

impl<'a> Obj<'a> {
    fn new(v: &'a Value, loc: impl Into<String>) -> Result<Self, AslError> {
        let loc = loc.into();
        match v {
            Value::Object(map) => Ok(Self { map, loc }),
            _ => Err(AslError::invalid(loc, "must be a JSON object")),
        }
    }

    fn has(&self, k: &str) -> bool {
        self.map.contains_key(k)
    }

    fn err(&self, msg: impl Into<String>) -> AslError {
        AslError::invalid(self.loc.clone(), msg)
    }

    fn string(&self, k: &str) -> Result<Option<&'a str>, AslError> {
        match self.map.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.err(format!("field '{k}' must be a string"))),
        }
    }

    fn req_string(&self, k: &str) -> Result<&'a str, AslError> {
        self.string(k)?
            .ok_or_else(|| self.err(format!("field '{k}' is required")))
    }

    fn uint(&self, k: &str) -> Result<Option<u64>, AslError> {
        match self.map.get(k) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                self.err(format!(
                    "field '{k}' must be a non-negative integer, got {v}"
                ))
            }),
        }
    }

    fn number(&self, k: &str) -> Result<Option<f64>, AslError> {
        match self.map.get(k) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.err(format!("field '{k}' must be a number, got {v}"))),
        }
    }

    /// A path field that may be null (`Some(None)`), absent (`None`) or a path.
    fn nullable_path(
        &self,
        k: &str,
        reference: bool,
    ) -> Result<Option<Option<JsonPath>>, AslError> {
        match self.map.get(k) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) => {
                let p = if reference {
                    JsonPath::parse_reference(s)
                } else {
                    JsonPath::parse(s)
                };
                p.map(|p| Some(Some(p)))
                    .map_err(|e| self.err(format!("field '{k}': {e}")))
            }
            Some(_) => Err(self.err(format!("field '{k}' must be a path string or null"))),
        }
    }

    fn path(&self, k: &str, reference: bool) -> Result<Option<JsonPath>, AslError> {
        match self.nullable_path(k, reference)? {
            Some(None) => Err(self.err(format!("field '{k}' must not be null"))),
            Some(Some(p)) => Ok(Some(p)),
            None => Ok(None),
        }
    }

    fn template(&self, k: &str) -> Result<Option<Template>, AslError> {
        self.map
            .get(k)
            .map(|v| Template::compile(v, &format!("{} field '{k}'", self.loc)))
            .transpose()
    }

    fn only(&self, allowed: &[&str]) -> Result<(), AslError> {
        for key in self.map.keys() {
            if !allowed.contains(&key.as_str()) {
                return Err(self.err(format!("unknown or misplaced field '{key}'")));
            }
        }
        Ok(())
    }

    fn exclusive(&self, a: &str, b: &str) -> Result<(), AslError> {
        if self.has(a) && self.has(b) {
            return Err(self.err(format!("'{a}' and '{b}' cannot both be given")));
        }
        Ok(())
    }
}

/// Parses and validates a whole definition.
pub fn parse_definition(v: &Value) -> Result<Machine, AslError> {
    parse_machine(v, "state machine", true)
}

fn check_query_language(o: &Obj<'_>) -> Result<(), AslError> {
    match o.string("QueryLanguage")? {
        None | Some("JSONPath") => Ok(()),
        Some("JSONata") => Err(AslError::unsupported(
            o.loc.clone(),
            "QueryLanguage \"JSONata\"",
        )),
        Some(other) => Err(o.err(format!("unknown QueryLanguage '{other}'"))),
    }
}

fn parse_machine(v: &Value, loc: &str, top: bool) -> Result<Machine, AslError> {
    let o = Obj::new(v, loc)?;
    check_query_language(&o)?;
    let mut allowed = vec!["StartAt", "States", "Comment", "QueryLanguage"];
    if top {
        allowed.extend(["Version", "TimeoutSeconds"]);
    } else {
        allowed.push("ProcessorConfig");
    }
    o.only(&allowed)?;
    let start_at = o.req_string("StartAt")?.to_string();
    let timeout_seconds = if top { o.uint("TimeoutSeconds")? } else { None };
    let states_obj = o
        .map
        .get("States")
        .and_then(Value::as_object)
        .ok_or_else(|| o.err("field 'States' is required and must be an object"))?;
    if states_obj.is_empty() {
        return Err(o.err("'States' must not be empty"));
    }
    let prefix = if top {
        String::new()
    } else {
        format!("{loc} > ")
    };
    let mut states = HashMap::new();
    for (name, sv) in states_obj {
        if name.is_empty() || name.chars().count() > 80 {
            return Err(o.err(format!("state name '{name}' must be 1 to 80 characters")));
        }
        let st = parse_state(name, sv, &format!("{prefix}state '{name}'"))?;
        states.insert(name.clone(), st);
    }
    let machine = Machine {
        start_at,
        states,
        timeout_seconds,
    };
    check_targets(&machine, loc)?;
    Ok(machine)
}

fn check_targets(m: &Machine, loc: &str) -> Result<(), AslError> {
    if !m.states.contains_key(&m.start_at) {
        return Err(AslError::invalid(
            loc,
            format!("StartAt '{}' is not a state", m.start_at),
        ));
    }
    let mut reachable = BTreeSet::new();
    let mut todo = vec![m.start_at.clone()];
    while let Some(name) = todo.pop() {
        if !reachable.insert(name.clone()) {
            continue;
        }
        let Some(st) = m.states.get(&name) else {
            continue;
        };
        for target in targets(st) {
            if !m.states.contains_key(target) {
                return Err(AslError::invalid(
                    format!("{loc}: state '{name}'"),
                    format!("transition target '{target}' is not a state"),
                ));
            }
            todo.push(target.to_string());
        }
    }
    let mut unreachable: Vec<&String> = m
        .states
        .keys()
        .filter(|k| !reachable.contains(*k))
        .collect();
    unreachable.sort();
    if let Some(name) = unreachable.first() {
        return Err(AslError::invalid(
            format!("{loc}: state '{name}'"),
            "is not reachable from StartAt",
        ));
    }
    Ok(())
}

const COMMON: &[&str] = &[
    "Type",
    "Comment",
    "InputPath",
    "OutputPath",
    "Next",
    "End",
    "QueryLanguage",
];

fn parse_state(name: &str, v: &Value, loc: &str) -> Result<State, AslError> {
    let o = Obj::new(v, loc)?;
    check_query_language(&o)?;
    for (field, what) in [
        ("Arguments", "'Arguments' (JSONata)"),
        ("Output", "'Output' (JSONata)"),
        ("Assign", "'Assign' (workflow variables)"),
        ("Items", "'Items' (JSONata)"),
        ("Credentials", "'Credentials' (cross-account tasks)"),
    ] {
        if o.has(field) {
            return Err(AslError::unsupported(loc, what));
        }
    }
    let ty = o.req_string("Type")?;
    let mut allowed: Vec<&str> = COMMON.to_vec();
    let terminal_type = matches!(ty, "Choice" | "Succeed" | "Fail");
    let io = !matches!(ty, "Fail");
    let kind = match ty {
        "Pass" => {
            allowed.extend(["Parameters", "Result", "ResultPath"]);
            Kind::Pass {
                parameters: o.template("Parameters")?,
                result: o.map.get("Result").cloned(),
                result_path: result_path(&o, "ResultPath")?,
            }
        }
        "Task" => {
            allowed.extend([
                "Resource",
                "Parameters",
                "ResultSelector",
                "ResultPath",
                "Retry",
                "Catch",
                "TimeoutSeconds",
                "TimeoutSecondsPath",
                "HeartbeatSeconds",
                "HeartbeatSecondsPath",
            ]);
            let resource = o.req_string("Resource")?;
            check_resource(resource, loc)?;
            o.exclusive("TimeoutSeconds", "TimeoutSecondsPath")?;
            o.exclusive("HeartbeatSeconds", "HeartbeatSecondsPath")?;
            let timeout = seconds(&o, "TimeoutSeconds", "TimeoutSecondsPath")?;
            let heartbeat = seconds(&o, "HeartbeatSeconds", "HeartbeatSecondsPath")?;
            if let (Some(Seconds::Fixed(t)), Some(Seconds::Fixed(h))) = (&timeout, &heartbeat)
                && h >= t
            {
                return Err(o.err("HeartbeatSeconds must be smaller than TimeoutSeconds"));
            }
            if matches!(timeout, Some(Seconds::Fixed(0)))
                || matches!(heartbeat, Some(Seconds::Fixed(0)))
            {
                return Err(o.err("TimeoutSeconds and HeartbeatSeconds must be positive"));
            }
            Kind::Task {
                resource: resource.to_string(),
                handling: handling(&o, "Parameters")?,
                timeout,
                heartbeat,
            }
        }
        "Choice" => {
            allowed.extend(["Choices", "Default"]);
            let Some(Value::Array(items)) = o.map.get("Choices") else {
                return Err(o.err("field 'Choices' is required and must be an array"));
            };
            if items.is_empty() {
                return Err(o.err("'Choices' must not be empty"));
            }
            let mut rules = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let (rule, next) = choice::parse_rule(item, &format!("{loc} Choices[{i}]"), true)?;
                rules.push(ChoiceRule {
                    rule,
                    next: next.unwrap_or_default(),
                });
            }
            Kind::Choice {
                rules,
                default: o.string("Default")?.map(str::to_string),
            }
        }
        "Wait" => {
            allowed.extend(["Seconds", "SecondsPath", "Timestamp", "TimestampPath"]);
            let given: Vec<&str> = ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"]
                .into_iter()
                .filter(|k| o.has(k))
                .collect();
            if given.len() != 1 {
                return Err(o.err("a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath"));
            }
            Kind::Wait(match given[0] {
                "Seconds" | "SecondsPath" => WaitSpec::Seconds(
                    seconds(&o, "Seconds", "SecondsPath")?
                        .ok_or_else(|| o.err("missing Seconds"))?,
                ),
                "Timestamp" => {
                    let s = o.req_string("Timestamp")?;
                    WaitSpec::Timestamp(choice::timestamp(s).ok_or_else(|| {
                        o.err(format!("'Timestamp' is not an RFC 3339 timestamp: {s}"))
                    })?)
                }
                _ => WaitSpec::TimestampPath(
                    o.path("TimestampPath", true)?
                        .ok_or_else(|| o.err("missing TimestampPath"))?,
                ),
            })
        }
        "Succeed" => Kind::Succeed,
        "Fail" => {
            allowed = vec![
                "Type",
                "Comment",
                "Error",
                "ErrorPath",
                "Cause",
                "CausePath",
                "QueryLanguage",
            ];
            o.exclusive("Error", "ErrorPath")?;
            o.exclusive("Cause", "CausePath")?;
            Kind::Fail {
                error: fail_field(&o, "Error", "ErrorPath")?,
                cause: fail_field(&o, "Cause", "CausePath")?,
            }
        }
        "Parallel" => {
            allowed.extend([
                "Branches",
                "Parameters",
                "ResultSelector",
                "ResultPath",
                "Retry",
                "Catch",
            ]);
            let Some(Value::Array(items)) = o.map.get("Branches") else {
                return Err(o.err("field 'Branches' is required and must be an array"));
            };
            if items.is_empty() {
                return Err(o.err("'Branches' must not be empty"));
            }
            let branches = items
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    parse_machine(b, &format!("{loc} > Branches[{i}]"), false).map(Arc::new)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Kind::Parallel {
                branches,
                handling: handling(&o, "Parameters")?,
            }
        }
        "Map" => {
            for field in [
                "ItemReader",
                "ItemBatcher",
                "ResultWriter",
                "ToleratedFailurePercentage",
                "ToleratedFailurePercentagePath",
                "ToleratedFailureCount",
                "ToleratedFailureCountPath",
                "Label",
            ] {
                if o.has(field) {
                    return Err(AslError::unsupported(
                        loc,
                        format!("'{field}' (Distributed Map)"),
                    ));
                }
            }
            allowed.extend([
                "ItemsPath",
                "ItemSelector",
                "Parameters",
                "ItemProcessor",
                "Iterator",
                "MaxConcurrency",
                "MaxConcurrencyPath",
                "ResultSelector",
                "ResultPath",
                "Retry",
                "Catch",
            ]);
            o.exclusive("ItemSelector", "Parameters")?;
            o.exclusive("ItemProcessor", "Iterator")?;
            o.exclusive("MaxConcurrency", "MaxConcurrencyPath")?;
            let (key, pv) = match (o.map.get("ItemProcessor"), o.map.get("Iterator")) {
                (Some(p), _) => ("ItemProcessor", p),
                (None, Some(p)) => ("Iterator", p),
                (None, None) => {
                    return Err(o.err("a Map state needs 'ItemProcessor' (or 'Iterator')"));
                }
            };
            if let Some(cfg) = pv.get("ProcessorConfig") {
                let c = Obj::new(cfg, format!("{loc} > {key} ProcessorConfig"))?;
                c.only(&["Mode", "ExecutionType"])?;
                match c.string("Mode")? {
                    None | Some("INLINE") => {}
                    Some("DISTRIBUTED") => {
                        return Err(AslError::unsupported(
                            loc,
                            "ProcessorConfig Mode \"DISTRIBUTED\" (Distributed Map)",
                        ));
                    }
                    Some(m) => return Err(c.err(format!("unknown Mode '{m}'"))),
                }
            }
            let processor = Arc::new(parse_machine(pv, &format!("{loc} > {key}"), false)?);
            let items_path = o.path("ItemsPath", true)?.unwrap_or_else(root_path);
            let max_concurrency =
                seconds(&o, "MaxConcurrency", "MaxConcurrencyPath")?.unwrap_or(Seconds::Fixed(0));
            let param_key = if o.has("Parameters") {
                "Parameters"
            } else {
                "ItemSelector"
            };
            Kind::Map {
                items_path,
                processor,
                max_concurrency,
                handling: handling(&o, param_key)?,
            }
        }
        other => return Err(o.err(format!("unknown state Type '{other}'"))),
    };
    o.only(&allowed)?;
    let transition = if terminal_type {
        if o.has("Next") || o.has("End") {
            return Err(o.err(format!("a {ty} state cannot have 'Next' or 'End'")));
        }
        None
    } else {
        let end = match o.map.get("End") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(o.err("field 'End' must be a boolean")),
        };
        match (o.string("Next")?, end) {
            (Some(_), true) => return Err(o.err("a state cannot have both 'Next' and 'End'")),
            (Some(n), false) => Some(Transition::Next(n.to_string())),
            (None, true) => Some(Transition::End),
            (None, false) => {
                return Err(o.err("a non-terminal state needs 'Next' or \"End\": true"));
            }
        }
    };
    let (input_path, output_path) = if io {
        (
            o.nullable_path("InputPath", false)?
                .unwrap_or_else(|| Some(root_path())),
            o.nullable_path("OutputPath", false)?
                .unwrap_or_else(|| Some(root_path())),
        )
    } else {
        (Some(root_path()), Some(root_path()))
    };
    Ok(State {
        name: name.to_string(),
        input_path,
        output_path,
        transition,
        kind,
    })
}

fn root_path() -> JsonPath {
    JsonPath::root()
}

fn result_path(o: &Obj<'_>, k: &str) -> Result<Option<JsonPath>, AslError> {
    Ok(o.nullable_path(k, true)?
        .unwrap_or_else(|| Some(root_path())))
}

fn seconds(o: &Obj<'_>, lit: &str, path: &str) -> Result<Option<Seconds>, AslError> {
    if let Some(n) = o.uint(lit)? {
        if n > 99_999_999 {
            return Err(o.err(format!("'{lit}' is too large (at most 99999999)")));
        }
        return Ok(Some(Seconds::Fixed(n)));
    }
    Ok(o.path(path, true)?.map(Seconds::Path))
}

fn fail_field(o: &Obj<'_>, lit: &str, path: &str) -> Result<Option<FailField>, AslError> {
    if let Some(s) = o.string(lit)? {
        return Ok(Some(FailField::Literal(s.to_string())));
    }
    match o.string(path)? {
        None => Ok(None),
        Some(s) if intrinsics::is_intrinsic(s) => intrinsics::parse(s)
            .map(|c| Some(FailField::Intrinsic(c)))
            .map_err(|e| o.err(format!("field '{path}': {e}"))),
        Some(s) => JsonPath::parse_reference(s)
            .map(|p| Some(FailField::Path(p)))
            .map_err(|e| o.err(format!("field '{path}': {e}"))),
    }
}

fn check_resource(resource: &str, loc: &str) -> Result<(), AslError> {
    if resource.ends_with(".waitForTaskToken") {
        return Err(AslError::unsupported(
            loc,
            format!("task tokens (Resource '{resource}')"),
        ));
    }
    if resource.ends_with(".sync") || resource.contains(".sync:") {
        return Err(AslError::unsupported(
            loc,
            format!("'.sync' integrations (Resource '{resource}')"),
        ));
    }
    if resource.trim().is_empty() {
        return Err(AslError::invalid(loc, "'Resource' must not be empty"));
    }
    Ok(())
}

fn handling(o: &Obj<'_>, param_key: &str) -> Result<Handling, AslError> {
    Ok(Handling {
        parameters: o.template(param_key)?,
        result_selector: o.template("ResultSelector")?,
        result_path: result_path(o, "ResultPath")?,
        retry: retriers(o)?,
        catch: catchers(o)?,
    })
}

fn error_equals(o: &Obj<'_>, is_last: bool) -> Result<Vec<String>, AslError> {
    let Some(Value::Array(items)) = o.map.get("ErrorEquals") else {
        return Err(o.err("'ErrorEquals' is required and must be a non-empty array of strings"));
    };
    let list = items
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| o.err("'ErrorEquals' must be a non-empty array of strings"))?;
    if list.iter().any(|e| e == names::ALL) && (list.len() != 1 || !is_last) {
        return Err(o.err("States.ALL must appear alone and in the last entry"));
    }
    Ok(list)
}

fn retriers(o: &Obj<'_>) -> Result<Vec<Retrier>, AslError> {
    let Some(v) = o.map.get("Retry") else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = v else {
        return Err(o.err("'Retry' must be an array"));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let r = Obj::new(item, format!("{} Retry[{i}]", o.loc))?;
        r.only(&[
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
            "Comment",
        ])?;
        let interval = r.uint("IntervalSeconds")?.unwrap_or(1);
        if interval == 0 || interval > 99_999_999 {
            return Err(r.err("'IntervalSeconds' must be a positive integer"));
        }
        let max_attempts = r.uint("MaxAttempts")?.unwrap_or(3);
        let max_attempts = u32::try_from(max_attempts)
            .ok()
            .filter(|n| *n <= 99_999_999)
            .ok_or_else(|| r.err("'MaxAttempts' is too large"))?;
        let backoff_rate = r.number("BackoffRate")?.unwrap_or(2.0);
        if backoff_rate < 1.0 {
            return Err(r.err("'BackoffRate' must be at least 1.0"));
        }
        let max_delay = r.uint("MaxDelaySeconds")?;
        if max_delay == Some(0) {
            return Err(r.err("'MaxDelaySeconds' must be positive"));
        }
        let full_jitter = match r.string("JitterStrategy")? {
            None | Some("NONE") => false,
            Some("FULL") => true,
            Some(other) => {
                return Err(r.err(format!("unknown JitterStrategy '{other}' (FULL or NONE)")));
            }
        };
        out.push(Retrier {
            error_equals: error_equals(&r, i + 1 == items.len())?,
            interval_seconds: interval as f64,
            max_attempts,
            backoff_rate,
            max_delay_seconds: max_delay.map(|d| d as f64),
            full_jitter,
        });
    }
    Ok(out)
}

fn catchers(o: &Obj<'_>) -> Result<Vec<Catcher>, AslError> {
    let Some(v) = o.map.get("Catch") else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = v else {
        return Err(o.err("'Catch' must be an array"));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let c = Obj::new(item, format!("{} Catch[{i}]", o.loc))?;
        if c.has("Output") || c.has("Assign") {
            return Err(AslError::unsupported(
                c.loc.clone(),
                "'Output'/'Assign' in Catch (JSONata/variables)",
            ));
        }
        c.only(&["ErrorEquals", "Next", "ResultPath", "Comment"])?;
        out.push(Catcher {
            error_equals: error_equals(&c, i + 1 == items.len())?,
            next: c.req_string("Next")?.to_string(),
            result_path: result_path(&c, "ResultPath")?,
        });
    }
    Ok(out)
}
