//! Bounded TIFF directory walker: byte order, IFD chains, SubIFDs and the EXIF IFD, typed tag values.
//!
//! Only metadata is read: a directory or a tag value is fetched from the caller's reader with one
//! bounded read at a checked offset. Pixels are never touched. Classic TIFF only (BigTIFF is
//! refused with a clear error), both byte orders.

use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom};

pub use super::tiff_value::{SRational, URational, Value};
use super::tiff_value::{text_until_nul, type_size};
use crate::{Error, Result};

/// Most entries accepted in one directory (real DNGs have fewer than 200).
pub const MAX_ENTRIES: u16 = 4096;
/// Largest tag value read into memory (1 MiB); bigger values (thumbnails, maps) are skipped.
pub const MAX_VALUE_BYTES: u64 = 1 << 20;
/// Most directories visited in one file (IFD chain, SubIFDs and EXIF together).
pub const MAX_IFDS: usize = 64;
/// Bytes read at once from the start of the file (most DNG headers fit), so a remote reader
/// (ranged object reads) sees one request instead of one per tag.
pub const HEAD_BYTES: u64 = 64 * 1024;
/// Deepest SubIFD nesting followed.
const MAX_SUBIFD_DEPTH: usize = 4;

/// Tag numbers used to follow directories.
const TAG_SUB_IFDS: u16 = 330;
const TAG_EXIF_IFD: u16 = 34665;

/// Byte order of a TIFF file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    /// `II`: little endian.
    Little,
    /// `MM`: big endian.
    Big,
}

/// One directory entry, its value not yet read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Tag number.
    pub tag: u16,
    /// TIFF field type (1 BYTE .. 13 IFD).
    pub field_type: u16,
    /// Number of values.
    pub count: u32,
    /// The 4-byte value/offset field as stored.
    raw: [u8; 4],
}

/// One image file directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ifd {
    /// Byte offset of the directory in the file.
    pub offset: u64,
    /// Entries in file order.
    pub entries: Vec<Entry>,
    /// Offset of the next directory in the chain (0: none).
    pub next: u64,
}

impl Ifd {
    /// The entry of `tag`, if present.
    pub fn entry(&self, tag: u16) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tag == tag)
    }
}

/// The directories of a TIFF file, found by [`TiffFile::walk`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directories {
    /// The main IFD chain: IFD 0, IFD 1, ...
    pub chain: Vec<Ifd>,
    /// Every SubIFD (of any chain IFD, nested ones after their parent), in file order of discovery.
    pub sub: Vec<Ifd>,
    /// The EXIF IFD of IFD 0, if any.
    pub exif: Option<Ifd>,
    /// Problems met while following the chain, SubIFDs or the EXIF pointer (the rest was ignored).
    pub warnings: Vec<String>,
}

/// A TIFF file seen through a caller's reader: header checked, every read bounded and in range.
#[derive(Debug)]
pub struct TiffFile<'r, R: Read + Seek + ?Sized> {
    reader: &'r mut R,
    /// File length in bytes.
    len: u64,
    order: ByteOrder,
    name: String,
    first_ifd: u64,
    /// The first [`HEAD_BYTES`] of the file, read once on first use.
    head: Vec<u8>,
}

impl<'r, R: Read + Seek + ?Sized> TiffFile<'r, R> {
    /// Reads and checks the 8-byte header. `name` names the file in errors.
    pub fn open(reader: &'r mut R, name: &str) -> Result<Self> {
        let len = reader.seek(SeekFrom::End(0)).map_err(|source| Error::Io {
            path: name.to_string(),
            op: "seek",
            source,
        })?;
        let mut file = Self {
            reader,
            len,
            order: ByteOrder::Little,
            name: name.to_string(),
            first_ifd: 0,
            head: Vec::new(),
        };
        if len < 8 {
            return Err(file.invalid(format!(
                "{len} bytes is too short for a TIFF header (8 bytes)"
            )));
        }
        let head = file.read_at(0, 8)?;
        file.order = match head.get(..2) {
            Some(b"II") => ByteOrder::Little,
            Some(b"MM") => ByteOrder::Big,
            _ => return Err(file.invalid("not a TIFF file (no II/MM byte-order mark)")),
        };
        match file.u16_of(&head, 2) {
            42 => {}
            43 => return Err(file.invalid("BigTIFF is not supported (DNG is classic TIFF)")),
            magic => {
                return Err(file.invalid(format!("bad TIFF magic number {magic} (expected 42)")));
            }
        }
        file.first_ifd = u64::from(file.u32_of(&head, 4));
        Ok(file)
    }

    /// Byte order of the file.
    pub fn byte_order(&self) -> ByteOrder {
        self.order
    }

    /// File length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Always false for an opened file (its header is 8 bytes).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Offset of IFD 0.
    pub fn first_ifd(&self) -> u64 {
        self.first_ifd
    }

    fn invalid(&self, problem: impl Into<String>) -> Error {
        Error::MetadataInvalid {
            file: self.name.clone(),
            format: "TIFF",
            problem: problem.into(),
        }
    }

    /// Reads `n` bytes at `offset`, refusing anything outside the file or over the value limit.
    fn read_at(&mut self, offset: u64, n: u64) -> Result<Vec<u8>> {
        let end = offset
            .checked_add(n)
            .ok_or_else(|| self.invalid(format!("offset {offset} + {n} bytes overflows")))?;
        if end > self.len {
            return Err(self.invalid(format!(
                "{n} bytes at offset {offset} run past the end of the file ({} bytes)",
                self.len
            )));
        }
        if n > MAX_VALUE_BYTES + 16 {
            return Err(self.invalid(format!(
                "{n} bytes at offset {offset} is over the {MAX_VALUE_BYTES} byte read limit"
            )));
        }
        if self.head.is_empty() && offset < HEAD_BYTES {
            // One read of the file's start serves the header, IFDs and values of most files.
            let take = self.len.min(HEAD_BYTES);
            self.head = self.read_raw(0, take)?;
        }
        let (start, stop) = (offset as usize, end as usize);
        if end <= self.head.len() as u64 {
            if let Some(b) = self.head.get(start..stop) {
                return Ok(b.to_vec());
            }
        }
        self.read_raw(offset, n)
    }

    /// Reads `n` bytes at `offset` from the reader (range already checked).
    fn read_raw(&mut self, offset: u64, n: u64) -> Result<Vec<u8>> {
        let io = |source| Error::Io {
            path: self.name.clone(),
            op: "read",
            source,
        };
        self.reader.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut buf = vec![0u8; usize::try_from(n).unwrap_or(0)];
        let io = |source| Error::Io {
            path: self.name.clone(),
            op: "read",
            source,
        };
        self.reader.read_exact(&mut buf).map_err(io)?;
        Ok(buf)
    }

    fn u16_of(&self, b: &[u8], at: usize) -> u16 {
        let mut a = [0u8; 2];
        if let Some(s) = b.get(at..at + 2) {
            a.copy_from_slice(s);
        }
        match self.order {
            ByteOrder::Little => u16::from_le_bytes(a),
            ByteOrder::Big => u16::from_be_bytes(a),
        }
    }

    fn u32_of(&self, b: &[u8], at: usize) -> u32 {
        let mut a = [0u8; 4];
        if let Some(s) = b.get(at..at + 4) {
            a.copy_from_slice(s);
        }
        match self.order {
            ByteOrder::Little => u32::from_le_bytes(a),
            ByteOrder::Big => u32::from_be_bytes(a),
        }
    }

    fn u64_of(&self, b: &[u8], at: usize) -> u64 {
        let mut a = [0u8; 8];
        if let Some(s) = b.get(at..at + 8) {
            a.copy_from_slice(s);
        }
        match self.order {
            ByteOrder::Little => u64::from_le_bytes(a),
            ByteOrder::Big => u64::from_be_bytes(a),
        }
    }

    /// Reads the directory at `offset`.
    pub fn read_ifd(&mut self, offset: u64) -> Result<Ifd> {
        if offset < 8 || offset >= self.len {
            return Err(self.invalid(format!("IFD offset {offset} is not inside the file")));
        }
        let head = self.read_at(offset, 2)?;
        let count = self.u16_of(&head, 0);
        if count == 0 {
            return Err(self.invalid(format!("IFD at offset {offset} has no entries")));
        }
        if count > MAX_ENTRIES {
            return Err(self.invalid(format!(
                "IFD at offset {offset} claims {count} entries (limit {MAX_ENTRIES})"
            )));
        }
        let body = self.read_at(offset + 2, 12 * u64::from(count) + 4)?;
        let mut entries = Vec::with_capacity(usize::from(count));
        for i in 0..usize::from(count) {
            let at = 12 * i;
            let mut raw = [0u8; 4];
            if let Some(s) = body.get(at + 8..at + 12) {
                raw.copy_from_slice(s);
            }
            entries.push(Entry {
                tag: self.u16_of(&body, at),
                field_type: self.u16_of(&body, at + 2),
                count: self.u32_of(&body, at + 4),
                raw,
            });
        }
        let next = u64::from(self.u32_of(&body, 12 * usize::from(count)));
        Ok(Ifd {
            offset,
            entries,
            next,
        })
    }

    /// Reads and decodes the value of `entry` (tag named in errors).
    pub fn value(&mut self, entry: &Entry) -> Result<Value> {
        let size = type_size(entry.field_type).ok_or_else(|| {
            self.invalid(format!(
                "tag {}: unknown field type {}",
                entry.tag, entry.field_type
            ))
        })?;
        let total = size.checked_mul(u64::from(entry.count)).ok_or_else(|| {
            self.invalid(format!(
                "tag {}: count {} overflows",
                entry.tag, entry.count
            ))
        })?;
        if total > MAX_VALUE_BYTES {
            return Err(self.invalid(format!(
                "tag {}: value of {total} bytes (count {}) is over the {MAX_VALUE_BYTES} byte limit",
                entry.tag, entry.count
            )));
        }
        let bytes = if total <= 4 {
            entry.raw.get(..total as usize).unwrap_or_default().to_vec()
        } else {
            let off = u64::from(self.u32_of(&entry.raw, 0));
            self.read_at(off, total).map_err(|e| match e {
                Error::MetadataInvalid {
                    file,
                    format,
                    problem,
                } => Error::MetadataInvalid {
                    file,
                    format,
                    problem: format!("tag {}: {problem}", entry.tag),
                },
                other => other,
            })?
        };
        Ok(self.decode(entry.field_type, &bytes))
    }

    fn decode(&self, field_type: u16, b: &[u8]) -> Value {
        let n2 = |i: usize| self.u16_of(b, i * 2);
        let n4 = |i: usize| self.u32_of(b, i * 4);
        let n8 = |i: usize| self.u64_of(b, i * 8);
        let c2 = b.len() / 2;
        let c4 = b.len() / 4;
        let c8 = b.len() / 8;
        match field_type {
            2 => Value::Ascii(text_until_nul(b)),
            3 => Value::Short((0..c2).map(n2).collect()),
            4 | 13 => Value::Long((0..c4).map(n4).collect()),
            5 => Value::Rational(
                (0..c8)
                    .map(|i| URational {
                        num: n4(2 * i),
                        den: n4(2 * i + 1),
                    })
                    .collect(),
            ),
            6 => Value::SByte(b.iter().map(|&x| x as i8).collect()),
            8 => Value::SShort((0..c2).map(|i| n2(i) as i16).collect()),
            9 => Value::SLong((0..c4).map(|i| n4(i) as i32).collect()),
            10 => Value::SRational(
                (0..c8)
                    .map(|i| SRational {
                        num: n4(2 * i) as i32,
                        den: n4(2 * i + 1) as i32,
                    })
                    .collect(),
            ),
            11 => Value::Float((0..c4).map(|i| f32::from_bits(n4(i))).collect()),
            12 => Value::Double((0..c8).map(|i| f64::from_bits(n8(i))).collect()),
            _ => Value::Bytes(b.to_vec()),
        }
    }

    /// Offsets held by a pointer tag (SubIFDs, ExifIFD), empty when unreadable.
    fn pointers(&mut self, ifd: &Ifd, tag: u16, warnings: &mut Vec<String>) -> Vec<u64> {
        let Some(e) = ifd.entry(tag).copied() else {
            return Vec::new();
        };
        match self.value(&e).map(|v| v.as_u32s()) {
            Ok(Some(v)) => v.into_iter().map(u64::from).collect(),
            Ok(None) => {
                warnings.push(format!(
                    "tag {tag}: pointer of field type {} ignored",
                    e.field_type
                ));
                Vec::new()
            }
            Err(err) => {
                warnings.push(err.to_string());
                Vec::new()
            }
        }
    }

    /// Walks IFD 0 and its chain, every SubIFD (nested up to 4 deep) and the EXIF IFD.
    ///
    /// IFD 0 must be readable (otherwise an error). Problems further on (a loop, an offset out of
    /// the file, too many directories) end that branch with a warning in [`Directories::warnings`].
    pub fn walk(&mut self) -> Result<Directories> {
        let mut seen = HashSet::new();
        let mut dirs = Directories::default();
        let first = self.first_ifd;
        let ifd0 = self.read_ifd(first)?;
        seen.insert(first);
        let mut next = ifd0.next;
        dirs.chain.push(ifd0);
        while next != 0 {
            if seen.len() >= MAX_IFDS {
                dirs.warnings.push(format!(
                    "more than {MAX_IFDS} directories; the rest is ignored"
                ));
                break;
            }
            if !seen.insert(next) {
                dirs.warnings.push(format!(
                    "IFD chain loops back to offset {next}; the rest is ignored"
                ));
                break;
            }
            match self.read_ifd(next) {
                Ok(ifd) => {
                    next = ifd.next;
                    dirs.chain.push(ifd);
                }
                Err(e) => {
                    dirs.warnings.push(format!("next IFD ignored: {e}"));
                    break;
                }
            }
        }
        // SubIFDs, breadth first with a depth limit.
        let mut queue: Vec<(u64, usize)> = Vec::new();
        let chain = dirs.chain.clone();
        for ifd in &chain {
            for p in self.pointers(ifd, TAG_SUB_IFDS, &mut dirs.warnings) {
                queue.push((p, 1));
            }
        }
        let mut i = 0;
        while let Some(&(offset, depth)) = queue.get(i) {
            i += 1;
            if seen.len() >= MAX_IFDS {
                dirs.warnings.push(format!(
                    "more than {MAX_IFDS} directories; the rest is ignored"
                ));
                break;
            }
            if !seen.insert(offset) {
                dirs.warnings.push(format!(
                    "SubIFD offset {offset} was already visited (loop); ignored"
                ));
                continue;
            }
            match self.read_ifd(offset) {
                Ok(ifd) => {
                    if depth < MAX_SUBIFD_DEPTH {
                        for p in self.pointers(&ifd, TAG_SUB_IFDS, &mut dirs.warnings) {
                            queue.push((p, depth + 1));
                        }
                    }
                    dirs.sub.push(ifd);
                }
                Err(e) => dirs.warnings.push(format!("SubIFD ignored: {e}")),
            }
        }
        if let Some(ifd0) = chain.first() {
            if let Some(&p) = self
                .pointers(ifd0, TAG_EXIF_IFD, &mut dirs.warnings)
                .first()
            {
                if !seen.insert(p) {
                    dirs.warnings.push(format!(
                        "EXIF IFD offset {p} points at another directory; ignored"
                    ));
                } else {
                    match self.read_ifd(p) {
                        Ok(ifd) => dirs.exif = Some(ifd),
                        Err(e) => dirs.warnings.push(format!("EXIF IFD ignored: {e}")),
                    }
                }
            }
        }
        Ok(dirs)
    }
}
