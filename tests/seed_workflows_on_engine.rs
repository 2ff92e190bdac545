//! The 32 seed YAML workflows, compiled with `compile_set` and deployed together into one
//! embedded engine, run to their end under scripted job workers.
//!
//! Every workflow is started with inputs that satisfy its declared inputs (checked against the
//! declarations in `support::seed_scenarios`). The scripted workers complete every job; where a workflow routes on a
//! step's declared outputs, the worker reports values chosen to take a real branch (the table in
//! `step_outputs`); every other output stays unset, as most seed shell commands never print
//! theirs (survey D17). The expected outcome of each workflow is stated in `scenarios`, with
//! the reason when it is not "completed with `outputs`".
//!
//! Two more runs cover what the happy paths cannot: a failing step that runs wf15's error
//! handler (the only place `notify` jobs occur), and the incident a missing step output causes.

mod support;

use std::collections::BTreeSet;
use std::time::Instant;

use engine::testing::ProcessTest;
use engine::{ActivatedJob, Variables};
use persona_orchestrator::drive::{Driver, Ending, Reply, Run, job_types};
use persona_orchestrator::dry_run::describe_job;
use serde_json::{Value, json};
use support::seed_scenarios::{
    Expect, Scenario, assert_inputs_satisfy, assert_outputs_declared, compile_seed_workflows, declarations, scenarios,
    scripted_outputs, step_outputs,
};

/// Enough steps for the longest finite run (wf9's 24 monitoring rounds inside a persona) and
/// for many rounds of wf0's endless review loop.
const STEP_LIMIT: usize = 400;

#[test]
fn seed_workflows_run_on_the_engine() {
    let began = Instant::now();
    let (sources, outcome) = compile_seed_workflows();
    let declared = declarations(&sources);

    let mut test = ProcessTest::new();
    let resources: Vec<(&str, &bpmn::Definitions)> =
        outcome.workflows.iter().map(|w| (w.source.as_str(), &w.definitions)).collect();
    let deployment = test.core().deploy_models(&resources).unwrap_or_else(|e| panic!("deployment refused: {e}"));
    assert_eq!(deployment.processes.len(), 32);

    let types = job_types(outcome.workflows.iter().map(|w| &w.definitions));
    assert_eq!(
        types,
        ["azure-devops", "escalate", "git-operation", "log", "notify", "shell-command"],
        "job types of the models"
    );

    let scenarios = scenarios();
    let covered: BTreeSet<&str> = scenarios.iter().map(|s| s.id).collect();
    let compiled: BTreeSet<&str> = outcome.workflows.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(covered, compiled, "one scenario per seed workflow");

    let outputs = step_outputs();
    assert_outputs_declared(&outputs, &declared);
    let mut used_outputs = BTreeSet::new();
    let mut seen_types = BTreeSet::new();
    let clock = test.clock().clone();
    for scenario in &scenarios {
        let workflow = &declared[scenario.id];
        assert_inputs_satisfy(workflow, &scenario.inputs);
        let mut handler = |job: &ActivatedJob| -> Reply {
            seen_types.insert(job.job_type().to_owned());
            let description = describe_job(job);
            assert!(!description.contains("{{t"), "{}: unfilled placeholder in {description}", job.element_id());
            let key = (job.bpmn_process_id(), job.header("stepId").unwrap_or_default());
            Reply::Complete(match outputs.get_key_value(&key) {
                Some((&(process, step), Value::Object(values))) => {
                    used_outputs.insert(format!("{process}/{step}"));
                    values.clone()
                }
                _ => Variables::new(),
            })
        };
        let mut driver = Driver { core: test.core(), clock: &clock, job_types: &types, step_limit: STEP_LIMIT };
        let start = json!({"inputs": scenario.inputs});
        let run = driver
            .run(scenario.id, start.as_object().cloned().unwrap_or_default(), &mut handler)
            .unwrap_or_else(|e| panic!("{}: {e}", scenario.id));
        check_outcome(&mut test, scenario, &run);
    }
    seen_types.extend(failing_step_runs_the_error_handler(&mut test, &types));
    seen_types.extend(late_hotfix_escalates_its_sla(&mut test, &types));
    unreported_interval_raises_an_incident(&mut test, &types);
    let unused: Vec<_> = outputs.keys().filter(|(p, s)| !used_outputs.contains(&format!("{p}/{s}"))).collect();
    assert!(unused.is_empty(), "scripted outputs for steps that never ran: {unused:?}");
    assert_eq!(seen_types.iter().collect::<Vec<_>>(), types.iter().collect::<Vec<_>>(), "every job type was worked");
    assert!(test.core().incidents().is_empty(), "no incident anywhere: {:?}", test.core().incidents());
    println!("32 workflows in {:?}", began.elapsed());
}

/// A step of wf15 fails (its worker throws `STEP_FAILED`): the `continue-on-error` handler
/// runs its `onFailure` step and its notification, then ends the instance quietly. The
/// interrupting handler ends the instance before `workflow__outputs`, so there is no `outputs`.
/// Returns the job types worked.
fn failing_step_runs_the_error_handler(test: &mut ProcessTest, types: &[String]) -> BTreeSet<String> {
    let id = "wf15-factory-settings-lookup";
    let clock = test.clock().clone();
    let mut seen = BTreeSet::new();
    let mut handler = |job: &ActivatedJob| {
        seen.insert(job.job_type().to_owned());
        if job.header("stepId") == Some("load-local-settings") {
            Reply::ThrowError { code: "STEP_FAILED".into(), message: "settings.json not found".into() }
        } else {
            Reply::Complete(Variables::new())
        }
    };
    let mut driver = Driver { core: test.core(), clock: &clock, job_types: types, step_limit: STEP_LIMIT };
    let run = driver.run(id, Variables::new(), &mut handler).unwrap_or_else(|e| panic!("{id}: {e}"));
    let Ending::Completed(variables) = &run.ending else { panic!("{id}: expected completion, got {:?}", run.ending) };
    assert!(variables.get("outputs").is_none(), "{id}: the handler ends the instance before the outputs");
    assert_eq!(
        variables.get("SETTINGS"),
        Some(&json!("{\"error\": \"Failed to load settings\", \"defaults_applied\": true}")),
        "{id}: onFailure set the defaults"
    );
    assert_passed(test, id, run.instance, &["error__start", "return-defaults", "error__notify_0", "error__end"]);
    assert_eq!(test.completed_count(run.instance, "get-reviewers-config"), 0, "{id}: the main flow stopped");
    seen
}

/// wf2's `metadata.sla: 4h` is a real SLA: when the hotfix is still running after 4 hours, the
/// breach is recorded and an `escalate` job raised, and (the seed's SLA escalates) the hotfix goes
/// on to its end. Returns the job types worked.
fn late_hotfix_escalates_its_sla(test: &mut ProcessTest, types: &[String]) -> BTreeSet<String> {
    let id = "wf2-hotfix";
    let clock = test.clock().clone();
    let outputs = step_outputs();
    let mut seen = BTreeSet::new();
    let mut escalations = Vec::new();
    let mut handler = |job: &ActivatedJob| {
        if seen.is_empty() {
            // The first step takes longer than the SLA allows.
            clock.advance(std::time::Duration::from_secs(4 * 3600 + 60));
        }
        seen.insert(job.job_type().to_owned());
        if job.job_type() == "escalate" {
            escalations.push((job.header("kind").map(str::to_owned), job.header("sla").map(str::to_owned)));
        }
        let step = job.header("stepId").unwrap_or_default();
        Reply::Complete(scripted_outputs(&outputs, job.bpmn_process_id(), step).cloned().unwrap_or_default())
    };
    let driver_clock = test.clock().clone();
    let mut driver = Driver { core: test.core(), clock: &driver_clock, job_types: types, step_limit: STEP_LIMIT };
    let start = json!({"inputs": {"INCIDENT_ID": "INC-8", "APPROVER": "lead@company.com"}});
    let run = driver
        .run(id, start.as_object().cloned().unwrap_or_default(), &mut handler)
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let Ending::Completed(variables) = &run.ending else { panic!("{id}: expected completion, got {:?}", run.ending) };
    assert_eq!(variables.get("sla_breached"), Some(&json!(true)), "{id}: the breach is recorded");
    assert_eq!(escalations, [(Some("sla-breach".to_owned()), Some("PT4H".to_owned()))], "{id}: one escalation");
    seen
}

/// Survey D17 in action: when wf9's `setup-monitoring` does not report `CHECK_INTERVAL` (its
/// command never prints it), the dynamic wait `${...CHECK_INTERVAL}s` has no duration, and the
/// timer raises the incident Zeebe raises for it. (The main run scripts a value instead.)
fn unreported_interval_raises_an_incident(test: &mut ProcessTest, types: &[String]) {
    let id = "wf9-post-merge-monitoring";
    let clock = test.clock().clone();
    let mut silent = |_: &ActivatedJob| Reply::Complete(Variables::new());
    let mut driver = Driver { core: test.core(), clock: &clock, job_types: types, step_limit: STEP_LIMIT };
    let start = json!({"inputs": {"MERGE_COMMIT": "abc123"}});
    let run = driver
        .run(id, start.as_object().cloned().unwrap_or_default(), &mut silent)
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    let Ending::Incidents(incidents) = &run.ending else { panic!("{id}: expected an incident, got {:?}", run.ending) };
    assert_eq!(incidents.len(), 1, "{id}: {incidents:?}");
    let incident = &incidents[0];
    assert_eq!(incident.error_type, engine::record::ErrorType::ExtractValueError);
    assert_eq!(&*incident.element_id, "wait-interval");
    assert!(incident.error_message.contains("CHECK_INTERVAL"), "{}", incident.error_message);
    assert!(incident.error_message.contains("but was 'NULL'"), "{}", incident.error_message);
    test.core().cancel_instance(run.instance).unwrap_or_else(|e| panic!("{id}: cancel failed: {e}"));
}

fn check_outcome(test: &mut ProcessTest, scenario: &Scenario, run: &Run) {
    let id = scenario.id;
    let instance = run.instance;
    match (&scenario.expect, &run.ending) {
        (Expect::Completed { passes }, Ending::Completed(variables)) => {
            let outputs = variables.get("outputs");
            assert!(matches!(outputs, Some(Value::Object(_))), "{id}: `outputs` should be a context, got {outputs:?}");
            assert_passed(test, id, instance, passes);
        }
        (Expect::CompletedWithoutOutputs { passes, reason }, Ending::Completed(variables)) => {
            assert!(variables.get("outputs").is_none(), "{id}: no `outputs` expected ({reason})");
            assert_passed(test, id, instance, passes);
        }
        (Expect::LoopsForever { passes, loop_element, body_element, reason }, Ending::LimitReached) => {
            assert_passed(test, id, instance, passes);
            let active: Vec<String> = test.active_elements(instance).into_iter().map(|(e, _)| e).collect();
            assert!(
                active.iter().any(|e| e == loop_element),
                "{id}: should be inside {loop_element} ({reason}); active: {active:?}"
            );
            let rounds = test.completed_count(instance, body_element);
            assert!(rounds > 50, "{id}: {body_element} should have run many times ({reason}), ran {rounds}");
            let counted = test.variable(instance, "steps").and_then(|s| s[*loop_element]["iterations"].as_u64());
            assert_eq!(counted, Some(rounds as u64 + 1), "{id}: the loop counts its rounds");
            assert!(test.incidents(instance).is_empty(), "{id}: looping raises no incident");
            // Leave nothing running for the next workflows.
            test.core().cancel_instance(instance).unwrap_or_else(|e| panic!("{id}: cancel failed: {e}"));
        }
        (expected, ending) => {
            let expected = match expected {
                Expect::Completed { .. } | Expect::CompletedWithoutOutputs { .. } => "completion".to_owned(),
                Expect::LoopsForever { loop_element, .. } => format!("looping in {loop_element}"),
            };
            panic!(
                "{id}: expected {expected}, got {ending:?} after {} jobs; active: {:?}",
                run.jobs,
                test.active_elements(instance)
            );
        }
    }
}

fn assert_passed(test: &ProcessTest, id: &str, instance: i64, elements: &[&str]) {
    let completed: BTreeSet<String> = test
        .element_log(instance)
        .into_iter()
        .filter(|(_, intent)| *intent == engine::record::Intent::ElementCompleted)
        .map(|(element, _)| element)
        .collect();
    for element in elements {
        assert!(completed.contains(*element), "{id}: {element} should have completed; completed: {completed:?}");
    }
}
