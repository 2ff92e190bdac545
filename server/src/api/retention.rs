//! `POST /api/history/prune`: the retention policy applied to the running engine's store.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use feel::duration::IsoDuration;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};

/// `POST /api/history/prune`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Prune {
    /// How long the history of an ended instance is kept, counted from its end: `30d`, `12h` or
    /// ISO 8601 (`P30D`).
    pub keep: String,
}

/// Takes a snapshot, then removes from the log before it the history of every process instance
/// that ended (completed or terminated) longer ago than `keep`. Running instances, instances
/// that ended later, and deployments are kept; the state is untouched. Answers with what was
/// removed: `instances`, `records`, `batches_rewritten`, `bytes_before`, `bytes_after` and
/// `through` (the snapshot's log position). The engine waits for it, so run it when the load is low.
#[utoipa::path(post, path = "/api/history/prune", tag = "history", request_body = Prune,
    responses((status = 200, description = "what was removed"), (status = 400, body = ErrorBody)))]
pub async fn prune(State(state): State<AppState>, body: Result<Json<Prune>, JsonRejection>) -> ApiResult<Json<Value>> {
    let Json(body) = body?;
    let keep = IsoDuration::parse_length(&body.keep).map_err(|e| ApiError::bad_request(format!("keep: {e}")))?;
    let engine = state.engine.clone();
    let pruned = tokio::task::spawn_blocking(move || engine.with(|core| core.apply_retention(keep)))
        .await
        .map_err(|e| ApiError::internal(format!("pruning stopped: {e}")))??;
    let report = pruned.ok_or_else(|| {
        ApiError::bad_request("this engine keeps no record log (it runs in memory), so it has no history to prune")
    })?;
    Ok(Json(serde_json::to_value(report).map_err(|e| ApiError::internal(e.to_string()))?))
}
