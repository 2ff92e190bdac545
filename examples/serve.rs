//! The HTTP server embedded in a Rust program: a durable SQLite engine, the persona registry,
//! the simulate handler doing the persona jobs, and the server on 127.0.0.1 (a free port). The
//! program then uses its own API as a client would: it deploys wf3 branch creation, starts it
//! for a work item, follows its status until it completes and prints the element count.
//!
//! `cargo run --example serve` (the token is `ORCHESTRATOR_TOKEN`, else an example one; the
//! store is `target/serve-example.db`).

use std::sync::Arc;
use std::time::Duration;

use actions::{Scenario, SimulateHandler};
use engine::{Engine, EngineCore, SystemClock};
use serde_json::{Value, json};
use server::auth::{Secret, Tokens};
use server::{Server, ServerConfig};
use workers::handlers::{SET_VARIABLE, SetVariableHandler};
use workers::{CancellationToken, EmbeddedClient, WorkerRuntime};

const STORE: &str = "target/serve-example.db";

/// The job types of the project's workflows that the simulated personas take.
const PERSONA_JOBS: [&str; 9] =
    ["log", "shell-command", "git-operation", "azure-devops", "llm", "notify", "approve", "consult", "escalate"];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all("target")?;
    let core = EngineCore::open(engine::store::open(STORE)?, Arc::new(SystemClock))?;
    let engine = Engine::new(core);
    let registry = personas::Registry::open(STORE, Arc::new(SystemClock)).await?;
    let token = std::env::var("ORCHESTRATOR_TOKEN").unwrap_or_else(|_| "example-token".into());
    let tokens = Tokens { operator: Secret::new(token.clone()).ok_or("ORCHESTRATOR_TOKEN is empty")?, read_only: None };
    let server = Server::start(engine.clone(), registry, STORE, ServerConfig::new(tokens)).await?;

    // The handlers: seeded simulated personas (the same seed gives the same run).
    let simulate = Arc::new(SimulateHandler::new(Scenario { seed: 7, ..Scenario::default() }));
    let mut workers = WorkerRuntime::new(Arc::new(EmbeddedClient::new(engine))).worker_name("serve-example");
    for job_type in PERSONA_JOBS {
        workers = workers.register(job_type, simulate.clone());
    }
    workers = workers.register(SET_VARIABLE, SetVariableHandler);
    let stop_workers = CancellationToken::new();
    let running = tokio::spawn(workers.run(stop_workers.clone()));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));
    println!("serving on {base}");

    let client = reqwest::Client::new();
    let api = |method: reqwest::Method, path: &str| client.request(method, format!("{base}{path}")).bearer_auth(&token);
    let workflow = std::fs::read_to_string("workflows/system/wf3-branch-creation.yaml")?;
    let deployed: Value = api(reqwest::Method::POST, "/api/deployments")
        .json(&json!({ "resources": [{ "name": "wf3-branch-creation.yaml", "content": workflow }] }))
        .send()
        .await?
        .json()
        .await?;
    println!("deployed: {}", deployed["processes"]);
    let started: Value = api(reqwest::Method::POST, "/api/workflows/execute")
        .json(&json!({
            "workflow": "wf3-branch-creation",
            "work_item": "WI-42",
            "variables": { "inputs": { "WORK_TYPE": "feature", "DESCRIPTION": "dark mode" } },
        }))
        .send()
        .await?
        .json()
        .await?;
    let key = started["process_instance_key"].as_i64().ok_or_else(|| format!("not started: {started}"))?;
    println!("started process instance {key}");
    let mut status = Value::Null;
    for _ in 0..100 {
        status = api(reqwest::Method::GET, &format!("/api/workflows/status/{key}")).send().await?.json().await?;
        if status["instance"]["status"] != json!("active") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!("instance {key}: {}", status["instance"]["status"]);
    let history: Value =
        api(reqwest::Method::GET, "/api/workflows/history?work_item=WI-42").send().await?.json().await?;
    println!("instances for WI-42 in the store: {}", history["total"]);

    let _ = stop.send(());
    stop_workers.cancel();
    serving.await??;
    running.await??;
    Ok(())
}
