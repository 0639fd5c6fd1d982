//! `rushes fdl validate|info|apply` on the ASC's sample FDLs and on hostile inputs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use rushes_engine::fdl::{self, Fdl};
use rushes_test_support::{shared_data, skip_no_data};
use serde_json::Value;

const SOURCE: &str = "Original_Source_Files/B_4448x3096_1x_FramingChart.fdl";
const TEMPLATE: &str = "Scenarios_For_Implementers/Scen_1_FitDecision-into-UHD/Scen_1_FitDecision-into-UHD-CANVAS-TEMPLATE.fdl";
const EXPECTED: &str = "Scenarios_For_Implementers/Scen_1_FitDecision-into-UHD/Results/Scen1-RESULT-B_4448x3096_1x_FramingChart.fdl";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn rushes(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_rushes"))
        .arg("fdl")
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn data(test: &str) -> Option<PathBuf> {
    let dir = shared_data("fdl");
    if dir.is_none() {
        skip_no_data(test, "fdl");
    }
    dir
}

#[test]
fn validate_accepts_every_sample_source_and_reports_problems_with_paths() {
    let Some(dir) = data("validate_accepts_every_sample_source") else {
        return;
    };
    for entry in std::fs::read_dir(dir.join("Original_Source_Files")).unwrap() {
        let path = entry.unwrap().path();
        let run = rushes(&[&"validate", &path]);
        assert_eq!(run.code, 0, "{}: {}", path.display(), run.stdout);
        assert!(run.stdout.contains("valid"));
    }
    // A dangling framing intent and a framing decision larger than its canvas.
    let tmp = tempfile::tempdir().unwrap();
    let mut doc: Value = serde_json::from_slice(&std::fs::read(dir.join(SOURCE)).unwrap()).unwrap();
    let fd = &mut doc["contexts"][0]["canvases"][0]["framing_decisions"][0];
    fd["framing_intent_id"] = "nope".into();
    fd["dimensions"]["width"] = 99999.0.into();
    let bad = tmp.path().join("bad.fdl");
    std::fs::write(&bad, serde_json::to_vec(&doc).unwrap()).unwrap();
    let run = rushes(&[&"validate", &bad]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("$.contexts[0].canvases[0].framing_decisions[0].framing_intent_id"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("$.contexts[0].canvases[0].framing_decisions[0]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("invalid ("));
}

#[test]
fn validate_exit_codes_for_broken_and_unreadable_files() {
    let tmp = tempfile::tempdir().unwrap();
    let broken = tmp.path().join("broken.fdl");
    std::fs::write(&broken, b"{\"uuid\": \"x\", \"version\": ").unwrap();
    let run = rushes(&[&"validate", &broken]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("$"), "{}", run.stdout);

    let wrong_types = tmp.path().join("types.fdl");
    std::fs::write(
        &wrong_types,
        br#"{"uuid": 5, "version": {"major": "2", "minor": 0}}"#,
    )
    .unwrap();
    let run = rushes(&[&"validate", &wrong_types]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("$.uuid"), "{}", run.stdout);

    // Missing file, a folder, an oversized file: unreadable (2) with the path named.
    let missing = tmp.path().join("missing.fdl");
    let run = rushes(&[&"validate", &missing]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.fdl"), "{}", run.stderr);
    let run = rushes(&[&"validate", &tmp.path()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is a folder"), "{}", run.stderr);
    let huge = tmp.path().join("huge.fdl");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(fdl::MAX_FDL_BYTES as u64 + 1).unwrap();
    let run = rushes(&[&"validate", &huge]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("too large"), "{}", run.stderr);
}

#[test]
fn info_summarises_canvases_and_decisions_as_text_and_json() {
    let Some(dir) = data("info_summarises_canvases_and_decisions") else {
        return;
    };
    let source = dir.join(SOURCE);
    let doc = Fdl::from_json(&std::fs::read(&source).unwrap(), "source").unwrap();
    let canvas = &doc.contexts[0].canvases[0];
    let decision = &canvas.framing_decisions[0];

    let run = rushes(&[&"info", &source]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(&format!("canvas {}", canvas.id)));
    assert!(run.stdout.contains("4448 x 3096"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("framing decision {}", decision.id)),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("valid"));

    let run = rushes(&[&"info", &"--json", &source]);
    assert_eq!(run.code, 0);
    let summary: Value = serde_json::from_str(&run.stdout).unwrap();
    let cv = &summary["contexts"][0]["canvases"][0];
    assert_eq!(cv["dimensions"]["width"], 4448);
    assert_eq!(cv["dimensions"]["height"], 3096);
    assert_eq!(cv["id"], canvas.id.as_str());
    let fd = &cv["framing_decisions"][0];
    assert_eq!(fd["id"], decision.id.as_str());
    assert_eq!(fd["dimensions"]["width"], decision.dimensions.width);
    assert_eq!(fd["anchor_point"]["y"], decision.anchor_point.y);
    assert_eq!(summary["problems"].as_array().unwrap().len(), 0);

    // A template FDL lists its canvas template.
    let run = rushes(&[&"info", &dir.join(TEMPLATE)]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("canvas templates: 1"), "{}", run.stdout);
    assert!(run.stdout.contains("target 3840 x 2160"), "{}", run.stdout);
}

fn canvas_of(path: &Path, id: &str) -> Value {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    doc["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["canvases"].as_array().unwrap().iter())
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no canvas {id} in {}", path.display()))
}

#[test]
fn apply_writes_the_expected_canvas_and_the_plan() {
    let Some(dir) = data("apply_writes_the_expected_canvas") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("new.fdl");
    let plan = tmp.path().join("plan.json");
    let run = rushes(&[
        &"apply",
        &"--template",
        &dir.join(TEMPLATE),
        &dir.join(SOURCE),
        &"--out",
        &out,
        &"--plan-json",
        &plan,
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("pixel plan:"), "{}", run.stdout);
    let written = std::fs::read(&out).unwrap();
    assert_eq!(fdl::check_json(&written), vec![]);
    let doc = Fdl::from_json(&written, "new").unwrap();
    let new_canvas = doc.contexts[0].canvases.last().unwrap();
    // Compare with the ASC's expected result: canvas size exact, framing decision geometry within
    // the 1 px the data documents (the expected files' generations round it differently).
    let expected_doc: Value =
        serde_json::from_slice(&std::fs::read(dir.join(EXPECTED)).unwrap()).unwrap();
    let expected = expected_doc["contexts"][0]["canvases"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(expected["dimensions"]["width"], new_canvas.dimensions.width);
    assert_eq!(
        expected["dimensions"]["height"],
        new_canvas.dimensions.height
    );
    let efd = &expected["framing_decisions"][0];
    let fd = &new_canvas.framing_decisions[0];
    assert!((efd["dimensions"]["height"].as_f64().unwrap() - fd.dimensions.height).abs() <= 1.0);
    assert!((efd["anchor_point"]["y"].as_f64().unwrap() - fd.anchor_point.y).abs() <= 1.0);
    let _ = canvas_of(&out, &new_canvas.id);

    let plan: Value = serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    assert_eq!(plan["output_size"]["width"], 3840);
    assert_eq!(plan["output_size"]["height"], 2160);
    assert_eq!(plan["source_size"]["width"], 4448);

    // A bare canvas template gives the same FDL byte for byte.
    let template_doc: Value =
        serde_json::from_slice(&std::fs::read(dir.join(TEMPLATE)).unwrap()).unwrap();
    let bare = tmp.path().join("bare.json");
    std::fs::write(
        &bare,
        serde_json::to_vec(&template_doc["canvas_templates"][0]).unwrap(),
    )
    .unwrap();
    let out2 = tmp.path().join("new2.fdl");
    let run = rushes(&[
        &"apply",
        &"--template",
        &bare,
        &dir.join(SOURCE),
        &"--out",
        &out2,
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(std::fs::read(&out2).unwrap(), written);

    // Existing output: refused (2) without --force, replaced with it.
    let run = rushes(&[
        &"apply",
        &"--template",
        &bare,
        &dir.join(SOURCE),
        &"--out",
        &out2,
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    let run = rushes(&[
        &"apply",
        &"--template",
        &bare,
        &dir.join(SOURCE),
        &"--out",
        &out2,
        &"--force",
    ]);
    assert_eq!(run.code, 0);
}

#[test]
fn apply_refuses_bad_selections_templates_and_paths() {
    let Some(dir) = data("apply_refuses_bad_selections") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let source = dir.join(SOURCE);
    let template = dir.join(TEMPLATE);
    let out = tmp.path().join("o.fdl");
    // Unknown framing decision: the template cannot be applied (1).
    let run = rushes(&[
        &"apply",
        &"--template",
        &template,
        &"--decision",
        &"no-such",
        &source,
        &"--out",
        &out,
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("no-such"), "{}", run.stdout);
    assert!(!out.exists());
    // A bare template with a hostile value: its JSON path is named.
    let bare = tmp.path().join("bare.json");
    std::fs::write(
        &bare,
        br#"{"id": "t", "target_dimensions": {"width": -5, "height": 10}, "target_anamorphic_squeeze": 1,
            "fit_source": "framing_decision.dimensions", "fit_method": "width"}"#,
    )
    .unwrap();
    let run = rushes(&[&"apply", &"--template", &bare, &source, &"--out", &out]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("target_dimensions"), "{}", run.stdout);
    assert!(!out.exists());
    // A source FDL without templates used as the template.
    let run = rushes(&[&"apply", &"--template", &source, &source, &"--out", &out]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("holds no canvas template"),
        "{}",
        run.stdout
    );
    // Output into a missing folder, or over an input: refused (2).
    let nowhere = tmp.path().join("missing/dir/o.fdl");
    let run = rushes(&[
        &"apply",
        &"--template",
        &template,
        &source,
        &"--out",
        &nowhere,
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot create"), "{}", run.stderr);
    let copy = tmp.path().join("src.fdl");
    std::fs::copy(&source, &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let run = rushes(&[
        &"apply",
        &"--template",
        &template,
        &copy,
        &"--out",
        &copy,
        &"--force",
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is an input"), "{}", run.stderr);
    assert_eq!(std::fs::read(&copy).unwrap(), before);
}
