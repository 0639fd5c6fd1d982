//! Directory content and structure hashes, computed exactly as ascmhl 1.2 computes them.
//!
//! Content hash of a folder: the children's hash strings (files: content hash; folders: content
//! hash) sorted as text, decoded to bytes, concatenated and hashed. Structure hash: for every child
//! the hash of `name (UTF-8) + bytes(hash)` (files: content hash; folders: structure hash), then the
//! same sorted concatenation. An empty folder hashes the empty input.

use std::collections::BTreeMap;

use crate::hash::{HashFormat, hash_bytes};
use crate::{Error, Result};

const C4_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Decodes an MHL hash text (hex, or C4 base58) to its digest bytes.
pub fn digest_bytes(format: HashFormat, text: &str) -> Result<Vec<u8>> {
    let bad = |problem: &str| Error::InvalidInput {
        what: format!("{} hash `{}`", format.name(), text.escape_debug()),
        problem: problem.to_string(),
    };
    match format {
        HashFormat::C4 => {
            let body = text
                .strip_prefix("c4")
                .ok_or_else(|| bad("does not start with c4"))?;
            if body.len() != 88 {
                return Err(bad("a C4 id has 90 characters"));
            }
            let mut out = [0u8; 64];
            for ch in body.bytes() {
                let digit = C4_ALPHABET
                    .iter()
                    .position(|&a| a == ch)
                    .ok_or_else(|| bad("character outside the C4 alphabet"))?;
                let mut carry = digit as u32;
                for byte in out.iter_mut().rev() {
                    let v = u32::from(*byte) * 58 + carry;
                    *byte = (v & 0xff) as u8;
                    carry = v >> 8;
                }
                if carry != 0 {
                    return Err(bad("value larger than 512 bits"));
                }
            }
            Ok(out.to_vec())
        }
        _ => hex::decode(text).map_err(|_| bad("not hexadecimal")),
    }
}

/// Hash of a list of hash strings: sorted as text, decoded, concatenated, hashed.
pub fn hash_of_hash_list(format: HashFormat, hashes: &[String]) -> Result<String> {
    let mut sorted: Vec<&String> = hashes.iter().collect();
    sorted.sort();
    let mut buf = Vec::new();
    for h in sorted {
        buf.extend_from_slice(&digest_bytes(format, h)?);
    }
    Ok(hash_bytes(format, &buf))
}

/// Content and structure hash of one folder in one format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirDigest {
    /// Content hash.
    pub content: String,
    /// Structure hash.
    pub structure: String,
}

/// Accumulates the children of one folder, for several formats at once.
#[derive(Debug, Default)]
pub struct DirHasher {
    parts: BTreeMap<HashFormat, (Vec<String>, Vec<String>)>,
}

impl DirHasher {
    /// A context for the given formats.
    pub fn new(formats: &[HashFormat]) -> Self {
        Self {
            parts: formats
                .iter()
                .map(|&f| (f, (Vec::new(), Vec::new())))
                .collect(),
        }
    }

    /// The formats this context computes.
    pub fn formats(&self) -> Vec<HashFormat> {
        self.parts.keys().copied().collect()
    }

    /// Adds a file child with its content hash in `format`.
    pub fn add_file(&mut self, format: HashFormat, name: &str, content: &str) -> Result<()> {
        let Some((contents, structures)) = self.parts.get_mut(&format) else {
            return Ok(());
        };
        let mut data = name.as_bytes().to_vec();
        data.extend_from_slice(&digest_bytes(format, content)?);
        contents.push(content.to_string());
        structures.push(hash_bytes(format, &data));
        Ok(())
    }

    /// Adds a folder child with its content and structure hashes in `format`.
    pub fn add_dir(&mut self, format: HashFormat, name: &str, digest: &DirDigest) -> Result<()> {
        let Some((contents, structures)) = self.parts.get_mut(&format) else {
            return Ok(());
        };
        let mut data = name.as_bytes().to_vec();
        data.extend_from_slice(&digest_bytes(format, &digest.structure)?);
        contents.push(digest.content.clone());
        structures.push(hash_bytes(format, &data));
        Ok(())
    }

    /// The folder's hashes per format.
    pub fn finish(&self) -> Result<BTreeMap<HashFormat, DirDigest>> {
        let mut out = BTreeMap::new();
        for (&format, (contents, structures)) in &self.parts {
            out.insert(
                format,
                DirDigest {
                    content: hash_of_hash_list(format, contents)?,
                    structure: hash_of_hash_list(format, structures)?,
                },
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    // Known answers computed with ascmhl 1.2 (`ascmhl create -h <all six>`) on a folder
    // `Clips/sub/b.txt` containing "x\n", `Clips/a.mov` containing "hello\n", an empty folder
    // `empty` and a zero-byte `zero.txt` (see the module tests of create for the same tree).
    const SUB: [(HashFormat, &str, &str, &str); 6] = [
        (
            HashFormat::Md5,
            "401b30e3b8b5d629635a5c613cdb7919",
            "7c9c9bebd5878de54fbc3278f364c55a",
            "471a571566189bd6142f7e3324f70222",
        ),
        (
            HashFormat::Sha1,
            "6fcf9dfbd479ed82697fee719b9f8c610a11ff2a",
            "5f45c792278777339ac3de7851ace3fc3b9299dc",
            "0ce9204d9abcf25a93bf0b1b321e3d4961335894",
        ),
        (
            HashFormat::Xxh128,
            "2528250d92619b8e1bf67208bddf1edb",
            "baf161ab199af827f04cbfc85a633e19",
            "6d2ffbb42475cb98a5bbd1f818a1f616",
        ),
        (
            HashFormat::Xxh3,
            "1bf67208bddf1edb",
            "ba848a058349d0bb",
            "d51ce914384434aa",
        ),
        (
            HashFormat::Xxh64,
            "0ac3482722e9fdae",
            "bddfdc005d154a7f",
            "2f33762b7fe1c213",
        ),
        (
            HashFormat::C4,
            "c42PcUhCnecsbmBqn2PFyXazPeSq8FS2yvURNdEbAdfpEa1YkwuXtFHf3wSWt47eMscK8MiL58LnCME52vDck9vHUF",
            "c431TYngkcdacqkeAFP7k5e3qTYtNKSGhw5pVfDKxuwAXEWaFfX58stib9jVbtYhbFDLQG1HpC8JK6F1kNbbU2W685",
            "c41qQ1CwsDZ5LxhT3caFWdFsurX81eWZbDw2dCiuKgEUZTeSQsHfzQtWQye6FrHaRx6aDyVvwUsfESGW9ZsrRcMhTA",
        ),
    ];

    #[test]
    fn single_file_folder_matches_ascmhl() {
        for (format, file, content, structure) in SUB {
            assert_eq!(hash_bytes(format, b"x\n"), file, "{}", format.name());
            let mut d = DirHasher::new(&[format]);
            d.add_file(format, "b.txt", file).unwrap();
            let got = d.finish().unwrap().remove(&format).unwrap();
            assert_eq!(got.content, content, "{} content", format.name());
            assert_eq!(got.structure, structure, "{} structure", format.name());
        }
    }

    #[test]
    fn nested_and_empty_folders_match_ascmhl() {
        // Clips = {a.mov ("hello\n"), sub/}; root = {Clips/, empty/, zero.txt}; xxh64 and md5.
        let cases = [
            (
                HashFormat::Xxh64,
                "2e3ef578fe41f703",
                "20ed9a4d2c001f3a",
                "ef46db3751d8e999",
                "d3ac1b5e4f57faf0",
                "c454aa00459111e5",
            ),
            (
                HashFormat::Md5,
                "b99a39d14750b7f1b3ff03a72798a370",
                "c0684808c38379a93c8855cded0eb08a",
                "d41d8cd98f00b204e9800998ecf8427e",
                "b3b0ea50f278b21dd6d0fb2ced290a53",
                "0ba7097149f5b05339f3dbb720ae55b9",
            ),
        ];
        for (format, clips_c, clips_s, empty, root_c, root_s) in cases {
            let (_, _, sub_c, sub_s) = SUB.iter().find(|s| s.0 == format).copied().unwrap();
            let mut clips = DirHasher::new(&[format]);
            clips
                .add_file(format, "a.mov", &hash_bytes(format, b"hello\n"))
                .unwrap();
            clips
                .add_dir(
                    format,
                    "sub",
                    &DirDigest {
                        content: sub_c.into(),
                        structure: sub_s.into(),
                    },
                )
                .unwrap();
            let clips = clips.finish().unwrap().remove(&format).unwrap();
            assert_eq!(
                (clips.content.as_str(), clips.structure.as_str()),
                (clips_c, clips_s)
            );
            let e = DirHasher::new(&[format])
                .finish()
                .unwrap()
                .remove(&format)
                .unwrap();
            assert_eq!((e.content.as_str(), e.structure.as_str()), (empty, empty));
            let mut root = DirHasher::new(&[format]);
            root.add_dir(format, "Clips", &clips).unwrap();
            root.add_dir(format, "empty", &e).unwrap();
            root.add_file(format, "zero.txt", &hash_bytes(format, b""))
                .unwrap();
            let r = root.finish().unwrap().remove(&format).unwrap();
            assert_eq!((r.content.as_str(), r.structure.as_str()), (root_c, root_s));
        }
    }

    #[test]
    fn c4_decoding_round_trips_and_rejects_garbage() {
        let id = hash_bytes(HashFormat::C4, b"abc");
        let bytes = digest_bytes(HashFormat::C4, &id).unwrap();
        assert_eq!(bytes.len(), 64);
        assert!(digest_bytes(HashFormat::C4, "c4xyz").is_err());
        assert!(digest_bytes(HashFormat::C4, &format!("c4{}", "0".repeat(88))).is_err());
        assert!(digest_bytes(HashFormat::Md5, "zz").is_err());
    }
}
