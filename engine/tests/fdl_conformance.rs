//! ASC FDL conformance: the official example FDLs validate, the official template scenarios give
//! their expected results, random scenarios agree with asc-fdl 1.0.2 (the ASC's library), and the
//! FDLs we write pass asc-fdl's `fdl-validate`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rushes_engine::fdl::{self, Fdl};
use rushes_test_support::{ref_python, ref_tool, run_python, shared_data, skip, skip_no_data};
use serde_json::{Value, json};

fn fdl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            fdl_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "fdl") {
            out.push(path);
        }
    }
}

/// Runs `engine/tests/fdl_ref/apply_template.py` (asc-fdl) on a batch of jobs.
fn reference_apply(python: &Path, jobs: &[Value]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fdl_ref/apply_template.py");
    let out = run_python(python, &script, &[], serde_json::to_vec(jobs).unwrap());
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn every_example_fdl_reads_and_validates() {
    let Some(dir) = shared_data("fdl") else {
        return skip_no_data("every_example_fdl_reads_and_validates", "fdl");
    };
    let mut files = Vec::new();
    fdl_files(&dir, &mut files);
    assert!(files.len() >= 90, "only {} FDL files found", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let problems = fdl::check_json(&bytes);
        if !problems.is_empty() {
            failures.push(format!("{}: {:?}", path.display(), problems));
            continue;
        }
        // Reading, writing and reading again keeps the document.
        let doc = Fdl::from_json(&bytes, &path.display().to_string()).unwrap();
        let again = Fdl::from_json(&doc.to_json(), "rewritten").unwrap();
        assert_eq!(doc, again, "{}", path.display());
    }
    assert!(
        failures.is_empty(),
        "{} of {} example FDLs rejected:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// One official template scenario (manifest.json of the conformance data).
struct Triple {
    name: String,
    source: Vec<u8>,
    template: Vec<u8>,
    expected: Value,
    intent: String,
    generation: String,
}

fn triples(dir: &Path) -> Vec<Triple> {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    manifest["triples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let read = |key: &str| std::fs::read(dir.join(t[key].as_str().unwrap())).unwrap();
            Triple {
                name: t["name"].as_str().unwrap().to_string(),
                source: read("source"),
                template: read("template"),
                expected: serde_json::from_slice(&read("expected")).unwrap(),
                intent: t["framing_intent_id"].as_str().unwrap().to_string(),
                generation: t["expected_generation"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

fn apply(
    source: &[u8],
    template: &[u8],
    intent: Option<&str>,
) -> rushes_engine::Result<fdl::TemplateResult> {
    let source = Fdl::from_json(source, "source")?;
    let template_doc = Fdl::from_json(template, "template")?;
    let template = template_doc
        .canvas_templates
        .first()
        .expect("template FDL has a template");
    fdl::apply_template(
        &source,
        template,
        &fdl::SourceSelection {
            framing_intent_id: intent.map(str::to_string),
            ..Default::default()
        },
        &fdl::ApplyOptions {
            new_canvas_id: Some("123456781234567812345678123456".into()),
            ..Default::default()
        },
    )
}

/// The generated canvas of a result as JSON (the same shape as the expected files).
fn generated_canvas(result: &fdl::TemplateResult) -> Value {
    serde_json::to_value(&result.fdl.contexts[0].canvases[1]).unwrap()
}

fn max_difference(ours: &Value, theirs: &Value, keys: &[&str]) -> f64 {
    keys.iter()
        .map(|k| (ours[k].as_f64().unwrap() - theirs[k].as_f64().unwrap()).abs())
        .fold(0.0, f64::max)
}

/// Largest difference over the framing decision's geometry and the effective anchor, or `None`
/// when one side has protection and the other does not.
fn geometry_difference(ours: &Value, theirs: &Value) -> Option<f64> {
    let (of, tf) = (
        &ours["framing_decisions"][0],
        &theirs["framing_decisions"][0],
    );
    if of.get("protection_dimensions").is_some() != tf.get("protection_dimensions").is_some() {
        return None;
    }
    let mut d = max_difference(
        &ours["effective_anchor_point"],
        &theirs["effective_anchor_point"],
        &["x", "y"],
    );
    for (key, axes) in [
        ("dimensions", ["width", "height"]),
        ("anchor_point", ["x", "y"]),
        ("protection_dimensions", ["width", "height"]),
        ("protection_anchor_point", ["x", "y"]),
    ] {
        if of.get(key).is_some() {
            d = d.max(max_difference(&of[key], &tf[key], &axes));
        }
    }
    Some(d)
}

/// Scenarios whose expected result cannot be matched within the data's documented tolerance
/// (canvas and effective dimensions exact, framing geometry within 1 px), with the reason.
///
/// The expected files were written by different generations of the repository's tool (see the
/// data README). We implement the current ASC library (asc-fdl 1.0.2, whose pipeline rounds every
/// layer with the template's `round` rule, FDL spec 2.0 §canvas templates "round"); the later files
/// keep inner layers unrounded and size the effective area from the unrounded layer, which moves
/// the rounded effective dimensions by 1-2 px and the framing by more than 1 px in these cases.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "Scen9-G",
        "effective width 4266 (rounded layer) vs 4268 (later tool, unrounded layer)",
    ),
    (
        "Scen11-B",
        "effective width 3840 (rounded layer) vs 3842 (later tool, unrounded layer)",
    ),
    (
        "Scen11-J",
        "effective width 5156 (rounded layer) vs 5158 (later tool, unrounded layer)",
    ),
    (
        "Scen17-A",
        "effective height 2160 vs 2159: the later tool rounded this framing height down (README caveat)",
    ),
    (
        "Scen17-B",
        "effective height 2160 vs 2159: the later tool rounded this framing height down (README caveat)",
    ),
    (
        "Scen20",
        "framing anchor y 90 (rounded before cropping) vs 91.09 (unrounded): 1.09 px",
    ),
    (
        "Scen25",
        "framing width 1378 (even-rounded) vs 1376.76 (unrounded): 1.24 px",
    ),
    (
        "Scen30",
        "framing width 1370 (even-rounded, cropped) vs 1372.25 (unrounded): 2.25 px",
    ),
    (
        "Scen34-C",
        "effective height 2160 (even rounding) vs 2161 (later tool, unrounded layer)",
    ),
];

#[test]
fn official_scenarios_give_the_expected_results() {
    let Some(dir) = shared_data("fdl") else {
        return skip_no_data("official_scenarios_give_the_expected_results", "fdl");
    };
    let triples = triples(&dir);
    assert_eq!(triples.len(), 52);
    let mut failures = Vec::new();
    let mut matched = 0;
    let mut worst = 0.0f64;
    for t in &triples {
        let result = apply(&t.source, &t.template, Some(&t.intent))
            .unwrap_or_else(|e| panic!("{}: {e}", t.name));
        let ours = generated_canvas(&result);
        let theirs = &t.expected["contexts"][0]["canvases"][1];
        let mut wrong = Vec::new();
        for key in ["dimensions", "effective_dimensions"] {
            if ours[key] != theirs[key] {
                wrong.push(format!("{key} {} vs {}", ours[key], theirs[key]));
            }
        }
        if ours["anamorphic_squeeze"].as_f64() != theirs["anamorphic_squeeze"].as_f64() {
            wrong.push("anamorphic_squeeze".into());
        }
        match geometry_difference(&ours, theirs) {
            None => wrong.push("protection present on one side only".into()),
            Some(d) if d > 1.0 + 1e-9 => wrong.push(format!("geometry differs by {d:.4} px")),
            Some(d) => worst = worst.max(d),
        }
        let known = KNOWN_DIFFERENCES.iter().any(|(n, _)| *n == t.name);
        match (wrong.is_empty(), known) {
            (true, false) => matched += 1,
            (false, true) => {}
            (true, true) => failures.push(format!(
                "{}: now matches; remove it from KNOWN_DIFFERENCES",
                t.name
            )),
            (false, false) => failures.push(format!(
                "{} ({}): {}",
                t.name,
                t.generation,
                wrong.join(", ")
            )),
        }
    }
    eprintln!(
        "{matched} of {} scenarios match (worst framing difference {worst:.4} px); {} known differences",
        triples.len(),
        KNOWN_DIFFERENCES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(matched + KNOWN_DIFFERENCES.len(), triples.len());
}

/// Differences (beyond `tolerance`) between our result and asc-fdl's for the same job.
fn reference_differences(
    ours: &fdl::TemplateResult,
    theirs: &Value,
    tolerance: f64,
) -> Vec<String> {
    let canvas = generated_canvas(ours);
    let decision = &canvas["framing_decisions"][0];
    let mut out = Vec::new();
    let mut same = |what: &str, a: &Value, b: &Value| {
        let close = match (a, b) {
            (Value::Null, Value::Null) => true,
            (Value::Number(x), Value::Number(y)) => {
                (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() <= tolerance
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter().all(|(k, v)| {
                        y.get(k)
                            .and_then(Value::as_f64)
                            .is_some_and(|w| (v.as_f64().unwrap() - w).abs() <= tolerance)
                    })
            }
            _ => false,
        };
        if !close {
            out.push(format!("{what}: ours {a} asc-fdl {b}"));
        }
    };
    for key in [
        "dimensions",
        "effective_dimensions",
        "effective_anchor_point",
        "anamorphic_squeeze",
    ] {
        same(
            &format!("canvas.{key}"),
            &canvas[key],
            &theirs["canvas"][key],
        );
    }
    for key in [
        "dimensions",
        "anchor_point",
        "protection_dimensions",
        "protection_anchor_point",
    ] {
        same(
            &format!("decision.{key}"),
            &decision[key],
            &theirs["decision"][key],
        );
    }
    out
}

#[test]
fn official_scenarios_agree_with_asc_fdl() {
    let Some(dir) = shared_data("fdl") else {
        return skip_no_data("official_scenarios_agree_with_asc_fdl", "fdl");
    };
    let Some(python) = ref_python() else {
        return skip(
            "official_scenarios_agree_with_asc_fdl",
            "reference venv (asc-fdl) not installed",
        );
    };
    // Scen33/34 use the v2.0.1 "zero-height sentinel" (target height 0, FDL schema v2.0.1
    // target_dimensions_int minimum 0); asc-fdl 1.0.2 predates it and divides by the zero height,
    // so those are checked against the expected files only (official_scenarios_give_the_expected_results).
    let triples: Vec<Triple> = triples(&dir)
        .into_iter()
        .filter(|t| !t.name.starts_with("Scen33") && !t.name.starts_with("Scen34"))
        .collect();
    let jobs: Vec<Value> = triples
        .iter()
        .map(|t| {
            let src: Value = serde_json::from_slice(&t.source).unwrap();
            let decision = src["contexts"][0]["canvases"][0]["framing_decisions"]
                .as_array()
                .unwrap()
                .iter()
                .position(|fd| fd["framing_intent_id"] == t.intent.as_str())
                .unwrap();
            json!({
                "source": String::from_utf8(t.source.clone()).unwrap(),
                "template": String::from_utf8(t.template.clone()).unwrap(),
                "decision": decision,
            })
        })
        .collect();
    let reference = reference_apply(&python, &jobs);
    let mut failures = Vec::new();
    for (t, theirs) in triples.iter().zip(&reference) {
        assert!(
            theirs.get("error").is_none(),
            "{}: asc-fdl failed: {}",
            t.name,
            theirs["error"]
        );
        let ours = apply(&t.source, &t.template, Some(&t.intent)).unwrap();
        let diffs = reference_differences(&ours, theirs, 1e-9);
        if !diffs.is_empty() {
            failures.push(format!("{}: {}", t.name, diffs.join("; ")));
        }
    }
    eprintln!(
        "{} official scenarios compared with asc-fdl 1.0.2",
        triples.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const LAYERS: [&str; 4] = [
    "canvas.dimensions",
    "canvas.effective_dimensions",
    "framing_decision.protection_dimensions",
    "framing_decision.dimensions",
];

/// A random source FDL (one canvas, one framing decision) and a random template FDL.
fn random_scenario(rng: &mut StdRng) -> (Value, Value) {
    let squeezes = [1.0, 1.0, 1.3, 1.5, 1.8, 2.0, 0.9];
    let squeeze = squeezes[rng.random_range(0..squeezes.len())];
    let (w, h) = (
        rng.random_range(640..9000i64),
        rng.random_range(480..6000i64),
    );
    let mut canvas = json!({
        "label": "Open Gate", "id": "C1", "source_canvas_id": "C1",
        "dimensions": {"width": w, "height": h}, "anamorphic_squeeze": squeeze,
    });
    // Effective area (optional), framing inside it, protection (optional) between them.
    let (mut ex, mut ey, mut ew, mut eh) = (0i64, 0i64, w, h);
    if rng.random_bool(0.5) {
        ew = rng.random_range(w / 2..=w);
        eh = rng.random_range(h / 2..=h);
        ex = rng.random_range(0..=w - ew);
        ey = rng.random_range(0..=h - eh);
        canvas["effective_dimensions"] = json!({"width": ew, "height": eh});
        canvas["effective_anchor_point"] = json!({"x": ex as f64, "y": ey as f64});
    }
    let fw = rng.random_range(0.5..0.95) * ew as f64;
    let fh = rng.random_range(0.5..0.95) * eh as f64;
    let fx = ex as f64 + rng.random_range(0.0..1.0) * (ew as f64 - fw);
    let fy = ey as f64 + rng.random_range(0.0..1.0) * (eh as f64 - fh);
    let mut decision = json!({
        "label": "Main", "id": "C1-1", "framing_intent_id": "1",
        "dimensions": {"width": fw, "height": fh}, "anchor_point": {"x": fx, "y": fy},
    });
    if rng.random_bool(0.6) {
        let px = ex as f64 + rng.random_range(0.0..1.0) * (fx - ex as f64);
        let py = ey as f64 + rng.random_range(0.0..1.0) * (fy - ey as f64);
        let right = fx + fw + rng.random_range(0.0..1.0) * (ex as f64 + ew as f64 - fx - fw);
        let bottom = fy + fh + rng.random_range(0.0..1.0) * (ey as f64 + eh as f64 - fy - fh);
        decision["protection_dimensions"] = json!({"width": right - px, "height": bottom - py});
        decision["protection_anchor_point"] = json!({"x": px, "y": py});
    }
    canvas["framing_decisions"] = json!([decision]);
    let source = json!({
        "uuid": "6f1c1d52-3c1a-4f0e-9a53-1a2b3c4d5e6f",
        "version": {"major": 2, "minor": 0},
        "fdl_creator": "rushes random test",
        "default_framing_intent": "1",
        "framing_intents": [{"label": "Main", "id": "1", "aspect_ratio": {"width": 16, "height": 9}, "protection": 0.1}],
        "contexts": [{"label": "Camera", "canvases": [canvas]}],
    });
    // Template: fit source and (optionally) an outer-or-equal preserved layer.
    let fit = rng.random_range(0..4usize);
    let pick =
        |rng: &mut StdRng, options: &[&'static str]| options[rng.random_range(0..options.len())];
    let target_squeeze = squeezes[rng.random_range(0..squeezes.len())];
    let (tw, th) = (
        rng.random_range(320..5000i64),
        rng.random_range(240..3000i64),
    );
    let fit_method = pick(rng, &["width", "height", "fit_all", "fill"]);
    let v_align = pick(rng, &["top", "center", "bottom"]);
    let h_align = pick(rng, &["left", "center", "right"]);
    let even = pick(rng, &["whole", "even"]);
    let mode = pick(rng, &["up", "down", "round"]);
    let mut template = json!({
        "label": "Delivery", "id": "T1",
        "target_dimensions": {"width": tw, "height": th},
        "target_anamorphic_squeeze": target_squeeze,
        "fit_source": LAYERS[fit],
        "fit_method": fit_method,
        "alignment_method_vertical": v_align,
        "alignment_method_horizontal": h_align,
        "round": {"even": even, "mode": mode},
    });
    if rng.random_bool(0.6) {
        template["preserve_from_source_canvas"] = json!(LAYERS[rng.random_range(0..=fit)]);
    }
    if rng.random_bool(0.7) {
        template["maximum_dimensions"] = json!({"width": rng.random_range(320..7000i64), "height": rng.random_range(240..5000i64)});
        template["pad_to_maximum"] = json!(rng.random_bool(0.5));
    }
    let template_doc = json!({
        "uuid": "7a2d2e63-4d2b-4a1f-8b64-2b3c4d5e6f70",
        "version": {"major": 2, "minor": 0},
        "canvas_templates": [template],
    });
    (source, template_doc)
}

#[test]
fn random_scenarios_agree_with_asc_fdl() {
    let Some(python) = ref_python() else {
        return skip(
            "random_scenarios_agree_with_asc_fdl",
            "reference venv (asc-fdl) not installed",
        );
    };
    let mut rng = StdRng::seed_from_u64(0x0FD1_2025);
    let scenarios: Vec<(Value, Value)> = (0..600).map(|_| random_scenario(&mut rng)).collect();
    let jobs: Vec<Value> = scenarios
        .iter()
        .map(|(s, t)| json!({"source": s.to_string(), "template": t.to_string()}))
        .collect();
    let reference = reference_apply(&python, &jobs);
    let (mut compared, mut refused_both, mut refused_invalid) = (0, 0, 0);
    let (mut anamorphic, mut padded) = (0, 0);
    let mut failures = Vec::new();
    for (i, ((source, template), theirs)) in scenarios.iter().zip(&reference).enumerate() {
        let ours = apply(
            source.to_string().as_bytes(),
            template.to_string().as_bytes(),
            None,
        );
        match (ours, theirs.get("error")) {
            (Ok(ours), None) => {
                compared += 1;
                let squeezed = source["contexts"][0]["canvases"][0]["anamorphic_squeeze"]
                    != json!(1.0)
                    || template["canvas_templates"][0]["target_anamorphic_squeeze"] != json!(1.0);
                if squeezed {
                    anamorphic += 1;
                }
                if template["canvas_templates"][0]["pad_to_maximum"] == json!(true) {
                    padded += 1;
                }
                let diffs = reference_differences(&ours, theirs, 1e-9);
                if !diffs.is_empty() {
                    failures.push(format!(
                        "#{i}: {}\n  source {source}\n  template {template}",
                        diffs.join("; ")
                    ));
                }
            }
            (Err(_), Some(_)) => refused_both += 1,
            (Ok(_), Some(e)) => failures.push(format!(
                "#{i}: asc-fdl refused ({e}) but we applied it\n  {template}"
            )),
            // asc-fdl writes a framing decision of width or height 0 here (content pushed out of
            // a padded canvas smaller than the target), which the FDL schema forbids
            // (dimensions_float: exclusiveMinimum 0); we refuse such a template instead.
            (Err(_), None)
                if ["width", "height"]
                    .iter()
                    .any(|k| theirs["decision"]["dimensions"][k].as_f64() == Some(0.0)) =>
            {
                refused_invalid += 1
            }
            (Err(e), None) => failures.push(format!(
                "#{i}: we refused ({e}) but asc-fdl applied it\n  {template}\n  asc-fdl: {}",
                theirs["canvas"].to_string() + &theirs["decision"].to_string()
            )),
        }
    }
    eprintln!(
        "random scenarios: {compared} agree with asc-fdl ({anamorphic} anamorphic, {padded} padded), \
         {refused_both} refused by both, {refused_invalid} refused by us where asc-fdl writes an \
         empty framing decision"
    );
    assert!(
        anamorphic >= 200 && padded >= 80,
        "{anamorphic} anamorphic, {padded} padded"
    );
    assert!(
        failures.is_empty(),
        "{} of {} random scenarios differ:\n{}",
        failures.len(),
        scenarios.len(),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        compared >= 400,
        "only {compared} scenarios could be compared"
    );
}

/// Runs `fdl_ref/schema_check.py` (JSON schema v2.0.1 + asc-fdl's validating reader) on documents.
fn reference_judgements(python: &Path, schema: &Path, docs: &[String]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fdl_ref/schema_check.py");
    let out = run_python(
        python,
        &script,
        &[schema.as_os_str()],
        serde_json::to_vec(docs).unwrap(),
    );
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn written_fdls_pass_fdl_validate() {
    let Some(dir) = shared_data("fdl") else {
        return skip_no_data("written_fdls_pass_fdl_validate", "fdl");
    };
    let Some(tool) = ref_tool("fdl-validate") else {
        return skip(
            "written_fdls_pass_fdl_validate",
            "fdl-validate (asc-fdl) not installed",
        );
    };
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fdl_written");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut files = Vec::new();
    // Scen33/34 results echo a template with target height 0, which FDL schema v2.0.1 allows
    // (target_dimensions_int, minimum 0) but asc-fdl 1.0.2's v2.0 schema does not (the official
    // template files themselves fail fdl-validate); they are checked against the v2.0.1 schema only.
    let mut sentinel_files = Vec::new();
    for t in triples(&dir) {
        let result = apply(&t.source, &t.template, Some(&t.intent)).unwrap();
        assert!(
            fdl::validate(&result.fdl).is_empty(),
            "{}: {:?}",
            t.name,
            fdl::validate(&result.fdl)
        );
        let path = out_dir.join(format!("{}.fdl", t.name));
        std::fs::write(&path, result.fdl.to_json()).unwrap();
        if t.name.starts_with("Scen33") || t.name.starts_with("Scen34") {
            sentinel_files.push(path);
        } else {
            files.push(path);
        }
    }
    // Random results too (derived ids and UUIDs, every option).
    let mut rng = StdRng::seed_from_u64(7);
    for i in 0..60 {
        let (s, t) = random_scenario(&mut rng);
        let source = Fdl::from_json(s.to_string().as_bytes(), "random").unwrap();
        let template_doc = Fdl::from_json(t.to_string().as_bytes(), "random").unwrap();
        if let Ok(result) = fdl::apply_template(
            &source,
            &template_doc.canvas_templates[0],
            &fdl::SourceSelection::default(),
            &fdl::ApplyOptions::default(),
        ) {
            assert!(
                fdl::validate(&result.fdl).is_empty(),
                "{:?}",
                fdl::validate(&result.fdl)
            );
            let path = out_dir.join(format!("random-{i}.fdl"));
            std::fs::write(&path, result.fdl.to_json()).unwrap();
            files.push(path);
        }
    }
    assert!(files.len() > 80);
    let output = Command::new(tool).args(&files).output().unwrap();
    assert!(
        output.status.success(),
        "fdl-validate refused FDLs we wrote:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    files.extend(sentinel_files);
    let python = ref_python().unwrap();
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let schema = dir.join("schema/v2.0.1/ascfdl.schema.json");
    for (file, judgement) in files
        .iter()
        .zip(reference_judgements(&python, &schema, &texts))
    {
        assert_eq!(judgement["schema_errors"], json!([]), "{}", file.display());
    }
}

/// Checks one result's pixel plan; returns the largest distance between a source framing-decision
/// corner mapped through the plan and the corresponding corner of the written framing decision
/// (`None` when the output framing was cropped by the canvas edge).
fn check_plan(result: &fdl::TemplateResult, source: &Fdl, what: &str) -> Option<f64> {
    let plan = &result.plan;
    let tol = 1e-6;
    let (c, p) = (plan.source_crop, plan.placement);
    assert!(
        c.x >= -tol && c.y >= -tol,
        "{what}: crop starts outside the source"
    );
    assert!(
        c.x + c.width <= plan.source_size.width as f64 + tol,
        "{what}: crop too wide"
    );
    assert!(
        c.y + c.height <= plan.source_size.height as f64 + tol,
        "{what}: crop too tall"
    );
    assert!(
        p.x >= -tol && p.y >= -tol,
        "{what}: placement outside the output"
    );
    assert!(
        p.x + p.width <= plan.output_size.width as f64 + tol,
        "{what}: placement too wide"
    );
    assert!(
        p.y + p.height <= plan.output_size.height as f64 + tol,
        "{what}: placement too tall"
    );
    assert!(
        (c.width * plan.scale_x - p.width).abs() < 1e-6 * p.width.max(1.0),
        "{what}"
    );
    assert!(
        (c.height * plan.scale_y - p.height).abs() < 1e-6 * p.height.max(1.0),
        "{what}"
    );
    assert!(
        (p.x + p.width + plan.pad_right - plan.output_size.width as f64).abs() < tol,
        "{what}"
    );
    assert!(
        (p.y + p.height + plan.pad_bottom - plan.output_size.height as f64).abs() < tol,
        "{what}"
    );

    let source_canvas = &result.fdl.contexts[0].canvases[0];
    let new_canvas = &result.fdl.contexts[0].canvases[1];
    let out_fd = &new_canvas.framing_decisions[0];
    let src_fd = source_canvas
        .framing_decisions
        .iter()
        .find(|fd| fd.framing_intent_id == out_fd.framing_intent_id)
        .unwrap();
    assert_eq!(
        source_canvas, &source.contexts[0].canvases[0],
        "{what}: source canvas copied"
    );
    let (ow, oh) = (
        new_canvas.dimensions.width as f64,
        new_canvas.dimensions.height as f64,
    );
    let (ax, ay) = (out_fd.anchor_point.x, out_fd.anchor_point.y);
    let (bx, by) = (ax + out_fd.dimensions.width, ay + out_fd.dimensions.height);
    let (mx0, my0) = plan.map_to_output(src_fd.anchor_point.x, src_fd.anchor_point.y);
    let (mx1, my1) = plan.map_to_output(
        src_fd.anchor_point.x + src_fd.dimensions.width,
        src_fd.anchor_point.y + src_fd.dimensions.height,
    );
    let cropped = mx0 < -tol || my0 < -tol || mx1 > ow + tol || my1 > oh + tol;
    if cropped {
        return None;
    }
    let d = [(mx0 - ax), (my0 - ay), (mx1 - bx), (my1 - by)]
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    Some(d)
}

#[test]
fn pixel_plans_put_the_framing_on_the_written_framing() {
    let Some(dir) = shared_data("fdl") else {
        return skip_no_data("pixel_plans_put_the_framing_on_the_written_framing", "fdl");
    };
    let mut worst = 0.0f64;
    let mut checked = 0;
    for t in triples(&dir) {
        let result = apply(&t.source, &t.template, Some(&t.intent)).unwrap();
        let source = Fdl::from_json(&t.source, "source").unwrap();
        if let Some(d) = check_plan(&result, &source, &t.name) {
            worst = worst.max(d);
            checked += 1;
        }
    }
    let mut rng = StdRng::seed_from_u64(3);
    for i in 0..400 {
        let (s, t) = random_scenario(&mut rng);
        let Ok(result) = apply(s.to_string().as_bytes(), t.to_string().as_bytes(), None) else {
            continue;
        };
        let source = Fdl::from_json(s.to_string().as_bytes(), "random").unwrap();
        if let Some(d) = check_plan(&result, &source, &format!("random #{i}")) {
            worst = worst.max(d);
            checked += 1;
        }
    }
    eprintln!("{checked} plans: framing corners land within {worst:.4} px of the written framing");
    assert!(worst <= 1e-6, "worst {worst}");
    assert!(checked > 150);
}

#[test]
fn rounding_agrees_with_asc_fdl() {
    let Some(python) = ref_python() else {
        return skip(
            "rounding_agrees_with_asc_fdl",
            "reference venv (asc-fdl) not installed",
        );
    };
    let mut rng = StdRng::seed_from_u64(11);
    let mut values: Vec<f64> = (-40..=40).map(|i| f64::from(i) * 0.25).collect();
    values.extend((0..300).map(|_| rng.random_range(-5000.0..5000.0)));
    values.extend([
        2159.76023976024,
        3840.4262877442275,
        0.5,
        1.5,
        2.5,
        -2.5,
        1e-12,
    ]);
    let script = "import json,sys,fdl\n\
        vals=json.load(sys.stdin)\n\
        out=[[fdl.fdl_round(v,e,m) for e in ('whole','even') for m in ('up','down','round')] for v in vals]\n\
        json.dump(out,sys.stdout)";
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(&serde_json::to_vec(&values).unwrap())
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let reference: Vec<Vec<f64>> = serde_json::from_slice(&output.stdout).unwrap();
    let rules: Vec<fdl::RoundStrategy> = [fdl::RoundEven::Whole, fdl::RoundEven::Even]
        .into_iter()
        .flat_map(|even| {
            [
                fdl::RoundMode::Up,
                fdl::RoundMode::Down,
                fdl::RoundMode::Round,
            ]
            .map(|mode| fdl::RoundStrategy { even, mode })
        })
        .collect();
    for (v, theirs) in values.iter().zip(&reference) {
        for (rule, expected) in rules.iter().zip(theirs) {
            assert_eq!(fdl::fdl_round(*v, *rule), *expected, "{v} {rule:?}");
        }
    }
}
