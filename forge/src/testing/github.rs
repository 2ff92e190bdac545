//! [`GitHubServer`]: the GitHub REST v3 endpoints the client calls, for one repository, with
//! state in memory and, optionally, a real bare git repository behind pull requests.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{patch, post, put};
use serde_json::{Value, json};

use super::gate::{
    ExpectedAuth, Gate, InjectedFailure, RecordedRequest, Running, encoded_path, json_response, lock, parse_body,
};
use super::git::{BareRepo, MergeFailure, Strategy};

/// What a [`GitHubServer`] serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubServerConfig {
    /// The repository's owner in paths.
    pub owner: String,
    /// The repository's name in paths.
    pub repo: String,
    /// The token requests must carry.
    pub token: String,
    /// A bare git repository whose branches pull requests use and merges change; `None` makes
    /// up commit ids and merges nothing.
    pub git: Option<PathBuf>,
}

/// A local GitHub stand-in; see [the module](super). Dropping it stops it.
pub struct GitHubServer {
    _running: Running,
    base_url: String,
    gate: Arc<Gate>,
    shared: Arc<Shared>,
}

struct Shared {
    owner: String,
    repo: String,
    base_url: String,
    git: Option<BareRepo>,
    state: Mutex<RepoState>,
}

#[derive(Default)]
struct RepoState {
    last_number: u64,
    last_id: u64,
    issues: BTreeMap<u64, Issue>,
    pulls: BTreeMap<u64, Pull>,
    check_runs: BTreeMap<u64, Value>,
}

impl RepoState {
    fn next_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }

    fn next_number(&mut self) -> u64 {
        self.last_number += 1;
        self.last_number
    }
}

/// An issue; a pull request is an issue too (title, body, state and labels live here).
struct Issue {
    id: u64,
    title: String,
    body: Option<String>,
    state: String,
    state_reason: Option<String>,
    labels: Vec<String>,
    assignees: Vec<String>,
}

struct Pull {
    id: u64,
    head: String,
    base: String,
    head_sha: String,
    draft: bool,
    merged: bool,
    merge_commit_sha: Option<String>,
    requested_reviewers: Vec<String>,
}

type Reply = Result<Response, Response>;

impl GitHubServer {
    /// Starts the server on `127.0.0.1` with a free port.
    pub async fn start(config: GitHubServerConfig) -> std::io::Result<Self> {
        let (listener, base_url) = Running::bind().await?;
        let gate = Arc::new(Gate::new(ExpectedAuth::Bearer(config.token), error_body("Bad credentials"), error_body));
        let shared = Arc::new(Shared {
            owner: config.owner.clone(),
            repo: config.repo.clone(),
            base_url: base_url.clone(),
            git: config.git.map(BareRepo::new),
            state: Mutex::default(),
        });
        let repository = Router::new()
            .route("/issues", post(create_issue))
            .route("/issues/{number}", patch(update_issue))
            .route("/issues/{number}/comments", post(create_comment))
            .route("/issues/{number}/labels", put(set_labels))
            .route("/pulls", post(create_pull).get(list_pulls))
            .route("/pulls/{number}", patch(update_pull).get(get_pull))
            .route("/pulls/{number}/requested_reviewers", post(request_reviewers))
            .route("/pulls/{number}/reviews", post(create_review))
            .route("/pulls/{number}/merge", put(merge_pull))
            .route("/statuses/{sha}", post(create_status))
            .route("/check-runs", post(create_check_run))
            .route("/check-runs/{id}", patch(update_check_run));
        let router = Router::new()
            .nest(&encoded_path(&["repos", &config.owner, &config.repo]), repository)
            .fallback(|| async { json_response(StatusCode::NOT_FOUND, error_body("Not Found")) })
            .with_state(Arc::clone(&shared));
        let running = Running::serve(listener, router, Arc::clone(&gate))?;
        Ok(Self { _running: running, base_url, gate, shared })
    }

    /// `http://127.0.0.1:PORT`, the API root to configure the client with.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.gate.requests()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.gate.clear_requests();
    }

    /// Answers the next `count` requests with `failure` instead.
    pub fn fail_next(&self, count: usize, failure: InjectedFailure) {
        self.gate.fail_next(count, failure);
    }

    /// The pull request as `GET …/pulls/{number}` would answer, if it exists.
    pub async fn pull_request(&self, number: u64) -> Option<Value> {
        self.shared.pull_json(number).await
    }
}

/// GitHub's error body.
fn error_body(message: &str) -> Value {
    json!({ "message": message, "documentation_url": "https://docs.github.com/rest" })
}

fn fail(status: StatusCode, message: &str) -> Response {
    json_response(status, error_body(message))
}

/// A 422 "Validation Failed" with one error entry.
fn invalid(resource: &str, field: &str, code: &str, message: Option<&str>) -> Response {
    let mut detail = json!({ "resource": resource, "field": field, "code": code });
    if let Some(message) = message {
        detail["message"] = json!(message);
    }
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "message": "Validation Failed", "errors": [detail], "documentation_url": "https://docs.github.com/rest" }),
    )
}

fn body_of(bytes: &Bytes) -> Result<Value, Response> {
    parse_body(bytes, |message| fail(StatusCode::BAD_REQUEST, message))
}

fn text(body: &Value, field: &str) -> Option<String> {
    body.get(field).and_then(Value::as_str).map(str::to_owned)
}

fn texts(body: &Value, field: &str) -> Option<Vec<String>> {
    body.get(field)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
}

impl Shared {
    fn issue_json(&self, number: u64, issue: &Issue, is_pull: bool) -> Value {
        let mut json = json!({
            "id": issue.id,
            "number": number,
            "url": format!("{}/repos/{}/{}/issues/{number}", self.base_url, self.owner, self.repo),
            "html_url": format!("{}/{}/{}/{}/{number}", self.base_url, self.owner, self.repo, if is_pull { "pull" } else { "issues" }),
            "title": issue.title,
            "body": issue.body,
            "state": issue.state,
            "state_reason": issue.state_reason,
            "labels": labels_json(&issue.labels),
            "assignees": issue.assignees.iter().map(|login| json!({ "login": login })).collect::<Vec<_>>(),
        });
        if is_pull {
            json["pull_request"] =
                json!({ "url": format!("{}/repos/{}/{}/pulls/{number}", self.base_url, self.owner, self.repo) });
        }
        json
    }

    /// The current head commit: the branch tip when git-backed (a pull request follows its
    /// branch), else the one made up at creation.
    async fn head_sha(&self, pull_head: &str, recorded: &str) -> String {
        match &self.git {
            Some(git) => git.tip(pull_head).await.unwrap_or_else(|| recorded.to_owned()),
            None => recorded.to_owned(),
        }
    }

    async fn pull_json(&self, number: u64) -> Option<Value> {
        let (head, base, recorded_sha, merged) = {
            let state = lock(&self.state);
            let pull = state.pulls.get(&number)?;
            (pull.head.clone(), pull.base.clone(), pull.head_sha.clone(), pull.merged)
        };
        let head_sha = if merged { recorded_sha } else { self.head_sha(&head, &recorded_sha).await };
        let base_sha = match &self.git {
            Some(git) => git.tip(&base).await.unwrap_or_default(),
            None => format!("{:040x}", 0),
        };
        let state = lock(&self.state);
        let (pull, issue) = (state.pulls.get(&number)?, state.issues.get(&number)?);
        Some(json!({
            "id": pull.id,
            "number": number,
            "url": format!("{}/repos/{}/{}/pulls/{number}", self.base_url, self.owner, self.repo),
            "html_url": format!("{}/{}/{}/pull/{number}", self.base_url, self.owner, self.repo),
            "state": issue.state,
            "title": issue.title,
            "body": issue.body,
            "draft": pull.draft,
            "labels": labels_json(&issue.labels),
            "head": { "ref": pull.head, "sha": head_sha, "label": format!("{}:{}", self.owner, pull.head) },
            "base": { "ref": pull.base, "sha": base_sha, "label": format!("{}:{}", self.owner, pull.base) },
            "merged": pull.merged,
            "merged_at": pull.merged.then(|| chrono::Utc::now().to_rfc3339()),
            "merge_commit_sha": pull.merge_commit_sha,
            "requested_reviewers": pull.requested_reviewers.iter().map(|login| json!({ "login": login })).collect::<Vec<_>>(),
        }))
    }

    async fn pull_reply(&self, number: u64, status: StatusCode) -> Reply {
        self.pull_json(number).await.map(|json| json_response(status, json)).ok_or_else(not_found)
    }
}

fn labels_json(labels: &[String]) -> Vec<Value> {
    labels.iter().enumerate().map(|(index, name)| json!({ "id": index + 1, "name": name, "color": "ededed" })).collect()
}

fn not_found() -> Response {
    fail(StatusCode::NOT_FOUND, "Not Found")
}

async fn create_issue(State(shared): State<Arc<Shared>>, bytes: Bytes) -> Reply {
    let body = body_of(&bytes)?;
    let title = text(&body, "title").filter(|title| !title.trim().is_empty());
    let Some(title) = title else { return Err(invalid("Issue", "title", "missing_field", None)) };
    let mut state = lock(&shared.state);
    let (id, number) = (state.next_id(), state.next_number());
    let issue = Issue {
        id,
        title,
        body: text(&body, "body"),
        state: "open".into(),
        state_reason: None,
        labels: texts(&body, "labels").unwrap_or_default(),
        assignees: texts(&body, "assignees").unwrap_or_default(),
    };
    let json = shared.issue_json(number, &issue, false);
    state.issues.insert(number, issue);
    Ok(json_response(StatusCode::CREATED, json))
}

async fn update_issue(State(shared): State<Arc<Shared>>, Path(number): Path<u64>, bytes: Bytes) -> Reply {
    let body = body_of(&bytes)?;
    let mut state = lock(&shared.state);
    let is_pull = state.pulls.contains_key(&number);
    let issue = state.issues.get_mut(&number).ok_or_else(not_found)?;
    if let Some(new_state) = text(&body, "state") {
        if new_state != "open" && new_state != "closed" {
            return Err(invalid("Issue", "state", "invalid", None));
        }
        issue.state = new_state;
    }
    issue.title = text(&body, "title").unwrap_or_else(|| issue.title.clone());
    if let Some(text) = text(&body, "body") {
        issue.body = Some(text);
    }
    if let Some(reason) = text(&body, "state_reason") {
        issue.state_reason = Some(reason);
    }
    if let Some(labels) = texts(&body, "labels") {
        issue.labels = labels;
    }
    if let Some(assignees) = texts(&body, "assignees") {
        issue.assignees = assignees;
    }
    Ok(json_response(StatusCode::OK, shared.issue_json(number, issue, is_pull)))
}

async fn create_comment(State(shared): State<Arc<Shared>>, Path(number): Path<u64>, bytes: Bytes) -> Reply {
    let body = body_of(&bytes)?;
    let Some(comment) = text(&body, "body").filter(|text| !text.trim().is_empty()) else {
        return Err(invalid("IssueComment", "body", "missing_field", None));
    };
    let mut state = lock(&shared.state);
    if !state.issues.contains_key(&number) {
        return Err(not_found());
    }
    let id = state.next_id();
    let kind = if state.pulls.contains_key(&number) { "pull" } else { "issues" };
    Ok(json_response(
        StatusCode::CREATED,
        json!({
            "id": id,
            "body": comment,
            "html_url": format!("{}/{}/{}/{kind}/{number}#issuecomment-{id}", shared.base_url, shared.owner, shared.repo),
            "user": { "login": "stand-in-bot" },
        }),
    ))
}

async fn set_labels(State(shared): State<Arc<Shared>>, Path(number): Path<u64>, bytes: Bytes) -> Reply {
    let body = body_of(&bytes)?;
    let Some(labels) = texts(&body, "labels") else { return Err(invalid("Label", "labels", "missing_field", None)) };
    let mut state = lock(&shared.state);
    let issue = state.issues.get_mut(&number).ok_or_else(not_found)?;
    issue.labels = labels;
    Ok(json_response(StatusCode::OK, Value::Array(labels_json(&issue.labels))))
}

async fn create_pull(State(shared): State<Arc<Shared>>, bytes: Bytes) -> Reply {
    let body = body_of(&bytes)?;
    let field = |name: &str| text(&body, name).filter(|value| !value.trim().is_empty());
    let (Some(title), Some(head), Some(base)) = (field("title"), field("head"), field("base")) else {
        let missing = ["title", "head", "base"].into_iter().find(|name| field(name).is_none()).unwrap_or("title");
        return Err(invalid("PullRequest", missing, "missing_field", None));
    };
    let head_branch = head.split_once(':').map_or(head.as_str(), |(_, branch)| branch).to_owned();
    let head_sha = match &shared.git {
        Some(git) => {
            let Some(sha) = git.tip(&head_branch).await else {
                return Err(invalid("PullRequest", "head", "invalid", None));
            };
            if git.tip(&base).await.is_none() {
                return Err(invalid("PullRequest", "base", "invalid", None));
            }
            sha
        }
        None => format!("{:040x}", lock(&shared.state).last_id + 1),
    };
    let number = {
        let mut state = lock(&shared.state);
        let duplicate = state.pulls.iter().any(|(number, pull)| {
            pull.head == head_branch && pull.base == base && state.issues[number].state == "open"
        });
        if duplicate {
            let message = format!("A pull request already exists for {}:{head_branch}.", shared.owner);
            return Err(invalid("PullRequest", "head", "custom", Some(&message)));
        }
        let (id, number) = (state.next_id(), state.next_number());
        let issue = Issue {
            id,
            title,
            body: text(&body, "body"),
            state: "open".into(),
            state_reason: None,
            labels: Vec::new(),
            assignees: Vec::new(),
        };
        state.issues.insert(number, issue);
        let pull = Pull {
            id,
            head: head_branch,
            base,
            head_sha,
            draft: body.get("draft").and_then(Value::as_bool).unwrap_or(false),
            merged: false,
            merge_commit_sha: None,
            requested_reviewers: Vec::new(),
        };
        state.pulls.insert(number, pull);
        number
    };
    shared.pull_reply(number, StatusCode::CREATED).await
}

#[derive(serde::Deserialize)]
struct PullFilter {
    state: Option<String>,
    head: Option<String>,
    base: Option<String>,
}

async fn list_pulls(State(shared): State<Arc<Shared>>, Query(filter): Query<PullFilter>) -> Reply {
    let wanted_state = filter.state.unwrap_or_else(|| "open".into());
    let numbers: Vec<u64> = {
        let state = lock(&shared.state);
        state
            .pulls
            .iter()
            .filter(|(number, pull)| {
                let issue_state = &state.issues[*number].state;
                (wanted_state == "all" || *issue_state == wanted_state)
                    && filter.head.as_ref().is_none_or(|head| *head == format!("{}:{}", shared.owner, pull.head))
                    && filter.base.as_ref().is_none_or(|base| *base == pull.base)
            })
            .map(|(number, _)| *number)
            .collect()
    };
    let mut list = Vec::new();
    for number in numbers {
        if let Some(mut json) = shared.pull_json(number).await {
            // List answers carry no `merged` flag (only `merged_at`), as on GitHub.
            if let Some(object) = json.as_object_mut() {
                object.remove("merged");
            }
            list.push(json);
        }
    }
    Ok(json_response(StatusCode::OK, Value::Array(list)))
}

async fn get_pull(State(shared): State<Arc<Shared>>, Path(number): Path<u64>) -> Reply {
    shared.pull_reply(number, StatusCode::OK).await
}

async fn update_pull(State(shared): State<Arc<Shared>>, Path(number): Path<u64>, bytes: Bytes) -> Reply {
    let body = body_of(&bytes)?;
    {
        let mut state = lock(&shared.state);
        if !state.pulls.contains_key(&number) {
            return Err(not_found());
        }
        let issue = state.issues.get_mut(&number).ok_or_else(not_found)?;
        issue.title = text(&body, "title").unwrap_or_else(|| issue.title.clone());
        if let Some(text) = text(&body, "body") {
            issue.body = Some(text);
        }
        if let Some(new_state) = text(&body, "state") {
            issue.state = new_state;
        }
    }
    shared.pull_reply(number, StatusCode::OK).await
}

async fn request_reviewers(State(shared): State<Arc<Shared>>, Path(number): Path<u64>, bytes: Bytes) -> Reply {
    let body = body_of(&bytes)?;
    let reviewers = texts(&body, "reviewers").unwrap_or_default();
    let teams = texts(&body, "team_reviewers").unwrap_or_default();
    if reviewers.is_empty() && teams.is_empty() {
        return Err(invalid("PullRequest", "reviewers", "missing_field", None));
    }
    {
        let mut state = lock(&shared.state);
        let pull = state.pulls.get_mut(&number).ok_or_else(not_found)?;
        pull.requested_reviewers.extend(reviewers);
    }
    shared.pull_reply(number, StatusCode::CREATED).await
}

async fn create_review(State(shared): State<Arc<Shared>>, Path(number): Path<u64>, bytes: Bytes) -> Reply {
    let body = body_of(&bytes)?;
    let event = text(&body, "event").unwrap_or_default();
    let review_state = match event.as_str() {
        "APPROVE" => "APPROVED",
        "REQUEST_CHANGES" => "CHANGES_REQUESTED",
        "COMMENT" => "COMMENTED",
        _ => return Err(invalid("PullRequestReview", "event", "invalid", None)),
    };
    let review_body = text(&body, "body").unwrap_or_default();
    if event != "APPROVE" && review_body.trim().is_empty() {
        return Err(invalid("PullRequestReview", "body", "missing_field", None));
    }
    let mut state = lock(&shared.state);
    let commit_id = state.pulls.get(&number).ok_or_else(not_found)?.head_sha.clone();
    let id = state.next_id();
    Ok(json_response(
        StatusCode::OK,
        json!({
            "id": id,
            "user": { "login": "stand-in-bot" },
            "body": review_body,
            "state": review_state,
            "commit_id": commit_id,
            "html_url": format!("{}/{}/{}/pull/{number}#pullrequestreview-{id}", shared.base_url, shared.owner, shared.repo),
        }),
    ))
}

async fn merge_pull(State(shared): State<Arc<Shared>>, Path(number): Path<u64>, bytes: Bytes) -> Reply {
    let body = if bytes.is_empty() { json!({}) } else { body_of(&bytes)? };
    let method = text(&body, "merge_method").unwrap_or_else(|| "merge".into());
    let strategy = match method.as_str() {
        "merge" => Strategy::NoFastForward,
        "squash" => Strategy::Squash,
        "rebase" => Strategy::Rebase,
        _ => return Err(invalid("PullRequest", "merge_method", "invalid", None)),
    };
    let (head, base, recorded_sha, title) = {
        let state = lock(&shared.state);
        let pull = state.pulls.get(&number).ok_or_else(not_found)?;
        let issue = &state.issues[&number];
        if pull.merged || issue.state != "open" || pull.draft {
            return Err(fail(StatusCode::METHOD_NOT_ALLOWED, "Pull Request is not mergeable"));
        }
        (pull.head.clone(), pull.base.clone(), pull.head_sha.clone(), issue.title.clone())
    };
    let head_sha = shared.head_sha(&head, &recorded_sha).await;
    if text(&body, "sha").is_some_and(|sha| sha != head_sha) {
        return Err(fail(StatusCode::CONFLICT, "Head branch was modified. Review and try the merge again."));
    }
    let default_title = match strategy {
        Strategy::Squash => format!("{title} (#{number})"),
        _ => format!("Merge pull request #{number} from {}/{head}", shared.owner),
    };
    let commit_title = text(&body, "commit_title").unwrap_or(default_title);
    let message = match text(&body, "commit_message") {
        Some(extra) => format!("{commit_title}\n\n{extra}"),
        None => commit_title,
    };
    let merge_sha = match &shared.git {
        Some(git) => match git.merge(&head, &base, strategy, &message).await {
            Ok(sha) => sha,
            Err(MergeFailure::Conflict(_)) => {
                return Err(fail(StatusCode::METHOD_NOT_ALLOWED, "Pull Request is not mergeable"));
            }
            Err(MergeFailure::Git(error)) => return Err(fail(StatusCode::INTERNAL_SERVER_ERROR, &error)),
        },
        None => format!("{:040x}", u64::MAX - number),
    };
    let mut state = lock(&shared.state);
    if let Some(pull) = state.pulls.get_mut(&number) {
        pull.merged = true;
        pull.head_sha = head_sha;
        pull.merge_commit_sha = Some(merge_sha.clone());
    }
    if let Some(issue) = state.issues.get_mut(&number) {
        issue.state = "closed".into();
    }
    Ok(json_response(
        StatusCode::OK,
        json!({ "sha": merge_sha, "merged": true, "message": "Pull Request successfully merged" }),
    ))
}

async fn create_status(State(shared): State<Arc<Shared>>, Path(sha): Path<String>, bytes: Bytes) -> Reply {
    let body = body_of(&bytes)?;
    let status_state = text(&body, "state").unwrap_or_default();
    if !["error", "failure", "pending", "success"].contains(&status_state.as_str()) {
        return Err(invalid("Status", "state", "custom", Some("state is not included in the list")));
    }
    if let Some(git) = &shared.git
        && !git.has_commit(&sha).await
    {
        return Err(invalid("Status", "sha", "custom", Some(&format!("No commit found for SHA: {sha}"))));
    }
    let id = lock(&shared.state).next_id();
    Ok(json_response(
        StatusCode::CREATED,
        json!({
            "id": id,
            "url": format!("{}/repos/{}/{}/statuses/{sha}", shared.base_url, shared.owner, shared.repo),
            "state": status_state,
            "description": body.get("description"),
            "target_url": body.get("target_url"),
            "context": text(&body, "context").unwrap_or_else(|| "default".into()),
            "created_at": chrono::Utc::now().to_rfc3339(),
        }),
    ))
}

/// Sets the check run fields GitHub accepts; a conclusion completes the run.
fn apply_check_fields(run: &mut Value, body: &Value) {
    for field in ["name", "status", "conclusion", "details_url", "external_id", "output", "started_at", "completed_at"]
    {
        if let Some(value) = body.get(field) {
            run[field] = value.clone();
        }
    }
    if !run["conclusion"].is_null() {
        run["status"] = json!("completed");
    }
}

async fn create_check_run(State(shared): State<Arc<Shared>>, bytes: Bytes) -> Reply {
    let body = body_of(&bytes)?;
    for field in ["name", "head_sha"] {
        if text(&body, field).is_none_or(|value| value.trim().is_empty()) {
            return Err(invalid("CheckRun", field, "missing_field", None));
        }
    }
    let mut state = lock(&shared.state);
    let id = state.next_id();
    let mut run = json!({
        "id": id,
        "head_sha": body["head_sha"],
        "status": "queued",
        "conclusion": null,
        "html_url": format!("{}/{}/{}/runs/{id}", shared.base_url, shared.owner, shared.repo),
    });
    apply_check_fields(&mut run, &body);
    state.check_runs.insert(id, run.clone());
    Ok(json_response(StatusCode::CREATED, run))
}

async fn update_check_run(State(shared): State<Arc<Shared>>, Path(id): Path<u64>, bytes: Bytes) -> Reply {
    let body = body_of(&bytes)?;
    let mut state = lock(&shared.state);
    let run = state.check_runs.get_mut(&id).ok_or_else(not_found)?;
    apply_check_fields(run, &body);
    Ok(json_response(StatusCode::OK, run.clone()))
}
