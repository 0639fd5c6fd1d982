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
        let execution = "exec-idempotent-1".to_string();
        let input = rushes_manifest::Input {
            roll: roll.clone(),
            prefix: prefix.clone(),
            execution: execution.clone(),
        };
        let manifest = rushes_manifest::handle(ports.clone(), input.clone())
            .await
            .unwrap();
        assert_eq!(
            manifest,
            rushes_manifest::handle(ports.clone(), input).await.unwrap()
        );
        assert!(!manifest.batches.is_empty());

        let mut checksums = Vec::new();
        for batch in &manifest.batches {
            let input = rushes_checksum::Input {
                roll: roll.clone(),
                execution: execution.clone(),
                formats: manifest.formats.clone(),
                batch: batch.clone(),
                cursor: None,
                max_bytes_per_call: None,
            };
            let once = rushes_checksum::handle(ports.clone(), input.clone())
                .await
                .unwrap();
            let twice = rushes_checksum::handle(ports.clone(), input).await.unwrap();
            assert_eq!(once, twice);
            assert!(once.done);
            checksums.push(rushes_checksum::BatchSummary {
                batch: once.batch.index,
                done: once.done,
                counts: once.counts,
            });
        }

        let custody_input = rushes_custody::Input {
            roll: roll.clone(),
            prefix: prefix.clone(),
            execution,
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

#[test]
fn custody_refuses_an_incomplete_or_foreign_run_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = write_card(&tmp.path().join("card"), &CardSpec::default(), false).unwrap();
    let roll = plan.roll_names()[0].to_string();
    let rolls = vec![tmp.path().join("card").join(&roll)];
    let library_dir = tmp.path().join("library");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(ingest(&rolls, &library_dir, false)).unwrap();
    let library = Library::open(&library_dir).unwrap();
    let ports = library.ports();
    let prefix = ObjectKey::new(format!("rolls/{roll}")).unwrap();

    rt.block_on(async {
        let execution = "exec-partial-1".to_string();
        let manifest = rushes_manifest::handle(
            ports.clone(),
            rushes_manifest::Input {
                roll: roll.clone(),
                prefix: prefix.clone(),
                execution: execution.clone(),
            },
        )
        .await
        .unwrap();
        // One call with a tiny budget: the first batch is only partly hashed.
        let partial = rushes_checksum::handle(
            ports.clone(),
            rushes_checksum::Input {
                roll: roll.clone(),
                execution: execution.clone(),
                formats: manifest.formats.clone(),
                batch: manifest.batches[0].clone(),
                cursor: None,
                max_bytes_per_call: Some(1024),
            },
        )
        .await
        .unwrap();
        assert!(!partial.done);
        let objects_before = ports.library.list(&prefix).await.unwrap();
        let roll_before = ports
            .catalog
            .get(&format!("ROLL#{roll}"), "ROLL")
            .await
            .unwrap();

        let input = rushes_custody::Input {
            roll: roll.clone(),
            prefix: prefix.clone(),
            execution: execution.clone(),
            started_at: None,
            manifest: manifest.clone(),
            checksums: manifest
                .batches
                .iter()
                .map(|b| rushes_checksum::BatchSummary {
                    batch: b.index,
                    done: true,
                    counts: Default::default(),
                })
                .collect(),
            hostname: None,
        };
        let err = rushes_custody::handle(ports.clone(), input.clone())
            .await
            .unwrap_err();
        assert_eq!(err.name(), "Rushes.BadInput");
        assert!(err.to_string().contains("not completely hashed"), "{err}");

        // A summary missing for a batch.
        let mut missing = input.clone();
        missing.checksums.clear();
        let err = rushes_custody::handle(ports.clone(), missing)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no checksum result"), "{err}");

        // Another execution's plan.
        let mut foreign = input;
        foreign.execution = "exec-other".into();
        let err = rushes_custody::handle(ports.clone(), foreign)
            .await
            .unwrap_err();
        assert_eq!(err.name(), "Rushes.BadInput");

        assert_eq!(objects_before, ports.library.list(&prefix).await.unwrap());
        assert_eq!(
            roll_before,
            ports
                .catalog
                .get(&format!("ROLL#{roll}"), "ROLL")
                .await
                .unwrap()
        );
    });
}
