//! Type-erased step handlers: JSON in, JSON out, so one table of steps serves the local runtime
//! and the Lambda wrapper alike.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, Ports, Result};

/// The future a step returns.
pub type StepFuture = Pin<Box<dyn Future<Output = Result<serde_json::Value>> + Send>>;

/// A step handler with its input and output types erased to JSON.
pub trait Step: Send + Sync {
    /// The step's name (`manifest`, `checksum`, ...).
    fn name(&self) -> &'static str;
    /// Runs the step on a JSON input.
    fn call(&self, ports: Ports, input: serde_json::Value) -> StepFuture;
}

impl std::fmt::Debug for dyn Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Step({})", self.name())
    }
}

struct TypedStep<I, O, F, Fut> {
    name: &'static str,
    handler: F,
    types: PhantomData<fn(I) -> (O, Fut)>,
}

impl<I, O, F, Fut> Step for TypedStep<I, O, F, Fut>
where
    I: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
    F: Fn(Ports, I) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Result<O>> + Send + 'static,
{
    fn name(&self) -> &'static str {
        self.name
    }

    fn call(&self, ports: Ports, input: serde_json::Value) -> StepFuture {
        let name = self.name;
        let handler = self.handler.clone();
        Box::pin(async move {
            let typed: I = serde_json::from_value(input)
                .map_err(|e| Error::BadInput(format!("{name} step: invalid input: {e}")))?;
            let output = handler(ports, typed).await?;
            serde_json::to_value(output)
                .map_err(|e| Error::BadInput(format!("{name} step: cannot encode output: {e}")))
        })
    }
}

/// Wraps a typed async handler `fn(Ports, Input) -> Result<Output>` as a [`Step`].
pub fn step<I, O, F, Fut>(name: &'static str, handler: F) -> Arc<dyn Step>
where
    I: DeserializeOwned + Send + 'static,
    O: Serialize + Send + 'static,
    F: Fn(Ports, I) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = Result<O>> + Send + 'static,
{
    Arc::new(TypedStep {
        name,
        handler,
        types: PhantomData,
    })
}
