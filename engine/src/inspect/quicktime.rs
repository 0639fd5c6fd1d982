//! QuickTime MOV / MP4 metadata: per-track handler, codec four-CC and name, dimensions, audio
//! format, timescale, duration and frame rate, the `tmcd` timecode track (start frame read from
//! the media data) with its reel name, creation time and user-data strings. Never reads samples
//! other than the first timecode sample.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

use super::bmff::{Child, children, find, fourcc, path, top_level_boxes};
use super::source::{Fields, Source, reduced};
use super::timecode::{MAX_BASE, Timecode};
use crate::Result;

/// Most tracks read.
pub const MAX_TRACKS: usize = 1024;

/// `tmcd` flag: drop-frame counting.
pub const TMCD_DROP_FRAME: u32 = 0x1;
/// `tmcd` flag: the counter wraps at 24 hours.
pub const TMCD_24_HOUR_MAX: u32 = 0x2;
/// `tmcd` flag: negative times allowed.
pub const TMCD_NEGATIVE_OK: u32 = 0x4;
/// `tmcd` flag: the samples are a counter, not a time.
pub const TMCD_COUNTER: u32 = 0x8;

/// A `tmcd` sample description and the first timecode sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimecodeTrack {
    /// Flags ([`TMCD_DROP_FRAME`], ...).
    pub flags: u32,
    /// Timescale of the timecode.
    pub timescale: u32,
    /// Duration of one frame in the timescale.
    pub frame_duration: u32,
    /// Frames per second of the counter (the timecode base, 24, 25, 30...).
    pub number_of_frames: u8,
    /// Reel (source) name from the sample description's `name` user data.
    pub reel_name: Option<String>,
    /// The first sample: frames since midnight.
    pub first_frame: Option<u32>,
}

impl TimecodeTrack {
    /// Drop-frame flag.
    pub fn drop_frame(&self) -> bool {
        self.flags & TMCD_DROP_FRAME != 0
    }

    /// The start timecode, when the first sample was read and the base is usable.
    pub fn start_timecode(&self) -> Option<Timecode> {
        let base = u32::from(self.number_of_frames);
        if base == 0 || base > MAX_BASE {
            return None;
        }
        Some(Timecode::from_frame_number(
            u64::from(self.first_frame?),
            base,
            self.drop_frame(),
        ))
    }
}

/// An audio sample description.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioEntry {
    /// Channels.
    pub channels: u32,
    /// Samples per second.
    pub sample_rate: f64,
    /// Bits per sample as declared (0 for compressed formats that do not say).
    pub bits_per_sample: u32,
}

/// One track.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    /// Track id (`tkhd`).
    pub track_id: u32,
    /// Handler type (`vide`, `soun`, `tmcd`, ...).
    pub handler: String,
    /// Handler component name.
    pub handler_name: Option<String>,
    /// Four-CC of the first sample description (`apch`, `avc1`, `mp4a`, `tmcd`...).
    pub codec: Option<String>,
    /// Compressor name of a video sample description.
    pub codec_name: Option<String>,
    /// Coded width and height (video sample description, else the track header).
    pub width: Option<u32>,
    /// Coded height.
    pub height: Option<u32>,
    /// Presentation width from the track header (pixel aspect applied).
    pub display_width: Option<f64>,
    /// Presentation height from the track header.
    pub display_height: Option<f64>,
    /// Media timescale (`mdhd`).
    pub timescale: u32,
    /// Media duration in the timescale (`mdhd`).
    pub duration: u64,
    /// Samples (frames) in the track (`stts`).
    pub sample_count: u64,
    /// Frame rate from the timescale and the most common sample duration, reduced.
    pub frame_rate: Option<(u32, u32)>,
    /// Audio format of a sound track.
    pub audio: Option<AudioEntry>,
    /// The timecode description of a `tmcd` track.
    pub timecode: Option<TimecodeTrack>,
    /// Track user-data strings (`©xxx` atoms).
    pub strings: BTreeMap<String, String>,
}

impl Track {
    /// Duration in seconds.
    pub fn duration_seconds(&self) -> Option<f64> {
        (self.timescale > 0).then(|| self.duration as f64 / f64::from(self.timescale))
    }
}

/// What a MOV / MP4 file says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct MovieMetadata {
    /// `ftyp` major brand (`qt  `, `isom`, ...), when present.
    pub major_brand: Option<String>,
    /// Movie timescale (`mvhd`).
    pub timescale: u32,
    /// Movie duration in the movie timescale.
    pub duration: u64,
    /// Creation time, seconds since 1904-01-01 UTC (0 when unset).
    pub creation_time_1904: u64,
    /// Tracks in file order.
    pub tracks: Vec<Track>,
    /// Movie user-data strings: QuickTime `©xxx` atoms and iTunes-style `ilst` items, by four-CC.
    pub strings: BTreeMap<String, String>,
    /// Problems that did not stop the reading.
    pub warnings: Vec<String>,
}

impl MovieMetadata {
    /// Duration in seconds.
    pub fn duration_seconds(&self) -> Option<f64> {
        (self.timescale > 0).then(|| self.duration as f64 / f64::from(self.timescale))
    }

    /// The creation time as `YYYY-MM-DDThh:mm:ssZ`, when set.
    pub fn creation_time(&self) -> Option<String> {
        if self.creation_time_1904 == 0 {
            return None;
        }
        let epoch = chrono::NaiveDate::from_ymd_opt(1904, 1, 1)?.and_hms_opt(0, 0, 0)?;
        let secs = i64::try_from(self.creation_time_1904).ok()?;
        let t = epoch.checked_add_signed(chrono::TimeDelta::try_seconds(secs)?)?;
        Some(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }

    /// The first video track.
    pub fn video(&self) -> Option<&Track> {
        self.tracks.iter().find(|t| t.handler == "vide")
    }

    /// The first sound track.
    pub fn sound(&self) -> Option<&Track> {
        self.tracks.iter().find(|t| t.handler == "soun")
    }

    /// The first timecode track's description.
    pub fn timecode(&self) -> Option<&TimecodeTrack> {
        self.tracks.iter().find_map(|t| t.timecode.as_ref())
    }
}

/// Reads the movie metadata of the MOV / MP4 file behind `reader` (`name` names it in errors).
pub fn read_movie<R: Read + Seek + ?Sized>(reader: &mut R, name: &str) -> Result<MovieMetadata> {
    let mut src = Source::new(reader, name, "QuickTime/MP4")?;
    let top = top_level_boxes(&mut src)?;
    let known = [
        b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid",
    ];
    if top.first().is_none_or(|b| !known.contains(&&b.kind)) {
        return Err(src.invalid("not a QuickTime / MP4 file (no known box at the start)"));
    }
    let mut major_brand = None;
    if let Some(f) = top.iter().find(|b| &b.kind == b"ftyp") {
        let b = src.read_at(
            f.offset + f.header_len,
            4.min(f.size - f.header_len),
            4,
            "ftyp",
        )?;
        major_brand = b.get(..4).and_then(|k| k.try_into().ok()).map(fourcc);
    }
    let moov = top
        .iter()
        .find(|b| &b.kind == b"moov")
        .ok_or_else(|| src.invalid("no 'moov' box (truncated, or still being written)"))?;
    let moov_bytes = src.read_at(
        moov.offset + moov.header_len,
        moov.size - moov.header_len,
        super::bmff::MAX_MOOV_BYTES,
        "moov box",
    )?;
    let bad = |src: &Source<'_, R>, p: String| src.invalid(format!("moov: {p}"));
    let kids = children(&moov_bytes).map_err(|p| bad(&src, p))?;
    let mvhd = find(&kids, b"mvhd").ok_or_else(|| bad(&src, "no 'mvhd' box".into()))?;
    let (creation_time_1904, timescale, duration) =
        header_times(mvhd.payload).ok_or_else(|| bad(&src, "truncated 'mvhd' box".into()))?;
    let mut movie = MovieMetadata {
        major_brand,
        timescale,
        duration,
        creation_time_1904,
        tracks: Vec::new(),
        strings: BTreeMap::new(),
        warnings: Vec::new(),
    };
    if let Some(udta) = find(&kids, b"udta") {
        user_strings(udta.payload, &mut movie.strings, &mut movie.warnings);
    }
    if let Some(meta) = find(&kids, b"meta") {
        meta_strings(meta.payload, &mut movie.strings, &mut movie.warnings);
    }
    let mut pending_tc = Vec::new();
    for trak in kids.iter().filter(|c| &c.kind == b"trak") {
        if movie.tracks.len() >= MAX_TRACKS {
            movie
                .warnings
                .push(format!("more than {MAX_TRACKS} tracks; the rest ignored"));
            break;
        }
        let index = movie.tracks.len();
        let (track, first_tc_offset) = read_track(trak, index).map_err(|p| bad(&src, p))?;
        if let Some(off) = first_tc_offset {
            pending_tc.push((index, off));
        }
        movie.tracks.push(track);
    }
    // The timecode tracks' first samples, from the media data.
    for (index, offset) in pending_tc {
        match src.read_at(offset, 4, 4, "first timecode sample") {
            Ok(b) => {
                if let Some(tc) = movie
                    .tracks
                    .get_mut(index)
                    .and_then(|t| t.timecode.as_mut())
                {
                    tc.first_frame = Fields::be(&b).u32(0);
                }
            }
            Err(e) => movie.warnings.push(e.to_string()),
        }
    }
    Ok(movie)
}

/// Creation time, timescale and duration of an `mvhd` or `mdhd` payload (versions 0 and 1).
fn header_times(b: &[u8]) -> Option<(u64, u32, u64)> {
    let f = Fields::be(b);
    match f.u8(0)? {
        1 => Some((f.u64(4)?, f.u32(20)?, f.u64(24)?)),
        _ => Some((u64::from(f.u32(4)?), f.u32(12)?, u64::from(f.u32(16)?))),
    }
}

/// Reads a `trak`; also returns the file offset of the first sample of a timecode track.
fn read_track(trak: &Child<'_>, index: usize) -> std::result::Result<(Track, Option<u64>), String> {
    let at = |p: String| format!("track {}: {p}", index + 1);
    let kids = children(trak.payload).map_err(at)?;
    let mut track = Track {
        track_id: 0,
        handler: String::new(),
        handler_name: None,
        codec: None,
        codec_name: None,
        width: None,
        height: None,
        display_width: None,
        display_height: None,
        timescale: 0,
        duration: 0,
        sample_count: 0,
        frame_rate: None,
        audio: None,
        timecode: None,
        strings: BTreeMap::new(),
    };
    if let Some(tkhd) = find(&kids, b"tkhd") {
        let f = Fields::be(tkhd.payload);
        let v1 = f.u8(0) == Some(1);
        track.track_id = f.u32(if v1 { 20 } else { 12 }).unwrap_or(0);
        let n = tkhd.payload.len();
        if n >= 8 {
            let fixed = |at: usize| f.u32(at).map(|v| f64::from(v) / 65536.0);
            track.display_width = fixed(n - 8).filter(|w| *w > 0.0);
            track.display_height = fixed(n - 4).filter(|h| *h > 0.0);
        }
    }
    if let Some(udta) = find(&kids, b"udta") {
        let mut warnings = Vec::new();
        user_strings(udta.payload, &mut track.strings, &mut warnings);
    }
    let Some(mdia) = find(&kids, b"mdia") else {
        return Err(at("no 'mdia' box".into()));
    };
    let mdia_kids = children(mdia.payload).map_err(at)?;
    if let Some(mdhd) = find(&mdia_kids, b"mdhd") {
        let (_, ts, d) = header_times(mdhd.payload).ok_or_else(|| at("truncated 'mdhd'".into()))?;
        track.timescale = ts;
        track.duration = d;
    }
    if let Some(hdlr) = find(&mdia_kids, b"hdlr") {
        let f = Fields::be(hdlr.payload);
        track.handler = f.array::<4>(8).map(fourcc).unwrap_or_default();
        track.handler_name = hdlr.payload.get(24..).and_then(handler_name);
    }
    let stbl = path(mdia.payload, &[b"minf", b"stbl"])
        .map_err(at)?
        .ok_or_else(|| at("no 'minf/stbl' box".into()))?;
    let stbl_kids = children(stbl).map_err(at)?;
    if let Some(stsd) = find(&stbl_kids, b"stsd") {
        read_sample_description(stsd.payload, &mut track).map_err(at)?;
    }
    if let Some(stts) = find(&stbl_kids, b"stts") {
        let f = Fields::be(stts.payload);
        let count = f.u32(4).unwrap_or(0) as usize;
        let mut best = (0u64, 0u32);
        let mut total = 0u64;
        for i in 0..count {
            let (Some(n), Some(d)) = (f.u32(8 + 8 * i), f.u32(12 + 8 * i)) else {
                return Err(at(format!("'stts' lists {count} entries but is truncated")));
            };
            total = total.saturating_add(u64::from(n));
            if u64::from(n) > best.0 {
                best = (u64::from(n), d);
            }
        }
        track.sample_count = total;
        if track.handler == "vide" && best.1 > 0 {
            track.frame_rate = reduced(u64::from(track.timescale), u64::from(best.1));
        }
    }
    let mut first_tc = None;
    if track.timecode.is_some() {
        let chunk = |kind: &[u8; 4]| {
            let b = find(&stbl_kids, kind)?;
            let f = Fields::be(b.payload);
            if f.u32(4)? == 0 {
                return None;
            }
            Some(match kind {
                b"co64" => f.u64(8)?,
                _ => u64::from(f.u32(8)?),
            })
        };
        first_tc = chunk(b"stco").or_else(|| chunk(b"co64"));
        if let Some(stsz) = find(&stbl_kids, b"stsz") {
            let f = Fields::be(stsz.payload);
            let size = match f.u32(4) {
                Some(0) => f.u32(12),
                s => s,
            };
            if size.is_some_and(|s| s < 4) {
                return Err(at(format!(
                    "timecode sample of {} bytes (4 expected)",
                    size.unwrap_or(0)
                )));
            }
        }
    }
    Ok((track, first_tc))
}

/// A handler name: a Pascal string (QuickTime) or a C string (ISO).
fn handler_name(b: &[u8]) -> Option<String> {
    let first = *b.first()?;
    let text = if usize::from(first) == b.len() - 1 && first > 0 {
        b.get(1..)?
    } else {
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        b.get(..end)?
    };
    let s = String::from_utf8_lossy(text).trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn read_sample_description(b: &[u8], track: &mut Track) -> std::result::Result<(), String> {
    let entries = children(b.get(8..).unwrap_or_default()).map_err(|e| format!("stsd: {e}"))?;
    let Some(e) = entries.first() else {
        return Ok(());
    };
    track.codec = Some(fourcc(e.kind));
    let f = Fields::be(e.payload);
    match track.handler.as_str() {
        "vide" => {
            track.width = f.u16(24).map(u32::from).filter(|&w| w > 0);
            track.height = f.u16(26).map(u32::from).filter(|&h| h > 0);
            if let Some(name) = f.slice(42, 32) {
                let n = usize::from(name.first().copied().unwrap_or(0)).min(31);
                let s = String::from_utf8_lossy(name.get(1..1 + n).unwrap_or_default());
                let s = s.trim_end_matches('\0').trim().to_string();
                track.codec_name = (!s.is_empty()).then_some(s);
            }
        }
        "soun" => {
            let version = f.u16(8).unwrap_or(0);
            let mut entry = AudioEntry {
                channels: u32::from(f.u16(16).unwrap_or(0)),
                bits_per_sample: u32::from(f.u16(18).unwrap_or(0)),
                sample_rate: f64::from(f.u32(24).unwrap_or(0)) / 65536.0,
            };
            if version == 2 {
                if let (Some(rate), Some(ch), Some(bits)) = (f.f64(32), f.u32(40), f.u32(48)) {
                    entry = AudioEntry {
                        channels: ch,
                        sample_rate: rate,
                        bits_per_sample: bits,
                    };
                }
            }
            if let Some(bits) = pcm_bits(e.kind) {
                entry.bits_per_sample = bits;
            }
            // ISO sample entries fix the channel count at 2; AAC's own count is in `esds`.
            let extensions_at = match version {
                1 => 44,
                2 => 64,
                _ => 28,
            };
            if let Some(ch) = e
                .payload
                .get(extensions_at..)
                .and_then(|b| children(b).ok())
                .and_then(|kids| {
                    find(&kids, b"esds").or_else(|| {
                        let wave = find(&kids, b"wave")?;
                        find(&children(wave.payload).ok()?, b"esds")
                    })
                })
                .and_then(|esds| esds_channels(esds.payload))
            {
                entry.channels = ch;
            }
            track.audio = Some(entry);
        }
        _ => {}
    }
    if &e.kind == b"tmcd" {
        let (Some(flags), Some(timescale), Some(frame_duration), Some(frames)) =
            (f.u32(12), f.u32(16), f.u32(20), f.u8(24))
        else {
            return Err("truncated 'tmcd' sample description".into());
        };
        let mut reel_name = None;
        if let Some(rest) = e.payload.get(26..) {
            if let Ok(kids) = children(rest) {
                if let Some(name) = find(&kids, b"name") {
                    reel_name = user_text(name.payload);
                }
            }
        }
        track.timecode = Some(TimecodeTrack {
            flags,
            timescale,
            frame_duration,
            number_of_frames: frames,
            reel_name,
            first_frame: None,
        });
    }
    Ok(())
}

/// A descriptor of an `esds` box at `at`: its tag, payload start and end.
fn descriptor(b: &[u8], at: usize) -> Option<(u8, usize, usize)> {
    let tag = *b.get(at)?;
    let mut size = 0usize;
    let mut i = at + 1;
    for _ in 0..4 {
        let c = *b.get(i)?;
        i += 1;
        size = (size << 7) | usize::from(c & 0x7F);
        if c & 0x80 == 0 {
            break;
        }
    }
    let end = i.checked_add(size)?.min(b.len());
    Some((tag, i, end))
}

/// The channel configuration of an MPEG-4 audio `esds` (ES descriptor, decoder config,
/// AudioSpecificConfig); `None` when absent or 0 (defined elsewhere).
fn esds_channels(b: &[u8]) -> Option<u32> {
    let (tag, start, end) = descriptor(b, 4)?;
    if tag != 3 {
        return None;
    }
    let flags = *b.get(start + 2)?;
    let mut at = start + 3;
    if flags & 0x80 != 0 {
        at += 2;
    }
    if flags & 0x40 != 0 {
        at += 1 + usize::from(*b.get(at)?);
    }
    if flags & 0x20 != 0 {
        at += 2;
    }
    let es = b.get(..end)?;
    let (tag, start, end) = descriptor(es, at)?;
    if tag != 4 {
        return None;
    }
    let dc = es.get(..end)?;
    let (tag, start, _) = descriptor(dc, start + 13)?;
    if tag != 5 {
        return None;
    }
    let asc = Fields::be(dc.get(start..)?);
    // 5 bits object type (31: 6 more), 4 bits frequency index (15: 24-bit frequency), 4 bits
    // channel configuration.
    let bits = u64::from(
        asc.u32(0)
            .or_else(|| asc.u16(0).map(|v| u32::from(v) << 16))?,
    );
    let mut pos = 5;
    if bits >> 27 == 31 {
        pos += 6;
    }
    let freq_index = (bits >> (32 - pos - 4)) & 0xF;
    pos += 4;
    if freq_index == 15 {
        pos += 24;
    }
    if pos + 4 > 32 {
        return None;
    }
    let ch = ((bits >> (32 - pos - 4)) & 0xF) as u32;
    (ch > 0).then_some(ch)
}

/// Bits per sample of the uncompressed PCM four-CCs that fix it.
fn pcm_bits(kind: [u8; 4]) -> Option<u32> {
    match &kind {
        b"in24" => Some(24),
        b"in32" | b"fl32" => Some(32),
        b"fl64" => Some(64),
        b"twos" | b"sowt" => Some(16),
        b"raw " => Some(8),
        _ => None,
    }
}

/// The first text of a QuickTime user-data text item (16-bit length, 16-bit language, text).
fn user_text(b: &[u8]) -> Option<String> {
    let f = Fields::be(b);
    let n = usize::from(f.u16(0)?);
    let text = f.slice(4, n).or_else(|| b.get(4..))?;
    let s = String::from_utf8_lossy(text)
        .trim_end_matches('\0')
        .trim()
        .to_string();
    (!s.is_empty()).then_some(s)
}

/// Collects `©xxx` text atoms of a `udta` payload.
fn user_strings(b: &[u8], out: &mut BTreeMap<String, String>, warnings: &mut Vec<String>) {
    match children(b) {
        Ok(kids) => {
            for k in kids.iter().filter(|k| k.kind[0] == 0xA9) {
                if let Some(s) = user_text(k.payload) {
                    out.insert(fourcc(k.kind), s);
                }
            }
        }
        Err(e) => warnings.push(format!("udta: {e}")),
    }
}

/// Collects the text items of an iTunes-style `meta`/`ilst` (each item's `data` box).
fn meta_strings(b: &[u8], out: &mut BTreeMap<String, String>, warnings: &mut Vec<String>) {
    // ISO `meta` is a full box (4 bytes of version and flags); QuickTime's is not.
    let body = match b.get(4..8) {
        Some(b"hdlr") => b,
        _ => b.get(4..).unwrap_or_default(),
    };
    let ilst = match path(body, &[b"ilst"]) {
        Ok(Some(i)) => i,
        Ok(None) => return,
        Err(e) => {
            warnings.push(format!("meta: {e}"));
            return;
        }
    };
    let Ok(items) = children(ilst) else {
        warnings.push("meta/ilst: malformed".into());
        return;
    };
    for item in items {
        let Ok(parts) = children(item.payload) else {
            continue;
        };
        if let Some(data) = find(&parts, b"data") {
            let f = Fields::be(data.payload);
            // Type 1: UTF-8 text.
            if f.u32(0) == Some(1) {
                let s = String::from_utf8_lossy(data.payload.get(8..).unwrap_or_default())
                    .trim()
                    .to_string();
                if !s.is_empty() {
                    out.insert(fourcc(item.kind), s);
                }
            }
        }
    }
}
