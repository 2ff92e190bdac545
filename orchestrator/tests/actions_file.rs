//! `run --actions FILE`: the actions the file sets up run for real in its workspace; a bad file
//! is a usage error naming file, line and column.

mod support;

use std::path::Path;

use support::{BRANCH_DEMO, Workdir, git, repository};

fn run(dir: &Workdir, actions: &Path, extra: &[&str]) -> support::Outcome {
    let file = dir.path().join("branch-demo.yaml");
    std::fs::write(&file, BRANCH_DEMO).unwrap();
    let (file, actions) = (file.display().to_string(), actions.display().to_string());
    let mut args = vec!["run", "--deploy", &file, "--start", "branch-demo", "--until-done", "--actions", &actions];
    args.extend(extra);
    dir.run(&args)
}

#[test]
fn git_runs_for_real_in_the_files_workspace_and_other_actions_stay_dry() {
    let dir = Workdir::new();
    repository(dir.path());
    let actions = dir.path().join("actions.yaml");
    std::fs::write(&actions, "workspace: repo\ngit-operation:\n  author: {name: Dev, email: dev@example.test}\n")
        .unwrap();
    let outcome = run(&dir, &actions, &[]).expect_code(0);
    let remote = dir.path().join("remote.git");
    assert_eq!(
        git(&remote, &["rev-parse", "feature/5-demo"]),
        git(&remote, &["rev-parse", "main"]),
        "{}",
        outcome.stdout
    );
    assert!(outcome.stdout.contains("called git-operation create-branch"), "{}", outcome.stdout);
    assert!(outcome.stdout.contains("completed with: {\"BRANCH_NAME\":\"feature/5-demo\"}"), "{}", outcome.stdout);
    assert!(
        outcome.stdout.contains("notify tell") && outcome.stdout.contains("would"),
        "notify stays dry: {}",
        outcome.stdout
    );

    // The same folder through --execute-shell is consistent; another one is not.
    let same = dir.path().join("repo").display().to_string();
    git(&dir.path().join("repo"), &["checkout", "--quiet", "main"]);
    git(&dir.path().join("repo"), &["branch", "-D", "feature/5-demo"]);
    git(&remote, &["branch", "-D", "feature/5-demo"]);
    run(&dir, &actions, &["--execute-shell", &same]).expect_code(0);
    let other = dir.path().display().to_string();
    let outcome = run(&dir, &actions, &["--execute-shell", &other]).expect_code(2);
    assert!(outcome.stderr.contains("is not the workspace of --actions"), "{}", outcome.stderr);
}

#[test]
fn without_actions_file_execute_shell_leaves_git_dry() {
    let dir = Workdir::new();
    let (_, repo) = repository(dir.path());
    let file = dir.path().join("branch-demo.yaml");
    std::fs::write(&file, BRANCH_DEMO).unwrap();
    let (file, repo_arg) = (file.display().to_string(), repo.display().to_string());
    dir.run(&["run", "--deploy", &file, "--start", "branch-demo", "--until-done", "--execute-shell", &repo_arg])
        .expect_code(0);
    assert!(git(&dir.path().join("remote.git"), &["branch", "--list", "feature/5-demo"]).is_empty());
}

#[test]
fn a_bad_actions_file_names_file_line_and_column() {
    let dir = Workdir::new();
    repository(dir.path());
    let actions = dir.path().join("actions.yaml");
    let cases = [
        ("workspace: repo\ngit-operation: [unclosed\n", "actions.yaml:3:", "an actions file maps"),
        ("workspace: repo\n\ngit-op: {}\n", "actions.yaml:3:1:", "`git-op` is not an action"),
        (
            "workspace: repo\nnotify: {}\ngit-operation:\n  branch: main\n",
            "actions.yaml:3:1:",
            "unknown field `branch`",
        ),
        ("workspace: no-such-folder\n", "actions.yaml:1:1:", "workspace"),
        ("git-operation: {}\n", "actions.yaml:1:1:", "no `workspace:`"),
    ];
    for (text, location, message) in cases {
        std::fs::write(&actions, text).unwrap();
        let outcome = run(&dir, &actions, &[]).expect_code(2);
        assert!(outcome.stderr.contains(location) && outcome.stderr.contains(message), "{text:?}: {}", outcome.stderr);
    }
    let outcome = run(&dir, &dir.path().join("missing.yaml"), &[]).expect_code(2);
    assert!(outcome.stderr.contains("missing.yaml: cannot read the actions file"), "{}", outcome.stderr);
}

#[test]
fn a_shell_policy_without_a_workspace_is_a_usage_error() {
    let dir = Workdir::new();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(&policy, "senior-developer: [git]\n").unwrap();
    let file = dir.path().join("branch-demo.yaml");
    std::fs::write(&file, BRANCH_DEMO).unwrap();
    let (file, policy) = (file.display().to_string(), policy.display().to_string());
    let outcome = dir.run(&["run", "--deploy", &file, "--shell-policy", &policy]).expect_code(2);
    assert!(outcome.stderr.contains("--shell-policy needs a workspace"), "{}", outcome.stderr);
}
