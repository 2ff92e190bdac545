//! The 32 seed workflows compile (warnings allowed), alone and as one set.

use std::path::{Path, PathBuf};

use yaml_to_bpmn::{Source, compile_set};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/seed-workflows")
}

fn seed_sources() -> Vec<Source> {
    let mut paths = Vec::new();
    for folder in ["system", "personas"] {
        for entry in std::fs::read_dir(corpus_dir().join(folder)).expect("corpus folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| Source { name: p.display().to_string(), text: std::fs::read_to_string(&p).expect("read") })
        .collect()
}

#[test]
fn all_seed_workflows_compile_as_a_set() {
    let sources = seed_sources();
    assert_eq!(sources.len(), 32);
    let outcome = compile_set(&sources);
    let errors: Vec<String> = outcome.diagnostics.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
    assert!(errors.is_empty(), "errors:\n{}", errors.join("\n"));
    assert_eq!(outcome.workflows.len(), 32);
    if std::env::var_os("SHOW_DIAGNOSTICS").is_some() {
        for d in &outcome.diagnostics {
            println!("{d}");
        }
    }
}

#[test]
fn compiled_seed_models_pass_graph_validation() {
    use bpmn::graph::{ValidationOptions, validate};
    let outcome = compile_set(&seed_sources());
    let ids: Vec<String> = outcome.workflows.iter().map(|w| w.id.clone()).collect();
    let options = ValidationOptions::with_known_processes(ids);
    let mut problems = Vec::new();
    for workflow in &outcome.workflows {
        for problem in validate(&workflow.definitions, &options) {
            problems.push(format!("{}: {problem}", workflow.id));
        }
    }
    assert!(problems.is_empty(), "problems:\n{}", problems.join("\n"));
}

fn good_sources() -> Vec<Source> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/good");
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("good folder").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| Source { name: p.display().to_string(), text: std::fs::read_to_string(&p).expect("read") })
        .collect()
}

#[test]
fn construct_samples_compile_without_diagnostics_beyond_the_expected_ones() {
    let outcome = compile_set(&good_sources());
    let messages: Vec<String> = outcome.diagnostics.iter().map(ToString::to_string).collect();
    assert!(!outcome.has_errors(), "{}", messages.join("\n"));
    assert_eq!(outcome.workflows.len(), 4);
    // Every name read is set somewhere, so the one warning left is the shell output the command
    // does not print.
    let warnings: Vec<&String> = messages.iter().filter(|m| m.contains(": warning: ")).collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(warnings[0].contains("all-constructs.yaml:57:9: warning: step `prepare` declares output `MODE_USED`"));
}
