//! Engine tests of the MHL module over an in-memory file system.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::Error;
use crate::hash::HashFormat;

/// A `Mutex` with `RefCell`-like accessors (`MhlFs` must be `Sync`: files are hashed in parallel).
#[derive(Debug, Default)]
pub(crate) struct Shared<T>(Mutex<T>);

impl<T> Shared<T> {
    pub fn borrow(&self) -> MutexGuard<'_, T> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
    pub fn borrow_mut(&self) -> MutexGuard<'_, T> {
        self.borrow()
    }
}

/// An in-memory tree: path -> file bytes; folders implied (plus explicit empty ones).
#[derive(Debug, Default)]
pub(crate) struct MemFs {
    pub files: Shared<BTreeMap<String, Vec<u8>>>,
    pub dirs: Shared<Vec<String>>,
    /// Size reported by stat/list for this file differs from its content (simulates a change).
    pub lie_size: Option<String>,
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 1, 16, 9, 15, 0).unwrap()
}

impl MemFs {
    fn add(&self, p: &str, b: &[u8]) {
        self.files.borrow_mut().insert(p.into(), b.to_vec());
    }
    fn is_dir(&self, p: &str) -> bool {
        p.is_empty()
            || self
                .dirs
                .borrow()
                .iter()
                .any(|d| d == p || d.starts_with(&format!("{p}/")))
            || self
                .files
                .borrow()
                .keys()
                .any(|f| f.starts_with(&format!("{p}/")))
    }
}

impl MhlFs for MemFs {
    fn root_name(&self) -> String {
        "ROLL".into()
    }
    fn stat(&self, path: &RelPath) -> crate::Result<Option<DirEntry>> {
        let p = path.as_str();
        if let Some(b) = self.files.borrow().get(p) {
            let size = if self.lie_size.as_deref() == Some(p) {
                b.len() as u64 + 1
            } else {
                b.len() as u64
            };
            return Ok(Some(DirEntry {
                name: path.file_name().into(),
                kind: EntryKind::File,
                size,
                modified: Some(t0()),
            }));
        }
        if self.is_dir(p) {
            return Ok(Some(DirEntry {
                name: path.file_name().into(),
                kind: EntryKind::Dir,
                size: 0,
                modified: Some(t0()),
            }));
        }
        Ok(None)
    }
    fn list_dir(&self, dir: &RelPath) -> crate::Result<Vec<DirEntry>> {
        let prefix = if dir.is_root() {
            String::new()
        } else {
            format!("{}/", dir.as_str())
        };
        let mut names = std::collections::BTreeSet::new();
        let files = self.files.borrow();
        let dirs = self.dirs.borrow();
        for p in files.keys().chain(dirs.iter()) {
            if let Some(rest) = p.strip_prefix(&prefix) {
                if let Some(first) = rest.split('/').next() {
                    if !first.is_empty() {
                        names.insert(first.to_string());
                    }
                }
            }
        }
        drop(files);
        drop(dirs);
        let mut out = Vec::new();
        for n in names {
            if let Some(e) = self.stat(&dir.join(&n)?)? {
                out.push(e);
            }
        }
        Ok(out)
    }
    fn open(&self, file: &RelPath) -> crate::Result<Box<dyn Read + '_>> {
        let b = self
            .files
            .borrow()
            .get(file.as_str())
            .cloned()
            .ok_or_else(|| Error::Io {
                path: file.to_string(),
                op: "open",
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            })?;
        Ok(Box::new(std::io::Cursor::new(b)))
    }
    fn read_small(&self, file: &RelPath, limit: u64) -> crate::Result<Vec<u8>> {
        let mut v = Vec::new();
        self.open(file)?
            .take(limit + 1)
            .read_to_end(&mut v)
            .unwrap();
        Ok(v)
    }
    fn write_new(&self, file: &RelPath, bytes: &[u8]) -> crate::Result<()> {
        assert!(
            !self.files.borrow().contains_key(file.as_str()),
            "overwrite of {file}"
        );
        self.add(file.as_str(), bytes);
        Ok(())
    }
    fn write_replace(&self, file: &RelPath, bytes: &[u8]) -> crate::Result<()> {
        self.add(file.as_str(), bytes);
        Ok(())
    }
}

fn creator() -> CreatorInfo {
    CreatorInfo {
        creation_date: t0().fixed_offset(),
        hostname: "host".into(),
        tool: Tool {
            name: "rushes".into(),
            version: "0.1.0".into(),
        },
        authors: vec![Author {
            name: Some("A & B".into()),
            email: Some("a@b".into()),
            phone: None,
            role: Some("DIT".into()),
        }],
        location: Some("Set <1>".into()),
        comment: None,
    }
}

/// Verifies files and folder hashes.
fn verify_with_directories(fs: &MemFs) -> Report {
    verify(
        fs,
        &VerifyOptions {
            directory_hashes: true,
            ..Default::default()
        },
        &mut |_| {},
    )
    .unwrap()
}

fn sample() -> MemFs {
    let fs = MemFs::default();
    fs.add("Clips/a.mov", b"hello\n");
    fs.add("Clips/sub/b.txt", b"x\n");
    fs.add("zero.txt", b"");
    fs.dirs.borrow_mut().push("empty".into());
    fs
}

fn opts(formats: &[HashFormat]) -> CreateOptions {
    CreateOptions {
        formats: formats.to_vec(),
        ignore: vec![],
        creator: creator(),
        date: t0(),
        directory_hashes: true,
        detect_renaming: false,
        single_files: Vec::new(),
    }
}

#[test]
fn progress_reports_the_total_of_all_file_sizes() {
    let fs = sample();
    let mut seen: Vec<(u64, u64)> = Vec::new();
    create(&fs, &opts(&[HashFormat::Xxh64]), &mut |p| {
        seen.push((p.bytes_done, p.bytes_total))
    })
    .unwrap();
    assert!(seen.iter().all(|&(_, total)| total == 8), "{seen:?}");
    assert_eq!(seen.last().map(|s| s.0), Some(8));
    for directory_hashes in [false, true] {
        seen.clear();
        let options = VerifyOptions {
            directory_hashes,
            ..Default::default()
        };
        verify(&fs, &options, &mut |p| {
            seen.push((p.bytes_done, p.bytes_total))
        })
        .unwrap();
        assert!(!seen.is_empty());
        assert!(seen.iter().all(|&(_, total)| total == 8), "{seen:?}");
    }
}

#[test]
fn create_matches_ascmhl_hashes_and_layout() {
    let fs = sample();
    let out = create(
        &fs,
        &opts(&[HashFormat::Xxh64, HashFormat::Md5]),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(out.verdict, Verdict::Clean);
    assert_eq!(out.written.len(), 1);
    assert_eq!(
        out.written[0].path.as_str(),
        "ascmhl/0001_ROLL_2020-01-16_091500Z.mhl"
    );
    let text = String::from_utf8(fs.files.borrow()[out.written[0].path.as_str()].clone()).unwrap();
    // Root hashes computed with ascmhl 1.2 on the same tree (see the known answers in hash/dir_tests.rs).
    assert!(
        text.contains("<xxh64 hashdate=\"2020-01-16T09:15:00+00:00\">d3ac1b5e4f57faf0</xxh64>"),
        "{text}"
    );
    assert!(text.contains("c454aa00459111e5"));
    assert!(
        text.contains("<path lastmodificationdate=\"2020-01-16T09:15:00+00:00\">zero.txt</path>")
    );
    assert!(text.contains(
        "<path size=\"6\" lastmodificationdate=\"2020-01-16T09:15:00+00:00\">Clips/a.mov</path>"
    ));
    let order: Vec<_> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("<path"))
        .map(|l| l.trim().to_string())
        .collect();
    let names: Vec<_> = order
        .iter()
        .map(|l| {
            l.rsplit('>')
                .nth(1)
                .unwrap()
                .trim_end_matches("</path")
                .to_string()
        })
        .collect();
    assert_eq!(
        names,
        [
            "Clips/sub/b.txt",
            "Clips/sub",
            "Clips/a.mov",
            "Clips",
            "empty",
            "zero.txt"
        ]
    );
    // Round trip: parse what we wrote and write it again, byte for byte.
    let m = parse_manifest("x.mhl", text.as_bytes()).unwrap();
    assert_eq!(write_manifest(&m), text.as_bytes());
    assert_eq!(m.creator.authors[0].name.as_deref(), Some("A & B"));
    // And the chain holds the C4 of the manifest bytes.
    let chain = parse_chain("c", &fs.files.borrow()["ascmhl/ascmhl_chain.xml"]).unwrap();
    assert_eq!(chain.len(), 1);
    assert_eq!(
        chain[0].value,
        crate::hash::hash_bytes(HashFormat::C4, text.as_bytes())
    );
    // A clean verify.
    let r = verify(&fs, &VerifyOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(r.verdict, Verdict::Clean, "{:?}", r.findings);
    let r = verify_with_directories(&fs);
    assert_eq!(r.verdict, Verdict::Clean, "{:?}", r.findings);
}

#[test]
fn verdicts_for_altered_missing_new_and_second_generation() {
    let fs = sample();
    create(&fs, &opts(&[HashFormat::Xxh64]), &mut |_| {}).unwrap();
    fs.add("Clips/a.mov", b"HELLO\n");
    let r = verify(&fs, &VerifyOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(r.exit_code(), 11);
    let r = verify_with_directories(&fs);
    assert_eq!(r.exit_code(), 12);
    fs.add("Clips/a.mov", b"hello\n");
    fs.files.borrow_mut().remove("zero.txt");
    assert_eq!(
        verify(&fs, &VerifyOptions::default(), &mut |_| {})
            .unwrap()
            .exit_code(),
        10
    );
    assert_eq!(diff(&fs, &[]).unwrap().exit_code(), 10);
    fs.add("zero.txt", b"");
    fs.add("new.txt", b"n");
    assert_eq!(
        verify(&fs, &VerifyOptions::default(), &mut |_| {})
            .unwrap()
            .exit_code(),
        21
    );
    assert_eq!(diff(&fs, &[]).unwrap().exit_code(), 21);
    // Second generation: verified + original, then a failed one.
    let mut o = opts(&[HashFormat::Xxh64, HashFormat::Md5]);
    o.date = t0() + chrono::Duration::days(1);
    let out = create(&fs, &o, &mut |_| {}).unwrap();
    assert_eq!(out.verdict, Verdict::Clean);
    let h = History::load(&fs).unwrap();
    assert_eq!(h.generations.len(), 2);
    let g2 = &h.generations[1].manifest;
    let a = g2
        .files()
        .find(|f| f.path.as_str() == "Clips/a.mov")
        .unwrap();
    assert!(
        a.hashes.iter().all(|h| h.action == Some(Action::Verified)),
        "{a:?}"
    );
    let n = g2.files().find(|f| f.path.as_str() == "new.txt").unwrap();
    assert!(n.hashes.iter().all(|h| h.action == Some(Action::Original)));
    fs.add("Clips/a.mov", b"hellO\n");
    o.date = t0() + chrono::Duration::days(2);
    let out = create(&fs, &o, &mut |_| {}).unwrap();
    assert_eq!(out.verdict.exit_code(), 11);
    let h = History::load(&fs).unwrap();
    let a = h.generations[2]
        .manifest
        .files()
        .find(|f| f.path.as_str() == "Clips/a.mov")
        .unwrap()
        .clone();
    assert!(a.hashes.iter().any(|h| h.action == Some(Action::Failed)));
}

#[test]
fn tampering_with_the_history_is_detected() {
    let fs = sample();
    create(&fs, &opts(&[HashFormat::Xxh64]), &mut |_| {}).unwrap();
    let name = "ascmhl/0001_ROLL_2020-01-16_091500Z.mhl".to_string();
    let orig = fs.files.borrow()[&name].clone();
    let mut edited = orig.clone();
    edited.extend_from_slice(b"\n");
    fs.add(&name, &edited);
    assert_eq!(
        verify(&fs, &VerifyOptions::default(), &mut |_| {})
            .unwrap()
            .exit_code(),
        31
    );
    fs.add(&name, &orig);
    let chain = fs
        .files
        .borrow_mut()
        .remove("ascmhl/ascmhl_chain.xml")
        .unwrap();
    assert_eq!(
        verify(&fs, &VerifyOptions::default(), &mut |_| {})
            .unwrap()
            .exit_code(),
        32
    );
    fs.add("ascmhl/ascmhl_chain.xml", &chain);
    let empty = MemFs::default();
    empty.add("a", b"a");
    assert_eq!(
        verify(&empty, &VerifyOptions::default(), &mut |_| {})
            .unwrap()
            .exit_code(),
        30
    );
}

#[test]
fn a_file_changing_while_hashed_is_an_error_naming_it() {
    let mut fs = sample();
    fs.lie_size = Some("Clips/a.mov".into());
    let err = create(&fs, &opts(&[HashFormat::Xxh64]), &mut |_| {}).unwrap_err();
    assert!(matches!(err, Error::ChangedWhileHashing { .. }), "{err}");
    assert!(err.to_string().contains("Clips/a.mov"));
    assert!(
        !fs.files.borrow().keys().any(|k| k.starts_with("ascmhl")),
        "nothing written"
    );
}

#[test]
fn nested_histories_are_referenced_from_the_parent() {
    let fs = MemFs::default();
    fs.add("A002/Clips/c.mov", b"c");
    fs.add("A002/Sidecar.txt", b"s");
    create_at(&fs, "A002");
    fs.add("Summary.txt", b"sum");
    let out = create(&fs, &opts(&[HashFormat::Xxh64]), &mut |_| {}).unwrap();
    assert_eq!(out.verdict, Verdict::Clean);
    assert_eq!(out.written.len(), 2);
    assert_eq!(
        out.written[0].path.as_str(),
        "A002/ascmhl/0002_A002_2020-01-16_091500Z.mhl"
    );
    let h = History::load(&fs).unwrap();
    assert_eq!(h.children.len(), 1);
    let top = &h.generations[0].manifest;
    assert_eq!(
        top.references[0].path.as_str(),
        "A002/ascmhl/0002_A002_2020-01-16_091500Z.mhl"
    );
    assert_eq!(top.references[0].c4, out.written[0].c4);
    assert!(top.directories().any(|d| d.path.as_str() == "A002"));
    assert!(!top.files().any(|f| f.path.as_str().starts_with("A002/")));
    assert_eq!(
        verify(&fs, &VerifyOptions::default(), &mut |_| {})
            .unwrap()
            .exit_code(),
        0
    );
    let r = verify_with_directories(&fs);
    assert_eq!(r.exit_code(), 0, "{:?}", r.findings);
    let flat = flatten(&h, creator(), t0()).unwrap();
    let paths: Vec<_> = flat.files().map(|f| f.path.as_str().to_string()).collect();
    assert!(
        paths.contains(&"A002/Clips/c.mov".to_string())
            && paths.contains(&"Summary.txt".to_string())
    );
    assert!(!info(&h, true).is_empty());
}

/// Creates a history in a sub-folder by viewing it as its own root.
fn create_at(fs: &MemFs, sub: &str) {
    let inner = MemFs::default();
    for (k, v) in fs.files.borrow().iter() {
        if let Some(rest) = k.strip_prefix(&format!("{sub}/")) {
            inner.add(rest, v);
        }
    }
    let mut o = opts(&[HashFormat::Xxh64]);
    o.date = t0() - chrono::Duration::days(1);
    create(&inner, &o, &mut |_| {}).unwrap();
    for (k, v) in inner.files.borrow().iter() {
        if k.starts_with("ascmhl/") {
            let name = k.replace("ROLL", sub);
            fs.add(&format!("{sub}/{name}"), v);
        }
    }
    // fix the chain's file name after the rename
    let chain_key = format!("{sub}/ascmhl/ascmhl_chain.xml");
    let chain = String::from_utf8(fs.files.borrow()[&chain_key].clone()).unwrap();
    fs.add(&chain_key, chain.replace("ROLL", sub).as_bytes());
}

#[test]
fn bad_manifests_are_clear_errors() {
    let fs = sample();
    create(&fs, &opts(&[HashFormat::Xxh64]), &mut |_| {}).unwrap();
    let text =
        String::from_utf8(fs.files.borrow()["ascmhl/0001_ROLL_2020-01-16_091500Z.mhl"].clone())
            .unwrap();
    let truncated = &text.as_bytes()[..text.len() / 2];
    let e = parse_manifest("0001.mhl", truncated).unwrap_err();
    assert!(
        matches!(e, Error::MhlInvalid { .. }) && e.to_string().contains("0001.mhl"),
        "{e}"
    );
    let e = parse_manifest("0001.mhl", b"<hashlist><creatorinfo></hashlist>").unwrap_err();
    assert!(e.to_string().contains("line 1"), "{e}");
    for (bad, what) in [("../../x", "`..`"), ("/etc/passwd", "absolute")] {
        let t = text.replace(">Clips/a.mov<", &format!(">{bad}<"));
        let e = parse_manifest("0001.mhl", t.as_bytes()).unwrap_err();
        assert!(matches!(e, Error::UnsafePath { .. }), "{e}");
        assert!(
            e.to_string().contains("0001.mhl") && e.to_string().contains(what),
            "{e}"
        );
    }
    let t = text.replace("<!--", "").replacen(
        "<hashlist",
        "<!DOCTYPE x [<!ENTITY a \"b\">]><hashlist",
        1,
    );
    assert!(parse_manifest("0001.mhl", t.as_bytes()).is_err());
    assert!(parse_manifest("0001.mhl", &[0xff, 0xfe]).is_err());
    assert!(parse_manifest("0001.mhl", b"").is_err());
}

#[test]
fn builder_orders_entries_like_ascmhl() {
    let mut b = GenerationBuilder::new(&[HashFormat::Xxh64]);
    for (p, data) in [
        ("Clips/a.mov", &b"hello\n"[..]),
        ("Clips/sub/b.txt", b"x\n"),
        ("zero.txt", b""),
    ] {
        let d = crate::hash::Digests(
            [(
                HashFormat::Xxh64,
                crate::hash::hash_bytes(HashFormat::Xxh64, data),
            )]
            .into(),
        );
        b.add_file(
            RelPath::new(p).unwrap(),
            data.len() as u64,
            Some(t0()),
            &d,
            Action::Original,
            t0(),
        )
        .unwrap();
    }
    b.add_directory(RelPath::new("empty").unwrap(), Some(t0()));
    let (m, root) = b
        .build(creator(), "in-place", ignore::default_ignores(), t0())
        .unwrap();
    assert_eq!(root[&HashFormat::Xxh64].content, "d3ac1b5e4f57faf0");
    assert_eq!(root[&HashFormat::Xxh64].structure, "c454aa00459111e5");
    let paths: Vec<_> = m
        .entries
        .iter()
        .map(|e| e.path().as_str().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "Clips/sub/b.txt",
            "Clips/sub",
            "Clips/a.mov",
            "Clips",
            "empty",
            "zero.txt"
        ]
    );
}

#[test]
fn single_files_that_do_not_exist_are_named_and_nothing_is_written() {
    let fs = sample();
    create(&fs, &opts(&[HashFormat::Xxh64]), &mut |_| {}).unwrap();
    let before = fs.files.borrow().len();
    let mut o = opts(&[HashFormat::Xxh64]);
    o.date = t0() + chrono::Duration::seconds(5);
    o.single_files = vec![RelPath::new("Clips/gone.mov").unwrap()];
    let err = create(&fs, &o, &mut |_| {}).unwrap_err().to_string();
    assert!(err.contains("Clips/gone.mov"), "{err}");
    assert_eq!(fs.files.borrow().len(), before);
}

#[test]
fn renames_are_recorded_only_when_asked_and_only_for_equal_content() {
    let fs = sample();
    create(&fs, &opts(&[HashFormat::Xxh64]), &mut |_| {}).unwrap();
    let bytes = fs.files.borrow_mut().remove("Clips/a.mov").unwrap();
    fs.add("Clips/a_renamed.mov", &bytes);
    fs.add("Clips/unrelated.mov", b"other\n");
    let mut o = opts(&[HashFormat::Xxh64]);
    o.date = t0() + chrono::Duration::seconds(5);
    o.detect_renaming = true;
    let out = create(&fs, &o, &mut |_| {}).unwrap();
    assert_eq!(out.verdict, Verdict::Clean, "{:?}", out.findings);
    let h = History::load(&fs).unwrap();
    let g = &h.generations[1].manifest;
    let renamed = g
        .files()
        .find(|f| f.path.as_str() == "Clips/a_renamed.mov")
        .unwrap();
    assert_eq!(
        renamed.previous_path.as_ref().unwrap().as_str(),
        "Clips/a.mov"
    );
    let other = g
        .files()
        .find(|f| f.path.as_str() == "Clips/unrelated.mov")
        .unwrap();
    assert!(other.previous_path.is_none());
    // The old name is no longer expected: a plain verify is clean.
    let report = verify(&fs, &VerifyOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(report.verdict, Verdict::Clean, "{:?}", report.findings);
}
