//! Parsing of ASC MHL manifests and chain files (bounded, never panics, errors name file and line).

use chrono::{DateTime, NaiveDateTime};
use quick_xml::events::Event;

use super::fs::RelPath;
use super::model::{
    Action, Author, ChainEntry, CreatorInfo, DirHashValue, DirectoryEntry, Entry, FileEntry,
    HashValue, Manifest, MhlDate, ProcessInfo, Reference, Tool,
};
use crate::hash::HashFormat;
use crate::{Error, Result};

/// Largest manifest or chain file we accept.
pub const MAX_DOCUMENT_BYTES: u64 = 256 * 1024 * 1024;
const MAX_DEPTH: usize = 32;

/// A parsed element: local name, attributes, text and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
    line: usize,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    fn text_trim(&self) -> &str {
        self.text.trim()
    }
}

fn invalid(file: &str, problem: impl Into<String>) -> Error {
    Error::MhlInvalid {
        file: file.to_string(),
        problem: problem.into(),
    }
}

fn line_of(bytes: &[u8], pos: u64) -> usize {
    let end = usize::try_from(pos).unwrap_or(usize::MAX).min(bytes.len());
    bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

fn local(name: &[u8]) -> String {
    let name = match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    String::from_utf8_lossy(name).into_owned()
}

/// Parses XML bytes into a tree of nodes (the root element).
fn parse_tree(file: &str, bytes: &[u8]) -> Result<Node> {
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(invalid(
            file,
            format!(
                "document is {} bytes, more than the {} byte limit",
                bytes.len(),
                MAX_DOCUMENT_BYTES
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        invalid(
            file,
            format!(
                "not UTF-8 at byte {} (line {})",
                e.valid_up_to(),
                line_of(bytes, e.valid_up_to() as u64)
            ),
        )
    })?;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let at = |reader: &quick_xml::Reader<&[u8]>| {
        let pos = reader.buffer_position();
        format!("line {}, byte {}", line_of(bytes, pos), pos)
    };
    loop {
        let event = reader.read_event().map_err(|e| {
            let pos = reader.error_position();
            invalid(
                file,
                format!(
                    "malformed XML at line {}, byte {}: {e}",
                    line_of(bytes, pos),
                    pos
                ),
            )
        })?;
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(invalid(
                    file,
                    format!("content after the root element at {}", at(&reader)),
                ));
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(invalid(
                        file,
                        format!("elements nested too deeply at {}", at(&reader)),
                    ));
                }
                let mut node = Node {
                    name: local(start.name().as_ref()),
                    line: line_of(bytes, reader.buffer_position()),
                    ..Node::default()
                };
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| {
                        invalid(file, format!("bad attribute at {}: {e}", at(&reader)))
                    })?;
                    let value = attr.unescape_value().map_err(|e| {
                        invalid(file, format!("bad attribute value at {}: {e}", at(&reader)))
                    })?;
                    node.attrs
                        .push((local(attr.key.as_ref()), value.into_owned()));
                }
                if matches!(event, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => root = Some(node),
                    }
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or_else(|| {
                    invalid(file, format!("unexpected end tag at {}", at(&reader)))
                })?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Text(t) => {
                let s = t
                    .decode()
                    .map_err(|e| invalid(file, format!("bad text at {}: {e}", at(&reader))))?;
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => {
                        return Err(invalid(
                            file,
                            format!("text outside the root element at {}", at(&reader)),
                        ));
                    }
                }
            }
            Event::CData(t) => {
                let s = t
                    .decode()
                    .map_err(|e| invalid(file, format!("bad CDATA at {}: {e}", at(&reader))))?;
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match r.as_ref() {
                        b"lt" => '<',
                        b"gt" => '>',
                        b"amp" => '&',
                        b"apos" => '\'',
                        b"quot" => '"',
                        other => {
                            return Err(invalid(
                                file,
                                format!(
                                    "unknown entity `&{};` at {}",
                                    String::from_utf8_lossy(other),
                                    at(&reader)
                                ),
                            ));
                        }
                    },
                    Err(e) => {
                        return Err(invalid(
                            file,
                            format!("bad character reference at {}: {e}", at(&reader)),
                        ));
                    }
                };
                if let Some(node) = stack.last_mut() {
                    node.text.push(c);
                }
            }
            Event::DocType(_) => {
                return Err(invalid(
                    file,
                    format!(
                        "DOCTYPE declarations are not allowed (line {})",
                        line_of(bytes, reader.buffer_position())
                    ),
                ));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(invalid(
            file,
            format!(
                "truncated document: <{}> opened at line {} is never closed",
                open.name, open.line
            ),
        ));
    }
    root.ok_or_else(|| invalid(file, "no root element (empty or truncated document)"))
}

/// Parses an MHL date (ISO 8601 with offset; a date without offset is taken as UTC).
pub(crate) fn parse_date(file: &str, line: usize, s: &str) -> Result<MhlDate> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d);
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(n.and_utc().fixed_offset());
        }
    }
    Err(invalid(
        file,
        format!("line {line}: invalid date `{}`", s.escape_debug()),
    ))
}

fn hash_format(name: &str) -> Option<HashFormat> {
    HashFormat::ALL.iter().copied().find(|f| f.name() == name)
}

fn path_of(file: &str, node: &Node) -> Result<RelPath> {
    let p = node.text_trim();
    RelPath::parse(&format!("{file} (line {})", node.line), p)
}

fn opt_date(file: &str, node: &Node, attr: &str) -> Result<Option<MhlDate>> {
    node.attr(attr)
        .map(|s| parse_date(file, node.line, s))
        .transpose()
}

fn action_of(file: &str, node: &Node) -> Result<Option<Action>> {
    node.attr("action")
        .map(|a| {
            Action::from_name(a).ok_or_else(|| {
                invalid(
                    file,
                    format!("line {}: unknown action `{}`", node.line, a.escape_debug()),
                )
            })
        })
        .transpose()
}

fn check_value(file: &str, node: &Node, format: HashFormat) -> Result<String> {
    let v = node.text_trim();
    let ok = match format {
        HashFormat::C4 => {
            v.len() == 90 && v.starts_with("c4") && v.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        _ => !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_hexdigit()),
    };
    if !ok {
        return Err(invalid(
            file,
            format!(
                "line {}: malformed {} hash value `{}`",
                node.line,
                format.name(),
                v.escape_debug()
            ),
        ));
    }
    Ok(v.to_string())
}

fn dir_hashes(
    file: &str,
    content: Option<&Node>,
    structure: Option<&Node>,
) -> Result<Vec<DirHashValue>> {
    let mut out: Vec<DirHashValue> = Vec::new();
    if let Some(content) = content {
        for n in &content.children {
            let Some(format) = hash_format(&n.name) else {
                continue;
            };
            out.push(DirHashValue {
                format,
                content: check_value(file, n, format)?,
                structure: String::new(),
                action: action_of(file, n)?,
                hash_date: opt_date(file, n, "hashdate")?,
            });
        }
    }
    if let Some(structure) = structure {
        for n in &structure.children {
            let Some(format) = hash_format(&n.name) else {
                continue;
            };
            let value = check_value(file, n, format)?;
            match out.iter_mut().find(|v| v.format == format) {
                Some(v) => v.structure = value,
                None => {
                    return Err(invalid(
                        file,
                        format!(
                            "line {}: structure hash {} without a content hash",
                            n.line,
                            format.name()
                        ),
                    ));
                }
            }
        }
    }
    Ok(out)
}

fn parse_file_entry(file: &str, node: &Node) -> Result<FileEntry> {
    let path_node = node
        .child("path")
        .ok_or_else(|| invalid(file, format!("line {}: <hash> without <path>", node.line)))?;
    let size = path_node
        .attr("size")
        .map(|s| {
            s.trim().parse::<u64>().map_err(|_| {
                invalid(
                    file,
                    format!(
                        "line {}: invalid size `{}`",
                        path_node.line,
                        s.escape_debug()
                    ),
                )
            })
        })
        .transpose()?;
    let mut hashes = Vec::new();
    for n in &node.children {
        if let Some(format) = hash_format(&n.name) {
            hashes.push(HashValue {
                format,
                value: check_value(file, n, format)?,
                action: action_of(file, n)?,
                hash_date: opt_date(file, n, "hashdate")?,
            });
        }
    }
    if hashes.is_empty() {
        return Err(invalid(
            file,
            format!("line {}: <hash> without any hash value", node.line),
        ));
    }
    Ok(FileEntry {
        path: path_of(file, path_node)?,
        size,
        modified: opt_date(file, path_node, "lastmodificationdate")?,
        hashes,
        previous_path: node
            .child("previousPath")
            .map(|p| path_of(file, p))
            .transpose()?,
    })
}

fn parse_dir_entry(file: &str, node: &Node) -> Result<DirectoryEntry> {
    let path_node = node.child("path").ok_or_else(|| {
        invalid(
            file,
            format!("line {}: <directoryhash> without <path>", node.line),
        )
    })?;
    Ok(DirectoryEntry {
        path: path_of(file, path_node)?,
        modified: opt_date(file, path_node, "lastmodificationdate")?,
        hashes: dir_hashes(file, node.child("content"), node.child("structure"))?,
        previous_path: node
            .child("previousPath")
            .map(|p| path_of(file, p))
            .transpose()?,
    })
}

fn opt_text(node: &Node, name: &str) -> Option<String> {
    node.child(name).map(|n| n.text_trim().to_string())
}

/// Parses one manifest. `file_name` is used in errors only.
pub fn parse_manifest(file_name: &str, bytes: &[u8]) -> Result<Manifest> {
    let file = file_name;
    let root = parse_tree(file, bytes)?;
    if root.name != "hashlist" {
        return Err(invalid(
            file,
            format!("root element is <{}>, expected <hashlist>", root.name),
        ));
    }
    if let Some(v) = root.attr("version") {
        if !v.starts_with('2') {
            return Err(invalid(
                file,
                format!("unsupported ASC MHL version `{}`", v.escape_debug()),
            ));
        }
    }
    let ci = root
        .child("creatorinfo")
        .ok_or_else(|| invalid(file, "missing <creatorinfo>"))?;
    let date_node = ci
        .child("creationdate")
        .ok_or_else(|| invalid(file, format!("line {}: missing <creationdate>", ci.line)))?;
    let tool = ci.child("tool").map(|t| Tool {
        name: t.text_trim().to_string(),
        version: t.attr("version").unwrap_or("").to_string(),
    });
    let creator = CreatorInfo {
        creation_date: parse_date(file, date_node.line, date_node.text_trim())?,
        hostname: opt_text(ci, "hostname").unwrap_or_default(),
        tool: tool.unwrap_or_default(),
        authors: ci
            .children
            .iter()
            .filter(|c| c.name == "author")
            .map(|a| Author {
                name: Some(a.text_trim().to_string())
                    .filter(|s| !s.is_empty())
                    .or_else(|| opt_text(a, "name")),
                email: a
                    .attr("email")
                    .map(str::to_string)
                    .or_else(|| opt_text(a, "email")),
                phone: a
                    .attr("phone")
                    .map(str::to_string)
                    .or_else(|| opt_text(a, "phone")),
                role: a
                    .attr("role")
                    .map(str::to_string)
                    .or_else(|| opt_text(a, "role")),
            })
            .collect(),
        location: opt_text(ci, "location"),
        comment: opt_text(ci, "comment"),
    };
    let pi = root
        .child("processinfo")
        .ok_or_else(|| invalid(file, "missing <processinfo>"))?;
    let root_hash = match pi.child("roothash") {
        Some(rh) => dir_hashes(file, rh.child("content"), rh.child("structure"))?,
        None => Vec::new(),
    };
    let ignore = pi
        .child("ignore")
        .map(|ig| {
            ig.children
                .iter()
                .filter(|c| c.name == "pattern")
                .map(|c| c.text_trim().to_string())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let process = ProcessInfo {
        process: opt_text(pi, "process").unwrap_or_default(),
        root_hash,
        ignore,
    };
    let mut entries = Vec::new();
    if let Some(hashes) = root.child("hashes") {
        for n in &hashes.children {
            match n.name.as_str() {
                "hash" => entries.push(Entry::File(parse_file_entry(file, n)?)),
                "directoryhash" => entries.push(Entry::Directory(parse_dir_entry(file, n)?)),
                _ => {}
            }
        }
    } else {
        return Err(invalid(file, "missing <hashes>"));
    }
    let mut references = Vec::new();
    if let Some(refs) = root.child("references") {
        for r in refs
            .children
            .iter()
            .filter(|c| c.name == "hashlistreference")
        {
            let p = r.child("path").ok_or_else(|| {
                invalid(file, format!("line {}: reference without <path>", r.line))
            })?;
            let c4 = r
                .child("c4")
                .ok_or_else(|| invalid(file, format!("line {}: reference without <c4>", r.line)))?;
            references.push(Reference {
                path: path_of(file, p)?,
                c4: check_value(file, c4, HashFormat::C4)?,
            });
        }
    }
    Ok(Manifest {
        creator,
        process,
        entries,
        references,
    })
}

/// Parses a chain file (`ascmhl_chain.xml`).
pub fn parse_chain(file_name: &str, bytes: &[u8]) -> Result<Vec<ChainEntry>> {
    let file = file_name;
    let root = parse_tree(file, bytes)?;
    if root.name != "ascmhldirectory" {
        return Err(invalid(
            file,
            format!(
                "root element is <{}>, expected <ascmhldirectory>",
                root.name
            ),
        ));
    }
    let mut out = Vec::new();
    for h in root.children.iter().filter(|c| c.name == "hashlist") {
        let seq = h.attr("sequencenr").unwrap_or("");
        let sequence = seq.trim().parse::<u32>().map_err(|_| {
            invalid(
                file,
                format!(
                    "line {}: invalid sequencenr `{}`",
                    h.line,
                    seq.escape_debug()
                ),
            )
        })?;
        let p = h
            .child("path")
            .ok_or_else(|| invalid(file, format!("line {}: <hashlist> without <path>", h.line)))?;
        let path = path_of(file, p)?;
        if path.as_str().contains('/') {
            return Err(Error::UnsafePath {
                file: format!("{file} (line {})", p.line),
                path: path.as_str().to_string(),
                problem: "chain entries must name a file inside ascmhl/".into(),
            });
        }
        let (format, value) = h
            .children
            .iter()
            .find_map(|c| hash_format(&c.name).map(|f| (f, c)))
            .ok_or_else(|| invalid(file, format!("line {}: <hashlist> without a hash", h.line)))?;
        out.push(ChainEntry {
            sequence,
            file_name: path.as_str().to_string(),
            format,
            value: check_value(file, value, format)?,
        });
    }
    Ok(out)
}
