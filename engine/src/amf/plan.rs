//! Resolving an AMF pipeline into the operations still to apply to an image: every transform
//! not marked `applied` is resolved to something rushes implements, or the whole plan fails with
//! an "unsupported transform" error naming it. Nothing is skipped silently.

use super::model::*;
use super::transform_id::{AcesTransform, resolve};
use crate::cdl::Cdl;
use crate::color::ColorSpace;
use crate::{Error, Result};

/// What remains to be done to an image described by a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The input transform when it is not applied yet (the image is in its source encoding).
    pub input: Option<AcesTransform>,
    /// Unapplied looks in document order.
    pub looks: Vec<PlannedLook>,
    /// The output transform when it is not applied yet.
    pub output: Option<AcesTransform>,
}

/// One look to apply to ACES2065-1 pixels.
#[derive(Debug, Clone, PartialEq)]
pub enum PlannedLook {
    /// An inline CDL in a working space.
    Cdl {
        /// The decision.
        cdl: Cdl,
        /// The CDL working space (ACEScct unless the AMF names another).
        working: ColorSpace,
    },
    /// A CDL in an external file the caller must load (a path relative to the AMF; the caller
    /// must refuse paths leaving the AMF's folder).
    ExternalCdl {
        /// The ColorCorrection id.
        ref_id: String,
        /// The file reference as written.
        file: String,
        /// The CDL working space.
        working: ColorSpace,
    },
}

fn unsupported(id: &str, reason: &str) -> Error {
    Error::UnsupportedTransform {
        id: id.to_string(),
        reason: reason.to_string(),
    }
}

fn resolve_ref(r: &TransformRef) -> Result<AcesTransform> {
    match r {
        TransformRef::TransformId(id) => resolve(id),
        TransformRef::Uuid(u) => Err(unsupported(
            u,
            "transforms referenced by UUID cannot be resolved",
        )),
        TransformRef::File(f) => Err(unsupported(
            f,
            "transforms in external files (CLF, CTL) are not supported",
        )),
    }
}

/// The working space named by a CDL working-space pair: `from` must convert X -> ACES2065-1 and
/// `to`, when present, ACES2065-1 -> X.
fn working_space(ws: &CdlWorkingSpace) -> Result<ColorSpace> {
    let aces = ColorSpace::ACES2065_1;
    let from = match resolve_ref(&ws.from.reference)? {
        AcesTransform::ColorSpaceConversion { from, to } if to == aces => from,
        AcesTransform::ColorSpaceConversion { .. } => {
            let id = describe(&ws.from.reference);
            return Err(unsupported(
                &id,
                "fromCdlWorkingSpace must convert to ACES2065-1",
            ));
        }
    };
    if let Some(to) = &ws.to {
        match resolve_ref(&to.reference)? {
            AcesTransform::ColorSpaceConversion { from: f, to: t } if f == aces && t == from => {}
            AcesTransform::ColorSpaceConversion { .. } => {
                let id = describe(&to.reference);
                return Err(unsupported(
                    &id,
                    "toCdlWorkingSpace must be the inverse of fromCdlWorkingSpace",
                ));
            }
        }
    }
    Ok(from)
}

/// A separate ACES 1.x RRT/ODT pair: each part must resolve, and no pair is implemented yet.
fn split_pair(first: &TransformRef, second: &TransformRef) -> Result<AcesTransform> {
    resolve_ref(first)?;
    resolve_ref(second)?;
    Err(unsupported(
        &describe(first),
        "separate RRT/ODT pairs are not implemented",
    ))
}

fn describe(r: &TransformRef) -> String {
    match r {
        TransformRef::TransformId(v) | TransformRef::Uuid(v) | TransformRef::File(v) => v.clone(),
    }
}

impl Pipeline {
    /// Resolves every transform not yet applied (input, looks, output).
    pub fn plan(&self) -> Result<Plan> {
        let input = match &self.input_transform {
            Some(t) if !t.applied => Some(match &t.kind {
                InputTransformKind::Reference(r) => resolve_ref(r)?,
                InputTransformKind::InverseOutput(s) => resolve_ref(&s.reference)?,
                InputTransformKind::InverseOdtRrt {
                    inverse_odt,
                    inverse_rrt,
                } => split_pair(&inverse_odt.reference, &inverse_rrt.reference)?,
            }),
            _ => None,
        };
        let mut looks = Vec::new();
        for step in &self.steps {
            let PipelineStep::Look(look) = step else {
                continue;
            };
            if look.applied {
                continue;
            }
            match &look.kind {
                LookKind::Reference(r) => {
                    resolve_ref(r)?;
                    // A look ID that resolves is a colour-space conversion, not a look.
                    return Err(unsupported(&describe(r), "not a look transform"));
                }
                LookKind::Cdl {
                    working_space: ws,
                    source,
                } => {
                    let working = working_space(ws)?;
                    looks.push(match source {
                        CdlSource::Inline(cdl) => PlannedLook::Cdl { cdl: *cdl, working },
                        CdlSource::External { ref_id, file } => PlannedLook::ExternalCdl {
                            ref_id: ref_id.clone(),
                            file: file.clone(),
                            working,
                        },
                    });
                }
            }
        }
        let output = match &self.output_transform {
            Some(t) if !t.applied => Some(match &t.kind {
                OutputTransformKind::Reference(r) => resolve_ref(r)?,
                OutputTransformKind::RrtOdt { rrt, odt } => {
                    split_pair(&rrt.reference, &odt.reference)?
                }
            }),
            _ => None,
        };
        Ok(Plan {
            input,
            looks,
            output,
        })
    }
}
