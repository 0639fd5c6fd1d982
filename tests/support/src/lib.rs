//! Shared helpers for tests of every crate: where the reference tools and the shared
//! conformance data live, and how a test says it skipped.

use std::path::{Path, PathBuf};

/// The workspace root (the folder holding the root `Cargo.toml` with `[workspace]`).
///
/// Found at run time from the `CARGO_MANIFEST_DIR` cargo sets for every test process (the crate
/// under test), not baked in at compile time: a build cache shared by several checkouts of the
/// workspace may hand this crate to another checkout's tests.
pub fn workspace_root() -> PathBuf {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    start
        .ancestors()
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|text| text.lines().any(|l| l.trim() == "[workspace]"))
        })
        .map(Path::to_path_buf)
        .unwrap_or(start)
}

/// A command-line tool of the reference venv (`ascmhl`, `ascmhl-debug`, `moto_server`, ...).
///
/// Looks in `$RUSHES_REF_VENV/bin`, then `<workspace>/.venv/bin`. `None` when it is not installed;
/// callers print a skip reason with [`skip`].
pub fn ref_tool(name: &str) -> Option<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(venv) = std::env::var_os("RUSHES_REF_VENV") {
        dirs.push(PathBuf::from(venv).join("bin"));
    }
    dirs.push(workspace_root().join(".venv").join("bin"));
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// The reference venv's Python interpreter, for small scripts using rawpy, tifffile, numpy...
pub fn ref_python() -> Option<PathBuf> {
    ref_tool("python3")
}

/// `../shared/data/<sub>` next to the workspace, when present.
pub fn shared_data(sub: &str) -> Option<PathBuf> {
    let dir = workspace_root()
        .join("..")
        .join("shared")
        .join("data")
        .join(sub);
    dir.is_dir().then_some(dir)
}

/// Prints why a test skipped; in CI (`CI=true`) a missing reference tool is a failure instead,
/// because the test command installs every tool.
pub fn skip(test: &str, reason: &str) {
    let in_ci = std::env::var("CI").map(|v| v == "true").unwrap_or(false);
    assert!(!in_ci, "{test}: cannot run in CI: {reason}");
    eprintln!("SKIPPED {test}: {reason}");
}

/// Prints why a test skipped because `../shared/data` is absent (allowed anywhere, CI included:
/// the project must build and test when cloned alone).
pub fn skip_no_data(test: &str, sub: &str) {
    eprintln!("SKIPPED {test}: ../shared/data/{sub} is not present next to the workspace");
}

/// Runs `python script args...` with `input` on stdin (written from another thread, so neither
/// side can block on a full pipe) and returns what it printed. Panics with the script's stderr
/// when it fails: a reference that cannot answer must fail the test, never pass it.
pub fn run_python(
    python: &Path,
    script: &Path,
    args: &[&std::ffi::OsStr],
    input: Vec<u8>,
) -> Vec<u8> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = match Command::new(python)
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => panic!("{}: cannot start: {e}", script.display()),
    };
    let stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            // A script that exits early closes its stdin; its exit status says why.
            let _ = stdin.write_all(&input);
        }
    });
    let output = match child.wait_with_output() {
        Ok(output) => output,
        Err(e) => panic!("{}: {e}", script.display()),
    };
    let _ = writer.join();
    assert!(
        output.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}
