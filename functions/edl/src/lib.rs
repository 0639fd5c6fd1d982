//! The edl step: reads an edit list (CMX3600 EDL or OpenTimelineIO timeline) and a list of
//! library clip candidates from the library, matches every event to a clip, stores the match
//! report (a derived document, replaced on re-runs) and returns its summary counts.

use rushes_common::records::roll_pk;
use rushes_common::runs::validate_name;
use rushes_common::{Error, ObjectKey, Ports, PutMode, Result};
use rushes_engine::edl::matching::{
    LibraryClip, MatchOptions, MatchSummary, library_clip, match_edl,
};
use rushes_engine::edl::{Cmx3600Options, Edl, OtioOptions, parse_cmx3600, parse_otio};
use rushes_engine::inspect::clip::Clip;
use rushes_engine::timecode::FrameRate;
use serde::{Deserialize, Serialize};

/// Largest edit list read, in bytes.
pub const MAX_EDL_BYTES: u64 = 32 << 20;

/// Largest clip-candidate document read, in bytes.
pub const MAX_CLIPS_BYTES: u64 = 64 << 20;

/// Input: the edit list, the clip candidates and where the report goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// Key of the EDL (`.edl`) or timeline (`.otio`, or any document starting with `{`).
    pub edl: ObjectKey,
    /// Key of a JSON array of [`LibraryClip`] candidates.
    #[serde(default)]
    pub clips: Option<ObjectKey>,
    /// Rolls whose inspected clips (the catalog's `CLIP#` items) are candidates too.
    #[serde(default)]
    pub rolls: Vec<String>,
    /// Key the match report JSON is written to (replaced when it exists). On AWS the function
    /// may write only under `editorial/` (template.yaml).
    pub output: ObjectKey,
    /// The list's frame rate (`23.976`, `24`, `29.97df`, ...); default 24 for an EDL and the
    /// timeline's own rate for OTIO.
    #[serde(default)]
    pub rate: Option<String>,
    /// Handles in source frames on each side of every event.
    #[serde(default)]
    pub handles: u64,
    /// Whether to match on source timecode alone when no clip shares a name with an event
    /// (default true).
    #[serde(default = "default_true")]
    pub timecode_only: bool,
}

fn default_true() -> bool {
    true
}

/// Output: where the report is and how the events came out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// Key of the edit list read.
    pub edl: ObjectKey,
    /// Key of the stored match report.
    pub report: ObjectKey,
    /// The list's title, if any.
    pub title: Option<String>,
    /// Warnings the reader recovered from (unknown lines and the like).
    pub parse_warnings: usize,
    /// Outcome counts.
    pub summary: MatchSummary,
}

/// Runs the step.
pub async fn handle(ports: Ports, input: Input) -> Result<Output> {
    let store = ports.library.as_ref();
    let rate = input
        .rate
        .as_deref()
        .map(FrameRate::parse)
        .transpose()
        .map_err(|e| Error::BadInput(format!("rate: {e}")))?;
    let bytes = store.read_small(&input.edl, MAX_EDL_BYTES).await?;
    let list = read_list(input.edl.as_str(), &bytes, rate)?;
    let mut clips: Vec<LibraryClip> = Vec::new();
    if let Some(key) = &input.clips {
        let clip_bytes = store.read_small(key, MAX_CLIPS_BYTES).await?;
        clips = serde_json::from_slice(&clip_bytes).map_err(|e| {
            Error::BadInput(format!(
                "{}: `{key}`: not a clip list: {e}",
                store.describe()
            ))
        })?;
    }
    for roll in &input.rolls {
        clips.extend(catalog_clips(&ports, roll).await?);
    }
    if input.clips.is_none() && input.rolls.is_empty() {
        return Err(Error::BadInput(
            "edl: give `clips` (a stored clip list) or `rolls` (catalogued rolls)".into(),
        ));
    }
    let options = MatchOptions {
        handles: input.handles,
        timecode_only: input.timecode_only,
    };
    let report = match_edl(&list, &clips, &options)?;
    let json = serde_json::to_vec_pretty(&report)
        .map_err(|e| Error::BadInput(format!("match report: {e}")))?;
    store.put(&input.output, json, PutMode::Overwrite).await?;
    Ok(Output {
        edl: input.edl,
        report: input.output,
        title: list.title,
        parse_warnings: list.warnings.len(),
        summary: report.summary,
    })
}

/// The inspected clips of `roll` in the catalog, as match candidates (clips without a usable
/// rate, start timecode or length are left out: they cannot be placed on a timeline).
async fn catalog_clips(ports: &Ports, roll: &str) -> Result<Vec<LibraryClip>> {
    validate_name("roll", roll)?;
    let items = ports.catalog.query(&roll_pk(roll), "CLIP#").await?;
    if items.is_empty() {
        return Err(Error::NotFound(format!(
            "roll {roll}: no inspected clips in the catalog (was it ingested?)"
        )));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let clip: Clip = serde_json::from_value(item.body).map_err(|e| Error::Catalog {
            op: "decode",
            detail: format!("{} {}: {e}", item.pk, item.sk),
        })?;
        out.extend(library_clip(&clip));
    }
    Ok(out)
}

/// Parses `bytes` as OTIO when the key ends in `.otio` or the document starts with `{`, else
/// as a CMX3600 EDL.
fn read_list(name: &str, bytes: &[u8], rate: Option<FrameRate>) -> Result<Edl> {
    let is_otio = name.to_ascii_lowercase().ends_with(".otio")
        || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let list = if is_otio {
        let options = OtioOptions {
            rate,
            ..OtioOptions::default()
        };
        parse_otio(name, bytes, &options)?
    } else {
        let options = Cmx3600Options::new(rate.unwrap_or(FrameRate::FPS_24));
        parse_cmx3600(name, bytes, &options)?
    };
    Ok(list)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::sync::Arc;

    use rushes_common::ObjectStore;
    use rushes_common::catalog_embedded::EmbeddedCatalog;
    use rushes_common::store_local::LocalStore;
    use rushes_engine::edl::matching::{MatchReport, Outcome, Rule};

    use super::*;

    const LIST: &str = "TITLE: step test\n\
        001  A001C003 V C 01:00:01:00 01:00:02:00 00:00:00:00 00:00:01:00\n\
        002  TAPE     V C 01:00:01:00 01:00:02:00 00:00:01:00 00:00:02:00\n\
        * FROM CLIP NAME: a001c005_230612_r1ab.mov\n\
        003  A001C009 V C 01:00:01:00 01:00:02:00 00:00:02:00 00:00:03:00\n";

    const CLIPS: &str = r#"[
      {"clip_id": "c3", "clip_name": "A001C003",
       "rate": {"num": 24, "den": 1, "drop_frame": false}, "start": 86400, "frame_count": 100},
      {"clip_id": "c5", "clip_name": "A001C005_230612_R1AB",
       "rate": {"num": 24, "den": 1, "drop_frame": false}, "start": 86400, "frame_count": 100}
    ]"#;

    async fn setup(dir: &std::path::Path, list: &str, clips: &str) -> (Ports, Input) {
        let store = Arc::new(LocalStore::open(dir.join("lib")).unwrap());
        let ports = Ports {
            library: store.clone(),
            archive: None,
            catalog: Arc::new(EmbeddedCatalog::open(dir.join("c.redb")).unwrap()),
        };
        let input = Input {
            edl: ObjectKey::new("editorial/cut.edl").unwrap(),
            clips: Some(ObjectKey::new("editorial/clips.json").unwrap()),
            rolls: Vec::new(),
            output: ObjectKey::new("editorial/cut.match.json").unwrap(),
            rate: None,
            handles: 4,
            timecode_only: true,
        };
        let clips_key = ObjectKey::new("editorial/clips.json").unwrap();
        for (key, text) in [(&input.edl, list), (&clips_key, clips)] {
            store
                .put(key, text.as_bytes().to_vec(), PutMode::CreateNew)
                .await
                .unwrap();
        }
        (ports, input)
    }

    #[tokio::test]
    async fn matches_and_stores_the_report_idempotently() {
        let dir = tempfile::tempdir().unwrap();
        let (ports, input) = setup(dir.path(), LIST, CLIPS).await;
        let out = handle(ports.clone(), input.clone()).await.unwrap();
        assert_eq!(out.title.as_deref(), Some("step test"));
        assert_eq!(
            (out.summary.matched, out.summary.exact, out.summary.fuzzy),
            (2, 1, 1)
        );
        assert_eq!(out.summary.missing, 1);
        let bytes = ports
            .library
            .read_small(&input.output, 1 << 20)
            .await
            .unwrap();
        let report: MatchReport = serde_json::from_slice(&bytes).unwrap();
        match &report.events[0].outcome {
            Outcome::Matched {
                clip_id,
                source_frames,
                rule,
                ..
            } => {
                assert_eq!((clip_id.as_str(), *rule), ("c3", Rule::Exact));
                assert_eq!(
                    (source_frames.start, source_frames.end_exclusive),
                    (86_420, 86_452)
                );
            }
            other => panic!("{other:?}"),
        }
        // Running again gives the same output and the same stored report.
        let again = handle(ports.clone(), input.clone()).await.unwrap();
        assert_eq!(again, out);
        let bytes_again = ports
            .library
            .read_small(&input.output, 1 << 20)
            .await
            .unwrap();
        assert_eq!(bytes_again, bytes);
    }

    #[test]
    fn the_sample_event_decodes() {
        let event = include_str!("../../../events/edl/match-cut.json");
        let input: Input = serde_json::from_str(event).unwrap();
        assert!(input.output.as_str().starts_with("editorial/"));
        assert_eq!(input.handles, 8);
        assert!(FrameRate::parse(input.rate.as_deref().unwrap()).is_ok());
    }

    #[tokio::test]
    async fn bad_inputs_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let (ports, input) = setup(
            dir.path(),
            "001  A V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n\
             002  A V C 01:00:0x:00 01:00:01:00 00:00:00:00 00:00:01:00\n",
            CLIPS,
        )
        .await;
        let err = handle(ports.clone(), input.clone()).await.unwrap_err();
        assert!(
            err.to_string().contains("editorial/cut.edl") && err.to_string().contains("line 2"),
            "{err}"
        );
        assert!(ports.library.head(&input.output).await.unwrap().is_none());

        let dir = tempfile::tempdir().unwrap();
        let (ports, input) = setup(dir.path(), LIST, "{\"not\": \"a list\"}").await;
        let err = handle(ports.clone(), input.clone()).await.unwrap_err();
        assert!(err.to_string().contains("clips.json"), "{err}");
        assert_eq!(err.name(), "Rushes.BadInput");

        let missing = Input {
            clips: Some(ObjectKey::new("editorial/none.json").unwrap()),
            rolls: Vec::new(),
            ..input.clone()
        };
        let err = handle(ports.clone(), missing).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.NotFound");

        let bad_rate = Input {
            rate: Some("fast".into()),
            ..input
        };
        assert_eq!(
            handle(ports, bad_rate).await.unwrap_err().name(),
            "Rushes.BadInput"
        );
    }

    #[tokio::test]
    async fn candidates_come_from_the_catalog_of_the_named_rolls() {
        use rushes_common::catalog::CatalogItem;
        use rushes_engine::inspect::clip::{ClipKind, Rational};
        let dir = tempfile::tempdir().unwrap();
        let (ports, input) = setup(dir.path(), LIST, "[]").await;
        let mut clip = Clip::new("A001", "A001C003", ClipKind::Camera, "dng");
        clip.timing.frame_rate = Some(Rational { num: 24, den: 1 });
        clip.timing.start_timecode = Some("01:00:00:00".into());
        clip.timing.frame_count = Some(100);
        ports
            .catalog
            .put_all(&[CatalogItem {
                pk: roll_pk("A001"),
                sk: format!("CLIP#{}", clip.clip_id),
                body: serde_json::to_value(&clip).unwrap(),
            }])
            .await
            .unwrap();
        let from_catalog = Input {
            clips: None,
            rolls: vec!["A001".into()],
            ..input.clone()
        };
        let out = handle(ports.clone(), from_catalog).await.unwrap();
        assert_eq!(out.summary.matched, 1, "{out:?}");
        // A roll the catalog does not know, a hostile roll name, and no candidates at all.
        for (rolls, name) in [
            (vec!["Z999".to_string()], "Rushes.NotFound"),
            (vec!["../A001".to_string()], "Rushes.BadInput"),
            (Vec::new(), "Rushes.BadInput"),
        ] {
            let i = Input {
                clips: None,
                rolls,
                ..input.clone()
            };
            assert_eq!(handle(ports.clone(), i).await.unwrap_err().name(), name);
        }
    }
}
