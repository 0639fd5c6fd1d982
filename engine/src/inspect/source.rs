//! Bounded random access to a caller's `Read + Seek` for the metadata readers, and checked
//! big/little-endian field access on byte slices: every read is range-checked against the file
//! length and a size limit, every error names the file and the format.

use std::io::{Read, Seek, SeekFrom};

use crate::{Error, Result};

/// A file seen through a caller's reader, its length known, its reads bounded.
pub struct Source<'r, R: Read + Seek + ?Sized> {
    reader: &'r mut R,
    len: u64,
    name: String,
    format: &'static str,
}

impl<R: Read + Seek + ?Sized> std::fmt::Debug for Source<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("format", &self.format)
            .field("len", &self.len)
            .finish()
    }
}

impl<'r, R: Read + Seek + ?Sized> Source<'r, R> {
    /// Measures the file (seek to its end). `name` and `format` appear in every error.
    pub fn new(reader: &'r mut R, name: &str, format: &'static str) -> Result<Self> {
        let len = reader.seek(SeekFrom::End(0)).map_err(|source| Error::Io {
            path: name.to_string(),
            op: "seek",
            source,
        })?;
        Ok(Self {
            reader,
            len,
            name: name.to_string(),
            format,
        })
    }

    /// File length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True for an empty file.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Name of the file in errors.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// An [`Error::MetadataInvalid`] for this file.
    pub fn invalid(&self, problem: impl Into<String>) -> Error {
        Error::MetadataInvalid {
            file: self.name.clone(),
            format: self.format,
            problem: problem.into(),
        }
    }

    /// Reads `n` bytes at `offset`; `what` names the structure in errors. Refuses reads past
    /// the end of the file or over `limit` bytes.
    pub fn read_at(&mut self, offset: u64, n: u64, limit: u64, what: &str) -> Result<Vec<u8>> {
        let end = offset.checked_add(n).ok_or_else(|| {
            self.invalid(format!("{what}: offset {offset} + {n} bytes overflows"))
        })?;
        if end > self.len {
            return Err(self.invalid(format!(
                "{what}: {n} bytes at offset {offset} run past the end of the file ({} bytes)",
                self.len
            )));
        }
        if n > limit {
            return Err(self.invalid(format!(
                "{what}: {n} bytes at offset {offset} is over the {limit} byte limit"
            )));
        }
        let n = usize::try_from(n).map_err(|_| self.invalid(format!("{what}: too large")))?;
        let name = self.name.clone();
        let io = |source| Error::Io {
            path: name.clone(),
            op: "read",
            source,
        };
        self.reader.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut buf = vec![0u8; n];
        self.reader.read_exact(&mut buf).map_err(io)?;
        Ok(buf)
    }

    /// Reads up to `n` bytes at `offset` (fewer at the end of the file).
    pub fn read_up_to(&mut self, offset: u64, n: u64, what: &str) -> Result<Vec<u8>> {
        let n = n.min(self.len.saturating_sub(offset));
        self.read_at(offset, n, n, what)
    }
}

/// Big- or little-endian fixed-width reads out of a byte slice; out-of-range reads give `None`.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    /// The bytes.
    pub bytes: &'a [u8],
    /// Big-endian (true) or little-endian.
    pub big_endian: bool,
}

impl<'a> Fields<'a> {
    /// Big-endian fields of `bytes`.
    pub fn be(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            big_endian: true,
        }
    }

    /// Little-endian fields of `bytes`.
    pub fn le(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            big_endian: false,
        }
    }

    /// `N` bytes at `at`.
    pub fn array<const N: usize>(&self, at: usize) -> Option<[u8; N]> {
        let s = self.bytes.get(at..at.checked_add(N)?)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Some(a)
    }

    /// Byte at `at`.
    pub fn u8(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// 16-bit unsigned at `at`.
    pub fn u16(&self, at: usize) -> Option<u16> {
        let a = self.array::<2>(at)?;
        Some(if self.big_endian {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        })
    }

    /// 32-bit unsigned at `at`.
    pub fn u32(&self, at: usize) -> Option<u32> {
        let a = self.array::<4>(at)?;
        Some(if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }

    /// 64-bit unsigned at `at`.
    pub fn u64(&self, at: usize) -> Option<u64> {
        let a = self.array::<8>(at)?;
        Some(if self.big_endian {
            u64::from_be_bytes(a)
        } else {
            u64::from_le_bytes(a)
        })
    }

    /// 32-bit signed at `at`.
    pub fn i32(&self, at: usize) -> Option<i32> {
        self.u32(at).map(|v| v as i32)
    }

    /// 64-bit signed at `at`.
    pub fn i64(&self, at: usize) -> Option<i64> {
        self.u64(at).map(|v| v as i64)
    }

    /// IEEE 754 single at `at`.
    pub fn f32(&self, at: usize) -> Option<f32> {
        self.u32(at).map(f32::from_bits)
    }

    /// IEEE 754 double at `at`.
    pub fn f64(&self, at: usize) -> Option<f64> {
        self.u64(at).map(f64::from_bits)
    }

    /// `len` bytes at `at`.
    pub fn slice(&self, at: usize, len: usize) -> Option<&'a [u8]> {
        self.bytes.get(at..at.checked_add(len)?)
    }
}

/// Text of a fixed-size, NUL-padded field: cut at the first NUL, trailing spaces removed,
/// `None` when empty or unset (all bytes 0xFF). Invalid UTF-8 is replaced.
pub fn fixed_text(b: &[u8]) -> Option<String> {
    if b.is_empty() || b.iter().all(|&c| c == 0xFF) {
        return None;
    }
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    let s = String::from_utf8_lossy(b.get(..end).unwrap_or_default());
    let s = s.trim_end().trim_end_matches('\u{FFFD}').trim_end();
    (!s.is_empty()).then(|| s.to_string())
}

/// Greatest common divisor.
pub fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `num/den` reduced, if both fit in `u32` after reduction and neither is 0.
pub fn reduced(num: u64, den: u64) -> Option<(u32, u32)> {
    if num == 0 || den == 0 {
        return None;
    }
    let g = gcd(num, den);
    Some((u32::try_from(num / g).ok()?, u32::try_from(den / g).ok()?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn fields_and_text() {
        let f = Fields::be(&[0, 1, 2, 3, 4]);
        assert_eq!(f.u16(0), Some(1));
        assert_eq!(f.u32(1), Some(0x0102_0304));
        assert_eq!(f.u32(2), None);
        assert_eq!(f.u32(usize::MAX), None);
        assert_eq!(Fields::le(&[1, 0]).u16(0), Some(1));
        assert_eq!(fixed_text(b"abc \0zz"), Some("abc".into()));
        assert_eq!(fixed_text(&[0xFF; 4]), None);
        assert_eq!(fixed_text(&[0; 4]), None);
        assert_eq!(reduced(24000, 1001), Some((24000, 1001)));
        assert_eq!(reduced(12800, 512), Some((25, 1)));
        assert_eq!(reduced(0, 1), None);
    }

    #[test]
    fn reads_are_bounded() {
        let mut c = std::io::Cursor::new(vec![1u8; 10]);
        let mut s = Source::new(&mut c, "x.bin", "TEST").unwrap();
        assert_eq!(s.read_at(8, 2, 10, "tail").unwrap(), vec![1, 1]);
        let e = s.read_at(9, 2, 10, "tail").unwrap_err().to_string();
        assert!(e.contains("x.bin") && e.contains("past the end"), "{e}");
        assert!(s.read_at(u64::MAX, 2, 10, "x").is_err());
        assert!(
            s.read_at(0, 10, 4, "x")
                .unwrap_err()
                .to_string()
                .contains("limit")
        );
        assert_eq!(s.read_up_to(6, 100, "x").unwrap().len(), 4);
    }
}
