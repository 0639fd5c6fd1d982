//! Unit tests of the ACES 2.0 output transforms (conformance with OCIO is in
//! engine/tests/color_aces2.rs).

use super::*;

fn renderer(o: Aces2Output) -> Aces2Renderer {
    o.renderer().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn grey_and_black_land_where_the_tonescale_puts_them() {
    let r = renderer(Aces2Output::SDR_REC709);
    assert_eq!(r.forward([0.0; 3]), [0.0; 3]);
    // 18 % grey -> about 10 cd/m² (Y ~ 0.1), neutral on a D65 display.
    let xyz = r.forward_xyz([0.18; 3]);
    assert!((xyz[1] - 0.1001).abs() < 2e-3, "{xyz:?}");
    let code = r.forward([0.18; 3]);
    assert!((code[0] - code[1]).abs() < 1e-4 && (code[1] - code[2]).abs() < 1e-4);
    // Very bright values saturate at the peak, never beyond.
    let top = r.forward([65504.0; 3]);
    assert!(top.iter().all(|v| (0.99..=1.0).contains(v)), "{top:?}");
}

#[test]
fn nan_and_infinite_inputs_are_defined() {
    for output in [Aces2Output::SDR_REC709, Aces2Output::HDR_REC2100_1000] {
        let r = renderer(output);
        // Black's code value (PQ encodes 0 cd/m² as 7.3e-7).
        let black = r.forward([0.0; 3]);
        assert_eq!(r.forward_xyz([f32::NAN, 0.5, 0.5]), [0.0; 3]);
        assert_eq!(r.forward([f32::NAN, 0.5, 0.5]), black);
        assert_eq!(r.forward([f32::NAN; 3]), black);
        let inf = r.forward([f32::INFINITY; 3]);
        assert!(inf.iter().all(|v| v.is_finite()), "{inf:?}");
        assert_eq!(r.forward([f32::NEG_INFINITY; 3]), black);
        let nan_back = r.inverse([f32::NAN; 3]);
        assert!(nan_back.iter().all(|v| *v == 0.0), "{nan_back:?}");
        let inv = r.inverse([f32::INFINITY, 0.2, f32::NEG_INFINITY]);
        assert!(inv.iter().all(|v| v.is_finite()), "{inv:?}");
    }
}

#[test]
fn forward_inverse_round_trip_inside_the_display_gamut() {
    let r = renderer(Aces2Output::SDR_REC709);
    for code in [
        [0.5f32, 0.5, 0.5],
        [0.2, 0.4, 0.6],
        [0.9, 0.1, 0.3],
        [0.05, 0.05, 0.02],
    ] {
        let back = r.forward(r.inverse(code));
        for (a, b) in back.iter().zip(code) {
            assert!((a - b).abs() < 1e-3, "{code:?} -> {back:?}");
        }
    }
}

#[test]
fn hues_at_the_table_edges_do_not_panic() {
    let r = renderer(Aces2Output::SDR_P3D65);
    // Hues just below 360 and exactly 0 (a ~ positive, b ~ -0).
    for rgb in [
        [1.0f32, 0.1, 0.1000001],
        [1.0, 0.1, 0.1],
        [0.3, 0.3, 0.3000001],
    ] {
        let out = r.forward(rgb);
        assert!(out.iter().all(|v| v.is_finite()));
    }
    for h in [0.0f32, 359.99997, 360.0, -1.0, f32::NAN] {
        let c = r.gamut.tables.cusp_at(h);
        assert!(c.iter().all(|v| !v.is_infinite()), "{h}: {c:?}");
        let _ = r.reach.at(h);
    }
}

#[test]
fn transform_id_names_round_trip_and_bad_ones_are_refused() {
    for o in [
        Aces2Output::SDR_REC709,
        Aces2Output::SDR_SRGB,
        Aces2Output::SDR_P3D65,
        Aces2Output::HDR_REC2100_1000,
        Aces2Output::HDR_P3D65_1000,
    ] {
        assert_eq!(Aces2Output::from_id_name(&o.id_name()), Some(o));
    }
    assert_eq!(
        Aces2Output::SDR_REC709.id_name(),
        "Rec709-D65_100nit_in_Rec709-D65_BT1886"
    );
    assert_eq!(
        Aces2Output::from_id_name("Rec709-D60_100nit_in_Rec709-D65_sRGB-Piecewise")
            .map(|o| o.limiting_white),
        Some(LimitingWhite::D60)
    );
    for bad in [
        "Rec709-D65_48nit_in_P3-D65_Gamma2pt6",
        "P3-D65_1000nit_in_P3-D65_sRGB-Piecewise",
        "P3-D65_1000nit_in_Rec2100-D65_HLG",
        "P3-D65_300nit_in_XYZ-E_ST2084",
        "P3-D65_99999nit_in_P3-D65_ST2084",
        "Rec709-D65_1e2nit_in_Rec709-D65_BT1886",
        "Rec709-D65_100nit_in_Rec709-D60_BT1886",
        "garbage",
        "",
    ] {
        assert_eq!(Aces2Output::from_id_name(bad), None, "{bad}");
    }
    let weird = Aces2Output::d65(5, Gamut::Rec709, DisplayEncoding::St2084);
    assert!(matches!(weird.renderer(), Err(Error::ColorInvalid(_))));
}

#[test]
fn parallel_apply_equals_per_pixel_and_alpha_is_kept() {
    let r = renderer(Aces2Output::SDR_SRGB);
    let mut px: Vec<f32> = (0..4 * 5000)
        .map(|i| ((i * 7919) % 1000) as f32 / 250.0)
        .collect();
    let orig = px.clone();
    r.apply(&mut px, 4).unwrap_or_else(|e| panic!("{e}"));
    for (o, p) in orig.chunks_exact(4).zip(px.chunks_exact(4)) {
        assert_eq!(r.forward([o[0], o[1], o[2]]), [p[0], p[1], p[2]]);
        assert_eq!(o[3], p[3]);
    }
}
