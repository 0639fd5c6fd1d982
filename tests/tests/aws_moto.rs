//! AWS protocol test against a local moto server: the S3 and DynamoDB adapters, the S3 -> SQS
//! notification feeding the starter, Step Functions executions started idempotently, and the ingest
//! definition run by the local ASL runner over the real step handlers (called through the same
//! JSON boundary and error mapping as the Lambda wrapper) against S3 and DynamoDB in moto.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aws_support;

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_support::*;
use rushes_cli::asl::{ExecOptions, ExecutionStatus, StateMachine, TaskInvoker};
use rushes_common::catalog_dynamo::DynamoCatalog;
use rushes_common::store_s3::{MIN_PART_SIZE, S3Store};
use rushes_common::{Catalog, CatalogItem, Error, ObjectStore, PutMode, aws};
use rushes_starter::{ExecutionStarter, SfnStarter, StartOutcome};
use rushes_tests::{ref_tool, skip, workspace_root};
use serde_json::{Value, json};

async fn adapters_behave_like_the_ports(store: &S3Store, catalog: &DynamoCatalog) {
    // Conditional writes: originals are never replaced, derived documents may be.
    let k = key("adapter-check/doc.json");
    store
        .put(&k, b"one".to_vec(), PutMode::CreateNew)
        .await
        .unwrap();
    let again = store
        .put(&k, b"two".to_vec(), PutMode::CreateNew)
        .await
        .unwrap_err();
    assert!(matches!(again, Error::AlreadyExists { .. }), "{again}");
    assert_eq!(store.read_range(&k, 0, 10).await.unwrap(), b"one");
    store
        .put(&k, b"three".to_vec(), PutMode::Overwrite)
        .await
        .unwrap();
    assert_eq!(store.read_range(&k, 1, 3).await.unwrap(), b"hre");
    assert!(store.read_range(&k, 50, 10).await.unwrap().is_empty());
    assert!(matches!(
        store
            .read_range(&key("adapter-check/none"), 0, 1)
            .await
            .unwrap_err(),
        Error::NotFound(_)
    ));
    assert!(
        store
            .head(&key("adapter-check/none"))
            .await
            .unwrap()
            .is_none()
    );
    // A multipart upload racing a put of the same key: completing must not replace it.
    let raced = key("adapter-check/raced.bin");
    let mut up = store.start_upload(&raced).await.unwrap();
    up.write(&vec![7u8; MIN_PART_SIZE + 10]).await.unwrap();
    store
        .put(&raced, b"first".to_vec(), PutMode::CreateNew)
        .await
        .unwrap();
    let lost = up.complete().await.unwrap_err();
    assert!(matches!(lost, Error::AlreadyExists { .. }), "{lost}");
    assert_eq!(store.read_range(&raced, 0, 100).await.unwrap(), b"first");
    // An aborted upload leaves nothing.
    let gone = key("adapter-check/aborted.bin");
    let mut up = store.start_upload(&gone).await.unwrap();
    up.write(&vec![1u8; MIN_PART_SIZE + 1]).await.unwrap();
    up.abort().await.unwrap();
    assert!(store.head(&gone).await.unwrap().is_none());
    let listed: Vec<String> = store
        .list(&key("adapter-check"))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key.to_string())
        .collect();
    assert_eq!(
        listed,
        ["adapter-check/doc.json", "adapter-check/raced.bin"]
    );

    // The catalog: more than one batch, upserts, prefix queries, exact gets.
    let items: Vec<CatalogItem> = (0..60)
        .map(|i| CatalogItem {
            pk: "ROLL#Z999".into(),
            sk: format!("FILE#{i:03}"),
            body: json!({ "n": i }),
        })
        .chain([CatalogItem {
            pk: "ROLL#Z999".into(),
            sk: "ROLL".into(),
            body: json!({ "status": "x" }),
        }])
        .collect();
    catalog.put_all(&items).await.unwrap();
    let mut updated = items[5].clone();
    updated.body = json!({ "n": 500 });
    catalog.put_all(&[updated.clone()]).await.unwrap();
    let files = catalog.query("ROLL#Z999", "FILE#").await.unwrap();
    assert_eq!(files.len(), 60);
    assert_eq!(files[5], updated);
    assert_eq!(catalog.query("ROLL#Z999", "").await.unwrap().len(), 61);
    assert!(
        catalog
            .query("ROLL#NONE", "FILE#")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        catalog
            .get("ROLL#Z999", "ROLL")
            .await
            .unwrap()
            .unwrap()
            .body["status"],
        "x"
    );
    assert!(catalog.get("ROLL#Z999", "FILE#").await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_runs_end_to_end_against_moto() {
    let test = "ingest_runs_end_to_end_against_moto";
    let (Some(moto_tool), Some(ascmhl)) = (ref_tool("moto_server"), ref_tool("ascmhl")) else {
        return skip(test, "moto_server or ascmhl is not in the reference venv");
    };
    let moto = start_moto(&moto_tool);
    let sdk = sdk(&moto.url).await;
    let cfg = config(&moto.url);
    let queue = create_resources(&sdk, &cfg).await;
    let s3 = aws::s3_client(&sdk, &cfg);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let sfn = aws_sdk_sfn::Client::new(&sdk);
    let ports = aws::ports_from(&sdk, &cfg).unwrap();
    let store = S3Store::new(s3.clone(), LIBRARY).with_part_size(MIN_PART_SIZE);
    adapters_behave_like_the_ports(
        &store,
        &DynamoCatalog::new(aws::dynamodb_client(&sdk), TABLE),
    )
    .await;

    // Two rolls uploaded with multipart uploads; B001 gets one byte flipped after its MHL was made.
    let dir = tempfile::tempdir().unwrap();
    make_roll(dir.path(), "A001", &ascmhl);
    make_roll(dir.path(), "B001", &ascmhl);
    let altered = dir.path().join("B001/B001C001/B001C001_0001002.dng");
    let mut bytes = std::fs::read(&altered).unwrap();
    bytes[3] ^= 0x20;
    std::fs::write(&altered, bytes).unwrap();
    assert_eq!(upload_roll(&store, dir.path(), "A001").await, 5);
    assert_eq!(upload_roll(&store, dir.path(), "B001").await, 5);
    let big = s3
        .head_object()
        .bucket(LIBRARY)
        .key("rolls/A001/A001C001/A001C001_0001001.dng")
        .send()
        .await
        .unwrap();
    assert!(
        big.e_tag().unwrap().ends_with("-2\""),
        "not multipart: {:?}",
        big.e_tag()
    );

    // S3 -> SQS notifications for the markers (moto delivers them itself).
    let queue_arn = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}");
    notify_queue(&s3, &queue_arn).await;
    let definition =
        std::fs::read_to_string(workspace_root().join("statemachines/ingest.asl.json")).unwrap();
    let substituted = rushes_cli::asl::apply_substitutions(&definition, &substitutions()).unwrap();
    let machine_arn = sfn
        .create_state_machine()
        .name("rushes-ingest-test")
        .definition(&substituted)
        .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/rushes-ingest"))
        .send()
        .await
        .unwrap()
        .state_machine_arn()
        .to_string();
    let starter = SfnStarter::new(sfn.clone(), &machine_arn);
    let machine = StateMachine::from_json_with_substitutions(
        "rushes-ingest-test",
        &definition,
        &substitutions(),
    )
    .unwrap();
    let in_process: Arc<dyn TaskInvoker> = Arc::new(InProcess {
        ports: ports.clone(),
    });
    // A001 runs through the real Lambda binaries and runtime API (`cargo lambda watch`), B001
    // through the same handlers in-process; without cargo-lambda both run in-process.
    let watch = ref_tool("cargo-lambda")
        .map(|tool| start_lambda_watch(&tool, &workspace_root(), &moto.url, &machine_arn));
    let lambda_api: Arc<dyn TaskInvoker> = match &watch {
        Some(w) => {
            // Failures reach the caller under their stable names through the runtime API.
            let (status, body) = tokio::task::spawn_blocking({
                let port = w.port;
                move || invoke_http(port, "manifest", &json!({"reel": 1}))
            })
            .await
            .unwrap();
            assert_ne!(status, 200, "{body}");
            assert_eq!(body["errorType"], "Rushes.BadInput", "{body}");
            Arc::new(OverLambdaApi { port: w.port })
        }
        None => {
            eprintln!(
                "NOTE {test}: cargo-lambda is not in the reference venv; A001 runs in-process"
            );
            in_process.clone()
        }
    };

    // ---- A001: clean roll.
    ports
        .library
        .put(
            &key("uploads/A001.json"),
            br#"{"roll": "A001", "prefix": "rolls/A001"}"#.to_vec(),
            PutMode::CreateNew,
        )
        .await
        .unwrap();
    let name = start_from_queue(&sqs, &queue, &starter, &sfn, &machine_arn, "A001").await;
    if let Some(w) = &watch {
        starter_binary_answers_with_partial_batches(w.port, &sfn, &machine_arn).await;
    }
    let before_a = etags(&s3, "rolls/A001/").await;
    let run = machine
        .execute(
            &name,
            json!({"roll": "A001", "prefix": "rolls/A001"}),
            lambda_api,
            ExecOptions::default(),
        )
        .await;
    assert!(run.succeeded(), "A001 ingest failed: {:?}", run.status);
    assert_eq!(run.output.as_ref().unwrap()["status"], "verified");
    let files = ports.catalog.query("ROLL#A001", "FILE#").await.unwrap();
    let statuses: BTreeMap<String, String> = files
        .iter()
        .map(|f| {
            (
                f.sk.clone(),
                f.body["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(statuses.len(), 3, "{statuses:?}");
    assert!(statuses.values().all(|s| s == "verified"), "{statuses:?}");
    let roll = ports
        .catalog
        .get("ROLL#A001", "ROLL")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(roll.body["status"], "verified");
    let after_a = etags(&s3, "rolls/A001/").await;
    let new_keys: Vec<&String> = after_a
        .keys()
        .filter(|k| !before_a.contains_key(*k))
        .collect();
    assert!(
        new_keys
            .iter()
            .any(|k| k.starts_with("rolls/A001/ascmhl/0002_") && k.ends_with(".mhl")),
        "no new MHL generation: {new_keys:?}"
    );
    assert_unchanged(&before_a, &after_a);
    let chain = ports
        .library
        .read_small(&key("rolls/A001/ascmhl/ascmhl_chain.xml"), 1 << 20)
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&chain).contains("0002_"),
        "chain does not list the new generation"
    );
    let report = ports
        .library
        .read_small(&key(&format!("reports/A001/{name}.json")), 1 << 20)
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&report).unwrap()["status"],
        "verified"
    );

    // ---- B001: one altered file.
    ports
        .library
        .put(
            &key("uploads/B001.json"),
            br#"{"roll": "B001", "prefix": "rolls/B001"}"#.to_vec(),
            PutMode::CreateNew,
        )
        .await
        .unwrap();
    let name = start_from_queue(&sqs, &queue, &starter, &sfn, &machine_arn, "B001").await;
    let before_b = etags(&s3, "rolls/B001/").await;
    let run = machine
        .execute(
            &name,
            json!({"roll": "B001", "prefix": "rolls/B001"}),
            in_process,
            ExecOptions::default(),
        )
        .await;
    match &run.status {
        ExecutionStatus::Failed { error, cause } => {
            assert_eq!(
                error, "Rushes.VerificationFailed",
                "{cause}\n{:#?}",
                run.history
            )
        }
        other => panic!("B001 should fail verification, got {other:?}"),
    }
    let file = ports
        .catalog
        .get("ROLL#B001", "FILE#B001C001/B001C001_0001002.dng")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(file.body["status"], "failed", "{}", file.body);
    let ok = ports
        .catalog
        .get("ROLL#B001", "FILE#B001C001/B001C001_0001001.dng")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ok.body["status"], "verified");
    assert_eq!(
        ports
            .catalog
            .get("ROLL#B001", "ROLL")
            .await
            .unwrap()
            .unwrap()
            .body["status"],
        "failed"
    );
    let report = ports
        .library
        .read_small(&key(&format!("reports/B001/{name}.json")), 1 << 20)
        .await
        .unwrap();
    let report: Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(report["status"], "failed");
    assert!(report.to_string().contains("B001C001_0001002.dng"));
    assert_unchanged(&before_b, &etags(&s3, "rolls/B001/").await);
    // Nothing of A001 was touched by B001's run either.
    assert_eq!(etags(&s3, "rolls/A001/").await, after_a);
    drop(watch);
    drop(moto);
}

/// Every object present before is still there with the same ETag (nothing deleted or replaced),
/// except the MHL chain file, which lists the generations and so grows with each new one.
fn assert_unchanged(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) {
    for (k, etag) in before {
        if k.ends_with("/ascmhl/ascmhl_chain.xml") {
            assert!(after.contains_key(k), "{k} was deleted");
            continue;
        }
        assert_eq!(after.get(k), Some(etag), "{k} was deleted or overwritten");
    }
}

/// The starter's Lambda binary, through the runtime API: the sample batches give the expected
/// partial-batch responses and the good message of the mixed batch starts its execution.
async fn starter_binary_answers_with_partial_batches(
    port: u16,
    sfn: &aws_sdk_sfn::Client,
    machine_arn: &str,
) {
    let sample = |name: &str| -> Value {
        let path = workspace_root().join("events/starter").join(name);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let call =
        |event: Value| tokio::task::spawn_blocking(move || invoke_http(port, "starter", &event));
    let (status, body) = call(sample("sqs-test-event.json")).await.unwrap();
    assert_eq!((status, &body), (200, &json!({"batchItemFailures": []})));
    let mixed = sample("sqs-mixed-batch.json");
    let ids: Vec<Value> = mixed["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["messageId"].clone())
        .collect();
    let (status, body) = call(mixed).await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"batchItemFailures": [{"itemIdentifier": ids[2]}, {"itemIdentifier": ids[3]}]})
    );
    let listed = sfn
        .list_executions()
        .state_machine_arn(machine_arn)
        .send()
        .await
        .unwrap();
    let mut b002 = 0;
    for exec in listed.executions() {
        let described = sfn
            .describe_execution()
            .execution_arn(exec.execution_arn())
            .send()
            .await
            .unwrap();
        let input: Value = serde_json::from_str(described.input().unwrap_or("null")).unwrap();
        if input["roll"] == "B002" {
            assert_eq!(input, json!({"roll": "B002", "prefix": "rolls/B002"}));
            b002 += 1;
        }
    }
    assert_eq!(b002, 1);
}

/// Feeds the queue's notifications to the starter (twice, as a redelivery would), checks that
/// exactly one execution of the roll exists in Step Functions with the right input, and returns
/// its name.
async fn start_from_queue(
    sqs: &aws_sdk_sqs::Client,
    queue: &str,
    starter: &SfnStarter,
    sfn: &aws_sdk_sfn::Client,
    machine_arn: &str,
    roll: &str,
) -> String {
    let batch = receive_until(sqs, queue, &format!("uploads/{roll}.json")).await;
    let ours: Vec<SqsMessage> = batch
        .records
        .into_iter()
        .filter(|m| {
            let body = m.body.as_deref().unwrap_or("");
            body.contains("s3:TestEvent") || body.contains("uploads")
        })
        .collect();
    let mut event = SqsEvent::default();
    event.records = ours;
    let response = rushes_starter::handle(starter, event.clone())
        .await
        .unwrap();
    assert!(
        response.batch_item_failures.is_empty(),
        "{:?}",
        response.batch_item_failures
    );
    let redelivered = rushes_starter::handle(starter, event).await.unwrap();
    assert!(redelivered.batch_item_failures.is_empty());
    let listed = sfn
        .list_executions()
        .state_machine_arn(machine_arn)
        .send()
        .await
        .unwrap();
    let mut found = Vec::new();
    for exec in listed.executions() {
        let described = sfn
            .describe_execution()
            .execution_arn(exec.execution_arn())
            .send()
            .await
            .unwrap();
        let input: Value = serde_json::from_str(described.input().unwrap_or("null")).unwrap();
        if input["roll"] == roll {
            assert_eq!(
                input,
                json!({"roll": roll, "prefix": format!("rolls/{roll}")})
            );
            found.push(exec.name().to_string());
        }
    }
    assert_eq!(found.len(), 1, "executions of {roll}: {found:?}");
    // The same name and input again is accepted (idempotent); the same name with another input
    // is ExecutionAlreadyExists, which the starter reports as already started, not as a failure.
    let input = json!({"roll": roll, "prefix": format!("rolls/{roll}")});
    starter.start(&found[0], &input).await.unwrap();
    let other = starter
        .start(&found[0], &json!({"roll": roll, "prefix": "elsewhere"}))
        .await
        .unwrap();
    assert_eq!(other, StartOutcome::AlreadyExists);
    found.remove(0)
}
