//! The conform-trim step: turns a match report into a conform package of the source media the
//! cut needs (the frames of every matched event plus handles), copied create-only from the
//! library, each file verified against the checksum recorded at ingest while it is copied, and
//! sealed with an ASC MHL generation.
//!
//! One step, three actions, so that a pull of any size fits the Step Functions limits exactly as
//! ingest does: `plan` stores the file list cut into batches, a Map runs `copy` once per batch,
//! and `seal` checks that the results cover the plan, writes the package's MHL generation and the
//! pull report.

mod copy;
mod docs;
mod plan;
mod seal;

use rushes_common::{Ports, Result};
use serde::{Deserialize, Serialize};

pub use copy::{CopyInput, CopyOutput};
pub use docs::{CopiedFile, EventPlan, PlannedFile, PullDocs, TrimPlan};
pub use plan::{PlanInput, PlanOutput};
pub use seal::{SealInput, SealOutput};

/// Input of the step: one of its three actions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Input {
    /// Plan the package from a match report.
    Plan(PlanInput),
    /// Copy one batch of the plan.
    Copy(CopyInput),
    /// Seal the package.
    Seal(SealInput),
}

/// Output of the step, by action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Output {
    /// What `plan` stored.
    Plan(PlanOutput),
    /// What `copy` did.
    Copy(CopyOutput),
    /// What `seal` wrote.
    Seal(SealOutput),
}

/// Runs the step.
pub async fn handle(ports: Ports, input: Input) -> Result<Output> {
    match input {
        Input::Plan(i) => plan::plan(&ports, i).await.map(Output::Plan),
        Input::Copy(i) => copy::copy(&ports, i).await.map(Output::Copy),
        Input::Seal(i) => seal::seal(&ports, i).await.map(Output::Seal),
    }
}

#[cfg(test)]
mod tests;
