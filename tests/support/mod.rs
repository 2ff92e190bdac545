//! Shared helpers for the cross-crate tests: where the shared corpus is, and how to run the
//! `bpmn-check` tool that lints models with Camunda Modeler's rules.

#![allow(dead_code)] // each test binary uses a different subset of these helpers

pub mod project_workflows;
pub mod recording_client;
pub mod seed_scenarios;
pub mod zeebe_broker;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (this package's manifest directory).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `shared/` folder that sits beside the project checkout.
pub fn shared_dir() -> PathBuf {
    workspace_root().join("../shared")
}

/// Every file below `dir` whose name ends with `extension`, sorted.
pub fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).unwrap_or_else(|e| panic!("cannot list {}: {e}", current.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// What one `bpmn-check` run printed and how it exited.
pub struct CheckOutput {
    /// Exit code (0 ok, 1 problems found, 2 usage or setup problem).
    pub code: i32,
    /// Standard output and standard error, joined.
    pub text: String,
}

/// Runs `../shared/tools/bpmn-check/bpmn-check` with the given arguments.
///
/// Panics with a clear message when the tool is not installed (`.ci/run` installs it).
pub fn bpmn_check(args: &[&str]) -> CheckOutput {
    let tool = shared_dir().join("tools/bpmn-check/bpmn-check");
    let output = Command::new(&tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e} (run ../shared/tools/bpmn-check/install.sh)", tool.display()));
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let code = output.status.code().unwrap_or(-1);
    assert_ne!(code, 2, "bpmn-check usage or setup problem for {args:?}:\n{text}");
    CheckOutput { code, text }
}
