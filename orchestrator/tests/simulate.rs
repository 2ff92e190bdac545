//! `run --simulate` and `run --clock virtual` end to end: simulated outputs, scenarios, the
//! summary, and long waits that pass at once.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Workdir, model};

/// `run` deploying and starting `simulated-review` (a build and review loop in a phase, then a
/// vote of two approvers) with `extra` arguments, as JSON.
fn simulate(dir: &Workdir, extra: &[&str]) -> Value {
    let bpmn = model("simulated-review.bpmn").display().to_string();
    let mut args = vec!["run", "--deploy", &bpmn, "--start", "simulated-review", "--simulate", "--until-done"];
    args.extend(extra);
    dir.json(&args)
}

/// The instance's variables as `name → value`.
fn variables(dir: &Workdir, key: i64) -> Vec<(String, Value)> {
    let status = dir.json(&["status", &key.to_string()]);
    let all = status["variables"].as_array().cloned().unwrap_or_default();
    all.iter().map(|v| (v["name"].as_str().unwrap_or_default().to_owned(), v["value"].clone())).collect()
}

fn instance(run: &Value) -> i64 {
    run["instance"].as_i64().unwrap_or_else(|| panic!("no instance in {run}"))
}

#[test]
fn a_simulated_run_completes_and_the_history_names_the_simulate_worker() {
    let dir = Workdir::new();
    let run = simulate(&dir, &["--seed", "7"]);
    assert_eq!(run["stopped"], json!("completed"), "{run}");
    let summary = &run["summary"];
    assert_eq!((summary["seed"].clone(), summary["status"].clone()), (json!(7), json!("completed")));
    assert_eq!(summary["phases"][0]["element_id"], json!("development"), "{summary}");
    let votes = summary["approvals"].as_array().map(Vec::len);
    assert_eq!(votes, Some(2), "{summary}");
    let history = dir.json(&["history", &instance(&run).to_string()]);
    let jobs = history["jobs"].as_array().cloned().unwrap_or_default();
    assert!(jobs.len() >= 4, "build, review, two votes: {jobs:?}");
    for job in &jobs {
        let completed = job["events"].as_array().and_then(|e| e.iter().find(|e| e["intent"] == json!("COMPLETED")));
        assert_eq!(completed.map(|e| e["worker"].clone()), Some(json!("orchestrator-simulate")), "{job}");
    }
    let text = dir.run(&["history", &instance(&run).to_string()]).expect_code(0).stdout;
    assert!(text.contains("CompleteJob by worker 'orchestrator-simulate'"), "{text}");
}

#[test]
fn the_same_seed_gives_the_same_variables_and_another_seed_others() {
    let runs: Vec<Vec<(String, Value)>> = ["7", "7", "8"]
        .iter()
        .map(|seed| {
            let dir = Workdir::new();
            let key = instance(&simulate(&dir, &["--seed", seed]));
            variables(&dir, key)
        })
        .collect();
    assert!(runs[0].iter().any(|(name, _)| name == "BUILD_ID"), "{:?}", runs[0]);
    assert_eq!(runs[0], runs[1]);
    assert_ne!(runs[0], runs[2]);
}

#[test]
fn a_scenario_scripts_a_rejection_before_the_approval() {
    let dir = Workdir::new();
    let scenario = model("review-rejects-once.yaml").display().to_string();
    let run = simulate(&dir, &["--scenario", &scenario]);
    let summary = &run["summary"];
    assert_eq!(summary["seed"], json!(3), "the scenario's seed");
    let steps: Vec<&str> =
        summary["jobs"].as_array().into_iter().flatten().filter_map(|j| j["step"].as_str()).collect();
    assert_eq!(steps, ["build", "review", "build", "review", "review", "review"], "{summary}");
    let security = summary["approvals"]
        .as_array()
        .and_then(|votes| votes.iter().find(|v| v["approver"] == json!("security-architect")).cloned());
    assert_eq!(
        security.map(|v| (v["approved"].clone(), v["reason"].clone())),
        Some((json!(true), json!("no security impact")))
    );
    let verdict = variables(&dir, instance(&run)).into_iter().find(|(name, _)| name == "VERDICT");
    assert_eq!(verdict.map(|(_, v)| v), Some(json!("approve")));
}

#[test]
fn a_three_day_wait_passes_at_once_on_the_virtual_clock_and_time_goes_on_from_there() {
    let dir = Workdir::new();
    let yaml = model("long-wait.yaml").display().to_string();
    let args = ["run", "--deploy", &yaml, "--start", "long-wait", "--var", "inputs.WORK_ITEM_ID=WI-7"];
    let virtual_run = [args.as_slice(), &["--simulate", "--clock", "virtual", "--until-done"]].concat();
    let began = Instant::now();
    let first = dir.json(&virtual_run);
    assert!(began.elapsed() < Duration::from_secs(10), "took {:?}", began.elapsed());
    assert_eq!(first["stopped"], json!("completed"), "{first}");
    // Three days of waiting and the build's simulated 10 minutes of work.
    let (hour, took) = (3_600_000, first["summary"]["duration_millis"].as_i64().unwrap_or_default());
    assert_eq!(took, 72 * hour + hour / 6, "engine time {took} ms");
    let history = dir.json(&["history", &instance(&first).to_string()]);
    assert_eq!(history["timers"][0]["status"], json!("completed"), "{}", history["timers"]);
    // The next virtual run starts where the last one left engine time, not back at now.
    let second = dir.json(&virtual_run);
    let ended = first["summary"]["started_at_millis"].as_i64().unwrap_or_default() + took;
    let started = second["summary"]["started_at_millis"].as_i64().unwrap_or_default();
    assert!(started >= ended, "the second run started at {started}, before the first ended at {ended}");
}

#[test]
fn a_bad_scenario_is_refused_at_its_line_and_column() {
    let dir = Workdir::new();
    let scenario = dir.path().join("bad.yaml");
    std::fs::write(&scenario, "seed: 1\nsteps:\n  build:\n    - {error: BUILD_FAILED, fail: oops}\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let bpmn = model("simulated-review.bpmn").display().to_string();
    let scenario = scenario.display().to_string();
    let refused = dir.run(&["run", "--deploy", &bpmn, "--simulate", "--scenario", &scenario]).expect_code(2);
    assert!(refused.stderr.contains("bad.yaml:4:") && refused.stderr.contains("not both"), "{}", refused.stderr);
    assert!(!dir.store().exists(), "nothing ran: no store was created");
}

#[test]
fn the_example_scenarios_are_read() {
    let folder = support::workspace().join("scenarios");
    let files = std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display()));
    let mut read = 0;
    for file in files.flatten() {
        let path = file.path().display().to_string();
        let dir = Workdir::new();
        let run = dir.json(&["run", "--simulate", "--scenario", &path, "--until-idle"]);
        assert_eq!(run["stopped"], json!("idle"), "{path}: {run}");
        read += 1;
    }
    assert!(read > 0, "no scenario in {}", folder.display());
}

#[test]
fn seed_and_scenario_need_simulate() {
    let dir = Workdir::new();
    for flags in [["--seed", "7"], ["--scenario", "s.yaml"]] {
        let refused = dir.run(&[&["run", "--until-idle"], flags.as_slice()].concat()).expect_code(2);
        assert!(refused.stderr.contains("--simulate"), "{}", refused.stderr);
    }
}

/// `run` of wf0 from the project's workflows, simulated on the virtual clock, with `extra`
/// arguments.
fn feature_development(dir: &Workdir, extra: &[&str]) -> Value {
    let workflows = support::workspace().join("workflows").display().to_string();
    let mut args = vec!["run", "--deploy", &workflows, "--start", "wf0-feature-development"];
    args.extend(["--var", "inputs.WORK_ITEM_ID=WI-42", "--var", "inputs.FEATURE_SLUG=dark-mode"]);
    args.extend(["--simulate", "--clock", "virtual", "--until-done"]);
    args.extend(extra);
    dir.json(&args)
}

#[test]
fn wf0_runs_to_its_end_in_seconds_through_its_phases_votes_and_slas() {
    let dir = Workdir::new();
    let began = Instant::now();
    let run = feature_development(&dir, &["--seed", "7"]);
    assert!(began.elapsed() < Duration::from_secs(30), "took {:?}", began.elapsed());
    assert_eq!(run["stopped"], json!("completed"), "{}", run["message"]);
    let summary = &run["summary"];
    let phases: Vec<&str> =
        summary["phases"].as_array().into_iter().flatten().filter_map(|p| p["element_id"].as_str()).collect();
    for phase in ["development", "testing", "review"] {
        assert!(phases.contains(&phase), "{phase} missing from {phases:?}");
    }
    assert!(summary["approvals"].as_array().is_some_and(|votes| !votes.is_empty()), "{summary}");
    assert!(
        summary["duration_millis"].as_i64().is_some_and(|ms| ms >= 3_600_000),
        "hours of simulated work: {summary}"
    );
}

#[test]
fn the_example_scenario_fails_wf0s_tests_twice_and_vetoes_its_first_review() {
    let dir = Workdir::new();
    let scenario = support::workspace().join("scenarios/review-rejected-then-tests-fail-twice.yaml");
    let run = feature_development(&dir, &["--scenario", &scenario.display().to_string()]);
    assert_eq!(run["stopped"], json!("completed"), "{}", run["message"]);
    let summary = &run["summary"];
    let test_runs =
        summary["jobs"].as_array().into_iter().flatten().filter(|j| j["step"] == json!("run-acceptance-tests")).count();
    assert_eq!(test_runs, 3, "two failing runs, then a passing one");
    let security: Vec<(Value, Value)> = summary["approvals"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["approver"] == json!("security-architect"))
        .map(|v| (v["veto"].clone(), v["approved"].clone()))
        .collect();
    // The approvers vote at once: once two others approve, a late vote is cancelled (null).
    // The scripted veto is the security architect's first served vote; when the two other
    // approvers finish the first round before its answer is recorded, the veto is lost with
    // that cancelled vote (the first security vote is null) and every later round approves.
    let served: Vec<&(Value, Value)> = security.iter().filter(|(veto, _)| !veto.is_null()).collect();
    let vetoed = served.first().copied() == Some(&(json!(true), json!(false)));
    assert!(vetoed || security.first().is_some_and(|(veto, _)| veto.is_null()), "the first round is vetoed: {summary}");
    let later = if vetoed { &served[1..] } else { &served[..] };
    assert!(later.iter().all(|vote| **vote == (json!(false), json!(true))), "later rounds approve: {summary}");
    let approvals_after_veto = summary["approvals"]
        .as_array()
        .into_iter()
        .flatten()
        .skip_while(|v| vetoed && v["veto"] != json!(true))
        .filter(|v| v["approved"] == json!(true))
        .count();
    assert!(approvals_after_veto >= 2, "the second round is approved by two: {summary}");
}
