//! Helpers of the AWS protocol tests: a moto server and a `cargo lambda watch` runtime as guards
//! that stop their processes when dropped, SDK clients for them, a small roll with its ASC MHL
//! history, and task invokers for the local ASL runner (in-process, or over the Lambda API).

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_sdk_s3::config::{Credentials, Region};
use rushes_cli::asl::{TaskContext, TaskFailure, TaskInvoker};
use rushes_common::store_s3::{MIN_PART_SIZE, S3Store};
use rushes_common::{Config, ObjectKey, ObjectStore, Ports, aws};
use rushes_starter::{Notification, parse_body};
use serde_json::Value;

pub const LIBRARY: &str = "rushes-library-test";
pub const ARCHIVE: &str = "rushes-archive-test";
pub const TABLE: &str = "rushes-catalog-test";
pub const QUEUE: &str = "rushes-ingest-test";
pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// A moto server on 127.0.0.1, killed when dropped.
pub struct Moto {
    child: Child,
    pub url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn start_moto(tool: &Path) -> Moto {
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

pub async fn sdk(url: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .endpoint_url(url)
        .load()
        .await
}

pub fn config(url: &str) -> Config {
    let pairs = [
        ("RUSHES_LIBRARY_BUCKET", LIBRARY),
        ("RUSHES_ARCHIVE_BUCKET", ARCHIVE),
        ("RUSHES_CATALOG_TABLE", TABLE),
        ("RUSHES_AWS_ENDPOINT_URL", url),
        ("RUSHES_S3_PATH_STYLE", "true"),
    ];
    Config::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap()
}

pub async fn create_resources(sdk: &SdkConfig, cfg: &Config) -> String {
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

pub fn key(s: &str) -> ObjectKey {
    ObjectKey::new(s).unwrap()
}

/// Writes a small roll (one file larger than an S3 part) and its ASC MHL history made by ascmhl.
pub fn make_roll(dir: &Path, roll: &str, ascmhl: &Path) {
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
pub async fn upload_roll(store: &S3Store, dir: &Path, roll: &str) -> usize {
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
pub async fn etags(s3: &aws_sdk_s3::Client, prefix: &str) -> BTreeMap<String, String> {
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
pub async fn receive_until(sqs: &aws_sdk_sqs::Client, queue: &str, marker: &str) -> SqsEvent {
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
pub struct InProcess {
    pub ports: Ports,
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
            "rushes-inspect" => {
                rushes_common::lambda::invoke(&rushes_inspect::handle, ports, input).await
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

pub fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
}

pub fn substitutions() -> HashMap<String, String> {
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
        (
            "InspectFunctionArn".to_string(),
            function_arn("rushes-inspect"),
        ),
    ])
}

pub async fn notify_queue(s3: &aws_sdk_s3::Client, queue_arn: &str) {
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

/// `cargo lambda watch` serving the workspace's Lambda binaries (the real Lambda runtime API) on
/// 127.0.0.1, in its own process group so every process it started goes when dropped.
pub struct LambdaWatch {
    child: Child,
    pub port: u16,
}

impl Drop for LambdaWatch {
    fn drop(&mut self) {
        // The whole group: the watcher, the cargo builds and the function processes it runs.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cargo-lambda lambda watch` in the workspace with the functions' environment pointing at
/// moto and at the ingest state machine (for the starter), and waits until it listens.
pub fn start_lambda_watch(
    tool: &Path,
    workspace: &Path,
    moto_url: &str,
    state_machine_arn: &str,
) -> LambdaWatch {
    use std::os::unix::process::CommandExt;
    let port = free_port();
    let child = Command::new(tool)
        .args([
            "lambda",
            "watch",
            "--ignore-changes",
            "-A",
            "127.0.0.1",
            "-P",
        ])
        .arg(port.to_string())
        .current_dir(workspace)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env("RUSHES_LIBRARY_BUCKET", LIBRARY)
        .env("RUSHES_ARCHIVE_BUCKET", ARCHIVE)
        .env("RUSHES_CATALOG_TABLE", TABLE)
        .env("RUSHES_AWS_ENDPOINT_URL", moto_url)
        .env("RUSHES_S3_PATH_STYLE", "true")
        .env("RUSHES_INGEST_STATE_MACHINE_ARN", state_machine_arn)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let watch = LambdaWatch { child, port };
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "cargo lambda watch did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    watch
}

/// POSTs `payload` to the Lambda invoke API of `function`; `(status, body)`. HTTP/1.0 keeps the
/// answer unchunked and the connection closed at its end.
pub fn invoke_http(port: u16, function: &str, payload: &Value) -> (u16, Value) {
    let body = payload.to_string();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // The first call of a function builds its binary.
    stream
        .set_read_timeout(Some(Duration::from_secs(900)))
        .unwrap();
    write!(
        stream,
        "POST /2015-03-31/functions/{function}/invocations HTTP/1.0\r\nHost: 127.0.0.1\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer);
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let value = serde_json::from_str(rest).unwrap_or_else(|_| Value::String(rest.to_string()));
    (status, value)
}

/// Invokes the real Lambda binaries through `cargo lambda watch`.
pub struct OverLambdaApi {
    pub port: u16,
}

#[async_trait::async_trait]
impl TaskInvoker for OverLambdaApi {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        _ctx: &TaskContext,
    ) -> Result<Value, TaskFailure> {
        let binary = match resource.rsplit(':').next().unwrap_or_default() {
            "rushes-manifest" => "manifest",
            "rushes-checksum" => "checksum",
            "rushes-custody" => "custody",
            "rushes-inspect" => "inspect",
            other => {
                return Err(TaskFailure::new(
                    "States.TaskFailed",
                    format!("unknown function {other}"),
                ));
            }
        };
        let port = self.port;
        let (status, body) = tokio::task::spawn_blocking(move || invoke_http(port, binary, &input))
            .await
            .unwrap();
        if status == 200 {
            return Ok(body);
        }
        let error = body["errorType"]
            .as_str()
            .unwrap_or("Lambda.Unknown")
            .to_string();
        Err(TaskFailure::new(error, body.to_string()))
    }
}
