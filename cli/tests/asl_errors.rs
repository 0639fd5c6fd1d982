//! Retry back-off schedules, Catch routing and error output, error-name wildcards, timeouts and the
//! runaway-loop bound of the ASL runner.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rushes_cli::asl::{
    Event, ExecOptions, Execution, ExecutionStatus, Sleeper, StateMachine, TaskContext,
    TaskFailure, TaskInvoker, TokioSleeper,
};
use serde_json::{Value, json};

/// Fails with the listed errors in turn, then succeeds with its input; records retry counts seen.
struct Flaky {
    errors: Vec<(&'static str, &'static str)>,
    calls: AtomicU32,
    retry_counts: Mutex<Vec<(u32, Value)>>,
    hang: Option<Duration>,
}

impl Flaky {
    fn new(errors: Vec<(&'static str, &'static str)>) -> Arc<Self> {
        Arc::new(Self {
            errors,
            calls: AtomicU32::new(0),
            retry_counts: Mutex::default(),
            hang: None,
        })
    }
}

#[async_trait::async_trait]
impl TaskInvoker for Flaky {
    async fn invoke(
        &self,
        _resource: &str,
        input: Value,
        ctx: &TaskContext,
    ) -> Result<Value, TaskFailure> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) as usize;
        self.retry_counts
            .lock()
            .unwrap()
            .push((ctx.retry_count, input.clone()));
        if let Some(d) = self.hang {
            tokio::time::sleep(d).await;
        }
        match self.errors.get(n) {
            Some((e, c)) => Err(TaskFailure::new(*e, *c)),
            None => Ok(input),
        }
    }
}

#[derive(Default)]
struct NoSleep(Mutex<Vec<f64>>);

#[async_trait::async_trait]
impl Sleeper for NoSleep {
    async fn sleep(&self, d: Duration) {
        self.0.lock().unwrap().push(d.as_secs_f64());
    }
}

async fn run(def: Value, input: Value, invoker: Arc<Flaky>) -> (Execution, Vec<f64>) {
    let sm = StateMachine::from_value("M", &def).unwrap();
    let sleeper = Arc::new(NoSleep::default());
    let opts = ExecOptions {
        sleeper: sleeper.clone(),
        ..ExecOptions::default()
    };
    let exec = sm.execute("e", input, invoker, opts).await;
    let delays = sleeper.0.lock().unwrap().clone();
    (exec, delays)
}

fn task(extra: Value) -> Value {
    let mut t = json!({"Type": "Task", "Resource": "${Fn}", "Next": "Done"});
    for (k, v) in extra.as_object().unwrap() {
        t[k] = v.clone();
    }
    let text = t.to_string();
    let mut def = json!({"StartAt": "T", "States": {"T": t, "Done": {"Type": "Succeed"}}});
    // Only add the catch targets that are used: unreachable states are refused at load.
    if text.contains("\"Handler\"") {
        def["States"]["Handler"] = json!({"Type": "Pass", "End": true});
    }
    if text.contains("\"Other\"") {
        def["States"]["Other"] = json!({"Type": "Pass", "Result": "other", "End": true});
    }
    def
}

fn error_of(e: &Execution) -> String {
    match &e.status {
        ExecutionStatus::Failed { error, .. } => error.clone(),
        s => panic!("expected failure, got {s:?}"),
    }
}

fn output(e: &Execution) -> Value {
    assert_eq!(e.status, ExecutionStatus::Succeeded, "{:#?}", e.history);
    e.output.clone().unwrap()
}

const BOOM: (&str, &str) = ("Rushes.Boom", "it broke");

#[tokio::test]
async fn backoff_schedule_follows_interval_rate_and_cap() {
    let cases = [
        (
            json!({"ErrorEquals": ["Rushes.Boom"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}),
            vec![2.0, 6.0, 18.0],
        ),
        (json!({"ErrorEquals": ["Rushes.Boom"]}), vec![1.0, 2.0, 4.0]),
        (
            json!({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3, "MaxDelaySeconds": 5}),
            vec![2.0, 5.0, 5.0],
        ),
        (
            json!({"ErrorEquals": ["Rushes.Boom"], "IntervalSeconds": 1, "BackoffRate": 1.5, "MaxAttempts": 2}),
            vec![1.0, 1.5],
        ),
        (
            json!({"ErrorEquals": ["Rushes.Boom"], "MaxAttempts": 0}),
            vec![],
        ),
    ];
    for (retrier, want) in cases {
        let flaky = Flaky::new(vec![BOOM; 10]);
        let (e, delays) = run(
            task(json!({"Retry": [retrier.clone()]})),
            json!({}),
            flaky.clone(),
        )
        .await;
        assert_eq!(error_of(&e), "Rushes.Boom");
        assert_eq!(delays, want, "{retrier}");
        assert_eq!(flaky.calls.load(Ordering::SeqCst) as usize, want.len() + 1);
        let retries: Vec<f64> = e
            .history
            .iter()
            .filter_map(|h| match &h.event {
                Event::RetryScheduled { delay_seconds, .. } => Some(*delay_seconds),
                _ => None,
            })
            .collect();
        assert_eq!(retries, want);
    }
}

#[tokio::test]
async fn full_jitter_stays_under_the_nominal_delay() {
    let flaky = Flaky::new(vec![BOOM; 10]);
    let retrier = json!({"ErrorEquals": ["Rushes.Boom"], "IntervalSeconds": 4, "BackoffRate": 2, "MaxAttempts": 4, "JitterStrategy": "FULL"});
    let (_, delays) = run(task(json!({"Retry": [retrier]})), json!({}), flaky).await;
    assert_eq!(delays.len(), 4);
    for (d, max) in delays.iter().zip([4.0, 8.0, 16.0, 32.0]) {
        assert!(*d >= 0.0 && *d <= max, "{d} > {max}");
    }
}

#[tokio::test]
async fn retry_succeeds_and_context_counts_retries() {
    let flaky = Flaky::new(vec![BOOM, BOOM]);
    let def = task(
        json!({"Parameters": {"n.$": "$$.State.RetryCount"}, "Retry": [{"ErrorEquals": ["Rushes.Boom"], "MaxAttempts": 5}]}),
    );
    let (e, delays) = run(def, json!({}), flaky.clone()).await;
    output(&e);
    assert_eq!(delays, vec![1.0, 2.0]);
    let seen = flaky.retry_counts.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            (0, json!({"n": 0})),
            (1, json!({"n": 1})),
            (2, json!({"n": 2}))
        ]
    );
}

#[tokio::test]
async fn each_retrier_counts_its_own_attempts_and_first_match_wins() {
    // Errors alternate; the specific retrier allows 1 retry, the fallback 2.
    let flaky = Flaky::new(vec![("A", ""), ("B", ""), ("B", ""), ("A", "")]);
    let def = task(json!({"Retry": [
        {"ErrorEquals": ["A"], "MaxAttempts": 1, "IntervalSeconds": 10},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 2, "IntervalSeconds": 1}
    ]}));
    let (e, delays) = run(def, json!({}), flaky).await;
    // A (retry A#1, 10s), B (ALL#1, 1s), B (ALL#2, 2s), A (A exhausted: fail).
    assert_eq!(delays, vec![10.0, 1.0, 2.0]);
    assert_eq!(error_of(&e), "A");
}

#[tokio::test]
async fn catch_routes_with_error_output() {
    let def = task(json!({"Catch": [
        {"ErrorEquals": ["Other.Error"], "Next": "Other"},
        {"ErrorEquals": ["Rushes.Boom"], "Next": "Handler"}
    ]}));
    let (e, _) = run(def, json!({"in": 1}), Flaky::new(vec![BOOM])).await;
    assert_eq!(
        output(&e),
        json!({"Error": "Rushes.Boom", "Cause": "it broke"})
    );
    assert!(
        e.history
            .iter()
            .any(|h| matches!(&h.event, Event::ErrorCaught { next, .. } if next == "Handler"))
    );
    let def = task(
        json!({"Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handler"}]}),
    );
    let (e, _) = run(def, json!({"in": 1}), Flaky::new(vec![BOOM])).await;
    assert_eq!(
        output(&e),
        json!({"in": 1, "error": {"Error": "Rushes.Boom", "Cause": "it broke"}})
    );
    let def = task(
        json!({"Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": null, "Next": "Handler"}]}),
    );
    let (e, _) = run(def, json!({"in": 1}), Flaky::new(vec![BOOM])).await;
    assert_eq!(output(&e), json!({"in": 1}));
    // Retry is exhausted first, then Catch applies.
    let def = task(
        json!({"Retry": [{"ErrorEquals": ["Rushes.Boom"], "MaxAttempts": 1}],
        "Catch": [{"ErrorEquals": ["Rushes.Boom"], "Next": "Handler"}]}),
    );
    let flaky = Flaky::new(vec![BOOM, BOOM]);
    let (e, delays) = run(def, json!({}), flaky.clone()).await;
    assert_eq!(output(&e)["Error"], json!("Rushes.Boom"));
    assert_eq!((delays, flaky.calls.load(Ordering::SeqCst)), (vec![1.0], 2));
    // An uncaught error fails the execution.
    let def = task(json!({"Catch": [{"ErrorEquals": ["Other.Error"], "Next": "Other"}]}));
    let (e, _) = run(def, json!({}), Flaky::new(vec![BOOM])).await;
    assert_eq!(error_of(&e), "Rushes.Boom");
}

#[tokio::test]
async fn task_failed_wildcard_excludes_timeouts() {
    let def = task(json!({"Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handler"}]}));
    let (e, _) = run(def, json!({}), Flaky::new(vec![BOOM])).await;
    assert_eq!(output(&e)["Error"], json!("Rushes.Boom"));
    let def = task(json!({"TimeoutSeconds": 1, "Catch": [
        {"ErrorEquals": ["States.TaskFailed"], "Next": "Other"},
        {"ErrorEquals": ["States.Timeout"], "Next": "Handler"}
    ]}));
    let mut slow = Flaky::new(vec![]);
    Arc::get_mut(&mut slow).unwrap().hang = Some(Duration::from_secs(5));
    let (e, _) = run(def, json!({}), slow).await;
    assert_eq!(output(&e)["Error"], json!("States.Timeout"));
}

#[tokio::test]
async fn timeout_seconds_path_and_execution_timeout() {
    let mut slow = Flaky::new(vec![]);
    Arc::get_mut(&mut slow).unwrap().hang = Some(Duration::from_secs(5));
    let def = task(json!({"TimeoutSecondsPath": "$.t"}));
    let (e, _) = run(def, json!({"t": 1}), slow).await;
    assert_eq!(error_of(&e), "States.Timeout");
    let def = json!({"TimeoutSeconds": 1, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": true}}});
    let sm = StateMachine::from_value("M", &def).unwrap();
    let opts = ExecOptions {
        sleeper: Arc::new(TokioSleeper),
        ..ExecOptions::default()
    };
    let e = sm.execute("e", json!({}), Flaky::new(vec![]), opts).await;
    assert_eq!(error_of(&e), "States.Timeout");
}

#[tokio::test]
async fn runtime_errors_are_neither_retried_nor_caught() {
    let def = task(json!({"ResultSelector": {"x.$": "$.missing"},
        "Retry": [{"ErrorEquals": ["States.ALL"]}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]}));
    let flaky = Flaky::new(vec![]);
    let (e, delays) = run(def, json!({}), flaky.clone()).await;
    assert_eq!(error_of(&e), "States.Runtime");
    assert!(delays.is_empty());
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn result_path_failure_is_catchable() {
    let def = task(
        json!({"ResultPath": "$.a.b", "Catch": [{"ErrorEquals": ["States.ResultPathMatchFailure"], "Next": "Handler"}]}),
    );
    let (e, _) = run(def, json!({"a": [1]}), Flaky::new(vec![])).await;
    assert_eq!(output(&e)["Error"], json!("States.ResultPathMatchFailure"));
}

#[tokio::test]
async fn runaway_loops_hit_the_history_limit() {
    let def = json!({"StartAt": "Loop", "States": {
        "Loop": {"Type": "Pass", "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "End"}], "Default": "Loop"},
        "End": {"Type": "Succeed"}}});
    let sm = StateMachine::from_value("M", &def).unwrap();
    let e = sm
        .execute("e", json!({}), Flaky::new(vec![]), ExecOptions::default())
        .await;
    match &e.status {
        ExecutionStatus::Failed { error, cause } => {
            assert_eq!(error, "States.Runtime");
            assert!(cause.contains("25000"), "{cause}");
        }
        s => panic!("expected failure, got {s:?}"),
    }
    assert_eq!(e.history.len(), 25_001);
    let opts = ExecOptions {
        max_history_events: 50,
        ..ExecOptions::default()
    };
    let e = sm.execute("e", json!({}), Flaky::new(vec![]), opts).await;
    assert_eq!(error_of(&e), "States.Runtime");
    assert_eq!(e.history.len(), 51);
}
