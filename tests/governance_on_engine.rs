//! RACI and SLAs as compiled by `yaml-to-bpmn`, run on the embedded engine with a virtual clock:
//! a hard limit that stops the work and rolls back, a phase breach that escalates while the work
//! goes on, 2-of-3 approvals, a veto, auto-approval and an escalation timeout that fires once.
//!
//! The models are `yaml-to-bpmn/tests/governance/*.yaml`, compiled with their persona catalogue.

mod support;

use std::time::Duration;

use engine::ActivatedJob;
use engine::testing::ProcessTest;
use serde_json::{Value, json};
use support::{compile_folder, workspace_root};

const HOUR: Duration = Duration::from_secs(3600);
const JOB_TYPES: [&str; 8] =
    ["llm", "shell-command", "git-operation", "notify", "log", "consult", "approve", "escalate"];

/// The governance samples compiled together and deployed into a fresh engine.
fn engine() -> ProcessTest {
    let (_, outcome) = compile_folder(&workspace_root().join("yaml-to-bpmn/tests/governance"));
    let mut test = ProcessTest::new();
    let models: Vec<(&str, &bpmn::Definitions)> =
        outcome.workflows.iter().map(|w| (w.source.as_str(), &w.definitions)).collect();
    test.core().deploy_models(&models).expect("deploy the samples");
    test
}

fn header<'a>(job: &'a ActivatedJob, key: &str) -> Option<&'a str> {
    job.template.custom_headers.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Completes every activatable job that `reply` answers (with those variables) until none is
/// left; returns the jobs it left alone. Each job is offered once per round.
fn settle(test: &mut ProcessTest, reply: &dyn Fn(&ActivatedJob) -> Option<Value>) -> Vec<ActivatedJob> {
    let mut held = Vec::new();
    loop {
        let mut progressed = false;
        for job_type in JOB_TYPES {
            for job in test.activate(job_type) {
                match reply(&job) {
                    Some(variables) => {
                        // A job of the same batch may have been cancelled by an earlier one (the
                        // third vote, once two approve); that is the model at work, not an error.
                        if test.core().complete_job(job.key, engine::testing::vars(variables)).is_ok() {
                            progressed = true;
                        }
                    }
                    None => held.push(job),
                }
            }
        }
        if !progressed {
            return held;
        }
    }
}

/// Answers as a cooperative team: builds pass, designs are big, approvers approve.
fn cooperative(job: &ActivatedJob) -> Option<Value> {
    Some(match (job.job_type(), header(job, "stepId")) {
        ("llm", Some("design")) => json!({"SMALL_CHANGE": false}),
        ("llm", Some("plan")) => json!({"NEXT": "code"}),
        ("shell-command", Some("build")) => json!({"BUILD_OK": true}),
        ("approve", _) => json!({"approved": true, "veto": false, "reason": "fine"}),
        ("consult", _) => json!({"advice": format!("advice from {}", job.variables["consultant"])}),
        _ => json!({}),
    })
}

/// Runs the governed sample up to its review: the approval jobs are left open and returned.
fn up_to_review(test: &mut ProcessTest, small_change: bool) -> (i64, Vec<ActivatedJob>) {
    let instance = test.start("sample-governed", json!({"inputs": {"WORK_ITEM_ID": "WI-7"}}));
    let held = settle(test, &|job| match (job.job_type(), header(job, "stepId")) {
        ("approve", _) => None,
        ("llm", Some("design")) => Some(json!({"SMALL_CHANGE": small_change})),
        _ => cooperative(job),
    });
    (instance, held)
}

fn review(test: &ProcessTest, instance: i64) -> Value {
    test.variable(instance, "steps").expect("steps")["review"].clone()
}

#[test]
fn a_hard_limit_stops_the_work_and_completes_the_rollback() {
    let mut test = engine();
    let instance = test.start("sample-hotfix", json!({"inputs": {"INCIDENT_ID": "INC-1"}}));
    test.complete_job("shell-command", json!({}));
    test.assert_element_active(instance, "soak");
    test.advance(4 * HOUR);
    let escalation = test.activate("escalate").pop().expect("the breach raises an escalation job");
    assert_eq!(header(&escalation, "kind"), Some("sla-breach"));
    assert_eq!(header(&escalation, "sla"), Some("PT4H"));
    assert_eq!(header(&escalation, "onBreach"), Some("rollback:sample-rollback"));
    assert_eq!(escalation.variables.get("elapsed"), Some(&json!("PT4H")), "the elapsed time since the start");
    test.core().complete_job(escalation.key, Default::default()).expect("complete the escalation");
    let revert = test.complete_job("git-operation", json!({}));
    assert_eq!(revert.template.bpmn_process_id.as_ref(), "sample-rollback");
    assert_eq!(revert.variables["parameters"]["reason"], json!("SLA PT4H of workflow breached"));
    test.assert_completed(instance);
    test.assert_element_passed(instance, "workflow__rollback");
    test.assert_element_not_passed(instance, "done");
    assert_eq!(test.completed_count(instance, "soak"), 0, "the wait was stopped, not finished");
    assert_eq!(test.variable(instance, "sla_breached"), Some(json!(true)));
    assert_eq!(
        test.variable(instance, "sla_breaches"),
        Some(json!([{"scope": "workflow", "sla": "PT4H", "action": "rollback:sample-rollback"}]))
    );
}

#[test]
fn a_hotfix_within_its_limit_never_rolls_back() {
    let mut test = engine();
    let instance = test.start("sample-hotfix", json!({"inputs": {"INCIDENT_ID": "INC-2"}}));
    test.complete_job("shell-command", json!({}));
    test.advance(Duration::from_secs(3 * 3600 + 59 * 60));
    assert!(test.activate("escalate").is_empty(), "no breach before 4 h");
    assert_eq!(test.variable(instance, "sla_breached"), Some(json!(false)));
}

#[test]
fn a_phase_breach_escalates_to_the_manager_while_the_work_goes_on() {
    let mut test = engine();
    let instance = test.start("sample-governed", json!({"inputs": {"WORK_ITEM_ID": "WI-8"}}));
    let held = settle(&mut test, &|job| match header(job, "stepId") {
        Some("build") => None,
        _ => cooperative(job),
    });
    assert!(held.iter().any(|j| header(j, "stepId") == Some("build")), "the build is still running");
    test.advance(72 * HOUR);
    let escalations = test.activate("escalate");
    assert_eq!(escalations.len(), 1, "one breach: the development phase");
    let escalation = &escalations[0];
    assert_eq!(header(escalation, "scope"), Some("development"));
    assert_eq!(header(escalation, "escalateTo"), Some("engineering-manager"));
    assert_eq!(header(escalation, "kind"), Some("sla-breach"));
    test.core().complete_job(escalation.key, Default::default()).expect("complete the escalation");
    test.assert_element_active(instance, "build");
    settle(&mut test, &cooperative);
    test.assert_completed(instance);
    assert_eq!(test.variable(instance, "sla_breached"), Some(json!(true)));
    assert_eq!(
        test.variable(instance, "sla_breaches"),
        Some(json!([{"scope": "development", "sla": "P3D", "action": "escalate"}]))
    );
}

#[test]
fn two_of_three_approvals_complete_on_the_second() {
    let mut test = engine();
    let (instance, votes) = up_to_review(&mut test, false);
    assert_eq!(votes.len(), 3, "three approvers are asked at once");
    let approve = json!({"approved": true, "veto": false, "reason": "ok"});
    test.core().complete_job(votes[0].key, engine::testing::vars(approve.clone())).expect("first vote");
    test.assert_element_active(instance, "review__approve");
    test.core().complete_job(votes[1].key, engine::testing::vars(approve)).expect("second vote");
    test.assert_element_passed(instance, "review__decide");
    assert!(test.core().complete_job(votes[2].key, Default::default()).is_err(), "the third vote was cancelled");
    let review = review(&test, instance);
    assert_eq!(review["APPROVED"], json!(true));
    assert_eq!(review["APPROVALS"], json!(2));
    assert_eq!(review["AUTO_APPROVED"], json!(false));
}

#[test]
fn one_approval_of_three_is_not_enough() {
    let mut test = engine();
    let (instance, votes) = up_to_review(&mut test, false);
    for (job, approved) in votes.iter().zip([true, false, false]) {
        let vote = json!({"approved": approved, "veto": false, "reason": if approved { "ok" } else { "not yet" }});
        test.core().complete_job(job.key, engine::testing::vars(vote)).expect("vote");
    }
    let review = review(&test, instance);
    assert_eq!(review["APPROVED"], json!(false));
    assert_eq!(review["REJECT_REASON"], json!("only 1 of 2 approvals needed"));
}

#[test]
fn a_veto_rejects_at_once_and_records_who_and_why() {
    let mut test = engine();
    let (instance, votes) = up_to_review(&mut test, false);
    let security = votes.iter().find(|j| j.variables["approver"] == json!("security-architect")).expect("vetoer");
    let veto = json!({"approved": false, "veto": true, "reason": "secrets in the logs"});
    test.core().complete_job(security.key, engine::testing::vars(veto)).expect("veto");
    test.assert_element_passed(instance, "review__decide");
    let review = review(&test, instance);
    assert_eq!(review["APPROVED"], json!(false));
    assert_eq!(review["VETOED_BY"], json!("security-architect"));
    assert_eq!(review["REJECT_REASON"], json!("secrets in the logs"));
}

#[test]
fn a_veto_by_an_approver_without_veto_power_is_only_a_no() {
    let mut test = engine();
    let (instance, votes) = up_to_review(&mut test, false);
    let architect = votes.iter().find(|j| j.variables["approver"] == json!("software-architect")).expect("approver");
    let veto = json!({"approved": false, "veto": true, "reason": "style"});
    test.core().complete_job(architect.key, engine::testing::vars(veto)).expect("veto");
    test.assert_element_active(instance, "review__approve");
}

#[test]
fn auto_approve_skips_the_approval_and_records_it() {
    let mut test = engine();
    let (instance, held) = up_to_review(&mut test, true);
    assert!(held.is_empty(), "nobody is asked to approve: {held:?}");
    test.assert_completed(instance);
    test.assert_element_not_passed(instance, "review__approve");
    let review = review(&test, instance);
    assert_eq!((review["APPROVED"].clone(), review["AUTO_APPROVED"].clone()), (json!(true), json!(true)));
}

#[test]
fn an_escalation_timeout_fires_once_and_only_once() {
    let mut test = engine();
    let instance = test.start("sample-governed", json!({"inputs": {"WORK_ITEM_ID": "WI-9"}}));
    settle(&mut test, &|job| match header(job, "stepId") {
        Some("design") if job.job_type() == "llm" => None,
        _ => cooperative(job),
    });
    test.advance(4 * HOUR);
    let first = test.activate("escalate");
    assert_eq!(first.len(), 1);
    assert_eq!(header(&first[0], "kind"), Some("raci-timeout"));
    assert_eq!(header(&first[0], "escalateTo"), Some("engineering-manager"));
    test.core().complete_job(first[0].key, Default::default()).expect("complete the escalation");
    test.advance(20 * HOUR);
    assert!(test.activate("escalate").is_empty(), "the timeout fires once");
    test.assert_element_active(instance, "design__work");
}

#[test]
fn consulted_personas_advise_before_the_work_and_the_work_sees_their_advice() {
    let mut test = engine();
    let instance = test.start("sample-governed", json!({"inputs": {"WORK_ITEM_ID": "WI-10"}}));
    let consults = test.activate("consult");
    let asked: Vec<&Value> = consults.iter().map(|j| &j.variables["consultant"]).collect();
    assert_eq!(asked, [&json!("backend-developer"), &json!("security-architect")]);
    assert!(test.activate("llm").is_empty(), "the work waits for the advice");
    for job in &consults {
        let advice = json!({"advice": format!("from {}", job.variables["consultant"].as_str().unwrap_or("?"))});
        test.core().complete_job(job.key, engine::testing::vars(advice)).expect("advise");
    }
    let work = test.activate("llm").pop().expect("the work starts after the advice");
    assert_eq!(header(&work, "persona"), Some("software-architect"));
    let consultations = &test.variable(instance, "steps").expect("steps")["design"]["CONSULTATIONS"];
    assert_eq!(consultations[1], json!({"consultant": "security-architect", "advice": "from security-architect"}));
}

#[test]
fn a_human_does_the_work_as_a_user_task_for_the_responsible_personas() {
    let mut test = engine();
    let instance = test.start("sample-human", json!({"inputs": {"RELEASE": "1.4.0"}}));
    assert!(test.activate("llm").is_empty(), "no job: a person does this step");
    let tasks = test.core().user_tasks();
    let task = tasks.iter().find(|t| t.process_instance_key == instance).expect("a user task");
    assert_eq!(&*task.element_id, "sign-off");
    assert_eq!(task.candidate_groups.to_vec(), ["engineering-manager", "product-owner"]);
    let key = task.key;
    test.core().claim_user_task(key, "maria").expect("claim");
    test.core().complete_user_task(key, engine::testing::vars(json!({"SIGNED": true}))).expect("complete");
    let announce = test.activate("notify").pop().expect("the announcement follows");
    assert_eq!(announce.variables["message"], json!("Release 1.4.0 signed: true"));
    assert_eq!(test.variable(instance, "steps").expect("steps")["sign-off"]["SIGNED"], json!(true));
}
