//! The `run_workflow` demo's logic (`persona_orchestrator::run_workflow`), run as the example
//! runs it: on the seed corpus, and on every kind of bad input.

mod support;

use persona_orchestrator::drive::Ending;
use persona_orchestrator::run_workflow::{DEFAULT_STEP_LIMIT, RunError, Summary, parse_args, run};
use serde_json::json;
use support::shared_dir;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| (*a).to_owned()).collect()
}

/// Runs the demo with the arguments; returns the result and the transcript.
fn demo(list: &[&str]) -> (Result<Summary, RunError>, String) {
    let mut out = Vec::new();
    let result = parse_args(args(list)).and_then(|options| run(&options, &mut out));
    (result, String::from_utf8_lossy(&out).into_owned())
}

fn seeds() -> String {
    shared_dir().join("corpus/seed-workflows").display().to_string()
}

#[test]
fn branch_creation_runs_to_completion() {
    let seeds = seeds();
    let (result, transcript) = demo(&[
        &seeds,
        "--process",
        "wf3-branch-creation",
        "--var",
        "WORK_TYPE=feature",
        "--var",
        "WORK_ITEM_ID=WI-42",
        "--var",
        "DESCRIPTION=Dark mode",
    ]);
    let summary = result.unwrap_or_else(|e| panic!("the demo failed: {e}\n{transcript}"));
    assert!(summary.completed(), "{transcript}");
    assert_eq!(summary.process_id, "wf3-branch-creation");
    let Ending::Completed(variables) = &summary.ending else { unreachable!("checked above") };
    assert_eq!(variables["outputs"]["STATUS"], json!("completed"));
    for line in [
        "compiled 32 workflows",
        "  job  shell-command generate-branch-name: would run: BRANCH_NAME=\"feature/WI-42-Dark mode\"",
        "  job  git-operation create-branch: would call git-operation create-branch with",
        "  done [wf3-branch-creation] create-branch \"Create New Branch\"",
        "  done [wf3-branch-creation] wf3-branch-creation\n",
        "\"STATUS\": \"completed\"",
        "instance state: completed",
    ] {
        assert!(transcript.contains(line), "missing {line:?} in:\n{transcript}");
    }
    let job = transcript.find("job  git-operation create-branch").unwrap_or_default();
    let done = transcript.find("done [wf3-branch-creation] create-branch").unwrap_or_default();
    assert!(job < done, "a job is printed before its element completes:\n{transcript}");
}

#[test]
fn a_single_file_is_compiled_and_started() {
    let seeds = seeds();
    let wf3 = format!("{seeds}/system/wf3-branch-creation.yaml");
    let (result, transcript) = demo(&[&wf3, "--var", "WORK_TYPE=bug", "--var", "WORK_ITEM_ID=B-1"]);
    assert_eq!(result.map(|s| s.process_id).ok().as_deref(), Some("wf3-branch-creation"), "{transcript}");
    assert!(transcript.contains("would run: BRANCH_NAME=\"bug/B-1-\""), "{transcript}");
}

#[test]
fn an_endless_workflow_stops_at_the_step_limit() {
    let seeds = seeds();
    let (result, transcript) = demo(&[&seeds, "--process", "wf0-feature-development", "--max-steps", "40"]);
    let summary = result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.ending, Ending::LimitReached);
    assert!(!summary.completed());
    assert!(transcript.contains("instance state: still running after the step limit, at "), "{transcript}");
}

#[test]
fn var_values_keep_their_json_type() {
    let options =
        parse_args(args(&["x.yaml", "--var", "N=3", "--var", "B=true", "--var", "L=[\"a\"]", "--var", "S=a=b"]))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(options.paths, [std::path::PathBuf::from("x.yaml")]);
    assert_eq!(options.step_limit, DEFAULT_STEP_LIMIT);
    assert_eq!(serde_json::Value::Object(options.inputs), json!({"N": 3, "B": true, "L": ["a"], "S": "a=b"}));
}

#[test]
fn bad_command_lines_are_usage_errors() {
    for (list, expected) in [
        (&[][..], "name at least one YAML file or folder"),
        (&["x.yaml", "--var", "NOVALUE"][..], "--var `NOVALUE` should be NAME=VALUE"),
        (&["x.yaml", "--var", "=1"][..], "--var `=1` has no name before `=`"),
        (&["x.yaml", "--var"][..], "--var needs a value"),
        (&["x.yaml", "--process"][..], "--process needs a value"),
        (&["x.yaml", "--max-steps", "0"][..], "--max-steps needs a positive number, not `0`"),
        (&["x.yaml", "--verbose"][..], "unknown option `--verbose`"),
    ] {
        match parse_args(args(list)) {
            Err(RunError::Usage(message)) => assert_eq!(message, expected),
            other => panic!("{list:?}: expected a usage error, got {other:?}"),
        }
    }
    let shown = RunError::Usage("x".into()).to_string();
    assert!(shown.contains("usage: run_workflow"), "{shown}");
}

#[test]
fn an_unknown_process_lists_the_compiled_ones() {
    let seeds = seeds();
    let (result, _) = demo(&[&seeds, "--process", "wf99-nothing"]);
    let Err(error @ RunError::UnknownProcess { .. }) = result else {
        panic!("expected an unknown process: {result:?}")
    };
    let shown = error.to_string();
    assert!(shown.starts_with("no workflow has the id `wf99-nothing`; compiled: "), "{shown}");
    assert!(shown.contains("wf3-branch-creation"), "{shown}");
}

#[test]
fn compile_errors_name_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("run-workflow-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("broken.yaml");
    std::fs::write(&file, "metadata:\n  id: broken\nsteps:\n  - id: s\n    action: teleport\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (result, _) = demo(&[&file.display().to_string()]);
    let _ = std::fs::remove_dir_all(&dir);
    let Err(RunError::Compile(errors)) = result else { panic!("expected compile errors: {result:?}") };
    let expected = format!("{}:5:", file.display());
    assert!(errors.iter().any(|e| e.starts_with(&expected) && e.contains("teleport")), "{errors:?}");
}

#[test]
fn unreadable_paths_and_empty_folders_are_reported() {
    let (result, _) = demo(&["/nonexistent/workflow.yaml"]);
    let Err(RunError::Io(message)) = result else { panic!("expected an I/O error: {result:?}") };
    assert!(message.starts_with("/nonexistent/workflow.yaml: cannot read"), "{message}");

    let empty = std::env::temp_dir().join(format!("run-workflow-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap_or_else(|e| panic!("{e}"));
    let (result, _) = demo(&[&empty.display().to_string()]);
    let _ = std::fs::remove_dir_all(&empty);
    assert_eq!(result, Err(RunError::Usage("no .yaml or .yml file found in the paths given".into())));
}

/// A writer that accepts `lines` writes, then fails.
struct FailingAfter {
    lines: usize,
}

impl std::io::Write for FailingAfter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.lines == 0 {
            return Err(std::io::Error::other("disk full"));
        }
        self.lines -= usize::from(buf.contains(&b'\n'));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_transcript_that_cannot_be_written_is_an_io_error() {
    let wf3 = format!("{}/system/wf3-branch-creation.yaml", seeds());
    let options = parse_args(args(&[&wf3])).unwrap_or_else(|e| panic!("{e}"));
    // Fails at the first line, then in the middle of the run (inside a job handler).
    for lines in [0, 5] {
        let result = run(&options, &mut FailingAfter { lines });
        assert_eq!(result, Err(RunError::Io("cannot write the transcript: disk full".into())), "after {lines} lines");
    }
}
