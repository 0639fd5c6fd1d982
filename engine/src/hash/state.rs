//! Portable, versioned snapshot of a [`MultiHasher`](super::MultiHasher)'s running state.
//!
//! The snapshot travels between Lambda invocations inside state-machine JSON, so it is small: a
//! version number, the formats, the byte count and one base64 string holding every hasher's
//! chaining state and partial block, followed by an XXH3 check value over all of it. The check value
//! catches truncation and corruption; it cannot stop a deliberate forgery (the engine has no secret
//! key), so resuming also validates every structural invariant it can (buffer sizes consistent with
//! the byte count, untouched state before the first block, no trailing bytes).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use super::HashFormat;

/// Current snapshot layout version.
pub(crate) const STATE_VERSION: u32 = 1;

/// Upper bound on the encoded state string; a real one is under 1.2 kB.
const MAX_STATE_CHARS: usize = 4096;

/// Serializable snapshot of a [`MultiHasher`](super::MultiHasher); see
/// [`MultiHasher::save_state`](super::MultiHasher::save_state).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HashState {
    /// Layout version ([`STATE_VERSION`]).
    #[serde(rename = "v")]
    version: u32,
    /// The formats being computed, sorted, without duplicates.
    formats: Vec<HashFormat>,
    /// Bytes fed so far.
    bytes: u64,
    /// Base64 (no padding) of the hashers' states plus an 8-byte check value.
    state: String,
}

impl HashState {
    /// Bytes hashed before this snapshot was taken (where the next read must start).
    pub fn bytes_hashed(&self) -> u64 {
        self.bytes
    }

    /// The formats this snapshot computes.
    pub fn formats(&self) -> &[HashFormat] {
        &self.formats
    }

    pub(crate) fn seal(formats: Vec<HashFormat>, bytes: u64, mut payload: Vec<u8>) -> Self {
        let check = check_value(STATE_VERSION, &formats, bytes, &payload);
        payload.extend_from_slice(&check.to_le_bytes());
        Self {
            version: STATE_VERSION,
            formats,
            bytes,
            state: STANDARD_NO_PAD.encode(payload),
        }
    }

    /// Checks the envelope and returns the hashers' payload (without the check value).
    pub(crate) fn open(&self) -> Result<Vec<u8>, String> {
        if self.version != STATE_VERSION {
            return Err(format!(
                "state version {} is not supported (expected {STATE_VERSION})",
                self.version
            ));
        }
        if self.formats.windows(2).any(|w| w[0] >= w[1]) {
            return Err("formats are not sorted and unique".into());
        }
        if self.state.len() > MAX_STATE_CHARS {
            return Err(format!(
                "state string is {} characters long (at most {MAX_STATE_CHARS} expected)",
                self.state.len()
            ));
        }
        let mut payload = STANDARD_NO_PAD
            .decode(self.state.as_bytes())
            .map_err(|e| format!("state string is not valid base64: {e}"))?;
        if payload.len() < 8 {
            return Err("state string is truncated".into());
        }
        let split = payload.len() - 8;
        let mut stored = [0u8; 8];
        stored.copy_from_slice(&payload[split..]);
        payload.truncate(split);
        let expected = check_value(self.version, &self.formats, self.bytes, &payload);
        if u64::from_le_bytes(stored) != expected {
            return Err("check value does not match (state corrupted or edited)".into());
        }
        Ok(payload)
    }
}

fn check_value(version: u32, formats: &[HashFormat], bytes: u64, payload: &[u8]) -> u64 {
    let mut all = Vec::with_capacity(payload.len() + 64);
    all.extend_from_slice(b"rushes-hash-state");
    all.extend_from_slice(&version.to_le_bytes());
    for f in formats {
        all.extend_from_slice(f.name().as_bytes());
        all.push(b',');
    }
    all.extend_from_slice(&bytes.to_le_bytes());
    all.extend_from_slice(payload);
    xxhash_rust::xxh3::xxh3_64(&all)
}

/// Little-endian byte writer for the payload.
#[derive(Debug, Default)]
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    /// Writes the low `width` bytes of `v`, little-endian.
    pub(crate) fn uint(&mut self, v: u64, width: usize) {
        self.0.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
}

/// Bounds-checked reader over the payload; every error names what was being read.
#[derive(Debug)]
pub(crate) struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self(data)
    }

    pub(crate) fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err(format!("{what}: state ends early"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    /// Reads a `width`-byte (1..=8) little-endian unsigned integer.
    pub(crate) fn uint(&mut self, width: usize, what: &str) -> Result<u64, String> {
        let mut b = [0u8; 8];
        b[..width].copy_from_slice(self.bytes(width, what)?);
        Ok(u64::from_le_bytes(b))
    }

    pub(crate) fn finish(self) -> Result<(), String> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(format!("{} unexpected trailing bytes", self.0.len()))
        }
    }
}
