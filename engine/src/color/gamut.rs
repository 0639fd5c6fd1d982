//! RGB gamuts by their CIE 1931 xy primaries and white, RGB<->XYZ matrices derived from them,
//! and von Kries chromatic adaptation (Bradford, CAT02).

use super::matrix::Mat3;

/// A white point as CIE 1931 xy chromaticity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WhitePoint(pub [f64; 2]);

impl WhitePoint {
    /// CIE D65 as used by Rec.709, sRGB, Rec.2020 and P3-D65 (x 0.3127, y 0.3290).
    pub const D65: WhitePoint = WhitePoint([0.3127, 0.3290]);
    /// The ACES white (approximately D60: x 0.32168, y 0.33767).
    pub const ACES: WhitePoint = WhitePoint([0.32168, 0.33767]);
    /// The DCI-P3 projector white (x 0.314, y 0.351).
    pub const DCI: WhitePoint = WhitePoint([0.314, 0.351]);

    /// The white's XYZ with Y = 1.
    pub fn xyz(&self) -> [f64; 3] {
        xy_to_xyz(self.0)
    }
}

/// Red, green and blue primaries and the white, each as CIE 1931 xy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chromaticities {
    /// Red primary xy.
    pub red: [f64; 2],
    /// Green primary xy.
    pub green: [f64; 2],
    /// Blue primary xy.
    pub blue: [f64; 2],
    /// White point.
    pub white: WhitePoint,
}

/// The RGB gamuts rushes knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gamut {
    /// ACES AP0 (ACES2065-1).
    Ap0,
    /// ACES AP1 (ACEScg, ACEScct, ACEScc).
    Ap1,
    /// ITU-R BT.709 / sRGB primaries, D65.
    Rec709,
    /// DCI-P3 primaries with the DCI white.
    P3Dci,
    /// DCI-P3 primaries with D65 (P3-D65, Display P3).
    P3D65,
    /// ITU-R BT.2020 / BT.2100 primaries, D65.
    Rec2020,
}

impl Gamut {
    /// The gamut's primaries and white.
    pub fn chromaticities(self) -> Chromaticities {
        const P3: ([f64; 2], [f64; 2], [f64; 2]) = ([0.680, 0.320], [0.265, 0.690], [0.150, 0.060]);
        let (red, green, blue, white) = match self {
            Gamut::Ap0 => (
                [0.7347, 0.2653],
                [0.0, 1.0],
                [0.0001, -0.0770],
                WhitePoint::ACES,
            ),
            Gamut::Ap1 => (
                [0.713, 0.293],
                [0.165, 0.830],
                [0.128, 0.044],
                WhitePoint::ACES,
            ),
            Gamut::Rec709 => ([0.64, 0.33], [0.30, 0.60], [0.15, 0.06], WhitePoint::D65),
            Gamut::P3Dci => (P3.0, P3.1, P3.2, WhitePoint::DCI),
            Gamut::P3D65 => (P3.0, P3.1, P3.2, WhitePoint::D65),
            Gamut::Rec2020 => (
                [0.708, 0.292],
                [0.170, 0.797],
                [0.131, 0.046],
                WhitePoint::D65,
            ),
        };
        Chromaticities {
            red,
            green,
            blue,
            white,
        }
    }
}

/// A chromatic adaptation transform (the cone-response matrix of a von Kries adaptation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Adaptation {
    /// No adaptation: XYZ is carried over unchanged (the white moves).
    None,
    /// The Bradford transform (used by the ACES 1.x and OCIO conversions).
    Bradford,
    /// CIECAM02's CAT02.
    Cat02,
}

impl Adaptation {
    /// The cone-response matrix, or `None` for [`Adaptation::None`].
    pub fn cone_matrix(self) -> Option<Mat3> {
        match self {
            Adaptation::None => None,
            Adaptation::Bradford => Some(Mat3([
                [0.8951, 0.2664, -0.1614],
                [-0.7502, 1.7135, 0.0367],
                [0.0389, -0.0685, 1.0296],
            ])),
            Adaptation::Cat02 => Some(Mat3([
                [0.7328, 0.4296, -0.1624],
                [-0.7036, 1.6975, 0.0061],
                [0.0030, 0.0136, 0.9834],
            ])),
        }
    }

    /// The XYZ->XYZ matrix adapting colours seen under `from` to appear the same under `to`.
    pub fn matrix(self, from: WhitePoint, to: WhitePoint) -> Mat3 {
        let Some(cone) = self.cone_matrix() else {
            return Mat3::IDENTITY;
        };
        if from == to {
            return Mat3::IDENTITY;
        }
        let Some(cone_inv) = cone.inverse() else {
            return Mat3::IDENTITY;
        };
        let src = cone.mul_vec(from.xyz());
        let dst = cone.mul_vec(to.xyz());
        let scale = Mat3::diagonal([dst[0] / src[0], dst[1] / src[1], dst[2] / src[2]]);
        cone_inv.mul(&scale).mul(&cone)
    }
}

fn xy_to_xyz(xy: [f64; 2]) -> [f64; 3] {
    let [x, y] = xy;
    [x / y, 1.0, (1.0 - x - y) / y]
}

impl Chromaticities {
    /// The normalised primary matrix: linear RGB -> CIE XYZ, with RGB (1, 1, 1) mapping to the
    /// white at Y = 1 (SMPTE RP 177 derivation).
    pub fn rgb_to_xyz(&self) -> Mat3 {
        let r = xy_to_xyz(self.red);
        let g = xy_to_xyz(self.green);
        let b = xy_to_xyz(self.blue);
        let primaries = Mat3([[r[0], g[0], b[0]], [r[1], g[1], b[1]], [r[2], g[2], b[2]]]);
        // Primaries of the named gamuts are never collinear; a degenerate user gamut yields zeros.
        let Some(inv) = primaries.inverse() else {
            return Mat3([[0.0; 3]; 3]);
        };
        let s = inv.mul_vec(self.white.xyz());
        primaries.mul(&Mat3::diagonal(s))
    }

    /// CIE XYZ -> linear RGB (the inverse of [`Chromaticities::rgb_to_xyz`]).
    pub fn xyz_to_rgb(&self) -> Mat3 {
        self.rgb_to_xyz().inverse().unwrap_or(Mat3([[0.0; 3]; 3]))
    }
}

/// The linear RGB -> linear RGB matrix from gamut `src` to gamut `dst`, adapting the white with
/// `adaptation` when the two whites differ.
pub fn rgb_to_rgb(src: &Chromaticities, dst: &Chromaticities, adaptation: Adaptation) -> Mat3 {
    let cat = adaptation.matrix(src.white, dst.white);
    dst.xyz_to_rgb().mul(&cat).mul(&src.rgb_to_xyz())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &Mat3, b: &[[f64; 3]; 3], tol: f64) -> bool {
        (0..3).all(|i| (0..3).all(|j| (a.0[i][j] - b[i][j]).abs() <= tol))
    }

    #[test]
    fn ap0_to_xyz_matches_smpte_st2065_1() {
        // The published ACES2065-1 NPM (SMPTE ST 2065-1, 10 decimals).
        let published = [
            [0.9525523959, 0.0, 0.0000936786],
            [0.3439664498, 0.7281660966, -0.0721325464],
            [0.0, 0.0, 1.0088251844],
        ];
        assert!(close(
            &Gamut::Ap0.chromaticities().rgb_to_xyz(),
            &published,
            1e-9
        ));
    }

    #[test]
    fn rec709_to_xyz_matches_the_srgb_matrix() {
        let published = [
            [0.4123908, 0.3575843, 0.1804808],
            [0.2126390, 0.7151687, 0.0721923],
            [0.0193308, 0.1191948, 0.9505322],
        ];
        assert!(close(
            &Gamut::Rec709.chromaticities().rgb_to_xyz(),
            &published,
            1e-6
        ));
    }

    #[test]
    fn bradford_maps_white_to_white_and_cat02_differs() {
        let m = Adaptation::Bradford.matrix(WhitePoint::ACES, WhitePoint::D65);
        let w = m.mul_vec(WhitePoint::ACES.xyz());
        let d65 = WhitePoint::D65.xyz();
        for c in 0..3 {
            assert!((w[c] - d65[c]).abs() < 1e-12);
        }
        let c = Adaptation::Cat02.matrix(WhitePoint::ACES, WhitePoint::D65);
        let w2 = c.mul_vec(WhitePoint::ACES.xyz());
        for k in 0..3 {
            assert!((w2[k] - d65[k]).abs() < 1e-12);
        }
        assert!((m.0[0][1] - c.0[0][1]).abs() > 1e-4);
        assert_eq!(
            Adaptation::None.matrix(WhitePoint::ACES, WhitePoint::D65),
            Mat3::IDENTITY
        );
    }

    #[test]
    fn ap0_to_ap1_matches_the_aces_published_matrix() {
        let m = rgb_to_rgb(
            &Gamut::Ap0.chromaticities(),
            &Gamut::Ap1.chromaticities(),
            Adaptation::Bradford,
        );
        let published = [
            [1.4514393161, -0.2365107469, -0.2149285693],
            [-0.0765537734, 1.1762296998, -0.0996759264],
            [0.0083161484, -0.0060324498, 0.9977163014],
        ];
        assert!(close(&m, &published, 1e-9), "{m:?}");
    }
}
