//! Tests of the fdl-crop step on a local store, with EXR frames written by the `exr` crate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use rushes_common::catalog_embedded::EmbeddedCatalog;
use rushes_common::store_local::LocalStore;
use rushes_test_support::{ref_python, skip};

use super::*;
use ::exr::prelude::*;

/// A 96 x 64 canvas shot with a 2x anamorphic lens; its framing decision is 80 x 48 at (8, 8).
const SOURCE_FDL: &str = r#"{
  "uuid": "0b0e6a36-4c6e-4f35-9a43-7f0c8a1d2e3f",
  "version": {"major": 2, "minor": 0},
  "fdl_creator": "rushes test",
  "default_framing_intent": "1",
  "framing_intents": [{"id": "1", "aspect_ratio": {"width": 10, "height": 3}, "protection": 0}],
  "contexts": [{"label": "test camera", "canvases": [{
    "id": "1", "source_canvas_id": "1", "dimensions": {"width": 96, "height": 64},
    "anamorphic_squeeze": 2,
    "framing_decisions": [{"id": "1-1", "framing_intent_id": "1",
      "dimensions": {"width": 80, "height": 48}, "anchor_point": {"x": 8, "y": 8}}]
  }]}]
}"#;

/// Fit the de-squeezed framing (160 x 48) into 64 x 20 square pixels.
fn template() -> serde_json::Value {
    serde_json::json!({
        "id": "T1", "label": "test delivery",
        "target_dimensions": {"width": 64, "height": 20}, "target_anamorphic_squeeze": 1.0,
        "fit_source": "framing_decision.dimensions", "fit_method": "fit_all",
        "alignment_method_vertical": "center", "alignment_method_horizontal": "center",
        "round": {"even": "even", "mode": "round"}
    })
}

/// A smooth RGBA (half) or RGB (float) frame of `w` x `h`.
fn exr_frame(w: usize, h: usize, float: bool, seed: f32) -> Vec<u8> {
    let value = |x: usize, y: usize, c: usize| {
        seed + 0.01 * x as f32 + 0.02 * y as f32 + 0.3 * c as f32 + (x as f32 * 0.7).sin() * 0.1
    };
    let mut list: SmallVec<[AnyChannel<FlatSamples>; 4]> = SmallVec::new();
    let names = if float {
        &["R", "G", "B"][..]
    } else {
        &["R", "G", "B", "A"][..]
    };
    for (c, name) in names.iter().enumerate() {
        let samples: Vec<f32> = (0..h)
            .flat_map(|y| (0..w).map(move |x| value(x, y, c)))
            .collect();
        let data = if float {
            FlatSamples::F32(samples)
        } else {
            FlatSamples::F16(samples.into_iter().map(f16::from_f32).collect())
        };
        list.push(AnyChannel::new(*name, data));
    }
    let layer = Layer::new(
        (w, h),
        LayerAttributes::named("rgba"),
        Encoding::FAST_LOSSLESS,
        AnyChannels::sort(list),
    );
    let mut image = Image::from_layer(layer);
    image.attributes.pixel_aspect = 2.0;
    let mut bytes = Vec::new();
    image.write().to_buffered(Cursor::new(&mut bytes)).unwrap();
    bytes
}

fn ports(dir: &std::path::Path) -> (Ports, Arc<LocalStore>) {
    let store = Arc::new(LocalStore::open(dir.join("lib")).unwrap());
    let ports = Ports {
        library: store.clone(),
        archive: None,
        catalog: Arc::new(EmbeddedCatalog::open(dir.join("c.redb")).unwrap()),
    };
    (ports, store)
}

fn key(k: &str) -> ObjectKey {
    ObjectKey::new(k).unwrap()
}

async fn put(store: &LocalStore, k: &str, bytes: Vec<u8>) {
    store.put(&key(k), bytes, PutMode::CreateNew).await.unwrap();
}

fn input(frames: &[&str]) -> Input {
    Input {
        fdl: key("rolls/A001/A001.fdl"),
        template: TemplateSource::Inline(template()),
        template_id: None,
        selection: Selection::default(),
        frames: frames.iter().map(|f| key(f)).collect(),
        output_prefix: key("pulls/sh010/plates"),
    }
}

async fn library(dir: &std::path::Path) -> (Ports, Arc<LocalStore>) {
    let (ports, store) = ports(dir);
    put(
        &store,
        "rolls/A001/A001.fdl",
        SOURCE_FDL.as_bytes().to_vec(),
    )
    .await;
    put(
        &store,
        "rolls/A001/f.0001.exr",
        exr_frame(96, 64, false, 0.1),
    )
    .await;
    put(
        &store,
        "rolls/A001/f.0002.exr",
        exr_frame(96, 64, true, 0.5),
    )
    .await;
    (ports, store)
}

fn decode(bytes: &[u8]) -> Image<Layer<AnyChannels<FlatSamples>>> {
    read()
        .no_deep_data()
        .largest_resolution_level()
        .all_channels()
        .first_valid_layer()
        .all_attributes()
        .from_buffered(Cursor::new(bytes))
        .unwrap()
}

#[tokio::test]
async fn frames_are_cropped_desqueezed_and_written_with_the_fdl() {
    let dir = tempfile::tempdir().unwrap();
    let (ports, store) = library(dir.path()).await;
    let frames = ["rolls/A001/f.0001.exr", "rolls/A001/f.0002.exr"];
    let out = handle(ports.clone(), input(&frames)).await.unwrap();

    // The plan the engine gives for this FDL and template.
    let source = Fdl::from_json(SOURCE_FDL.as_bytes(), "source").unwrap();
    let tpl = fdl::read_canvas_template(template().to_string().as_bytes(), "t", None).unwrap();
    let expected = fdl::apply_template(
        &source,
        &tpl,
        &SourceSelection::default(),
        &ApplyOptions::default(),
    )
    .unwrap();
    let plan = &expected.plan;
    assert_eq!((out.width, out.height), (64, 20));
    // 2x de-squeeze: horizontally 80 px -> 64 px, vertically 48 px -> 20 px (the framing height
    // 19.2 is rounded to the canvas's 20 by the template's rounding).
    assert_eq!(plan.scale_x, 0.8);
    assert_eq!(plan.scale_y, 20.0 / 48.0);
    assert_eq!(plan.desqueeze, 2.0);
    assert!(!out.exact_crop);
    assert_eq!(out.canvas_id, expected.canvas_id);

    // The resulting FDL is stored next to the frames and is valid.
    assert_eq!(out.fdl.as_str(), "pulls/sh010/plates/A001.fdl");
    let written_fdl = store.read_small(&out.fdl, 1 << 20).await.unwrap();
    assert_eq!(fdl::check_json(&written_fdl), vec![]);
    assert_eq!(written_fdl, expected.fdl.to_json());

    assert_eq!(out.frames.len(), 2);
    for (i, written) in out.frames.iter().enumerate() {
        assert_eq!(written.source.as_str(), frames[i]);
        let bytes = store.read_small(&written.key, 1 << 24).await.unwrap();
        assert_eq!(written.size, bytes.len() as u64);
        assert_eq!(written.xxh64, hash_bytes(HashFormat::Xxh64, &bytes));
        let image = decode(&bytes);
        assert_eq!(image.layer_data.size, Vec2(64, 20));
        assert_eq!(image.attributes.pixel_aspect, 1.0);
        let names: Vec<String> = image
            .layer_data
            .channel_data
            .list
            .iter()
            .map(|c| c.name.to_string())
            .collect();
        let want: &[&str] = if i == 0 {
            &["A", "B", "G", "R"]
        } else {
            &["B", "G", "R"]
        };
        assert_eq!(names, want);
        for channel in &image.layer_data.channel_data.list {
            assert!(matches!(channel.sample_data, FlatSamples::F16(_)));
        }
        // Same values as the engine's resampler on the decoded source.
        let source_bytes = store.read_small(&written.source, 1 << 24).await.unwrap();
        let recomputed = crop_exr(&source_bytes, "again", plan).unwrap();
        assert_eq!(recomputed, bytes);
    }
    // The first frame's centre keeps the source value there (a smooth ramp).
    let bytes = store.read_small(&out.frames[0].key, 1 << 24).await.unwrap();
    let image = decode(&bytes);
    let red = image
        .layer_data
        .channel_data
        .list
        .iter()
        .find(|c| c.name.to_string() == "R")
        .unwrap();
    let FlatSamples::F16(values) = &red.sample_data else {
        panic!("half expected");
    };
    // Output pixel (x, 10) has its centre on source position (8 + (x + 0.5) / 0.8, 8 + 10.5 * 2.4);
    // the smooth source (a ramp plus a slow sine) is reproduced there up to half-float precision
    // and the filter's slight attenuation of the sine.
    for x in 4..60 {
        let ix = 8.0 + (x as f32 + 0.5) / 0.8 - 0.5;
        let iy = 8.0 + 10.5 * 2.4 - 0.5;
        let want = 0.1 + 0.01 * ix + 0.02 * iy + (ix * 0.7).sin() * 0.1;
        let got = values[10 * 64 + x].to_f32();
        assert!((got - want).abs() < 0.01, "x {x}: {got} vs {want}");
    }

    // Idempotent: the same input again finds identical objects.
    let again = handle(ports, input(&frames)).await.unwrap();
    assert_eq!(again, out);
}

#[tokio::test]
async fn an_output_frame_reads_in_openexr() {
    let test = "an_output_frame_reads_in_openexr";
    let Some(python) = ref_python() else {
        return skip(test, "the reference venv's python3 is not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let (ports, store) = library(dir.path()).await;
    let out = handle(ports, input(&["rolls/A001/f.0001.exr"]))
        .await
        .unwrap();
    let path = store.path_of(&out.frames[0].key);
    let script = r#"
import json, sys
import OpenEXR
with OpenEXR.File(sys.argv[1], separate_channels=True) as f:
    h = f.header()
    dw = h["dataWindow"]
    chans = f.channels()
    r = chans["R"].pixels
    print(json.dumps({
        "data_window": [int(dw[0][0]), int(dw[0][1]), int(dw[1][0]), int(dw[1][1])],
        "channels": sorted(chans.keys()),
        "dtype": str(r.dtype),
        "shape": list(r.shape),
        "compression": str(h["compression"]),
        "r_row10": [float(v) for v in r[10]],
    }))
"#;
    let output = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let info: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(info["data_window"], serde_json::json!([0, 0, 63, 19]));
    assert_eq!(info["channels"], serde_json::json!(["A", "B", "G", "R"]));
    assert_eq!(info["dtype"], "float16");
    assert_eq!(info["shape"], serde_json::json!([20, 64]));
    assert!(
        info["compression"].as_str().unwrap().contains("ZIP"),
        "{}",
        info["compression"]
    );
    // Bit-exact values: the same half samples as the exr crate decodes.
    let bytes = store.read_small(&out.frames[0].key, 1 << 24).await.unwrap();
    let image = decode(&bytes);
    let red = image
        .layer_data
        .channel_data
        .list
        .iter()
        .find(|c| c.name.to_string() == "R")
        .unwrap();
    let FlatSamples::F16(values) = &red.sample_data else {
        panic!("half expected");
    };
    let theirs: Vec<f32> = info["r_row10"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    let ours: Vec<f32> = values[640..704].iter().map(|v| v.to_f32()).collect();
    assert_eq!(theirs, ours);
}

#[tokio::test]
async fn bad_inputs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (ports, store) = library(dir.path()).await;
    put(
        &store,
        "rolls/A001/garbage.exr",
        b"not an exr at all".to_vec(),
    )
    .await;
    put(
        &store,
        "rolls/A001/small.exr",
        exr_frame(50, 40, false, 0.0),
    )
    .await;
    let err = |input: Input| {
        let ports = ports.clone();
        async move { handle(ports, input).await.unwrap_err().to_string() }
    };

    let mut outside = input(&["rolls/A001/f.0001.exr"]);
    outside.output_prefix = key("rolls/A001/out");
    assert!(err(outside).await.contains("not under `pulls/`"));

    assert!(err(input(&[])).await.contains("no frames"));
    let many: Vec<String> = (0..=MAX_FRAMES)
        .map(|i| format!("rolls/f{i}.exr"))
        .collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert!(err(input(&many)).await.contains("at most"));
    let twice = input(&["rolls/A001/f.0001.exr", "rolls/B/f.0001.exr"]);
    assert!(err(twice).await.contains("collide"));

    let e = err(input(&["rolls/A001/garbage.exr"])).await;
    assert!(e.contains("garbage.exr: unreadable OpenEXR"), "{e}");
    let e = err(input(&["rolls/A001/small.exr"])).await;
    assert!(
        e.contains("plan is for a 96 x 64 source but the image is 50 x 40"),
        "{e}"
    );
    let e = err(input(&["rolls/A001/missing.exr"])).await;
    assert!(e.contains("not found"), "{e}");

    let mut bad_template = input(&["rolls/A001/f.0001.exr"]);
    let mut t = template();
    t["target_dimensions"]["width"] = (-4).into();
    bad_template.template = TemplateSource::Inline(t);
    let e = err(bad_template).await;
    assert!(e.contains("$.target_dimensions"), "{e}");

    let mut no_decision = input(&["rolls/A001/f.0001.exr"]);
    no_decision.selection.decision = Some("nope".into());
    let e = err(no_decision).await;
    assert!(e.contains("nope"), "{e}");

    // Nothing was written by the refused calls.
    assert!(store.list(&key("pulls")).await.unwrap().is_empty());

    // A different object already at an output key is never replaced.
    put(&store, "pulls/sh010/plates/f.0001.exr", b"other".to_vec()).await;
    let e = err(input(&["rolls/A001/f.0001.exr"])).await;
    assert!(e.contains("already exists"), "{e}");
}

#[test]
fn integer_channels_and_huge_frames_are_refused_before_decoding() {
    let source = Fdl::from_json(SOURCE_FDL.as_bytes(), "source").unwrap();
    let tpl = fdl::read_canvas_template(template().to_string().as_bytes(), "t", None).unwrap();
    let plan = fdl::apply_template(
        &source,
        &tpl,
        &SourceSelection::default(),
        &ApplyOptions::default(),
    )
    .unwrap()
    .plan;
    let ids = AnyChannels::sort(SmallVec::from_vec(vec![AnyChannel::new(
        "id",
        FlatSamples::U32(vec![7u32; 96 * 64]),
    )]));
    let image = Image::from_layer(Layer::new(
        (96, 64),
        LayerAttributes::default(),
        Encoding::FAST_LOSSLESS,
        ids,
    ));
    let mut bytes = Vec::new();
    image.write().to_buffered(Cursor::new(&mut bytes)).unwrap();
    let e = crop_exr(&bytes, "ids.exr", &plan).unwrap_err().to_string();
    assert!(e.contains("holds integers"), "{e}");

    // A header claiming 100000 x 100000 pixels: refused from the header alone.
    let mut big = exr_frame(96, 64, false, 0.0);
    let name = b"dataWindow\0box2i\0";
    let at = big
        .windows(name.len())
        .position(|w| w == name)
        .expect("data window in the header")
        + name.len()
        + 4; // attribute size
    big[at + 8..at + 12].copy_from_slice(&99_999i32.to_le_bytes());
    big[at + 12..at + 16].copy_from_slice(&99_999i32.to_le_bytes());
    let e = crop_exr(&big, "big.exr", &plan).unwrap_err().to_string();
    assert!(e.contains("big.exr"), "{e}");
}

#[test]
fn sample_events_decode_into_the_input() {
    let dir = rushes_test_support::workspace_root().join("events/fdl-crop");
    let read = |name: &str| -> Input {
        serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
    };
    let stored = read("vfx-plate.json");
    assert!(matches!(stored.template, TemplateSource::Key(_)));
    assert_eq!(stored.selection.decision.as_deref(), Some("1-1"));
    assert_eq!(stored.frames.len(), 2);
    check_input(&stored).unwrap();
    let inline = read("inline-template.json");
    let TemplateSource::Inline(t) = &inline.template else {
        panic!("inline template expected");
    };
    let bytes = serde_json::to_vec(t).unwrap();
    let template = fdl::read_canvas_template(&bytes, "event", None).unwrap();
    assert_eq!(template.target_dimensions.width, 3840);
    check_input(&inline).unwrap();
}
