//! Loading an ASC MHL history (generations, chain, nested child histories) and querying it.

use std::collections::{BTreeMap, HashMap};

use super::fs::{EntryKind, MhlFs, RelPath};
use super::model::{ChainEntry, DirHashValue, Entry, HashValue, Manifest};
use super::xml_read::{MAX_DOCUMENT_BYTES, parse_chain, parse_manifest};
use crate::hash::{HashFormat, hash_bytes};
use crate::{Error, Result};

/// Name of the history folder.
pub const ASCMHL_FOLDER: &str = "ascmhl";
/// Name of the chain file inside it.
pub const CHAIN_FILE: &str = "ascmhl_chain.xml";

/// One generation (manifest file) of a history.
#[derive(Debug, Clone)]
pub struct Generation {
    /// Generation number from the file name.
    pub number: u32,
    /// File name inside `ascmhl/`.
    pub file_name: String,
    /// The parsed manifest.
    pub manifest: Manifest,
    /// C4 of the manifest bytes.
    pub c4: String,
    index: HashMap<RelPath, usize>,
}

impl Generation {
    fn new(number: u32, file_name: String, manifest: Manifest, c4: String) -> Self {
        let mut index = HashMap::new();
        for (i, e) in manifest.entries.iter().enumerate() {
            if let Some(p) = e.previous_path() {
                index.insert(p.clone(), i);
            }
            index.insert(e.path().clone(), i);
        }
        Self {
            number,
            file_name,
            manifest,
            c4,
            index,
        }
    }

    /// The entry recorded for `path` (by path or previous path).
    pub fn entry(&self, path: &RelPath) -> Option<&Entry> {
        self.index
            .get(path)
            .and_then(|&i| self.manifest.entries.get(i))
    }
}

/// An ASC MHL history rooted at a folder, with its nested child histories.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The history's root folder, relative to the file-system root.
    pub root: RelPath,
    /// True when the folder has an `ascmhl/` folder.
    pub has_folder: bool,
    /// Generations in ascending number.
    pub generations: Vec<Generation>,
    /// The chain file's entries.
    pub chain: Vec<ChainEntry>,
    /// Histories in sub-folders (each with its own `ascmhl/`).
    pub children: Vec<History>,
}

fn generation_number(name: &str) -> Option<u32> {
    if name.starts_with("._") {
        return None;
    }
    let stem = name.strip_suffix(".mhl")?;
    let digits: String = stem.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let rest = &stem[digits.len()..];
    if !(rest.is_empty() || (rest.starts_with('_') && rest.len() > 1)) {
        return None;
    }
    digits.parse().ok()
}

impl History {
    /// Loads the history at the file-system root (an empty history when there is no `ascmhl/`).
    pub fn load(fs: &dyn MhlFs) -> Result<History> {
        Self::load_at(fs, &RelPath::root())
    }

    /// Loads the history rooted at `root` and all nested histories below it.
    pub fn load_at(fs: &dyn MhlFs, root: &RelPath) -> Result<History> {
        let folder = root.join(ASCMHL_FOLDER)?;
        let mut history = History {
            root: root.clone(),
            ..History::default()
        };
        if let Some(st) = fs.stat(&folder)? {
            if st.kind == EntryKind::Dir {
                history.has_folder = true;
                history.load_generations(fs, &folder)?;
            }
        }
        history.children = Self::find_children(fs, root, root)?;
        Ok(history)
    }

    fn load_generations(&mut self, fs: &dyn MhlFs, folder: &RelPath) -> Result<()> {
        let chain_path = folder.join(CHAIN_FILE)?;
        let chain_bytes = match fs.stat(&chain_path)? {
            Some(_) => fs.read_small(&chain_path, MAX_DOCUMENT_BYTES)?,
            None => {
                return Err(Error::MhlChainMissing {
                    file: chain_path.to_string(),
                });
            }
        };
        self.chain = parse_chain(chain_path.as_str(), &chain_bytes)?;
        let mut bytes_by_name: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut listing = fs.list_dir(folder)?;
        listing.sort_by(|a, b| a.name.cmp(&b.name));
        for e in &listing {
            if e.kind != EntryKind::File || !e.name.ends_with(".mhl") || e.name.starts_with("._") {
                continue;
            }
            let path = folder.join(&e.name)?;
            bytes_by_name.insert(e.name.clone(), fs.read_small(&path, MAX_DOCUMENT_BYTES)?);
        }
        for c in &self.chain {
            let path = folder.join(&c.file_name)?;
            let bytes = match bytes_by_name.get(&c.file_name) {
                Some(b) => b,
                None => {
                    return Err(Error::MhlManifestMissing {
                        file: path.to_string(),
                    });
                }
            };
            let actual = hash_bytes(c.format, bytes);
            if actual != c.value {
                return Err(Error::MhlManifestAltered {
                    file: path.to_string(),
                    expected: c.value.clone(),
                    actual,
                });
            }
        }
        for (name, bytes) in bytes_by_name {
            let Some(number) = generation_number(&name) else {
                continue;
            };
            let path = folder.join(&name)?;
            let manifest = parse_manifest(path.as_str(), &bytes)?;
            self.generations.push(Generation::new(
                number,
                name,
                manifest,
                hash_bytes(HashFormat::C4, &bytes),
            ));
        }
        self.generations.sort_by_key(|g| g.number);
        Ok(())
    }

    fn find_children(
        fs: &dyn MhlFs,
        history_root: &RelPath,
        dir: &RelPath,
    ) -> Result<Vec<History>> {
        let mut out = Vec::new();
        let mut listing = fs.list_dir(dir)?;
        listing.sort_by(|a, b| a.name.cmp(&b.name));
        for e in listing.iter().filter(|e| e.kind == EntryKind::Dir) {
            if dir == history_root && e.name == ASCMHL_FOLDER {
                continue;
            }
            let sub = dir.join(&e.name)?;
            let marker = sub.join(ASCMHL_FOLDER)?;
            match fs.stat(&marker)? {
                Some(st) if st.kind == EntryKind::Dir => out.push(Self::load_at(fs, &sub)?),
                _ => out.extend(Self::find_children(fs, history_root, &sub)?),
            }
        }
        Ok(out)
    }

    /// True when the history has no generation at all.
    pub fn is_empty(&self) -> bool {
        self.generations.is_empty()
    }

    /// The highest generation number (0 when empty).
    pub fn latest_number(&self) -> u32 {
        self.generations.last().map(|g| g.number).unwrap_or(0)
    }

    /// Ignore patterns of the latest generation (`None` when empty).
    pub fn latest_ignore(&self) -> Option<Vec<String>> {
        self.generations
            .last()
            .map(|g| g.manifest.process.ignore.clone())
    }

    /// All histories, children before their parents (the order new generations are written in).
    pub fn post_order(&self) -> Vec<&History> {
        let mut out = Vec::new();
        for c in &self.children {
            out.extend(c.post_order());
        }
        out.push(self);
        out
    }

    /// The deepest history containing `path` (relative to the file-system root) and the path
    /// relative to that history's root.
    pub fn history_for(&self, path: &RelPath) -> (&History, RelPath) {
        for c in &self.children {
            if let Some(_rest) = path.strip_prefix(&c.root) {
                return c.history_for(path);
            }
        }
        let rel = path
            .strip_prefix(&self.root)
            .unwrap_or_else(|| path.clone());
        (self, rel)
    }

    /// The history whose direct child is the history rooted at `root`.
    pub fn parent_of(&self, root: &RelPath) -> Option<&History> {
        for c in &self.children {
            if &c.root == root {
                return Some(self);
            }
            if root.strip_prefix(&c.root).is_some() {
                return c.parent_of(root);
            }
        }
        None
    }

    /// The first hash with action `original` recorded for `rel` (relative to this history).
    pub fn original_entry(&self, rel: &RelPath) -> Option<&HashValue> {
        for g in &self.generations {
            if let Some(Entry::File(f)) = g.entry(rel) {
                if let Some(h) = f
                    .hashes
                    .iter()
                    .find(|h| h.action == Some(super::model::Action::Original))
                {
                    return Some(h);
                }
            }
        }
        None
    }

    /// The first hash recorded for `rel` in `format`.
    pub fn first_entry_for_format(&self, rel: &RelPath, format: HashFormat) -> Option<&HashValue> {
        self.generations.iter().find_map(|g| match g.entry(rel) {
            Some(Entry::File(f)) => f.hashes.iter().find(|h| h.format == format),
            _ => None,
        })
    }

    /// Every format recorded for `rel`, in order of first appearance.
    pub fn existing_formats(&self, rel: &RelPath) -> Vec<HashFormat> {
        let mut out = Vec::new();
        for g in &self.generations {
            if let Some(Entry::File(f)) = g.entry(rel) {
                for h in &f.hashes {
                    if !out.contains(&h.format) {
                        out.push(h.format);
                    }
                }
            }
        }
        out
    }

    /// Folder hashes recorded for `rel` (with generation numbers); for the root, the root hashes.
    pub fn directory_hashes(&self, rel: &RelPath) -> Vec<(u32, &DirHashValue)> {
        let mut out = Vec::new();
        for g in &self.generations {
            if rel.is_root() {
                out.extend(g.manifest.process.root_hash.iter().map(|h| (g.number, h)));
            } else if let Some(Entry::Directory(d)) = g.entry(rel) {
                out.extend(d.hashes.iter().map(|h| (g.number, h)));
            }
        }
        out
    }

    /// Every path this history and its children record (file-system relative), with "is folder".
    /// A path renamed in a later generation (recorded there as that entry's `previousPath`) is
    /// expected under its new name only, as ascmhl expects it.
    pub fn all_paths(&self) -> BTreeMap<RelPath, bool> {
        let mut out = BTreeMap::new();
        for g in &self.generations {
            for e in &g.manifest.entries {
                if let Some(previous) = e.previous_path() {
                    if previous != e.path() {
                        out.remove(&self.root.join_path(previous));
                    }
                }
                out.insert(
                    self.root.join_path(e.path()),
                    matches!(e, Entry::Directory(_)),
                );
            }
        }
        for c in &self.children {
            out.extend(c.all_paths());
        }
        out
    }

    /// Ignore patterns of nested histories, made relative to this history's root.
    pub fn nested_ignores(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.children {
            let prefix = c
                .root
                .strip_prefix(&self.root)
                .unwrap_or_else(|| c.root.clone());
            for p in c.latest_ignore().unwrap_or_default() {
                if super::ignore::DEFAULT_IGNORES.contains(&p.as_str()) {
                    continue;
                }
                if p.contains('/') {
                    out.push(format!(
                        "/{}/{}",
                        prefix.as_str(),
                        p.trim_start_matches('/')
                    ));
                } else {
                    out.push(format!("/{}/**/{}", prefix.as_str(), p));
                }
            }
            out.extend(
                c.nested_ignores()
                    .into_iter()
                    .map(|p| format!("/{}{}", prefix.as_str(), p)),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_numbers_follow_ascmhl_naming() {
        assert_eq!(
            generation_number("0001_A002R2EC_2020-01-16_091500Z.mhl"),
            Some(1)
        );
        assert_eq!(generation_number("0012.mhl"), Some(12));
        assert_eq!(generation_number("12_x.mhl"), None);
        assert_eq!(generation_number("._0001_x.mhl"), None);
        assert_eq!(generation_number("0001x.mhl"), None);
        assert_eq!(generation_number("ascmhl_chain.xml"), None);
    }
}
