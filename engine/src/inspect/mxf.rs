//! MXF (SMPTE 377M) header metadata reader for OP1a-style files: the header partition, the
//! primer pack, the local sets (static tags, dynamic tags resolved through the primer), then the
//! material package name, timecode component, edit rate and duration, picture and sound
//! essence descriptors. Never reads essence.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use super::klv::{
    LOCAL_SET_PREFIX, LocalSet, PARTITION_PREFIX, PRIMER_KEY, PartitionPack, Ul, ber_length,
    parse_primer, ul_text,
};
use super::source::Source;
use super::timecode::{MAX_BASE, Timecode};
use crate::Result;

/// Largest run-in searched for the header partition (SMPTE 377M: under 64 KiB).
pub const MAX_RUN_IN: u64 = 65_536;
/// Largest header metadata read.
pub const MAX_HEADER_METADATA: u64 = 64 << 20;
/// Most local sets read.
pub const MAX_SETS: usize = 200_000;

const INSTANCE_UID: u16 = 0x3C0A;
const CLASS_MATERIAL_PACKAGE: u8 = 0x36;
const CLASS_SOURCE_PACKAGE: u8 = 0x37;
const CLASS_IDENTIFICATION: u8 = 0x30;

/// The timecode component of the material package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MxfTimecode {
    /// Start timecode in frames since midnight.
    pub start: i64,
    /// Rounded timecode base (frames per second).
    pub rounded_base: u16,
    /// Drop-frame counting.
    pub drop_frame: bool,
}

impl MxfTimecode {
    /// The start as a timecode label; `None` for an unusable base or negative start.
    pub fn start_timecode(&self) -> Option<Timecode> {
        let base = u32::from(self.rounded_base);
        if base == 0 || base > MAX_BASE {
            return None;
        }
        let start = u64::try_from(self.start).ok()?;
        Some(Timecode::from_frame_number(start, base, self.drop_frame))
    }
}

/// A picture essence descriptor.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureDescriptor {
    /// Stored width.
    pub stored_width: Option<u32>,
    /// Stored height (per field for separated fields).
    pub stored_height: Option<u32>,
    /// Display width.
    pub display_width: Option<u32>,
    /// Display height.
    pub display_height: Option<u32>,
    /// Sample rate (frame rate), numerator and denominator.
    pub sample_rate: Option<(i32, i32)>,
    /// Display aspect ratio.
    pub aspect_ratio: Option<(i32, i32)>,
    /// Frame layout (0 full frame, 1 separate fields, 2 one field, 3 mixed fields, 4 segmented).
    pub frame_layout: Option<u8>,
    /// Component depth in bits (CDCI descriptors).
    pub component_depth: Option<u32>,
    /// Picture essence coding label.
    pub coding: Option<Ul>,
    /// Container duration in edit units.
    pub container_duration: Option<i64>,
}

impl PictureDescriptor {
    /// A codec name for the picture coding label, as ffmpeg names them (`mpeg2video`, `h264`,
    /// `dnxhd`, `jpeg2000`, `prores`, `dvvideo`, `mpeg4`, `rawvideo`), else the label in hex.
    pub fn codec(&self) -> Option<String> {
        self.coding.map(|ul| codec_of(&ul))
    }
}

/// A codec name for a picture essence coding label.
pub fn codec_of(ul: &Ul) -> String {
    let family = ul.get(8..12);
    let (b12, b13) = (ul.get(12).copied(), ul.get(13).copied());
    match (family, b12, b13) {
        (Some([0x04, 0x01, 0x02, 0x02]), Some(0x01), Some(0x01..=0x1F)) => "mpeg2video".into(),
        (Some([0x04, 0x01, 0x02, 0x02]), Some(0x01), Some(0x20..=0x2F)) => "mpeg4".into(),
        (Some([0x04, 0x01, 0x02, 0x02]), Some(0x01), Some(0x30..=0x3F)) => "h264".into(),
        (Some([0x04, 0x01, 0x02, 0x02]), Some(0x02), _) => "dvvideo".into(),
        (Some([0x04, 0x01, 0x02, 0x02]), Some(0x03), Some(0x01)) => "jpeg2000".into(),
        (Some([0x04, 0x01, 0x02, 0x02]), Some(0x03), Some(0x06)) => "prores".into(),
        (Some([0x04, 0x01, 0x02, 0x02]), Some(0x71), _) => "dnxhd".into(),
        (Some([0x04, 0x01, 0x02, 0x01]), _, _) => "rawvideo".into(),
        _ => format!("ul:{}", ul_text(ul)),
    }
}

/// A sound essence descriptor.
#[derive(Debug, Clone, PartialEq)]
pub struct SoundDescriptor {
    /// Audio sampling rate.
    pub sample_rate: Option<(i32, i32)>,
    /// Channels.
    pub channels: Option<u32>,
    /// Quantization bits.
    pub bits: Option<u32>,
}

/// What an MXF file's header metadata says.
#[derive(Debug, Clone, PartialEq)]
pub struct MxfMetadata {
    /// The header partition pack.
    pub partition: PartitionPack,
    /// Material package name.
    pub material_package_name: Option<String>,
    /// File (source) package name.
    pub file_package_name: Option<String>,
    /// The material package's timecode component.
    pub timecode: Option<MxfTimecode>,
    /// Edit rate of the material package's picture track (else its first track).
    pub edit_rate: Option<(i32, i32)>,
    /// Duration of that track's sequence in edit units.
    pub duration: Option<i64>,
    /// Picture essence descriptors.
    pub pictures: Vec<PictureDescriptor>,
    /// Sound essence descriptors.
    pub sounds: Vec<SoundDescriptor>,
    /// Identification: company name.
    pub company_name: Option<String>,
    /// Identification: product name.
    pub product_name: Option<String>,
    /// Identification: version string.
    pub version_string: Option<String>,
    /// Properties with dynamic local tags, by the universal label the primer gives them.
    pub dynamic_properties: BTreeMap<String, usize>,
    /// Problems that did not stop the reading.
    pub warnings: Vec<String>,
}

/// Reads the header metadata of the MXF file behind `reader` (`name` names it in errors).
pub fn read_mxf<R: Read + Seek + ?Sized>(reader: &mut R, name: &str) -> Result<MxfMetadata> {
    let mut src = Source::new(reader, name, "MXF")?;
    // The header partition pack, after an optional run-in.
    let head = src.read_up_to(0, MAX_RUN_IN + 16, "run-in")?;
    let start = head
        .windows(14)
        .position(|w| w.get(..13) == Some(&PARTITION_PREFIX[..]) && w.get(13) == Some(&0x02))
        .ok_or_else(|| src.invalid("no header partition pack in the first 64 KiB (not MXF?)"))?
        as u64;
    let (pack_key, pack_value, pack_end) = read_klv(&mut src, start, 1 << 16, "partition pack")?;
    let partition = PartitionPack::parse(pack_key.get(14).copied().unwrap_or(0), &pack_value)
        .map_err(|e| src.invalid(e))?;
    if partition.header_byte_count == 0 {
        return Err(src.invalid("the header partition carries no header metadata"));
    }
    if partition.header_byte_count > MAX_HEADER_METADATA {
        return Err(src.invalid(format!(
            "header metadata of {} bytes is over the {MAX_HEADER_METADATA} byte limit",
            partition.header_byte_count
        )));
    }
    // Fill, then the primer pack; the header byte count covers primer, sets and fill.
    let mut at = pack_end;
    let mut primer = None;
    let mut sets: Vec<LocalSet> = Vec::new();
    let mut region_end = None;
    let mut klvs = 0usize;
    loop {
        if let Some(end) = region_end {
            if at >= end {
                break;
            }
        }
        if at >= src.len() {
            break;
        }
        klvs += 1;
        if klvs > MAX_SETS {
            return Err(src.invalid(format!("more than {MAX_SETS} KLV items in the header")));
        }
        let (key, value, next) = read_klv(&mut src, at, 16 << 20, "header metadata")?;
        if let Some(end) = region_end.filter(|&end| next > end) {
            if key.get(..13) == Some(&LOCAL_SET_PREFIX[..]) {
                return Err(src.invalid(format!(
                    "set at offset {at} runs past the end of the header metadata (offset {end})"
                )));
            }
            break;
        }
        if key == PRIMER_KEY {
            primer = Some(parse_primer(&value).map_err(|e| src.invalid(e))?);
            region_end = Some(at.saturating_add(partition.header_byte_count));
        } else if key.get(..13) == Some(&LOCAL_SET_PREFIX[..]) {
            if primer.is_none() {
                return Err(src.invalid(format!(
                    "header metadata set at offset {at} comes before the primer pack"
                )));
            }
            let set = LocalSet::parse(key.get(14).copied().unwrap_or(0), &value)
                .map_err(|e| src.invalid(format!("at offset {at}: {e}")))?;
            sets.push(set);
        } else if region_end.is_none() && !is_fill(&key) {
            return Err(src.invalid(format!(
                "expected the primer pack after the partition pack, found key {} at offset {at}",
                ul_text(&key)
            )));
        }
        at = next;
    }
    let primer = primer.ok_or_else(|| src.invalid("no primer pack"))?;
    let mut meta = resolve(partition, &sets);
    for s in &sets {
        for &tag in s.props.keys().filter(|&&t| t >= 0x8000) {
            match primer.get(&tag) {
                Some(ul) => *meta.dynamic_properties.entry(ul_text(ul)).or_default() += 1,
                None => meta.warnings.push(format!(
                    "dynamic local tag 0x{tag:04x} is not in the primer pack"
                )),
            }
        }
    }
    meta.warnings.dedup();
    Ok(meta)
}

fn is_fill(key: &Ul) -> bool {
    // KLV fill: 06.0e.2b.34.01.01.01.0x.03.01.02.10.01.00.00.00 (any registry version).
    key.get(..7) == Some(&[0x06, 0x0E, 0x2B, 0x34, 0x01, 0x01, 0x01][..])
        && key.get(8..12) == Some(&[0x03, 0x01, 0x02, 0x10][..])
}

/// Reads the KLV at `at`: key, value (at most `limit` bytes) and the offset after it.
fn read_klv<R: Read + Seek + ?Sized>(
    src: &mut Source<'_, R>,
    at: u64,
    limit: u64,
    what: &str,
) -> Result<(Ul, Vec<u8>, u64)> {
    let head = src.read_up_to(at, 25, what)?;
    let key: Ul = head
        .get(..16)
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| src.invalid(format!("{what}: truncated KLV key at offset {at}")))?;
    let (len, n) = ber_length(head.get(16..).unwrap_or_default())
        .map_err(|e| src.invalid(format!("{what}: KLV at offset {at}: {e}")))?;
    let value_at = at + 16 + n as u64;
    let end = value_at.checked_add(len).filter(|&e| e <= src.len());
    let Some(end) = end else {
        return Err(src.invalid(format!(
            "{what}: KLV at offset {at} of {len} bytes runs past the end of the file ({} bytes)",
            src.len()
        )));
    };
    if is_fill(&key)
        || (key.get(..13) != Some(&LOCAL_SET_PREFIX[..])
            && key != PRIMER_KEY
            && !key.starts_with(&PARTITION_PREFIX))
    {
        // Not needed: skip without reading.
        return Ok((key, Vec::new(), end));
    }
    let value = src.read_at(value_at, len, limit, what)?;
    Ok((key, value, end))
}

/// Builds the metadata from the local sets.
fn resolve(partition: PartitionPack, sets: &[LocalSet]) -> MxfMetadata {
    let by_uid: BTreeMap<Ul, &LocalSet> = sets
        .iter()
        .filter_map(|s| Some((s.ul(INSTANCE_UID)?, s)))
        .collect();
    let mut meta = MxfMetadata {
        partition,
        material_package_name: None,
        file_package_name: None,
        timecode: None,
        edit_rate: None,
        duration: None,
        pictures: Vec::new(),
        sounds: Vec::new(),
        company_name: None,
        product_name: None,
        version_string: None,
        dynamic_properties: BTreeMap::new(),
        warnings: Vec::new(),
    };
    if let Some(id) = sets.iter().find(|s| s.class == CLASS_IDENTIFICATION) {
        meta.company_name = id.utf16(0x3C01);
        meta.product_name = id.utf16(0x3C02);
        meta.version_string = id.utf16(0x3C04);
    }
    meta.file_package_name = sets
        .iter()
        .filter(|s| s.class == CLASS_SOURCE_PACKAGE)
        .find_map(|s| s.utf16(0x4402));
    match sets.iter().find(|s| s.class == CLASS_MATERIAL_PACKAGE) {
        Some(mp) => {
            meta.material_package_name = mp.utf16(0x4402);
            let mut first_track = None;
            for uid in mp.refs(0x4403) {
                let Some(track) = by_uid.get(&uid) else {
                    meta.warnings.push(format!(
                        "material package track {} is missing",
                        ul_text(&uid)
                    ));
                    continue;
                };
                let Some(seq) = track.ul(0x4803).and_then(|u| by_uid.get(&u)) else {
                    continue;
                };
                let kind = seq.ul(0x0201).map(|d| data_kind(&d));
                let rate = track.rational(0x4B01);
                if first_track.is_none() {
                    first_track = Some((rate, seq.i64(0x0202)));
                }
                if kind == Some(DataKind::Picture) && meta.edit_rate.is_none() {
                    meta.edit_rate = rate;
                    meta.duration = seq.i64(0x0202);
                }
                for c in seq.refs(0x1001) {
                    let Some(comp) = by_uid.get(&c) else {
                        continue;
                    };
                    if let (Some(start), Some(base)) = (comp.i64(0x1501), comp.get(0x1502)) {
                        if meta.timecode.is_none() {
                            meta.timecode = Some(MxfTimecode {
                                start,
                                rounded_base: super::source::Fields::be(base).u16(0).unwrap_or(0),
                                drop_frame: comp.get(0x1503).is_some_and(|d| d.first() != Some(&0)),
                            });
                        }
                    }
                }
            }
            if meta.edit_rate.is_none() {
                if let Some((rate, dur)) = first_track {
                    meta.edit_rate = rate;
                    meta.duration = dur;
                }
            }
        }
        None => meta.warnings.push("no material package".into()),
    }
    for s in sets {
        if s.get(0x3203).is_some() || s.get(0x3202).is_some() || s.get(0x3201).is_some() {
            meta.pictures.push(PictureDescriptor {
                stored_width: s.u32(0x3203),
                stored_height: s.u32(0x3202),
                display_width: s.u32(0x3209),
                display_height: s.u32(0x3208),
                sample_rate: s.rational(0x3001),
                aspect_ratio: s.rational(0x320E),
                frame_layout: s.get(0x320C).and_then(|b| b.first().copied()),
                component_depth: s.u32(0x3301),
                coding: s.ul(0x3201),
                container_duration: s.i64(0x3002),
            });
        } else if s.get(0x3D03).is_some() || s.get(0x3D07).is_some() {
            meta.sounds.push(SoundDescriptor {
                sample_rate: s.rational(0x3D03),
                channels: s.u32(0x3D07),
                bits: s.u32(0x3D01),
            });
        }
    }
    meta
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataKind {
    Picture,
    Sound,
    Timecode,
    Other,
}

/// The kind of a data definition label (SMPTE RP 224 essence track kinds).
fn data_kind(ul: &Ul) -> DataKind {
    match (ul.get(8..11), ul.get(11), ul.get(12)) {
        (Some([0x01, 0x03, 0x02]), Some(0x02), Some(0x01)) => DataKind::Picture,
        (Some([0x01, 0x03, 0x02]), Some(0x02), Some(0x02)) => DataKind::Sound,
        (Some([0x01, 0x03, 0x02]), Some(0x01), _) => DataKind::Timecode,
        _ => DataKind::Other,
    }
}
