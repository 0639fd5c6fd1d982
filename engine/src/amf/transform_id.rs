//! ACES transform IDs (URNs): the forms the AMF schema allows in each place, and resolution of
//! an ID to the transforms rushes implements (anything else is an "unsupported transform" error).

use crate::color::aces1::Aces13Output;
use crate::color::aces2::Aces2Output;
use crate::color::{Adaptation, ColorSpace, Converter};
use crate::{Error, Result};

const V15: &str = "urn:ampas:aces:transformId:v1.5:";
const V20: &str = "urn:ampas:aces:transformId:v2.0:";

/// Where a transform ID appears; each place has its own allowed forms in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransformSlot {
    /// `inputTransform/transformId` (IDT, CSC).
    Input,
    /// `lookTransform/transformId` (LMT, Look).
    Look,
    /// `outputTransform/transformId` (RRTODT, Output).
    Output,
    /// `inverseOutputTransform/transformId`.
    InverseOutput,
    /// `toCdlWorkingSpace` / `fromCdlWorkingSpace` (colour-space conversions).
    ColorSpaceConversion,
    /// `referenceRenderingTransform` (ACES 1.x RRT).
    Rrt,
    /// `inverseReferenceRenderingTransform`.
    InverseRrt,
    /// `outputDeviceTransform` (ACES 1.x ODT).
    Odt,
    /// `inverseOutputDeviceTransform`.
    InverseOdt,
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn prefixed_digits(s: &str, prefix: char) -> bool {
    s.strip_prefix(prefix).is_some_and(digits)
}

/// `K.\S+.\S+.a\d+.v\d+`
fn form_vendor(rest: &str, kind: &str) -> bool {
    let Some(m) = rest.strip_prefix(kind).and_then(|m| m.strip_prefix('.')) else {
        return false;
    };
    let mut parts = m.rsplitn(3, '.');
    let (Some(v), Some(a), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    prefixed_digits(v, 'v')
        && prefixed_digits(a, 'a')
        && name.len() >= 3
        && name
            .get(1..name.len() - 1)
            .is_some_and(|mid| mid.contains('.'))
}

/// `K.Academy.\S+.a\d+.\d+.\d+`
fn form_academy(rest: &str, kind: &str) -> bool {
    let Some(m) = rest
        .strip_prefix(kind)
        .and_then(|m| m.strip_prefix(".Academy."))
    else {
        return false;
    };
    three_part_version(m)
}

/// `\S+.a\d+.\d+.\d+`
fn three_part_version(m: &str) -> bool {
    let mut parts = m.rsplitn(4, '.');
    let (Some(p), Some(n), Some(a), Some(name)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    digits(p) && digits(n) && prefixed_digits(a, 'a') && !name.is_empty()
}

/// `K.\S+.a\d+.v\d+`
fn form_single(rest: &str, kind: &str) -> bool {
    let Some(m) = rest.strip_prefix(kind).and_then(|m| m.strip_prefix('.')) else {
        return false;
    };
    let mut parts = m.rsplitn(3, '.');
    let (Some(v), Some(a), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    prefixed_digits(v, 'v') && prefixed_digits(a, 'a') && !name.is_empty()
}

/// `K.a\d+.\d+.\d+` (the ACES 1.x RRT forms).
fn form_rrt(rest: &str, kind: &str) -> bool {
    let Some(m) = rest.strip_prefix(kind).and_then(|m| m.strip_prefix('.')) else {
        return false;
    };
    let parts: Vec<&str> = m.split('.').collect();
    matches!(parts.as_slice(), [a, n, p] if prefixed_digits(a, 'a') && digits(n) && digits(p))
}

/// Checks that `id` has one of the forms the AMF schema allows in `slot`; the problem otherwise.
pub fn check_form(slot: TransformSlot, id: &str) -> Result<(), String> {
    // XSD `\S` excludes exactly these four characters.
    if id.is_empty() || id.contains([' ', '\t', '\n', '\r']) {
        return Err(format!(
            "transform ID `{id}` is empty or contains white space"
        ));
    }
    let ok = if let Some(r) = id.strip_prefix(V15) {
        match slot {
            TransformSlot::Input => {
                form_vendor(r, "IDT") || r.strip_prefix("ACEScsc.").is_some_and(three_part_version)
            }
            TransformSlot::Look => form_vendor(r, "LMT") || form_academy(r, "LMT"),
            TransformSlot::Output => form_vendor(r, "RRTODT") || form_academy(r, "RRTODT"),
            TransformSlot::InverseOutput => {
                form_vendor(r, "InvRRTODT") || form_academy(r, "InvRRTODT")
            }
            TransformSlot::ColorSpaceConversion => {
                form_vendor(r, "ACEScsc") || form_academy(r, "ACEScsc")
            }
            TransformSlot::Rrt => form_rrt(r, "RRT"),
            TransformSlot::InverseRrt => form_rrt(r, "InvRRT"),
            TransformSlot::Odt => form_vendor(r, "ODT") || form_academy(r, "ODT"),
            TransformSlot::InverseOdt => form_vendor(r, "InvODT") || form_academy(r, "InvODT"),
        }
    } else if let Some(r) = id.strip_prefix(V20) {
        match slot {
            TransformSlot::Input => form_vendor(r, "Input") || form_single(r, "CSC"),
            TransformSlot::Look => form_vendor(r, "Look"),
            TransformSlot::Output => form_vendor(r, "Output"),
            TransformSlot::InverseOutput => form_vendor(r, "InvOutput"),
            TransformSlot::ColorSpaceConversion => form_vendor(r, "CSC"),
            TransformSlot::Rrt
            | TransformSlot::InverseRrt
            | TransformSlot::Odt
            | TransformSlot::InverseOdt => false,
        }
    } else {
        return Err(format!(
            "transform ID `{id}` does not start with {V15} or {V20}"
        ));
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "transform ID `{id}` is not one of the forms allowed for {slot:?} transforms"
        ))
    }
}

/// A transform rushes implements, resolved from its ACES transform ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcesTransform {
    /// A colour-space conversion between ACES encodings (ACES 1.x `ACEScsc`, ACES 2.0 `CSC`).
    ColorSpaceConversion {
        /// Source encoding.
        from: ColorSpace,
        /// Destination encoding.
        to: ColorSpace,
    },
    /// An ACES 1.3 output transform (RRT + ODT), ACES2065-1 to display code values.
    Aces13Output(Aces13Output),
    /// An ACES 2.0 output transform, ACES2065-1 to display code values.
    Aces2Output(Aces2Output),
    /// An ACES 2.0 inverse output transform, display code values to ACES2065-1.
    Aces2InverseOutput(Aces2Output),
}

impl AcesTransform {
    /// Applies the transform to interleaved `f32` pixels (3 or 4 channels) in place.
    pub fn apply(&self, pixels: &mut [f32], channels: usize) -> Result<()> {
        match *self {
            AcesTransform::ColorSpaceConversion { from, to } => {
                Converter::new(from, to, Adaptation::Bradford).apply(pixels, channels)
            }
            AcesTransform::Aces13Output(output) => output.apply(pixels, channels),
            AcesTransform::Aces2Output(output) => output.apply(pixels, channels),
            AcesTransform::Aces2InverseOutput(output) => output.apply_inverse(pixels, channels),
        }
    }
}

fn csc_by_name(name: &str) -> Option<AcesTransform> {
    let aces = ColorSpace::ACES2065_1;
    let (from, to) = match name {
        "ACEScct_to_ACES" => (ColorSpace::ACESCCT, aces),
        "ACES_to_ACEScct" => (aces, ColorSpace::ACESCCT),
        "ACEScc_to_ACES" => (ColorSpace::ACESCC, aces),
        "ACES_to_ACEScc" => (aces, ColorSpace::ACESCC),
        "ACEScg_to_ACES" => (ColorSpace::ACESCG, aces),
        "ACES_to_ACEScg" => (aces, ColorSpace::ACESCG),
        _ => return None,
    };
    Some(AcesTransform::ColorSpaceConversion { from, to })
}

fn aces13_output_by_name(name: &str) -> Option<AcesTransform> {
    match name {
        "Rec709_100nits_dim" => Some(Aces13Output::Rec709_100nitsDim),
        "Rec2020_100nits_dim" => Some(Aces13Output::Rec2020_100nitsDim),
        "RGBmonitor_100nits_dim" => Some(Aces13Output::Srgb100nitsDim),
        _ => None,
    }
    .map(AcesTransform::Aces13Output)
}

/// Resolves a separate ACES 1.x RRT + ODT pair (`RRT.a1.x.y` + `ODT.Academy.<name>.a1.x.y`).
pub fn resolve_rrt_odt(rrt_id: &str, odt_id: &str) -> Result<AcesTransform> {
    let rrt_ok = rrt_id.strip_prefix(V15).is_some_and(|r| form_rrt(r, "RRT"));
    if !rrt_ok {
        return Err(Error::UnsupportedTransform {
            id: rrt_id.to_string(),
            reason: "not an ACES 1.x RRT ID".into(),
        });
    }
    odt_id
        .strip_prefix(V15)
        .and_then(|r| r.strip_prefix("ODT.Academy."))
        .filter(|m| three_part_version(m))
        .and_then(|m| m.rsplitn(4, '.').nth(3))
        .and_then(aces13_output_by_name)
        .ok_or_else(|| Error::UnsupportedTransform {
            id: odt_id.to_string(),
            reason: "rushes implements only the Rec709_100nits_dim, Rec2020_100nits_dim and \
                     RGBmonitor_100nits_dim ACES 1.x ODTs so far"
                .into(),
        })
}

/// Resolves an ACES 1.x or 2.0 transform ID to what rushes implements. An ID naming anything
/// else (camera IDTs, LMTs, output transforms not yet implemented, vendor transforms, malformed
/// IDs) is an [`Error::UnsupportedTransform`] naming the ID; nothing is ever skipped silently.
pub fn resolve(id: &str) -> Result<AcesTransform> {
    let unsupported = |reason: &str| Error::UnsupportedTransform {
        id: id.to_string(),
        reason: reason.to_string(),
    };
    if let Some(r) = id.strip_prefix(V15) {
        if let Some(t) = r
            .strip_prefix("RRTODT.Academy.")
            .filter(|m| three_part_version(m))
            .and_then(|m| m.rsplitn(4, '.').nth(3))
            .and_then(aces13_output_by_name)
        {
            return Ok(t);
        }
    }
    if let Some(r) = id.strip_prefix(V20) {
        let academy = |kind: &str| {
            r.strip_prefix(kind)
                .and_then(|m| m.strip_prefix(".Academy."))
                .and_then(|m| {
                    let mut parts = m.rsplitn(3, '.');
                    let (v, a, name) = (parts.next()?, parts.next()?, parts.next()?);
                    (prefixed_digits(v, 'v') && prefixed_digits(a, 'a')).then_some(name)
                })
        };
        let aces2 = |name: &str| {
            Aces2Output::from_id_name(name).ok_or_else(|| {
                unsupported(
                    "rushes implements the ACES 2.0 output transforms with a Rec709, P3 or \
                     Rec2100 limiting gamut (D65 or D60 white) in a D65 Rec709, P3 or Rec2100 \
                     container: BT1886, sRGB-Piecewise, Gamma2pt2 and Gamma2pt6 at 100 nit, \
                     ST2084 from 100 to 10000 nit (not 48 nit cinema, HLG or XYZ-E)",
                )
            })
        };
        if let Some(name) = academy("Output") {
            return aces2(name).map(AcesTransform::Aces2Output);
        }
        if let Some(name) = academy("InvOutput") {
            return aces2(name).map(AcesTransform::Aces2InverseOutput);
        }
    }
    let name = if let Some(r) = id.strip_prefix(V15) {
        r.strip_prefix("ACEScsc.Academy.")
            .filter(|m| three_part_version(m))
            .and_then(|m| m.rsplitn(4, '.').nth(3))
    } else if let Some(r) = id.strip_prefix(V20) {
        r.strip_prefix("CSC.Academy.").and_then(|m| {
            let mut parts = m.rsplitn(3, '.');
            let (v, a, name) = (parts.next()?, parts.next()?, parts.next()?);
            (prefixed_digits(v, 'v') && prefixed_digits(a, 'a')).then_some(name)
        })
    } else {
        return Err(unsupported(
            "not an ACES transform ID (urn:ampas:aces:transformId:v1.5: or v2.0:)",
        ));
    };
    match name.and_then(csc_by_name) {
        Some(t) => Ok(t),
        None => Err(unsupported(
            "rushes implements only the Academy ACEScct, ACEScc and ACEScg <-> ACES2065-1 \
             conversions, the ACES 1.3 Rec709, Rec2020 and RGBmonitor 100 nit dim output \
             transforms and the Academy ACES 2.0 output transforms so far",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_forms_are_recognised_per_slot() {
        use TransformSlot::*;
        let good = [
            (
                Input,
                "urn:ampas:aces:transformId:v1.5:IDT.Acme.Camera.a1.v1",
            ),
            (
                Input,
                "urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ACEScct_to_ACES.a1.0.3",
            ),
            (
                Input,
                "urn:ampas:aces:transformId:v2.0:CSC.Academy.ACEScct_to_ACES.a2.v1",
            ),
            (
                Input,
                "urn:ampas:aces:transformId:v2.0:Input.Arri.LogC4.a1.v1",
            ),
            (
                Look,
                "urn:ampas:aces:transformId:v1.5:LMT.ACME.AcmeDILook.a1.v5",
            ),
            (
                Look,
                "urn:ampas:aces:transformId:v1.5:LMT.Academy.BlueLightArtifactFix.a1.1.0",
            ),
            (
                Look,
                "urn:ampas:aces:transformId:v2.0:Look.Studio.Show.a2.v1",
            ),
            (
                Output,
                "urn:ampas:aces:transformId:v1.5:RRTODT.Academy.Rec2020_1000nits_15nits_ST2084.a1.1.0",
            ),
            (
                Output,
                "urn:ampas:aces:transformId:v2.0:Output.Academy.Rec709-D65_100nit_in_Rec709-D65_BT1886.a2.v1",
            ),
            (
                ColorSpaceConversion,
                "urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ACEScct_to_ACES.a1.0.3",
            ),
            (
                ColorSpaceConversion,
                "urn:ampas:aces:transformId:v2.0:CSC.Academy.ACEScct_to_ACES.a2.v1",
            ),
            (Rrt, "urn:ampas:aces:transformId:v1.5:RRT.a1.0.3"),
            (InverseRrt, "urn:ampas:aces:transformId:v1.5:InvRRT.a1.0.3"),
            (
                Odt,
                "urn:ampas:aces:transformId:v1.5:ODT.Academy.P3D60_48nits.a1.0.3",
            ),
            (
                InverseOdt,
                "urn:ampas:aces:transformId:v1.5:InvODT.Academy.Rec709_100nits_dim.a1.0.3",
            ),
        ];
        for (slot, id) in good {
            assert_eq!(check_form(slot, id), Ok(()), "{slot:?} {id}");
        }
        let bad = [
            (
                Look,
                "urn:ampas:aces:transformId:v1.5:IDT.Acme.Camera.a1.v1",
            ),
            (Input, "urn:ampas:aces:transformId:v1.5:IDT.Camera.a1.v1"),
            (
                Input,
                "urn:ampas:aces:transformId:v1.5:IDT.Acme.Camera.a1.v",
            ),
            (
                Input,
                "urn:ampas:aces:transformId:v1.5:IDT.Acme. Camera.a1.v1",
            ),
            (
                Output,
                "urn:ampas:aces:transformId:v3.0:Output.Academy.X.a2.v1",
            ),
            (Rrt, "urn:ampas:aces:transformId:v2.0:RRT.a1.0.3"),
            (Rrt, "urn:ampas:aces:transformId:v1.5:RRT.a1.0"),
            (
                ColorSpaceConversion,
                "urn:ampas:aces:transformId:v2.0:CSC.Academy_ACEScct.a2.v1",
            ),
            (Output, ""),
        ];
        for (slot, id) in bad {
            assert!(check_form(slot, id).is_err(), "{slot:?} {id}");
        }
    }

    #[test]
    fn aces2_output_ids_resolve_and_unknown_ones_are_named() {
        let id = "urn:ampas:aces:transformId:v2.0:Output.Academy.Rec709-D65_100nit_in_Rec709-D65_BT1886.a2.v1";
        assert_eq!(
            resolve(id).ok(),
            Some(AcesTransform::Aces2Output(Aces2Output::SDR_REC709))
        );
        let inv = "urn:ampas:aces:transformId:v2.0:InvOutput.Academy.P3-D65_1000nit_in_P3-D65_ST2084.a2.v1";
        assert_eq!(
            resolve(inv).ok(),
            Some(AcesTransform::Aces2InverseOutput(
                Aces2Output::HDR_P3D65_1000
            ))
        );
        for bad in [
            "urn:ampas:aces:transformId:v2.0:Output.Academy.P3-D65_48nit_in_XYZ-E_Gamma2pt6.a2.v1",
            "urn:ampas:aces:transformId:v2.0:Output.Academy.Rec709-D65_100nit_in_Rec709-D65_Nonsense.a2.v1",
            "urn:ampas:aces:transformId:v2.0:Output.Studio.Show_Look.a2.v1",
        ] {
            match resolve(bad) {
                Err(Error::UnsupportedTransform { id, .. }) => assert_eq!(id, bad),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn csc_ids_resolve_and_others_are_unsupported_by_name() {
        let cct = resolve("urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ACEScct_to_ACES.a1.0.3");
        assert_eq!(
            cct.ok(),
            Some(AcesTransform::ColorSpaceConversion {
                from: ColorSpace::ACESCCT,
                to: ColorSpace::ACES2065_1
            })
        );
        let cg = resolve("urn:ampas:aces:transformId:v2.0:CSC.Academy.ACEScg_to_ACES.a2.v1");
        assert!(cg.is_ok());
        let rec709 = AcesTransform::Aces13Output(Aces13Output::Rec709_100nitsDim);
        assert_eq!(
            resolve("urn:ampas:aces:transformId:v1.5:RRTODT.Academy.Rec709_100nits_dim.a1.1.0")
                .ok(),
            Some(rec709)
        );
        assert_eq!(
            resolve_rrt_odt(
                "urn:ampas:aces:transformId:v1.5:RRT.a1.0.3",
                "urn:ampas:aces:transformId:v1.5:ODT.Academy.Rec709_100nits_dim.a1.0.3"
            )
            .ok(),
            Some(rec709)
        );
        assert!(matches!(
            resolve_rrt_odt(
                "urn:ampas:aces:transformId:v1.5:RRT.a1.0.3",
                "urn:ampas:aces:transformId:v1.5:ODT.Academy.P3D60_48nits.a1.0.3"
            ),
            Err(Error::UnsupportedTransform { ref id, .. }) if id.contains("P3D60")
        ));
        for id in [
            "urn:ampas:aces:transformId:v2.0:CSC.Arri.LogC4_to_ACES.a2.v1",
            "urn:ampas:aces:transformId:v1.5:RRTODT.Academy.P3D65_1000nits_15nits_ST2084.a1.1.0",
            "urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ADX10_to_ACES.a1.0.3",
            "urn:example:nothing",
        ] {
            match resolve(id) {
                Err(Error::UnsupportedTransform { id: named, reason }) => {
                    assert_eq!(named, id);
                    assert!(!reason.is_empty());
                    assert!(
                        Error::UnsupportedTransform {
                            id: named.clone(),
                            reason
                        }
                        .to_string()
                        .contains(id)
                    );
                }
                other => panic!("{id}: {other:?}"),
            }
        }
    }
}
