//! The JSONPath subset Step Functions accepts in paths: parsing, selecting, and setting reference paths.

use serde_json::{Map, Value};

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.name` or `['name']`.
    Name(String),
    /// `[3]` or `[-1]` (negative counts from the end).
    Index(i64),
    /// `.*` or `[*]`.
    Wildcard,
    /// `..name` (`Some`) or `..*` (`None`).
    Descend(Option<String>),
    /// `['a','b']`.
    Names(Vec<String>),
    /// `[0,2]`.
    Indices(Vec<i64>),
    /// `[start:end]` or `[start:end:step]`.
    Slice(Option<i64>, Option<i64>, Option<i64>),
}

/// A parsed path: `$...` over the state input, or `$$...` over the context object.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    text: String,
    context: bool,
    segments: Vec<Segment>,
}

impl JsonPath {
    /// Parses any supported path (`$`, `$.a.b`, `$['a']`, `$.a[0]`, `$.a[*].b`, `$..x`, `$$.Execution.Id`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (context, rest) = if let Some(rest) = text.strip_prefix("$$") {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix('$') {
            (false, rest)
        } else {
            return Err(format!(
                "'{text}' is not a JSONPath (it must start with '$')"
            ));
        };
        let segments =
            parse_segments(rest).map_err(|e| format!("invalid JSONPath '{text}': {e}"))?;
        Ok(Self {
            text: text.to_string(),
            context,
            segments,
        })
    }

    /// The root path `$`.
    pub fn root() -> Self {
        Self {
            text: "$".to_string(),
            context: false,
            segments: Vec::new(),
        }
    }

    /// Parses a reference path: one that can only identify a single node (names and non-negative
    /// indices only, no `*`, `..`, unions, slices or filters) over the state input.
    pub fn parse_reference(text: &str) -> Result<Self, String> {
        let path = Self::parse(text)?;
        if path.context {
            return Err(format!(
                "'{text}' must be a reference path over the state input, not the context object"
            ));
        }
        if !path
            .segments
            .iter()
            .all(|s| matches!(s, Segment::Name(_)) || matches!(s, Segment::Index(i) if *i >= 0))
        {
            return Err(format!(
                "'{text}' must be a reference path (plain names and indices only)"
            ));
        }
        Ok(path)
    }

    /// The path as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True for `$$...` paths over the context object.
    pub fn is_context(&self) -> bool {
        self.context
    }

    /// True when the path selects at most one node.
    pub fn is_definite(&self) -> bool {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Name(_) | Segment::Index(_)))
    }

    /// True for `$` alone.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// Selects from `root`. A definite path gives the node or `None` when it is absent; an indefinite
    /// path gives an array of every match (possibly empty).
    pub fn select(&self, root: &Value) -> Option<Value> {
        let mut nodes: Vec<&Value> = vec![root];
        for seg in &self.segments {
            let mut next = Vec::new();
            for node in nodes {
                step(node, seg, &mut next);
            }
            nodes = next;
        }
        if self.is_definite() {
            nodes.first().map(|v| (*v).clone())
        } else {
            Some(Value::Array(nodes.into_iter().cloned().collect()))
        }
    }

    /// Writes `value` at this reference path inside `root`, creating missing objects on the way.
    pub fn set(&self, root: Value, value: Value) -> Result<Value, String> {
        let mut root = root;
        set_at(&mut root, &self.segments, value, &self.text)?;
        Ok(root)
    }
}

fn step<'a>(node: &'a Value, seg: &Segment, out: &mut Vec<&'a Value>) {
    match seg {
        Segment::Name(n) => {
            if let Some(v) = node.as_object().and_then(|o| o.get(n)) {
                out.push(v);
            }
        }
        Segment::Index(i) => {
            if let Some(v) = node.as_array().and_then(|a| index(a, *i)) {
                out.push(v);
            }
        }
        Segment::Wildcard => children(node, out),
        Segment::Names(names) => {
            if let Some(o) = node.as_object() {
                out.extend(names.iter().filter_map(|n| o.get(n)));
            }
        }
        Segment::Indices(idx) => {
            if let Some(a) = node.as_array() {
                out.extend(idx.iter().filter_map(|i| index(a, *i)));
            }
        }
        Segment::Slice(start, end, stepv) => {
            if let Some(a) = node.as_array() {
                let len = a.len() as i64;
                let norm = |v: i64| if v < 0 { (len + v).max(0) } else { v.min(len) };
                let s = start.map_or(0, norm);
                let e = end.map_or(len, norm);
                let st = stepv.unwrap_or(1).max(1);
                let mut i = s;
                while i < e {
                    if let Some(v) = a.get(i as usize) {
                        out.push(v);
                    }
                    i += st;
                }
            }
        }
        Segment::Descend(name) => descend(node, name.as_deref(), out),
    }
}

fn index(a: &[Value], i: i64) -> Option<&Value> {
    let i = if i < 0 { a.len() as i64 + i } else { i };
    usize::try_from(i).ok().and_then(|i| a.get(i))
}

fn children<'a>(node: &'a Value, out: &mut Vec<&'a Value>) {
    match node {
        Value::Object(o) => out.extend(o.values()),
        Value::Array(a) => out.extend(a.iter()),
        _ => {}
    }
}

fn descend<'a>(node: &'a Value, name: Option<&str>, out: &mut Vec<&'a Value>) {
    match name {
        Some(n) => {
            if let Some(v) = node.as_object().and_then(|o| o.get(n)) {
                out.push(v);
            }
        }
        None => children(node, out),
    }
    let mut kids = Vec::new();
    children(node, &mut kids);
    for k in kids {
        descend(k, name, out);
    }
}

fn set_at(target: &mut Value, segs: &[Segment], value: Value, text: &str) -> Result<(), String> {
    let Some((first, rest)) = segs.split_first() else {
        *target = value;
        return Ok(());
    };
    match first {
        Segment::Name(n) => {
            let Value::Object(obj) = target else {
                return Err(format!(
                    "cannot apply ResultPath '{text}': field '{n}' would be set inside a {} (not an object)",
                    kind(target)
                ));
            };
            let slot = obj
                .entry(n.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            set_at(slot, rest, value, text)
        }
        Segment::Index(i) => {
            let Value::Array(arr) = target else {
                return Err(format!(
                    "cannot apply ResultPath '{text}': index [{i}] used on a {}",
                    kind(target)
                ));
            };
            let len = arr.len();
            let slot = usize::try_from(*i)
                .ok()
                .and_then(|i| arr.get_mut(i))
                .ok_or_else(|| {
                    format!(
                        "cannot apply ResultPath '{text}': index [{i}] is outside an array of {len}"
                    )
                })?;
            set_at(slot, rest, value, text)
        }
        _ => Err(format!(
            "cannot apply ResultPath '{text}': it is not a reference path"
        )),
    }
}

/// A short name for a JSON value's type, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn parse_segments(s: &str) -> Result<Vec<Segment>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut segs = Vec::new();
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                if chars.get(i) == Some(&'.') {
                    i += 1;
                    if chars.get(i) == Some(&'*') {
                        i += 1;
                        segs.push(Segment::Descend(None));
                    } else {
                        let name = read_name(&chars, &mut i)?;
                        segs.push(Segment::Descend(Some(name)));
                    }
                } else if chars.get(i) == Some(&'*') {
                    i += 1;
                    segs.push(Segment::Wildcard);
                } else {
                    let name = read_name(&chars, &mut i)?;
                    segs.push(Segment::Name(name));
                }
            }
            '[' => {
                i += 1;
                segs.push(read_bracket(&chars, &mut i)?);
            }
            c => return Err(format!("unexpected '{c}' at position {}", i + 1)),
        }
    }
    Ok(segs)
}

fn read_name(chars: &[char], i: &mut usize) -> Result<String, String> {
    let start = *i;
    while *i < chars.len() && chars[*i] != '.' && chars[*i] != '[' {
        if matches!(chars[*i], ']' | '\'' | '"' | '(' | ')' | '?' | '@' | ' ') {
            return Err(format!("unexpected '{}' in a field name", chars[*i]));
        }
        *i += 1;
    }
    if *i == start {
        return Err("empty field name".into());
    }
    Ok(chars[start..*i].iter().collect())
}

fn skip_ws(chars: &[char], i: &mut usize) {
    while *i < chars.len() && chars[*i] == ' ' {
        *i += 1;
    }
}

fn read_bracket(chars: &[char], i: &mut usize) -> Result<Segment, String> {
    skip_ws(chars, i);
    let seg = match chars.get(*i) {
        None => return Err("unclosed '['".into()),
        Some('?') | Some('(') => {
            return Err("filter and script expressions are not supported".into());
        }
        Some('*') => {
            *i += 1;
            Segment::Wildcard
        }
        Some('\'') | Some('"') => {
            let mut names = Vec::new();
            loop {
                skip_ws(chars, i);
                let q = *chars.get(*i).ok_or("unclosed '['")?;
                if q != '\'' && q != '"' {
                    return Err("expected a quoted name".into());
                }
                *i += 1;
                let mut name = String::new();
                loop {
                    match chars.get(*i) {
                        None => return Err("unterminated quoted name".into()),
                        Some('\\') => {
                            let c = *chars.get(*i + 1).ok_or("unterminated quoted name")?;
                            name.push(c);
                            *i += 2;
                        }
                        Some(c) if *c == q => {
                            *i += 1;
                            break;
                        }
                        Some(c) => {
                            name.push(*c);
                            *i += 1;
                        }
                    }
                }
                names.push(name);
                skip_ws(chars, i);
                if chars.get(*i) == Some(&',') {
                    *i += 1;
                } else {
                    break;
                }
            }
            if names.len() == 1 {
                Segment::Name(names.remove(0))
            } else {
                Segment::Names(names)
            }
        }
        Some(_) => {
            let start = *i;
            while *i < chars.len() && chars[*i] != ']' {
                *i += 1;
            }
            let body: String = chars[start..*i].iter().collect();
            parse_numeric_bracket(body.trim())?
        }
    };
    skip_ws(chars, i);
    if chars.get(*i) != Some(&']') {
        return Err("expected ']'".into());
    }
    *i += 1;
    Ok(seg)
}

fn parse_numeric_bracket(body: &str) -> Result<Segment, String> {
    let int = |t: &str| -> Result<i64, String> {
        t.trim()
            .parse::<i64>()
            .map_err(|_| format!("'{}' is not an array index", t.trim()))
    };
    let opt = |t: &str| -> Result<Option<i64>, String> {
        if t.trim().is_empty() {
            Ok(None)
        } else {
            int(t).map(Some)
        }
    };
    if body.contains(':') {
        let parts: Vec<&str> = body.split(':').collect();
        if parts.len() > 3 {
            return Err(format!("bad slice '[{body}]'"));
        }
        let stepv = match parts.get(2) {
            Some(p) => opt(p)?,
            None => None,
        };
        if stepv.is_some_and(|s| s <= 0) {
            return Err(format!("bad slice step in '[{body}]'"));
        }
        return Ok(Segment::Slice(opt(parts[0])?, opt(parts[1])?, stepv));
    }
    if body.contains(',') {
        return body
            .split(',')
            .map(int)
            .collect::<Result<Vec<_>, _>>()
            .map(Segment::Indices);
    }
    int(body).map(Segment::Index)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    fn sel(p: &str, v: &Value) -> Option<Value> {
        JsonPath::parse(p).unwrap().select(v)
    }

    #[test]
    fn definite_paths() {
        let v = json!({"a": {"b": [10, 20, {"c": "x"}]}, "we ird": 1});
        assert_eq!(sel("$", &v), Some(v.clone()));
        assert_eq!(sel("$.a.b[1]", &v), Some(json!(20)));
        assert_eq!(sel("$['a']['b'][2].c", &v), Some(json!("x")));
        assert_eq!(sel("$.a.b[-1].c", &v), Some(json!("x")));
        assert_eq!(sel("$['we ird']", &v), Some(json!(1)));
        assert_eq!(sel("$.a.missing", &v), None);
        assert_eq!(sel("$.a.b[9]", &v), None);
        assert_eq!(sel("$.a.b.c", &v), None);
    }

    #[test]
    fn indefinite_paths() {
        let v = json!({"items": [{"id": 1}, {"id": 2}, {"x": 3}], "id": 0});
        assert_eq!(sel("$.items[*].id", &v), Some(json!([1, 2])));
        assert_eq!(sel("$..id", &v), Some(json!([0, 1, 2])));
        assert_eq!(sel("$.items[0,2]", &v), Some(json!([{"id": 1}, {"x": 3}])));
        assert_eq!(sel("$.items[1:]", &v), Some(json!([{"id": 2}, {"x": 3}])));
        assert_eq!(sel("$.items[:1]", &v), Some(json!([{"id": 1}])));
        assert_eq!(sel("$.nothing[*]", &v), Some(json!([])));
        assert!(!JsonPath::parse("$.items[*]").unwrap().is_definite());
    }

    #[test]
    fn bad_paths_are_refused() {
        for p in [
            "a.b",
            "$.",
            "$.a[",
            "$.a[?(@.x)]",
            "$.a[x]",
            "$.a..",
            "$a",
            "$.a[1:2:0]",
            "$.a['b",
        ] {
            assert!(JsonPath::parse(p).is_err(), "{p} should be refused");
        }
        for p in ["$.a[*]", "$..a", "$.a[-1]", "$$.Execution.Id", "$.a[0,1]"] {
            assert!(
                JsonPath::parse_reference(p).is_err(),
                "{p} is not a reference path"
            );
        }
        assert!(JsonPath::parse_reference("$.a[0].b").is_ok());
    }

    #[test]
    fn set_reference_paths() {
        let p = JsonPath::parse_reference("$.a.b").unwrap();
        assert_eq!(
            p.set(json!({"x": 1}), json!(2)).unwrap(),
            json!({"x": 1, "a": {"b": 2}})
        );
        assert_eq!(
            p.set(json!({"a": {"c": 1}}), json!(2)).unwrap(),
            json!({"a": {"c": 1, "b": 2}})
        );
        assert!(p.set(json!({"a": "str"}), json!(2)).is_err());
        assert!(p.set(json!("top"), json!(2)).is_err());
        let root = JsonPath::parse_reference("$").unwrap();
        assert_eq!(root.set(json!({"x": 1}), json!([1])).unwrap(), json!([1]));
        let idx = JsonPath::parse_reference("$.l[1]").unwrap();
        assert_eq!(
            idx.set(json!({"l": [1, 2]}), json!(9)).unwrap(),
            json!({"l": [1, 9]})
        );
        assert!(idx.set(json!({"l": [1]}), json!(9)).is_err());
    }

    #[test]
    fn context_paths() {
        let p = JsonPath::parse("$$.Map.Item.Value").unwrap();
        assert!(p.is_context());
        assert_eq!(
            p.select(&json!({"Map": {"Item": {"Value": 5}}})),
            Some(json!(5))
        );
    }
}
