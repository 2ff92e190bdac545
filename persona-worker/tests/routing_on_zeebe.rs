//! `persona-worker` with `routing:` against the real Zeebe broker of `zeebe/broker.sh`: one
//! workflow whose parallel persona jobs go to two instances of one type, capacity 1 each. Both
//! are used, neither ever holds two jobs, and the jobs that found no free instance went back to
//! the broker without using a retry (they have 3, and wait far more often than that).

mod support;

use std::sync::Arc;
use std::time::Duration;

use engine::SystemClock;
use personas::{AuditKind, AuditQuery, NewInstance, Project, Registry};
use support::zeebe_broker::ensure_broker_ready;
use support::{Daemon, tokio, workspace_root, write};
use workers::ZeebeClient;
use yaml_to_bpmn::personas::PersonaCatalogue;

/// How many persona jobs run in parallel in the test's workflow.
const BRANCHES: usize = 6;

/// A process forking into [`BRANCHES`] service tasks of `job_type` for `persona`, then joining.
fn parallel_bpmn(process_id: &str, job_type: &str, persona: &str) -> String {
    let mut elements = String::new();
    for n in 1..=BRANCHES {
        elements.push_str(&format!(
            r#"    <bpmn:sequenceFlow id="in{n}" sourceRef="fork" targetRef="task{n}" />
    <bpmn:serviceTask id="task{n}">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="{job_type}" retries="3" />
        <zeebe:taskHeaders><zeebe:header key="persona" value="{persona}" /></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="out{n}" sourceRef="task{n}" targetRef="join" />
"#
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://example.com/persona-worker-tests">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
{elements}    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"#
    )
}

/// A registry at `path` with the catalogue and two instances of `persona` in acme/shop,
/// capacity 1 each.
async fn registry(path: &str, persona: &str) -> Registry {
    let registry = Registry::open(path, Arc::new(SystemClock)).await.expect("the registry opens");
    let text = std::fs::read_to_string(workspace_root().join("workflows/personas/types.yaml")).expect("catalogue");
    let catalogue = PersonaCatalogue::parse("types.yaml", &text).expect("the catalogue parses");
    registry.load_types(&catalogue).await.expect("types load");
    for name in ["ann", "ben"] {
        let mut new = NewInstance::new(name, persona);
        new.project = Some(Project::new("acme", "shop"));
        new.max_concurrent_tasks = Some(1);
        registry.create_instance(new).await.expect("an instance");
    }
    registry
}

#[test]
fn two_instances_of_capacity_one_share_a_workflows_parallel_jobs_and_never_hold_two() {
    let gateway = ensure_broker_ready();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().join("registry.db").display().to_string();
    let persona = "technical-writer";
    let process_id = format!("daemon-test-routed-{}", std::process::id());
    let job_type = format!("daemon-test-routed-{}", std::process::id());
    let model = write(dir.path(), "routed.bpmn", &parallel_bpmn(&process_id, &job_type, persona));
    let runtime = tokio();
    let setup = runtime.block_on(registry(&store, persona));
    runtime.block_on(setup.close());

    let deployed = support::run(
        &["deploy", "--address", &gateway, model.to_str().expect("utf-8 path")],
        &[],
        Duration::from_secs(60),
    );
    assert!(deployed.status.success(), "{}", String::from_utf8_lossy(&deployed.stderr));
    let config = format!(
        "zeebe:\n  address: {gateway}\nworker:\n  name: routed-test\n  request_timeout: 1s\n  poll_interval: 100ms\nrouting:\n  store: {store}\n  project: acme/shop\n  wait: 200ms\njobs:\n  {job_type}:\n    handler: noop\n    delay: 1500ms\n"
    );
    let daemon = Daemon::start(&config, &[]);
    let completed = runtime.block_on(async {
        let client = ZeebeClient::new(&gateway).expect("client");
        client.create_process_instance_with_result(&process_id, Default::default(), Duration::from_secs(90)).await
    });
    assert!(completed.is_ok(), "the instance completes: {completed:?}\nlogs: {:?}", daemon.logs());

    let registry = runtime.block_on(async { Registry::open(&store, Arc::new(SystemClock)).await.expect("reopens") });
    let entries = runtime
        .block_on(registry.audit(&AuditQuery { kinds: vec![AuditKind::Routing], ..AuditQuery::default() }))
        .expect("the audit log");
    let assigned: Vec<_> = entries.iter().filter(|e| e.details["decision"] == "assigned").collect();
    let waits = entries.iter().filter(|e| e.details["decision"] == "wait").count();
    assert_eq!(assigned.len(), BRANCHES, "each job was assigned once: {assigned:?}");
    for name in ["ann", "ben"] {
        assert!(assigned.iter().any(|e| e.instance_name.as_deref() == Some(name)), "{name} was used: {assigned:?}");
    }
    // The registry counts an instance's open tasks in the transaction that assigns a job: with
    // this job, it held one, never two.
    assert!(assigned.iter().all(|e| e.details["open_tasks"] == 1), "{assigned:?}");
    assert!(waits >= BRANCHES - 2, "jobs found both instances busy and waited ({waits} waits)");
    // The last jobs waited for two rounds of work (2 x 1.5 s) at a 200 ms back-off: more times
    // than their 3 retries, so had a wait used a retry, the instance would have had an incident.
    let mut per_job = std::collections::BTreeMap::<i64, usize>::new();
    for entry in entries.iter().filter(|e| e.details["decision"] == "wait") {
        *per_job.entry(entry.job_key.unwrap_or_default()).or_default() += 1;
    }
    assert!(per_job.values().any(|&n| n > 3), "a job waited more often than it has retries: {per_job:?}");
    for name in ["ann", "ben"] {
        let instance = runtime.block_on(registry.get(&personas::InstanceRef::Name(name.into()))).expect(name);
        assert_eq!(instance.open_tasks, 0, "{name} finished its work");
    }
}
