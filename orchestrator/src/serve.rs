//! `serve`: the engine, its timers and the in-process job handlers (as `run` has them) behind
//! the HTTP API of the `server` crate, until Ctrl-C or SIGTERM.
//!
//! The engine takes the store's owner lock, so reading commands (`status`, `history`,
//! `personas list`, `audit`) work beside it while a second `run` or `serve` is refused.

use std::io::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use actions::{Scenario, SimulateHandler};
use engine::store::SharedConnection;
use engine::{Engine, SystemClock};
use personas::Project;
use server::auth::{TokenSource, Tokens};
use server::webhook_config::WebhookConfig;
use server::{Server, ServerConfig};
use workers::{CancellationToken, EmbeddedClient, WorkerOptions, WorkerRuntime};

use crate::cli::ServeArgs;
use crate::deploy;
use crate::failure::{Failure, Result};
use crate::run::SNAPSHOT_EVERY;
use crate::run::console::Console;
use crate::run::handlers::{self, Mode};
use crate::run::routing::Routing;
use crate::run::settings::ActionSettings;
use crate::store::StoreLocation;

/// How often the handlers poll for jobs when none came.
const POLL: Duration = Duration::from_millis(100);

/// `serve`.
pub fn serve(store: &StoreLocation, args: &ServeArgs) -> Result<ExitCode> {
    let webhooks = webhooks(args)?;
    let mut settings = match &args.actions {
        Some(file) => ActionSettings {
            settings: actions::Settings::read_file(file).map_err(|e| Failure::Usage(e.to_string()))?,
            all_real: true,
        },
        None => ActionSettings { settings: actions::Settings::default(), all_real: false },
    };
    let models = if args.deploy.is_empty() { None } else { Some(deploy::load(&args.deploy)?) };
    // Persona routing (--project) uses the engine's own connection on a SQLite store.
    let (mut core, shared) = store.open_engine_sharing(Arc::new(SystemClock))?;
    // The job workers run in this process: jobs still activated were held by one that died.
    let released = core
        .release_activated_jobs()
        .map_err(|e| Failure::engine(e, "the store could not record the release; check the disk and run again"))?;
    if released > 0 {
        println!("{released} jobs that an earlier process held when it stopped are free again");
    }
    if let Some(models) = &models {
        let deployment = deploy::deploy(&mut core, models)?;
        let versions: Vec<String> =
            deployment.processes.iter().map(|p| format!("{} v{}", p.bpmn_process_id, p.version)).collect();
        println!("deployed {} processes: {}", versions.len(), versions.join(", "));
    }
    let (tokens, source) = Tokens::load(&store.token_file()).map_err(Failure::Failed)?;
    match &source {
        TokenSource::Environment => println!("API token: from {}", server::auth::TOKEN_VARIABLE),
        TokenSource::File(path) => println!("API token: the one in {}", path.display()),
        TokenSource::Generated(path) => println!(
            "API token (shown this once; kept in {} readable only by you): {}",
            path.display(),
            tokens.operator.expose()
        ),
    }
    let config = ServerConfig {
        tokens,
        open_health: !args.protect_health,
        open_metrics: !args.protect_metrics,
        webhooks,
        static_dir: args.static_dir.clone(),
    };
    let mode = if args.simulate {
        let mut scenario = Scenario::default();
        if let Some(seed) = args.seed {
            scenario.seed = seed;
        }
        Mode::Simulate(Arc::new(SimulateHandler::new(scenario)), None)
    } else {
        Mode::DryRun
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Failed(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let registry = store.open_registry().await?;
        let server = Server::start(Engine::new(core), registry, store.as_str(), config)
            .await
            .map_err(|e| Failure::Failed(e.to_string()))?;
        let listener = tokio::net::TcpListener::bind(args.listen).await.map_err(|e| {
            Failure::Failed(format!("cannot listen on {}: {e}; choose another --listen address", args.listen))
        })?;
        let address =
            listener.local_addr().map_err(|e| Failure::Failed(format!("the listener has no address: {e}")))?;
        // The signal handlers go in before the address is printed, so a stop sent as soon as it
        // appears is not lost.
        let stop = stop_signal();
        let _address_file = AddressFile::write(store, address);
        println!(
            "serving on http://{address} (console: http://{address}/, API docs: http://{address}/api/docs); Ctrl-C stops"
        );
        let engine = server.engine().clone();
        let console = Console::stdout(false);
        let options =
            WorkerOptions { request_timeout: Duration::from_secs(1), poll_interval: POLL, ..WorkerOptions::default() };
        let workers =
            WorkerRuntime::new(Arc::new(EmbeddedClient::new(engine.clone()))).worker_name(args.worker.as_str());
        let routing = match &args.project {
            Some(project) => Some(routing(store, shared, args, project.clone(), &engine, &mut settings).await?),
            None => None,
        };
        let workers = handlers::register(workers, &console, &options, &mode, &settings, routing.as_ref())?;
        let shutdown = CancellationToken::new();
        let running = tokio::spawn(workers.run(shutdown.clone()));
        let pools = routing.map(|routing| tokio::spawn(reconcile_pools(routing, shutdown.clone())));
        let upkeep = tokio::spawn(upkeep(engine.clone(), args.retention, shutdown.clone()));
        let served = server.serve(listener, stop).await;
        shutdown.cancel();
        if let Some(pools) = pools {
            let _ = pools.await;
        }
        let _ = upkeep.await;
        if let Ok(Err(error)) = running.await {
            eprintln!("the job handlers could not run: {error}");
        }
        if let Err(error) = engine.with(|core| core.snapshot()) {
            eprintln!("could not store a snapshot (the log is intact; the next open replays it): {error}");
        }
        served.map_err(|e| Failure::Failed(e.to_string()))?;
        // Whoever read the output may be gone by now; a closed stdout is no reason to fail.
        let _ = writeln!(std::io::stdout(), "stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// How often `--retention` is applied (a multiple of [`SNAPSHOT_EVERY`]).
const RETENTION_EVERY: Duration = Duration::from_secs(3_600);

/// The store's upkeep while serve runs, until `shutdown`: a snapshot every [`SNAPSHOT_EVERY`], so
/// a serve that is killed reopens by replaying minutes of log rather than all of it; and with
/// `--retention`, at start and then every [`RETENTION_EVERY`] in place of that snapshot, the
/// history of the instances that ended longer ago than `keep` is pruned. Prints what each
/// pruning removed.
async fn upkeep(engine: Engine, retention: Option<Duration>, shutdown: CancellationToken) {
    let prune_every = (RETENTION_EVERY.as_secs() / SNAPSHOT_EVERY.as_secs()).max(1);
    let mut every = tokio::time::interval(SNAPSHOT_EVERY);
    for tick in 0u64.. {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = every.tick() => {}
        }
        let engine = engine.clone();
        match retention.filter(|_| tick % prune_every == 0) {
            Some(keep) => {
                let pruned = tokio::task::spawn_blocking(move || engine.with(|core| core.apply_retention(keep))).await;
                match pruned {
                    Ok(Ok(Some(report))) => println!(
                        "retention: removed the history of {} ended instances ({} records); the log through position {} went from {} to {} bytes",
                        report.instances, report.records, report.through, report.bytes_before, report.bytes_after
                    ),
                    Ok(Ok(None)) => return,
                    Ok(Err(error)) => eprintln!("retention: could not prune the history (the log is intact): {error}"),
                    Err(error) => eprintln!("retention: the pruning stopped: {error}"),
                }
            }
            // The first tick is at once: nothing to snapshot yet that opening did not just read.
            None if tick == 0 => {}
            None => {
                if let Err(error) = engine.with(|core| core.snapshot()) {
                    eprintln!("could not store a snapshot (the log is intact; the next open replays it): {error}");
                }
            }
        }
    }
}

/// `--project` (and `--pools`): persona jobs routed through the registry beside the served
/// engine (through its connection, `shared`, on a SQLite store), its spend gate on the `llm`
/// action, and the pools brought to their minimum.
async fn routing(
    store: &StoreLocation,
    shared: Option<SharedConnection>,
    args: &ServeArgs,
    project: Project,
    engine: &Engine,
    settings: &mut ActionSettings,
) -> Result<Routing> {
    let mut routing = Routing::open(store, shared, Arc::new(SystemClock), project).await?;
    routing.gate_spend(&mut settings.settings, args.actions.as_deref())?;
    let settled = match &args.pools {
        Some(file) => routing.pools(file).await?,
        None => Vec::new(),
    };
    println!("{}", routing.describe());
    settled.iter().for_each(|change| println!("{change}"));
    Ok(routing.watching(engine))
}

/// Reconciles the pools every [`POLL`] until `shutdown`, printing each change.
async fn reconcile_pools(routing: Routing, shutdown: CancellationToken) {
    let mut beat = tokio::time::interval(POLL);
    while !shutdown.is_cancelled() {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = beat.tick() => {}
        }
        for change in routing.reconcile_pools().await {
            println!("{change}");
        }
    }
}

/// The store's serve file ([`StoreLocation::serve_file`]) while `serve` listens: the commands
/// that change state find the server through it. Removed when `serve` stops.
struct AddressFile(Option<PathBuf>);

impl AddressFile {
    /// Writes the address to reach `listening` at (the loopback address when it listens on
    /// every interface). A failure is shown, not fatal: commands then refuse to change the store
    /// while `serve` runs, as before.
    fn write(store: &StoreLocation, listening: SocketAddr) -> Self {
        let mut reach = listening;
        if reach.ip().is_unspecified() {
            reach.set_ip(if reach.is_ipv4() { Ipv4Addr::LOCALHOST.into() } else { Ipv6Addr::LOCALHOST.into() });
        }
        let path = store.serve_file();
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(folder);
        }
        match std::fs::write(&path, format!("http://{reach}\n")) {
            Ok(()) => Self(Some(path)),
            Err(error) => {
                eprintln!(
                    "could not write {} ({error}): other commands cannot send their changes to this serve",
                    path.display()
                );
                Self(None)
            }
        }
    }
}

impl Drop for AddressFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The webhook secrets (environment) and actions (`--webhooks FILE`).
fn webhooks(args: &ServeArgs) -> Result<WebhookConfig> {
    let Some(path) = &args.webhooks else { return WebhookConfig::from_env_and_yaml("", None).map_err(Failure::Usage) };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("{name}: cannot read the webhooks file: {e}")))?;
    WebhookConfig::from_env_and_yaml(&name, Some(&text)).map_err(Failure::Usage)
}

/// Completes on Ctrl-C or, on Unix, SIGTERM. On Unix both handlers are installed by the call
/// itself, not on first poll.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            match (interrupt, terminate) {
                (Some(mut interrupt), Some(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
