//! ACES 2.0 output transforms, computed exactly (no LUTs) as OpenColorIO 2.6 computes them:
//! the Hellwig 2022 JMh appearance model ([`cam`]), the Daniele-Evo tonescale ([`tonescale`]),
//! chroma compression ([`chroma`]), gamut compression against the limiting gamut's cusp and
//! the reach gamut ([`gamut_compress`], with per-output hue [`tables`]), then the display
//! clamps, white simulation and encoding ([`display`]). Forward (ACES2065-1 -> display code
//! values) and inverse (code values -> ACES2065-1).
//!
//! Everything is single precision in the reference's order of operations, so results agree
//! with OCIO's CPU processor to float rounding. An [`Aces2Output`] names an output; its
//! [`Aces2Renderer`] holds the tables built once for it (a few milliseconds) and applies the
//! transform to pixel buffers in parallel.
//!
//! NaN and infinities: the scene input is clamped in AP1 to [0, 8 × the scene value that hits
//! the peak] before rendering, with NaN mapped to 0 (a NaN in any ACES2065-1 channel makes the
//! whole pixel black, as the AP1 matrix mixes the channels) and +inf to the upper bound. On
//! the inverse path display values are clamped to [0, peak] in the limiting gamut before the
//! inverse rendering, so NaN code values also give black. Output is always finite.

pub mod cam;
pub mod chroma;
pub mod display;
pub mod gamut_compress;
mod math;
pub mod tables;
pub mod tonescale;

pub use display::DisplayEncoding;

use self::cam::{JmhModel, to_radians};
use self::chroma::{ChromaCompression, SharedLimits};
use self::display::DisplaySteps;
use self::gamut_compress::GamutCompression;
use self::tables::{HueTables, HullFit, ReachTable};
use self::tonescale::Tonescale;
use crate::color::for_each_pixel;
use crate::color::gamut::{Chromaticities, Gamut, WhitePoint};
use crate::{Error, Result};

/// The white of the limiting gamut (D60 "sim" outputs show the ACES white on a D65 display).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitingWhite {
    /// D65 (x 0.3127, y 0.3290).
    D65,
    /// The ACES white, ~D60 (x 0.32168, y 0.33767).
    D60,
}

/// An ACES 2.0 output transform: peak luminance, limiting gamut, and the display encoding
/// (container primaries, always D65, and EOTF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Aces2Output {
    /// Peak luminance in cd/m² (100 for SDR; 100 ..= 10 000 with ST 2084).
    pub peak_nits: u32,
    /// Primaries of the limiting gamut (Rec.709, P3-D65 or Rec.2020).
    pub limiting: Gamut,
    /// White of the limiting gamut.
    pub limiting_white: LimitingWhite,
    /// Primaries of the encoding (Rec.709, P3-D65 or Rec.2020; D65).
    pub container: Gamut,
    /// The EOTF inverse of the encoding.
    pub encoding: DisplayEncoding,
}

impl Aces2Output {
    /// `Rec709-D65_100nit_in_Rec709-D65_BT1886`: SDR 100 nit Rec.709 (the default output).
    pub const SDR_REC709: Aces2Output =
        Aces2Output::d65(100, Gamut::Rec709, DisplayEncoding::Bt1886);
    /// `Rec709-D65_100nit_in_Rec709-D65_sRGB-Piecewise`: SDR 100 nit sRGB.
    pub const SDR_SRGB: Aces2Output =
        Aces2Output::d65(100, Gamut::Rec709, DisplayEncoding::SrgbPiecewise);
    /// `P3-D65_100nit_in_P3-D65_Gamma2pt6`: SDR 100 nit P3-D65, gamma 2.6.
    pub const SDR_P3D65: Aces2Output =
        Aces2Output::d65(100, Gamut::P3D65, DisplayEncoding::Gamma26);
    /// `Rec2100-D65_1000nit_in_Rec2100-D65_ST2084`: HDR 1000 nit Rec.2100 PQ.
    pub const HDR_REC2100_1000: Aces2Output =
        Aces2Output::d65(1000, Gamut::Rec2020, DisplayEncoding::St2084);
    /// `P3-D65_1000nit_in_P3-D65_ST2084`: HDR 1000 nit P3-D65 PQ.
    pub const HDR_P3D65_1000: Aces2Output =
        Aces2Output::d65(1000, Gamut::P3D65, DisplayEncoding::St2084);

    /// An output whose limiting gamut is its D65 container.
    pub const fn d65(peak_nits: u32, gamut: Gamut, encoding: DisplayEncoding) -> Aces2Output {
        Aces2Output {
            peak_nits,
            limiting: gamut,
            limiting_white: LimitingWhite::D65,
            container: gamut,
            encoding,
        }
    }

    /// Parses the name part of an ACES 2.0 output transform ID, e.g.
    /// `Rec709-D65_100nit_in_Rec709-D65_BT1886` (`<limiting>-<white>_<N>nit_in_<container>-D65_<EOTF>`).
    /// `None` when the name is not of that form or names something not implemented here.
    pub fn from_id_name(name: &str) -> Option<Aces2Output> {
        let (limiting, rest) = name.split_once('_')?;
        let (peak, rest) = rest.split_once("nit_in_")?;
        let (container, eotf) = rest.split_once('_')?;
        let (lim_gamut, lim_white) = limiting.rsplit_once('-')?;
        let (cont_gamut, cont_white) = container.rsplit_once('-')?;
        let gamut = |s: &str| match s {
            "Rec709" => Some(Gamut::Rec709),
            "P3" => Some(Gamut::P3D65),
            "Rec2100" | "Rec2020" => Some(Gamut::Rec2020),
            _ => None,
        };
        let limiting_white = match lim_white {
            "D65" => LimitingWhite::D65,
            "D60" => LimitingWhite::D60,
            _ => return None,
        };
        if cont_white != "D65" || !peak.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let encoding = match eotf {
            "BT1886" => DisplayEncoding::Bt1886,
            "sRGB-Piecewise" => DisplayEncoding::SrgbPiecewise,
            "Gamma2pt2" => DisplayEncoding::Gamma22,
            "Gamma2pt6" => DisplayEncoding::Gamma26,
            "ST2084" => DisplayEncoding::St2084,
            _ => return None,
        };
        let output = Aces2Output {
            peak_nits: peak.parse().ok()?,
            limiting: gamut(lim_gamut)?,
            limiting_white,
            container: gamut(cont_gamut)?,
            encoding,
        };
        output.check().ok()?;
        Some(output)
    }

    /// The name part of the transform ID (inverse of [`Aces2Output::from_id_name`]).
    pub fn id_name(&self) -> String {
        let gamut = |g: Gamut| match g {
            Gamut::Rec709 => "Rec709",
            Gamut::P3D65 | Gamut::P3Dci => "P3",
            Gamut::Rec2020 => "Rec2100",
            Gamut::Ap0 => "AP0",
            Gamut::Ap1 => "AP1",
        };
        let white = match self.limiting_white {
            LimitingWhite::D65 => "D65",
            LimitingWhite::D60 => "D60",
        };
        format!(
            "{}-{white}_{}nit_in_{}-D65_{}",
            gamut(self.limiting),
            self.peak_nits,
            gamut(self.container),
            self.encoding.id_name()
        )
    }

    /// Checks the combination is one rushes renders (what OCIO's ACES 2.0 builtins cover
    /// without a linear scale: SDR at 100 cd/m², ST 2084 from 100 to 10 000 cd/m², D65
    /// containers, Rec.709 / P3 / Rec.2020 primaries).
    pub fn check(&self) -> Result<()> {
        let problem = if !matches!(self.limiting, Gamut::Rec709 | Gamut::P3D65 | Gamut::Rec2020) {
            Some("the limiting gamut must be Rec.709, P3 or Rec.2020".to_string())
        } else if !matches!(
            self.container,
            Gamut::Rec709 | Gamut::P3D65 | Gamut::Rec2020
        ) {
            Some("the container must be Rec.709, P3-D65 or Rec.2020".to_string())
        } else if self.encoding == DisplayEncoding::St2084 {
            (!(100..=10_000).contains(&self.peak_nits))
                .then(|| format!("PQ peak {} cd/m² is outside 100 ..= 10000", self.peak_nits))
        } else {
            (self.peak_nits != 100).then(|| {
                format!(
                    "SDR encodings are implemented at 100 cd/m² only, not {}",
                    self.peak_nits
                )
            })
        };
        match problem {
            None => Ok(()),
            Some(p) => Err(Error::ColorInvalid(format!(
                "ACES 2.0 output {}: {p}",
                self.id_name()
            ))),
        }
    }

    fn limiting_chromaticities(&self) -> Chromaticities {
        let mut c = self.limiting.chromaticities();
        c.white = match self.limiting_white {
            LimitingWhite::D65 => WhitePoint::D65,
            LimitingWhite::D60 => WhitePoint::ACES,
        };
        c
    }

    /// Builds the tables of this output.
    pub fn renderer(&self) -> Result<Aces2Renderer> {
        self.check()?;
        Ok(Aces2Renderer::new(self))
    }

    /// ACES2065-1 -> display code values, in place on interleaved pixels (3 or 4 channels).
    pub fn apply(&self, pixels: &mut [f32], channels: usize) -> Result<()> {
        self.renderer()?.apply(pixels, channels)
    }

    /// Display code values -> ACES2065-1, in place on interleaved pixels (3 or 4 channels).
    pub fn apply_inverse(&self, pixels: &mut [f32], channels: usize) -> Result<()> {
        self.renderer()?.apply_inverse(pixels, channels)
    }
}

/// An ACES 2.0 output transform ready to run: models, tonescale and tables precomputed.
#[derive(Debug, Clone)]
pub struct Aces2Renderer {
    output: Aces2Output,
    input: JmhModel,
    limit: JmhModel,
    tonescale: Tonescale,
    chroma: ChromaCompression,
    gamut: GamutCompression,
    reach: ReachTable,
    limit_j_max: f32,
    model_gamma_inv: f32,
    steps: DisplaySteps,
}

impl Aces2Renderer {
    fn new(output: &Aces2Output) -> Aces2Renderer {
        let peak = output.peak_nits as f32;
        let limiting = output.limiting_chromaticities();
        let input = JmhModel::new(&Gamut::Ap0.chromaticities());
        // The reference hands the limiting primaries to the rendering as f32 parameters.
        let round = |xy: [f64; 2]| xy.map(|v| f64::from(v as f32));
        let limiting_f32 = Chromaticities {
            red: round(limiting.red),
            green: round(limiting.green),
            blue: round(limiting.blue),
            white: WhitePoint(round(limiting.white.0)),
        };
        let limit = JmhModel::new(&limiting_f32);
        let reach_model = JmhModel::new(&Gamut::Ap1.chromaticities());
        let tonescale = Tonescale::new(peak);
        let limit_j_max = input.y_to_j(peak);
        let model_gamma_inv = 1.0 / cam::model_gamma();
        let reach = ReachTable::new(&reach_model, limit_j_max);
        let chroma = ChromaCompression::new(peak, tonescale.log_peak);
        let mid_j = input.y_to_j(tonescale.c_t * cam::REFERENCE_LUMINANCE);
        let focus_dist = 1.35 + 1.35 * 1.75 * tonescale.log_peak;
        let lower_hull_gamma_inv = 1.0 / (1.14 + 0.07 * tonescale.log_peak);
        let fit = HullFit {
            limit: &limit,
            peak,
            limit_j_max,
            mid_j,
            focus_dist,
            lower_hull_gamma_inv,
        };
        let tables = HueTables::new(&reach_model, &fit, tonescale.forward_limit);
        Aces2Renderer {
            output: *output,
            input,
            limit,
            tonescale,
            chroma,
            gamut: GamutCompression {
                mid_j,
                focus_dist,
                lower_hull_gamma_inv,
                tables,
            },
            reach,
            limit_j_max,
            model_gamma_inv,
            steps: DisplaySteps::new(peak, &limiting, &output.container.chromaticities()),
        }
    }

    /// The output this renderer was built for.
    pub fn output(&self) -> Aces2Output {
        self.output
    }

    fn shared(&self, h: f32) -> SharedLimits {
        SharedLimits {
            limit_j_max: self.limit_j_max,
            model_gamma_inv: self.model_gamma_inv,
            reach_max_m: self.reach.at(h),
        }
    }

    /// The JMh rendering: clamped ACES2065-1 -> display-linear limiting RGB (1.0 = 100 cd/m²).
    pub fn render(&self, aces: [f32; 3]) -> [f32; 3] {
        let aab = self.input.rgb_to_aab(aces);
        let jmh = self.input.aab_to_jmh(aab);
        let shared = self.shared(jmh[2]);
        let h = to_radians(jmh[2]);
        let (cos_h, sin_h) = (h.cos(), h.sin());
        let norm = self.chroma.norm(cos_h, sin_h);
        let j_ts = self.tonescale.forward_a_to_j(aab[0], &self.input);
        let toned = self.chroma.forward(jmh, j_ts, norm, &shared);
        let compressed = self.gamut.forward(toned, &shared);
        let aab_out = self.limit.jmh_to_aab_with(compressed, cos_h, sin_h);
        self.limit.aab_to_rgb(aab_out)
    }

    /// Inverse of [`Aces2Renderer::render`]: limiting RGB -> ACES2065-1 (before the scene clamp).
    pub fn unrender(&self, rgb: [f32; 3]) -> [f32; 3] {
        let compressed = self.limit.rgb_to_jmh(rgb);
        let shared = self.shared(compressed[2]);
        let h = to_radians(compressed[2]);
        let (cos_h, sin_h) = (h.cos(), h.sin());
        let norm = self.chroma.norm(cos_h, sin_h);
        let toned = self.gamut.inverse(compressed, &shared);
        let j = self.tonescale.inverse_j(toned[0], &self.input);
        let jmh = self.chroma.inverse(toned, j, norm, &shared);
        let aab = self.input.jmh_to_aab_with(jmh, cos_h, sin_h);
        self.input.aab_to_rgb(aab)
    }

    /// ACES2065-1 -> display-linear CIE XYZ with a D65 white (Y 1.0 = 100 cd/m²): what OCIO's
    /// `ACES-OUTPUT - ACES2065-1_to_CIE-XYZ-D65 - ..._2.0` builtins compute.
    pub fn forward_xyz(&self, aces: [f32; 3]) -> [f32; 3] {
        let rgb = self.render(self.steps.clamp_scene(aces));
        self.steps.limiting_to_xyz(rgb)
    }

    /// Display-linear CIE XYZ (D65) -> ACES2065-1.
    pub fn inverse_xyz(&self, xyz: [f32; 3]) -> [f32; 3] {
        let rgb = self.unrender(self.steps.xyz_to_limiting(xyz));
        self.steps.clamp_scene(rgb)
    }

    /// ACES2065-1 -> display code values.
    pub fn forward(&self, aces: [f32; 3]) -> [f32; 3] {
        let rgb = self.steps.xyz_to_container(self.forward_xyz(aces));
        rgb.map(|v| self.output.encoding.encode(v))
    }

    /// Display code values -> ACES2065-1.
    pub fn inverse(&self, code: [f32; 3]) -> [f32; 3] {
        let rgb = code.map(|v| self.output.encoding.decode(v));
        self.inverse_xyz(self.steps.container_to_xyz(rgb))
    }

    /// [`Aces2Renderer::forward`] over interleaved pixels (3 or 4 channels), in parallel.
    pub fn apply(&self, pixels: &mut [f32], channels: usize) -> Result<()> {
        for_each_pixel(pixels, channels, |rgb| self.forward(rgb))
    }

    /// [`Aces2Renderer::inverse`] over interleaved pixels (3 or 4 channels), in parallel.
    pub fn apply_inverse(&self, pixels: &mut [f32], channels: usize) -> Result<()> {
        for_each_pixel(pixels, channels, |rgb| self.inverse(rgb))
    }
}

#[cfg(test)]
mod tests;
