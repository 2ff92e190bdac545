//! `persona-worker run`: the job workers, the metrics endpoint and the shutdown signals.

use std::sync::Arc;

use engine::SystemClock;
use personas::Registry;
use tokio::signal::unix::{SignalKind, signal};
use workers::{CancellationToken, WorkerRuntime};

use crate::cli::{EXIT_CONFIG, EXIT_OK, RunArgs};
use crate::config::{self, Environment};
use crate::metrics::PrometheusMetrics;
use crate::{connect, handlers, metrics_server};

/// Runs until SIGTERM or SIGINT and returns the exit code.
pub async fn run(args: RunArgs) -> u8 {
    let mut settings = match config::load(&args.config, &Environment::from_process()) {
        Ok(settings) => settings,
        Err(error) => return refuse(&error.to_string()),
    };
    if args.metrics_addr.is_some() {
        settings.metrics_addr = args.metrics_addr;
    }
    let client = match connect::client(&settings.connection) {
        Ok(client) => client,
        Err(error) => return refuse(&error.to_string()),
    };
    let metrics = Arc::new(PrometheusMetrics::new());
    if let Some(addr) = settings.metrics_addr {
        match metrics_server::start(addr, metrics.clone()).await {
            Ok(bound) => tracing::info!(address = %bound, "serving Prometheus metrics at /metrics"),
            Err(problem) => return refuse(&problem),
        }
    }
    for job_type in settings.jobs.keys() {
        metrics.track(job_type);
    }
    let registry = match &settings.routing {
        Some(routing) => match Registry::open(&routing.store, Arc::new(SystemClock)).await {
            Ok(registry) => {
                tracing::info!(store = registry.location(), project = ?routing.project.as_ref().map(ToString::to_string), "routing persona jobs through the registry");
                Some(registry)
            }
            Err(error) => return refuse(&format!("routing.store: {error}")),
        },
        None => None,
    };
    let mut runtime =
        WorkerRuntime::new(Arc::new(client)).worker_name(settings.worker_name.clone()).metrics(metrics.clone());
    for (job_type, subscription) in &settings.jobs {
        tracing::info!(job_type, handler = ?subscription.handler, max_jobs_active = subscription.options.max_jobs_active, timeout = ?subscription.options.timeout, "subscribing");
        let handler = match handlers::build(job_type, subscription, settings.actions.as_ref()) {
            Ok(handler) => handler,
            Err(problem) => return refuse(&problem),
        };
        let handler = match (&registry, &settings.routing) {
            (Some(registry), Some(routing)) => handlers::routed(handler, registry, routing),
            _ => handler,
        };
        runtime = runtime.register_with(job_type.clone(), handler, subscription.options.clone());
    }
    let shutdown = CancellationToken::new();
    if let Err(problem) = listen_for_signals(shutdown.clone()) {
        return refuse(&problem);
    }
    tracing::info!(gateway = %settings.connection.address, oauth = settings.connection.oauth.is_some(), "persona-worker started");
    match runtime.run(shutdown).await {
        Ok(()) => {
            for job_type in settings.jobs.keys() {
                let [activated, completed, failed, errored] = metrics.totals(job_type);
                tracing::info!(job_type, activated, completed, failed, errored, "jobs handled");
            }
            tracing::info!("persona-worker stopped; every job in flight was finished and reported");
            EXIT_OK
        }
        Err(error) => refuse(&error.to_string()),
    }
}

/// Logs a configuration problem and gives its exit code.
fn refuse(problem: &str) -> u8 {
    tracing::error!("{problem}");
    eprintln!("error: {problem}");
    EXIT_CONFIG
}

/// Cancels `shutdown` on the first SIGTERM or SIGINT.
fn listen_for_signals(shutdown: CancellationToken) -> Result<(), String> {
    let listen =
        |kind: SignalKind, name: &str| signal(kind).map_err(|error| format!("cannot listen for {name}: {error}"));
    let mut terminate = listen(SignalKind::terminate(), "SIGTERM")?;
    let mut interrupt = listen(SignalKind::interrupt(), "SIGINT")?;
    tokio::spawn(async move {
        let name = tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        };
        tracing::info!(signal = name, "stopping: no more jobs are activated; finishing the jobs in flight");
        shutdown.cancel();
    });
    Ok(())
}
