//! Reading an AMF document: XML to [`Amf`], validating what the AMF XSD requires (element order
//! and cardinality, required attributes, enumerations, UUID, date, e-mail, digit and
//! transform-ID forms). Errors name the input, the element path and line.

use super::model::*;
use super::transform_id::{TransformSlot, check_form};
use crate::cdl::Cdl;
use crate::cdl::xml::{parse_sat, parse_sop};
use crate::cdl::xml_tree::{self, Node, TreeError};
use crate::{Error, Result};

/// The CDL namespace AMF v2 imports (the only one allowed for inline CDL in an AMF).
const CDL_V101: &str = "urn:ASC:CDL:v1.01";

struct Ctx<'a> {
    input: &'a str,
    ns: &'static str,
}

impl Ctx<'_> {
    fn err(&self, node: &Node, problem: impl Into<String>) -> Error {
        Error::AmfInvalid {
            input: self.input.to_string(),
            path: node.at(),
            problem: problem.into(),
        }
    }

    fn tree_err(&self, e: TreeError) -> Error {
        Error::AmfInvalid {
            input: self.input.to_string(),
            path: e.path,
            problem: e.problem,
        }
    }
}

/// Walks the children of one element in order, as an `xs:sequence` does.
struct Seq<'a, 'c> {
    ctx: &'c Ctx<'c>,
    parent: &'a Node,
    pos: usize,
}

impl<'a, 'c> Seq<'a, 'c> {
    fn new(ctx: &'c Ctx<'c>, parent: &'a Node) -> Self {
        Seq {
            ctx,
            parent,
            pos: 0,
        }
    }

    fn peek(&self) -> Option<&'a Node> {
        self.parent.children.get(self.pos)
    }

    /// The next child if it is the AMF element `name`.
    fn take(&mut self, name: &str) -> Option<&'a Node> {
        let node = self.peek()?;
        if node.ns.as_deref() == Some(self.ctx.ns) && node.name == name {
            self.pos += 1;
            Some(node)
        } else {
            None
        }
    }

    /// The next child if it is a CDL element named one of `names`.
    fn take_cdl(&mut self, names: &[&str]) -> Option<&'a Node> {
        let node = self.peek()?;
        if node.ns.as_deref() == Some(CDL_V101) && names.contains(&node.name.as_str()) {
            self.pos += 1;
            Some(node)
        } else {
            None
        }
    }

    fn require(&mut self, name: &str) -> Result<&'a Node> {
        match self.take(name) {
            Some(n) => Ok(n),
            None => Err(self.missing(name)),
        }
    }

    fn missing(&self, what: &str) -> Error {
        match self.peek() {
            Some(next) => self.ctx.err(
                next,
                format!(
                    "expected {what} here, found {}",
                    describe(next, self.ctx.ns)
                ),
            ),
            None => self.ctx.err(self.parent, format!("missing {what}")),
        }
    }

    fn finish(&self) -> Result<()> {
        match self.peek() {
            Some(next) => Err(self
                .ctx
                .err(next, format!("unexpected {}", describe(next, self.ctx.ns)))),
            None => Ok(()),
        }
    }
}

fn describe(node: &Node, ns: &str) -> String {
    match node.ns.as_deref() {
        Some(n) if n == ns => format!("element `{}`", node.name),
        Some(n) => format!("element `{}` in namespace `{n}`", node.name),
        None => format!("element `{}` without a namespace", node.name),
    }
}

/// Elements with simple content must not contain elements.
fn text<'a>(ctx: &Ctx, node: &'a Node) -> Result<&'a str> {
    if let Some(child) = node.children.first() {
        return Err(ctx.err(child, "unexpected element inside a text-only element"));
    }
    Ok(node.text.as_str())
}

fn collapsed(ctx: &Ctx, node: &Node) -> Result<String> {
    Ok(text(ctx, node)?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" "))
}

fn is_uuid(s: &str) -> bool {
    let Some(hex) = s.strip_prefix("urn:uuid:") else {
        return false;
    };
    let groups: Vec<&str> = hex.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn uuid(ctx: &Ctx, node: &Node) -> Result<String> {
    let v = collapsed(ctx, node)?;
    if is_uuid(&v) {
        Ok(v)
    } else {
        Err(ctx.err(
            node,
            format!("`{v}` is not a urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"),
        ))
    }
}

fn all_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// xs:dateTime: `-?YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?` with field ranges.
pub(crate) fn is_xs_date_time(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let Some((date, time)) = s.split_once('T') else {
        return false;
    };
    let d: Vec<&str> = date.split('-').collect();
    let [y, mo, da] = d.as_slice() else {
        return false;
    };
    let year_ok = y.len() >= 4
        && y.bytes().all(|b| b.is_ascii_digit())
        && !(y.len() > 4 && y.starts_with('0'));
    let num = |v: &str| v.parse::<u32>().unwrap_or(99);
    if !year_ok || !all_digits(mo, 2) || !all_digits(da, 2) {
        return false;
    }
    if !(1..=12).contains(&num(mo)) || !(1..=31).contains(&num(da)) {
        return false;
    }
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => (time, ""),
    };
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || zone
            .get(1..)
            .and_then(|z| z.split_once(':'))
            .is_some_and(|(h, m)| {
                all_digits(h, 2) && all_digits(m, 2) && num(h) <= 14 && num(m) <= 59
            });
    let (hms, frac) = match clock.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (clock, None),
    };
    let t: Vec<&str> = hms.split(':').collect();
    let [h, mi, se] = t.as_slice() else {
        return false;
    };
    zone_ok
        && all_digits(h, 2)
        && all_digits(mi, 2)
        && all_digits(se, 2)
        && (num(h) <= 23 || (num(h) == 24 && num(mi) == 0 && num(se) == 0))
        && num(mi) <= 59
        && num(se) <= 59
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

fn date_time(ctx: &Ctx, node: &Node) -> Result<String> {
    let v = collapsed(ctx, node)?;
    if is_xs_date_time(&v) {
        Ok(v)
    } else {
        Err(ctx.err(
            node,
            format!("`{v}` is not an xs:dateTime (YYYY-MM-DDThh:mm:ss[Z])"),
        ))
    }
}

fn boolean_attr(ctx: &Ctx, node: &Node, name: &str) -> Result<bool> {
    match node.attr(name).map(str::trim) {
        Some("true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(other) => Err(ctx.err(
            node,
            format!("attribute `{name}` is `{other}`, not a boolean"),
        )),
        None => Err(ctx.err(node, format!("missing required attribute `{name}`"))),
    }
}

fn no_attrs_except(ctx: &Ctx, node: &Node, allowed: &[&str]) -> Result<()> {
    for (ns, name, _) in &node.attrs {
        let xsi = ns.as_deref() == Some("http://www.w3.org/2001/XMLSchema-instance");
        if !xsi && (ns.is_some() || !allowed.contains(&name.as_str())) {
            return Err(ctx.err(node, format!("unexpected attribute `{name}`")));
        }
    }
    Ok(())
}

fn info(ctx: &Ctx, node: &Node, seq: &mut Seq<'_, '_>) -> Result<Info> {
    let mut info = Info {
        description: seq
            .take("description")
            .map(|n| text(ctx, n).map(str::to_string))
            .transpose()?,
        ..Info::default()
    };
    while let Some(author) = seq.take("author") {
        let mut a = Seq::new(ctx, author);
        let name = text(ctx, a.require("name")?)?.to_string();
        let email_node = a.require("emailAddress")?;
        let email = text(ctx, email_node)?.to_string();
        let parts: Vec<&str> = email.split('@').collect();
        if parts.len() != 2 || parts.iter().any(|p| p.is_empty()) {
            return Err(ctx.err(email_node, format!("`{email}` is not an e-mail address")));
        }
        a.finish()?;
        info.authors.push(Author { name, email });
    }
    let dt = seq.require("dateTime")?;
    let mut d = Seq::new(ctx, dt);
    info.creation_date_time = date_time(ctx, d.require("creationDateTime")?)?;
    info.modification_date_time = date_time(ctx, d.require("modificationDateTime")?)?;
    d.finish()?;
    info.uuid = uuid(ctx, seq.require("uuid")?)?;
    let _ = node;
    Ok(info)
}

fn transform_info(ctx: &Ctx, seq: &mut Seq<'_, '_>) -> Result<TransformInfo> {
    let description = seq
        .take("description")
        .map(|n| text(ctx, n).map(str::to_string))
        .transpose()?;
    let hash = match seq.take("hash") {
        None => None,
        Some(h) => {
            no_attrs_except(ctx, h, &["algorithm"])?;
            let uri = h
                .attr("algorithm")
                .ok_or_else(|| ctx.err(h, "missing required attribute `algorithm`"))?;
            let algorithm = HashAlgorithm::from_uri(uri.trim()).ok_or_else(|| {
                ctx.err(
                    h,
                    format!("hash algorithm `{uri}` is not sha256, sha1 or md5 (schema URIs)"),
                )
            })?;
            let value = text(ctx, h)?.to_string();
            let compact: String = value.split_whitespace().collect();
            let b64 = compact.len() % 4 == 0
                && compact.bytes().enumerate().all(|(i, b)| {
                    b.is_ascii_alphanumeric()
                        || b == b'+'
                        || b == b'/'
                        || (b == b'=' && i + 2 >= compact.len())
                });
            if !b64 {
                return Err(ctx.err(h, "hash value is not base64"));
            }
            Some(TransformHash { algorithm, value })
        }
    };
    Ok(TransformInfo { description, hash })
}

/// `uuid | file | transformId`, or `None` when the next element is none of them.
fn transform_ref(
    ctx: &Ctx,
    seq: &mut Seq<'_, '_>,
    slot: TransformSlot,
) -> Result<Option<TransformRef>> {
    if let Some(n) = seq.take("uuid") {
        return Ok(Some(TransformRef::Uuid(uuid(ctx, n)?)));
    }
    if let Some(n) = seq.take("file") {
        return Ok(Some(TransformRef::File(collapsed(ctx, n)?)));
    }
    if let Some(n) = seq.take("transformId") {
        let id = text(ctx, n)?;
        check_form(slot, id).map_err(|p| ctx.err(n, p))?;
        return Ok(Some(TransformRef::TransformId(id.to_string())));
    }
    Ok(None)
}

fn sub_transform(ctx: &Ctx, node: &Node, slot: TransformSlot) -> Result<SubTransform> {
    no_attrs_except(ctx, node, &[])?;
    let mut seq = Seq::new(ctx, node);
    let info = transform_info(ctx, &mut seq)?;
    let reference = transform_ref(ctx, &mut seq, slot)?
        .ok_or_else(|| seq.missing("uuid, file or transformId"))?;
    seq.finish()?;
    Ok(SubTransform { info, reference })
}

fn input_transform(ctx: &Ctx, node: &Node) -> Result<InputTransform> {
    no_attrs_except(ctx, node, &["applied"])?;
    let applied = boolean_attr(ctx, node, "applied")?;
    let mut seq = Seq::new(ctx, node);
    let info = transform_info(ctx, &mut seq)?;
    let kind = if let Some(r) = transform_ref(ctx, &mut seq, TransformSlot::Input)? {
        InputTransformKind::Reference(r)
    } else if let Some(n) = seq.take("inverseOutputTransform") {
        InputTransformKind::InverseOutput(sub_transform(ctx, n, TransformSlot::InverseOutput)?)
    } else if let Some(n) = seq.take("inverseOutputDeviceTransform") {
        let inverse_odt = sub_transform(ctx, n, TransformSlot::InverseOdt)?;
        let rrt = seq.require("inverseReferenceRenderingTransform")?;
        InputTransformKind::InverseOdtRrt {
            inverse_odt,
            inverse_rrt: sub_transform(ctx, rrt, TransformSlot::InverseRrt)?,
        }
    } else {
        return Err(seq.missing(
            "uuid, file, transformId, inverseOutputTransform or inverseOutputDeviceTransform",
        ));
    };
    seq.finish()?;
    Ok(InputTransform {
        applied,
        info,
        kind,
    })
}

fn output_transform(ctx: &Ctx, node: &Node) -> Result<OutputTransform> {
    no_attrs_except(ctx, node, &["applied"])?;
    let applied = boolean_attr(ctx, node, "applied")?;
    let mut seq = Seq::new(ctx, node);
    let info = transform_info(ctx, &mut seq)?;
    let kind = if let Some(r) = transform_ref(ctx, &mut seq, TransformSlot::Output)? {
        OutputTransformKind::Reference(r)
    } else if let Some(n) = seq.take("referenceRenderingTransform") {
        let rrt = sub_transform(ctx, n, TransformSlot::Rrt)?;
        let odt = seq.require("outputDeviceTransform")?;
        OutputTransformKind::RrtOdt {
            rrt,
            odt: sub_transform(ctx, odt, TransformSlot::Odt)?,
        }
    } else {
        return Err(seq.missing("uuid, file, transformId or referenceRenderingTransform"));
    };
    seq.finish()?;
    Ok(OutputTransform {
        applied,
        info,
        kind,
    })
}

fn cdl_node_check(ctx: &Ctx, node: &Node) -> Result<()> {
    // Inside an AMF every CDL element must be in the CDL v1.01 namespace the schema imports.
    fn walk(ctx: &Ctx, node: &Node) -> Result<()> {
        if node.ns.as_deref() != Some(CDL_V101) {
            return Err(ctx.err(
                node,
                format!(
                    "{} (CDL elements in an AMF must be in {CDL_V101})",
                    describe(node, CDL_V101)
                ),
            ));
        }
        node.children.iter().try_for_each(|c| walk(ctx, c))
    }
    walk(ctx, node)
}

fn look_transform(ctx: &Ctx, node: &Node) -> Result<LookTransform> {
    no_attrs_except(ctx, node, &["applied"])?;
    let applied = boolean_attr(ctx, node, "applied")?;
    let mut seq = Seq::new(ctx, node);
    let info = transform_info(ctx, &mut seq)?;
    let kind = if let Some(r) = transform_ref(ctx, &mut seq, TransformSlot::Look)? {
        LookKind::Reference(r)
    } else if let Some(ws) = seq.take("cdlWorkingSpace") {
        let mut w = Seq::new(ctx, ws);
        let to = w
            .take("toCdlWorkingSpace")
            .map(|n| sub_transform(ctx, n, TransformSlot::ColorSpaceConversion))
            .transpose()?;
        let from = sub_transform(
            ctx,
            w.require("fromCdlWorkingSpace")?,
            TransformSlot::ColorSpaceConversion,
        )?;
        w.finish()?;
        let working_space = CdlWorkingSpace { to, from };
        let source = if let Some(sop) = seq.take_cdl(&["SOPNode", "ASC_SOP"]) {
            cdl_node_check(ctx, sop)?;
            let mut cdl = Cdl::IDENTITY;
            parse_sop(sop, &mut cdl).map_err(|e| ctx.tree_err(e))?;
            let sat = seq
                .take_cdl(&["SatNode", "ASC_SAT"])
                .ok_or_else(|| seq.missing("cdl:SatNode after cdl:SOPNode"))?;
            cdl_node_check(ctx, sat)?;
            cdl.saturation = parse_sat(sat).map_err(|e| ctx.tree_err(e))?;
            CdlSource::Inline(cdl)
        } else if let Some(r) = seq.take_cdl(&["ColorCorrectionRef", "ASC_CC_XML"]) {
            cdl_node_check(ctx, r)?;
            let ref_id = r
                .attr("ref")
                .ok_or_else(|| ctx.err(r, "missing required attribute `ref`"))?
                .to_string();
            let file = collapsed(ctx, seq.require("file")?)?;
            CdlSource::External { ref_id, file }
        } else {
            return Err(seq.missing("cdl:SOPNode or cdl:ColorCorrectionRef"));
        };
        LookKind::Cdl {
            working_space,
            source,
        }
    } else {
        return Err(seq.missing("uuid, file, transformId or cdlWorkingSpace"));
    };
    seq.finish()?;
    Ok(LookTransform {
        applied,
        info,
        kind,
    })
}

fn single_digit(ctx: &Ctx, node: &Node) -> Result<u8> {
    let v = collapsed(ctx, node)?;
    let digits = v.strip_prefix('+').unwrap_or(&v);
    match digits.parse::<u8>() {
        Ok(d) if d <= 9 && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(d)
        }
        _ => Err(ctx.err(node, format!("`{v}` is not a single digit 0-9"))),
    }
}

fn pipeline(ctx: &Ctx, node: &Node) -> Result<Pipeline> {
    no_attrs_except(ctx, node, &[])?;
    let mut seq = Seq::new(ctx, node);
    let pi = seq.require("pipelineInfo")?;
    no_attrs_except(ctx, pi, &[])?;
    let mut p = Seq::new(ctx, pi);
    let info = info(ctx, pi, &mut p)?;
    let sv = p.require("systemVersion")?;
    let mut v = Seq::new(ctx, sv);
    let system_version = (
        single_digit(ctx, v.require("majorVersion")?)?,
        single_digit(ctx, v.require("minorVersion")?)?,
        single_digit(ctx, v.require("patchVersion")?)?,
    );
    v.finish()?;
    p.finish()?;
    let input_transform = seq
        .take("inputTransform")
        .map(|n| input_transform(ctx, n))
        .transpose()?;
    let mut steps = Vec::new();
    loop {
        if let Some(w) = seq.take("workingLocation") {
            no_attrs_except(ctx, w, &[])?;
            if let Some(child) = w.children.first() {
                return Err(ctx.err(child, "workingLocation must be empty"));
            }
            if !w.text.trim().is_empty() {
                return Err(ctx.err(w, "workingLocation must be empty"));
            }
            steps.push(PipelineStep::WorkingLocation);
        } else if let Some(l) = seq.take("lookTransform") {
            steps.push(PipelineStep::Look(look_transform(ctx, l)?));
        } else {
            break;
        }
    }
    let output_transform = seq
        .take("outputTransform")
        .map(|n| output_transform(ctx, n))
        .transpose()?;
    seq.finish()?;
    Ok(Pipeline {
        info,
        system_version,
        input_transform,
        steps,
        output_transform,
    })
}

fn clip_id(ctx: &Ctx, node: &Node) -> Result<ClipId> {
    no_attrs_except(ctx, node, &[])?;
    let mut seq = Seq::new(ctx, node);
    let clip_name = text(ctx, seq.require("clipName")?)?.to_string();
    let reference = if let Some(s) = seq.take("sequence") {
        no_attrs_except(ctx, s, &["idx", "min", "max"])?;
        let idx = s
            .attr("idx")
            .ok_or_else(|| ctx.err(s, "missing required attribute `idx`"))?
            .to_string();
        let frame = |name: &str| -> Result<u64> {
            let v = s
                .attr(name)
                .ok_or_else(|| ctx.err(s, format!("missing required attribute `{name}`")))?
                .trim();
            let digits = v.strip_prefix('+').unwrap_or(v);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ctx.err(
                    s,
                    format!("attribute `{name}` is `{v}`, not a non-negative integer"),
                ));
            }
            digits
                .parse::<u64>()
                .map_err(|_| ctx.err(s, format!("attribute `{name}` `{v}` is too large")))
        };
        ClipReference::Sequence {
            pattern: text(ctx, s)?.to_string(),
            idx,
            min: frame("min")?,
            max: frame("max")?,
        }
    } else if let Some(f) = seq.take("file") {
        ClipReference::File(collapsed(ctx, f)?)
    } else if let Some(u) = seq.take("uuid") {
        ClipReference::Uuid(uuid(ctx, u)?)
    } else {
        return Err(seq.missing("sequence, file or uuid"));
    };
    seq.finish()?;
    Ok(ClipId {
        clip_name,
        reference,
    })
}

impl Amf {
    /// Parses and validates an AMF document; `input` names it in errors.
    pub fn parse(input: &str, bytes: &[u8]) -> Result<Amf> {
        let root = xml_tree::parse(bytes).map_err(|e| Error::AmfInvalid {
            input: input.to_string(),
            path: e.path,
            problem: e.problem,
        })?;
        let (ns, version) = match root.ns.as_deref() {
            Some(AMF_V2_NAMESPACE) => (AMF_V2_NAMESPACE, AmfVersion::V2),
            Some(AMF_V1_NAMESPACE) => (AMF_V1_NAMESPACE, AmfVersion::V1),
            other => {
                return Err(Error::AmfInvalid {
                    input: input.to_string(),
                    path: root.at(),
                    problem: format!(
                        "root element is `{}` in namespace `{}`, not an AMF ({AMF_V2_NAMESPACE} or {AMF_V1_NAMESPACE})",
                        root.name,
                        other.unwrap_or("")
                    ),
                });
            }
        };
        let ctx = Ctx { input, ns };
        if root.name != "acesMetadataFile" {
            return Err(ctx.err(
                &root,
                format!("root element is `{}`, not acesMetadataFile", root.name),
            ));
        }
        no_attrs_except(&ctx, &root, &["version"])?;
        let want = match version {
            AmfVersion::V2 => 2.0,
            AmfVersion::V1 => 1.0,
        };
        match root.attr("version").map(str::trim) {
            Some(v) if v.parse::<f64>().ok() == Some(want) && !v.contains(['e', 'E']) => {}
            Some(v) => return Err(ctx.err(&root, format!("version is `{v}`, expected {want:.1}"))),
            None => return Err(ctx.err(&root, "missing required attribute `version`")),
        }
        let mut seq = Seq::new(&ctx, &root);
        let amf_info = seq.require("amfInfo")?;
        no_attrs_except(&ctx, amf_info, &[])?;
        let mut i = Seq::new(&ctx, amf_info);
        let info = info(&ctx, amf_info, &mut i)?;
        i.finish()?;
        let clip_id = seq.take("clipId").map(|n| clip_id(&ctx, n)).transpose()?;
        let pipeline = pipeline(&ctx, seq.require("pipeline")?)?;
        let mut archived_pipelines = Vec::new();
        while let Some(a) = seq.take("archivedPipeline") {
            archived_pipelines.push(self::pipeline(&ctx, a)?);
        }
        seq.finish()?;
        Ok(Amf {
            version,
            info,
            clip_id,
            pipeline,
            archived_pipelines,
        })
    }
}
