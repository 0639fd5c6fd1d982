//! Framing from intent: the framing decision (and protection) a framing intent gives on a canvas.
//!
//! The intent's aspect ratio is the aspect ratio of the picture as seen (de-squeezed), so it is
//! compared with the de-squeezed aspect ratio of the working area (the effective area, else the
//! whole canvas): a wider intent fills the width (letterbox), a narrower one fills the height
//! (pillarbox). The protection area is that rectangle rounded; the framing is the protection
//! area shrunk by the intent's protection fraction and rounded; both are centred on the canvas,
//! as the ASC's library places them.

use super::geometry::fdl_round;
use super::model::*;
use super::validate::MAX_DIMENSION;
use crate::{Error, Result};

/// The framing decision `intent` gives on `canvas`, with its protection when the intent has one.
///
/// Its id is `<canvas id>-<intent id>`. Fails when the intent or canvas has a non-positive or
/// oversized size, squeeze or protection.
pub fn framing_from_intent(
    canvas: &Canvas,
    intent: &FramingIntent,
    rounding: RoundStrategy,
) -> Result<FramingDecision> {
    let fail = |problem: String| Error::FdlTemplate {
        name: format!(
            "framing intent `{}` on canvas `{}`",
            intent.id.escape_debug(),
            canvas.id.escape_debug()
        ),
        problem,
    };
    let squeeze = canvas.squeeze();
    let (ar_w, ar_h) = (intent.aspect_ratio.width, intent.aspect_ratio.height);
    let protection = intent.protection.unwrap_or(0.0);
    let working = canvas.effective_dimensions.unwrap_or(canvas.dimensions);
    let sizes_ok = [canvas.dimensions, working, intent.aspect_ratio]
        .iter()
        .all(|d| (1..=MAX_DIMENSION).contains(&d.width) && (1..=MAX_DIMENSION).contains(&d.height));
    let usable =
        sizes_ok && squeeze.is_finite() && squeeze > 0.0 && (0.0..1.0).contains(&protection);
    if !usable {
        return Err(fail(format!(
            "needs positive sizes (at most {MAX_DIMENSION}), a positive squeeze and a protection \
             in [0, 1); got aspect ratio {ar_w}:{ar_h}, working area {}x{}, squeeze {squeeze}, \
             protection {protection}",
            working.width, working.height
        )));
    }
    let intent_aspect = ar_w as f64 / ar_h as f64;
    let (ww, wh) = (working.width as f64, working.height as f64);
    let picture_aspect = ww * squeeze / wh;
    let (mut width, mut height) = if intent_aspect >= picture_aspect {
        (ww, ww * squeeze / intent_aspect)
    } else {
        (wh * intent_aspect / squeeze, wh)
    };
    let round = |v: f64| fdl_round(v, rounding);
    let protection_dims = (protection > 0.0).then(|| DimensionsFloat {
        width: round(width),
        height: round(height),
    });
    if let Some(p) = protection_dims {
        width = p.width;
        height = p.height;
    }
    let dims = DimensionsFloat {
        width: round(width * (1.0 - protection)),
        height: round(height * (1.0 - protection)),
    };
    if dims.width <= 0.0 || dims.height <= 0.0 {
        return Err(fail(format!(
            "the framing rounds to {}x{} pixels",
            dims.width, dims.height
        )));
    }
    let centred = |d: DimensionsFloat| Point {
        x: (canvas.dimensions.width as f64 - d.width) / 2.0,
        y: (canvas.dimensions.height as f64 - d.height) / 2.0,
    };
    Ok(FramingDecision {
        label: intent.label.clone(),
        id: format!("{}-{}", canvas.id, intent.id),
        framing_intent_id: intent.id.clone(),
        dimensions: dims,
        anchor_point: centred(dims),
        protection_dimensions: protection_dims,
        protection_anchor_point: protection_dims.map(centred),
        custom: Custom::new(),
    })
}
