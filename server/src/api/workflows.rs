//! `/api/workflows/...`: execute, status, cancel, history, variables.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use engine::Variables;
use engine::history::{History, Status};
use personas::InstanceRef;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};

/// `POST /api/workflows/execute`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecuteRequest {
    /// The BPMN process id to start (its latest version).
    pub workflow: String,
    /// The work item, set as `inputs.WORK_ITEM_ID` (the seed workflows read it there).
    #[serde(default)]
    pub work_item: Option<String>,
    /// The start variables (a JSON object).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub variables: Map<String, Value>,
    /// Persona instances (ids or names) assigned to the run, set as `assigned_personas`; each
    /// must exist in the registry.
    #[serde(default)]
    pub personas: Vec<String>,
}

/// The started instance.
#[derive(Debug, Serialize, ToSchema)]
pub struct Started {
    /// The new instance's key.
    pub process_instance_key: i64,
    /// Its workflow.
    pub bpmn_process_id: String,
    /// The version it runs.
    pub version: i32,
    /// The process definition key.
    pub process_definition_key: i64,
}

/// A path key as a number, or 400.
fn key(path: Result<Path<i64>, PathRejection>) -> ApiResult<i64> {
    Ok(path?.0)
}

/// Starts a workflow instance. Unknown personas or workflows change nothing.
#[utoipa::path(post, path = "/api/workflows/execute", tag = "workflows", request_body = ExecuteRequest,
    responses((status = 201, body = Started), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn execute(
    State(state): State<AppState>,
    body: Result<Json<ExecuteRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Started>)> {
    let Json(request) = body?;
    let mut variables: Variables = request.variables;
    if let Some(item) = request.work_item {
        let inputs = variables.entry("inputs").or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(inputs) = inputs else {
            return Err(ApiError::bad_request("`variables.inputs` must be an object to add the work item to it"));
        };
        inputs.insert("WORK_ITEM_ID".into(), Value::String(item));
    }
    if !request.personas.is_empty() {
        let mut names = Vec::new();
        for reference in &request.personas {
            let instance = state.registry.get(&InstanceRef::parse(reference, None)).await?;
            names.push(json!({ "id": instance.id, "name": instance.name, "persona_type": instance.persona_type }));
        }
        variables.insert("assigned_personas".into(), Value::Array(names));
    }
    let workflow = request.workflow;
    let created = state.engine.run(|core| core.create_instance(&workflow, None, variables)).await?;
    Ok((
        StatusCode::CREATED,
        Json(Started {
            process_instance_key: created.process_instance_key,
            bpmn_process_id: created.bpmn_process_id,
            version: created.version,
            process_definition_key: created.process_definition_key,
        }),
    ))
}

fn unknown(key: i64) -> ApiError {
    ApiError::not_found(format!("no process instance {key}; GET /api/workflows/history lists them"))
}

/// The status of one instance: its state, active elements, variables, open incidents, jobs
/// and pending timers.
#[utoipa::path(get, path = "/api/workflows/status/{id}", tag = "workflows", params(("id" = i64, Path, description = "process instance key")),
    responses((status = 200, description = "the instance"), (status = 404, body = ErrorBody)))]
pub async fn status(State(state): State<AppState>, id: Result<Path<i64>, PathRejection>) -> ApiResult<Json<Value>> {
    let key = key(id)?;
    state.feed.sync_with(&state.engine).await?;
    let history = state.feed.history();
    let instance = history.instance(key).ok_or_else(|| unknown(key))?;
    let active: Vec<_> = history.elements(key).into_iter().filter(|e| e.status == Status::Active).collect();
    let incidents: Vec<_> = history.incidents(Some(key)).into_iter().filter(|i| i.is_open()).collect();
    let jobs: Vec<_> = history.jobs(key).into_iter().filter(|j| j.status == Status::Active).collect();
    let timers: Vec<_> = history.timers(key).into_iter().filter(|t| t.status == Status::Active).collect();
    Ok(Json(json!({
        "instance": instance,
        "active_elements": active,
        "variables": current_variables(&history, key),
        "open_incidents": incidents,
        "open_jobs": jobs,
        "pending_timers": timers,
    })))
}

/// The instance's root variables now.
fn current_variables(history: &History, key: i64) -> Map<String, Value> {
    history
        .current_variables(key)
        .into_iter()
        .filter(|v| v.scope_key == key)
        .map(|v| (v.name.clone(), v.value.clone()))
        .collect()
}

/// Cancels an instance (and the instances it called).
#[utoipa::path(post, path = "/api/workflows/cancel/{id}", tag = "workflows", params(("id" = i64, Path, description = "process instance key")),
    responses((status = 200, description = "cancelled"), (status = 404, body = ErrorBody)))]
pub async fn cancel(State(state): State<AppState>, id: Result<Path<i64>, PathRejection>) -> ApiResult<Json<Value>> {
    let key = key(id)?;
    if !state.engine.with(|core| core.is_active(key)) {
        return Err(ApiError::not_found(format!("no active process instance {key}")));
    }
    state.engine.run(|core| core.cancel_instance(key)).await?;
    Ok(Json(json!({ "cancelled": key })))
}

/// Filters and paging of `GET /api/workflows/history`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Only this workflow (BPMN process id).
    pub workflow: Option<String>,
    /// Only this state: `active`, `completed` or `terminated`.
    pub state: Option<String>,
    /// Only instances whose `inputs.WORK_ITEM_ID` is this.
    pub work_item: Option<String>,
    /// Skip this many (default 0).
    pub offset: Option<usize>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<usize>,
}

/// The most instances one page holds.
const MAX_PAGE: usize = 500;

/// Instances, newest first, filtered and paged.
#[utoipa::path(get, path = "/api/workflows/history", tag = "workflows", params(HistoryQuery),
    responses((status = 200, description = "a page of instances"), (status = 400, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(query) = query?;
    if let Some(wanted) = &query.state
        && !["active", "completed", "terminated"].contains(&wanted.as_str())
    {
        return Err(ApiError::bad_request(format!("state `{wanted}`: use active, completed or terminated")));
    }
    let limit = query.limit.unwrap_or(50);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(format!("limit {limit}: give 1 to {MAX_PAGE}")));
    }
    state.feed.sync_with(&state.engine).await?;
    let history = state.feed.history();
    let mut newest_first: Vec<_> = history.instances().collect();
    newest_first.reverse();
    let matching: Vec<_> = newest_first
        .into_iter()
        .filter(|i| query.workflow.as_ref().is_none_or(|w| &i.bpmn_process_id == w))
        .filter(|i| query.state.as_ref().is_none_or(|s| i.status.name() == s))
        .filter(|i| {
            query.work_item.as_ref().is_none_or(|item| {
                current_variables(&history, i.key)
                    .get("inputs")
                    .and_then(|inputs| inputs.get("WORK_ITEM_ID"))
                    .is_some_and(|v| v.as_str() == Some(item))
            })
        })
        .collect();
    let page: Vec<_> = matching.iter().skip(query.offset.unwrap_or(0)).take(limit).collect();
    Ok(Json(json!({ "total": matching.len(), "offset": query.offset.unwrap_or(0), "limit": limit, "instances": page })))
}

/// The instance's root variables.
#[utoipa::path(get, path = "/api/workflows/{id}/variables", tag = "workflows", params(("id" = i64, Path, description = "process instance key")),
    responses((status = 200, description = "the variables"), (status = 404, body = ErrorBody)))]
pub async fn variables(State(state): State<AppState>, id: Result<Path<i64>, PathRejection>) -> ApiResult<Json<Value>> {
    let key = key(id)?;
    state.feed.sync_with(&state.engine).await?;
    let history = state.feed.history();
    history.instance(key).ok_or_else(|| unknown(key))?;
    Ok(Json(json!({ "process_instance_key": key, "variables": current_variables(&history, key) })))
}

/// `PUT /api/workflows/{id}/variables`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetVariables {
    /// The variables to set on the instance's root scope.
    #[schema(value_type = Object)]
    pub variables: Map<String, Value>,
}

/// Sets variables on a running instance.
#[utoipa::path(put, path = "/api/workflows/{id}/variables", tag = "workflows", request_body = SetVariables,
    params(("id" = i64, Path, description = "process instance key")),
    responses((status = 200, description = "set"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_variables(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<SetVariables>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let key = key(id)?;
    let Json(request) = body?;
    if !state.engine.with(|core| core.is_active(key)) {
        return Err(ApiError::not_found(format!("no active process instance {key}")));
    }
    let names: Vec<String> = request.variables.keys().cloned().collect();
    state.engine.run(|core| core.set_variables(key, request.variables, true)).await?;
    Ok(Json(json!({ "process_instance_key": key, "set": names })))
}
