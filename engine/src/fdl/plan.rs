//! The pixel plan: the crop, de-squeeze, scale and pad an image operation performs so that the
//! pixels match a canvas produced by a canvas template.

use super::model::DimensionsInt;

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
