//! [`AzureDevOpsServer`]: the Azure DevOps REST 7.1 endpoints the client calls, for one
//! organisation, project and repository, with state in memory and, optionally, a real bare git
//! repository behind pull requests.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post, put};
use serde_json::{Map, Value, json};

use super::gate::{
    ExpectedAuth, Gate, InjectedFailure, RecordedRequest, Running, encoded_path, json_response, lock, parse_body,
};
use super::git::{BareRepo, MergeFailure, Strategy};

/// What an [`AzureDevOpsServer`] serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureDevOpsServerConfig {
    /// The organisation in paths.
    pub organization: String,
    /// The project's name in paths.
    pub project: String,
    /// The project's id (a GUID), as pull requests report it and policy artifact ids carry it.
    pub project_id: String,
    /// The repository's name in paths.
    pub repository: String,
    /// The PAT requests must carry (as the Basic password, any user name).
    pub token: String,
    /// A bare git repository whose branches pull requests use and completions change; `None`
    /// makes up commit ids and merges nothing.
    pub git: Option<PathBuf>,
}

/// A branch policy every pull request is evaluated against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFixture {
    /// The policy type's display name, e.g. `Minimum number of reviewers`.
    pub policy_type: String,
    /// Whether it blocks completion.
    pub is_blocking: bool,
    /// The evaluation status: `queued`, `running`, `approved`, `rejected`, `notApplicable`, `broken`.
    pub status: String,
}

/// A local Azure DevOps stand-in; see [the module](super). Dropping it stops it.
pub struct AzureDevOpsServer {
    _running: Running,
    base_url: String,
    gate: Arc<Gate>,
    shared: Arc<Shared>,
}

struct Shared {
    config: AzureDevOpsServerConfig,
    base_url: String,
    git: Option<BareRepo>,
    state: Mutex<ProjectState>,
}

#[derive(Default)]
struct ProjectState {
    last_id: u64,
    work_items: BTreeMap<u64, WorkItem>,
    pulls: BTreeMap<u64, Pull>,
    policies: Vec<PolicyFixture>,
    /// Extra reads a completion stays `queued` for.
    completion_delay: usize,
}

impl ProjectState {
    fn next_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }
}

struct WorkItem {
    rev: u64,
    fields: Map<String, Value>,
    relations: Vec<Value>,
}

struct Pull {
    source: String,
    target: String,
    title: String,
    description: Option<String>,
    is_draft: bool,
    status: String,
    merge_status: String,
    source_commit: String,
    merge_commit: Option<String>,
    /// Reads left until a queued completion shows as completed.
    pending_reads: usize,
    reviewers: Vec<Value>,
    labels: Vec<String>,
    work_items: Vec<String>,
    completion_options: Option<Value>,
    auto_complete_set_by: Option<Value>,
}

type Reply = Result<Response, Response>;

const WORK_ITEM_STATES: [&str; 8] = ["New", "Active", "Resolved", "Closed", "Removed", "To Do", "Doing", "Done"];

impl AzureDevOpsServer {
    /// Starts the server on `127.0.0.1` with a free port.
    pub async fn start(config: AzureDevOpsServerConfig) -> std::io::Result<Self> {
        let (listener, base_url) = Running::bind().await?;
        let unauthorized = error_body(
            "TF400813: the personal access token is missing, invalid or expired.",
            "UnauthorizedRequestException",
        );
        let gate = Arc::new(Gate::new(ExpectedAuth::Basic(config.token.clone()), unauthorized, |message| {
            error_body(message, "ServiceException")
        }));
        let apis = encoded_path(&[&config.organization, &config.project, "_apis"]);
        let repository = Router::new()
            .route("/pullrequests", get(list_pulls).post(create_pull))
            .route("/pullrequests/{id}", get(get_pull).patch(update_pull))
            .route("/pullRequests/{id}/labels", post(add_label))
            .route("/pullRequests/{id}/reviewers/{reviewer}", put(put_reviewer))
            .route("/pullRequests/{id}/threads", post(create_thread))
            .route("/commits/{commit}/statuses", post(create_status));
        let project = Router::new()
            .route("/wit/workitems/{key}", post(create_work_item).patch(update_work_item).get(get_work_item))
            .route("/wit/workItems/{id}/comments", post(add_comment))
            .route("/policy/evaluations", get(policy_evaluations))
            .nest(&encoded_path(&["git", "repositories", &config.repository]), repository);
        let shared = Arc::new(Shared {
            git: config.git.clone().map(BareRepo::new),
            config,
            base_url: base_url.clone(),
            state: Mutex::default(),
        });
        let router = Router::new()
            .nest(&apis, project)
            .fallback(|| async { fail(StatusCode::NOT_FOUND, "The resource cannot be found.") })
            .with_state(Arc::clone(&shared));
        let running = Running::serve(listener, router, Arc::clone(&gate))?;
        Ok(Self { _running: running, base_url, gate, shared })
    }

    /// `http://127.0.0.1:PORT`, the service root to configure the client with.
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

    /// The branch policies every pull request is evaluated against from now on.
    pub fn set_policies(&self, policies: Vec<PolicyFixture>) {
        lock(&self.shared.state).policies = policies;
    }

    /// A completion stays `queued` for this many reads of the pull request beyond the first.
    pub fn delay_completion(&self, extra_reads: usize) {
        lock(&self.shared.state).completion_delay = extra_reads;
    }

    /// The work item as `GET …/wit/workitems/{id}` would answer, if it exists.
    pub fn work_item(&self, id: u64) -> Option<Value> {
        let state = lock(&self.shared.state);
        state.work_items.get(&id).map(|item| self.shared.work_item_json(id, item))
    }
}

/// Azure DevOps' error body.
fn error_body(message: &str, type_key: &str) -> Value {
    json!({
        "$id": "1",
        "innerException": null,
        "message": message,
        "typeName": format!("Microsoft.VisualStudio.Services.{type_key}"),
        "typeKey": type_key,
        "errorCode": 0,
        "eventId": 3000,
    })
}

fn fail(status: StatusCode, message: &str) -> Response {
    let type_key = match status {
        StatusCode::NOT_FOUND => "NotFoundException",
        StatusCode::CONFLICT => "ConflictException",
        _ => "InvalidArgumentValueException",
    };
    json_response(status, error_body(message, type_key))
}

fn bad(message: &str) -> Response {
    fail(StatusCode::BAD_REQUEST, message)
}

fn body_of(bytes: &Bytes) -> Result<Value, Response> {
    parse_body(bytes, bad)
}

/// The `api-version` query parameter must be `expected`.
fn check_version(query: &HashMap<String, String>, expected: &str) -> Result<(), Response> {
    match query.get("api-version") {
        Some(version) if version == expected => Ok(()),
        Some(version) => Err(bad(&format!("api-version '{version}' is not served here; use api-version={expected}"))),
        None => Err(bad(&format!("No api-version was supplied; add api-version={expected} to the query"))),
    }
}

fn text(body: &Value, pointer: &str) -> Option<String> {
    body.pointer(pointer).and_then(Value::as_str).map(str::to_owned)
}

/// `refs/heads/x` → `x`; anything else is not a branch ref.
fn branch_of(reference: &str) -> Option<&str> {
    reference.strip_prefix("refs/heads/").filter(|name| !name.is_empty())
}

impl Shared {
    fn project_root(&self) -> String {
        format!("{}{}", self.base_url, encoded_path(&[&self.config.organization, &self.config.project]))
    }

    fn work_item_json(&self, id: u64, item: &WorkItem) -> Value {
        let api = format!("{}/_apis/wit/workItems/{id}", self.project_root());
        let mut json = json!({
            "id": id,
            "rev": item.rev,
            "fields": item.fields,
            "_links": {
                "self": { "href": api },
                "html": { "href": format!("{}/_workitems/edit/{id}", self.project_root()) },
            },
            "url": api,
        });
        if !item.relations.is_empty() {
            json["relations"] = Value::Array(item.relations.clone());
        }
        json
    }

    fn pull_json(&self, id: u64, pull: &Pull, source_tip: &str) -> Value {
        let root = self.project_root();
        let repository = &self.config.repository;
        let mut json = json!({
            "repository": {
                "id": format!("repo-{repository}"),
                "name": repository,
                "url": format!("{root}/_apis/git/repositories/{repository}"),
                "webUrl": format!("{root}/_git/{repository}"),
                "project": { "id": self.config.project_id, "name": self.config.project },
            },
            "pullRequestId": id,
            "codeReviewId": id,
            "status": pull.status,
            "createdBy": { "displayName": "Stand-in Bot", "id": "stand-in-bot" },
            "title": pull.title,
            "description": pull.description,
            "sourceRefName": format!("refs/heads/{}", pull.source),
            "targetRefName": format!("refs/heads/{}", pull.target),
            "mergeStatus": pull.merge_status,
            "isDraft": pull.is_draft,
            "lastMergeSourceCommit": { "commitId": source_tip },
            "reviewers": pull.reviewers,
            "labels": pull.labels.iter().map(|name| json!({ "name": name, "active": true })).collect::<Vec<_>>(),
            "workItemRefs": pull.work_items.iter().map(|id| json!({ "id": id })).collect::<Vec<_>>(),
            "url": format!("{root}/_apis/git/repositories/{repository}/pullRequests/{id}"),
            "supportsIterations": true,
        });
        if let Some(commit) = &pull.merge_commit {
            json["lastMergeCommit"] = json!({ "commitId": commit });
        }
        if let Some(options) = &pull.completion_options {
            json["completionOptions"] = options.clone();
        }
        if let Some(set_by) = &pull.auto_complete_set_by {
            json["autoCompleteSetBy"] = set_by.clone();
        }
        json
    }

    /// The source branch's tip: live from git while the pull request is active, else as recorded.
    async fn source_tip(&self, id: u64) -> Option<String> {
        let (source, recorded, active) = {
            let state = lock(&self.state);
            let pull = state.pulls.get(&id)?;
            (pull.source.clone(), pull.source_commit.clone(), pull.status == "active")
        };
        match &self.git {
            Some(git) if active => Some(git.tip(&source).await.unwrap_or(recorded)),
            _ => Some(recorded),
        }
    }

    /// The pull request as answered now; `read` counts as a read of a queued completion.
    async fn pull_reply(&self, id: u64, status: StatusCode, read: bool) -> Reply {
        let tip = self.source_tip(id).await.ok_or_else(|| not_found_pull(id))?;
        let mut state = lock(&self.state);
        let pull = state.pulls.get_mut(&id).ok_or_else(|| not_found_pull(id))?;
        if read && pull.pending_reads > 0 {
            pull.pending_reads -= 1;
            if pull.pending_reads == 0 {
                pull.status = "completed".into();
                pull.merge_status = "succeeded".into();
            }
        }
        Ok(json_response(status, self.pull_json(id, pull, &tip)))
    }
}

fn not_found_pull(id: u64) -> Response {
    fail(StatusCode::NOT_FOUND, &format!("TF401180: The requested pull request {id} was not found."))
}

fn not_found_work_item(id: u64) -> Response {
    fail(
        StatusCode::NOT_FOUND,
        &format!("TF401232: Work item {id} does not exist, or you do not have permissions to read it."),
    )
}

/// Work item create and update take JSON Patch documents only.
fn require_json_patch(headers: &HeaderMap) -> Result<(), Response> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
    if content_type.starts_with("application/json-patch+json") {
        Ok(())
    } else {
        Err(fail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("Content-Type '{content_type}' is not supported; send application/json-patch+json"),
        ))
    }
}

/// Applies `add`/`replace`/`remove` operations on `/fields/…` and `add` on `/relations/-`.
fn apply_patch(item: &mut WorkItem, document: &Value) -> Result<(), Response> {
    let operations = document.as_array().ok_or_else(|| bad("The body must be a JSON Patch array"))?;
    for operation in operations {
        let op = text(operation, "/op").unwrap_or_default();
        let path = text(operation, "/path").unwrap_or_default();
        let value = operation.get("value").cloned().unwrap_or(Value::Null);
        match (op.as_str(), path.strip_prefix("/fields/")) {
            ("add" | "replace", Some(field)) => {
                if field == "System.State" && !WORK_ITEM_STATES.contains(&value.as_str().unwrap_or_default()) {
                    return Err(bad(&format!(
                        "TF401320: Rule Error for field State. The field 'State' contains the value '{}' that is not in the list of supported values",
                        value.as_str().unwrap_or_default()
                    )));
                }
                item.fields.insert(field.to_owned(), value);
            }
            ("remove", Some(field)) => {
                item.fields.remove(field);
            }
            ("add", None) if path == "/relations/-" => item.relations.push(value),
            _ => return Err(bad(&format!("The patch operation '{op}' on '{path}' is not supported"))),
        }
    }
    item.rev += 1;
    Ok(())
}

async fn create_work_item(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Reply {
    check_version(&query, "7.1")?;
    require_json_patch(&headers)?;
    let Some(kind) = key.strip_prefix('$').filter(|kind| !kind.is_empty()) else {
        return Err(bad(&format!("'{key}' is not a work item type; create with POST …/wit/workitems/$Type")));
    };
    let mut item = WorkItem { rev: 0, fields: Map::new(), relations: Vec::new() };
    apply_patch(&mut item, &body_of(&bytes)?)?;
    if item.fields.get("System.Title").and_then(Value::as_str).is_none_or(|title| title.trim().is_empty()) {
        return Err(bad("TF401320: Rule Error for field Title. Error code: Required, HasValues"));
    }
    for (field, default) in [("System.State", "New"), ("System.Reason", "New")] {
        item.fields.entry(field).or_insert_with(|| json!(default));
    }
    item.fields.insert("System.WorkItemType".into(), json!(kind));
    item.fields.insert("System.TeamProject".into(), json!(shared.config.project));
    let mut state = lock(&shared.state);
    let id = state.next_id();
    let json = shared.work_item_json(id, &item);
    state.work_items.insert(id, item);
    Ok(json_response(StatusCode::OK, json))
}

fn work_item_id(key: &str) -> Result<u64, Response> {
    key.parse().map_err(|_| bad(&format!("'{key}' is not a work item id")))
}

async fn update_work_item(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Reply {
    check_version(&query, "7.1")?;
    require_json_patch(&headers)?;
    let id = work_item_id(&key)?;
    let document = body_of(&bytes)?;
    let mut state = lock(&shared.state);
    let item = state.work_items.get_mut(&id).ok_or_else(|| not_found_work_item(id))?;
    apply_patch(item, &document)?;
    Ok(json_response(StatusCode::OK, shared.work_item_json(id, item)))
}

async fn get_work_item(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Reply {
    check_version(&query, "7.1")?;
    let id = work_item_id(&key)?;
    let state = lock(&shared.state);
    let item = state.work_items.get(&id).ok_or_else(|| not_found_work_item(id))?;
    Ok(json_response(StatusCode::OK, shared.work_item_json(id, item)))
}

async fn add_comment(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    Query(query): Query<HashMap<String, String>>,
    bytes: Bytes,
) -> Reply {
    check_version(&query, "7.1-preview.4")?;
    let body = body_of(&bytes)?;
    let Some(comment) = text(&body, "/text").filter(|text| !text.trim().is_empty()) else {
        return Err(bad("The comment text is required"));
    };
    let mut state = lock(&shared.state);
    if !state.work_items.contains_key(&id) {
        return Err(not_found_work_item(id));
    }
    let comment_id = state.next_id();
    Ok(json_response(
        StatusCode::OK,
        json!({
            "workItemId": id,
            "commentId": comment_id,
            "version": 1,
            "text": comment,
            "createdBy": { "displayName": "Stand-in Bot" },
            "createdDate": chrono::Utc::now().to_rfc3339(),
            "url": format!("{}/_apis/wit/workItems/{id}/comments/{comment_id}", shared.project_root()),
        }),
    ))
}

async fn list_pulls(State(shared): State<Arc<Shared>>, Query(query): Query<HashMap<String, String>>) -> Reply {
    check_version(&query, "7.1")?;
    let wanted = query.get("searchCriteria.status").map_or("active", String::as_str);
    let ids: Vec<u64> = {
        let state = lock(&shared.state);
        state
            .pulls
            .iter()
            .filter(|(_, pull)| {
                (wanted == "all" || pull.status == wanted)
                    && query
                        .get("searchCriteria.sourceRefName")
                        .is_none_or(|name| branch_of(name) == Some(pull.source.as_str()))
                    && query
                        .get("searchCriteria.targetRefName")
                        .is_none_or(|name| branch_of(name) == Some(pull.target.as_str()))
            })
            .map(|(id, _)| *id)
            .collect()
    };
    let mut value = Vec::new();
    for id in ids {
        let Some(tip) = shared.source_tip(id).await else { continue };
        let state = lock(&shared.state);
        if let Some(pull) = state.pulls.get(&id) {
            value.push(shared.pull_json(id, pull, &tip));
        }
    }
    Ok(json_response(StatusCode::OK, json!({ "value": value, "count": value.len() })))
}

async fn create_pull(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    bytes: Bytes,
) -> Reply {
    check_version(&query, "7.1")?;
    let body = body_of(&bytes)?;
    let branch = |field: &str| text(&body, &format!("/{field}")).and_then(|name| branch_of(&name).map(str::to_owned));
    let (Some(source), Some(target)) = (branch("sourceRefName"), branch("targetRefName")) else {
        return Err(bad("sourceRefName and targetRefName must both be refs/heads/… branch names"));
    };
    let Some(title) = text(&body, "/title").filter(|title| !title.trim().is_empty()) else {
        return Err(bad("The pull request title is required"));
    };
    let source_commit = match &shared.git {
        Some(git) => {
            for name in [&source, &target] {
                if git.tip(name).await.is_none() {
                    return Err(fail(
                        StatusCode::NOT_FOUND,
                        &format!(
                            "TF401398: The branch 'refs/heads/{name}' does not exist in repository '{}'",
                            shared.config.repository
                        ),
                    ));
                }
            }
            git.tip(&source).await.unwrap_or_default()
        }
        None => format!("{:040x}", lock(&shared.state).last_id + 1),
    };
    let items = |field: &str, key: &str| -> Vec<String> {
        body.get(field)
            .and_then(Value::as_array)
            .map(|list| {
                list.iter().filter_map(|entry| entry.get(key).and_then(Value::as_str)).map(str::to_owned).collect()
            })
            .unwrap_or_default()
    };
    let mut state = lock(&shared.state);
    if state.pulls.values().any(|pull| pull.status == "active" && pull.source == source && pull.target == target) {
        return Err(fail(
            StatusCode::CONFLICT,
            "TF401179: An active pull request for the source and target branch already exists.",
        ));
    }
    let work_items = items("workItemRefs", "id");
    if let Some(missing) =
        work_items.iter().find(|id| id.parse().map_or(true, |id: u64| !state.work_items.contains_key(&id)))
    {
        return Err(bad(&format!("Work item {missing} in workItemRefs does not exist")));
    }
    let reviewers = items("reviewers", "id")
        .into_iter()
        .map(|id| json!({ "id": id, "displayName": format!("Reviewer {id}"), "vote": 0, "isRequired": false }))
        .collect();
    let id = state.next_id();
    let pull = Pull {
        source,
        target,
        title,
        description: text(&body, "/description"),
        is_draft: body.get("isDraft").and_then(Value::as_bool).unwrap_or(false),
        status: "active".into(),
        merge_status: "succeeded".into(),
        source_commit: source_commit.clone(),
        merge_commit: None,
        pending_reads: 0,
        reviewers,
        labels: items("labels", "name"),
        work_items,
        completion_options: None,
        auto_complete_set_by: None,
    };
    let json = shared.pull_json(id, &pull, &source_commit);
    state.pulls.insert(id, pull);
    Ok(json_response(StatusCode::CREATED, json))
}

async fn get_pull(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    Query(query): Query<HashMap<String, String>>,
) -> Reply {
    check_version(&query, "7.1")?;
    shared.pull_reply(id, StatusCode::OK, true).await
}

async fn update_pull(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    Query(query): Query<HashMap<String, String>>,
    bytes: Bytes,
) -> Reply {
    check_version(&query, "7.1")?;
    let body = body_of(&bytes)?;
    {
        let mut state = lock(&shared.state);
        let pull = state.pulls.get_mut(&id).ok_or_else(|| not_found_pull(id))?;
        if let Some(title) = text(&body, "/title") {
            pull.title = title;
        }
        if let Some(description) = text(&body, "/description") {
            pull.description = Some(description);
        }
        if let Some(options) = body.get("completionOptions") {
            pull.completion_options = Some(options.clone());
        }
        if let Some(set_by) = body.get("autoCompleteSetBy") {
            pull.auto_complete_set_by = Some(set_by.clone());
        }
        if text(&body, "/status").as_deref() == Some("abandoned") {
            pull.status = "abandoned".into();
        }
    }
    if text(&body, "/status").as_deref() == Some("completed") {
        complete(&shared, id, &body).await?;
    }
    shared.pull_reply(id, StatusCode::OK, false).await
}

/// Completion: the sha guard, the policies, then the real merge; the result shows as
/// `completed` from the next read on (the service completes asynchronously).
async fn complete(shared: &Shared, id: u64, body: &Value) -> Result<(), Response> {
    let Some(guard) = text(body, "/lastMergeSourceCommit/commitId") else {
        return Err(bad("lastMergeSourceCommit.commitId is required to complete a pull request"));
    };
    let tip = shared.source_tip(id).await.ok_or_else(|| not_found_pull(id))?;
    if guard != tip {
        return Err(fail(
            StatusCode::CONFLICT,
            &format!(
                "The source branch moved to {tip}; lastMergeSourceCommit {guard} is stale. Read the pull request again."
            ),
        ));
    }
    let strategy = match text(body, "/completionOptions/mergeStrategy").as_deref() {
        None | Some("noFastForward") => Strategy::NoFastForward,
        Some("squash") => Strategy::Squash,
        Some("rebase") => Strategy::Rebase,
        Some("rebaseMerge") => Strategy::RebaseMerge,
        Some(other) => {
            return Err(bad(&format!(
                "mergeStrategy '{other}' is not one of noFastForward, squash, rebase, rebaseMerge"
            )));
        }
    };
    let bypass = body.pointer("/completionOptions/bypassPolicy").and_then(Value::as_bool).unwrap_or(false);
    let delete_source = body.pointer("/completionOptions/deleteSourceBranch").and_then(Value::as_bool).unwrap_or(false);
    let (source, target, message, delay) = {
        let mut state = lock(&shared.state);
        let blocked = state
            .policies
            .iter()
            .any(|policy| policy.is_blocking && !matches!(policy.status.as_str(), "approved" | "notApplicable"));
        let delay = state.completion_delay;
        let pull = state.pulls.get_mut(&id).ok_or_else(|| not_found_pull(id))?;
        if pull.status != "active" {
            return Err(bad(&format!("TF401181: The pull request {id} is {} and cannot be completed.", pull.status)));
        }
        if blocked && !bypass {
            pull.merge_status = "rejectedByPolicy".into();
            return Ok(());
        }
        let message = text(body, "/completionOptions/mergeCommitMessage")
            .unwrap_or_else(|| format!("Merged PR {id}: {}", pull.title));
        (pull.source.clone(), pull.target.clone(), message, delay)
    };
    let merged = match &shared.git {
        Some(git) => match git.merge(&source, &target, strategy, &message).await {
            Ok(sha) => {
                if delete_source
                    && let Err(MergeFailure::Git(error) | MergeFailure::Conflict(error)) =
                        git.delete_branch(&source).await
                {
                    return Err(fail(StatusCode::INTERNAL_SERVER_ERROR, &error));
                }
                Some(sha)
            }
            Err(MergeFailure::Conflict(_)) => None,
            Err(MergeFailure::Git(error)) => return Err(fail(StatusCode::INTERNAL_SERVER_ERROR, &error)),
        },
        None => Some(format!("{:040x}", u64::MAX - id)),
    };
    let mut state = lock(&shared.state);
    let pull = state.pulls.get_mut(&id).ok_or_else(|| not_found_pull(id))?;
    match merged {
        Some(sha) => {
            pull.source_commit = tip;
            pull.merge_commit = Some(sha);
            pull.merge_status = "queued".into();
            pull.pending_reads = 1 + delay;
            pull.completion_options = body.get("completionOptions").cloned();
        }
        None => pull.merge_status = "conflicts".into(),
    }
    Ok(())
}

async fn add_label(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    Query(query): Query<HashMap<String, String>>,
    bytes: Bytes,
) -> Reply {
    check_version(&query, "7.1")?;
    let body = body_of(&bytes)?;
    let Some(name) = text(&body, "/name").filter(|name| !name.trim().is_empty()) else {
        return Err(bad("The label name is required"));
    };
    let mut state = lock(&shared.state);
    let pull = state.pulls.get_mut(&id).ok_or_else(|| not_found_pull(id))?;
    if !pull.labels.contains(&name) {
        pull.labels.push(name.clone());
    }
    Ok(json_response(StatusCode::OK, json!({ "id": format!("label-{name}"), "name": name, "active": true })))
}

async fn put_reviewer(
    State(shared): State<Arc<Shared>>,
    Path((id, reviewer)): Path<(u64, String)>,
    Query(query): Query<HashMap<String, String>>,
    bytes: Bytes,
) -> Reply {
    check_version(&query, "7.1")?;
    let body = body_of(&bytes)?;
    let entry = json!({
        "id": reviewer,
        "displayName": format!("Reviewer {reviewer}"),
        "uniqueName": format!("{reviewer}@example.invalid"),
        "vote": body.get("vote").and_then(Value::as_i64).unwrap_or(0),
        "isRequired": body.get("isRequired").and_then(Value::as_bool).unwrap_or(false),
        "reviewerUrl": format!("{}/_apis/git/repositories/{}/pullRequests/{id}/reviewers/{reviewer}", shared.project_root(), shared.config.repository),
    });
    let mut state = lock(&shared.state);
    let pull = state.pulls.get_mut(&id).ok_or_else(|| not_found_pull(id))?;
    pull.reviewers.retain(|existing| existing["id"] != entry["id"]);
    pull.reviewers.push(entry.clone());
    Ok(json_response(StatusCode::OK, entry))
}

/// A thread status or comment type given by name or by its number in the enum.
fn enum_name(value: Option<&Value>, names: &[&str], default: &str) -> String {
    match value {
        Some(Value::String(name)) => name.clone(),
        Some(Value::Number(number)) => {
            number.as_u64().and_then(|index| names.get(usize::try_from(index).ok()?)).unwrap_or(&default).to_string()
        }
        _ => default.to_owned(),
    }
}

async fn create_thread(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    Query(query): Query<HashMap<String, String>>,
    bytes: Bytes,
) -> Reply {
    check_version(&query, "7.1")?;
    let body = body_of(&bytes)?;
    let comments = body.get("comments").and_then(Value::as_array).cloned().unwrap_or_default();
    if comments.is_empty()
        || comments.iter().any(|comment| text(comment, "/content").is_none_or(|text| text.trim().is_empty()))
    {
        return Err(bad("A thread needs at least one comment with content"));
    }
    let mut state = lock(&shared.state);
    if !state.pulls.contains_key(&id) {
        return Err(not_found_pull(id));
    }
    let thread_id = state.next_id();
    let comments: Vec<Value> = comments
        .iter()
        .enumerate()
        .map(|(index, comment)| {
            json!({
                "id": index + 1,
                "parentCommentId": comment.get("parentCommentId").cloned().unwrap_or(json!(0)),
                "content": comment["content"],
                "commentType": enum_name(comment.get("commentType"), &["unknown", "text", "codeChange", "system"], "text"),
                "author": { "displayName": "Stand-in Bot" },
            })
        })
        .collect();
    let status = enum_name(
        body.get("status"),
        &["unknown", "active", "fixed", "wontFix", "closed", "byDesign", "pending"],
        "active",
    );
    Ok(json_response(
        StatusCode::OK,
        json!({ "id": thread_id, "status": status, "comments": comments, "publishedDate": chrono::Utc::now().to_rfc3339() }),
    ))
}

async fn create_status(
    State(shared): State<Arc<Shared>>,
    Path(commit): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    bytes: Bytes,
) -> Reply {
    check_version(&query, "7.1")?;
    let body = body_of(&bytes)?;
    let state_name = text(&body, "/state").unwrap_or_default();
    if !["notSet", "pending", "succeeded", "failed", "error", "notApplicable"].contains(&state_name.as_str()) {
        return Err(bad(&format!("'{state_name}' is not a GitStatusState")));
    }
    if text(&body, "/context/name").is_none_or(|name| name.trim().is_empty()) {
        return Err(bad("context.name is required"));
    }
    if let Some(git) = &shared.git
        && !git.has_commit(&commit).await
    {
        return Err(fail(StatusCode::NOT_FOUND, &format!("TF401175: The commit {commit} could not be found.")));
    }
    let id = lock(&shared.state).next_id();
    Ok(json_response(
        StatusCode::CREATED,
        json!({
            "id": id,
            "state": state_name,
            "description": body.get("description"),
            "context": body["context"],
            "targetUrl": body.get("targetUrl"),
            "creationDate": chrono::Utc::now().to_rfc3339(),
            "createdBy": { "displayName": "Stand-in Bot" },
            "url": format!("{}/_apis/git/repositories/{}/commits/{commit}/statuses/{id}", shared.project_root(), shared.config.repository),
        }),
    ))
}

async fn policy_evaluations(State(shared): State<Arc<Shared>>, Query(query): Query<HashMap<String, String>>) -> Reply {
    check_version(&query, "7.1-preview.1")?;
    let Some(artifact) = query.get("artifactId") else { return Err(bad("artifactId is required")) };
    let prefix = format!("vstfs:///CodeReview/CodeReviewId/{}/", shared.config.project_id);
    let state = lock(&shared.state);
    let pull_exists = artifact
        .strip_prefix(&prefix)
        .and_then(|id| id.parse::<u64>().ok())
        .is_some_and(|id| state.pulls.contains_key(&id));
    let value: Vec<Value> = if pull_exists {
        state
            .policies
            .iter()
            .enumerate()
            .map(|(index, policy)| {
                json!({
                    "evaluationId": format!("00000000-0000-0000-0000-{:012}", index + 1),
                    "artifactId": artifact,
                    "status": policy.status,
                    "configuration": {
                        "id": index + 1,
                        "isEnabled": true,
                        "isBlocking": policy.is_blocking,
                        "type": { "id": format!("policy-type-{}", index + 1), "displayName": policy.policy_type },
                        "settings": {},
                    },
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(json_response(StatusCode::OK, json!({ "value": value, "count": value.len() })))
}
