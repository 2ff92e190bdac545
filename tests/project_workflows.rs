//! The project's own `workflows/`: the persona catalogue with its 25 types, the 18 system
//! workflows, the #14 fix loop, emergency task and test pipeline, and one workflow per persona type compile
//! together without a single diagnostic, and the RACI matrix names a responsible persona for every
//! task step.
//!
//! (`seed_workflows.rs` lints and checks their diagrams with bpmn-check, `project_workflows_simulated.rs`
//! runs them, `seed_workflows_on_zeebe.rs` deploys them to the broker.)

mod support;

use std::collections::BTreeSet;

use support::project_workflows::compile_project_workflows;

/// The 18 system workflows the product ships with, and the fix loop of #14.
const SYSTEM: [&str; 19] = [
    "wf0-feature-development",
    "wf1-bug-fix",
    "wf2-hotfix",
    "wf3-branch-creation",
    "wf4-code-commit",
    "wf5-pull-request-creation",
    "wf6-pull-request-review",
    "wf7-pull-request-response",
    "wf8-merge",
    "wf9-post-merge-monitoring",
    "wf10-conflict-resolution",
    "wf11-rollback",
    "wf12-work-item-update",
    "wf13-pr-readiness-check",
    "wf14-build-failure-recovery",
    "wf15-settings-lookup",
    "wf16-reviewer-selection",
    "wf17-merge-strategy-selection",
    "fix-loop",
];

/// The 25 persona types, by group.
const PERSONA_TYPES: [(&str, &[&str]); 6] = [
    (
        "development",
        &["senior-developer", "backend-developer", "frontend-developer", "mobile-developer", "ai-engineer"],
    ),
    ("quality", &["qa-test-engineer", "software-qa", "test-engineer", "integration-engineer"]),
    ("architecture", &["software-architect", "systems-architect", "security-architect", "ui-ux-designer"]),
    (
        "operations",
        &["devsecops-engineer", "site-reliability-engineer", "cloud-engineer", "configuration-release-engineer"],
    ),
    (
        "management",
        &["engineering-manager", "product-owner", "scrum-master", "business-analyst", "requirements-analyst"],
    ),
    ("specialists", &["security-engineer", "data-engineer-dba", "technical-writer"]),
];

#[test]
fn the_catalogue_lists_the_25_types_each_with_its_own_workflow() {
    let outcome = compile_project_workflows();
    let catalogue = outcome.catalogue.as_ref().expect("workflows/personas/types.yaml is the catalogue");
    let mut expected = BTreeSet::new();
    for (group, ids) in PERSONA_TYPES {
        for id in ids {
            let persona = catalogue.get(id).unwrap_or_else(|| panic!("the catalogue lacks `{id}`"));
            assert_eq!(persona.group, group, "{id}'s group");
            assert!(!persona.name.is_empty() && persona.name != *id, "{id} has a display name");
            assert!(!persona.capabilities.is_empty(), "{id} has capabilities");
            assert!(persona.defaults.max_concurrent_tasks >= 1, "{id} has a capacity");
            assert!(
                persona.defaults.escalate_to.as_deref().is_some_and(|t| t != *id),
                "{id} escalates to someone else"
            );
            let workflow = persona.workflow.as_deref().unwrap_or_else(|| panic!("{id} has no workflow"));
            assert!(outcome.workflows.iter().any(|w| w.id == workflow), "{id}'s workflow {workflow} is compiled");
            expected.insert(*id);
        }
    }
    let listed: BTreeSet<&str> = catalogue.types.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(listed, expected, "exactly the 25 types");
}

#[test]
fn all_44_workflows_compile_without_a_diagnostic() {
    let outcome = compile_project_workflows();
    let diagnostics: Vec<String> = outcome.diagnostics.iter().map(ToString::to_string).collect();
    assert!(diagnostics.is_empty(), "diagnostics:\n{}", diagnostics.join("\n"));
    let ids: BTreeSet<&str> = outcome.workflows.iter().map(|w| w.id.as_str()).collect();
    for id in SYSTEM {
        assert!(ids.contains(id), "system workflow {id} is missing");
    }
    for system in ["emergency-task", "fix-loop", "test-pipeline"] {
        assert!(ids.contains(system), "the #14 system {system} is missing: {ids:?}");
    }
    assert_eq!(
        outcome.workflows.len(),
        46,
        "18 system workflows, the fix loop, the emergency task, the test pipeline and 25 persona workflows: {ids:?}"
    );
}

#[test]
fn the_raci_matrix_names_who_does_every_task_step() {
    let outcome = compile_project_workflows();
    let rows: Vec<_> = outcome.workflows.iter().flat_map(|w| &w.raci).collect();
    let nobody: Vec<String> =
        rows.iter().filter(|r| r.responsible.is_empty()).map(|r| format!("{}/{}", r.workflow, r.step)).collect();
    assert!(nobody.is_empty(), "task steps without a responsible persona: {nobody:?}");
    let tasks = support::project_workflows::task_count(&outcome);
    assert!(rows.len() >= tasks, "every task step has a row: {} rows for {tasks} tasks", rows.len());
    let approvals = rows.iter().filter(|r| !r.accountable.is_empty()).count();
    assert!(approvals >= 5, "the workflows ask for approvals in several places, found {approvals}");
    for workflow in &outcome.workflows {
        assert!(workflow.raci.iter().any(|r| !r.responsible.is_empty()), "{} has no persona at work", workflow.id);
    }
}

#[test]
fn wf0_and_wf2_carry_their_slas_in_the_model() {
    let outcome = compile_project_workflows();
    let xml = |id: &str| {
        let workflow = outcome.workflows.iter().find(|w| w.id == id).unwrap_or_else(|| panic!("{id}"));
        yaml_to_bpmn::output::to_xml(&workflow.definitions)
    };
    let wf0 = xml("wf0-feature-development");
    for duration in ["P5D", "P3D", "P1D", "PT12H"] {
        assert!(wf0.contains(&format!(">{duration}</bpmn:timeDuration>")), "wf0 has a {duration} SLA timer");
    }
    let wf2 = xml("wf2-hotfix");
    assert!(wf2.contains(">PT4H</bpmn:timeDuration>"), "wf2 has its 4 h limit");
    assert!(wf2.contains("processId=\"wf11-rollback\""), "wf2 rolls back through wf11");
    assert!(wf2.contains("isInterrupting=\"true\""), "wf2's limit stops the work");
}

/// Zeebe drops a task header whose key or value is empty (with a warning in its log), so the
/// compiler writes none: an approval without vetoers has no `veto` header at all.
#[test]
fn no_task_header_is_empty() {
    let outcome = compile_project_workflows();
    let mut approvals_without_vetoers = 0;
    for workflow in &outcome.workflows {
        let xml = yaml_to_bpmn::output::to_xml(&workflow.definitions);
        assert!(!xml.contains("value=\"\""), "{} has a task header with an empty value", workflow.id);
        assert!(!xml.contains("key=\"\""), "{} has a task header with an empty key", workflow.id);
        approvals_without_vetoers +=
            xml.matches("key=\"minApprovals\"").count() - xml.matches("<zeebe:header key=\"veto\"").count();
    }
    assert!(approvals_without_vetoers > 0, "some approval has no vetoer, so the case is covered");
}
