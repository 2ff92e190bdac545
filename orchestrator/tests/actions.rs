//! `orchestrator actions`: the action catalogue as text and JSON, and an unknown name.

mod support;

use support::Workdir;

#[test]
fn json_lists_every_action_with_its_job_type_fields_and_operations() {
    let dir = Workdir::new();
    let listed = dir.run(&["actions", "--json"]).expect_code(0).json();
    let actions = listed.as_array().expect("a list of actions");
    let names: Vec<&str> = actions.iter().filter_map(|a| a["name"].as_str()).collect();
    for expected in ["shell-command", "llm", "git-operation", "azure-devops", "notify", "log", "approve"] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    let shell = actions.iter().find(|a| a["name"] == "shell-command").expect("shell-command");
    assert_eq!(shell["fields"][0]["name"], "command");
    assert_eq!(shell["fields"][0]["required"], true);
    assert_eq!(shell["effects"], "workspace");
    let devops = actions.iter().find(|a| a["name"] == "azure-devops").expect("azure-devops");
    let create_pr = devops["operations"].as_array().and_then(|ops| ops.iter().find(|o| o["name"] == "create-pr"));
    let outputs = &create_pr.expect("create-pr")["outputs"];
    assert!(outputs.as_array().is_some_and(|o| o.iter().any(|f| f["name"] == "PR_NUMBER" && f["shape"] == "number")));
    assert_eq!(create_pr.expect("create-pr")["real"], true, "create-pr is performed for real");
    let queue_build = devops["operations"].as_array().and_then(|ops| ops.iter().find(|o| o["name"] == "queue-build"));
    assert_eq!(queue_build.expect("queue-build")["real"], false, "queue-build runs dry or simulated only");
}

#[test]
fn text_shows_one_action_and_an_unknown_name_lists_the_known_ones() {
    let dir = Workdir::new();
    let shown = dir.run(&["actions", "git-operation"]).expect_code(0);
    assert!(shown.stdout.starts_with("git-operation (job type git-operation, effects external"), "{}", shown.stdout);
    assert!(shown.stdout.contains("operation merge (external, "), "{}", shown.stdout);
    assert!(!shown.stdout.contains("azure-devops"), "{}", shown.stdout);
    let unknown = dir.run(&["actions", "git-operations"]).expect_code(2);
    assert!(
        unknown.stderr.contains("no action `git-operations`; the actions are: shell-command, llm"),
        "{}",
        unknown.stderr
    );
}
