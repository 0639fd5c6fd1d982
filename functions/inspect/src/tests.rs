//! Tests of the inspect step on a sample card stored in a local library with an embedded catalog.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use rushes_common::PutMode;
use rushes_common::catalog_embedded::EmbeddedCatalog;
use rushes_common::records::{FileRecord, FileStatus};
use rushes_common::runs::read_json;
use rushes_common::store_local::LocalStore;
use rushes_engine::hash::HashFormat;
use rushes_engine::sample::{CardPlan, CardSpec};

use super::*;

fn ports(dir: &std::path::Path) -> Ports {
    Ports {
        library: Arc::new(LocalStore::open(dir.join("lib")).unwrap()),
        archive: None,
        catalog: Arc::new(EmbeddedCatalog::open(dir.join("c.redb")).unwrap()),
    }
}

/// Stores the sample card's roll `roll` under `rolls/<roll>/`, skipping the paths in `leave_out`.
async fn store_roll(ports: &Ports, roll: &str, leave_out: &[String]) -> (CardPlan, Input) {
    let plan = CardPlan::new(&CardSpec::new(1, 1)).unwrap();
    for file in plan.files().unwrap() {
        if file.roll != roll || leave_out.contains(&file.path) {
            continue;
        }
        let mut bytes = Vec::new();
        plan.write_file(&file, &mut bytes).unwrap();
        let key = ObjectKey::new(format!("rolls/{}", file.path)).unwrap();
        ports
            .library
            .put(&key, bytes, PutMode::CreateNew)
            .await
            .unwrap();
    }
    // Not media: the MHL history folder and a Finder file are left out of the inspection.
    for extra in ["ascmhl/0001_A.mhl", ".DS_Store"] {
        let key = ObjectKey::new(format!("rolls/{roll}/{extra}")).unwrap();
        ports
            .library
            .put(&key, b"x".to_vec(), PutMode::CreateNew)
            .await
            .unwrap();
    }
    let input = Input {
        roll: roll.into(),
        prefix: ObjectKey::new(format!("rolls/{roll}")).unwrap(),
        execution: "run-1".into(),
    };
    (plan, input)
}

async fn stored_clips(ports: &Ports, input: &Input) -> RollInspection {
    let key = RunDocs::new(&input.roll, &input.execution)
        .unwrap()
        .clips()
        .unwrap();
    read_json(ports.library.as_ref(), &key).await.unwrap()
}

#[tokio::test]
async fn a_camera_roll_gives_its_clips_in_the_run_documents_and_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let ports = ports(dir.path());
    let (plan, input) = store_roll(&ports, "A001", &[]).await;
    let out = handle(ports.clone(), input.clone()).await.unwrap();
    let planned: Vec<_> = plan.clips().filter(|c| c.roll == "A001").collect();
    assert_eq!(
        out,
        Output {
            clips: planned.len(),
            warnings: 0,
            kind: RollKind::Camera
        }
    );
    let inspection = stored_clips(&ports, &input).await;
    assert!(inspection.ignored.is_empty(), "{:?}", inspection.ignored);
    assert_eq!(inspection.clips.len(), planned.len());
    for (clip, want) in inspection.clips.iter().zip(&planned) {
        assert_eq!(clip.clip_name, want.clip_name);
        assert_eq!(clip.timing.frame_count, Some(u64::from(want.frame_count)));
        assert_eq!(
            clip.timing.start_timecode.as_deref(),
            Some(want.frame_tc(0).to_string().as_str())
        );
        // Exclusive end, as an EDL record-out.
        assert_eq!(
            clip.timing.end_timecode.as_deref(),
            Some(want.frame_tc(want.frame_count).to_string().as_str())
        );
        assert_eq!(
            clip.sensor.as_ref().map(|s| s.width),
            Some(want.sensor.width)
        );
        let item = ports
            .catalog
            .get("ROLL#A001", &format!("CLIP#{}", clip.clip_id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(item.body, serde_json::to_value(clip).unwrap());
    }
    let items = ports.catalog.query("ROLL#A001", "CLIP#").await.unwrap();
    assert_eq!(items.len(), planned.len());

    // Idempotent: the same input again writes the same document and the same items.
    let again = handle(ports.clone(), input.clone()).await.unwrap();
    assert_eq!(again, out);
    assert_eq!(stored_clips(&ports, &input).await, inspection);
    assert_eq!(
        ports.catalog.query("ROLL#A001", "CLIP#").await.unwrap(),
        items
    );
}

#[tokio::test]
async fn a_sound_roll_is_classified_sound_with_its_timecode() {
    let dir = tempfile::tempdir().unwrap();
    let ports = ports(dir.path());
    let (plan, input) = store_roll(&ports, "S001", &[]).await;
    let out = handle(ports.clone(), input.clone()).await.unwrap();
    let planned: Vec<_> = plan.sound_files().filter(|f| f.roll == "S001").collect();
    assert_eq!(out.kind, RollKind::Sound);
    assert_eq!(out.clips, planned.len());
    assert_eq!(out.warnings, 0);
    let inspection = stored_clips(&ports, &input).await;
    for clip in &inspection.clips {
        let audio = clip.audio.as_ref().unwrap();
        assert!(audio.sample_rate > 0 && audio.channels > 0);
        assert!(clip.timing.start_timecode.is_some(), "{clip:?}");
    }
}

#[tokio::test]
async fn a_missing_frame_is_a_missing_frames_warning_and_checksums_come_from_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let ports = ports(dir.path());
    let plan = CardPlan::new(&CardSpec::new(1, 1)).unwrap();
    let first = plan.clips().find(|c| c.roll == "A001").unwrap().clone();
    let gone = first.frame_path(2);
    let (_, input) = store_roll(&ports, "A001", std::slice::from_ref(&gone)).await;
    // A verification recorded the first frame's hash.
    let frame0 = first.frame_path(0);
    let rel0 = frame0.strip_prefix("A001/").unwrap().to_string();
    let record = FileRecord {
        roll: "A001".into(),
        path: rel0.clone(),
        key: format!("rolls/{frame0}"),
        size: 1,
        hashes: BTreeMap::from([(HashFormat::Xxh64, "0123456789abcdef".to_string())]),
        expected: BTreeMap::new(),
        status: FileStatus::Verified,
        verified_at: chrono_now(),
    };
    ports
        .catalog
        .put_all(&[record.to_item().unwrap()])
        .await
        .unwrap();

    let out = handle(ports.clone(), input.clone()).await.unwrap();
    assert!(out.warnings >= 1);
    let inspection = stored_clips(&ports, &input).await;
    let clip = inspection
        .clips
        .iter()
        .find(|c| c.clip_name == first.clip_name)
        .unwrap();
    assert!(has_error_warning(clip));
    let warning = clip
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::MissingFrames)
        .unwrap();
    let missing = (first.first_frame_number + 2).to_string();
    assert!(warning.message.contains(&missing), "{}", warning.message);
    let f0 = clip.files.iter().find(|f| f.path == rel0).unwrap();
    assert_eq!(f0.checksums["xxh64"], "0123456789abcdef");
    assert!(clip.files.iter().skip(1).all(|f| f.checksums.is_empty()));
    // The other clips of the roll are clean.
    let clean = inspection
        .clips
        .iter()
        .filter(|c| c.clip_name != first.clip_name);
    assert!(clean.clone().count() >= 1);
    assert!(clean.into_iter().all(|c| c.warnings.is_empty()));
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap()
}

#[tokio::test]
async fn hostile_names_and_empty_rolls_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let ports = ports(dir.path());
    let (_, mut input) = store_roll(&ports, "A001", &[]).await;
    input.execution = "../../rolls/A001".into();
    let err = handle(ports.clone(), input.clone()).await.unwrap_err();
    assert_eq!(err.name(), "Rushes.BadInput");
    let runs = ObjectKey::new("runs").unwrap();
    assert!(ports.library.list(&runs).await.unwrap().is_empty());
    assert!(
        ports
            .catalog
            .query("ROLL#A001", "CLIP#")
            .await
            .unwrap()
            .is_empty()
    );

    let empty = Input {
        roll: "B009".into(),
        prefix: ObjectKey::new("rolls/B009").unwrap(),
        execution: "run-1".into(),
    };
    let err = handle(ports, empty).await.unwrap_err();
    assert_eq!(err.name(), "Rushes.NotFound");
    assert!(err.to_string().contains("rolls/B009"), "{err}");
}

#[tokio::test]
async fn garbage_objects_are_unreadable_clips() {
    let dir = tempfile::tempdir().unwrap();
    let ports = ports(dir.path());
    for (name, bytes) in [
        (
            "C001C001/C001C001_0000001.dng",
            &b"II*\0\xff\xff\xff\x7f"[..],
        ),
        ("C001C001/C001C001_0000002.dng", b"not a tiff"),
        ("S01T01.wav", b"RIFF\xff\xff\xff\xffWAVE"),
    ] {
        let key = ObjectKey::new(format!("rolls/C001/{name}")).unwrap();
        ports
            .library
            .put(&key, bytes.to_vec(), PutMode::CreateNew)
            .await
            .unwrap();
    }
    let input = Input {
        roll: "C001".into(),
        prefix: ObjectKey::new("rolls/C001").unwrap(),
        execution: "run-1".into(),
    };
    let out = handle(ports.clone(), input.clone()).await.unwrap();
    assert_eq!(out.clips, 2);
    let inspection = stored_clips(&ports, &input).await;
    for clip in &inspection.clips {
        assert!(
            clip.warnings
                .iter()
                .any(|w| w.code == WarningCode::Unreadable),
            "{clip:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_object_reader_reads_across_blocks_and_seeks() {
    let dir = tempfile::tempdir().unwrap();
    let ports = ports(dir.path());
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let key = ObjectKey::new("obj/big.bin").unwrap();
    ports
        .library
        .put(&key, bytes.clone(), PutMode::CreateNew)
        .await
        .unwrap();
    let store = ports.library.clone();
    let runtime = tokio::runtime::Handle::current();
    let size = bytes.len() as u64;
    tokio::task::spawn_blocking(move || {
        let mut r = ObjectReader::new(store, key, size, runtime);
        let mut all = Vec::new();
        r.read_to_end(&mut all).unwrap();
        assert_eq!(all, bytes);
        // Back into the first block, then a read straddling a block boundary.
        r.seek(SeekFrom::Start(10)).unwrap();
        let mut small = [0u8; 4];
        r.read_exact(&mut small).unwrap();
        assert_eq!(small, bytes[10..14]);
        r.seek(SeekFrom::Start(READ_BLOCK - 2)).unwrap();
        let mut straddle = [0u8; 8];
        r.read_exact(&mut straddle).unwrap();
        let at = READ_BLOCK as usize - 2;
        assert_eq!(straddle, bytes[at..at + 8]);
        assert_eq!(r.seek(SeekFrom::End(-1)).unwrap(), size - 1);
        let mut last = [0u8; 4];
        assert_eq!(r.read(&mut last).unwrap(), 1);
        assert_eq!(last[0], bytes[bytes.len() - 1]);
        // Past the end reads nothing; before the start is an error naming the object.
        r.seek(SeekFrom::Start(size + 100)).unwrap();
        assert_eq!(r.read(&mut last).unwrap(), 0);
        let err = r
            .seek(SeekFrom::Current(-(size as i64) - 1000))
            .unwrap_err();
        assert!(err.to_string().contains("obj/big.bin"), "{err}");
    })
    .await
    .unwrap();
}
