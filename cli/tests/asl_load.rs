//! Load-time validation of the ASL runner: malformed definitions and refused features.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rushes_cli::asl::{AslError, StateMachine};
use serde_json::{Value, json};

fn load(def: Value) -> Result<StateMachine, AslError> {
    StateMachine::from_value("test", &def)
}

fn task(extra: Value) -> Value {
    let mut t = json!({"Type": "Task", "Resource": "${Fn}", "End": true});
    for (k, v) in extra.as_object().unwrap() {
        t[k] = v.clone();
    }
    json!({"StartAt": "T", "States": {"T": t}})
}

/// Asserts a refusal as Unsupported naming the state and the feature.
fn refused(def: Value, state: &str, feature: &str) {
    match load(def) {
        Err(e @ AslError::Unsupported { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains(state),
                "message should name state {state}: {msg}"
            );
            assert!(
                msg.contains(feature),
                "message should name {feature}: {msg}"
            );
        }
        other => panic!("expected an Unsupported error for {feature}, got {other:?}"),
    }
}

/// Asserts an Invalid error whose message contains every fragment.
fn invalid(def: Value, fragments: &[&str]) {
    match load(def) {
        Err(e @ (AslError::Invalid { .. } | AslError::Json(_))) => {
            let msg = e.to_string();
            for f in fragments {
                assert!(msg.contains(f), "message should contain '{f}': {msg}");
            }
        }
        other => panic!("expected an Invalid error containing {fragments:?}, got {other:?}"),
    }
}

#[test]
fn a_valid_definition_loads() {
    let sm = load(json!({
        "Comment": "ok", "StartAt": "A", "TimeoutSeconds": 60,
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "C"}], "Default": "D"},
            "C": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"},
                  "StartAt": "M", "States": {"M": {"Type": "Task", "Resource": "${Inner}", "End": true}}}, "Next": "D"},
            "D": {"Type": "Parallel", "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}], "Next": "E"},
            "E": {"Type": "Wait", "Seconds": 1, "Next": "F"},
            "F": {"Type": "Fail", "Error": "E", "Cause": "c"}
        }
    }))
    .unwrap();
    assert!(sm.state_names().contains("M"));
    assert_eq!(
        sm.resources().into_iter().collect::<Vec<_>>(),
        vec!["${Inner}".to_string()]
    );
}

#[test]
fn jsonata_and_variables_are_refused() {
    refused(
        json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
        "state machine",
        "JSONata",
    );
    refused(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONata", "End": true}}}),
        "'A'",
        "JSONata",
    );
    refused(task(json!({"Arguments": {"a": 1}})), "'T'", "Arguments");
    refused(
        task(json!({"Output": "{% $states.result %}"})),
        "'T'",
        "Output",
    );
    refused(task(json!({"Assign": {"v": 1}})), "'T'", "Assign");
    refused(
        task(json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "T", "Assign": {}}]})),
        "'T'",
        "Assign",
    );
    refused(
        task(json!({"Credentials": {"RoleArn": "x"}})),
        "'T'",
        "Credentials",
    );
}

fn map_with(extra: Value) -> Value {
    let mut m = json!({"Type": "Map", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}, "End": true});
    for (k, v) in extra.as_object().unwrap() {
        m[k] = v.clone();
    }
    json!({"StartAt": "Big", "States": {"Big": m}})
}

#[test]
fn distributed_map_is_refused() {
    refused(
        map_with(json!({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject"}})),
        "'Big'",
        "ItemReader",
    );
    refused(
        map_with(json!({"ItemBatcher": {"MaxItemsPerBatch": 10}})),
        "'Big'",
        "ItemBatcher",
    );
    refused(
        map_with(json!({"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject"}})),
        "'Big'",
        "ResultWriter",
    );
    refused(
        map_with(json!({"ToleratedFailurePercentage": 5})),
        "'Big'",
        "ToleratedFailurePercentage",
    );
    refused(
        map_with(
            json!({"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}}),
        ),
        "'Big'",
        "DISTRIBUTED",
    );
}

#[test]
fn task_tokens_and_sync_integrations_are_refused() {
    refused(
        task(json!({"Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken"})),
        "'T'",
        "task tokens",
    );
    refused(
        task(json!({"Resource": "arn:aws:states:::ecs:runTask.sync"})),
        "'T'",
        ".sync",
    );
    refused(
        task(json!({"Resource": "arn:aws:states:::states:startExecution.sync:2"})),
        "'T'",
        ".sync",
    );
}

#[test]
fn transitions_are_checked() {
    invalid(
        json!({"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}}),
        &["StartAt 'Nope'"],
    );
    invalid(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Ghost"}}}),
        &["state 'A'", "'Ghost'"],
    );
    invalid(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}),
        &["state 'A'", "Next"],
    );
    invalid(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B", "End": true}, "B": {"Type": "Succeed"}}}),
        &["state 'A'", "both"],
    );
    invalid(
        json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "Orphan": {"Type": "Succeed"}}}),
        &["state 'Orphan'", "not reachable"],
    );
    invalid(
        json!({"StartAt": "A", "States": {"A": {"Type": "Succeed", "Next": "A"}}}),
        &["state 'A'", "cannot have 'Next'"],
    );
    invalid(
        json!({"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "Z"}]}}}),
        &["state 'A'", "'Z'"],
    );
    invalid(
        task(json!({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Missing"}]})),
        &["state 'T'", "'Missing'"],
    );
    // Inside a Map processor the location names the Map and the inner state.
    invalid(
        map_with(
            json!({"ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Next": "Nowhere"}}}}),
        ),
        &["'Big'", "state 'I'", "'Nowhere'"],
    );
    invalid(
        json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "X", "States": {}}]}}}),
        &["'P'", "Branches[0]"],
    );
}

#[test]
fn field_types_and_unknown_fields_are_checked() {
    invalid(
        json!({"StartAt": "A", "States": {"A": {"Type": "Teleport", "End": true}}}),
        &["'A'", "Teleport"],
    );
    invalid(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Bogus": 1}}}),
        &["'A'", "Bogus"],
    );
    invalid(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": "yes"}}}),
        &["'A'", "End"],
    );
    invalid(
        json!({"StartAt": 3, "States": {"A": {"Type": "Succeed"}}}),
        &["StartAt"],
    );
    invalid(json!({"StartAt": "A"}), &["States"]);
    invalid(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "ResultSelector": {}}}}),
        &["ResultSelector"],
    );
    invalid(task(json!({"Resource": 7})), &["'T'", "Resource"]);
    invalid(
        task(json!({"TimeoutSeconds": -1})),
        &["'T'", "TimeoutSeconds"],
    );
    invalid(
        task(json!({"TimeoutSeconds": 5, "HeartbeatSeconds": 5})),
        &["'T'", "HeartbeatSeconds"],
    );
    invalid(
        task(json!({"TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t"})),
        &["'T'", "TimeoutSecondsPath"],
    );
    invalid(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "End": true}}}),
        &["'W'", "Seconds"],
    );
    invalid(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Timestamp": "2024-01-01T00:00:00Z", "End": true}}}),
        &["'W'"],
    );
    invalid(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "tomorrow", "End": true}}}),
        &["'W'", "Timestamp"],
    );
    invalid(
        json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "a", "ErrorPath": "$.e"}}}),
        &["'F'", "ErrorPath"],
    );
    invalid(
        json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "InputPath": "$.e"}}}),
        &["'F'", "InputPath"],
    );
    invalid(
        json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": []}}}),
        &["'C'", "Choices"],
    );
    invalid(
        json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericEquals": "1", "Next": "C"}]}}}),
        &["'C'", "NumericEquals"],
    );
}

#[test]
fn paths_and_templates_are_checked() {
    invalid(
        task(json!({"InputPath": "not-a-path"})),
        &["'T'", "InputPath"],
    );
    invalid(
        task(json!({"ResultPath": "$.items[*]"})),
        &["'T'", "ResultPath", "reference path"],
    );
    invalid(
        task(json!({"ResultPath": "$$.Execution"})),
        &["'T'", "ResultPath"],
    );
    invalid(
        task(json!({"OutputPath": "$.a[?(@.b)]"})),
        &["'T'", "OutputPath"],
    );
    invalid(
        task(json!({"Parameters": {"x.$": "States.Nope($)"}})),
        &["'T'", "x.$", "States.Nope"],
    );
    invalid(
        task(json!({"Parameters": {"x.$": "$.a", "x": 1}})),
        &["'T'", "twice"],
    );
    invalid(task(json!({"ResultSelector": {"x.$": 5}})), &["'T'", "x.$"]);
    invalid(
        map_with(json!({"ItemsPath": "$..all"})),
        &["'Big'", "ItemsPath"],
    );
    invalid(
        map_with(json!({"ItemSelector": {"a": 1}, "Parameters": {"b": 2}})),
        &["'Big'", "ItemSelector"],
    );
}

#[test]
fn retry_and_catch_are_checked() {
    invalid(
        task(json!({"Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]})),
        &["'T'", "Retry[0]", "States.ALL"],
    );
    invalid(
        task(json!({"Retry": [{"ErrorEquals": ["States.ALL", "X"]}]})),
        &["States.ALL"],
    );
    invalid(
        task(json!({"Retry": [{"ErrorEquals": []}]})),
        &["ErrorEquals"],
    );
    invalid(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]})),
        &["BackoffRate"],
    );
    invalid(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 0}]})),
        &["IntervalSeconds"],
    );
    invalid(
        task(json!({"Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "SOME"}]})),
        &["JitterStrategy"],
    );
    invalid(task(json!({"Retry": {"ErrorEquals": ["X"]}})), &["Retry"]);
    invalid(
        task(json!({"Catch": [{"ErrorEquals": ["X"]}]})),
        &["Catch[0]", "Next"],
    );
}

#[test]
fn malformed_text_is_refused() {
    for text in [
        "",
        "{",
        "[1,2]",
        "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Succeed\"}}} trailing",
        "null",
    ] {
        let err = StateMachine::from_json("bad", text).unwrap_err();
        assert!(
            matches!(err, AslError::Json(_) | AslError::Invalid { .. }),
            "{text}: {err:?}"
        );
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(StateMachine::from_json("deep", &deep).is_err());
    let huge = format!(
        "{{\"Comment\": \"{}\", \"StartAt\": \"A\", \"States\": {{\"A\": {{\"Type\": \"Succeed\"}}}}}}",
        "x".repeat(1_100_000)
    );
    let err = StateMachine::from_json("huge", &huge).unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");
}
