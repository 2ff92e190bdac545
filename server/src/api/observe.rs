//! `/healthz`, `/metrics` and the request counter.

use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;
use crate::metrics::{InstanceLabels, RequestLabels};

/// `GET /healthz`: 200 while the server can read its store.
#[utoipa::path(get, path = "/healthz", tag = "observe", responses((status = 200, description = "healthy")))]
pub async fn health(State(state): State<AppState>) -> Response {
    match state.feed.sync().await {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(error) => error.into_response(),
    }
}

/// `GET /metrics`: the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "observe", responses((status = 200, description = "Prometheus text format")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    if let Ok(instances) = state.registry.list(None, None, None).await {
        for instance in instances {
            let labels = InstanceLabels { instance: instance.name.clone() };
            state.metrics.spend_today.get_or_create(&labels).set(money(&instance.spent_today.decimal()));
            state.metrics.spend_month.get_or_create(&labels).set(money(&instance.spent_this_month.decimal()));
        }
    }
    let _ = state.feed.sync().await;
    state.metrics.count_connections(&state.registry);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.encode()).into_response()
}

fn money(decimal: &str) -> f64 {
    decimal.parse().unwrap_or(0.0)
}

/// Counts every request by its matched route (never the raw path, which holds ids), method and
/// status. Route parameters are written `:id` rather than `{id}`: braces inside a label value
/// trip up some text-format parsers.
pub async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().replace('{', ":").replace('}', ""));
    let method = request.method().to_string();
    let response = next.run(request).await;
    let labels = RequestLabels { route, method, status: response.status().as_u16() };
    state.metrics.api_requests.get_or_create(&labels).inc();
    response
}
