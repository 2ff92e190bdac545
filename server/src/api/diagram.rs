//! Diagrams. `GET /api/workflows/{id}/diagram`: an instance's diagram (BPMN XML with a layout)
//! and where its tokens are: per element, how many of its element instances are active,
//! completed or terminated, and whether it has an open incident; plus the element history,
//! oldest first. `GET /api/deployments/{key}/diagram`: a deployed version's diagram.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use engine::history::{ElementHistory, Status};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::deployed::DeployedModel;
use crate::error::{ApiError, ApiResult, ErrorBody};

/// The token counts of one element.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ElementState {
    /// The BPMN element id.
    pub element_id: String,
    /// Element instances running now.
    pub active: u32,
    /// Element instances that completed.
    pub completed: u32,
    /// Element instances that were terminated.
    pub terminated: u32,
    /// True while an incident on it is open.
    pub incident: bool,
}

/// The diagram of an instance.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceDiagram {
    /// The instance.
    pub process_instance_key: i64,
    /// Its workflow.
    pub bpmn_process_id: String,
    /// The version it runs.
    pub version: i32,
    /// The BPMN XML, with a diagram.
    pub xml: String,
    /// The elements that had a token, in element id order.
    pub elements: Vec<ElementState>,
    /// The element instances, oldest first (the instance's history).
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<ElementHistory>,
}

/// The instance's diagram with its token states and element history.
#[utoipa::path(get, path = "/api/workflows/{id}/diagram", tag = "workflows", params(("id" = i64, Path, description = "process instance key")),
    responses((status = 200, body = InstanceDiagram), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn instance_diagram(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<InstanceDiagram>> {
    let Path(key) = id?;
    state.feed.sync().await?;
    let (definition, history, elements) = {
        let history = state.feed.history();
        let instance = history.instance(key).ok_or_else(|| {
            ApiError::not_found(format!("no process instance {key}; GET /api/workflows/history lists them"))
        })?;
        let elements: Vec<ElementHistory> =
            history.elements(key).into_iter().filter(|e| e.element_type != "PROCESS").cloned().collect();
        let mut states: BTreeMap<String, ElementState> = BTreeMap::new();
        for element in &elements {
            let entry = states
                .entry(element.element_id.clone())
                .or_insert_with(|| ElementState { element_id: element.element_id.clone(), ..ElementState::default() });
            match element.status {
                Status::Active => entry.active += 1,
                Status::Completed => entry.completed += 1,
                Status::Terminated => entry.terminated += 1,
            }
        }
        for incident in history.incidents(Some(key)).into_iter().filter(|i| i.is_open()) {
            states
                .entry(incident.element_id.clone())
                .or_insert_with(|| ElementState { element_id: incident.element_id.clone(), ..ElementState::default() })
                .incident = true;
        }
        (instance.process_definition_key, elements, states.into_values().collect::<Vec<_>>())
    };
    let model = DeployedModel::by_key(&state.engine, definition)?;
    Ok(Json(InstanceDiagram {
        process_instance_key: key,
        bpmn_process_id: model.bpmn_process_id.clone(),
        version: model.version,
        xml: model.diagram_xml(),
        elements,
        history,
    }))
}

/// The diagram of a deployed version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcessDiagram {
    /// The workflow.
    pub bpmn_process_id: String,
    /// The version.
    pub version: i32,
    /// The process definition key.
    pub process_definition_key: i64,
    /// The BPMN XML, with a diagram.
    pub xml: String,
}

/// A deployed version's diagram.
#[utoipa::path(get, path = "/api/deployments/{key}/diagram", tag = "deployments", params(("key" = i64, Path, description = "process definition key")),
    responses((status = 200, body = ProcessDiagram), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn process_diagram(
    State(state): State<AppState>,
    key: Result<Path<i64>, PathRejection>,
) -> ApiResult<Json<ProcessDiagram>> {
    let Path(key) = key?;
    let model = DeployedModel::by_key(&state.engine, key)?;
    Ok(Json(ProcessDiagram {
        xml: model.diagram_xml(),
        bpmn_process_id: model.bpmn_process_id,
        version: model.version,
        process_definition_key: model.process_definition_key,
    }))
}
