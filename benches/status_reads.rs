//! Status reads per second through the HTTP API (`GET /api/workflows/status/{id}`) with 1,000
//! instances in a temporary SQLite store: one client reading in a loop, then 8 at once. Each
//! read goes through auth, a sync of the log follower (one query on its read-only connection)
//! and the folded history. A plain timed loop: `cargo bench --bench status_reads`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::testing::model::ProcessBuilder;
use engine::{Engine, EngineCore, SystemClock};
use server::auth::{Secret, Tokens};
use server::{Server, ServerConfig};

const INSTANCES: usize = 1_000;
const READS: usize = 4_000;
const CLIENTS: usize = 8;
const TOKEN: &str = "bench-token";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile_dir()?;
    let store = dir.join("state.db").display().to_string();
    let mut core = EngineCore::open(engine::store::open(&store)?, Arc::new(SystemClock))?;
    let model = ProcessBuilder::new("order").start("start").service_task("charge", "charge").end("end").build();
    core.deploy_model("order.bpmn", &model)?;
    core.begin_batch();
    let mut keys = Vec::with_capacity(INSTANCES);
    for n in 0..INSTANCES {
        let variables = serde_json::json!({ "n": n }).as_object().cloned().unwrap_or_default();
        keys.push(core.create_instance("order", None, variables)?.process_instance_key);
    }
    core.commit_batch()?;
    let engine = Engine::new(core);
    let registry = personas::Registry::open(&store, Arc::new(SystemClock)).await?;
    let tokens = Tokens { operator: Secret::new(TOKEN).ok_or("empty token")?, read_only: None };
    let server = Server::start(engine, registry, &store, ServerConfig::new(tokens)).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(server.serve(listener, std::future::pending()));
    let client = reqwest::Client::new();

    let read = |client: reqwest::Client, base: String, key: i64| async move {
        let response = client.get(format!("{base}/api/workflows/status/{key}")).bearer_auth(TOKEN).send().await?;
        let status = response.status();
        response.bytes().await?;
        Ok::<_, reqwest::Error>(status)
    };
    // Warm up (connection, first fold).
    for key in keys.iter().take(50) {
        read(client.clone(), base.clone(), *key).await?;
    }
    let began = Instant::now();
    for n in 0..READS {
        let status = read(client.clone(), base.clone(), keys[n % keys.len()]).await?;
        assert!(status.is_success(), "{status}");
    }
    report("1 client", READS, began.elapsed());

    let began = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (client, base, keys) = (client.clone(), base.clone(), keys.clone());
        tasks.push(tokio::spawn(async move {
            for n in (c..READS).step_by(CLIENTS) {
                let status = read(client.clone(), base.clone(), keys[n % keys.len()]).await?;
                assert!(status.is_success(), "{status}");
            }
            Ok::<_, reqwest::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    report(&format!("{CLIENTS} clients"), READS, began.elapsed());
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn report(what: &str, reads: usize, took: Duration) {
    println!(
        "status reads, {INSTANCES} instances, {what}: {reads} in {:.2}s = {:.0} reads/s ({:.0} µs each)",
        took.as_secs_f64(),
        reads as f64 / took.as_secs_f64(),
        took.as_micros() as f64 / reads as f64
    );
}

/// A fresh folder under the target directory's tmp (removed at the end).
fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("status-reads-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
