//! Object keys that cannot escape their prefix: relative, `/`-separated, no `..`, no empty or
//! hidden-traversal segments, bounded length.

use std::fmt;

use crate::Error;

/// Longest key S3 accepts, in bytes.
pub const MAX_KEY_BYTES: usize = 1024;

/// A validated object key such as `rolls/A001/A001C001/frame_0001.dng`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct ObjectKey(String);

impl ObjectKey {
    /// Validates `key`: non-empty, relative, `/`-separated segments that are neither empty, `.`
    /// nor `..`, no backslash, NUL or control characters, at most [`MAX_KEY_BYTES`] bytes.
    pub fn new(key: impl Into<String>) -> Result<Self, Error> {
        let key = key.into();
        let bad = |problem: &str| {
            Err(Error::UnsafeKey {
                key: key.escape_debug().to_string(),
                problem: problem.to_string(),
            })
        };
        if key.is_empty() {
            return bad("empty key");
        }
        if key.len() > MAX_KEY_BYTES {
            return bad("longer than 1024 bytes");
        }
        if key.starts_with('/') {
            return bad("absolute path");
        }
        if key.contains('\\') {
            return bad("contains a backslash");
        }
        if key.chars().any(char::is_control) {
            return bad("contains a control character");
        }
        if key.len() >= 2 && key.as_bytes()[1] == b':' && key.as_bytes()[0].is_ascii_alphabetic() {
            return bad("drive-letter path");
        }
        for segment in key.split('/') {
            match segment {
                "" => return bad("empty path segment"),
                "." | ".." => return bad("`.` or `..` segment"),
                _ => {}
            }
        }
        Ok(Self(key))
    }

    /// `prefix/rel` where `rel` is itself validated (used to place card files under a roll).
    pub fn join(&self, rel: &str) -> Result<Self, Error> {
        let rel = ObjectKey::new(rel)?;
        ObjectKey::new(format!("{}/{}", self.0, rel.0))
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key relative to `prefix` (which must end at a segment boundary), if it lies under it.
    pub fn strip_prefix(&self, prefix: &ObjectKey) -> Option<&str> {
        self.0
            .strip_prefix(prefix.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ObjectKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ObjectKey::new(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn accepts_card_paths() {
        let k = ObjectKey::new("rolls/A001/A001C001_261122_R1AB/frame.0001.dng").unwrap();
        assert_eq!(k.as_str(), "rolls/A001/A001C001_261122_R1AB/frame.0001.dng");
        let roll = ObjectKey::new("rolls/A001").unwrap();
        assert_eq!(
            k.strip_prefix(&roll),
            Some("A001C001_261122_R1AB/frame.0001.dng")
        );
        assert_eq!(
            ObjectKey::new("rolls/A0011/x").unwrap().strip_prefix(&roll),
            None
        );
    }

    #[test]
    fn rejects_hostile_keys() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a//b",
            "a\\b",
            "C:/x",
            "a/\0b",
            "a/\nb",
            "trailing/",
        ] {
            let err = ObjectKey::new(bad).unwrap_err();
            assert!(matches!(err, Error::UnsafeKey { .. }), "{bad:?} -> {err}");
        }
        assert!(ObjectKey::new("a".repeat(1025)).is_err());
        assert!(ObjectKey::new("rolls").unwrap().join("../x").is_err());
        let json = serde_json::from_str::<ObjectKey>("\"../../x\"");
        assert!(json.is_err());
    }
}
