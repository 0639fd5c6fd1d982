//! Shared helpers of the inspect conformance tests: the sample card on disk, exiftool and the
//! reference Python scripts under `engine/tests/inspect_ref/`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use rushes_engine::inspect::ifd::{SRational, URational};
use rushes_engine::sample::{CardPlan, CardSpec};
use rushes_test_support::{ref_tool, workspace_root};
use serde_json::Value;

pub fn ref_script(name: &str) -> PathBuf {
    workspace_root()
        .join("engine")
        .join("tests")
        .join("inspect_ref")
        .join(name)
}

/// Writes the default sample card under `dir`; returns the plan and every file's absolute path.
pub fn write_card(dir: &Path) -> (CardPlan, Vec<(String, PathBuf)>) {
    let plan = CardPlan::new(&CardSpec::default()).unwrap();
    let mut out = Vec::new();
    for f in plan.files().unwrap() {
        let p = dir.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let mut w = std::io::BufWriter::new(File::create(&p).unwrap());
        plan.write_file(&f, &mut w).unwrap();
        drop(w);
        out.push((f.path.clone(), p));
    }
    (plan, out)
}

pub fn run_json(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// exiftool's JSON, keyed by source file.
pub fn exiftool(args: &[&str], files: &[&PathBuf]) -> BTreeMap<String, Value> {
    let exif = ref_tool_exiftool();
    let mut cmd = Command::new(exif);
    cmd.args(args).args(files);
    let v = run_json(&mut cmd);
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["SourceFile"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

pub fn ref_tool_exiftool() -> PathBuf {
    ref_tool("exiftool").unwrap_or_else(|| PathBuf::from("exiftool"))
}

pub fn have_exiftool() -> bool {
    Command::new(ref_tool_exiftool())
        .arg("-ver")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Numbers of an exiftool `-n` value: a number, a boolean or a space-separated list.
pub fn nums(v: &Value) -> Vec<f64> {
    match v {
        Value::Number(n) => vec![n.as_f64().unwrap()],
        Value::String(s) => s
            .split_whitespace()
            .map(|x| x.parse::<f64>().unwrap())
            .collect(),
        other => panic!("not numeric: {other}"),
    }
}

pub fn ur(v: &[URational]) -> Vec<f64> {
    v.iter().map(|r| r.to_f64().unwrap()).collect()
}
pub fn sr(v: &[SRational]) -> Vec<f64> {
    v.iter().map(|r| r.to_f64().unwrap()).collect()
}
