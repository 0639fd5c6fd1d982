//! Broadcast WAV reader: RIFF / RF64 chunk walk with bounds, `fmt `, `bext` (EBU Tech 3285) and
//! `iXML`, never the audio samples.

use std::io::{Read, Seek, SeekFrom};

use super::ixml::{IxmlMetadata, parse_ixml};
use super::tiff_value::text_until_nul;
use super::timecode::Timecode;
use crate::{Error, Result};

/// Most chunks walked in one file.
pub const MAX_CHUNKS: usize = 10_000;
/// Largest `bext` chunk read (its coding history is free text).
pub const MAX_BEXT_BYTES: u64 = 1 << 20;
/// Largest `iXML` chunk read.
pub const MAX_IXML_BYTES: u64 = 4 << 20;

/// Fixed part of a `bext` chunk before the coding history.
const BEXT_FIXED: usize = 602;

/// `fmt ` chunk: the sample format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaveFormat {
    /// Format tag (1 PCM, 3 IEEE float; for WAVE_FORMAT_EXTENSIBLE the sub-format's tag).
    pub format_tag: u16,
    /// Channels.
    pub channels: u16,
    /// Samples per second.
    pub sample_rate: u32,
    /// Bytes per sample frame (all channels).
    pub block_align: u16,
    /// Bits per sample (container size).
    pub bits_per_sample: u16,
}

/// `bext` chunk (EBU Tech 3285 v0 to v2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bext {
    /// Description (recorders put `sSCENE=...` style key/value lines here).
    pub description: String,
    /// Originator (recorder or software).
    pub originator: String,
    /// OriginatorReference.
    pub originator_reference: String,
    /// OriginationDate `YYYY-MM-DD`.
    pub origination_date: String,
    /// OriginationTime `HH:MM:SS`.
    pub origination_time: String,
    /// TimeReference: samples since midnight of the first sample.
    pub time_reference: u64,
    /// BWF version.
    pub version: u16,
    /// CodingHistory.
    pub coding_history: String,
}

impl Bext {
    /// The value of a `sKEY=value` line of the description (`key` without the `s`), e.g. `SCENE`.
    pub fn description_field(&self, key: &str) -> Option<String> {
        self.description.lines().find_map(|l| {
            let (k, v) = l.trim().split_once('=')?;
            let k = k.strip_prefix('s').unwrap_or(k);
            k.eq_ignore_ascii_case(key).then(|| v.trim().to_string())
        })
    }
}

impl Bext {
    /// The timecode rate and drop-frame flag of a description `sSPEED=` line, as many recorders
    /// write it (`023.976-ND`, `025.000-ND`, `029.970-DF`).
    pub fn speed(&self) -> Option<((u32, u32), bool)> {
        let v = self.description_field("SPEED")?;
        let (rate, flag) = v.split_once('-').unwrap_or((v.as_str(), "ND"));
        let drop = match flag.trim().to_ascii_uppercase().as_str() {
            "DF" => true,
            "ND" | "NDF" => false,
            _ => return None,
        };
        let rate = rate.trim().trim_start_matches('0');
        Some((super::ixml::parse_rate(rate)?, drop))
    }
}

/// What rushes reads from a Broadcast WAV file.
#[derive(Debug, Clone, PartialEq)]
pub struct BwfMetadata {
    /// `RIFF`, `RF64` or `BW64`.
    pub container: String,
    /// The sample format.
    pub format: WaveFormat,
    /// Bytes of audio in the `data` chunk (as declared; see `warnings` when the file is shorter).
    pub data_bytes: u64,
    /// Sample frames in the `data` chunk (`data_bytes / block_align`).
    pub sample_frames: u64,
    /// The `bext` chunk, if any.
    pub bext: Option<Bext>,
    /// The `iXML` chunk, if any.
    pub ixml: Option<IxmlMetadata>,
    /// Chunk ids in file order.
    pub chunks: Vec<String>,
    /// What was odd or missing (truncated data, size mismatches, bad iXML...).
    pub warnings: Vec<String>,
}

impl BwfMetadata {
    /// Timecode of the first sample: `bext` TimeReference at the file's sample rate, at frame
    /// rate `num/den` (drop frame if asked). `None` without `bext` or with an unusable rate.
    pub fn start_timecode(&self, num: u32, den: u32, drop_frame: bool) -> Option<Timecode> {
        let bext = self.bext.as_ref()?;
        Timecode::from_samples(
            bext.time_reference,
            self.format.sample_rate,
            num,
            den,
            drop_frame,
        )
        .ok()
    }

    /// Duration in seconds.
    pub fn duration_seconds(&self) -> f64 {
        if self.format.sample_rate == 0 {
            return 0.0;
        }
        self.sample_frames as f64 / f64::from(self.format.sample_rate)
    }
}

struct Riff<'r, R: ?Sized> {
    reader: &'r mut R,
    len: u64,
    name: String,
    /// The first [`HEAD_BYTES`] of the file, read once on first use.
    head: Vec<u8>,
}

/// Bytes read at once from the start of the file.
pub const HEAD_BYTES: u64 = 64 * 1024;

impl<R: Read + Seek + ?Sized> Riff<'_, R> {
    fn invalid(&self, problem: impl Into<String>) -> Error {
        Error::MetadataInvalid {
            file: self.name.clone(),
            format: "WAV",
            problem: problem.into(),
        }
    }

    fn read_at(&mut self, at: u64, n: u64, what: &str) -> Result<Vec<u8>> {
        let end = at
            .checked_add(n)
            .filter(|&e| e <= self.len)
            .ok_or_else(|| {
                self.invalid(format!(
                    "{what}: {n} bytes at offset {at} run past the end of the file ({} bytes)",
                    self.len
                ))
            })?;
        if self.head.is_empty() && at < HEAD_BYTES {
            // One read of the file's start serves the chunk headers and metadata chunks that
            // precede the audio, so a remote reader sees one request instead of one per chunk.
            let take = self.len.min(HEAD_BYTES);
            self.head = self.read_raw(0, take)?;
        }
        if end <= self.head.len() as u64 {
            if let Some(b) = self.head.get(at as usize..end as usize) {
                return Ok(b.to_vec());
            }
        }
        self.read_raw(at, n)
    }

    /// Reads `n` bytes at `at` from the reader (range already checked).
    fn read_raw(&mut self, at: u64, n: u64) -> Result<Vec<u8>> {
        let io = |source| Error::Io {
            path: self.name.clone(),
            op: "read",
            source,
        };
        self.reader.seek(SeekFrom::Start(at)).map_err(io)?;
        let mut buf = vec![0u8; usize::try_from(n).unwrap_or(0)];
        let io = |source| Error::Io {
            path: self.name.clone(),
            op: "read",
            source,
        };
        self.reader.read_exact(&mut buf).map_err(io)?;
        Ok(buf)
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from(u32_at(b, at)) | (u64::from(u32_at(b, at + 4)) << 32)
}

fn field(b: &[u8], at: usize, n: usize) -> String {
    text_until_nul(b.get(at..at + n).unwrap_or_default())
}

fn parse_fmt(riff: &Riff<'_, impl Read + Seek + ?Sized>, b: &[u8]) -> Result<WaveFormat> {
    if b.len() < 16 {
        return Err(riff.invalid(format!("fmt chunk is {} bytes (at least 16)", b.len())));
    }
    let mut format_tag = u16_at(b, 0);
    if format_tag == 0xFFFE && b.len() >= 40 {
        // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID starts with the format tag.
        format_tag = u16_at(b, 24);
    }
    let f = WaveFormat {
        format_tag,
        channels: u16_at(b, 2),
        sample_rate: u32_at(b, 4),
        block_align: u16_at(b, 12),
        bits_per_sample: u16_at(b, 14),
    };
    if f.channels == 0 || f.sample_rate == 0 || f.block_align == 0 {
        return Err(riff.invalid(format!(
            "fmt chunk: {} channels at {} Hz, block align {} is not a usable format",
            f.channels, f.sample_rate, f.block_align
        )));
    }
    Ok(f)
}

fn parse_bext(riff: &Riff<'_, impl Read + Seek + ?Sized>, b: &[u8]) -> Result<Bext> {
    if b.len() < BEXT_FIXED {
        return Err(riff.invalid(format!(
            "bext chunk is {} bytes (at least {BEXT_FIXED})",
            b.len()
        )));
    }
    Ok(Bext {
        description: field(b, 0, 256),
        originator: field(b, 256, 32),
        originator_reference: field(b, 288, 32),
        origination_date: field(b, 320, 10),
        origination_time: field(b, 330, 8),
        time_reference: u64_at(b, 338),
        version: u16_at(b, 346),
        coding_history: text_until_nul(b.get(BEXT_FIXED..).unwrap_or_default()),
    })
}

/// A chunk id: four printable ASCII characters (space allowed, as in `fmt `).
fn plausible_id(b: &[u8]) -> bool {
    b.len() == 4 && b.iter().all(|c| (0x20..0x7f).contains(c))
}

/// The `data` chunk of an RF64 file, whose size may be huge: never second-guessed.
fn large_data_chunk(id: &[u8; 4], large: bool) -> bool {
    large && id == b"data"
}

/// Reads a Broadcast WAV (or plain WAV, RF64, BW64) file's metadata from the caller's reader.
///
/// Walks the chunks (at most [`MAX_CHUNKS`], each within the file), reads `fmt `, `bext` (at
/// most [`MAX_BEXT_BYTES`]) and `iXML` (at most [`MAX_IXML_BYTES`]); the audio is never read.
/// `name` names the file in errors. Errors: not RIFF/WAVE, no or bad `fmt `, a truncated or
/// oversized metadata chunk, malformed iXML (with its line). A `data` chunk shorter than declared
/// is a warning (a recorder that stopped mid-write).
pub fn read_bwf<R: Read + Seek + ?Sized>(reader: &mut R, name: &str) -> Result<BwfMetadata> {
    let len = reader.seek(SeekFrom::End(0)).map_err(|source| Error::Io {
        path: name.to_string(),
        op: "seek",
        source,
    })?;
    let mut riff = Riff {
        reader,
        len,
        name: name.to_string(),
        head: Vec::new(),
    };
    if len < 12 {
        return Err(riff.invalid(format!("{len} bytes is too short for a RIFF header")));
    }
    let head = riff.read_at(0, 12, "RIFF header")?;
    let container = String::from_utf8_lossy(head.get(..4).unwrap_or_default()).into_owned();
    if !matches!(container.as_str(), "RIFF" | "RF64" | "BW64") {
        return Err(riff.invalid("not a RIFF file"));
    }
    if head.get(8..12) != Some(b"WAVE") {
        return Err(riff.invalid("RIFF file is not WAVE"));
    }
    let large = container != "RIFF";
    let mut warnings = Vec::new();
    let mut riff_end = u64::from(u32_at(&head, 4)).saturating_add(8);
    let mut ds64_data: Option<u64> = None;
    let mut format = None;
    let mut bext = None;
    let mut ixml = None;
    let mut data_bytes = None;
    let mut chunks = Vec::new();
    let mut at = 12u64;
    loop {
        let end = if large { len } else { riff_end.min(len) };
        if at.saturating_add(8) > end {
            break;
        }
        if chunks.len() >= MAX_CHUNKS {
            return Err(riff.invalid(format!("more than {MAX_CHUNKS} chunks")));
        }
        let h = riff.read_at(at, 8, "chunk header")?;
        let id_bytes: [u8; 4] = [h[0], h[1], h[2], h[3]];
        let id = String::from_utf8_lossy(&id_bytes).into_owned();
        let mut size = u64::from(u32_at(&h, 4));
        let body = at + 8;
        if &id_bytes == b"ds64" {
            let b = riff.read_at(body, size.min(28), "ds64 chunk")?;
            if b.len() < 24 {
                return Err(riff.invalid("ds64 chunk is shorter than 24 bytes"));
            }
            riff_end = u64_at(&b, 0).saturating_add(8);
            ds64_data = Some(u64_at(&b, 8));
        }
        if &id_bytes == b"data" && large && size == u64::from(u32::MAX) {
            size = ds64_data.ok_or_else(|| riff.invalid("RF64 data size without a ds64 chunk"))?;
        }
        let available = len.saturating_sub(body);
        chunks.push(id.clone());
        match &id_bytes {
            b"fmt " | b"bext" | b"iXML" => {
                let limit = match &id_bytes {
                    b"bext" => MAX_BEXT_BYTES,
                    b"iXML" => MAX_IXML_BYTES,
                    _ => 4096,
                };
                if size > limit {
                    return Err(riff.invalid(format!(
                        "{id} chunk of {size} bytes is over the {limit} byte limit"
                    )));
                }
                if size > available {
                    return Err(riff.invalid(format!(
                        "truncated {id} chunk at offset {at}: {size} bytes declared, {available} present"
                    )));
                }
                let b = riff.read_at(body, size, &id)?;
                match &id_bytes {
                    b"fmt " => format = Some(parse_fmt(&riff, &b)?),
                    b"bext" => bext = Some(parse_bext(&riff, &b)?),
                    _ => {
                        let text = String::from_utf8_lossy(&b);
                        let text = text.trim_end_matches('\0');
                        ixml = Some(parse_ixml(text, name)?);
                    }
                }
            }
            b"data" => {
                if size > available {
                    warnings.push(format!(
                        "data chunk is truncated: {size} bytes declared, {available} present"
                    ));
                }
                data_bytes = Some(size);
            }
            _ => {}
        }
        at = body.saturating_add(size).saturating_add(size & 1);
        if size & 1 == 1 && !large_data_chunk(&id_bytes, large) {
            // Some writers forget the pad byte after an odd-sized chunk: if the padded position
            // holds no chunk id but the unpadded one does, follow the writer.
            let unpadded = at - 1;
            if let Ok(peek) = riff.read_at(unpadded, 5, "chunk header") {
                let id_at = |o: usize| peek.get(o..o + 4).is_some_and(plausible_id);
                if !id_at(1) && id_at(0) {
                    warnings.push(format!("{id} chunk of odd size {size} is not padded"));
                    at = unpadded;
                }
            }
        }
    }
    if at < riff_end.min(len) {
        warnings.push(format!(
            "{} stray bytes after the last chunk",
            riff_end.min(len) - at
        ));
    }
    if !large && riff_end > len {
        warnings.push(format!(
            "RIFF size says {riff_end} bytes, the file has {len}"
        ));
    }
    let format = format.ok_or_else(|| riff.invalid("no fmt chunk"))?;
    let data_bytes = data_bytes.unwrap_or_else(|| {
        warnings.push("no data chunk".into());
        0
    });
    Ok(BwfMetadata {
        container,
        format,
        data_bytes,
        sample_frames: data_bytes / u64::from(format.block_align),
        bext,
        ixml,
        chunks,
        warnings,
    })
}
