//! Every file of the MIWG corpus reads without repairs, survives a write and a re-read unchanged, and the writer
//! reaches a fixed point after one round.

use std::path::{Path, PathBuf};

use bpmn::model::{FlowElement, FlowNodeKind, RootElement};
use bpmn::{Definitions, read, read_with_warnings, write};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/miwg")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![corpus_dir()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "bpmn") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// What the writer adds to a model that declares no execution platform.
fn with_platform_stamp(mut model: Definitions) -> Definitions {
    if model.execution_platform.is_none() {
        model.execution_platform = Some(bpmn::TARGET_PLATFORM.to_owned());
        model.execution_platform_version.get_or_insert_with(|| bpmn::TARGET_PLATFORM_VERSION.to_owned());
    }
    model
}

/// Ids of typed elements that were read without a source location.
fn unlocated(model: &Definitions) -> Vec<String> {
    fn walk(elements: &[FlowElement], missing: &mut Vec<String>) {
        for element in elements {
            let (common, extensions) = match element {
                FlowElement::Node(node) => {
                    if let FlowNodeKind::SubProcess(sub) = &node.kind {
                        walk(&sub.flow_elements, missing);
                    }
                    (&node.common, node.common.extension_elements.as_ref())
                }
                FlowElement::SequenceFlow(flow) => (&flow.common, flow.common.extension_elements.as_ref()),
                FlowElement::Other(raw) => {
                    if !raw.location.is_known() {
                        missing.push(raw.name.local.clone());
                    }
                    continue;
                }
            };
            if !common.location.is_known() {
                missing.push(common.id.clone());
            }
            let items = extensions.map(|e| e.items.as_slice()).unwrap_or_default();
            if items
                .iter()
                .any(|item| matches!(item, bpmn::model::ExtensionElement::Other(raw) if !raw.location.is_known()))
            {
                missing.push(format!("{} extension", common.id));
            }
        }
    }
    let mut missing = Vec::new();
    for root in &model.root_elements {
        match root {
            RootElement::Process(process) => walk(&process.flow_elements, &mut missing),
            RootElement::Other(raw) if !raw.location.is_known() => missing.push(raw.name.local.clone()),
            _ => {}
        }
    }
    missing
}

#[test]
fn the_whole_corpus_round_trips() {
    let files = corpus_files();
    assert_eq!(files.len(), 179, "the MIWG corpus should hold 179 files");
    let mut failures = Vec::new();
    for path in &files {
        let name = path.display();
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let first = match read_with_warnings(&bytes) {
            Ok(outcome) => {
                // No file of the corpus needs a repair: its encodings and DI are all well-formed.
                failures.extend(outcome.warnings.iter().map(|w| format!("{name}:{w}")));
                outcome.definitions
            }
            Err(e) => {
                failures.push(format!("{name}:{e}"));
                continue;
            }
        };
        let missing = unlocated(&first);
        if !missing.is_empty() {
            failures.push(format!("{name}: read without a location: {missing:?}"));
        }
        let written = write(&first);
        let second = match read(written.as_bytes()) {
            Ok(model) => model,
            Err(e) => {
                failures.push(format!("{name}: written output does not read back: {e}"));
                continue;
            }
        };
        if second != with_platform_stamp(first) {
            failures.push(format!("{name}: read(write(read(x))) differs from read(x)"));
        }
        if write(&second) != written {
            failures.push(format!("{name}: write is not a fixed point after one round"));
        }
    }
    assert!(failures.is_empty(), "{} of {} files fail:\n{}", failures.len(), files.len(), failures.join("\n"));
}

/// Validation runs over models drawn by real tools, with their quirks, without panicking, and
/// every problem it reports names an element and a place in the file.
#[test]
fn validation_locates_every_problem_it_finds_in_the_corpus() {
    let mut unlocated_problems = Vec::new();
    let mut problems_seen = 0;
    for path in corpus_files() {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let model = read(&bytes).unwrap_or_else(|e| panic!("{}:{e}", path.display()));
        for problem in bpmn::graph::validate(&model, &bpmn::graph::ValidationOptions::default()) {
            problems_seen += 1;
            if problem.element_id.is_empty() || !problem.location.is_known() {
                unlocated_problems.push(format!("{}: {problem}", path.display()));
            }
        }
    }
    assert!(problems_seen > 0, "the corpus has known defects (for example unreachable nodes) that should be found");
    assert!(unlocated_problems.is_empty(), "problems without element or location:\n{}", unlocated_problems.join("\n"));
}
