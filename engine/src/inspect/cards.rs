//! Camera format cards: clips that share camera letter, camera model, sensor mode, codec and
//! squeeze share a card; a card missing what a pipeline needs says why; user overrides (a small
//! JSON file) fix clips of a format and are applied again to later rolls of the same format.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::clip::{Clip, ClipKind, Rational};
use crate::{Error, Result};

/// Largest overrides document accepted.
pub const MAX_OVERRIDES_BYTES: usize = 1 << 20;
/// Most override rules in one document.
pub const MAX_OVERRIDE_RULES: usize = 10_000;

/// What makes two camera clips the same format.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct FormatKey {
    /// Camera letter (`A`), when known.
    pub camera_letter: Option<String>,
    /// Camera make and model (`Rushes SampleCam`), when known.
    pub camera_model: Option<String>,
    /// Sensor mode `WIDTHxHEIGHT`, when known.
    pub sensor: Option<String>,
    /// Codec (`uncompressed`, `lossless_jpeg`, ...).
    pub codec: String,
    /// Anamorphic squeeze written with up to 3 decimals (`1`, `1.3`, `2`), when known.
    pub squeeze: Option<String>,
}

impl FormatKey {
    /// The key of a clip.
    pub fn of(clip: &Clip) -> Self {
        let model = match (&clip.camera.make, &clip.camera.model) {
            (Some(make), Some(model)) if model.starts_with(make.as_str()) => Some(model.clone()),
            (Some(make), Some(model)) => Some(format!("{make} {model}")),
            (None, Some(model)) => Some(model.clone()),
            (Some(make), None) => Some(make.clone()),
            (None, None) => None,
        };
        Self {
            camera_letter: clip.camera_letter.clone(),
            camera_model: model,
            sensor: clip
                .sensor
                .as_ref()
                .map(|s| format!("{}x{}", s.width, s.height)),
            codec: clip.format.codec.clone(),
            squeeze: clip.lens.squeeze.map(squeeze_text),
        }
    }

    /// A readable, stable id: `A/Rushes SampleCam/512x288/uncompressed/1x` (`?` for unknowns).
    pub fn card_id(&self) -> String {
        let q = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
        format!(
            "{}/{}/{}/{}/{}x",
            q(&self.camera_letter),
            q(&self.camera_model),
            q(&self.sensor),
            self.codec,
            q(&self.squeeze)
        )
    }
}

fn squeeze_text(s: f64) -> String {
    let t = format!("{:.3}", (s * 1000.0).round() / 1000.0);
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Whether a card has everything downstream steps need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    /// Camera, sensor mode, codec, squeeze, frame rate and bit depth are all known and agree.
    Resolved,
    /// Something is unknown or disagrees between clips; see `missing`.
    Missing,
}

/// One camera format card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FormatCard {
    /// Stable id made from the key ([`FormatKey::card_id`]).
    pub card_id: String,
    /// What the clips of this card share.
    pub key: FormatKey,
    /// Resolved or missing.
    pub status: CardStatus,
    /// Why the card is missing (empty when resolved).
    pub missing: Vec<String>,
    /// Frame rate shared by the clips, when they agree.
    pub frame_rate: Option<Rational>,
    /// Bit depth shared by the clips, when they agree.
    pub bit_depth: Option<u32>,
    /// Container shared by the clips, when they agree.
    pub container: Option<String>,
    /// Colour filter array shared by the clips, when they agree.
    pub cfa_pattern: Option<String>,
    /// Ids of the clips on this card.
    pub clip_ids: Vec<String>,
    /// Override rules (by index in the overrides document) applied to clips of this card.
    pub overrides_applied: Vec<usize>,
}

/// The value all items share, `Err` listing the distinct values when they differ.
fn shared<T: PartialEq + Clone + std::fmt::Debug>(
    items: &[Option<T>],
) -> Result<Option<T>, String> {
    let mut out: Option<T> = None;
    let mut distinct: Vec<T> = Vec::new();
    for v in items.iter().flatten() {
        if !distinct.contains(v) {
            distinct.push(v.clone());
        }
        out.get_or_insert_with(|| v.clone());
    }
    if distinct.len() > 1 {
        return Err(format!("{distinct:?}"));
    }
    if items.iter().any(Option::is_none) && out.is_some() {
        return Err("known on some clips only".into());
    }
    Ok(out)
}

/// Groups the camera clips of `clips` into format cards, sorted by card id. `applied` gives, for
/// each clip (same order as `clips`), the override rules applied to it (see [`Overrides::apply`]).
pub fn format_cards(clips: &[Clip], applied: &[Vec<usize>]) -> Vec<FormatCard> {
    let mut groups: std::collections::BTreeMap<FormatKey, Vec<usize>> = Default::default();
    for (i, c) in clips.iter().enumerate() {
        if c.kind == ClipKind::Camera {
            groups.entry(FormatKey::of(c)).or_default().push(i);
        }
    }
    groups
        .into_iter()
        .map(|(key, idx)| {
            let members: Vec<&Clip> = idx.iter().filter_map(|&i| clips.get(i)).collect();
            let mut missing = Vec::new();
            if key.camera_model.is_none() {
                missing.push("camera make/model unknown".to_string());
            }
            if key.camera_letter.is_none() {
                missing.push("camera letter unknown".to_string());
            }
            if key.sensor.is_none() {
                missing.push("sensor mode (width x height) unknown".to_string());
            }
            if key.codec == "unknown" {
                missing.push("codec unknown".to_string());
            }
            if key.squeeze.is_none() {
                missing.push("anamorphic squeeze unknown".to_string());
            }
            let mut pick = |what: &str, r: Result<Option<String>, String>| match r {
                Ok(Some(v)) => Some(v),
                Ok(None) => {
                    missing.push(format!("{what} unknown"));
                    None
                }
                Err(e) => {
                    missing.push(format!("{what} differs between clips: {e}"));
                    None
                }
            };
            let rates: Vec<Option<String>> = members
                .iter()
                .map(|c| c.timing.frame_rate.map(|r| format!("{}/{}", r.num, r.den)))
                .collect();
            let frame_rate = pick("frame rate", shared(&rates)).and_then(|s| {
                let (n, d) = s.split_once('/')?;
                Some(Rational {
                    num: n.parse().ok()?,
                    den: d.parse().ok()?,
                })
            });
            let depths: Vec<Option<String>> = members
                .iter()
                .map(|c| c.format.bit_depth.map(|b| b.to_string()))
                .collect();
            let bit_depth = pick("bit depth", shared(&depths)).and_then(|s| s.parse().ok());
            let containers: Vec<Option<String>> = members
                .iter()
                .map(|c| Some(c.format.container.clone()))
                .collect();
            let container = shared(&containers).ok().flatten();
            let cfas: Vec<Option<String>> = members
                .iter()
                .map(|c| c.format.cfa_pattern.clone())
                .collect();
            let cfa_pattern = match shared(&cfas) {
                Ok(v) => v,
                Err(e) => {
                    missing.push(format!("CFA pattern differs between clips: {e}"));
                    None
                }
            };
            let mut overrides_applied: Vec<usize> = idx
                .iter()
                .filter_map(|&i| applied.get(i))
                .flatten()
                .copied()
                .collect();
            overrides_applied.sort_unstable();
            overrides_applied.dedup();
            FormatCard {
                card_id: key.card_id(),
                status: if missing.is_empty() {
                    CardStatus::Resolved
                } else {
                    CardStatus::Missing
                },
                key,
                missing,
                frame_rate,
                bit_depth,
                container,
                cfa_pattern,
                clip_ids: members.iter().map(|c| c.clip_id.clone()).collect(),
                overrides_applied,
            }
        })
        .collect()
}

/// Which clips an override rule applies to: every given field must equal the clip's value as
/// read (before any override). An empty match applies to every camera clip.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideMatch {
    /// Camera letter.
    pub camera_letter: Option<String>,
    /// Camera make and model as in [`FormatKey::camera_model`].
    pub camera_model: Option<String>,
    /// Sensor mode `WIDTHxHEIGHT`.
    pub sensor: Option<String>,
    /// Codec.
    pub codec: Option<String>,
    /// Roll name.
    pub roll: Option<String>,
    /// Clip name prefix.
    pub clip_name_prefix: Option<String>,
}

/// Values an override rule sets on matching clips (absent fields are left as read).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideSet {
    /// Camera letter.
    pub camera_letter: Option<String>,
    /// Camera make.
    pub make: Option<String>,
    /// Camera model.
    pub model: Option<String>,
    /// Anamorphic squeeze (e.g. 2.0, 1.3).
    pub squeeze: Option<f64>,
    /// Frame rate.
    pub frame_rate: Option<Rational>,
    /// Lens model.
    pub lens_model: Option<String>,
}

/// One override rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRule {
    /// Which clips.
    #[serde(rename = "match", default)]
    pub matches: OverrideMatch,
    /// What to set.
    pub set: OverrideSet,
    /// Why (free text, kept for the record).
    #[serde(default)]
    pub note: Option<String>,
}

/// A user's format overrides document: `{"formats": [{"match": {...}, "set": {...}}]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Rules, applied in order (a later rule wins on the same field).
    pub formats: Vec<OverrideRule>,
}

impl Overrides {
    /// Parses an overrides document; `file` names it in errors (with line and column).
    pub fn from_json(text: &str, file: &str) -> Result<Self> {
        let invalid = |problem: String| Error::MetadataInvalid {
            file: file.to_string(),
            format: "format overrides",
            problem,
        };
        if text.len() > MAX_OVERRIDES_BYTES {
            return Err(invalid(format!(
                "{} bytes is over the {MAX_OVERRIDES_BYTES} byte limit",
                text.len()
            )));
        }
        let o: Self = serde_json::from_str(text)
            .map_err(|e| invalid(format!("line {}, column {}: {e}", e.line(), e.column())))?;
        if o.formats.len() > MAX_OVERRIDE_RULES {
            return Err(invalid(format!("more than {MAX_OVERRIDE_RULES} rules")));
        }
        for (i, r) in o.formats.iter().enumerate() {
            if let Some(s) = r.set.squeeze {
                if !(s.is_finite() && (0.1..=10.0).contains(&s)) {
                    return Err(invalid(format!(
                        "formats[{i}].set.squeeze: {s} is not a squeeze"
                    )));
                }
            }
            if let Some(f) = r.set.frame_rate {
                if super::timecode::timecode_base(f.num, f.den).is_none() {
                    return Err(invalid(format!(
                        "formats[{i}].set.frame_rate: {}/{} is not a frame rate",
                        f.num, f.den
                    )));
                }
            }
        }
        Ok(o)
    }

    fn matches(m: &OverrideMatch, clip: &Clip, key: &FormatKey) -> bool {
        let eq = |want: &Option<String>, got: Option<&str>| {
            want.as_deref().is_none_or(|w| got == Some(w))
        };
        clip.kind == ClipKind::Camera
            && eq(&m.camera_letter, key.camera_letter.as_deref())
            && eq(&m.camera_model, key.camera_model.as_deref())
            && eq(&m.sensor, key.sensor.as_deref())
            && eq(&m.codec, Some(key.codec.as_str()))
            && eq(&m.roll, Some(clip.roll.as_str()))
            && m.clip_name_prefix
                .as_deref()
                .is_none_or(|p| clip.clip_name.starts_with(p))
    }

    /// Applies the rules to `clips` in place; returns, per clip, the indexes of the rules applied.
    pub fn apply(&self, clips: &mut [Clip]) -> Vec<Vec<usize>> {
        clips
            .iter_mut()
            .map(|clip| {
                let key = FormatKey::of(clip);
                let mut applied = Vec::new();
                for (i, rule) in self.formats.iter().enumerate() {
                    if !Self::matches(&rule.matches, clip, &key) {
                        continue;
                    }
                    let s = &rule.set;
                    if let Some(v) = &s.camera_letter {
                        clip.camera_letter = Some(v.clone());
                    }
                    if let Some(v) = &s.make {
                        clip.camera.make = Some(v.clone());
                    }
                    if let Some(v) = &s.model {
                        clip.camera.model = Some(v.clone());
                    }
                    if let Some(v) = s.squeeze {
                        clip.lens.squeeze = Some(v);
                    }
                    if let Some(v) = s.frame_rate {
                        clip.timing.frame_rate = Some(v);
                    }
                    if let Some(v) = &s.lens_model {
                        clip.lens.model = Some(v.clone());
                    }
                    applied.push(i);
                }
                applied
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::inspect::clip::SensorMode;

    fn clip(name: &str, letter: Option<&str>, w: u32, squeeze: Option<f64>) -> Clip {
        let mut c = Clip::new("A001", name, ClipKind::Camera, "cinemadng");
        c.camera_letter = letter.map(str::to_string);
        c.camera.make = Some("Rushes".into());
        c.camera.model = Some("SampleCam".into());
        c.format.codec = "uncompressed".into();
        c.format.bit_depth = Some(16);
        c.sensor = Some(SensorMode {
            width: w,
            height: 300,
            active_area: None,
            crop_origin: None,
            crop_size: None,
            black_level: None,
            white_level: None,
        });
        c.lens.squeeze = squeeze;
        c.timing.frame_rate = Some(Rational { num: 25, den: 1 });
        c
    }

    #[test]
    fn cards_group_and_resolve() {
        let clips = vec![
            clip("A001C001", Some("A"), 528, Some(1.0)),
            clip("A001C002", Some("A"), 528, Some(1.0)),
            clip("A001C003", Some("A"), 400, Some(2.0)),
            clip("A001C004", Some("A"), 400, None),
        ];
        let cards = format_cards(&clips, &[]);
        assert_eq!(cards.len(), 3);
        let ids: Vec<&str> = cards.iter().map(|c| c.card_id.as_str()).collect();
        assert!(
            ids.contains(&"A/Rushes SampleCam/528x300/uncompressed/1x"),
            "{ids:?}"
        );
        assert!(
            ids.contains(&"A/Rushes SampleCam/400x300/uncompressed/2x"),
            "{ids:?}"
        );
        let full = cards.iter().find(|c| c.clip_ids.len() == 2).unwrap();
        assert_eq!(full.status, CardStatus::Resolved);
        assert_eq!(full.frame_rate, Some(Rational { num: 25, den: 1 }));
        let unknown = cards.iter().find(|c| c.key.squeeze.is_none()).unwrap();
        assert_eq!(unknown.status, CardStatus::Missing);
        assert_eq!(unknown.missing, vec!["anamorphic squeeze unknown"]);
    }

    #[test]
    fn disagreeing_rates_make_a_missing_card() {
        let mut b = clip("A001C002", Some("A"), 528, Some(1.0));
        b.timing.frame_rate = Some(Rational { num: 24, den: 1 });
        let cards = format_cards(&[clip("A001C001", Some("A"), 528, Some(1.0)), b], &[]);
        assert_eq!(cards.len(), 1);
        assert_eq!(cards[0].status, CardStatus::Missing);
        assert!(
            cards[0].missing[0].contains("frame rate differs"),
            "{:?}",
            cards[0].missing
        );
    }

    #[test]
    fn overrides_fix_a_format_and_apply_to_later_rolls() {
        let text = r#"{"formats": [{"match": {"camera_model": "Rushes SampleCam", "sensor": "400x300"},
            "set": {"squeeze": 2.0}, "note": "2x anamorphic, camera did not record it"}]}"#;
        let o = Overrides::from_json(text, "overrides.json").unwrap();
        // Day 1 and day 2 (another roll) of the same format.
        let mut clips = vec![
            clip("A001C004", Some("A"), 400, None),
            clip("A002C001", Some("A"), 400, None),
            clip("A001C001", Some("A"), 528, Some(1.0)),
        ];
        clips[1].roll = "A002".into();
        let applied = o.apply(&mut clips);
        assert_eq!(applied, vec![vec![0], vec![0], vec![]]);
        assert_eq!(clips[1].lens.squeeze, Some(2.0));
        let cards = format_cards(&clips, &applied);
        assert!(
            cards.iter().all(|c| c.status == CardStatus::Resolved),
            "{cards:?}"
        );
        let ana = cards
            .iter()
            .find(|c| c.key.squeeze.as_deref() == Some("2"))
            .unwrap();
        assert_eq!(ana.overrides_applied, vec![0]);
        assert_eq!(ana.clip_ids.len(), 2);
    }

    #[test]
    fn bad_overrides_are_clear_errors() {
        let cases = [
            ("{\"formats\": [", "line 1"),
            (
                "{\"formats\": [{\"set\": {\"squeez\": 2}}]}",
                "unknown field `squeez`",
            ),
            (
                "{\"formats\": [{\"set\": {\"squeeze\": 0}}]}",
                "formats[0].set.squeeze",
            ),
            (
                "{\"formats\": [{\"set\": {\"frame_rate\": {\"num\": 25, \"den\": 0}}}]}",
                "formats[0].set.frame_rate",
            ),
        ];
        for (text, want) in cases {
            let e = Overrides::from_json(text, "o.json")
                .unwrap_err()
                .to_string();
            assert!(e.contains("o.json") && e.contains(want), "{text}: {e}");
        }
        let big = " ".repeat(MAX_OVERRIDES_BYTES + 1);
        assert!(
            Overrides::from_json(&big, "o.json")
                .unwrap_err()
                .to_string()
                .contains("limit")
        );
    }
}
