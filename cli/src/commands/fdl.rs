//! `rushes fdl`: validate, summarise and apply canvas templates to ASC Framing Decision Lists.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use rushes_engine::Error as EngineError;
use rushes_engine::fdl::{
    self, ApplyOptions, CanvasTemplate, Fdl, MAX_FDL_BYTES, PixelPlan, Problem, SourceSelection,
};
use serde_json::{Value, json};

const EXIT_CODES: &str = "Exit codes: 0 success (valid), 1 invalid FDL or template cannot be applied, 2 unreadable input \
or other error.";

/// Arguments of `rushes fdl`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    #[command(subcommand)]
    command: FdlCommand,
}

#[derive(Debug, clap::Subcommand)]
enum FdlCommand {
    /// List every problem of an FDL with its JSON path (exit 0 valid, 1 invalid, 2 unreadable).
    #[command(after_help = EXIT_CODES)]
    Validate {
        /// The FDL file.
        fdl: PathBuf,
    },
    /// Summarise an FDL: contexts, canvases, framing decisions, templates.
    #[command(after_help = EXIT_CODES)]
    Info {
        /// The FDL file.
        fdl: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Apply a canvas template to a framing decision; write the resulting FDL, print the pixel plan.
    #[command(after_help = EXIT_CODES)]
    Apply {
        /// A canvas template (bare JSON object) or an FDL holding `canvas_templates`.
        #[arg(long)]
        template: PathBuf,
        /// Id of the template when the template file holds several (default: the first).
        #[arg(long)]
        template_id: Option<String>,
        /// Label of the source context (default: the first).
        #[arg(long)]
        context: Option<String>,
        /// Id of the source canvas (default: the context's first).
        #[arg(long)]
        canvas: Option<String>,
        /// Id of the framing decision (default: the one of the default framing intent).
        #[arg(long)]
        decision: Option<String>,
        /// Framing intent whose decision is used (when --decision is not given).
        #[arg(long)]
        intent: Option<String>,
        /// The source FDL.
        fdl: PathBuf,
        /// Where to write the resulting FDL.
        #[arg(long)]
        out: PathBuf,
        /// Also write the pixel plan as JSON here.
        #[arg(long)]
        plan_json: Option<PathBuf>,
        /// Replace the output files when they exist.
        #[arg(long)]
        force: bool,
    },
}

/// Runs `rushes fdl`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        FdlCommand::Validate { fdl } => validate(&fdl),
        FdlCommand::Info { fdl, json } => info(&fdl, json),
        FdlCommand::Apply {
            template,
            template_id,
            context,
            canvas,
            decision,
            intent,
            fdl,
            out,
            plan_json,
            force,
        } => {
            let selection = SourceSelection {
                context_label: context,
                canvas_id: canvas,
                framing_decision_id: decision,
                framing_intent_id: intent,
            };
            let outputs = Outputs {
                fdl: out,
                plan_json,
                force,
            };
            apply(
                &fdl,
                &template,
                template_id.as_deref(),
                &selection,
                &outputs,
            )
        }
    }
}

/// Reads a whole file of at most [`MAX_FDL_BYTES`].
fn read_bounded(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        bail!("{} is a folder, not an FDL file", path.display());
    }
    let mut bytes = Vec::new();
    file.take(MAX_FDL_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() > MAX_FDL_BYTES {
        bail!(
            "{} is larger than {MAX_FDL_BYTES} bytes, too large for an FDL",
            path.display()
        );
    }
    Ok(bytes)
}

fn print_problems(name: &str, problems: &[Problem]) {
    for p in problems {
        println!("{name}: {p}");
    }
}

fn validate(path: &Path) -> anyhow::Result<ExitCode> {
    let bytes = read_bounded(path)?;
    let problems = fdl::check_json(&bytes);
    let name = path.display().to_string();
    if problems.is_empty() {
        println!("{name}: valid");
        Ok(ExitCode::SUCCESS)
    } else {
        print_problems(&name, &problems);
        println!("{name}: invalid ({} problems)", problems.len());
        Ok(ExitCode::from(1))
    }
}

/// Reads an FDL; `Err(code)` after printing the problems when it is structurally invalid.
fn load(path: &Path) -> anyhow::Result<Result<Fdl, ExitCode>> {
    let bytes = read_bounded(path)?;
    let name = path.display().to_string();
    match Fdl::from_json(&bytes, &name) {
        Ok(doc) => Ok(Ok(doc)),
        Err(EngineError::FdlInvalid { problems, .. }) => {
            print_problems(&name, &problems);
            Ok(Err(ExitCode::from(1)))
        }
        Err(other) => Err(other.into()),
    }
}

fn info(path: &Path, as_json: bool) -> anyhow::Result<ExitCode> {
    let doc = match load(path)? {
        Ok(doc) => doc,
        Err(code) => return Ok(code),
    };
    let problems = fdl::validate(&doc);
    if as_json {
        let mut summary = summary_json(&doc);
        summary["problems"] = problems
            .iter()
            .map(|p| json!({"path": p.path, "message": p.message}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", summary_text(&doc));
        if problems.is_empty() {
            println!("valid");
        } else {
            println!("{} problems:", problems.len());
            for p in &problems {
                println!("  {p}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `"label"` or nothing; labels are untrusted, so they are escaped.
fn quoted(label: Option<&str>) -> String {
    label
        .filter(|l| !l.is_empty())
        .map(|l| format!(" \"{}\"", l.escape_debug()))
        .unwrap_or_default()
}

fn esc(text: &str) -> String {
    text.escape_debug().to_string()
}

fn summary_text(doc: &Fdl) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "FDL {} (version {}.{}{})",
        esc(&doc.uuid),
        doc.version.major,
        doc.version.minor,
        doc.fdl_creator
            .as_deref()
            .map(|c| format!(", creator \"{}\"", esc(c)))
            .unwrap_or_default()
    );
    if let Some(d) = &doc.default_framing_intent {
        let _ = writeln!(s, "default framing intent: {}", esc(d));
    }
    let _ = writeln!(s, "framing intents: {}", doc.framing_intents.len());
    for fi in &doc.framing_intents {
        let _ = writeln!(
            s,
            "  {}{}: aspect {}:{}, protection {}",
            esc(&fi.id),
            quoted(fi.label.as_deref()),
            fi.aspect_ratio.width,
            fi.aspect_ratio.height,
            fi.protection
                .map(|p| format!("{}%", p * 100.0))
                .unwrap_or_else(|| "none".into())
        );
    }
    let _ = writeln!(s, "contexts: {}", doc.contexts.len());
    for ctx in &doc.contexts {
        let _ = writeln!(
            s,
            "  context{}{}",
            quoted(ctx.label.as_deref()),
            ctx.context_creator
                .as_deref()
                .map(|c| format!(" (creator \"{}\")", esc(c)))
                .unwrap_or_default()
        );
        for cv in &ctx.canvases {
            let _ = writeln!(
                s,
                "    canvas {}{}: {} x {}, squeeze {}, source canvas {}",
                esc(&cv.id),
                quoted(cv.label.as_deref()),
                cv.dimensions.width,
                cv.dimensions.height,
                cv.squeeze(),
                esc(&cv.source_canvas_id)
            );
            if let Some(e) = cv.effective_dimensions {
                let a = cv.effective_anchor_point.unwrap_or_default();
                let _ = writeln!(
                    s,
                    "      effective {} x {} at ({}, {})",
                    e.width, e.height, a.x, a.y
                );
            }
            if let Some(p) = cv.photosite_dimensions {
                let _ = writeln!(s, "      photosites {} x {}", p.width, p.height);
            }
            if let Some(p) = cv.physical_dimensions {
                let _ = writeln!(s, "      physical {} x {} mm", p.width, p.height);
            }
            for fd in &cv.framing_decisions {
                let _ = writeln!(
                    s,
                    "      framing decision {}{}: intent {}, {} x {} at ({}, {})",
                    esc(&fd.id),
                    quoted(fd.label.as_deref()),
                    esc(&fd.framing_intent_id),
                    fd.dimensions.width,
                    fd.dimensions.height,
                    fd.anchor_point.x,
                    fd.anchor_point.y
                );
                if let Some(p) = fd.protection_dimensions {
                    let a = fd.protection_anchor_point.unwrap_or_default();
                    let _ = writeln!(
                        s,
                        "        protection {} x {} at ({}, {})",
                        p.width, p.height, a.x, a.y
                    );
                }
            }
        }
    }
    let _ = writeln!(s, "canvas templates: {}", doc.canvas_templates.len());
    for t in &doc.canvas_templates {
        let _ = writeln!(s, "  {}", template_line(t));
    }
    s
}

fn template_line(t: &CanvasTemplate) -> String {
    let mut line = format!(
        "{}{}: target {} x {} squeeze {}, fit {} by {}",
        esc(&t.id),
        quoted(t.label.as_deref()),
        t.target_dimensions.width,
        t.target_dimensions.height,
        t.target_anamorphic_squeeze,
        t.fit_source.as_str(),
        t.fit_method.as_str()
    );
    if let (Some(h), Some(v)) = (t.alignment_method_horizontal, t.alignment_method_vertical) {
        let _ = write!(line, ", align {} {}", h.as_str(), v.as_str());
    }
    if let Some(p) = t.preserve_from_source_canvas {
        let _ = write!(line, ", preserve {}", p.as_str());
    }
    if let Some(m) = t.maximum_dimensions {
        let pad = if t.pad_to_maximum == Some(true) {
            " (pad)"
        } else {
            ""
        };
        let _ = write!(line, ", maximum {} x {}{pad}", m.width, m.height);
    }
    line
}

fn summary_json(doc: &Fdl) -> Value {
    let dims = |w: f64, h: f64| json!({"width": w, "height": h});
    json!({
        "uuid": doc.uuid,
        "version": {"major": doc.version.major, "minor": doc.version.minor},
        "fdl_creator": doc.fdl_creator,
        "default_framing_intent": doc.default_framing_intent,
        "framing_intents": doc.framing_intents.iter().map(|fi| json!({
            "id": fi.id,
            "label": fi.label,
            "aspect_ratio": {"width": fi.aspect_ratio.width, "height": fi.aspect_ratio.height},
            "protection": fi.protection,
        })).collect::<Vec<_>>(),
        "contexts": doc.contexts.iter().map(|ctx| json!({
            "label": ctx.label,
            "context_creator": ctx.context_creator,
            "canvases": ctx.canvases.iter().map(|cv| json!({
                "id": cv.id,
                "label": cv.label,
                "source_canvas_id": cv.source_canvas_id,
                "dimensions": {"width": cv.dimensions.width, "height": cv.dimensions.height},
                "effective_dimensions": cv.effective_dimensions
                    .map(|e| json!({"width": e.width, "height": e.height})),
                "effective_anchor_point": cv.effective_anchor_point
                    .map(|a| json!({"x": a.x, "y": a.y})),
                "anamorphic_squeeze": cv.squeeze(),
                "framing_decisions": cv.framing_decisions.iter().map(|fd| json!({
                    "id": fd.id,
                    "label": fd.label,
                    "framing_intent_id": fd.framing_intent_id,
                    "dimensions": dims(fd.dimensions.width, fd.dimensions.height),
                    "anchor_point": {"x": fd.anchor_point.x, "y": fd.anchor_point.y},
                    "protection_dimensions": fd.protection_dimensions
                        .map(|p| dims(p.width, p.height)),
                    "protection_anchor_point": fd.protection_anchor_point
                        .map(|a| json!({"x": a.x, "y": a.y})),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "canvas_templates": doc.canvas_templates.iter().map(|t| json!({
            "id": t.id,
            "label": t.label,
            "target_dimensions": {"width": t.target_dimensions.width, "height": t.target_dimensions.height},
            "target_anamorphic_squeeze": t.target_anamorphic_squeeze,
            "fit_source": t.fit_source.as_str(),
            "fit_method": t.fit_method.as_str(),
        })).collect::<Vec<_>>(),
    })
}

/// Reads a canvas template from a bare template object or from an FDL's `canvas_templates`;
/// `Err(code)` after printing the problems when it is invalid or absent.
fn load_template(
    path: &Path,
    id: Option<&str>,
) -> anyhow::Result<Result<CanvasTemplate, ExitCode>> {
    let bytes = read_bounded(path)?;
    let name = path.display().to_string();
    match fdl::read_canvas_template(&bytes, &name, id) {
        Ok(t) => Ok(Ok(t)),
        Err(EngineError::FdlInvalid { problems, .. }) => {
            print_problems(&name, &problems);
            Ok(Err(ExitCode::from(1)))
        }
        Err(e @ EngineError::FdlTemplate { .. }) => {
            println!("{e}");
            Ok(Err(ExitCode::from(1)))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug)]
struct Outputs {
    fdl: PathBuf,
    plan_json: Option<PathBuf>,
    force: bool,
}

fn write_output(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).with_context(|| {
        if path.exists() && !force {
            format!("{} exists (use --force to replace it)", path.display())
        } else {
            format!("cannot create {}", path.display())
        }
    })?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

fn apply(
    source: &Path,
    template_path: &Path,
    template_id: Option<&str>,
    selection: &SourceSelection,
    outputs: &Outputs,
) -> anyhow::Result<ExitCode> {
    let doc = match load(source)? {
        Ok(doc) => doc,
        Err(code) => return Ok(code),
    };
    let template = match load_template(template_path, template_id)? {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    let result = match fdl::apply_template(&doc, &template, selection, &ApplyOptions::default()) {
        Ok(r) => r,
        Err(EngineError::FdlInvalid { name, problems, .. }) => {
            print_problems(&name, &problems);
            return Ok(ExitCode::from(1));
        }
        Err(e @ EngineError::FdlTemplate { .. }) => {
            println!("{e}");
            return Ok(ExitCode::from(1));
        }
        Err(other) => return Err(other.into()),
    };
    for path in std::iter::once(&outputs.fdl).chain(&outputs.plan_json) {
        if path == source || path == template_path {
            bail!("{} is an input; refusing to overwrite it", path.display());
        }
    }
    write_output(&outputs.fdl, &result.fdl.to_json(), outputs.force)?;
    if let Some(plan_path) = &outputs.plan_json {
        let text = serde_json::to_vec_pretty(&plan_json(&result.plan))?;
        write_output(plan_path, &text, outputs.force)?;
    }
    println!(
        "wrote {} (canvas {}, framing decision {})",
        outputs.fdl.display(),
        esc(&result.canvas_id),
        esc(&result.framing_decision_id)
    );
    print!("{}", plan_text(&result.plan));
    Ok(ExitCode::SUCCESS)
}

/// The pixel plan as JSON (what `--plan-json` writes).
pub fn plan_json(p: &PixelPlan) -> Value {
    let rect = |r: fdl::Rect| json!({"x": r.x, "y": r.y, "width": r.width, "height": r.height});
    json!({
        "source_size": {"width": p.source_size.width, "height": p.source_size.height},
        "source_crop": rect(p.source_crop),
        "output_size": {"width": p.output_size.width, "height": p.output_size.height},
        "placement": rect(p.placement),
        "pad_left": p.placement.x,
        "pad_top": p.placement.y,
        "pad_right": p.pad_right,
        "pad_bottom": p.pad_bottom,
        "scale_x": p.scale_x,
        "scale_y": p.scale_y,
        "scale": p.scale,
        "desqueeze": p.desqueeze,
        "source_squeeze": p.source_squeeze,
        "target_squeeze": p.target_squeeze,
        "integer_crop": p.integer_crop().is_some(),
    })
}

fn plan_text(p: &PixelPlan) -> String {
    let c = p.source_crop;
    let pl = p.placement;
    let mut s = String::from("pixel plan:\n");
    let _ = writeln!(
        s,
        "  source      {} x {}",
        p.source_size.width, p.source_size.height
    );
    let _ = writeln!(
        s,
        "  crop        {} x {} at ({}, {})",
        c.width, c.height, c.x, c.y
    );
    let _ = writeln!(
        s,
        "  scale       {} x {} (de-squeeze {}, squeeze {} -> {})",
        p.scale_x, p.scale_y, p.desqueeze, p.source_squeeze, p.target_squeeze
    );
    let _ = writeln!(
        s,
        "  output      {} x {}",
        p.output_size.width, p.output_size.height
    );
    let _ = writeln!(
        s,
        "  placement   {} x {} at ({}, {})",
        pl.width, pl.height, pl.x, pl.y
    );
    let _ = writeln!(
        s,
        "  pads        left {} top {} right {} bottom {}",
        pl.x, pl.y, p.pad_right, p.pad_bottom
    );
    if p.integer_crop().is_some() {
        s.push_str("  exact integer crop (no resampling)\n");
    }
    s
}
