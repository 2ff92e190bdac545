//! `/api/tasks`: the open user tasks (the `human: true` steps), claimed and completed through a
//! form built from the task's declared outputs (the `outputs` header the compiler writes), and
//! the open job-based user tasks (jobs of type `io.camunda.zeebe:userTask`, whose assignment is
//! in their `io.camunda.zeebe:*` headers), which are completed with any variables.

use std::collections::HashMap;

use actions::OutputShapes;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::deployed::{DeployedModel, TaskInfo};
use crate::error::{ApiError, ApiResult, ErrorBody};

/// One open user task.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserTaskView {
    /// The user task key.
    pub key: i64,
    /// The BPMN element id.
    pub element_id: String,
    /// The element's name.
    pub name: Option<String>,
    /// The instance it belongs to.
    pub process_instance_key: i64,
    /// The instance's workflow.
    pub bpmn_process_id: String,
    /// Who claimed it (`None` while unclaimed).
    pub assignee: Option<String>,
    /// The groups (persona types) that may do it.
    pub candidate_groups: Vec<String>,
    /// The outputs completing it must give: name to shape (`"string"`, `"boolean"`,
    /// `"number"`, `"list"`, `"object"` or a list of allowed strings).
    #[schema(value_type = Object)]
    pub outputs: Map<String, Value>,
    /// `user_task` (a Camunda user task, claimed here), or `job` (a job-based user task: a job
    /// of type `io.camunda.zeebe:userTask`, assigned by its headers).
    pub kind: &'static str,
}

/// Filters of `GET /api/tasks`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    /// Only tasks this candidate group may do.
    pub group: Option<String>,
}

/// The open user tasks, oldest first.
#[utoipa::path(get, path = "/api/tasks", tag = "tasks", params(TaskQuery),
    responses((status = 200, description = "{ tasks: [UserTaskView] }"), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<TaskQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(query) = query?;
    let open = state.engine.with(|core| core.user_tasks());
    let mut models: HashMap<i64, DeployedModel> = HashMap::new();
    let mut tasks = Vec::new();
    for task in open {
        if query.group.as_ref().is_some_and(|g| !task.candidate_groups.contains(g)) {
            continue;
        }
        tasks.push(view(&state, &mut models, &task)?);
    }
    for task in job_tasks(&state)? {
        if query.group.as_ref().is_none_or(|g| task.candidate_groups.contains(g)) {
            tasks.push(task);
        }
    }
    tasks.sort_by_key(|task| task.key);
    Ok(Json(json!({ "tasks": tasks })))
}

/// The open job-based user tasks, with their assignment from the job's headers.
fn job_tasks(state: &AppState) -> ApiResult<Vec<UserTaskView>> {
    let jobs: Vec<(i64, engine::record::JobRecord)> = state.engine.with(|core| {
        (core.state().jobs.iter())
            .filter(|(_, job)| &**job.record.job_type() == engine::USER_TASK_JOB_TYPE)
            .map(|(key, job)| (*key, job.record.clone()))
            .collect()
    });
    let mut models: HashMap<i64, DeployedModel> = HashMap::new();
    let mut tasks = Vec::with_capacity(jobs.len());
    for (key, job) in jobs {
        let template = &job.template;
        let header = |name: &str| template.custom_headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let model = deployed(state, &mut models, template.process_definition_key)?;
        tasks.push(UserTaskView {
            key,
            element_id: template.element_id.to_string(),
            name: model.task(&template.element_id).and_then(|info| info.name),
            process_instance_key: job.process_instance_key,
            bpmn_process_id: template.bpmn_process_id.to_string(),
            assignee: header("io.camunda.zeebe:assignee").map(str::to_owned),
            candidate_groups: header("io.camunda.zeebe:candidateGroups")
                .and_then(|list| serde_json::from_str(list).ok())
                .unwrap_or_default(),
            outputs: Map::new(),
            kind: "job",
        });
    }
    Ok(tasks)
}

/// The deployed model of a process definition, read once per request.
fn deployed<'m>(
    state: &AppState,
    models: &'m mut HashMap<i64, DeployedModel>,
    definition: i64,
) -> ApiResult<&'m DeployedModel> {
    Ok(match models.entry(definition) {
        std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
        std::collections::hash_map::Entry::Vacant(entry) => {
            entry.insert(DeployedModel::by_key(&state.engine, definition)?)
        }
    })
}

/// The process definition key of the instance.
fn definition_of(state: &AppState, process_instance_key: i64) -> ApiResult<i64> {
    state
        .engine
        .with(|core| {
            let state = core.state();
            state.element(process_instance_key).map(|instance| state.process(instance.def).key)
        })
        .ok_or_else(|| ApiError::not_found(format!("process instance {process_instance_key} is not running")))
}

fn view(
    state: &AppState,
    models: &mut HashMap<i64, DeployedModel>,
    task: &engine::UserTask,
) -> ApiResult<UserTaskView> {
    let model = deployed(state, models, definition_of(state, task.process_instance_key)?)?;
    let info = model.task(&task.element_id).unwrap_or_default();
    let outputs = declared_outputs(&info)?.iter().map(|(name, shape)| (name.to_owned(), shape.to_json())).collect();
    Ok(UserTaskView {
        key: task.key,
        element_id: task.element_id.to_string(),
        name: info.name.clone(),
        process_instance_key: task.process_instance_key,
        bpmn_process_id: model.bpmn_process_id.clone(),
        assignee: Some(task.assignee.to_string()).filter(|a| !a.is_empty()),
        candidate_groups: task.candidate_groups.to_vec(),
        outputs,
        kind: "user_task",
    })
}

/// The task's `outputs` header, or none declared.
fn declared_outputs(info: &TaskInfo) -> ApiResult<OutputShapes> {
    match info.headers.get("outputs") {
        None => Ok(OutputShapes::default()),
        Some(header) => OutputShapes::from_header(header).map_err(|e| {
            ApiError::internal(format!("user task `{}`: {e}; fix the model and deploy it again", info.id))
        }),
    }
}

/// The open user task with this key, or 404.
fn open_task(state: &AppState, key: i64) -> ApiResult<engine::UserTask> {
    state
        .engine
        .with(|core| core.user_tasks().into_iter().find(|t| t.key == key))
        .ok_or_else(|| ApiError::not_found(format!("no open user task {key}; GET /api/tasks lists them")))
}

/// The instance of the job-based user task with this key, `None` when no such job is open.
fn job_task_instance(state: &AppState, key: i64) -> Option<i64> {
    state.engine.with(|core| {
        let job = &core.state().jobs.get(&key)?.record;
        (&**job.job_type() == engine::USER_TASK_JOB_TYPE).then_some(job.process_instance_key)
    })
}

/// `POST /api/tasks/{key}/claim`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// Who takes the task.
    pub assignee: String,
}

/// Claims an open user task. A task claimed by someone else is refused (409).
#[utoipa::path(post, path = "/api/tasks/{key}/claim", tag = "tasks", request_body = Claim,
    params(("key" = i64, Path, description = "user task key")),
    responses((status = 200, body = UserTaskView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn claim(
    State(state): State<AppState>,
    key: Result<Path<i64>, PathRejection>,
    body: Result<Json<Claim>, JsonRejection>,
) -> ApiResult<Json<UserTaskView>> {
    let Path(key) = key?;
    let Json(claim) = body?;
    let assignee = claim.assignee.trim().to_owned();
    if assignee.is_empty() {
        return Err(ApiError::bad_request("`assignee` is empty; say who takes the task"));
    }
    if job_task_instance(&state, key).is_some() {
        return Err(ApiError::conflict(format!(
            "user task {key} is job-based (a job of type {}): the model's assignment headers say who does it; complete it with POST /api/tasks/{key}/complete",
            engine::USER_TASK_JOB_TYPE
        )));
    }
    let task = open_task(&state, key)?;
    if !task.assignee.is_empty() && *task.assignee != *assignee {
        return Err(ApiError::conflict(format!("user task {key} is already claimed by {}", task.assignee)));
    }
    state.engine.run(|core| core.claim_user_task(key, &assignee)).await?;
    let claimed = open_task(&state, key)?;
    Ok(Json(view(&state, &mut HashMap::new(), &claimed)?))
}

/// `POST /api/tasks/{key}/complete`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Complete {
    /// The task's outputs: every declared output, each of its shape.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub variables: Map<String, Value>,
}

/// Completes an open user task with its outputs; outputs missing, misshapen or not declared
/// are refused (400) and the task stays open. A job-based user task (a job of type
/// `io.camunda.zeebe:userTask`, which declares no outputs) is completed with the variables given.
#[utoipa::path(post, path = "/api/tasks/{key}/complete", tag = "tasks", request_body = Complete,
    params(("key" = i64, Path, description = "user task key")),
    responses((status = 200, description = "completed"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn complete(
    State(state): State<AppState>,
    key: Result<Path<i64>, PathRejection>,
    body: Result<Json<Complete>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let Path(key) = key?;
    let Json(request) = body?;
    if let Some(instance) = job_task_instance(&state, key) {
        state.engine.run(|core| core.complete_job(key, request.variables)).await?;
        return Ok(Json(json!({ "completed": key, "process_instance_key": instance })));
    }
    let task = open_task(&state, key)?;
    let definition = definition_of(&state, task.process_instance_key)?;
    let info = DeployedModel::by_key(&state.engine, definition)?.task(&task.element_id).unwrap_or_default();
    check_outputs(&declared_outputs(&info)?, &request.variables).map_err(ApiError::bad_request)?;
    state.engine.run(|core| core.complete_user_task(key, request.variables)).await?;
    Ok(Json(json!({ "completed": key, "process_instance_key": task.process_instance_key })))
}

/// Every declared output present and of its shape, nothing undeclared (when outputs are
/// declared); else what is wrong, all of it.
fn check_outputs(declared: &OutputShapes, given: &Map<String, Value>) -> Result<(), String> {
    let mut problems = Vec::new();
    for (name, shape) in declared.iter() {
        match given.get(name) {
            None => problems.push(format!("`{name}` is missing: give {}", shape.describe())),
            Some(value) if !shape.fits(value) => {
                problems.push(format!("`{name}` is {value}: give {}", shape.describe()));
            }
            Some(_) => {}
        }
    }
    if declared.iter().next().is_some() {
        let names: Vec<&str> = declared.iter().map(|(n, _)| n).collect();
        for name in given.keys().filter(|n| !names.contains(&n.as_str())) {
            problems.push(format!("`{name}` is not an output of this task (it declares {})", names.join(", ")));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(format!("{}; the task stays open", problems.join("; "))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_checked_against_their_shapes() {
        let declared = OutputShapes::from_header(r#"{"OK": "boolean", "NEXT": ["code", "ask"]}"#).expect("a header");
        let good = json!({ "OK": true, "NEXT": "ask" });
        assert_eq!(check_outputs(&declared, good.as_object().expect("object")), Ok(()));
        let bad = json!({ "OK": "yes", "EXTRA": 1 });
        let problems = check_outputs(&declared, bad.as_object().expect("object")).expect_err("refused");
        assert!(problems.contains("`NEXT` is missing"), "{problems}");
        assert!(problems.contains("`OK` is \"yes\": give true or false"), "{problems}");
        assert!(problems.contains("`EXTRA` is not an output"), "{problems}");
    }

    #[test]
    fn a_task_without_declared_outputs_takes_any_variables() {
        let given = json!({ "note": "done" });
        assert_eq!(check_outputs(&OutputShapes::default(), given.as_object().expect("object")), Ok(()));
    }
}
