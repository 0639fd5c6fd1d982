//! Tests of the ASC CDL XML reader and writer, bad input included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const CC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ColorCorrection id="shot_010" xmlns="urn:ASC:CDL:v1.2">
  <Description>warm</Description>
  <SOPNode>
    <Slope>1.1 1.0 0.9</Slope>
    <Offset>0.01 0 -0.02</Offset>
    <Power>1.0 1.05 1</Power>
  </SOPNode>
  <SatNode><Saturation>0.85</Saturation></SatNode>
</ColorCorrection>"#;

const CCC: &str = r#"<ColorCorrectionCollection xmlns="urn:ASC:CDL:v1.01">
  <Description>day 1</Description>
  <ColorCorrection id="a"><ASC_SOP><Slope>2 2 2</Slope><Offset>0.1 0.1 0.1</Offset><Power>1 1 1</Power></ASC_SOP></ColorCorrection>
  <ColorCorrection id="b"><ASC_SAT><Saturation>1.2</Saturation></ASC_SAT></ColorCorrection>
</ColorCorrectionCollection>"#;

const CDL: &str = r#"<ColorDecisionList xmlns="urn:ASC:CDL:v1.01">
  <ColorDecision>
    <MediaRef ref="A001C003.mov"/>
    <ColorCorrection id="x"><SOPNode><Slope>1 1 1</Slope><Offset>0 0 0</Offset><Power>0.5 0.5 0.5</Power></SOPNode></ColorCorrection>
  </ColorDecision>
</ColorDecisionList>"#;

fn problem(bytes: &str) -> (String, String) {
    match CdlDocument::parse("t.cc", bytes.as_bytes()) {
        Err(Error::CdlInvalid { path, problem, .. }) => (path, problem),
        other => panic!("expected CdlInvalid, got {other:?}"),
    }
}

#[test]
fn reads_the_three_forms() {
    let cc = CdlDocument::parse("a.cc", CC.as_bytes()).unwrap();
    assert_eq!(cc.kind, CdlKind::Cc);
    let c = &cc.corrections[0];
    assert_eq!(c.id.as_deref(), Some("shot_010"));
    assert_eq!(c.descriptions, vec!["warm".to_string()]);
    assert_eq!(c.cdl.slope, [1.1, 1.0, 0.9]);
    assert_eq!(c.cdl.offset, [0.01, 0.0, -0.02]);
    assert_eq!(c.cdl.power, [1.0, 1.05, 1.0]);
    assert_eq!(c.cdl.saturation, 0.85);

    let ccc = CdlDocument::parse("a.ccc", CCC.as_bytes()).unwrap();
    assert_eq!(ccc.kind, CdlKind::Ccc);
    assert_eq!(ccc.corrections.len(), 2);
    assert_eq!(ccc.find("a").unwrap().cdl.slope, [2.0; 3]);
    assert_eq!(ccc.find("b").unwrap().cdl.saturation, 1.2);
    assert_eq!(ccc.find("b").unwrap().cdl.slope, [1.0; 3]);

    let cdl = CdlDocument::parse("a.cdl", CDL.as_bytes()).unwrap();
    assert_eq!(cdl.kind, CdlKind::Cdl);
    assert_eq!(cdl.corrections[0].cdl.power, [0.5; 3]);

    let bare = CC.replace(" xmlns=\"urn:ASC:CDL:v1.2\"", "");
    assert_eq!(CdlDocument::parse("b.cc", bare.as_bytes()).unwrap(), cc);
}

#[test]
fn every_form_round_trips_exactly() {
    for text in [CC, CCC, CDL] {
        let doc = CdlDocument::parse("in", text.as_bytes()).unwrap();
        let written = doc.to_xml();
        let back = CdlDocument::parse("out", written.as_bytes()).unwrap();
        assert_eq!(back, doc, "{written}");
    }
    let tricky = CdlDocument {
        kind: CdlKind::Cc,
        descriptions: vec![],
        corrections: vec![ColorCorrection {
            id: Some("a<&>\"b".into()),
            descriptions: vec!["x & y".into()],
            cdl: Cdl {
                slope: [0.1 + 0.2, 1e-17, 123456.789],
                offset: [-0.3333333333333333, 0.0, 5e-324],
                power: [1.0 / 3.0, 2.5, 0.7],
                saturation: 0.123456789012345,
            },
        }],
    };
    let back = CdlDocument::parse("t", tricky.to_xml().as_bytes()).unwrap();
    assert_eq!(back, tricky);
}

#[test]
fn malformed_xml_names_the_line() {
    let (path, p) = problem("<ColorCorrection>\n<SOPNode>\n</ColorCorrection>");
    assert!(path.contains("line"), "{path}");
    assert!(p.contains("malformed"), "{p}");
    let (_, p) = problem("");
    assert!(p.contains("no root"), "{p}");
    let (_, p) = problem("<ColorCorrection><SOPNode>");
    assert!(p.contains("ends inside"), "{p}");
    let (_, p) = problem("<!DOCTYPE x [<!ENTITY a \"b\">]><ColorCorrection/>");
    assert!(p.contains("DOCTYPE"), "{p}");
    let (_, p) = problem("<ColorCorrection>&boom;</ColorCorrection>");
    assert!(p.contains("entity"), "{p}");
    let (_, p) = problem("<x:ColorCorrection/>");
    assert!(p.contains("prefix"), "{p}");
}

#[test]
fn wrong_namespace_and_wrong_root_are_refused() {
    let (path, p) = problem(&CC.replace("urn:ASC:CDL:v1.2", "urn:example:not-cdl"));
    assert!(p.contains("namespace"), "{p}");
    assert!(path.starts_with("/ColorCorrection"), "{path}");
    let (_, p) = problem("<Grade xmlns=\"urn:ASC:CDL:v1.01\"/>");
    assert!(p.contains("root element `Grade`"), "{p}");
    let (_, p) = problem("<ColorCorrectionCollection/>");
    assert!(p.contains("no ColorCorrection"), "{p}");
}

#[test]
fn bad_values_name_the_element() {
    let bad = |from: &str, to: &str| problem(&CC.replace(from, to));
    let (path, p) = bad("1.1 1.0 0.9", "1.1 NaN 0.9");
    assert_eq!(path, "/ColorCorrection/SOPNode/Slope (line 5)");
    assert!(p.contains("not a finite number"), "{p}");
    let (_, p) = bad("0.01 0 -0.02", "0.01 inf 0");
    assert!(p.contains("finite"), "{p}");
    let (_, p) = bad("1.1 1.0 0.9", "1.1 1.0");
    assert!(p.contains("expected 3 numbers"), "{p}");
    let (_, p) = bad("1.1 1.0 0.9", "1.1 1.0 0.9 4");
    assert!(p.contains("expected 3 numbers"), "{p}");
    let (_, p) = bad("1.1 1.0 0.9", "1.1 -1.0 0.9");
    assert!(p.contains("negative"), "{p}");
    let (_, p) = bad("1.0 1.05 1", "1.0 0 1");
    assert!(p.contains("not positive"), "{p}");
    let (path, p) = bad("0.85", "-1");
    assert!(path.starts_with("/ColorCorrection/SatNode"), "{path}");
    assert!(p.contains("negative"), "{p}");
    let (_, p) = bad("0.85", "lots");
    assert!(p.contains("not a number"), "{p}");
    let (_, p) = bad("<Power>1.0 1.05 1</Power>", "");
    assert!(p.contains("missing Power"), "{p}");
    let (_, p) = bad("<Description>warm</Description>", "<Gain>2</Gain>");
    assert!(p.contains("unexpected element `Gain`"), "{p}");
}

#[test]
fn huge_and_deep_documents_are_refused() {
    let mut huge = String::from("<ColorCorrectionCollection>");
    let one = "<ColorCorrection id=\"x\"><Description>padding padding padding padding</Description></ColorCorrection>";
    while huge.len() <= xml_tree::MAX_DOCUMENT_BYTES {
        huge.push_str(one);
    }
    huge.push_str("</ColorCorrectionCollection>");
    let (_, p) = problem(&huge);
    assert!(p.contains("byte limit"), "{p}");
    let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
    let (_, p) = problem(&deep);
    assert!(p.contains("nested too deeply"), "{p}");
    let many = format!(
        "<ColorCorrectionCollection>{}</ColorCorrectionCollection>",
        "<Description/>".repeat(xml_tree::MAX_ELEMENTS + 1)
    );
    let (_, p) = problem(&many);
    assert!(p.contains("elements"), "{p}");
}
