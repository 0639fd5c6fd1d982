#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use rushes_common::catalog::CatalogItem;
use rushes_common::catalog_embedded::EmbeddedCatalog;
use rushes_common::records::roll_pk;
use rushes_common::store_local::LocalStore;
use rushes_common::{Error, ObjectKey, ObjectStore, Ports, PutMode};
use rushes_engine::edl::matching::{MatchOptions, library_clip, match_edl};
use rushes_engine::edl::{Cmx3600Options, parse_cmx3600};
use rushes_engine::hash::{HashFormat, hash_bytes};
use rushes_engine::inspect::clip::{Clip, ClipFile, ClipKind, Rational};
use rushes_engine::mhl::history::History;
use rushes_engine::timecode::FrameRate;

use super::*;

const LIST: &str = "TITLE: pull test\n\
    001  A001C003 V C 01:00:00:02 01:00:00:08 01:00:00:00 01:00:00:06\n\
    002  B009C001 V C 01:00:00:02 01:00:00:08 01:00:00:06 01:00:00:12\n";

fn frame_bytes(n: u64) -> Vec<u8> {
    (0..1000u64)
        .map(|i| ((i * 7 + n * 13) % 251) as u8)
        .collect()
}

/// A library with roll A001 holding clip A001C003, frames 100..=109 without 105, catalogued
/// with their ingest checksums, and the match report of [`LIST`] stored.
async fn library(dir: &std::path::Path) -> (Ports, ObjectKey) {
    let store = Arc::new(LocalStore::open(dir.join("lib")).unwrap());
    let catalog = Arc::new(EmbeddedCatalog::open(dir.join("c.redb")).unwrap());
    let ports = Ports {
        library: store.clone(),
        archive: None,
        catalog: catalog.clone(),
    };
    let mut clip = Clip::new("A001", "A001C003", ClipKind::Camera, "dng");
    clip.timing.frame_rate = Some(Rational { num: 24, den: 1 });
    clip.timing.start_timecode = Some("01:00:00:00".into());
    clip.timing.frame_count = Some(10);
    clip.timing.first_frame_number = Some(100);
    clip.timing.last_frame_number = Some(109);
    for n in (100..110).filter(|&n| n != 105) {
        let path = format!("A001C003/A001C003_{n:06}.dng");
        let bytes = frame_bytes(n);
        let key = ObjectKey::new(format!("rolls/A001/{path}")).unwrap();
        store
            .put(&key, bytes.clone(), PutMode::CreateNew)
            .await
            .unwrap();
        clip.files.push(ClipFile {
            path,
            size: bytes.len() as u64,
            frame_number: Some(n),
            checksums: [("xxh64".to_string(), hash_bytes(HashFormat::Xxh64, &bytes))].into(),
        });
    }
    ports
        .catalog
        .put_all(&[CatalogItem {
            pk: roll_pk("A001"),
            sk: format!("CLIP#{}", clip.clip_id),
            body: serde_json::to_value(&clip).unwrap(),
        }])
        .await
        .unwrap();
    let list = parse_cmx3600(
        "cut.edl",
        LIST.as_bytes(),
        &Cmx3600Options::new(FrameRate::FPS_24),
    )
    .unwrap();
    let options = MatchOptions {
        handles: 1,
        ..MatchOptions::default()
    };
    let report = match_edl(&list, &[library_clip(&clip).unwrap()], &options).unwrap();
    let report_key = ObjectKey::new("editorial/cut.match.json").unwrap();
    store
        .put(
            &report_key,
            serde_json::to_vec(&report).unwrap(),
            PutMode::Overwrite,
        )
        .await
        .unwrap();
    (ports, report_key)
}

fn plan_input(report: &ObjectKey) -> Input {
    Input::Plan(PlanInput {
        report: report.clone(),
        package: "reel1".into(),
        execution: "x1".into(),
    })
}

async fn run_all(ports: &Ports, report: &ObjectKey) -> Result<(PlanOutput, SealOutput)> {
    let Output::Plan(plan) = handle(ports.clone(), plan_input(report)).await? else {
        panic!("plan output expected");
    };
    for batch in &plan.batches {
        handle(
            ports.clone(),
            Input::Copy(CopyInput {
                package: "reel1".into(),
                execution: "x1".into(),
                batch: *batch,
            }),
        )
        .await?;
    }
    let Output::Seal(seal) = handle(
        ports.clone(),
        Input::Seal(SealInput {
            package: "reel1".into(),
            execution: "x1".into(),
        }),
    )
    .await?
    else {
        panic!("seal output expected");
    };
    Ok((plan, seal))
}

#[tokio::test]
async fn a_pull_copies_the_event_frames_with_handles_and_seals_them() {
    let dir = tempfile::tempdir().unwrap();
    let (ports, report) = library(dir.path()).await;
    let (plan, seal) = run_all(&ports, &report).await.unwrap();
    // Source 01:00:00:02-08 (out exclusive) plus one frame of handles each side: frames
    // 101..=108, 105 absent.
    assert_eq!(plan.files, 7);
    assert_eq!(plan.matched, 1);
    assert_eq!(plan.unresolved, 1);
    assert_eq!(plan.missing_frames, 1);
    assert!(seal.written);
    let store = ports.library.as_ref();
    for n in (101..109).filter(|&n| n != 105) {
        let key = ObjectKey::new(format!("pulls/reel1/A001/A001C003/A001C003_{n:06}.dng")).unwrap();
        let bytes = store.read_small(&key, 1 << 20).await.unwrap();
        assert_eq!(bytes, frame_bytes(n), "frame {n}");
    }
    for n in [100, 109] {
        let outside =
            ObjectKey::new(format!("pulls/reel1/A001/A001C003/A001C003_{n:06}.dng")).unwrap();
        assert!(store.head(&outside).await.unwrap().is_none());
    }
    // The package's MHL lists exactly those files as originals with their ingest xxh64.
    let snapshot = rushes_common::store_fs::StoreSnapshot::load(
        store,
        &ObjectKey::new("pulls/reel1").unwrap(),
        "reel1",
    )
    .await
    .unwrap();
    let history = History::load(&snapshot).unwrap();
    assert_eq!(history.generations.len(), 1);
    let files: Vec<_> = history.generations[0].manifest.files().collect();
    assert_eq!(files.len(), 7);
    for f in files {
        let n: u64 = f.path.as_str()[f.path.as_str().len() - 10..f.path.as_str().len() - 4]
            .parse()
            .unwrap();
        assert_eq!(
            f.hashes[0].value,
            hash_bytes(HashFormat::Xxh64, &frame_bytes(n))
        );
    }
    let report: seal::PullReport =
        serde_json::from_slice(&store.read_small(&seal.report, 1 << 20).await.unwrap()).unwrap();
    assert_eq!(report.events[0].missing_frames, vec![105]);
    assert_eq!(report.events[1].outcome, "missing");
    // A re-run changes nothing: files found in place, no second generation.
    let match_report = ObjectKey::new("editorial/cut.match.json").unwrap();
    let (_, again) = run_all(&ports, &match_report).await.unwrap();
    assert!(!again.written);
    assert_eq!(again.manifest, seal.manifest);
}

#[tokio::test]
async fn a_source_altered_since_ingest_is_refused_and_nothing_is_copied() {
    let dir = tempfile::tempdir().unwrap();
    let (ports, report) = library(dir.path()).await;
    // Same size, other bytes: only the checksum can tell.
    let path = dir
        .path()
        .join("lib/rolls/A001/A001C003/A001C003_000103.dng");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[500] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    let err = run_all(&ports, &report).await.unwrap_err();
    assert!(matches!(err, Error::VerificationFailed(_)), "{err}");
    assert!(err.to_string().contains("A001C003_000103.dng"), "{err}");
    let dest = ObjectKey::new("pulls/reel1/A001/A001C003/A001C003_000103.dng").unwrap();
    assert!(ports.library.head(&dest).await.unwrap().is_none());
}

#[tokio::test]
async fn a_different_file_already_in_the_package_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (ports, report) = library(dir.path()).await;
    let dest = ObjectKey::new("pulls/reel1/A001/A001C003/A001C003_000104.dng").unwrap();
    ports
        .library
        .put(&dest, b"someone else's file".to_vec(), PutMode::CreateNew)
        .await
        .unwrap();
    let err = run_all(&ports, &report).await.unwrap_err();
    assert!(matches!(err, Error::VerificationFailed(_)), "{err}");
    let kept = ports.library.read_small(&dest, 1 << 20).await.unwrap();
    assert_eq!(kept, b"someone else's file");
}

#[tokio::test]
async fn hostile_names_and_broken_documents_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (ports, report) = library(dir.path()).await;
    for package in ["../up", "a/b", ""] {
        let err = handle(
            ports.clone(),
            Input::Plan(PlanInput {
                report: report.clone(),
                package: package.into(),
                execution: "x1".into(),
            }),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("package"), "{err}");
    }
    let bad = ObjectKey::new("editorial/bad.json").unwrap();
    ports
        .library
        .put(&bad, b"{\"events\": 3}".to_vec(), PutMode::Overwrite)
        .await
        .unwrap();
    let err = handle(ports.clone(), plan_input(&bad)).await.unwrap_err();
    assert!(err.to_string().contains("not a match report"), "{err}");
    // A catalogued clip whose file path climbs out of its roll.
    let mut clip = Clip::new("A001", "EVIL", ClipKind::Camera, "mov");
    clip.files.push(ClipFile {
        path: "../../etc/passwd".into(),
        size: 1,
        frame_number: None,
        checksums: Default::default(),
    });
    let mut doc: serde_json::Value =
        serde_json::from_slice(&ports.library.read_small(&report, 1 << 20).await.unwrap()).unwrap();
    doc["events"][0]["outcome"]["clip_id"] = serde_json::json!("A001/EVIL");
    ports
        .library
        .put(
            &report,
            serde_json::to_vec(&doc).unwrap(),
            PutMode::Overwrite,
        )
        .await
        .unwrap();
    ports
        .catalog
        .put_all(&[CatalogItem {
            pk: roll_pk("A001"),
            sk: "CLIP#A001/EVIL".into(),
            body: serde_json::to_value(&clip).unwrap(),
        }])
        .await
        .unwrap();
    let err = handle(ports.clone(), plan_input(&report))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnsafeKey { .. }), "{err}");
    // Seal without copies: the results do not cover the plan.
    let mut doc2 = doc.clone();
    doc2["events"][0]["outcome"]["clip_id"] = serde_json::json!("A001/A001C003");
    ports
        .library
        .put(
            &report,
            serde_json::to_vec(&doc2).unwrap(),
            PutMode::Overwrite,
        )
        .await
        .unwrap();
    handle(ports.clone(), plan_input(&report)).await.unwrap();
    let err = handle(
        ports.clone(),
        Input::Seal(SealInput {
            package: "reel1".into(),
            execution: "x1".into(),
        }),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("not a valid working document")
            || err.to_string().contains("results"),
        "{err}"
    );
}
