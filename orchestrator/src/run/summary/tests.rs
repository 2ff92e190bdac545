use engine::testing::ProcessTest;
use engine::testing::model::{MultiInstanceSpec, ProcessBuilder};
use serde_json::json;

use super::*;

/// `parent`: a phase `development` holding a call of `child` (one `shell-command` job, after a
/// failure) and a two-approver vote, then an SLA escalation that records a breach.
fn simulated_run() -> (ProcessTest, i64) {
    let mut test = ProcessTest::new();
    test.deploy(
        &ProcessBuilder::new("child")
            .start("s")
            .service_task("build", "shell-command")
            .header("build", "stepId", "build")
            .header("build", "persona", "developer")
            .end("e")
            .build(),
    );
    let vote = MultiInstanceSpec {
        input_collection: Some(r#"=["alice", "bob"]"#),
        input_element: Some("approver"),
        ..MultiInstanceSpec::default()
    };
    test.deploy(
        &ProcessBuilder::new("parent")
            .start("s")
            .sub_process("development", |phase| {
                phase
                    .start("ds")
                    .call_activity("call-build", "child")
                    .service_task("review__approve", "approve")
                    .header("review__approve", "stepId", "review")
                    .header("review__approve", "veto", "bob")
                    .input("review__approve", None, "approved")
                    .input("review__approve", None, "veto")
                    .input("review__approve", None, "reason")
                    .multi_instance("review__approve", vote)
                    .end("de")
            })
            .service_task("breach", "escalate")
            .header("breach", "kind", "sla-breach")
            .header("breach", "scope", "development")
            .header("breach", "sla", "4h")
            .header("breach", "escalateTo", "manager")
            .end("e")
            .build(),
    );
    let parent = test.start("parent", json!({}));
    let build = test.activate("shell-command")[0].key;
    assert!(test.core().fail_job(build, 2, "runner lost", std::time::Duration::ZERO, engine::Variables::new()).is_ok());
    test.complete_job("shell-command", json!({}));
    for job in test.activate("approve") {
        let vote = match job.variables.get("approver").and_then(Value::as_str) {
            Some("bob") => json!({"approved": false, "veto": true, "reason": "bob vetoes review"}),
            _ => json!({"approved": true, "veto": false, "reason": "alice approves review"}),
        };
        let vote = vote.as_object().cloned().unwrap_or_default();
        assert!(test.core().complete_job(job.key, vote).is_ok());
    }
    let breach =
        json!({"sla_breached": true, "sla_breaches": [{"scope": "development", "sla": "4h", "action": "escalate"}]});
    test.complete_job("escalate", breach);
    test.assert_completed(parent);
    (test, parent)
}

fn summary() -> Summary {
    let (mut test, parent) = simulated_run();
    let entries = test.core().history().transpose().ok().flatten().unwrap_or_default();
    Summary::of(&History::fold(entries), parent, 7).unwrap_or_else(|| panic!("no summary of {parent}"))
}

#[test]
fn phases_nest_across_call_activities_in_the_order_they_started() {
    let summary = summary();
    assert_eq!((summary.workflow.as_str(), summary.status, summary.seed), ("parent", "completed", 7));
    let phases: Vec<(&str, &str, Option<&str>, usize, &str)> =
        summary.phases.iter().map(|p| (p.element_id.as_str(), p.kind, p.calls.as_deref(), p.depth, p.status)).collect();
    assert_eq!(
        phases,
        [
            ("development", "sub-process", None, 0, "completed"),
            ("call-build", "call-activity", Some("child"), 1, "completed")
        ]
    );
}

#[test]
fn every_job_says_who_did_what_and_how_it_ended() {
    let summary = summary();
    let jobs: Vec<(Option<&str>, &str, &str, &str, &str)> = summary
        .jobs
        .iter()
        .map(|j| (j.persona.as_deref(), j.job_type.as_str(), j.step.as_str(), j.workflow.as_str(), j.result.as_str()))
        .collect();
    assert_eq!(
        jobs,
        [
            (Some("developer"), "shell-command", "build", "child", "completed after 1 failure(s)"),
            (Some("alice"), "approve", "review", "parent", "completed"),
            (Some("bob"), "approve", "review", "parent", "completed"),
            (Some("manager"), "escalate", "development", "parent", "completed"),
        ]
    );
}

#[test]
fn votes_escalations_and_breaches_are_read_from_the_jobs_and_variables() {
    let summary = summary();
    let votes: Vec<String> = summary
        .approvals
        .iter()
        .map(|v| format!("{:?} {:?} {:?} {:?}", v.approver, v.approved, v.veto, v.reason))
        .collect();
    assert_eq!(
        votes,
        [
            r#"Some("alice") Some(true) Some(false) Some("alice approves review")"#,
            r#"Some("bob") Some(false) Some(true) Some("bob vetoes review")"#
        ]
    );
    let escalation = &summary.escalations[0];
    assert_eq!(
        (escalation.kind.as_deref(), escalation.step.as_str(), escalation.to.as_deref(), escalation.sla.as_deref()),
        (Some("sla-breach"), "development", Some("manager"), Some("4h"))
    );
    assert!(summary.sla.breached);
    assert_eq!(summary.sla.breaches, [json!({"scope": "development", "sla": "4h", "action": "escalate"})]);
    assert_eq!(summary.sla_line(), "breached: development 4h (escalate)");
}

#[test]
fn an_unknown_instance_has_no_summary() {
    assert_eq!(Summary::of(&History::default(), 42, 0), None);
}
