//! The interpreter: runs states, input/output processing, Retry/Catch, Map and Parallel concurrency.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::SecondsFormat;
use rand::Rng as _;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::choice;
use super::error::{AslError, names};
use super::history::{Event, HistoryEvent, Progress, ProgressFn};
use super::invoker::{Clock, Sleeper, TaskContext, TaskInvoker};
use super::jsonpath::kind;
use super::model::{Handling, Kind, Machine, Seconds, State, Transition, WaitSpec};
use super::processing::{
    apply_result_path, error_matches, fail_text, input_path, is_lambda_invoke, is_terminal,
    missing, output_path, seconds_value, secs_until,
};

type BoxFut<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Everything one execution shares across its states and concurrent iterations.
pub(crate) struct Runner {
    pub invoker: Arc<dyn TaskInvoker>,
    pub sleeper: Arc<dyn Sleeper>,
    pub clock: Arc<dyn Clock>,
    pub progress: Option<ProgressFn>,
    pub history: Mutex<Vec<HistoryEvent>>,
    pub max_events: usize,
    pub max_payload_bytes: Option<usize>,
    /// `$$.Execution`.
    pub execution: Value,
    /// `$$.StateMachine`.
    pub state_machine: Value,
    pub execution_name: String,
    pub execution_id: String,
}

/// `$$.Map.Item` for ItemSelector.
struct MapItem<'a> {
    index: usize,
    value: &'a Value,
}

impl Runner {
    /// Appends an event; fails with `States.Runtime` once the history limit is reached.
    pub fn record(&self, event: Event) -> Result<(), AslError> {
        let timestamp = self
            .clock
            .now()
            .to_rfc3339_opts(SecondsFormat::Millis, true);
        let mut h = self.history.lock().unwrap_or_else(|p| p.into_inner());
        if h.len() >= self.max_events {
            return Err(AslError::states_runtime(format!(
                "the execution reached the limit of {} history events (a runaway loop?)",
                self.max_events
            )));
        }
        let id = h.len() as u64 + 1;
        h.push(HistoryEvent {
            id,
            timestamp,
            event,
        });
        Ok(())
    }

    /// Appends an event even past the limit (the final execution event).
    pub fn record_final(&self, event: Event) {
        let timestamp = self
            .clock
            .now()
            .to_rfc3339_opts(SecondsFormat::Millis, true);
        let mut h = self.history.lock().unwrap_or_else(|p| p.into_inner());
        let id = h.len() as u64 + 1;
        h.push(HistoryEvent {
            id,
            timestamp,
            event,
        });
    }

    fn notify(&self, p: Progress) {
        if let Some(f) = &self.progress {
            f(&p);
        }
    }

    fn context(
        &self,
        state: &str,
        entered: &str,
        retry_count: u32,
        item: Option<MapItem<'_>>,
    ) -> Value {
        let mut ctx = json!({
            "Execution": self.execution,
            "StateMachine": self.state_machine,
            "State": {"Name": state, "EnteredTime": entered, "RetryCount": retry_count},
        });
        if let (Some(item), Value::Object(obj)) = (item, &mut ctx) {
            obj.insert(
                "Map".into(),
                json!({"Item": {"Index": item.index, "Value": item.value}}),
            );
        }
        ctx
    }

    fn check_size(&self, state: &str, what: &str, v: &Value) -> Result<(), AslError> {
        if let Some(max) = self.max_payload_bytes {
            let size = serde_json::to_vec(v).map(|b| b.len()).unwrap_or(usize::MAX);
            if size > max {
                return Err(AslError::runtime(
                    names::DATA_LIMIT_EXCEEDED,
                    format!(
                        "state '{state}': the {what} is {size} bytes, over the {max}-byte payload limit"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Runs a (sub-)machine from its StartAt to an End/Succeed, or to a failure.
    pub fn run_machine(
        self: Arc<Self>,
        machine: Arc<Machine>,
        input: Value,
    ) -> BoxFut<Result<Value, AslError>> {
        Box::pin(async move {
            let mut name = machine.start_at.clone();
            let mut input = input;
            loop {
                let st = machine
                    .states
                    .get(&name)
                    .ok_or_else(|| AslError::states_runtime(format!("no state named '{name}'")))?;
                let (output, next) = self.run_state(st, input).await?;
                match next {
                    Some(n) => {
                        name = n;
                        input = output;
                    }
                    None => return Ok(output),
                }
            }
        })
    }

    async fn run_state(
        self: &Arc<Self>,
        st: &State,
        raw: Value,
    ) -> Result<(Value, Option<String>), AslError> {
        self.record(Event::StateEntered {
            state: st.name.clone(),
            input: raw.clone(),
        })?;
        self.notify(Progress::StateEntered {
            state: st.name.clone(),
        });
        let entered = self
            .clock
            .now()
            .to_rfc3339_opts(SecondsFormat::Millis, true);
        let outcome = match &st.kind {
            Kind::Task { handling, .. }
            | Kind::Parallel { handling, .. }
            | Kind::Map { handling, .. } => self.with_handling(st, handling, &raw, &entered).await,
            _ => self.simple_state(st, &raw, &entered).await,
        };
        match outcome {
            Ok((out, next)) => {
                self.check_size(&st.name, "output", &out)?;
                self.record(Event::StateExited {
                    state: st.name.clone(),
                    output: out.clone(),
                })?;
                self.notify(Progress::StateExited {
                    state: st.name.clone(),
                });
                Ok((out, next))
            }
            Err(e) => Err(e),
        }
    }

    fn next_of(st: &State) -> Option<String> {
        match &st.transition {
            Some(Transition::Next(n)) => Some(n.clone()),
            _ => None,
        }
    }

    /// Pass, Choice, Wait, Succeed and Fail: no Retry or Catch.
    async fn simple_state(
        &self,
        st: &State,
        raw: &Value,
        entered: &str,
    ) -> Result<(Value, Option<String>), AslError> {
        let ctx = self.context(&st.name, entered, 0, None);
        match &st.kind {
            Kind::Pass {
                parameters,
                result,
                result_path,
            } => {
                let mut eff = input_path(st, raw, &ctx)?;
                if let Some(t) = parameters {
                    eff = t.render(&eff, &ctx)?;
                }
                let res = result.clone().unwrap_or(eff);
                let out = apply_result_path(result_path, raw, res)?;
                Ok((output_path(st, out, &ctx)?, Self::next_of(st)))
            }
            Kind::Choice { rules, default } => {
                let eff = input_path(st, raw, &ctx)?;
                let mut next = None;
                for r in rules {
                    if r.rule.eval(&eff, &ctx)? {
                        next = Some(r.next.clone());
                        break;
                    }
                }
                let next = next.or_else(|| default.clone()).ok_or_else(|| {
                    AslError::runtime(
                        names::NO_CHOICE_MATCHED,
                        format!(
                            "state '{}': no Choice rule matched and there is no Default",
                            st.name
                        ),
                    )
                })?;
                Ok((output_path(st, eff, &ctx)?, Some(next)))
            }
            Kind::Wait(spec) => {
                let eff = input_path(st, raw, &ctx)?;
                let secs = match spec {
                    WaitSpec::Seconds(s) => seconds_value(s, &eff, "SecondsPath")? as f64,
                    WaitSpec::Timestamp(t) => {
                        secs_until(self.clock.now(), t.with_timezone(&chrono::Utc))
                    }
                    WaitSpec::TimestampPath(p) => {
                        let v = p.select(&eff).ok_or_else(|| missing(p, "TimestampPath"))?;
                        let t = v.as_str().and_then(choice::timestamp).ok_or_else(|| {
                            AslError::states_runtime(format!(
                                "TimestampPath '{}' does not hold a timestamp: {v}",
                                p.text()
                            ))
                        })?;
                        secs_until(self.clock.now(), t.with_timezone(&chrono::Utc))
                    }
                };
                self.record(Event::WaitStarted {
                    state: st.name.clone(),
                    seconds: secs,
                })?;
                self.sleeper.sleep(Duration::from_secs_f64(secs)).await;
                Ok((output_path(st, eff, &ctx)?, Self::next_of(st)))
            }
            Kind::Succeed => {
                let eff = input_path(st, raw, &ctx)?;
                Ok((output_path(st, eff, &ctx)?, None))
            }
            Kind::Fail { error, cause } => {
                let error = fail_text(error.as_ref(), raw, &ctx, "ErrorPath")?;
                let cause = fail_text(cause.as_ref(), raw, &ctx, "CausePath")?;
                Err(AslError::runtime(error, cause))
            }
            Kind::Task { .. } | Kind::Parallel { .. } | Kind::Map { .. } => Err(
                AslError::states_runtime(format!("state '{}' needs error handling", st.name)),
            ),
        }
    }

    /// Task, Parallel, Map: one attempt after another under Retry, then Catch.
    async fn with_handling(
        self: &Arc<Self>,
        st: &State,
        handling: &Handling,
        raw: &Value,
        entered: &str,
    ) -> Result<(Value, Option<String>), AslError> {
        let mut counts = vec![0u32; handling.retry.len()];
        let mut total = 0u32;
        loop {
            let err = match self.attempt(st, handling, raw, entered, total).await {
                Ok(v) => return Ok((v, Self::next_of(st))),
                Err(e) => e,
            };
            let name = err.error_name().to_string();
            if is_terminal(&name) {
                return Err(err);
            }
            self.record(Event::StateFailed {
                state: st.name.clone(),
                error: name.clone(),
                cause: err.cause(),
            })?;
            if let Some(i) = handling
                .retry
                .iter()
                .position(|r| error_matches(&r.error_equals, &name))
            {
                let r = &handling.retry[i];
                if counts[i] < r.max_attempts {
                    let mut delay = r.interval_seconds * r.backoff_rate.powi(counts[i] as i32);
                    if let Some(max) = r.max_delay_seconds {
                        delay = delay.min(max);
                    }
                    if r.full_jitter {
                        delay = rand::rng().random_range(0.0..=delay);
                    }
                    counts[i] += 1;
                    total += 1;
                    self.record(Event::RetryScheduled {
                        state: st.name.clone(),
                        error: name.clone(),
                        attempt: total,
                        delay_seconds: delay,
                    })?;
                    self.notify(Progress::Retrying {
                        state: st.name.clone(),
                        error: name.clone(),
                        attempt: total,
                    });
                    self.sleeper
                        .sleep(Duration::from_secs_f64(delay.min(1.0e9)))
                        .await;
                    continue;
                }
            }
            if let Some(c) = handling
                .catch
                .iter()
                .find(|c| error_matches(&c.error_equals, &name))
            {
                let error_output = json!({"Error": name, "Cause": err.cause()});
                let out = apply_result_path(&c.result_path, raw, error_output)?;
                self.record(Event::ErrorCaught {
                    state: st.name.clone(),
                    error: name,
                    next: c.next.clone(),
                })?;
                return Ok((out, Some(c.next.clone())));
            }
            return Err(err);
        }
    }

    async fn attempt(
        self: &Arc<Self>,
        st: &State,
        handling: &Handling,
        raw: &Value,
        entered: &str,
        retry_count: u32,
    ) -> Result<Value, AslError> {
        let ctx = self.context(&st.name, entered, retry_count, None);
        let eff = input_path(st, raw, &ctx)?;
        let result = match &st.kind {
            Kind::Task {
                resource,
                timeout,
                heartbeat,
                ..
            } => {
                let eff = match &handling.parameters {
                    Some(t) => t.render(&eff, &ctx)?,
                    None => eff,
                };
                self.check_size(&st.name, "task input", &eff)?;
                let heartbeat = heartbeat
                    .as_ref()
                    .map(|h| seconds_value(h, &eff, "HeartbeatSecondsPath"))
                    .transpose()?;
                self.task(
                    st,
                    resource,
                    (timeout.as_ref(), heartbeat),
                    eff,
                    retry_count,
                )
                .await?
            }
            Kind::Parallel { branches, .. } => {
                let eff = match &handling.parameters {
                    Some(t) => t.render(&eff, &ctx)?,
                    None => eff,
                };
                self.record(Event::ParallelStarted {
                    state: st.name.clone(),
                    branches: branches.len(),
                })?;
                let jobs = branches.iter().map(|b| (b.clone(), eff.clone())).collect();
                Value::Array(self.run_all(jobs, None, &st.name).await?)
            }
            Kind::Map {
                items_path,
                processor,
                max_concurrency,
                ..
            } => {
                let items = items_path
                    .select(&eff)
                    .ok_or_else(|| missing(items_path, "ItemsPath"))?;
                let Value::Array(items) = items else {
                    return Err(AslError::states_runtime(format!(
                        "state '{}': ItemsPath '{}' selected a {}, not an array",
                        st.name,
                        items_path.text(),
                        kind(&items)
                    )));
                };
                let limit = seconds_value(max_concurrency, &eff, "MaxConcurrencyPath")?;
                let mut jobs = Vec::with_capacity(items.len());
                for (index, value) in items.iter().enumerate() {
                    let input = match &handling.parameters {
                        Some(t) => {
                            let ictx = self.context(
                                &st.name,
                                entered,
                                retry_count,
                                Some(MapItem { index, value }),
                            );
                            t.render(&eff, &ictx)?
                        }
                        None => value.clone(),
                    };
                    jobs.push((processor.clone(), input));
                }
                self.record(Event::MapStarted {
                    state: st.name.clone(),
                    items: jobs.len(),
                })?;
                Value::Array(
                    self.run_all(
                        jobs,
                        Some(usize::try_from(limit).unwrap_or(usize::MAX)),
                        &st.name,
                    )
                    .await?,
                )
            }
            _ => {
                return Err(AslError::states_runtime(format!(
                    "state '{}' has no attempt",
                    st.name
                )));
            }
        };
        let result = match &handling.result_selector {
            Some(t) => t.render(&result, &ctx)?,
            None => result,
        };
        let out = apply_result_path(&handling.result_path, raw, result)?;
        output_path(st, out, &ctx)
    }

    async fn task(
        self: &Arc<Self>,
        st: &State,
        resource: &str,
        (timeout, heartbeat_seconds): (Option<&Seconds>, Option<u64>),
        eff: Value,
        retry_count: u32,
    ) -> Result<Value, AslError> {
        let timeout_secs = timeout
            .map(|t| seconds_value(t, &eff, "TimeoutSecondsPath"))
            .transpose()?;
        let lambda = is_lambda_invoke(resource);
        let (target, payload, parameters) =
            if lambda {
                let f = eff.get("FunctionName").and_then(Value::as_str).ok_or_else(|| {
                AslError::states_runtime(format!(
                    "state '{}': lambda:invoke needs a string 'FunctionName' in its Parameters",
                    st.name
                ))
            })?;
                (
                    f.to_string(),
                    eff.get("Payload").cloned().unwrap_or_else(|| json!({})),
                    Some(eff.clone()),
                )
            } else {
                (resource.to_string(), eff.clone(), None)
            };
        let tctx = TaskContext {
            execution_name: self.execution_name.clone(),
            execution_id: self.execution_id.clone(),
            state_name: st.name.clone(),
            retry_count,
            resource: resource.to_string(),
            parameters,
            heartbeat_seconds,
        };
        self.record(Event::TaskScheduled {
            state: st.name.clone(),
            resource: target.clone(),
            input: payload.clone(),
        })?;
        let call = self.invoker.invoke(&target, payload, &tctx);
        let outcome = match timeout_secs {
            Some(t) => match tokio::time::timeout(Duration::from_secs(t), call).await {
                Ok(r) => r.map_err(|f| (f.error, f.cause)),
                Err(_) => Err((
                    names::TIMEOUT.to_string(),
                    format!("the task did not finish within {t} seconds"),
                )),
            },
            None => call.await.map_err(|f| (f.error, f.cause)),
        };
        match outcome {
            Ok(v) => {
                self.record(Event::TaskSucceeded {
                    state: st.name.clone(),
                    output: v.clone(),
                })?;
                if lambda {
                    Ok(json!({
                        "ExecutedVersion": "$LATEST",
                        "Payload": v,
                        "SdkHttpMetadata": {"HttpStatusCode": 200},
                        "SdkResponseMetadata": {"RequestId": format!("local-{}-{}", st.name, retry_count)},
                        "StatusCode": 200
                    }))
                } else {
                    Ok(v)
                }
            }
            Err((error, cause)) => {
                let error = if error.is_empty() {
                    names::TASK_FAILED.to_string()
                } else {
                    error
                };
                self.record(Event::TaskFailed {
                    state: st.name.clone(),
                    error: error.clone(),
                    cause: cause.clone(),
                })?;
                Err(AslError::runtime(error, cause))
            }
        }
    }

    /// Runs sub-machines concurrently (at most `limit` at once; `None` or `Some(0)` = all), results in
    /// input order; the first failure cancels the rest and is returned.
    async fn run_all(
        self: &Arc<Self>,
        jobs: Vec<(Arc<Machine>, Value)>,
        limit: Option<usize>,
        state: &str,
    ) -> Result<Vec<Value>, AslError> {
        let total = jobs.len();
        let is_map = limit.is_some();
        let sem = limit
            .filter(|l| *l > 0)
            .map(|l| Arc::new(Semaphore::new(l)));
        let done = Arc::new(AtomicUsize::new(0));
        let mut set = JoinSet::new();
        for (index, (machine, input)) in jobs.into_iter().enumerate() {
            let me = Arc::clone(self);
            let sem = sem.clone();
            let done = Arc::clone(&done);
            let state = state.to_string();
            set.spawn(async move {
                let _permit = match sem {
                    Some(s) => Some(
                        s.acquire_owned()
                            .await
                            .map_err(|e| AslError::states_runtime(e.to_string()))?,
                    ),
                    None => None,
                };
                if is_map {
                    me.record(Event::MapIterationStarted {
                        state: state.clone(),
                        index,
                    })?;
                }
                let r = Arc::clone(&me).run_machine(machine, input).await;
                if is_map {
                    match &r {
                        Ok(_) => {
                            me.record(Event::MapIterationSucceeded {
                                state: state.clone(),
                                index,
                            })?;
                            let d = done.fetch_add(1, Ordering::SeqCst) + 1;
                            me.notify(Progress::MapItemDone {
                                state,
                                done: d,
                                total,
                            });
                        }
                        Err(e) => me.record(Event::MapIterationFailed {
                            state,
                            index,
                            error: e.error_name().to_string(),
                        })?,
                    }
                }
                r.map(|v| (index, v))
            });
        }
        let mut results: Vec<Option<Value>> = vec![None; total];
        while let Some(joined) = set.join_next().await {
            let (index, v) = joined
                .map_err(|e| AslError::states_runtime(format!("a branch stopped: {e}")))??;
            if let Some(slot) = results.get_mut(index) {
                *slot = Some(v);
            }
        }
        Ok(results
            .into_iter()
            .map(|v| v.unwrap_or(Value::Null))
            .collect())
    }
}
