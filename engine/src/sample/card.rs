//! The plan of a sample card: rolls, clips, sound files, their metadata and relative paths.

use std::io::Write;

use super::clip::{CameraBody, CameraRoll, ClipPlan, SensorLayout, SoundFilePlan, SoundRoll};
use super::dng::{self, ColorProfile};
use super::{
    CfaPattern, DngCompression, Illuminant, Rational, Timecode, bwf, samples_since_midnight, scene,
};
use crate::{Error, Result};

/// Largest accepted `scale` (frame size and frame count multiplier). At 8 a card is a few GB.
pub const MAX_SCALE: u32 = 8;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSpec {
    /// Seed of the sensor and audio noise (metadata does not depend on it).
    pub seed: u64,
    /// Multiplies frame width, height and clip frame counts (1..=[`MAX_SCALE`]).
    pub scale: u32,
    /// Shoot day (year, month, day): in clip names and origination dates.
    pub shoot_date: (u16, u8, u8),
    /// Production name, in iXML `PROJECT`.
    pub project: String,
    /// How the CinemaDNG frames store their samples (uncompressed by default).
    pub dng_compression: DngCompression,
}

impl Default for CardSpec {
    fn default() -> Self {
        Self {
            seed: 1,
            scale: 1,
            shoot_date: (2026, 11, 22),
            project: "Rushes Sample Day".into(),
            dng_compression: DngCompression::None,
        }
    }
}

impl CardSpec {
    /// The default day with this seed and scale.
    pub fn new(seed: u64, scale: u32) -> Self {
        Self {
            seed,
            scale,
            ..Self::default()
        }
    }
}

/// What a planned file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Frame `frame` of clip `clip` of camera roll `roll` (indexes into [`CardPlan::camera_rolls`]).
    DngFrame {
        roll: usize,
        clip: usize,
        frame: u32,
    },
    /// File `file` of sound roll `roll` (indexes into [`CardPlan::sound_rolls`]).
    Wav { roll: usize, file: usize },
}

/// One file of the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Roll (top-level folder) it belongs to.
    pub roll: String,
    /// Path relative to the card, `/`-separated, never absolute, never `..`.
    pub path: String,
    /// What to encode.
    pub kind: FileKind,
    /// Exact size in bytes.
    pub size: u64,
}

/// The whole card: every roll, clip and sound file with its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct CardPlan {
    /// What was asked for.
    pub spec: CardSpec,
    /// Camera rolls (`A001`, `B001`).
    pub camera_rolls: Vec<CameraRoll>,
    /// Sound rolls (`S001`).
    pub sound_rolls: Vec<SoundRoll>,
}

/// One camera unit's fixed setup.
struct Unit {
    letter: char,
    roll: u32,
    fps: Rational,
    cfa: CfaPattern,
    illuminant: Illuminant,
    iso: u32,
    f_number: Rational,
    t_stop: Rational,
    serial: &'static str,
    camera_id: &'static str,
}

const UNITS: [Unit; 2] = [
    Unit {
        letter: 'A',
        roll: 1,
        fps: Rational::new(24000, 1001),
        cfa: CfaPattern::Rggb,
        illuminant: Illuminant::D65,
        iso: 800,
        f_number: Rational::new(28, 10),
        t_stop: Rational::new(29, 10),
        serial: "RSC-10217",
        camera_id: "R1AB",
    },
    Unit {
        letter: 'B',
        roll: 1,
        fps: Rational::new(25, 1),
        cfa: CfaPattern::Grbg,
        illuminant: Illuminant::StdA,
        iso: 1600,
        f_number: Rational::new(20, 10),
        t_stop: Rational::new(21, 10),
        serial: "RSC-10342",
        camera_id: "R2KX",
    },
];

/// One take of the day: unit index, scene, take, start timecode, frames, lens, circled, note.
struct Take {
    unit: usize,
    scene: &'static str,
    take: u32,
    tc: (u32, u32, u32, u32),
    frames: u32,
    anamorphic: bool,
    focal_mm: u32,
    circled: bool,
    note: &'static str,
}

const TAKES: [Take; 5] = [
    Take {
        unit: 0,
        scene: "12",
        take: 1,
        tc: (9, 14, 3, 0),
        frames: 5,
        anamorphic: false,
        focal_mm: 35,
        circled: false,
        note: "false start, plane overhead",
    },
    Take {
        unit: 0,
        scene: "12",
        take: 2,
        tc: (9, 21, 47, 12),
        frames: 4,
        anamorphic: false,
        focal_mm: 35,
        circled: false,
        note: "boom in shot at the end",
    },
    Take {
        unit: 0,
        scene: "12",
        take: 3,
        tc: (9, 30, 5, 8),
        frames: 6,
        anamorphic: false,
        focal_mm: 35,
        circled: true,
        note: "good take <print>",
    },
    Take {
        unit: 1,
        scene: "14A",
        take: 1,
        tc: (14, 2, 10, 5),
        frames: 5,
        anamorphic: false,
        focal_mm: 50,
        circled: false,
        note: "tungsten interior, dialogue overlap",
    },
    Take {
        unit: 1,
        scene: "14A",
        take: 2,
        tc: (14, 9, 33, 20),
        frames: 4,
        anamorphic: true,
        focal_mm: 50,
        circled: true,
        note: "anamorphic wide & clean",
    },
];

/// The camera's colour profile (published DNG matrices of a real sensor; see [`dng`]).
pub(crate) fn profile() -> &'static ColorProfile {
    &dng::SAMPLECAM_PROFILE
}

impl CardPlan {
    /// Plans the day described by `spec`.
    pub fn new(spec: &CardSpec) -> Result<Self> {
        if spec.scale == 0 || spec.scale > MAX_SCALE {
            return Err(Error::Sample(format!(
                "scale {} is out of range (1 to {MAX_SCALE})",
                spec.scale
            )));
        }
        let (y, m, d) = spec.shoot_date;
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1000..=9999).contains(&y) {
            return Err(Error::Sample(format!(
                "shoot date {y}-{m}-{d} is not a date"
            )));
        }
        let date6 = format!("{:02}{m:02}{d:02}", y % 100);
        let k = spec.scale;
        let mut camera_rolls: Vec<CameraRoll> = UNITS
            .iter()
            .map(|u| CameraRoll {
                name: format!("{}{:03}", u.letter, u.roll),
                clips: Vec::new(),
            })
            .collect();
        let mut sound = SoundRoll {
            name: "S001".into(),
            files: Vec::new(),
        };
        for t in &TAKES {
            let u = &UNITS[t.unit];
            let roll = &mut camera_rolls[t.unit];
            let clip_number = roll.clips.len() as u32 + 1;
            let clip_name = format!("{}C{clip_number:03}_{date6}_{}", roll.name, u.camera_id);
            let (h, mi, s, f) = t.tc;
            let start_tc = Timecode::from_hmsf(h, mi, s, f, u.fps)?;
            let sensor = if t.anamorphic {
                // 4:3 sensor window; the 2.39:1 extraction after 2x desqueeze is 344 x 288 raw.
                SensorLayout::with_borders(384, 288, 344, 288, k)
            } else {
                SensorLayout::with_borders(512, 288, 480, 270, k)
            };
            let color_matrix = profile().matrix_for(u.illuminant);
            let (_, neutral) = scene::camera_from_rec709(&color_matrix, u.illuminant);
            let lens_model = if t.anamorphic {
                format!(
                    "Rushes Anamorphic 2x {}mm T{}",
                    t.focal_mm,
                    tstop_text(u.t_stop)
                )
            } else {
                format!("Rushes Prime {}mm T{}", t.focal_mm, tstop_text(u.t_stop))
            };
            let clip = ClipPlan {
                roll: roll.name.clone(),
                dir: format!("{}/{clip_name}", roll.name),
                clip_name: clip_name.clone(),
                clip_number,
                fps: u.fps,
                start_tc,
                frame_count: t.frames * k,
                first_frame_number: 1001,
                camera: CameraBody {
                    make: "Rushes".into(),
                    model: "SampleCam".into(),
                    unique_camera_model: "Rushes SampleCam".into(),
                    serial: u.serial.into(),
                    label: u.letter.to_string(),
                    camera_id: u.camera_id.into(),
                },
                sensor,
                cfa: u.cfa,
                squeeze: if t.anamorphic {
                    Rational::new(2, 1)
                } else {
                    Rational::new(1, 1)
                },
                scene: t.scene.into(),
                take: t.take,
                iso: u.iso,
                // 180-degree shutter: half a frame.
                exposure_time: Rational::new(u.fps.den, 2 * u.fps.num),
                f_number: u.f_number,
                t_stop: u.t_stop,
                lens_model,
                focal_length_mm: t.focal_mm,
                illuminant: u.illuminant,
                black_level: 256,
                white_level: 4095,
                as_shot_neutral: neutral,
                shoot_date: spec.shoot_date,
            };
            sound.files.push(plan_sound(spec, &sound.name, &clip, t)?);
            roll.clips.push(clip);
        }
        Ok(Self {
            spec: spec.clone(),
            camera_rolls,
            sound_rolls: vec![sound],
        })
    }

    /// Every camera clip, in shooting order per roll.
    pub fn clips(&self) -> impl Iterator<Item = &ClipPlan> {
        self.camera_rolls.iter().flat_map(|r| r.clips.iter())
    }

    /// Every sound file.
    pub fn sound_files(&self) -> impl Iterator<Item = &SoundFilePlan> {
        self.sound_rolls.iter().flat_map(|r| r.files.iter())
    }

    /// Roll (top-level folder) names: camera rolls, then sound rolls.
    pub fn roll_names(&self) -> Vec<&str> {
        let cams = self.camera_rolls.iter().map(|r| r.name.as_str());
        cams.chain(self.sound_rolls.iter().map(|r| r.name.as_str()))
            .collect()
    }

    /// Every file of the card, roll by roll, with its exact size.
    pub fn files(&self) -> Result<Vec<PlannedFile>> {
        let mut out = Vec::new();
        for (ri, roll) in self.camera_rolls.iter().enumerate() {
            for (ci, clip) in roll.clips.iter().enumerate() {
                let fixed_size = match self.spec.dng_compression {
                    DngCompression::None => Some(dng::dng_len(clip)?),
                    DngCompression::LosslessJpeg => None,
                };
                for frame in 0..clip.frame_count {
                    let size = match fixed_size {
                        Some(size) => size,
                        // A compressed frame's size is known once it is encoded.
                        None => {
                            let mut counter = ByteCounter::default();
                            dng::write_dng_with(
                                clip,
                                frame,
                                self.spec.seed,
                                self.spec.dng_compression,
                                &mut counter,
                            )?;
                            counter.0
                        }
                    };
                    out.push(PlannedFile {
                        roll: roll.name.clone(),
                        path: clip.frame_path(frame),
                        kind: FileKind::DngFrame {
                            roll: ri,
                            clip: ci,
                            frame,
                        },
                        size,
                    });
                }
            }
        }
        for (ri, roll) in self.sound_rolls.iter().enumerate() {
            for (fi, f) in roll.files.iter().enumerate() {
                out.push(PlannedFile {
                    roll: roll.name.clone(),
                    path: f.path.clone(),
                    kind: FileKind::Wav { roll: ri, file: fi },
                    size: bwf::bwf_len(f)?,
                });
            }
        }
        Ok(out)
    }

    /// Encodes one planned file into `out`.
    pub fn write_file(&self, file: &PlannedFile, out: &mut dyn Write) -> Result<()> {
        let missing = || Error::Sample(format!("{}: not a file of this card", file.path));
        match file.kind {
            FileKind::DngFrame { roll, clip, frame } => {
                let clip = self
                    .camera_rolls
                    .get(roll)
                    .and_then(|r| r.clips.get(clip))
                    .filter(|c| frame < c.frame_count)
                    .ok_or_else(missing)?;
                dng::write_dng_with(clip, frame, self.spec.seed, self.spec.dng_compression, out)
            }
            FileKind::Wav { roll, file: i } => {
                let f = self
                    .sound_rolls
                    .get(roll)
                    .and_then(|r| r.files.get(i))
                    .ok_or_else(missing)?;
                bwf::write_bwf(f, self.spec.seed, out)
            }
        }
    }
}

/// A writer that only counts bytes.
#[derive(Debug, Default)]
struct ByteCounter(u64);

impl Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn tstop_text(t: Rational) -> String {
    let v = t.as_f64();
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The sound file of one take: one timecode second of pre-roll before the camera rolls and one
/// after it cuts.
fn plan_sound(spec: &CardSpec, roll: &str, clip: &ClipPlan, t: &Take) -> Result<SoundFilePlan> {
    let rate = 48_000;
    let roll_frames = u64::from(clip.start_tc.base());
    let start_tc = clip.start_tc.minus_frames(roll_frames);
    let end_tc = clip
        .start_tc
        .plus_frames(u64::from(clip.frame_count) + roll_frames);
    let time_reference = samples_since_midnight(start_tc, clip.fps, rate)?;
    let clip_start = samples_since_midnight(clip.start_tc, clip.fps, rate)?;
    let end = samples_since_midnight(end_tc, clip.fps, rate)?;
    let (h, m, s, _) = start_tc.hmsf();
    let (y, mo, d) = spec.shoot_date;
    let file_name = format!("SC{}_T{:02}.WAV", t.scene, t.take);
    Ok(SoundFilePlan {
        roll: roll.into(),
        path: format!("{roll}/{file_name}"),
        file_name,
        project: spec.project.clone(),
        scene: t.scene.into(),
        take: t.take,
        circled: t.circled,
        note: t.note.into(),
        camera_clip: clip.clip_name.clone(),
        sample_rate: rate,
        channels: 2,
        bits_per_sample: 24,
        timecode_rate: clip.fps,
        start_tc,
        time_reference,
        sample_count: end.saturating_sub(time_reference),
        clip_start_offset: clip_start - time_reference,
        track_names: vec!["BOOM".into(), "LAV 1".into()],
        origination_date: format!("{y:04}-{mo:02}-{d:02}"),
        origination_time: format!("{h:02}:{m:02}:{s:02}"),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn day_layout() {
        let plan = CardPlan::new(&CardSpec::default()).unwrap();
        assert_eq!(plan.roll_names(), vec!["A001", "B001", "S001"]);
        let a = &plan.camera_rolls[0].clips[0];
        assert_eq!(a.clip_name, "A001C001_261122_R1AB");
        assert_eq!(
            a.frame_path(0),
            "A001/A001C001_261122_R1AB/A001C001_261122_R1AB_0001001.dng"
        );
        assert_eq!(a.fps, Rational::new(24000, 1001));
        assert_eq!(a.start_tc.to_string(), "09:14:03:00");
        let b = &plan.camera_rolls[1].clips[1];
        assert_eq!(b.squeeze, Rational::new(2, 1));
        assert_eq!(b.cfa, CfaPattern::Grbg);
        assert_ne!(a.camera.serial, b.camera.serial);
        assert_eq!(plan.sound_files().count(), plan.clips().count());
        // 180-degree shutter at 23.976 is 1001/48000 s.
        assert_eq!(a.exposure_time, Rational::new(1001, 48000));
    }

    #[test]
    fn timecode_increases_through_the_day() {
        let plan = CardPlan::new(&CardSpec::new(1, MAX_SCALE)).unwrap();
        let mut clips: Vec<&ClipPlan> = plan.clips().collect();
        clips.sort_by(|x, y| x.start_seconds().total_cmp(&y.start_seconds()));
        let names: Vec<&str> = clips.iter().map(|c| c.clip_name.as_str()).collect();
        let order: Vec<String> = plan.clips().map(|c| c.clip_name.clone()).collect();
        assert_eq!(names, order, "shooting order is timecode order");
        for w in clips.windows(2) {
            assert!(w[0].end_seconds() < w[1].start_seconds());
        }
    }

    #[test]
    fn sound_lines_up_with_its_clip() {
        let plan = CardPlan::new(&CardSpec::default()).unwrap();
        for (clip, wav) in plan.clips().zip(plan.sound_files()) {
            assert_eq!(wav.camera_clip, clip.clip_name);
            assert_eq!(wav.scene, clip.scene);
            assert_eq!(wav.take, clip.take);
            let start = samples_since_midnight(clip.start_tc, clip.fps, 48_000).unwrap();
            assert_eq!(wav.time_reference + wav.clip_start_offset, start);
            // One timecode second of pre-roll: 24 frames of 2002 samples, or 25 of 1920.
            let pre = if clip.fps.den == 1001 {
                24 * 2002
            } else {
                48_000
            };
            assert_eq!(wav.clip_start_offset, pre);
            assert!(wav.sample_count > wav.clip_start_offset + pre);
        }
        let first = plan.sound_files().next().unwrap();
        assert_eq!(first.file_name, "SC12_T01.WAV");
        assert_eq!(first.origination_time, "09:14:02");
        // 09:14:02:00 at 23.976: ((9*60+14)*60+2)*24 frames of 2002 samples.
        assert_eq!(first.time_reference, ((9 * 60 + 14) * 60 + 2) * 24 * 2002);
    }

    #[test]
    fn paths_are_safe_and_unique() {
        let plan = CardPlan::new(&CardSpec::default()).unwrap();
        let files = plan.files().unwrap();
        let mut seen = std::collections::HashSet::new();
        for f in &files {
            assert!(
                !f.path.starts_with('/') && !f.path.contains('\\'),
                "{}",
                f.path
            );
            assert!(
                f.path
                    .split('/')
                    .all(|c| !c.is_empty() && c != ".." && c != ".")
            );
            assert!(f.path.starts_with(&format!("{}/", f.roll)));
            assert!(seen.insert(f.path.clone()));
        }
        assert_eq!(files.len(), 24 + 5);
    }

    #[test]
    fn rejects_bad_specs() {
        for scale in [0, MAX_SCALE + 1] {
            let err = CardPlan::new(&CardSpec::new(1, scale)).unwrap_err();
            assert!(err.to_string().contains("scale"), "{err}");
        }
        let spec = CardSpec {
            shoot_date: (2026, 13, 1),
            ..CardSpec::default()
        };
        assert!(CardPlan::new(&spec).is_err());
    }

    #[test]
    fn write_file_rejects_foreign_entries() {
        let plan = CardPlan::new(&CardSpec::default()).unwrap();
        let bogus = PlannedFile {
            roll: "A001".into(),
            path: "A001/x.dng".into(),
            kind: FileKind::DngFrame {
                roll: 0,
                clip: 0,
                frame: 999,
            },
            size: 0,
        };
        let err = plan.write_file(&bogus, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("A001/x.dng"), "{err}");
    }
}
