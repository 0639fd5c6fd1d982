//! Unit tests of `choice.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use serde_json::json;

fn check(rule: Value, input: Value) -> Result<bool, AslError> {
    let (r, _) = parse_rule(&rule, "test", false)?;
    r.eval(&input, &json!({"Execution": {"Name": "n1"}}))
}

fn t(rule: Value, input: Value) -> bool {
    check(rule, input).unwrap()
}

#[test]
fn string_operators() {
    let i = json!({"s": "beta", "o": "beta", "p": "alpha"});
    assert!(t(
        json!({"Variable": "$.s", "StringEquals": "beta"}),
        i.clone()
    ));
    assert!(!t(
        json!({"Variable": "$.s", "StringEquals": "Beta"}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.s", "StringEqualsPath": "$.o"}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.p", "StringLessThan": "beta"}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.s", "StringGreaterThanPath": "$.p"}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.s", "StringLessThanEquals": "beta"}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.s", "StringGreaterThanEquals": "beta"}),
        i.clone()
    ));
    assert!(!t(
        json!({"Variable": "$.s", "StringGreaterThan": "beta"}),
        i.clone()
    ));
    assert!(!t(
        json!({"Variable": "$.n", "StringEquals": "1"}),
        json!({"n": 1})
    ));
    assert!(t(
        json!({"Variable": "$$.Execution.Name", "StringEquals": "n1"}),
        json!({})
    ));
}

#[test]
fn string_matches_wildcards_and_escapes() {
    assert!(wildcard_match("log-*.txt", "log-2024.txt"));
    assert!(wildcard_match("*.log", "a.b.log"));
    assert!(!wildcard_match("*.log", "a.log.txt"));
    assert!(wildcard_match("a*b*c", "aXXbYYc"));
    assert!(!wildcard_match("a*b*c", "aXXbYY"));
    assert!(wildcard_match("*", ""));
    assert!(wildcard_match(r"star\*", "star*"));
    assert!(!wildcard_match(r"star\*", "starX"));
    assert!(wildcard_match(r"back\\slash", r"back\slash"));
    assert!(t(
        json!({"Variable": "$.f", "StringMatches": "*.ari"}),
        json!({"f": "A001.ari"})
    ));
}

#[test]
fn numeric_boolean_timestamp_operators() {
    let i = json!({"n": 5, "f": 2.5, "m": 5, "b": true, "t": "2024-01-02T00:00:00Z", "u": "2024-01-01T23:00:00-02:00"});
    assert!(t(json!({"Variable": "$.n", "NumericEquals": 5}), i.clone()));
    assert!(t(
        json!({"Variable": "$.n", "NumericEquals": 5.0}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.n", "NumericEqualsPath": "$.m"}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.f", "NumericLessThan": 3}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.f", "NumericGreaterThan": 2}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.n", "NumericLessThanEquals": 5}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.f"}),
        i.clone()
    ));
    assert!(!t(
        json!({"Variable": "$.b", "NumericEquals": 1}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.b", "BooleanEquals": true}),
        i.clone()
    ));
    assert!(!t(
        json!({"Variable": "$.b", "BooleanEqualsPath": "$.n"}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.t", "TimestampEquals": "2024-01-02T00:00:00Z"}),
        i.clone()
    ));
    // 23:00 at -02:00 is 01:00Z on the 2nd, after the other.
    assert!(t(
        json!({"Variable": "$.u", "TimestampGreaterThanPath": "$.t"}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.t", "TimestampLessThan": "2024-01-02T00:00:01Z"}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.t", "TimestampLessThanEquals": "2024-01-02T00:00:00Z"}),
        i.clone()
    ));
    assert!(t(
        json!({"Variable": "$.t", "TimestampGreaterThanEquals": "2024-01-02T00:00:00Z"}),
        i.clone()
    ));
    assert!(!t(
        json!({"Variable": "$.n", "TimestampEquals": "2024-01-02T00:00:00Z"}),
        i
    ));
}

#[test]
fn type_tests() {
    let i = json!({"z": null, "n": 1, "s": "x", "b": false, "t": "2024-01-02T00:00:00Z", "d": "2024-01-02"});
    assert!(t(json!({"Variable": "$.z", "IsNull": true}), i.clone()));
    assert!(t(json!({"Variable": "$.n", "IsNull": false}), i.clone()));
    assert!(t(json!({"Variable": "$.n", "IsPresent": true}), i.clone()));
    assert!(t(
        json!({"Variable": "$.nope", "IsPresent": false}),
        i.clone()
    ));
    assert!(!t(
        json!({"Variable": "$.nope", "IsPresent": true}),
        i.clone()
    ));
    assert!(t(json!({"Variable": "$.n", "IsNumeric": true}), i.clone()));
    assert!(t(json!({"Variable": "$.s", "IsString": true}), i.clone()));
    assert!(t(json!({"Variable": "$.b", "IsBoolean": true}), i.clone()));
    assert!(t(
        json!({"Variable": "$.t", "IsTimestamp": true}),
        i.clone()
    ));
    assert!(t(json!({"Variable": "$.d", "IsTimestamp": false}), i));
}

#[test]
fn boolean_combinators() {
    let i = json!({"n": 5, "s": "x"});
    let gt = json!({"Variable": "$.n", "NumericGreaterThan": 1});
    let eq = json!({"Variable": "$.s", "StringEquals": "y"});
    assert!(!t(json!({"And": [gt.clone(), eq.clone()]}), i.clone()));
    assert!(t(json!({"Or": [gt.clone(), eq.clone()]}), i.clone()));
    assert!(t(json!({"Not": eq}), i.clone()));
    assert!(t(
        json!({"And": [gt, {"Not": {"Variable": "$.n", "NumericEquals": 4}}]}),
        i
    ));
}

#[test]
fn missing_variable_is_runtime_error() {
    let err = check(json!({"Variable": "$.nope", "NumericEquals": 1}), json!({})).unwrap_err();
    assert_eq!(err.error_name(), "States.Runtime");
    let err = check(
        json!({"Variable": "$.a", "NumericEqualsPath": "$.nope"}),
        json!({"a": 1}),
    )
    .unwrap_err();
    assert_eq!(err.error_name(), "States.Runtime");
}

#[test]
fn malformed_rules_are_refused() {
    for bad in [
        json!({"Variable": "$.a"}),
        json!({"Variable": "$.a", "StringEquals": 1}),
        json!({"Variable": "$.a", "NumericEquals": "1"}),
        json!({"Variable": "$.a", "TimestampEquals": "yesterday"}),
        json!({"Variable": "$.a", "IsNull": "yes"}),
        json!({"Variable": "$.a", "StringMatchesPath": "$.b"}),
        json!({"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1}),
        json!({"Variable": "a", "StringEquals": "x"}),
        json!({"And": []}),
        json!({"And": [{"Variable": "$.a", "IsNull": true, "Next": "X"}]}),
        json!({"Variable": "$.a", "Bogus": 1}),
        json!({"Variable": "$.a", "IsNull": true, "Or": [{"Variable": "$.a", "IsNull": true}]}),
        json!("not an object"),
    ] {
        assert!(
            parse_rule(&bad, "t", false).is_err(),
            "{bad} should be refused"
        );
    }
    assert!(parse_rule(&json!({"Variable": "$.a", "IsNull": true}), "t", true).is_err());
}
