//! The routes. Each submodule holds the handlers of one resource; [`router`] puts them together
//! with auth, request metrics, docs, the console and static files.

pub mod diagram;
pub mod events;
pub mod observe;
pub mod operations;
pub mod personas;
pub mod queue;
pub mod raci;
pub mod retention;
pub mod tasks;
pub mod webhooks;
pub mod workflows;

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::auth::require_token;
use crate::{AppState, ServerConfig, console, docs};

/// The server's routes.
pub fn router(state: AppState, config: &ServerConfig) -> Router {
    let tokens = Arc::new(config.tokens.clone());
    let api = Router::new()
        .route("/api/workflows/execute", post(workflows::execute))
        .route("/api/workflows/status/{id}", get(workflows::status))
        .route("/api/workflows/cancel/{id}", post(workflows::cancel))
        .route("/api/workflows/history", get(workflows::history))
        .route("/api/workflows/{id}/variables", get(workflows::variables).put(workflows::set_variables))
        .route("/api/workflows/{id}/diagram", get(diagram::instance_diagram))
        .route("/api/raci/{workflow}", get(raci::matrix))
        .route("/api/tasks", get(tasks::list))
        .route("/api/tasks/{key}/claim", post(tasks::claim))
        .route("/api/tasks/{key}/complete", post(tasks::complete))
        .route("/api/incidents", get(operations::incidents))
        .route("/api/incidents/{key}/retry", post(operations::retry_incident))
        .route("/api/incidents/{key}/resolve", post(operations::resolve_incident))
        .route("/api/messages", post(operations::publish_message))
        .route("/api/signals", post(operations::broadcast_signal))
        .route("/api/deployments", get(operations::deployments).post(operations::deploy))
        .route("/api/deployments/{key}/diagram", get(diagram::process_diagram))
        .route("/api/history/prune", post(retention::prune))
        .route("/api/personas/types", get(personas::types).post(personas::load_types))
        .route("/api/personas/queue", get(queue::queue))
        .route("/api/personas/instances", get(personas::list).post(personas::create))
        .route(
            "/api/personas/instances/{instance}",
            get(personas::show).patch(personas::update).delete(personas::retire),
        )
        .route("/api/personas/instances/{instance}/pause", post(personas::pause))
        .route("/api/personas/instances/{instance}/resume", post(personas::resume))
        .route("/api/personas/instances/{instance}/assign", post(personas::assign))
        .route("/api/audit", get(personas::audit))
        .route("/api/events", get(events::stream))
        .route_layer(from_fn_with_state(tokens.clone(), require_token));
    let mut open = Router::new()
        .route("/api/webhooks/{source}/{event}", post(webhooks::receive))
        .route("/api/docs", get(docs::page))
        .route("/api/docs/openapi.json", get(docs::json))
        .route("/", get(console::index))
        .route("/console/{*path}", get(console::asset));
    let health = Router::new().route("/healthz", get(observe::health));
    let metrics = Router::new().route("/metrics", get(observe::metrics));
    let guarded = |routes: Router<AppState>, open_route: bool| {
        if open_route { routes } else { routes.route_layer(from_fn_with_state(tokens.clone(), require_token)) }
    };
    open = open.merge(guarded(health, config.open_health)).merge(guarded(metrics, config.open_metrics));
    let mut router = api.merge(open);
    if let Some(dir) = &config.static_dir {
        router = router.nest_service("/ui", ServeDir::new(dir));
    }
    router
        .route_layer(from_fn_with_state(state.clone(), observe::count_requests))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
