//! The real `azure-devops` handler against the forge's Azure DevOps stand-in: each real
//! operation's outputs and the request the server recorded, completions that merge for real in
//! a bare git repository, refusals without retries, and the token kept out of every message.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{Repo, TOKEN, TOKEN_ENV, completed, failed, handler, job};
use forge::testing::{AzureDevOpsServer, AzureDevOpsServerConfig, PolicyFixture, RecordedRequest};
use serde_json::{Value, json};
use workers::{JobHandler, JobOutcome, Variables};

const ACTION: &str = "azure-devops";
const REPO_PATH: &str = "/contoso/Fabrikam%20Web/_apis/git/repositories/shop";

struct Fixture {
    server: AzureDevOpsServer,
    handler: Arc<dyn JobHandler>,
}

impl Fixture {
    async fn start(git: Option<&Path>) -> Self {
        let server = AzureDevOpsServer::start(AzureDevOpsServerConfig {
            organization: "contoso".into(),
            project: "Fabrikam Web".into(),
            project_id: "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c".into(),
            repository: "shop".into(),
            token: TOKEN.into(),
            git: git.map(Path::to_path_buf),
        })
        .await
        .unwrap();
        let handler = handler(
            ACTION,
            json!({
                "organization": "contoso", "project": "Fabrikam Web", "repository": "shop",
                "base_url": server.base_url(), "token_env": TOKEN_ENV,
            }),
        );
        Self { server, handler }
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
async fn pull_requests_are_found_created_read_updated_reviewed_commented_and_checked() {
    with_token!(pull_requests_are_found_created_read_updated_reviewed_commented_and_checked);
    let repo = Repo::new();
    repo.branch("feature/cart", "cart.txt", "Add the cart");
    let fx = Fixture::start(Some(&repo.bare)).await;
    let pair = json!({"source_branch": "feature/cart", "target_branch": "main"});

    let none = fx.ok("check-existing-pr", pair.clone()).await;
    assert_eq!(none["PR_EXISTS"], false);
    assert_eq!((&none["EXISTING_PR_NUMBER"], &none["EXISTING_PR_URL"]), (&Value::Null, &Value::Null));
    let asked = fx.last();
    assert_eq!((asked.method.as_str(), asked.path.as_str()), ("GET", &*format!("{REPO_PATH}/pullrequests")));
    assert_eq!(asked.query_param("searchCriteria.sourceRefName").as_deref(), Some("refs/heads/feature/cart"));

    let first = fx.ok("create-work-item", json!({"title": "Cart"})).await["WORK_ITEM_ID"].clone();
    let second = fx.ok("create-work-item", json!({"title": "Cart page"})).await["WORK_ITEM_ID"].to_string();
    let created = fx
        .ok(
            "create-pr",
            json!({
                "source_branch": "feature/cart", "target_branch": "main", "title": "Add the cart",
                "description": "Persona change.", "work_items": [first, second], "reviewers": ["ana-id"],
            }),
        )
        .await;
    let number = created["PR_NUMBER"].as_u64().expect("a PR number");
    let url = created["PR_URL"].as_str().unwrap();
    assert!(url.ends_with(&format!("/contoso/Fabrikam%20Web/_git/shop/pullrequest/{number}")), "{url}");
    let sent = fx.last();
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", &*format!("{REPO_PATH}/pullrequests")));
    assert_eq!(sent.body_at("/sourceRefName"), Some(&json!("refs/heads/feature/cart")));
    assert_eq!(sent.body_at("/targetRefName"), Some(&json!("refs/heads/main")));
    assert_eq!(sent.body_at("/workItemRefs"), Some(&json!([{"id": "1"}, {"id": "2"}])));
    assert_eq!(sent.body_at("/reviewers"), Some(&json!([{"id": "ana-id"}])));

    let found = fx.ok("check-existing-pr", pair).await;
    assert_eq!((&found["PR_EXISTS"], &found["EXISTING_PR_NUMBER"]), (&json!(true), &json!(number)));
    assert_eq!(found["EXISTING_PR_URL"], url);

    let details = fx.ok("get-pr-details", json!({"pr_id": number})).await;
    assert_eq!(details["TITLE"], "Add the cart");
    assert_eq!((&details["SOURCE_BRANCH"], &details["TARGET_BRANCH"]), (&json!("feature/cart"), &json!("main")));
    assert_eq!((&details["HAS_CONFLICTS"], &details["AUTHOR"]), (&json!(false), &json!("Stand-in Bot")));

    let updated = fx.ok("update-pr", json!({"pr_id": number, "title": "Add the cart (v2)"})).await;
    assert_eq!((&updated["PR_NUMBER"], &updated["PR_URL"]), (&json!(number), &json!(url)));
    let patch = fx.last();
    assert_eq!((patch.method.as_str(), patch.body_at("/title")), ("PATCH", Some(&json!("Add the cart (v2)"))));

    fx.ok("add-reviewers", json!({"pr_id": number, "reviewers": ["bo-id", "cy-id"], "required": true})).await;
    let puts: Vec<RecordedRequest> = fx.server.requests().into_iter().filter(|r| r.method == "PUT").collect();
    let paths: Vec<&str> = puts.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("{REPO_PATH}/pullRequests/{number}/reviewers/bo-id"),
            format!("{REPO_PATH}/pullRequests/{number}/reviewers/cy-id")
        ]
    );
    assert_eq!(puts[0].body_at("/isRequired"), Some(&json!(true)));

    fx.ok("create-pr-thread", json!({"pr_id": number, "content": "Looks good"})).await;
    let thread = fx.last();
    assert_eq!(thread.path, format!("{REPO_PATH}/pullRequests/{number}/threads"));
    assert_eq!(thread.body_at("/comments/0/content"), Some(&json!("Looks good")));

    fx.server.set_policies(vec![
        PolicyFixture { policy_type: "Build".into(), is_blocking: true, status: "running".into() },
        PolicyFixture {
            policy_type: "Minimum number of reviewers".into(),
            is_blocking: true,
            status: "approved".into(),
        },
    ]);
    let blocked = fx.ok("check-pr-policies", json!({"pr_id": number})).await;
    assert_eq!((&blocked["APPROVED"], &blocked["BUILD_STATUS"]), (&json!(false), &json!("running")));
    assert_eq!(fx.last().path, "/contoso/Fabrikam%20Web/_apis/policy/evaluations");
    fx.server.set_policies(vec![PolicyFixture {
        policy_type: "Build".into(),
        is_blocking: true,
        status: "approved".into(),
    }]);
    let passed = fx.ok("check-pr-policies", json!({"pr_id": number})).await;
    assert_eq!((&passed["APPROVED"], &passed["BUILD_STATUS"]), (&json!(true), &json!("approved")));
}

#[tokio::test]
async fn complete_pr_merges_for_real_with_each_strategy() {
    with_token!(complete_pr_merges_for_real_with_each_strategy);
    for (strategy, wire) in [("merge", "noFastForward"), ("squash", "squash"), ("rebase", "rebase")] {
        let repo = Repo::new();
        let main_before = repo.main_parents();
        assert!(main_before.is_empty(), "main starts with one root commit");
        let feature_tip = repo.branch("feature/pay", "pay.txt", "Add payments");
        let fx = Fixture::start(Some(&repo.bare)).await;
        let created = fx
            .ok("create-pr", json!({"source_branch": "feature/pay", "target_branch": "main", "title": "Payments"}))
            .await;
        let merged = fx
            .ok(
                "complete-pr",
                json!({"pr_id": created["PR_NUMBER"], "merge_strategy": strategy, "delete_source_branch": true}),
            )
            .await;
        assert_eq!(merged["MERGED"], true, "{strategy}");
        let merge_commit = merged["MERGE_COMMIT"].as_str().expect("a merge commit").to_owned();
        let completion = fx.server.requests().into_iter().find(|r| r.method == "PATCH").expect("the completion");
        assert_eq!(completion.body_at("/completionOptions/mergeStrategy"), Some(&json!(wire)));
        assert_eq!(completion.body_at("/completionOptions/deleteSourceBranch"), Some(&json!(true)));
        let tip = common::git(&repo.bare, &["rev-parse", "main"]);
        assert_eq!(tip, merge_commit, "{strategy}: MERGE_COMMIT is main's new tip");
        let log = repo.main_log();
        assert!(log.len() >= 2 && log.iter().any(|s| s.contains("Add payments") || s.contains("Payments")), "{log:?}");
        match strategy {
            "merge" => assert!(repo.main_parents().contains(&feature_tip), "a two-parent merge: {log:?}"),
            _ => assert_eq!(repo.main_parents().len(), 1, "{strategy}: one parent"),
        }
    }
}

#[tokio::test]
async fn work_items_are_created_updated_commented_and_read() {
    with_token!(work_items_are_created_updated_commented_and_read);
    let fx = Fixture::start(None).await;
    let outputs = r#"{"WORK_ITEM_ID": "number", "BUG_ID": "number"}"#;
    let created = completed(
        fx.handler
            .handle(&job(
                ACTION,
                "create-work-item",
                json!({"type": "Bug", "title": "Cart loses items", "description": "<p>Seen twice</p>"}),
                Some(outputs),
            ))
            .await,
    );
    let id = created["WORK_ITEM_ID"].as_u64().expect("an id");
    assert_eq!(created["BUG_ID"], id, "the one extra declared output gets the id");
    assert!(created["WORK_ITEM_URL"].as_str().unwrap().ends_with(&format!("/_workitems/edit/{id}")));
    let sent = fx.last();
    assert_eq!(sent.path, "/contoso/Fabrikam%20Web/_apis/wit/workitems/$Bug");
    assert_eq!(sent.body_at("/0/path"), Some(&json!("/fields/System.Title")));

    fx.ok("update-work-item", json!({"id": id, "state": "Active", "comment": "Taking it"})).await;
    let requests = fx.server.requests();
    let patch = &requests[requests.len() - 2];
    assert_eq!(patch.method, "PATCH");
    assert_eq!(patch.body_at("/0"), Some(&json!({"op": "add", "path": "/fields/System.State", "value": "Active"})));
    assert_eq!(fx.last().body_at("/text"), Some(&json!("Taking it")));

    fx.ok("add-work-item-comment", json!({"id": id.to_string(), "text": "Fixed in #3"})).await;
    assert_eq!(fx.last().path, format!("/contoso/Fabrikam%20Web/_apis/wit/workItems/{id}/comments"));

    let read = fx.ok("get-work-item", json!({"id": id})).await;
    assert_eq!(read["TITLE"], "Cart loses items");
    assert_eq!(read["CURRENT_STATE"], "Active");
    assert_eq!(read["DESCRIPTION"], "<p>Seen twice</p>");
    assert_eq!(fx.server.work_item(id).unwrap()["fields"]["System.State"], "Active");

    let (message, retries) = failed(&fx.run("update-work-item", json!({"id": id})).await);
    assert!(message.contains("nothing to change"), "{message}");
    assert_eq!(retries, 0);
}

#[tokio::test]
async fn refusals_fail_without_retries_with_the_service_message_and_never_the_token() {
    with_token!(refusals_fail_without_retries_with_the_service_message_and_never_the_token);
    let fx = Fixture::start(None).await;
    let outcome = fx.run("get-pr-details", json!({"pr_id": 404})).await;
    let (message, retries) = failed(&outcome);
    assert_eq!(retries, 0, "a 404 is not retried");
    assert!(message.starts_with("azure-devops task `step-get-pr-details`, operation `get-pr-details`:"), "{message}");
    assert!(message.contains("404") && message.contains("TF401180"), "{message}");
    assert!(message.contains("check that the organisation"), "says what to do: {message}");

    let bad = fx.run("complete-pr", json!({"pr_id": 1, "merge_strategy": "octopus"})).await;
    assert!(failed(&bad).0.contains("merge_strategy `octopus` is not one of merge, squash, rebase"));
    let missing = fx.run("create-pr", json!({"source_branch": "a", "target_branch": "main"})).await;
    assert!(failed(&missing).0.contains("input `title` is missing"), "{missing:?}");

    // A wrong token: the server refuses it, and neither the message nor Debug shows a token.
    let wrong = AzureDevOpsServer::start(AzureDevOpsServerConfig {
        organization: "contoso".into(),
        project: "Fabrikam Web".into(),
        project_id: "p".into(),
        repository: "shop".into(),
        token: "another-token".into(),
        git: None,
    })
    .await
    .unwrap();
    let section = json!({"organization": "contoso", "project": "Fabrikam Web", "repository": "shop",
        "base_url": wrong.base_url(), "token_env": TOKEN_ENV});
    let refused_handler = handler(ACTION, section);
    let refused = refused_handler.handle(&job(ACTION, "get-work-item", json!({"id": 1}), None)).await;
    let (message, retries) = failed(&refused);
    assert_eq!(retries, 0);
    assert!(message.contains("refused the token") && message.contains(TOKEN_ENV), "{message}");
    for shown in [message, format!("{refused:?}")] {
        assert!(!shown.contains(TOKEN), "the token leaked: {shown}");
    }
}

#[tokio::test]
async fn an_unset_token_variable_is_named() {
    let server = AzureDevOpsServer::start(AzureDevOpsServerConfig {
        organization: "o".into(),
        project: "p".into(),
        project_id: "p".into(),
        repository: "r".into(),
        token: TOKEN.into(),
        git: None,
    })
    .await
    .unwrap();
    let handler = handler(
        ACTION,
        json!({"organization": "o", "project": "p", "repository": "r", "base_url": server.base_url(),
               "token_env": "ACTIONS_TEST_SURELY_UNSET_PAT"}),
    );
    let (message, retries) = failed(&handler.handle(&job(ACTION, "get-work-item", json!({"id": 1}), None)).await);
    assert!(message.contains("environment variable ACTIONS_TEST_SURELY_UNSET_PAT is not set"), "{message}");
    assert_eq!(retries, 0);
    assert!(server.requests().is_empty(), "nothing is sent without a token");
}

#[tokio::test]
async fn an_operation_without_a_real_implementation_goes_to_the_fallback_and_bad_ones_fail() {
    let handler = handler(ACTION, json!({"organization": "o", "project": "p", "repository": "r"}));
    // The fallback of `common::handler` completes with nothing and sends no request.
    let outcome = handler.handle(&job(ACTION, "queue-build", json!({}), None)).await;
    assert_eq!(outcome, JobOutcome::complete(), "queue-build is not performed for real");
    let (unknown, _) = failed(&handler.handle(&job(ACTION, "merge-everything", json!({}), None)).await);
    assert!(unknown.contains("`merge-everything` is not an operation of azure-devops"), "{unknown}");
    let (not_a_map, retries) = failed(&handler.handle(&job(ACTION, "get-work-item", json!([1, 2]), None)).await);
    assert_eq!(retries, 0);
    assert!(not_a_map.contains("must be a mapping"), "{not_a_map}");
}

#[test]
fn the_catalogue_marks_exactly_the_real_operations() {
    let spec = actions::find(ACTION).unwrap();
    let real: Vec<&str> = spec.operations.iter().filter(|op| op.real).map(|op| op.name).collect();
    assert_eq!(
        real,
        [
            "create-work-item",
            "update-work-item",
            "add-work-item-comment",
            "get-work-item",
            "check-existing-pr",
            "create-pr",
            "get-pr-details",
            "update-pr",
            "add-reviewers",
            "create-pr-thread",
            "check-pr-policies",
            "complete-pr"
        ]
    );
}

#[test]
fn a_bad_settings_section_names_the_action() {
    for (section, expected) in [
        (json!({"organization": "o", "project": "p"}), "missing field `repository`"),
        (json!({"organization": "o", "project": "p", "repository": "r", "pat": "x"}), "unknown field `pat`"),
        (json!({"organization": " ", "project": "p", "repository": "r"}), "`organization` is empty"),
    ] {
        let settings = actions::Settings {
            sections: [(ACTION.to_owned(), section)].into_iter().collect(),
            ..actions::Settings::default()
        };
        let fallback: Arc<dyn JobHandler> =
            Arc::new(workers::handler_fn(|_job: workers::Job| async { JobOutcome::complete() }));
        let error = actions::bindings(&settings, &fallback, |_| true).err().expect("refused");
        assert_eq!(error.action, ACTION);
        let shown = error.to_string();
        assert!(shown.contains("the settings of action `azure-devops`") && shown.contains(expected), "{shown}");
    }
}
