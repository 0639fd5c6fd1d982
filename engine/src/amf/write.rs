//! Writing an [`Amf`] as AMF 2.0 XML (elements in schema order, `aces:` and `cdl:` prefixes).

use super::model::*;
use crate::cdl::xml::write_nodes;

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    fn indent(&self) -> String {
        "    ".repeat(self.depth)
    }

    fn leaf(&mut self, name: &str, value: &str) {
        let pad = self.indent();
        self.out
            .push_str(&format!("{pad}<aces:{name}>{}</aces:{name}>\n", esc(value)));
    }

    fn open(&mut self, name: &str, attrs: &str) {
        let pad = self.indent();
        self.out.push_str(&format!("{pad}<aces:{name}{attrs}>\n"));
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        let pad = self.indent();
        self.out.push_str(&format!("{pad}</aces:{name}>\n"));
    }

    fn info(&mut self, info: &Info) {
        if let Some(d) = &info.description {
            self.leaf("description", d);
        }
        for a in &info.authors {
            self.open("author", "");
            self.leaf("name", &a.name);
            self.leaf("emailAddress", &a.email);
            self.close("author");
        }
        self.open("dateTime", "");
        self.leaf("creationDateTime", &info.creation_date_time);
        self.leaf("modificationDateTime", &info.modification_date_time);
        self.close("dateTime");
        self.leaf("uuid", &info.uuid);
    }

    fn transform_info(&mut self, info: &TransformInfo) {
        if let Some(d) = &info.description {
            self.leaf("description", d);
        }
        if let Some(h) = &info.hash {
            let pad = self.indent();
            self.out.push_str(&format!(
                "{pad}<aces:hash algorithm=\"{}\">{}</aces:hash>\n",
                h.algorithm.uri(),
                esc(&h.value)
            ));
        }
    }

    fn reference(&mut self, r: &TransformRef) {
        match r {
            TransformRef::Uuid(v) => self.leaf("uuid", v),
            TransformRef::File(v) => self.leaf("file", v),
            TransformRef::TransformId(v) => self.leaf("transformId", v),
        }
    }

    fn sub(&mut self, name: &str, t: &SubTransform) {
        self.open(name, "");
        self.transform_info(&t.info);
        self.reference(&t.reference);
        self.close(name);
    }

    fn pipeline(&mut self, name: &str, p: &Pipeline) {
        self.open(name, "");
        self.open("pipelineInfo", "");
        self.info(&p.info);
        self.open("systemVersion", "");
        let (major, minor, patch) = p.system_version;
        self.leaf("majorVersion", &major.to_string());
        self.leaf("minorVersion", &minor.to_string());
        self.leaf("patchVersion", &patch.to_string());
        self.close("systemVersion");
        self.close("pipelineInfo");
        if let Some(t) = &p.input_transform {
            self.open("inputTransform", &applied(t.applied));
            self.transform_info(&t.info);
            match &t.kind {
                InputTransformKind::Reference(r) => self.reference(r),
                InputTransformKind::InverseOutput(s) => self.sub("inverseOutputTransform", s),
                InputTransformKind::InverseOdtRrt {
                    inverse_odt,
                    inverse_rrt,
                } => {
                    self.sub("inverseOutputDeviceTransform", inverse_odt);
                    self.sub("inverseReferenceRenderingTransform", inverse_rrt);
                }
            }
            self.close("inputTransform");
        }
        for step in &p.steps {
            match step {
                PipelineStep::WorkingLocation => {
                    let pad = self.indent();
                    self.out
                        .push_str(&format!("{pad}<aces:workingLocation/>\n"));
                }
                PipelineStep::Look(l) => self.look(l),
            }
        }
        if let Some(t) = &p.output_transform {
            self.open("outputTransform", &applied(t.applied));
            self.transform_info(&t.info);
            match &t.kind {
                OutputTransformKind::Reference(r) => self.reference(r),
                OutputTransformKind::RrtOdt { rrt, odt } => {
                    self.sub("referenceRenderingTransform", rrt);
                    self.sub("outputDeviceTransform", odt);
                }
            }
            self.close("outputTransform");
        }
        self.close(name);
    }

    fn look(&mut self, l: &LookTransform) {
        self.open("lookTransform", &applied(l.applied));
        self.transform_info(&l.info);
        match &l.kind {
            LookKind::Reference(r) => self.reference(r),
            LookKind::Cdl {
                working_space,
                source,
            } => {
                self.open("cdlWorkingSpace", "");
                if let Some(to) = &working_space.to {
                    self.sub("toCdlWorkingSpace", to);
                }
                self.sub("fromCdlWorkingSpace", &working_space.from);
                self.close("cdlWorkingSpace");
                match source {
                    CdlSource::Inline(cdl) => {
                        let pad = self.indent();
                        write_nodes(&mut self.out, cdl, &pad, "cdl:");
                    }
                    CdlSource::External { ref_id, file } => {
                        let pad = self.indent();
                        self.out.push_str(&format!(
                            "{pad}<cdl:ColorCorrectionRef ref=\"{}\"/>\n",
                            esc(ref_id)
                        ));
                        self.leaf("file", file);
                    }
                }
            }
        }
        self.close("lookTransform");
    }
}

fn applied(v: bool) -> String {
    format!(" applied=\"{v}\"")
}

impl Amf {
    /// The document as AMF 2.0 XML (UTF-8). Reading it back gives an equal [`Amf`] (with
    /// `version` 2).
    pub fn to_xml(&self) -> String {
        let mut w = Writer {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
        };
        w.open(
            "acesMetadataFile",
            &format!(
                " xmlns:aces=\"{AMF_V2_NAMESPACE}\" xmlns:cdl=\"urn:ASC:CDL:v1.01\" version=\"2.0\""
            ),
        );
        w.open("amfInfo", "");
        w.info(&self.info);
        w.close("amfInfo");
        if let Some(c) = &self.clip_id {
            w.open("clipId", "");
            w.leaf("clipName", &c.clip_name);
            match &c.reference {
                ClipReference::Sequence {
                    pattern,
                    idx,
                    min,
                    max,
                } => {
                    let pad = w.indent();
                    w.out.push_str(&format!(
                        "{pad}<aces:sequence idx=\"{}\" min=\"{min}\" max=\"{max}\">{}</aces:sequence>\n",
                        esc(idx),
                        esc(pattern)
                    ));
                }
                ClipReference::File(f) => w.leaf("file", f),
                ClipReference::Uuid(u) => w.leaf("uuid", u),
            }
            w.close("clipId");
        }
        w.pipeline("pipeline", &self.pipeline);
        for p in &self.archived_pipelines {
            w.pipeline("archivedPipeline", p);
        }
        w.close("acesMetadataFile");
        w.out
    }
}
