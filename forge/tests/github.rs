//! The GitHub client against the GitHub stand-in: each operation's result and the request the
//! server recorded; refusals; real merges in a bare repository.

mod common;

use common::{Repo, github};
use forge::ForgeError;
use forge::github::{
    CheckConclusion, CheckOutput, CheckRunUpdate, CheckStatus, IssueState, IssueUpdate, MergeMethod, MergeOptions,
    NewCheckRun, NewCommitStatus, NewIssue, NewPullRequest, NewReview, PullRequestUpdate, ReviewEvent, StatusState,
};
use forge::testing::RecordedRequest;
use serde_json::json;

fn last(requests: &[RecordedRequest]) -> &RecordedRequest {
    requests.last().expect("a request was recorded")
}

fn assert_github_headers(request: &RecordedRequest) {
    assert_eq!(request.headers.get("accept").map(String::as_str), Some("application/vnd.github+json"));
    assert_eq!(request.headers.get("x-github-api-version").map(String::as_str), Some("2022-11-28"));
    assert!(request.headers.contains_key("user-agent"));
    assert!(!request.headers.contains_key("authorization"), "the recording leaves the token out");
}

fn new_pull(head: &str) -> NewPullRequest {
    NewPullRequest {
        title: "Add widgets".into(),
        head: head.into(),
        base: "main".into(),
        body: Some("Adds the widget list.".into()),
        ..NewPullRequest::default()
    }
}

#[tokio::test]
async fn issues_are_created_updated_closed_commented_and_labelled() {
    let fx = github(None).await;
    let issue = fx
        .client
        .create_issue(&NewIssue {
            title: "Flaky test".into(),
            body: Some("It fails one run in ten.".into()),
            labels: vec!["bug".into()],
            assignees: vec!["ana".into()],
        })
        .await
        .unwrap();
    assert_eq!((issue.number, issue.state, issue.labels.clone()), (1, IssueState::Open, vec!["bug".to_owned()]));
    assert!(issue.url.ends_with("/acme/widgets/issues/1"), "{}", issue.url);
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/repos/acme/widgets/issues"));
    assert_eq!(request.content_type(), Some("application/json"));
    assert_github_headers(request);
    assert_eq!(
        request.body,
        Some(
            json!({ "title": "Flaky test", "body": "It fails one run in ten.", "labels": ["bug"], "assignees": ["ana"] })
        )
    );

    let update = IssueUpdate { title: Some("Flaky login test".into()), labels: Some(vec![]), ..IssueUpdate::default() };
    let issue = fx.client.update_issue(1, &update).await.unwrap();
    assert_eq!((issue.title.as_str(), issue.labels.len()), ("Flaky login test", 0));
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!((request.method.as_str(), request.path.as_str()), ("PATCH", "/repos/acme/widgets/issues/1"));
    assert_eq!(request.body, Some(json!({ "title": "Flaky login test", "labels": [] })));

    let closed = fx.client.set_issue_state(1, IssueState::Closed).await.unwrap();
    assert_eq!(closed.state, IssueState::Closed);
    assert_eq!(last(&fx.server.requests()).body, Some(json!({ "state": "closed" })));
    let reopened = fx.client.set_issue_state(1, "open".parse().unwrap()).await.unwrap();
    assert_eq!(reopened.state, IssueState::Open);

    let comment = fx.client.comment(1, "Seen again on main.").await.unwrap();
    assert_eq!(comment.body, "Seen again on main.");
    assert!(comment.url.contains("/acme/widgets/issues/1#issuecomment-"), "{}", comment.url);
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/repos/acme/widgets/issues/1/comments"));
    assert_eq!(request.body, Some(json!({ "body": "Seen again on main." })));

    let labels = fx.client.set_labels(1, &["triaged".into(), "ci".into()]).await.unwrap();
    assert_eq!(labels, ["triaged", "ci"]);
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!((request.method.as_str(), request.path.as_str()), ("PUT", "/repos/acme/widgets/issues/1/labels"));
    assert_eq!(request.body, Some(json!({ "labels": ["triaged", "ci"] })));
}

#[tokio::test]
async fn a_pull_request_is_created_with_reviewers_found_updated_reviewed_and_merged() {
    let fx = github(None).await;
    let new =
        NewPullRequest { reviewers: vec!["ana".into(), "bo".into()], draft: false, ..new_pull("feature/widgets") };
    let pull = fx.client.create_pull_request(&new).await.unwrap();
    assert_eq!((pull.number, pull.state, pull.merged, pull.merge_commit.clone()), (1, IssueState::Open, false, None));
    assert_eq!(pull.requested_reviewers, ["ana", "bo"]);
    assert_eq!((pull.head_ref.as_str(), pull.base_ref.as_str()), ("feature/widgets", "main"));
    assert!(pull.url.ends_with("/acme/widgets/pull/1"), "{}", pull.url);
    let requests = fx.server.requests();
    let [create, reviewers] = &requests[..] else { panic!("two requests expected: {requests:#?}") };
    assert_eq!((create.method.as_str(), create.path.as_str()), ("POST", "/repos/acme/widgets/pulls"));
    assert_eq!(
        create.body,
        Some(
            json!({ "title": "Add widgets", "head": "feature/widgets", "base": "main", "draft": false, "body": "Adds the widget list." })
        )
    );
    assert_eq!(
        (reviewers.method.as_str(), reviewers.path.as_str()),
        ("POST", "/repos/acme/widgets/pulls/1/requested_reviewers")
    );
    assert_eq!(reviewers.body, Some(json!({ "reviewers": ["ana", "bo"], "team_reviewers": [] })));

    let found = fx.client.find_open_pull_request("feature/widgets", "main").await.unwrap().expect("the open PR");
    assert_eq!(found.number, 1);
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!((request.method.as_str(), request.path.as_str()), ("GET", "/repos/acme/widgets/pulls"));
    assert_eq!(request.query_param("head").as_deref(), Some("acme:feature/widgets"));
    assert_eq!(request.query_param("base").as_deref(), Some("main"));
    assert_eq!(request.query_param("state").as_deref(), Some("open"));
    assert_eq!(fx.client.find_open_pull_request("feature/other", "main").await.unwrap(), None);

    let update = PullRequestUpdate {
        title: Some("Add the widget list".into()),
        body: None,
        labels: Some(vec!["persona".into()]),
    };
    let updated = fx.client.update_pull_request(1, &update).await.unwrap();
    assert_eq!((updated.title.as_str(), updated.labels.clone()), ("Add the widget list", vec!["persona".to_owned()]));
    let requests = fx.server.requests();
    let [.., labels, patch] = &requests[..] else { panic!() };
    assert_eq!((labels.method.as_str(), labels.path.as_str()), ("PUT", "/repos/acme/widgets/issues/1/labels"));
    assert_eq!((patch.method.as_str(), patch.path.as_str()), ("PATCH", "/repos/acme/widgets/pulls/1"));
    assert_eq!(patch.body, Some(json!({ "title": "Add the widget list" })));

    let review = fx
        .client
        .review(1, &NewReview { event: ReviewEvent::RequestChanges, body: Some("Please add tests.".into()) })
        .await
        .unwrap();
    assert_eq!(review.state, "CHANGES_REQUESTED");
    assert_eq!(
        last(&fx.server.requests()).body,
        Some(json!({ "event": "REQUEST_CHANGES", "body": "Please add tests." }))
    );
    let review = fx.client.review(1, &NewReview { event: "APPROVE".parse().unwrap(), body: None }).await.unwrap();
    assert_eq!(review.state, "APPROVED");
    assert_eq!(last(&fx.server.requests()).path, "/repos/acme/widgets/pulls/1/reviews");

    let comment = fx.client.comment(1, "Merging after review.").await.unwrap();
    assert!(comment.url.contains("/pull/1#issuecomment-"), "{}", comment.url);

    let options =
        MergeOptions { merge_method: MergeMethod::Squash, sha: Some(pull.head_sha.clone()), ..MergeOptions::default() };
    let merged = fx.client.merge_pull_request(1, &options).await.unwrap();
    assert!(merged.merged);
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!((request.method.as_str(), request.path.as_str()), ("PUT", "/repos/acme/widgets/pulls/1/merge"));
    assert_eq!(request.body, Some(json!({ "merge_method": "squash", "sha": pull.head_sha })));
    let after = fx.client.get_pull_request(1).await.unwrap();
    assert_eq!((after.state, after.merged, after.merge_commit), (IssueState::Closed, true, Some(merged.sha)));
    assert_eq!(fx.client.find_open_pull_request("feature/widgets", "main").await.unwrap(), None);
}

#[tokio::test]
async fn commit_statuses_and_check_runs_are_created_and_updated() {
    let fx = github(None).await;
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let status = fx
        .client
        .create_commit_status(
            sha,
            &NewCommitStatus {
                state: StatusState::Pending,
                context: Some("persona/review".into()),
                description: Some("Reviewing".into()),
                target_url: Some("https://ci.example/run/7".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!((status.state, status.context.as_str()), (StatusState::Pending, "persona/review"));
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", format!("/repos/acme/widgets/statuses/{sha}").as_str())
    );
    assert_eq!(
        request.body,
        Some(
            json!({ "state": "pending", "context": "persona/review", "description": "Reviewing", "target_url": "https://ci.example/run/7" })
        )
    );

    let run = fx
        .client
        .create_check_run(&NewCheckRun {
            name: "persona-lint".into(),
            head_sha: sha.into(),
            status: Some(CheckStatus::InProgress),
            conclusion: None,
            details_url: None,
            external_id: Some("job-9".into()),
            output: None,
        })
        .await
        .unwrap();
    assert_eq!((run.status, run.conclusion, run.head_sha.as_str()), (CheckStatus::InProgress, None, sha));
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/repos/acme/widgets/check-runs"));
    assert_eq!(
        request.body,
        Some(json!({ "name": "persona-lint", "head_sha": sha, "status": "in_progress", "external_id": "job-9" }))
    );

    let output = CheckOutput { title: "Lint".into(), summary: "No findings".into(), text: None };
    let update = CheckRunUpdate {
        conclusion: Some(CheckConclusion::Success),
        output: Some(output),
        ..CheckRunUpdate::default()
    };
    let done = fx.client.update_check_run(run.id, &update).await.unwrap();
    assert_eq!((done.status, done.conclusion), (CheckStatus::Completed, Some(CheckConclusion::Success)));
    let requests = fx.server.requests();
    let request = last(&requests);
    assert_eq!(
        (request.method.as_str(), request.path.clone()),
        ("PATCH", format!("/repos/acme/widgets/check-runs/{}", run.id))
    );
    assert_eq!(
        request.body,
        Some(json!({ "conclusion": "success", "output": { "title": "Lint", "summary": "No findings" } }))
    );
}

#[tokio::test]
async fn refusals_name_the_operation_the_message_and_what_to_do() {
    let fx = github(None).await;
    fx.client.create_pull_request(&new_pull("feature/a")).await.unwrap();
    let error = fx.client.create_pull_request(&new_pull("feature/a")).await.unwrap_err();
    assert_eq!(error.status(), Some(422));
    let text = error.to_string();
    assert!(
        text.contains("create pull request feature/a -> main")
            && text.contains("A pull request already exists for acme:feature/a")
            && text.contains("fix the inputs"),
        "{text}"
    );

    let error = fx.client.get_pull_request(99).await.unwrap_err();
    assert!(matches!(error, ForgeError::Api { status: 404, .. }), "{error:?}");
    assert!(error.to_string().contains("may see"), "{error}");

    let stale = MergeOptions { sha: Some("f".repeat(40)), ..MergeOptions::default() };
    let error = fx.client.merge_pull_request(1, &stale).await.unwrap_err();
    assert_eq!(error.status(), Some(409));
    assert!(error.to_string().contains("Head branch was modified"), "{error}");
    fx.client.merge_pull_request(1, &MergeOptions::default()).await.unwrap();
    let error = fx.client.merge_pull_request(1, &MergeOptions::default()).await.unwrap_err();
    assert_eq!(error.status(), Some(405));
    assert!(error.to_string().contains("not mergeable"), "{error}");
}

#[tokio::test]
async fn bad_inputs_are_refused_before_any_request() {
    let fx = github(None).await;
    let error = fx.client.create_issue(&NewIssue::default()).await.unwrap_err();
    assert!(
        matches!(&error, ForgeError::InvalidInput { message, .. } if message.contains("title is empty")),
        "{error:?}"
    );
    let error = fx.client.create_pull_request(&new_pull(" ")).await.unwrap_err();
    assert!(error.to_string().contains("head branch is empty"), "{error}");
    let error = fx.client.review(1, &NewReview { event: ReviewEvent::Comment, body: None }).await.unwrap_err();
    assert!(error.to_string().contains("review body is empty"), "{error}");
    let error = fx.client.comment(1, "").await.unwrap_err();
    assert!(error.to_string().contains("comment body is empty"), "{error}");
    let error = "fast-forward".parse::<MergeMethod>().unwrap_err();
    assert!(error.to_string().contains("merge method") && error.to_string().contains("squash"), "{error}");
    assert!(fx.server.requests().is_empty(), "{:#?}", fx.server.requests());
}

#[tokio::test]
async fn another_repository_is_not_found_and_a_bad_base_url_is_refused() {
    let fx = github(None).await;
    let (_dir, path) = common::token_file(common::TOKEN);
    let config = forge::GitHubConfig {
        repo: "gadgets".into(),
        ..common::github_config(&fx.server, forge::TokenSource::File(path))
    };
    let error = forge::GitHub::connect(config.clone()).unwrap().get_pull_request(1).await.unwrap_err();
    assert!(error.to_string().contains("get pull request #1 in acme/gadgets"), "{error}");
    assert_eq!(error.status(), Some(404));
    let error = forge::GitHub::connect(forge::GitHubConfig { base_url: "not a url".into(), ..config }).unwrap_err();
    assert!(error.to_string().contains("base URL 'not a url' is not a URL"), "{error}");
}

/// A bare repository whose `main` moved on after `feature` branched, so no merge is a fast-forward.
fn diverged_repo() -> (Repo, String) {
    let repo = Repo::new();
    repo.commit("feature", "widgets.txt", "one\n", "Add widget one");
    let feature_tip = repo.commit("feature", "widgets.txt", "one\ntwo\n", "Add widget two");
    repo.commit("main", "CHANGELOG.md", "next\n", "Start the changelog");
    (repo, feature_tip)
}

#[tokio::test]
async fn merges_on_a_real_bare_repository_follow_the_merge_method() {
    for method in [MergeMethod::Merge, MergeMethod::Squash, MergeMethod::Rebase] {
        let (repo, feature_tip) = diverged_repo();
        let main_before = repo.bare(&["rev-parse", "main"]);
        let fx = github(Some(&repo.bare)).await;
        let pull = fx.client.create_pull_request(&new_pull("feature")).await.unwrap();
        assert_eq!(pull.head_sha, feature_tip, "the PR's head is the branch tip");
        let options = MergeOptions { merge_method: method, sha: Some(feature_tip.clone()), ..MergeOptions::default() };
        let result = fx.client.merge_pull_request(pull.number, &options).await.unwrap();
        let main_after = repo.bare(&["rev-parse", "main"]);
        assert_eq!(result.sha, main_after, "{method}: the reported sha is main's new tip");
        assert_eq!(fx.client.get_pull_request(pull.number).await.unwrap().merge_commit, Some(main_after.clone()));
        assert_eq!(repo.bare(&["show", "main:widgets.txt"]), "one\ntwo", "{method}: the change is on main");
        assert_eq!(repo.bare(&["show", "main:CHANGELOG.md"]), "next", "{method}: main's own change is kept");
        let subjects = repo.main_subjects();
        match method {
            MergeMethod::Merge => {
                assert_eq!(repo.parents("main"), [main_before, feature_tip]);
                assert_eq!(subjects[0], "Merge pull request #1 from acme/feature");
            }
            MergeMethod::Squash => {
                assert_eq!(repo.parents("main"), [main_before]);
                assert_eq!(subjects[0], "Add widgets (#1)");
                assert!(!subjects.contains(&"Add widget one".to_owned()), "{subjects:?}");
            }
            MergeMethod::Rebase => {
                assert_eq!(repo.parents("main").len(), 1, "no merge commit");
                assert_eq!(subjects[..3], ["Add widget two", "Add widget one", "Start the changelog"]);
                assert_ne!(main_after, feature_tip, "the commits were replayed onto main");
            }
        }
    }
}

#[tokio::test]
async fn a_conflicting_or_missing_branch_is_refused_by_the_git_backed_server() {
    let repo = Repo::new();
    repo.commit("feature", "README.md", "widgets, by feature\n", "Reword the readme");
    repo.commit("main", "README.md", "widgets, by main\n", "Reword the readme differently");
    let main_before = repo.bare(&["rev-parse", "main"]);
    let fx = github(Some(&repo.bare)).await;
    let error = fx.client.create_pull_request(&new_pull("no-such-branch")).await.unwrap_err();
    assert_eq!(error.status(), Some(422));
    assert!(error.to_string().contains("field=head"), "{error}");
    let pull = fx.client.create_pull_request(&new_pull("feature")).await.unwrap();
    let error = fx.client.merge_pull_request(pull.number, &MergeOptions::default()).await.unwrap_err();
    assert_eq!(error.status(), Some(405));
    assert!(error.to_string().contains("conflicts"), "the hint names conflicts: {error}");
    assert_eq!(repo.bare(&["rev-parse", "main"]), main_before, "main is untouched");
    let status = NewCommitStatus { state: StatusState::Success, context: None, description: None, target_url: None };
    let error = fx.client.create_commit_status(&"a".repeat(40), &status).await.unwrap_err();
    assert!(error.to_string().contains("No commit found for SHA"), "{error}");
    fx.client.create_commit_status(&main_before, &status).await.unwrap();
}
