//! ASC Framing Decision Lists: read and write FDL JSON (v2.0.1, v1.x read), validate, apply canvas templates.
//!
//! - [`Fdl::from_json`] reads a document (structural errors are refused with every problem listed),
//!   [`Fdl::to_json`] writes one.
//! - [`validate`] lists every value and semantic problem of a document with its JSON path;
//!   [`check_json`] does both steps on raw bytes (for `rushes fdl validate`).
//! - [`apply_template`] applies a canvas template the way the ASC's reference library does and
//!   returns the new FDL plus a [`PixelPlan`] for the image operation.
//! - [`framing_from_intent`] makes the framing decision a framing intent gives on a canvas.

mod geometry;
mod intent;
mod model;
mod plan;
mod read;
mod template;
mod validate;

pub use geometry::fdl_round;
pub use intent::framing_from_intent;
pub use model::*;
pub use plan::{PixelPlan, Rect};
pub use read::MAX_FDL_BYTES;
pub use template::{ApplyOptions, SourceSelection, TemplateResult, apply_template};
pub use validate::{MAX_DIMENSION, MAX_SQUEEZE, MAX_TEXT_CHARS, validate};

use crate::{Error, Result};

/// One problem found in an FDL: where (a JSON path such as `$.contexts[0].canvases[1].id`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path of the offending value (`$` is the document).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

pub(crate) fn invalid(name: &str, problems: Vec<Problem>) -> Error {
    let mut summary = problems
        .iter()
        .take(20)
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    if problems.len() > 20 {
        summary.push_str(&format!("; and {} more", problems.len() - 20));
    }
    Error::FdlInvalid {
        name: name.to_string(),
        summary,
        problems,
    }
}

impl Fdl {
    /// Reads an FDL JSON document; `name` (a file name or key) is used in error messages.
    ///
    /// Malformed JSON, wrong types, missing required or unknown fields and bad enum values are
    /// refused with [`Error::FdlInvalid`] listing every problem. Value and semantic rules (id
    /// patterns, ranges, references, geometry) are left to [`validate`].
    pub fn from_json(bytes: &[u8], name: &str) -> Result<Fdl> {
        let value = read::parse_json(bytes).map_err(|p| invalid(name, vec![p]))?;
        let mut reader = read::Reader::new();
        let fdl = reader.fdl(&value);
        if reader.problems.is_empty() {
            Ok(fdl)
        } else {
            Err(invalid(name, reader.problems))
        }
    }
}

/// Every problem of an FDL document given as bytes: structural ones and, when the structure is
/// sound, the value and semantic ones of [`validate`]. Empty when the document is valid.
pub fn check_json(bytes: &[u8]) -> Vec<Problem> {
    let value = match read::parse_json(bytes) {
        Ok(v) => v,
        Err(p) => return vec![p],
    };
    let mut reader = read::Reader::new();
    let fdl = reader.fdl(&value);
    let mut problems = reader.problems;
    problems.extend(validate(&fdl));
    problems
}
