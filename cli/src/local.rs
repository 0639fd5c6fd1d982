//! The embedded local runtime: a library folder as object store, the redb catalog beside it, and
//! the step handlers called in-process for the Task states of the shared state-machine definitions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rushes_common::Ports;
use rushes_common::catalog_embedded::EmbeddedCatalog;
use rushes_common::step::{Step, step};
use rushes_common::store_local::LocalStore;
use serde_json::Value;

use crate::asl::{
    ExecOptions, Execution, StateMachine, TaskContext, TaskFailure, TaskInvoker, substitution_key,
};

/// The ingest definition, the same file SAM deploys.
pub const INGEST_DEFINITION: &str = include_str!("../../statemachines/ingest.asl.json");

/// The conform-pull definition, the same file SAM deploys.
pub const CONFORM_PULL_DEFINITION: &str = include_str!("../../statemachines/conform-pull.asl.json");

/// File name of the embedded catalog inside a library folder.
pub const CATALOG_FILE: &str = "catalog.redb";

/// A local library: `<dir>/rolls/...`, `<dir>/reports/...` and `<dir>/catalog.redb`.
#[derive(Debug, Clone)]
pub struct Library {
    dir: PathBuf,
    store: Arc<LocalStore>,
    catalog: Arc<EmbeddedCatalog>,
}

impl Library {
    /// Opens (creating if needed) the library in `dir`.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        let store = LocalStore::open(dir)
            .with_context(|| format!("{}: cannot open the library", dir.display()))?;
        let catalog = EmbeddedCatalog::open(dir.join(CATALOG_FILE))
            .with_context(|| format!("{}: cannot open the catalog", dir.display()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            store: Arc::new(store),
            catalog: Arc::new(catalog),
        })
    }

    /// The library folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The object store.
    pub fn store(&self) -> &Arc<LocalStore> {
        &self.store
    }

    /// The ports the step handlers receive.
    pub fn ports(&self) -> Ports {
        Ports {
            library: self.store.clone(),
            archive: None,
            catalog: self.catalog.clone(),
        }
    }
}

/// Every step handler, by the substitution name its Task resources use (`${ManifestFunctionArn}`).
pub fn step_table() -> BTreeMap<&'static str, Arc<dyn Step>> {
    let mut table: BTreeMap<&'static str, Arc<dyn Step>> = BTreeMap::new();
    table.insert(
        "ManifestFunctionArn",
        step("manifest", rushes_manifest::handle),
    );
    table.insert(
        "ChecksumFunctionArn",
        step("checksum", rushes_checksum::handle),
    );
    table.insert(
        "CustodyFunctionArn",
        step("custody", rushes_custody::handle),
    );
    table.insert(
        "InspectFunctionArn",
        step("inspect", rushes_inspect::handle),
    );
    table.insert("EdlFunctionArn", step("edl", rushes_edl::handle));
    table.insert(
        "ConformTrimFunctionArn",
        step("conform-trim", rushes_conform_trim::handle),
    );
    table
}

/// Runs Task states by calling the step handlers in-process on the local ports.
#[derive(Debug)]
pub struct InProcessInvoker {
    ports: Ports,
    steps: BTreeMap<&'static str, Arc<dyn Step>>,
}

impl InProcessInvoker {
    /// An invoker for every step of [`step_table`] on `ports`.
    pub fn new(ports: Ports) -> Self {
        Self {
            ports,
            steps: step_table(),
        }
    }

    fn resolve(&self, resource: &str) -> Option<&Arc<dyn Step>> {
        let name = substitution_key(resource).unwrap_or(resource);
        self.steps
            .get(name)
            .or_else(|| self.steps.values().find(|s| s.name() == name))
    }
}

#[async_trait::async_trait]
impl TaskInvoker for InProcessInvoker {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        _ctx: &TaskContext,
    ) -> Result<Value, TaskFailure> {
        let Some(step) = self.resolve(resource) else {
            return Err(TaskFailure::new(
                "States.TaskFailed",
                format!("no local step handles the resource `{resource}`"),
            ));
        };
        step.call(self.ports.clone(), input)
            .await
            .map_err(|e| TaskFailure::new(e.name(), e.to_string()))
    }
}

/// Loads a state machine shipped in `statemachines/<file>` and checks every Task resource has a
/// local handler.
pub fn load_machine(file: &str, definition: &str) -> anyhow::Result<StateMachine> {
    let name = file.trim_end_matches(".asl.json");
    let machine = StateMachine::from_json(name, definition)
        .with_context(|| format!("statemachines/{file}"))?;
    let table = step_table();
    for resource in machine.resources() {
        let key = substitution_key(&resource).unwrap_or(&resource);
        anyhow::ensure!(
            table.contains_key(key),
            "statemachines/{file}: no local step handles the resource `{resource}`"
        );
    }
    Ok(machine)
}

/// Loads the ingest state machine and checks every Task resource has a local handler.
pub fn ingest_machine() -> anyhow::Result<StateMachine> {
    load_machine("ingest.asl.json", INGEST_DEFINITION)
}

/// Runs one ingest execution for a roll already copied into the library.
pub async fn run_ingest(
    library: &Library,
    roll: &str,
    execution_name: &str,
    options: ExecOptions,
) -> anyhow::Result<Execution> {
    let machine = ingest_machine()?;
    let invoker = Arc::new(InProcessInvoker::new(library.ports()));
    let input = serde_json::json!({ "roll": roll, "prefix": format!("rolls/{roll}") });
    Ok(machine
        .execute(execution_name, input, invoker, options)
        .await)
}

/// Runs one conform-pull execution: `input` as the state machine documents it (package, edl key,
/// rolls, rate, handles).
pub async fn run_conform_pull(
    library: &Library,
    input: Value,
    execution_name: &str,
    options: ExecOptions,
) -> anyhow::Result<Execution> {
    let machine = load_machine("conform-pull.asl.json", CONFORM_PULL_DEFINITION)?;
    let invoker = Arc::new(InProcessInvoker::new(library.ports()));
    Ok(machine
        .execute(execution_name, input, invoker, options)
        .await)
}
