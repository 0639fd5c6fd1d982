//! OpenTimelineIO `.otio` JSON reader: timelines with tracks of clips, gaps and transitions
//! (linear time warps, freeze frames, media references, markers, CDL and reel metadata) into
//! the [`Edl`] event model.

use serde_json::{Map, Value};

use super::model::{Cdl, Channels, Edl, Event, Locator, SourceKind, Speed, Transition, Warning};
use super::otio_values::{first_rate, media_reference, rate_from_float, short};
use crate::timecode::{FrameRange, FrameRate};
use crate::{Error, Result};

/// How to read an `.otio` timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtioOptions {
    /// The frame rate to count in. `None`: the rate of the first timed item, matched to a
    /// standard rate (29.97 and 59.94 as non-drop-frame). A rate given here also decides
    /// drop-frame counting.
    pub rate: Option<FrameRate>,
    /// Largest input accepted, in bytes.
    pub max_bytes: usize,
    /// Largest number of track items (clips, gaps, transitions) accepted.
    pub max_items: usize,
}

impl Default for OtioOptions {
    fn default() -> Self {
        Self {
            rate: None,
            max_bytes: 64 << 20,
            max_items: 200_000,
        }
    }
}

/// Reads an OpenTimelineIO JSON timeline. Every clip of every track becomes an [`Event`],
/// track by track (video tracks give picture events, audio tracks sound events on channel
/// `An` for a track named `An`, else on its position among the audio tracks), numbered from 1
/// in that order. Record frames are the clip's position on its track plus the timeline's
/// `global_start_time`, less the track's own trim. Markers become locators at record frames.
/// Disabled clips are skipped with a warning; nested stacks take their time but their clips
/// are not expanded (warning).
pub fn parse_otio(input: &str, bytes: &[u8], options: &OtioOptions) -> Result<Edl> {
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
    let root: Value = serde_json::from_slice(bytes).map_err(|e| Error::OtioInvalid {
        input: input.into(),
        path: format!("line {} column {}", e.line(), e.column()),
        problem: format!("not JSON: {e}"),
    })?;
    let mut reader = OtioReader {
        input,
        options,
        rate: options.rate,
        events: Vec::new(),
        warnings: Vec::new(),
        items: 0,
    };
    reader.timeline(&root)
}

struct OtioReader<'a> {
    input: &'a str,
    options: &'a OtioOptions,
    rate: Option<FrameRate>,
    events: Vec<Event>,
    warnings: Vec<Warning>,
    items: usize,
}

/// Where a value sits in the document, for errors.
type Path<'p> = &'p str;

impl OtioReader<'_> {
    fn error(&self, path: Path<'_>, problem: impl Into<String>) -> Error {
        Error::OtioInvalid {
            input: self.input.into(),
            path: path.into(),
            problem: problem.into(),
        }
    }

    fn warn(&mut self, path: Path<'_>, message: String) {
        if self.warnings.len() < 10_000 {
            self.warnings.push(Warning {
                line: 0,
                message: format!("{path}: {message}"),
            });
        }
    }

    fn object<'v>(&self, value: &'v Value, path: Path<'_>) -> Result<&'v Map<String, Value>> {
        value
            .as_object()
            .ok_or_else(|| self.error(path, "expected an object"))
    }

    fn schema<'v>(&self, obj: &'v Map<String, Value>, path: Path<'_>) -> Result<(&'v str, u32)> {
        let text = obj
            .get("OTIO_SCHEMA")
            .and_then(Value::as_str)
            .ok_or_else(|| self.error(path, "missing OTIO_SCHEMA"))?;
        let (name, version) = text
            .split_once('.')
            .ok_or_else(|| self.error(path, format!("malformed OTIO_SCHEMA `{}`", short(text))))?;
        let version = version
            .parse()
            .map_err(|_| self.error(path, format!("malformed OTIO_SCHEMA `{}`", short(text))))?;
        Ok((name, version))
    }

    fn timeline(&mut self, root: &Value) -> Result<Edl> {
        let obj = self.object(root, "$")?;
        let (schema, _) = self.schema(obj, "$")?;
        if schema != "Timeline" {
            return Err(self.error("$", format!("expected a Timeline, found {}", short(schema))));
        }
        let title = obj
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let global_start = match obj.get("global_start_time") {
            None | Some(Value::Null) => None,
            Some(v) => Some(self.rational_time(v, "$.global_start_time")?),
        };
        let stack = obj
            .get("tracks")
            .ok_or_else(|| self.error("$", "timeline without tracks"))?;
        let stack = self.object(stack, "$.tracks")?;
        let children = self.children(stack, "$.tracks")?;
        // Decide the rate before counting frames.
        if self.rate.is_none() {
            let found = global_start
                .map(|(_, rate)| rate)
                .or_else(|| first_rate(children));
            let found =
                found.ok_or_else(|| self.error("$", "no timed item to take a frame rate from"))?;
            self.rate = Some(rate_from_float(found).ok_or_else(|| {
                self.error(
                    "$",
                    format!("frame rate {found} is not a rate we can count in"),
                )
            })?);
        }
        let start = match global_start {
            Some(time) => self.frames(time, "$.global_start_time")?,
            None => 0,
        };
        let mut audio_tracks = 0u8;
        for (index, track) in children.iter().enumerate() {
            let path = format!("$.tracks.children[{index}]");
            let track_obj = self.object(track, &path)?;
            let (schema, _) = self.schema(track_obj, &path)?;
            if schema != "Track" {
                self.warn(&path, format!("{schema} at the top of the stack skipped"));
                continue;
            }
            let kind = track_obj
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("Video");
            let channels = if kind.eq_ignore_ascii_case("audio") {
                audio_tracks = audio_tracks.saturating_add(1);
                let name = track_obj.get("name").and_then(Value::as_str).unwrap_or("");
                let channel = name
                    .strip_prefix(['A', 'a'])
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| *n > 0)
                    .unwrap_or(audio_tracks);
                Channels {
                    video: false,
                    audio: vec![channel],
                }
            } else {
                Channels {
                    video: true,
                    audio: Vec::new(),
                }
            };
            self.track(track_obj, &path, start, &channels)?;
        }
        let rate = self.rate.unwrap_or(FrameRate::FPS_24);
        Ok(Edl {
            title,
            rate,
            events: std::mem::take(&mut self.events),
            warnings: std::mem::take(&mut self.warnings),
        })
    }

    fn children<'v>(&self, obj: &'v Map<String, Value>, path: Path<'_>) -> Result<&'v Vec<Value>> {
        match obj.get("children") {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(self.error(path, "expected a `children` list")),
        }
    }

    fn track(
        &mut self,
        track: &Map<String, Value>,
        path: Path<'_>,
        timeline_start: i64,
        channels: &Channels,
    ) -> Result<()> {
        // A trimmed track shows its content from its source_range start.
        let trim = match track.get("source_range") {
            None | Some(Value::Null) => 0,
            Some(range) => {
                self.time_range(range, &format!("{path}.source_range"))?
                    .start
            }
        };
        let mut position: i64 = 0;
        let mut pending: Option<Transition> = None;
        for (index, item) in self.children(track, path)?.iter().enumerate() {
            self.items += 1;
            if self.items > self.options.max_items {
                return Err(Error::EdlTooLarge {
                    input: self.input.into(),
                    problem: format!("more than {} timeline items", self.options.max_items),
                });
            }
            let path = format!("{path}.children[{index}]");
            let obj = self.object(item, &path)?;
            let (schema, _) = self.schema(obj, &path)?;
            match schema {
                "Transition" => pending = Some(self.transition(obj, &path)?),
                "Gap" => {
                    let range = self.required_range(obj, &path)?;
                    position = add(position, range.len(), &path, self)?;
                }
                "Clip" => {
                    let range = self.required_range(obj, &path)?;
                    let record_start = timeline_start
                        .checked_add(position)
                        .and_then(|v| v.checked_sub(trim))
                        .ok_or_else(|| self.error(&path, "record position overflows"))?;
                    let enabled = obj.get("enabled").and_then(Value::as_bool).unwrap_or(true);
                    if enabled {
                        let event =
                            self.clip(obj, &path, range, record_start, channels, pending.take())?;
                        self.events.push(event);
                    } else {
                        pending = None;
                        self.warn(&path, "disabled clip skipped".into());
                    }
                    position = add(position, range.len(), &path, self)?;
                }
                "Stack" | "Track" => {
                    let length = match obj.get("source_range") {
                        Some(r) if !r.is_null() => {
                            self.time_range(r, &format!("{path}.source_range"))?.len()
                        }
                        _ => {
                            return Err(
                                self.error(&path, "nested composition without a source_range")
                            );
                        }
                    };
                    self.warn(
                        &path,
                        format!("nested {schema} not expanded ({length} frames)"),
                    );
                    position = add(position, length, &path, self)?;
                }
                other => self.warn(&path, format!("{} item skipped", short(other))),
            }
        }
        Ok(())
    }

    fn required_range(&self, obj: &Map<String, Value>, path: Path<'_>) -> Result<FrameRange> {
        match obj.get("source_range") {
            Some(range) if !range.is_null() => {
                self.time_range(range, &format!("{path}.source_range"))
            }
            _ => {
                // Without a trim, a clip plays its media reference's available range.
                let reference = media_reference(obj);
                match reference
                    .and_then(|r| r.get("available_range"))
                    .filter(|r| !r.is_null())
                {
                    Some(range) => {
                        self.time_range(range, &format!("{path}.media_reference.available_range"))
                    }
                    None => Err(self.error(path, "item without a source_range or available_range")),
                }
            }
        }
    }

    fn transition(&self, obj: &Map<String, Value>, path: Path<'_>) -> Result<Transition> {
        let in_offset = match obj.get("in_offset") {
            Some(v) if !v.is_null() => {
                self.frames(self.rational_time(v, &format!("{path}.in_offset"))?, path)?
            }
            _ => 0,
        };
        let out_offset = match obj.get("out_offset") {
            Some(v) if !v.is_null() => {
                self.frames(self.rational_time(v, &format!("{path}.out_offset"))?, path)?
            }
            _ => 0,
        };
        let frames = in_offset
            .checked_add(out_offset)
            .and_then(|f| u32::try_from(f).ok())
            .ok_or_else(|| self.error(path, "transition offsets out of range"))?;
        let kind = obj
            .get("transition_type")
            .and_then(Value::as_str)
            .unwrap_or("");
        if kind.eq_ignore_ascii_case("SMPTE_Wipe") {
            let pattern = obj
                .get("metadata")
                .and_then(|m| m.get("cmx_3600"))
                .and_then(|m| m.get("transition"))
                .and_then(Value::as_str)
                .and_then(|t| t.strip_prefix('W'))
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            Ok(Transition::Wipe { pattern, frames })
        } else {
            Ok(Transition::Dissolve { frames })
        }
    }

    fn clip(
        &mut self,
        obj: &Map<String, Value>,
        path: Path<'_>,
        source: FrameRange,
        record_start: i64,
        channels: &Channels,
        transition: Option<Transition>,
    ) -> Result<Event> {
        let rate = self.rate.unwrap_or(FrameRate::FPS_24);
        let name = obj
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let metadata = obj.get("metadata").and_then(Value::as_object);
        let cmx = metadata
            .and_then(|m| m.get("cmx_3600"))
            .and_then(Value::as_object);
        let reference = media_reference(obj);
        let reference_schema = reference
            .and_then(|r| r.get("OTIO_SCHEMA"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let generator = reference
            .and_then(|r| r.get("generator_kind"))
            .and_then(Value::as_str);
        let reel = cmx
            .and_then(|c| c.get("reel"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let source_kind = if reference_schema.starts_with("GeneratorReference")
            && generator.is_some_and(|g| g.eq_ignore_ascii_case("black"))
        {
            SourceKind::Black
        } else if reel.is_none() {
            SourceKind::Aux
        } else {
            SourceKind::Reel
        };
        let reel = reel.unwrap_or_else(|| {
            if source_kind == SourceKind::Black {
                "BL".into()
            } else {
                "AX".into()
            }
        });
        let media_path = reference.and_then(|r| {
            if let Some(url) = r.get("target_url").and_then(Value::as_str) {
                Some(url.to_string())
            } else {
                let base = r.get("target_url_base").and_then(Value::as_str)?;
                let prefix = r.get("name_prefix").and_then(Value::as_str).unwrap_or("");
                let suffix = r.get("name_suffix").and_then(Value::as_str).unwrap_or("");
                Some(format!("{base}{prefix}#{suffix}"))
            }
        });
        let number = u32::try_from(self.events.len() + 1).unwrap_or(u32::MAX);
        let record = FrameRange::from_start_len(record_start, source.len())
            .map_err(|_| self.error(path, "record range overflows"))?;
        let speed = self.speed(obj, path, &reel, source.start, rate)?;
        let cdl = match metadata.and_then(|m| m.get("cdl")) {
            Some(value) if !value.is_null() => {
                Some(self.cdl(value, &format!("{path}.metadata.cdl"))?)
            }
            _ => None,
        };
        let mut locators = Vec::new();
        if let Some(Value::Array(markers)) = obj.get("markers") {
            for (index, marker) in markers.iter().enumerate() {
                let mpath = format!("{path}.markers[{index}]");
                let m = self.object(marker, &mpath)?;
                let range = m
                    .get("marked_range")
                    .ok_or_else(|| self.error(&mpath, "marker without marked_range"))?;
                let at = self
                    .time_range(range, &format!("{mpath}.marked_range"))?
                    .start;
                // Markers sit in the clip's media time: move them to the record timeline.
                let frame = at
                    .checked_sub(source.start)
                    .and_then(|d| d.checked_add(record.start))
                    .ok_or_else(|| self.error(&mpath, "marker position overflows"))?;
                let color = m
                    .get("metadata")
                    .and_then(|x| x.get("cmx_3600"))
                    .and_then(|x| x.get("color"))
                    .and_then(Value::as_str)
                    .or_else(|| m.get("color").and_then(Value::as_str))
                    .map(str::to_string);
                locators.push(Locator {
                    frame,
                    timecode: String::new(),
                    color,
                    text: m
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    line: 0,
                });
            }
        }
        let comments = cmx
            .and_then(|c| c.get("comments"))
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Event {
            number,
            line: 0,
            reel,
            source_kind,
            channels: channels.clone(),
            transition: transition.unwrap_or(Transition::Cut),
            rate,
            source_rate: rate,
            source,
            record,
            speed,
            clip_name: name,
            source_file: None,
            media_path,
            locators,
            cdl,
            effect_name: None,
            comments,
        })
    }

    fn speed(
        &self,
        obj: &Map<String, Value>,
        path: Path<'_>,
        reel: &str,
        entry_frame: i64,
        rate: FrameRate,
    ) -> Result<Option<Speed>> {
        let Some(Value::Array(effects)) = obj.get("effects") else {
            return Ok(None);
        };
        for (index, effect) in effects.iter().enumerate() {
            let epath = format!("{path}.effects[{index}]");
            let e = self.object(effect, &epath)?;
            let (schema, _) = self.schema(e, &epath)?;
            let ratio = match schema {
                "FreezeFrame" => 0.0,
                "LinearTimeWarp" => e
                    .get("time_scalar")
                    .and_then(Value::as_f64)
                    .filter(|v| v.is_finite() && v.abs() < 1e6)
                    .ok_or_else(|| self.error(&epath, "time_scalar must be a finite number"))?,
                _ => continue,
            };
            return Ok(Some(Speed {
                reel: reel.to_string(),
                fps: ratio * rate.as_f64(),
                entry_frame,
                line: 0,
            }));
        }
        Ok(None)
    }

    fn cdl(&self, value: &Value, path: Path<'_>) -> Result<Cdl> {
        let mut cdl = Cdl::default();
        let triple = |v: Option<&Value>, what: &str| -> Result<Option<[f64; 3]>> {
            let Some(v) = v else { return Ok(None) };
            let list = v
                .as_array()
                .ok_or_else(|| self.error(path, format!("{what} must be a list")))?;
            let numbers: Option<Vec<f64>> = list
                .iter()
                .map(|x| x.as_f64().filter(|f| f.is_finite()))
                .collect();
            match numbers.as_deref() {
                Some([a, b, c]) => Ok(Some([*a, *b, *c])),
                _ => Err(self.error(path, format!("{what} must be three finite numbers"))),
            }
        };
        if let Some(sop) = value.get("asc_sop").filter(|v| !v.is_null()) {
            if let Some(v) = triple(sop.get("slope"), "slope")? {
                cdl.slope = v;
            }
            if let Some(v) = triple(sop.get("offset"), "offset")? {
                cdl.offset = v;
            }
            if let Some(v) = triple(sop.get("power"), "power")? {
                cdl.power = v;
            }
            cdl.has_sop = true;
        }
        if let Some(sat) = value.get("asc_sat").filter(|v| !v.is_null()) {
            cdl.saturation = sat
                .as_f64()
                .filter(|f| f.is_finite())
                .ok_or_else(|| self.error(path, "asc_sat must be a finite number"))?;
            cdl.has_sat = true;
        }
        Ok(cdl)
    }

    /// `(value, rate)` of a RationalTime.
    fn rational_time(&self, value: &Value, path: Path<'_>) -> Result<(f64, f64)> {
        let obj = self.object(value, path)?;
        let number = |key: &str| {
            obj.get(key)
                .and_then(Value::as_f64)
                .filter(|v| v.is_finite())
                .ok_or_else(|| self.error(path, format!("`{key}` must be a finite number")))
        };
        let v = number("value")?;
        let rate = number("rate")?;
        // Times may count samples (48000) as well as frames.
        if rate <= 0.0 || rate > 1e9 {
            return Err(self.error(path, format!("rate {rate} is out of range")));
        }
        Ok((v, rate))
    }

    /// A RationalTime as frames at the reader's rate, rounded to the nearest frame.
    fn frames(&self, (value, rate): (f64, f64), path: Path<'_>) -> Result<i64> {
        let target = self.rate.unwrap_or(FrameRate::FPS_24).as_f64();
        let frames = (value * target / rate).round();
        if !frames.is_finite() || frames.abs() > 1e12 {
            return Err(self.error(path, format!("time {value} at {rate} fps is out of range")));
        }
        Ok(frames as i64)
    }

    fn time_range(&self, value: &Value, path: Path<'_>) -> Result<FrameRange> {
        let obj = self.object(value, path)?;
        let start = obj
            .get("start_time")
            .ok_or_else(|| self.error(path, "missing start_time"))?;
        let duration = obj
            .get("duration")
            .ok_or_else(|| self.error(path, "missing duration"))?;
        let start = self.frames(
            self.rational_time(start, &format!("{path}.start_time"))?,
            path,
        )?;
        let length = self.frames(
            self.rational_time(duration, &format!("{path}.duration"))?,
            path,
        )?;
        let length = u64::try_from(length).map_err(|_| self.error(path, "negative duration"))?;
        FrameRange::from_start_len(start, length).map_err(|_| self.error(path, "range overflows"))
    }
}

fn add(position: i64, len: u64, path: Path<'_>, reader: &OtioReader<'_>) -> Result<i64> {
    i64::try_from(len)
        .ok()
        .and_then(|l| position.checked_add(l))
        .ok_or_else(|| reader.error(path, "track position overflows"))
}
