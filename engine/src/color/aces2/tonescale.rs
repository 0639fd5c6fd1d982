//! The ACES 2.0 tonescale: the Daniele Siragusano "Evo" curve, a Michaelis-Menten style
//! compression with a flare toe whose parameters follow the display's peak luminance; applied
//! to achromatic luminance and carried to and from JMh lightness.

use super::cam::{JmhModel, REFERENCE_LUMINANCE};
use super::math::{cmax, cmin};

/// Normalised white in cd/m² (what display-linear 1.0 means).
const WHITE_NITS: f32 = 100.0;
/// Surround / contrast exponent.
const CONTRAST: f32 = 1.15;
/// Scene-referred grey anchor.
const GREY_SCENE: f32 = 0.18;
/// Display luminance of 18 % grey at 100 cd/m² peak.
const GREY_DISPLAY_NITS: f32 = 10.013;
/// Change of grey with peak luminance (per stop of peak above 100 cd/m²).
const GREY_GAIN: f32 = 0.14;
/// Shadow toe (flare / glare compensation).
const TOE: f32 = 0.04;
/// Scene value reaching the display peak at 100 cd/m² and at 10 000 cd/m².
const ROOF_HIT_MIN: f32 = 128.0;
const ROOF_HIT_MAX: f32 = 896.0;

/// Tonescale parameters for one peak luminance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tonescale {
    /// Output scale (cd/m² of display-linear 1.0).
    n_r: f32,
    g: f32,
    t_1: f32,
    /// Display grey (fraction of 100 cd/m²).
    pub c_t: f32,
    s_2: f32,
    m_2: f32,
    /// Scene-linear upper clamp applied before rendering.
    pub forward_limit: f32,
    /// Largest invertible display value (fraction of 100 cd/m²).
    inverse_limit: f32,
    /// log10(peak / 100).
    pub log_peak: f32,
}

impl Tonescale {
    /// The parameters for a display peak of `peak` cd/m².
    pub(crate) fn new(peak: f32) -> Tonescale {
        let n = peak;
        let n_r = WHITE_NITS;
        let g = CONTRAST;
        let t_1 = TOE;
        let r_hit = ROOF_HIT_MIN
            + (ROOF_HIT_MAX - ROOF_HIT_MIN) * ((n / n_r).ln() / (10000.0f32 / 100.0).ln());
        let m_0 = n / n_r;
        let m_1 = 0.5 * (m_0 + (m_0 * (m_0 + 4.0 * t_1)).sqrt());
        let u = ((r_hit / m_1) / ((r_hit / m_1) + 1.0)).powf(g);
        let m = m_1 / u;
        let w_i = (n / 100.0).ln() / 2.0f32.ln();
        let c_t = GREY_DISPLAY_NITS / n_r * (1.0 + w_i * GREY_GAIN);
        let g_ip = 0.5 * (c_t + (c_t * (c_t + 4.0 * t_1)).sqrt());
        let g_ipp2 = -(m_1 * (g_ip / m).powf(1.0 / g)) / ((g_ip / m).powf(1.0 / g) - 1.0);
        let w_2 = GREY_SCENE / g_ipp2;
        let s_2 = w_2 * m_1 * REFERENCE_LUMINANCE;
        let u_2 = ((r_hit / m_1) / ((r_hit / m_1) + w_2)).powf(g);
        let m_2 = m_1 / u_2;
        Tonescale {
            n_r,
            g,
            t_1,
            c_t,
            s_2,
            m_2,
            forward_limit: 8.0 * r_hit,
            inverse_limit: n / (u_2 * n_r),
            log_peak: (n / n_r).log10(),
        }
    }

    /// Scene luminance -> display luminance (both in cd/m² / 100 units of the model).
    fn forward_y(&self, y: f32) -> f32 {
        let f = self.m_2 * (y / (y + self.s_2)).powf(self.g);
        cmax(0.0, f * f / (f + self.t_1)) * self.n_r
    }

    /// Display luminance -> scene luminance.
    fn inverse_y(&self, y: f32) -> f32 {
        let y_norm = y / REFERENCE_LUMINANCE;
        let z = cmax(0.0, cmin(self.inverse_limit, y_norm));
        let f = (z + (z * (4.0 * self.t_1 + z)).sqrt()) / 2.0;
        self.s_2 / ((self.m_2 / f).powf(1.0 / self.g) - 1.0)
    }

    /// Achromatic response of the scene colour -> tonemapped lightness J.
    pub(crate) fn forward_a_to_j(&self, a: f32, cam: &JmhModel) -> f32 {
        let y = cam.a_to_y(a);
        cam.abs_y_to_j(self.forward_y(y)).copysign(a)
    }

    /// Tonemapped lightness -> scene lightness.
    pub(crate) fn inverse_j(&self, j: f32, cam: &JmhModel) -> f32 {
        let y = cam.abs_j_to_y(j.abs());
        cam.abs_y_to_j(self.inverse_y(y)).copysign(j)
    }
}
