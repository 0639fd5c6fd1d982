//! Writing ASC MHL manifests and chain files in the same layout as ascmhl (2-space pretty XML).

use chrono::Timelike;

use super::model::{ChainEntry, DirHashValue, Entry, Manifest, MhlDate};

/// Formats a date like ascmhl (Python `isoformat`), optionally keeping microseconds.
pub fn format_date(d: &MhlDate, micros: bool) -> String {
    let us = d.nanosecond() / 1000;
    if micros && us != 0 {
        d.format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string()
    } else {
        d.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

/// Escapes XML text content (`attr == false`) or a double-quoted attribute value (`attr == true`,
/// which also escapes `"`, newline and tab so they survive attribute-value normalisation).
fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if attr => out.push_str("&quot;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            _ => out.push(c),
        }
    }
    out
}

struct W {
    out: String,
}

impl W {
    fn line(&mut self, depth: usize, s: &str) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }
    fn leaf(&mut self, depth: usize, name: &str, attrs: &[(&str, String)], text: &str) {
        let mut s = format!("<{name}");
        for (k, v) in attrs {
            s.push_str(&format!(" {k}=\"{}\"", escape(v, true)));
        }
        if text.is_empty() {
            s.push_str("/>");
        } else {
            s.push_str(&format!(">{}</{name}>", escape(text, false)));
        }
        self.line(depth, &s);
    }
}

fn sorted_dir(values: &[DirHashValue]) -> Vec<&DirHashValue> {
    let mut v: Vec<&DirHashValue> = values.iter().collect();
    v.sort_by_key(|h| h.format.name());
    v
}

fn dir_block(w: &mut W, depth: usize, values: &[DirHashValue]) {
    let values = sorted_dir(values);
    for (tag, structure) in [("content", false), ("structure", true)] {
        w.line(depth, &format!("<{tag}>"));
        for h in &values {
            let mut attrs = Vec::new();
            if let Some(a) = h.action {
                attrs.push(("action", a.name().to_string()));
            }
            if let Some(d) = &h.hash_date {
                attrs.push(("hashdate", format_date(d, true)));
            }
            let text = if structure { &h.structure } else { &h.content };
            w.leaf(depth + 1, h.format.name(), &attrs, text);
        }
        w.line(depth, &format!("</{tag}>"));
    }
}

/// Serialises a manifest exactly in ascmhl's layout and element order.
pub fn write_manifest(m: &Manifest) -> Vec<u8> {
    let mut w = W { out: String::new() };
    w.line(0, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    w.line(0, r#"<hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">"#);
    let c = &m.creator;
    w.line(1, "<creatorinfo>");
    w.leaf(
        2,
        "creationdate",
        &[],
        &format_date(&c.creation_date, false),
    );
    w.leaf(2, "hostname", &[], &c.hostname);
    w.leaf(
        2,
        "tool",
        &[("version", c.tool.version.clone())],
        &c.tool.name,
    );
    for a in &c.authors {
        let mut attrs = Vec::new();
        if let Some(r) = &a.role {
            attrs.push(("role", r.clone()));
        }
        if let Some(e) = &a.email {
            attrs.push(("email", e.clone()));
        }
        if let Some(p) = &a.phone {
            attrs.push(("phone", p.clone()));
        }
        w.leaf(2, "author", &attrs, a.name.as_deref().unwrap_or(""));
    }
    if let Some(l) = &c.location {
        w.leaf(2, "location", &[], l);
    }
    if let Some(cm) = &c.comment {
        w.leaf(2, "comment", &[], cm);
    }
    w.line(1, "</creatorinfo>");
    w.line(1, "<processinfo>");
    w.leaf(2, "process", &[], &m.process.process);
    if !m.process.root_hash.is_empty() {
        w.line(2, "<roothash>");
        dir_block(&mut w, 3, &m.process.root_hash);
        w.line(2, "</roothash>");
    }
    if m.process.ignore.is_empty() {
        w.line(2, "<ignore/>");
    } else {
        w.line(2, "<ignore>");
        for p in &m.process.ignore {
            w.leaf(3, "pattern", &[], p);
        }
        w.line(2, "</ignore>");
    }
    w.line(1, "</processinfo>");
    w.line(1, "<hashes>");
    for e in &m.entries {
        match e {
            Entry::File(f) => {
                w.line(2, "<hash>");
                let mut attrs = Vec::new();
                if let Some(s) = f.size.filter(|&s| s > 0) {
                    attrs.push(("size", s.to_string()));
                }
                if let Some(d) = &f.modified {
                    attrs.push(("lastmodificationdate", format_date(d, false)));
                }
                w.leaf(3, "path", &attrs, f.path.as_str());
                let mut hashes: Vec<_> = f.hashes.iter().collect();
                hashes.sort_by_key(|h| h.format.name());
                for h in hashes {
                    let mut attrs = Vec::new();
                    if let Some(a) = h.action {
                        attrs.push(("action", a.name().to_string()));
                    }
                    if let Some(d) = &h.hash_date {
                        attrs.push(("hashdate", format_date(d, true)));
                    }
                    w.leaf(3, h.format.name(), &attrs, &h.value);
                }
                if let Some(p) = &f.previous_path {
                    w.leaf(3, "previousPath", &[], p.as_str());
                }
                w.line(2, "</hash>");
            }
            Entry::Directory(d) => {
                w.line(2, "<directoryhash>");
                let mut attrs = Vec::new();
                if let Some(md) = &d.modified {
                    attrs.push(("lastmodificationdate", format_date(md, false)));
                }
                w.leaf(3, "path", &attrs, d.path.as_str());
                dir_block(&mut w, 3, &d.hashes);
                if let Some(p) = &d.previous_path {
                    w.leaf(3, "previousPath", &[], p.as_str());
                }
                w.line(2, "</directoryhash>");
            }
        }
    }
    w.line(1, "</hashes>");
    if !m.references.is_empty() {
        w.line(1, "<references>");
        for r in &m.references {
            w.line(2, "<hashlistreference>");
            w.leaf(3, "path", &[], r.path.as_str());
            w.leaf(3, "c4", &[], &r.c4);
            w.line(2, "</hashlistreference>");
        }
        w.line(1, "</references>");
    }
    w.line(0, "</hashlist>");
    w.out.into_bytes()
}

/// Serialises a chain file in ascmhl's layout.
pub fn write_chain(chain: &[ChainEntry]) -> Vec<u8> {
    let mut w = W { out: String::new() };
    w.line(0, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    w.line(0, r#"<ascmhldirectory xmlns="urn:ASC:MHL:DIRECTORY:v2.0">"#);
    for c in chain {
        w.line(1, &format!("<hashlist sequencenr=\"{}\">", c.sequence));
        w.leaf(2, "path", &[], &c.file_name);
        w.leaf(2, c.format.name(), &[], &c.value);
        w.line(1, "</hashlist>");
    }
    w.line(0, "</ascmhldirectory>");
    w.out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn text_and_attribute_escaping() {
        let s = "a&b<c>d\"e\nf\tg\rh";
        assert_eq!(escape(s, false), "a&amp;b&lt;c&gt;d\"e\nf\tg&#13;h");
        assert_eq!(escape(s, true), "a&amp;b&lt;c&gt;d&quot;e&#10;f&#9;g&#13;h");
        assert_eq!(escape("Über/Ä.mov", true), "Über/Ä.mov");
    }
}
