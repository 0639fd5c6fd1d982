//! ASC CDL XML: read and write `.cc` (one ColorCorrection), `.ccc` (ColorCorrectionCollection)
//! and `.cdl` (ColorDecisionList) documents.
//!
//! Accepted namespaces: none, or any `urn:ASC:CDL:v1.x` (v1.01 and v1.2 are common); anything
//! else is refused as a wrong namespace. Written documents use `urn:ASC:CDL:v1.01`.
//! `SOPNode`/`ASC_SOP` and `SatNode`/`ASC_SAT` are both read; a missing node means identity.

use super::Cdl;
use super::xml_tree::{self, Node, TreeError};
use crate::{Error, Result};

/// The namespace rushes writes (the one AMF v2 imports).
pub const CDL_NAMESPACE: &str = "urn:ASC:CDL:v1.01";

/// One ColorCorrection: an optional id, descriptions and the decision.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ColorCorrection {
    /// The `id` attribute.
    pub id: Option<String>,
    /// `Description` elements of the correction.
    pub descriptions: Vec<String>,
    /// Slope, offset, power and saturation.
    pub cdl: Cdl,
}

/// Which of the three CDL file forms a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CdlKind {
    /// `.cc`: a single ColorCorrection root.
    Cc,
    /// `.ccc`: a ColorCorrectionCollection.
    Ccc,
    /// `.cdl`: a ColorDecisionList of ColorDecisions.
    Cdl,
}

/// A parsed CDL document.
#[derive(Debug, Clone, PartialEq)]
pub struct CdlDocument {
    /// The form it was read in (and is written back in).
    pub kind: CdlKind,
    /// Top-level `Description` elements (`.ccc`, `.cdl`).
    pub descriptions: Vec<String>,
    /// The corrections in document order (one for `.cc`).
    pub corrections: Vec<ColorCorrection>,
}

impl CdlDocument {
    /// The correction with this id.
    pub fn find(&self, id: &str) -> Option<&ColorCorrection> {
        self.corrections
            .iter()
            .find(|c| c.id.as_deref() == Some(id))
    }

    /// Parses a `.cc`, `.ccc` or `.cdl` document; `input` names it in errors.
    pub fn parse(input: &str, bytes: &[u8]) -> Result<CdlDocument> {
        let wrap = |e: TreeError| Error::CdlInvalid {
            input: input.to_string(),
            path: e.path,
            problem: e.problem,
        };
        let root = xml_tree::parse(bytes).map_err(wrap)?;
        check_namespace(&root).map_err(wrap)?;
        let mut doc = CdlDocument {
            kind: CdlKind::Cc,
            descriptions: Vec::new(),
            corrections: Vec::new(),
        };
        match root.name.as_str() {
            "ColorCorrection" => doc.corrections.push(parse_correction(&root).map_err(wrap)?),
            "ColorCorrectionCollection" => {
                doc.kind = CdlKind::Ccc;
                for child in &root.children {
                    check_namespace(child).map_err(wrap)?;
                    match child.name.as_str() {
                        "ColorCorrection" => {
                            doc.corrections.push(parse_correction(child).map_err(wrap)?);
                        }
                        "Description" => doc.descriptions.push(child.text_trim().to_string()),
                        "InputDescription" | "ViewingDescription" => {}
                        other => return Err(wrap(unexpected(child, other))),
                    }
                }
            }
            "ColorDecisionList" => {
                doc.kind = CdlKind::Cdl;
                for child in &root.children {
                    check_namespace(child).map_err(wrap)?;
                    match child.name.as_str() {
                        "ColorDecision" => {
                            doc.corrections.push(parse_decision(child).map_err(wrap)?);
                        }
                        "Description" => doc.descriptions.push(child.text_trim().to_string()),
                        "InputDescription" | "ViewingDescription" => {}
                        other => return Err(wrap(unexpected(child, other))),
                    }
                }
            }
            other => {
                return Err(wrap(TreeError {
                    path: root.at(),
                    problem: format!(
                        "root element `{other}` is none of ColorCorrection, \
                         ColorCorrectionCollection, ColorDecisionList"
                    ),
                }));
            }
        }
        if doc.corrections.is_empty() {
            return Err(wrap(TreeError {
                path: root.at(),
                problem: "no ColorCorrection".into(),
            }));
        }
        Ok(doc)
    }

    /// Writes the document in its form (`.cc`, `.ccc` or `.cdl`), UTF-8 XML.
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        match self.kind {
            CdlKind::Cc => {
                for cc in self.corrections.iter().take(1) {
                    write_correction(&mut out, cc, "", true);
                }
            }
            CdlKind::Ccc | CdlKind::Cdl => {
                let (root, wrap) = match self.kind {
                    CdlKind::Ccc => ("ColorCorrectionCollection", None),
                    _ => ("ColorDecisionList", Some("ColorDecision")),
                };
                out.push_str(&format!("<{root} xmlns=\"{CDL_NAMESPACE}\">\n"));
                for d in &self.descriptions {
                    out.push_str(&format!("  <Description>{}</Description>\n", esc(d)));
                }
                for cc in &self.corrections {
                    match wrap {
                        Some(w) => {
                            out.push_str(&format!("  <{w}>\n"));
                            write_correction(&mut out, cc, "    ", false);
                            out.push_str(&format!("  </{w}>\n"));
                        }
                        None => write_correction(&mut out, cc, "  ", false),
                    }
                }
                out.push_str(&format!("</{root}>\n"));
            }
        }
        out
    }
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// Formats a number so it reads back to the same `f64`.
pub(crate) fn num(v: f64) -> String {
    format!("{v}")
}

/// Appends `<SOPNode>` and `<SatNode>` for `cdl` with `prefix` on element names (e.g. `cdl:`).
pub(crate) fn write_nodes(out: &mut String, cdl: &Cdl, indent: &str, prefix: &str) {
    let triple = |v: [f64; 3]| format!("{} {} {}", num(v[0]), num(v[1]), num(v[2]));
    out.push_str(&format!("{indent}<{prefix}SOPNode>\n"));
    out.push_str(&format!(
        "{indent}  <{prefix}Slope>{}</{prefix}Slope>\n",
        triple(cdl.slope)
    ));
    out.push_str(&format!(
        "{indent}  <{prefix}Offset>{}</{prefix}Offset>\n",
        triple(cdl.offset)
    ));
    out.push_str(&format!(
        "{indent}  <{prefix}Power>{}</{prefix}Power>\n",
        triple(cdl.power)
    ));
    out.push_str(&format!("{indent}</{prefix}SOPNode>\n"));
    out.push_str(&format!("{indent}<{prefix}SatNode>\n"));
    out.push_str(&format!(
        "{indent}  <{prefix}Saturation>{}</{prefix}Saturation>\n",
        num(cdl.saturation)
    ));
    out.push_str(&format!("{indent}</{prefix}SatNode>\n"));
}

fn write_correction(out: &mut String, cc: &ColorCorrection, indent: &str, root: bool) {
    let ns = if root {
        format!(" xmlns=\"{CDL_NAMESPACE}\"")
    } else {
        String::new()
    };
    let id = cc
        .id
        .as_ref()
        .map(|id| format!(" id=\"{}\"", esc(id)))
        .unwrap_or_default();
    out.push_str(&format!("{indent}<ColorCorrection{ns}{id}>\n"));
    let inner = format!("{indent}  ");
    for d in &cc.descriptions {
        out.push_str(&format!("{inner}<Description>{}</Description>\n", esc(d)));
    }
    write_nodes(out, &cc.cdl, &inner, "");
    out.push_str(&format!("{indent}</ColorCorrection>\n"));
}

fn unexpected(node: &Node, name: &str) -> TreeError {
    TreeError {
        path: node.at(),
        problem: format!("unexpected element `{name}`"),
    }
}

/// Whether a namespace is one of the ASC CDL v1.x namespaces (or none).
pub(crate) fn is_cdl_namespace(ns: Option<&str>) -> bool {
    match ns {
        None => true,
        Some(ns) => ns.starts_with("urn:ASC:CDL:v1."),
    }
}

fn check_namespace(node: &Node) -> Result<(), TreeError> {
    if is_cdl_namespace(node.ns.as_deref()) {
        Ok(())
    } else {
        Err(TreeError {
            path: node.at(),
            problem: format!(
                "element `{}` is in namespace `{}`, not an ASC CDL namespace (urn:ASC:CDL:v1.x)",
                node.name,
                node.ns.as_deref().unwrap_or("")
            ),
        })
    }
}

fn parse_decision(node: &Node) -> Result<ColorCorrection, TreeError> {
    let mut found = None;
    for child in &node.children {
        check_namespace(child)?;
        match child.name.as_str() {
            "ColorCorrection" if found.is_none() => found = Some(parse_correction(child)?),
            "ColorCorrection" => return Err(unexpected(child, "second ColorCorrection")),
            "ColorCorrectionRef" => {
                return Err(TreeError {
                    path: child.at(),
                    problem: "ColorCorrectionRef (a reference to a correction in another file) \
                              is not supported in .cdl documents"
                        .into(),
                });
            }
            "Description" | "InputDescription" | "ViewingDescription" | "MediaRef" => {}
            other => return Err(unexpected(child, other)),
        }
    }
    found.ok_or_else(|| TreeError {
        path: node.at(),
        problem: "ColorDecision without a ColorCorrection".into(),
    })
}

fn parse_correction(node: &Node) -> Result<ColorCorrection, TreeError> {
    let mut cc = ColorCorrection {
        id: node.attr("id").map(str::to_string),
        ..ColorCorrection::default()
    };
    let (mut sop, mut sat) = (false, false);
    for child in &node.children {
        check_namespace(child)?;
        match child.name.as_str() {
            "SOPNode" | "ASC_SOP" if !sop => {
                sop = true;
                parse_sop(child, &mut cc.cdl)?;
            }
            "SatNode" | "ASC_SAT" if !sat => {
                sat = true;
                cc.cdl.saturation = parse_sat(child)?;
            }
            "Description" => cc.descriptions.push(child.text_trim().to_string()),
            "InputDescription" | "ViewingDescription" => {}
            other => return Err(unexpected(child, other)),
        }
    }
    Ok(cc)
}

/// Reads Slope, Offset and Power of a SOPNode into `cdl`, checking their ranges.
pub(crate) fn parse_sop(node: &Node, cdl: &mut Cdl) -> Result<(), TreeError> {
    let (mut slope, mut offset, mut power) = (None, None, None);
    for child in &node.children {
        check_namespace(child)?;
        let slot = match child.name.as_str() {
            "Slope" => &mut slope,
            "Offset" => &mut offset,
            "Power" => &mut power,
            "Description" => continue,
            other => return Err(unexpected(child, other)),
        };
        if slot.is_some() {
            return Err(unexpected(child, &format!("second {}", child.name)));
        }
        *slot = Some(triple(child)?);
    }
    let missing = |what: &str| TreeError {
        path: node.at(),
        problem: format!("missing {what}"),
    };
    let slope = slope.ok_or_else(|| missing("Slope"))?;
    let offset = offset.ok_or_else(|| missing("Offset"))?;
    let power = power.ok_or_else(|| missing("Power"))?;
    if let Some(v) = slope.iter().find(|v| **v < 0.0) {
        return Err(range(node, "Slope", *v, "negative"));
    }
    if let Some(v) = power.iter().find(|v| **v <= 0.0) {
        return Err(range(node, "Power", *v, "not positive"));
    }
    cdl.slope = slope;
    cdl.offset = offset;
    cdl.power = power;
    Ok(())
}

/// Reads the Saturation of a SatNode, checking it is finite and not negative.
pub(crate) fn parse_sat(node: &Node) -> Result<f64, TreeError> {
    let mut sat = None;
    for child in &node.children {
        check_namespace(child)?;
        match child.name.as_str() {
            "Saturation" if sat.is_none() => sat = Some(number(child, child.text_trim())?),
            "Description" => {}
            other => return Err(unexpected(child, other)),
        }
    }
    let sat = sat.ok_or_else(|| TreeError {
        path: node.at(),
        problem: "missing Saturation".into(),
    })?;
    if sat < 0.0 {
        return Err(range(node, "Saturation", sat, "negative"));
    }
    Ok(sat)
}

fn range(node: &Node, what: &str, v: f64, problem: &str) -> TreeError {
    TreeError {
        path: node.at(),
        problem: format!("{what} value {v} is {problem}"),
    }
}

fn number(node: &Node, text: &str) -> Result<f64, TreeError> {
    let v: f64 = text.parse().map_err(|_| TreeError {
        path: node.at(),
        problem: format!("`{text}` is not a number"),
    })?;
    if !v.is_finite() {
        return Err(TreeError {
            path: node.at(),
            problem: format!("`{text}` is not a finite number"),
        });
    }
    Ok(v)
}

fn triple(node: &Node) -> Result<[f64; 3], TreeError> {
    let parts: Vec<&str> = node.text.split_whitespace().take(4).collect();
    match parts.as_slice() {
        [a, b, c] => Ok([number(node, a)?, number(node, b)?, number(node, c)?]),
        _ => Err(TreeError {
            path: node.at(),
            problem: format!("expected 3 numbers, found `{}`", node.text_trim()),
        }),
    }
}

#[cfg(test)]
#[path = "xml_tests.rs"]
mod tests;
