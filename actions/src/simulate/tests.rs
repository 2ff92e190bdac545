use serde_json::{Value, json};

use super::*;
use workers::testing::Capture;
use workers::testing::job;

const SHAPES: &str = r#"{"BRANCH": "string", "OK": "boolean", "COUNT": "number", "FILES": "list", "REVIEW": "object", "VERDICT": ["approve", "request-changes"]}"#;

fn handler(scenario: Value) -> SimulateHandler {
    let scenario = serde_json::from_value(scenario).unwrap_or_else(|e| panic!("bad test scenario: {e}"));
    SimulateHandler::new(scenario)
}

fn completed(outcome: JobOutcome) -> Variables {
    match outcome {
        JobOutcome::Complete { variables } => variables,
        other => panic!("expected a completion, got {other:?}"),
    }
}

/// The variables of `count` runs of a task with every shape, each in its own instance.
fn task_values(simulate: &SimulateHandler, count: i64) -> Vec<Variables> {
    let mut all = Vec::new();
    for instance in 0..count {
        let task = Job { process_instance_key: instance, ..job("llm", &[("outputs", SHAPES)], json!({})) };
        all.push(completed(simulate.decide(&task)));
    }
    all
}

#[test]
fn the_same_seed_gives_the_same_values_and_another_seed_other_values() {
    let seven = task_values(&handler(json!({"seed": 7})), 20);
    assert_eq!(seven, task_values(&handler(json!({"seed": 7})), 20));
    assert_ne!(seven, task_values(&handler(json!({"seed": 8})), 20));
    // The step served again, in another instance, moves on to new values.
    assert!(seven.windows(2).all(|pair| pair[0] != pair[1]), "{seven:?}");
}

#[test]
fn a_step_served_again_gets_new_values() {
    let simulate = handler(json!({}));
    let task = job("llm", &[("outputs", r#"{"NAME": "string"}"#)], json!({}));
    let names: Vec<Value> = [(); 3].iter().map(|_| completed(simulate.decide(&task))["NAME"].clone()).collect();
    assert!(names[0] != names[1] && names[1] != names[2], "{names:?}");
}

#[test]
fn outputs_have_the_declared_shapes() {
    let values = task_values(&handler(json!({"seed": 1})), 1);
    let values = &values[0];
    let names: Vec<&str> = values.keys().map(String::as_str).collect();
    assert_eq!(names, ["BRANCH", "COUNT", "FILES", "OK", "REVIEW", "VERDICT"]);
    assert!(values["BRANCH"].as_str().is_some_and(|s| s.starts_with("branch-")), "{values:?}");
    assert!(values["OK"].is_boolean() && values["COUNT"].as_u64().is_some_and(|n| n < 10));
    assert!(values["FILES"].as_array().is_some_and(|l| l.len() <= 3) && values["REVIEW"] == json!({}));
    assert!(["approve", "request-changes"].iter().any(|v| values["VERDICT"] == json!(v)), "{values:?}");
}

#[test]
fn every_allowed_value_turns_up_and_booleans_follow_the_chance() {
    let shapes = r#"{"VERDICT": ["a", "b", "c"], "OK": "boolean"}"#;
    let mut verdicts = Vec::new();
    let mut trues = 0;
    for seed in 0..60 {
        let simulate = handler(json!({"seed": seed}));
        let values = completed(simulate.decide(&job("shell-command", &[("outputs", shapes)], json!({}))));
        verdicts.push(values["VERDICT"].clone());
        trues += usize::from(values["OK"] == json!(true));
    }
    verdicts.sort_by_key(Value::to_string);
    verdicts.dedup();
    assert_eq!(verdicts, [json!("a"), json!("b"), json!("c")]);
    assert!((20..55).contains(&trues), "{trues} of 60 true at the default 0.6");
    let never = handler(json!({"chances": {"boolean": 0.0}}));
    let values = completed(never.decide(&job("llm", &[("outputs", shapes)], json!({}))));
    assert_eq!(values["OK"], json!(false));
}

#[test]
fn without_an_outputs_header_a_task_completes_empty_and_a_bad_header_is_an_incident() {
    let simulate = handler(json!({}));
    assert_eq!(simulate.decide(&job("git-operation", &[], json!({}))), JobOutcome::complete());
    let bad = simulate.decide(&job("llm", &[("stepId", "plan"), ("outputs", r#"{"A": "text"}"#)], json!({})));
    let JobOutcome::Fail { message, retries: 0, .. } = bad else { panic!("expected an incident, got {bad:?}") };
    assert!(message.contains("task 'task-1' of process 'proc'") && message.contains("output `A`"), "{message}");
}

#[test]
fn a_script_is_taken_in_order_its_last_outcome_repeats_and_merges_over_random_values() {
    let simulate = handler(json!({"steps": {"build": [
        {"error": "BUILD_FAILED", "LOG": "red"}, {"fail": "runner lost"}, {"OK": true}
    ]}}));
    let build =
        job("shell-command", &[("stepId", "build"), ("outputs", r#"{"OK": "boolean", "LOG": "string"}"#)], json!({}));
    let first = simulate.decide(&build);
    let JobOutcome::Error { code, variables, .. } = first else { panic!("expected a BPMN error, got {first:?}") };
    assert_eq!((code.as_str(), Value::Object(variables)), ("BUILD_FAILED", json!({"LOG": "red"})));
    assert_eq!(simulate.decide(&build), JobOutcome::fail(&build, "runner lost"));
    for _ in 0..2 {
        let values = completed(simulate.decide(&build));
        assert_eq!(values["OK"], json!(true));
        assert!(values["LOG"].as_str().is_some_and(|l| l.starts_with("log-")), "{values:?}");
    }
    // Another instance (a loop calling the workflow anew) goes on where the script is.
    let other = Job { process_instance_key: 99, ..build.clone() };
    assert_eq!(completed(simulate.decide(&other))["OK"], json!(true));
    // Another workflow's element of the same id has a script position of its own.
    let elsewhere = Job { bpmn_process_id: "other".into(), ..build };
    assert!(matches!(simulate.decide(&elsewhere), JobOutcome::Error { .. }));
}

fn approve(approver: &str, veto: &str) -> Job {
    job("approve", &[("stepId", "design"), ("raci", "accountable"), ("veto", veto)], json!({"approver": approver}))
}

#[test]
fn approvals_have_their_shape_and_only_a_named_vetoer_vetoes() {
    let mut vetoes = 0;
    let mut approvals = 0;
    for seed in 0..200 {
        let simulate = handler(json!({"seed": seed}));
        let vote = completed(simulate.decide(&approve("security-architect", "security-architect")));
        let names: Vec<&str> = vote.keys().map(String::as_str).collect();
        assert_eq!(names, ["approved", "reason", "veto"]);
        let (approved, veto) = (vote["approved"] == json!(true), vote["veto"] == json!(true));
        assert!(!(approved && veto), "{vote:?}");
        assert!(vote["reason"].as_str().is_some_and(|r| r.starts_with("security-architect ")), "{vote:?}");
        vetoes += usize::from(veto);
        approvals += usize::from(approved);
        let plain = completed(simulate.decide(&approve("developer", "security-architect")));
        assert_eq!(plain["veto"], json!(false));
    }
    assert!((5..40).contains(&vetoes), "{vetoes} vetoes of 200 at 0.1");
    assert!((100..160).contains(&approvals), "{approvals} approvals of 200");
}

#[test]
fn a_voter_script_wins_over_the_kind_script_and_the_bare_step_scripts_only_the_work() {
    let simulate = handler(json!({"steps": {
        "design": [{"DONE": true}],
        "design/approve": [{"approved": false}],
        "design/security-architect": [{"approved": true, "veto": false}]
    }}));
    let security = completed(simulate.decide(&approve("security-architect", "")));
    assert_eq!(security["approved"], json!(true));
    let developer = completed(simulate.decide(&approve("developer", "")));
    assert_eq!(developer["approved"], json!(false));
    assert_eq!(developer["reason"], json!("developer asks for changes to design"), "the reason follows the script");
    assert!(!developer.contains_key("DONE"), "{developer:?}");
    let work = completed(simulate.decide(&job("llm", &[("stepId", "design")], json!({}))));
    assert_eq!(Value::Object(work), json!({"DONE": true}));
}

#[test]
fn voters_of_one_step_count_their_occurrences_apart() {
    let simulate = handler(json!({"steps": {"design/approve": [{"approved": false}, {"approved": true}]}}));
    for approver in ["a", "b"] {
        assert_eq!(completed(simulate.decide(&approve(approver, "")))["approved"], json!(false));
    }
    assert_eq!(completed(simulate.decide(&approve("a", "")))["approved"], json!(true));
}

#[test]
fn consult_gives_advice_and_escalate_nothing() {
    let simulate = handler(json!({}));
    let consult = job("consult", &[("stepId", "design")], json!({"consultant": "backend-developer"}));
    let advice = completed(simulate.decide(&consult));
    assert_eq!(advice.keys().collect::<Vec<_>>(), ["advice"]);
    assert!(advice["advice"].as_str().is_some_and(|a| a.starts_with("backend-developer on design: ")), "{advice:?}");
    let escalate = job("escalate", &[("kind", "sla-breach"), ("scope", "development")], json!({}));
    assert_eq!(simulate.decide(&escalate), JobOutcome::complete());
    let scripted = handler(json!({"steps": {"development/escalate": [{"fail": "nobody answers"}]}}));
    assert!(matches!(scripted.decide(&escalate), JobOutcome::Fail { .. }));
}

#[tokio::test]
async fn each_outcome_is_logged_as_simulated_with_what_it_returned() {
    let capture = Capture::default();
    let _default = tracing::subscriber::set_default(capture.clone());
    // Tests on other threads log without a subscriber: recompute which log calls are on, now
    // that this thread listens.
    tracing::callsite::rebuild_interest_cache();
    let simulate = handler(json!({"steps": {"plan": [{"PLAN": "x"}]}}));
    simulate.handle(&job("llm", &[("stepId", "plan"), ("persona", "architect")], json!({}))).await;
    let logged = capture.events();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].level, tracing::Level::INFO);
    assert_eq!(logged[0].field("simulated"), Some("true"));
    assert_eq!(logged[0].field("persona"), Some("architect"));
    assert_eq!(logged[0].field("returned"), Some(r#"{"PLAN":"x"}"#));
    assert_eq!(logged[0].field("message"), Some("simulated llm plan"));
}
