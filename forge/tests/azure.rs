//! The Azure DevOps client against the Azure DevOps stand-in: each operation's result and the
//! request the server recorded; refusals; completions that merge for real in a bare repository.

mod common;

use std::collections::BTreeMap;

use common::{PROJECT_ID, Repo, azure};
use forge::ForgeError;
use forge::azure::{
    AutoComplete, CompletePullRequest, CompletionOptions, GitStatusState, MergeStrategy, NewGitStatus, NewPullRequest,
    NewWorkItem, PullRequestStatus, PullRequestUpdate, WorkItemUpdate,
};
use forge::testing::{PolicyFixture, RecordedRequest};
use serde_json::json;

const REPO_PATH: &str = "/contoso/Fabrikam%20Web/_apis/git/repositories/shop";

fn last(requests: &[RecordedRequest]) -> &RecordedRequest {
    requests.last().expect("a request was recorded")
}

fn new_pull(source: &str, work_items: Vec<u64>) -> NewPullRequest {
    NewPullRequest {
        source_ref: source.into(),
        target_ref: "main".into(),
        title: "Add the cart".into(),
        description: Some("Persona change.".into()),
        work_item_ids: work_items,
        ..NewPullRequest::default()
    }
}

fn completion(strategy: MergeStrategy) -> CompletePullRequest {
    CompletePullRequest {
        last_merge_source_commit: None,
        options: CompletionOptions {
            merge_strategy: strategy,
            delete_source_branch: true,
            ..CompletionOptions::default()
        },
    }
}

#[tokio::test]
async fn work_items_are_created_updated_commented_and_read() {
    let fx = azure(None).await;
    let parent = fx
        .client
        .create_work_item(&NewWorkItem {
            work_item_type: "Epic".into(),
            title: "Checkout".into(),
            ..NewWorkItem::default()
        })
        .await
        .unwrap();
    let item = fx
        .client
        .create_work_item(&NewWorkItem {
            work_item_type: "User Story".into(),
            title: "Persona: triage flaky test".into(),
            description: Some("<p>Seen on main</p>".into()),
            assigned_to: Some("ana@example.com".into()),
            tags: vec!["agent".into(), "triage".into()],
            parent: Some(parent.id),
            fields: BTreeMap::from([("Microsoft.VSTS.Common.Priority".to_owned(), json!(2))]),
            ..NewWorkItem::default()
        })
        .await
        .unwrap();
    assert_eq!((item.id, item.state.as_deref(), item.work_item_type.as_deref()), (2, Some("New"), Some("User Story")));
    assert_eq!(item.title.as_deref(), Some("Persona: triage flaky test"));
    assert!(item.url.ends_with("/contoso/Fabrikam%20Web/_workitems/edit/2"), "{}", item.url);
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/contoso/Fabrikam%20Web/_apis/wit/workitems/$User%20Story");
    assert_eq!(request.query_param("api-version").as_deref(), Some("7.1"));
    assert_eq!(request.content_type(), Some("application/json-patch+json"));
    assert!(!request.headers.contains_key("authorization"));
    let parent_url = format!("{}/contoso/_apis/wit/workItems/1", fx.server.base_url());
    assert_eq!(
        request.body,
        Some(json!([
            { "op": "add", "path": "/fields/System.Title", "value": "Persona: triage flaky test" },
            { "op": "add", "path": "/fields/System.Description", "value": "<p>Seen on main</p>" },
            { "op": "add", "path": "/fields/System.AssignedTo", "value": "ana@example.com" },
            { "op": "add", "path": "/fields/System.Tags", "value": "agent; triage" },
            { "op": "add", "path": "/fields/Microsoft.VSTS.Common.Priority", "value": 2 },
            { "op": "add", "path": "/relations/-", "value": { "rel": "System.LinkTypes.Hierarchy-Reverse", "url": parent_url } },
        ]))
    );

    let update =
        WorkItemUpdate { state: Some("Active".into()), tags: Some(vec!["agent".into()]), ..WorkItemUpdate::default() };
    let updated = fx.client.update_work_item(2, &update).await.unwrap();
    assert_eq!((updated.state.as_deref(), updated.rev), (Some("Active"), 2));
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("PATCH", "/contoso/Fabrikam%20Web/_apis/wit/workitems/2")
    );
    assert_eq!(request.content_type(), Some("application/json-patch+json"));
    assert_eq!(
        request.body,
        Some(json!([
            { "op": "add", "path": "/fields/System.State", "value": "Active" },
            { "op": "add", "path": "/fields/System.Tags", "value": "agent" },
        ]))
    );

    let comment = fx.client.add_work_item_comment(2, "Root cause: a race in the login test.").await.unwrap();
    assert_eq!((comment.work_item_id, comment.text.as_str()), (2, "Root cause: a race in the login test."));
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/contoso/Fabrikam%20Web/_apis/wit/workItems/2/comments")
    );
    assert_eq!(request.query_param("api-version").as_deref(), Some("7.1-preview.4"));
    assert_eq!(request.content_type(), Some("application/json"));
    assert_eq!(request.body, Some(json!({ "text": "Root cause: a race in the login test." })));

    let read = fx.client.get_work_item(2).await.unwrap();
    assert_eq!(read, updated);
    assert_eq!(read.fields["System.AssignedTo"], "ana@example.com");
    assert_eq!(last(&fx.server.requests()).method, "GET");
}

#[tokio::test]
async fn work_item_refusals_are_explained() {
    let fx = azure(None).await;
    let error = fx.client.get_work_item(404).await.unwrap_err();
    assert!(matches!(error, ForgeError::Api { status: 404, .. }), "{error:?}");
    assert!(error.to_string().contains("Work item 404 does not exist"), "{error}");
    fx.client
        .create_work_item(&NewWorkItem { work_item_type: "Task".into(), title: "t".into(), ..NewWorkItem::default() })
        .await
        .unwrap();
    let error = fx
        .client
        .update_work_item(1, &WorkItemUpdate { state: Some("Shipped".into()), ..WorkItemUpdate::default() })
        .await;
    let error = error.unwrap_err().to_string();
    assert!(
        error.contains("HTTP 400") && error.contains("'Shipped'") && error.contains("update work item 1"),
        "{error}"
    );
    let before = fx.server.requests().len();
    let error = fx.client.update_work_item(1, &WorkItemUpdate::default()).await.unwrap_err();
    assert!(error.to_string().contains("nothing to change"), "{error}");
    let error = fx.client.create_work_item(&NewWorkItem { title: "no type".into(), ..NewWorkItem::default() }).await;
    assert!(error.unwrap_err().to_string().contains("work item type is empty"));
    assert_eq!(fx.server.requests().len(), before, "bad inputs send nothing");
}

#[tokio::test]
async fn a_pull_request_is_created_found_updated_reviewed_discussed_and_completed() {
    let fx = azure(None).await;
    assert_eq!(fx.client.find_active_pull_request("feature/cart", "main").await.unwrap(), None);
    let item = fx
        .client
        .create_work_item(&NewWorkItem {
            work_item_type: "Task".into(),
            title: "Cart".into(),
            ..NewWorkItem::default()
        })
        .await
        .unwrap();
    let new = NewPullRequest {
        is_draft: true,
        reviewer_ids: vec!["d6245f20-2af8-44f4-9451-8107cb2767db".into()],
        labels: vec!["persona".into()],
        ..new_pull("feature/cart", vec![item.id])
    };
    let pull = fx.client.create_pull_request(&new).await.unwrap();
    assert_eq!(
        (pull.status, pull.merged, pull.is_draft, pull.merge_commit.clone()),
        (PullRequestStatus::Active, false, true, None)
    );
    assert_eq!((pull.source_ref.as_str(), pull.target_ref.as_str()), ("refs/heads/feature/cart", "refs/heads/main"));
    assert_eq!(pull.url, format!("{}/contoso/Fabrikam%20Web/_git/shop/pullrequest/{}", fx.server.base_url(), pull.id));
    assert_eq!(
        (pull.labels.clone(), pull.reviewers.len(), pull.project_id.as_deref()),
        (vec!["persona".to_owned()], 1, Some(PROJECT_ID))
    );
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!((request.method.as_str(), request.path.clone()), ("POST", format!("{REPO_PATH}/pullrequests")));
    assert_eq!(request.query_param("api-version").as_deref(), Some("7.1"));
    assert_eq!(
        request.body,
        Some(json!({
            "sourceRefName": "refs/heads/feature/cart",
            "targetRefName": "refs/heads/main",
            "title": "Add the cart",
            "description": "Persona change.",
            "isDraft": true,
            "reviewers": [{ "id": "d6245f20-2af8-44f4-9451-8107cb2767db" }],
            "workItemRefs": [{ "id": item.id.to_string() }],
            "labels": [{ "name": "persona" }],
        }))
    );

    let found = fx.client.find_active_pull_request("refs/heads/feature/cart", "main").await.unwrap().expect("found");
    assert_eq!(found.id, pull.id);
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!(request.query_param("searchCriteria.status").as_deref(), Some("active"));
    assert_eq!(request.query_param("searchCriteria.sourceRefName").as_deref(), Some("refs/heads/feature/cart"));
    assert_eq!(request.query_param("searchCriteria.targetRefName").as_deref(), Some("refs/heads/main"));

    let update = PullRequestUpdate {
        title: Some("Add the shopping cart".into()),
        description: None,
        auto_complete: Some(AutoComplete {
            set_by_id: "persona-bot".into(),
            options: CompletionOptions { merge_strategy: MergeStrategy::Squash, ..CompletionOptions::default() },
        }),
        labels: vec!["ready".into()],
    };
    let updated = fx.client.update_pull_request(pull.id, &update).await.unwrap();
    assert_eq!(
        (updated.title.as_str(), updated.labels.clone()),
        ("Add the shopping cart", vec!["persona".to_owned(), "ready".to_owned()])
    );
    let requests = fx.server.requests();
    let [.., label, patch] = &requests[..] else { panic!() };
    assert_eq!(
        (label.method.as_str(), label.path.clone()),
        ("POST", format!("{REPO_PATH}/pullRequests/{}/labels", pull.id))
    );
    assert_eq!(label.body, Some(json!({ "name": "ready" })));
    assert_eq!((patch.method.as_str(), patch.path.clone()), ("PATCH", format!("{REPO_PATH}/pullrequests/{}", pull.id)));
    assert_eq!(patch.body_at("/autoCompleteSetBy/id"), Some(&json!("persona-bot")));
    assert_eq!(patch.body_at("/completionOptions/mergeStrategy"), Some(&json!("squash")));
    assert_eq!(patch.body_at("/title"), Some(&json!("Add the shopping cart")));

    let reviewer = fx.client.add_reviewer(pull.id, "reviewer-2", true).await.unwrap();
    assert_eq!((reviewer.id.as_str(), reviewer.vote, reviewer.is_required), ("reviewer-2", 0, true));
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!(
        (request.method.as_str(), request.path.clone()),
        ("PUT", format!("{REPO_PATH}/pullRequests/{}/reviewers/reviewer-2", pull.id))
    );
    assert_eq!(request.body, Some(json!({ "vote": 0, "isRequired": true })));

    let thread = fx.client.create_thread(pull.id, "Looks good; one question inline.").await.unwrap();
    assert_eq!((thread.status.as_deref(), thread.comment_ids.clone()), (Some("active"), vec![1]));
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!(
        (request.method.as_str(), request.path.clone()),
        ("POST", format!("{REPO_PATH}/pullRequests/{}/threads", pull.id))
    );
    assert_eq!(request.body_at("/comments/0/content"), Some(&json!("Looks good; one question inline.")));

    fx.server.clear_requests();
    let done = fx.client.complete_pull_request(pull.id, &completion(MergeStrategy::NoFastForward)).await.unwrap();
    assert!(done.merged && done.status == PullRequestStatus::Completed, "{done:?}");
    assert!(done.merge_commit.is_some());
    let requests = fx.server.requests();
    let patch = requests.iter().find(|request| request.method == "PATCH").expect("the completion");
    assert_eq!(patch.body_at("/status"), Some(&json!("completed")));
    assert_eq!(
        patch.body_at("/lastMergeSourceCommit/commitId"),
        pull.last_merge_source_commit.as_ref().map(|commit| json!(commit)).as_ref()
    );
    assert_eq!(patch.body_at("/completionOptions/mergeStrategy"), Some(&json!("noFastForward")));
    assert_eq!(patch.body_at("/completionOptions/deleteSourceBranch"), Some(&json!(true)));
    assert_eq!(requests[0].method, "GET", "the source commit was read first");
    assert_eq!(fx.client.find_active_pull_request("feature/cart", "main").await.unwrap(), None);
}

#[tokio::test]
async fn pull_request_refusals_are_explained() {
    let fx = azure(None).await;
    let error = fx.client.create_pull_request(&new_pull("feature/x", vec![77])).await.unwrap_err();
    assert!(error.to_string().contains("Work item 77 in workItemRefs does not exist"), "{error}");
    let pull = fx.client.create_pull_request(&new_pull("feature/x", vec![])).await.unwrap();
    let error = fx.client.create_pull_request(&new_pull("feature/x", vec![])).await.unwrap_err();
    assert_eq!(error.status(), Some(409));
    assert!(error.to_string().contains("already exists"), "{error}");
    let stale =
        CompletePullRequest { last_merge_source_commit: Some("0".repeat(40)), ..completion(MergeStrategy::Squash) };
    let error = fx.client.complete_pull_request(pull.id, &stale).await.unwrap_err();
    assert_eq!(error.status(), Some(409));
    assert!(error.to_string().contains("read it again"), "{error}");
    let error = fx.client.get_pull_request(999).await.unwrap_err();
    assert!(error.to_string().contains("pull request 999 was not found"), "{error}");
}

#[tokio::test]
async fn policies_are_reported_and_a_blocking_one_stops_completion() {
    let fx = azure(None).await;
    let pull = fx.client.create_pull_request(&new_pull("feature/p", vec![])).await.unwrap();
    fx.server.set_policies(vec![
        PolicyFixture {
            policy_type: "Minimum number of reviewers".into(),
            is_blocking: true,
            status: "rejected".into(),
        },
        PolicyFixture { policy_type: "Build".into(), is_blocking: false, status: "running".into() },
    ]);
    let evaluations = fx.client.policy_evaluations(pull.id).await.unwrap();
    assert_eq!(evaluations.len(), 2);
    assert_eq!(
        (evaluations[0].policy_type.as_str(), evaluations[0].status.as_str()),
        ("Minimum number of reviewers", "rejected")
    );
    assert!(evaluations[0].blocks_completion() && !evaluations[1].blocks_completion());
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/contoso/Fabrikam%20Web/_apis/policy/evaluations")
    );
    assert_eq!(request.query_param("api-version").as_deref(), Some("7.1-preview.1"));
    assert_eq!(
        request.query_param("artifactId"),
        Some(format!("vstfs:///CodeReview/CodeReviewId/{PROJECT_ID}/{}", pull.id))
    );

    let error = fx.client.complete_pull_request(pull.id, &completion(MergeStrategy::Squash)).await.unwrap_err();
    assert!(matches!(error, ForgeError::NotMerged { .. }), "{error:?}");
    assert!(error.to_string().contains("rejectedByPolicy") && error.to_string().contains("branch policies"), "{error}");
    let bypass = CompletePullRequest {
        options: CompletionOptions { bypass_policy: true, ..completion(MergeStrategy::Squash).options },
        ..completion(MergeStrategy::Squash)
    };
    assert!(fx.client.complete_pull_request(pull.id, &bypass).await.unwrap().merged);
}

#[tokio::test]
async fn a_completion_that_stays_queued_ends_in_a_clear_error() {
    let fx = azure(None).await;
    let pull = fx.client.create_pull_request(&new_pull("feature/slow", vec![])).await.unwrap();
    fx.server.delay_completion(1_000);
    let (_dir, path) = common::token_file(common::TOKEN);
    let config = forge::AzureDevOpsConfig {
        completion_timeout: std::time::Duration::from_millis(200),
        ..common::azure_config(&fx.server, forge::TokenSource::File(path))
    };
    let client = forge::AzureDevOps::connect(config).unwrap();
    let started = std::time::Instant::now();
    let error = client.complete_pull_request(pull.id, &completion(MergeStrategy::Rebase)).await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert!(error.to_string().contains("still pending") && error.to_string().contains("mergeStatus queued"), "{error}");
}

#[tokio::test]
async fn commit_statuses_are_posted() {
    let repo = Repo::new();
    let main = repo.bare(&["rev-parse", "main"]);
    let fx = azure(Some(&repo.bare)).await;
    let status = fx
        .client
        .create_commit_status(
            &main,
            &NewGitStatus {
                state: GitStatusState::Succeeded,
                context_name: "persona-review".into(),
                context_genre: Some("persona-orchestrator".into()),
                description: Some("Approved by the reviewer persona".into()),
                target_url: Some("https://ci.example/7".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!((status.state, status.context_name.as_str()), (GitStatusState::Succeeded, "persona-review"));
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!(
        (request.method.as_str(), request.path.clone()),
        ("POST", format!("{REPO_PATH}/commits/{main}/statuses"))
    );
    assert_eq!(
        request.body,
        Some(json!({
            "state": "succeeded",
            "context": { "name": "persona-review", "genre": "persona-orchestrator" },
            "description": "Approved by the reviewer persona",
            "targetUrl": "https://ci.example/7",
        }))
    );
    let missing = NewGitStatus {
        state: "failed".parse().unwrap(),
        context_name: "x".into(),
        context_genre: None,
        description: None,
        target_url: None,
    };
    let error = fx.client.create_commit_status(&"b".repeat(40), &missing).await.unwrap_err();
    assert!(error.to_string().contains("could not be found"), "{error}");
}

#[tokio::test]
async fn completions_on_a_real_bare_repository_follow_the_merge_strategy() {
    for strategy in
        [MergeStrategy::NoFastForward, MergeStrategy::Squash, MergeStrategy::Rebase, MergeStrategy::RebaseMerge]
    {
        let repo = Repo::new();
        repo.commit("feature/cart", "cart.txt", "cart\n", "Add the cart");
        let feature_tip = repo.commit("feature/cart", "cart.txt", "cart\ntotal\n", "Add the total");
        let main_before = repo.commit("main", "CHANGELOG.md", "next\n", "Start the changelog");
        let fx = azure(Some(&repo.bare)).await;
        let pull = fx.client.create_pull_request(&new_pull("feature/cart", vec![])).await.unwrap();
        assert_eq!(pull.last_merge_source_commit.as_deref(), Some(feature_tip.as_str()));
        let done = fx.client.complete_pull_request(pull.id, &completion(strategy)).await.unwrap();
        let main_after = repo.bare(&["rev-parse", "main"]);
        assert_eq!(done.merge_commit.as_deref(), Some(main_after.as_str()), "{strategy}");
        assert_eq!(repo.bare(&["show", "main:cart.txt"]), "cart\ntotal", "{strategy}");
        assert!(!repo.has_branch("feature/cart"), "{strategy}: deleteSourceBranch removed the source");
        let subjects = repo.main_subjects();
        match strategy {
            MergeStrategy::NoFastForward => {
                assert_eq!(repo.parents("main"), [main_before, feature_tip]);
                assert_eq!(subjects[0], format!("Merged PR {}: Add the cart", pull.id));
            }
            MergeStrategy::Squash => {
                assert_eq!(repo.parents("main"), [main_before]);
                assert_eq!(
                    subjects[..2],
                    [format!("Merged PR {}: Add the cart", pull.id), "Start the changelog".into()]
                );
            }
            MergeStrategy::Rebase => {
                assert_eq!(repo.parents("main").len(), 1);
                assert_eq!(subjects[..3], ["Add the total", "Add the cart", "Start the changelog"]);
            }
            MergeStrategy::RebaseMerge => {
                let parents = repo.parents("main");
                assert_eq!((parents.len(), parents[0].as_str()), (2, main_before.as_str()));
                assert_ne!(parents[1], feature_tip, "the second parent is the rebased source");
                assert_eq!(repo.bare(&["log", "--format=%s", "-1", &parents[1]]), "Add the total");
            }
        }
    }
}

#[tokio::test]
async fn a_conflicting_completion_is_not_merged_and_a_missing_branch_is_refused() {
    let repo = Repo::new();
    repo.commit("feature/readme", "README.md", "shop, by feature\n", "Reword the readme");
    let main_before = repo.commit("main", "README.md", "shop, by main\n", "Reword it differently");
    let fx = azure(Some(&repo.bare)).await;
    let error = fx.client.create_pull_request(&new_pull("feature/none", vec![])).await.unwrap_err();
    assert!(error.to_string().contains("'refs/heads/feature/none' does not exist"), "{error}");
    let pull = fx.client.create_pull_request(&new_pull("feature/readme", vec![])).await.unwrap();
    let error = fx.client.complete_pull_request(pull.id, &completion(MergeStrategy::NoFastForward)).await.unwrap_err();
    assert!(
        error.to_string().contains("mergeStatus conflicts") && error.to_string().contains("resolve the conflicts"),
        "{error}"
    );
    assert_eq!(repo.bare(&["rev-parse", "main"]), main_before);
    assert!(repo.has_branch("feature/readme"), "nothing was deleted");
}
