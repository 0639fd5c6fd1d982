//! Resolving an AMF pipeline into the operations still to apply to an image: every transform
//! not marked `applied` is resolved to something rushes implements, or the whole plan fails with
//! an "unsupported transform" error naming it. Nothing is skipped silently.

use super::model::*;
use super::transform_id::{AcesTransform, resolve, resolve_rrt_odt};
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
        _ => {
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
            _ => {
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

/// A separate ACES 1.x RRT + ODT pair (both by transform ID).
fn rrt_odt(rrt: &TransformRef, odt: &TransformRef) -> Result<AcesTransform> {
    match (rrt, odt) {
        (TransformRef::TransformId(r), TransformRef::TransformId(o)) => resolve_rrt_odt(r, o),
        _ => {
            // A UUID or file reference: resolve_ref names it as unsupported.
            let other = if matches!(rrt, TransformRef::TransformId(_)) {
                odt
            } else {
                rrt
            };
            resolve_ref(other)
        }
    }
}

/// An inverse ODT + inverse RRT pair: no inverse output transform is implemented yet.
fn split_pair(first: &TransformRef, second: &TransformRef) -> Result<AcesTransform> {
    resolve_ref(first)?;
    resolve_ref(second)?;
    Err(unsupported(
        &describe(first),
        "inverse ODT/RRT pairs are not implemented",
    ))
}

/// An external CDL must be a relative path inside the AMF's folder: no URI scheme, no absolute
/// path or drive letter, no `..` component, no backslashes or NUL.
pub fn check_relative_file(file: &str) -> Result<()> {
    let problem = if file.is_empty() {
        Some("empty file reference")
    } else if file.contains('\0') || file.contains('\\') {
        Some("NUL or backslash in a file reference")
    } else if file.starts_with('/') {
        Some("absolute path")
    } else if file.contains(':') {
        Some("URI scheme or drive letter (only paths relative to the AMF are followed)")
    } else if file.split('/').any(|part| part == "..") {
        Some("`..` leaves the AMF's folder")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(p) => Err(Error::UnsafePath {
            file: "AMF lookTransform".into(),
            path: file.to_string(),
            problem: p.to_string(),
        }),
    }
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
                InputTransformKind::InverseOutput(s) => match resolve_ref(&s.reference)? {
                    t @ AcesTransform::Aces2InverseOutput(_) => t,
                    _ => {
                        return Err(unsupported(
                            &describe(&s.reference),
                            "only ACES 2.0 inverse output transforms are implemented",
                        ));
                    }
                },
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
                        CdlSource::External { ref_id, file } => {
                            check_relative_file(file)?;
                            PlannedLook::ExternalCdl {
                                ref_id: ref_id.clone(),
                                file: file.clone(),
                                working,
                            }
                        }
                    });
                }
            }
        }
        let output = match &self.output_transform {
            Some(t) if !t.applied => Some(match &t.kind {
                OutputTransformKind::Reference(r) => resolve_ref(r)?,
                OutputTransformKind::RrtOdt { rrt, odt } => {
                    rrt_odt(&rrt.reference, &odt.reference)?
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

/// The ACES transform ID of the output the rule of defaults applies when no AMF is given:
/// ACES 2.0, SDR 100 nit, Rec.709 limited, Rec.709 D65 container, BT.1886.
pub const DEFAULT_OUTPUT_ID: &str =
    "urn:ampas:aces:transformId:v2.0:Output.Academy.Rec709-D65_100nit_in_Rec709-D65_BT1886.a2.v1";

impl Plan {
    /// The rule of defaults: with no AMF, ACES2065-1 images get the ACES 2.0 SDR 100 nit
    /// Rec.709 output transform ([`DEFAULT_OUTPUT_ID`]) and nothing else.
    pub fn rule_of_defaults() -> Plan {
        Plan {
            input: None,
            looks: Vec::new(),
            output: Some(AcesTransform::Aces2Output(
                crate::color::aces2::Aces2Output::SDR_REC709,
            )),
        }
    }

    /// Applies the plan in place to interleaved `f32` pixels (3 or 4 channels): the input
    /// transform, then the looks (CDLs without clamping, as scene-referred working spaces need),
    /// then the output transform. External CDLs are fetched through `load_cdl(ref_id, file)`
    /// (the engine does no I/O; the caller reads and parses the file).
    pub fn apply(
        &self,
        pixels: &mut [f32],
        channels: usize,
        load_cdl: &dyn Fn(&str, &str) -> Result<Cdl>,
    ) -> Result<()> {
        if let Some(input) = &self.input {
            input.apply(pixels, channels)?;
        }
        for look in &self.looks {
            let (cdl, working) = match look {
                PlannedLook::Cdl { cdl, working } => (*cdl, *working),
                PlannedLook::ExternalCdl {
                    ref_id,
                    file,
                    working,
                } => (load_cdl(ref_id, file)?, *working),
            };
            cdl.apply_in(pixels, channels, crate::cdl::CdlStyle::NoClamp, working)?;
        }
        if let Some(output) = &self.output {
            output.apply(pixels, channels)?;
        }
        Ok(())
    }
}
