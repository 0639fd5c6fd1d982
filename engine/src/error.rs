//! The engine's one error type: every variant names the file or input and the problem.

/// Everything that can go wrong inside the engine.
///
/// Each helper area keeps its variants together; add new ones in the area's section.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- shared -------------------------------------------------------------------------------
    /// An I/O operation requested through a caller-supplied reader, writer or file-system port failed.
    #[error("{path}: {op} failed: {source}")]
    Io {
        path: String,
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// A caller-supplied value is out of range or malformed.
    #[error("{what}: {problem}")]
    InvalidInput { what: String, problem: String },

    // --- hash ---------------------------------------------------------------------------------
    /// A hash format name that ASC MHL does not define.
    #[error("unknown hash format `{0}` (expected md5, sha1, xxh64, xxh3, xxh128 or c4)")]
    UnknownHashFormat(String),
    /// A saved hashing state could not be restored.
    #[error("cannot resume hashing: {0}")]
    HashState(String),
    /// A digest text is not valid for its hash format (wrong length, bad characters, too large).
    #[error("malformed {format} digest `{digest}`: {problem}")]
    MalformedDigest {
        format: &'static str,
        digest: String,
        problem: String,
    },

    // --- mhl ----------------------------------------------------------------------------------
    /// An ASC MHL manifest or chain file is malformed.
    #[error("{file}: invalid ASC MHL: {problem}")]
    MhlInvalid { file: String, problem: String },
    /// A path inside an MHL document tries to leave its root (`..`, absolute, drive letter, NUL).
    #[error("{file}: unsafe path `{path}`: {problem}")]
    UnsafePath {
        file: String,
        path: String,
        problem: String,
    },
    /// A folder that should carry an ASC MHL history has none.
    #[error("{root}: no ASC MHL history (no ascmhl/ folder)")]
    NoHistory { root: String },
    /// A file changed while it was being hashed.
    #[error("{path}: file changed while it was being hashed ({detail})")]
    ChangedWhileHashing { path: String, detail: String },
    /// An `ascmhl/` folder without its chain file (`ascmhl_chain.xml`).
    #[error("{file}: ASC MHL chain file is missing")]
    MhlChainMissing { file: String },
    /// A manifest's bytes no longer match the hash recorded in the chain file.
    #[error(
        "{file}: ASC MHL manifest was modified (chain records {expected}, file hashes to {actual})"
    )]
    MhlManifestAltered {
        file: String,
        expected: String,
        actual: String,
    },
    /// A manifest listed in the chain file is missing.
    #[error("{file}: ASC MHL manifest listed in the chain file is missing")]
    MhlManifestMissing { file: String },

    // --- sample -------------------------------------------------------------------------------
    /// The sample-card generator was asked for something it cannot make.
    #[error("sample card: {0}")]
    Sample(String),

    // --- timecode / edl -------------------------------------------------------------------------
    /// A timecode text or value that does not exist at its frame rate.
    #[error("timecode `{text}`: {problem}")]
    BadTimecode { text: String, problem: String },
    /// A frame rate that cannot be used.
    #[error("frame rate `{rate}`: {problem}")]
    BadFrameRate { rate: String, problem: String },
    /// A CMX3600 EDL line that cannot be read.
    #[error("{input}: line {line}: {problem}")]
    EdlSyntax {
        input: String,
        line: usize,
        problem: String,
    },
    /// An edit list past the reader's size limits.
    #[error("{input}: edit list too large: {problem}")]
    EdlTooLarge { input: String, problem: String },
    /// An OpenTimelineIO document that cannot be read; `path` is a JSON path.
    #[error("{input}: {path}: {problem}")]
    OtioInvalid {
        input: String,
        path: String,
        problem: String,
    },
    /// A library clip handed to the EDL matcher that cannot be used; `index` is its position
    /// in the list (the JSON array index).
    #[error("library clip [{index}] `{clip_id}`: {problem}")]
    BadLibraryClip {
        index: usize,
        clip_id: String,
        problem: String,
    },

    // --- fdl ----------------------------------------------------------------------------------
    /// An ASC FDL document is malformed or breaks the FDL rules (`problems` lists every one).
    #[error("{name}: invalid ASC FDL: {summary}")]
    FdlInvalid {
        name: String,
        summary: String,
        problems: Vec<crate::fdl::Problem>,
    },
    /// A canvas template cannot be applied to the chosen source canvas and framing decision.
    #[error("{name}: cannot apply canvas template: {problem}")]
    FdlTemplate { name: String, problem: String },

    // --- resample -----------------------------------------------------------------------------
    /// An image cannot be cropped / resampled by a pixel plan (sizes, bounds or values wrong).
    #[error("resample: {0}")]
    Resample(String),

    // --- inspect ------------------------------------------------------------------------------
    /// A media file's metadata is malformed or cannot be read safely (truncated, out-of-bounds
    /// offsets, loops, absurd counts, malformed XML): the file, its format and what was wrong.
    #[error("{file}: invalid {format}: {problem}")]
    MetadataInvalid {
        file: String,
        format: &'static str,
        problem: String,
    },

    // --- color / cdl / amf --------------------------------------------------------------------
    /// A colour operation was handed something it cannot work on (buffer shape, parameters).
    #[error("colour: {0}")]
    ColorInvalid(String),
    /// An ASC CDL document (.cc, .ccc, .cdl) or CDL value is invalid.
    #[error("{input}: invalid ASC CDL at {path}: {problem}")]
    CdlInvalid {
        input: String,
        path: String,
        problem: String,
    },
    /// An ACES Metadata File is invalid (malformed XML or against the AMF schema's rules).
    #[error("{input}: invalid AMF at {path}: {problem}")]
    AmfInvalid {
        input: String,
        path: String,
        problem: String,
    },
    /// A transform ID is well formed but names a transform rushes does not implement.
    #[error("unsupported transform `{id}`: {reason}")]
    UnsupportedTransform { id: String, reason: String },

    // --- raw / demosaic -----------------------------------------------------------------------
    /// An image's dimensions are empty, past the configured limits, or do not match its buffer.
    #[error("{what}: bad image dimensions: {problem}")]
    ImageDimensions { what: String, problem: String },
    /// A colour filter layout the engine cannot develop (X-Trans, four colours, ...).
    #[error("{what}: unsupported CFA: {problem}")]
    UnsupportedCfa { what: String, problem: String },
    /// Raw sample data or its levels are inconsistent with the image (truncated strips, wrong
    /// tile counts, a black level above white, ...).
    #[error("{what}: bad raw data: {problem}")]
    RawData { what: String, problem: String },

    // --- perceptual matching ------------------------------------------------------------------
    /// An image, frame signature or signature list handed to perceptual matching is unusable.
    #[error("{what}: {problem}")]
    PerceptualInput { what: String, problem: String },
    // --- raw decode (DNG, lossless JPEG) -------------------------------------------------------
    /// A DNG the raw decoder cannot develop: a compression, photometric interpretation or sample
    /// layout it does not handle, or no raw image at all. `problem` names what was found.
    #[error("{file}: unsupported DNG: {problem}")]
    UnsupportedDng { file: String, problem: String },
    /// A lossless JPEG (ITU-T T.81 process 14) stream is malformed or truncated, or uses a
    /// feature the decoder does not handle; `what` names the stream (a DNG tile or strip).
    #[error("{what}: bad lossless JPEG: {problem}")]
    LosslessJpeg { what: String, problem: String },
    // --- DNG colour / develop -----------------------------------------------------------------
    /// A DNG colour profile, white balance or input transform is invalid: the tag or value and
    /// what is wrong with it (singular matrix, non-positive neutral, unknown illuminant...).
    #[error("{what}: bad DNG colour data: {problem}")]
    DngColor { what: String, problem: String },
    // --- image_io -----------------------------------------------------------------------------
    /// An in-memory image is inconsistent (sample count, channel names) or cannot be converted.
    #[error("{what}: invalid image: {problem}")]
    ImageInvalid { what: String, problem: String },
    /// An image file (OpenEXR, ...) is truncated, malformed or lacks what the reader needs.
    #[error("{input}: unreadable {format}: {problem}")]
    ImageRead {
        input: String,
        format: &'static str,
        problem: String,
    },
    /// An image file uses a feature the reader does not support (deep data, a compression...).
    #[error("{input}: unsupported {format}: {problem}")]
    ImageUnsupported {
        input: String,
        format: &'static str,
        problem: String,
    },
    /// Writer options contradict each other or the chosen standard (e.g. ST 2065-4 with PIZ).
    #[error("{format} writer: {problem}")]
    ImageWriteOptions {
        format: &'static str,
        problem: String,
    },
}
