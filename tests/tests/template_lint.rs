//! The SAM template passes cfn-lint (which applies the SAM transform itself) and every state
//! machine passes asl-validator, with the template's substitutions applied.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use rushes_tests::{ref_tool, skip, workspace_root};

fn state_machines() -> Vec<PathBuf> {
    let dir = workspace_root().join("statemachines");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".asl.json"))
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no state machines in {}", dir.display());
    found
}

/// Every `${Name}` placeholder of a definition.
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        out.insert(after[..end].to_string());
        rest = &after[end..];
    }
    out
}

fn cfn_lint(template: &Path) -> std::process::Output {
    let tool = ref_tool("cfn-lint").unwrap();
    Command::new(tool)
        .arg(template)
        .current_dir(workspace_root())
        .output()
        .unwrap()
}

#[test]
fn sam_template_passes_cfn_lint() {
    let Some(_) = ref_tool("cfn-lint") else {
        return skip(
            "sam_template_passes_cfn_lint",
            "cfn-lint is not in the reference venv",
        );
    };
    let template = workspace_root().join("template.yaml");
    let out = cfn_lint(&template);
    assert!(
        out.status.success(),
        "cfn-lint template.yaml:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The check has teeth: the same template with an impossible setting fails.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&template).unwrap();
    let broken = dir.path().join("template.yaml");
    std::fs::write(
        &broken,
        text.replace("BillingMode: PAY_PER_REQUEST", "BillingMode: FREE_FOREVER"),
    )
    .unwrap();
    assert!(
        !cfn_lint(&broken).status.success(),
        "cfn-lint accepted a broken template"
    );
}

#[test]
fn template_substitutes_every_state_machine_placeholder() {
    let template = std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap();
    for path in state_machines() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            template.contains(&format!("statemachines/{name}")),
            "{name} is not deployed by template.yaml"
        );
        for placeholder in placeholders(&text) {
            assert!(
                template.contains(&format!("{placeholder}: !GetAtt")),
                "{name} uses ${{{placeholder}}} but template.yaml does not substitute it"
            );
        }
    }
}

fn asl_validator() -> Option<PathBuf> {
    let tool = workspace_root().join(".ci/node_modules/.bin/asl-validator");
    tool.is_file().then_some(tool)
}

fn validate(tool: &Path, definition: &Path) -> std::process::Output {
    Command::new(tool)
        .arg("--json-path")
        .arg(definition)
        .output()
        .unwrap()
}

#[test]
fn state_machines_pass_asl_validator() {
    let Some(tool) = asl_validator() else {
        return skip(
            "state_machines_pass_asl_validator",
            "asl-validator is not installed in .ci/node_modules (cd .ci && npm install --no-save asl-validator@3)",
        );
    };
    let dir = tempfile::tempdir().unwrap();
    for path in state_machines() {
        let mut text = std::fs::read_to_string(&path).unwrap();
        for placeholder in placeholders(&text) {
            let arn = format!(
                "arn:aws:lambda:eu-west-1:123456789012:function:rushes-{}-dev",
                placeholder.to_lowercase()
            );
            text = text.replace(&format!("${{{placeholder}}}"), &arn);
        }
        let substituted = dir.path().join(path.file_name().unwrap());
        std::fs::write(&substituted, &text).unwrap();
        let out = validate(&tool, &substituted);
        assert!(
            out.status.success(),
            "asl-validator {}:\n{}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let broken = dir.path().join("broken.asl.json");
    std::fs::write(
        &broken,
        r#"{"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": true}}}"#,
    )
    .unwrap();
    assert!(
        !validate(&tool, &broken).status.success(),
        "asl-validator accepted a broken definition"
    );
}
