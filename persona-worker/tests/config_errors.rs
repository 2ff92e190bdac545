//! A configuration the daemon cannot use stops it at once with exit code 2 and a message that
//! names the file, line and column, or the environment variable, and what to do.

mod support;

use std::time::Duration;

use support::{run, write};

/// Runs `persona-worker run` on a config file with `text` and `env`; returns the exit code and
/// standard error.
fn run_with(text: &str, env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "worker.yaml", text);
    let path = path.to_str().expect("utf-8 path").to_owned();
    let output = run(&["run", "--config", &path], env, Duration::from_secs(30));
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned(), path)
}

#[test]
fn an_unknown_handler_is_refused_with_its_file_line_and_column() {
    let (code, stderr, path) = run_with("worker:\n  name: w\njobs:\n  notify:\n    handler: shell\n", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&format!("{path}:5:14: jobs.notify.handler: unknown variant `shell`")), "{stderr}");
    assert!(stderr.contains("`dry-run`"), "the known handlers are listed: {stderr}");
}

#[test]
fn a_misspelt_key_and_a_bad_duration_are_located() {
    let (code, stderr, path) = run_with("worker:\n  max_jobs: 3\njobs:\n  log:\n    handler: log\n", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&format!("{path}:2:3: ")) && stderr.contains("max_jobs"), "{stderr}");
    let (code, stderr, path) = run_with("jobs:\n  log:\n    handler: log\n    timeout: 10 seconds\n", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&format!("{path}:4:")) && stderr.contains("such as 30s"), "{stderr}");
}

#[test]
fn a_bad_environment_variable_is_named() {
    let jobs = "jobs:\n  log:\n    handler: log\n";
    let (code, stderr, _) = run_with(jobs, &[("ZEEBE_INSECURE_CONNECTION", "perhaps")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("ZEEBE_INSECURE_CONNECTION is 'perhaps'"), "{stderr}");
    let (code, stderr, _) = run_with(jobs, &[("ZEEBE_CLIENT_ID", "me"), ("ZEEBE_CLIENT_SECRET", "s")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("ZEEBE_AUTHORIZATION_SERVER_URL is not set"), "{stderr}");
    let (code, stderr, _) = run_with(jobs, &[("ZEEBE_CA_CERTIFICATE_PATH", "/no/such/ca.pem")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("/no/such/ca.pem: cannot read the CA certificate"), "{stderr}");
}

#[test]
fn a_missing_config_file_is_named() {
    let output = run(&["run", "--config", "/no/such/worker.yaml"], &[], Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/no/such/worker.yaml: cannot read the config file"), "{stderr}");
}

#[test]
fn the_example_config_is_valid() {
    let example = support::workspace_root().join("persona-worker/persona-worker.example.yaml");
    let text = std::fs::read_to_string(&example).expect("the example config");
    // Point it at a port nobody serves and give it no metrics port, then stop it: it must get
    // past the configuration (exit 0 after SIGTERM, not 2).
    let text =
        text.replace("address: http://127.0.0.1:26500", &format!("address: http://127.0.0.1:{}", support::free_port()));
    let text = text.replace("metrics_addr: 127.0.0.1:9464", "");
    let mut daemon = support::Daemon::start(&text, &[]);
    assert!(daemon.wait_for_logs(Duration::from_secs(20), |_| !daemon.logged("persona-worker started").is_empty()));
    let subscribed: Vec<String> =
        daemon.logged("subscribing").iter().filter_map(|l| l["job_type"].as_str().map(str::to_owned)).collect();
    assert_eq!(subscribed, ["azure-devops", "git-operation", "log", "notify", "shell-command"]);
    assert_eq!(daemon.terminate(Duration::from_secs(20)).code(), Some(0));
}

/// The config for the project's workflows subscribes to every job type they raise, so none of
/// their jobs waits for a worker that is not there.
#[test]
fn the_simulate_config_covers_every_job_type_of_the_project_workflows() {
    let file = support::workspace_root().join("persona-worker/persona-worker.simulate.yaml");
    let text = std::fs::read_to_string(&file).expect("the simulate config");
    let text =
        text.replace("address: http://127.0.0.1:26500", &format!("address: http://127.0.0.1:{}", support::free_port()));
    let mut daemon = support::Daemon::start(&text, &[]);
    assert!(daemon.wait_for_logs(Duration::from_secs(20), |_| !daemon.logged("persona-worker started").is_empty()));
    let mut subscribed: Vec<String> =
        daemon.logged("subscribing").iter().filter_map(|l| l["job_type"].as_str().map(str::to_owned)).collect();
    subscribed.sort();
    assert_eq!(
        subscribed,
        ["approve", "azure-devops", "consult", "escalate", "git-operation", "llm", "log", "notify", "shell-command"]
    );
    assert_eq!(daemon.terminate(Duration::from_secs(20)).code(), Some(0));
}

#[test]
fn deploy_without_workflow_files_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "notes.txt", "not a workflow");
    let output = run(&["deploy", dir.path().to_str().unwrap_or_default()], &[], Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no *.yaml, *.yml or *.bpmn file"), "{stderr}");
}

#[test]
fn deploy_to_an_unreachable_gateway_retries_then_exits_3_naming_the_address() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = write(dir.path(), "one.bpmn", &support::one_task_bpmn("unreachable", "t"));
    let address = format!("http://127.0.0.1:{}", support::free_port());
    let args = ["--log-format", "json", "deploy", "--retry-for", "2s", model.to_str().unwrap_or_default()];
    let began = std::time::Instant::now();
    let output = run(&args, &[("ZEEBE_ADDRESS", &address)], Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(&address) && stderr.contains("broker.sh status"), "{stderr}");
    let retries = stderr.lines().filter(|l| l.contains("could not deploy; retrying after a back-off")).count();
    assert!(retries >= 2, "it retried for about 2 s before giving up: {stderr}");
    assert!(began.elapsed() >= Duration::from_millis(1500), "gave up after {:?}", began.elapsed());
}
