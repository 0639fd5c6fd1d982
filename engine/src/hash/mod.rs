//! Streaming multi-hash over the six ASC MHL hash formats, with resumable state and MHL text encodings.
//!
//! One [`MultiHasher`] computes any set of md5, sha1, xxh64, xxh3 (64-bit), xxh128 and C4 ID in a
//! single pass over the data, and can be frozen into a small [`HashState`] and resumed later (a huge
//! object hashed across several Lambda invocations). [`hash_reader`] and [`hash_bytes`] are the
//! convenience entry points; [`hash_of_hash_list`], [`structure_entry_hash`] and
//! [`DirectoryHasher`] (one format) / [`MultiDirectoryHasher`] (several) reproduce ascmhl's
//! directory hashes byte for byte.

mod buffer;
mod dir;
mod encode;
mod md;
mod state;
mod xxh3;
mod xxh64;

#[cfg(test)]
mod dir_tests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::io::Read;

pub use buffer::{READ_ALIGN, ReadBuffer, read_aligned};
pub use dir::{
    DirDigest, DirectoryHasher, MultiDirectoryHasher, hash_of_hash_list, structure_entry_hash,
};
pub use encode::{digest_len, digest_to_bytes};
pub use state::HashState;

use crate::{Error, Result};
use md::{Md5Stream, Sha1Stream, Sha512Stream};
use state::{Reader, Writer};
use xxh3::Xxh3Stream;
use xxh64::Xxh64Stream;

/// A hash format defined by ASC MHL v2.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum HashFormat {
    /// MD5 (RFC 1321), lowercase hex.
    Md5,
    /// SHA-1 (FIPS 180-4), lowercase hex.
    Sha1,
    /// XXH64, seed 0, lowercase hex of the big-endian value.
    Xxh64,
    /// XXH3 64-bit, seed 0, lowercase hex of the big-endian value.
    Xxh3,
    /// XXH3 128-bit, seed 0, lowercase hex of the big-endian value (high half first).
    Xxh128,
    /// C4 ID: `c4` + base58 of the SHA-512 digest, 90 characters.
    C4,
}

impl HashFormat {
    /// Every format, in ASC MHL order.
    pub const ALL: [HashFormat; 6] = [
        HashFormat::Md5,
        HashFormat::Sha1,
        HashFormat::Xxh64,
        HashFormat::Xxh3,
        HashFormat::Xxh128,
        HashFormat::C4,
    ];

    /// The ASC MHL element name (`md5`, `sha1`, `xxh64`, `xxh3`, `xxh128`, `c4`).
    pub fn name(self) -> &'static str {
        match self {
            HashFormat::Md5 => "md5",
            HashFormat::Sha1 => "sha1",
            HashFormat::Xxh64 => "xxh64",
            HashFormat::Xxh3 => "xxh3",
            HashFormat::Xxh128 => "xxh128",
            HashFormat::C4 => "c4",
        }
    }
}

impl std::str::FromStr for HashFormat {
    type Err = Error;

    /// Parses an ASC MHL hash element name, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self> {
        HashFormat::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::UnknownHashFormat(s.chars().take(64).collect()))
    }
}

impl std::fmt::Display for HashFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Text digests, one per requested format, in ASC MHL encoding.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Digests(pub BTreeMap<HashFormat, String>);

impl Digests {
    /// The digest of one format, if it was computed.
    pub fn get(&self, f: HashFormat) -> Option<&str> {
        self.0.get(&f).map(String::as_str)
    }
}

/// Slice size handed to each hasher in turn when several run, so the data stays in L1/L2 cache.
const INTERLEAVE: usize = 64 * 1024;

/// Computes any set of ASC MHL hash formats in one streaming pass.
///
/// Every [`update`](Self::update) feeds the same slice to each selected hasher (no copies);
/// `xxh3` and `xxh128` share one accumulator. The running state can be saved with
/// [`save_state`](Self::save_state) and continued with [`resume`](Self::resume).
#[derive(Clone)]
pub struct MultiHasher {
    formats: Vec<HashFormat>,
    total: u64,
    md5: Option<Md5Stream>,
    sha1: Option<Sha1Stream>,
    xxh64: Option<Xxh64Stream>,
    xxh3: Option<Xxh3Stream>,
    sha512: Option<Sha512Stream>,
}

impl std::fmt::Debug for MultiHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiHasher")
            .field("formats", &self.formats)
            .field("bytes_hashed", &self.total)
            .finish_non_exhaustive()
    }
}

impl MultiHasher {
    /// A hasher for `formats` (order and duplicates do not matter).
    pub fn new(formats: &[HashFormat]) -> Self {
        let mut formats = formats.to_vec();
        formats.sort_unstable();
        formats.dedup();
        let has = |f| formats.contains(&f);
        Self {
            md5: has(HashFormat::Md5).then(Md5Stream::new),
            sha1: has(HashFormat::Sha1).then(Sha1Stream::new),
            xxh64: has(HashFormat::Xxh64).then(Xxh64Stream::new),
            xxh3: (has(HashFormat::Xxh3) || has(HashFormat::Xxh128)).then(Xxh3Stream::new),
            sha512: has(HashFormat::C4).then(Sha512Stream::new),
            formats,
            total: 0,
        }
    }

    /// The formats computed, sorted, without duplicates.
    pub fn formats(&self) -> Vec<HashFormat> {
        self.formats.clone()
    }

    /// Feeds the next bytes to every selected hasher.
    pub fn update(&mut self, data: &[u8]) {
        self.total = self.total.wrapping_add(data.len() as u64);
        let engines = usize::from(self.md5.is_some())
            + usize::from(self.sha1.is_some())
            + usize::from(self.xxh64.is_some())
            + usize::from(self.xxh3.is_some())
            + usize::from(self.sha512.is_some());
        if engines <= 1 {
            self.update_each(data);
        } else {
            for piece in data.chunks(INTERLEAVE) {
                self.update_each(piece);
            }
        }
    }

    fn update_each(&mut self, data: &[u8]) {
        if let Some(h) = &mut self.md5 {
            h.update(data);
        }
        if let Some(h) = &mut self.sha1 {
            h.update(data);
        }
        if let Some(h) = &mut self.xxh64 {
            h.update(data);
        }
        if let Some(h) = &mut self.xxh3 {
            h.update(data);
        }
        if let Some(h) = &mut self.sha512 {
            h.update(data);
        }
    }

    /// Number of bytes fed so far.
    pub fn bytes_hashed(&self) -> u64 {
        self.total
    }

    /// The digests of everything fed so far, in ASC MHL text encoding.
    pub fn finish(self) -> Digests {
        let mut out = BTreeMap::new();
        for &f in &self.formats {
            let text = match f {
                HashFormat::Md5 => self.md5.as_ref().map(|h| encode::hex_lower(&h.digest())),
                HashFormat::Sha1 => self.sha1.as_ref().map(|h| encode::hex_lower(&h.digest())),
                HashFormat::Xxh64 => self.xxh64.as_ref().map(|h| format!("{:016x}", h.digest())),
                HashFormat::Xxh3 => self.xxh3.as_ref().map(|h| format!("{:016x}", h.digest64())),
                HashFormat::Xxh128 => self
                    .xxh3
                    .as_ref()
                    .map(|h| format!("{:032x}", h.digest128())),
                HashFormat::C4 => self
                    .sha512
                    .as_ref()
                    .map(|h| encode::c4_from_sha512(&h.digest())),
            };
            if let Some(text) = text {
                out.insert(f, text);
            }
        }
        Digests(out)
    }

    /// Serializable snapshot of the running state, so hashing a huge object can stop at the end of
    /// one invocation and [`resume`](Self::resume) in the next. Compact (about 1 kB with all six
    /// formats) and versioned.
    pub fn save_state(&self) -> HashState {
        let mut w = Writer::default();
        if let Some(h) = &self.md5 {
            h.save(&mut w);
        }
        if let Some(h) = &self.sha1 {
            h.save(&mut w);
        }
        if let Some(h) = &self.xxh64 {
            h.save(&mut w);
        }
        if let Some(h) = &self.xxh3 {
            h.save(&mut w);
        }
        if let Some(h) = &self.sha512 {
            h.save(&mut w);
        }
        HashState::seal(self.formats.clone(), self.total, w.0)
    }

    /// Continues from a [`save_state`](Self::save_state) snapshot; feed the bytes from
    /// [`HashState::bytes_hashed`] on. A corrupt, truncated, edited or inconsistent snapshot gives
    /// [`Error::HashState`].
    pub fn resume(state: &HashState) -> Result<Self> {
        let payload = state.open().map_err(Error::HashState)?;
        let mut r = Reader::new(&payload);
        let total = state.bytes_hashed();
        let mut h = Self::new(state.formats());
        if h.md5.is_some() {
            h.md5 = Some(Md5Stream::load(&mut r, total, "md5").map_err(Error::HashState)?);
        }
        if h.sha1.is_some() {
            h.sha1 = Some(Sha1Stream::load(&mut r, total, "sha1").map_err(Error::HashState)?);
        }
        if h.xxh64.is_some() {
            h.xxh64 = Some(Xxh64Stream::load(&mut r, total).map_err(Error::HashState)?);
        }
        if h.xxh3.is_some() {
            h.xxh3 = Some(Xxh3Stream::load(&mut r, total).map_err(Error::HashState)?);
        }
        if h.sha512.is_some() {
            h.sha512 = Some(Sha512Stream::load(&mut r, total, "c4").map_err(Error::HashState)?);
        }
        r.finish().map_err(Error::HashState)?;
        h.total = total;
        Ok(h)
    }
}

/// Read size of [`hash_reader`].
pub const READ_CHUNK: usize = 1024 * 1024;

/// Streams a reader through a [`MultiHasher`] in 1 MiB chunks, calling `progress(bytes_so_far)`
/// after each chunk. Returns the digests and the byte count.
///
/// The 1 MiB read buffer is allocated once per thread and reused by later calls on the same
/// thread (hashing many small files no longer zeroes a fresh megabyte each time); see
/// [`hash_reader_with`] to pass a buffer of your own.
///
/// A read error becomes [`Error::Io`] with path `<reader>`; callers that know the file name should
/// map it to theirs.
pub fn hash_reader<R: Read>(
    reader: R,
    formats: &[HashFormat],
    progress: impl FnMut(u64),
) -> Result<(Digests, u64)> {
    thread_local! {
        static BUFFER: std::cell::RefCell<ReadBuffer> = std::cell::RefCell::new(ReadBuffer::default());
    }
    let mut progress = progress;
    let mut reader = reader;
    BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() != READ_CHUNK {
                *buf = ReadBuffer::new(READ_CHUNK);
            }
            hash_reader_with(&mut reader, formats, buf.as_mut_slice(), &mut progress)
        }
        // Re-entered from inside a read (a reader that hashes): use a buffer of its own.
        Err(_) => hash_reader_with(
            &mut reader,
            formats,
            ReadBuffer::new(READ_CHUNK).as_mut_slice(),
            &mut progress,
        ),
    })
}

/// [`hash_reader`] reading through `buf` (any size; an empty one is treated as 1 MiB).
pub fn hash_reader_with<R: Read>(
    mut reader: R,
    formats: &[HashFormat],
    buf: &mut [u8],
    mut progress: impl FnMut(u64),
) -> Result<(Digests, u64)> {
    let mut own;
    let buf = if buf.is_empty() {
        own = ReadBuffer::new(READ_CHUNK);
        own.as_mut_slice()
    } else {
        buf
    };
    let mut hasher = MultiHasher::new(formats);
    loop {
        // Fill the whole chunk when the reader returns short reads, so hashers see large slices.
        let mut filled = 0;
        while filled < buf.len() {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(Error::Io {
                        path: "<reader>".into(),
                        op: "read",
                        source,
                    });
                }
            }
        }
        if filled == 0 {
            break;
        }
        hasher.update(&buf[..filled]);
        progress(hasher.bytes_hashed());
        if filled < buf.len() {
            break;
        }
    }
    let n = hasher.bytes_hashed();
    Ok((hasher.finish(), n))
}

/// Hash of an in-memory byte string in one format, in ASC MHL text encoding.
pub fn hash_bytes(format: HashFormat, data: &[u8]) -> String {
    match format {
        HashFormat::Xxh64 => format!("{:016x}", xxhash_rust::xxh64::xxh64(data, 0)),
        HashFormat::Xxh3 => format!("{:016x}", xxhash_rust::xxh3::xxh3_64(data)),
        HashFormat::Xxh128 => format!("{:032x}", xxhash_rust::xxh3::xxh3_128(data)),
        HashFormat::Md5 | HashFormat::Sha1 | HashFormat::C4 => {
            let mut h = MultiHasher::new(&[format]);
            h.update(data);
            h.finish().0.remove(&format).unwrap_or_default()
        }
    }
}
