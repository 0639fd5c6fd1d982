//! Bad and hostile input for the AMF and CDL readers: every truncation and many random byte
//! corruptions of the example AMFs give an error or a valid document, never a panic; every
//! transform ID of the examples either resolves or fails as an unsupported transform naming it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::{Rng, SeedableRng};
use rushes_engine::Error;
use rushes_engine::amf::Amf;
use rushes_engine::cdl::CdlDocument;
use rushes_test_support::{shared_data, skip_no_data};

fn example_texts() -> Option<Vec<(String, Vec<u8>)>> {
    let dir = shared_data("amf")?.join("examples");
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "amf") {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    Some(out)
}

#[test]
fn every_truncation_of_the_examples_is_an_error_not_a_panic() {
    let Some(examples) = example_texts() else {
        skip_no_data(
            "every_truncation_of_the_examples_is_an_error_not_a_panic",
            "amf",
        );
        return;
    };
    for (name, bytes) in examples.iter().take(8) {
        let end = bytes
            .iter()
            .rposition(|b| *b == b'>')
            .unwrap_or(bytes.len());
        for cut in 0..end {
            match Amf::parse(name, &bytes[..cut]) {
                Err(Error::AmfInvalid { .. }) => {}
                other => panic!("{name} cut at {cut}: {other:?}"),
            }
        }
    }
}

#[test]
fn random_corruptions_never_panic() {
    let Some(examples) = example_texts() else {
        skip_no_data("random_corruptions_never_panic", "amf");
        return;
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let (mut rejected, mut accepted) = (0, 0);
    for (name, bytes) in &examples {
        for _ in 0..40 {
            let mut b = bytes.clone();
            for _ in 0..rng.random_range(1..4) {
                let i = rng.random_range(0..b.len());
                b[i] = rng.random();
            }
            match Amf::parse(name, &b) {
                Ok(_) => accepted += 1,
                Err(Error::AmfInvalid { input, .. }) => {
                    assert_eq!(&input, name);
                    rejected += 1;
                }
                Err(other) => panic!("{name}: unexpected error kind {other:?}"),
            }
            // The CDL reader sees the same hostile bytes.
            let _ = CdlDocument::parse(name, &b);
        }
    }
    eprintln!("{rejected} corrupted documents rejected, {accepted} still valid");
    assert!(rejected > accepted);
}

#[test]
fn example_transform_ids_resolve_or_are_named_as_unsupported() {
    let Some(examples) = example_texts() else {
        skip_no_data(
            "example_transform_ids_resolve_or_are_named_as_unsupported",
            "amf",
        );
        return;
    };
    let (mut planned, mut unsupported) = (0, 0);
    for (name, bytes) in &examples {
        let amf = Amf::parse(name, bytes).unwrap();
        let text = String::from_utf8_lossy(bytes);
        for pipeline in std::iter::once(&amf.pipeline).chain(&amf.archived_pipelines) {
            match pipeline.plan() {
                Ok(_) => planned += 1,
                Err(Error::UnsupportedTransform { id, reason }) => {
                    assert!(text.contains(&id), "{name}: `{id}` is not in the document");
                    assert!(!reason.is_empty());
                    unsupported += 1;
                }
                Err(other) => panic!("{name}: {other:?}"),
            }
        }
    }
    eprintln!("{planned} pipelines fully resolved, {unsupported} name an unsupported transform");
    // exampleMinimum has no transforms at all; most examples name output transforms rushes
    // does not implement yet.
    assert!(planned >= 1);
    assert!(unsupported >= 100);
}
