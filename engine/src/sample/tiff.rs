//! A small little-endian TIFF writer: one main IFD plus an optional EXIF IFD, strips of image data last.
//!
//! Entries are kept sorted by tag (a `BTreeMap`), every out-of-line value and every IFD starts on
//! an even offset, and the writer computes `StripOffsets`, `StripByteCounts` and the `ExifIFD`
//! pointer itself.

use std::collections::BTreeMap;

use crate::{Error, Result};

/// Tag numbers the writer fills in itself.
pub(crate) const TAG_STRIP_OFFSETS: u16 = 273;
pub(crate) const TAG_STRIP_BYTE_COUNTS: u16 = 279;
pub(crate) const TAG_EXIF_IFD: u16 = 34665;
pub(crate) const TAG_TILE_OFFSETS: u16 = 324;
pub(crate) const TAG_TILE_BYTE_COUNTS: u16 = 325;

/// How the image data blocks are described: strips or tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Blocks {
    /// `StripOffsets` / `StripByteCounts`.
    Strips,
    /// `TileOffsets` / `TileByteCounts` (the caller sets `TileWidth` / `TileLength`).
    Tiles,
}

/// The value of one IFD entry, with its TIFF field type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// BYTE (1).
    Byte(Vec<u8>),
    /// ASCII (2); the writer appends the NUL terminator.
    Ascii(String),
    /// SHORT (3).
    Short(Vec<u16>),
    /// LONG (4).
    Long(Vec<u32>),
    /// RATIONAL (5).
    Rational(Vec<(u32, u32)>),
    /// UNDEFINED (7).
    Undefined(Vec<u8>),
    /// SRATIONAL (10).
    SRational(Vec<(i32, i32)>),
}

impl Value {
    fn field_type(&self) -> u16 {
        match self {
            Self::Byte(_) => 1,
            Self::Ascii(_) => 2,
            Self::Short(_) => 3,
            Self::Long(_) => 4,
            Self::Rational(_) => 5,
            Self::Undefined(_) => 7,
            Self::SRational(_) => 10,
        }
    }

    fn count(&self) -> usize {
        match self {
            Self::Byte(v) | Self::Undefined(v) => v.len(),
            Self::Ascii(s) => s.len() + 1,
            Self::Short(v) => v.len(),
            Self::Long(v) => v.len(),
            Self::Rational(v) => v.len(),
            Self::SRational(v) => v.len(),
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Self::Byte(v) | Self::Undefined(v) => out.extend_from_slice(v),
            Self::Ascii(s) => {
                out.extend_from_slice(s.as_bytes());
                out.push(0);
            }
            Self::Short(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Self::Long(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Self::Rational(v) => v.iter().for_each(|(n, d)| {
                out.extend_from_slice(&n.to_le_bytes());
                out.extend_from_slice(&d.to_le_bytes());
            }),
            Self::SRational(v) => v.iter().for_each(|(n, d)| {
                out.extend_from_slice(&n.to_le_bytes());
                out.extend_from_slice(&d.to_le_bytes());
            }),
        }
        out
    }
}

/// One image file directory: entries sorted by tag number.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ifd {
    pub(crate) entries: BTreeMap<u16, Value>,
}

impl Ifd {
    pub(crate) fn set(&mut self, tag: u16, value: Value) {
        self.entries.insert(tag, value);
    }

    /// Bytes of the directory itself: count, 12-byte entries, next-IFD offset.
    fn dir_len(&self) -> usize {
        2 + 12 * self.entries.len() + 4
    }

    /// Bytes of the out-of-line values (those over 4 bytes), each padded to an even length.
    fn values_len(&self) -> usize {
        self.entries
            .values()
            .map(|v| v.bytes().len())
            .filter(|&n| n > 4)
            .map(|n| n + (n & 1))
            .sum()
    }

    /// Serialises the directory at `at` (its out-of-line values follow it) into `out`.
    fn write(&self, at: usize, out: &mut Vec<u8>) -> Result<()> {
        debug_assert_eq!(out.len(), at);
        let count = u16::try_from(self.entries.len()).map_err(|_| too_big("IFD entry count"))?;
        out.extend_from_slice(&count.to_le_bytes());
        let mut values = Vec::new();
        let mut value_at = at + self.dir_len();
        for (tag, value) in &self.entries {
            let bytes = value.bytes();
            let count = u32::try_from(value.count()).map_err(|_| too_big("tag value"))?;
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&value.field_type().to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            if bytes.len() <= 4 {
                let mut inline = [0u8; 4];
                inline[..bytes.len()].copy_from_slice(&bytes);
                out.extend_from_slice(&inline);
            } else {
                let off = u32::try_from(value_at).map_err(|_| too_big("TIFF offset"))?;
                out.extend_from_slice(&off.to_le_bytes());
                values.extend_from_slice(&bytes);
                if bytes.len() & 1 == 1 {
                    values.push(0);
                }
                value_at += bytes.len() + (bytes.len() & 1);
            }
        }
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&values);
        Ok(())
    }
}

fn too_big(what: &str) -> Error {
    Error::Sample(format!(
        "TIFF {what} does not fit the 32-bit TIFF format (image too large)"
    ))
}

/// Alignment of the first strip of image data.
const DATA_ALIGN: usize = 16;

/// Lays out and serialises everything before the image data: header, main IFD (with strip
/// offsets/counts filled in for `strip_lens`), its values, then the EXIF IFD and its values,
/// padding to a 16-byte boundary. The strips follow the returned bytes back to back.
pub(crate) fn encode_header(ifd0: Ifd, exif: Option<Ifd>, strip_lens: &[u64]) -> Result<Vec<u8>> {
    encode_header_blocks(ifd0, exif, strip_lens, Blocks::Strips)
}

/// [`encode_header`] for data blocks that are strips or tiles.
pub(crate) fn encode_header_blocks(
    mut ifd0: Ifd,
    exif: Option<Ifd>,
    strip_lens: &[u64],
    blocks: Blocks,
) -> Result<Vec<u8>> {
    let (tag_offsets, tag_counts) = match blocks {
        Blocks::Strips => (TAG_STRIP_OFFSETS, TAG_STRIP_BYTE_COUNTS),
        Blocks::Tiles => (TAG_TILE_OFFSETS, TAG_TILE_BYTE_COUNTS),
    };
    let counts = strip_lens
        .iter()
        .map(|&n| u32::try_from(n).map_err(|_| too_big("strip")))
        .collect::<Result<Vec<u32>>>()?;
    // Placeholders of the final sizes, so the layout does not move when the real values go in.
    ifd0.set(tag_counts, Value::Long(counts));
    ifd0.set(tag_offsets, Value::Long(vec![0; strip_lens.len()]));
    if exif.is_some() {
        ifd0.set(TAG_EXIF_IFD, Value::Long(vec![0]));
    }
    let ifd0_at = 8usize;
    let exif_at = ifd0_at + ifd0.dir_len() + ifd0.values_len();
    let end = exif_at + exif.as_ref().map_or(0, |e| e.dir_len() + e.values_len());
    let data_at = end.div_ceil(DATA_ALIGN) * DATA_ALIGN;

    let total = strip_lens
        .iter()
        .fold(data_at as u64, |acc, &n| acc.saturating_add(n));
    if total > u64::from(u32::MAX) {
        return Err(too_big("file size"));
    }
    let mut offsets = Vec::with_capacity(strip_lens.len());
    let mut at = data_at as u64;
    for &n in strip_lens {
        offsets.push(u32::try_from(at).map_err(|_| too_big("strip offset"))?);
        at += n;
    }
    ifd0.set(tag_offsets, Value::Long(offsets));
    if exif.is_some() {
        let p = u32::try_from(exif_at).map_err(|_| too_big("EXIF offset"))?;
        ifd0.set(TAG_EXIF_IFD, Value::Long(vec![p]));
    }

    let mut out = Vec::with_capacity(data_at);
    out.extend_from_slice(b"II");
    out.extend_from_slice(&42u16.to_le_bytes());
    out.extend_from_slice(&(ifd0_at as u32).to_le_bytes());
    ifd0.write(ifd0_at, &mut out)?;
    if let Some(exif) = &exif {
        exif.write(exif_at, &mut out)?;
    }
    out.resize(data_at, 0);
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// One parsed entry: tag, type, count, raw value bytes.
    pub(crate) type Entry = (u16, u16, u32, Vec<u8>);

    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }
    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    /// Test-only reader: parses the IFD at `at`, checking sortedness, alignment and bounds.
    pub(crate) fn parse_ifd(file: &[u8], at: usize) -> Vec<Entry> {
        assert_eq!(at % 2, 0, "IFD at odd offset {at}");
        let n = usize::from(u16_at(file, at));
        let mut entries: Vec<Entry> = Vec::new();
        for i in 0..n {
            let e = at + 2 + 12 * i;
            let (tag, typ, count) = (u16_at(file, e), u16_at(file, e + 2), u32_at(file, e + 4));
            let size = match typ {
                1 | 2 | 6 | 7 => 1,
                3 | 8 => 2,
                4 | 9 => 4,
                5 | 10 => 8,
                t => panic!("unexpected type {t}"),
            } * count as usize;
            let bytes = if size <= 4 {
                file[e + 8..e + 8 + size].to_vec()
            } else {
                let off = u32_at(file, e + 8) as usize;
                assert_eq!(off % 2, 0, "tag {tag} value at odd offset {off}");
                assert!(off + size <= file.len(), "tag {tag} value out of the file");
                file[off..off + size].to_vec()
            };
            if let Some(prev) = entries.last() {
                assert!(prev.0 < tag, "tags not sorted: {} then {tag}", prev.0);
            }
            entries.push((tag, typ, count, bytes));
        }
        assert_eq!(u32_at(file, at + 2 + 12 * n), 0, "next IFD must be 0");
        entries
    }

    /// Test-only: the LONG values of an entry.
    pub(crate) fn longs(e: &Entry) -> Vec<u32> {
        e.3.chunks(4).map(|c| u32_at(c, 0)).collect()
    }

    #[test]
    fn header_layout_is_valid() {
        let mut ifd = Ifd::default();
        ifd.set(305, Value::Ascii("rushes odd".into())); // 11 bytes: odd, padded
        ifd.set(256, Value::Long(vec![4]));
        ifd.set(50706, Value::Byte(vec![1, 4, 0, 0]));
        ifd.set(50721, Value::SRational(vec![(-1, 3); 9]));
        let mut exif = Ifd::default();
        exif.set(42036, Value::Ascii("lens".into()));
        let strips = [10u64, 6];
        let head = encode_header(ifd, Some(exif), &strips).unwrap();
        assert_eq!(&head[..4], b"II\x2a\x00");
        assert_eq!(head.len() % DATA_ALIGN, 0);
        let mut file = head.clone();
        file.extend(std::iter::repeat_n(7u8, 16));
        let entries = parse_ifd(&file, u32_at(&file, 4) as usize);
        let tags: Vec<u16> = entries.iter().map(|e| e.0).collect();
        assert_eq!(tags, vec![256, 273, 279, 305, 34665, 50706, 50721]);
        let offs = longs(&entries[1]);
        assert_eq!(offs, vec![head.len() as u32, head.len() as u32 + 10]);
        assert_eq!(longs(&entries[2]), vec![10, 6]);
        assert_eq!(entries[3].3, b"rushes odd\0");
        let exif_at = longs(&entries[4])[0] as usize;
        let exif = parse_ifd(&file, exif_at);
        assert_eq!(exif[0].0, 42036);
        assert_eq!(exif[0].3, b"lens\0");
        let cm = &entries[6];
        assert_eq!((cm.1, cm.2), (10, 9));
        assert_eq!(i32::from_le_bytes([cm.3[0], cm.3[1], cm.3[2], cm.3[3]]), -1);
    }

    #[test]
    fn refuses_files_over_4_gib() {
        let err = encode_header(Ifd::default(), None, &[u64::from(u32::MAX)]).unwrap_err();
        assert!(err.to_string().contains("32-bit"), "{err}");
        let err = encode_header(Ifd::default(), None, &[1 << 40]).unwrap_err();
        assert!(err.to_string().contains("too large"), "{err}");
    }
}
