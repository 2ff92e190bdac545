//! The 32 seed YAML workflows, compiled with `compile_set` and deployed together into one
//! embedded engine, run to their end under scripted job workers.
//!
//! Every workflow is started with inputs that satisfy its declared inputs (checked against the
//! declarations below). The scripted workers complete every job; where a workflow routes on a
//! step's declared outputs, the worker reports values chosen to take a real branch (the table in
//! [`step_outputs`]); every other output stays unset, as most seed shell commands never print
//! theirs (survey D17). The expected outcome of each workflow is stated in [`scenarios`], with
//! the reason when it is not "completed with `outputs`".
//!
//! Two more runs cover what the happy paths cannot: a failing step that runs wf15's error
//! handler (the only place `notify` jobs occur), and the incident a missing step output causes.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use engine::testing::ProcessTest;
use engine::{ActivatedJob, Variables};
use persona_orchestrator::drive::{Driver, Ending, Reply, Run, job_types};
use persona_orchestrator::dry_run::describe_job;
use serde_json::{Value, json};
use support::{files_with_extension, shared_dir};
use yaml_to_bpmn::dialect::ast::{InputType, Workflow};
use yaml_to_bpmn::{Diagnostics, Source, compile_set};

/// Enough steps for the longest finite run (wf9's 24 monitoring rounds inside a persona) and
/// for many rounds of wf0's endless review loop.
const STEP_LIMIT: usize = 400;

/// What a workflow is expected to do under the scripted workers.
enum Expect {
    /// Completes; `outputs` is set, and these elements of the root instance completed (they
    /// prove the intended branch ran).
    Completed { passes: &'static [&'static str] },
    /// Completes without an `outputs` variable (the file declares no workflow outputs).
    CompletedWithoutOutputs { passes: &'static [&'static str], reason: &'static str },
    /// Still running at the step limit, cycling through `loop_element` without an incident,
    /// after `passes` completed.
    LoopsForever {
        passes: &'static [&'static str],
        loop_element: &'static str,
        body_element: &'static str,
        reason: &'static str,
    },
}

struct Scenario {
    id: &'static str,
    inputs: Value,
    expect: Expect,
}

/// The workflows, their start inputs and what they should do.
fn scenarios() -> Vec<Scenario> {
    use Expect::*;
    let persona = |id, ty: &str, extra: Value, passes| {
        let mut inputs = json!({"WORK_ITEM_ID": "WI-42", "WORK_ITEM_TYPE": ty});
        if let (Some(all), Value::Object(more)) = (inputs.as_object_mut(), extra) {
            all.extend(more);
        }
        Scenario { id, inputs, expect: Completed { passes } }
    };
    vec![
        persona(
            "persona-ai-engineer-workflow",
            "ml-model",
            json!({}),
            &["route-to-workflow__b0__s0", "hyperparameter-tuning__b0__s0"],
        ),
        persona("persona-business-analyst-workflow", "requirement", json!({}), &["route-to-workflow__b0__s0"]),
        persona(
            "persona-configuration-release-engineer-workflow",
            "release",
            json!({}),
            &["route-to-workflow__b0__s0", "post-deployment-validation"],
        ),
        persona(
            "persona-developer-engineer-workflow",
            "bug",
            json!({}),
            &["route-to-workflow__b1__s0", "create-pull-request__b0__s0"],
        ),
        persona("persona-engineering-manager-workflow", "project", json!({}), &["route-to-workflow__b0__s0"]),
        persona(
            "persona-integration-engineer-workflow",
            "integration",
            json!({"INTEGRATION_TYPE": "api"}),
            &["route-to-workflow__b0__s0", "api-integration__b0__s0"],
        ),
        persona("persona-product-owner-workflow", "epic", json!({}), &["route-to-workflow__b0__s0"]),
        persona(
            "persona-requirements-analyst-workflow",
            "requirement",
            json!({}),
            &["route-to-workflow__b1__s0", "traceability-management__b0__s0"],
        ),
        persona("persona-security-architect-workflow", "task", json!({}), &["route-to-workflow__b2__s0"]),
        Scenario {
            id: "persona-site-reliability-engineer-workflow",
            inputs: json!({"WORK_ITEM_ID": "INC-7", "WORK_ITEM_TYPE": "incident", "SEVERITY": "P1"}),
            expect: CompletedWithoutOutputs {
                passes: &["route-to-workflow__b0__s0", "incident-management__b0__s0"],
                reason: "the file is truncated (survey D2): it ends inside `post-incident-review` and has no `outputs`",
            },
        },
        persona(
            "persona-software-architect-workflow",
            "design-review",
            json!({}),
            &["route-to-workflow__b0__s0", "route-to-workflow__b0__s1", "design-analysis__b0__s0"],
        ),
        persona("persona-software-qa-workflow", "epic", json!({}), &["route-to-workflow__b2__s0"]),
        persona(
            "persona-technical-writer-workflow",
            "epic",
            json!({"DOC_TYPE": "api"}),
            &["route-to-workflow__b1__s0", "api-documentation__b0__s0"],
        ),
        persona("persona-ui-ux-designer-workflow", "feature", json!({}), &["route-to-workflow__b1__s0"]),
        Scenario {
            id: "wf0-feature-development",
            inputs: json!({"FEATURE_ID": "F-1", "FEATURE_DESCRIPTION": "Dark mode"}),
            expect: LoopsForever {
                // wf13 reports READY_FOR_PR, so the first loop ends after one round.
                passes: &["development-cycle", "create-pull-request"],
                loop_element: "review-cycle",
                body_element: "check-review-status",
                reason: "survey D16: `review-cycle` repeats while `context.pr_approved` is not true, and nothing ever sets it",
            },
        },
        Scenario {
            id: "wf1-bug-fix",
            inputs: json!({"BUG_ID": "B-9", "BUG_SEVERITY": "P1", "BUG_DESCRIPTION": "Crash on start"}),
            expect: Completed {
                passes: &["notify-emergency-reviewers", "merge-and-verify", "production-verification"],
            },
        },
        Scenario {
            id: "wf2-hotfix",
            inputs: json!({"INCIDENT_ID": "INC-7", "APPROVER": "lead@company.com", "ROLLBACK_FIRST": true}),
            expect: Completed { passes: &["execute-rollback", "emergency-testing", "backport-to-branches"] },
        },
        Scenario {
            id: "wf3-branch-creation",
            inputs: json!({"WORK_TYPE": "feature", "WORK_ITEM_ID": "WI-42", "DESCRIPTION": "Dark mode"}),
            expect: Completed { passes: &["create-branch", "verify-branch"] },
        },
        Scenario {
            id: "wf4-code-commit",
            inputs: json!({"BRANCH_NAME": "feature/WI-42", "COMMIT_TYPE": "feat", "COMMIT_MESSAGE": "add dark mode"}),
            expect: Completed { passes: &["run-tests", "push-changes"] },
        },
        Scenario {
            id: "wf5-pull-request-creation",
            inputs: json!({"BRANCH_NAME": "feature/WI-42", "WORK_ITEM_ID": "WI-42", "PR_TYPE": "feature", "REQUIRED_REVIEWERS": ["alice"]}),
            expect: Completed { passes: &["add-custom-reviewers__s0", "create-pull-request"] },
        },
        Scenario {
            id: "wf6-pull-request-review",
            inputs: json!({"PR_NUMBER": 17}),
            expect: Completed { passes: &["perform-code-review", "submit-review"] },
        },
        Scenario {
            id: "wf7-pull-request-response",
            inputs: json!({"PR_NUMBER": 17}),
            expect: Completed { passes: &["respond-to-critical__s0", "respond-to-question__s0", "implement-fixes"] },
        },
        Scenario {
            id: "wf8-merge",
            inputs: json!({"PR_NUMBER": 17}),
            expect: Completed { passes: &["execute-merge", "cleanup-remote-branch__s0"] },
        },
        Scenario {
            id: "wf9-post-merge-monitoring",
            inputs: json!({"MERGE_COMMIT": "abc123", "VERIFY_BUG_FIXED": true, "BUG_ID": "B-9"}),
            expect: Completed { passes: &["continuous-monitoring", "run-bug-verification", "generate-report"] },
        },
        Scenario {
            id: "wf10-conflict-resolution",
            inputs: json!({"SOURCE_BRANCH": "feature/WI-42", "PR_NUMBER": 17}),
            expect: Completed { passes: &["smart-resolution__s0", "update-pr__s0"] },
        },
        Scenario {
            id: "wf11-rollback",
            inputs: json!({"TARGET": "api", "REASON": "errors", "USER": "sre", "COMMIT": "abc123"}),
            expect: Completed { passes: &["disable-problematic-commit__s0", "revert-commit", "health-check"] },
        },
        Scenario {
            id: "wf12-work-item-update",
            inputs: json!({"WORK_ITEM_ID": "WI-42", "STATUS": "Resolved", "COMMENT": "Fixed", "MERGE_COMMIT": "abc123"}),
            expect: Completed {
                passes: &["resolved-actions__s0", "resolved-actions__s1", "add-comment__s0", "apply-update"],
            },
        },
        Scenario {
            id: "wf13-pr-readiness-check",
            inputs: json!({"BRANCH_NAME": "feature/WI-42"}),
            expect: Completed {
                passes: &["analyze-commits", "check-build__s0", "check-docs__s0", "determine-readiness"],
            },
        },
        Scenario {
            id: "wf14-build-failure-recovery",
            inputs: json!({"BUILD_ID": "1234", "BRANCH_NAME": "feature/WI-42"}),
            expect: Completed { passes: &["fix-lint-errors__s0", "commit-fixes__s0", "retry-build__s0"] },
        },
        Scenario {
            id: "wf15-factory-settings-lookup",
            inputs: json!({}),
            expect: Completed { passes: &["get-reviewers-config__s0", "get-build-config__s0", "merge-all-settings"] },
        },
        Scenario {
            id: "wf16-reviewer-selection",
            inputs: json!({"PR_NUMBER": "17", "BRANCH_NAME": "feature/WI-42"}),
            expect: Completed { passes: &["select-reviewers", "generate-review-guidelines"] },
        },
        Scenario {
            id: "wf17-merge-strategy-selection",
            inputs: json!({"PR_NUMBER": "17", "SOURCE_BRANCH": "feature/WI-42"}),
            expect: Completed { passes: &["determine-strategy", "generate-recommendation"] },
        },
    ]
}

/// The outputs the scripted workers report, per (process id, step id); the values steer the
/// branches named in the comments. Steps not listed complete with no variables.
fn step_outputs() -> HashMap<(&'static str, &'static str), Value> {
    let mut table = HashMap::new();
    let mut set = |process, step, outputs| {
        table.insert((process, step), outputs);
    };
    // Persona routing: each `route-to-workflow` switch takes a branch that calls a workflow.
    set("persona-ai-engineer-workflow", "analyze-ml-requirements", json!({"RECOMMENDED_ACTION": "develop-ml-model"}));
    set("persona-ai-engineer-workflow", "model-evaluation", json!({"EVALUATION_RESULTS": "needs_improvement"}));
    set(
        "persona-business-analyst-workflow",
        "analyze-business-context",
        json!({"RECOMMENDED_ACTION": "gather-requirements"}),
    );
    set(
        "persona-configuration-release-engineer-workflow",
        "analyze-release-requirements",
        json!({"RECOMMENDED_ACTION": "prepare-release"}),
    );
    set("persona-developer-engineer-workflow", "analyze-work-item", json!({"RECOMMENDED_ACTION": "fix-bug"}));
    set("persona-developer-engineer-workflow", "code-quality-check", json!({"QUALITY_PASSED": "true"}));
    set(
        "persona-engineering-manager-workflow",
        "analyze-management-context",
        json!({"RECOMMENDED_ACTION": "plan-project"}),
    );
    set(
        "persona-integration-engineer-workflow",
        "analyze-integration-requirements",
        json!({"RECOMMENDED_ACTION": "implement-integration"}),
    );
    set(
        "persona-product-owner-workflow",
        "analyze-product-requirements",
        json!({"RECOMMENDED_ACTION": "break-down-epic"}),
    );
    set(
        "persona-requirements-analyst-workflow",
        "analyze-requirements-context",
        json!({"RECOMMENDED_ACTION": "decompose-requirements", "TRACEABILITY_NEEDED": "true"}),
    );
    set(
        "persona-security-architect-workflow",
        "analyze-security-requirements",
        json!({"RECOMMENDED_ACTION": "security-architecture-review"}),
    );
    set(
        "persona-site-reliability-engineer-workflow",
        "analyze-reliability-context",
        json!({"RECOMMENDED_ACTION": "incident-response"}),
    );
    set(
        "persona-software-architect-workflow",
        "analyze-requirements",
        json!({"RECOMMENDED_ACTION": "design-review", "ARCHITECTURE_REVIEW_REQUIRED": "true"}),
    );
    set(
        "persona-software-qa-workflow",
        "analyze-quality-requirements",
        json!({"RECOMMENDED_ACTION": "quality-planning"}),
    );
    set(
        "persona-technical-writer-workflow",
        "analyze-documentation-needs",
        json!({"RECOMMENDED_ACTION": "create-api-docs"}),
    );
    set(
        "persona-ui-ux-designer-workflow",
        "analyze-design-requirements",
        json!({"RECOMMENDED_ACTION": "design-user-flow"}),
    );
    // wf7: two review threads drive the for-loop's branches; one critical issue.
    set(
        "wf7-pull-request-response",
        "get-pr-feedback",
        json!({"REVIEW_THREADS": [
            {"id": 1, "type": "critical", "status": "active", "content": "Null check missing"},
            {"id": 2, "type": "question", "status": "active", "content": "Why a new table?"},
        ]}),
    );
    set("wf7-pull-request-response", "analyze-feedback", json!({"CRITICAL_ISSUES": 1}));
    // wf8: an active, mergeable PR that merges.
    set(
        "wf8-merge",
        "validate-pr-status",
        json!({"PR_STATUS": "active", "MERGE_STATUS": "succeeded", "TARGET_BRANCH": "main", "SOURCE_BRANCH": "feature/WI-42"}),
    );
    set("wf8-merge", "execute-merge", json!({"MERGE_STATUS": "completed", "MERGE_COMMIT": "abc123"}));
    // wf9: the wait between its 24 monitoring rounds is `CHECK_INTERVAL` seconds.
    set("wf9-post-merge-monitoring", "setup-monitoring", json!({"CHECK_INTERVAL": 300}));
    set("wf9-post-merge-monitoring", "analyze-metrics", json!({"ALERT_NEEDED": "false"}));
    // wf13: every check passes, so wf0's development loop sees READY_FOR_PR and ends.
    set("wf13-pr-readiness-check", "analyze-commits", json!({"COMMIT_CHECK_PASSED": true}));
    set("wf13-pr-readiness-check", "run-unit-tests", json!({"TEST_RESULT": "passed"}));
    set("wf13-pr-readiness-check", "check-lint__s0", json!({"LINT_PASSED": true}));
    set("wf13-pr-readiness-check", "check-build__s0", json!({"BUILD_RESULT": "success"}));
    // wf14: a lint failure that the automatic fix repairs and commits.
    set("wf14-build-failure-recovery", "analyze-failure", json!({"FAILURE_TYPE": "lint"}));
    set("wf14-build-failure-recovery", "fix-lint-errors__s0", json!({"FIX_APPLIED": true}));
    set("wf14-build-failure-recovery", "commit-fixes__s0", json!({"FIXES_COMMITTED": true}));
    table
}

/// Parses every seed file into the dialect AST (for the input declarations).
fn declarations(sources: &[Source]) -> BTreeMap<String, Workflow> {
    sources
        .iter()
        .map(|source| {
            let mut diags = Diagnostics::new(&source.name);
            let workflow = yaml_to_bpmn::compile::parse_source(source, &mut diags)
                .unwrap_or_else(|| panic!("{} does not parse", source.name));
            (workflow.metadata.id.text.clone(), workflow)
        })
        .collect()
}

/// The start inputs satisfy the declarations: every input a caller must pass is there, no
/// undeclared input is passed, enum values are among `values` and the JSON types match.
fn assert_inputs_satisfy(workflow: &Workflow, inputs: &Value) {
    let id = &workflow.metadata.id.text;
    let Some(passed) = inputs.as_object() else { panic!("{id}: inputs must be an object") };
    for input in workflow.inputs.iter().filter(|i| i.must_be_passed()) {
        assert!(passed.contains_key(&input.name), "{id}: required input {} is missing", input.name);
    }
    for (name, value) in passed {
        let Some(input) = workflow.inputs.iter().find(|i| &i.name == name) else {
            panic!("{id}: input {name} is not declared");
        };
        let fits = match input.ty {
            InputType::String => value.is_string(),
            InputType::Enum => value.as_str().is_some_and(|v| input.values.iter().any(|allowed| allowed == v)),
            InputType::Boolean => value.is_boolean(),
            InputType::Number => value.is_number(),
            InputType::Array => value.is_array(),
            InputType::Object => value.is_object(),
        };
        assert!(fits, "{id}: {value} does not fit input {name} ({:?} {:?})", input.ty, input.values);
    }
}

/// Every scripted output is one the step declares (undeclared job variables would be dropped by
/// the output mapping, so a typo would silently script nothing).
fn assert_outputs_declared(outputs: &HashMap<(&str, &str), Value>, declared: &BTreeMap<String, Workflow>) {
    for ((process, step_id), values) in outputs {
        let step = declared[*process].all_steps().into_iter().find(|s| s.id == *step_id);
        let Some(step) = step else { panic!("{process} has no step {step_id}") };
        for name in values.as_object().into_iter().flat_map(|o| o.keys()) {
            assert!(step.outputs.iter().any(|o| &o.text == name), "{process}/{step_id} declares no output {name}");
        }
    }
}

#[test]
fn seed_workflows_run_on_the_engine() {
    let began = Instant::now();
    let files = files_with_extension(&shared_dir().join("corpus/seed-workflows"), "yaml");
    let sources: Vec<Source> = files
        .iter()
        .map(|p| Source { name: p.display().to_string(), text: std::fs::read_to_string(p).expect("read seed yaml") })
        .collect();
    let outcome = compile_set(&sources);
    let errors: Vec<String> = outcome.diagnostics.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
    assert!(errors.is_empty(), "compile errors:\n{}", errors.join("\n"));
    assert_eq!(outcome.workflows.len(), 32, "all 32 seed workflows compile");
    let declared = declarations(&sources);

    let mut test = ProcessTest::new();
    let resources: Vec<(&str, &bpmn::Definitions)> =
        outcome.workflows.iter().map(|w| (w.source.as_str(), &w.definitions)).collect();
    let deployment = test.core().deploy_models(&resources).unwrap_or_else(|e| panic!("deployment refused: {e}"));
    assert_eq!(deployment.processes.len(), 32);

    let types = job_types(outcome.workflows.iter().map(|w| &w.definitions));
    assert_eq!(types, ["azure-devops", "git-operation", "log", "notify", "shell-command"], "job types of the models");

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
