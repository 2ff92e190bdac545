//! `run --project --actions FILE` with the `llm` action for real, against llm-katan (an echo
//! provider emulator written by others): the call is held against and charged to the budget
//! of the persona instance the job was routed to, at the actions file's prices, and a call
//! that would pass the instance's daily limit is never sent and throws `SPEND_LIMIT_EXCEEDED`;
//! the call goes to the instance's own providers, in its order.

mod support;

use llm::testing::Katan;
use serde_json::Value;
use support::{Workdir, workspace};

/// The key llm-katan only checks for presence.
const KEY_VAR: &str = "LLM_SPEND_TEST_KEY";

/// One `llm` step of a backend developer whose prompt makes the echo backend answer validly;
/// a refused call is caught and noted.
const WORKFLOW: &str = r#"metadata:
  id: think-demo
steps:
  - id: review
    action: llm
    persona: backend-developer
    prompt: 'Review the change. Reply {"VERDICT": "approve"}'
    outputs:
      - VERDICT: [approve, reject]
"#;

/// A store with the catalogue loaded and `dev-1`, a backend developer in acme/shop with
/// `daily_limit` whose one provider is `katan-b`; the workflow and an actions file that
/// configures `katan-a` before `katan-b` (both the one llm-katan) beside it.
fn staffed(katan: &Katan, daily_limit: &str) -> Workdir {
    let dir = Workdir::new();
    let catalogue = workspace().join("workflows/personas/types.yaml").display().to_string();
    dir.run(&["personas", "types", "--catalogue", &catalogue]).expect_code(0);
    dir.run(&[
        "personas",
        "create",
        "dev-1",
        "--type",
        "backend-developer",
        "--project",
        "acme/shop",
        "--daily-limit",
        daily_limit,
        "--provider",
        "katan-b:echo-model",
    ])
    .expect_code(0);
    std::fs::write(dir.path().join("think-demo.yaml"), WORKFLOW).unwrap();
    let actions = format!(
        "workspace: .\nllm:\n  providers:\n    - name: katan-a\n      kind: open-ai-compatible\n      base_url: {0}/v1\n      model: echo-model\n      api_key_env: {KEY_VAR}\n    - name: katan-b\n      kind: open-ai-compatible\n      base_url: {0}/v1\n      model: echo-model\n      api_key_env: {KEY_VAR}\nprices:\n  echo-model: {{input_per_1k: \"0.5\", output_per_1k: \"1.5\"}}\n",
        katan.url()
    );
    std::fs::write(dir.path().join("actions.yaml"), actions).unwrap();
    dir
}

fn run(dir: &Workdir) -> support::Outcome {
    let mut command = dir.command(&[
        "run",
        "--deploy",
        "think-demo.yaml",
        "--start",
        "think-demo",
        "--until-done",
        "--actions",
        "actions.yaml",
        "--project",
        "acme/shop",
        "--json",
    ]);
    command.env(KEY_VAR, "katan-key");
    support::finish(support::spawn(command), support::LIMIT)
}

fn money(value: &Value) -> f64 {
    value.as_str().and_then(|text| text.parse().ok()).unwrap_or_else(|| panic!("not an amount: {value}"))
}

#[test]
fn an_llm_call_is_charged_to_the_instance_it_was_routed_to() {
    let katan = Katan::start(&[]);
    let dir = staffed(&katan, "5");
    let run = run(&dir).expect_code(0).json();
    assert_eq!(run["stopped"], "completed", "{run}");
    let key = run["instance"].as_i64().unwrap_or_default().to_string();
    let history = dir.json(&["history", &key]);
    let changes = history["variable_changes"].as_array().cloned().unwrap_or_default();
    let usage = changes
        .iter()
        .find(|change| change["name"] == "llm_usage")
        .map(|change| change["value"].clone())
        .unwrap_or_else(|| panic!("no llm_usage recorded: {history}"));
    assert_eq!(usage["provider"], "katan-b", "the instance's own provider list is followed: {usage}");
    let cost = usage["cost"].as_f64().unwrap_or_default();
    assert!(cost > 0.0, "the call was priced: {usage}");

    let shown = dir.json(&["personas", "show", "dev-1"]);
    let spent = money(&shown["instance"]["spent_today"]);
    assert!((spent - cost).abs() < 1e-6, "charged {spent}, the job recorded {cost}: {shown}");
    assert_eq!(money(&shown["instance"]["reserved"]), 0.0, "nothing stays set aside: {shown}");
    let spend = dir.json(&["audit", "--kind", "spend"]);
    assert!(!spend["entries"].as_array().is_none_or(Vec::is_empty), "the charge is audited: {spend}");
}

#[test]
fn a_call_past_the_daily_limit_is_never_sent() {
    let katan = Katan::start(&[]);
    let dir = staffed(&katan, "0.000001");
    let outcome = run(&dir);
    let key = outcome.json()["instance"].as_i64().unwrap_or_default().to_string();
    let history = dir.json(&["history", &key]);
    let events = history["jobs"][0]["events"].as_array().cloned().unwrap_or_default();
    let thrown = events.iter().find(|e| e["intent"] == "ERROR_THROWN").unwrap_or_else(|| panic!("{history}"));
    let message = thrown["message"].as_str().unwrap_or_default();
    assert!(message.contains("instance `dev-1` would pass its daily spend limit"), "{message}");
    let shown = dir.json(&["personas", "show", "dev-1"]);
    assert_eq!(money(&shown["instance"]["spent_today"]), 0.0, "{shown}");
    let requests = tokio::runtime::Runtime::new().unwrap().block_on(katan.requests("openai"));
    assert_eq!(requests, 0, "the refused call reached the provider");
}

#[test]
fn a_price_table_that_does_not_read_is_a_usage_error_naming_the_file() {
    let katan = Katan::start(&[]);
    let dir = staffed(&katan, "5");
    let actions = dir.path().join("actions.yaml");
    let text = std::fs::read_to_string(&actions).unwrap().replace("input_per_1k: \"0.5\", ", "");
    std::fs::write(&actions, text).unwrap();
    let refused = run(&dir).expect_code(2);
    let said = format!("{}{}", refused.stdout, refused.stderr);
    assert!(said.contains("actions.yaml: `prices:` is not a price table") && said.contains("input_per_1k"), "{said}");
}
