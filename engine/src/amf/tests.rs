//! Unit tests of the AMF reader and writer, bad input included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::Error;

const FULL: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<aces:acesMetadataFile xmlns:aces="urn:ampas:aces:amf:v2.0" xmlns:cdl="urn:ASC:CDL:v1.01" version="2.0">
  <aces:amfInfo>
    <aces:description>Show &amp; tell</aces:description>
    <aces:author><aces:name>A B</aces:name><aces:emailAddress>a@b.c</aces:emailAddress></aces:author>
    <aces:dateTime>
      <aces:creationDateTime>2024-01-02T03:04:05Z</aces:creationDateTime>
      <aces:modificationDateTime>2024-01-02T03:04:05.25+01:00</aces:modificationDateTime>
    </aces:dateTime>
    <aces:uuid>urn:uuid:54bfd6af-57c0-4bd1-8f95-0952c4f25f86</aces:uuid>
  </aces:amfInfo>
  <aces:clipId>
    <aces:clipName>A001C012</aces:clipName>
    <aces:sequence idx="#" min="1" max="240">A001C012_###.exr</aces:sequence>
  </aces:clipId>
  <aces:pipeline>
    <aces:pipelineInfo>
      <aces:dateTime>
        <aces:creationDateTime>2024-01-02T03:04:05Z</aces:creationDateTime>
        <aces:modificationDateTime>2024-01-02T03:04:05Z</aces:modificationDateTime>
      </aces:dateTime>
      <aces:uuid>urn:uuid:d587baff-1e20-46e7-a3b1-bbb1194b0172</aces:uuid>
      <aces:systemVersion><aces:majorVersion>2</aces:majorVersion><aces:minorVersion>0</aces:minorVersion><aces:patchVersion>0</aces:patchVersion></aces:systemVersion>
    </aces:pipelineInfo>
    <aces:inputTransform applied="true">
      <aces:transformId>urn:ampas:aces:transformId:v2.0:CSC.Academy.ACEScct_to_ACES.a2.v1</aces:transformId>
    </aces:inputTransform>
    <aces:lookTransform applied="false">
      <aces:description>grade</aces:description>
      <aces:cdlWorkingSpace>
        <aces:toCdlWorkingSpace><aces:transformId>urn:ampas:aces:transformId:v2.0:CSC.Academy.ACES_to_ACEScct.a2.v1</aces:transformId></aces:toCdlWorkingSpace>
        <aces:fromCdlWorkingSpace><aces:transformId>urn:ampas:aces:transformId:v2.0:CSC.Academy.ACEScct_to_ACES.a2.v1</aces:transformId></aces:fromCdlWorkingSpace>
      </aces:cdlWorkingSpace>
      <cdl:SOPNode><cdl:Slope>1.1 1 0.9</cdl:Slope><cdl:Offset>0.01 0 0</cdl:Offset><cdl:Power>1 1 1.2</cdl:Power></cdl:SOPNode>
      <cdl:SatNode><cdl:Saturation>0.9</cdl:Saturation></cdl:SatNode>
    </aces:lookTransform>
    <aces:workingLocation/>
    <aces:lookTransform applied="false">
      <aces:cdlWorkingSpace>
        <aces:fromCdlWorkingSpace><aces:transformId>urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ACEScct_to_ACES.a1.0.3</aces:transformId></aces:fromCdlWorkingSpace>
      </aces:cdlWorkingSpace>
      <cdl:ColorCorrectionRef ref="shot_010"/>
      <aces:file>grades/day1.ccc</aces:file>
    </aces:lookTransform>
    <aces:lookTransform applied="false">
      <aces:hash algorithm="http://www.w3.org/2001/04/xmlenc#sha256">AAAA</aces:hash>
      <aces:transformId>urn:ampas:aces:transformId:v2.0:Look.Studio.ShowLook.a2.v1</aces:transformId>
    </aces:lookTransform>
    <aces:outputTransform applied="false">
      <aces:transformId>urn:ampas:aces:transformId:v2.0:Output.Academy.Rec709-D65_100nit_in_Rec709-D65_BT1886.a2.v1</aces:transformId>
    </aces:outputTransform>
  </aces:pipeline>
</aces:acesMetadataFile>"##;

fn invalid(text: &str) -> (String, String) {
    match Amf::parse("t.amf", text.as_bytes()) {
        Err(Error::AmfInvalid { path, problem, .. }) => (path, problem),
        other => panic!("expected AmfInvalid, got {other:?}"),
    }
}

#[test]
fn reads_every_part_of_a_full_document() {
    let amf = Amf::parse("full.amf", FULL.as_bytes()).unwrap();
    assert_eq!(amf.version, AmfVersion::V2);
    assert_eq!(amf.info.description.as_deref(), Some("Show & tell"));
    assert_eq!(amf.info.authors[0].email, "a@b.c");
    let clip = amf.clip_id.as_ref().unwrap();
    assert_eq!(
        clip.reference,
        ClipReference::Sequence {
            pattern: "A001C012_###.exr".into(),
            idx: "#".into(),
            min: 1,
            max: 240
        }
    );
    let p = &amf.pipeline;
    assert_eq!(p.system_version, (2, 0, 0));
    assert!(p.input_transform.as_ref().unwrap().applied);
    assert_eq!(p.steps.len(), 4);
    assert_eq!(p.steps[1], PipelineStep::WorkingLocation);
    let PipelineStep::Look(look) = &p.steps[0] else {
        panic!("{:?}", p.steps[0]);
    };
    let LookKind::Cdl {
        working_space,
        source: CdlSource::Inline(cdl),
    } = &look.kind
    else {
        panic!("{:?}", look.kind);
    };
    assert!(working_space.to.is_some());
    assert_eq!(cdl.slope, [1.1, 1.0, 0.9]);
    assert_eq!(cdl.saturation, 0.9);
    let PipelineStep::Look(ext) = &p.steps[2] else {
        panic!()
    };
    assert_eq!(
        ext.kind,
        LookKind::Cdl {
            working_space: CdlWorkingSpace {
                to: None,
                from: SubTransform {
                    info: TransformInfo::default(),
                    reference: TransformRef::TransformId(
                        "urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ACEScct_to_ACES.a1.0.3"
                            .into()
                    )
                }
            },
            source: CdlSource::External {
                ref_id: "shot_010".into(),
                file: "grades/day1.ccc".into()
            }
        }
    );
    assert!(!p.output_transform.as_ref().unwrap().applied);
}

#[test]
fn writes_and_reads_back_equal() {
    let amf = Amf::parse("full.amf", FULL.as_bytes()).unwrap();
    let xml = amf.to_xml();
    let back = Amf::parse("written.amf", xml.as_bytes()).unwrap();
    assert_eq!(back, amf, "{xml}");
    assert_eq!(back.to_xml(), xml);
}

#[test]
fn amf_v1_is_read_and_written_as_v2() {
    let v1 = FULL
        .replace("urn:ampas:aces:amf:v2.0", AMF_V1_NAMESPACE)
        .replace("version=\"2.0\"", "version=\"1.0\"");
    let amf = Amf::parse("v1.amf", v1.as_bytes()).unwrap();
    assert_eq!(amf.version, AmfVersion::V1);
    let back = Amf::parse("v2.amf", amf.to_xml().as_bytes()).unwrap();
    assert_eq!(back.version, AmfVersion::V2);
    assert_eq!(back.pipeline, amf.pipeline);
}

#[test]
fn schema_violations_are_named_with_their_path() {
    let cases: &[(&str, &str, &str)] = &[
        ("version=\"2.0\"", "version=\"3.0\"", "version"),
        (
            "version=\"2.0\"",
            "",
            "missing required attribute `version`",
        ),
        (
            "<aces:inputTransform applied=\"true\">",
            "<aces:inputTransform>",
            "applied",
        ),
        (
            "<aces:inputTransform applied=\"true\">",
            "<aces:inputTransform applied=\"yes\">",
            "not a boolean",
        ),
        (
            "urn:uuid:54bfd6af-57c0-4bd1-8f95-0952c4f25f86",
            "urn:uuid:54bfd6af",
            "urn:uuid",
        ),
        ("2024-01-02T03:04:05.25+01:00", "yesterday", "xs:dateTime"),
        ("a@b.c", "nobody", "e-mail"),
        (
            "<aces:majorVersion>2</aces:majorVersion>",
            "<aces:majorVersion>12</aces:majorVersion>",
            "single digit",
        ),
        (
            "ACEScct_to_ACES.a2.v1</aces:transformId>\n    </aces:inputTransform>",
            "ACEScct_to_ACES.a2</aces:transformId>\n    </aces:inputTransform>",
            "not one of the forms",
        ),
        (
            "Look.Studio.ShowLook.a2.v1",
            "Output.Studio.ShowLook.a2.v1",
            "not one of the forms",
        ),
        ("xmlenc#sha256", "xmlenc#sha512", "hash algorithm"),
        (">AAAA<", ">A*A<", "base64"),
        (
            "<aces:workingLocation/>",
            "<aces:workingLocation>x</aces:workingLocation>",
            "empty",
        ),
        (
            "<aces:workingLocation/>",
            "<aces:unknownThing/>",
            "unexpected element `unknownThing`",
        ),
        (
            "<cdl:SatNode><cdl:Saturation>0.9</cdl:Saturation></cdl:SatNode>",
            "",
            "cdl:SatNode",
        ),
        (
            "<aces:fromCdlWorkingSpace><aces:transformId>urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ACEScct_to_ACES.a1.0.3</aces:transformId></aces:fromCdlWorkingSpace>",
            "",
            "fromCdlWorkingSpace",
        ),
        (
            "<cdl:ColorCorrectionRef ref=\"shot_010\"/>",
            "<cdl:ColorCorrectionRef/>",
            "`ref`",
        ),
        ("min=\"1\"", "min=\"-1\"", "non-negative"),
        ("<aces:clipName>A001C012</aces:clipName>", "", "clipName"),
    ];
    for (from, to, expect) in cases {
        assert!(FULL.contains(from), "test case does not apply: {from}");
        let (path, problem) = invalid(&FULL.replacen(from, to, 1));
        assert!(
            problem.contains(expect) || path.contains(expect),
            "{from} -> {to}: got `{path}`: {problem}"
        );
        assert!(path.contains("line"), "{path}");
    }
}

#[test]
fn wrong_namespaces_are_refused() {
    let (_, p) = invalid(&FULL.replace("urn:ampas:aces:amf:v2.0", "urn:ampas:aces:amf:v9.9"));
    assert!(p.contains("not an AMF"), "{p}");
    let (path, p) = invalid(&FULL.replace(
        "xmlns:cdl=\"urn:ASC:CDL:v1.01\"",
        "xmlns:cdl=\"urn:ASC:CDL:v1.2\"",
    ));
    assert!(path.contains("lookTransform"), "{path}");
    assert!(
        p.contains("cdl:SOPNode") || p.contains("urn:ASC:CDL:v1.01"),
        "{p}"
    );
    let (_, p) = invalid(
        &FULL
            .replacen("<aces:clipName>", "<clipName xmlns=\"\">", 1)
            .replacen("</aces:clipName>", "</clipName>", 1),
    );
    assert!(p.contains("without a namespace"), "{p}");
}

#[test]
fn malformed_and_hostile_xml() {
    let (path, p) = invalid(&FULL[..FULL.len() / 2]);
    assert!(
        p.contains("ends inside") || p.contains("malformed"),
        "{path}: {p}"
    );
    let (_, p) = invalid(
        "<aces:acesMetadataFile xmlns:aces=\"urn:ampas:aces:amf:v2.0\" version=\"2.0\"><aces:amfInfo></aces:acesMetadataFile>",
    );
    assert!(p.contains("malformed"), "{p}");
    let (_, p) = invalid("not xml at all");
    assert!(p.contains("text outside") || p.contains("no root"), "{p}");
    let bomb = "<!DOCTYPE a [<!ENTITY x \"xxxxxxxx\"><!ENTITY y \"&x;&x;&x;&x;\">]><a>&y;</a>";
    let (_, p) = invalid(bomb);
    assert!(p.contains("DOCTYPE"), "{p}");
    let huge = format!(
        "{}{}",
        FULL,
        " ".repeat(crate::cdl::xml_tree::MAX_DOCUMENT_BYTES)
    );
    let (_, p) = invalid(&huge);
    assert!(p.contains("byte limit"), "{p}");
    let (_, p) = invalid(&FULL.replace(
        "<cdl:Slope>1.1 1 0.9</cdl:Slope>",
        "<cdl:Slope>1.1 NaN 0.9</cdl:Slope>",
    ));
    assert!(p.contains("finite"), "{p}");
    let (_, p) = invalid(&FULL.replace(
        "<cdl:Offset>0.01 0 0</cdl:Offset>",
        "<cdl:Offset>0.01 INF 0</cdl:Offset>",
    ));
    assert!(p.contains("finite"), "{p}");
    let (_, p) = invalid(&FULL.replace(
        "<cdl:Offset>0.01 0 0</cdl:Offset>",
        "<cdl:Offset>0.01 -inf 0</cdl:Offset>",
    ));
    assert!(p.contains("finite"), "{p}");
}

#[test]
fn plan_resolves_what_is_implemented_and_names_the_rest() {
    let amf = Amf::parse("full.amf", FULL.as_bytes()).unwrap();
    // The look transform (a studio LMT) is not implemented: the plan fails naming it.
    match amf.pipeline.plan() {
        Err(Error::UnsupportedTransform { id, .. }) => {
            assert!(id.contains("Look.Studio.ShowLook"), "{id}")
        }
        other => panic!("{other:?}"),
    }
    // Mark the LMT and output as applied: the CDL looks remain, in ACEScct.
    let mut p = amf.pipeline.clone();
    for step in &mut p.steps {
        if let PipelineStep::Look(l) = step {
            if matches!(l.kind, LookKind::Reference(_)) {
                l.applied = true;
            }
        }
    }
    // The ACES 2.0 Rec.709 output transform resolves.
    assert_eq!(
        p.plan().unwrap().output,
        Some(crate::amf::AcesTransform::Aces2Output(
            crate::color::aces2::Aces2Output::SDR_REC709
        ))
    );
    p.output_transform.as_mut().unwrap().applied = true;
    let plan = p.plan().unwrap();
    assert_eq!(plan.input, None, "input transform is applied");
    assert_eq!(plan.output, None);
    assert_eq!(plan.looks.len(), 2);
    assert!(matches!(
        &plan.looks[0],
        PlannedLook::Cdl { working, .. } if *working == crate::color::ColorSpace::ACESCCT
    ));
    assert_eq!(
        plan.looks[1],
        PlannedLook::ExternalCdl {
            ref_id: "shot_010".into(),
            file: "grades/day1.ccc".into(),
            working: crate::color::ColorSpace::ACESCCT
        }
    );
    // An unapplied input transform is resolved too.
    p.input_transform.as_mut().unwrap().applied = false;
    assert!(p.plan().unwrap().input.is_some());
    // A working-space pair that does not match is refused.
    let mut bad = p.clone();
    if let PipelineStep::Look(l) = &mut bad.steps[0] {
        if let LookKind::Cdl { working_space, .. } = &mut l.kind {
            working_space.to = Some(SubTransform {
                info: TransformInfo::default(),
                reference: TransformRef::TransformId(
                    "urn:ampas:aces:transformId:v2.0:CSC.Academy.ACES_to_ACEScg.a2.v1".into(),
                ),
            });
        }
    }
    assert!(matches!(
        bad.plan(),
        Err(Error::UnsupportedTransform { .. })
    ));
}

#[test]
fn external_cdl_paths_must_stay_inside_the_amf_folder() {
    assert!(check_relative_file("grades/day1.ccc").is_ok());
    assert!(check_relative_file("./day1.cc").is_ok());
    for bad in [
        "",
        "/etc/passwd",
        "../other/day1.ccc",
        "grades/../../x.cc",
        "C:\\grades\\a.cc",
        "c:/grades/a.cc",
        "file:///etc/a.cc",
        "http://example.com/a.cc",
        "a\0b.cc",
    ] {
        assert!(
            matches!(check_relative_file(bad), Err(Error::UnsafePath { .. })),
            "{bad:?}"
        );
    }
    // Through the plan.
    let escaping = FULL.replace("grades/day1.ccc", "../../day1.ccc");
    let mut p = Amf::parse("t.amf", escaping.as_bytes()).unwrap().pipeline;
    for step in &mut p.steps {
        if let PipelineStep::Look(l) = step {
            if matches!(l.kind, LookKind::Reference(_)) {
                l.applied = true;
            }
        }
    }
    p.output_transform = None;
    assert!(
        matches!(p.plan(), Err(Error::UnsafePath { ref path, .. }) if path == "../../day1.ccc")
    );
}

#[test]
fn inverse_output_transforms_are_never_applied_forward() {
    let mut amf = Amf::parse("full.amf", FULL.as_bytes()).unwrap();
    let csc = "urn:ampas:aces:transformId:v1.5:ACEScsc.Academy.ACEScg_to_ACES.a1.0.3";
    amf.pipeline.input_transform = Some(InputTransform {
        applied: false,
        info: TransformInfo::default(),
        kind: InputTransformKind::InverseOutput(SubTransform {
            info: TransformInfo::default(),
            reference: TransformRef::TransformId(csc.into()),
        }),
    });
    match amf.pipeline.plan() {
        Err(Error::UnsupportedTransform { id, reason }) => {
            assert_eq!(id, csc);
            assert!(reason.contains("inverse output"), "{reason}");
        }
        other => panic!("expected an unsupported inverse output transform, got {other:?}"),
    }
}
