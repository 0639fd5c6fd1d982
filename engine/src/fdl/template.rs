//! Canvas-template application (ASC FDL "canvas template" logic) and the pixel plan that an image
//! operation executes to make the pixels match the resulting FDL.
//!
//! The geometry follows the ASC's reference library step by step: the four nested layers
//! (canvas > effective > protection > framing) are taken from the fit source and the preserved
//! layer down, gaps are filled from the outermost known layer, anchors are made relative to the
//! preserved (or fitted) layer, everything is de-squeezed, scaled and re-squeezed to the target,
//! rounded, placed in the output canvas (maximum dimensions, padding, alignment) and cropped to it.

use sha2::{Digest, Sha256};

use super::model::*;
use super::validate::{MAX_DIMENSION, to_float, validate};
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

/// A rectangle in pixels (fractional where the geometry is).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// What an image operation must do to the source canvas pixels to produce the new canvas:
/// crop `source_crop`, resample it by `scale_x` x `scale_y` into `placement` on an
/// `output_size` canvas, and fill the rest (the pads) with black.
#[derive(Debug, Clone, PartialEq)]
pub struct PixelPlan {
    /// Size of the source canvas image.
    pub source_size: DimensionsInt,
    /// Region of the source image that appears in the output (source pixels).
    pub source_crop: Rect,
    /// Size of the output image (the new canvas).
    pub output_size: DimensionsInt,
    /// Where `source_crop` lands in the output (output pixels); `x`/`y` are the left/top pads.
    pub placement: Rect,
    /// Horizontal output pixels per source pixel (includes the de-squeeze).
    pub scale_x: f64,
    /// Vertical output pixels per source pixel.
    pub scale_y: f64,
    /// Horizontal stretch from the squeeze change: source squeeze / target squeeze.
    pub desqueeze: f64,
    /// The template's scale factor (in de-squeezed units) before rounding.
    pub scale: f64,
    /// Squeeze of the source pixels.
    pub source_squeeze: f64,
    /// Squeeze of the output pixels.
    pub target_squeeze: f64,
    /// Pad right of the placement (output pixels).
    pub pad_right: f64,
    /// Pad below the placement (output pixels).
    pub pad_bottom: f64,
}

impl PixelPlan {
    /// Where a source pixel position lands in the output.
    pub fn map_to_output(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.placement.x + (x - self.source_crop.x) * self.scale_x,
            self.placement.y + (y - self.source_crop.y) * self.scale_y,
        )
    }

    /// When no resampling is needed (scale 1 both ways) and every edge is on a whole pixel:
    /// `(source x, source y, width, height, output x, output y)` of an exact copy.
    pub fn integer_crop(&self) -> Option<(u32, u32, u32, u32, u32, u32)> {
        let whole = |v: f64| v.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&v);
        let c = self.source_crop;
        let p = self.placement;
        let vals = [c.x, c.y, c.width, c.height, p.x, p.y];
        if self.scale_x != 1.0 || self.scale_y != 1.0 || !vals.iter().all(|v| whole(*v)) {
            return None;
        }
        Some((
            c.x as u32,
            c.y as u32,
            c.width as u32,
            c.height as u32,
            p.x as u32,
            p.y as u32,
        ))
    }
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

/// Rounds `value` by an FDL rounding rule: up/down/round (ties to even, as the ASC's library does)
/// to a whole number, then to an even one when asked.
pub fn fdl_round(value: f64, rule: RoundStrategy) -> f64 {
    let magnitude = value.abs();
    let mut v = match rule.mode {
        RoundMode::Up => magnitude.ceil(),
        RoundMode::Down => magnitude.floor(),
        RoundMode::Round => magnitude.round_ties_even(),
    };
    if rule.even == RoundEven::Even && v % 2.0 != 0.0 {
        v = match rule.mode {
            RoundMode::Up => v + 1.0,
            RoundMode::Down => v - 1.0,
            _ => {
                if (v + 1.0 - magnitude).abs() <= (v - 1.0 - magnitude).abs() {
                    v + 1.0
                } else {
                    v - 1.0
                }
            }
        };
    }
    if value < 0.0 { -v } else { v }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Size {
    w: f64,
    h: f64,
}

impl Size {
    fn is_zero(self) -> bool {
        self.w == 0.0 && self.h == 0.0
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Pt {
    x: f64,
    y: f64,
}

/// The four layers; a zero size means "absent", as in the reference library.
#[derive(Debug, Clone, Copy, Default)]
struct Geometry {
    canvas: Size,
    effective: Size,
    protection: Size,
    framing: Size,
    effective_anchor: Pt,
    protection_anchor: Pt,
    framing_anchor: Pt,
}

impl Geometry {
    fn get(&self, path: GeometryPath) -> (Size, Pt) {
        match path {
            GeometryPath::CanvasDimensions => (self.canvas, Pt::default()),
            GeometryPath::EffectiveDimensions => (self.effective, self.effective_anchor),
            GeometryPath::ProtectionDimensions => (self.protection, self.protection_anchor),
            GeometryPath::FramingDimensions => (self.framing, self.framing_anchor),
        }
    }

    fn map(self, size: impl Fn(Size) -> Size, point: impl Fn(Pt) -> Pt) -> Self {
        Self {
            canvas: size(self.canvas),
            effective: size(self.effective),
            protection: size(self.protection),
            framing: size(self.framing),
            effective_anchor: point(self.effective_anchor),
            protection_anchor: point(self.protection_anchor),
            framing_anchor: point(self.framing_anchor),
        }
    }
}

/// The source layer at `path`, or `None` when the source does not define it.
fn source_layer(canvas: &Canvas, fd: &FramingDecision, path: GeometryPath) -> Option<(Size, Pt)> {
    let size = |d: DimensionsFloat| Size {
        w: d.width,
        h: d.height,
    };
    let pt = |p: Point| Pt { x: p.x, y: p.y };
    match path {
        GeometryPath::CanvasDimensions => Some((size(to_float(canvas.dimensions)), Pt::default())),
        GeometryPath::EffectiveDimensions => Some((
            size(to_float(canvas.effective_dimensions?)),
            pt(canvas.effective_anchor_point?),
        )),
        GeometryPath::ProtectionDimensions => Some((
            size(fd.protection_dimensions?),
            pt(fd.protection_anchor_point?),
        )),
        GeometryPath::FramingDimensions => Some((size(fd.dimensions), pt(fd.anchor_point))),
    }
}

fn populate_from(geo: &mut Geometry, start: GeometryPath, canvas: &Canvas, fd: &FramingDecision) {
    for path in GeometryPath::ALL.into_iter().filter(|p| *p >= start) {
        let Some((size, anchor)) = source_layer(canvas, fd, path) else {
            continue;
        };
        match path {
            GeometryPath::CanvasDimensions => geo.canvas = size,
            GeometryPath::EffectiveDimensions => {
                geo.effective = size;
                geo.effective_anchor = anchor;
            }
            GeometryPath::ProtectionDimensions => {
                geo.protection = size;
                geo.protection_anchor = anchor;
            }
            GeometryPath::FramingDimensions => {
                geo.framing = size;
                geo.framing_anchor = anchor;
            }
        }
    }
}

/// Fills missing outer layers from the outermost known one (protection is never invented) and
/// makes anchors relative to `offset`.
fn fill_hierarchy_gaps(geo: Geometry, offset: Pt) -> Geometry {
    let (reference, reference_anchor) = if !geo.canvas.is_zero() {
        (geo.canvas, Pt::default())
    } else if !geo.effective.is_zero() {
        (geo.effective, geo.effective_anchor)
    } else if !geo.protection.is_zero() {
        (geo.protection, geo.protection_anchor)
    } else {
        (geo.framing, geo.framing_anchor)
    };
    let mut out = geo;
    if out.canvas.is_zero() {
        out.canvas = reference;
    }
    if out.effective.is_zero() {
        out.effective = reference;
        out.effective_anchor = reference_anchor;
    }
    let relative = |p: Pt| Pt {
        x: (p.x - offset.x).max(0.0),
        y: (p.y - offset.y).max(0.0),
    };
    out.effective_anchor = relative(out.effective_anchor);
    out.protection_anchor = relative(out.protection_anchor);
    out.framing_anchor = relative(out.framing_anchor);
    out
}

fn output_size_for_axis(canvas: f64, max: Option<f64>, pad: bool) -> f64 {
    match max {
        Some(m) if pad || canvas > m => m,
        _ => canvas,
    }
}

/// How far the content moves along one axis to sit in the output as the template asks.
#[allow(clippy::too_many_arguments)]
fn alignment_shift(
    fit_size: f64,
    fit_anchor: f64,
    output: f64,
    canvas: f64,
    target: f64,
    centered: bool,
    factor: f64,
    pad: bool,
) -> f64 {
    let overflow = canvas - output;
    if overflow == 0.0 && !pad {
        return 0.0;
    }
    let target_offset = if pad || centered {
        (output - target) * 0.5
    } else {
        0.0
    };
    let mut shift = target_offset + (target - fit_size) * factor - fit_anchor;
    if !pad && overflow > 0.0 {
        shift = shift.min(0.0).max(-overflow);
    }
    shift
}

/// The part of a layer still inside the output canvas.
fn crop_layer(size: Size, theoretical: Pt, clamped: Pt, canvas: Size) -> Size {
    if size.is_zero() {
        return size;
    }
    let w = (size.w - (-theoretical.x).max(0.0)).min(canvas.w - clamped.x);
    let h = (size.h - (-theoretical.y).max(0.0)).min(canvas.h - clamped.y);
    Size {
        w: w.max(0.0),
        h: h.max(0.0),
    }
}

fn min_size(a: Size, b: Size) -> Size {
    Size {
        w: a.w.min(b.w),
        h: a.h.min(b.h),
    }
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
                    canvas.id,
                    id.escape_debug()
                )
            })?
    } else if let Some(intent) = &selection.framing_intent_id {
        by_intent(intent).ok_or_else(|| {
            format!(
                "canvas `{}` has no framing decision for framing intent `{}`",
                canvas.id,
                intent.escape_debug()
            )
        })?
    } else {
        fdl.default_framing_intent
            .as_deref()
            .and_then(by_intent)
            .or_else(|| canvas.framing_decisions.first())
            .ok_or_else(|| format!("canvas `{}` has no framing decision", canvas.id))?
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
                    canvas.id,
                    fd.id
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

    // The pixel plan: the fit-source rectangle of the source maps onto its place in the output.
    let (src_fit, src_fit_anchor) = match source_layer(canvas, fd, fit_source) {
        Some(layer) => layer,
        None => (fit_size, fit_anchor),
    };
    let out_fit_anchor = moved(scaled_fit_anchor);
    let scale_x = scaled_fit.w / src_fit.w;
    let scale_y = scaled_fit.h / src_fit.h;
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
