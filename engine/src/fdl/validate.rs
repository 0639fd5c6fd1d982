//! Validation of an FDL: value rules of the ASC schema (id patterns, ranges) and the semantic rules
//! (unique and resolvable ids, framing inside its canvas, protection around framing...).

use std::collections::HashSet;

use super::Problem;
use super::model::*;

/// Largest canvas or template size accepted on either axis, in pixels.
pub const MAX_DIMENSION: i64 = 1 << 20;
/// Largest anamorphic squeeze accepted (real lenses stay below 2.5).
pub const MAX_SQUEEZE: f64 = 100.0;
/// Longest label or other free text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Slack allowed when comparing floating-point geometry.
const EPS: f64 = 1e-6;

/// Lists every problem of a document; empty when it is valid.
pub fn validate(fdl: &Fdl) -> Vec<Problem> {
    let mut v = Validator {
        problems: Vec::new(),
        v2: fdl.version.major >= 2,
    };
    v.fdl(fdl);
    v.problems
}

struct Validator {
    problems: Vec<Problem>,
    v2: bool,
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

impl Validator {
    fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    fn text(&mut self, path: &str, text: &Option<String>) {
        if let Some(t) = text {
            self.text_value(path, t);
        }
    }

    fn text_value(&mut self, path: &str, t: &str) {
        if t.chars().count() > MAX_TEXT_CHARS {
            self.problem(path, format!("longer than {MAX_TEXT_CHARS} characters"));
        }
        if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            self.problem(path, "contains control characters");
        }
    }

    fn id(&mut self, path: &str, id: &str) {
        if id.is_empty() || id.len() > 32 || !id.chars().all(is_id_char) {
            self.problem(
                path,
                format!(
                    "id `{}` must be 1 to 32 characters of A-Z, a-z, 0-9 and _",
                    id.escape_debug()
                ),
            );
        }
    }

    fn decision_id(&mut self, path: &str, id: &str) {
        let ok = id.len() >= 3
            && id.len() <= 65
            && id.split_once('-').is_some_and(|(a, b)| {
                !a.is_empty()
                    && !b.is_empty()
                    && a.chars().all(is_id_char)
                    && b.chars().all(is_id_char)
            });
        if !ok {
            self.problem(
                path,
                format!(
                    "framing decision id `{}` must look like <canvas id>-<framing intent id> (3 to 65 characters of A-Z, a-z, 0-9, _)",
                    id.escape_debug()
                ),
            );
        }
    }

    fn dims_int(&mut self, path: &str, d: &DimensionsInt, allow_zero: bool) {
        for (axis, n) in [("width", d.width), ("height", d.height)] {
            if n < 0 || (n == 0 && !allow_zero) {
                let rule = if allow_zero { ">= 0" } else { "> 0" };
                self.problem(format!("{path}.{axis}"), format!("{n} must be {rule}"));
            } else if n > MAX_DIMENSION {
                self.problem(
                    format!("{path}.{axis}"),
                    format!("{n} is larger than the {MAX_DIMENSION} supported"),
                );
            }
        }
    }

    fn dims_float(&mut self, path: &str, d: &DimensionsFloat) {
        for (axis, n) in [("width", d.width), ("height", d.height)] {
            if n.is_nan() || n <= 0.0 {
                self.problem(format!("{path}.{axis}"), format!("{n} must be > 0"));
            } else if n > MAX_DIMENSION as f64 {
                self.problem(
                    format!("{path}.{axis}"),
                    format!("{n} is larger than the {MAX_DIMENSION} supported"),
                );
            }
        }
    }

    fn point(&mut self, path: &str, p: &Point) {
        for (axis, n) in [("x", p.x), ("y", p.y)] {
            // v1.x and v2.0 allowed negative anchors; v2.0.1 requires >= 0 (same version number 2.0).
            if n.is_nan() || (n < 0.0 && self.v2) {
                self.problem(format!("{path}.{axis}"), format!("{n} must be >= 0"));
            } else if n.abs() > MAX_DIMENSION as f64 {
                self.problem(
                    format!("{path}.{axis}"),
                    format!("{n} is larger than the {MAX_DIMENSION} supported"),
                );
            }
        }
    }

    fn squeeze(&mut self, path: &str, s: f64) {
        if s.is_nan() || s <= 0.0 {
            self.problem(path, format!("anamorphic squeeze {s} must be > 0"));
        } else if s > MAX_SQUEEZE {
            self.problem(
                path,
                format!("anamorphic squeeze {s} is larger than the {MAX_SQUEEZE} supported"),
            );
        }
    }

    /// `inner` (anchor, size) lies inside `outer` (anchor, size).
    fn inside(
        &mut self,
        path: &str,
        what: &str,
        inner: (Point, DimensionsFloat),
        outer: (Point, DimensionsFloat),
        outer_name: &str,
    ) {
        self.inside_with_slack(EPS, path, what, inner, outer, outer_name);
    }

    /// Like [`Self::inside`], allowing `slack` pixels past each edge.
    fn inside_with_slack(
        &mut self,
        slack: f64,
        path: &str,
        what: &str,
        inner: (Point, DimensionsFloat),
        outer: (Point, DimensionsFloat),
        outer_name: &str,
    ) {
        let (ia, id) = inner;
        let (oa, od) = outer;
        let fits = ia.x + slack >= oa.x
            && ia.y + slack >= oa.y
            && ia.x + id.width <= oa.x + od.width + slack
            && ia.y + id.height <= oa.y + od.height + slack;
        if !fits {
            self.problem(
                path,
                format!(
                    "{what} ({}x{} at {},{}) is not inside the {outer_name} ({}x{} at {},{})",
                    id.width, id.height, ia.x, ia.y, od.width, od.height, oa.x, oa.y
                ),
            );
        }
    }

    fn fdl(&mut self, fdl: &Fdl) {
        if !is_uuid(&fdl.uuid) {
            self.problem(
                "$.uuid",
                format!("`{}` is not a UUID", fdl.uuid.escape_debug()),
            );
        }
        self.text("$.fdl_creator", &fdl.fdl_creator);
        let mut intent_ids = HashSet::new();
        for (i, fi) in fdl.framing_intents.iter().enumerate() {
            let path = format!("$.framing_intents[{i}]");
            self.id(&format!("{path}.id"), &fi.id);
            if !intent_ids.insert(fi.id.as_str()) {
                self.problem(
                    format!("{path}.id"),
                    format!("duplicate framing intent id `{}`", fi.id.escape_debug()),
                );
            }
            self.text(&format!("{path}.label"), &fi.label);
            self.dims_int(&format!("{path}.aspect_ratio"), &fi.aspect_ratio, false);
            if let Some(p) = fi.protection
                && (p.is_nan() || !(0.0..1.0).contains(&p))
            {
                self.problem(
                    format!("{path}.protection"),
                    format!("{p} must be >= 0 and < 1"),
                );
            }
        }
        if let Some(d) = &fdl.default_framing_intent {
            self.id("$.default_framing_intent", d);
            if !intent_ids.contains(d.as_str()) {
                self.problem(
                    "$.default_framing_intent",
                    format!(
                        "names framing intent `{}`, which is not in framing_intents",
                        d.escape_debug()
                    ),
                );
            }
        }
        let all_canvas_ids: HashSet<&str> = fdl
            .contexts
            .iter()
            .flat_map(|c| c.canvases.iter().map(|cv| cv.id.as_str()))
            .collect();
        for (ci, ctx) in fdl.contexts.iter().enumerate() {
            let path = format!("$.contexts[{ci}]");
            self.text(&format!("{path}.label"), &ctx.label);
            self.text(&format!("{path}.context_creator"), &ctx.context_creator);
            if let Some(clip) = &ctx.clip_id {
                self.clip_id(&format!("{path}.clip_id"), clip);
            }
            let mut canvas_ids = HashSet::new();
            for (vi, canvas) in ctx.canvases.iter().enumerate() {
                let cpath = format!("{path}.canvases[{vi}]");
                if !canvas_ids.insert(canvas.id.as_str()) {
                    self.problem(
                        format!("{cpath}.id"),
                        format!(
                            "duplicate canvas id `{}` in this context",
                            canvas.id.escape_debug()
                        ),
                    );
                }
                if !all_canvas_ids.contains(canvas.source_canvas_id.as_str()) {
                    self.problem(
                        format!("{cpath}.source_canvas_id"),
                        format!(
                            "names canvas `{}`, which is not in this FDL",
                            canvas.source_canvas_id.escape_debug()
                        ),
                    );
                }
                self.canvas(&cpath, canvas, &intent_ids);
            }
        }
        let mut template_ids = HashSet::new();
        for (ti, t) in fdl.canvas_templates.iter().enumerate() {
            let path = format!("$.canvas_templates[{ti}]");
            if !template_ids.insert(t.id.as_str()) {
                self.problem(
                    format!("{path}.id"),
                    format!("duplicate canvas template id `{}`", t.id.escape_debug()),
                );
            }
            self.template(&path, t);
        }
    }

    fn clip_id(&mut self, path: &str, clip: &ClipId) {
        self.text_value(&format!("{path}.clip_name"), &clip.clip_name);
        self.text(&format!("{path}.file"), &clip.file);
        if clip.file.is_some() && clip.sequence.is_some() {
            self.problem(path, "has both `file` and `sequence`; only one is allowed");
        }
        if let Some(seq) = &clip.sequence {
            let spath = format!("{path}.sequence");
            self.text_value(&format!("{spath}.value"), &seq.value);
            if seq.idx.chars().count() != 1 {
                self.problem(format!("{spath}.idx"), "must be exactly one character");
            } else if !seq.value.contains(seq.idx.as_str()) {
                self.problem(format!("{spath}.idx"), "does not occur in `value`");
            }
            if seq.min < 0 {
                self.problem(format!("{spath}.min"), "must be >= 0");
            }
            if seq.max < 0 {
                self.problem(format!("{spath}.max"), "must be >= 0");
            }
            if seq.min > seq.max {
                self.problem(&spath, format!("min {} is after max {}", seq.min, seq.max));
            }
        }
    }

    fn canvas(&mut self, path: &str, canvas: &Canvas, intent_ids: &HashSet<&str>) {
        self.id(&format!("{path}.id"), &canvas.id);
        self.id(
            &format!("{path}.source_canvas_id"),
            &canvas.source_canvas_id,
        );
        self.text(&format!("{path}.label"), &canvas.label);
        self.dims_int(&format!("{path}.dimensions"), &canvas.dimensions, false);
        if let Some(s) = canvas.anamorphic_squeeze {
            self.squeeze(&format!("{path}.anamorphic_squeeze"), s);
        }
        if let Some(d) = &canvas.photosite_dimensions {
            self.dims_int(&format!("{path}.photosite_dimensions"), d, false);
        }
        if let Some(d) = &canvas.physical_dimensions {
            self.dims_float(&format!("{path}.physical_dimensions"), d);
        }
        let canvas_rect = (Point::default(), to_float(canvas.dimensions));
        match (&canvas.effective_dimensions, &canvas.effective_anchor_point) {
            (Some(d), Some(a)) => {
                self.dims_int(&format!("{path}.effective_dimensions"), d, false);
                self.point(&format!("{path}.effective_anchor_point"), a);
                // Effective dimensions are integers next to a fractional anchor: the ASC library
                // rounds them half away from zero, which can leave the area up to half a pixel
                // past the canvas edge; that much is accepted.
                let rect = (*a, to_float(*d));
                self.inside_with_slack(
                    0.5 + EPS,
                    &format!("{path}.effective_dimensions"),
                    "effective area",
                    rect,
                    canvas_rect,
                    "canvas",
                );
            }
            (Some(_), None) => self.problem(
                path.to_string(),
                "has effective_dimensions without effective_anchor_point",
            ),
            (None, Some(_)) => self.problem(
                path.to_string(),
                "has effective_anchor_point without effective_dimensions",
            ),
            (None, None) => {}
        }
        let mut decision_ids = HashSet::new();
        for (di, fd) in canvas.framing_decisions.iter().enumerate() {
            let fpath = format!("{path}.framing_decisions[{di}]");
            self.decision_id(&format!("{fpath}.id"), &fd.id);
            if !decision_ids.insert(fd.id.as_str()) {
                self.problem(
                    format!("{fpath}.id"),
                    format!("duplicate framing decision id `{}`", fd.id.escape_debug()),
                );
            }
            self.id(&format!("{fpath}.framing_intent_id"), &fd.framing_intent_id);
            if !intent_ids.contains(fd.framing_intent_id.as_str()) {
                self.problem(
                    format!("{fpath}.framing_intent_id"),
                    format!(
                        "names framing intent `{}`, which is not in framing_intents",
                        fd.framing_intent_id.escape_debug()
                    ),
                );
            }
            self.text(&format!("{fpath}.label"), &fd.label);
            self.dims_float(&format!("{fpath}.dimensions"), &fd.dimensions);
            self.point(&format!("{fpath}.anchor_point"), &fd.anchor_point);
            let framing = (fd.anchor_point, fd.dimensions);
            self.inside(
                &format!("{fpath}.dimensions"),
                "framing",
                framing,
                canvas_rect,
                "canvas",
            );
            match (&fd.protection_dimensions, &fd.protection_anchor_point) {
                (Some(d), Some(a)) => {
                    self.dims_float(&format!("{fpath}.protection_dimensions"), d);
                    self.point(&format!("{fpath}.protection_anchor_point"), a);
                    let protection = (*a, *d);
                    self.inside(
                        &format!("{fpath}.protection_dimensions"),
                        "protection",
                        protection,
                        canvas_rect,
                        "canvas",
                    );
                    self.inside(
                        &format!("{fpath}.dimensions"),
                        "framing",
                        framing,
                        protection,
                        "protection area",
                    );
                }
                (Some(_), None) => self.problem(
                    fpath.clone(),
                    "has protection_dimensions without protection_anchor_point",
                ),
                (None, Some(_)) => self.problem(
                    fpath.clone(),
                    "has protection_anchor_point without protection_dimensions",
                ),
                (None, None) => {}
            }
        }
    }

    fn template(&mut self, path: &str, t: &CanvasTemplate) {
        self.id(&format!("{path}.id"), &t.id);
        self.text(&format!("{path}.label"), &t.label);
        // v2.0.1 allows one target axis to be 0 ("follows from the other axis").
        self.dims_int(
            &format!("{path}.target_dimensions"),
            &t.target_dimensions,
            self.v2,
        );
        if t.target_dimensions.width == 0 && t.target_dimensions.height == 0 {
            self.problem(
                format!("{path}.target_dimensions"),
                "width and height cannot both be 0",
            );
        }
        self.squeeze(
            &format!("{path}.target_anamorphic_squeeze"),
            t.target_anamorphic_squeeze,
        );
        if let Some(m) = &t.maximum_dimensions {
            self.dims_int(&format!("{path}.maximum_dimensions"), m, false);
        }
        if t.pad_to_maximum == Some(true) && t.maximum_dimensions.is_none() {
            self.problem(
                format!("{path}.pad_to_maximum"),
                "is true but the template has no maximum_dimensions to pad to",
            );
        }
        if let Some(p) = t.preserve_from_source_canvas
            && p > t.fit_source
        {
            self.problem(
                format!("{path}.preserve_from_source_canvas"),
                format!(
                    "`{}` lies inside the fit source `{}`; it must be the same layer or an outer one",
                    p.as_str(),
                    t.fit_source.as_str()
                ),
            );
        }
    }
}

pub(crate) fn to_float(d: DimensionsInt) -> DimensionsFloat {
    DimensionsFloat {
        width: d.width as f64,
        height: d.height as f64,
    }
}
