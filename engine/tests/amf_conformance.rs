//! AMF conformance: every example AMF of the ACES repository is read, and our accept/reject
//! verdict matches lxml's XSD validation; documents we write validate against the XSD and read
//! back equal; schema-breaking (and schema-keeping) mutations of the examples get the same
//! verdict from us as from the XSD.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rushes_engine::amf::{Amf, AmfVersion};
use rushes_test_support::{ref_python, shared_data, skip, skip_no_data, workspace_root};

fn examples(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "amf") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// lxml's verdict for each file: `Ok(())` or `Err(reason)`.
fn xsd_verdicts(python: &Path, schema: &Path, files: &[PathBuf]) -> Vec<Result<(), String>> {
    let script = workspace_root().join("engine/tests/color_ref/amf_xsd_validate.py");
    let mut child = Command::new(python)
        .arg(script)
        .arg(schema)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let body = serde_json::to_vec(files).unwrap();
    child.stdin.take().unwrap().write_all(&body).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "lxml validation failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    results
        .into_iter()
        .map(|r| {
            if r["valid"].as_bool().unwrap() {
                Ok(())
            } else {
                Err(r["error"].as_str().unwrap_or("").to_string())
            }
        })
        .collect()
}

struct Setup {
    python: PathBuf,
    schema: PathBuf,
    examples: Vec<PathBuf>,
}

fn setup(test: &str) -> Option<Setup> {
    let Some(amf) = shared_data("amf") else {
        skip_no_data(test, "amf");
        return None;
    };
    let Some(python) = ref_python() else {
        skip(test, "reference venv python (lxml) not installed");
        return None;
    };
    let examples = examples(&amf.join("examples"));
    assert!(examples.len() >= 160, "only {} examples", examples.len());
    Some(Setup {
        python,
        schema: amf.join("schema/acesMetadataFile.xsd"),
        examples,
    })
}

#[test]
fn every_example_gets_the_xsd_verdict_and_round_trips_xsd_valid() {
    let test = "every_example_gets_the_xsd_verdict_and_round_trips_xsd_valid";
    let Some(s) = setup(test) else { return };
    let verdicts = xsd_verdicts(&s.python, &s.schema, &s.examples);
    let tmp = tempfile::tempdir().unwrap();
    let mut written = Vec::new();
    let mut parsed = Vec::new();
    for (path, verdict) in s.examples.iter().zip(&verdicts) {
        let bytes = std::fs::read(path).unwrap();
        let ours = Amf::parse(&path.display().to_string(), &bytes);
        assert_eq!(
            ours.is_ok(),
            verdict.is_ok(),
            "{}: ours {:?}, XSD {:?}",
            path.display(),
            ours.as_ref().err(),
            verdict
        );
        if let Ok(amf) = ours {
            let out = tmp.path().join(format!("rt{}.amf", written.len()));
            std::fs::write(&out, amf.to_xml()).unwrap();
            written.push(out);
            parsed.push(amf);
        }
    }
    eprintln!(
        "{} examples: {} accepted by both, {} rejected by both",
        s.examples.len(),
        parsed.len(),
        s.examples.len() - parsed.len()
    );
    for (out, verdict) in written
        .iter()
        .zip(xsd_verdicts(&s.python, &s.schema, &written))
    {
        assert_eq!(verdict, Ok(()), "{} is not XSD-valid", out.display());
    }
    for (out, original) in written.iter().zip(&parsed) {
        let back = Amf::parse("written", &std::fs::read(out).unwrap()).unwrap();
        assert_eq!(back.version, AmfVersion::V2);
        assert_eq!(
            &back,
            original,
            "{} does not read back equal",
            out.display()
        );
    }
}

/// (description, from, to): a textual mutation applied to every example containing `from`
/// (first occurrence), sampled on a few examples each.
const MUTATIONS: &[(&str, &str, &str)] = &[
    (
        "drop amfInfo uuid",
        "<aces:uuid>urn:uuid:",
        "<aces:notUuid>urn:uuid:",
    ),
    ("version 2.1", "version=\"2.0\"", "version=\"2.1\""),
    ("applied maybe", "applied=\"false\"", "applied=\"maybe\""),
    ("applied 1", "applied=\"false\"", "applied=\"1\""),
    ("no applied", " applied=\"false\"", ""),
    (
        "transform id v1.6",
        "transformId:v1.5:",
        "transformId:v1.6:",
    ),
    (
        "transform id v2.1",
        "transformId:v2.0:",
        "transformId:v2.1:",
    ),
    (
        "unknown element",
        "<aces:pipelineInfo>",
        "<aces:bogus/><aces:pipelineInfo>",
    ),
    (
        "foreign element",
        "<aces:pipelineInfo>",
        "<x:bogus xmlns:x=\"urn:x\"/><aces:pipelineInfo>",
    ),
    (
        "bad month",
        "<aces:creationDateTime>20",
        "<aces:creationDateTime>1999-13-01T00:00:00Z</aces:creationDateTime><aces:x>20",
    ),
    (
        "date without time",
        "T13:20:00Z</aces:creationDateTime>",
        "</aces:creationDateTime>",
    ),
    (
        "offset time zone",
        "T13:20:00Z</aces:creationDateTime>",
        "T13:20:00+05:30</aces:creationDateTime>",
    ),
    (
        "two digit version",
        "<aces:majorVersion>1</aces:majorVersion>",
        "<aces:majorVersion>10</aces:majorVersion>",
    ),
    (
        "plus digit version",
        "<aces:majorVersion>1</aces:majorVersion>",
        "<aces:majorVersion>+1</aces:majorVersion>",
    ),
    ("e-mail without at", "@onset.com", ".onset.com"),
    ("e-mail two ats", "@onset.com", "@on@set.com"),
    (
        "uppercase uuid",
        "urn:uuid:afe122be-59d3-4360-ad69-33c10108fa7a",
        "urn:uuid:AFE122BE-59D3-4360-AD69-33C10108FA7A",
    ),
    (
        "short uuid",
        "urn:uuid:afe122be-59d3-4360-ad69-33c10108fa7a",
        "urn:uuid:afe122be-59d3-4360-ad69-33c10108fa7",
    ),
    (
        "two slopes",
        "<cdl:Slope>2.0 2.0 2.0</cdl:Slope>",
        "<cdl:Slope>2.0 2.0</cdl:Slope>",
    ),
    (
        "negative slope",
        "<cdl:Slope>2.0 2.0 2.0</cdl:Slope>",
        "<cdl:Slope>-2.0 2.0 2.0</cdl:Slope>",
    ),
    (
        "exponent slope",
        "<cdl:Slope>2.0 2.0 2.0</cdl:Slope>",
        "<cdl:Slope>2e0 2.0 2.0</cdl:Slope>",
    ),
    (
        "zero power",
        "<cdl:Power>1 1 1</cdl:Power>",
        "<cdl:Power>0 1 1</cdl:Power>",
    ),
    (
        "negative saturation",
        "<cdl:Saturation>1</cdl:Saturation>",
        "<cdl:Saturation>-1</cdl:Saturation>",
    ),
    ("missing sat node", "<cdl:ASC_SAT>", "<cdl:ASC_SATX>"),
    (
        "no working space",
        "<aces:fromCdlWorkingSpace>",
        "<aces:toCdlWorkingSpace>",
    ),
    ("unknown hash algorithm", "xmlenc#sha256", "xmlenc#sha512"),
    (
        "extra attribute",
        "<aces:pipeline>",
        "<aces:pipeline foo=\"1\">",
    ),
    (
        "two working locations",
        "<aces:workingLocation/>",
        "<aces:workingLocation/><aces:workingLocation/>",
    ),
    (
        "working location first",
        "<aces:inputTransform applied=\"false\">",
        "<aces:workingLocation/><aces:inputTransform applied=\"false\">",
    ),
    (
        "no clip name",
        "<aces:clipName>A001C012</aces:clipName>",
        "",
    ),
    ("negative frame", "min=\"1\"", "min=\"-1\""),
    (
        "rrt without odt",
        "</aces:referenceRenderingTransform>",
        "</aces:referenceRenderingTransform><aces:x/>",
    ),
    (
        "output as look",
        "<aces:transformId>urn:ampas:aces:transformId:v1.5:LMT.",
        "<aces:transformId>urn:ampas:aces:transformId:v1.5:RRTODT.",
    ),
    (
        "v1.5 csc with one name part",
        "ACEScsc.Academy.",
        "ACEScsc.",
    ),
    (
        "v2.0 input csc with one name part",
        "CSC.Academy.ACEScc_to_ACES",
        "CSC.ACEScc_to_ACES",
    ),
    (
        "cdl v1.2 namespace",
        "xmlns:cdl=\"urn:ASC:CDL:v1.01\"",
        "xmlns:cdl=\"urn:ASC:CDL:v1.2\"",
    ),
    (
        "wrong root namespace",
        "urn:ampas:aces:amf:v2.0",
        "urn:ampas:aces:amf:v2.1",
    ),
];

#[test]
fn mutated_examples_get_the_xsd_verdict() {
    let test = "mutated_examples_get_the_xsd_verdict";
    let Some(s) = setup(test) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (name, from, to) in MUTATIONS {
        let mut used = 0;
        for path in &s.examples {
            let text = std::fs::read_to_string(path).unwrap();
            if !text.contains(from) || used >= 4 {
                continue;
            }
            used += 1;
            let mutated = text.replacen(from, to, 1);
            let out = tmp.path().join(format!("m{}.amf", cases.len()));
            std::fs::write(&out, &mutated).unwrap();
            cases.push((*name, path.clone(), out, mutated));
        }
        assert!(used > 0, "mutation `{name}` applies to no example");
    }
    let files: Vec<PathBuf> = cases.iter().map(|c| c.2.clone()).collect();
    let verdicts = xsd_verdicts(&s.python, &s.schema, &files);
    let (mut valid, mut invalid) = (0, 0);
    for ((name, source, _, text), verdict) in cases.iter().zip(&verdicts) {
        let ours = Amf::parse(name, text.as_bytes());
        assert_eq!(
            ours.is_ok(),
            verdict.is_ok(),
            "mutation `{name}` of {}: ours {:?}, XSD {:?}",
            source.display(),
            ours.as_ref().err().map(ToString::to_string),
            verdict
        );
        if verdict.is_ok() {
            valid += 1
        } else {
            invalid += 1
        }
    }
    eprintln!(
        "{} mutated documents ({} mutations): {valid} valid and {invalid} invalid, same verdict as the XSD",
        cases.len(),
        MUTATIONS.len()
    );
}

/// The example AMFs whose whole pipeline rushes implements (an ACES CSC input and an ACES 1.3
/// SDR video output) give OCIO's pixels: the input space through the matching display, view
/// "ACES 1.0 - SDR Video" of the ACES 1.3 studio config (top clamped to 1, see `color_aces1.rs`).
#[test]
fn fully_supported_examples_apply_like_ocio() {
    let test = "fully_supported_examples_apply_like_ocio";
    let Some(s) = setup(test) else { return };
    let mut checked = 0;
    for path in &s.examples {
        let amf = Amf::parse("example", &std::fs::read(path).unwrap()).unwrap();
        let Ok(plan) = amf.pipeline.plan() else {
            continue;
        };
        let Some(rushes_engine::amf::AcesTransform::ColorSpaceConversion { from, .. }) = plan.input
        else {
            continue;
        };
        use rushes_engine::color::aces1::Aces13Output;
        let display = match plan.output {
            Some(rushes_engine::amf::AcesTransform::Aces13Output(o)) => match o {
                Aces13Output::Rec709_100nitsDim => "Rec.1886 Rec.709 - Display",
                Aces13Output::Rec2020_100nitsDim => "Rec.1886 Rec.2020 - Display",
                Aces13Output::Srgb100nitsDim => "sRGB - Display",
            },
            _ => continue,
        };
        use rushes_engine::color::ColorSpace;
        let src = [
            (ColorSpace::ACESCCT, "ACEScct"),
            (ColorSpace::ACESCC, "ACEScc"),
            (ColorSpace::ACESCG, "ACEScg"),
        ]
        .into_iter()
        .find(|(cs, _)| *cs == from)
        .map(|(_, name)| name)
        .unwrap();
        let n = 17;
        let (lo, hi) = if src == "ACEScg" {
            (0.0, 8.0)
        } else {
            (0.0, 0.9)
        };
        let pixels: Vec<f32> = (0..n * n * n)
            .flat_map(|i| {
                let c = |k: usize| lo + (hi - lo) * k as f32 / (n - 1) as f32;
                [c(i / (n * n)), c(i / n % n), c(i % n)]
            })
            .collect();
        let request = serde_json::json!({
            "op": {"kind": "display", "config": "ocio://studio-config-v2.1.0_aces-v1.3_ocio-v2.3",
                   "src": src, "display": display, "view": "ACES 1.0 - SDR Video"},
            "pixels": pixels,
        });
        let script = workspace_root().join("engine/tests/color_ref/ocio_apply.py");
        let mut child = Command::new(&s.python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let body = serde_json::to_vec(&request).unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || stdin.write_all(&body));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        assert!(out.status.success());
        let reference: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
        let mut ours = pixels.clone();
        plan.apply(&mut ours, 3, &|_, _| panic!("no external CDL expected"))
            .unwrap();
        // OCIO's ACEScc -> ACES2065-1 clamps negative AP0 results to 0 (its ACEScct and ACEScg
        // conversions do not, nor do we): for ACEScc, pixels whose ACES2065-1 value has a
        // negative component are left out of the comparison.
        let mut aces = pixels.clone();
        plan.input.unwrap().apply(&mut aces, 3).unwrap();
        let (mut max, mut at, mut skipped) = (0.0f64, 0, 0);
        for (i, (a, b)) in ours.iter().zip(&reference).enumerate() {
            if src == "ACEScc" && aces[i / 3 * 3..i / 3 * 3 + 3].iter().any(|v| *v < 0.0) {
                skipped += 1;
                continue;
            }
            let e = (f64::from(*a) - b.clamp(0.0, 1.0)).abs();
            if e > max {
                (max, at) = (e, i / 3 * 3);
            }
        }
        eprintln!(
            "  worst: {:?} -> ours {:?}, OCIO {:?}",
            &pixels[at..at + 3],
            &ours[at..at + 3],
            &reference[at..at + 3]
        );
        eprintln!(
            "{}: {src} -> ACES 1.3 {display}, max error {max:.3e} vs OCIO ({} of {} pixels left out)",
            path.display(),
            skipped / 3,
            pixels.len() / 3
        );
        assert!(max <= 2e-3, "{}: max error {max:e}", path.display());
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} fully supported examples");
}
