//! Incidents, messages, signals and deployments.

use std::time::Duration;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use engine::PublishMessage;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};

/// Open incidents, oldest first.
#[utoipa::path(get, path = "/api/incidents", tag = "incidents", responses((status = 200, description = "open incidents")))]
pub async fn incidents(State(state): State<AppState>) -> Json<Value> {
    let open: Vec<Value> = state.engine.with(|core| {
        core.incidents()
            .into_iter()
            .map(|i| {
                json!({
                    "key": i.key,
                    "error_type": i.error_type.name(),
                    "error_message": i.error_message,
                    "element_id": i.element_id.as_ref(),
                    "element_instance_key": i.element_instance_key,
                    "process_instance_key": i.process_instance_key,
                    "job_key": (i.job_key > 0).then_some(i.job_key),
                })
            })
            .collect()
    });
    Json(json!({ "incidents": open }))
}

/// `POST /api/incidents/{key}/retry`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// The retries the incident's job gets (default 1).
    #[serde(default)]
    pub retries: Option<i32>,
}

/// Gives a job incident's job retries and resolves the incident, so a worker takes it again.
#[utoipa::path(post, path = "/api/incidents/{key}/retry", tag = "incidents", request_body = Retry,
    params(("key" = i64, Path, description = "incident key")),
    responses((status = 200, description = "retried"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn retry_incident(
    State(state): State<AppState>,
    key: Result<Path<i64>, PathRejection>,
    body: Option<Json<Retry>>,
) -> ApiResult<Json<Value>> {
    let Path(key) = key?;
    let retries = body.and_then(|Json(b)| b.retries).unwrap_or(1);
    if retries < 1 {
        return Err(ApiError::bad_request(format!("retries {retries}: give the job at least 1 retry")));
    }
    let job = open_incident(&state, key)?
        .ok_or_else(|| ApiError::bad_request(format!("incident {key} is not about a job; resolve it instead")))?;
    state
        .engine
        .run(|core| {
            core.update_job_retries(job, retries)?;
            core.resolve_incident(key)
        })
        .await?;
    Ok(Json(json!({ "resolved_incident": key, "job_key": job, "retries": retries })))
}

/// The job of an open incident (`None` when it is not about a job), or 404.
fn open_incident(state: &AppState, key: i64) -> ApiResult<Option<i64>> {
    let incident = state.engine.with(|core| core.incidents().into_iter().find(|i| i.key == key));
    let incident = incident
        .ok_or_else(|| ApiError::not_found(format!("no open incident {key}; GET /api/incidents lists them")))?;
    Ok(Some(incident.job_key).filter(|k| *k > 0))
}

/// Resolves an incident: the failed step runs again.
#[utoipa::path(post, path = "/api/incidents/{key}/resolve", tag = "incidents", params(("key" = i64, Path, description = "incident key")),
    responses((status = 200, description = "resolved"), (status = 404, body = ErrorBody)))]
pub async fn resolve_incident(
    State(state): State<AppState>,
    key: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<Value>> {
    let Path(key) = key?;
    open_incident(&state, key)?;
    state.engine.run(|core| core.resolve_incident(key)).await?;
    Ok(Json(json!({ "resolved_incident": key })))
}

/// `POST /api/messages`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// The message name.
    pub name: String,
    /// The correlation key.
    #[serde(default)]
    pub correlation_key: String,
    /// The payload.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub variables: Map<String, Value>,
    /// How long the message stays buffered, in milliseconds (default 0).
    #[serde(default)]
    pub time_to_live_ms: u64,
    /// Makes publishing idempotent while the message is buffered.
    #[serde(default)]
    pub message_id: Option<String>,
}

/// Publishes a message.
#[utoipa::path(post, path = "/api/messages", tag = "events", request_body = Message,
    responses((status = 201, description = "published"), (status = 400, body = ErrorBody)))]
pub async fn publish_message(
    State(state): State<AppState>,
    body: Result<Json<Message>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(message) = body?;
    if message.name.trim().is_empty() {
        return Err(ApiError::bad_request("the message needs a name"));
    }
    let mut publish = PublishMessage::new(message.name, message.correlation_key)
        .time_to_live(Duration::from_millis(message.time_to_live_ms))
        .variables(message.variables);
    if let Some(id) = message.message_id {
        publish = publish.message_id(id);
    }
    let key = state.engine.run(|core| core.publish_message(publish)).await?;
    Ok((StatusCode::CREATED, Json(json!({ "message_key": key }))))
}

/// `POST /api/signals`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Signal {
    /// The signal name.
    pub name: String,
    /// The payload.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub variables: Map<String, Value>,
}

/// Broadcasts a signal.
#[utoipa::path(post, path = "/api/signals", tag = "events", request_body = Signal,
    responses((status = 201, description = "broadcast"), (status = 400, body = ErrorBody)))]
pub async fn broadcast_signal(
    State(state): State<AppState>,
    body: Result<Json<Signal>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(signal) = body?;
    if signal.name.trim().is_empty() {
        return Err(ApiError::bad_request("the signal needs a name"));
    }
    let key = state.engine.run(|core| core.broadcast_signal(&signal.name, signal.variables)).await?;
    Ok((StatusCode::CREATED, Json(json!({ "signal_key": key }))))
}

/// Deployed process versions, oldest first.
#[utoipa::path(get, path = "/api/deployments", tag = "deployments", responses((status = 200, description = "deployed processes")))]
pub async fn deployments(State(state): State<AppState>) -> Json<Value> {
    let processes: Vec<Value> = state.engine.with(|core| core.processes().iter().map(process_json).collect());
    Json(json!({ "processes": processes }))
}

/// A deployed process version as the deployment routes answer it.
fn process_json(p: &engine::ProcessMetadata) -> Value {
    json!({
        "bpmn_process_id": p.bpmn_process_id,
        "version": p.version,
        "process_definition_key": p.process_definition_key,
        "resource_name": p.resource_name,
    })
}

/// One file to deploy.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// The file name: `.yaml`/`.yml` is a workflow in the YAML dialect, `.bpmn` BPMN XML.
    pub name: String,
    /// The file's text.
    pub content: String,
}

/// `POST /api/deployments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Deploy {
    /// The files, deployed together: any error deploys none.
    pub resources: Vec<Resource>,
}

/// Compiles the YAML workflows and deploys them with the BPMN files, all or nothing.
#[utoipa::path(post, path = "/api/deployments", tag = "deployments", request_body = Deploy,
    responses((status = 201, description = "deployed"), (status = 400, body = ErrorBody)))]
pub async fn deploy(
    State(state): State<AppState>,
    body: Result<Json<Deploy>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let Json(request) = body?;
    let Compiled { models, warnings } = compile(&request.resources)?;
    let deployment = state
        .engine
        .run(|core| {
            let resources: Vec<(&str, &bpmn::Definitions)> = models.iter().map(|(n, d)| (n.as_str(), d)).collect();
            core.deploy_models(&resources)
        })
        .await?;
    let processes: Vec<Value> = deployment.processes.iter().map(process_json).collect();
    let body = json!({ "deployment_key": deployment.key, "processes": processes, "warnings": warnings });
    Ok((StatusCode::CREATED, Json(body)))
}

/// The models of a deployment's resources, and what was repaired or is worth a look in them.
struct Compiled {
    models: Vec<(String, bpmn::Definitions)>,
    /// Located warnings (`name:line:column: warning: ...`).
    warnings: Vec<String>,
}

/// The models of the resources ([`yaml_to_bpmn::resources`]), or 400 with every located error.
fn compile(resources: &[Resource]) -> ApiResult<Compiled> {
    if resources.is_empty() {
        return Err(ApiError::bad_request("no resources to deploy; give at least one {name, content}"));
    }
    let resources: Vec<yaml_to_bpmn::resources::Resource> = (resources.iter())
        .map(|r| yaml_to_bpmn::resources::Resource { name: r.name.clone(), bytes: r.content.clone().into_bytes() })
        .collect();
    match yaml_to_bpmn::resources::load(&resources, yaml_to_bpmn::resources::YamlAs::AloneWhenOne) {
        Ok(mut loaded) => {
            let warnings = std::mem::take(&mut loaded.warnings);
            Ok(Compiled { models: loaded.definitions(), warnings })
        }
        Err(errors) => Err(ApiError::bad_request(format!("{}\nnothing was deployed", errors.join("\n")))),
    }
}
