//! FDL validation against the ASC's own judges: every official example is accepted (see
//! fdl_conformance), and deliberately broken documents are rejected with a problem at the right
//! JSON path wherever the FDL v2.0.1 JSON schema or asc-fdl's validating reader rejects them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use rushes_engine::fdl::{self, Fdl};
use rushes_test_support::{ref_python, run_python, shared_data, skip, skip_no_data};
use serde_json::{Value, json};

/// A valid v2 document with everything the mutations touch (template, clip id, effective area).
fn valid_document() -> Value {
    json!({
        "uuid": "6e7fed27-35d5-43ac-8bfb-81951d5925d6",
        "version": {"major": 2, "minor": 0},
        "fdl_creator": "rushes test",
        "default_framing_intent": "1",
        "framing_intents": [{"label": "HD", "id": "1", "aspect_ratio": {"width": 16, "height": 9}, "protection": 0.1}],
        "contexts": [{
            "label": "Camera",
            "clip_id": {"clip_name": "A001C001", "file": "A001C001.mxf"},
            "canvases": [{
                "label": "Open Gate", "id": "1", "source_canvas_id": "1",
                "dimensions": {"width": 4448, "height": 3096},
                "effective_dimensions": {"width": 4400, "height": 3000},
                "effective_anchor_point": {"x": 24, "y": 48},
                "anamorphic_squeeze": 1.0,
                "framing_decisions": [{
                    "label": "HD", "id": "1-1", "framing_intent_id": "1",
                    "dimensions": {"width": 4004, "height": 2252}, "anchor_point": {"x": 222, "y": 422},
                    "protection_dimensions": {"width": 4400, "height": 2502}, "protection_anchor_point": {"x": 24, "y": 297},
                    "_vendor_note": "kept"
                }]
            }]
        }],
        "canvas_templates": [{
            "label": "UHD", "id": "T1",
            "target_dimensions": {"width": 3840, "height": 2160}, "target_anamorphic_squeeze": 1.0,
            "fit_source": "framing_decision.protection_dimensions", "fit_method": "fit_all",
            "alignment_method_vertical": "center", "alignment_method_horizontal": "center",
            "maximum_dimensions": {"width": 4096, "height": 2304}, "pad_to_maximum": true,
            "round": {"even": "even", "mode": "up"}
        }]
    })
}

const CANVAS: &str = "/contexts/0/canvases/0";
const DECISION: &str = "/contexts/0/canvases/0/framing_decisions/0";
const TEMPLATE: &str = "/canvas_templates/0";

/// Who else rejects a broken document.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Judge {
    /// The FDL v2.0.1 JSON schema rejects it.
    Schema,
    /// The schema accepts it, asc-fdl's validating reader (semantic rules) rejects it.
    AscFdl,
    /// Both the schema and asc-fdl accept it; the rule is ours (the reason is stated).
    OnlyUs(&'static str),
}

struct Mutation {
    what: &'static str,
    /// JSON pointer of the value changed (`None` value: removed).
    pointer: String,
    value: Option<Value>,
    /// Our problem must have a path starting with this (JSON path form).
    path: &'static str,
    judge: Judge,
}

fn m(
    what: &'static str,
    pointer: &str,
    value: Option<Value>,
    path: &'static str,
    judge: Judge,
) -> Mutation {
    Mutation {
        what,
        pointer: pointer.to_string(),
        value,
        path,
        judge,
    }
}

fn mutations() -> Vec<Mutation> {
    use Judge::*;
    let c = |s: &str| format!("{CANVAS}{s}");
    let d = |s: &str| format!("{DECISION}{s}");
    let t = |s: &str| format!("{TEMPLATE}{s}");
    vec![
        m("uuid missing", "/uuid", None, "$", Schema),
        m("version missing", "/version", None, "$", Schema),
        m(
            "version 3.0",
            "/version/major",
            Some(json!(3)),
            "$.version",
            Schema,
        ),
        m(
            "unknown top-level field",
            "/colour",
            Some(json!("red")),
            "$.colour",
            Schema,
        ),
        m(
            "framing intent id missing",
            "/framing_intents/0/id",
            None,
            "$.framing_intents[0]",
            Schema,
        ),
        m(
            "framing intent id with a space",
            "/framing_intents/0/id",
            Some(json!("a b")),
            "$.framing_intents[0].id",
            Schema,
        ),
        m(
            "framing intent id too long",
            "/framing_intents/0/id",
            Some(json!("x".repeat(33))),
            "$.framing_intents[0].id",
            Schema,
        ),
        m(
            "aspect ratio width zero",
            "/framing_intents/0/aspect_ratio/width",
            Some(json!(0)),
            "$.framing_intents[0].aspect_ratio.width",
            Schema,
        ),
        m(
            "aspect ratio a float",
            "/framing_intents/0/aspect_ratio/width",
            Some(json!(1.5)),
            "$.framing_intents[0].aspect_ratio.width",
            Schema,
        ),
        m(
            "protection negative",
            "/framing_intents/0/protection",
            Some(json!(-0.1)),
            "$.framing_intents[0].protection",
            Schema,
        ),
        m(
            "clip with file and sequence",
            "/contexts/0/clip_id/sequence",
            Some(json!({"value": "A.####.exr", "idx": "#", "min": 1, "max": 9})),
            "$.contexts[0].clip_id",
            Schema,
        ),
        m(
            "clip name missing",
            "/contexts/0/clip_id/clip_name",
            None,
            "$.contexts[0].clip_id",
            Schema,
        ),
        m(
            "canvas id missing",
            &c("/id"),
            None,
            "$.contexts[0].canvases[0]",
            Schema,
        ),
        // dimensions_int has no `"type": "object"`, so the schema lets a string through.
        m(
            "canvas dimensions a string",
            &c("/dimensions"),
            Some(json!("4448x3096")),
            "$.contexts[0].canvases[0].dimensions",
            AscFdl,
        ),
        m(
            "canvas width negative",
            &c("/dimensions/width"),
            Some(json!(-4448)),
            "$.contexts[0].canvases[0].dimensions.width",
            Schema,
        ),
        m(
            "canvas height zero",
            &c("/dimensions/height"),
            Some(json!(0)),
            "$.contexts[0].canvases[0].dimensions.height",
            Schema,
        ),
        m(
            "canvas width fractional",
            &c("/dimensions/width"),
            Some(json!(4448.5)),
            "$.contexts[0].canvases[0].dimensions.width",
            Schema,
        ),
        m(
            "squeeze zero",
            &c("/anamorphic_squeeze"),
            Some(json!(0)),
            "$.contexts[0].canvases[0].anamorphic_squeeze",
            Schema,
        ),
        m(
            "squeeze negative",
            &c("/anamorphic_squeeze"),
            Some(json!(-2)),
            "$.contexts[0].canvases[0].anamorphic_squeeze",
            Schema,
        ),
        m(
            "squeeze a string",
            &c("/anamorphic_squeeze"),
            Some(json!("2x")),
            "$.contexts[0].canvases[0].anamorphic_squeeze",
            Schema,
        ),
        m(
            "effective area without anchor",
            &c("/effective_anchor_point"),
            None,
            "$.contexts[0].canvases[0]",
            Schema,
        ),
        m(
            "effective anchor negative",
            &c("/effective_anchor_point/x"),
            Some(json!(-1)),
            "$.contexts[0].canvases[0].effective_anchor_point.x",
            Schema,
        ),
        m(
            "unknown canvas field",
            &c("/sensor"),
            Some(json!("big")),
            "$.contexts[0].canvases[0].sensor",
            Schema,
        ),
        m(
            "decision id without dash",
            &d("/id"),
            Some(json!("11")),
            "$.contexts[0].canvases[0].framing_decisions[0].id",
            Schema,
        ),
        m(
            "decision dimensions missing",
            &d("/dimensions"),
            None,
            "$.contexts[0].canvases[0].framing_decisions[0]",
            Schema,
        ),
        m(
            "decision width zero",
            &d("/dimensions/width"),
            Some(json!(0)),
            "$.contexts[0].canvases[0].framing_decisions[0].dimensions.width",
            Schema,
        ),
        m(
            "protection without anchor",
            &d("/protection_anchor_point"),
            None,
            "$.contexts[0].canvases[0].framing_decisions[0]",
            Schema,
        ),
        m(
            "anchor a string",
            &d("/anchor_point/x"),
            Some(json!("222")),
            "$.contexts[0].canvases[0].framing_decisions[0].anchor_point.x",
            Schema,
        ),
        m(
            "template fit method unknown",
            &t("/fit_method"),
            Some(json!("stretch")),
            "$.canvas_templates[0].fit_method",
            Schema,
        ),
        m(
            "template fit source unknown",
            &t("/fit_source"),
            Some(json!("canvas.sensor")),
            "$.canvas_templates[0].fit_source",
            Schema,
        ),
        m(
            "template alignment unknown",
            &t("/alignment_method_vertical"),
            Some(json!("middle")),
            "$.canvas_templates[0].alignment_method_vertical",
            Schema,
        ),
        m(
            "template round mode none",
            &t("/round/mode"),
            Some(json!("none")),
            "$.canvas_templates[0].round.mode",
            Schema,
        ),
        m(
            "template preserve none (gone in v2.0.1)",
            &t("/preserve_from_source_canvas"),
            Some(json!("none")),
            "$.canvas_templates[0].preserve_from_source_canvas",
            Schema,
        ),
        m(
            "template round incomplete",
            &t("/round/even"),
            None,
            "$.canvas_templates[0].round",
            Schema,
        ),
        m(
            "template squeeze missing",
            &t("/target_anamorphic_squeeze"),
            None,
            "$.canvas_templates[0]",
            Schema,
        ),
        m(
            "template squeeze zero",
            &t("/target_anamorphic_squeeze"),
            Some(json!(0)),
            "$.canvas_templates[0].target_anamorphic_squeeze",
            Schema,
        ),
        m(
            "template target negative",
            &t("/target_dimensions/width"),
            Some(json!(-1)),
            "$.canvas_templates[0].target_dimensions.width",
            Schema,
        ),
        m(
            "template maximum zero",
            &t("/maximum_dimensions/height"),
            Some(json!(0)),
            "$.canvas_templates[0].maximum_dimensions.height",
            Schema,
        ),
        m(
            "template pad a string",
            &t("/pad_to_maximum"),
            Some(json!("yes")),
            "$.canvas_templates[0].pad_to_maximum",
            Schema,
        ),
        // Semantic rules.
        m(
            "default framing intent dangling",
            "/default_framing_intent",
            Some(json!("9")),
            "$.default_framing_intent",
            AscFdl,
        ),
        m(
            "decision names a missing framing intent",
            &d("/framing_intent_id"),
            Some(json!("9")),
            "$.contexts[0].canvases[0].framing_decisions[0].framing_intent_id",
            AscFdl,
        ),
        m(
            "source canvas id dangling",
            &c("/source_canvas_id"),
            Some(json!("77")),
            "$.contexts[0].canvases[0].source_canvas_id",
            AscFdl,
        ),
        m(
            "framing outside its canvas",
            &d("/anchor_point/x"),
            Some(json!(1000)),
            "$.contexts[0].canvases[0].framing_decisions[0]",
            OnlyUs(
                "asc-fdl checks that anchors lie in the canvas, not the far edge; a framing decision is an area of its canvas",
            ),
        ),
        m(
            "protection smaller than framing",
            &d("/protection_dimensions/width"),
            Some(json!(3000)),
            "$.contexts[0].canvases[0].framing_decisions[0]",
            AscFdl,
        ),
        m(
            "effective area outside canvas",
            &c("/effective_dimensions/width"),
            Some(json!(5000)),
            "$.contexts[0].canvases[0].effective_dimensions",
            AscFdl,
        ),
        m(
            "duplicate framing intent ids",
            "/framing_intents/1",
            Some(json!({"id": "1", "aspect_ratio": {"width": 2, "height": 1}})),
            "$.framing_intents[1].id",
            AscFdl,
        ),
        m(
            "uuid not a UUID",
            "/uuid",
            Some(json!("not-a-uuid")),
            "$.uuid",
            OnlyUs("the schema's `format: uuid`, which JSON Schema 2020-12 only annotates"),
        ),
        m(
            "pad to maximum without maximum",
            &t("/maximum_dimensions"),
            None,
            "$.canvas_templates[0].pad_to_maximum",
            OnlyUs("pad_to_maximum is meaningless without maximum_dimensions"),
        ),
        m(
            "preserve inside the fit source",
            &t("/preserve_from_source_canvas"),
            Some(json!("framing_decision.dimensions")),
            "$.canvas_templates[0].preserve_from_source_canvas",
            OnlyUs(
                "asc-fdl then measures every anchor from the inner layer and writes the framing \
                 at 0,0 of a canvas fitted to the outer one",
            ),
        ),
        m(
            "label with control characters",
            &c("/label"),
            Some(json!("Open\u{0007}Gate\u{001b}[2J")),
            "$.contexts[0].canvases[0].label",
            OnlyUs("hostile terminal escapes in labels"),
        ),
        m(
            "huge canvas",
            &c("/dimensions/width"),
            Some(json!(1u64 << 40)),
            "$.contexts[0].canvases[0].dimensions.width",
            OnlyUs("bounded sizes: at most 2^20 px per axis"),
        ),
        m(
            "huge squeeze",
            &c("/anamorphic_squeeze"),
            Some(json!(1e300)),
            "$.contexts[0].canvases[0].anamorphic_squeeze",
            OnlyUs("bounded squeeze: at most 100"),
        ),
    ]
}

fn set(doc: &mut Value, pointer: &str, value: Option<Value>) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = doc
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"));
    match (parent, value) {
        (Value::Object(m), Some(v)) => {
            m.insert(key.to_string(), v);
        }
        (Value::Object(m), None) => {
            m.remove(key);
        }
        (Value::Array(a), Some(v)) => {
            let i: usize = key.parse().unwrap();
            if i < a.len() {
                a[i] = v;
            } else {
                a.push(v);
            }
        }
        (Value::Array(a), None) => {
            a.remove(key.parse().unwrap());
        }
        _ => panic!("{pointer} is not inside an object or array"),
    }
}

/// `fdl_ref/schema_check.py`: JSON schema v2.0.1 errors and asc-fdl's verdict for each document.
fn judgements(python: &Path, schema: &Path, docs: &[String]) -> Vec<Value> {
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
fn valid_document_passes_everyone() {
    let doc = valid_document();
    let bytes = serde_json::to_vec(&doc).unwrap();
    assert_eq!(fdl::check_json(&bytes), vec![]);
    let read = Fdl::from_json(&bytes, "valid").unwrap();
    assert_eq!(
        read.contexts[0].canvases[0].framing_decisions[0].custom["_vendor_note"],
        json!("kept")
    );
    let written: Value = serde_json::from_slice(&read.to_json()).unwrap();
    assert!(
        same_json(&written, &doc),
        "writing gives back the document:\n{written}\n{doc}"
    );
}

/// JSON equality with numbers compared by value (we write 24 as 24.0 where the schema says number).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn broken_documents_are_rejected_where_the_reference_rejects_them() {
    let Some(dir) = shared_data("fdl") else {
        return skip_no_data(
            "broken_documents_are_rejected_where_the_reference_rejects_them",
            "fdl",
        );
    };
    let Some(python) = ref_python() else {
        return skip(
            "broken_documents_are_rejected_where_the_reference_rejects_them",
            "reference venv not installed",
        );
    };
    let mutations = mutations();
    let mut docs = vec![valid_document().to_string()];
    for mutation in &mutations {
        let mut doc = valid_document();
        set(&mut doc, &mutation.pointer, mutation.value.clone());
        docs.push(doc.to_string());
    }
    let verdicts = judgements(
        &python,
        &dir.join("schema/v2.0.1/ascfdl.schema.json"),
        &docs,
    );
    assert_eq!(
        verdicts[0]["schema_errors"],
        json!([]),
        "the valid document fails the schema"
    );
    assert_eq!(
        verdicts[0]["asc_fdl_ok"],
        json!(true),
        "asc-fdl rejects the valid document: {}",
        verdicts[0]["asc_fdl_error"]
    );
    let mut failures = Vec::new();
    for ((mutation, doc), verdict) in mutations.iter().zip(&docs[1..]).zip(&verdicts[1..]) {
        let ours = fdl::check_json(doc.as_bytes());
        if !ours.iter().any(|p| p.path.starts_with(mutation.path)) {
            failures.push(format!(
                "{}: no problem at {} (ours: {:?})",
                mutation.what, mutation.path, ours
            ));
        }
        let schema_rejects = !verdict["schema_errors"].as_array().unwrap().is_empty();
        let asc_rejects = verdict["asc_fdl_ok"] == json!(false);
        let judged = match mutation.judge {
            Judge::Schema => schema_rejects,
            Judge::AscFdl => !schema_rejects && asc_rejects,
            Judge::OnlyUs(_) => !schema_rejects && !asc_rejects,
        };
        if !judged {
            failures.push(format!(
                "{}: expected {:?}; schema errors {}, asc-fdl: {}",
                mutation.what, mutation.judge, verdict["schema_errors"], verdict["asc_fdl_error"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The valid document rewritten as FDL v1.1 (no clip_id, no custom attributes, preserve "none").
fn v1_document() -> Value {
    let mut doc = valid_document();
    doc["version"] = json!({"major": 1, "minor": 1});
    set(&mut doc, "/contexts/0/clip_id", None);
    set(&mut doc, &format!("{DECISION}/_vendor_note"), None);
    doc["canvas_templates"][0]["preserve_from_source_canvas"] = json!("none");
    doc
}

#[test]
fn v1_documents_are_read_and_judged_like_the_v1_schema() {
    let v1 = v1_document();
    let bytes = serde_json::to_vec(&v1).unwrap();
    assert_eq!(fdl::check_json(&bytes), vec![]);
    let read = Fdl::from_json(&bytes, "v1").unwrap();
    assert_eq!(read.version, fdl::Version { major: 1, minor: 1 });
    assert_eq!(read.canvas_templates[0].preserve_from_source_canvas, None);

    let mut with_custom = v1.clone();
    set(
        &mut with_custom,
        &format!("{DECISION}/_vendor_note"),
        Some(json!("x")),
    );
    let mut with_clip = v1.clone();
    set(
        &mut with_clip,
        "/contexts/0/clip_id",
        Some(json!({"clip_name": "A"})),
    );
    for (doc, path) in [
        (
            &with_custom,
            "$.contexts[0].canvases[0].framing_decisions[0]._vendor_note",
        ),
        (&with_clip, "$.contexts[0].clip_id"),
    ] {
        let problems = fdl::check_json(doc.to_string().as_bytes());
        assert!(
            problems.iter().any(|p| p.path == path),
            "{path}: {problems:?}"
        );
    }

    let Some(dir) = shared_data("fdl") else {
        return skip_no_data("v1_documents_are_read_and_judged_like_the_v1_schema", "fdl");
    };
    let Some(python) = ref_python() else {
        return skip(
            "v1_documents_are_read_and_judged_like_the_v1_schema",
            "reference venv not installed",
        );
    };
    let docs = [
        v1.to_string(),
        with_custom.to_string(),
        with_clip.to_string(),
    ];
    let verdicts = judgements(&python, &dir.join("schema/v1.1/ascfdl.schema.json"), &docs);
    assert_eq!(verdicts[0]["schema_errors"], json!([]));
    assert_ne!(verdicts[1]["schema_errors"], json!([]));
    assert_ne!(verdicts[2]["schema_errors"], json!([]));
}
