//! The nested FDL geometry layers (canvas > effective > protection > framing) and the steps of
//! canvas-template application on them: gap filling, rounding, alignment shift and cropping.

use super::model::*;
use super::validate::to_float;

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
pub(crate) struct Size {
    pub w: f64,
    pub h: f64,
}

impl Size {
    pub fn is_zero(self) -> bool {
        self.w == 0.0 && self.h == 0.0
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Pt {
    pub x: f64,
    pub y: f64,
}

/// The four layers; a zero size means "absent", as in the reference library.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Geometry {
    pub canvas: Size,
    pub effective: Size,
    pub protection: Size,
    pub framing: Size,
    pub effective_anchor: Pt,
    pub protection_anchor: Pt,
    pub framing_anchor: Pt,
}

impl Geometry {
    pub fn get(&self, path: GeometryPath) -> (Size, Pt) {
        match path {
            GeometryPath::CanvasDimensions => (self.canvas, Pt::default()),
            GeometryPath::EffectiveDimensions => (self.effective, self.effective_anchor),
            GeometryPath::ProtectionDimensions => (self.protection, self.protection_anchor),
            GeometryPath::FramingDimensions => (self.framing, self.framing_anchor),
        }
    }

    pub fn map(self, size: impl Fn(Size) -> Size, point: impl Fn(Pt) -> Pt) -> Self {
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
pub(crate) fn source_layer(
    canvas: &Canvas,
    fd: &FramingDecision,
    path: GeometryPath,
) -> Option<(Size, Pt)> {
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

pub(crate) fn populate_from(
    geo: &mut Geometry,
    start: GeometryPath,
    canvas: &Canvas,
    fd: &FramingDecision,
) {
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
pub(crate) fn fill_hierarchy_gaps(geo: Geometry, offset: Pt) -> Geometry {
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

pub(crate) fn output_size_for_axis(canvas: f64, max: Option<f64>, pad: bool) -> f64 {
    match max {
        Some(m) if pad || canvas > m => m,
        _ => canvas,
    }
}

/// How far the content moves along one axis to sit in the output as the template asks.
#[allow(clippy::too_many_arguments)]
pub(crate) fn alignment_shift(
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
pub(crate) fn crop_layer(size: Size, theoretical: Pt, clamped: Pt, canvas: Size) -> Size {
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

pub(crate) fn min_size(a: Size, b: Size) -> Size {
    Size {
        w: a.w.min(b.w),
        h: a.h.min(b.h),
    }
}
