//! Intrinsic functions (`States.Format(...)` and friends): parsing at load time, evaluation at run time.

use base64::Engine as _;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Number, Value};

use super::error::AslError;
use super::jsonpath::{JsonPath, kind};

/// Most intrinsic calls one field may nest.
const MAX_NESTING: usize = 10;
/// Largest array `States.ArrayRange` may produce.
const MAX_RANGE_ITEMS: i64 = 1000;
/// Largest input of the encoding and hashing intrinsics, in characters.
const MAX_ENCODE_CHARS: usize = 10_000;

/// The intrinsic functions this runner implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `States.Format(template, args...)`.
    Format,
    /// `States.StringToJson(string)`.
    StringToJson,
    /// `States.JsonToString(value)`.
    JsonToString,
    /// `States.Array(args...)`.
    Array,
    /// `States.ArrayPartition(array, size)`.
    ArrayPartition,
    /// `States.ArrayContains(array, value)`.
    ArrayContains,
    /// `States.ArrayRange(start, end, step)`.
    ArrayRange,
    /// `States.ArrayGetItem(array, index)`.
    ArrayGetItem,
    /// `States.ArrayLength(array)`.
    ArrayLength,
    /// `States.ArrayUnique(array)`.
    ArrayUnique,
    /// `States.Base64Encode(string)`.
    Base64Encode,
    /// `States.Base64Decode(string)`.
    Base64Decode,
    /// `States.Hash(data, algorithm)`.
    Hash,
    /// `States.JsonMerge(a, b, false)`.
    JsonMerge,
    /// `States.MathRandom(start, end[, seed])`.
    MathRandom,
    /// `States.MathAdd(a, b)`.
    MathAdd,
    /// `States.StringSplit(string, delimiters)`.
    StringSplit,
    /// `States.UUID()`.
    Uuid,
}

impl Func {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "States.Format" => Self::Format,
            "States.StringToJson" => Self::StringToJson,
            "States.JsonToString" => Self::JsonToString,
            "States.Array" => Self::Array,
            "States.ArrayPartition" => Self::ArrayPartition,
            "States.ArrayContains" => Self::ArrayContains,
            "States.ArrayRange" => Self::ArrayRange,
            "States.ArrayGetItem" => Self::ArrayGetItem,
            "States.ArrayLength" => Self::ArrayLength,
            "States.ArrayUnique" => Self::ArrayUnique,
            "States.Base64Encode" => Self::Base64Encode,
            "States.Base64Decode" => Self::Base64Decode,
            "States.Hash" => Self::Hash,
            "States.JsonMerge" => Self::JsonMerge,
            "States.MathRandom" => Self::MathRandom,
            "States.MathAdd" => Self::MathAdd,
            "States.StringSplit" => Self::StringSplit,
            "States.UUID" => Self::Uuid,
            _ => return None,
        })
    }

    /// Allowed argument counts (min, max).
    fn arity(self) -> (usize, usize) {
        match self {
            Self::Format => (1, usize::MAX),
            Self::Array => (0, usize::MAX),
            Self::StringToJson
            | Self::JsonToString
            | Self::ArrayLength
            | Self::ArrayUnique
            | Self::Base64Encode
            | Self::Base64Decode => (1, 1),
            Self::ArrayPartition
            | Self::ArrayContains
            | Self::ArrayGetItem
            | Self::Hash
            | Self::MathAdd
            | Self::StringSplit => (2, 2),
            Self::ArrayRange | Self::JsonMerge => (3, 3),
            Self::MathRandom => (2, 3),
            Self::Uuid => (0, 0),
        }
    }
}

/// One argument of an intrinsic call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A quoted literal: `value` with escapes resolved, `raw` as written between the quotes.
    Str {
        /// Unescaped text.
        value: String,
        /// Text as written (escapes kept), used for `States.Format` templates.
        raw: String,
    },
    /// A number literal.
    Num(Number),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A path over the input (`$.x`) or the context object (`$$.x`).
    Path(JsonPath),
    /// A nested call.
    Call(Call),
}

/// A parsed intrinsic invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Which function.
    pub func: Func,
    /// Its arguments.
    pub args: Vec<Arg>,
}

/// True when a `.$` value is an intrinsic call rather than a path.
pub fn is_intrinsic(text: &str) -> bool {
    text.trim_start().starts_with("States.")
}

/// Parses an intrinsic invocation such as `States.Format('{}', $.a)`.
pub fn parse(text: &str) -> Result<Call, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut p = Parser {
        chars: &chars,
        i: 0,
    };
    p.ws();
    let call = p.call(1)?;
    p.ws();
    if p.i != chars.len() {
        return Err(format!(
            "unexpected text after the intrinsic call in '{text}'"
        ));
    }
    Ok(call)
}

struct Parser<'a> {
    chars: &'a [char],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.chars.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn call(&mut self, depth: usize) -> Result<Call, String> {
        if depth > MAX_NESTING {
            return Err(format!(
                "intrinsic functions nest more than {MAX_NESTING} deep"
            ));
        }
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
        {
            self.i += 1;
        }
        let name: String = self.chars[start..self.i].iter().collect();
        let func =
            Func::from_name(&name).ok_or_else(|| format!("unknown intrinsic function '{name}'"))?;
        self.ws();
        if self.peek() != Some('(') {
            return Err(format!("expected '(' after {name}"));
        }
        self.i += 1;
        let mut args = Vec::new();
        self.ws();
        if self.peek() == Some(')') {
            self.i += 1;
        } else {
            loop {
                self.ws();
                args.push(self.arg(depth)?);
                self.ws();
                match self.peek() {
                    Some(',') => self.i += 1,
                    Some(')') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(format!("expected ',' or ')' in the arguments of {name}")),
                }
            }
        }
        let (min, max) = func.arity();
        if args.len() < min || args.len() > max {
            return Err(format!(
                "{name} takes {} arguments, got {}",
                arity_text(min, max),
                args.len()
            ));
        }
        Ok(Call { func, args })
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, String> {
        match self.peek() {
            Some('\'') => self.string(),
            Some('$') => {
                let start = self.i;
                let (mut depth_b, mut quote) = (0i32, None::<char>);
                while let Some(c) = self.peek() {
                    match (quote, c) {
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '\'' | '"') => quote = Some(c),
                        (None, '[') => depth_b += 1,
                        (None, ']') => depth_b -= 1,
                        (None, ',' | ')') if depth_b == 0 => break,
                        _ => {}
                    }
                    self.i += 1;
                }
                let text: String = self.chars[start..self.i].iter().collect();
                JsonPath::parse(text.trim()).map(Arg::Path)
            }
            Some('S') => self.call(depth + 1).map(Arg::Call),
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let start = self.i;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
                {
                    self.i += 1;
                }
                let text: String = self.chars[start..self.i].iter().collect();
                serde_json::from_str::<Number>(&text)
                    .map(Arg::Num)
                    .map_err(|_| format!("'{text}' is not a number"))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.i;
                while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.i += 1;
                }
                let word: String = self.chars[start..self.i].iter().collect();
                match word.as_str() {
                    "null" => Ok(Arg::Null),
                    "true" => Ok(Arg::Bool(true)),
                    "false" => Ok(Arg::Bool(false)),
                    _ => Err(format!("unexpected argument '{word}'")),
                }
            }
            Some(c) => Err(format!("unexpected '{c}' in intrinsic arguments")),
            None => Err("unexpected end of the intrinsic call".into()),
        }
    }

    fn string(&mut self) -> Result<Arg, String> {
        self.i += 1;
        let (mut value, mut raw) = (String::new(), String::new());
        loop {
            match self.peek() {
                None => return Err("unterminated string literal".into()),
                Some('\'') => {
                    self.i += 1;
                    return Ok(Arg::Str { value, raw });
                }
                Some('\\') => match self.chars.get(self.i + 1) {
                    Some(&c) if matches!(c, '\'' | '{' | '}' | '\\') => {
                        value.push(c);
                        raw.push('\\');
                        raw.push(c);
                        self.i += 2;
                    }
                    _ => {
                        return Err(
                            "open escape '\\' in a string literal (escape it as '\\\\')".into()
                        );
                    }
                },
                Some(c) => {
                    value.push(c);
                    raw.push(c);
                    self.i += 1;
                }
            }
        }
    }
}

fn arity_text(min: usize, max: usize) -> String {
    if min == max {
        format!("{min}")
    } else if max == usize::MAX {
        format!("at least {min}")
    } else {
        format!("{min} to {max}")
    }
}

/// Evaluates a parsed call over the state's `input` and the `context` object.
pub fn eval(call: &Call, input: &Value, context: &Value) -> Result<Value, AslError> {
    let name = format!("{:?}", call.func);
    let fail = |msg: String| AslError::states_runtime(format!("States.{name}: {msg}"));
    let mut vals = Vec::with_capacity(call.args.len());
    for arg in &call.args {
        vals.push(match arg {
            Arg::Str { value, .. } => Value::String(value.clone()),
            Arg::Num(n) => Value::Number(n.clone()),
            Arg::Bool(b) => Value::Bool(*b),
            Arg::Null => Value::Null,
            Arg::Path(p) => {
                let root = if p.is_context() { context } else { input };
                p.select(root).ok_or_else(|| {
                    fail(format!(
                        "the path '{}' was not found in the input",
                        p.text()
                    ))
                })?
            }
            Arg::Call(c) => eval(c, input, context)?,
        });
    }
    match call.func {
        Func::Format => {
            let (template, escaped) = match (&call.args[0], &vals[0]) {
                (Arg::Str { raw, .. }, _) => (raw.clone(), true),
                (_, Value::String(s)) => (s.clone(), false),
                (_, v) => {
                    return Err(fail(format!(
                        "the template must be a string, not a {}",
                        kind(v)
                    )));
                }
            };
            format(&template, escaped, &vals[1..])
                .map(Value::String)
                .map_err(fail)
        }
        Func::StringToJson => {
            let s = as_str(&vals[0]).map_err(fail)?;
            serde_json::from_str(s).map_err(|e| fail(format!("the string is not JSON: {e}")))
        }
        Func::JsonToString => serde_json::to_string(&vals[0])
            .map(Value::String)
            .map_err(|e| fail(e.to_string())),
        Func::Array => Ok(Value::Array(vals)),
        Func::ArrayPartition => {
            let arr = as_array(&vals[0]).map_err(fail)?;
            let size = as_int(&vals[1]).map_err(fail)?;
            if size <= 0 {
                return Err(fail(format!("the chunk size must be positive, got {size}")));
            }
            let size = usize::try_from(size).unwrap_or(usize::MAX);
            Ok(Value::Array(
                arr.chunks(size).map(|c| Value::Array(c.to_vec())).collect(),
            ))
        }
        Func::ArrayContains => Ok(Value::Bool(
            as_array(&vals[0]).map_err(fail)?.contains(&vals[1]),
        )),
        Func::ArrayRange => {
            let (start, end, stepv) = (
                as_int(&vals[0]).map_err(fail)?,
                as_int(&vals[1]).map_err(fail)?,
                as_int(&vals[2]).map_err(fail)?,
            );
            if stepv == 0 {
                return Err(fail("the step must not be 0".into()));
            }
            let count = if (stepv > 0 && end < start) || (stepv < 0 && end > start) {
                0
            } else {
                (i128::from(end) - i128::from(start)) / i128::from(stepv) + 1
            };
            if count > i128::from(MAX_RANGE_ITEMS) {
                return Err(fail(format!(
                    "the range would hold {count} items (at most {MAX_RANGE_ITEMS})"
                )));
            }
            let mut out = Vec::new();
            let mut v = start;
            for _ in 0..count {
                out.push(Value::from(v));
                v = v.saturating_add(stepv);
            }
            Ok(Value::Array(out))
        }
        Func::ArrayGetItem => {
            let arr = as_array(&vals[0]).map_err(fail)?;
            let idx = as_int(&vals[1]).map_err(fail)?;
            usize::try_from(idx)
                .ok()
                .and_then(|i| arr.get(i))
                .cloned()
                .ok_or_else(|| fail(format!("index {idx} is outside an array of {}", arr.len())))
        }
        Func::ArrayLength => Ok(Value::from(as_array(&vals[0]).map_err(fail)?.len())),
        Func::ArrayUnique => {
            let mut out: Vec<Value> = Vec::new();
            for v in as_array(&vals[0]).map_err(fail)? {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            Ok(Value::Array(out))
        }
        Func::Base64Encode => {
            let s = limited(&vals[0]).map_err(fail)?;
            Ok(Value::String(
                base64::engine::general_purpose::STANDARD.encode(s.as_bytes()),
            ))
        }
        Func::Base64Decode => {
            let s = limited(&vals[0]).map_err(fail)?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s.as_bytes())
                .map_err(|e| fail(format!("not base64: {e}")))?;
            String::from_utf8(bytes)
                .map(Value::String)
                .map_err(|_| fail("the decoded bytes are not UTF-8 text".into()))
        }
        Func::Hash => {
            let data = limited(&vals[0]).map_err(fail)?;
            let algo = as_str(&vals[1]).map_err(fail)?;
            hash(data.as_bytes(), algo).map(Value::String).map_err(fail)
        }
        Func::JsonMerge => {
            let (Value::Object(a), Value::Object(b)) = (&vals[0], &vals[1]) else {
                return Err(fail("both values to merge must be objects".into()));
            };
            if vals[2] != Value::Bool(false) {
                return Err(fail(
                    "only shallow merges are supported: the third argument must be false".into(),
                ));
            }
            let mut merged = a.clone();
            for (k, v) in b {
                merged.insert(k.clone(), v.clone());
            }
            Ok(Value::Object(merged))
        }
        Func::MathRandom => {
            let start = as_int(&vals[0]).map_err(fail)?;
            let end = as_int(&vals[1]).map_err(fail)?;
            if end <= start {
                return Err(fail(format!(
                    "the end ({end}) must be greater than the start ({start})"
                )));
            }
            let n = match vals.get(2) {
                Some(seed) => {
                    let seed = as_int(seed).map_err(fail)?;
                    rand::rngs::StdRng::seed_from_u64(seed as u64).random_range(start..end)
                }
                None => rand::rng().random_range(start..end),
            };
            Ok(Value::from(n))
        }
        Func::MathAdd => {
            let a = as_int(&vals[0]).map_err(fail)?;
            let b = as_int(&vals[1]).map_err(fail)?;
            a.checked_add(b)
                .map(Value::from)
                .ok_or_else(|| fail("the sum overflows".into()))
        }
        Func::StringSplit => {
            let s = as_str(&vals[0]).map_err(fail)?;
            let delims = as_str(&vals[1]).map_err(fail)?;
            Ok(Value::Array(
                s.split(|c| delims.contains(c))
                    .filter(|p| !p.is_empty())
                    .map(|p| Value::String(p.to_string()))
                    .collect(),
            ))
        }
        Func::Uuid => Ok(Value::String(uuid_v4())),
    }
}

fn format(template: &str, escaped: bool, args: &[Value]) -> Result<String, String> {
    let chars: Vec<char> = template.chars().collect();
    let mut out = String::new();
    let mut next = 0;
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if escaped => {
                if let Some(c) = chars.get(i + 1) {
                    out.push(*c);
                }
                i += 2;
            }
            '{' if chars.get(i + 1) == Some(&'}') => {
                let v = args.get(next).ok_or_else(|| {
                    format!(
                        "the template has more {{}} than the {} arguments",
                        args.len()
                    )
                })?;
                match v {
                    Value::String(s) => out.push_str(s),
                    other => out.push_str(&other.to_string()),
                }
                next += 1;
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    if next != args.len() {
        return Err(format!(
            "the template has {next} {{}} but {} arguments were given",
            args.len()
        ));
    }
    Ok(out)
}

fn hash(data: &[u8], algo: &str) -> Result<String, String> {
    use sha2::Digest as _;
    Ok(match algo {
        "MD5" => hex::encode(md5::Md5::digest(data)),
        "SHA-1" => hex::encode(sha1::Sha1::digest(data)),
        "SHA-256" => hex::encode(sha2::Sha256::digest(data)),
        "SHA-384" => hex::encode(sha2::Sha384::digest(data)),
        "SHA-512" => hex::encode(sha2::Sha512::digest(data)),
        other => {
            return Err(format!(
                "unknown hash algorithm '{other}' (MD5, SHA-1, SHA-256, SHA-384, SHA-512)"
            ));
        }
    })
}

fn uuid_v4() -> String {
    let mut b: [u8; 16] = rand::rng().random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn as_str(v: &Value) -> Result<&str, String> {
    v.as_str()
        .ok_or_else(|| format!("expected a string, got a {}", kind(v)))
}

fn limited(v: &Value) -> Result<&str, String> {
    let s = as_str(v)?;
    if s.chars().count() > MAX_ENCODE_CHARS {
        return Err(format!(
            "the input is longer than {MAX_ENCODE_CHARS} characters"
        ));
    }
    Ok(s)
}

fn as_array(v: &Value) -> Result<&Vec<Value>, String> {
    v.as_array()
        .ok_or_else(|| format!("expected an array, got a {}", kind(v)))
}

fn as_int(v: &Value) -> Result<i64, String> {
    v.as_i64().ok_or_else(|| match v {
        Value::Number(n) => format!("expected an integer, got {n}"),
        other => format!("expected an integer, got a {}", kind(other)),
    })
}

#[cfg(test)]
#[path = "intrinsics_tests.rs"]
mod tests;
