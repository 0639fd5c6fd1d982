//! Tests that hashing files on several threads gives exactly the sequential result and errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

use chrono::{TimeZone, Utc};

use super::tests::MemFs;
use super::*;
use crate::Error;
use crate::hash::HashFormat;

fn options(date_minute: u32) -> CreateOptions {
    CreateOptions {
        formats: vec![HashFormat::Xxh64, HashFormat::Md5],
        ignore: vec![],
        creator: CreatorInfo {
            creation_date: Utc
                .with_ymd_and_hms(2020, 1, 16, 9, 15, 0)
                .unwrap()
                .fixed_offset(),
            hostname: "host".into(),
            tool: Tool {
                name: "rushes".into(),
                version: "test".into(),
            },
            authors: vec![],
            location: None,
            comment: None,
        },
        date: Utc
            .with_ymd_and_hms(2020, 1, 16, 9, date_minute, 0)
            .unwrap(),
        directory_hashes: true,
        detect_renaming: false,
        single_files: Vec::new(),
    }
}

/// A card with nested folders, empty and multi-chunk files, and a nested history folder.
fn card() -> MemFs {
    let fs = MemFs::default();
    let mut files = fs.files.borrow_mut();
    for roll in ["A001", "A002", "B001"] {
        for clip in 0..4u32 {
            for frame in 0..5u32 {
                let size = (clip * 7919 + frame * 104_729) as usize % 300_000;
                let byte = (clip * 31 + frame) as u8;
                files.insert(
                    format!("{roll}/C{clip:03}/f{frame:05}.dng"),
                    vec![byte; size],
                );
            }
        }
        files.insert(format!("{roll}/empty.txt"), Vec::new());
    }
    // Larger than the 1 MiB read chunk: several reads per file.
    files.insert(
        "Sound/take1.wav".into(),
        (0..2_500_000u32).map(|i| i as u8).collect(),
    );
    files.insert("Sound/take2.wav".into(), vec![7; (1 << 20) + 1]);
    drop(files);
    fs.dirs.borrow_mut().push("Empty".into());
    fs
}

fn snapshot(fs: &MemFs) -> BTreeMap<String, Vec<u8>> {
    fs.files.borrow().clone()
}

fn outcome_summary(o: &CreateOutcome) -> String {
    format!(
        "{:?} {:?} {:?} {:?}",
        o.written, o.findings, o.files, o.verdict
    )
}

#[test]
fn parallel_create_writes_byte_identical_manifests() {
    for workers in [2, 3, 8] {
        let (one, many) = (card(), card());
        let a = create_with_workers(&one, &options(15), 1, &mut |_| {}).unwrap();
        let b = create_with_workers(&many, &options(15), workers, &mut |_| {}).unwrap();
        assert_eq!(outcome_summary(&a), outcome_summary(&b));
        assert_eq!(snapshot(&one), snapshot(&many), "{workers} workers");

        // Second generation: one file altered, one new, one missing.
        for fs in [&one, &many] {
            let mut files = fs.files.borrow_mut();
            files.insert("A002/C001/f00003.dng".into(), b"changed".to_vec());
            files.insert("B001/C002/new.dng".into(), b"new".to_vec());
            files.remove("A001/C000/f00001.dng");
        }
        let a = create_with_workers(&one, &options(16), 1, &mut |_| {}).unwrap();
        let b = create_with_workers(&many, &options(16), workers, &mut |_| {}).unwrap();
        assert_eq!(a.verdict, Verdict::AlteredFiles);
        assert_eq!(outcome_summary(&a), outcome_summary(&b));
        assert_eq!(snapshot(&one), snapshot(&many), "{workers} workers");
    }
}

#[test]
fn parallel_verify_reports_in_listing_order() {
    let fs = card();
    create_with_workers(&fs, &options(15), 1, &mut |_| {}).unwrap();
    {
        let mut files = fs.files.borrow_mut();
        files.insert("A001/C000/f00002.dng".into(), b"x".to_vec());
        files.insert("A001/C000/a-new.dng".into(), b"n".to_vec());
        files.insert("B001/C003/f00004.dng".into(), b"y".to_vec());
        files.insert("B001/C003/z-new.dng".into(), b"m".to_vec());
    }
    let r = verify(&fs, &VerifyOptions::default(), &mut |_| {}).unwrap();
    let paths: Vec<&str> = r.findings.iter().map(|f| f.path.as_str()).collect();
    // Sizes changed too, but verify compares hashes: altered, in listing (post) order.
    assert_eq!(
        paths,
        [
            "A001/C000/a-new.dng",
            "A001/C000/f00002.dng",
            "B001/C003/f00004.dng",
            "B001/C003/z-new.dng"
        ]
    );
    assert_eq!(r.verdict, Verdict::AlteredFiles);
}

/// Delegates to a [`MemFs`]; opening a `bad` file fails, after a delay for the ones in `slow`.
struct Failing {
    inner: MemFs,
    bad: Vec<&'static str>,
    slow: Vec<&'static str>,
}

impl MhlFs for Failing {
    fn root_name(&self) -> String {
        self.inner.root_name()
    }
    fn stat(&self, path: &RelPath) -> crate::Result<Option<DirEntry>> {
        self.inner.stat(path)
    }
    fn list_dir(&self, dir: &RelPath) -> crate::Result<Vec<DirEntry>> {
        self.inner.list_dir(dir)
    }
    fn open(&self, file: &RelPath) -> crate::Result<Box<dyn Read + '_>> {
        if self.slow.contains(&file.as_str()) {
            std::thread::sleep(Duration::from_millis(150));
        }
        if self.bad.contains(&file.as_str()) {
            return Err(Error::Io {
                path: file.to_string(),
                op: "open",
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            });
        }
        self.inner.open(file)
    }
    fn read_small(&self, file: &RelPath, limit: u64) -> crate::Result<Vec<u8>> {
        self.inner.read_small(file, limit)
    }
    fn write_new(&self, file: &RelPath, bytes: &[u8]) -> crate::Result<()> {
        self.inner.write_new(file, bytes)
    }
    fn write_replace(&self, file: &RelPath, bytes: &[u8]) -> crate::Result<()> {
        self.inner.write_replace(file, bytes)
    }
}

#[test]
fn the_first_error_in_listing_order_wins_and_nothing_is_written() {
    // Post order lists A001's clips before B001's: the slow A001 failure is the one reported,
    // although the B001 failure happens first in time.
    for workers in [1, 2, 4] {
        let fs = Failing {
            inner: card(),
            bad: vec!["A001/C001/f00002.dng", "B001/C000/f00000.dng"],
            slow: vec!["A001/C001/f00002.dng"],
        };
        let err = create_with_workers(&fs, &options(15), workers, &mut |_| {}).unwrap_err();
        assert!(
            matches!(&err, Error::Io { path, .. } if path == "A001/C001/f00002.dng"),
            "{workers} workers: {err}"
        );
        assert!(
            !fs.inner.files.borrow().keys().any(|k| k.contains("ascmhl")),
            "nothing may be written after an error"
        );
    }
    // The same for verify (both modes), once a history exists.
    let fs = Failing {
        inner: card(),
        bad: vec!["A001/C001/f00002.dng", "B001/C000/f00000.dng"],
        slow: vec!["A001/C001/f00002.dng"],
    };
    create_with_workers(&fs.inner, &options(15), 1, &mut |_| {}).unwrap();
    for directory_hashes in [false, true] {
        let options = VerifyOptions {
            directory_hashes,
            ..Default::default()
        };
        let err = verify(&fs, &options, &mut |_| {}).unwrap_err();
        assert!(
            matches!(&err, Error::Io { path, .. } if path == "A001/C001/f00002.dng"),
            "{err}"
        );
    }
}

#[test]
fn a_file_changing_while_hashed_is_named_with_several_workers() {
    let mut fs = card();
    fs.lie_size = Some("B001/C002/f00003.dng".into());
    let err = create_with_workers(&fs, &options(15), 4, &mut |_| {}).unwrap_err();
    assert!(
        matches!(&err, Error::ChangedWhileHashing { path, .. } if path == "B001/C002/f00003.dng"),
        "{err}"
    );
}

#[test]
fn progress_reaches_the_total_with_several_workers() {
    let fs = card();
    let mut last = Progress::default();
    let mut calls = 0;
    create_with_workers(&fs, &options(15), 4, &mut |p| {
        assert!(p.bytes_done <= p.bytes_total);
        calls += 1;
        last = p.clone();
    })
    .unwrap();
    let total: u64 = fs
        .files
        .borrow()
        .iter()
        .filter(|(k, _)| !k.starts_with("ascmhl"))
        .map(|(_, v)| v.len() as u64)
        .sum();
    assert!(calls > 60);
    assert_eq!((last.bytes_done, last.bytes_total), (total, total));
}
