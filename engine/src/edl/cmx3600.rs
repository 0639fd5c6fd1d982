//! CMX3600 EDL reader: title, FCM, event lines (channels, transitions, four timecodes), M2 speed
//! lines, AUD lines and comments, into the [`Edl`] model. Lenient about line endings, tabs,
//! blank lines, missing titles and unknown lines (kept as comments, with a warning); strict
//! about what it cannot read safely (bad timecodes, bad event lines), with line numbers.

use super::cmx_fields::{
    decode, parse_channels, parse_locator, parse_transition, shorten, split_lines, strip_keyword,
};
use super::comments::{self, Comment};
use super::model::{Cdl, Edl, Event, SourceKind, Speed, Transition, Warning};
use crate::timecode::{FrameRange, FrameRate, Timecode};
use crate::{Error, Result};

/// How to read a CMX3600 list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cmx3600Options {
    /// The frame rate of the list (EDLs do not say). For 29.97 and 59.94, `FCM:` lines and `;`
    /// separators switch drop-frame counting on and off; the flag given here is the starting
    /// state.
    pub rate: FrameRate,
    /// Largest input accepted, in bytes.
    pub max_bytes: usize,
    /// Largest number of event lines accepted.
    pub max_events: usize,
    /// Longest line accepted, in characters.
    pub max_line_chars: usize,
    /// Refuse what the lenient reader repairs (see [`parse_cmx3600`]).
    pub strict: bool,
}

impl Cmx3600Options {
    /// Defaults for `rate`: at most 32 MiB, 100 000 events, 4096 characters a line.
    pub fn new(rate: FrameRate) -> Self {
        Self {
            rate,
            max_bytes: 32 << 20,
            max_events: 100_000,
            max_line_chars: 4096,
            strict: false,
        }
    }
}

/// Reads a CMX3600 EDL from its bytes. `input` names it in errors and warnings. Text that is
/// not UTF-8 is read as Latin-1 (every byte a character), as older systems wrote it.
///
/// Unless [`Cmx3600Options::strict`] is set, the reader repairs two things real lists contain,
/// with a warning for each: on an event without video, a source timecode whose frame field does
/// not exist at the list's rate (sound with 30 fps timecode in a 24 fps list) is read at the
/// smallest standard rate that has it, recorded as [`Event::source_rate`] (picture sources must
/// be at the list's rate); and an out point before its in point (source or
/// record) is replaced by the in point plus the other side's duration. Lines it does not know
/// are kept in the event's comments, with a warning when outside any event.
pub fn parse_cmx3600(input: &str, bytes: &[u8], options: &Cmx3600Options) -> Result<Edl> {
    if bytes.len() > options.max_bytes {
        return Err(Error::EdlTooLarge {
            input: input.into(),
            problem: format!(
                "{} bytes, more than the {} accepted",
                bytes.len(),
                options.max_bytes
            ),
        });
    }
    let text = decode(bytes);
    let mut reader = Reader::new(input, options);
    for (index, line) in split_lines(&text).enumerate() {
        reader.line(index + 1, line)?;
    }
    reader.finish()
}

/// One event line, before its comments are attached.
struct Pending {
    event: Event,
}

struct Reader<'a> {
    input: &'a str,
    options: &'a Cmx3600Options,
    rate: FrameRate,
    title: Option<String>,
    events: Vec<Event>,
    warnings: Vec<Warning>,
    /// Lines of the current event (one, or two for a transition).
    group: Vec<Pending>,
    group_number: Option<u32>,
    /// Comment-like lines of the current group, with line numbers.
    group_lines: Vec<(usize, String)>,
    /// M2 lines of the current group.
    speeds: Vec<Speed>,
    event_count: usize,
}

impl<'a> Reader<'a> {
    fn new(input: &'a str, options: &'a Cmx3600Options) -> Self {
        Self {
            input,
            options,
            rate: options.rate,
            title: None,
            events: Vec::new(),
            warnings: Vec::new(),
            group: Vec::new(),
            group_number: None,
            group_lines: Vec::new(),
            speeds: Vec::new(),
            event_count: 0,
        }
    }

    fn error(&self, line: usize, problem: impl Into<String>) -> Error {
        Error::EdlSyntax {
            input: self.input.into(),
            line,
            problem: problem.into(),
        }
    }

    fn warn(&mut self, line: usize, message: impl Into<String>) {
        // Bounded: a hostile file cannot grow the warning list without limit.
        if self.warnings.len() < 10_000 {
            self.warnings.push(Warning {
                line,
                message: message.into(),
            });
        }
    }

    fn line(&mut self, number: usize, raw: &str) -> Result<()> {
        if raw.chars().count() > self.options.max_line_chars {
            return Err(self.error(
                number,
                format!(
                    "line longer than {} characters",
                    self.options.max_line_chars
                ),
            ));
        }
        let line = raw.trim();
        if line.is_empty() {
            return Ok(());
        }
        let upper_start: String = line
            .chars()
            .take(16)
            .collect::<String>()
            .to_ascii_uppercase();
        if let Some(rest) = strip_keyword(line, &upper_start, "TITLE:") {
            if self.title.is_none() {
                self.title = Some(rest.trim().to_string());
            } else {
                self.warn(number, "second TITLE line ignored");
            }
            return Ok(());
        }
        if let Some(rest) = strip_keyword(line, &upper_start, "FCM:") {
            return self.fcm(number, rest);
        }
        if line.starts_with(|c: char| c.is_ascii_digit()) {
            return self.event_line(number, line);
        }
        if upper_start.starts_with("M2 ") || upper_start.starts_with("M2\t") {
            return self.speed_line(number, line);
        }
        if upper_start.starts_with("AUD") {
            return self.audio_line(number, line);
        }
        // Comments, EFFECTS NAME IS, SPLIT, REM, >>> SOURCE and anything else: kept with the
        // current event (or the header).
        if self.group.is_empty() {
            if !(line.starts_with('*') || upper_start.starts_with("REM")) {
                self.warn(
                    number,
                    format!("line before the first event ignored: {}", shorten(line)),
                );
            }
            return Ok(());
        }
        self.group_lines.push((number, line.to_string()));
        Ok(())
    }

    fn fcm(&mut self, number: usize, rest: &str) -> Result<()> {
        let mode = rest.trim().to_ascii_uppercase();
        let drop = if mode.starts_with("NON") {
            false
        } else if mode.starts_with("DROP") {
            true
        } else {
            return Err(self.error(
                number,
                format!(
                    "FCM must be DROP FRAME or NON-DROP FRAME, not `{}`",
                    shorten(rest.trim())
                ),
            ));
        };
        if drop && !self.rate.supports_drop_frame() {
            return Err(self.error(
                number,
                format!(
                    "FCM: DROP FRAME, but the list is read at {} which has no drop-frame count (read it at 29.97 or 59.94)",
                    self.rate
                ),
            ));
        }
        self.rate = self.rate.with_drop_frame(drop)?;
        Ok(())
    }

    fn event_line(&mut self, number: usize, line: &str) -> Result<()> {
        let event = self.parse_event(number, line)?;
        self.event_count += 1;
        if self.event_count > self.options.max_events {
            return Err(Error::EdlTooLarge {
                input: self.input.into(),
                problem: format!("more than {} events", self.options.max_events),
            });
        }
        if self.group_number != Some(event.number) {
            self.flush();
            self.group_number = Some(event.number);
        } else if self.group.len() >= 2 {
            return Err(self.error(
                number,
                format!(
                    "a third line for event {}: an event has at most two lines (from and to of a transition)",
                    event.number
                ),
            ));
        }
        self.group.push(Pending { event });
        Ok(())
    }

    fn parse_event(&mut self, number: usize, line: &str) -> Result<Event> {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let (first, rest) = tokens
            .split_first()
            .ok_or_else(|| self.error(number, "empty event line"))?;
        if !first.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.error(
                number,
                format!("bad event number `{}` (digits only)", shorten(first)),
            ));
        }
        let event_number: u32 = first.parse().map_err(|_| {
            self.error(
                number,
                format!("event number `{}` is too large", shorten(first)),
            )
        })?;
        if rest.len() < 7 {
            return Err(self.error(
                number,
                format!(
                    "truncated event line: expected reel, channels, transition and four timecodes, found {} fields",
                    tokens.len()
                ),
            ));
        }
        let split = rest.len() - 4;
        let (middle, times) = rest.split_at(split);
        let mut middle: Vec<&str> = middle.to_vec();
        // From the right: optional duration, transition (K B / K O as two tokens), channels;
        // the reel is what remains (it may hold blanks).
        let mut duration: Option<u32> = None;
        if middle.len() >= 4
            && let Some(last) = middle.last()
            && last.bytes().all(|b| b.is_ascii_digit())
            && middle
                .get(middle.len() - 2)
                .is_some_and(|t| parse_transition(t, 0).is_some() || *t == "B" || *t == "O")
        {
            duration = Some(last.parse().map_err(|_| {
                self.error(
                    number,
                    format!("transition duration `{}` is too large", shorten(last)),
                )
            })?);
            middle.pop();
        }
        let mut code = middle.pop().unwrap_or_default().to_ascii_uppercase();
        if (code == "B" || code == "O") && middle.len() >= 3 && middle.last() == Some(&"K") {
            middle.pop();
            code = format!("K{code}");
        }
        let transition = parse_transition(&code, duration.unwrap_or(0)).ok_or_else(|| {
            self.error(
                number,
                format!(
                    "unknown transition `{}` (C, D, Wnnn, K, KB, KO)",
                    shorten(&code)
                ),
            )
        })?;
        if matches!(
            transition,
            Transition::Dissolve { .. } | Transition::Wipe { .. }
        ) && duration.is_none()
        {
            return Err(self.error(number, format!("transition `{code}` without a duration")));
        }
        let channel_code = middle.pop().unwrap_or_default();
        let channels = parse_channels(channel_code).ok_or_else(|| {
            self.error(
                number,
                format!(
                    "unknown channels `{}` (V, A, A2, AA, B, AA/V, A2/V, A3..., NONE)",
                    shorten(channel_code)
                ),
            )
        })?;
        if middle.is_empty() {
            return Err(self.error(number, "event line without a reel name"));
        }
        let reel = middle.join(" ");
        let upper_reel = reel.to_ascii_uppercase();
        let source_kind = match upper_reel.as_str() {
            "BL" | "BLK" | "BLACK" => SourceKind::Black,
            "AX" => SourceKind::Aux,
            _ => SourceKind::Reel,
        };
        let [src_in, src_out, rec_in, rec_out] = times else {
            return Err(self.error(number, "expected four timecodes"));
        };
        let mut rate = self.rate;
        let mut record_frames = [0i64; 2];
        for (slot, text) in record_frames.iter_mut().zip([rec_in, rec_out]) {
            let (frame, used) = self.read_timecode(number, text, rate)?;
            rate = used;
            *slot = frame;
        }
        let (source_frames, source_rate) =
            self.read_source_timecodes(number, src_in, src_out, rate, channels.video)?;
        let [si, so] = source_frames;
        let [ri, ro] = record_frames;
        let (source, record) = match (FrameRange::new(si, so), FrameRange::new(ri, ro)) {
            (Ok(source), Ok(record)) => (source, record),
            (Err(_), Ok(record)) if !self.options.strict => {
                self.warn(number, format!("source out {src_out} is before source in {src_in}: source taken as {} frames from its in point", record.len()));
                (FrameRange::from_start_len(si, record.len())?, record)
            }
            (Ok(source), Err(_)) if !self.options.strict => {
                self.warn(number, format!("record out {rec_out} is before record in {rec_in}: record taken as {} frames from its in point", source.len()));
                (source, FrameRange::from_start_len(ri, source.len())?)
            }
            (Err(_), _) => {
                return Err(self.error(
                    number,
                    format!("source out {src_out} is before source in {src_in}"),
                ));
            }
            (_, Err(_)) => {
                return Err(self.error(
                    number,
                    format!("record out {rec_out} is before record in {rec_in}"),
                ));
            }
        };
        Ok(Event {
            number: event_number,
            line: number,
            reel,
            source_kind,
            channels,
            transition,
            rate,
            source_rate,
            source,
            record,
            speed: None,
            clip_name: None,
            source_file: None,
            media_path: None,
            locators: Vec::new(),
            cdl: None,
            effect_name: None,
            comments: Vec::new(),
        })
    }

    /// The source in and out at the list's rate, or (lenient, sound only) at the smallest
    /// standard rate of the same kind (integer or x000/1001) where both exist.
    fn read_source_timecodes(
        &mut self,
        number: usize,
        src_in: &str,
        src_out: &str,
        rate: FrameRate,
        video: bool,
    ) -> Result<([i64; 2], FrameRate)> {
        let at = |this: &Self, rate: FrameRate| -> Result<([i64; 2], FrameRate)> {
            let (a, rate) = this.read_timecode(number, src_in, rate)?;
            let (b, rate) = this.read_timecode(number, src_out, rate)?;
            Ok(([a, b], rate))
        };
        let first_error = match at(self, rate) {
            Ok(found) => return Ok(found),
            Err(e) => e,
        };
        if self.options.strict || video {
            return Err(first_error);
        }
        let mut candidates: Vec<FrameRate> = FrameRate::STANDARD
            .into_iter()
            .filter(|c| c.den() == rate.den() && !c.is_drop_frame() && c.nominal() > rate.nominal())
            .collect();
        candidates.sort_by_key(|c| c.nominal());
        for candidate in candidates {
            if let Ok(found) = at(self, candidate) {
                self.warn(
                    number,
                    format!("source timecodes {src_in} {src_out} do not exist at {rate}: read at {candidate}"),
                );
                return Ok(found);
            }
        }
        Err(first_error)
    }

    /// A timecode (or a bare frame count) at `rate`; a `;` switches 29.97/59.94 to drop-frame.
    fn read_timecode(
        &self,
        number: usize,
        text: &str,
        rate: FrameRate,
    ) -> Result<(i64, FrameRate)> {
        let wrap = |e: Error| self.error(number, e.to_string());
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            let frame: u64 = text.parse().map_err(|_| {
                self.error(
                    number,
                    format!("frame count `{}` is too large", shorten(text)),
                )
            })?;
            // Validate through the label so the count stays within a day.
            Timecode::from_frame(frame, rate).map_err(wrap)?;
            return Ok((frame as i64, rate));
        }
        let tc = Timecode::parse_detect_drop(text, rate).map_err(wrap)?;
        // `to_frame` is below one day's frames, far inside i64.
        Ok((tc.to_frame() as i64, tc.rate()))
    }

    fn speed_line(&mut self, number: usize, line: &str) -> Result<()> {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let [_, reel @ .., speed, tc] = tokens.as_slice() else {
            return Err(self.error(
                number,
                "truncated M2 line: expected M2 <reel> <speed> <timecode>",
            ));
        };
        if self.group.is_empty() {
            return Err(self.error(number, "M2 line before any event"));
        }
        let fps = comments::parse_number(speed).ok_or_else(|| {
            self.error(
                number,
                format!("M2 speed `{}` is not a number", shorten(speed)),
            )
        })?;
        let (entry_frame, _) = self.read_timecode(number, tc, self.rate)?;
        self.speeds.push(Speed {
            reel: reel.join(" "),
            fps,
            entry_frame,
            line: number,
        });
        self.group_lines.push((number, line.to_string()));
        Ok(())
    }

    fn audio_line(&mut self, number: usize, line: &str) -> Result<()> {
        let Some(last) = self.group.last_mut() else {
            self.warn(number, "AUD line before any event ignored");
            return Ok(());
        };
        for token in line.get(3..).unwrap_or("").split_whitespace() {
            match token.parse::<u8>() {
                Ok(channel @ 1..=99) => {
                    if !last.event.channels.audio.contains(&channel) {
                        last.event.channels.audio.push(channel);
                        last.event.channels.audio.sort_unstable();
                    }
                }
                _ => {
                    return Err(self.error(
                        number,
                        format!(
                            "AUD line: `{}` is not an audio channel number",
                            shorten(token)
                        ),
                    ));
                }
            }
        }
        self.group_lines.push((number, line.to_string()));
        Ok(())
    }

    /// Attaches the collected lines to the events of the group and moves them out.
    fn flush(&mut self) {
        let group = std::mem::take(&mut self.group);
        let lines = std::mem::take(&mut self.group_lines);
        let speeds = std::mem::take(&mut self.speeds);
        if group.is_empty() {
            return;
        }
        let mut events: Vec<Event> = group.into_iter().map(|p| p.event).collect();
        let mut from_name = None;
        let mut to_name = None;
        let mut source_file = None;
        let mut media_path = None;
        let mut effect_name = None;
        let mut locators = Vec::new();
        let mut cdl: Option<Cdl> = None;
        let mut raw = Vec::with_capacity(lines.len());
        let rate = events.last().map_or(self.rate, |e| e.rate);
        for (number, line) in lines {
            let upper: String = line
                .chars()
                .take(16)
                .collect::<String>()
                .to_ascii_uppercase();
            if let Some(rest) = strip_keyword(&line, &upper, "EFFECTS NAME IS") {
                effect_name = Some(rest.trim().to_string());
            } else {
                match comments::classify(&line) {
                    Comment::FromClipName(name) => from_name = Some(name),
                    Comment::ToClipName(name) => to_name = Some(name),
                    Comment::SourceFile(name) => source_file = Some(name),
                    Comment::MediaPath(path) => media_path = Some(path),
                    Comment::Locator(body) => match parse_locator(&body, rate, number) {
                        Some(locator) => locators.push(locator),
                        None => self.warn(
                            number,
                            format!("unreadable locator kept as a comment: {}", shorten(&body)),
                        ),
                    },
                    Comment::AscSop(body) => match comments::parse_sop(&body) {
                        Some([slope, offset, power]) => {
                            let c = cdl.get_or_insert_with(Cdl::default);
                            c.slope = slope;
                            c.offset = offset;
                            c.power = power;
                            c.has_sop = true;
                        }
                        None => self.warn(
                            number,
                            format!("malformed ASC_SOP kept as a comment: {}", shorten(&body)),
                        ),
                    },
                    Comment::AscSat(body) => match comments::parse_sat(&body) {
                        Some(sat) => {
                            let c = cdl.get_or_insert_with(Cdl::default);
                            c.saturation = sat;
                            c.has_sat = true;
                        }
                        None => self.warn(
                            number,
                            format!("malformed ASC_SAT kept as a comment: {}", shorten(&body)),
                        ),
                    },
                    Comment::Other => {}
                }
            }
            raw.push(line);
        }
        let count = events.len();
        for (index, event) in events.iter_mut().enumerate() {
            let is_last = index + 1 == count;
            event.clip_name = if count == 1 {
                from_name.clone().or_else(|| to_name.clone())
            } else if index == 0 {
                from_name.clone()
            } else {
                to_name.clone()
            };
            event.source_file.clone_from(&source_file);
            event.media_path.clone_from(&media_path);
            event.cdl = cdl;
            if is_last {
                event.locators = std::mem::take(&mut locators);
                event.comments = std::mem::take(&mut raw);
                event.effect_name = effect_name.take();
            }
        }
        // Each M2 line goes to the event of its reel (the last such), else the last event.
        for speed in speeds {
            let target = events
                .iter()
                .rposition(|e| e.reel.eq_ignore_ascii_case(&speed.reel))
                .unwrap_or(count - 1);
            if let Some(event) = events.get_mut(target) {
                event.speed = Some(speed);
            }
        }
        self.events.extend(events);
    }

    fn finish(mut self) -> Result<Edl> {
        self.flush();
        Ok(Edl {
            title: self.title,
            rate: self.options.rate,
            events: self.events,
            warnings: self.warnings,
        })
    }
}
