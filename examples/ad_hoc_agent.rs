//! An `ad-hoc` step decided by an agent, on a durable embedded engine: the YAML step compiles
//! to an ad-hoc sub-process (Camunda 8.8's basis of agentic orchestration), and a job handler
//! decides after each finished tool which tools run next, or that the goal is reached.
//!
//! ```text
//! cargo run --example ad_hoc_agent
//! ```
//!
//! The decider here is a rule (run the tool whose description names the next thing to look at);
//! `orchestrator run --actions FILE` uses `actions::llm::AgentHandler` instead, which asks the
//! persona's models the same question within `max_calls` and the instance's spend limits. Both
//! answer with `JobOutcome::Decide`, on the embedded engine or on Zeebe 8.8.

use std::sync::Arc;
use std::time::Duration;

use engine::{Engine, EngineCore, SystemClock};
use serde_json::{Value, json};
use workers::{
    Activation, AdHocDecision, CancellationToken, EmbeddedClient, Job, JobOutcome, Variables, WorkerRuntime, handler_fn,
};

const WORKFLOW: &str = r#"
metadata:
  id: triage
  name: Triage a failing service
inputs:
  - name: SERVICE
    type: string
    default: checkout
steps:
  - id: investigate
    action: ad-hoc
    persona: site-reliability-engineer
    agent:
      goal: "Find out why ${inputs.SERVICE} fails"
      max_calls: 5
    steps:
      - id: read_logs
        description: first look at the logs
        action: log
        message: "reading the logs of ${inputs.SERVICE}"
      - id: check_deploys
        description: then check the recent deployments
        action: log
        message: "listing the deployments of ${inputs.SERVICE}"
      - id: page_owner
        description: only when nothing else explains it
        action: log
        message: "paging the owner of ${inputs.SERVICE}"
"#;

/// The rule: the tools in the order their descriptions give (`first`, `then`), one at a time;
/// done when those have run.
fn decide(job: &Job) -> AdHocDecision {
    let ran: Vec<String> = job
        .variable("toolCallResults")
        .and_then(Value::as_array)
        .map(|results| results.iter().filter_map(|r| r["name"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let offered = job.variable("adHocSubProcessElements").and_then(Value::as_array).cloned().unwrap_or_default();
    let order = ["first", "then"];
    let next = order.iter().find_map(|word| {
        offered.iter().find(|tool| {
            let id = tool["elementId"].as_str().unwrap_or_default();
            tool["documentation"].as_str().is_some_and(|d| d.starts_with(word)) && !ran.iter().any(|r| r == id)
        })
    });
    match next.and_then(|tool| tool["elementId"].as_str()) {
        Some(id) => AdHocDecision::Activate(vec![Activation {
            element_id: id.to_owned(),
            variables: Variables::from_iter([(
                "toolCall".into(),
                json!({"id": ran.len() + 1, "name": id, "step": id}),
            )]),
        }]),
        None => AdHocDecision::Done { cancel_remaining: true },
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let compiled = yaml_to_bpmn::compile_str("triage.yaml", WORKFLOW);
    if compiled.has_errors() {
        return Err(compiled.diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
    }
    let dir = tempfile_dir()?;
    let store = engine::store::open(&dir.join("triage.db").display().to_string()).map_err(|e| e.to_string())?;
    let mut core = EngineCore::open(store, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    let models: Vec<(&str, &bpmn::Definitions)> =
        compiled.workflows.iter().map(|w| (w.source.as_str(), &w.definitions)).collect();
    core.deploy_models(&models).map_err(|e| e.to_string())?;
    let engine = Engine::new(core);

    let agent = handler_fn(|job: Job| async move {
        let decision = decide(&job);
        println!("agent decided: {decision}");
        JobOutcome::Decide { variables: Variables::new(), decision }
    });
    let log = handler_fn(|job: Job| async move {
        println!("  tool {}: {}", job.element_id, job.variable("message").and_then(Value::as_str).unwrap_or_default());
        JobOutcome::complete()
    });
    let runtime = WorkerRuntime::new(Arc::new(EmbeddedClient::new(engine.clone())))
        .register(actions::catalogue::agent::JOB_TYPE, agent)
        .register("log", log);
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(runtime.run(shutdown.clone()));
    let finished = engine.create_instance_with_result("triage", Variables::new(), Duration::from_secs(30)).await;
    shutdown.cancel();
    let _ = running.await;
    let (created, variables) = finished.map_err(|e| e.to_string())?;
    println!("instance {} completed; tool results: {}", created.process_instance_key, variables["toolCallResults"]);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A fresh folder for the example's store.
fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("ad-hoc-agent-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}
