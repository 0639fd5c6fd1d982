//! Ignore patterns (gitignore-style wildcards, as ascmhl uses) matched against root-relative paths.

/// The patterns every new history starts with.
pub const DEFAULT_IGNORES: [&str; 3] = [".DS_Store", "ascmhl", "ascmhl/"];

/// The default ignore list as owned strings.
pub fn default_ignores() -> Vec<String> {
    DEFAULT_IGNORES.iter().map(|s| s.to_string()).collect()
}

#[derive(Debug, Clone)]
struct Pattern {
    parts: Vec<String>,
    anchored: bool,
    dir_only: bool,
}

/// A compiled list of ignore patterns.
#[derive(Debug, Clone, Default)]
pub struct IgnoreSpec {
    patterns: Vec<String>,
    compiled: Vec<Pattern>,
}

impl IgnoreSpec {
    /// Compiles patterns (empty lines and `#` comments are skipped, duplicates dropped).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Self {
        let mut spec = Self::default();
        for p in patterns {
            spec.push(p.as_ref());
        }
        spec
    }

    /// Existing patterns (or the defaults when there are none) plus new ones, like ascmhl.
    pub fn with_defaults(existing: &[String], extra: &[String]) -> Self {
        let mut spec = if existing.is_empty() {
            Self::new(&default_ignores())
        } else {
            Self::new(existing)
        };
        for p in extra {
            spec.push(p);
        }
        spec
    }

    /// Adds one pattern.
    pub fn push(&mut self, pattern: &str) {
        if self.patterns.iter().any(|p| p == pattern) {
            return;
        }
        self.patterns.push(pattern.to_string());
        let p = pattern.trim_end_matches([' ', '\r', '\n']);
        if p.is_empty() || p.starts_with('#') || p.starts_with('!') {
            return;
        }
        let dir_only = p.ends_with('/');
        let p = p.trim_end_matches('/');
        let anchored = p.contains('/');
        let p = p.trim_start_matches('/');
        if p.is_empty() {
            return;
        }
        self.compiled.push(Pattern {
            parts: p.split('/').map(str::to_string).collect(),
            anchored,
            dir_only,
        });
    }

    /// The patterns as given.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// True when `path` (root-relative, `/`-separated) or one of its parent folders is ignored.
    pub fn is_ignored(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() {
            return false;
        }
        let comps: Vec<&str> = path.split('/').collect();
        self.compiled
            .iter()
            .any(|p| matches_pattern(p, &comps, is_dir))
    }
}

fn matches_pattern(p: &Pattern, comps: &[&str], is_dir: bool) -> bool {
    // A prefix comps[..end] that matches names a folder when end < len, or the path itself.
    let prefix_ok = |end: usize| end < comps.len() || is_dir || !p.dir_only;
    if !p.anchored {
        let pat = &p.parts[0];
        return (0..comps.len())
            .any(|i| wild(pat.as_bytes(), comps[i].as_bytes()) && prefix_ok(i + 1));
    }
    (1..=comps.len()).any(|end| prefix_ok(end) && match_parts(&p.parts, &comps[..end]))
}

fn match_parts(parts: &[String], comps: &[&str]) -> bool {
    match parts.first() {
        None => comps.is_empty(),
        Some(first) if first == "**" => {
            (0..=comps.len()).any(|skip| match_parts(&parts[1..], &comps[skip..]))
        }
        Some(first) => {
            !comps.is_empty()
                && wild(first.as_bytes(), comps[0].as_bytes())
                && match_parts(&parts[1..], &comps[1..])
        }
    }
}

/// Shell-style wildcard match of one path component: `*`, `?`, `[...]`, `\` escapes.
fn wild(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    let (mut star_p, mut star_s) = (None::<usize>, 0usize);
    while si < s.len() {
        if pi < p.len() {
            match p[pi] {
                b'*' => {
                    star_p = Some(pi);
                    star_s = si;
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class(&p[pi..], s[si]) {
                        if matched {
                            pi += next;
                            si += 1;
                            continue;
                        }
                    } else if s[si] == b'[' {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                b'\\' if pi + 1 < p.len() && p[pi + 1] == s[si] => {
                    pi += 2;
                    si += 1;
                    continue;
                }
                b'\\' if pi + 1 < p.len() => {}
                c if c == s[si] => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star_p {
            Some(sp) => {
                pi = sp + 1;
                star_s += 1;
                si = star_s;
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Matches a `[...]` class at the start of `p`; returns (matched, class length) or None if unclosed.
fn class(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(1), Some(b'!') | Some(b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == b']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_ignore_ds_store_and_history_folders() {
        let s = IgnoreSpec::new(&default_ignores());
        assert!(s.is_ignored(".DS_Store", false));
        assert!(s.is_ignored("Clips/.DS_Store", false));
        assert!(s.is_ignored("ascmhl", true));
        assert!(s.is_ignored("A002/ascmhl", true));
        assert!(s.is_ignored("A002/ascmhl/0001.mhl", false));
        assert!(!s.is_ignored("Clips/a.mov", false));
    }

    #[test]
    fn wildcards_anchoring_and_dir_only() {
        let s = IgnoreSpec::new(&[
            "*.tmp",
            "/top.txt",
            "Proxies/",
            "a/**/z.bin",
            "f?le[0-9].txt",
        ]);
        assert!(s.is_ignored("x/y.tmp", false));
        assert!(s.is_ignored("top.txt", false));
        assert!(!s.is_ignored("sub/top.txt", false));
        assert!(s.is_ignored("Proxies", true));
        assert!(s.is_ignored("Proxies/p.mov", false));
        assert!(!s.is_ignored("Proxies", false));
        assert!(s.is_ignored("a/z.bin", false));
        assert!(s.is_ignored("a/b/c/z.bin", false));
        assert!(!s.is_ignored("b/z.bin", false));
        assert!(s.is_ignored("file7.txt", false));
        assert!(!s.is_ignored("fileX.txt", false));
    }
}
