//! `rushes amf`, `rushes cdl` and `rushes color apply` run as the binary: exit codes, output,
//! bad input, and an OpenEXR round trip checked against the engine's own `Plan::apply`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rushes_engine::amf::Amf;
use rushes_engine::cdl::CdlDocument;
use rushes_engine::color::aces2::Aces2Output;
use rushes_engine::image_io::FloatImage;
use rushes_engine::image_io::exr::{self, ExrWriteOptions};
use rushes_engine::raw::ImageLimits;
use rushes_test_support::{shared_data, skip_no_data};

fn rushes(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rushes"))
        .args(args)
        .output()
        .expect("run rushes")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn amf_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for sub in ["", "generated/aces1", "generated/aces2"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "amf") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

const CSC_ACESCG: &str = "urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ACEScg_to_ACES.a1.0.3";
const CSC_ACESCCT: &str = "urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ACEScct_to_ACES.a1.0.3";
const RRTODT_709: &str = "urn:ampas:aces:transformId:v1.5:RRTODT.Academy.Rec709_100nits_dim.a1.0.3";

/// An AMF v2 with an unapplied ACEScg input, one look with an external CDL and a Rec.709 output.
fn amf_text(cdl_file: &str, output_id: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<aces:acesMetadataFile version="2.0" xmlns:aces="urn:ampas:aces:amf:v2.0" xmlns:cdl="urn:ASC:CDL:v1.01">
  <aces:amfInfo>
    <aces:dateTime><aces:creationDateTime>2026-01-01T00:00:00Z</aces:creationDateTime><aces:modificationDateTime>2026-01-01T00:00:00Z</aces:modificationDateTime></aces:dateTime>
    <aces:uuid>urn:uuid:11111111-2222-4333-8444-555555555555</aces:uuid>
  </aces:amfInfo>
  <aces:clipId><aces:clipName>A001C003</aces:clipName><aces:file>A001C003.exr</aces:file></aces:clipId>
  <aces:pipeline>
    <aces:pipelineInfo>
      <aces:dateTime><aces:creationDateTime>2026-01-01T00:00:00Z</aces:creationDateTime><aces:modificationDateTime>2026-01-01T00:00:00Z</aces:modificationDateTime></aces:dateTime>
      <aces:uuid>urn:uuid:11111111-2222-4333-8444-666666666666</aces:uuid>
      <aces:systemVersion><aces:majorVersion>1</aces:majorVersion><aces:minorVersion>3</aces:minorVersion><aces:patchVersion>0</aces:patchVersion></aces:systemVersion>
    </aces:pipelineInfo>
    <aces:inputTransform applied="false"><aces:transformId>{CSC_ACESCG}</aces:transformId></aces:inputTransform>
    <aces:lookTransform applied="false">
      <aces:cdlWorkingSpace><aces:fromCdlWorkingSpace><aces:transformId>{CSC_ACESCCT}</aces:transformId></aces:fromCdlWorkingSpace></aces:cdlWorkingSpace>
      <cdl:ColorCorrectionRef ref="shot_010"/>
      <aces:file>{cdl_file}</aces:file>
    </aces:lookTransform>
    <aces:outputTransform applied="false"><aces:transformId>{output_id}</aces:transformId></aces:outputTransform>
  </aces:pipeline>
</aces:acesMetadataFile>
"#
    )
}

const CCC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ColorCorrectionCollection xmlns="urn:ASC:CDL:v1.01">
  <ColorCorrection id="shot_010">
    <SOPNode><Slope>1.1 1.0 0.9</Slope><Offset>0.01 0.0 -0.02</Offset><Power>1.0 1.05 0.95</Power></SOPNode>
    <SatNode><Saturation>0.8</Saturation></SatNode>
  </ColorCorrection>
  <ColorCorrection id="shot_020">
    <SOPNode><Slope>1 1 1</Slope><Offset>0 0 0</Offset><Power>1 1 1</Power></SOPNode>
  </ColorCorrection>
</ColorCorrectionCollection>
"#;

/// A small RGBA test image with ACES-range values, including negatives and highlights.
/// An interleaved RGB or RGBA test image.
#[derive(Debug, Clone)]
struct RgbaImage {
    width: usize,
    height: usize,
    channels: usize,
    pixels: Vec<f32>,
}

/// Reads an OpenEXR file with the engine's reader (R, G, B and A when present).
fn read_exr_file(path: &Path) -> rushes_engine::Result<RgbaImage> {
    let bytes = std::fs::read(path).unwrap();
    let (image, _) = exr::read(
        std::io::Cursor::new(bytes),
        &path.display().to_string(),
        &ImageLimits::default(),
    )?;
    Ok(RgbaImage {
        width: image.width(),
        height: image.height(),
        channels: image.channel_count(),
        pixels: image.into_samples(),
    })
}

/// Writes a half-float OpenEXR file with the engine's writer.
fn write_exr_half_file(image: &RgbaImage, path: &Path) -> rushes_engine::Result<()> {
    let float = if image.channels == 4 {
        FloatImage::rgba(image.width, image.height, image.pixels.clone())?
    } else {
        FloatImage::rgb(image.width, image.height, image.pixels.clone())?
    };
    let bytes = exr::to_vec(&float, &ExrWriteOptions::default())?;
    std::fs::write(path, bytes).unwrap();
    Ok(())
}

fn test_image() -> RgbaImage {
    let (width, height) = (7, 5);
    let mut pixels = Vec::new();
    for y in 0..height {
        for x in 0..width {
            let t = (y * width + x) as f32 / (width * height) as f32;
            pixels.extend([t * 4.0, 0.18 + t * 0.5, 1.0 - t * 1.1, 0.5 + t * 0.1]);
        }
    }
    RgbaImage {
        width,
        height,
        channels: 4,
        pixels,
    }
}

fn assert_close_half(got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        // Half floats carry 11 significant bits.
        let tol = 1e-3 * w.abs().max(1e-2);
        assert!((g - w).abs() <= tol, "sample {i}: got {g}, want {w}");
    }
}

#[test]
fn every_example_amf_validates_and_describes() {
    let Some(dir) = shared_data("amf/examples") else {
        skip_no_data("every_example_amf_validates_and_describes", "amf/examples");
        return;
    };
    let files = amf_files(&dir);
    assert!(files.len() > 20, "only {} example AMFs found", files.len());
    for f in &files {
        let out = rushes(&["amf", "validate", p(f)]);
        assert_eq!(code(&out), 0, "{}: {}", f.display(), text(&out.stderr));
        assert!(
            text(&out.stdout).contains("valid AMF"),
            "{}",
            text(&out.stdout)
        );
        let out = rushes(&["amf", "info", "--json", p(f)]);
        assert_eq!(code(&out), 0, "{}: {}", f.display(), text(&out.stderr));
        let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // `applicable` agrees with the engine's own planning of the document.
        let amf = Amf::parse("x", &std::fs::read(f).unwrap()).unwrap();
        assert_eq!(
            info["applicable"].as_bool(),
            Some(amf.pipeline.plan().is_ok()),
            "{}",
            f.display()
        );
    }
}

#[test]
fn info_reports_ids_applied_flags_and_support() {
    let Some(dir) = shared_data("amf/examples") else {
        skip_no_data("info_reports_ids_applied_flags_and_support", "amf/examples");
        return;
    };
    // example1: an unapplied ACES 1.x HDR output transform rushes does not implement.
    let out = rushes(&["amf", "info", "--json", p(&dir.join("example1.amf"))]);
    assert_eq!(code(&out), 0);
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let output = &info["output_transform"];
    assert_eq!(output["applied"], false);
    assert_eq!(output["supported"], false);
    assert!(
        output["transform_ids"][0]
            .as_str()
            .unwrap()
            .contains("Rec2020_1000nits_15nits_ST2084")
    );
    assert_eq!(info["applicable"], false);

    let f = dir.join("generated/aces1/idt_ACEScg_to_ACES__odt_Rec709_100nits_dim.amf");
    let out = rushes(&["amf", "info", "--json", p(&f)]);
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["input_transform"]["supported"], true);
    assert_eq!(info["input_transform"]["applied"], false);
    assert_eq!(info["output_transform"]["kind"], "RRT + ODT");
    assert_eq!(info["output_transform"]["supported"], true);
    assert_eq!(info["applicable"], true);
    // The text form names the same things.
    let out = rushes(&["amf", "info", p(&f)]);
    let t = text(&out.stdout);
    assert!(
        t.contains("ACEScg_to_ACES") && t.contains("not applied; supported"),
        "{t}"
    );
    assert!(t.contains("rushes can apply this pipeline"), "{t}");
}

#[test]
fn bad_and_unreadable_amfs_have_their_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("grade.ccc"), CCC).unwrap();
    let good = tmp.path().join("good.amf");
    std::fs::write(&good, amf_text("grade.ccc", RRTODT_709)).unwrap();
    assert_eq!(code(&rushes(&["amf", "validate", p(&good)])), 0);

    // Truncated XML: invalid, with the element path and line.
    let text_all = amf_text("grade.ccc", RRTODT_709);
    let truncated = tmp.path().join("truncated.amf");
    std::fs::write(&truncated, &text_all[..text_all.len() / 2]).unwrap();
    let out = rushes(&["amf", "validate", p(&truncated)]);
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains("line"), "{}", text(&out.stderr));

    // Against the schema: a bad UUID, reported with the element path.
    let bad_uuid = tmp.path().join("bad_uuid.amf");
    std::fs::write(
        &bad_uuid,
        text_all.replace(
            "urn:uuid:11111111-2222-4333-8444-555555555555",
            "not-a-uuid",
        ),
    )
    .unwrap();
    let out = rushes(&["amf", "validate", p(&bad_uuid)]);
    assert_eq!(code(&out), 1);
    assert!(text(&out.stderr).contains("uuid"), "{}", text(&out.stderr));

    // A CDL reference leaving the AMF's folder, and a missing CDL file.
    for (file, expect) in [("../grade.ccc", "`..`"), ("missing.ccc", "missing.ccc")] {
        let f = tmp.path().join("ref.amf");
        std::fs::write(&f, amf_text(file, RRTODT_709)).unwrap();
        let out = rushes(&["amf", "validate", p(&f)]);
        assert_eq!(code(&out), 1, "{file}");
        assert!(text(&out.stderr).contains(expect), "{}", text(&out.stderr));
        let out = rushes(&[
            "color",
            "apply",
            "--amf",
            p(&f),
            p(&tmp.path().join("in.exr")),
            p(&tmp.path().join("out.exr")),
        ]);
        assert_eq!(code(&out), 1, "{file}: {}", text(&out.stderr));
    }

    // Unreadable.
    let out = rushes(&["amf", "validate", p(&tmp.path().join("nope.amf"))]);
    assert_eq!(code(&out), 2);
    let out = rushes(&["amf", "info", p(tmp.path())]);
    assert_eq!(code(&out), 2);
}

#[test]
fn cdl_prints_every_correction_and_refuses_bad_values() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("grade.ccc");
    std::fs::write(&f, CCC).unwrap();
    let out = rushes(&["cdl", "--json", p(&f)]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = v["corrections"].as_array().unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c[0]["id"], "shot_010");
    assert_eq!(c[0]["slope"][0], 1.1);
    assert_eq!(c[0]["offset"][2], -0.02);
    assert_eq!(c[0]["power"][1], 1.05);
    assert_eq!(c[0]["saturation"], 0.8);
    assert_eq!(c[1]["saturation"], 1.0);
    let out = rushes(&["cdl", p(&f)]);
    let t = text(&out.stdout);
    assert!(
        t.contains("2 correction(s)") && t.contains("shot_020"),
        "{t}"
    );

    let bad = tmp.path().join("bad.cc");
    std::fs::write(
        &bad,
        r#"<ColorCorrection id="x"><SOPNode><Slope>-1 1 1</Slope><Offset>0 0 0</Offset><Power>1 1 1</Power></SOPNode></ColorCorrection>"#,
    )
    .unwrap();
    let out = rushes(&["cdl", p(&bad)]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains("Slope value -1 is negative"),
        "{}",
        text(&out.stderr)
    );
    let out = rushes(&["cdl", p(&tmp.path().join("none.cc"))]);
    assert_eq!(code(&out), 2);
}

#[test]
fn apply_writes_what_the_engine_plan_computes() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("grades")).unwrap();
    std::fs::write(tmp.path().join("grades/day1.ccc"), CCC).unwrap();
    let amf_path = tmp.path().join("shot.amf");
    let amf_src = amf_text("grades/day1.ccc", RRTODT_709);
    std::fs::write(&amf_path, &amf_src).unwrap();
    let input = tmp.path().join("in.exr");
    let output = tmp.path().join("out.exr");
    let image = test_image();
    // Float input: half output is the only rounding.
    {
        let rgba = FloatImage::rgba(image.width, image.height, image.pixels.clone()).unwrap();
        let options = ExrWriteOptions {
            pixel_type: rushes_engine::image_io::exr::ExrPixelType::Float,
            ..ExrWriteOptions::default()
        };
        std::fs::write(&input, exr::to_vec(&rgba, &options).unwrap()).unwrap();
    }
    let out = rushes(&[
        "color",
        "apply",
        "--amf",
        p(&amf_path),
        p(&input),
        p(&output),
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));

    let mut want = image.pixels.clone();
    let plan = Amf::parse("shot.amf", amf_src.as_bytes())
        .unwrap()
        .pipeline
        .plan()
        .unwrap();
    let doc = CdlDocument::parse("day1.ccc", CCC.as_bytes()).unwrap();
    plan.apply(&mut want, 4, &|id, file| {
        assert_eq!(file, "grades/day1.ccc");
        Ok(doc.find(id).unwrap().cdl)
    })
    .unwrap();
    let got = read_exr_file(&output).unwrap();
    assert_eq!((got.width, got.height, got.channels), (7, 5, 4));
    assert_close_half(&got.pixels, &want);
    // Alpha passes through untouched.
    assert_close_half(&[got.pixels[3]], &[image.pixels[3]]);
    // The grade did something: the result differs from the output transform alone.
    let mut ungraded = image.pixels.clone();
    Amf::parse("x", amf_src.as_bytes())
        .unwrap()
        .pipeline
        .plan()
        .unwrap()
        .apply(&mut ungraded, 4, &|_, _| {
            Ok(rushes_engine::cdl::Cdl::IDENTITY)
        })
        .unwrap();
    assert!(
        ungraded
            .iter()
            .zip(&want)
            .any(|(a, b)| (a - b).abs() > 1e-2)
    );
}

#[test]
fn apply_without_amf_uses_the_stated_default() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.exr");
    let output = tmp.path().join("out.exr");
    let mut image = test_image();
    // RGB only, written as half: the read side accepts half too.
    image.pixels = image
        .pixels
        .chunks(4)
        .flat_map(|c| [c[0], c[1], c[2]])
        .collect();
    image.channels = 3;
    write_exr_half_file(&image, &input).unwrap();
    let input_read = read_exr_file(&input).unwrap();
    assert_eq!(input_read.channels, 3);
    let out = rushes(&["color", "apply", p(&input), p(&output)]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("rule of defaults"), "{said}");
    assert!(
        said.contains("ACES 2.0")
            && said.contains("Output.Academy.Rec709-D65_100nit_in_Rec709-D65_BT1886.a2.v1"),
        "{said}"
    );
    let got = read_exr_file(&output).unwrap();
    let renderer = Aces2Output::SDR_REC709.renderer().unwrap();
    let want: Vec<f32> = input_read
        .pixels
        .chunks(3)
        .flat_map(|c| renderer.forward([c[0], c[1], c[2]]))
        .collect();
    assert_close_half(&got.pixels, &want);
}

#[test]
fn apply_refuses_unsupported_transforms_and_bad_images() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("grade.ccc"), CCC).unwrap();
    let unsupported =
        "urn:ampas:aces:transformId:v1.5:RRTODT.Academy.P3D65_1000nits_15nits_ST2084.a1.1.0";
    let amf_path = tmp.path().join("hdr.amf");
    std::fs::write(&amf_path, amf_text("grade.ccc", unsupported)).unwrap();
    let input = tmp.path().join("in.exr");
    write_exr_half_file(&test_image(), &input).unwrap();
    let out = rushes(&[
        "color",
        "apply",
        "--amf",
        p(&amf_path),
        p(&input),
        p(&tmp.path().join("out.exr")),
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        text(&out.stderr).contains(unsupported),
        "{}",
        text(&out.stderr)
    );
    assert!(!tmp.path().join("out.exr").exists());

    // Not an EXR, a truncated EXR, a missing file: exit 2.
    let garbage = tmp.path().join("garbage.exr");
    std::fs::write(&garbage, b"not an image at all").unwrap();
    let full = std::fs::read(&input).unwrap();
    let truncated = tmp.path().join("truncated.exr");
    std::fs::write(&truncated, &full[..full.len() / 2]).unwrap();
    for bad in [&garbage, &truncated, &tmp.path().join("missing.exr")] {
        let out = rushes(&["color", "apply", p(bad), p(&tmp.path().join("o.exr"))]);
        assert_eq!(code(&out), 2, "{}: {}", bad.display(), text(&out.stderr));
    }
}
