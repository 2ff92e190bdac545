//! The command line: exit codes 0 (ok), 1 (errors in the input), 2 (usage or I/O).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yaml-to-bpmn")).args(args).output().expect("runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yaml-to-bpmn-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn seed(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/seed-workflows").join(name).display().to_string()
}

#[test]
fn check_of_a_good_set_exits_0() {
    let output = run(&["check", &seed("system")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("18 files, 0 errors"));
}

#[test]
fn check_of_a_broken_file_exits_1_with_a_located_error() {
    let dir = temp_dir("broken");
    let file = dir.join("bad.yaml");
    std::fs::write(&file, "metadata:\n  id: bad\nsteps:\n  - id: a\n    action: teleport\n").expect("write");
    let output = run(&["check", &file.display().to_string()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("bad.yaml:5:13: error: unknown action `teleport`"), "{}", stderr(&output));
}

#[test]
fn missing_file_exits_2() {
    let output = run(&["check", "/definitely/not/here.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read"), "{}", stderr(&output));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&[]).status.code(), Some(2));
    assert_eq!(run(&["convert", "x.yaml"]).status.code(), Some(2), "missing -o");
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn every_subcommand_has_help() {
    for sub in ["convert", "check", "roundtrip"] {
        let output = run(&[sub, "--help"]);
        assert_eq!(output.status.code(), Some(0), "{sub}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage:"), "{sub}");
    }
}

#[test]
fn convert_writes_one_file_per_workflow_named_by_id() {
    let out = temp_dir("convert");
    let output = run(&["convert", &seed("system"), "-o", &out.display().to_string()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 18);
    assert!(names.contains(&"wf2-hotfix.bpmn".to_owned()));
    let text = std::fs::read_to_string(out.join("wf2-hotfix.bpmn")).expect("written");
    assert!(text.contains("wf2-hotfix"));
}
#[test]
fn check_reads_and_validates_bpmn_files() {
    let out = temp_dir("bpmn");
    let converted = run(&["convert", &seed("system/wf3-branch-creation.yaml"), "-o", &out.display().to_string()]);
    assert_eq!(converted.status.code(), Some(0), "{}", stderr(&converted));
    let good = out.join("wf3-branch-creation.bpmn");
    let output = run(&["check", &good.display().to_string()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let broken = out.join("broken.bpmn");
    std::fs::write(
        &broken,
        "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <bpmn:process id=\"p\">\n",
    )
    .expect("write");
    let output = run(&["check", &broken.display().to_string()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("broken.bpmn:"), "{}", stderr(&output));
}

#[test]
fn roundtrip_rewrites_a_model_without_loss() {
    let out = temp_dir("roundtrip");
    let converted = run(&["convert", &seed("system/wf2-hotfix.yaml"), "-o", &out.display().to_string()]);
    assert_eq!(converted.status.code(), Some(0), "{}", stderr(&converted));
    let first = out.join("wf2-hotfix.bpmn");
    let second = out.join("again.bpmn");
    let output = run(&["roundtrip", &first.display().to_string(), "-o", &second.display().to_string()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let a = bpmn::read(&std::fs::read(&first).expect("first")).expect("reads");
    let b = bpmn::read(&std::fs::read(&second).expect("second")).expect("reads");
    assert_eq!(a, b);
    let missing = run(&["roundtrip", "/no/such.bpmn", "-o", &second.display().to_string()]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn roundtrip_of_a_broken_model_exits_1_with_its_location() {
    let dir = temp_dir("roundtrip-broken");
    let broken = dir.join("broken.bpmn");
    std::fs::write(
        &broken,
        "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <bpmn:process id=\"p\">\n",
    )
    .expect("write");
    let output = run(&["roundtrip", &broken.display().to_string(), "-o", &dir.join("out.bpmn").display().to_string()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("broken.bpmn:") && stderr(&output).contains(": error: "), "{}", stderr(&output));
    assert!(!dir.join("out.bpmn").exists());
}

#[test]
fn convert_writes_the_good_files_and_exits_1_for_the_broken_ones() {
    let dir = temp_dir("mixed");
    std::fs::write(dir.join("good.yml"), "metadata:\n  id: good\nsteps: []\n").expect("write");
    std::fs::write(dir.join("bad.yaml"), "metadata:\n  id: bad\nsteps:\n  - action: nope\n").expect("write");
    let out = dir.join("out");
    let output = run(&["convert", &dir.display().to_string(), "-o", &out.display().to_string()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("bad.yaml:4:13: error: unknown action `nope`"), "{}", stderr(&output));
    assert!(out.join("good.bpmn").exists());
    assert!(!out.join("bad.bpmn").exists());
}

fn governance_samples() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/governance").display().to_string()
}

#[test]
fn raci_prints_the_matrix_as_a_table_csv_and_json() {
    let table = run(&["raci", &governance_samples()]);
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let text = String::from_utf8_lossy(&table.stdout);
    let review = text.lines().find(|l| l.contains(" review ")).expect("a row for the review step");
    assert!(review.contains("backend-developer"), "{review}");
    assert!(review.contains("(2 of 3) veto:security-architect"), "{review}");

    let csv = run(&["raci", "--format", "csv", &governance_samples()]);
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(csv.starts_with("workflow,phase,task,responsible,accountable,min_approvals,"), "{csv}");
    assert!(csv.contains("sample-governed,development,build,backend-developer,"), "{csv}");

    let json = run(&["raci", "--format", "json", &governance_samples()]);
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let design = rows.as_array().and_then(|r| r.iter().find(|row| row["step"] == "design")).expect("design row");
    assert_eq!(design["consulted"], serde_json::json!(["backend-developer", "security-architect"]));
    assert_eq!(design["escalation"], serde_json::json!("PT4H -> engineering-manager"));
    assert_eq!((&design["job_type"], &design["human"]), (&serde_json::json!("llm"), &serde_json::json!(false)));
}

#[test]
fn raci_of_a_set_with_errors_exits_1_and_prints_them() {
    let dir = temp_dir("raci-broken");
    std::fs::write(dir.join("types.yaml"), "persona_types:\n  - id: dev\n    capabilities: [llm]\n").expect("write");
    std::fs::write(
        dir.join("w.yaml"),
        "metadata:\n  id: w\nsteps:\n  - id: a\n    action: llm\n    persona: devv\n    prompt: p\n",
    )
    .expect("write");
    let output = run(&["raci", &dir.display().to_string()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("w.yaml:6:14: error: unknown persona type `devv`; did you mean `dev`?"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn roundtrip_says_what_the_reader_repaired() {
    let dir = temp_dir("roundtrip-repaired");
    let input = dir.join("utf16.bpmn");
    std::fs::write(
        &input,
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<bpmn:definitions \
         xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\" targetNamespace=\"t\">\n\
         <bpmn:process id=\"p\"/>\n</bpmn:definitions>\n",
    )
    .expect("write");
    let output = run(&["roundtrip", &input.display().to_string(), "-o", &dir.join("out.bpmn").display().to_string()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let expected = format!("{}:1:31: warning:", input.display());
    assert!(stderr(&output).contains(&expected) && stderr(&output).contains("UTF-16"), "{}", stderr(&output));
}
