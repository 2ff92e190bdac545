//! `POST /api/webhooks/{github|azure-devops}/{event}`: deliveries verified by their signature
//! (GitHub: `X-Hub-Signature-256`, HMAC-SHA256 of the body; Azure DevOps: the basic-auth
//! password), then mapped to a message or a process start by the
//! [`WebhookConfig`](crate::webhook_config::WebhookConfig).

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use engine::PublishMessage;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::auth::Secret;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::repo_starts::{CommitStarts, commits_from_push};
use crate::webhook_config::{AZURE_SECRET_VARIABLE, GITHUB_SECRET_VARIABLE, WebhookAction};

fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
}

/// True when `signature` (`sha256=<hex>`) is the HMAC-SHA256 of `body` under `secret`.
pub fn github_signature_matches(secret: &Secret, body: &[u8], signature: &str) -> bool {
    let Some(Ok(given)) = signature.strip_prefix("sha256=").map(hex::decode) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()) else { return false };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// True when the basic-auth header's password is `secret` (the user name is not checked).
pub fn basic_password_matches(secret: &Secret, authorization: &str) -> bool {
    let Some(encoded) = authorization.strip_prefix("Basic ") else { return false };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else { return false };
    let Some(password) = decoded.iter().position(|b| *b == b':').and_then(|colon| decoded.get(colon + 1..)) else {
        return false;
    };
    bool::from(password.ct_eq(secret.expose().as_bytes()))
}

fn verify(state: &AppState, source: &str, headers: &HeaderMap, body: &[u8]) -> ApiResult<()> {
    let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    match source {
        "github" => {
            let secret = state.webhooks.github_secret.as_ref().ok_or_else(|| {
                unauthorized(format!("GitHub webhooks are off: set {GITHUB_SECRET_VARIABLE} to the webhook's secret"))
            })?;
            if github_signature_matches(secret, body, &header_text("x-hub-signature-256")) {
                Ok(())
            } else {
                Err(unauthorized("the X-Hub-Signature-256 signature does not match the body"))
            }
        }
        "azure-devops" => {
            let secret = state.webhooks.azure_secret.as_ref().ok_or_else(|| {
                unauthorized(format!(
                    "Azure DevOps webhooks are off: set {AZURE_SECRET_VARIABLE} to the hook's password"
                ))
            })?;
            if basic_password_matches(secret, &header_text(header::AUTHORIZATION.as_str())) {
                Ok(())
            } else {
                Err(unauthorized("the basic-auth password is not the webhook secret"))
            }
        }
        other => Err(ApiError::not_found(format!("no webhook source `{other}`; use github or azure-devops"))),
    }
}

/// Verifies a delivery and does what the configuration says for its event: 202 with what was
/// done (`published`, `started` or `ignored`).
#[utoipa::path(post, path = "/api/webhooks/{source}/{event}", tag = "webhooks",
    params(("source" = String, Path, description = "github or azure-devops"), ("event" = String, Path, description = "the event name")),
    responses((status = 202, description = "accepted"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn receive(
    State(state): State<AppState>,
    Path((source, event)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    verify(&state, &source, &headers, &body)?;
    let payload: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("the webhook body is not JSON: {e}")))?;
    let mut variables = Map::new();
    variables.insert("webhook".into(), json!({ "source": source, "event": event, "payload": payload }));
    let done = match state.webhooks.action(&source, &event).cloned() {
        None => {
            json!({ "action": "ignored", "reason": format!("no action for {source} event `{event}` in the webhooks file") })
        }
        Some(WebhookAction::Publish { publish, correlation }) => {
            let key = if correlation.is_empty() {
                String::new()
            } else {
                match payload.pointer(&correlation) {
                    Some(Value::String(text)) => text.clone(),
                    Some(Value::Null) | None => {
                        return Err(ApiError::bad_request(format!(
                            "the payload has nothing at {correlation}, the correlation pointer"
                        )));
                    }
                    Some(other) => other.to_string(),
                }
            };
            let message = PublishMessage::new(publish.clone(), key.clone()).variables(variables);
            let message_key = state.engine.run(|core| core.publish_message(message)).await?;
            json!({ "action": "published", "message": publish, "correlation_key": key, "message_key": message_key })
        }
        Some(WebhookAction::Start { start, inputs }) => {
            let (values, missing) = start_inputs(&inputs, &payload);
            if !inputs.is_empty() {
                variables.insert("inputs".into(), Value::Object(values));
            }
            let created = state.engine.run(|core| core.create_instance(&start, None, variables)).await?;
            json!({ "action": "started", "workflow": start, "process_instance_key": created.process_instance_key,
                    "missing_inputs": missing })
        }
        Some(WebhookAction::StartPerCommit { start_per_commit }) => {
            start_per_commit_of(&state, &start_per_commit, &payload)?
        }
    };
    Ok((StatusCode::ACCEPTED, Json(done)))
}

/// The workflow inputs a start maps from `payload`: each input's JSON pointer (or literal text),
/// and the names of the inputs whose pointer found nothing (left out, so their defaults hold).
fn start_inputs(inputs: &BTreeMap<String, String>, payload: &Value) -> (Map<String, Value>, Vec<String>) {
    let mut values = Map::new();
    let mut missing = Vec::new();
    for (name, source) in inputs {
        let value = if source.starts_with('/') { payload.pointer(source).cloned() } else { Some(json!(source)) };
        match value {
            Some(Value::Null) | None => missing.push(name.clone()),
            Some(value) => {
                values.insert(name.clone(), value);
            }
        }
    }
    (values, missing)
}

/// Starts `process_id` once per commit of a push payload; the commits that already started it
/// (also before a restart, as the log's history says) start nothing.
fn start_per_commit_of(state: &AppState, process_id: &str, payload: &Value) -> ApiResult<Value> {
    let (branch, commits) = commits_from_push(payload).map_err(ApiError::bad_request)?;
    let mut all = state.commit_starts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let starts = all
        .entry(process_id.to_owned())
        .or_insert_with(|| CommitStarts::from_history(process_id, &state.feed.history()));
    let mut started = Vec::new();
    let mut already = Vec::new();
    for commit in &commits {
        match state.engine.with(|core| starts.start(core, commit))? {
            Some(created) => {
                started.push(json!({ "sha": commit.sha, "process_instance_key": created.process_instance_key }))
            }
            None => already.push(commit.sha.clone()),
        }
    }
    Ok(json!({ "action": "started_per_commit", "workflow": process_id, "branch": branch,
               "started": started, "already_started": already }))
}
