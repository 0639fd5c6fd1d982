//! Tests of the directory hashes (content, structure, hash of a hash list) against ascmhl 1.2 known answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

use HashFormat::{C4, Md5, Sha1, Xxh3, Xxh64, Xxh128};

/// Directory hashes computed once with ascmhl 1.2's `hash_of_hash_list` and `DirectoryHashContext`
/// in the reference venv: empty list; the list [h("b"), h("a"), h("c")]; a folder `Sub` holding
/// `c.wav` = "ccc" (content, structure); and a root holding `A001.mov` = "a", `Über.txt` = "bb" and
/// `Sub` (content, structure).
const DIRECTORY: &[(HashFormat, [&str; 6])] = &[
    (
        Md5,
        [
            "d41d8cd98f00b204e9800998ecf8427e",
            "c8f06173062fde0174f1e15ae17f9d06",
            "cea0b6a183a33ebd5960b0210fc4c480",
            "31948945f2710b517da312f913f465ea",
            "a62fe801ff2f820687e58dd92fbb4185",
            "c74f17290688d9e39208f47e83be2760",
        ],
    ),
    (
        Sha1,
        [
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "7bd43a477a5278d790045b3b9ce9e69bcbe69ecc",
            "106317c687a95d8c2703d21a14a09f03c7f25f4b",
            "ef30cc91e00a4a39dd8b2d1ffbb2540559d52000",
            "0c94fb951e8b359bf119a0edfaa3b1f1a706d420",
            "0b2c64d20038390d5230ebbbcfa96cb6317e6e4e",
        ],
    ),
    (
        Xxh64,
        [
            "ef46db3751d8e999",
            "7dab3297957204b8",
            "034ee582b3e728c4",
            "c26fcd88c8db19fb",
            "0cdc72f0e4200eff",
            "838d74c8446e19d5",
        ],
    ),
    (
        Xxh3,
        [
            "2d06800538d394c2",
            "5c486fa635bc35af",
            "1cf419ae67080541",
            "e8cde8d5f0256e1a",
            "8858fedd304781a5",
            "bd18a43821da2e57",
        ],
    ),
    (
        Xxh128,
        [
            "99aa06d3014798d86001c324468d497f",
            "14e05ef2ac50c9487ed29a842fec6f92",
            "c92065f5a85e3bb4156fb60ab84fb2f6",
            "0b31dbfe97f19e50f80ae69a3b920e26",
            "be5bd750be70d8f8164dc32f907b7f59",
            "516ccb399ada6d34c01b854d9a41020e",
        ],
    ),
    (
        C4,
        [
            "c459dsjfscH38cYeXXYogktxf4Cd9ibshE3BHUo6a58hBXmRQdZrAkZzsWcbWtDg5oQstpDuni4Hirj75GEmTc1sFT",
            "c43S1QHDJvA68ym8bgSHne18LQxsxYTSVg7zQnnSgZZumpwtiYnV3f3mAzxghG7QnJGbJAk91upW3WC3odaHaMWxfb",
            "c42TrxSt4HqXh66F6UJ9vTnHVeZ63n2Qgw6KoLsHgYBn8EBfyTPwgXW2q3tEXkFMQiyFRYMgzuqeedZ69uF9wKPJpZ",
            "c44CFP1V3mmmn5DM7h8saaMU76PNSPotTAAK9Bcr5C8WXFrqxA6AjQvpbDwMvMrEbZQ5q6RuTQkRKe4utVKb7bghSo",
            "c44sdxpK8oqxfvCvq3vC624o84J1YVLPpT6UPdxsXrVZsM8fDsJA782g4ptcrbtBKkNA4huFVpkAThJ2jqvp9AQdCq",
            "c41mUdmhKQDqM66YWBtarHiVv6JK4Cbzyu1zp62e7E1wRrf76qNEwGTkWEeBEeAgb7sNKXzoUKYcJFs1uZKPFJcMhR",
        ],
    ),
];

#[test]
fn directory_hashes_match_ascmhl() {
    for (
        f,
        [
            empty,
            list,
            sub_content,
            sub_structure,
            root_content,
            root_structure,
        ],
    ) in DIRECTORY
    {
        let f = *f;
        let h = |d: &[u8]| hash_bytes(f, d);
        assert_eq!(hash_of_hash_list::<&str>(f, &[]).unwrap(), *empty, "{f}");
        assert_eq!(
            hash_of_hash_list(f, &[h(b"b"), h(b"a"), h(b"c")]).unwrap(),
            *list,
            "{f}"
        );
        let mut sub = DirectoryHasher::new(f);
        sub.add_file("c.wav", &h(b"ccc")).unwrap();
        assert_eq!(sub.content_hash(), *sub_content, "{f}");
        assert_eq!(sub.structure_hash(), *sub_structure, "{f}");
        // children added in a different order than ascmhl visits them: sorting makes it irrelevant
        let mut root = DirectoryHasher::new(f);
        root.add_directory("Sub", &sub.content_hash(), &sub.structure_hash())
            .unwrap();
        root.add_file("Über.txt", &h(b"bb")).unwrap();
        root.add_file("A001.mov", &h(b"a")).unwrap();
        assert_eq!(root.format(), f);
        assert_eq!(root.content_hash(), *root_content, "{f}");
        assert_eq!(root.structure_hash(), *root_structure, "{f}");
        assert_eq!(DirectoryHasher::new(f).content_hash(), *empty);
    }
}

#[test]
fn directory_helpers_reject_malformed_child_digests() {
    let mut d = DirectoryHasher::new(Xxh64);
    let err = d.add_file("a", "not-a-digest").unwrap_err();
    assert!(
        matches!(
            err,
            Error::MalformedDigest {
                format: "xxh64",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        d.add_directory("s", &hash_bytes(Xxh64, b""), "c4zz")
            .is_err()
    );
    assert!(d.add_directory("s", "", &hash_bytes(Xxh64, b"")).is_err());
    // nothing half-added
    assert_eq!(d.content_hash(), hash_bytes(Xxh64, b""));
    assert!(hash_of_hash_list(Md5, &["d41d8cd98f00b204e9800998ecf8427e", "xyz"]).is_err());
    assert!(structure_entry_hash(C4, "a", &hash_bytes(Md5, b"")).is_err());
}

// Known answers computed with ascmhl 1.2 (`ascmhl create -h <all six>`) on a folder
// `Clips/sub/b.txt` containing "x\n", `Clips/a.mov` containing "hello\n", an empty folder
// `empty` and a zero-byte `zero.txt` (the same tree as the mhl create tests).
// (format, hash of b.txt, sub content, sub structure)
const SUB: [(HashFormat, &str, &str, &str); 6] = [
    (
        Md5,
        "401b30e3b8b5d629635a5c613cdb7919",
        "7c9c9bebd5878de54fbc3278f364c55a",
        "471a571566189bd6142f7e3324f70222",
    ),
    (
        Sha1,
        "6fcf9dfbd479ed82697fee719b9f8c610a11ff2a",
        "5f45c792278777339ac3de7851ace3fc3b9299dc",
        "0ce9204d9abcf25a93bf0b1b321e3d4961335894",
    ),
    (
        Xxh128,
        "2528250d92619b8e1bf67208bddf1edb",
        "baf161ab199af827f04cbfc85a633e19",
        "6d2ffbb42475cb98a5bbd1f818a1f616",
    ),
    (
        Xxh3,
        "1bf67208bddf1edb",
        "ba848a058349d0bb",
        "d51ce914384434aa",
    ),
    (
        Xxh64,
        "0ac3482722e9fdae",
        "bddfdc005d154a7f",
        "2f33762b7fe1c213",
    ),
    (
        C4,
        "c42PcUhCnecsbmBqn2PFyXazPeSq8FS2yvURNdEbAdfpEa1YkwuXtFHf3wSWt47eMscK8MiL58LnCME52vDck9vHUF",
        "c431TYngkcdacqkeAFP7k5e3qTYtNKSGhw5pVfDKxuwAXEWaFfX58stib9jVbtYhbFDLQG1HpC8JK6F1kNbbU2W685",
        "c41qQ1CwsDZ5LxhT3caFWdFsurX81eWZbDw2dCiuKgEUZTeSQsHfzQtWQye6FrHaRx6aDyVvwUsfESGW9ZsrRcMhTA",
    ),
];

#[test]
fn single_file_folder_matches_ascmhl() {
    for (format, file, content, structure) in SUB {
        assert_eq!(hash_bytes(format, b"x\n"), file, "{format}");
        let mut d = MultiDirectoryHasher::new(&[format]);
        d.add_file(format, "b.txt", file).unwrap();
        let got = d.finish().remove(&format).unwrap();
        assert_eq!(got.content, content, "{format} content");
        assert_eq!(got.structure, structure, "{format} structure");
    }
}

#[test]
fn all_formats_at_once_match_one_format_at_a_time() {
    let formats: Vec<HashFormat> = SUB.iter().map(|s| s.0).collect();
    let mut all = MultiDirectoryHasher::new(&formats);
    assert_eq!(all.formats(), HashFormat::ALL.to_vec());
    for (format, file, _, _) in SUB {
        all.add_file(format, "b.txt", file).unwrap();
    }
    let got = all.finish();
    assert_eq!(got.len(), 6);
    for (format, _, content, structure) in SUB {
        let d = &got[&format];
        assert_eq!(
            (d.content.as_str(), d.structure.as_str()),
            (content, structure)
        );
    }
    // a format the context does not compute is skipped, even with a digest of another format
    let mut one = MultiDirectoryHasher::new(&[Md5, Md5]);
    assert_eq!(one.formats(), vec![Md5]);
    one.add_file(Xxh64, "b.txt", "not even a digest").unwrap();
    let d = one.finish().remove(&Md5).unwrap();
    assert_eq!(d.content, hash_bytes(Md5, b""));
}

#[test]
fn nested_and_empty_folders_match_ascmhl() {
    // Clips = {a.mov ("hello\n"), sub/}; root = {Clips/, empty/, zero.txt}; xxh64 and md5.
    // (format, Clips content, Clips structure, empty, root content, root structure)
    let cases = [
        (
            Xxh64,
            "2e3ef578fe41f703",
            "20ed9a4d2c001f3a",
            "ef46db3751d8e999",
            "d3ac1b5e4f57faf0",
            "c454aa00459111e5",
        ),
        (
            Md5,
            "b99a39d14750b7f1b3ff03a72798a370",
            "c0684808c38379a93c8855cded0eb08a",
            "d41d8cd98f00b204e9800998ecf8427e",
            "b3b0ea50f278b21dd6d0fb2ced290a53",
            "0ba7097149f5b05339f3dbb720ae55b9",
        ),
    ];
    for (format, clips_c, clips_s, empty, root_c, root_s) in cases {
        let (_, _, sub_c, sub_s) = SUB.iter().find(|s| s.0 == format).copied().unwrap();
        let mut clips = MultiDirectoryHasher::new(&[format]);
        clips
            .add_file(format, "a.mov", &hash_bytes(format, b"hello\n"))
            .unwrap();
        clips
            .add_directory(
                format,
                "sub",
                &DirDigest {
                    content: sub_c.into(),
                    structure: sub_s.into(),
                },
            )
            .unwrap();
        let clips = clips.finish().remove(&format).unwrap();
        assert_eq!(
            (clips.content.as_str(), clips.structure.as_str()),
            (clips_c, clips_s)
        );
        let e = MultiDirectoryHasher::new(&[format])
            .finish()
            .remove(&format)
            .unwrap();
        assert_eq!((e.content.as_str(), e.structure.as_str()), (empty, empty));
        let mut root = MultiDirectoryHasher::new(&[format]);
        root.add_directory(format, "Clips", &clips).unwrap();
        root.add_directory(format, "empty", &e).unwrap();
        root.add_file(format, "zero.txt", &hash_bytes(format, b""))
            .unwrap();
        let r = root.finish().remove(&format).unwrap();
        assert_eq!((r.content.as_str(), r.structure.as_str()), (root_c, root_s));
        // the single-format hasher gives the same pair
        let mut single = DirectoryHasher::new(format);
        single.add_directory_digest("Clips", &clips).unwrap();
        single
            .add_directory("empty", &e.content, &e.structure)
            .unwrap();
        single
            .add_file("zero.txt", &hash_bytes(format, b""))
            .unwrap();
        assert_eq!(single.digest(), r);
    }
}

#[test]
fn multi_directory_hasher_rejects_malformed_child_digests() {
    let mut d = MultiDirectoryHasher::new(&[C4, Md5]);
    assert!(d.add_file(C4, "a", "c4xyz").is_err());
    assert!(d.add_file(Md5, "a", "zz").is_err());
    let bad = DirDigest {
        content: hash_bytes(Md5, b""),
        structure: "c4".into(),
    };
    assert!(d.add_directory(Md5, "s", &bad).is_err());
    // nothing half-added
    let got = d.finish();
    assert_eq!(got[&Md5].content, hash_bytes(Md5, b""));
    assert_eq!(got[&C4].structure, hash_bytes(C4, b""));
}
