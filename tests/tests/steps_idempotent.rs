//! Every step is idempotent: the same input twice gives the same output and catalog state, and
//! custody never appends a second generation for one execution.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rushes_cli::commands::ingest::ingest;
use rushes_cli::commands::sample_card::write_card;
use rushes_cli::local::Library;
use rushes_common::ObjectKey;
use rushes_engine::sample::CardSpec;

#[test]
fn manifest_checksum_and_custody_are_idempotent() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = write_card(&tmp.path().join("card"), &CardSpec::default(), false).unwrap();
    let roll = plan.roll_names()[0].to_string();
    let rolls = vec![tmp.path().join("card").join(&roll)];
    let library_dir = tmp.path().join("library");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let report = rt.block_on(ingest(&rolls, &library_dir, false)).unwrap();
    assert_eq!(report.rolls[0].status, "verified");
    let library = Library::open(&library_dir).unwrap();
    let ports = library.ports();
    let prefix = ObjectKey::new(format!("rolls/{roll}")).unwrap();

    rt.block_on(async {
        let input = rushes_manifest::Input {
            roll: roll.clone(),
            prefix: prefix.clone(),
        };
        let manifest = rushes_manifest::handle(ports.clone(), input.clone())
            .await
            .unwrap();
        assert_eq!(
            manifest,
            rushes_manifest::handle(ports.clone(), input).await.unwrap()
        );

        let mut checksums = Vec::new();
        for file in &manifest.files {
            let input = rushes_checksum::Input {
                roll: roll.clone(),
                path: file.path.clone(),
                key: file.key.clone(),
                size: file.size,
                formats: manifest.formats.clone(),
                expected: file.expected.clone(),
                offset: 0,
                state: None,
                max_bytes_per_call: None,
            };
            let once = rushes_checksum::handle(ports.clone(), input.clone())
                .await
                .unwrap();
            let twice = rushes_checksum::handle(ports.clone(), input).await.unwrap();
            assert_eq!(once, twice);
            checksums.push(once);
        }

        let custody_input = rushes_custody::Input {
            roll: roll.clone(),
            prefix: prefix.clone(),
            execution: "exec-idempotent-1".into(),
            started_at: None,
            manifest: manifest.clone(),
            checksums,
            hostname: Some("test".into()),
        };
        let first = rushes_custody::handle(ports.clone(), custody_input.clone())
            .await
            .unwrap();
        let objects_after_first = ports.library.list(&prefix).await.unwrap();
        let second = rushes_custody::handle(ports.clone(), custody_input)
            .await
            .unwrap();
        assert_eq!(first, second);
        assert_eq!(first.status, "verified");
        assert!(
            first
                .generation
                .as_deref()
                .unwrap()
                .contains("/ascmhl/0003_")
        );
        let objects_after_second = ports.library.list(&prefix).await.unwrap();
        assert_eq!(
            objects_after_first, objects_after_second,
            "no second generation"
        );
    });
}
