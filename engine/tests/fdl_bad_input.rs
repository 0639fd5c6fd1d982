//! Hostile and broken FDL input: clear errors naming the problem (with a line or JSON path), never
//! a panic, for malformed JSON, wrong types, huge values, bad squeezes, dangling ids, hostile
//! strings and templates that cannot be satisfied.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rushes_engine::Error;
use rushes_engine::fdl::{self, ApplyOptions, Fdl, SourceSelection};
use serde_json::{Value, json};

fn source() -> Value {
    json!({
        "uuid": "6e7fed27-35d5-43ac-8bfb-81951d5925d6",
        "version": {"major": 2, "minor": 0},
        "default_framing_intent": "1",
        "framing_intents": [{"id": "1", "aspect_ratio": {"width": 16, "height": 9}}],
        "contexts": [{"label": "Camera", "canvases": [{
            "label": "Open Gate", "id": "1", "source_canvas_id": "1",
            "dimensions": {"width": 4448, "height": 3096}, "anamorphic_squeeze": 1.3,
            "framing_decisions": [{
                "id": "1-1", "framing_intent_id": "1",
                "dimensions": {"width": 4004, "height": 2252}, "anchor_point": {"x": 222, "y": 422}
            }]
        }]}],
        "canvas_templates": [{
            "id": "T1", "target_dimensions": {"width": 3840, "height": 2160}, "target_anamorphic_squeeze": 1.0,
            "fit_source": "framing_decision.dimensions", "fit_method": "fit_all",
            "maximum_dimensions": {"width": 3840, "height": 2160}, "pad_to_maximum": true,
            "round": {"even": "even", "mode": "round"}
        }]
    })
}

fn problems_of(err: Error) -> Vec<fdl::Problem> {
    match err {
        Error::FdlInvalid {
            problems,
            name,
            summary,
        } => {
            assert!(!name.is_empty() && !summary.is_empty());
            problems
        }
        other => panic!("expected FdlInvalid, got {other}"),
    }
}

fn apply(doc: &Value) -> rushes_engine::Result<fdl::TemplateResult> {
    let fdl = Fdl::from_json(doc.to_string().as_bytes(), "test.fdl")?;
    let template = fdl.canvas_templates.first().cloned().expect("a template");
    fdl::apply_template(
        &fdl,
        &template,
        &SourceSelection::default(),
        &ApplyOptions::default(),
    )
}

#[test]
fn the_base_document_is_valid_and_applies() {
    let result = apply(&source()).unwrap();
    assert_eq!(
        result.plan.output_size,
        fdl::DimensionsInt {
            width: 3840,
            height: 2160
        }
    );
}

#[test]
fn truncated_json_is_refused_with_a_line_number_at_every_length() {
    let text = serde_json::to_string_pretty(&source()).unwrap();
    for end in 0..text.len() {
        let err = Fdl::from_json(&text.as_bytes()[..end], "cut.fdl").unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("cut.fdl: invalid ASC FDL"), "{message}");
        assert!(
            message.contains("line"),
            "no line number at {end}: {message}"
        );
        assert_eq!(fdl::check_json(&text.as_bytes()[..end]).len(), 1);
    }
}

#[test]
fn non_json_and_non_object_documents_are_refused() {
    for bytes in [
        &b""[..],
        b"\xff\xfe{",
        b"<fdl/>",
        b"[]",
        b"null",
        b"42",
        b"\"fdl\"",
        b"{\"uuid\": 1e999}",
    ] {
        let problems = problems_of(Fdl::from_json(bytes, "x.fdl").unwrap_err());
        assert!(!problems.is_empty());
        assert!(problems[0].path.starts_with('$'));
    }
}

#[test]
fn wrong_types_are_each_reported_at_their_path() {
    let mut doc = source();
    doc["version"]["minor"] = json!("0");
    doc["contexts"][0]["canvases"][0]["dimensions"]["width"] = json!(true);
    doc["contexts"][0]["canvases"][0]["framing_decisions"][0]["anchor_point"] = json!([1, 2]);
    doc["canvas_templates"][0]["round"] = json!("even");
    let problems = problems_of(Fdl::from_json(doc.to_string().as_bytes(), "t.fdl").unwrap_err());
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    for expected in [
        "$.version.minor",
        "$.contexts[0].canvases[0].dimensions.width",
        "$.contexts[0].canvases[0].framing_decisions[0].anchor_point",
        "$.canvas_templates[0].round",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
}

#[test]
fn huge_dimensions_are_refused() {
    for (pointer, value) in [
        ("/contexts/0/canvases/0/dimensions/width", json!(1u64 << 40)),
        ("/contexts/0/canvases/0/dimensions/width", json!(9.0e18)),
        ("/contexts/0/canvases/0/dimensions/width", json!(u64::MAX)),
        (
            "/contexts/0/canvases/0/framing_decisions/0/dimensions/width",
            json!(1e300),
        ),
        (
            "/canvas_templates/0/target_dimensions/width",
            json!(i64::MAX),
        ),
        (
            "/canvas_templates/0/maximum_dimensions/height",
            json!(1u64 << 33),
        ),
    ] {
        let mut doc = source();
        *doc.pointer_mut(pointer).unwrap() = value.clone();
        let problems = fdl::check_json(doc.to_string().as_bytes());
        assert!(!problems.is_empty(), "{pointer} = {value} accepted");
        assert!(apply(&doc).is_err(), "{pointer} = {value} applied");
    }
}

#[test]
fn a_tiny_framing_that_would_make_a_huge_canvas_is_refused() {
    let mut doc = source();
    let fd = &mut doc["contexts"][0]["canvases"][0]["framing_decisions"][0];
    fd["dimensions"] = json!({"width": 1e-9, "height": 1e-9});
    doc["canvas_templates"][0]["pad_to_maximum"] = json!(false);
    doc["canvas_templates"][0]["preserve_from_source_canvas"] = json!("canvas.dimensions");
    doc["canvas_templates"][0]
        .as_object_mut()
        .unwrap()
        .remove("maximum_dimensions");
    let err = apply(&doc).unwrap_err().to_string();
    assert!(err.contains("output canvas would be"), "{err}");
}

#[test]
fn zero_negative_and_absurd_squeezes_are_refused() {
    for squeeze in [json!(0), json!(-1.3), json!(0.0), json!(1e9)] {
        for pointer in [
            "/contexts/0/canvases/0/anamorphic_squeeze",
            "/canvas_templates/0/target_anamorphic_squeeze",
        ] {
            let mut doc = source();
            *doc.pointer_mut(pointer).unwrap() = squeeze.clone();
            let problems = fdl::check_json(doc.to_string().as_bytes());
            let json_path = pointer
                .trim_start_matches('/')
                .replace("/0/", "[0].")
                .replace('/', ".");
            assert!(
                problems.iter().any(|p| format!("$.{json_path}") == p.path),
                "{pointer} = {squeeze}: {problems:?}"
            );
            let err = apply(&doc).unwrap_err();
            assert!(matches!(err, Error::FdlInvalid { .. }), "{err}");
        }
    }
}

#[test]
fn dangling_and_duplicate_ids_are_reported() {
    let mut doc = source();
    doc["default_framing_intent"] = json!("nope");
    doc["contexts"][0]["canvases"][0]["source_canvas_id"] = json!("elsewhere");
    doc["contexts"][0]["canvases"][0]["framing_decisions"][0]["framing_intent_id"] = json!("2");
    let dup = doc["contexts"][0]["canvases"][0]["framing_decisions"][0].clone();
    doc["contexts"][0]["canvases"][0]["framing_decisions"]
        .as_array_mut()
        .unwrap()
        .push(dup);
    let problems = fdl::check_json(doc.to_string().as_bytes());
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    for needle in [
        "$.default_framing_intent: names framing intent `nope`",
        "$.contexts[0].canvases[0].source_canvas_id: names canvas `elsewhere`",
        "$.contexts[0].canvases[0].framing_decisions[0].framing_intent_id: names framing intent `2`",
        "$.contexts[0].canvases[0].framing_decisions[1].id: duplicate framing decision id `1-1`",
    ] {
        assert!(
            text.iter().any(|t| t.starts_with(needle)),
            "{needle} not in {text:#?}"
        );
    }
}

#[test]
fn selections_that_name_nothing_are_refused() {
    let doc = Fdl::from_json(source().to_string().as_bytes(), "s.fdl").unwrap();
    let template = doc.canvas_templates[0].clone();
    for selection in [
        SourceSelection {
            context_label: Some("Nope".into()),
            ..Default::default()
        },
        SourceSelection {
            canvas_id: Some("9".into()),
            ..Default::default()
        },
        SourceSelection {
            framing_decision_id: Some("1-9".into()),
            ..Default::default()
        },
        SourceSelection {
            framing_intent_id: Some("9".into()),
            ..Default::default()
        },
    ] {
        let err =
            fdl::apply_template(&doc, &template, &selection, &ApplyOptions::default()).unwrap_err();
        assert!(matches!(err, Error::FdlTemplate { .. }), "{err}");
    }
}

#[test]
fn hostile_strings_are_reported_not_trusted() {
    let mut doc = source();
    doc["contexts"][0]["label"] = json!("Camera\u{1b}[2J\u{7}");
    doc["fdl_creator"] = json!("x".repeat(100_000));
    doc["contexts"][0]["canvases"][0]["id"] = json!("../../etc/passwd");
    doc["framing_intents"][0]["id"] = json!("é");
    let problems = fdl::check_json(doc.to_string().as_bytes());
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    for expected in [
        "$.contexts[0].label",
        "$.fdl_creator",
        "$.contexts[0].canvases[0].id",
        "$.framing_intents[0].id",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
    // Messages and paths quote hostile text escaped, never raw control characters.
    assert!(problems.iter().all(|p| !p.message.contains('\u{1b}')));
    let mut doc = source();
    doc["canvas_templates"][0]["fit_method"] = json!("fill\u{1b}[31m");
    doc["contexts"][0]["bad\u{1b}key"] = json!(1);
    let problems = fdl::check_json(doc.to_string().as_bytes());
    assert_eq!(problems.len(), 2, "{problems:?}");
    for p in &problems {
        assert!(!p.to_string().contains('\u{1b}'), "{p}");
    }
}

#[test]
fn deep_nesting_and_oversized_documents_are_refused() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let err = Fdl::from_json(deep.as_bytes(), "deep.fdl")
        .unwrap_err()
        .to_string();
    assert!(err.contains("recursion limit"), "{err}");
    let mut big = source();
    big["_padding"] = json!("x".repeat(fdl::MAX_FDL_BYTES));
    let err = Fdl::from_json(big.to_string().as_bytes(), "big.fdl")
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than the"), "{err}");
}

#[test]
fn templates_that_cannot_be_satisfied_are_refused_with_the_reason() {
    // Fit source the source does not define.
    let mut doc = source();
    doc["canvas_templates"][0]["fit_source"] = json!("framing_decision.protection_dimensions");
    let err = apply(&doc).unwrap_err().to_string();
    assert!(err.contains("does not define it"), "{err}");
    let mut doc = source();
    doc["canvas_templates"][0]["preserve_from_source_canvas"] =
        json!("canvas.effective_dimensions");
    assert!(
        apply(&doc)
            .unwrap_err()
            .to_string()
            .contains("does not define it")
    );
    // Both target axes zero.
    let mut doc = source();
    doc["canvas_templates"][0]["target_dimensions"] = json!({"width": 0, "height": 0});
    let problems = problems_of(apply(&doc).unwrap_err());
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("cannot both be 0"))
    );
    // Alignment pushing the framing out of a padded canvas smaller than the target.
    let mut doc = source();
    let t = &mut doc["canvas_templates"][0];
    t["target_dimensions"] = json!({"width": 8000, "height": 200});
    t["fit_method"] = json!("height");
    t["alignment_method_horizontal"] = json!("right");
    t["maximum_dimensions"] = json!({"width": 1000, "height": 1000});
    let err = apply(&doc).unwrap_err().to_string();
    assert!(err.contains("outside"), "{err}");
}

/// Random damage to valid documents: reading, validating and applying never panic.
#[test]
fn randomly_damaged_documents_never_panic() {
    let mut rng = StdRng::seed_from_u64(99);
    let base = serde_json::to_string_pretty(&source())
        .unwrap()
        .into_bytes();
    let replacements = [
        json!(null),
        json!(-1),
        json!(0),
        json!(1e308),
        json!(-1e-308),
        json!(""),
        json!("none"),
        json!([]),
        json!({}),
        json!(true),
        json!(i64::MIN),
        json!(0.5),
    ];
    let mut applied = 0;
    for round in 0..3000 {
        let bytes = if round % 2 == 0 {
            // Byte damage.
            let mut b = base.clone();
            for _ in 0..rng.random_range(1..4) {
                let i = rng.random_range(0..b.len());
                b[i] = rng.random();
            }
            b
        } else {
            // Value damage at a random place of the tree.
            let mut doc = source();
            let mut pointers = Vec::new();
            all_pointers(&doc, String::new(), &mut pointers);
            let pointer = &pointers[rng.random_range(0..pointers.len())];
            let node = doc.pointer_mut(pointer).unwrap();
            *node = replacements[rng.random_range(0..replacements.len())].clone();
            doc.to_string().into_bytes()
        };
        let _ = fdl::check_json(&bytes);
        if let Ok(doc) = Fdl::from_json(&bytes, "damaged.fdl") {
            let _ = fdl::validate(&doc);
            let _ = doc.to_json();
            if let Some(template) = doc.canvas_templates.first()
                && fdl::apply_template(
                    &doc,
                    template,
                    &SourceSelection::default(),
                    &ApplyOptions::default(),
                )
                .is_ok()
            {
                applied += 1;
            }
        }
    }
    assert!(
        applied > 50,
        "only {applied} damaged documents still applied"
    );
}

fn all_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                all_pointers(child, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                all_pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

#[test]
fn framing_from_a_broken_intent_is_refused() {
    let rule = fdl::RoundStrategy::default();
    for (pointer, value) in [
        ("/framing_intents/0/aspect_ratio/height", json!(0)),
        ("/framing_intents/0/aspect_ratio/width", json!(-16)),
        ("/framing_intents/0/protection", json!(1.0)),
        ("/framing_intents/0/protection", json!(-0.5)),
        ("/contexts/0/canvases/0/anamorphic_squeeze", json!(0)),
        ("/contexts/0/canvases/0/dimensions/width", json!(1u64 << 40)),
        ("/framing_intents/0/aspect_ratio/width", json!(1)),
    ] {
        let mut doc = source();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        doc.pointer_mut(parent)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .insert(key.to_string(), value.clone());
        let doc = Fdl::from_json(doc.to_string().as_bytes(), "intent.fdl").unwrap();
        let result =
            fdl::framing_from_intent(&doc.contexts[0].canvases[0], &doc.framing_intents[0], rule);
        if pointer.ends_with("width") && value == json!(1) {
            // A 1:9 intent is extreme but valid: a thin centred column.
            let fd = result.unwrap();
            assert!(fd.dimensions.width > 0.0 && fd.dimensions.height == 3096.0);
        } else {
            let err = result.unwrap_err().to_string();
            assert!(
                err.contains("framing intent `1` on canvas `1`"),
                "{pointer}: {err}"
            );
        }
    }
}
