//! The README's first command runs a real workflow end to end on the durable default store.

mod support;

use support::{LIMIT, finish, spawn, workspace};

/// The first command of the README's first `sh` block.
fn first_readme_command() -> String {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap_or_else(|e| panic!("README.md: {e}"));
    let block = readme.split("```sh\n").nth(1).unwrap_or_else(|| panic!("README.md has no ```sh block"));
    block.lines().next().unwrap_or_default().to_owned()
}

/// Splits a command line on spaces, keeping double-quoted parts together.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn the_readme_starts_with_a_workflow_run_on_the_default_store() {
    let line = first_readme_command();
    let prefix = "cargo run -p orchestrator -- ";
    let args =
        line.strip_prefix(prefix).unwrap_or_else(|| panic!("the README's first command is not `{prefix}...`: {line}"));
    let args = words(args);
    assert!(args.iter().any(|a| a == "--until-done"), "the command should wait for the workflow: {line}");
    // The same arguments, run by the built binary from the workspace root; the store goes to a
    // temporary folder instead of ./.orchestrator so the checkout stays clean.
    let store = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_orchestrator"));
    command.args(&args).current_dir(workspace()).env("ORCHESTRATOR_STORE", store.path().join("state.db"));
    let outcome = finish(spawn(command), LIMIT).expect_code(0);
    assert!(outcome.stdout.contains("deployed 32 processes"), "{}", outcome.stdout);
    assert!(outcome.stdout.contains("would call git-operation create-branch"), "{}", outcome.stdout);
    let last_progress = outcome.stdout.lines().rfind(|l| l.starts_with("instances: "));
    assert_eq!(
        last_progress,
        Some("instances: 0 active, 1 completed, 0 terminated | jobs done: 7 | open incidents: 0")
    );
    assert!(
        outcome.stdout.lines().any(|l| l.starts_with("stopped: process instance ") && l.contains(" completed")),
        "{}",
        outcome.stdout
    );
    assert!(store.path().join("state.db").exists(), "the run was durable");
}

#[test]
fn the_readme_persona_section_creates_two_instances_and_lists_them_as_shown() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap_or_else(|e| panic!("README.md: {e}"));
    let section = readme.split("### Persona instances").nth(1).unwrap_or_else(|| panic!("no persona section"));
    let commands = section.split("```sh\n").nth(1).and_then(|b| b.split("```").next()).unwrap_or_default();
    let shown = section.split("```text\n").nth(1).and_then(|b| b.split("```").next()).unwrap_or_default();
    let store = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut last = String::new();
    for line in commands.lines() {
        let line = line.split("  #").next().unwrap_or_default().trim();
        let args =
            line.strip_prefix("cargo run -p orchestrator -- ").unwrap_or_else(|| panic!("not a command: {line}"));
        // Run from the workspace root, as the README says, with the store in a temporary folder.
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_orchestrator"));
        command.args(words(args)).current_dir(workspace()).env("ORCHESTRATOR_STORE", store.path().join("state.db"));
        last = finish(spawn(command), LIMIT).expect_code(0).stdout;
    }
    assert_eq!(last.trim_end(), shown.trim_end(), "the README shows what `personas list` prints");
}

#[test]
fn quoted_words_stay_together() {
    assert_eq!(words("run --var \"a=b c\" x"), ["run", "--var", "a=b c", "x"]);
}
