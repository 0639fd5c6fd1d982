//! The AMF document model: info blocks, clip identification, pipelines and their transforms.

use crate::cdl::Cdl;

/// AMF namespace of version 2.0.
pub const AMF_V2_NAMESPACE: &str = "urn:ampas:aces:amf:v2.0";
/// AMF namespace of version 1.0 (read only).
pub const AMF_V1_NAMESPACE: &str = "urn:acesMetadata:acesMetadataFile:v1.0";

/// Which AMF version a document was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AmfVersion {
    /// AMF 1.0 (`urn:acesMetadata:acesMetadataFile:v1.0`).
    V1,
    /// AMF 2.0 (`urn:ampas:aces:amf:v2.0`).
    V2,
}

/// A whole ACES Metadata File.
#[derive(Debug, Clone, PartialEq)]
pub struct Amf {
    /// The version it was read as (documents are always written as 2.0).
    pub version: AmfVersion,
    /// `amfInfo`.
    pub info: Info,
    /// `clipId`, when present.
    pub clip_id: Option<ClipId>,
    /// The current `pipeline`.
    pub pipeline: Pipeline,
    /// Earlier pipelines (`archivedPipeline`), oldest first as in the document.
    pub archived_pipelines: Vec<Pipeline>,
}

/// `infoType`: description, authors, dates and UUID.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Info {
    /// Free text.
    pub description: Option<String>,
    /// Authors.
    pub authors: Vec<Author>,
    /// `creationDateTime`, as written (xs:dateTime).
    pub creation_date_time: String,
    /// `modificationDateTime`, as written (xs:dateTime).
    pub modification_date_time: String,
    /// `urn:uuid:...`.
    pub uuid: String,
}

/// An author: name and e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// Name.
    pub name: String,
    /// E-mail address (`something@something`).
    pub email: String,
}

/// `clipId`: the clip's name and how its media is identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipId {
    /// `clipName`.
    pub clip_name: String,
    /// Sequence, file or UUID.
    pub reference: ClipReference,
}

/// How a clip's media is identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClipReference {
    /// An image sequence: the file pattern, the frame-number placeholder and the frame range.
    Sequence {
        /// The pattern, e.g. `A001_C012_####.exr`.
        pattern: String,
        /// The placeholder character(s), e.g. `#`.
        idx: String,
        /// First frame.
        min: u64,
        /// Last frame.
        max: u64,
    },
    /// A file URI.
    File(String),
    /// A `urn:uuid:`.
    Uuid(String),
}

/// `pipelineType` plus its `pipelineInfo`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// Info block.
    pub info: Info,
    /// `systemVersion` (major, minor, patch), each 0..=9.
    pub system_version: (u8, u8, u8),
    /// `inputTransform`.
    pub input_transform: Option<InputTransform>,
    /// Look transforms and working locations in document order.
    pub steps: Vec<PipelineStep>,
    /// `outputTransform`.
    pub output_transform: Option<OutputTransform>,
}

/// One entry between the input and output transforms.
// A handful of these exist per document; boxing would only complicate matching.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum PipelineStep {
    /// `workingLocation`: where the working image sits among the looks.
    WorkingLocation,
    /// `lookTransform`.
    Look(LookTransform),
}

/// `description` and `hash` common to all transforms.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransformInfo {
    /// Free text.
    pub description: Option<String>,
    /// A hash of the transform's definition.
    pub hash: Option<TransformHash>,
}

/// `hash` with its algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformHash {
    /// The algorithm.
    pub algorithm: HashAlgorithm,
    /// The base64Binary value as written.
    pub value: String,
}

/// The hash algorithms the schema enumerates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// `http://www.w3.org/2001/04/xmlenc#sha256`.
    Sha256,
    /// `http://www.w3.org/2000/09/xmldsig#sha1`.
    Sha1,
    /// `http://www.w3.org/2001/04/xmldsig-more#md5`.
    Md5,
}

impl HashAlgorithm {
    /// The URI the schema uses.
    pub fn uri(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            HashAlgorithm::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            HashAlgorithm::Md5 => "http://www.w3.org/2001/04/xmldsig-more#md5",
        }
    }

    /// The algorithm for a URI.
    pub fn from_uri(uri: &str) -> Option<HashAlgorithm> {
        [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha1,
            HashAlgorithm::Md5,
        ]
        .into_iter()
        .find(|a| a.uri() == uri)
    }
}

/// How a transform is referenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransformRef {
    /// `uuid`.
    Uuid(String),
    /// `file` (a URI, usually relative to the AMF).
    File(String),
    /// `transformId` (an ACES transform URN; see [`super::resolve`]).
    TransformId(String),
}

/// A referenced transform with its own description and hash (RRT, ODT, inverse parts,
/// CDL working-space conversions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubTransform {
    /// Description and hash.
    pub info: TransformInfo,
    /// The reference.
    pub reference: TransformRef,
}

/// `inputTransform`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputTransform {
    /// Whether it has already been applied to the image.
    pub applied: bool,
    /// Description and hash.
    pub info: TransformInfo,
    /// What the transform is.
    pub kind: InputTransformKind,
}

/// The forms of an input transform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputTransformKind {
    /// A single IDT/CSC by uuid, file or transform ID.
    Reference(TransformRef),
    /// An inverse output transform (output-referred images brought into ACES).
    InverseOutput(SubTransform),
    /// ACES 1.x: inverse ODT then inverse RRT.
    InverseOdtRrt {
        /// `inverseOutputDeviceTransform`.
        inverse_odt: SubTransform,
        /// `inverseReferenceRenderingTransform`.
        inverse_rrt: SubTransform,
    },
}

/// `lookTransform`.
#[derive(Debug, Clone, PartialEq)]
pub struct LookTransform {
    /// Whether it has already been applied to the image.
    pub applied: bool,
    /// Description and hash.
    pub info: TransformInfo,
    /// What the look is.
    pub kind: LookKind,
}

/// The forms of a look transform.
// A handful of these exist per document; boxing would only complicate matching.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum LookKind {
    /// An LMT by uuid, file or transform ID.
    Reference(TransformRef),
    /// A CDL applied in a working space.
    Cdl {
        /// Conversions into (optional) and out of the CDL working space.
        working_space: CdlWorkingSpace,
        /// The decision, inline or in an external CDL file.
        source: CdlSource,
    },
}

/// `cdlWorkingSpace`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdlWorkingSpace {
    /// `toCdlWorkingSpace` (ACES2065-1 -> working); optional in the schema.
    pub to: Option<SubTransform>,
    /// `fromCdlWorkingSpace` (working -> ACES2065-1).
    pub from: SubTransform,
}

/// Where a look's CDL values are.
#[derive(Debug, Clone, PartialEq)]
pub enum CdlSource {
    /// `SOPNode` + `SatNode` inline.
    Inline(Cdl),
    /// `ColorCorrectionRef` naming a correction id inside an external `.cc`/`.ccc`/`.cdl` file.
    External {
        /// The ColorCorrection id (`ref` attribute).
        ref_id: String,
        /// The file (a URI, usually relative to the AMF).
        file: String,
    },
}

/// `outputTransform`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputTransform {
    /// Whether it has already been applied to the image.
    pub applied: bool,
    /// Description and hash.
    pub info: TransformInfo,
    /// What the transform is.
    pub kind: OutputTransformKind,
}

/// The forms of an output transform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTransformKind {
    /// A single output transform by uuid, file or transform ID.
    Reference(TransformRef),
    /// ACES 1.x: RRT then ODT.
    RrtOdt {
        /// `referenceRenderingTransform`.
        rrt: SubTransform,
        /// `outputDeviceTransform`.
        odt: SubTransform,
    },
}
