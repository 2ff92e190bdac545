//! The worker runtime on the embedded engine: a process with two service tasks runs to its end
//! through real handlers, and a handler that panics on its last retry leaves an incident.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use engine::record::ErrorType;
use engine::{Engine, EngineCore};
use serde_json::{Value, json};
use workers::handlers::ScriptedHandler;
use workers::{
    CancellationToken, EmbeddedClient, InMemoryMetrics, Job, JobOutcome, Variables, WorkerRuntime, handler_fn,
};

const PROCESS_ID: &str = "two-service-tasks";

/// An engine with the two-service-task process deployed.
fn engine() -> Engine {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/two-service-tasks.bpmn");
    let xml = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let engine = Engine::new(EngineCore::new());
    engine
        .with(|core| core.deploy_xml("two-service-tasks.bpmn", &xml))
        .unwrap_or_else(|e| panic!("deploy failed: {e}"));
    engine
}

fn vars(value: Value) -> Variables {
    value.as_object().cloned().unwrap_or_default()
}

/// The runtime for the process: `plan-work` is scripted, `build` runs `build`.
fn runtime(engine: &Engine, build: impl workers::JobHandler + 'static, metrics: Arc<InMemoryMetrics>) -> WorkerRuntime {
    let plan = ScriptedHandler::new().on_type("plan-work", vars(json!({"plan": "two steps"})));
    WorkerRuntime::new(Arc::new(EmbeddedClient::new(engine.clone())))
        .worker_name("embedded-test")
        .metrics(metrics)
        .register("plan-work", plan)
        .register("build", build)
}

#[tokio::test(start_paused = true)]
async fn a_process_with_two_service_tasks_runs_to_its_end_through_the_runtime() {
    let engine = engine();
    let build = handler_fn(|job: Job| async move {
        let plan = job.variable("plan").and_then(Value::as_str).ok_or("the plan is missing")?;
        let target = job.header("target").ok_or("the target header is missing")?;
        Ok::<_, &str>(JobOutcome::complete_with(vars(
            json!({"built": format!("{plan} for {target} by {}", job.worker)}),
        )))
    });
    let metrics = Arc::new(InMemoryMetrics::new());
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(runtime(&engine, build, metrics.clone()).run(shutdown.clone()));

    let finished =
        engine.create_instance_with_result(PROCESS_ID, vars(json!({"ticket": 42})), Duration::from_secs(30)).await;
    shutdown.cancel();
    assert_eq!(running.await.ok(), Some(Ok(())));

    let (_, variables) = finished.unwrap_or_else(|e| panic!("the instance did not complete: {e}"));
    assert_eq!(variables.get("built"), Some(&json!("two steps for release by embedded-test")));
    assert_eq!(variables.get("ticket"), Some(&json!(42)));
    assert_eq!((metrics.stats("plan-work").completed, metrics.stats("build").completed), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn a_handler_that_panics_on_its_last_retry_leaves_an_incident_with_the_panic_message() {
    let engine = engine();
    let build = handler_fn(|job: Job| async move {
        if job.retries > 0 {
            panic!("compiler crashed");
        }
        JobOutcome::complete()
    });
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(runtime(&engine, build, Arc::new(InMemoryMetrics::new())).run(shutdown.clone()));

    let created = engine.with(|core| core.create_instance(PROCESS_ID, None, Variables::new()));
    let instance = created.unwrap_or_else(|e| panic!("cannot start: {e}")).process_instance_key;
    let mut incidents = Vec::new();
    for _ in 0..1000 {
        incidents = engine.with(|core| core.incidents());
        if !incidents.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    shutdown.cancel();
    assert_eq!(running.await.ok(), Some(Ok(())));

    assert_eq!(incidents.len(), 1, "{incidents:?}");
    let incident = &incidents[0];
    assert_eq!((incident.error_type, &*incident.element_id), (ErrorType::JobNoRetries, "build"));
    assert_eq!(incident.process_instance_key, instance);
    assert!(incident.error_message.contains("compiler crashed"), "{}", incident.error_message);
    assert!(engine.with(|core| core.is_active(instance)), "the instance should wait at the incident");
}

/// An ad-hoc sub-process whose job type is `decide`, with tools `search` and `summarise`
/// (job type `tool`) that each add a `{tool, found}` entry to `results`.
const AD_HOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="agent" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="tools"/>
    <bpmn:adHocSubProcess id="tools">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="decide"/>
        <zeebe:adHoc outputCollection="results" outputElement="={tool: call, found: found}"/>
      </bpmn:extensionElements>
      <bpmn:serviceTask id="search" name="Search the code"><bpmn:extensionElements><zeebe:taskDefinition type="tool"/></bpmn:extensionElements></bpmn:serviceTask>
      <bpmn:serviceTask id="summarise" name="Summarise"><bpmn:extensionElements><zeebe:taskDefinition type="tool"/></bpmn:extensionElements></bpmn:serviceTask>
    </bpmn:adHocSubProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="tools" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"#;

#[tokio::test(start_paused = true)]
async fn a_handler_decides_an_ad_hoc_sub_process_through_the_runtime() {
    let engine = Engine::new(EngineCore::new());
    engine.with(|core| core.deploy_xml("agent.bpmn", AD_HOC.as_bytes())).unwrap_or_else(|e| panic!("{e}"));
    // Each element once, in the order offered, then done.
    let decide = handler_fn(|job: Job| async move {
        let offered = job.variable("adHocSubProcessElements").and_then(Value::as_array).cloned().unwrap_or_default();
        let done = job.variable("results").and_then(Value::as_array).map_or(0, Vec::len);
        let decision = match offered.get(done).and_then(|e| e.get("elementId")).and_then(Value::as_str) {
            Some(next) => workers::AdHocDecision::Activate(vec![workers::Activation {
                element_id: next.to_owned(),
                variables: vars(json!({"call": next})),
            }]),
            None => workers::AdHocDecision::Done { cancel_remaining: false },
        };
        JobOutcome::Decide { variables: vars(json!({"rounds": done + 1})), decision }
    });
    let tool = handler_fn(|job: Job| async move {
        JobOutcome::complete_with(vars(json!({"found": format!("{} ran", job.element_id)})))
    });
    let metrics = Arc::new(InMemoryMetrics::new());
    let runtime = WorkerRuntime::new(Arc::new(EmbeddedClient::new(engine.clone())))
        .metrics(metrics.clone())
        .register("decide", decide)
        .register("tool", tool);
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(runtime.run(shutdown.clone()));
    let finished = engine.create_instance_with_result("agent", Variables::new(), Duration::from_secs(30)).await;
    shutdown.cancel();
    assert_eq!(running.await.ok(), Some(Ok(())));
    let (_, variables) = finished.unwrap_or_else(|e| panic!("the instance did not complete: {e}"));
    assert_eq!(
        variables.get("results"),
        Some(&json!([{"tool": "search", "found": "search ran"}, {"tool": "summarise", "found": "summarise ran"}]))
    );
    assert_eq!(variables.get("rounds"), Some(&json!(3)), "asked after each result, then done");
    assert_eq!(metrics.stats("decide").completed, 3, "a decision counts as a completion");
}
