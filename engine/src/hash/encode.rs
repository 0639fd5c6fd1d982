//! ASC MHL text encodings of digests: lowercase hex for md5/sha1/xxh*, C4 ID (base58) for c4.
//!
//! Facts taken from ascmhl 1.2 `hasher.py`: hex digests are Python's `hexdigest()` (lowercase,
//! xxh64/xxh3/xxh128 in canonical big-endian order, so xxh128 is the high 64 bits first); a C4 ID is
//! `"c4"` followed by the SHA-512 digest as a base58 number (alphabet without 0, O, I, l), left-padded
//! with `'1'` (the alphabet's zero) to 90 characters in total.

use super::HashFormat;
use crate::{Error, Result};

/// C4 ID alphabet: index = digit value.
const C4_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// Total length of a C4 ID, prefix included.
pub(crate) const C4_LEN: usize = 90;

/// Lowercase hex of `bytes`.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// C4 ID text of a 64-byte SHA-512 digest.
pub(crate) fn c4_from_sha512(digest: &[u8]) -> String {
    // Repeated long division of the big-endian number by 58; 88 digits always suffice for 512 bits.
    let mut num = digest.to_vec();
    let mut digits = [b'1'; C4_LEN - 2];
    for slot in digits.iter_mut().rev() {
        let mut rem = 0u32;
        for byte in num.iter_mut() {
            let cur = (rem << 8) | u32::from(*byte);
            *byte = (cur / 58) as u8;
            rem = cur % 58;
        }
        *slot = C4_ALPHABET[rem as usize];
    }
    let mut out = String::with_capacity(C4_LEN);
    out.push_str("c4");
    out.extend(digits.iter().map(|&d| char::from(d)));
    out
}

fn malformed(format: HashFormat, digest: &str, problem: impl Into<String>) -> Error {
    const SHOW: usize = 100;
    let shown = if digest.chars().count() > SHOW {
        format!("{}…", digest.chars().take(SHOW).collect::<String>())
    } else {
        digest.to_owned()
    };
    Error::MalformedDigest {
        format: format.name(),
        digest: shown,
        problem: problem.into(),
    }
}

/// Number of digest bytes of a format.
pub fn digest_len(format: HashFormat) -> usize {
    match format {
        HashFormat::Md5 | HashFormat::Xxh128 => 16,
        HashFormat::Sha1 => 20,
        HashFormat::Xxh64 | HashFormat::Xxh3 => 8,
        HashFormat::C4 => 64,
    }
}

/// Decodes an ASC MHL digest text back to its bytes.
///
/// Mirrors ascmhl's `Hasher.bytes_from_string_digest` (module function `bytes_for_hash_string`):
/// hex formats decode with `binascii.unhexlify` (either case accepted), a C4 ID decodes its 88
/// base58 digits to a 64-byte big-endian number. Stricter than ascmhl on purpose: the text must have
/// exactly the format's length, a C4 ID must start with `c4`, and a value too large for 64 bytes is
/// an error (ascmhl would raise on it too).
pub fn digest_to_bytes(format: HashFormat, digest: &str) -> Result<Vec<u8>> {
    if format == HashFormat::C4 {
        return c4_to_bytes(digest);
    }
    let want = 2 * digest_len(format);
    if digest.len() != want {
        return Err(malformed(
            format,
            digest,
            format!(
                "{} characters, expected {want} hex digits",
                digest.chars().count()
            ),
        ));
    }
    hex::decode(digest).map_err(|e| malformed(format, digest, format!("not hex: {e}")))
}

fn c4_to_bytes(digest: &str) -> Result<Vec<u8>> {
    let f = HashFormat::C4;
    let Some(body) = digest.strip_prefix("c4") else {
        return Err(malformed(f, digest, "does not start with `c4`"));
    };
    if body.len() != C4_LEN - 2 || !body.is_ascii() {
        return Err(malformed(
            f,
            digest,
            format!("{} characters, expected {C4_LEN}", digest.chars().count()),
        ));
    }
    let mut num = [0u8; 64];
    for (i, c) in body.bytes().enumerate() {
        let Some(value) = C4_ALPHABET.iter().position(|&a| a == c) else {
            return Err(malformed(
                f,
                digest,
                format!("character `{}` at {} is not base58", char::from(c), i + 2),
            ));
        };
        // num = num * 58 + value, big-endian
        let mut carry = value as u32;
        for byte in num.iter_mut().rev() {
            let cur = u32::from(*byte) * 58 + carry;
            *byte = cur as u8;
            carry = cur >> 8;
        }
        if carry != 0 {
            return Err(malformed(f, digest, "value does not fit in 512 bits"));
        }
    }
    Ok(num.to_vec())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    // C4 IDs computed with ascmhl 1.2 (`ascmhl.hasher.hash_data(b"", "c4")`) in the reference venv.
    const C4_EMPTY: &str = "c459dsjfscH38cYeXXYogktxf4Cd9ibshE3BHUo6a58hBXmRQdZrAkZzsWcbWtDg5oQstpDuni4Hirj75GEmTc1sFT";

    #[test]
    fn c4_round_trips_through_bytes() {
        let bytes = c4_to_bytes(C4_EMPTY).unwrap();
        assert_eq!(bytes.len(), 64);
        assert_eq!(c4_from_sha512(&bytes), C4_EMPTY);
        // small numbers are left-padded with '1'
        let mut one = [0u8; 64];
        one[63] = 1;
        let id = c4_from_sha512(&one);
        assert_eq!(id.len(), C4_LEN);
        assert_eq!(&id[..3], "c41");
        assert!(id.ends_with("12"));
        assert_eq!(c4_to_bytes(&id).unwrap(), one.to_vec());
        // all-ones is the largest value; it still fits in 88 digits
        let max = [0xffu8; 64];
        assert_eq!(c4_to_bytes(&c4_from_sha512(&max)).unwrap(), max.to_vec());
    }

    #[test]
    fn malformed_digests_are_rejected_with_the_reason() {
        let cases: &[(HashFormat, &str, &str)] = &[
            (HashFormat::Md5, "abc", "expected 32 hex digits"),
            (
                HashFormat::Md5,
                "zz1d8cd98f00b204e9800998ecf8427e",
                "not hex",
            ),
            (
                HashFormat::Xxh64,
                "ef46db3751d8e99",
                "expected 16 hex digits",
            ),
            (HashFormat::Sha1, "", "expected 40"),
            (HashFormat::C4, "c3", "does not start with `c4`"),
            (HashFormat::C4, "c4abc", "expected 90"),
            (HashFormat::C4, &C4_EMPTY.replace('j', "0"), "is not base58"),
            (
                HashFormat::C4,
                &format!("c4{}", "z".repeat(88)),
                "does not fit",
            ),
            (
                HashFormat::C4,
                &format!("c4{}é", "1".repeat(86)),
                "expected 90",
            ),
        ];
        for (format, text, problem) in cases {
            let err = digest_to_bytes(*format, text).unwrap_err().to_string();
            assert!(err.contains(problem), "{format} `{text}`: {err}");
            assert!(err.contains(format.name()), "{err}");
        }
    }

    #[test]
    fn c4_decoding_round_trips_and_rejects_garbage() {
        let id = crate::hash::hash_bytes(HashFormat::C4, b"abc");
        let bytes = digest_to_bytes(HashFormat::C4, &id).unwrap();
        assert_eq!(bytes.len(), 64);
        assert_eq!(c4_from_sha512(&bytes), id);
        assert!(digest_to_bytes(HashFormat::C4, "c4xyz").is_err());
        assert!(digest_to_bytes(HashFormat::C4, &format!("c4{}", "0".repeat(88))).is_err());
        assert!(digest_to_bytes(HashFormat::Md5, "zz").is_err());
    }

    #[test]
    fn hex_decoding_accepts_uppercase_like_unhexlify() {
        assert_eq!(
            digest_to_bytes(HashFormat::Xxh64, "EF46DB3751D8E999").unwrap(),
            digest_to_bytes(HashFormat::Xxh64, "ef46db3751d8e999").unwrap()
        );
    }

    #[test]
    fn huge_digest_text_is_shortened_in_the_error() {
        let text = "0".repeat(1_000_000);
        let err = digest_to_bytes(HashFormat::Md5, &text)
            .unwrap_err()
            .to_string();
        assert!(err.len() < 400, "{}", err.len());
    }
}
