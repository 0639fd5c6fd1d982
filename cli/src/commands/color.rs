//! `rushes amf validate|info`, `rushes cdl` and `rushes color apply`: check and describe ACES
//! Metadata Files and ASC CDL documents, and apply an AMF pipeline to an OpenEXR image.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rushes_engine::Error;
use rushes_engine::amf::{
    self, Amf, AmfVersion, CdlSource, ClipReference, InputTransformKind, LookKind,
    OutputTransformKind, Pipeline, PipelineStep, Plan, PlannedLook, TransformRef,
};
use rushes_engine::cdl::{Cdl, CdlDocument, CdlKind};
use serde_json::{Value, json};

use rushes_engine::image_io::FloatImage;
use rushes_engine::image_io::exr::{self, ExrWriteOptions};
use rushes_engine::raw::ImageLimits;

const AMF_EXIT_CODES: &str = "Exit codes: 0 valid, 1 invalid (the problem is printed with its element path and line), \
2 the file could not be read.";

/// Arguments of `rushes amf`.
#[derive(Debug, clap::Args)]
#[command(after_help = AMF_EXIT_CODES)]
pub struct AmfArgs {
    #[command(subcommand)]
    command: AmfCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AmfCommand {
    /// Validate an AMF against the AMF v2.0 schema rules (v1.0 is read too) and check its
    /// external CDL references.
    #[command(after_help = AMF_EXIT_CODES)]
    Validate {
        /// The .amf file.
        file: PathBuf,
    },
    /// Describe an AMF: clip, input transform, looks and output transform with their transform
    /// IDs, `applied` flags and whether rushes can apply them.
    #[command(after_help = AMF_EXIT_CODES)]
    Info {
        /// The .amf file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Arguments of `rushes cdl`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Exit codes: 0 valid, 1 invalid, 2 the file could not be read.")]
pub struct CdlArgs {
    /// A .cc, .ccc or .cdl file.
    file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Arguments of `rushes color`.
#[derive(Debug, clap::Args)]
pub struct ColorArgs {
    #[command(subcommand)]
    command: ColorCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ColorCommand {
    /// Apply an AMF pipeline to an ACES2065-1 OpenEXR image and write a half-float OpenEXR.
    /// Without --amf the rule of defaults applies (ACES 2.0 output transform, SDR 100 nit
    /// Rec.709, BT.1886).
    #[command(
        after_help = "Exit codes: 0 written, 1 the AMF or one of its CDLs is invalid or names a \
transform rushes does not implement, 2 a file could not be read or written."
    )]
    Apply {
        /// The ACES Metadata File whose unapplied transforms to apply.
        #[arg(long)]
        amf: Option<PathBuf>,
        /// Input OpenEXR (RGB or RGBA, half or float, ACES2065-1 linear).
        input: PathBuf,
        /// Output OpenEXR (half float).
        output: PathBuf,
    },
}

/// Reads a whole file, or prints why not (the caller exits 2).
fn read_or_report(path: &Path) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            eprintln!("rushes: cannot read {}: {e}", path.display());
            None
        }
    }
}

/// The folder external references of a document are relative to.
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Loads one external CDL reference (relative to `folder`, refused when it leaves it).
pub fn load_external_cdl(folder: &Path, ref_id: &str, file: &str) -> anyhow::Result<Cdl> {
    amf::check_relative_file(file)?;
    let path = folder.join(file);
    let bytes = std::fs::read(&path)
        .with_context(|| format!("cannot read the CDL file {} of the AMF", path.display()))?;
    let doc = CdlDocument::parse(&path.display().to_string(), &bytes)?;
    let correction = doc
        .find(ref_id)
        .with_context(|| format!("{}: no ColorCorrection with id `{ref_id}`", path.display()))?;
    Ok(correction.cdl)
}

/// Loads every external CDL a plan needs, keyed by (ref id, file).
pub fn load_plan_cdls(
    plan: &Plan,
    folder: &Path,
) -> anyhow::Result<HashMap<(String, String), Cdl>> {
    let mut cdls = HashMap::new();
    for look in &plan.looks {
        if let PlannedLook::ExternalCdl { ref_id, file, .. } = look {
            let cdl = load_external_cdl(folder, ref_id, file)?;
            cdls.insert((ref_id.clone(), file.clone()), cdl);
        }
    }
    Ok(cdls)
}

/// Applies a plan to interleaved pixels with external CDLs already loaded by [`load_plan_cdls`].
pub fn apply_plan(
    plan: &Plan,
    cdls: &HashMap<(String, String), Cdl>,
    pixels: &mut [f32],
    channels: usize,
) -> rushes_engine::Result<()> {
    plan.apply(pixels, channels, &|ref_id, file| {
        cdls.get(&(ref_id.to_string(), file.to_string()))
            .copied()
            .ok_or_else(|| Error::CdlInvalid {
                input: file.to_string(),
                path: ref_id.to_string(),
                problem: "CDL was not loaded".into(),
            })
    })
}

/// Runs `rushes amf`.
pub fn run_amf(args: AmfArgs) -> anyhow::Result<ExitCode> {
    let (file, json_out, validate_only) = match args.command {
        AmfCommand::Validate { file } => (file, false, true),
        AmfCommand::Info { file, json } => (file, json, false),
    };
    let Some(bytes) = read_or_report(&file) else {
        return Ok(ExitCode::from(2));
    };
    let amf = match Amf::parse(&file.display().to_string(), &bytes) {
        Ok(amf) => amf,
        Err(e) => {
            eprintln!("rushes: invalid: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let folder = folder_of(&file);
    let reference_problems = check_cdl_references(&amf.pipeline, &folder);
    if validate_only {
        if !reference_problems.is_empty() {
            for p in &reference_problems {
                eprintln!("rushes: invalid: {}: {p}", file.display());
            }
            return Ok(ExitCode::from(1));
        }
        println!(
            "{}: valid AMF {}",
            file.display(),
            version_text(amf.version)
        );
        match amf.pipeline.plan() {
            Ok(_) => println!("rushes can apply its pipeline"),
            Err(e) => println!("rushes cannot apply its pipeline: {e}"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let info = amf_info(&amf, &file, &reference_problems);
    if json_out {
        println!("{}", serde_json::to_string_pretty(&info)?);
    } else {
        print_amf_info(&info);
    }
    Ok(if reference_problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Problems with the external CDL references of a pipeline: every reference must stay inside
/// the AMF's folder; those of unapplied looks must load.
fn check_cdl_references(pipeline: &Pipeline, folder: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for step in &pipeline.steps {
        let PipelineStep::Look(look) = step else {
            continue;
        };
        let LookKind::Cdl {
            source: CdlSource::External { ref_id, file },
            ..
        } = &look.kind
        else {
            continue;
        };
        let checked = if look.applied {
            amf::check_relative_file(file).map_err(anyhow::Error::from)
        } else {
            load_external_cdl(folder, ref_id, file).map(|_| ())
        };
        if let Err(e) = checked {
            problems.push(format!("{e:#}"));
        }
    }
    problems
}

fn version_text(v: AmfVersion) -> &'static str {
    match v {
        AmfVersion::V1 => "1.0",
        AmfVersion::V2 => "2.0",
    }
}

fn ref_text(r: &TransformRef) -> String {
    match r {
        TransformRef::TransformId(id) => id.clone(),
        TransformRef::Uuid(u) => format!("uuid {u}"),
        TransformRef::File(f) => format!("file {f}"),
    }
}

/// Whether rushes can apply one part of a pipeline: the pipeline is planned with every other
/// part marked applied, so the answer is exactly the engine's.
fn support(pipeline: &Pipeline, keep: Part) -> Value {
    let mut only = pipeline.clone();
    if let Some(t) = &mut only.input_transform {
        t.applied = keep != Part::Input;
    }
    if let Some(t) = &mut only.output_transform {
        t.applied = keep != Part::Output;
    }
    let mut look_index = 0;
    for step in &mut only.steps {
        if let PipelineStep::Look(look) = step {
            look.applied = keep != Part::Look(look_index);
            look_index += 1;
        }
    }
    match only.plan() {
        Ok(_) => json!({"supported": true}),
        Err(e) => json!({"supported": false, "reason": e.to_string()}),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Input,
    Look(usize),
    Output,
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

fn cdl_json(cdl: &Cdl) -> Value {
    json!({"slope": cdl.slope, "offset": cdl.offset, "power": cdl.power, "saturation": cdl.saturation})
}

/// The facts `rushes amf info` prints, as JSON.
fn amf_info(amf: &Amf, file: &Path, reference_problems: &[String]) -> Value {
    let p = &amf.pipeline;
    let clip = amf.clip_id.as_ref().map(|c| {
        let reference = match &c.reference {
            ClipReference::Sequence {
                pattern,
                idx,
                min,
                max,
            } => {
                json!({"sequence": pattern, "idx": idx, "min": min, "max": max})
            }
            ClipReference::File(f) => json!({"file": f}),
            ClipReference::Uuid(u) => json!({"uuid": u}),
        };
        json!({"clip_name": c.clip_name, "reference": reference})
    });
    let input = p.input_transform.as_ref().map(|t| {
        let (kind, ids) = match &t.kind {
            InputTransformKind::Reference(r) => ("transform", vec![ref_text(r)]),
            InputTransformKind::InverseOutput(s) => {
                ("inverse output transform", vec![ref_text(&s.reference)])
            }
            InputTransformKind::InverseOdtRrt {
                inverse_odt,
                inverse_rrt,
            } => (
                "inverse ODT + inverse RRT",
                vec![
                    ref_text(&inverse_odt.reference),
                    ref_text(&inverse_rrt.reference),
                ],
            ),
        };
        merge(
            json!({"kind": kind, "transform_ids": ids, "applied": t.applied}),
            support(p, Part::Input),
        )
    });
    let mut looks = Vec::new();
    for step in &p.steps {
        let PipelineStep::Look(look) = step else {
            continue;
        };
        let described = match &look.kind {
            LookKind::Reference(r) => json!({"kind": "transform", "transform_ids": [ref_text(r)]}),
            LookKind::Cdl {
                working_space,
                source,
            } => {
                let mut ws = Vec::new();
                if let Some(to) = &working_space.to {
                    ws.push(ref_text(&to.reference));
                }
                ws.push(ref_text(&working_space.from.reference));
                let src = match source {
                    CdlSource::Inline(cdl) => json!({"inline": cdl_json(cdl)}),
                    CdlSource::External { ref_id, file } => {
                        json!({"external": {"file": file, "ref": ref_id}})
                    }
                };
                json!({"kind": "cdl", "working_space_transform_ids": ws, "cdl": src})
            }
        };
        let index = looks.len();
        looks.push(merge(
            merge(
                described,
                json!({"index": index + 1, "applied": look.applied, "description": look.info.description}),
            ),
            support(p, Part::Look(index)),
        ));
    }
    let output = p.output_transform.as_ref().map(|t| {
        let (kind, ids) = match &t.kind {
            OutputTransformKind::Reference(r) => ("transform", vec![ref_text(r)]),
            OutputTransformKind::RrtOdt { rrt, odt } => (
                "RRT + ODT",
                vec![ref_text(&rrt.reference), ref_text(&odt.reference)],
            ),
        };
        merge(
            json!({"kind": kind, "transform_ids": ids, "applied": t.applied}),
            support(p, Part::Output),
        )
    });
    let (v0, v1, v2) = p.system_version;
    let plan = p.plan();
    json!({
        "file": file.display().to_string(),
        "amf_version": version_text(amf.version),
        "uuid": amf.info.uuid,
        "description": amf.info.description,
        "clip": clip,
        "aces_system_version": format!("{v0}.{v1}.{v2}"),
        "input_transform": input,
        "looks": looks,
        "output_transform": output,
        "working_locations": p.steps.iter().filter(|s| matches!(s, PipelineStep::WorkingLocation)).count(),
        "archived_pipelines": amf.archived_pipelines.len(),
        "applicable": plan.is_ok() && reference_problems.is_empty(),
        "problems": plan.err().map(|e| e.to_string()).into_iter().chain(reference_problems.iter().cloned()).collect::<Vec<_>>(),
    })
}

fn status_text(part: &Value) -> String {
    let applied = if part["applied"].as_bool() == Some(true) {
        "applied"
    } else {
        "not applied"
    };
    let support = match part["reason"].as_str() {
        None => "supported".to_string(),
        Some(r) => format!("unsupported: {r}"),
    };
    format!("[{applied}; {support}]")
}

fn ids_text(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .unwrap_or_default()
}

fn print_amf_info(info: &Value) {
    println!(
        "{}: AMF {}",
        info["file"].as_str().unwrap_or(""),
        info["amf_version"].as_str().unwrap_or("")
    );
    println!("  uuid: {}", info["uuid"].as_str().unwrap_or(""));
    if let Some(d) = info["description"].as_str() {
        println!("  description: {d}");
    }
    match &info["clip"] {
        Value::Null => println!("  clip: (no clipId)"),
        clip => println!(
            "  clip: {} {}",
            clip["clip_name"].as_str().unwrap_or(""),
            clip["reference"]
        ),
    }
    println!(
        "  ACES system version: {}",
        info["aces_system_version"].as_str().unwrap_or("")
    );
    match &info["input_transform"] {
        Value::Null => println!("  input transform: none"),
        t => println!(
            "  input transform ({}): {} {}",
            t["kind"].as_str().unwrap_or(""),
            ids_text(&t["transform_ids"]),
            status_text(t)
        ),
    }
    for look in info["looks"].as_array().into_iter().flatten() {
        let what = if look["kind"] == "cdl" {
            format!(
                "CDL {} in working space {}",
                look["cdl"],
                ids_text(&look["working_space_transform_ids"])
            )
        } else {
            ids_text(&look["transform_ids"])
        };
        println!("  look {}: {what} {}", look["index"], status_text(look));
    }
    match &info["output_transform"] {
        Value::Null => println!("  output transform: none"),
        t => println!(
            "  output transform ({}): {} {}",
            t["kind"].as_str().unwrap_or(""),
            ids_text(&t["transform_ids"]),
            status_text(t)
        ),
    }
    println!("  archived pipelines: {}", info["archived_pipelines"]);
    if info["applicable"].as_bool() == Some(true) {
        println!("  rushes can apply this pipeline");
    } else {
        for p in info["problems"].as_array().into_iter().flatten() {
            println!(
                "  rushes cannot apply this pipeline: {}",
                p.as_str().unwrap_or("")
            );
        }
    }
}

/// Runs `rushes cdl`.
pub fn run_cdl(args: CdlArgs) -> anyhow::Result<ExitCode> {
    let Some(bytes) = read_or_report(&args.file) else {
        return Ok(ExitCode::from(2));
    };
    let name = args.file.display().to_string();
    let doc = match CdlDocument::parse(&name, &bytes) {
        Ok(doc) => doc,
        Err(e) => {
            eprintln!("rushes: invalid: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let kind = match doc.kind {
        CdlKind::Cc => "ColorCorrection (.cc)",
        CdlKind::Ccc => "ColorCorrectionCollection (.ccc)",
        CdlKind::Cdl => "ColorDecisionList (.cdl)",
    };
    if args.json {
        let corrections: Vec<Value> = doc
            .corrections
            .iter()
            .map(|c| {
                merge(
                    json!({"id": c.id, "descriptions": c.descriptions}),
                    cdl_json(&c.cdl),
                )
            })
            .collect();
        let out = json!({"file": name, "kind": kind, "descriptions": doc.descriptions, "corrections": corrections});
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "{name}: valid {kind}, {} correction(s)",
            doc.corrections.len()
        );
        for (i, c) in doc.corrections.iter().enumerate() {
            let id = c.id.as_deref().unwrap_or("(no id)");
            let d = &c.cdl;
            println!(
                "  {}: {id}  slope {:?}  offset {:?}  power {:?}  saturation {}",
                i + 1,
                d.slope,
                d.offset,
                d.power,
                d.saturation
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `rushes color`.
pub fn run_color(args: ColorArgs) -> anyhow::Result<ExitCode> {
    let ColorCommand::Apply { amf, input, output } = args.command;
    let (plan, cdls) = match &amf {
        Some(amf_path) => {
            let Some(bytes) = read_or_report(amf_path) else {
                return Ok(ExitCode::from(2));
            };
            let planned = Amf::parse(&amf_path.display().to_string(), &bytes)
                .and_then(|a| a.pipeline.plan())
                .map_err(anyhow::Error::from)
                .and_then(|plan| {
                    let cdls = load_plan_cdls(&plan, &folder_of(amf_path))?;
                    Ok((plan, cdls))
                });
            match planned {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("rushes: {e:#}");
                    return Ok(ExitCode::from(1));
                }
            }
        }
        None => (default_plan(), HashMap::new()),
    };
    let mut image = match read_exr_file(&input) {
        Ok(image) => image,
        Err(e) => {
            eprintln!("rushes: {e:#}");
            return Ok(ExitCode::from(2));
        }
    };
    let channels = image.channel_count();
    apply_plan(&plan, &cdls, image.samples_mut(), channels)?;
    if let Err(e) = write_exr_half_file(&image, &output) {
        eprintln!("rushes: {e:#}");
        return Ok(ExitCode::from(2));
    }
    match &amf {
        Some(a) => println!(
            "{} -> {}: applied {} ({})",
            input.display(),
            output.display(),
            a.display(),
            plan_text(&plan)
        ),
        None => println!(
            "{} -> {}: no AMF given, rule of defaults: applied the ACES 2.0 output transform \
             SDR 100 nit Rec.709 (BT.1886), {}",
            input.display(),
            output.display(),
            amf::DEFAULT_OUTPUT_ID
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the RGB(A) channels of an OpenEXR file (half or float) with the engine's reader.
fn read_exr_file(path: &Path) -> anyhow::Result<FloatImage> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let name = path.display().to_string();
    let (image, _) = exr::read(
        std::io::BufReader::new(file),
        &name,
        &ImageLimits::default(),
    )?;
    Ok(image)
}

/// Writes a half-float, ZIP-compressed OpenEXR file (alpha only when the image has it).
fn write_exr_half_file(image: &FloatImage, path: &Path) -> anyhow::Result<()> {
    let bytes = exr::to_vec(image, &ExrWriteOptions::default())?;
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// The plan used when no AMF is given: the engine's rule of defaults (ACES 2.0 SDR 100 nit
/// Rec.709, [`amf::DEFAULT_OUTPUT_ID`]).
pub fn default_plan() -> Plan {
    Plan::rule_of_defaults()
}

fn plan_text(plan: &Plan) -> String {
    let mut parts = Vec::new();
    if let Some(i) = &plan.input {
        parts.push(format!("input {i:?}"));
    }
    if !plan.looks.is_empty() {
        parts.push(format!("{} CDL look(s)", plan.looks.len()));
    }
    if let Some(o) = &plan.output {
        parts.push(format!("output {o:?}"));
    }
    if parts.is_empty() {
        "nothing left to apply: every transform is marked applied".into()
    } else {
        parts.join(", ")
    }
}
