//! An `ad-hoc` step with an agent, end to end through `orchestrator run`: the persona's model
//! (a scripted server on the OpenAI wire, reached through the normal client) chooses the tools
//! one decision at a time, sees each tool's result, and ends the step; `max_calls` bounds it.

mod support;

use llm::testing::{Call, ScriptedLlm};
use serde_json::{Value, json};
use support::Workdir;

const KEY_VAR: &str = "AGENT_TEST_KEY";

/// Runs `agent-triage` with a model that answers each decision with `answer(n, prompt)`.
fn run(answer: impl Fn(usize, &str) -> Value + Send + Sync + 'static) -> (Workdir, ScriptedLlm, Value, String) {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let llm = ScriptedLlm::start(move |call: &Call| {
        let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        answer(n, &call.prompt).to_string()
    });
    let dir = Workdir::new();
    std::fs::write(
        dir.path().join("actions.yaml"),
        format!(
            "workspace: .\nllm:\n  providers:\n    - name: scripted\n      kind: open-ai-compatible\n      base_url: {}/v1\n      model: scripted-model\n      api_key_env: {KEY_VAR}\n",
            llm.url()
        ),
    )
    .unwrap();
    let model = support::model("agent-triage.yaml").display().to_string();
    let args =
        ["run", "--deploy", &model, "--start", "agent-triage", "--until-done", "--actions", "actions.yaml", "--json"];
    let mut command = dir.command(&args);
    command.env(KEY_VAR, "scripted-key");
    let outcome = support::finish(support::spawn(command), support::LIMIT);
    let run = serde_json::from_str(&outcome.stdout).unwrap_or(Value::Null);
    (dir, llm, run, outcome.stderr)
}

/// The instance's history (`orchestrator history KEY --json`).
fn history(dir: &Workdir, run: &Value) -> Value {
    let key = run["instance"].as_i64().unwrap_or_default().to_string();
    dir.json(&["history", &key])
}

/// The last value of each variable the instance wrote, in any scope.
fn variables(dir: &Workdir, run: &Value) -> serde_json::Map<String, Value> {
    let mut variables = serde_json::Map::new();
    for change in history(dir, run)["variable_changes"].as_array().into_iter().flatten() {
        if let Some(name) = change["name"].as_str() {
            variables.insert(name.to_owned(), change["value"].clone());
        }
    }
    variables
}

#[test]
fn the_agent_reads_the_logs_then_restarts_then_finishes() {
    let (dir, llm, run, stderr) = run(|n, _| match n {
        1 => json!({"next": ["read_logs"], "done": false, "summary": "look first"}),
        2 => json!({"next": ["restart"], "done": false, "summary": "the logs say it hung"}),
        _ => json!({"next": [], "done": true, "summary": "restarted; it answers again"}),
    });
    assert_eq!(run["stopped"], "completed", "{run}\n{stderr}");
    let prompts: Vec<String> = llm.calls().iter().map(|c| c.prompt.clone()).collect();
    assert_eq!(prompts.len(), 3, "one model call per decision");
    assert!(prompts[0].contains("Find out why checkout fails"), "the goal, with its inputs: {}", prompts[0]);
    assert!(prompts[0].contains("`read_logs`: Read the logs. Shows the last lines"), "the tools: {}", prompts[0]);
    assert!(prompts[0].contains("none yet") && !prompts[1].contains("none yet"), "the second call sees a result");
    let variables = variables(&dir, &run);
    let agent = &variables["agent"];
    assert_eq!(agent["calls"], 3);
    assert_eq!(agent["summary"], "restarted; it answers again");
    let choices: Vec<&Value> = agent["choices"].as_array().into_iter().flatten().map(|c| &c["next"]).collect();
    assert_eq!(choices, [&json!(["read_logs"]), &json!(["restart"]), &json!([])], "every choice is kept");
    let names: Vec<&str> =
        variables["toolCallResults"].as_array().into_iter().flatten().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["read_logs", "restart"]);
}

#[test]
fn an_agent_that_never_finishes_is_stopped_by_its_call_limit() {
    let (dir, llm, run, stderr) = run(|_, _| json!({"next": ["read_logs"], "done": false, "summary": "again"}));
    assert_eq!(llm.calls().len(), 4, "max_calls: 4");
    let text = format!("{run}\n{stderr}\n{}", history(&dir, &run));
    assert!(text.contains("agent `triage` made its 4 model calls without reaching its goal"), "{text}");
    assert_ne!(run["stopped"], "completed", "{text}");
}

#[test]
fn an_agent_that_picks_a_tool_it_was_not_offered_fails_the_step_with_the_offered_ones() {
    let (dir, _llm, run, stderr) = run(|_, _| json!({"next": ["rm_rf"], "done": false, "summary": "why not"}));
    let text = format!("{run}\n{stderr}\n{}", history(&dir, &run));
    assert!(text.contains("rm_rf") && text.contains("offered: read_logs, restart"), "{text}");
    assert_ne!(run["stopped"], "completed", "{text}");
}

#[test]
fn a_simulated_agent_runs_every_tool_once_and_finishes() {
    let dir = Workdir::new();
    let model = support::model("agent-triage.yaml").display().to_string();
    let args =
        ["run", "--deploy", &model, "--start", "agent-triage", "--until-done", "--simulate", "--seed", "3", "--json"];
    let outcome = support::finish(support::spawn(dir.command(&args)), support::LIMIT).expect_code(0);
    let run = outcome.json();
    assert_eq!(run["stopped"], "completed", "{run}\n{}", outcome.stderr);
    let results = variables(&dir, &run)["toolCallResults"].clone();
    let names: Vec<&str> = results.as_array().into_iter().flatten().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["read_logs", "restart"], "{results}");
}

#[test]
fn a_dry_run_says_what_the_agent_would_choose_among_and_runs_no_tool() {
    let dir = Workdir::new();
    let model = support::model("agent-triage.yaml").display().to_string();
    let args = ["run", "--deploy", &model, "--start", "agent-triage", "--until-done"];
    let outcome = support::finish(support::spawn(dir.command(&args)), support::LIMIT).expect_code(0);
    let said = format!("{}{}", outcome.stdout, outcome.stderr);
    assert!(said.contains("would let site-reliability-engineer (triage) choose among read_logs, restart"), "{said}");
    assert!(said.contains("decided: done, cancelling the rest") && said.contains("completed"), "{said}");
    assert!(!said.contains("reading the logs"), "no tool ran: {said}");
}
