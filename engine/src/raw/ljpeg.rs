//! Lossless JPEG decoder (ITU-T T.81 process 14, `SOF3`) as DNG uses it for compression 7:
//! predictors 1 to 7, 2 to 16 bits, one to four interleaved components, restart markers.
//!
//! The decoded samples come out in raster order, the components of each line interleaved, which
//! is how a DNG tile or strip maps them back onto consecutive CFA samples. Every length, table
//! and count is checked; a truncated or malformed stream is an error, never a panic.

use crate::{Error, Result};

/// A decoded lossless JPEG image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LosslessJpeg {
    /// Samples per line of each component (the frame's `X`).
    pub width: usize,
    /// Lines (the frame's `Y`).
    pub height: usize,
    /// Number of components (1 to 4), interleaved in `samples`.
    pub components: usize,
    /// Sample precision in bits (2 to 16).
    pub precision: u8,
    /// `height` lines of `width * components` samples, components interleaved, point transform
    /// undone (samples shifted back up).
    pub samples: Vec<u16>,
}

/// Codes up to this many bits long are decoded with one table lookup.
const FAST_BITS: u32 = 9;

fn bad(what: &str, problem: impl Into<String>) -> Error {
    Error::LosslessJpeg {
        what: what.to_string(),
        problem: problem.into(),
    }
}

/// A Huffman table of difference categories (symbols 0 to 16), canonical codes.
#[derive(Debug, Clone)]
struct Huffman {
    /// Indexed by the next `FAST_BITS` bits: `(length << 8) | symbol`, 0 when the code is longer.
    fast: Vec<u16>,
    /// Largest code of each length (index 1 to 16), -1 when there is none.
    max_code: [i32; 17],
    /// Smallest code of each length.
    min_code: [i32; 17],
    /// Index into `values` of the first code of each length.
    first_value: [usize; 17],
    /// Symbols in code order.
    values: Vec<u8>,
}

impl Huffman {
    /// Builds the table from `counts` (codes of each length 1 to 16) and `values`.
    fn new(counts: &[u8; 16], values: Vec<u8>) -> std::result::Result<Huffman, String> {
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        if total == 0 || total > 256 || values.len() != total {
            return Err(format!(
                "Huffman table with {total} codes and {} values",
                values.len()
            ));
        }
        if let Some(v) = values.iter().find(|&&v| v > 16) {
            return Err(format!(
                "Huffman table holds symbol {v}; lossless JPEG categories are 0 to 16"
            ));
        }
        let mut table = Huffman {
            fast: vec![0; 1 << FAST_BITS],
            max_code: [-1; 17],
            min_code: [0; 17],
            first_value: [0; 17],
            values,
        };
        let mut code: u32 = 0;
        let mut k = 0usize;
        for len in 1..=16usize {
            let n = usize::from(counts[len - 1]);
            table.first_value[len] = k;
            table.min_code[len] = code as i32;
            if n > 0 {
                if code + n as u32 > 1 << len {
                    return Err(format!(
                        "Huffman table has more codes of length {len} than fit"
                    ));
                }
                table.max_code[len] = (code + n as u32 - 1) as i32;
                if len as u32 <= FAST_BITS {
                    let shift = FAST_BITS - len as u32;
                    for i in 0..n {
                        let symbol = u16::from(table.values[k + i]);
                        let first = ((code + i as u32) << shift) as usize;
                        for slot in &mut table.fast[first..first + (1 << shift)] {
                            *slot = ((len as u16) << 8) | symbol;
                        }
                    }
                }
            }
            code = (code + n as u32) << 1;
            k += n;
        }
        Ok(table)
    }

    /// Decodes one symbol.
    #[inline]
    fn decode(&self, bits: &mut BitReader<'_>, what: &str) -> Result<u8> {
        let peek = bits.peek16();
        let entry = self.fast[(peek >> (16 - FAST_BITS)) as usize];
        if entry != 0 {
            bits.consume(u32::from(entry >> 8), what)?;
            return Ok(entry as u8);
        }
        for len in 1..=16usize {
            let code = (peek >> (16 - len)) as i32;
            if code <= self.max_code[len] {
                let index = self.first_value[len] + (code - self.min_code[len]) as usize;
                let symbol = *self
                    .values
                    .get(index)
                    .ok_or_else(|| bad(what, "Huffman code outside its table"))?;
                bits.consume(len as u32, what)?;
                return Ok(symbol);
            }
        }
        Err(bad(what, "invalid Huffman code in the entropy-coded data"))
    }
}

/// Reads entropy-coded bits: removes stuffed zero bytes, stops at a marker.
#[derive(Debug)]
struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Bits, most significant first.
    acc: u64,
    /// Valid bits in `acc` (real and padding).
    count: u32,
    /// Zero bits appended past the end of the data or at a marker (not real data).
    padding: u32,
    /// A marker was met: nothing more is read until [`BitReader::restart`].
    at_marker: bool,
}

impl<'a> BitReader<'a> {
    fn new(data: &'a [u8], pos: usize) -> Self {
        BitReader {
            data,
            pos,
            acc: 0,
            count: 0,
            padding: 0,
            at_marker: false,
        }
    }

    fn refill(&mut self) {
        while self.count <= 56 {
            let byte = if self.at_marker {
                None
            } else {
                match self.data.get(self.pos) {
                    Some(&0xFF) => match self.data.get(self.pos + 1) {
                        Some(0) => {
                            self.pos += 2;
                            Some(0xFF)
                        }
                        _ => {
                            self.at_marker = true;
                            None
                        }
                    },
                    Some(&b) => {
                        self.pos += 1;
                        Some(b)
                    }
                    None => None,
                }
            };
            if byte.is_none() {
                self.padding += 8;
            }
            self.acc |= u64::from(byte.unwrap_or(0)) << (56 - self.count);
            self.count += 8;
        }
    }

    /// The next 16 bits (zeros past the end), not consumed.
    #[inline]
    fn peek16(&mut self) -> u32 {
        if self.count < 16 {
            self.refill();
        }
        (self.acc >> 48) as u32
    }

    /// Drops `n` bits; an error when they run past the real data.
    #[inline]
    fn consume(&mut self, n: u32, what: &str) -> Result<()> {
        if n > self.count - self.padding.min(self.count) {
            return Err(bad(what, "entropy-coded data ends too early (truncated)"));
        }
        self.acc <<= n;
        self.count -= n;
        Ok(())
    }

    /// Reads `n` (0 to 16) bits as an unsigned number.
    #[inline]
    fn bits(&mut self, n: u32, what: &str) -> Result<u32> {
        if n == 0 {
            return Ok(0);
        }
        if self.count < n {
            self.refill();
        }
        let v = (self.acc >> (64 - n)) as u32;
        self.consume(n, what)?;
        Ok(v)
    }

    /// Skips to the restart marker `RST(index % 8)` and resets the bit buffer.
    fn restart(&mut self, index: usize, what: &str) -> Result<()> {
        self.acc = 0;
        self.count = 0;
        self.padding = 0;
        self.at_marker = false;
        let expected = 0xD0 + (index % 8) as u8;
        // Bytes before the marker (the rest of the last byte was padding) are skipped.
        while let Some(&b) = self.data.get(self.pos) {
            if b == 0xFF {
                match self.data.get(self.pos + 1) {
                    Some(&0xFF) => self.pos += 1,
                    Some(&m) if m == expected => {
                        self.pos += 2;
                        return Ok(());
                    }
                    Some(&m) if (0xD0..=0xD7).contains(&m) => {
                        return Err(bad(
                            what,
                            format!(
                                "restart marker RST{} where RST{} was due",
                                m - 0xD0,
                                index % 8
                            ),
                        ));
                    }
                    Some(0) => self.pos += 2,
                    Some(&m) => {
                        return Err(bad(
                            what,
                            format!(
                                "marker 0xFF{m:02X} where restart marker RST{} was due",
                                index % 8
                            ),
                        ));
                    }
                    None => break,
                }
            } else {
                self.pos += 1;
            }
        }
        Err(bad(
            what,
            format!("data ends before restart marker RST{}", index % 8),
        ))
    }
}

/// The frame header (`SOF3`).
#[derive(Debug, Clone)]
struct Frame {
    precision: u8,
    height: usize,
    width: usize,
    component_ids: Vec<u8>,
}

/// A big-endian u16 at `at`.
fn be16(data: &[u8], at: usize) -> Option<usize> {
    let b = data.get(at..at + 2)?;
    Some(usize::from(u16::from_be_bytes([b[0], b[1]])))
}

/// The name of a JPEG start-of-frame marker that is not lossless Huffman coding.
fn other_process(marker: u8) -> Option<&'static str> {
    Some(match marker {
        0xC0 => "baseline DCT",
        0xC1 => "extended sequential DCT",
        0xC2 => "progressive DCT",
        0xC5..=0xC7 => "hierarchical",
        0xC9..=0xCB | 0xCD..=0xCF => "arithmetic coding",
        _ => return None,
    })
}

/// Decodes a lossless JPEG stream. `what` names it in errors; the frame may hold at most
/// `max_samples` samples (lines x samples per line x components), checked before allocating.
pub fn decode_lossless_jpeg(data: &[u8], what: &str, max_samples: usize) -> Result<LosslessJpeg> {
    if data.get(..2) != Some(&[0xFF, 0xD8]) {
        return Err(bad(what, "does not start with a JPEG SOI marker (FF D8)"));
    }
    let mut pos = 2;
    let mut frame: Option<Frame> = None;
    let mut tables: [Option<Huffman>; 4] = [None, None, None, None];
    let mut restart_interval = 0usize;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        if data.get(pos) != Some(&0xFF) {
            return Err(match data.get(pos) {
                None => bad(what, "stream ends before the scan (no SOS marker)"),
                Some(b) => bad(
                    what,
                    format!("expected a marker at byte {pos}, found 0x{b:02X}"),
                ),
            });
        }
        while data.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = data.get(pos) else {
            return Err(bad(what, "stream ends inside a marker"));
        };
        pos += 1;
        if marker == 0xD9 {
            return Err(bad(what, "end of image before any scan"));
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            continue; // markers without a segment
        }
        let len = be16(data, pos).ok_or_else(|| {
            bad(
                what,
                format!("segment of marker 0xFF{marker:02X} is truncated"),
            )
        })?;
        let body = data
            .get(pos + 2..pos + len)
            .filter(|_| len >= 2)
            .ok_or_else(|| {
                bad(
                    what,
                    format!("segment of marker 0xFF{marker:02X} at byte {pos} claims {len} bytes; the stream is shorter"),
                )
            })?;
        pos += len;
        match marker {
            0xC3 => {
                if frame.is_some() {
                    return Err(bad(what, "more than one frame header (SOF3)"));
                }
                frame = Some(parse_frame(body, what)?);
            }
            0xC4 => parse_tables(body, &mut tables, what)?,
            0xDD => {
                restart_interval = be16(body, 0)
                    .ok_or_else(|| bad(what, "DRI segment is shorter than 2 bytes"))?;
            }
            0xDA => {
                let frame = frame
                    .as_ref()
                    .ok_or_else(|| bad(what, "scan (SOS) before the frame header (SOF3)"))?;
                return decode_scan(
                    data,
                    pos,
                    body,
                    frame,
                    &tables,
                    restart_interval,
                    what,
                    max_samples,
                );
            }
            m => {
                if let Some(process) = other_process(m) {
                    return Err(bad(
                        what,
                        format!(
                            "JPEG process {process} (marker 0xFF{m:02X}) is not lossless JPEG; only SOF3 is decoded"
                        ),
                    ));
                }
                // APPn, COM, DQT and the like carry nothing lossless decoding needs.
            }
        }
    }
}

fn parse_frame(body: &[u8], what: &str) -> Result<Frame> {
    let (Some(&precision), Some(height), Some(width), Some(&n)) =
        (body.first(), be16(body, 1), be16(body, 3), body.get(5))
    else {
        return Err(bad(what, "frame header (SOF3) is shorter than 6 bytes"));
    };
    if !(2..=16).contains(&precision) {
        return Err(bad(
            what,
            format!("sample precision {precision} bits (2 to 16 allowed)"),
        ));
    }
    if height == 0 {
        return Err(bad(what, "frame height 0 (a DNL marker) is not supported"));
    }
    if width == 0 {
        return Err(bad(what, "frame width is 0"));
    }
    if !(1..=4).contains(&n) {
        return Err(bad(what, format!("{n} components (1 to 4 supported)")));
    }
    let n = usize::from(n);
    if body.len() < 6 + 3 * n {
        return Err(bad(
            what,
            format!("frame header too short for {n} components"),
        ));
    }
    let mut component_ids = Vec::with_capacity(n);
    for c in 0..n {
        let (id, sampling) = (body[6 + 3 * c], body[7 + 3 * c]);
        if sampling != 0x11 {
            return Err(bad(
                what,
                format!(
                    "component {id} has sampling factors {}x{} (only 1x1 is supported)",
                    sampling >> 4,
                    sampling & 15
                ),
            ));
        }
        if component_ids.contains(&id) {
            return Err(bad(what, format!("component id {id} appears twice")));
        }
        component_ids.push(id);
    }
    Ok(Frame {
        precision,
        height,
        width,
        component_ids,
    })
}

fn parse_tables(mut body: &[u8], tables: &mut [Option<Huffman>; 4], what: &str) -> Result<()> {
    while let Some(&class_id) = body.first() {
        let id = usize::from(class_id & 15);
        if class_id >> 4 > 1 || id > 3 {
            return Err(bad(
                what,
                format!("Huffman table class/id byte 0x{class_id:02X} is invalid"),
            ));
        }
        let counts: [u8; 16] = body
            .get(1..17)
            .and_then(|c| c.try_into().ok())
            .ok_or_else(|| bad(what, "Huffman table (DHT) is truncated"))?;
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        let values = body
            .get(17..17 + total)
            .ok_or_else(|| {
                bad(
                    what,
                    format!("Huffman table {id}: {total} values announced, segment too short"),
                )
            })?
            .to_vec();
        tables[id] =
            Some(Huffman::new(&counts, values).map_err(|e| bad(what, format!("table {id}: {e}")))?);
        body = &body[17 + total..];
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn decode_scan(
    data: &[u8],
    pos: usize,
    header: &[u8],
    frame: &Frame,
    tables: &[Option<Huffman>; 4],
    restart_interval: usize,
    what: &str,
    max_samples: usize,
) -> Result<LosslessJpeg> {
    let nc = frame.component_ids.len();
    let ns = usize::from(*header.first().unwrap_or(&0));
    if ns != nc {
        return Err(bad(
            what,
            format!(
                "scan codes {ns} of the frame's {nc} components (only one interleaved scan is supported)"
            ),
        ));
    }
    if header.len() < 1 + 2 * ns + 3 {
        return Err(bad(what, "scan header (SOS) is truncated"));
    }
    let mut component_tables: Vec<&Huffman> = Vec::with_capacity(nc);
    for (k, &id) in frame.component_ids.iter().enumerate() {
        let (selector, ids) = (header[1 + 2 * k], header[2 + 2 * k]);
        if selector != id {
            return Err(bad(
                what,
                format!("scan component {k} is {selector}, the frame's is {id}"),
            ));
        }
        let table = usize::from(ids >> 4);
        let huffman = tables.get(table).and_then(Option::as_ref).ok_or_else(|| {
            bad(
                what,
                format!("component {id} uses Huffman table {table}, which was not defined"),
            )
        })?;
        component_tables.push(huffman);
    }
    let predictor = header[1 + 2 * ns];
    let point_transform = u32::from(header[3 + 2 * ns] & 15);
    if !(1..=7).contains(&predictor) {
        return Err(bad(
            what,
            format!("predictor {predictor} (1 to 7 are lossless predictors)"),
        ));
    }
    let precision = u32::from(frame.precision);
    if point_transform >= precision {
        return Err(bad(
            what,
            format!("point transform {point_transform} for {precision}-bit samples"),
        ));
    }
    let (w, h) = (frame.width, frame.height);
    let line = w * nc;
    let total = line
        .checked_mul(h)
        .filter(|&n| n <= max_samples)
        .ok_or_else(|| {
            bad(
                what,
                format!(
                    "{w}x{h} with {nc} components is more than the {max_samples} samples expected"
                ),
            )
        })?;
    let rows_per_interval = if restart_interval == 0 {
        usize::MAX
    } else if restart_interval % w == 0 {
        restart_interval / w
    } else {
        return Err(bad(
            what,
            format!(
                "restart interval {restart_interval} is not a whole number of {w}-sample lines"
            ),
        ));
    };
    let mut samples = vec![0u16; total];
    let mut bits = BitReader::new(data, pos);
    let initial = 1i32 << (precision - point_transform - 1);
    let mut restarts = 0usize;
    let mut interval_start = 0usize;
    for y in 0..h {
        if y > 0 && (y - interval_start) == rows_per_interval {
            bits.restart(restarts, what)?;
            restarts += 1;
            interval_start = y;
        }
        let row = y * line;
        for x in 0..w {
            for (c, table) in component_tables.iter().enumerate() {
                let category = u32::from(table.decode(&mut bits, what)?);
                let diff = match category {
                    0 => 0,
                    16 => 32768,
                    n => {
                        let v = bits.bits(n, what)? as i32;
                        if v < 1 << (n - 1) {
                            v - (1 << n) + 1
                        } else {
                            v
                        }
                    }
                };
                let i = row + x * nc + c;
                let prediction = if y == interval_start {
                    if x == 0 {
                        initial
                    } else {
                        i32::from(samples[i - nc])
                    }
                } else if x == 0 {
                    i32::from(samples[i - line])
                } else {
                    let a = i32::from(samples[i - nc]);
                    let b = i32::from(samples[i - line]);
                    let cc = i32::from(samples[i - line - nc]);
                    match predictor {
                        1 => a,
                        2 => b,
                        3 => cc,
                        4 => a + b - cc,
                        5 => a + ((b - cc) >> 1),
                        6 => b + ((a - cc) >> 1),
                        _ => (a + b) >> 1,
                    }
                };
                samples[i] = (prediction + diff) as u16;
            }
        }
    }
    if point_transform > 0 {
        samples.iter_mut().for_each(|s| *s <<= point_transform);
    }
    Ok(LosslessJpeg {
        width: w,
        height: h,
        components: nc,
        precision: frame.precision,
        samples,
    })
}

#[cfg(test)]
#[path = "ljpeg_tests.rs"]
mod tests;
