//! Every error path of the orchestrator: the message says what went wrong and what to do, and
//! the exit code is 2 for bad usage or input, 1 for a command that failed.

mod support;

use serde_json::json;
use support::{Workdir, model};

#[test]
fn starting_an_unknown_process_says_to_deploy_first() {
    let dir = Workdir::new();
    let failed = dir.run(&["start", "nope"]).expect_code(1);
    assert!(
        failed.stderr.contains(
            "no process 'nope' deployed (no process is deployed yet): run `orchestrator deploy <file>` first"
        ),
        "{}",
        failed.stderr
    );
    let approval = model("approval.bpmn").display().to_string();
    dir.json(&["deploy", &approval]);
    let failed = dir.run(&["start", "nope"]).expect_code(1);
    assert!(failed.stderr.contains("(deployed: approval)"), "{}", failed.stderr);
}

#[test]
fn a_var_without_a_name_or_equals_sign_is_bad_usage() {
    let dir = Workdir::new();
    let failed = dir.run(&["start", "approval", "--var", "WORK_TYPE"]).expect_code(2);
    assert!(failed.stderr.contains("--var 'WORK_TYPE' has no '='; write NAME=VALUE"), "{}", failed.stderr);
    assert!(!dir.store().exists(), "bad input opens no store");
    let failed = dir.run(&["run", "--var", "a=1"]).expect_code(2);
    assert!(failed.stderr.contains("add --start <process-id>"), "{}", failed.stderr);
}

#[test]
fn a_bad_vars_file_is_refused_at_its_line_and_column() {
    let dir = Workdir::new();
    std::fs::write(dir.path().join("vars.json"), "{\n  \"a\": 1,\n  \"b\": ,\n}\n").unwrap_or_else(|e| panic!("{e}"));
    let failed = dir.run(&["start", "approval", "--vars-file", "vars.json"]).expect_code(2);
    assert!(failed.stderr.contains("vars.json:3:8: error: not valid JSON"), "{}", failed.stderr);

    std::fs::write(dir.path().join("vars.yaml"), "- a\n- b\n").unwrap_or_else(|e| panic!("{e}"));
    let failed = dir.run(&["start", "approval", "--vars-file", "vars.yaml"]).expect_code(2);
    assert!(failed.stderr.contains("vars.yaml:1:1: error: the variables file holds a list"), "{}", failed.stderr);

    std::fs::write(dir.path().join("vars.yaml"), "a: [1\n").unwrap_or_else(|e| panic!("{e}"));
    let failed = dir.run(&["start", "approval", "--vars-file", "vars.yaml"]).expect_code(2);
    assert!(failed.stderr.contains("vars.yaml:") && failed.stderr.contains("fix the file"), "{}", failed.stderr);

    let failed = dir.run(&["start", "approval", "--vars-file", "vars.txt"]).expect_code(2);
    assert!(failed.stderr.contains("vars.txt: cannot read the variables file"), "{}", failed.stderr);
}

#[test]
fn a_workflow_that_does_not_compile_deploys_nothing_and_names_the_place() {
    let dir = Workdir::new();
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "metadata:\n  id: broken\nsteps:\n  - id: a\n    action: no-such-action\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let approval = model("approval.bpmn").display().to_string();
    let failed = dir.run(&["deploy", &approval, broken.to_str().unwrap_or_default()]).expect_code(2);
    assert!(failed.stderr.contains("broken.yaml:5:"), "{}", failed.stderr);
    assert!(failed.stderr.contains("nothing was deployed"), "{}", failed.stderr);
    let failed = dir.run(&["start", "approval"]).expect_code(1);
    assert!(failed.stderr.contains("no process is deployed yet"), "{}", failed.stderr);
}

#[test]
fn unknown_instance_task_and_incident_keys_say_where_to_look() {
    let dir = Workdir::new();
    // An existing store without these keys (a missing store is another error, see below).
    dir.run(&["run", "--until-idle"]).expect_code(0);
    for (args, expected) in [
        (
            vec!["status", "42"],
            "no process instance 42 in the store .orchestrator/state.db: `orchestrator status` lists the instances",
        ),
        (vec!["history", "42"], "no process instance 42"),
        (vec!["run", "--until-done", "42"], "no process instance 42"),
        (vec!["cancel", "42"], "no active process instance 42"),
        (vec!["incidents", "resolve", "42"], "no open incident 42: `orchestrator incidents` lists the open incidents"),
        (vec!["tasks", "complete", "42"], "`orchestrator tasks` lists the open user tasks"),
    ] {
        let failed = dir.run(&args).expect_code(1);
        assert!(failed.stderr.contains(expected), "{args:?}: {}", failed.stderr);
    }
    let failed = dir.run(&["status", "not-a-key"]).expect_code(2);
    assert!(failed.stderr.contains("invalid value 'not-a-key'"), "{}", failed.stderr);
}

#[test]
fn a_store_in_use_by_a_running_orchestrator_is_read_beside_it_and_a_second_engine_is_refused() {
    use std::io::{BufRead, BufReader};

    let dir = Workdir::new();
    let mut running = support::spawn(dir.command(&["run"]));
    let stdout = running.stdout.take().unwrap_or_else(|| panic!("no stdout pipe"));
    let mut first = String::new();
    let _ = BufReader::new(stdout).read_line(&mut first);
    assert!(first.starts_with("instances:"), "{first}");
    // Reading works beside the running engine; a command that runs an engine is refused.
    let read = dir.run(&["status", "--json"]);
    let refused = dir.run(&["cancel", "42"]);
    let pid = running.id();
    let _ = running.kill();
    let _ = running.wait();
    let counts = json!({"active": 0, "completed": 0, "terminated": 0});
    assert_eq!(read.expect_code(0).json(), json!({"counts": counts, "instances": []}));
    let refused = refused.expect_code(1);
    assert!(refused.stderr.contains(".orchestrator/state.db"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains(&format!("another engine (process {pid}) runs on this store")),
        "{}",
        refused.stderr
    );
    // After the holder is gone (killed), the store opens again for an engine.
    let reopened = dir.run(&["cancel", "42"]).expect_code(1);
    assert!(reopened.stderr.contains("no active process instance 42"), "{}", reopened.stderr);
}

#[test]
fn a_damaged_store_file_is_refused_and_left_alone() {
    let dir = Workdir::new();
    let store = dir.store();
    std::fs::create_dir_all(store.parent().unwrap_or(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let garbage = "this is not a database ".repeat(400);
    std::fs::write(&store, &garbage).unwrap_or_else(|e| panic!("{e}"));
    for args in [vec!["status"], vec!["start", "approval"]] {
        let failed = dir.run(&args).expect_code(1);
        assert!(
            failed.stderr.contains("the file is damaged or is not an engine record store"),
            "{args:?}: {}",
            failed.stderr
        );
    }
    assert_eq!(std::fs::read_to_string(&store).ok().as_deref(), Some(garbage.as_str()), "the file is untouched");
}

#[test]
fn an_unreachable_postgres_store_is_refused_without_showing_the_password() {
    let dir = Workdir::new();
    // Port 1 on the loopback address: nothing listens there.
    let failed = dir.run(&["status", "--store", "postgres://user:secret@127.0.0.1:1/engine"]).expect_code(1);
    assert!(failed.stderr.contains("127.0.0.1:1") && !failed.stderr.contains("secret"), "{}", failed.stderr);
}

#[test]
fn the_store_variable_and_flag_choose_the_file() {
    let dir = Workdir::new();
    let approval = model("approval.bpmn").display().to_string();
    let mut command = dir.command(&["deploy", &approval, "--json"]);
    command.env("ORCHESTRATOR_STORE", "from-env.db");
    let deployed = support::finish(support::spawn(command), support::LIMIT).expect_code(0);
    assert_eq!(deployed.json()["processes"][0]["bpmn_process_id"], json!("approval"));
    assert!(dir.path().join("from-env.db").exists() && !dir.store().exists());
    let failed = dir.run(&["start", "approval", "--store", "other.db"]).expect_code(1);
    assert!(failed.stderr.contains("no process is deployed yet"), "{}", failed.stderr);
    dir.json(&["start", "approval", "--store", "from-env.db"]);
}

/// A BPMN file that declares UTF-8 but holds a Latin-1 byte (as some modelling tools export)
/// deploys as Camunda Modeler would open it, and `deploy` says where it repaired what.
#[test]
fn a_bpmn_file_with_a_latin1_byte_deploys_with_a_located_warning() {
    let dir = Workdir::new();
    let source = std::fs::read_to_string(model("approval.bpmn")).unwrap_or_else(|e| panic!("{e}"));
    let mut bytes = source
        .replacen("<bpmn:process id=\"approval\"", "<bpmn:process name=\"Pr\u{0}fung\" id=\"approval\"", 1)
        .into_bytes();
    let nul = bytes.iter().position(|b| *b == 0).unwrap_or_else(|| panic!("the marker is in the file"));
    bytes[nul] = 0xFC; // `ü` in windows-1252, not UTF-8
    let file = dir.path().join("latin1.bpmn");
    std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
    let deployed = dir.run(&["deploy", file.to_str().unwrap_or_default()]).expect_code(0);
    assert!(deployed.stderr.contains("latin1.bpmn:3:"), "the warning names the file and line: {}", deployed.stderr);
    assert!(deployed.stderr.contains("warning: byte 0xFC is not valid UTF-8"), "{}", deployed.stderr);
    assert!(deployed.stdout.contains("deployed approval version 1"), "{}", deployed.stdout);
}
