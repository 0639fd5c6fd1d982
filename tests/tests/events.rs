//! Every sample event in `events/` (used by `cargo lambda invoke` and `sam local invoke`) decodes
//! into its handler's input type, and holds the case its name promises.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_lambda_events::event::sqs::SqsEvent;
use rushes_starter::{Notification, parse_body};
use rushes_tests::workspace_root;

fn event<T: serde::de::DeserializeOwned>(path: &str) -> T {
    let file = workspace_root().join("events").join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[test]
fn manifest_event_names_a_roll_and_its_execution() {
    let input: rushes_manifest::Input = event("manifest/roll.json");
    assert_eq!(input.roll, "A001");
    assert_eq!(input.prefix.as_str(), "rolls/A001");
    assert!(input.execution.starts_with("A001-"), "{}", input.execution);
}

#[test]
fn inspect_event_names_a_roll_and_its_execution() {
    let input: rushes_inspect::Input = event("inspect/roll.json");
    assert_eq!(input.roll, "A001");
    assert_eq!(input.prefix.as_str(), "rolls/A001");
    assert!(input.execution.starts_with("A001-"), "{}", input.execution);
}

#[test]
fn checksum_events_cover_a_fresh_batch_and_a_resumed_one() {
    let whole: rushes_checksum::Input = event("checksum/whole-batch.json");
    assert!(whole.cursor.is_none() && whole.batch.files > 1);
    let resume: rushes_checksum::Input = event("checksum/resume-chunk.json");
    let cursor = resume.cursor.as_ref().unwrap();
    assert!(
        cursor.offset > 0 && cursor.offset < resume.batch.bytes,
        "{}",
        cursor.offset
    );
    let state = cursor.state.as_ref().unwrap();
    // The saved state covers exactly the bytes before the cursor.
    let hasher = rushes_engine::hash::MultiHasher::resume(state).unwrap();
    assert_eq!(hasher.bytes_hashed(), cursor.offset);
    assert!(resume.max_bytes_per_call.unwrap() <= cursor.offset);
}

#[test]
fn custody_events_cover_success_and_an_altered_file() {
    let ok: rushes_custody::Input = event("custody/verified.json");
    let bad: rushes_custody::Input = event("custody/with-failure.json");
    for input in [&ok, &bad] {
        assert_eq!(input.manifest.execution, input.execution);
        assert_eq!(input.manifest.batches.len(), input.checksums.len());
        let files: usize = input.manifest.batches.iter().map(|b| b.files).sum();
        assert_eq!(files, input.manifest.counts.files);
        assert!(input.checksums.iter().all(|c| c.done));
    }
    assert!(ok.checksums.iter().all(|c| c.counts.failed == 0));
    assert!(bad.checksums.iter().any(|c| c.counts.failed > 0));
}

#[test]
fn starter_events_hold_an_upload_a_test_event_and_a_mixed_batch() {
    let classify = |path: &str| -> Vec<String> {
        let batch: SqsEvent = event(path);
        batch
            .records
            .iter()
            .map(|m| {
                match parse_body(m.message_id.as_deref().unwrap(), m.body.as_deref().unwrap()) {
                    Ok(Notification::Uploads(u)) => format!("upload {}", u[0].roll),
                    Ok(Notification::TestEvent) => "test".to_string(),
                    Ok(Notification::Ignored(_)) => "ignored".to_string(),
                    Err(e) => e.name().to_string(),
                }
            })
            .collect()
    };
    assert_eq!(classify("starter/sqs-s3-upload.json"), ["upload A001"]);
    assert_eq!(classify("starter/sqs-test-event.json"), ["test"]);
    assert_eq!(
        classify("starter/sqs-mixed-batch.json"),
        ["upload B002", "test", "Rushes.BadInput", "Rushes.BadInput"]
    );
}

#[test]
fn conform_trim_events_cover_its_three_actions() {
    use rushes_conform_trim::Input;
    let Input::Plan(plan) = event("conform-trim/plan.json") else {
        panic!("plan.json is not a plan");
    };
    assert_eq!(plan.package, "reel1_v3");
    let Input::Copy(copy) = event("conform-trim/copy-batch.json") else {
        panic!("copy-batch.json is not a copy");
    };
    assert_eq!(copy.execution, plan.execution);
    assert_eq!(copy.batch, 3);
    let Input::Seal(seal) = event("conform-trim/seal.json") else {
        panic!("seal.json is not a seal");
    };
    assert_eq!(seal.package, plan.package);
}

#[test]
fn edl_events_take_a_clip_list_or_catalogued_rolls() {
    let listed: rushes_edl::Input = event("edl/match-cut.json");
    assert!(listed.clips.is_some() && listed.rolls.is_empty());
    let rolls: rushes_edl::Input = event("edl/match-rolls.json");
    assert!(rolls.clips.is_none());
    assert_eq!(rolls.rolls, ["A001", "B001"]);
    assert!(rolls.timecode_only);
}
