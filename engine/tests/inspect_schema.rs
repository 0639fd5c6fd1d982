//! The committed clip JSON Schema equals the one generated from the serde types, and the clips we
//! emit for the sample card validate against it with Python's `jsonschema` (Draft 2020-12).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Write};
use std::process::{Command, Stdio};

use rushes_engine::inspect::clip::clip_json_schema_text;
use rushes_engine::inspect::group::{ReadSeek, RollFile, group_roll};
use rushes_engine::sample::{CardPlan, CardSpec};
use rushes_test_support::{ref_python, skip, workspace_root};

fn schema_path() -> std::path::PathBuf {
    workspace_root().join("schemas").join("clip.schema.json")
}

#[test]
fn committed_schema_is_the_generated_one() {
    let generated = clip_json_schema_text();
    let path = schema_path();
    if std::env::var("RUSHES_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date with the clip types: regenerate it with \
         `RUSHES_BLESS=1 cargo test -p rushes-engine --test inspect_schema` and commit it",
        path.display()
    );
    let v: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(v["title"], "Clip");
    // Every property of every object is documented.
    fn check(v: &serde_json::Value, at: &str) {
        if let Some(props) = v.get("properties").and_then(|p| p.as_object()) {
            for (k, p) in props {
                assert!(
                    p.get("description").is_some(),
                    "{at}.{k} has no description"
                );
            }
        }
        if let Some(defs) = v.get("$defs").and_then(|d| d.as_object()) {
            for (k, d) in defs {
                check(d, k);
            }
        }
    }
    check(&v, "Clip");
}

/// Every clip of the sample card (camera and sound rolls), as JSON.
fn sample_clips() -> Vec<serde_json::Value> {
    let plan = CardPlan::new(&CardSpec::default()).unwrap();
    let files = plan.files().unwrap();
    let mut out = Vec::new();
    for roll in plan.roll_names() {
        let list: Vec<RollFile> = files
            .iter()
            .filter(|f| f.roll == roll)
            .map(|f| RollFile::new(&f.path[roll.len() + 1..], f.size))
            .collect();
        let mut open = |p: &str| -> rushes_engine::Result<Box<dyn ReadSeek>> {
            let full = format!("{roll}/{p}");
            let f = files.iter().find(|f| f.path == full).unwrap();
            let mut buf = Vec::new();
            plan.write_file(f, &mut buf)?;
            Ok(Box::new(Cursor::new(buf)))
        };
        let r = group_roll(roll, &list, &mut open).unwrap();
        for c in r.clips {
            out.push(serde_json::to_value(&c).unwrap());
        }
    }
    out
}

const VALIDATE_PY: &str = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
docs = json.load(sys.stdin)
out = []
for d in docs:
    errs = sorted(e.message for e in v.iter_errors(d))
    out.append(errs)
print(json.dumps(out))
"#;

#[test]
fn emitted_clips_validate_with_python_jsonschema() {
    let Some(py) = ref_python() else {
        skip(
            "emitted_clips_validate_with_python_jsonschema",
            "no reference venv",
        );
        return;
    };
    let mut clips = sample_clips();
    assert_eq!(clips.len(), 10);
    // Negative controls: the validator must reject a clip with a missing field and a bad enum.
    let mut missing = clips[0].clone();
    missing.as_object_mut().unwrap().remove("clip_id");
    let mut bad_kind = clips[0].clone();
    bad_kind["kind"] = "video".into();
    let mut bad_rate = clips[0].clone();
    bad_rate["timing"]["frame_rate"]["num"] = (-1).into();
    let good = clips.len();
    clips.extend([missing, bad_kind, bad_rate]);

    let script = std::env::temp_dir().join(format!("rushes_validate_{}.py", std::process::id()));
    std::fs::write(&script, VALIDATE_PY).unwrap();
    let mut child = Command::new(py)
        .arg(&script)
        .arg(schema_path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&clips).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_file(&script);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let errors: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    for (i, e) in errors.iter().enumerate().take(good) {
        assert!(e.is_empty(), "clip {i} does not validate: {e:?}");
    }
    assert!(
        errors[good].iter().any(|e| e.contains("clip_id")),
        "{:?}",
        errors[good]
    );
    assert!(!errors[good + 1].is_empty(), "bad kind accepted");
    assert!(!errors[good + 2].is_empty(), "negative frame rate accepted");
}
