//! The 32 seed YAML workflows, and the construct samples in `yaml-to-bpmn/tests/good` and
//! `yaml-to-bpmn/tests/governance` (RACI and SLAs, with their persona catalogue), and the project's
//! own 46 `workflows/`, compile to
//! BPMN that Camunda Modeler's lint rules accept (0 errors with `--compat-only`) and whose diagram
//! `bpmn-check di` finds complete (0 problems).
//!
//! bpmn-check runs once per command over all files, to keep CI fast.

mod support;

use std::path::{Path, PathBuf};

use support::{bpmn_check, compile_folder, shared_dir, workspace_root};
use yaml_to_bpmn::output::to_xml;

/// Compiles the YAML files below `dir` as one set and writes `<id>.bpmn` files into `out`.
fn compile_into(dir: &Path, out: &Path) -> Vec<PathBuf> {
    let (sources, outcome) = compile_folder(dir);
    let catalogues = usize::from(outcome.catalogue.is_some());
    assert_eq!(outcome.workflows.len() + catalogues, sources.len(), "every file compiles");
    outcome
        .workflows
        .iter()
        .map(|w| {
            let path = out.join(format!("{}.bpmn", w.id));
            std::fs::write(&path, to_xml(&w.definitions)).expect("write bpmn");
            path
        })
        .collect()
}

#[test]
fn compiled_workflows_pass_lint_and_di() {
    let out = std::env::temp_dir().join(format!("compiled-workflows-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("output folder");
    let seeds = compile_into(&shared_dir().join("corpus/seed-workflows"), &out);
    assert_eq!(seeds.len(), 32, "the seed corpus has 32 workflows");
    let samples = compile_into(&workspace_root().join("yaml-to-bpmn/tests/good"), &out);
    let governance = compile_into(&workspace_root().join("yaml-to-bpmn/tests/governance"), &out);
    let project = compile_into(&workspace_root().join("workflows"), &out);
    assert_eq!(
        project.len(),
        46,
        "the project's own 18 system workflows, the fix loop, the emergency task, the test pipeline and 25 persona workflows"
    );
    let files: Vec<PathBuf> = seeds.into_iter().chain(samples).chain(governance).chain(project).collect();
    let count = files.len();
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let mut lint_args = vec!["lint", "--compat-only"];
    lint_args.extend(paths.iter().map(String::as_str));
    let lint = bpmn_check(&lint_args);
    assert_eq!(lint.code, 0, "lint --compat-only found errors:\n{}", lint.text);
    assert!(lint.text.contains(&format!("{count} files, 0 errors")), "{}", lint.text);
    let mut di_args = vec!["di"];
    di_args.extend(paths.iter().map(String::as_str));
    let di = bpmn_check(&di_args);
    assert_eq!(di.code, 0, "di found problems:\n{}", di.text);
    assert!(di.text.contains(&format!("{count} files, 0 errors, 0 warnings")), "{}", di.text);
}
