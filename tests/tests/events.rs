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
fn manifest_event_names_a_roll() {
    let input: rushes_manifest::Input = event("manifest/roll.json");
    assert_eq!(input.roll, "A001");
    assert_eq!(input.prefix.as_str(), "rolls/A001");
}

#[test]
fn checksum_events_cover_a_fresh_file_and_a_resumed_one() {
    let whole: rushes_checksum::Input = event("checksum/whole-file.json");
    assert_eq!(whole.offset, 0);
    assert!(whole.state.is_none() && !whole.expected.is_empty());
    let resume: rushes_checksum::Input = event("checksum/resume-chunk.json");
    assert!(
        resume.offset > 0 && resume.offset < resume.size,
        "{}",
        resume.offset
    );
    assert!(resume.state.is_some());
}

#[test]
fn custody_events_cover_success_and_an_altered_file() {
    let ok: rushes_custody::Input = event("custody/verified.json");
    let bad: rushes_custody::Input = event("custody/with-failure.json");
    let verdicts = |input: &rushes_custody::Input| -> Vec<String> {
        serde_json::to_value(&input.checksums)
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["verdict"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(verdicts(&ok).iter().all(|v| v == "verified"));
    assert!(verdicts(&bad).iter().any(|v| v == "failed"));
    assert_eq!(ok.manifest.files.len(), ok.checksums.len());
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
