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

/// Reads a canvas template from JSON bytes holding either a bare canvas template object or an FDL
/// document with `canvas_templates` (the one with id `id`, else the first); `name` is used in
/// error messages. Problems of a bare template are reported with paths relative to it (`$.id`).
pub fn read_canvas_template(bytes: &[u8], name: &str, id: Option<&str>) -> Result<CanvasTemplate> {
    let value = read::parse_json(bytes).map_err(|p| invalid(name, vec![p]))?;
    let bare = value
        .as_object()
        .is_some_and(|m| !m.contains_key("uuid") && m.contains_key("target_dimensions"));
    let doc = if bare {
        const PREFIX: &str = "$.canvas_templates[0]";
        let wrapped = serde_json::json!({
            "uuid": "00000000-0000-4000-8000-000000000000",
            "version": {"major": 2, "minor": 0},
            "canvas_templates": [value],
        });
        let mut reader = read::Reader::new();
        let doc = reader.fdl(&wrapped);
        let mut problems = reader.problems;
        problems.extend(validate(&doc));
        if !problems.is_empty() {
            let problems = problems
                .into_iter()
                .map(|p| Problem::new(p.path.replacen(PREFIX, "$", 1), p.message))
                .collect();
            return Err(invalid(name, problems));
        }
        doc
    } else {
        Fdl::from_json(bytes, name)?
    };
    doc.canvas_template(id)
        .cloned()
        .ok_or_else(|| Error::FdlTemplate {
            name: name.to_string(),
            problem: match id {
                Some(id) => format!("no canvas template with id `{}`", id.escape_debug()),
                None => "the document holds no canvas template".to_string(),
            },
        })
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

#[cfg(test)]
mod template_reading_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const BARE: &str = r#"{"id": "T1", "target_dimensions": {"width": 1920, "height": 1080},
        "target_anamorphic_squeeze": 1, "fit_source": "framing_decision.dimensions",
        "fit_method": "width"}"#;

    #[test]
    fn bare_and_embedded_templates_read_the_same() {
        let bare = read_canvas_template(BARE.as_bytes(), "bare", None).unwrap();
        assert_eq!(bare.id, "T1");
        assert_eq!(bare.target_dimensions.width, 1920);
        let doc = format!(
            r#"{{"uuid": "0b0e6a36-4c6e-4f35-9a43-7f0c8a1d2e3f", "version": {{"major": 2, "minor": 0}},
               "canvas_templates": [{BARE}, {}]}}"#,
            BARE.replace("T1", "T2")
        );
        assert_eq!(
            read_canvas_template(doc.as_bytes(), "doc", None).unwrap(),
            bare
        );
        let second = read_canvas_template(doc.as_bytes(), "doc", Some("T2")).unwrap();
        assert_eq!(second.id, "T2");
        let e = read_canvas_template(doc.as_bytes(), "doc", Some("T9")).unwrap_err();
        assert!(
            e.to_string().contains("no canvas template with id `T9`"),
            "{e}"
        );
    }

    #[test]
    fn problems_of_a_bare_template_have_paths_relative_to_it() {
        let broken = BARE
            .replace("1920", "-3")
            .replace("\"width\"}", "\"sideways\"}");
        let Err(Error::FdlInvalid { problems, .. }) =
            read_canvas_template(broken.as_bytes(), "bare", None)
        else {
            panic!("invalid expected");
        };
        assert!(
            problems.iter().any(|p| p.path == "$.fit_method"),
            "{problems:?}"
        );
        let Err(Error::FdlInvalid { problems, .. }) =
            read_canvas_template(BARE.replace("1920", "-3").as_bytes(), "bare", None)
        else {
            panic!("invalid expected");
        };
        assert!(
            problems
                .iter()
                .any(|p| p.path.starts_with("$.target_dimensions")),
            "{problems:?}"
        );
        let e = read_canvas_template(b"{\"id\": ", "bare", None).unwrap_err();
        assert!(e.to_string().contains("bare"), "{e}");
        let e = read_canvas_template(b"[]", "list", None).unwrap_err();
        assert!(e.to_string().contains("list"), "{e}");
    }
}
