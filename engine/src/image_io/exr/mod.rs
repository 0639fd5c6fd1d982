//! OpenEXR: the engine's one codec for scanline EXR plates (write: half or float RGB(A) or any
//! channel set, uncompressed, RLE, ZIPS, ZIP or PIZ, with a strict SMPTE ST 2065-4 ACES
//! container mode; read: half or float channels of scanline or tiled files in any compression
//! the `exr` crate decodes, checked against [`ImageLimits`](crate::raw::ImageLimits) before any
//! pixel is allocated).
//!
//! The container (header, offset table, chunk layout) is written here; block compression and
//! pixel decoding use the `exr` crate. Header attributes are typed in [`ExrHeader`]; the
//! attributes rushes gives a meaning to beyond the OpenEXR standard ones are
//! [`ATTR_CLIP_NAME`] (`clipName`), [`ATTR_AMF_FILE`] (`amfFile`) and [`ATTR_FDL_FILE`]
//! (`fdlFile`), all strings.
//!
//! ```
//! use rushes_engine::image_io::FloatImage;
//! use rushes_engine::image_io::exr::{self, ExrWriteOptions};
//! use rushes_engine::raw::ImageLimits;
//!
//! let image = FloatImage::rgb(2, 1, vec![0.18, 0.18, 0.18, 1.0, 0.5, 0.25]).unwrap();
//! let bytes = exr::to_vec(&image, &ExrWriteOptions::aces_container()).unwrap();
//! let (back, header) =
//!     exr::read(std::io::Cursor::new(bytes), "plate.exr", &ImageLimits::default()).unwrap();
//! // 0.18 is stored as the nearest half float, 0.18005371.
//! assert_eq!(back.samples(), &[0.18005371, 0.18005371, 0.18005371, 1.0, 0.5, 0.25]);
//! assert_eq!(header.aces_image_container_flag, Some(1));
//! ```

mod aces;
mod attributes;
mod header_read;
mod read;
mod write;

pub use attributes::{
    ATTR_AMF_FILE, ATTR_CLIP_NAME, ATTR_FDL_FILE, ATTR_REEL_NAME, Chromaticities, ExrHeader,
    ExrRational, ExrTimecode, RawAttribute,
};
pub use read::{ExrChannel, ExrFileInfo, read, read_all_channels, read_info};
pub use write::{ExrWriteOptions, to_vec, write};

/// Name of the format in errors.
pub(crate) const FORMAT: &str = "OpenEXR";

/// Block compression of an OpenEXR file (the `compression` attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExrCompression {
    /// No compression (`NO_COMPRESSION`); the only one ST 2065-4 allows.
    None,
    /// Run-length encoding, one line per block.
    Rle,
    /// Deflate, one line per block (`ZIPS_COMPRESSION`).
    Zips,
    /// Deflate, 16 lines per block (`ZIP_COMPRESSION`).
    Zip,
    /// Wavelet + Huffman, 32 lines per block (`PIZ_COMPRESSION`): lossless, best on grainy plates.
    Piz,
    /// Lossy 24-bit float, 16 lines (read only).
    Pxr24,
    /// Lossy 4x4 blocks, 32 lines (read only).
    B44,
    /// B44 with flat-area optimisation (read only).
    B44a,
    /// Lossy DCT, 32 lines (read only).
    Dwaa,
    /// Lossy DCT, 256 lines (read only).
    Dwab,
    /// A compression code rushes does not know.
    Other(u8),
}

impl ExrCompression {
    /// The code stored in the `compression` attribute.
    pub fn code(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Rle => 1,
            Self::Zips => 2,
            Self::Zip => 3,
            Self::Piz => 4,
            Self::Pxr24 => 5,
            Self::B44 => 6,
            Self::B44a => 7,
            Self::Dwaa => 8,
            Self::Dwab => 9,
            Self::Other(c) => c,
        }
    }

    /// The compression stored as `code`.
    pub fn from_code(code: u8) -> Self {
        match code {
            0 => Self::None,
            1 => Self::Rle,
            2 => Self::Zips,
            3 => Self::Zip,
            4 => Self::Piz,
            5 => Self::Pxr24,
            6 => Self::B44,
            7 => Self::B44a,
            8 => Self::Dwaa,
            9 => Self::Dwab,
            c => Self::Other(c),
        }
    }

    /// Scanlines per block.
    pub fn lines_per_block(self) -> usize {
        match self {
            Self::None | Self::Rle | Self::Zips | Self::Other(_) => 1,
            Self::Zip | Self::Pxr24 => 16,
            Self::Piz | Self::B44 | Self::B44a | Self::Dwaa => 32,
            Self::Dwab => 256,
        }
    }
}

/// Sample type of an OpenEXR channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExrPixelType {
    /// 32-bit unsigned integer (ids, masks; never image data here).
    Uint,
    /// 16-bit float.
    Half,
    /// 32-bit float.
    Float,
}

impl ExrPixelType {
    /// The code stored in the channel list.
    pub fn code(self) -> i32 {
        match self {
            Self::Uint => 0,
            Self::Half => 1,
            Self::Float => 2,
        }
    }

    /// Bytes per sample.
    pub fn bytes(self) -> usize {
        match self {
            Self::Half => 2,
            Self::Uint | Self::Float => 4,
        }
    }
}
