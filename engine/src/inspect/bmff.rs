//! ISO base media file format / QuickTime box (atom) walking, bounded: every box size is checked
//! against its parent and the file length, 64-bit sizes are honoured, nesting depth and box
//! counts are limited.

use std::io::{Read, Seek};

use super::source::{Fields, Source};
use crate::Result;

/// Deepest nesting followed.
pub const MAX_DEPTH: usize = 16;
/// Most boxes walked at the top level of a file.
pub const MAX_TOP_LEVEL_BOXES: usize = 100_000;
/// Most children of one box.
pub const MAX_CHILDREN: usize = 100_000;
/// Largest `moov` box read into memory.
pub const MAX_MOOV_BYTES: u64 = 256 << 20;

/// A box at the top level of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopBox {
    /// Four-character type.
    pub kind: [u8; 4],
    /// Offset of the box header in the file.
    pub offset: u64,
    /// Header length (8, or 16 with a 64-bit size).
    pub header_len: u64,
    /// Total size, header included.
    pub size: u64,
}

/// A four-character code as text (bytes outside ASCII shown as `\xNN`, `©` kept).
pub fn fourcc(k: [u8; 4]) -> String {
    k.iter()
        .map(|&c| match c {
            0xA9 => "©".to_string(),
            0x20..=0x7E => (c as char).to_string(),
            _ => format!("\\x{c:02x}"),
        })
        .collect()
}

/// Lists the top-level boxes of the file behind `src`.
pub fn top_level_boxes<R: Read + Seek + ?Sized>(src: &mut Source<'_, R>) -> Result<Vec<TopBox>> {
    let mut out = Vec::new();
    let mut at = 0u64;
    let len = src.len();
    while at < len {
        if out.len() >= MAX_TOP_LEVEL_BOXES {
            return Err(src.invalid(format!("more than {MAX_TOP_LEVEL_BOXES} top-level boxes")));
        }
        if len - at < 8 {
            return Err(src.invalid(format!(
                "truncated box header at offset {at} ({} bytes left)",
                len - at
            )));
        }
        let h = src.read_up_to(at, 16, "box header")?;
        let f = Fields::be(&h);
        let kind = f.array::<4>(4).unwrap_or_default();
        let size32 = f.u32(0).unwrap_or(0);
        let (size, header_len) = match size32 {
            0 => (len - at, 8),
            1 => {
                let s = f.u64(8).ok_or_else(|| {
                    src.invalid(format!(
                        "box '{}' at offset {at}: truncated 64-bit size",
                        fourcc(kind)
                    ))
                })?;
                (s, 16)
            }
            s => (u64::from(s), 8),
        };
        if size < header_len {
            return Err(src.invalid(format!(
                "box '{}' at offset {at}: size {size} is smaller than its header",
                fourcc(kind)
            )));
        }
        if size > len - at {
            return Err(src.invalid(format!(
                "box '{}' at offset {at}: size {size} runs past the end of the file ({len} bytes)",
                fourcc(kind)
            )));
        }
        out.push(TopBox {
            kind,
            offset: at,
            header_len,
            size,
        });
        at += size;
    }
    Ok(out)
}

/// A box inside an in-memory parent: its type and payload (header removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Child<'a> {
    /// Four-character type.
    pub kind: [u8; 4],
    /// The payload.
    pub payload: &'a [u8],
}

/// The boxes that make up `b` (a parent's payload), each size checked against `b`.
pub fn children(b: &[u8]) -> std::result::Result<Vec<Child<'_>>, String> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < b.len() {
        if out.len() >= MAX_CHILDREN {
            return Err(format!("more than {MAX_CHILDREN} boxes in one parent"));
        }
        let f = Fields::be(b);
        let rest = b.len() - at;
        if rest < 8 {
            // Some writers pad a parent with a 32-bit zero terminator.
            if b.get(at..).is_some_and(|r| r.iter().all(|&c| c == 0)) {
                break;
            }
            return Err(format!("truncated box header ({rest} bytes left)"));
        }
        let kind = f.array::<4>(at + 4).unwrap_or_default();
        let size32 = f.u32(at).unwrap_or(0);
        let (size, header) = match size32 {
            0 => (rest as u64, 8u64),
            1 => (
                f.u64(at + 8)
                    .ok_or_else(|| format!("box '{}': truncated 64-bit size", fourcc(kind)))?,
                16,
            ),
            s => (u64::from(s), 8),
        };
        if size < header || size > rest as u64 {
            return Err(format!(
                "box '{}' of {size} bytes does not fit its parent ({rest} bytes left)",
                fourcc(kind)
            ));
        }
        let (start, end) = (at + header as usize, at + size as usize);
        out.push(Child {
            kind,
            payload: b.get(start..end).unwrap_or_default(),
        });
        at = end;
    }
    Ok(out)
}

/// The first child of type `kind`.
pub fn find<'a>(kids: &[Child<'a>], kind: &[u8; 4]) -> Option<Child<'a>> {
    kids.iter().find(|c| &c.kind == kind).copied()
}

/// The children of the first child of type `kind`, walking `path` down from `b`'s children.
pub fn path<'a>(b: &'a [u8], path: &[&[u8; 4]]) -> std::result::Result<Option<&'a [u8]>, String> {
    if path.len() > MAX_DEPTH {
        return Err(format!("path deeper than {MAX_DEPTH}"));
    }
    let mut cur = b;
    for k in path {
        match find(&children(cur)?, k) {
            Some(c) => cur = c.payload,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn walks_nested_boxes_and_rejects_overruns() {
        let inner = bx(b"abcd", &[1, 2, 3]);
        let outer = bx(b"moov", &inner);
        let kids = children(&outer).unwrap();
        assert_eq!(kids.len(), 1);
        assert_eq!(&kids[0].kind, b"moov");
        assert_eq!(
            path(&outer, &[b"moov", b"abcd"]).unwrap(),
            Some(&[1u8, 2, 3][..])
        );
        assert_eq!(path(&outer, &[b"moov", b"zzzz"]).unwrap(), None);
        let mut bad = outer.clone();
        bad[3] = 200; // size past the parent
        assert!(children(&bad).unwrap_err().contains("does not fit"));
        let mut small = outer.clone();
        small[3] = 4; // size below the header
        assert!(children(&small).is_err());
        // 64-bit size.
        let mut big = 1u32.to_be_bytes().to_vec();
        big.extend_from_slice(b"free");
        big.extend_from_slice(&20u64.to_be_bytes());
        big.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(children(&big).unwrap()[0].payload.len(), 4);
        // Top level through a reader.
        let mut file = bx(b"ftyp", b"qt  ");
        file.extend_from_slice(&outer);
        let mut c = std::io::Cursor::new(file.clone());
        let mut src = Source::new(&mut c, "x.mov", "QuickTime").unwrap();
        let top = top_level_boxes(&mut src).unwrap();
        assert_eq!(top.len(), 2);
        assert_eq!(top[1].offset, 12);
        file.truncate(file.len() - 1);
        let mut c = std::io::Cursor::new(file);
        let mut src = Source::new(&mut c, "x.mov", "QuickTime").unwrap();
        let e = top_level_boxes(&mut src).unwrap_err().to_string();
        assert!(
            e.contains("x.mov") && e.contains("'moov'") && e.contains("past the end"),
            "{e}"
        );
        assert_eq!(fourcc([0xA9, b'n', b'a', b'm']), "©nam");
    }
}
