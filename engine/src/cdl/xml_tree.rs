//! A small, bounded, namespace-aware XML element tree shared by the CDL and AMF readers.
//!
//! Documents are untrusted: size, depth and element count are bounded, DTDs and unknown entities
//! are refused, every node keeps its line and element path (`/a/b[2]/c`) for error messages.

use std::collections::HashMap;

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// Largest CDL or AMF document accepted.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;
/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 32;
/// Most elements accepted in one document.
pub const MAX_ELEMENTS: usize = 200_000;

/// A problem found while building the tree: where (element path or line) and what.
#[derive(Debug)]
pub struct TreeError {
    /// Element path or `line N`.
    pub path: String,
    /// What is wrong.
    pub problem: String,
}

/// One element.
#[derive(Debug, Default, Clone)]
pub struct Node {
    /// Namespace URI, `None` when unqualified.
    pub ns: Option<String>,
    /// Local name.
    pub name: String,
    /// Attributes as (namespace, local name, value).
    pub attrs: Vec<(Option<String>, String, String)>,
    /// Concatenated character data directly inside the element.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Node>,
    /// Line of the start tag (1-based).
    pub line: usize,
    /// Element path from the root, with 1-based indices for repeated names.
    pub path: String,
}

impl Node {
    /// An unqualified attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(ns, k, _)| ns.is_none() && k == name)
            .map(|(_, _, v)| v.as_str())
    }

    /// The element's trimmed text.
    pub fn text_trim(&self) -> &str {
        self.text.trim()
    }

    /// Where this element is, for error messages.
    pub fn at(&self) -> String {
        format!("{} (line {})", self.path, self.line)
    }
}

fn line_of(bytes: &[u8], pos: u64) -> usize {
    let end = usize::try_from(pos).unwrap_or(usize::MAX).min(bytes.len());
    bytes
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}

/// Counts lines incrementally (positions only move forward), so a document is scanned once.
#[derive(Default)]
struct LineCounter {
    pos: usize,
    line: usize,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], pos: u64) -> usize {
        let end = usize::try_from(pos).unwrap_or(usize::MAX).min(bytes.len());
        if end >= self.pos {
            self.line += bytes
                .get(self.pos..end)
                .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
            self.pos = end;
            self.line + 1
        } else {
            line_of(bytes, pos)
        }
    }
}

fn err(path: impl Into<String>, problem: impl Into<String>) -> TreeError {
    TreeError {
        path: path.into(),
        problem: problem.into(),
    }
}

fn namespace(result: &ResolveResult<'_>, at: &str) -> Result<Option<String>, TreeError> {
    match result {
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Bound(ns) => Ok(Some(String::from_utf8_lossy(ns.as_ref()).into_owned())),
        ResolveResult::Unknown(prefix) => Err(err(
            at,
            format!(
                "undeclared namespace prefix `{}`",
                String::from_utf8_lossy(prefix)
            ),
        )),
    }
}

/// Parses a whole document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Node, TreeError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(err(
            "document",
            format!(
                "{} bytes is more than the {MAX_DOCUMENT_BYTES} byte limit",
                bytes.len()
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        err(
            format!("line {}", line_of(bytes, e.valid_up_to() as u64)),
            format!("not UTF-8 at byte {}", e.valid_up_to()),
        )
    })?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    // For each open element, how many children of each name it has so far (for path indices).
    let mut name_counts: Vec<HashMap<String, usize>> = Vec::new();
    let mut root: Option<Node> = None;
    let mut elements = 0usize;
    let mut lines = LineCounter::default();
    loop {
        let line = lines.line_at(bytes, reader.buffer_position());
        let here = |stack: &[Node]| {
            stack.last().map_or_else(
                || format!("line {line}"),
                |n| format!("{} (line {line})", n.path),
            )
        };
        let (resolved, event) = match reader.read_resolved_event() {
            Ok(pair) => pair,
            Err(e) => {
                let pos = reader.error_position();
                return Err(err(
                    format!("line {}", line_of(bytes, pos)),
                    format!("malformed XML: {e}"),
                ));
            }
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() {
                    return Err(err(here(&stack), "content after the root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(err(here(&stack), "elements nested too deeply"));
                }
                elements += 1;
                if elements > MAX_ELEMENTS {
                    return Err(err(
                        here(&stack),
                        format!("more than {MAX_ELEMENTS} elements"),
                    ));
                }
                let ns = namespace(&resolved, &here(&stack))?;
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                let path = match (stack.last(), name_counts.last_mut()) {
                    (Some(parent), Some(counts)) => {
                        let same = counts.entry(name.clone()).or_insert(0);
                        *same += 1;
                        let same = *same - 1;
                        if same == 0 {
                            format!("{}/{name}", parent.path)
                        } else {
                            format!("{}/{name}[{}]", parent.path, same + 1)
                        }
                    }
                    _ => format!("/{name}"),
                };
                let mut node = Node {
                    ns,
                    name,
                    line,
                    path,
                    ..Node::default()
                };
                for attr in start.attributes() {
                    let attr = attr.map_err(|e| err(node.at(), format!("bad attribute: {e}")))?;
                    let key = attr.key;
                    if key.as_ref().starts_with(b"xmlns") {
                        continue;
                    }
                    let (attr_ns, local) = reader.resolve_attribute(key);
                    let attr_ns = namespace(&attr_ns, &node.at())?;
                    let value = attr
                        .unescape_value()
                        .map_err(|e| err(node.at(), format!("bad attribute value: {e}")))?;
                    node.attrs.push((
                        attr_ns,
                        String::from_utf8_lossy(local.as_ref()).into_owned(),
                        value.into_owned(),
                    ));
                }
                if matches!(event, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => root = Some(node),
                    }
                } else {
                    stack.push(node);
                    name_counts.push(HashMap::new());
                }
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| err(format!("line {line}"), "unexpected end tag"))?;
                name_counts.pop();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Text(t) => {
                let s = t
                    .decode()
                    .map_err(|e| err(here(&stack), format!("bad text: {e}")))?;
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(err(here(&stack), "text outside the root element")),
                }
            }
            Event::CData(t) => {
                let s = t
                    .decode()
                    .map_err(|e| err(here(&stack), format!("bad CDATA: {e}")))?;
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
                            return Err(err(
                                here(&stack),
                                format!("unknown entity `&{};`", String::from_utf8_lossy(other)),
                            ));
                        }
                    },
                    Err(e) => {
                        return Err(err(here(&stack), format!("bad character reference: {e}")));
                    }
                };
                if let Some(node) = stack.last_mut() {
                    node.text.push(c);
                }
            }
            Event::DocType(_) => {
                return Err(err(here(&stack), "DOCTYPE declarations are not accepted"));
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(err(open.at(), "document ends inside this element"));
    }
    root.ok_or_else(|| err("document", "no root element"))
}
