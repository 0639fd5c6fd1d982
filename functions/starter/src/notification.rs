//! Reading S3 "upload complete" notifications out of SQS message bodies: the S3 event shape, the
//! `s3:TestEvent` sent when a notification is configured, and SNS-wrapped copies; marker keys
//! (`uploads/<ROLL>.json`) are URL-decoded and validated, and each upload gets an idempotent
//! execution name.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use rushes_common::{Error, Result};

/// Folder of the "upload complete" markers in the library bucket.
pub const MARKER_PREFIX: &str = "uploads/";
/// Suffix of a marker key.
pub const MARKER_SUFFIX: &str = ".json";
/// Longest roll name.
pub const MAX_ROLL_LEN: usize = 64;
/// Longest Step Functions execution name.
pub const MAX_EXECUTION_NAME: usize = 80;
/// Largest message body we parse (SQS itself caps bodies at 256 KiB; S3 events are ~1-2 KiB).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// One marker object that landed in the library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerUpload {
    /// Bucket that holds it.
    pub bucket: String,
    /// Decoded object key, `uploads/<ROLL>.json`.
    pub key: String,
    /// The roll named by the key.
    pub roll: String,
    /// The object's ETag, when the event carries it.
    pub etag: Option<String>,
    /// The object's version id, when the bucket is versioned.
    pub version_id: Option<String>,
    /// The event's sequencer (orders events of one key), when present.
    pub sequencer: Option<String>,
}

impl MarkerUpload {
    /// Object-key prefix of the roll's files.
    pub fn prefix(&self) -> String {
        format!("rolls/{}", self.roll)
    }

    /// The ingest state machine's input: `{"roll": ..., "prefix": "rolls/<ROLL>"}`.
    pub fn execution_input(&self) -> serde_json::Value {
        serde_json::json!({ "roll": self.roll, "prefix": self.prefix() })
    }

    /// A Step Functions execution name that is the same for every delivery of this upload's
    /// notification and different for a new upload of the same marker: `<roll>-<digest>` where
    /// the digest covers bucket, key, ETag, version id and sequencer. At most 80 characters,
    /// only `[A-Za-z0-9_-]`.
    pub fn execution_name(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            Some(self.bucket.as_str()),
            Some(self.key.as_str()),
            self.etag.as_deref().map(|e| e.trim_matches('"')),
            self.version_id.as_deref(),
            self.sequencer.as_deref(),
        ] {
            h.update(part.unwrap_or("").as_bytes());
            h.update([0u8]);
        }
        let digest = hex::encode(h.finalize());
        // roll <= 64 chars; keep 40 of it and 32 hex digits: 40 + 1 + 32 = 73 <= 80.
        let roll: String = self.roll.chars().take(40).collect();
        format!("{roll}-{}", &digest[..32])
    }
}

/// What one SQS message turned out to hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notification {
    /// Marker uploads to start ingests for.
    Uploads(Vec<MarkerUpload>),
    /// S3's test message sent when the notification is configured; nothing to do.
    TestEvent,
    /// Events about other objects or of other kinds (removals...); nothing to do.
    Ignored(String),
}

#[derive(Deserialize)]
struct S3Notification {
    #[serde(rename = "Records")]
    records: Vec<S3Record>,
}

#[derive(Deserialize)]
struct S3Record {
    #[serde(rename = "eventSource", default)]
    event_source: Option<String>,
    #[serde(rename = "eventName", default)]
    event_name: Option<String>,
    s3: S3Entity,
}

#[derive(Deserialize)]
struct S3Entity {
    bucket: S3Bucket,
    object: S3Object,
}

#[derive(Deserialize)]
struct S3Bucket {
    name: String,
}

#[derive(Deserialize)]
struct S3Object {
    key: String,
    #[serde(rename = "eTag", default)]
    etag: Option<String>,
    #[serde(rename = "versionId", default)]
    version_id: Option<String>,
    #[serde(default)]
    sequencer: Option<String>,
}

/// Parses an SQS message body. Malformed bodies and hostile marker keys are errors
/// (`Rushes.BadInput`) naming the message; events that are simply not ours are `Ignored`.
pub fn parse_body(message_id: &str, body: &str) -> Result<Notification> {
    parse_nested(message_id, body, 0)
}

fn parse_nested(message_id: &str, body: &str, depth: u8) -> Result<Notification> {
    let bad = |problem: String| Error::BadInput(format!("SQS message {message_id}: {problem}"));
    if body.len() > MAX_BODY_BYTES {
        return Err(bad(format!("body of {} bytes is too large", body.len())));
    }
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| bad(format!("body is not JSON: {e}")))?;
    if value.get("Event").and_then(|v| v.as_str()) == Some("s3:TestEvent") {
        return Ok(Notification::TestEvent);
    }
    // SNS fan-out: the S3 event is the JSON text in `Message`.
    if value.get("Type").and_then(|v| v.as_str()) == Some("Notification") {
        let inner = value
            .get("Message")
            .and_then(|v| v.as_str())
            .ok_or_else(|| bad("SNS notification without a `Message`".into()))?;
        if depth > 0 {
            return Err(bad("SNS notification nested in another".into()));
        }
        return parse_nested(message_id, inner, depth + 1);
    }
    if value.get("Records").is_none() {
        return Err(bad(
            "neither an S3 event notification nor an S3 test event".into()
        ));
    }
    let parsed: S3Notification =
        serde_json::from_value(value).map_err(|e| bad(format!("malformed S3 event: {e}")))?;
    let mut uploads = Vec::new();
    let mut ignored = Vec::new();
    for record in parsed.records {
        let created = record
            .event_name
            .as_deref()
            .is_some_and(|n| n.starts_with("ObjectCreated:"));
        let from_s3 = record.event_source.as_deref().is_none_or(|s| s == "aws:s3");
        if !created || !from_s3 {
            ignored.push(format!(
                "{} event from {}",
                record.event_name.as_deref().unwrap_or("unnamed"),
                record.event_source.as_deref().unwrap_or("unknown source")
            ));
            continue;
        }
        let key = decode_key(&record.s3.object.key).map_err(|problem| {
            bad(format!(
                "object key `{}`: {problem}",
                record.s3.object.key.escape_debug()
            ))
        })?;
        let roll = roll_of_marker(&key)
            .map_err(|problem| bad(format!("object key `{}`: {problem}", key.escape_debug())))?;
        uploads.push(MarkerUpload {
            bucket: record.s3.bucket.name,
            key,
            roll,
            etag: record.s3.object.etag,
            version_id: record.s3.object.version_id,
            sequencer: record.s3.object.sequencer,
        });
    }
    if uploads.is_empty() {
        return Ok(Notification::Ignored(if ignored.is_empty() {
            "no records".into()
        } else {
            ignored.join(", ")
        }));
    }
    Ok(Notification::Uploads(uploads))
}

/// Decodes an S3 notification key: form URL encoding (`+` is a space, `%XX` a byte), UTF-8.
pub fn decode_key(raw: &str) -> std::result::Result<String, String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad percent escape at byte {i}"))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "does not decode to UTF-8".to_string())
}

/// The roll of a marker key `uploads/<ROLL>.json`; the roll must match `[A-Za-z0-9_-]{1,64}`,
/// which also rules out any traversal (`..`, `/`, `%2F` once decoded).
pub fn roll_of_marker(key: &str) -> std::result::Result<String, String> {
    let roll = key
        .strip_prefix(MARKER_PREFIX)
        .and_then(|rest| rest.strip_suffix(MARKER_SUFFIX))
        .ok_or_else(|| format!("not a marker key `{MARKER_PREFIX}<ROLL>{MARKER_SUFFIX}`"))?;
    if roll.is_empty() || roll.len() > MAX_ROLL_LEN {
        return Err(format!("roll name must be 1 to {MAX_ROLL_LEN} characters"));
    }
    if !roll
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err("roll name may only hold letters, digits, `_` and `-`".into());
    }
    Ok(roll.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn s3_body(key: &str, sequencer: &str) -> String {
        serde_json::json!({ "Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
            "s3": { "bucket": { "name": "lib" },
                    "object": { "key": key, "size": 40, "eTag": "0123abcd", "sequencer": sequencer } }
        }]})
        .to_string()
    }

    fn uploads(n: Notification) -> Vec<MarkerUpload> {
        match n {
            Notification::Uploads(u) => u,
            other => panic!("expected uploads, got {other:?}"),
        }
    }

    #[test]
    fn parses_a_marker_upload() {
        let u = uploads(parse_body("m1", &s3_body("uploads/A001.json", "0055")).unwrap());
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].roll, "A001");
        assert_eq!(u[0].bucket, "lib");
        assert_eq!(
            u[0].execution_input(),
            serde_json::json!({"roll": "A001", "prefix": "rolls/A001"})
        );
    }

    #[test]
    fn test_events_sns_wrapping_and_other_events() {
        let test = r#"{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-01-01T00:00:00.000Z","Bucket":"lib","RequestId":"x","HostId":"y"}"#;
        assert_eq!(parse_body("m", test).unwrap(), Notification::TestEvent);
        let sns = serde_json::json!({"Type": "Notification", "MessageId": "s", "Message": s3_body("uploads/B_2-x.json", "01")}).to_string();
        assert_eq!(uploads(parse_body("m", &sns).unwrap())[0].roll, "B_2-x");
        let removed =
            s3_body("uploads/A001.json", "1").replace("ObjectCreated:Put", "ObjectRemoved:Delete");
        assert!(matches!(
            parse_body("m", &removed).unwrap(),
            Notification::Ignored(_)
        ));
    }

    #[test]
    fn hostile_and_malformed_bodies_are_bad_input_naming_the_message() {
        for key in [
            "uploads/../x.json",
            "uploads%2F..%2Fx.json",
            "uploads/A001%2F..%2F..%2Fetc.json",
            "uploads/A+001.json",
            "uploads/sub/A001.json",
            "uploads/.json",
            "rolls/A001/a.dng",
            "uploads/A001.json%00",
            "uploads/%ZZ.json",
            "uploads/%C3.json",
        ] {
            let err = parse_body("msg-7", &s3_body(key, "1")).unwrap_err();
            assert_eq!(err.name(), "Rushes.BadInput", "{key}");
            assert!(err.to_string().contains("msg-7"), "{err}");
        }
        let long = format!("uploads/{}.json", "a".repeat(65));
        assert!(parse_body("m", &s3_body(&long, "1")).is_err());
        for body in [
            "",
            "{",
            "[]",
            r#"{"Records": [{"s3": {}}]}"#,
            r#"{"Type":"Notification"}"#,
        ] {
            let err = parse_body("m9", body).unwrap_err();
            assert!(err.to_string().contains("m9"), "{body}: {err}");
        }
        let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(MAX_BODY_BYTES));
        assert!(
            parse_body("m", &huge)
                .unwrap_err()
                .to_string()
                .contains("too large")
        );
    }

    #[test]
    fn decodes_url_encoded_keys() {
        assert_eq!(
            decode_key("uploads/A%2D001.json").unwrap(),
            "uploads/A-001.json"
        );
        assert_eq!(decode_key("a+b%2Fc").unwrap(), "a b/c");
        assert_eq!(decode_key("caf%C3%A9").unwrap(), "café");
        assert!(decode_key("x%2").is_err());
        let u = uploads(parse_body("m", &s3_body("uploads%2FA001.json", "1")).unwrap());
        assert_eq!(u[0].key, "uploads/A001.json");
    }

    #[test]
    fn execution_names_are_idempotent_bounded_and_safe() {
        let a = uploads(parse_body("m1", &s3_body("uploads/A001.json", "0055")).unwrap()).remove(0);
        let again =
            uploads(parse_body("m2", &s3_body("uploads/A001.json", "0055")).unwrap()).remove(0);
        let reupload =
            uploads(parse_body("m3", &s3_body("uploads/A001.json", "0077")).unwrap()).remove(0);
        assert_eq!(a.execution_name(), again.execution_name());
        assert_ne!(a.execution_name(), reupload.execution_name());
        assert!(a.execution_name().starts_with("A001-"));
        let long = format!("uploads/{}.json", "R".repeat(64));
        let l = uploads(parse_body("m", &s3_body(&long, "1")).unwrap()).remove(0);
        for name in [a.execution_name(), l.execution_name()] {
            assert!(name.len() <= MAX_EXECUTION_NAME, "{name}");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            );
        }
        let mut other_bucket = a.clone();
        other_bucket.bucket = "lib2".into();
        assert_ne!(a.execution_name(), other_bucket.execution_name());
    }
}
