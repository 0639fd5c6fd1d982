//! Reads FDL JSON into the model, collecting every structural problem (types, required and unknown
//! fields, enum spellings) with its JSON path instead of stopping at the first.

use serde_json::{Map, Value};

use super::Problem;
use super::model::*;

/// Largest FDL document accepted, in bytes (real FDLs are a few kilobytes).
pub const MAX_FDL_BYTES: usize = 16 * 1024 * 1024;

/// Parses FDL bytes into a JSON value; a malformed document becomes one problem with its line and column.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, Problem> {
    if bytes.len() > MAX_FDL_BYTES {
        return Err(Problem::new(
            "$",
            format!(
                "document is {} bytes, more than the {} allowed",
                bytes.len(),
                MAX_FDL_BYTES
            ),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        Problem::new(
            "$",
            format!(
                "malformed JSON at line {} column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })
}

/// Walks a JSON value, building the model and recording problems.
pub(crate) struct Reader {
    pub problems: Vec<Problem>,
    /// Major version of the document (custom attributes and `clip_id` exist only in v2).
    major: i64,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Reader {
    pub fn new() -> Self {
        Self {
            problems: Vec::new(),
            major: 2,
        }
    }

    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    /// The object at `path`, or a problem.
    fn object<'v>(&mut self, v: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                self.problem(path, format!("must be an object, found {}", kind(other)));
                None
            }
        }
    }

    /// Checks that `m` has only `allowed` keys (plus `_` custom keys in v2); returns the custom keys.
    fn fields(&mut self, m: &Map<String, Value>, path: &str, allowed: &[&str]) -> Custom {
        let mut custom = Custom::new();
        for (key, value) in m {
            if allowed.contains(&key.as_str()) {
                continue;
            }
            let key_path = format!("{path}.{}", key.escape_debug());
            if key.starts_with('_') && self.major >= 2 {
                custom.insert(key.clone(), value.clone());
            } else if key.starts_with('_') {
                self.problem(&key_path, "custom attributes are not allowed in FDL v1");
            } else {
                self.problem(&key_path, "unknown field");
            }
        }
        custom
    }

    fn required<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'v Value> {
        let v = m.get(key);
        if v.is_none() {
            self.problem(path, format!("missing required field `{key}`"));
        }
        v
    }

    fn string(&mut self, v: &Value, path: &str) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            other => {
                self.problem(path, format!("must be a string, found {}", kind(other)));
                None
            }
        }
    }

    fn opt_string(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> Option<String> {
        let v = m.get(key)?;
        self.string(v, &format!("{path}.{key}"))
    }

    fn req_string(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> String {
        match self.required(m, path, key) {
            Some(v) => self.string(v, &format!("{path}.{key}")).unwrap_or_default(),
            None => String::new(),
        }
    }

    /// An integer (JSON Schema counts 4096.0 as an integer too).
    fn integer(&mut self, v: &Value, path: &str) -> Option<i64> {
        if let Some(i) = v.as_i64() {
            return Some(i);
        }
        if let Some(f) = v.as_f64() {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                return Some(f as i64);
            }
            let problem = if f.fract() == 0.0 {
                format!("integer {f} is out of range")
            } else {
                format!("must be an integer, found {f}")
            };
            self.problem(path, problem);
            return None;
        }
        self.problem(path, format!("must be an integer, found {}", kind(v)));
        None
    }

    fn number(&mut self, v: &Value, path: &str) -> Option<f64> {
        match v.as_f64() {
            Some(f) if f.is_finite() => Some(f),
            _ => {
                self.problem(path, format!("must be a number, found {}", kind(v)));
                None
            }
        }
    }

    fn opt_number(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> Option<f64> {
        let v = m.get(key)?;
        self.number(v, &format!("{path}.{key}"))
    }

    fn req_number(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> f64 {
        match self.required(m, path, key) {
            Some(v) => self.number(v, &format!("{path}.{key}")).unwrap_or(0.0),
            None => 0.0,
        }
    }

    fn array<'v>(&mut self, m: &'v Map<String, Value>, path: &str, key: &str) -> &'v [Value] {
        match m.get(key) {
            None => &[],
            Some(Value::Array(a)) => a,
            Some(other) => {
                self.problem(
                    &format!("{path}.{key}"),
                    format!("must be an array, found {}", kind(other)),
                );
                &[]
            }
        }
    }

    fn dims_int(&mut self, v: &Value, path: &str) -> DimensionsInt {
        let Some(m) = self.object(v, path) else {
            return DimensionsInt::default();
        };
        self.fields(m, path, &["width", "height"]);
        let get = |r: &mut Self, key: &str| match r.required(m, path, key) {
            Some(v) => r.integer(v, &format!("{path}.{key}")).unwrap_or(0),
            None => 0,
        };
        let width = get(self, "width");
        let height = get(self, "height");
        DimensionsInt { width, height }
    }

    fn dims_float(&mut self, v: &Value, path: &str) -> DimensionsFloat {
        let Some(m) = self.object(v, path) else {
            return DimensionsFloat::default();
        };
        self.fields(m, path, &["width", "height"]);
        DimensionsFloat {
            width: self.req_number(m, path, "width"),
            height: self.req_number(m, path, "height"),
        }
    }

    fn point(&mut self, v: &Value, path: &str) -> Point {
        let Some(m) = self.object(v, path) else {
            return Point::default();
        };
        self.fields(m, path, &["x", "y"]);
        Point {
            x: self.req_number(m, path, "x"),
            y: self.req_number(m, path, "y"),
        }
    }

    fn opt_with<T>(
        &mut self,
        m: &Map<String, Value>,
        path: &str,
        key: &str,
        read: impl FnOnce(&mut Self, &Value, &str) -> T,
    ) -> Option<T> {
        let v = m.get(key)?;
        Some(read(self, v, &format!("{path}.{key}")))
    }

    fn req_with<T: Default>(
        &mut self,
        m: &Map<String, Value>,
        path: &str,
        key: &str,
        read: impl FnOnce(&mut Self, &Value, &str) -> T,
    ) -> T {
        match self.required(m, path, key) {
            Some(v) => read(self, v, &format!("{path}.{key}")),
            None => T::default(),
        }
    }

    fn enum_value<T>(
        &mut self,
        v: &Value,
        path: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let s = self.string(v, path)?;
        let parsed = parse(&s);
        if parsed.is_none() {
            self.problem(
                path,
                format!("`{}` is not one of {expected}", s.escape_debug()),
            );
        }
        parsed
    }

    /// Reads a whole document.
    pub fn fdl(&mut self, v: &Value) -> Fdl {
        let path = "$";
        let empty = Map::new();
        let m = self.object(v, path).unwrap_or(&empty);
        let version = self.req_with(m, path, "version", |r, v, p| r.version(v, p));
        self.major = version.major;
        let custom = self.fields(
            m,
            path,
            &[
                "uuid",
                "version",
                "fdl_creator",
                "default_framing_intent",
                "framing_intents",
                "contexts",
                "canvas_templates",
            ],
        );
        let uuid = self.req_string(m, path, "uuid");
        let fdl_creator = self.opt_string(m, path, "fdl_creator");
        let default_framing_intent = self.opt_string(m, path, "default_framing_intent");
        let framing_intents = self
            .array(m, path, "framing_intents")
            .iter()
            .enumerate()
            .map(|(i, v)| self.framing_intent(v, &format!("$.framing_intents[{i}]")))
            .collect();
        let contexts = self
            .array(m, path, "contexts")
            .iter()
            .enumerate()
            .map(|(i, v)| self.context(v, &format!("$.contexts[{i}]")))
            .collect();
        let canvas_templates = self
            .array(m, path, "canvas_templates")
            .iter()
            .enumerate()
            .map(|(i, v)| self.canvas_template(v, &format!("$.canvas_templates[{i}]")))
            .collect();
        Fdl {
            uuid,
            version,
            fdl_creator,
            default_framing_intent,
            framing_intents,
            contexts,
            canvas_templates,
            custom,
        }
    }

    fn version(&mut self, v: &Value, path: &str) -> Version {
        let Some(m) = self.object(v, path) else {
            return Version { major: 2, minor: 0 };
        };
        let get = |r: &mut Self, key: &str| match r.required(m, path, key) {
            Some(v) => r.integer(v, &format!("{path}.{key}")),
            None => None,
        };
        let major = get(self, "major");
        let minor = get(self, "minor");
        let version = match (major, minor) {
            (Some(major), Some(minor)) => Version { major, minor },
            _ => Version { major: 2, minor: 0 },
        };
        if !matches!((version.major, version.minor), (2, 0) | (1, 0) | (1, 1)) {
            self.problem(
                path,
                format!(
                    "FDL version {}.{} is not supported (2.0 — written by v2.0 and v2.0.1 — 1.1 or 1.0)",
                    version.major, version.minor
                ),
            );
        }
        self.major = version.major;
        self.fields(m, path, &["major", "minor"]);
        version
    }

    fn framing_intent(&mut self, v: &Value, path: &str) -> FramingIntent {
        let empty = Map::new();
        let m = self.object(v, path).unwrap_or(&empty);
        let custom = self.fields(m, path, &["label", "id", "aspect_ratio", "protection"]);
        FramingIntent {
            label: self.opt_string(m, path, "label"),
            id: self.req_string(m, path, "id"),
            aspect_ratio: self.req_with(m, path, "aspect_ratio", |r, v, p| r.dims_int(v, p)),
            protection: self.opt_number(m, path, "protection"),
            custom,
        }
    }

    fn context(&mut self, v: &Value, path: &str) -> Context {
        let empty = Map::new();
        let m = self.object(v, path).unwrap_or(&empty);
        let allowed: &[&str] = if self.major >= 2 {
            &["label", "context_creator", "clip_id", "canvases"]
        } else {
            &["label", "context_creator", "canvases"]
        };
        let custom = self.fields(m, path, allowed);
        let clip_id = self.opt_with(m, path, "clip_id", |r, v, p| r.clip_id(v, p));
        let canvases = self
            .array(m, path, "canvases")
            .iter()
            .enumerate()
            .map(|(i, v)| self.canvas(v, &format!("{path}.canvases[{i}]")))
            .collect();
        Context {
            label: self.opt_string(m, path, "label"),
            context_creator: self.opt_string(m, path, "context_creator"),
            clip_id,
            canvases,
            custom,
        }
    }

    fn clip_id(&mut self, v: &Value, path: &str) -> ClipId {
        let empty = Map::new();
        let m = self.object(v, path).unwrap_or(&empty);
        let custom = self.fields(m, path, &["clip_name", "file", "sequence"]);
        let sequence = self.opt_with(m, path, "sequence", |r, v, p| {
            let m = r.object(v, p).unwrap_or(&empty);
            let custom = r.fields(m, p, &["value", "idx", "min", "max"]);
            let int = |r: &mut Self, key: &str| match r.required(m, p, key) {
                Some(v) => r.integer(v, &format!("{p}.{key}")).unwrap_or(0),
                None => 0,
            };
            let min = int(r, "min");
            let max = int(r, "max");
            FileSequence {
                value: r.req_string(m, p, "value"),
                idx: r.req_string(m, p, "idx"),
                min,
                max,
                custom,
            }
        });
        ClipId {
            clip_name: self.req_string(m, path, "clip_name"),
            file: self.opt_string(m, path, "file"),
            sequence,
            custom,
        }
    }

    fn canvas(&mut self, v: &Value, path: &str) -> Canvas {
        let empty = Map::new();
        let m = self.object(v, path).unwrap_or(&empty);
        let custom = self.fields(
            m,
            path,
            &[
                "label",
                "id",
                "source_canvas_id",
                "dimensions",
                "effective_dimensions",
                "effective_anchor_point",
                "photosite_dimensions",
                "physical_dimensions",
                "anamorphic_squeeze",
                "framing_decisions",
            ],
        );
        let framing_decisions = self
            .array(m, path, "framing_decisions")
            .iter()
            .enumerate()
            .map(|(i, v)| self.framing_decision(v, &format!("{path}.framing_decisions[{i}]")))
            .collect();
        Canvas {
            label: self.opt_string(m, path, "label"),
            id: self.req_string(m, path, "id"),
            source_canvas_id: self.req_string(m, path, "source_canvas_id"),
            dimensions: self.req_with(m, path, "dimensions", |r, v, p| r.dims_int(v, p)),
            effective_dimensions: self
                .opt_with(m, path, "effective_dimensions", |r, v, p| r.dims_int(v, p)),
            effective_anchor_point: self
                .opt_with(m, path, "effective_anchor_point", |r, v, p| r.point(v, p)),
            photosite_dimensions: self
                .opt_with(m, path, "photosite_dimensions", |r, v, p| r.dims_int(v, p)),
            physical_dimensions: self
                .opt_with(m, path, "physical_dimensions", |r, v, p| r.dims_float(v, p)),
            anamorphic_squeeze: self.opt_number(m, path, "anamorphic_squeeze"),
            framing_decisions,
            custom,
        }
    }

    fn framing_decision(&mut self, v: &Value, path: &str) -> FramingDecision {
        let empty = Map::new();
        let m = self.object(v, path).unwrap_or(&empty);
        let custom = self.fields(
            m,
            path,
            &[
                "label",
                "id",
                "framing_intent_id",
                "dimensions",
                "anchor_point",
                "protection_dimensions",
                "protection_anchor_point",
            ],
        );
        FramingDecision {
            label: self.opt_string(m, path, "label"),
            id: self.req_string(m, path, "id"),
            framing_intent_id: self.req_string(m, path, "framing_intent_id"),
            dimensions: self.req_with(m, path, "dimensions", |r, v, p| r.dims_float(v, p)),
            anchor_point: self.req_with(m, path, "anchor_point", |r, v, p| r.point(v, p)),
            protection_dimensions: self.opt_with(m, path, "protection_dimensions", |r, v, p| {
                r.dims_float(v, p)
            }),
            protection_anchor_point: self.opt_with(
                m,
                path,
                "protection_anchor_point",
                |r, v, p| r.point(v, p),
            ),
            custom,
        }
    }

    fn canvas_template(&mut self, v: &Value, path: &str) -> CanvasTemplate {
        let empty = Map::new();
        let m = self.object(v, path).unwrap_or(&empty);
        let custom = self.fields(
            m,
            path,
            &[
                "label",
                "id",
                "target_dimensions",
                "target_anamorphic_squeeze",
                "fit_source",
                "fit_method",
                "alignment_method_vertical",
                "alignment_method_horizontal",
                "preserve_from_source_canvas",
                "maximum_dimensions",
                "pad_to_maximum",
                "round",
            ],
        );
        let layers = "canvas.dimensions, canvas.effective_dimensions, \
                      framing_decision.protection_dimensions, framing_decision.dimensions";
        let fit_source = self
            .required(m, path, "fit_source")
            .and_then(|v| {
                self.enum_value(
                    v,
                    &format!("{path}.fit_source"),
                    GeometryPath::parse,
                    layers,
                )
            })
            .unwrap_or(GeometryPath::FramingDimensions);
        let fit_method = self
            .required(m, path, "fit_method")
            .and_then(|v| {
                self.enum_value(
                    v,
                    &format!("{path}.fit_method"),
                    FitMethod::parse,
                    "width, height, fit_all, fill",
                )
            })
            .unwrap_or(FitMethod::FitAll);
        let alignment_method_vertical = m.get("alignment_method_vertical").and_then(|v| {
            self.enum_value(
                v,
                &format!("{path}.alignment_method_vertical"),
                VAlign::parse,
                "top, center, bottom",
            )
        });
        let alignment_method_horizontal = m.get("alignment_method_horizontal").and_then(|v| {
            self.enum_value(
                v,
                &format!("{path}.alignment_method_horizontal"),
                HAlign::parse,
                "left, center, right",
            )
        });
        let preserve_from_source_canvas = match m.get("preserve_from_source_canvas") {
            // FDL v1.x (and v2.0) spelled "nothing preserved" as "none"; v2.0.1 dropped it.
            Some(Value::String(s)) if s == "none" && self.major < 2 => None,
            Some(v) => self.enum_value(
                v,
                &format!("{path}.preserve_from_source_canvas"),
                GeometryPath::parse,
                layers,
            ),
            None => None,
        };
        let pad_to_maximum = match m.get("pad_to_maximum") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                self.problem(
                    &format!("{path}.pad_to_maximum"),
                    format!("must be a boolean, found {}", kind(other)),
                );
                None
            }
        };
        let round = self.opt_with(m, path, "round", |r, v, p| r.round(v, p));
        CanvasTemplate {
            label: self.opt_string(m, path, "label"),
            id: self.req_string(m, path, "id"),
            target_dimensions: self
                .req_with(m, path, "target_dimensions", |r, v, p| r.dims_int(v, p)),
            target_anamorphic_squeeze: self.req_number(m, path, "target_anamorphic_squeeze"),
            fit_source,
            fit_method,
            alignment_method_vertical,
            alignment_method_horizontal,
            preserve_from_source_canvas,
            maximum_dimensions: self
                .opt_with(m, path, "maximum_dimensions", |r, v, p| r.dims_int(v, p)),
            pad_to_maximum,
            round,
            custom,
        }
    }

    fn round(&mut self, v: &Value, path: &str) -> RoundStrategy {
        let empty = Map::new();
        let m = self.object(v, path).unwrap_or(&empty);
        self.fields(m, path, &["even", "mode"]);
        let even = self
            .required(m, path, "even")
            .and_then(|v| {
                self.enum_value(v, &format!("{path}.even"), RoundEven::parse, "whole, even")
            })
            .unwrap_or(RoundEven::Even);
        let mode = self
            .required(m, path, "mode")
            .and_then(|v| {
                self.enum_value(
                    v,
                    &format!("{path}.mode"),
                    RoundMode::parse,
                    "up, down, round",
                )
            })
            .unwrap_or(RoundMode::Up);
        RoundStrategy { even, mode }
    }
}
