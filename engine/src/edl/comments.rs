//! Classifies the comment lines of a CMX3600 event: clip names, source files, media paths,
//! locators and ASC CDL values, in the spellings Avid, Premiere, Resolve and others write.

/// What one comment line says.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Comment {
    /// `FROM CLIP NAME:` (the outgoing / only source).
    FromClipName(String),
    /// `TO CLIP NAME:` (the incoming source of a transition).
    ToClipName(String),
    /// `SOURCE FILE:`.
    SourceFile(String),
    /// `FROM CLIP:` (Avid) or `FROM FILE:` (Nucoda): a media path.
    MediaPath(String),
    /// `LOC:` with the text after the keyword.
    Locator(String),
    /// `ASC_SOP` with the text after the keyword.
    AscSop(String),
    /// `ASC_SAT` with the text after the keyword.
    AscSat(String),
    /// Anything else (kept raw by the caller).
    Other,
}

/// Builds a [`Comment`] from the text after its keyword.
type MakeComment = fn(String) -> Comment;

/// Reads the body of a comment line: the text after a leading `*` (or a bare keyword line, as
/// some writers omit the star).
pub(super) fn classify(line: &str) -> Comment {
    let body = line.trim_start_matches('*').trim_start();
    let upper_prefix: String = body
        .chars()
        .take(20)
        .collect::<String>()
        .to_ascii_uppercase();
    // Order matters: `FROM CLIP NAME` before `FROM CLIP`.
    let keys: [(&str, MakeComment); 8] = [
        ("FROM CLIP NAME", Comment::FromClipName),
        ("TO CLIP NAME", Comment::ToClipName),
        ("SOURCE FILE", Comment::SourceFile),
        ("FROM CLIP", Comment::MediaPath),
        ("FROM FILE", Comment::MediaPath),
        ("LOC", Comment::Locator),
        ("ASC_SOP", Comment::AscSop),
        ("ASC_SAT", Comment::AscSat),
    ];
    for (key, make) in keys {
        if let Some(rest) = keyword_rest(body, &upper_prefix, key) {
            return make(rest.trim().to_string());
        }
    }
    Comment::Other
}

/// The text after `key` when `body` starts with it (any case) followed by `:`, a blank or the
/// end; `None` otherwise (so `LOCATION` is not a `LOC`).
fn keyword_rest<'a>(body: &'a str, upper_prefix: &str, key: &str) -> Option<&'a str> {
    if !upper_prefix.starts_with(key) {
        return None;
    }
    // `key` is ASCII and matched case-insensitively on the first chars, so the byte index is
    // a char boundary.
    let rest = body.get(key.len()..)?;
    match rest.chars().next() {
        None => Some(rest),
        Some(':') => rest.get(1..),
        Some(c) if c.is_whitespace() => Some(rest),
        Some(_) => None,
    }
}

/// The nine numbers of an `ASC_SOP` body `(s s s)(o o o)(p p p)` (commas and blanks allowed
/// between numbers, blanks between groups).
pub(super) fn parse_sop(body: &str) -> Option<[[f64; 3]; 3]> {
    let mut groups = [[0.0f64; 3]; 3];
    let mut rest = body.trim();
    for group in &mut groups {
        rest = rest.strip_prefix('(')?;
        let close = rest.find(')')?;
        let inside = rest.get(..close)?;
        let numbers: Vec<&str> = inside
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .collect();
        let [a, b, c] = numbers.as_slice() else {
            return None;
        };
        *group = [parse_number(a)?, parse_number(b)?, parse_number(c)?];
        rest = rest.get(close + 1..)?.trim_start();
    }
    rest.is_empty().then_some(groups)
}

/// The value of an `ASC_SAT` body.
pub(super) fn parse_sat(body: &str) -> Option<f64> {
    parse_number(body.trim())
}

/// A finite decimal number (no `inf`/`nan`).
pub(super) fn parse_number(text: &str) -> Option<f64> {
    if text.is_empty()
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn recognises_the_spellings_in_the_wild() {
        assert_eq!(
            classify("* FROM CLIP NAME:  ZZ100_501 (LAY3) "),
            Comment::FromClipName("ZZ100_501 (LAY3)".into())
        );
        assert_eq!(
            classify("*FROM CLIP NAME: take_1"),
            Comment::FromClipName("take_1".into())
        );
        assert_eq!(
            classify("FROM CLIP NAME: shot1"),
            Comment::FromClipName("shot1".into())
        );
        assert_eq!(
            classify("* TO CLIP NAME: BL"),
            Comment::ToClipName("BL".into())
        );
        assert_eq!(
            classify("* FROM CLIP: S:\\path\\to\\a.exr"),
            Comment::MediaPath("S:\\path\\to\\a.exr".into())
        );
        assert_eq!(
            classify("* FROM FILE: /a/b.mov"),
            Comment::MediaPath("/a/b.mov".into())
        );
        assert_eq!(
            classify("*SOURCE FILE: A224C001_160914_R1BY"),
            Comment::SourceFile("A224C001_160914_R1BY".into())
        );
        assert_eq!(
            classify("*LOC: 01:00:01:14 RED     ANIM FIX NEEDED"),
            Comment::Locator("01:00:01:14 RED     ANIM FIX NEEDED".into())
        );
        assert_eq!(
            classify("* LOC 01:00:01;14 RED x"),
            Comment::Locator("01:00:01;14 RED x".into())
        );
        assert_eq!(classify("* LOCATION: Paris"), Comment::Other);
        assert_eq!(classify("*ASC_SAT 0.9"), Comment::AscSat("0.9".into()));
        assert_eq!(classify("* ASC_SAT: 0.9"), Comment::AscSat("0.9".into()));
        assert_eq!(classify("* * FREEZE FRAME"), Comment::Other);
        assert_eq!(classify("* ü"), Comment::Other);
    }

    #[test]
    fn reads_cdl_numbers() {
        let sop = parse_sop("(0.1 0.2 0.3) (1.0 -0.0122 0.0305) (1.0 0.0 1.0)").unwrap();
        assert_eq!(
            sop,
            [[0.1, 0.2, 0.3], [1.0, -0.0122, 0.0305], [1.0, 0.0, 1.0]]
        );
        let sop = parse_sop("(0.9201 0.9118 0.9150)(-0.0137 0.0007 0.0036)(0.9530 0.9664 1.0033)")
            .unwrap();
        assert_eq!(sop[2], [0.9530, 0.9664, 1.0033]);
        assert!(parse_sop("(1,0, 1.0, 1.0)(0 0 0)(1 1 1)").is_none());
        assert!(parse_sop("(1, 1, 1)(0, 0, 0)(1, 1, 1)").is_some());
        assert!(parse_sop("(1 1)(0 0 0)(1 1 1)").is_none());
        assert!(parse_sop("(1 1 1)(0 0 0)(1 1 nan)").is_none());
        assert!(parse_sop("(1 1 1)(0 0 0)(1 1 1) trailing").is_none());
        assert!(parse_sop("(1 1 1)(0 0 0").is_none());
        assert_eq!(parse_sat(" 1.0000 "), Some(1.0));
        assert_eq!(parse_sat("inf"), None);
        assert_eq!(parse_sat("1e999"), None);
    }
}
