//! AWS protocol test against a local moto server: the S3 and DynamoDB adapters, the S3 -> SQS
//! notification feeding the starter, Step Functions executions started idempotently, and the ingest
//! definition run by the local ASL runner over the real step handlers (called through the same
//! JSON boundary and error mapping as the Lambda wrapper) against S3 and DynamoDB in moto.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_sdk_s3::config::{Credentials, Region};
use rushes_cli::asl::{
    ExecOptions, ExecutionStatus, StateMachine, TaskContext, TaskFailure, TaskInvoker,
};
use rushes_common::catalog_dynamo::DynamoCatalog;
use rushes_common::store_s3::{MIN_PART_SIZE, S3Store};
use rushes_common::{
    Catalog, CatalogItem, Config, Error, ObjectKey, ObjectStore, Ports, PutMode, aws,
};
use rushes_starter::{ExecutionStarter, Notification, SfnStarter, StartOutcome, parse_body};
use rushes_tests::{ref_tool, skip, workspace_root};
use serde_json::{Value, json};

const LIBRARY: &str = "rushes-library-test";
const ARCHIVE: &str = "rushes-archive-test";
const TABLE: &str = "rushes-catalog-test";
const QUEUE: &str = "rushes-ingest-test";
const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

/// A moto server on 127.0.0.1, killed when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_moto(tool: &Path) -> Moto {
    let port = free_port();
    let child = Command::new(tool)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto_server did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

async fn sdk(url: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .endpoint_url(url)
        .load()
        .await
}

fn config(url: &str) -> Config {
    let pairs = [
        ("RUSHES_LIBRARY_BUCKET", LIBRARY),
        ("RUSHES_ARCHIVE_BUCKET", ARCHIVE),
        ("RUSHES_CATALOG_TABLE", TABLE),
        ("RUSHES_AWS_ENDPOINT_URL", url),
        ("RUSHES_S3_PATH_STYLE", "true"),
    ];
    Config::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap()
}

async fn create_resources(sdk: &SdkConfig, cfg: &Config) -> String {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    let s3 = aws::s3_client(sdk, cfg);
    for bucket in [LIBRARY, ARCHIVE] {
        s3.create_bucket().bucket(bucket).send().await.unwrap();
    }
    let mut table = aws::dynamodb_client(sdk)
        .create_table()
        .table_name(TABLE)
        .billing_mode(BillingMode::PayPerRequest);
    for (name, kind) in [("pk", KeyType::Hash), ("sk", KeyType::Range)] {
        table = table
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(name)
                    .key_type(kind)
                    .build()
                    .unwrap(),
            );
    }
    table.send().await.unwrap();
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let url = sqs.create_queue().queue_name(QUEUE).send().await.unwrap();
    url.queue_url().unwrap().to_string()
}

fn key(s: &str) -> ObjectKey {
    ObjectKey::new(s).unwrap()
}

/// Writes a small roll (one file larger than an S3 part) and its ASC MHL history made by ascmhl.
fn make_roll(dir: &Path, roll: &str, ascmhl: &Path) {
    let root = dir.join(roll);
    let clip = root.join(format!("{roll}C001"));
    std::fs::create_dir_all(&clip).unwrap();
    std::fs::create_dir_all(root.join("sound")).unwrap();
    let big: Vec<u8> = (0..MIN_PART_SIZE + 1_234_567)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    std::fs::write(clip.join(format!("{roll}C001_0001001.dng")), &big).unwrap();
    std::fs::write(
        clip.join(format!("{roll}C001_0001002.dng")),
        format!("frame two of {roll}"),
    )
    .unwrap();
    std::fs::write(
        root.join("sound/SC12_T01.WAV"),
        b"RIFF....WAVE sound of the take",
    )
    .unwrap();
    let out = Command::new(ascmhl)
        .args(["create", "-h", "xxh64"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ascmhl create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Uploads every file under `dir/<roll>` to `rolls/<roll>/...` through the adapter's streamed
/// uploads (multipart for the big file).
async fn upload_roll(store: &S3Store, dir: &Path, roll: &str) -> usize {
    let root = dir.join(roll);
    let mut stack = vec![root.clone()];
    let mut count = 0;
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(&path).unwrap();
            let mut up = store
                .start_upload(&key(&format!("rolls/{roll}/{rel}")))
                .await
                .unwrap();
            for chunk in bytes.chunks(1 << 20) {
                up.write(chunk).await.unwrap();
            }
            assert_eq!(up.complete().await.unwrap().size, bytes.len() as u64);
            count += 1;
        }
    }
    count
}

/// Every object under `prefix` with its ETag.
async fn etags(s3: &aws_sdk_s3::Client, prefix: &str) -> BTreeMap<String, String> {
    let page = s3
        .list_objects_v2()
        .bucket(LIBRARY)
        .prefix(prefix)
        .send()
        .await
        .unwrap();
    page.contents()
        .iter()
        .map(|o| (o.key().unwrap().to_string(), o.e_tag().unwrap().to_string()))
        .collect()
}

/// Receives the queue's messages until one mentions `marker`; returns them as an SQS batch.
async fn receive_until(sqs: &aws_sdk_sqs::Client, queue: &str, marker: &str) -> SqsEvent {
    let mut event = SqsEvent::default();
    let deadline = Instant::now() + Duration::from_secs(20);
    // S3 leaves `/` as is in notification keys, moto encodes it as %2F: compare decoded keys.
    let names_marker = |m: &SqsMessage| {
        let id = m.message_id.as_deref().unwrap_or("");
        matches!(parse_body(id, m.body.as_deref().unwrap_or("")),
            Ok(Notification::Uploads(u)) if u.iter().any(|u| u.key == marker))
    };
    while !event.records.iter().any(names_marker) {
        assert!(
            Instant::now() < deadline,
            "no notification for {marker} reached the queue: {:?}",
            event
                .records
                .iter()
                .map(|m| m.body.clone())
                .collect::<Vec<_>>()
        );
        let out = sqs
            .receive_message()
            .queue_url(queue)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for m in out.messages() {
            let mut msg = SqsMessage::default();
            msg.message_id = m.message_id().map(str::to_string);
            msg.body = m.body().map(str::to_string);
            event.records.push(msg);
        }
    }
    event
}

/// Calls the step handlers in-process through the Lambda wrapper's JSON boundary.
struct InProcess {
    ports: Ports,
}

#[async_trait::async_trait]
impl TaskInvoker for InProcess {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        _ctx: &TaskContext,
    ) -> Result<Value, TaskFailure> {
        let ports = self.ports.clone();
        let function = resource.rsplit(':').next().unwrap_or_default();
        let result = match function {
            "rushes-manifest" => {
                rushes_common::lambda::invoke(&rushes_manifest::handle, ports, input).await
            }
            "rushes-checksum" => {
                rushes_common::lambda::invoke(&rushes_checksum::handle, ports, input).await
            }
            "rushes-custody" => {
                rushes_common::lambda::invoke(&rushes_custody::handle, ports, input).await
            }
            other => {
                return Err(TaskFailure::new(
                    "States.TaskFailed",
                    format!("unknown function {other}"),
                ));
            }
        };
        result.map_err(|d| TaskFailure::new(d.error_type, d.error_message))
    }
}

fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

fn substitutions() -> HashMap<String, String> {
    HashMap::from([
        (
            "ManifestFunctionArn".to_string(),
            function_arn("rushes-manifest"),
        ),
        (
            "ChecksumFunctionArn".to_string(),
            function_arn("rushes-checksum"),
        ),
        (
            "CustodyFunctionArn".to_string(),
            function_arn("rushes-custody"),
        ),
    ])
}

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
    let invoker: Arc<dyn TaskInvoker> = Arc::new(InProcess {
        ports: ports.clone(),
    });

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
    let before_a = etags(&s3, "rolls/A001/").await;
    let run = machine
        .execute(
            &name,
            json!({"roll": "A001", "prefix": "rolls/A001"}),
            invoker.clone(),
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
            invoker,
            ExecOptions::default(),
        )
        .await;
    match &run.status {
        ExecutionStatus::Failed { error, .. } => assert_eq!(error, "Rushes.VerificationFailed"),
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

async fn notify_queue(s3: &aws_sdk_s3::Client, queue_arn: &str) {
    use aws_sdk_s3::types::{
        Event, FilterRule, FilterRuleName, NotificationConfiguration,
        NotificationConfigurationFilter, QueueConfiguration, S3KeyFilter,
    };
    let filter = S3KeyFilter::builder()
        .filter_rules(
            FilterRule::builder()
                .name(FilterRuleName::Prefix)
                .value("uploads/")
                .build(),
        )
        .filter_rules(
            FilterRule::builder()
                .name(FilterRuleName::Suffix)
                .value(".json")
                .build(),
        )
        .build();
    let queue = QueueConfiguration::builder()
        .queue_arn(queue_arn)
        .events(Event::S3ObjectCreated)
        .filter(
            NotificationConfigurationFilter::builder()
                .key(filter)
                .build(),
        )
        .build()
        .unwrap();
    s3.put_bucket_notification_configuration()
        .bucket(LIBRARY)
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(queue)
                .build(),
        )
        .send()
        .await
        .unwrap();
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
