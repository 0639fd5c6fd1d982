//! Executions through the ASL runner: every state type, input/output processing, context object,
//! Map and Parallel concurrency, lambda:invoke, history and progress.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rushes_cli::asl::{
    Clock, Event, ExecOptions, Execution, ExecutionStatus, Progress, Sleeper, StateMachine,
    TaskContext, TaskFailure, TaskInvoker, substitution_key, substitution_names,
};
use serde_json::{Value, json};

type Handler = dyn Fn(&str, Value, &TaskContext) -> Result<Value, TaskFailure> + Send + Sync;

/// Invoker backed by a closure; records every call and tracks concurrency.
struct Fake {
    handler: Box<Handler>,
    calls: Mutex<Vec<(String, Value, TaskContext)>>,
    delay: Duration,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Fake {
    fn new(
        f: impl Fn(&str, Value, &TaskContext) -> Result<Value, TaskFailure> + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self::with_delay(f, Duration::ZERO))
    }

    fn with_delay(
        f: impl Fn(&str, Value, &TaskContext) -> Result<Value, TaskFailure> + Send + Sync + 'static,
        delay: Duration,
    ) -> Self {
        Self {
            handler: Box::new(f),
            calls: Mutex::new(Vec::new()),
            delay,
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    fn calls(&self) -> Vec<(String, Value, TaskContext)> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl TaskInvoker for Fake {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        ctx: &TaskContext,
    ) -> Result<Value, TaskFailure> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        self.calls
            .lock()
            .unwrap()
            .push((resource.to_string(), input.clone(), ctx.clone()));
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let r = (self.handler)(resource, input, ctx);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        r
    }
}

/// Records sleeps without sleeping.
#[derive(Default)]
struct NoSleep(Mutex<Vec<Duration>>);

#[async_trait::async_trait]
impl Sleeper for NoSleep {
    async fn sleep(&self, d: Duration) {
        self.0.lock().unwrap().push(d);
    }
}

struct FixedClock(DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap()
}

fn options(sleeper: &Arc<NoSleep>) -> ExecOptions {
    ExecOptions {
        sleeper: sleeper.clone(),
        clock: Arc::new(FixedClock(t0())),
        ..ExecOptions::default()
    }
}

async fn run_with(def: Value, input: Value, invoker: Arc<Fake>) -> (Execution, Arc<NoSleep>) {
    let sm = StateMachine::from_value("Machine", &def).unwrap();
    let sleeper = Arc::new(NoSleep::default());
    let exec = sm
        .execute("exec-1", input, invoker, options(&sleeper))
        .await;
    (exec, sleeper)
}

async fn run(def: Value, input: Value) -> Execution {
    run_with(def, input, Fake::new(|_, i, _| Ok(i))).await.0
}

fn output(e: &Execution) -> Value {
    assert_eq!(
        e.status,
        ExecutionStatus::Succeeded,
        "history: {:#?}",
        e.history
    );
    e.output.clone().unwrap()
}

fn failed(e: &Execution) -> (String, String) {
    match &e.status {
        ExecutionStatus::Failed { error, cause } => (error.clone(), cause.clone()),
        s => panic!("expected failure, got {s:?} with output {:?}", e.output),
    }
}

fn one(state: Value) -> Value {
    json!({"StartAt": "S", "States": {"S": state}})
}

#[tokio::test]
async fn pass_result_into_result_path_documented_example() {
    let e = run(
        one(
            json!({"Type": "Pass", "Result": {"x-datum": 0.381018, "y-datum": 622.2269926397355},
                   "ResultPath": "$.coords", "End": true}),
        ),
        json!({"georefOf": "Home"}),
    )
    .await;
    assert_eq!(
        output(&e),
        json!({"georefOf": "Home", "coords": {"x-datum": 0.381018, "y-datum": 622.2269926397355}})
    );
}

#[tokio::test]
async fn pass_parameters_and_defaults() {
    let e = run(one(json!({"Type": "Pass", "End": true})), json!({"a": 1})).await;
    assert_eq!(output(&e), json!({"a": 1}));
    let e = run(
        one(json!({"Type": "Pass", "Parameters": {"b.$": "$.a", "c": "k"}, "End": true})),
        json!({"a": 1}),
    )
    .await;
    assert_eq!(output(&e), json!({"b": 1, "c": "k"}));
    // Result wins over Parameters; ResultPath null keeps the input.
    let e = run(
        one(json!({"Type": "Pass", "Result": 5, "ResultPath": null, "End": true})),
        json!({"a": 1}),
    )
    .await;
    assert_eq!(output(&e), json!({"a": 1}));
}

#[tokio::test]
async fn input_path_documented_example() {
    let input = json!({
        "comment": "Example for InputPath.",
        "dataset1": {"val1": 1, "val2": 2, "val3": 3},
        "dataset2": {"val1": "a", "val2": "b", "val3": "c"}
    });
    let e = run(
        one(json!({"Type": "Pass", "InputPath": "$.dataset2", "End": true})),
        input,
    )
    .await;
    assert_eq!(output(&e), json!({"val1": "a", "val2": "b", "val3": "c"}));
}

#[tokio::test]
async fn result_path_documented_examples() {
    let input = json!({"comment": "This is a test of the input and output of a Task state.", "details": "Default example", "who": "AWS Step Functions"});
    let hello =
        || Fake::new(|_, i, _| Ok(json!(format!("Hello, {}!", i["who"].as_str().unwrap()))));
    let task = |rp: Value| {
        let mut t = json!({"Type": "Task", "Resource": "${HelloWorld}", "End": true});
        if !rp.is_string() || rp != json!("<default>") {
            t["ResultPath"] = rp;
        }
        one(t)
    };
    let (e, _) = run_with(task(json!("<default>")), input.clone(), hello()).await;
    assert_eq!(output(&e), json!("Hello, AWS Step Functions!"));
    let (e, _) = run_with(task(json!("$")), input.clone(), hello()).await;
    assert_eq!(output(&e), json!("Hello, AWS Step Functions!"));
    let (e, _) = run_with(task(Value::Null), input.clone(), hello()).await;
    assert_eq!(output(&e), input);
    let (e, _) = run_with(task(json!("$.taskresult")), input.clone(), hello()).await;
    let mut want = input.clone();
    want["taskresult"] = json!("Hello, AWS Step Functions!");
    assert_eq!(output(&e), want);
    // Overwriting an existing field.
    let (e, _) = run_with(task(json!("$.details")), input.clone(), hello()).await;
    assert_eq!(output(&e)["details"], json!("Hello, AWS Step Functions!"));
}

#[tokio::test]
async fn result_path_merges_into_nested_paths() {
    let def =
        one(json!({"Type": "Pass", "Result": {"r": 1}, "ResultPath": "$.a.b.c", "End": true}));
    let e = run(def.clone(), json!({"a": {"keep": true}, "z": 0})).await;
    assert_eq!(
        output(&e),
        json!({"a": {"keep": true, "b": {"c": {"r": 1}}}, "z": 0})
    );
    let e = run(
        one(json!({"Type": "Pass", "Result": 9, "ResultPath": "$.list[1]", "End": true})),
        json!({"list": [0, 0]}),
    )
    .await;
    assert_eq!(output(&e), json!({"list": [0, 9]}));
    // A ResultPath through a string cannot be applied.
    let e = run(def, json!({"a": "text"})).await;
    assert_eq!(failed(&e).0, "States.ResultPathMatchFailure");
}

#[tokio::test]
async fn result_selector_documented_example() {
    let raw = json!({
        "resourceType": "elasticmapreduce", "resource": "createCluster.sync",
        "output": {"SdkHttpMetadata": {"HttpHeaders": {"Content-Length": "1112"}, "HttpStatusCode": 200},
                   "SdkResponseMetadata": {"RequestId": "6b2e"}, "ClusterId": "AKIAIOSFODNN7EXAMPLE"}
    });
    let def = one(json!({"Type": "Task", "Resource": "${Emr}",
        "ResultSelector": {"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"},
        "ResultPath": "$.EMROutput", "End": true}));
    let (e, _) = run_with(
        def,
        json!({"in": 1}),
        Fake::new(move |_, _, _| Ok(raw.clone())),
    )
    .await;
    assert_eq!(
        output(&e),
        json!({"in": 1, "EMROutput": {"ClusterId": "AKIAIOSFODNN7EXAMPLE", "ResourceType": "elasticmapreduce"}})
    );
}

#[tokio::test]
async fn input_path_parameters_output_path_chain_on_a_task() {
    let def = one(
        json!({"Type": "Task", "Resource": "${Fn}", "InputPath": "$.job",
        "Parameters": {"id.$": "$.id", "fixed": true}, "ResultPath": "$.res", "OutputPath": "$.res.echo", "End": true}),
    );
    let fake = Fake::new(|_, i, _| Ok(json!({"echo": i})));
    let (e, _) = run_with(def, json!({"job": {"id": 7, "noise": 1}}), fake.clone()).await;
    assert_eq!(output(&e), json!({"id": 7, "fixed": true}));
    assert_eq!(fake.calls()[0].1, json!({"id": 7, "fixed": true}));
    assert_eq!(fake.calls()[0].0, "${Fn}");
    // InputPath null hands {} to the task; OutputPath null outputs {}.
    let def = one(
        json!({"Type": "Task", "Resource": "${Fn}", "InputPath": null, "OutputPath": null, "End": true}),
    );
    let fake = Fake::new(|_, i, _| Ok(i));
    let (e, _) = run_with(def, json!({"x": 1}), fake.clone()).await;
    assert_eq!(output(&e), json!({}));
    assert_eq!(fake.calls()[0].1, json!({}));
}

#[tokio::test]
async fn missing_paths_are_terminal_runtime_errors() {
    let catch_all = json!([{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]);
    for (field, value) in [
        ("InputPath", json!("$.nope")),
        ("OutputPath", json!("$.nope")),
    ] {
        let mut t =
            json!({"Type": "Task", "Resource": "${Fn}", "Next": "Done", "Catch": catch_all});
        t[field] = value;
        let def = json!({"StartAt": "T", "States": {"T": t, "Caught": {"Type": "Succeed"}, "Done": {"Type": "Succeed"}}});
        let (error, cause) = failed(&run(def, json!({"a": 1})).await);
        assert_eq!(error, "States.Runtime", "{field}");
        assert!(cause.contains("$.nope"), "{cause}");
    }
    let def = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "${Fn}", "Parameters": {"x.$": "$.nope"}, "Next": "Done", "Catch": catch_all},
        "Caught": {"Type": "Succeed"}, "Done": {"Type": "Succeed"}}});
    let (error, cause) = failed(&run(def, json!({})).await);
    assert_eq!(error, "States.Runtime");
    assert!(cause.contains("x.$"), "{cause}");
}

#[tokio::test]
async fn choice_routes_and_falls_back() {
    let def = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$.n", "IsNumeric": true}, {"Variable": "$.n", "NumericGreaterThan": 10}], "Next": "Big"},
            {"Variable": "$.name", "StringMatches": "clip_*.mov", "Next": "Clip"}
        ], "Default": "Other", "OutputPath": "$.n"},
        "Big": {"Type": "Pass", "Result": "big", "End": true},
        "Clip": {"Type": "Pass", "Result": "clip", "End": true},
        "Other": {"Type": "Pass", "Result": "other", "End": true}
    }});
    assert_eq!(
        output(&run(def.clone(), json!({"n": 11})).await),
        json!("big")
    );
    assert_eq!(
        output(&run(def.clone(), json!({"n": 1, "name": "clip_01.mov"})).await),
        json!("clip")
    );
    assert_eq!(
        output(&run(def.clone(), json!({"n": 1, "name": "x"})).await),
        json!("other")
    );
    let no_default = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "D"}]},
        "D": {"Type": "Succeed"}}});
    let (error, _) = failed(&run(no_default.clone(), json!({"n": 2})).await);
    assert_eq!(error, "States.NoChoiceMatched");
    let (error, _) = failed(&run(no_default, json!({})).await);
    assert_eq!(error, "States.Runtime");
}

#[tokio::test]
async fn wait_uses_the_injected_sleeper_and_clock() {
    let cases = [
        (json!({"Seconds": 10}), json!({}), 10.0),
        (json!({"SecondsPath": "$.s"}), json!({"s": 3}), 3.0),
        (
            json!({"Timestamp": "2024-05-01T12:01:30Z"}),
            json!({}),
            90.0,
        ),
        (
            json!({"TimestampPath": "$.t"}),
            json!({"t": "2024-05-01T14:00:05+02:00"}),
            5.0,
        ),
        (json!({"Timestamp": "2020-01-01T00:00:00Z"}), json!({}), 0.0),
    ];
    for (spec, input, secs) in cases {
        let mut w = json!({"Type": "Wait", "End": true});
        for (k, v) in spec.as_object().unwrap() {
            w[k] = v.clone();
        }
        let (e, sleeper) = run_with(one(w), input.clone(), Fake::new(|_, i, _| Ok(i))).await;
        assert_eq!(output(&e), input);
        assert_eq!(
            *sleeper.0.lock().unwrap(),
            vec![Duration::from_secs_f64(secs)],
            "{spec}"
        );
    }
    let (e, _) = run_with(
        one(json!({"Type": "Wait", "SecondsPath": "$.s", "End": true})),
        json!({"s": "x"}),
        Fake::new(|_, i, _| Ok(i)),
    )
    .await;
    assert_eq!(failed(&e).0, "States.Runtime");
}

#[tokio::test]
async fn succeed_and_fail_states() {
    let e = run(
        one(json!({"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"})),
        json!({"a": {"b": 2}}),
    )
    .await;
    assert_eq!(output(&e), json!(2));
    let e = run(
        one(json!({"Type": "Fail", "Error": "Rushes.Bad", "Cause": "because"})),
        json!({}),
    )
    .await;
    assert_eq!(
        failed(&e),
        ("Rushes.Bad".to_string(), "because".to_string())
    );
    let e = run(one(json!({"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('roll {} failed', $.roll)"})), json!({"e": "X.Y", "roll": "A001"})).await;
    assert_eq!(
        failed(&e),
        ("X.Y".to_string(), "roll A001 failed".to_string())
    );
    let e = run(
        one(json!({"Type": "Fail", "ErrorPath": "$.e"})),
        json!({"e": 5}),
    )
    .await;
    assert_eq!(failed(&e).0, "States.Runtime");
}

#[tokio::test]
async fn context_object_fields() {
    let def = json!({"StartAt": "First", "States": {"First": {"Type": "Pass", "Parameters": {
        "id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name", "input.$": "$$.Execution.Input",
        "start.$": "$$.Execution.StartTime", "sm.$": "$$.StateMachine.Name", "smid.$": "$$.StateMachine.Id",
        "state.$": "$$.State.Name", "entered.$": "$$.State.EnteredTime", "retries.$": "$$.State.RetryCount"
    }, "End": true}}});
    let out = output(&run(def, json!({"k": "v"})).await);
    assert_eq!(
        out["id"],
        json!("arn:aws:states:local:000000000000:execution:Machine:exec-1")
    );
    assert_eq!(
        out["smid"],
        json!("arn:aws:states:local:000000000000:stateMachine:Machine")
    );
    assert_eq!(out["name"], json!("exec-1"));
    assert_eq!(out["input"], json!({"k": "v"}));
    assert_eq!(out["start"], json!("2024-05-01T12:00:00.000Z"));
    assert_eq!(out["entered"], json!("2024-05-01T12:00:00.000Z"));
    assert_eq!(out["sm"], json!("Machine"));
    assert_eq!(out["state"], json!("First"));
    assert_eq!(out["retries"], json!(0));
}

#[tokio::test]
async fn intrinsics_in_parameters_and_result_selector() {
    let def = one(json!({"Type": "Task", "Resource": "${Fn}",
        "Parameters": {"key.$": "States.Format('{}/{}.mhl', $.roll, $$.Execution.Name)", "parts.$": "States.ArrayPartition($.l, 2)"},
        "ResultSelector": {"n.$": "States.ArrayLength($.parts)", "h.$": "States.Hash($.key, 'SHA-256')"},
        "End": true}));
    let (e, _) = run_with(
        def,
        json!({"roll": "A001", "l": [1, 2, 3]}),
        Fake::new(|_, i, _| Ok(i)),
    )
    .await;
    let out = output(&e);
    assert_eq!(out["n"], json!(2));
    assert_eq!(out["h"].as_str().unwrap().len(), 64);
}

fn map_def(extra: Value, inner: Value) -> Value {
    let mut m = json!({"Type": "Map", "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Work", "States": {"Work": inner}}, "End": true});
    for (k, v) in extra.as_object().unwrap() {
        m[k] = v.clone();
    }
    json!({"StartAt": "Each", "States": {"Each": m}})
}

#[tokio::test]
async fn map_item_selector_context_and_order() {
    let def = map_def(
        json!({"ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value", "roll.$": "$.roll"},
               "ResultSelector": {"all.$": "$[*].v"}, "ResultPath": "$.out"}),
        json!({"Type": "Task", "Resource": "${Fn}", "End": true}),
    );
    let fake = Fake::new(|_, i, _| Ok(i));
    let (e, _) = run_with(
        def,
        json!({"roll": "A", "items": ["x", "y", "z"]}),
        fake.clone(),
    )
    .await;
    assert_eq!(
        output(&e),
        json!({"roll": "A", "items": ["x", "y", "z"], "out": {"all": ["x", "y", "z"]}})
    );
    let mut seen: Vec<Value> = fake.calls().into_iter().map(|c| c.1).collect();
    seen.sort_by_key(|v| v["i"].as_u64());
    assert_eq!(seen[2], json!({"i": 2, "v": "z", "roll": "A"}));
    // Legacy Iterator + Parameters, ItemsPath defaulting to $.
    let legacy = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "Parameters": {"d.$": "States.MathAdd($$.Map.Item.Value, 1)"},
        "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": "$.d", "End": true}}}, "End": true}}});
    assert_eq!(
        output(&run(legacy, json!([1, 2, 3])).await),
        json!([2, 3, 4])
    );
}

#[tokio::test]
async fn map_concurrency_is_bounded_by_max_concurrency() {
    for (limit, expect) in [(2u64, 2usize), (1, 1), (0, 6)] {
        let def = map_def(
            json!({"MaxConcurrency": limit}),
            json!({"Type": "Task", "Resource": "${Slow}", "End": true}),
        );
        let fake = Arc::new(Fake::with_delay(|_, i, _| Ok(i), Duration::from_millis(30)));
        let (e, _) = run_with(def, json!({"items": [1, 2, 3, 4, 5, 6]}), fake.clone()).await;
        assert_eq!(output(&e), json!([1, 2, 3, 4, 5, 6]));
        assert_eq!(
            fake.max_in_flight.load(Ordering::SeqCst),
            expect,
            "MaxConcurrency {limit}"
        );
    }
    let def = map_def(
        json!({"MaxConcurrencyPath": "$.c"}),
        json!({"Type": "Task", "Resource": "${Slow}", "End": true}),
    );
    let fake = Arc::new(Fake::with_delay(|_, i, _| Ok(i), Duration::from_millis(30)));
    let (e, _) = run_with(
        def,
        json!({"c": 3, "items": [1, 2, 3, 4, 5, 6]}),
        fake.clone(),
    )
    .await;
    output(&e);
    assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn map_failures_propagate_and_can_be_caught() {
    let inner = json!({"Type": "Task", "Resource": "${Fn}", "End": true});
    let bad = || {
        Fake::new(|_, i, _| {
            if i == json!(2) {
                Err(TaskFailure::new("Rushes.Bad", "item 2"))
            } else {
                Ok(i)
            }
        })
    };
    let (e, _) = run_with(
        map_def(json!({}), inner.clone()),
        json!({"items": [1, 2, 3]}),
        bad(),
    )
    .await;
    assert_eq!(failed(&e), ("Rushes.Bad".into(), "item 2".into()));
    let mut def = map_def(
        json!({"Catch": [{"ErrorEquals": ["Rushes.Bad"], "ResultPath": "$.err", "Next": "Handled"}]}),
        inner,
    );
    def["States"]["Each"].as_object_mut().unwrap().remove("End");
    def["States"]["Each"]["Next"] = json!("Done");
    def["States"]["Handled"] = json!({"Type": "Pass", "End": true});
    def["States"]["Done"] = json!({"Type": "Succeed"});
    let (e, _) = run_with(def, json!({"items": [1, 2, 3]}), bad()).await;
    assert_eq!(
        output(&e),
        json!({"items": [1, 2, 3], "err": {"Error": "Rushes.Bad", "Cause": "item 2"}})
    );
    let (e, _) = run_with(
        map_def(json!({}), json!({"Type": "Succeed"})),
        json!({"items": {"not": "array"}}),
        bad(),
    )
    .await;
    assert_eq!(failed(&e).0, "States.Runtime");
}

#[tokio::test]
async fn parallel_runs_branches_and_orders_results() {
    let branch = |name: &str, res: &str| json!({"StartAt": name, "States": {name: {"Type": "Task", "Resource": res, "End": true}}});
    let def = one(
        json!({"Type": "Parallel", "Parameters": {"v.$": "$.v"}, "Branches": [branch("A", "${Slow}"), branch("B", "${Fast}")],
        "ResultSelector": {"first.$": "$[0]", "second.$": "$[1]"}, "ResultPath": "$.both", "End": true}),
    );
    let fake = Arc::new(Fake::with_delay(
        |r, i, _| Ok(json!({"from": r, "v": i["v"]})),
        Duration::from_millis(20),
    ));
    let (e, _) = run_with(def, json!({"v": 1}), fake.clone()).await;
    assert_eq!(
        output(&e),
        json!({"v": 1, "both": {"first": {"from": "${Slow}", "v": 1}, "second": {"from": "${Fast}", "v": 1}}})
    );
    assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 2);
    // A failing branch fails the Parallel state with the branch's error, which Catch can route.
    let def = json!({"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Branches": [
            {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "End": true}}},
            {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Branch.Broke", "Cause": "x"}}}
        ], "Catch": [{"ErrorEquals": ["Branch.Broke"], "Next": "Recover"}], "End": true},
        "Recover": {"Type": "Pass", "End": true}}});
    assert_eq!(
        output(&run(def, json!({})).await),
        json!({"Error": "Branch.Broke", "Cause": "x"})
    );
}

#[tokio::test]
async fn lambda_invoke_integration_wraps_the_payload() {
    let def = one(
        json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "${ManifestFunctionArn}", "Payload.$": "$"},
        "ResultSelector": {"manifest.$": "$.Payload", "code.$": "$.StatusCode"}, "End": true}),
    );
    let fake = Fake::new(|_, i, _| Ok(json!({"files": i["n"]})));
    let (e, _) = run_with(def, json!({"n": 3}), fake.clone()).await;
    assert_eq!(output(&e), json!({"manifest": {"files": 3}, "code": 200}));
    let calls = fake.calls();
    assert_eq!(calls[0].0, "${ManifestFunctionArn}");
    assert_eq!(calls[0].1, json!({"n": 3}));
    assert_eq!(calls[0].2.resource, "arn:aws:states:::lambda:invoke");
    assert_eq!(
        calls[0].2.parameters.as_ref().unwrap()["FunctionName"],
        json!("${ManifestFunctionArn}")
    );
    let no_fn = one(
        json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"Payload.$": "$"}, "End": true}),
    );
    assert_eq!(failed(&run(no_fn, json!({})).await).0, "States.Runtime");
}

#[tokio::test]
async fn substitutions_resolve_resources() {
    let text = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${ChecksumFunctionArn}", "End": true}}}"#;
    assert_eq!(
        substitution_names(text).into_iter().collect::<Vec<_>>(),
        vec!["ChecksumFunctionArn".to_string()]
    );
    assert_eq!(
        substitution_key("${ChecksumFunctionArn}"),
        Some("ChecksumFunctionArn")
    );
    assert_eq!(substitution_key("arn:aws:lambda:x"), None);
    let map = HashMap::from([(
        "ChecksumFunctionArn".to_string(),
        "local:checksum".to_string(),
    )]);
    let sm = StateMachine::from_json_with_substitutions("m", text, &map).unwrap();
    let fake = Fake::new(|_, i, _| Ok(i));
    let exec = sm
        .execute(
            "e",
            json!({}),
            fake.clone(),
            options(&Arc::new(NoSleep::default())),
        )
        .await;
    output(&exec);
    assert_eq!(fake.calls()[0].0, "local:checksum");
    let err = StateMachine::from_json_with_substitutions("m", text, &HashMap::new()).unwrap_err();
    assert!(err.to_string().contains("ChecksumFunctionArn"), "{err}");
}

#[tokio::test]
async fn history_and_progress_are_reported() {
    let def = map_def(
        json!({"MaxConcurrency": 1}),
        json!({"Type": "Pass", "End": true}),
    );
    let sm = StateMachine::from_value("M", &def).unwrap();
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let sink = seen.clone();
    let opts = ExecOptions {
        progress: Some(Arc::new(move |p: &Progress| {
            sink.lock().unwrap().push(p.clone())
        })),
        ..options(&Arc::new(NoSleep::default()))
    };
    let exec = sm
        .execute(
            "e",
            json!({"items": [1, 2]}),
            Fake::new(|_, i, _| Ok(i)),
            opts,
        )
        .await;
    output(&exec);
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.contains(&Progress::MapItemDone {
            state: "Each".into(),
            done: 2,
            total: 2
        }),
        "{seen:?}"
    );
    assert!(seen.contains(&Progress::StateEntered {
        state: "Each".into()
    }));
    let h = &exec.history;
    assert!(matches!(h[0].event, Event::ExecutionStarted { .. }));
    assert!(matches!(
        h.last().unwrap().event,
        Event::ExecutionSucceeded { .. }
    ));
    assert!(
        h.iter()
            .any(|e| matches!(&e.event, Event::MapStarted { items: 2, .. }))
    );
    assert_eq!(
        h.iter()
            .filter(|e| matches!(&e.event, Event::MapIterationSucceeded { .. }))
            .count(),
        2
    );
    assert!(h.windows(2).all(|w| w[1].id == w[0].id + 1));
    let j = exec.to_json();
    assert_eq!(j["status"], json!("Succeeded"));
    assert_eq!(j["history"][0]["type"], json!("ExecutionStarted"));
}

#[tokio::test]
async fn oversized_payloads_fail_like_aws() {
    let def = one(json!({"Type": "Task", "Resource": "${Big}", "End": true}));
    let (e, _) = run_with(
        def,
        json!({}),
        Fake::new(|_, _, _| Ok(json!("x".repeat(300 * 1024)))),
    )
    .await;
    assert_eq!(failed(&e).0, "States.DataLimitExceeded");
}
