//! SMPTE 336M KLV coding as MXF (SMPTE 377M) uses it: 16-byte universal labels, bounded BER
//! lengths, the partition pack, the primer pack and 2-byte-tag local sets.

use std::collections::BTreeMap;

use super::source::Fields;

/// A 16-byte SMPTE universal label.
pub type Ul = [u8; 16];

/// Prefix shared by every MXF partition pack key (byte 13 is the partition kind: 2 header,
/// 3 body, 4 footer; byte 14 its status).
pub const PARTITION_PREFIX: [u8; 13] = [
    0x06, 0x0E, 0x2B, 0x34, 0x02, 0x05, 0x01, 0x01, 0x0D, 0x01, 0x02, 0x01, 0x01,
];
/// Primer pack key.
pub const PRIMER_KEY: Ul = [
    0x06, 0x0E, 0x2B, 0x34, 0x02, 0x05, 0x01, 0x01, 0x0D, 0x01, 0x02, 0x01, 0x01, 0x05, 0x01, 0x00,
];
/// Prefix of the header metadata local sets' keys (byte 13 and 14 name the set class).
pub const LOCAL_SET_PREFIX: [u8; 13] = [
    0x06, 0x0E, 0x2B, 0x34, 0x02, 0x53, 0x01, 0x01, 0x0D, 0x01, 0x01, 0x01, 0x01,
];
/// Largest BER length accepted (a KLV value in the header is far smaller).
pub const MAX_KLV_LENGTH: u64 = 1 << 40;
/// Most items in a primer pack or a batch.
pub const MAX_BATCH_ITEMS: u32 = 65_536;

/// Decodes a BER length at the start of `b`: the length and the bytes it took.
pub fn ber_length(b: &[u8]) -> Result<(u64, usize), String> {
    let first = *b.first().ok_or("truncated BER length")?;
    if first < 0x80 {
        return Ok((u64::from(first), 1));
    }
    let n = usize::from(first & 0x7F);
    if n == 0 || n > 8 {
        return Err(format!("BER length of {n} bytes (1 to 8 allowed)"));
    }
    let bytes = b.get(1..1 + n).ok_or("truncated BER length")?;
    let v = bytes.iter().fold(0u64, |acc, &c| (acc << 8) | u64::from(c));
    if v > MAX_KLV_LENGTH {
        return Err(format!("KLV length {v} is absurd"));
    }
    Ok((v, 1 + n))
}

/// Text of a universal label, dotted hex.
pub fn ul_text(ul: &Ul) -> String {
    ul.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// The header partition pack's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionPack {
    /// Partition status (key byte 14: 1 open incomplete, 2 closed incomplete, 3 open complete,
    /// 4 closed complete).
    pub status: u8,
    /// MXF major version.
    pub major_version: u16,
    /// MXF minor version.
    pub minor_version: u16,
    /// KLV alignment grid.
    pub kag_size: u32,
    /// Bytes of header metadata (primer pack, sets, fill).
    pub header_byte_count: u64,
    /// Body SID.
    pub body_sid: u32,
    /// Operational pattern label.
    pub operational_pattern: Ul,
    /// Essence container labels.
    pub essence_containers: Vec<Ul>,
}

impl PartitionPack {
    /// Decodes a partition pack value.
    pub fn parse(status: u8, v: &[u8]) -> Result<Self, String> {
        let f = Fields::be(v);
        let (Some(major), Some(minor), Some(kag), Some(hbc), Some(body_sid), Some(op)) = (
            f.u16(0),
            f.u16(2),
            f.u32(4),
            f.u64(32),
            f.u32(60),
            f.array::<16>(64),
        ) else {
            return Err(format!("partition pack of {} bytes is truncated", v.len()));
        };
        let essence_containers = batch(v.get(80..).unwrap_or_default(), 16)?
            .into_iter()
            .filter_map(|b| b.try_into().ok())
            .collect();
        Ok(Self {
            status,
            major_version: major,
            minor_version: minor,
            kag_size: kag,
            header_byte_count: hbc,
            body_sid,
            operational_pattern: op,
            essence_containers,
        })
    }

    /// `OP1a`, `OP2b`, `OPAtom`... from the operational pattern label.
    pub fn operational_pattern_name(&self) -> String {
        let op = &self.operational_pattern;
        match (op.get(12), op.get(13)) {
            (Some(0x10), _) => "OPAtom".into(),
            (Some(&item @ 1..=3), Some(&pkg @ 1..=3)) => {
                format!("OP{item}{}", ['a', 'b', 'c'][usize::from(pkg - 1)])
            }
            _ => format!("OP {}", ul_text(op)),
        }
    }
}

/// Items of a batch or array (`count u32, item size u32, items`), each `item_len` bytes.
pub fn batch(v: &[u8], item_len: usize) -> Result<Vec<&[u8]>, String> {
    let f = Fields::be(v);
    let (Some(count), Some(size)) = (f.u32(0), f.u32(4)) else {
        return Err("truncated batch header".into());
    };
    if count == 0 {
        return Ok(Vec::new());
    }
    if size as usize != item_len {
        return Err(format!("batch items of {size} bytes ({item_len} expected)"));
    }
    if count > MAX_BATCH_ITEMS {
        return Err(format!("batch of {count} items is over the limit"));
    }
    (0..count as usize)
        .map(|i| {
            f.slice(8 + i * item_len, item_len)
                .ok_or_else(|| format!("batch of {count} items is truncated"))
        })
        .collect()
}

/// The primer pack: local tag to universal label.
pub fn parse_primer(v: &[u8]) -> Result<BTreeMap<u16, Ul>, String> {
    let items = batch(v, 18).map_err(|e| format!("primer pack: {e}"))?;
    Ok(items
        .into_iter()
        .filter_map(|it| {
            let f = Fields::be(it);
            Some((f.u16(0)?, f.array::<16>(2)?))
        })
        .collect())
}

/// A local set: its class byte (key byte 14) and its properties by local tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalSet {
    /// Set class (key byte 14: 0x36 material package, 0x3B track, 0x14 timecode component...).
    pub class: u8,
    /// Property values by local tag.
    pub props: BTreeMap<u16, Vec<u8>>,
}

impl LocalSet {
    /// Decodes a 2-byte-tag, 2-byte-length local set value.
    pub fn parse(class: u8, v: &[u8]) -> Result<Self, String> {
        let mut props = BTreeMap::new();
        let f = Fields::be(v);
        let mut at = 0usize;
        while at < v.len() {
            let (Some(tag), Some(len)) = (f.u16(at), f.u16(at + 2)) else {
                return Err(format!(
                    "set 0x{class:02x}: truncated property at byte {at}"
                ));
            };
            let value = f.slice(at + 4, usize::from(len)).ok_or_else(|| {
                format!("set 0x{class:02x}: property 0x{tag:04x} of {len} bytes runs past the set")
            })?;
            props.insert(tag, value.to_vec());
            at += 4 + usize::from(len);
        }
        Ok(Self { class, props })
    }

    /// A property's bytes.
    pub fn get(&self, tag: u16) -> Option<&[u8]> {
        self.props.get(&tag).map(Vec::as_slice)
    }

    /// A 16-byte reference or label property.
    pub fn ul(&self, tag: u16) -> Option<Ul> {
        Fields::be(self.get(tag)?).array::<16>(0)
    }

    /// A `u32` property.
    pub fn u32(&self, tag: u16) -> Option<u32> {
        Fields::be(self.get(tag)?).u32(0)
    }

    /// An `i64` property.
    pub fn i64(&self, tag: u16) -> Option<i64> {
        Fields::be(self.get(tag)?).i64(0)
    }

    /// A rational property (two `i32`).
    pub fn rational(&self, tag: u16) -> Option<(i32, i32)> {
        let f = Fields::be(self.get(tag)?);
        Some((f.i32(0)?, f.i32(4)?))
    }

    /// A UTF-16BE string property (trailing NULs removed).
    pub fn utf16(&self, tag: u16) -> Option<String> {
        let b = self.get(tag)?;
        let units: Vec<u16> = b
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        let s = String::from_utf16_lossy(&units).trim().to_string();
        (!s.is_empty()).then_some(s)
    }

    /// A batch of 16-byte references.
    pub fn refs(&self, tag: u16) -> Vec<Ul> {
        self.get(tag)
            .and_then(|v| batch(v, 16).ok())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|b| b.try_into().ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn ber_lengths() {
        assert_eq!(ber_length(&[0x05]).unwrap(), (5, 1));
        assert_eq!(ber_length(&[0x83, 0, 1, 0]).unwrap(), (256, 4));
        assert!(ber_length(&[0x80]).is_err());
        assert!(ber_length(&[0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(ber_length(&[0x84, 1]).is_err());
        assert!(ber_length(&[0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
        assert!(ber_length(&[]).is_err());
    }

    #[test]
    fn sets_and_batches() {
        let mut v = vec![0x3C, 0x0A, 0, 2, 0xAB, 0xCD];
        v.extend_from_slice(&[0x44, 0x02, 0, 6, 0, b'A', 0, b'B', 0, 0]);
        let s = LocalSet::parse(0x36, &v).unwrap();
        assert_eq!(s.get(0x3C0A), Some(&[0xAB, 0xCD][..]));
        assert_eq!(s.utf16(0x4402).as_deref(), Some("AB"));
        v.push(0x12);
        assert!(LocalSet::parse(0x36, &v).unwrap_err().contains("truncated"));
        let mut bad = vec![0x3C, 0x0A, 0, 9, 1];
        assert!(LocalSet::parse(1, &bad).unwrap_err().contains("runs past"));
        bad.clear();
        let mut b = 2u32.to_be_bytes().to_vec();
        b.extend_from_slice(&16u32.to_be_bytes());
        b.extend_from_slice(&[7u8; 16]);
        assert!(batch(&b, 16).unwrap_err().contains("truncated"));
        b.extend_from_slice(&[8u8; 16]);
        assert_eq!(batch(&b, 16).unwrap().len(), 2);
        assert!(batch(&b, 18).is_err());
    }
}
