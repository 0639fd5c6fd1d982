//! The ASC Framing Decision List data model (v2.0.1, also holding v1.x documents) and its JSON writer.

use serde::Serialize;
use serde_json::{Map, Value};

/// Custom (`_`-prefixed) attributes of an FDL object, kept as they were read and written back.
pub type Custom = Map<String, Value>;

/// A whole Framing Decision List document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fdl {
    /// Document UUID (text form).
    pub uuid: String,
    /// FDL version of the document (2.0 for v2.0/2.0.1, 1.0 or 1.1 for older documents).
    pub version: Version,
    /// The tool or person that wrote the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fdl_creator: Option<String>,
    /// Id of the framing intent used when none is named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_framing_intent: Option<String>,
    /// Framing intents (aspect ratio + protection) the decisions refer to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub framing_intents: Vec<FramingIntent>,
    /// Contexts (cameras, clips, pipelines), each holding canvases.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contexts: Vec<Context>,
    /// Canvas templates (delivery specifications).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub canvas_templates: Vec<CanvasTemplate>,
    /// Custom attributes.
    #[serde(flatten)]
    pub custom: Custom,
}

/// The `version` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Version {
    /// Major version (1 or 2).
    pub major: i64,
    /// Minor version.
    pub minor: i64,
}

impl Default for Version {
    /// FDL 2.0 (the version number written by v2.0 and v2.0.1).
    fn default() -> Self {
        Self { major: 2, minor: 0 }
    }
}

/// Integer width and height (canvas sizes, aspect ratios, template targets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DimensionsInt {
    /// Width.
    pub width: i64,
    /// Height.
    pub height: i64,
}

/// Floating-point width and height (framing decisions, physical sizes).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct DimensionsFloat {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// A point (anchor) measured from the top-left corner of its canvas.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Point {
    /// Horizontal offset.
    pub x: f64,
    /// Vertical offset.
    pub y: f64,
}

/// A framing intent: the aspect ratio to frame for and the protection to keep around it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FramingIntent {
    /// Human-readable label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Identifier.
    pub id: String,
    /// Aspect ratio as integer width:height.
    pub aspect_ratio: DimensionsInt,
    /// Protection as a fraction of the framing (0.1 = 10 %).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection: Option<f64>,
    /// Custom attributes.
    #[serde(flatten)]
    pub custom: Custom,
}

/// A context: one camera, clip or pipeline stage with its canvases.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Context {
    /// Human-readable label (contexts have no id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Who made this context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_creator: Option<String>,
    /// The clip this context describes (v2 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip_id: Option<ClipId>,
    /// Canvases.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub canvases: Vec<Canvas>,
    /// Custom attributes.
    #[serde(flatten)]
    pub custom: Custom,
}

/// Identification of a clip: a name plus either a file or a file sequence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClipId {
    /// Clip name.
    pub clip_name: String,
    /// A single file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// A numbered file sequence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<FileSequence>,
    /// Custom attributes.
    #[serde(flatten)]
    pub custom: Custom,
}

/// A numbered file sequence (`value` with `idx` standing for the frame number).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileSequence {
    /// File name pattern.
    pub value: String,
    /// The one character replaced by the frame number.
    pub idx: String,
    /// First frame number.
    pub min: i64,
    /// Last frame number.
    pub max: i64,
    /// Custom attributes.
    #[serde(flatten)]
    pub custom: Custom,
}

/// A canvas: the full recorded (or derived) image with its effective area and framing decisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Canvas {
    /// Human-readable label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Identifier.
    pub id: String,
    /// Id of the canvas this one was derived from (its own id for a camera original).
    pub source_canvas_id: String,
    /// Size in pixels.
    pub dimensions: DimensionsInt,
    /// Size of the area holding usable image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_dimensions: Option<DimensionsInt>,
    /// Top-left corner of the effective area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_anchor_point: Option<Point>,
    /// Photosites of the sensor area recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photosite_dimensions: Option<DimensionsInt>,
    /// Physical size of the recorded sensor area (millimetres).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_dimensions: Option<DimensionsFloat>,
    /// Anamorphic squeeze of the pixels (1 when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anamorphic_squeeze: Option<f64>,
    /// Framing decisions on this canvas.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub framing_decisions: Vec<FramingDecision>,
    /// Custom attributes.
    #[serde(flatten)]
    pub custom: Custom,
}

impl Canvas {
    /// The anamorphic squeeze, 1 when absent.
    pub fn squeeze(&self) -> f64 {
        self.anamorphic_squeeze.unwrap_or(1.0)
    }
}

/// A framing decision: where a framing intent lands on a canvas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FramingDecision {
    /// Human-readable label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Identifier, `<canvas id>-<framing intent id>`.
    pub id: String,
    /// The framing intent this decision realises.
    pub framing_intent_id: String,
    /// Size of the framing.
    pub dimensions: DimensionsFloat,
    /// Top-left corner of the framing on the canvas.
    pub anchor_point: Point,
    /// Size of the protected area around the framing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection_dimensions: Option<DimensionsFloat>,
    /// Top-left corner of the protected area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection_anchor_point: Option<Point>,
    /// Custom attributes.
    #[serde(flatten)]
    pub custom: Custom,
}

/// One of the four nested geometry layers a template can fit or preserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum GeometryPath {
    /// `canvas.dimensions` (outermost).
    #[serde(rename = "canvas.dimensions")]
    CanvasDimensions,
    /// `canvas.effective_dimensions`.
    #[serde(rename = "canvas.effective_dimensions")]
    EffectiveDimensions,
    /// `framing_decision.protection_dimensions`.
    #[serde(rename = "framing_decision.protection_dimensions")]
    ProtectionDimensions,
    /// `framing_decision.dimensions` (innermost).
    #[serde(rename = "framing_decision.dimensions")]
    FramingDimensions,
}

impl GeometryPath {
    /// All layers, outermost first.
    pub const ALL: [GeometryPath; 4] = [
        GeometryPath::CanvasDimensions,
        GeometryPath::EffectiveDimensions,
        GeometryPath::ProtectionDimensions,
        GeometryPath::FramingDimensions,
    ];

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            GeometryPath::CanvasDimensions => "canvas.dimensions",
            GeometryPath::EffectiveDimensions => "canvas.effective_dimensions",
            GeometryPath::ProtectionDimensions => "framing_decision.protection_dimensions",
            GeometryPath::FramingDimensions => "framing_decision.dimensions",
        }
    }

    /// Parses the JSON spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// How the fit source is scaled into the target dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FitMethod {
    /// Match the target width.
    Width,
    /// Match the target height.
    Height,
    /// Fit entirely inside the target (letterbox / pillarbox).
    FitAll,
    /// Fill the target entirely (crop the overflow).
    Fill,
}

impl FitMethod {
    /// All fit methods.
    pub const ALL: [FitMethod; 4] = [Self::Width, Self::Height, Self::FitAll, Self::Fill];

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Width => "width",
            Self::Height => "height",
            Self::FitAll => "fit_all",
            Self::Fill => "fill",
        }
    }

    /// Parses the JSON spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// Horizontal alignment of the fit source inside the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HAlign {
    /// Flush left.
    Left,
    /// Centred (the default).
    #[default]
    Center,
    /// Flush right.
    Right,
}

impl HAlign {
    /// All alignments.
    pub const ALL: [HAlign; 3] = [Self::Left, Self::Center, Self::Right];

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Center => "center",
            Self::Right => "right",
        }
    }

    /// Parses the JSON spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// 0 for left, 0.5 for centre, 1 for right.
    pub fn factor(self) -> f64 {
        match self {
            Self::Left => 0.0,
            Self::Center => 0.5,
            Self::Right => 1.0,
        }
    }
}

/// Vertical alignment of the fit source inside the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VAlign {
    /// Flush top.
    Top,
    /// Centred (the default).
    #[default]
    Center,
    /// Flush bottom.
    Bottom,
}

impl VAlign {
    /// All alignments.
    pub const ALL: [VAlign; 3] = [Self::Top, Self::Center, Self::Bottom];

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Top => "top",
            Self::Center => "center",
            Self::Bottom => "bottom",
        }
    }

    /// Parses the JSON spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// 0 for top, 0.5 for centre, 1 for bottom.
    pub fn factor(self) -> f64 {
        match self {
            Self::Top => 0.0,
            Self::Center => 0.5,
            Self::Bottom => 1.0,
        }
    }
}

/// Whether rounded values are whole numbers or even numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundEven {
    /// Any whole number.
    Whole,
    /// Even numbers only.
    Even,
}

impl RoundEven {
    /// Parses the JSON spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "whole" => Some(Self::Whole),
            "even" => Some(Self::Even),
            _ => None,
        }
    }
}

/// The rounding direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundMode {
    /// Towards larger magnitude.
    Up,
    /// Towards smaller magnitude.
    Down,
    /// To nearest (ties to even, as the ASC's tools do).
    Round,
}

impl RoundMode {
    /// Parses the JSON spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "up" => Some(Self::Up),
            "down" => Some(Self::Down),
            "round" => Some(Self::Round),
            _ => None,
        }
    }
}

/// A template's rounding rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct RoundStrategy {
    /// Whole or even numbers.
    pub even: RoundEven,
    /// Direction.
    pub mode: RoundMode,
}

impl Default for RoundStrategy {
    /// The schema defaults: even numbers, rounded up.
    fn default() -> Self {
        Self {
            even: RoundEven::Even,
            mode: RoundMode::Up,
        }
    }
}

/// A canvas template: how to turn a source canvas and framing decision into a delivery canvas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CanvasTemplate {
    /// Human-readable label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Identifier.
    pub id: String,
    /// Size the fit source is scaled into (v2.0.1: one axis may be 0, meaning "follows the other").
    pub target_dimensions: DimensionsInt,
    /// Squeeze of the delivered pixels (1 = spherical).
    pub target_anamorphic_squeeze: f64,
    /// The layer that is fitted into the target.
    pub fit_source: GeometryPath,
    /// How it is fitted.
    pub fit_method: FitMethod,
    /// Vertical alignment (centre when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alignment_method_vertical: Option<VAlign>,
    /// Horizontal alignment (centre when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alignment_method_horizontal: Option<HAlign>,
    /// The outer layer of the source kept in the output canvas (`"none"` in FDL v1.x reads as absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preserve_from_source_canvas: Option<GeometryPath>,
    /// Largest allowed output canvas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_dimensions: Option<DimensionsInt>,
    /// Pad the output canvas to `maximum_dimensions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pad_to_maximum: Option<bool>,
    /// Rounding rule (schema default when absent: even, up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub round: Option<RoundStrategy>,
    /// Custom attributes.
    #[serde(flatten)]
    pub custom: Custom,
}

impl Fdl {
    /// Writes the document as pretty-printed JSON (FDL v2.0.1 layout; v1.x documents keep their version).
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// The context with this label, or the first one when `label` is `None`.
    pub fn context(&self, label: Option<&str>) -> Option<&Context> {
        match label {
            None => self.contexts.first(),
            Some(l) => self.contexts.iter().find(|c| c.label.as_deref() == Some(l)),
        }
    }

    /// The canvas template with this id, or the first one when `id` is `None`.
    pub fn canvas_template(&self, id: Option<&str>) -> Option<&CanvasTemplate> {
        match id {
            None => self.canvas_templates.first(),
            Some(i) => self.canvas_templates.iter().find(|t| t.id == i),
        }
    }
}
