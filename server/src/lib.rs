//! The orchestrator's HTTP server, as a library so Rust services can embed it.
//!
//! A [`Server`] serves one embedded engine ([`engine::Engine`], opened durably on a store by
//! the caller), the persona registry in the same store ([`personas::Registry`]) and live events
//! read from the store's log ([`feed`]). Its [`Server::router`] is an [`axum::Router`]:
//!
//! - `/api/...`: the JSON REST API ([`api`]): workflows (execute, status, cancel, history,
//!   variables), incidents, messages, signals, deployments, persona types and instances, the
//!   audit log, and `/api/events` (server-sent events). Every route needs
//!   `Authorization: Bearer <token>` ([`auth`]); a read-only token may only `GET`.
//!   Errors are `{ "error": { "code", "message" } }` with the matching status ([`error`]).
//! - `/api/webhooks/{github|azure-devops}/{event}`: signed webhooks ([`api::webhooks`]),
//!   authenticated by their signature instead of a bearer token.
//! - `/api/docs` and `/api/docs/openapi.json`: the OpenAPI document ([`docs`]), open.
//! - `/healthz` and `/metrics` ([`metrics`]): open unless [`ServerConfig`] closes them.
//! - `/` and `/console/...`: the web console ([`console`]), embedded in the binary; its pages
//!   call the API with the token the user gives them.
//! - `/ui/...`: static files from [`ServerConfig::static_dir`] when set (the place for a web
//!   console).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use server::{Server, ServerConfig, auth::{Secret, Tokens}};
//!
//! let store = "target/example.db";
//! let core = engine::EngineCore::open(engine::store::open(store)?, Arc::new(engine::SystemClock))?;
//! let engine = engine::Engine::new(core);
//! let registry = personas::Registry::open(store, Arc::new(engine::SystemClock)).await?;
//! let tokens = Tokens { operator: Secret::new("change-me").expect("a token"), read_only: None };
//! let server = Server::start(engine, registry, store, ServerConfig::new(tokens)).await?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! server.serve(listener, async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(())
//! # }
//! ```
//!
//! The job handlers are the caller's: run a [`workers::WorkerRuntime`] on a
//! [`workers::EmbeddedClient`] of [`Server::engine`] beside the server.

pub mod api;
pub mod auth;
pub mod console;
pub mod deployed;
pub mod docs;
pub mod error;
pub mod feed;
pub mod metrics;
pub mod repo_starts;
pub mod webhook_config;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::serve::ListenerExt;
use engine::Engine;
use personas::Registry;
use tokio::net::TcpListener;

use auth::Tokens;
use feed::Feed;
use metrics::Metrics;
use webhook_config::WebhookConfig;

/// How often the engine's timers are fired and the log is read for live events.
const BEAT: Duration = Duration::from_millis(100);

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The accepted bearer tokens.
    pub tokens: Tokens,
    /// `/healthz` without a token (default true).
    pub open_health: bool,
    /// `/metrics` without a token (default true).
    pub open_metrics: bool,
    /// The webhook secrets and what each event does.
    pub webhooks: WebhookConfig,
    /// Static files served under `/ui/` (beside the built-in console at `/`), if any.
    pub static_dir: Option<PathBuf>,
}

impl ServerConfig {
    /// Open health and metrics, no webhooks, no static files.
    pub fn new(tokens: Tokens) -> Self {
        Self { tokens, open_health: true, open_metrics: true, webhooks: WebhookConfig::default(), static_dir: None }
    }
}

/// Why the server could not start or serve.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The store could not be read.
    #[error("{0}")]
    Store(#[from] engine::store::StoreError),
    /// The listener failed.
    #[error("the HTTP listener failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The engine.
    pub engine: Engine,
    /// The persona registry.
    pub registry: Registry,
    /// The log follower.
    pub feed: Arc<Feed>,
    /// The metrics.
    pub metrics: Arc<Metrics>,
    /// The webhook configuration.
    pub webhooks: Arc<WebhookConfig>,
    /// Per process id, the commits that started it (webhook `start_per_commit`), made from the
    /// log's history on first use.
    pub commit_starts: Arc<std::sync::Mutex<std::collections::BTreeMap<String, repo_starts::CommitStarts>>>,
}

/// A running server: the engine's ticker and the log follower run from [`Server::start`] on.
#[derive(Debug)]
pub struct Server {
    state: AppState,
    config: ServerConfig,
    background: Vec<tokio::task::JoinHandle<()>>,
}

impl Server {
    /// Starts serving `engine` and `registry`, which live in the store at `store_location` (a
    /// SQLite path or a PostgreSQL URL; the log is read through a read-only connection of its
    /// own). Spawns the engine's timer ticker and the log follower on the current runtime.
    pub async fn start(
        engine: Engine,
        registry: Registry,
        store_location: &str,
        config: ServerConfig,
    ) -> Result<Self, ServerError> {
        let metrics = Arc::new(Metrics::new());
        let reader = engine::store::open_read_only(store_location)?;
        metrics.count_connections(&registry);
        let feed = Arc::new(Feed::new(reader, metrics.clone()));
        let state = AppState {
            engine: engine.clone(),
            registry,
            feed: feed.clone(),
            metrics,
            webhooks: Arc::new(config.webhooks.clone()),
            commit_starts: Arc::default(),
        };
        if let Err(error) = feed.sync().await {
            tracing::warn!(%error, "could not read the store's log");
        }
        let ticker = engine.spawn_ticker(BEAT);
        let follower = tokio::spawn(follow(state.clone()));
        Ok(Self { state, config, background: vec![ticker, follower] })
    }

    /// The engine (for a worker runtime beside the server).
    pub fn engine(&self) -> &Engine {
        &self.state.engine
    }

    /// The shared state of the handlers.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The routes: the API, webhooks, docs, health, metrics and static files.
    pub fn router(&self) -> Router {
        api::router(self.state.clone(), &self.config)
    }

    /// Serves HTTP on `listener` until `shutdown` completes, then stops the background tasks.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        // Without TCP_NODELAY a small answer written in two parts waits for the client's
        // delayed acknowledgement (tens of milliseconds per request).
        let listener = listener.tap_io(|connection| {
            if let Err(error) = connection.set_nodelay(true) {
                tracing::warn!(%error, "could not set TCP_NODELAY");
            }
        });
        let served = axum::serve(listener, self.router()).with_graceful_shutdown(shutdown).await;
        for task in &self.background {
            task.abort();
        }
        Ok(served?)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for task in &self.background {
            task.abort();
        }
    }
}

/// Reads the log and the audit log on every beat, so live events go out as they happen.
async fn follow(state: AppState) {
    let mut beat = tokio::time::interval(BEAT);
    loop {
        beat.tick().await;
        if let Err(error) = state.feed.sync().await {
            tracing::warn!(%error, "could not read the store's log");
        }
        match state.registry.audit(&state.feed.audit_query()).await {
            Ok(entries) => state.feed.audit(&entries),
            Err(error) => tracing::warn!(%error, "could not read the audit log"),
        }
    }
}
