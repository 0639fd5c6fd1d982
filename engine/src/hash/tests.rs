//! Tests of the hash module: known answers, ascmhl cross-checks, save/resume and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use rand::{Rng, SeedableRng, rngs::StdRng};

use HashFormat::{C4, Md5, Sha1, Xxh3, Xxh64, Xxh128};

fn random(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut v = vec![0u8; n];
    rng.fill(&mut v[..]);
    v
}

fn all_in_one_pass(data: &[u8]) -> Digests {
    let mut h = MultiHasher::new(&HashFormat::ALL);
    h.update(data);
    h.finish()
}

/// Values computed once with the reference venv: `ascmhl.hasher.hash_data(data, format)` from
/// ascmhl 1.2 (which uses hashlib and python-xxhash 4.1.0). md5/sha1 of "" and "abc" are also the
/// published RFC 1321 / FIPS 180 vectors; C4 of "" is the published C4 ID of the empty string.
const KNOWN: &[(&[u8], [&str; 6])] = &[
    (
        b"",
        [
            "d41d8cd98f00b204e9800998ecf8427e",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "ef46db3751d8e999",
            "2d06800538d394c2",
            "99aa06d3014798d86001c324468d497f",
            "c459dsjfscH38cYeXXYogktxf4Cd9ibshE3BHUo6a58hBXmRQdZrAkZzsWcbWtDg5oQstpDuni4Hirj75GEmTc1sFT",
        ],
    ),
    (
        b"abc",
        [
            "900150983cd24fb0d6963f7d28e17f72",
            "a9993e364706816aba3e25717850c26c9cd0d89d",
            "44bc2cf5ad770999",
            "78af5f94892f3950",
            "06b05ab6733a618578af5f94892f3950",
            "c45S4rnaTNWonxss1u8LzsaJdEph1AJhWUF4sh2waXKMsutyfAxg4ybUeuXVWS9HdNcEypmeXn8FZGonD4w1rj9DZp",
        ],
    ),
    (
        b"foo",
        [
            "acbd18db4cc2f85cedef654fccc4a4d8",
            "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33",
            "33bf00a859c4ba3f",
            "ab6e5f64077e7d8a",
            "79aef92e83454121ab6e5f64077e7d8a",
            "c45xZeXwMSpqXjpDumcHMA6mhoAmGHkUo7r9WmN2UgSEQzj9KjgseaQdkEJ11fGb5S1WEENcV3q8RFWwEeVpC7Fjk2",
        ],
    ),
    (
        b"The quick brown fox jumps over the lazy dog",
        [
            "9e107d9d372bb6826bd81d3542a419d6",
            "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
            "0b242d361fda71bc",
            "ce7d19a5418fb365",
            "ddd650205ca3e7fa24a1cc2e3a8a7651",
            "c41AA3ASLQfdQwGxaam2okv9uTopf28Piy2pskrf6vQ35fsAKCBzQAv31LTcwMcp3hpDqF4vxgvu3UoPSAN4qZ3Ygd",
        ],
    ),
];

#[test]
fn known_answers_match_ascmhl() {
    for (data, expected) in KNOWN {
        let digests = all_in_one_pass(data);
        for (f, want) in HashFormat::ALL.into_iter().zip(expected) {
            assert_eq!(digests.get(f), Some(*want), "{f} of {data:?}");
            assert_eq!(hash_bytes(f, data), *want, "hash_bytes {f} of {data:?}");
        }
    }
}

/// Digests of bytes `i % 251` for i in 0..len, computed once with ascmhl 1.2 in the reference venv
/// (`hash_data(bytes(i % 251 for i in range(n)), f)`); they cover xxh3's long-input path.
#[test]
fn long_inputs_match_ascmhl() {
    let cases: &[(usize, [&str; 6])] = &[
        (
            241,
            [
                "267a256d457a3856bbfce6554c1566df",
                "54717f94e8f3ded40b4cc1a470eacb25cb10136f",
                "8d643f23bf2808e1",
                "02e8cd95421c6d02",
                "1da1cb61bcb8a2a102e8cd95421c6d02",
                "c42b5Ab6dsobt4FrTtzjCqHT46bcPyB8V38LY1Vk6fr7uX9t1SxvoYoH5VJP8ksXpPisUizrWTZ78X9dsgau7u2PT8",
            ],
        ),
        (
            1024,
            [
                "9ee0a0e0c0bc0f1ff29d663d1fdf0743",
                "0ac28084ff74933d05123496dafd3791684d9b53",
                "138e26c65048ce29",
                "e5d78bafa45b2aa5",
                "d0ac1f7b93bf57b9e5d78bafa45b2aa5",
                "c446ggmMuvMjX8j9XFJR4S97upWU3aZN9Nn9ced8QBZCBn6Q8zeuSa25eWqzRPa9TmQT17WV6n27kLpHqso2wamKk9",
            ],
        ),
        (
            1025,
            [
                "3f3789452b88cb32b8cbfbafe715e29a",
                "ca9fdc040579afc74c0e6314fee7af12bd5c4284",
                "cfd73aedd2d6a39d",
                "e95c42288f28186e",
                "2882ebca04ec915ce95c42288f28186e",
                "c41d1JoztKnRvqW282kxdRePeUXe6YBKwyqc24Rgs8Z7u8QiNBSBoGGqhp42235nt1fdp2CtR5n5sv6txJUFfkM6eT",
            ],
        ),
        (
            100000,
            [
                "28cb595c158e9b74e34ae9e8da710fff",
                "23a1065a0f6a485119049bf2799179dd0154efbb",
                "4cf75ee72cd8f4cc",
                "42c23aeead96750d",
                "54182c58bbb1337c42c23aeead96750d",
                "c4462fDeTzwtoMuJkebiZeNWSXayDdGYDumZctbcnqMcbSGEDJ1Uwr2bZpwFXKrFtw15dQ4P9re4MGx4Ln6sg45obh",
            ],
        ),
    ];
    for (len, expected) in cases {
        let data: Vec<u8> = (0..*len).map(|i| (i % 251) as u8).collect();
        let mut h = MultiHasher::new(&HashFormat::ALL);
        for piece in data.chunks(1000) {
            h.update(piece);
        }
        let digests = h.finish();
        for (f, want) in HashFormat::ALL.into_iter().zip(expected) {
            assert_eq!(digests.get(f), Some(*want), "{f} of {len} bytes");
        }
    }
}

#[test]
fn one_pass_equals_single_format_passes() {
    let data = random(200_000, 1);
    let together = all_in_one_pass(&data);
    for f in HashFormat::ALL {
        let mut alone = MultiHasher::new(&[f]);
        for piece in data.chunks(77_777) {
            alone.update(piece);
        }
        let alone = alone.finish();
        assert_eq!(alone.0.len(), 1);
        assert_eq!(alone.get(f), together.get(f), "{f}");
        assert_eq!(hash_bytes(f, &data), together.get(f).unwrap(), "{f}");
    }
}

#[test]
fn save_and_resume_at_random_points_gives_the_uninterrupted_digests() {
    let data = random(300_000, 2);
    let mut rng = StdRng::seed_from_u64(22);
    for round in 0..60 {
        let len = if round < 30 {
            rng.random_range(0..=3000)
        } else {
            rng.random_range(0..=data.len())
        };
        let d = &data[..len];
        let expected = all_in_one_pass(d);
        let mut h = MultiHasher::new(&HashFormat::ALL);
        let mut pos = 0;
        while pos < len {
            let n = rng.random_range(0..=(len - pos).min(70_000));
            h.update(&d[pos..pos + n]);
            pos += n;
            // freeze, go through JSON as the state machine would, thaw
            let json = serde_json::to_string(&h.save_state()).unwrap();
            let state: HashState = serde_json::from_str(&json).unwrap();
            assert_eq!(state.bytes_hashed(), pos as u64);
            h = MultiHasher::resume(&state).unwrap();
        }
        assert_eq!(h.bytes_hashed(), len as u64);
        assert_eq!(h.finish(), expected, "len {len}");
    }
}

#[test]
fn resume_works_for_each_format_alone_and_for_subsets() {
    let data = random(5000, 3);
    let sets: &[&[HashFormat]] = &[
        &[Md5],
        &[Sha1],
        &[Xxh64],
        &[Xxh3],
        &[Xxh128],
        &[C4],
        &[Xxh128, Md5],
        &[C4, Xxh3, Xxh3],
        &[],
    ];
    for formats in sets {
        for cut in [0, 1, 63, 64, 65, 240, 241, 256, 257, 1024, 1025, 4999] {
            let mut reference = MultiHasher::new(formats);
            reference.update(&data);
            let mut first = MultiHasher::new(formats);
            first.update(&data[..cut]);
            let mut resumed = MultiHasher::resume(&first.save_state()).unwrap();
            resumed.update(&data[cut..]);
            assert_eq!(resumed.formats(), reference.formats());
            assert_eq!(
                resumed.finish(),
                reference.finish(),
                "{formats:?} cut {cut}"
            );
        }
    }
}

#[test]
fn state_is_compact() {
    let mut h = MultiHasher::new(&HashFormat::ALL);
    h.update(&random(1000, 4)[..255]); // worst case: nearly full buffers everywhere
    let json = serde_json::to_string(&h.save_state()).unwrap();
    assert!(json.len() < 1500, "{} bytes: {json}", json.len());
}

fn saved_after(formats: &[HashFormat], n: usize) -> HashState {
    let mut h = MultiHasher::new(formats);
    h.update(&random(n, 5));
    h.save_state()
}

fn resume_error(state: &HashState) -> String {
    match MultiHasher::resume(state) {
        Err(e @ Error::HashState(_)) => e.to_string(),
        other => panic!("expected Error::HashState, got {other:?}"),
    }
}

/// Edits the JSON form of a state, as a corrupted or forged state-machine payload would.
fn edited(state: &HashState, edit: impl FnOnce(&mut serde_json::Value)) -> HashState {
    let mut v = serde_json::to_value(state).unwrap();
    edit(&mut v);
    serde_json::from_value(v).unwrap()
}

#[test]
fn corrupt_or_forged_states_are_rejected() {
    let good = saved_after(&HashFormat::ALL, 5000);
    let s = serde_json::to_value(&good).unwrap()["state"]
        .as_str()
        .unwrap()
        .to_owned();

    let flipped = {
        let mut b = s.clone().into_bytes();
        b[10] = if b[10] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).unwrap()
    };
    let cases: Vec<(HashState, &str)> = vec![
        (edited(&good, |v| v["v"] = 2.into()), "version 2"),
        (edited(&good, |v| v["bytes"] = 4999.into()), "check value"),
        (
            edited(&good, |v| v["state"] = flipped.clone().into()),
            "check value",
        ),
        (
            // truncated to a whole number of base64 quads, so it still decodes
            edited(&good, |v| v["state"] = s[..(s.len() - 1) / 4 * 4].into()),
            "check value",
        ),
        (
            edited(&good, |v| v["state"] = s[..s.len() - 1].into()),
            "base64",
        ),
        (edited(&good, |v| v["state"] = "".into()), "truncated"),
        (edited(&good, |v| v["state"] = "%%%%".into()), "base64"),
        (
            edited(&good, |v| v["state"] = "A".repeat(5000).into()),
            "characters long",
        ),
        (
            edited(&good, |v| v["formats"] = serde_json::json!(["sha1", "md5"])),
            "sorted",
        ),
        (
            edited(&good, |v| v["formats"] = serde_json::json!(["md5", "md5"])),
            "sorted",
        ),
        (
            edited(&good, |v| v["formats"] = serde_json::json!(["md5"])),
            "check value",
        ),
    ];
    for (state, want) in cases {
        let err = resume_error(&state);
        assert!(err.contains(want), "want `{want}`: {err}");
    }
    // An unknown format name does not even deserialize.
    let mut v = serde_json::to_value(&good).unwrap();
    v["formats"] = serde_json::json!(["md4"]);
    assert!(serde_json::from_value::<HashState>(v).is_err());
}

/// A state whose check value is valid but whose contents break the invariants (what a forger who
/// knows the layout could produce) is still rejected.
#[test]
fn structurally_impossible_states_are_rejected() {
    let forge = |formats: Vec<HashFormat>, bytes: u64, payload: Vec<u8>| {
        resume_error(&HashState::seal(formats, bytes, payload))
    };
    // md5 after 10 bytes: 16 state bytes (must be the initial value) + 10 buffered bytes
    let mut p = saved_after(&[Md5], 10).open().unwrap();
    assert_eq!(p.len(), 26);
    p[0] ^= 1;
    assert!(forge(vec![Md5], 10, p).contains("before the first block"));
    // too short / too long payloads
    let p = saved_after(&[Sha1], 100).open().unwrap();
    assert!(forge(vec![Sha1], 100, p[..p.len() - 1].to_vec()).contains("ends early"));
    let mut long = p.clone();
    long.push(0);
    assert!(forge(vec![Sha1], 100, long).contains("trailing"));
    // xxh3: buffered count larger than the buffer, or inconsistent with the byte count
    let mut p = saved_after(&[Xxh3], 1000).open().unwrap();
    p[64..66].copy_from_slice(&300u16.to_le_bytes());
    assert!(forge(vec![Xxh3], 1000, p).contains("impossible"));
    let p = saved_after(&[Xxh3], 1000).open().unwrap();
    assert!(forge(vec![Xxh3], 1001, p).contains("impossible"));
    let mut p = saved_after(&[Xxh3], 100).open().unwrap();
    p[3] ^= 1;
    assert!(forge(vec![Xxh3], 100, p).contains("before the first stripe"));
    let mut p = saved_after(&[Xxh64], 20).open().unwrap();
    p[0] ^= 1;
    assert!(forge(vec![Xxh64], 20, p).contains("before the first stripe"));
}

struct ChunkyReader {
    data: Vec<u8>,
    pos: usize,
    fail_at: Option<usize>,
    interrupted: bool,
}

impl Read for ChunkyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.interrupted {
            self.interrupted = true;
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        if self.fail_at.is_some_and(|f| self.pos >= f) {
            return Err(std::io::Error::other("disk on fire"));
        }
        // short, uneven reads
        let n = buf.len().min(self.data.len() - self.pos).min(100_003);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn hash_reader_streams_with_progress() {
    let data = random(READ_CHUNK * 2 + 12_345, 6);
    let reader = ChunkyReader {
        data: data.clone(),
        pos: 0,
        fail_at: None,
        interrupted: false,
    };
    let mut seen = Vec::new();
    let (digests, n) = hash_reader(reader, &[Xxh64, Md5], |b| seen.push(b)).unwrap();
    assert_eq!(n, data.len() as u64);
    assert_eq!(
        seen,
        vec![READ_CHUNK as u64, 2 * READ_CHUNK as u64, data.len() as u64]
    );
    assert_eq!(digests.get(Xxh64).unwrap(), hash_bytes(Xxh64, &data));
    assert_eq!(digests.get(Md5).unwrap(), hash_bytes(Md5, &data));
    assert_eq!(digests.get(Sha1), None);

    let (empty, n) = hash_reader(&b""[..], &[Xxh3], |_| panic!("no progress")).unwrap();
    assert_eq!(n, 0);
    assert_eq!(empty.get(Xxh3), Some("2d06800538d394c2"));
}

#[test]
fn hash_reader_reuses_its_buffer_safely() {
    // A long input, then a short one on the same thread: no stale bytes from the first.
    let long = random(READ_CHUNK + 77, 8);
    let (d, _) = hash_reader(&long[..], &[Xxh64], |_| {}).unwrap();
    assert_eq!(d.get(Xxh64).unwrap(), hash_bytes(Xxh64, &long));
    let (d, n) = hash_reader(&b"abc"[..], &[Xxh64], |_| {}).unwrap();
    assert_eq!(
        (d.get(Xxh64).unwrap(), n),
        (hash_bytes(Xxh64, b"abc").as_str(), 3)
    );
    // A reader that itself hashes (re-entrant use of the per-thread buffer).
    struct Nested(Vec<u8>, usize);
    impl std::io::Read for Nested {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let (inner, _) = hash_reader(&b"inner"[..], &[Md5], |_| {}).unwrap();
            assert_eq!(inner.get(Md5).unwrap(), hash_bytes(Md5, b"inner"));
            let n = out.len().min(self.0.len() - self.1);
            out[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }
    let data = random(5000, 9);
    let (d, _) = hash_reader(Nested(data.clone(), 0), &[Xxh3], |_| {}).unwrap();
    assert_eq!(d.get(Xxh3).unwrap(), hash_bytes(Xxh3, &data));
    // A caller's small buffer: same digests, progress per buffer fill.
    let mut buf = [0u8; 1000];
    let mut seen = Vec::new();
    let (d, n) = hash_reader_with(&data[..], &[Xxh3], &mut buf, |b| seen.push(b)).unwrap();
    assert_eq!(
        (d.get(Xxh3).unwrap(), n),
        (hash_bytes(Xxh3, &data).as_str(), 5000)
    );
    assert_eq!(seen, [1000, 2000, 3000, 4000, 5000]);
    let (d, _) = hash_reader_with(&data[..], &[Xxh3], &mut [], |_| {}).unwrap();
    assert_eq!(d.get(Xxh3).unwrap(), hash_bytes(Xxh3, &data));
}

#[test]
fn hash_reader_reports_read_errors() {
    let reader = ChunkyReader {
        data: random(3_000_000, 7),
        pos: 0,
        fail_at: Some(1_500_000),
        interrupted: false,
    };
    let err = hash_reader(reader, &[Xxh64], |_| {}).unwrap_err();
    assert!(matches!(err, Error::Io { op: "read", .. }), "{err:?}");
    assert!(err.to_string().contains("disk on fire"), "{err}");
    assert!(err.to_string().contains("<reader>"), "{err}");
}

#[test]
fn format_names_parse_and_display() {
    for f in HashFormat::ALL {
        assert_eq!(f.name().parse::<HashFormat>().unwrap(), f);
        assert_eq!(f.name().to_uppercase().parse::<HashFormat>().unwrap(), f);
        assert_eq!(f.to_string(), f.name());
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            format!("\"{}\"", f.name())
        );
    }
    for bad in ["", "md4", "xxh32", "sha256", " md5", "xxh3_64"] {
        let err = bad.parse::<HashFormat>().unwrap_err();
        assert!(matches!(err, Error::UnknownHashFormat(_)), "{bad}");
    }
    let long = "x".repeat(10_000).parse::<HashFormat>().unwrap_err();
    assert!(long.to_string().len() < 200);
    let d = all_in_one_pass(b"abc");
    let json = serde_json::to_string(&d).unwrap();
    assert!(
        json.starts_with("{\"md5\":\"900150983cd24fb0d6963f7d28e17f72\""),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Digests>(&json).unwrap(), d);
}

#[test]
fn debug_output_is_short() {
    let mut h = MultiHasher::new(&[Xxh64]);
    h.update(b"secret-ish data");
    let dbg = format!("{h:?}");
    assert!(dbg.contains("Xxh64") && dbg.contains("15"), "{dbg}");
}
