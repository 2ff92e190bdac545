//! One change from branch to merge with real effects: wf3 (branch) → wf4 (commit) → wf5 (pull
//! request) → wf8 (merge) from the project's `workflows/`, with shell, git and Azure DevOps
//! performed for real on a git repository with a bare remote and on the local Azure DevOps
//! stand-in (`forge::testing`, backed by that bare remote, so completing the pull request
//! really merges). The model's own steps (`llm`, approvals) are simulated. Everything is checked
//! by reading the remote and the server, not the engine's variables.

mod support;

use std::path::Path;

use forge::azure::NewWorkItem;
use forge::testing::{AzureDevOpsServer, AzureDevOpsServerConfig};
use forge::{AzureDevOps, AzureDevOpsConfig, TokenSource};
use support::{Outcome, Workdir, git, repository};

const TOKEN: &str = "pat-for-the-stand-in-3f9c";
const TOKEN_ENV: &str = "REAL_EFFECTS_TEST_PAT";

/// Runs one workflow to its end with the actions file, everything else simulated.
fn run(dir: &Workdir, workflow: &str, vars: &[&str]) -> Outcome {
    let workflows = Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows").display().to_string();
    let mut args =
        vec!["run", "--deploy", &workflows, "--start", workflow, "--until-done", "--simulate", "--seed", "3"];
    args.extend(["--actions", "actions.yaml", "--scenario", "scenario.yaml"]);
    for var in vars {
        args.extend(["--var", var]);
    }
    let mut command = dir.command(&args);
    command.env(TOKEN_ENV, TOKEN);
    let outcome = support::finish(support::spawn(command), support::LIMIT);
    assert!(!outcome.stdout.contains(TOKEN) && !outcome.stderr.contains(TOKEN), "the PAT leaked");
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_goes_from_branch_to_merged_pull_request_on_a_real_repository() {
    let dir = Workdir::new();
    let (remote, repo) = repository(dir.path());
    let server = AzureDevOpsServer::start(AzureDevOpsServerConfig {
        organization: "acme".into(),
        project: "shop".into(),
        project_id: "6f1c1a6e-0000-4000-8000-000000000001".into(),
        repository: "shop".into(),
        token: TOKEN.into(),
        git: Some(remote.clone()),
    })
    .await
    .expect("the Azure DevOps stand-in starts");
    let settings = format!(
        "workspace: repo\ngit-operation:\n  author: {{name: Persona, email: persona@example.test}}\nazure-devops:\n  organization: acme\n  project: shop\n  repository: shop\n  base_url: {}\n  token_env: {TOKEN_ENV}\n",
        server.base_url()
    );
    std::fs::write(dir.path().join("actions.yaml"), settings).unwrap();
    // The team's client: the work item the change is for, and later the pull request to merge.
    let token_file = dir.path().join("pat.txt");
    std::fs::write(&token_file, TOKEN).unwrap();
    let mut config = AzureDevOpsConfig::new("acme", "shop", "shop");
    config.base_url = server.base_url().to_owned();
    config.token = TokenSource::File(token_file);
    let team = AzureDevOps::connect(config).expect("a client");
    let new = NewWorkItem { work_item_type: "User Story".into(), title: "Dark mode".into(), ..NewWorkItem::default() };
    let item = team.create_work_item(&new).await.expect("the work item is created").id;
    let item_var = format!("inputs.WORK_ITEM_ID={item}");
    // Two simulated answers are scripted: the reviewer choice (wf16) names an identity, as Azure
    // DevOps needs one, and the pull request's linked work items (wf12) are the real one.
    let scenario = format!(
        "steps:\n  choose-reviewers:\n    - {{REVIEWERS: [0b5c2d1e-0000-4000-8000-00000000000a]}}\n  linked-items:\n    - {{WORK_ITEM_IDS: [{item}]}}\n"
    );
    std::fs::write(dir.path().join("scenario.yaml"), scenario).unwrap();

    let outcome = tokio::task::block_in_place(|| {
        run(&dir, "wf3-branch-creation", &["inputs.WORK_TYPE=feature", &item_var, "inputs.SLUG=dark-mode"])
    });
    let branch = &format!("feature/{item}-dark-mode");
    assert_eq!(outcome.code, 0, "wf3:\n{}\n{}", outcome.stdout, outcome.stderr);
    assert_eq!(git(&remote, &["rev-parse", branch]), git(&remote, &["rev-parse", "main"]), "wf3 pushed the branch");

    // The persona's work in the working copy, then wf4 records it.
    std::fs::write(repo.join("theme.css"), "body { background: #111; }\n").unwrap();
    let outcome = tokio::task::block_in_place(|| {
        run(
            &dir,
            "wf4-code-commit",
            &[
                &format!("inputs.BRANCH_NAME={branch}"),
                "inputs.COMMIT_TYPE=feat",
                "inputs.COMMIT_MESSAGE=dark mode theme",
                &item_var,
                "inputs.RUN_CHECKS=false",
            ],
        )
    });
    assert_eq!(outcome.code, 0, "wf4:\n{}\n{}", outcome.stdout, outcome.stderr);
    assert_eq!(git(&remote, &["log", "-1", "--format=%B", branch]), format!("feat: dark mode theme\n\nAB#{item}"));

    let outcome = tokio::task::block_in_place(|| {
        run(
            &dir,
            "wf5-pull-request-creation",
            // An emergency skips the readiness check, whose simulated verdict would open a draft.
            &[&format!("inputs.BRANCH_NAME={branch}"), &item_var, "inputs.PR_TYPE=feature", "inputs.EMERGENCY=true"],
        )
    });
    assert_eq!(outcome.code, 0, "wf5:\n{}\n{}", outcome.stdout, outcome.stderr);
    let created = server
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/pullrequests"))
        .unwrap_or_else(|| panic!("no pull request was created:\n{}", outcome.stdout));
    assert_eq!(created.body_at("/sourceRefName"), Some(&serde_json::json!(format!("refs/heads/{branch}"))));
    assert_eq!(created.body_at("/targetRefName"), Some(&serde_json::json!("refs/heads/main")));

    let pull = team.find_active_pull_request(&format!("refs/heads/{branch}"), "refs/heads/main").await;
    let pull = pull.expect("the server answers").expect("the pull request is active").id;
    let pr_var = format!("inputs.PR_NUMBER={pull}");
    let outcome =
        tokio::task::block_in_place(|| run(&dir, "wf8-merge", &[&pr_var, &item_var, "inputs.STRATEGY=squash"]));
    assert_eq!(outcome.code, 0, "wf8:\n{}\n{}", outcome.stdout, outcome.stderr);
    let merged = git(&remote, &["show", "main:theme.css"]);
    assert_eq!(merged, "body { background: #111; }", "main has the change after the merge");
    let backups = git(&remote, &["branch", "--list", "backup/pre-orchestration-*"]);
    assert!(!backups.is_empty(), "a backup branch was pushed before the source branch was deleted");
    assert!(git(&remote, &["branch", "--list", branch]).is_empty(), "the source branch was deleted");
    // The PAT reached no log (checked after each run) and nothing the store keeps: history,
    // variables, incidents.
    for entry in std::fs::read_dir(dir.path().join(".orchestrator")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "the PAT is in the store");
    }
    let resolved = server.work_item(item).expect("the work item is still there");
    assert_eq!(resolved["fields"]["System.State"], "Resolved", "wf12 resolved the work item: {resolved}");
}
