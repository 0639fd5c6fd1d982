//! Shared helpers of the image-sequence and movie reader conformance tests: finding the system
//! reference tools (ffmpeg, ffprobe, mediainfo, oiiotool, iinfo), running them, and inspecting
//! a folder of generated fixtures with `group_roll`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use rushes_engine::inspect::group::{ReadSeek, RollFile, RollInspection, group_roll};
use rushes_test_support::{ref_tool, skip};
use serde_json::Value;

/// A reference command-line tool: the reference venv's, else the first on `PATH`.
pub fn system_tool(name: &str) -> Option<PathBuf> {
    ref_tool(name).or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
    })
}

/// Every tool in `names`, or `None` after printing (or, in CI, failing with) the skip reason.
pub fn tools(test: &str, names: &[&str]) -> Option<Vec<PathBuf>> {
    let mut out = Vec::new();
    for n in names {
        match system_tool(n) {
            Some(p) => out.push(p),
            None => {
                skip(test, &format!("{n} is not installed"));
                return None;
            }
        }
    }
    Some(out)
}

/// Runs `cmd`, panicking with its stderr when it fails; returns stdout.
pub fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// ffprobe's streams and format as JSON.
pub fn ffprobe(ffprobe: &Path, file: &Path) -> Value {
    let out = run(Command::new(ffprobe)
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_streams",
            "-show_format",
        ])
        .arg(file));
    serde_json::from_slice(&out).unwrap()
}

/// mediainfo's tracks (JSON output), as a list.
pub fn mediainfo(mediainfo: &Path, file: &Path) -> Vec<Value> {
    let out = run(Command::new(mediainfo).arg("--Output=JSON").arg(file));
    let v: Value = serde_json::from_slice(&out).unwrap();
    v["media"]["track"].as_array().unwrap().clone()
}

/// The first mediainfo track of `@type` `kind` (and, when given, whose `key` is `value`).
pub fn mi_track<'a>(tracks: &'a [Value], kind: &str, filter: Option<(&str, &str)>) -> &'a Value {
    tracks
        .iter()
        .find(|t| t["@type"] == kind && filter.is_none_or(|(k, v)| t[k].as_str() == Some(v)))
        .unwrap_or_else(|| panic!("no mediainfo {kind} track {filter:?} in {tracks:?}"))
}

/// `iinfo -v` attributes of an image as `name -> value` (quotes removed).
pub fn iinfo(iinfo: &Path, file: &Path) -> BTreeMap<String, String> {
    let out = run(Command::new(iinfo).arg("-v").arg(file));
    let text = String::from_utf8(out).unwrap();
    let mut map = BTreeMap::new();
    for line in text.lines().skip(1) {
        if let Some((k, v)) = line.trim().split_once(": ") {
            map.insert(k.to_string(), v.trim().trim_matches('"').to_string());
        }
    }
    // First line: `<file> :  W x  H, N channel, type format`.
    if let Some(first) = text.lines().next() {
        if let Some((_, rest)) = first.split_once(" : ") {
            map.insert("_summary".into(), rest.trim().to_string());
        }
    }
    map
}

/// Inspects the files `names` (relative to `dir`) as roll `roll`.
pub fn inspect(dir: &Path, roll: &str, names: &[&str]) -> RollInspection {
    let files: Vec<RollFile> = names
        .iter()
        .map(|n| RollFile::new(*n, std::fs::metadata(dir.join(n)).unwrap().len()))
        .collect();
    let dir = dir.to_path_buf();
    let mut open = move |p: &str| -> rushes_engine::Result<Box<dyn ReadSeek>> {
        Ok(Box::new(File::open(dir.join(p)).unwrap()))
    };
    group_roll(roll, &files, &mut open).unwrap()
}

/// A rational `num/den` text as ffprobe writes it.
pub fn rate_text(r: Option<rushes_engine::inspect::clip::Rational>) -> String {
    r.map(|r| format!("{}/{}", r.num, r.den))
        .unwrap_or_default()
}

/// A JSON string value parsed as a number.
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => s.parse().unwrap_or_else(|_| panic!("not a number: {s}")),
        other => panic!("not a number: {other}"),
    }
}
