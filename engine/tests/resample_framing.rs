//! Pixel check of template application: a synthetic framing chart (1 inside the framing decision,
//! 0 outside, partial pixels by coverage) resampled by the pixel plan has the framing edges where
//! the new FDL puts them, within half an output pixel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rushes_engine::fdl::{self, ApplyOptions, Fdl, FramingDecision, SourceSelection};
use rushes_engine::resample::apply_plan;
use serde_json::json;

const W: usize = 400;
const H: usize = 300;
/// The framing decision on the source canvas: x, y, width, height (fractional on purpose).
const FRAMING: (f64, f64, f64, f64) = (20.5, 50.0, 360.0, 200.0);

fn source() -> Fdl {
    let doc = json!({
        "uuid": "0b0e6a36-4c6e-4f35-9a43-7f0c8a1d2e3f",
        "version": {"major": 2, "minor": 0},
        "default_framing_intent": "1",
        "framing_intents": [{"id": "1", "aspect_ratio": {"width": 18, "height": 5}}],
        "contexts": [{"label": "chart", "canvases": [{
            "id": "1", "source_canvas_id": "1", "dimensions": {"width": W, "height": H},
            "anamorphic_squeeze": 2,
            "framing_decisions": [{"id": "1-1", "framing_intent_id": "1",
                "dimensions": {"width": FRAMING.2, "height": FRAMING.3},
                "anchor_point": {"x": FRAMING.0, "y": FRAMING.1}}]
        }]}]
    });
    Fdl::from_json(doc.to_string().as_bytes(), "chart").unwrap()
}

fn coverage(i: usize, from: f64, length: f64) -> f32 {
    let (a, b) = (i as f64, i as f64 + 1.0);
    (b.min(from + length) - a.max(from)).clamp(0.0, 1.0) as f32
}

fn chart() -> Vec<f32> {
    let (x0, y0, fw, fh) = FRAMING;
    (0..H)
        .flat_map(|y| (0..W).map(move |x| coverage(x, x0, fw) * coverage(y, y0, fh)))
        .collect()
}

/// Where the 0.5 level is crossed between output pixels `i` and `i + 1` of `line`, near `guess`.
fn crossing(line: &[f32], guess: f64) -> Option<f64> {
    let g = guess.round() as isize;
    (g - 3..g + 3)
        .filter(|&i| i >= 0 && (i as usize) + 1 < line.len())
        .map(|i| i as usize)
        .find_map(|i| {
            let (a, b) = (line[i], line[i + 1]);
            ((a - 0.5) * (b - 0.5) <= 0.0 && a != b)
                .then(|| i as f64 + 0.5 + f64::from((0.5 - a) / (b - a)))
        })
}

/// Checks one edge at output position `edge` on a line of `len` pixels.
fn check_edge(what: &str, line: &[f32], edge: f64) {
    let len = line.len() as f64;
    if edge > 1.0 && edge < len - 1.0 {
        let found = crossing(line, edge).unwrap_or_else(|| panic!("{what}: no edge near {edge}"));
        eprintln!("{what}: edge at {found:.4}, FDL says {edge:.4}");
        assert!(
            (found - edge).abs() < 0.5,
            "{what}: edge at {found}, FDL says {edge}"
        );
    } else if edge <= 1.0 {
        eprintln!("{what}: at the output border ({edge})");
        // The framing starts at the output's border: the border pixel is picture.
        assert!(line[0] > 0.5, "{what}: border pixel {} at {edge}", line[0]);
    } else {
        eprintln!("{what}: at the output border ({edge})");
        assert!(
            line[line.len() - 1] > 0.5,
            "{what}: border pixel {} at {edge}",
            line[line.len() - 1]
        );
    }
}

#[test]
fn framing_decision_corners_land_where_the_new_fdl_says() {
    let templates = [
        // De-squeeze and fit the whole framing into UHD-like square pixels.
        json!({"id": "FIT", "target_dimensions": {"width": 320, "height": 90},
            "target_anamorphic_squeeze": 1, "fit_source": "framing_decision.dimensions",
            "fit_method": "fit_all", "alignment_method_vertical": "center",
            "alignment_method_horizontal": "center", "round": {"even": "even", "mode": "round"}}),
        // Fit the width into a square, letterboxed with pads.
        json!({"id": "PAD", "target_dimensions": {"width": 200, "height": 200},
            "target_anamorphic_squeeze": 1, "fit_source": "framing_decision.dimensions",
            "fit_method": "width", "alignment_method_vertical": "center",
            "alignment_method_horizontal": "center", "maximum_dimensions": {"width": 200, "height": 200},
            "pad_to_maximum": true, "round": {"even": "whole", "mode": "round"}}),
        // Fit the height and keep the canvas around it (the framing is inside the output).
        json!({"id": "CANVAS", "target_dimensions": {"width": 300, "height": 120},
            "target_anamorphic_squeeze": 1, "fit_source": "framing_decision.dimensions",
            "fit_method": "height", "alignment_method_vertical": "center",
            "alignment_method_horizontal": "center",
            "preserve_from_source_canvas": "canvas.dimensions",
            "maximum_dimensions": {"width": 500, "height": 220}, "pad_to_maximum": true,
            "round": {"even": "even", "mode": "up"}}),
        // Keep the 2x squeeze, downscale by height.
        json!({"id": "SQZ", "target_dimensions": {"width": 180, "height": 100},
            "target_anamorphic_squeeze": 2, "fit_source": "framing_decision.dimensions",
            "fit_method": "height", "alignment_method_vertical": "center",
            "alignment_method_horizontal": "center", "round": {"even": "even", "mode": "round"}}),
    ];
    let source = source();
    let image = chart();
    for t in templates {
        let template =
            fdl::read_canvas_template(t.to_string().as_bytes(), "template", None).unwrap();
        let result = fdl::apply_template(
            &source,
            &template,
            &SourceSelection::default(),
            &ApplyOptions::default(),
        )
        .unwrap();
        let plan = &result.plan;
        let canvas = result
            .fdl
            .contexts
            .iter()
            .flat_map(|c| &c.canvases)
            .find(|c| c.id == result.canvas_id)
            .unwrap();
        let fd: &FramingDecision = canvas
            .framing_decisions
            .iter()
            .find(|f| f.id == result.framing_decision_id)
            .unwrap();
        let (ow, oh) = (
            plan.output_size.width as usize,
            plan.output_size.height as usize,
        );
        assert_eq!(
            (canvas.dimensions.width, canvas.dimensions.height),
            (ow as i64, oh as i64)
        );
        // The plan maps the source framing corners onto the new framing decision's corners.
        let (x0, y0, fw, fh) = FRAMING;
        let (ax, ay) = plan.map_to_output(x0, y0);
        let (bx, by) = plan.map_to_output(x0 + fw, y0 + fh);
        let id = &template.id;
        for (ours, fdl_value) in [
            (ax, fd.anchor_point.x),
            (ay, fd.anchor_point.y),
            (bx, fd.anchor_point.x + fd.dimensions.width),
            (by, fd.anchor_point.y + fd.dimensions.height),
        ] {
            assert!(
                (ours - fdl_value).abs() < 1e-6,
                "{id}: plan {ours} vs FDL {fdl_value}"
            );
        }

        let out = apply_plan(plan, W, H, 1, &image, 0.0).unwrap();
        assert_eq!(out.len(), ow * oh);
        let mid_y = ((ay + by) / 2.0) as usize;
        let mid_x = ((ax + bx) / 2.0) as usize;
        let row: Vec<f32> = out[mid_y * ow..(mid_y + 1) * ow].to_vec();
        let column: Vec<f32> = (0..oh).map(|y| out[y * ow + mid_x]).collect();
        check_edge(&format!("{id} left"), &row, ax);
        check_edge(&format!("{id} right"), &row, bx);
        check_edge(&format!("{id} top"), &column, ay);
        check_edge(&format!("{id} bottom"), &column, by);
        // Pads stay exactly at the fill value.
        let p = plan.placement;
        if p.y >= 1.0 {
            assert!(out[..ow].iter().all(|v| *v == 0.0), "{id}: top pad");
        }
        if p.x >= 1.0 {
            assert!((0..oh).all(|y| out[y * ow] == 0.0), "{id}: left pad");
        }
    }
}
