//! `GET /api/raci/{workflow}`: who is Responsible, Accountable, Consulted and Informed for each
//! step of a deployed workflow, read from its compiled model.
//!
//! The compiler marks every task it writes for a step with the header `stepId`: the work
//! itself (a service task with the `persona`/`responsible` headers, or for `human: true` a user
//! task whose candidate groups are the responsible personas), the `consult` and `approve`
//! multi-instance tasks (their collections list the consulted and accountable personas; the
//! headers `minApprovals` and `veto`), the `notify` task of type `raci-informed` (header
//! `target`) and the `escalate` task (headers `after` and `escalateTo`). A task without
//! `stepId` (a hand-written BPMN model) is a step of its own.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;
use yaml_to_bpmn::raci::Row;

use crate::AppState;
use crate::deployed::{DeployedModel, TaskInfo};
use crate::error::{ApiResult, ErrorBody};

/// The matrix of one workflow version.
#[derive(Debug, Serialize, ToSchema)]
pub struct RaciMatrix {
    /// The workflow.
    pub bpmn_process_id: String,
    /// The version read.
    pub version: i32,
    /// One row per step, in document order.
    pub rows: Vec<Row>,
}

/// The RACI matrix of the latest version of a deployed workflow.
#[utoipa::path(get, path = "/api/raci/{workflow}", tag = "workflows",
    params(("workflow" = String, Path, description = "BPMN process id")),
    responses((status = 200, body = RaciMatrix), (status = 404, body = ErrorBody)))]
pub async fn matrix(State(state): State<AppState>, Path(workflow): Path<String>) -> ApiResult<Json<RaciMatrix>> {
    let model = DeployedModel::latest(&state.engine, &workflow)?;
    Ok(Json(RaciMatrix {
        bpmn_process_id: model.bpmn_process_id.clone(),
        version: model.version,
        rows: rows(&model.bpmn_process_id, &model.tasks()),
    }))
}

/// The rows of these tasks of `workflow`, grouped by step (the model does not say which phase
/// a step is in).
pub fn rows(workflow: &str, tasks: &[TaskInfo]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    // Script tasks that record votes and advice: nobody does them.
    for task in tasks.iter().filter(|t| t.job_type.is_some() || t.user_task) {
        let step = task.headers.get("stepId").cloned().unwrap_or_else(|| task.id.clone());
        let index = match rows.iter().position(|r| r.step == step) {
            Some(index) => index,
            None => {
                rows.push(Row { workflow: workflow.to_owned(), step, ..Row::default() });
                rows.len() - 1
            }
        };
        add(&mut rows[index], task);
    }
    rows
}

fn list(text: Option<&String>) -> Vec<String> {
    text.map(|t| t.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()).unwrap_or_default()
}

/// Adds what `task` says about its step to `row`.
fn add(row: &mut Row, task: &TaskInfo) {
    let header = |key: &str| task.headers.get(key);
    match (task.job_type.as_deref(), header("raci").map(String::as_str)) {
        (Some("consult"), Some("consulted")) => row.consulted = task.each_of.clone(),
        (Some("approve"), Some("accountable")) => {
            row.accountable = task.each_of.clone();
            row.min_approvals = header("minApprovals").and_then(|n| n.parse().ok()).unwrap_or(1);
            row.veto = list(header("veto"));
        }
        (Some("notify"), _) if header("type").is_some_and(|t| t == "raci-informed") => {
            row.informed = list(header("target"));
        }
        (Some("escalate"), _) if header("kind").is_some_and(|k| k == "raci-timeout") => {
            let after = header("after").cloned().unwrap_or_default();
            let to = header("escalateTo").cloned().unwrap_or_default();
            row.escalation = Some(format!("{after} -> {to}"));
        }
        _ => {
            row.name = task.name.clone();
            row.job_type = task.job_type.clone();
            row.human = task.user_task;
            row.responsible = if task.user_task && !task.candidate_groups.is_empty() {
                task.candidate_groups.clone()
            } else {
                let mut responsible = list(header("responsible"));
                if responsible.is_empty() {
                    responsible = header("persona").cloned().into_iter().collect();
                }
                responsible
            };
        }
    }
}
