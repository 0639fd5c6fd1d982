//! The fdl-crop step: applies an ASC FDL canvas template to a framing decision and crops,
//! de-squeezes and scales OpenEXR frames to match, writing the frames and the resulting FDL under
//! an output prefix.
//!
//! Frames are read whole from the library (bounded in bytes and pixels), decoded in memory by
//! the engine's OpenEXR codec ([`rushes_engine::image_io::exr`]), resampled in linear light by
//! the engine ([`rushes_engine::resample`]) and written as half-float ZIP-compressed EXR with the
//! same channels and the source's attributes (chromaticities, time code...), with the pixel
//! aspect ratio set to the target squeeze. Outputs are created, never
//! replaced: a second run with the same input finds byte-identical objects and succeeds.

use std::io::Cursor;

use rushes_common::{Error, ObjectKey, ObjectStore, Ports, PutMode, Result};
use rushes_engine::fdl::{
    self, ApplyOptions, CanvasTemplate, Fdl, MAX_FDL_BYTES, PixelPlan, SourceSelection,
};
use rushes_engine::hash::{HashFormat, hash_bytes};
use rushes_engine::image_io::FloatImage;
use rushes_engine::image_io::exr::{self, ExrCompression, ExrPixelType, ExrWriteOptions};
use rushes_engine::raw::ImageLimits;
use rushes_engine::resample::{MAX_CHANNELS, apply_plan};
use serde::{Deserialize, Serialize};

/// Output prefixes must lie under this folder of the library (the step's only write permission).
pub const OUTPUT_ROOT: &str = "pulls";

/// Most frames one invocation processes (longer sequences are fanned out over frame ranges).
pub const MAX_FRAMES: usize = 2000;

/// Largest EXR frame read, in bytes.
pub const MAX_FRAME_BYTES: u64 = 1 << 30;

/// Largest EXR frame decoded, in samples (width x height x channels): 2^28, e.g. 8K x 8K RGBA.
pub const MAX_FRAME_SAMPLES: usize = 1 << 28;

/// Where the canvas template comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TemplateSource {
    /// An object holding a bare canvas template or an FDL with `canvas_templates`.
    Key(ObjectKey),
    /// The canvas template object itself.
    Inline(serde_json::Value),
}

/// Which context, canvas and framing decision of the source FDL the template applies to
/// (defaults: the first context and canvas, the default framing intent's decision).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// Context label.
    #[serde(default)]
    pub context: Option<String>,
    /// Canvas id.
    #[serde(default)]
    pub canvas: Option<String>,
    /// Framing decision id.
    #[serde(default)]
    pub decision: Option<String>,
    /// Framing intent id (when no decision is named).
    #[serde(default)]
    pub intent: Option<String>,
}

/// Input: the FDL, the template, which framing decision, the frames and where to write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Object key of the source FDL.
    pub fdl: ObjectKey,
    /// The canvas template.
    pub template: TemplateSource,
    /// Id of the template when the template document holds several.
    #[serde(default)]
    pub template_id: Option<String>,
    /// The framing decision the template is applied to.
    #[serde(default)]
    pub selection: Selection,
    /// Object keys of the OpenEXR frames (their canvas is the selected canvas).
    pub frames: Vec<ObjectKey>,
    /// Where outputs go: `<output_prefix>/<frame file name>` and `<output_prefix>/<FDL file name>`.
    pub output_prefix: ObjectKey,
}

/// One frame written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameWritten {
    /// The source frame.
    pub source: ObjectKey,
    /// The written frame.
    pub key: ObjectKey,
    /// Its size in bytes.
    pub size: u64,
    /// Its xxh64 (16 hex digits).
    pub xxh64: String,
}

/// Output: the resulting FDL, the new canvas and every frame written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Output {
    /// Key of the resulting FDL.
    pub fdl: ObjectKey,
    /// Id of the new canvas in it.
    pub canvas_id: String,
    /// Id of the new framing decision.
    pub framing_decision_id: String,
    /// Output frame width.
    pub width: u32,
    /// Output frame height.
    pub height: u32,
    /// True when the frames were copied without resampling (a whole-pixel crop).
    pub exact_crop: bool,
    /// Frames written, in input order.
    pub frames: Vec<FrameWritten>,
}

fn bad(problem: impl Into<String>) -> Error {
    Error::BadInput(problem.into())
}

/// The last segment of a key.
fn file_name(key: &ObjectKey) -> &str {
    key.as_str().rsplit('/').next().unwrap_or(key.as_str())
}

/// Stores `bytes` at `key` unless an identical object is already there (idempotent re-runs);
/// a different existing object is an error.
async fn put_once(store: &dyn ObjectStore, key: &ObjectKey, bytes: Vec<u8>) -> Result<()> {
    let len = bytes.len() as u64;
    match store.put(key, bytes.clone(), PutMode::CreateNew).await {
        Ok(()) => Ok(()),
        Err(Error::AlreadyExists {
            store: name,
            key: k,
        }) => {
            let existing = store.read_small(key, len).await;
            match existing {
                Ok(old) if old == bytes => Ok(()),
                _ => Err(Error::AlreadyExists {
                    store: name,
                    key: k,
                }),
            }
        }
        Err(e) => Err(e),
    }
}

fn check_input(input: &Input) -> Result<()> {
    let prefix = input.output_prefix.as_str();
    if !prefix.starts_with(&format!("{OUTPUT_ROOT}/")) {
        return Err(bad(format!(
            "output_prefix `{}` is not under `{OUTPUT_ROOT}/`",
            prefix.escape_debug()
        )));
    }
    if input.frames.is_empty() {
        return Err(bad("no frames given"));
    }
    if input.frames.len() > MAX_FRAMES {
        return Err(bad(format!(
            "{} frames given, at most {MAX_FRAMES} per call",
            input.frames.len()
        )));
    }
    let mut names = std::collections::BTreeSet::new();
    names.insert(file_name(&input.fdl));
    for frame in &input.frames {
        if !names.insert(file_name(frame)) {
            return Err(bad(format!(
                "two inputs are named `{}`: their outputs would collide",
                file_name(frame).escape_debug()
            )));
        }
    }
    Ok(())
}

async fn read_template(store: &dyn ObjectStore, input: &Input) -> Result<CanvasTemplate> {
    let id = input.template_id.as_deref();
    Ok(match &input.template {
        TemplateSource::Key(key) => {
            let bytes = store.read_small(key, MAX_FDL_BYTES as u64).await?;
            fdl::read_canvas_template(&bytes, key.as_str(), id)?
        }
        TemplateSource::Inline(value) => {
            let bytes = serde_json::to_vec(value).map_err(|e| bad(e.to_string()))?;
            fdl::read_canvas_template(&bytes, "inline template", id)?
        }
    })
}

/// Runs the step.
pub async fn handle(ports: Ports, input: Input) -> Result<Output> {
    check_input(&input)?;
    let store = ports.library.as_ref();
    let fdl_bytes = store.read_small(&input.fdl, MAX_FDL_BYTES as u64).await?;
    let source = Fdl::from_json(&fdl_bytes, input.fdl.as_str())?;
    let template = read_template(store, &input).await?;
    let selection = SourceSelection {
        context_label: input.selection.context.clone(),
        canvas_id: input.selection.canvas.clone(),
        framing_decision_id: input.selection.decision.clone(),
        framing_intent_id: input.selection.intent.clone(),
    };
    let result = fdl::apply_template(&source, &template, &selection, &ApplyOptions::default())?;
    let plan = result.plan;
    let width = u32::try_from(plan.output_size.width).map_err(|_| bad("output width"))?;
    let height = u32::try_from(plan.output_size.height).map_err(|_| bad("output height"))?;

    let mut frames = Vec::with_capacity(input.frames.len());
    for frame in &input.frames {
        let bytes = store.read_small(frame, MAX_FRAME_BYTES).await?;
        let plan = plan.clone();
        let name = frame.to_string();
        let encoded = tokio::task::spawn_blocking(move || crop_exr(&bytes, &name, &plan))
            .await
            .map_err(|e| bad(format!("frame worker failed: {e}")))??;
        let key = input.output_prefix.join(file_name(frame))?;
        let xxh64 = hash_bytes(HashFormat::Xxh64, &encoded);
        let size = encoded.len() as u64;
        put_once(store, &key, encoded).await?;
        frames.push(FrameWritten {
            source: frame.clone(),
            key,
            size,
            xxh64,
        });
    }
    let fdl_key = input.output_prefix.join(file_name(&input.fdl))?;
    put_once(store, &fdl_key, result.fdl.to_json()).await?;
    Ok(Output {
        fdl: fdl_key,
        canvas_id: result.canvas_id,
        framing_decision_id: result.framing_decision_id,
        width,
        height,
        exact_crop: plan.integer_crop().is_some(),
        frames,
    })
}

/// Decodes one EXR frame, applies `plan` to every channel and encodes the result (half float,
/// ZIP) with the engine's OpenEXR codec. The first part is used; its channels must be half or
/// float and not subsampled. Its descriptive attributes are kept (chromaticities, time code,
/// names, unknown attributes verbatim) except the pixel aspect ratio, which becomes the target
/// squeeze, and the ACES container flag, which a ZIP file cannot honestly carry.
pub fn crop_exr(bytes: &[u8], name: &str, plan: &PixelPlan) -> Result<Vec<u8>> {
    // Check the header before decoding anything.
    let info = exr::read_info(&mut Cursor::new(bytes), name)?;
    let channels = info.channels.len();
    if channels > MAX_CHANNELS {
        return Err(bad(format!(
            "{name}: {channels} channels (1 to {MAX_CHANNELS} are supported)"
        )));
    }
    let (w, h) = (info.width, info.height);
    let samples = w.checked_mul(h).and_then(|n| n.checked_mul(channels));
    if samples.is_none_or(|n| n > MAX_FRAME_SAMPLES) {
        return Err(bad(format!(
            "{name}: {w} x {h} x {channels} is more than {MAX_FRAME_SAMPLES} samples"
        )));
    }
    let limits = ImageLimits {
        max_width: w,
        max_height: h,
        max_pixels: MAX_FRAME_SAMPLES,
    };
    let (image, mut header) = exr::read_all_channels(Cursor::new(bytes), name, &limits)?;
    let out = apply_plan(
        plan,
        image.width(),
        image.height(),
        image.channel_count(),
        image.samples(),
        0.0,
    )?;
    let (ow, oh) = (
        usize::try_from(plan.output_size.width).map_err(|_| bad("output width"))?,
        usize::try_from(plan.output_size.height).map_err(|_| bad("output height"))?,
    );
    let out_image = FloatImage::new(ow, oh, image.channel_names().to_vec(), out)?;
    header.pixel_aspect_ratio = plan.target_squeeze as f32;
    header.aces_image_container_flag = None;
    let options = ExrWriteOptions {
        compression: ExrCompression::Zip,
        pixel_type: ExrPixelType::Half,
        aces_container: false,
        header,
    };
    Ok(exr::to_vec(&out_image, &options)?)
}

#[cfg(test)]
mod tests;
