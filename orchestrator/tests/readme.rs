//! The README's first command (the main job) runs wf0 from the repository's own `workflows/` to its
//! end on the durable default store, with nothing from `../shared`, in under 2 minutes.

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

/// Copies the folder `from` to `to`, recursively.
fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_folder(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

#[test]
fn the_readme_starts_with_the_main_job_which_needs_nothing_outside_the_repository() {
    let line = first_readme_command();
    let prefix = "cargo run -p orchestrator -- ";
    let args =
        line.strip_prefix(prefix).unwrap_or_else(|| panic!("the README's first command is not `{prefix}...`: {line}"));
    let args = words(args);
    assert!(args.iter().any(|a| a == "--until-done"), "the command should wait for the workflow: {line}");
    // The same arguments, run by the built binary in a folder holding only the repository's
    // `workflows/` (no `../shared` beside it); the store goes to a temporary folder.
    let checkout = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_folder(&workspace().join("workflows"), &checkout.path().join("workflows"));
    assert!(!checkout.path().join("../shared").exists(), "the copy has no shared folder beside it");
    let store = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_orchestrator"));
    command.args(&args).current_dir(checkout.path()).env("ORCHESTRATOR_STORE", store.path().join("state.db"));
    let began = std::time::Instant::now();
    let outcome = finish(spawn(command), LIMIT).expect_code(0);
    let took = began.elapsed();
    assert!(took < std::time::Duration::from_secs(120), "the main job takes under 2 minutes, took {took:?}");
    assert!(outcome.stdout.contains("deployed 46 processes"), "{}", outcome.stdout);
    for part in ["phases:", "jobs:", "approvals:", "SLA: ", "outputs simulated with seed 7"] {
        assert!(outcome.stdout.contains(part), "the summary shows {part:?}:\n{}", outcome.stdout);
    }
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
