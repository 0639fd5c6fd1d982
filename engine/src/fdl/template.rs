//! Canvas-template application (ASC FDL "canvas template" logic) and the pixel plan that an image
//! operation executes to make the pixels match the resulting FDL.
//!
//! The geometry follows the ASC's reference library step by step: the four nested layers
//! (canvas > effective > protection > framing) are taken from the fit source and the preserved
//! layer down, gaps are filled from the outermost known layer, anchors are made relative to the
//! preserved (or fitted) layer, everything is de-squeezed, scaled and re-squeezed to the target,
//! rounded, placed in the output canvas (maximum dimensions, padding, alignment) and cropped to it.

use sha2::{Digest, Sha256};

use super::geometry::*;
use super::model::*;
pub use super::plan::{PixelPlan, Rect};
use super::validate::{MAX_DIMENSION, validate};
use super::{Problem, invalid};
use crate::{Error, Result};

/// Which canvas and framing decision of the source FDL the template is applied to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceSelection {
    /// Label of the context; the first context when `None`.
    pub context_label: Option<String>,
    /// Id of the canvas; the context's first canvas when `None`.
    pub canvas_id: Option<String>,
    /// Id of the framing decision; when `None`, the one for `framing_intent_id`, else the one for
    /// the document's default framing intent, else the canvas's first.
    pub framing_decision_id: Option<String>,
    /// Framing intent whose decision is used (when `framing_decision_id` is `None`).
    pub framing_intent_id: Option<String>,
}

/// Choices about the written FDL that the template does not make.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Id of the new canvas; derived from the inputs (stable across runs) when `None`.
    pub new_canvas_id: Option<String>,
    /// UUID of the new document; derived from the inputs when `None`.
    pub uuid: Option<String>,
    /// `fdl_creator` of the new document; "rushes" when `None`.
    pub fdl_creator: Option<String>,
    /// `context_creator` of the new context.
    pub context_creator: Option<String>,
}

/// The result of applying a canvas template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateResult {
    /// The new FDL: one context (labelled after the template) holding a copy of the source canvas
    /// and the new canvas (whose `source_canvas_id` links it to the source), plus the template.
    pub fdl: Fdl,
    /// Id of the new canvas.
    pub canvas_id: String,
    /// Id of the new framing decision.
    pub framing_decision_id: String,
    /// The pixel operation matching the new canvas.
    pub plan: PixelPlan,
}

fn template_error(template: &CanvasTemplate, problem: impl Into<String>) -> Error {
    Error::FdlTemplate {
        name: format!("canvas template `{}`", template.id.escape_debug()),
        problem: problem.into(),
    }
}

/// Checks a template on its own; every problem is listed.
fn template_problems(template: &CanvasTemplate) -> Vec<Problem> {
    let doc = Fdl {
        uuid: "00000000-0000-0000-0000-000000000000".into(),
        version: Version { major: 2, minor: 0 },
        fdl_creator: None,
        default_framing_intent: None,
        framing_intents: Vec::new(),
        contexts: Vec::new(),
        canvas_templates: vec![template.clone()],
        custom: Custom::new(),
    };
    validate(&doc)
}

fn select<'a>(
    fdl: &'a Fdl,
    selection: &SourceSelection,
) -> std::result::Result<(usize, usize, &'a Context, &'a Canvas, &'a FramingDecision), String> {
    let (ci, context) = match &selection.context_label {
        None => fdl.contexts.iter().enumerate().next(),
        Some(l) => fdl
            .contexts
            .iter()
            .enumerate()
            .find(|(_, c)| c.label.as_deref() == Some(l.as_str())),
    }
    .ok_or_else(|| match &selection.context_label {
        Some(l) => format!(
            "the source FDL has no context labelled `{}`",
            l.escape_debug()
        ),
        None => "the source FDL has no context".to_string(),
    })?;
    let (vi, canvas) = match &selection.canvas_id {
        None => context.canvases.iter().enumerate().next(),
        Some(id) => context
            .canvases
            .iter()
            .enumerate()
            .find(|(_, c)| &c.id == id),
    }
    .ok_or_else(|| match &selection.canvas_id {
        Some(id) => format!("context {ci} has no canvas `{}`", id.escape_debug()),
        None => format!("context {ci} has no canvas"),
    })?;
    let by_intent = |intent: &str| {
        canvas
            .framing_decisions
            .iter()
            .find(|fd| fd.framing_intent_id == intent)
    };
    let fd = if let Some(id) = &selection.framing_decision_id {
        canvas
            .framing_decisions
            .iter()
            .find(|fd| &fd.id == id)
            .ok_or_else(|| {
                format!(
                    "canvas `{}` has no framing decision `{}`",
                    canvas.id.escape_debug(),
                    id.escape_debug()
                )
            })?
    } else if let Some(intent) = &selection.framing_intent_id {
        by_intent(intent).ok_or_else(|| {
            format!(
                "canvas `{}` has no framing decision for framing intent `{}`",
                canvas.id.escape_debug(),
                intent.escape_debug()
            )
        })?
    } else {
        fdl.default_framing_intent
            .as_deref()
            .and_then(by_intent)
            .or_else(|| canvas.framing_decisions.first())
            .ok_or_else(|| {
                format!(
                    "canvas `{}` has no framing decision",
                    canvas.id.escape_debug()
                )
            })?
    };
    Ok((ci, vi, context, canvas, fd))
}

/// A stable id of at most 30 characters from the hash of the inputs, unused in `context`.
fn derived_canvas_id(digest: &[u8], context: &Context) -> String {
    let hex = hex::encode(digest);
    let mut id: String = hex.chars().take(30).collect();
    let mut n = 0u32;
    while context.canvases.iter().any(|c| c.id == id) {
        n += 1;
        id = format!("{}{n}", hex.chars().take(26).collect::<String>());
    }
    id
}

fn uuid_from(digest: &[u8]) -> String {
    let mut b = [0u8; 16];
    for (dst, src) in b.iter_mut().zip(digest) {
        *dst = *src;
    }
    b[6] = (b[6] & 0x0f) | 0x50; // name-based (SHA) version
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Applies `template` to a canvas and framing decision of `fdl`.
///
/// The template and the selected canvas must be valid (see [`validate`]); a template that
/// references a layer the source lacks (effective area, protection) or that would produce an
/// empty or oversized canvas is refused with [`Error::FdlTemplate`].
pub fn apply_template(
    fdl: &Fdl,
    template: &CanvasTemplate,
    selection: &SourceSelection,
    options: &ApplyOptions,
) -> Result<TemplateResult> {
    let template_problems = template_problems(template);
    if !template_problems.is_empty() {
        return Err(invalid(
            &format!("canvas template `{}`", template.id.escape_debug()),
            template_problems,
        ));
    }
    let (ci, vi, context, canvas, fd) =
        select(fdl, selection).map_err(|p| template_error(template, p))?;
    let canvas_path = format!("$.contexts[{ci}].canvases[{vi}]");
    let canvas_problems: Vec<Problem> = validate(fdl)
        .into_iter()
        .filter(|p| {
            p.path == canvas_path
                || p.path.starts_with(&format!("{canvas_path}."))
                    && !p.path.ends_with(".framing_intent_id")
        })
        .collect();
    if !canvas_problems.is_empty() {
        return Err(invalid("source FDL", canvas_problems));
    }

    let input_squeeze = canvas.squeeze();
    let target_squeeze = template.target_anamorphic_squeeze;
    let fit_source = template.fit_source;
    let preserve = template.preserve_from_source_canvas;
    let max = template.maximum_dimensions;
    let pad = template.pad_to_maximum.unwrap_or(false) && max.is_some();
    let rounding = template.round.unwrap_or_default();
    let target = Size {
        w: template.target_dimensions.width as f64,
        h: template.target_dimensions.height as f64,
    };

    for (path, field) in [
        (Some(fit_source), "fit_source"),
        (preserve, "preserve_from_source_canvas"),
    ] {
        if let Some(path) = path
            && source_layer(canvas, fd, path).is_none()
        {
            return Err(template_error(
                template,
                format!(
                    "{field} is `{}` but the source canvas `{}` / framing decision `{}` does not define it",
                    path.as_str(),
                    canvas.id.escape_debug(),
                    fd.id.escape_debug()
                ),
            ));
        }
    }

    // Source geometry: the preserved layer and the fit source, each with everything inside it.
    let mut geo = Geometry::default();
    if let Some(p) = preserve {
        populate_from(&mut geo, p, canvas, fd);
    }
    populate_from(&mut geo, fit_source, canvas, fd);
    let (fit_size, fit_anchor) = geo.get(fit_source);
    let mut offset = fit_anchor;
    if let Some(p) = preserve {
        let (size, anchor) = geo.get(p);
        if !size.is_zero() {
            offset = anchor;
        }
    }
    let geo = fill_hierarchy_gaps(geo, offset);

    // Scale in de-squeezed units. A zero target axis (FDL v2.0.1) follows from the other axis.
    let width_ratio = target.w * target_squeeze / (fit_size.w * input_squeeze);
    let height_ratio = target.h / fit_size.h;
    let scale = if target.h == 0.0 {
        width_ratio
    } else if target.w == 0.0 {
        height_ratio
    } else {
        match template.fit_method {
            FitMethod::Width => width_ratio,
            FitMethod::Height => height_ratio,
            FitMethod::FitAll => width_ratio.min(height_ratio),
            FitMethod::Fill => width_ratio.max(height_ratio),
        }
    };
    if !(scale.is_finite() && scale > 0.0) {
        return Err(template_error(
            template,
            format!("the scale factor from the fit source to the target is {scale}"),
        ));
    }
    // Same operation order as the reference (de-squeeze, scale, re-squeeze) so results agree to the bit.
    let horizontal = |v: f64| v * input_squeeze * scale / target_squeeze;
    let round = |v: f64| fdl_round(v, rounding);
    let geo = geo
        .map(
            |s| Size {
                w: horizontal(s.w),
                h: s.h * scale,
            },
            |p| Pt {
                x: horizontal(p.x),
                y: p.y * scale,
            },
        )
        .map(
            |s| Size {
                w: round(s.w),
                h: round(s.h),
            },
            |p| Pt {
                x: round(p.x),
                y: round(p.y),
            },
        );
    let (scaled_fit, scaled_fit_anchor) = geo.get(fit_source);
    let target = Size {
        w: if target.w == 0.0 {
            scaled_fit.w
        } else {
            target.w
        },
        h: if target.h == 0.0 {
            scaled_fit.h
        } else {
            target.h
        },
    };

    // Output canvas, alignment, crop.
    let out = Size {
        w: output_size_for_axis(geo.canvas.w, max.map(|m| m.width as f64), pad),
        h: output_size_for_axis(geo.canvas.h, max.map(|m| m.height as f64), pad),
    };
    if !(out.w.round() >= 1.0 && out.h.round() >= 1.0)
        || out.w > MAX_DIMENSION as f64
        || out.h > MAX_DIMENSION as f64
    {
        return Err(template_error(
            template,
            format!(
                "the output canvas would be {}x{} pixels (1 to {MAX_DIMENSION} allowed per axis)",
                out.w, out.h
            ),
        ));
    }
    let h_align = template.alignment_method_horizontal.unwrap_or_default();
    let v_align = template.alignment_method_vertical.unwrap_or_default();
    let shift = Pt {
        x: alignment_shift(
            scaled_fit.w,
            scaled_fit_anchor.x,
            out.w,
            geo.canvas.w,
            target.w,
            h_align == HAlign::Center,
            h_align.factor(),
            pad,
        ),
        y: alignment_shift(
            scaled_fit.h,
            scaled_fit_anchor.y,
            out.h,
            geo.canvas.h,
            target.h,
            v_align == VAlign::Center,
            v_align.factor(),
            pad,
        ),
    };
    let moved = |p: Pt| Pt {
        x: p.x + shift.x,
        y: p.y + shift.y,
    };
    let clamp = |p: Pt| Pt {
        x: p.x.max(0.0),
        y: p.y.max(0.0),
    };
    let theo_eff = moved(geo.effective_anchor);
    let theo_prot = moved(geo.protection_anchor);
    let theo_fram = moved(geo.framing_anchor);
    let eff_anchor = clamp(theo_eff);
    let prot_anchor = clamp(theo_prot);
    let fram_anchor = clamp(theo_fram);
    let effective = min_size(crop_layer(geo.effective, theo_eff, eff_anchor, out), out);
    let mut protection = crop_layer(geo.protection, theo_prot, prot_anchor, out);
    if !protection.is_zero() {
        protection = min_size(protection, effective);
    }
    let parent = if protection.is_zero() {
        effective
    } else {
        protection
    };
    let framing = min_size(crop_layer(geo.framing, theo_fram, fram_anchor, out), parent);

    let empty_axis = |s: Size| s.w <= 0.0 || s.h <= 0.0;
    if empty_axis(framing) || (!protection.is_zero() && empty_axis(protection)) {
        return Err(template_error(
            template,
            format!(
                "the framing decision falls outside the {}x{} output canvas (the alignment \
                 pushes it past the maximum dimensions)",
                out.w, out.h
            ),
        ));
    }

    // The pixel plan maps a source rectangle exactly onto its written place in the output: the
    // framing decision when it survived whole (so the picture lands where the new FDL says),
    // otherwise the fit source (whose scaled, rounded rectangle was placed before cropping).
    let framing_whole = framing == geo.framing && theo_fram == fram_anchor;
    let ((src_fit, src_fit_anchor), (dst_fit, out_fit_anchor)) = if framing_whole {
        (
            (
                Size {
                    w: fd.dimensions.width,
                    h: fd.dimensions.height,
                },
                Pt {
                    x: fd.anchor_point.x,
                    y: fd.anchor_point.y,
                },
            ),
            (framing, fram_anchor),
        )
    } else {
        (
            source_layer(canvas, fd, fit_source).unwrap_or((fit_size, fit_anchor)),
            (scaled_fit, moved(scaled_fit_anchor)),
        )
    };
    let scale_x = dst_fit.w / src_fit.w;
    let scale_y = dst_fit.h / src_fit.h;
    if !(scale_x.is_finite() && scale_x > 0.0 && scale_y.is_finite() && scale_y > 0.0) {
        return Err(template_error(
            template,
            "the fit source rounds to nothing in the output",
        ));
    }
    let tx = out_fit_anchor.x - src_fit_anchor.x * scale_x;
    let ty = out_fit_anchor.y - src_fit_anchor.y * scale_y;
    let src_w = canvas.dimensions.width as f64;
    let src_h = canvas.dimensions.height as f64;
    let x0 = tx.max(eff_anchor.x).max(0.0);
    let y0 = ty.max(eff_anchor.y).max(0.0);
    let x1 = (tx + src_w * scale_x)
        .min(eff_anchor.x + effective.w)
        .min(out.w);
    let y1 = (ty + src_h * scale_y)
        .min(eff_anchor.y + effective.h)
        .min(out.h);
    if !(x1 > x0 && y1 > y0) {
        return Err(template_error(
            template,
            "no part of the source canvas lands inside the output canvas",
        ));
    }
    let out_dims = DimensionsInt {
        width: out.w.round() as i64,
        height: out.h.round() as i64,
    };
    let plan = PixelPlan {
        source_size: canvas.dimensions,
        source_crop: Rect {
            x: (x0 - tx) / scale_x,
            y: (y0 - ty) / scale_y,
            width: (x1 - x0) / scale_x,
            height: (y1 - y0) / scale_y,
        },
        output_size: out_dims,
        placement: Rect {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        },
        scale_x,
        scale_y,
        desqueeze: input_squeeze / target_squeeze,
        scale,
        source_squeeze: input_squeeze,
        target_squeeze,
        pad_right: out.w - x1,
        pad_bottom: out.h - y1,
    };

    // The new FDL.
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(canvas).unwrap_or_default());
    hasher.update(serde_json::to_vec(fd).unwrap_or_default());
    hasher.update(serde_json::to_vec(template).unwrap_or_default());
    let digest = hasher.finalize();
    let template_label = template
        .label
        .clone()
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "Template".to_string());
    let new_canvas_id = options
        .new_canvas_id
        .clone()
        .unwrap_or_else(|| derived_canvas_id(&digest, context));
    let decision_id = format!("{new_canvas_id}-{}", fd.framing_intent_id);
    let canvas_label = match &context.label {
        Some(ctx) => format!(
            "{template_label}: {ctx} {}",
            canvas.label.as_deref().unwrap_or("")
        ),
        None => template_label.clone(),
    };
    let float = |s: Size| DimensionsFloat {
        width: s.w,
        height: s.h,
    };
    let point = |p: Pt| Point { x: p.x, y: p.y };
    let new_decision = FramingDecision {
        label: fd.label.clone(),
        id: decision_id.clone(),
        framing_intent_id: fd.framing_intent_id.clone(),
        dimensions: float(framing),
        anchor_point: point(fram_anchor),
        protection_dimensions: (!protection.is_zero()).then_some(float(protection)),
        protection_anchor_point: (!protection.is_zero()).then_some(point(prot_anchor)),
        custom: Custom::new(),
    };
    let new_canvas = Canvas {
        label: Some(canvas_label),
        id: new_canvas_id.clone(),
        source_canvas_id: canvas.id.clone(),
        dimensions: out_dims,
        effective_dimensions: (!effective.is_zero()).then_some(DimensionsInt {
            width: effective.w.round() as i64,
            height: effective.h.round() as i64,
        }),
        effective_anchor_point: (!effective.is_zero()).then_some(point(eff_anchor)),
        photosite_dimensions: None,
        physical_dimensions: None,
        anamorphic_squeeze: Some(target_squeeze),
        framing_decisions: vec![new_decision],
        custom: Custom::new(),
    };
    let result = Fdl {
        uuid: options.uuid.clone().unwrap_or_else(|| uuid_from(&digest)),
        version: Version { major: 2, minor: 0 },
        fdl_creator: Some(
            options
                .fdl_creator
                .clone()
                .unwrap_or_else(|| "rushes".into()),
        ),
        default_framing_intent: fdl.default_framing_intent.clone(),
        framing_intents: fdl.framing_intents.clone(),
        contexts: vec![Context {
            label: Some(template_label),
            context_creator: options.context_creator.clone(),
            clip_id: context.clip_id.clone(),
            canvases: vec![canvas.clone(), new_canvas],
            custom: Custom::new(),
        }],
        canvas_templates: vec![template.clone()],
        custom: Custom::new(),
    };
    Ok(TemplateResult {
        fdl: result,
        canvas_id: new_canvas_id,
        framing_decision_id: decision_id,
        plan,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn source(squeeze: f64) -> Fdl {
        let json = format!(
            r#"{{"uuid": "6e7fed27-35d5-43ac-8bfb-81951d5925d6", "version": {{"major": 2, "minor": 0}},
            "framing_intents": [{{"id": "1", "aspect_ratio": {{"width": 2, "height": 1}}}}],
            "contexts": [{{"label": "Cam", "canvases": [{{"id": "C", "source_canvas_id": "C",
              "dimensions": {{"width": 2000, "height": 1000}}, "anamorphic_squeeze": {squeeze},
              "framing_decisions": [{{"id": "C-1", "framing_intent_id": "1",
                "dimensions": {{"width": 1000, "height": 500}}, "anchor_point": {{"x": 500, "y": 250}}}}]}}]}}]}}"#
        );
        Fdl::from_json(json.as_bytes(), "unit").unwrap()
    }

    fn template(w: i64, h: i64, squeeze: f64, method: FitMethod) -> CanvasTemplate {
        CanvasTemplate {
            label: None,
            id: "T".into(),
            target_dimensions: DimensionsInt {
                width: w,
                height: h,
            },
            target_anamorphic_squeeze: squeeze,
            fit_source: GeometryPath::FramingDimensions,
            fit_method: method,
            alignment_method_vertical: None,
            alignment_method_horizontal: None,
            preserve_from_source_canvas: None,
            maximum_dimensions: None,
            pad_to_maximum: None,
            round: None,
            custom: Custom::new(),
        }
    }

    fn run(fdl: &Fdl, t: &CanvasTemplate) -> TemplateResult {
        apply_template(
            fdl,
            t,
            &SourceSelection::default(),
            &ApplyOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn half_size_framing_extraction() {
        let r = run(&source(1.0), &template(500, 250, 1.0, FitMethod::Width));
        let p = &r.plan;
        assert_eq!(
            p.output_size,
            DimensionsInt {
                width: 500,
                height: 250
            }
        );
        assert_eq!((p.scale_x, p.scale_y, p.scale), (0.5, 0.5, 0.5));
        assert_eq!(
            p.source_crop,
            Rect {
                x: 500.0,
                y: 250.0,
                width: 1000.0,
                height: 500.0
            }
        );
        assert_eq!(
            p.placement,
            Rect {
                x: 0.0,
                y: 0.0,
                width: 500.0,
                height: 250.0
            }
        );
        assert_eq!(p.integer_crop(), None);
        let out = &r.fdl.contexts[0].canvases[1];
        assert_eq!(out.source_canvas_id, "C");
        assert_eq!(out.framing_decisions[0].id, format!("{}-1", r.canvas_id));
        assert!(validate(&r.fdl).is_empty(), "{:?}", validate(&r.fdl));
    }

    #[test]
    fn same_size_is_an_exact_integer_crop() {
        let r = run(&source(1.0), &template(1000, 500, 1.0, FitMethod::FitAll));
        assert_eq!(r.plan.integer_crop(), Some((500, 250, 1000, 500, 0, 0)));
    }

    #[test]
    fn anamorphic_source_is_desqueezed() {
        let r = run(&source(2.0), &template(2000, 500, 1.0, FitMethod::Height));
        let p = &r.plan;
        assert_eq!(
            p.output_size,
            DimensionsInt {
                width: 2000,
                height: 500
            }
        );
        assert_eq!((p.scale_x, p.scale_y, p.desqueeze), (2.0, 1.0, 2.0));
        assert_eq!(r.fdl.contexts[0].canvases[1].anamorphic_squeeze, Some(1.0));
        assert_eq!(p.map_to_output(500.0, 250.0), (0.0, 0.0));
        assert_eq!(p.map_to_output(1500.0, 750.0), (2000.0, 500.0));
    }

    #[test]
    fn padding_centres_the_picture() {
        let mut t = template(1000, 500, 1.0, FitMethod::FitAll);
        t.maximum_dimensions = Some(DimensionsInt {
            width: 1200,
            height: 700,
        });
        t.pad_to_maximum = Some(true);
        let r = run(&source(1.0), &t);
        let p = &r.plan;
        assert_eq!(
            p.output_size,
            DimensionsInt {
                width: 1200,
                height: 700
            }
        );
        assert_eq!(
            p.placement,
            Rect {
                x: 100.0,
                y: 100.0,
                width: 1000.0,
                height: 500.0
            }
        );
        assert_eq!((p.pad_right, p.pad_bottom), (100.0, 100.0));
    }

    #[test]
    fn rounding_rules() {
        let r = |even, mode| RoundStrategy { even, mode };
        use RoundEven::*;
        use RoundMode::*;
        assert_eq!(fdl_round(2159.76, r(Even, Round)), 2160.0);
        assert_eq!(fdl_round(2.5, r(Whole, Round)), 2.0);
        assert_eq!(fdl_round(3.5, r(Whole, Round)), 4.0);
        assert_eq!(fdl_round(3.0, r(Even, Round)), 4.0);
        assert_eq!(fdl_round(3.0, r(Even, Down)), 2.0);
        assert_eq!(fdl_round(3.1, r(Even, Up)), 4.0);
        assert_eq!(fdl_round(-3.1, r(Whole, Up)), -4.0);
    }
}
