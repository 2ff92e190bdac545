//! Persona types, instances and the audit log, through the persona registry.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use personas::{AuditKind, AuditQuery, InstanceChanges, InstanceRef, Money, NewInstance, Project, Provider, Status};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};
use yaml_to_bpmn::personas::PersonaCatalogue;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};

fn parsed<T: std::str::FromStr>(field: &str, text: &str) -> ApiResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| ApiError::bad_request(format!("{field}: {e}")))
}

fn optional<T: std::str::FromStr>(field: &str, text: Option<&str>) -> ApiResult<Option<T>>
where
    T::Err: std::fmt::Display,
{
    text.map(|t| parsed(field, t)).transpose()
}

/// The persona types in the store.
#[utoipa::path(get, path = "/api/personas/types", tag = "personas", responses((status = 200, description = "persona types")))]
pub async fn types(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "types": state.registry.types().await? })))
}

/// `POST /api/personas/types`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The persona type catalogue (the YAML of `workflows/personas/types.yaml`).
    pub content: String,
}

/// Loads a persona type catalogue (new types added, changed ones updated).
#[utoipa::path(post, path = "/api/personas/types", tag = "personas", request_body = Catalogue,
    responses((status = 200, description = "loaded"), (status = 400, body = ErrorBody)))]
pub async fn load_types(
    State(state): State<AppState>,
    body: Result<Json<Catalogue>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let Json(request) = body?;
    let catalogue = PersonaCatalogue::parse("catalogue", &request.content).map_err(|diagnostics| {
        let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        ApiError::bad_request(lines.join("\n"))
    })?;
    let loaded = state.registry.load_types(&catalogue).await?;
    Ok(Json(json!({ "added": loaded.added, "updated": loaded.updated, "unchanged": loaded.unchanged })))
}

/// Filters of `GET /api/personas/instances`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only this persona type.
    #[serde(rename = "type")]
    pub persona_type: Option<String>,
    /// Only this project (ORGANISATION/PROJECT).
    pub project: Option<String>,
    /// Only this status: active, paused or retired.
    pub status: Option<String>,
}

/// Persona instances.
#[utoipa::path(get, path = "/api/personas/instances", tag = "personas", params(ListQuery),
    responses((status = 200, description = "instances"), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(query) = query?;
    let project: Option<Project> = optional("project", query.project.as_deref())?;
    let status: Option<Status> = optional("status", query.status.as_deref())?;
    let instances = state.registry.list(query.persona_type.as_deref(), project.as_ref(), status).await?;
    Ok(Json(json!({ "instances": instances })))
}

/// `POST /api/personas/instances`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Create {
    /// Its name, unique within its project.
    pub name: String,
    /// Its persona type id.
    pub persona_type: String,
    /// The project it works for (ORGANISATION/PROJECT[/REPO]).
    pub project: Option<String>,
    /// LLM providers in priority order, as `provider:model`.
    #[serde(default)]
    pub providers: Vec<String>,
    /// The most it may spend in a UTC day (`12.50`).
    pub daily_limit: Option<String>,
    /// The most it may spend in a calendar month.
    pub monthly_limit: Option<String>,
    /// How many tasks it may hold at once.
    pub max_concurrent_tasks: Option<u32>,
    /// Higher goes first in routing.
    #[serde(default)]
    pub priority: i32,
    /// Free-form settings.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub settings: Map<String, Value>,
}

/// Creates a persona instance.
#[utoipa::path(post, path = "/api/personas/instances", tag = "personas", request_body = Create,
    responses((status = 201, description = "created"), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    body: Result<Json<Create>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(request) = body?;
    let mut new = NewInstance::new(request.name, request.persona_type);
    new.project = optional("project", request.project.as_deref())?;
    new.providers = request.providers.iter().map(|p| parsed::<Provider>("providers", p)).collect::<ApiResult<_>>()?;
    new.daily_limit = optional::<Money>("daily_limit", request.daily_limit.as_deref())?;
    new.monthly_limit = optional::<Money>("monthly_limit", request.monthly_limit.as_deref())?;
    new.max_concurrent_tasks = request.max_concurrent_tasks;
    new.priority = request.priority;
    new.settings = request.settings;
    let instance = state.registry.create_instance(new).await?;
    Ok((StatusCode::CREATED, Json(json!({ "instance": instance }))))
}

fn reference(instance: &str) -> InstanceRef {
    InstanceRef::parse(instance, None)
}

/// One instance and the jobs it holds.
#[utoipa::path(get, path = "/api/personas/instances/{instance}", tag = "personas",
    params(("instance" = String, Path, description = "id or name")),
    responses((status = 200, description = "the instance"), (status = 404, body = ErrorBody)))]
pub async fn show(State(state): State<AppState>, Path(instance): Path<String>) -> ApiResult<Json<Value>> {
    let instance = state.registry.get(&reference(&instance)).await?;
    let work = state.registry.open_work(&InstanceRef::Id(instance.id)).await?;
    Ok(Json(json!({ "instance": instance, "open_work": work })))
}

/// `PATCH /api/personas/instances/{instance}`: the fields given change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Update {
    /// A new name.
    pub name: Option<String>,
    /// New providers, as `provider:model`.
    pub providers: Option<Vec<String>>,
    /// A new daily limit (`null` in JSON keeps it; use `"none"` to remove it).
    pub daily_limit: Option<String>,
    /// A new monthly limit (`"none"` removes it).
    pub monthly_limit: Option<String>,
    /// A new capacity.
    pub max_concurrent_tasks: Option<u32>,
    /// A new priority.
    pub priority: Option<i32>,
    /// New settings.
    #[schema(value_type = Option<Object>)]
    pub settings: Option<Map<String, Value>>,
}

fn limit(field: &str, text: Option<&str>) -> ApiResult<Option<Option<Money>>> {
    match text {
        None => Ok(None),
        Some("none") => Ok(Some(None)),
        Some(text) => Ok(Some(Some(parsed(field, text)?))),
    }
}

/// Changes an instance's settings.
#[utoipa::path(patch, path = "/api/personas/instances/{instance}", tag = "personas", request_body = Update,
    params(("instance" = String, Path, description = "id or name")),
    responses((status = 200, description = "updated"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Path(instance): Path<String>,
    body: Result<Json<Update>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let Json(request) = body?;
    let providers = match request.providers {
        Some(list) => Some(list.iter().map(|p| parsed::<Provider>("providers", p)).collect::<ApiResult<Vec<_>>>()?),
        None => None,
    };
    let changes = InstanceChanges {
        name: request.name,
        providers,
        daily_limit: limit("daily_limit", request.daily_limit.as_deref())?,
        monthly_limit: limit("monthly_limit", request.monthly_limit.as_deref())?,
        max_concurrent_tasks: request.max_concurrent_tasks,
        priority: request.priority,
        settings: request.settings,
    };
    let instance = state.registry.update(&reference(&instance), changes).await?;
    Ok(Json(json!({ "instance": instance })))
}

/// Retires an instance for good (the jobs it holds stay with it until they finish).
#[utoipa::path(delete, path = "/api/personas/instances/{instance}", tag = "personas",
    params(("instance" = String, Path, description = "id or name")),
    responses((status = 200, description = "retired"), (status = 404, body = ErrorBody)))]
pub async fn retire(State(state): State<AppState>, Path(instance): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "instance": state.registry.retire(&reference(&instance)).await? })))
}

/// Pauses an instance: it takes no new work.
#[utoipa::path(post, path = "/api/personas/instances/{instance}/pause", tag = "personas",
    params(("instance" = String, Path, description = "id or name")),
    responses((status = 200, description = "paused"), (status = 404, body = ErrorBody)))]
pub async fn pause(State(state): State<AppState>, Path(instance): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "instance": state.registry.pause(&reference(&instance)).await? })))
}

/// Lets a paused instance take work again.
#[utoipa::path(post, path = "/api/personas/instances/{instance}/resume", tag = "personas",
    params(("instance" = String, Path, description = "id or name")),
    responses((status = 200, description = "active"), (status = 404, body = ErrorBody)))]
pub async fn resume(State(state): State<AppState>, Path(instance): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "instance": state.registry.resume(&reference(&instance)).await? })))
}

/// `POST /api/personas/instances/{instance}/assign`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    /// The project (ORGANISATION/PROJECT[/REPO]).
    pub project: String,
}

/// Assigns an unassigned instance to the one project it works for.
#[utoipa::path(post, path = "/api/personas/instances/{instance}/assign", tag = "personas", request_body = Assign,
    params(("instance" = String, Path, description = "id or name")),
    responses((status = 200, description = "assigned"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    Path(instance): Path<String>,
    body: Result<Json<Assign>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let Json(request) = body?;
    let project: Project = parsed("project", &request.project)?;
    Ok(Json(json!({ "instance": state.registry.assign_project(&reference(&instance), &project).await? })))
}

/// Filters of `GET /api/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Only entries about this instance (id or name).
    pub instance: Option<String>,
    /// Only entries about this workflow instance.
    pub workflow_instance: Option<i64>,
    /// Only this kind (routing, approval, veto, escalation, sla-breach, spend, instance-change).
    pub kind: Option<String>,
    /// From this time on (epoch ms).
    pub since_millis: Option<i64>,
    /// Up to this time (epoch ms).
    pub until_millis: Option<i64>,
    /// The newest this many.
    pub limit: Option<u32>,
}

/// The audit log, newest last.
#[utoipa::path(get, path = "/api/audit", tag = "personas", params(AuditParams),
    responses((status = 200, description = "entries"), (status = 400, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    query: Result<Query<AuditParams>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let Query(params) = query?;
    let kinds: Vec<AuditKind> = optional("kind", params.kind.as_deref())?.into_iter().collect();
    let query = AuditQuery {
        instance: params.instance.as_deref().map(reference),
        workflow_instance: params.workflow_instance,
        since_millis: params.since_millis,
        until_millis: params.until_millis,
        kinds,
        limit: params.limit,
    };
    Ok(Json(json!({ "entries": state.registry.audit(&query).await? })))
}
