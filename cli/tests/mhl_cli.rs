//! `rushes mhl` as a process, for ascmhl's options that only exist on the command line: `-n`
//! (no directory hashes), `-ii` (ignore spec file), the author fields; each checked against the
//! reference ascmhl 1.2 in both directions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rushes_test_support::{ref_tool, skip};

fn rushes(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rushes"))
        .args(args)
        .output()
        .unwrap()
}

fn folder(dir: &Path, name: &str) -> PathBuf {
    let root = dir.join(name);
    std::fs::create_dir_all(root.join("clips/sub")).unwrap();
    std::fs::write(root.join("clips/a.mov"), vec![1u8; 5000]).unwrap();
    std::fs::write(root.join("clips/sub/b.xml"), b"<b/>\n").unwrap();
    std::fs::write(root.join("notes.tmp"), b"scratch\n").unwrap();
    root
}

fn latest_manifest(root: &Path) -> String {
    let mut names: Vec<PathBuf> = std::fs::read_dir(root.join("ascmhl"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "mhl"))
        .collect();
    names.sort();
    std::fs::read_to_string(names.last().unwrap()).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn no_directory_hashes_interoperates_with_ascmhl() {
    let (Some(ascmhl), Some(debug)) = (ref_tool("ascmhl"), ref_tool("ascmhl-debug")) else {
        skip(
            "no_directory_hashes_interoperates_with_ascmhl",
            "ascmhl is not installed",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Ours with -n: folders listed without hashes, no root hash; ascmhl verifies it.
    let ours = folder(dir.path(), "OURS");
    let out = rushes(&["mhl", "create", "-n", "-h", "xxh64", s(&ours)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let xml = latest_manifest(&ours);
    assert!(xml.contains("<directoryhash>"), "{xml}");
    assert!(!xml.contains("<roothash>"), "{xml}");
    assert!(
        !xml.contains("structure=") && !xml.contains("<xxh64>"),
        "{xml}"
    );
    let status = Command::new(&debug)
        .arg("verify")
        .arg(&ours)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    // A second generation of ours (with hashes) still verifies on both sides.
    let out = rushes(&["mhl", "create", "-h", "xxh64", s(&ours)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(latest_manifest(&ours).contains("<roothash>"));
    let status = Command::new(&debug)
        .arg("verify")
        .arg(&ours)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));

    // ascmhl's -n history verifies here, and an altered file is caught (exit 11) by both.
    let theirs = folder(dir.path(), "THEIRS");
    let status = Command::new(&ascmhl)
        .args(["create", "-n", "-h", "xxh64"])
        .arg(&theirs)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(
        rushes(&["mhl", "verify", s(&theirs)]).status.code(),
        Some(0)
    );
    std::fs::write(theirs.join("clips/a.mov"), vec![2u8; 5000]).unwrap();
    assert_eq!(
        rushes(&["mhl", "verify", s(&theirs)]).status.code(),
        Some(11)
    );
    let status = Command::new(&debug)
        .arg("verify")
        .arg(&theirs)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(11));
}

#[test]
fn ignore_spec_files_and_author_fields_match_ascmhl() {
    let (Some(ascmhl), Some(debug)) = (ref_tool("ascmhl"), ref_tool("ascmhl-debug")) else {
        skip(
            "ignore_spec_files_and_author_fields_match_ascmhl",
            "ascmhl is not installed",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("ignore.txt");
    std::fs::write(&spec, "*.tmp\n\nsub/\n").unwrap();
    let ours = folder(dir.path(), "OURS");
    let theirs = folder(dir.path(), "THEIRS");
    let out = rushes(&[
        "mhl",
        "create",
        "-h",
        "xxh64",
        "-ii",
        s(&spec),
        "--author_name",
        "Dana DIT",
        "--author_email",
        "dana@example.com",
        "--author_role",
        "DIT",
        s(&ours),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let status = Command::new(&ascmhl)
        .args(["create", "-h", "xxh64", "-ii"])
        .arg(&spec)
        .arg(&theirs)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    for root in [&ours, &theirs] {
        let xml = latest_manifest(root);
        assert!(
            !xml.contains("notes.tmp") && !xml.contains("b.xml"),
            "{xml}"
        );
        assert!(xml.contains("<pattern>*.tmp</pattern>"), "{xml}");
        assert!(xml.contains("<pattern>sub/</pattern>"), "{xml}");
        // New scratch files matching the spec stay ignored by both verifiers.
        std::fs::write(root.join("more.tmp"), b"x").unwrap();
        let status = Command::new(&debug)
            .arg("verify")
            .arg(root)
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(0), "{root:?}");
        assert_eq!(rushes(&["mhl", "verify", s(root)]).status.code(), Some(0));
    }
    let xml = latest_manifest(&ours);
    assert!(
        xml.contains("dana@example.com") && xml.contains("DIT") && xml.contains("Dana DIT"),
        "{xml}"
    );
    // ascmhl reads our author element.
    let info = Command::new(&ascmhl)
        .args(["info", "-v"])
        .arg(&ours)
        .output()
        .unwrap();
    assert!(info.status.success(), "{info:?}");
}

#[test]
fn an_unreadable_ignore_spec_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = folder(dir.path(), "R");
    let missing = dir.path().join("nope.txt");
    let out = rushes(&["mhl", "create", "-h", "xxh64", "-ii", s(&missing), s(&root)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nope.txt") && err.contains("ignore spec"),
        "{err}"
    );
    assert!(!root.join("ascmhl").exists(), "nothing written");
    let huge = dir.path().join("huge.txt");
    std::fs::write(&huge, vec![b'a'; 2 << 20]).unwrap();
    let out = rushes(&["mhl", "create", "-h", "xxh64", "-ii", s(&huge), s(&root)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("huge.txt"));
}
