//! Laid-out models pass `bpmn-check di` (Camunda's diagram rules: every element drawn once,
//! no overlapping shapes, edges attached to their ends): compiled-workflow shapes with no error
//! and no warning; every model of the MIWG corpus, stripped of its diagram, with every node and
//! data reference drawn and no warning. (Corpus models also get errors the layout cannot help:
//! lanes are not drawn, and some files have flows between processes or message flows to nodes of
//! a process no pool shows.)

mod support;

use bpmn::build::{Flows, definitions};
use bpmn::model::{Definitions, EventDefinitionKind, EventKind, Expression, GatewayKind};
use std::path::PathBuf;

use support::bpmn_check;

fn timer() -> EventDefinitionKind {
    EventDefinitionKind::Timer { time_date: None, time_duration: Some(Expression::formal("PT30M")), time_cycle: None }
}

/// A workflow as the YAML compiler emits it: nested conditionals, a parallel block with a timeout,
/// a while loop, and event sub-processes for errors and the SLA.
fn compiled_workflow() -> Definitions {
    let parallel = Flows::new()
        .start("p_start")
        .gateway("p_fork", GatewayKind::Parallel)
        .gateway("p_join", GatewayKind::Parallel)
        .end("p_end")
        .service_task("lint", "shell-command")
        .service_task("test", "shell-command")
        .service_task("scan", "shell-command")
        .chain(&["p_start", "p_fork", "lint", "p_join", "p_end"])
        .chain(&["p_fork", "test", "p_join"])
        .chain(&["p_fork", "scan", "p_join"]);
    let body = Flows::new()
        .start("b_start")
        .service_task("poll", "azure-devops")
        .event("pause", EventKind::IntermediateCatch, Some(timer()))
        .end("b_end")
        .chain(&["b_start", "poll", "pause", "b_end"]);
    let on_error = Flows::new()
        .start_with("e_start", EventDefinitionKind::Error { error_ref: None })
        .service_task("notify", "notify")
        .end("e_end")
        .chain(&["e_start", "notify", "e_end"]);
    let flows = Flows::new()
        .start("start")
        .service_task("init", "shell-command")
        .gateway_with_default("review__split", GatewayKind::Exclusive, "Flow_review__split_skip")
        .service_task("review", "azure-devops")
        .gateway_with_default("deep__split", GatewayKind::Exclusive, "Flow_deep__split_quick")
        .service_task("thorough", "shell-command")
        .service_task("quick", "shell-command")
        .gateway("deep__join", GatewayKind::Exclusive)
        .service_task("skip", "log")
        .gateway("review__join", GatewayKind::Exclusive)
        .sub_process("checks", parallel)
        .boundary("checks__timeout", "checks", timer())
        .end("timed_out")
        .gateway("wait__loop", GatewayKind::Exclusive)
        .gateway_with_default("wait__check", GatewayKind::Exclusive, "Flow_wait__check_deploy")
        .sub_process("wait__body", body)
        .call_activity("deploy", "deploy-workflow")
        .end("end")
        .event_sub_process("errors", on_error)
        .chain(&["start", "init", "review__split", "review", "deep__split", "thorough", "deep__join", "review__join"])
        .chain(&["deep__split", "quick", "deep__join"])
        .chain(&["review__split", "skip", "review__join"])
        .chain(&["review__join", "checks", "wait__loop", "wait__check", "wait__body", "wait__loop"])
        .chain(&["checks__timeout", "timed_out"])
        .chain(&["wait__check", "deploy", "end"]);
    definitions("compiled", [flows.into_process("compiled-workflow")])
}

/// Eight parallel branches and a boundary event with its own path.
fn wide_fork() -> Definitions {
    let mut flows = Flows::new()
        .start("start")
        .gateway("fork", GatewayKind::Parallel)
        .gateway("join", GatewayKind::Parallel)
        .end("end")
        .chain(&["start", "fork"])
        .chain(&["join", "end"]);
    for i in 0..8 {
        let task = format!("task_{i}");
        flows = flows.service_task(&task, "work").chain(&["fork", &task, "join"]);
    }
    let flows = flows.boundary("late", "task_0", timer()).end("late_end").chain(&["late", "late_end"]);
    definitions("wide", [flows.into_process("wide-fork")])
}

/// A fresh directory for this test binary's files.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("layout-di-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// Lays `model` out, writes it, and runs `bpmn-check di` on the file.
fn assert_clean_di(name: &str, mut model: Definitions) {
    bpmn::layout::layout(&mut model);
    let dir = scratch_dir(name);
    let file = dir.join(format!("{name}.bpmn"));
    std::fs::write(&file, bpmn::write(&model)).expect("write the model");
    let di = bpmn_check(&["di", &file.to_string_lossy()]);
    assert_eq!(di.code, 0, "{name}: bpmn-check di found problems:\n{}", di.text);
    assert!(di.text.contains("0 errors, 0 warnings"), "{name}: {}", di.text);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_compiled_workflow_has_clean_diagram_interchange() {
    assert_clean_di("compiled", compiled_workflow());
}

#[test]
fn a_wide_fork_has_clean_diagram_interchange() {
    assert_clean_di("wide", wide_fork());
}

/// What the layout does not draw: lanes.
const NOT_LAID_OUT: [&str; 1] = ["bpmn:Lane has"];

#[test]
fn corpus_models_laid_out_afresh_have_no_overlaps_and_attached_edges() {
    let corpus = support::files_with_extension(&support::shared_dir().join("corpus/miwg"), "bpmn");
    assert!(corpus.len() > 100, "the MIWG corpus is missing ({} files)", corpus.len());
    let dir = scratch_dir("corpus");
    let mut written = Vec::new();
    for (i, path) in corpus.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut model = bpmn::read_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
        model.diagrams.clear();
        for process in model.processes_mut() {
            process.is_executable = Some(true);
        }
        bpmn::layout::layout(&mut model);
        let file = dir.join(format!("{i:03}.bpmn"));
        std::fs::write(&file, bpmn::write(&model)).expect("write the model");
        written.push(file.to_string_lossy().into_owned());
    }
    let mut args = vec!["di"];
    args.extend(written.iter().map(String::as_str));
    let di = bpmn_check(&args);
    let lines: Vec<&str> = di.text.lines().collect();
    let warnings: Vec<&&str> = lines.iter().filter(|line| line.contains(": warning ")).collect();
    assert!(warnings.is_empty(), "overlapping shapes or detached edges:\n{warnings:#?}");
    let undrawn: Vec<&&str> = lines
        .iter()
        .filter(|line| line.contains("error di/missing-shape"))
        .filter(|line| !NOT_LAID_OUT.iter().any(|kind| line.contains(kind)))
        .collect();
    assert!(undrawn.is_empty(), "nodes without a shape:\n{undrawn:#?}");
    std::fs::remove_dir_all(&dir).ok();
}
