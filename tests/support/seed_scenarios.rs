//! The seed workflows' runs under scripted workers, shared by the tests that run them on the
//! embedded engine and on a real Zeebe: the start inputs, the expected outcomes, the outputs the
//! workers report, and the checks that these fit the workflows' declarations.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use yaml_to_bpmn::dialect::ast::{InputType, Workflow};
use yaml_to_bpmn::{Diagnostics, Outcome, Source};

use super::{compile_folder, shared_dir};

/// The seed YAML files, read, and all of them compiled together with `compile_set`; panics
/// with the compile errors if there are any.
pub fn compile_seed_workflows() -> (Vec<Source>, Outcome) {
    let (sources, outcome) = compile_folder(&shared_dir().join("corpus/seed-workflows"));
    assert_eq!(outcome.workflows.len(), 32, "all 32 seed workflows compile");
    (sources, outcome)
}

/// The outputs scripted for the step `step_id` (a job's `stepId` header) of `process`, if any.
pub fn scripted_outputs<'t>(
    table: &'t HashMap<(&'static str, &'static str), Value>,
    process: &str,
    step_id: &str,
) -> Option<&'t serde_json::Map<String, Value>> {
    // The table's keys are static text and the job's names are not, so a plain lookup cannot
    // borrow them; the table is small enough for a scan.
    table.iter().find(|((p, s), _)| *p == process && *s == step_id).and_then(|(_, outputs)| outputs.as_object())
}

/// What a workflow is expected to do under the scripted workers.
pub enum Expect {
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

/// One seed workflow's run: its process id, its start inputs and the expected outcome.
pub struct Scenario {
    /// The BPMN process id (the workflow's `metadata.id`).
    pub id: &'static str,
    /// The workflow inputs, passed as the `inputs` variable.
    pub inputs: Value,
    /// What the run should do.
    pub expect: Expect,
}

/// The workflows, their start inputs and what they should do.
pub fn scenarios() -> Vec<Scenario> {
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
pub fn step_outputs() -> HashMap<(&'static str, &'static str), Value> {
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
pub fn declarations(sources: &[Source]) -> BTreeMap<String, Workflow> {
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
pub fn assert_inputs_satisfy(workflow: &Workflow, inputs: &Value) {
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
pub fn assert_outputs_declared(outputs: &HashMap<(&str, &str), Value>, declared: &BTreeMap<String, Workflow>) {
    for ((process, step_id), values) in outputs {
        let step = declared[*process].all_steps().into_iter().find(|s| s.id == *step_id);
        let Some(step) = step else { panic!("{process} has no step {step_id}") };
        for name in values.as_object().into_iter().flat_map(|o| o.keys()) {
            assert!(step.outputs.iter().any(|o| &o.text == name), "{process}/{step_id} declares no output {name}");
        }
    }
}
