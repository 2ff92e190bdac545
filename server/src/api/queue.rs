//! `GET /api/personas/queue`: the persona jobs that wait for an instance, by persona type and
//! project. A persona job (one with a `persona` header) waits while no worker holds it: it is
//! activatable, or backing off after routing found no free instance (its failure message says
//! why).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use engine::state::JobState;
use personas::routed::{PERSONA_HEADER, PROJECT_VARIABLE};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::AppState;

/// One job waiting for a persona instance.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingJob {
    /// The job key.
    pub job_key: i64,
    /// The process instance it belongs to.
    pub process_instance_key: i64,
    /// That instance's workflow.
    pub bpmn_process_id: String,
    /// The BPMN element that raised it.
    pub element_id: String,
    /// `activatable` (no worker took it yet) or `backing-off` (it waits to be routed again).
    pub state: &'static str,
    /// Why it waits, when routing said (`waiting for a persona instance: ...`).
    pub reason: Option<String>,
}

/// The waiting jobs of one persona type and project.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueRow {
    /// The responsible persona type (the job's `persona` header).
    pub persona_type: String,
    /// The project the work is for (the `project` variable), `None` when the instance sets none.
    pub project: Option<String>,
    /// The jobs, oldest first.
    pub jobs: Vec<WaitingJob>,
}

/// The persona jobs waiting for an instance, by persona type and project.
#[utoipa::path(get, path = "/api/personas/queue", tag = "personas",
    responses((status = 200, description = "{ queue: [QueueRow] }")))]
pub async fn queue(State(state): State<AppState>) -> Json<Value> {
    let rows = state.engine.with(|core| waiting(core.state()));
    Json(json!({ "queue": rows }))
}

/// The waiting persona jobs of `state`, grouped.
fn waiting(state: &engine::state::State) -> Vec<QueueRow> {
    let mut groups: BTreeMap<(String, Option<String>), Vec<WaitingJob>> = BTreeMap::new();
    for (key, job) in state.jobs.iter() {
        let waits = match job.state {
            JobState::Activatable => "activatable",
            JobState::BackingOff => "backing-off",
            JobState::Activated | JobState::Failed | JobState::ErrorThrown => continue,
        };
        let record = &job.record;
        let headers = &record.template.custom_headers;
        let Some((_, persona_type)) = headers.iter().find(|(name, _)| name == PERSONA_HEADER) else { continue };
        let project =
            state.variable(record.element_instance_key, PROJECT_VARIABLE).and_then(Value::as_str).map(str::to_owned);
        groups.entry((persona_type.clone(), project)).or_default().push(WaitingJob {
            job_key: *key,
            process_instance_key: record.process_instance_key,
            bpmn_process_id: record.template.bpmn_process_id.to_string(),
            element_id: record.template.element_id.to_string(),
            state: waits,
            reason: record.failure.as_ref().map(|f| f.message.clone()),
        });
    }
    groups
        .into_iter()
        .map(|((persona_type, project), mut jobs)| {
            jobs.sort_by_key(|j| j.job_key);
            QueueRow { persona_type, project, jobs }
        })
        .collect()
}
