//! Choice rules: parsing every comparison operator and evaluating them against a state's input.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::error::AslError;
use super::jsonpath::JsonPath;

/// A comparison operator (without the `Path` suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// StringEquals.
    StringEquals,
    /// StringLessThan.
    StringLessThan,
    /// StringGreaterThan.
    StringGreaterThan,
    /// StringLessThanEquals.
    StringLessThanEquals,
    /// StringGreaterThanEquals.
    StringGreaterThanEquals,
    /// StringMatches (`*` wildcards).
    StringMatches,
    /// NumericEquals.
    NumericEquals,
    /// NumericLessThan.
    NumericLessThan,
    /// NumericGreaterThan.
    NumericGreaterThan,
    /// NumericLessThanEquals.
    NumericLessThanEquals,
    /// NumericGreaterThanEquals.
    NumericGreaterThanEquals,
    /// BooleanEquals.
    BooleanEquals,
    /// TimestampEquals.
    TimestampEquals,
    /// TimestampLessThan.
    TimestampLessThan,
    /// TimestampGreaterThan.
    TimestampGreaterThan,
    /// TimestampLessThanEquals.
    TimestampLessThanEquals,
    /// TimestampGreaterThanEquals.
    TimestampGreaterThanEquals,
    /// IsNull.
    IsNull,
    /// IsPresent.
    IsPresent,
    /// IsNumeric.
    IsNumeric,
    /// IsString.
    IsString,
    /// IsBoolean.
    IsBoolean,
    /// IsTimestamp.
    IsTimestamp,
}

const OPS: &[(&str, Op)] = &[
    ("StringEquals", Op::StringEquals),
    ("StringLessThan", Op::StringLessThan),
    ("StringGreaterThan", Op::StringGreaterThan),
    ("StringLessThanEquals", Op::StringLessThanEquals),
    ("StringGreaterThanEquals", Op::StringGreaterThanEquals),
    ("StringMatches", Op::StringMatches),
    ("NumericEquals", Op::NumericEquals),
    ("NumericLessThan", Op::NumericLessThan),
    ("NumericGreaterThan", Op::NumericGreaterThan),
    ("NumericLessThanEquals", Op::NumericLessThanEquals),
    ("NumericGreaterThanEquals", Op::NumericGreaterThanEquals),
    ("BooleanEquals", Op::BooleanEquals),
    ("TimestampEquals", Op::TimestampEquals),
    ("TimestampLessThan", Op::TimestampLessThan),
    ("TimestampGreaterThan", Op::TimestampGreaterThan),
    ("TimestampLessThanEquals", Op::TimestampLessThanEquals),
    ("TimestampGreaterThanEquals", Op::TimestampGreaterThanEquals),
    ("IsNull", Op::IsNull),
    ("IsPresent", Op::IsPresent),
    ("IsNumeric", Op::IsNumeric),
    ("IsString", Op::IsString),
    ("IsBoolean", Op::IsBoolean),
    ("IsTimestamp", Op::IsTimestamp),
];

/// What a test compares against.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A literal from the definition.
    Literal(Value),
    /// A `...Path` operator's path.
    Path(JsonPath),
}

/// A Boolean expression of a Choice rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// All must match.
    And(Vec<Rule>),
    /// Any must match.
    Or(Vec<Rule>),
    /// Must not match.
    Not(Box<Rule>),
    /// `Variable` compared with an operator.
    Test {
        /// The variable.
        variable: JsonPath,
        /// The operator.
        op: Op,
        /// Literal or path operand.
        operand: Operand,
    },
}

/// A top-level rule with its transition.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceRule {
    /// The condition.
    pub rule: Rule,
    /// Where to go when it matches.
    pub next: String,
}

/// Parses one rule object; `top` rules must have `Next`, nested ones must not.
pub fn parse_rule(
    v: &Value,
    location: &str,
    top: bool,
) -> Result<(Rule, Option<String>), AslError> {
    let Value::Object(obj) = v else {
        return Err(AslError::invalid(
            location,
            "a Choice rule must be an object",
        ));
    };
    let next = match obj.get("Next") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(AslError::invalid(location, "'Next' must be a string")),
    };
    if top && next.is_none() {
        return Err(AslError::invalid(
            location,
            "a top-level Choice rule needs 'Next'",
        ));
    }
    if !top && next.is_some() {
        return Err(AslError::invalid(
            location,
            "'Next' is only allowed on top-level Choice rules",
        ));
    }
    let rule = parse_expr(obj, location)?;
    Ok((rule, next))
}

fn parse_expr(obj: &Map<String, Value>, location: &str) -> Result<Rule, AslError> {
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "Next" | "Comment" | "Variable" | "And" | "Or" | "Not"
        ) && find_op(key).is_none()
        {
            return Err(AslError::invalid(
                location,
                format!("unknown field '{key}' in a Choice rule"),
            ));
        }
    }
    if obj.contains_key("Condition") {
        return Err(AslError::unsupported(location, "'Condition' (JSONata)"));
    }
    let boolean: Vec<&str> = ["And", "Or", "Not"]
        .into_iter()
        .filter(|k| obj.contains_key(*k))
        .collect();
    if boolean.len() > 1 || (!boolean.is_empty() && obj.contains_key("Variable")) {
        return Err(AslError::invalid(
            location,
            "a Choice rule must have exactly one of And, Or, Not or a Variable test",
        ));
    }
    if let Some(k) = boolean.first() {
        let v = &obj[*k];
        return match *k {
            "Not" => {
                let (r, _) = parse_rule(v, location, false)?;
                Ok(Rule::Not(Box::new(r)))
            }
            _ => {
                let Value::Array(items) = v else {
                    return Err(AslError::invalid(
                        location,
                        format!("'{k}' must be an array of rules"),
                    ));
                };
                if items.is_empty() {
                    return Err(AslError::invalid(
                        location,
                        format!("'{k}' must not be empty"),
                    ));
                }
                let rules = items
                    .iter()
                    .map(|i| parse_rule(i, location, false).map(|(r, _)| r))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if *k == "And" {
                    Rule::And(rules)
                } else {
                    Rule::Or(rules)
                })
            }
        };
    }
    let variable = match obj.get("Variable") {
        Some(Value::String(s)) => JsonPath::parse(s)
            .map_err(|e| AslError::invalid(location, format!("'Variable': {e}")))?,
        Some(_) => return Err(AslError::invalid(location, "'Variable' must be a string")),
        None => {
            return Err(AslError::invalid(
                location,
                "a Choice rule needs 'Variable' (or And/Or/Not)",
            ));
        }
    };
    let ops: Vec<(&String, &Value)> = obj.iter().filter(|(k, _)| find_op(k).is_some()).collect();
    let [(key, value)] = ops.as_slice() else {
        return Err(AslError::invalid(
            location,
            "a Choice rule needs exactly one comparison operator",
        ));
    };
    let (op, is_path) =
        find_op(key).ok_or_else(|| AslError::invalid(location, "unknown operator"))?;
    let operand = if is_path {
        let Value::String(s) = value else {
            return Err(AslError::invalid(
                location,
                format!("'{key}' must be a path string"),
            ));
        };
        Operand::Path(
            JsonPath::parse(s).map_err(|e| AslError::invalid(location, format!("'{key}': {e}")))?,
        )
    } else {
        let ok = match op {
            Op::StringEquals
            | Op::StringLessThan
            | Op::StringGreaterThan
            | Op::StringLessThanEquals
            | Op::StringGreaterThanEquals
            | Op::StringMatches => value.is_string(),
            Op::NumericEquals
            | Op::NumericLessThan
            | Op::NumericGreaterThan
            | Op::NumericLessThanEquals
            | Op::NumericGreaterThanEquals => value.is_number(),
            Op::TimestampEquals
            | Op::TimestampLessThan
            | Op::TimestampGreaterThan
            | Op::TimestampLessThanEquals
            | Op::TimestampGreaterThanEquals => value.as_str().and_then(timestamp).is_some(),
            _ => value.is_boolean(),
        };
        if !ok {
            return Err(AslError::invalid(
                location,
                format!("'{key}' has a value of the wrong type: {value}"),
            ));
        }
        Operand::Literal((*value).clone())
    };
    Ok(Rule::Test {
        variable,
        op,
        operand,
    })
}

fn find_op(key: &str) -> Option<(Op, bool)> {
    if let Some((_, op)) = OPS.iter().find(|(n, _)| *n == key) {
        return Some((*op, false));
    }
    let base = key.strip_suffix("Path")?;
    let (_, op) = OPS.iter().find(|(n, _)| *n == base)?;
    let pathable = !matches!(
        op,
        Op::StringMatches
            | Op::IsNull
            | Op::IsPresent
            | Op::IsNumeric
            | Op::IsString
            | Op::IsBoolean
            | Op::IsTimestamp
    );
    pathable.then_some((*op, true))
}

/// Parses an ASL timestamp (RFC 3339 with an uppercase `T` and a time zone).
pub fn timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    if !s.contains('T') {
        return None;
    }
    DateTime::parse_from_rfc3339(s).ok()
}

impl Rule {
    /// Evaluates the rule; a missing `Variable` (other than for IsPresent) or a missing operand path is
    /// a `States.Runtime` error, as in Step Functions.
    pub fn eval(&self, input: &Value, context: &Value) -> Result<bool, AslError> {
        match self {
            Rule::And(rules) => {
                for r in rules {
                    if !r.eval(input, context)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Rule::Or(rules) => {
                for r in rules {
                    if r.eval(input, context)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Rule::Not(r) => Ok(!r.eval(input, context)?),
            Rule::Test {
                variable,
                op,
                operand,
            } => {
                let pick = |p: &JsonPath| p.select(if p.is_context() { context } else { input });
                let value = pick(variable);
                if *op == Op::IsPresent {
                    return Ok(value.is_some() == (operand == &Operand::Literal(Value::Bool(true))));
                }
                let value = value.ok_or_else(|| {
                    AslError::states_runtime(format!(
                        "Invalid path '{}': the choice state's condition path references an undefined value",
                        variable.text()
                    ))
                })?;
                let other = match operand {
                    Operand::Literal(v) => v.clone(),
                    Operand::Path(p) => pick(p).ok_or_else(|| {
                        AslError::states_runtime(format!(
                            "Invalid path '{}': the choice state's comparison path references an undefined value",
                            p.text()
                        ))
                    })?,
                };
                Ok(compare(*op, &value, &other))
            }
        }
    }
}

fn compare(op: Op, v: &Value, other: &Value) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let flag = other.as_bool().unwrap_or(false);
    let ord = |o: Option<std::cmp::Ordering>, want: &[std::cmp::Ordering]| {
        o.is_some_and(|o| want.contains(&o))
    };
    let strings = || match (v, other) {
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    };
    let numbers = || match (v, other) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => a
                .as_f64()
                .zip(b.as_f64())
                .and_then(|(x, y)| x.partial_cmp(&y)),
        },
        _ => None,
    };
    let times = || match (
        v.as_str().and_then(timestamp),
        other.as_str().and_then(timestamp),
    ) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        _ => None,
    };
    match op {
        Op::StringEquals => ord(strings(), &[Equal]),
        Op::StringLessThan => ord(strings(), &[Less]),
        Op::StringGreaterThan => ord(strings(), &[Greater]),
        Op::StringLessThanEquals => ord(strings(), &[Less, Equal]),
        Op::StringGreaterThanEquals => ord(strings(), &[Greater, Equal]),
        Op::StringMatches => match (v, other) {
            (Value::String(s), Value::String(p)) => wildcard_match(p, s),
            _ => false,
        },
        Op::NumericEquals => ord(numbers(), &[Equal]),
        Op::NumericLessThan => ord(numbers(), &[Less]),
        Op::NumericGreaterThan => ord(numbers(), &[Greater]),
        Op::NumericLessThanEquals => ord(numbers(), &[Less, Equal]),
        Op::NumericGreaterThanEquals => ord(numbers(), &[Greater, Equal]),
        Op::BooleanEquals => matches!((v, other), (Value::Bool(a), Value::Bool(b)) if a == b),
        Op::TimestampEquals => ord(times(), &[Equal]),
        Op::TimestampLessThan => ord(times(), &[Less]),
        Op::TimestampGreaterThan => ord(times(), &[Greater]),
        Op::TimestampLessThanEquals => ord(times(), &[Less, Equal]),
        Op::TimestampGreaterThanEquals => ord(times(), &[Greater, Equal]),
        Op::IsNull => v.is_null() == flag,
        Op::IsPresent => flag,
        Op::IsNumeric => v.is_number() == flag,
        Op::IsString => v.is_string() == flag,
        Op::IsBoolean => v.is_boolean() == flag,
        Op::IsTimestamp => v.as_str().and_then(timestamp).is_some() == flag,
    }
}

/// `StringMatches`: `*` matches any run of characters; `\*` is a literal star and `\\` a backslash.
pub fn wildcard_match(pattern: &str, s: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Tok {
        Star,
        Ch(char),
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some(n) => toks.push(Tok::Ch(n)),
                None => toks.push(Tok::Ch('\\')),
            },
            '*' => toks.push(Tok::Star),
            c => toks.push(Tok::Ch(c)),
        }
    }
    let chars: Vec<char> = s.chars().collect();
    // Greedy matching with backtracking to the last star.
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < chars.len() {
        match toks.get(p) {
            Some(Tok::Ch(c)) if *c == chars[i] => {
                p += 1;
                i += 1;
            }
            Some(Tok::Star) => {
                star = Some((p, i));
                p += 1;
            }
            _ => match star {
                Some((sp, si)) => {
                    p = sp + 1;
                    i = si + 1;
                    star = Some((sp, si + 1));
                }
                None => return false,
            },
        }
    }
    toks[p..].iter().all(|t| *t == Tok::Star)
}

#[cfg(test)]
#[path = "choice_tests.rs"]
mod tests;
