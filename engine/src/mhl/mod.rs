//! ASC MHL v2.0: manifests, chain, histories (nested too), directory hashes, create/verify/diff.
//!
//! Everything here is pure: file access goes through the [`fs::MhlFs`] trait the caller implements.

pub mod create;
pub mod fs;
pub mod generation;
pub mod history;
pub mod ignore;
pub mod model;
mod rename;
mod single_files;
pub mod verify;
pub mod walk;
pub mod xml_read;
pub mod xml_write;

#[cfg(test)]
mod parallel_tests;
#[cfg(test)]
mod tests;

/// The date/time crate of the public API (so callers need no direct dependency).
pub use chrono;
use chrono::{DateTime, Utc};

pub use create::{CreateOptions, CreateOutcome, create, create_with_workers};
pub use fs::{DirEntry, EntryKind, MhlFs, RelPath};
pub use generation::{Appended, GenerationBuilder, append_generation, generation_file_name};
pub use history::History;
pub use model::*;
pub use verify::{
    Finding, FindingKind, Report, Verdict, VerifyOptions, diff, verdict_for_error, verify,
};
pub use walk::{Progress, default_workers};
pub use xml_read::{parse_chain, parse_manifest};
pub use xml_write::{write_chain, write_manifest};

use crate::Result;

/// A human-readable summary of a history (ascmhl info), one line per item.
pub fn info(history: &History, verbose: bool) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(h: &History, verbose: bool, out: &mut Vec<String>) {
        out.push(format!(
            "History at {}: {} generation(s)",
            h.root,
            h.generations.len()
        ));
        for g in &h.generations {
            let c = &g.manifest.creator;
            out.push(format!(
                "  Generation {} ({}) {}: {} file(s), {} folder(s)",
                g.number,
                xml_write::format_date(&c.creation_date, false),
                g.file_name,
                g.manifest.files().count(),
                g.manifest.directories().count(),
            ));
            if verbose {
                let mut who = format!("{}, {} {}", c.hostname, c.tool.name, c.tool.version);
                for a in &c.authors {
                    who.push_str(&format!(", {}", a.name.as_deref().unwrap_or("-")));
                }
                if let Some(l) = &c.location {
                    who.push_str(&format!(", at/in {l}"));
                }
                if let Some(cm) = &c.comment {
                    who.push_str(&format!(", \"{cm}\""));
                }
                out.push(format!("     CreatorInfo: {who}"));
                out.push(format!("     ProcessInfo: {}", g.manifest.process.process));
                for f in g.manifest.files() {
                    for hv in &f.hashes {
                        out.push(format!(
                            "     {:>6}: {} ({}): {}",
                            hv.format.name(),
                            hv.value,
                            hv.action.map(|a| a.name()).unwrap_or("-"),
                            f.path
                        ));
                    }
                }
            }
        }
        for c in &h.children {
            walk(c, verbose, out);
        }
    }
    walk(history, verbose, &mut out);
    out
}

/// Flattens a history and its children into one manifest listing every known file with every
/// recorded (non-failed) hash format, like ascmhl flatten.
pub fn flatten(history: &History, creator: CreatorInfo, date: DateTime<Utc>) -> Result<Manifest> {
    let mut entries: Vec<FileEntry> = Vec::new();
    fn collect(h: &History, prefix: &RelPath, entries: &mut Vec<FileEntry>) {
        for g in &h.generations {
            for f in g.manifest.files() {
                let path = prefix.join_path(&f.path);
                let idx = match entries.iter().position(|e| e.path == path) {
                    Some(i) => i,
                    None => {
                        entries.push(FileEntry {
                            path: path.clone(),
                            size: f.size,
                            modified: f.modified,
                            hashes: Vec::new(),
                            previous_path: None,
                        });
                        entries.len() - 1
                    }
                };
                for hv in f
                    .hashes
                    .iter()
                    .filter(|hv| hv.action != Some(Action::Failed))
                {
                    if let Some(e) = entries.get_mut(idx)
                        && !e.hashes.iter().any(|x| x.format == hv.format)
                    {
                        e.hashes.push(hv.clone());
                    }
                }
            }
        }
        for c in &h.children {
            let rel = c
                .root
                .strip_prefix(&history_root(h))
                .unwrap_or_else(|| c.root.clone());
            collect(c, &prefix.join_path(&rel), entries);
        }
    }
    fn history_root(h: &History) -> RelPath {
        h.root.clone()
    }
    collect(history, &RelPath::root(), &mut entries);
    let mut creator = creator;
    creator.creation_date = generation::mhl_date(date);
    Ok(Manifest {
        creator,
        process: ProcessInfo {
            process: "flatten".into(),
            root_hash: Vec::new(),
            ignore: history
                .latest_ignore()
                .unwrap_or_else(ignore::default_ignores),
        },
        entries: entries.into_iter().map(Entry::File).collect(),
        references: Vec::new(),
    })
}
