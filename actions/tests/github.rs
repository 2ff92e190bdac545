//! The `github` action against the forge's GitHub stand-in: each operation's outputs and the
//! request the server recorded, a merge that happens for real in a bare git repository, and
//! refusals without retries that never show the token.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{Repo, TOKEN, TOKEN_ENV, completed, failed, handler, job};
use forge::testing::{GitHubServer, GitHubServerConfig, RecordedRequest};
use serde_json::{Value, json};
use workers::{JobHandler, JobOutcome, Variables};

const ACTION: &str = "github";

struct Fixture {
    server: GitHubServer,
    handler: Arc<dyn JobHandler>,
}

impl Fixture {
    async fn start(git: Option<&Path>) -> Self {
        let server = GitHubServer::start(GitHubServerConfig {
            owner: "acme".into(),
            repo: "widgets".into(),
            token: TOKEN.into(),
            git: git.map(Path::to_path_buf),
        })
        .await
        .unwrap();
        let section =
            json!({"owner": "acme", "repo": "widgets", "base_url": server.base_url(), "token_env": TOKEN_ENV});
        Self { handler: handler(ACTION, section), server }
    }

    async fn run(&self, operation: &str, parameters: Value) -> JobOutcome {
        self.handler.handle(&job(ACTION, operation, parameters, None)).await
    }

    async fn ok(&self, operation: &str, parameters: Value) -> Variables {
        completed(self.run(operation, parameters).await)
    }

    fn last(&self) -> RecordedRequest {
        self.server.requests().last().cloned().expect("a request was recorded")
    }
}

#[tokio::test]
async fn issues_are_opened_commented_and_closed() {
    with_token!(issues_are_opened_commented_and_closed);
    let fx = Fixture::start(None).await;
    let outputs = r#"{"ISSUE_NUMBER": "number", "BUG": "number"}"#;
    let created = completed(
        fx.handler
            .handle(&job(
                ACTION,
                "create-issue",
                json!({"title": "Flaky checkout test", "body": "Seen twice", "labels": ["bug"]}),
                Some(outputs),
            ))
            .await,
    );
    let number = created["ISSUE_NUMBER"].as_u64().expect("a number");
    assert_eq!(created["BUG"], number);
    assert!(created["ISSUE_URL"].as_str().unwrap().ends_with(&format!("/acme/widgets/issues/{number}")));
    let sent = fx.last();
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/repos/acme/widgets/issues"));
    assert_eq!(sent.body_at("/labels"), Some(&json!(["bug"])));

    let comment = fx.ok("comment", json!({"number": number, "body": "Looking"})).await;
    assert!(comment["COMMENT_URL"].as_str().is_some_and(|url| url.contains("#issuecomment-")), "{comment:?}");
    assert_eq!(fx.last().path, format!("/repos/acme/widgets/issues/{number}/comments"));

    fx.ok("set-issue-state", json!({"number": number, "state": "closed"})).await;
    let closed = fx.last();
    assert_eq!((closed.method.as_str(), closed.body_at("/state")), ("PATCH", Some(&json!("closed"))));
    let (message, retries) = failed(&fx.run("set-issue-state", json!({"number": number, "state": "shut"})).await);
    assert!(message.contains("issue state (open|closed)") && message.contains("shut"), "{message}");
    assert_eq!(retries, 0);
}

#[tokio::test]
async fn a_pull_request_is_opened_found_merged_for_real_and_its_commit_given_a_status() {
    with_token!(a_pull_request_is_opened_found_merged_for_real_and_its_commit_given_a_status);
    let repo = Repo::new();
    let feature_tip = repo.branch("feature/cart", "cart.txt", "Add the cart");
    let fx = Fixture::start(Some(&repo.bare)).await;
    let pair = json!({"head": "feature/cart", "base": "main"});
    assert_eq!(fx.ok("find-open-pr", pair.clone()).await["PR_EXISTS"], false);

    let created = fx
        .ok(
            "create-pr",
            json!({"head": "feature/cart", "base": "main", "title": "Cart", "reviewers": ["ana"], "labels": ["auto-fix", "needs-review"]}),
        )
        .await;
    let number = created["PR_NUMBER"].as_u64().expect("a number");
    let labelled = fx.last();
    assert_eq!(
        (labelled.method.as_str(), labelled.path.clone()),
        ("PUT", format!("/repos/acme/widgets/issues/{number}/labels"))
    );
    assert_eq!(labelled.body_at("/labels"), Some(&json!(["auto-fix", "needs-review"])));
    let bad =
        fx.run("create-pr", json!({"head": "feature/cart", "base": "main", "title": "Cart", "labels": [7]})).await;
    let (message, _) = failed(&bad);
    assert!(message.contains("labels") && message.contains("a list of texts"), "{message}");
    assert_eq!(fx.last().path, labelled.path, "a bad label list opens no pull request");
    let found = fx.ok("find-open-pr", pair).await;
    assert_eq!(
        (&found["PR_EXISTS"], &found["PR_NUMBER"], &found["PR_URL"]),
        (&json!(true), &json!(number), &created["PR_URL"])
    );
    let asked = fx.last();
    assert_eq!(asked.query_param("head").as_deref(), Some("acme:feature/cart"));

    fx.ok("create-commit-status", json!({"sha": feature_tip, "state": "success", "context": "persona/review"})).await;
    let status = fx.last();
    assert_eq!(status.path, format!("/repos/acme/widgets/statuses/{feature_tip}"));
    assert_eq!(status.body_at("/context"), Some(&json!("persona/review")));

    let merged = fx.ok("merge-pr", json!({"number": number, "merge_method": "merge"})).await;
    assert_eq!(merged["MERGED"], true);
    assert_eq!(merged["MERGE_COMMIT"], common::git(&repo.bare, &["rev-parse", "main"]), "the base's new tip");
    assert!(repo.main_parents().contains(&feature_tip), "a real merge commit: {:?}", repo.main_log());
    assert_eq!(fx.last().body_at("/merge_method"), Some(&json!("merge")));
}

#[tokio::test]
async fn refusals_fail_without_retries_and_never_show_the_token() {
    with_token!(refusals_fail_without_retries_and_never_show_the_token);
    let fx = Fixture::start(None).await;
    let outcome = fx.run("comment", json!({"number": 99, "body": "hello"})).await;
    let (message, retries) = failed(&outcome);
    assert_eq!(retries, 0);
    assert!(
        message.starts_with("github task `step-comment`, operation `comment`: GitHub answered HTTP 404"),
        "{message}"
    );
    for shown in [message, format!("{outcome:?}")] {
        assert!(!shown.contains(TOKEN), "the token leaked: {shown}");
    }
}

#[test]
fn every_github_operation_is_real_and_a_bad_section_names_the_action() {
    assert!(actions::find(ACTION).unwrap().operations.iter().all(|op| op.real));
    let settings = actions::Settings {
        sections: [(ACTION.to_owned(), json!({"owner": "acme"}))].into_iter().collect(),
        ..actions::Settings::default()
    };
    let fallback: Arc<dyn JobHandler> =
        Arc::new(workers::handler_fn(|_job: workers::Job| async { JobOutcome::complete() }));
    let error = actions::bindings(&settings, &fallback, |_| true).err().expect("refused");
    assert_eq!(error.action, ACTION);
    assert!(error.to_string().contains("missing field `repo`"), "{error}");
}
