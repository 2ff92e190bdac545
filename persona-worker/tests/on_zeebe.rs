//! `persona-worker` against the real Zeebe broker of `zeebe/broker.sh` (started once per run,
//! on ZEEBE_GATEWAY_PORT): deploy, run instances to completion, metrics, SIGTERM, and a gateway
//! that is unreachable at first.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::zeebe_broker::ensure_broker_ready;
use support::{Daemon, one_task_bpmn, run, sample, seed_workflows, tokio, write};
use workers::{ClientError, ZeebeClient};

/// Deploys `inputs` with the binary and returns the JSON it printed.
fn deploy_json(gateway: &str, inputs: &[&str]) -> Vec<Value> {
    let mut args = vec!["deploy", "--json", "--address", gateway];
    args.extend_from_slice(inputs);
    let output = run(&args, &[], Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "deploy failed ({:?}):\n{stderr}", output.status);
    let printed: Value = serde_json::from_slice(&output.stdout).expect("deploy --json prints JSON");
    printed.as_array().cloned().unwrap_or_default()
}

/// The daemon's config for `jobs` (YAML under `jobs:`) on `gateway`.
fn config(gateway: &str, jobs: &str) -> String {
    format!("zeebe:\n  address: {gateway}\nworker:\n  name: daemon-test\n  request_timeout: 2s\njobs:\n{jobs}")
}

#[test]
fn deploy_compiles_the_seed_workflows_and_prints_each_process() {
    let gateway = ensure_broker_ready();
    let seeds = seed_workflows();
    let deployed = deploy_json(&gateway, &[seeds.to_str().expect("utf-8 path")]);
    assert_eq!(deployed.len(), 32, "one process per seed workflow: {deployed:?}");
    for process in &deployed {
        assert!(process["version"].as_i64().is_some_and(|v| v >= 1), "{process}");
        assert!(process["processDefinitionKey"].as_i64().is_some_and(|k| k > 0), "{process}");
        let id = process["bpmnProcessId"].as_str().unwrap_or_default();
        assert_eq!(process["resourceName"].as_str(), Some(format!("{id}.bpmn").as_str()));
    }

    let table =
        run(&["deploy", "--address", &gateway, seeds.to_str().unwrap_or_default()], &[], Duration::from_secs(60));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("PROCESS ID"), "{text}");
    let wf3 = deployed.iter().find(|p| p["bpmnProcessId"] == "wf3-branch-creation").expect("wf3 deployed");
    let row = text.lines().find(|l| l.starts_with("wf3-branch-creation ")).expect("a wf3 row");
    assert!(row.contains(&wf3["processDefinitionKey"].to_string()), "an unchanged redeployment keeps the key: {row}");
}

#[test]
fn deploy_with_a_compile_error_reports_it_located_and_deploys_nothing() {
    let gateway = ensure_broker_ready();
    let dir = tempfile::tempdir().expect("temp dir");
    let good_id = format!("daemon-test-good-{}", std::process::id());
    let wf3 = std::fs::read_to_string(seed_workflows().join("system/wf3-branch-creation.yaml")).expect("wf3 source");
    write(dir.path(), "good.yaml", &wf3.replace("id: wf3-branch-creation", &format!("id: {good_id}")));
    write(dir.path(), "bad.yaml", "metadata:\n  id: broken\n  name: [unclosed\n");
    let output =
        run(&["deploy", "--address", &gateway, dir.path().to_str().unwrap_or_default()], &[], Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let located = stderr.lines().find(|l| l.contains("bad.yaml:") && l.contains(": error: ")).unwrap_or_default();
    let position: Vec<&str> = located.split("bad.yaml:").nth(1).unwrap_or_default().splitn(3, ':').collect();
    assert!(
        position.len() == 3 && position[0].parse::<u32>().is_ok() && position[1].parse::<u32>().is_ok(),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was deployed"), "{stderr}");

    let missing = tokio().block_on(async {
        let client = ZeebeClient::new(&gateway).expect("client");
        client.create_process_instance(&good_id, Default::default()).await
    });
    assert!(matches!(missing, Err(ClientError::NotFound(_))), "the good workflow must not be deployed: {missing:?}");
}

#[test]
fn deploy_of_a_model_zeebe_refuses_exits_1_and_deploys_nothing() {
    let gateway = ensure_broker_ready();
    let dir = tempfile::tempdir().expect("temp dir");
    let process_id = format!("daemon-test-refused-{}", std::process::id());
    let good = write(dir.path(), "good.bpmn", &one_task_bpmn(&process_id, "t"));
    // It reads, but Zeebe refuses it: a service task without a job type.
    let broken = write(
        dir.path(),
        "broken.bpmn",
        &one_task_bpmn(&format!("{process_id}-broken"), "t")
            .replace(r#"<zeebe:taskDefinition type="t" retries="3" />"#, ""),
    );
    let inputs = [good.to_str().unwrap_or_default(), broken.to_str().unwrap_or_default()];
    let output = run(&["deploy", "--address", &gateway, inputs[0], inputs[1]], &[], Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing was deployed") && stderr.contains("broken.bpmn"), "{stderr}");
    let missing = tokio().block_on(async {
        let client = ZeebeClient::new(&gateway).expect("client");
        client.create_process_instance(&process_id, Default::default()).await
    });
    assert!(matches!(missing, Err(ClientError::NotFound(_))), "one deployment, all or nothing: {missing:?}");
}

#[test]
fn the_daemon_runs_seed_instances_to_completion_and_counts_them_per_type() {
    let gateway = ensure_broker_ready();
    deploy_json(&gateway, &[seed_workflows().to_str().expect("utf-8 path")]);
    let jobs = "  shell-command:\n    handler: dry-run\n  git-operation:\n    handler: dry-run\n  azure-devops:\n    handler: dry-run\n  log:\n    handler: log\n  notify:\n    handler: dry-run\n";
    let daemon = Daemon::start(&config(&gateway, jobs), &[]);
    let start = json!({"inputs": {"WORK_TYPE": "feature", "WORK_ITEM_ID": "WI-42", "DESCRIPTION": "Dark mode"}});
    let start = start.as_object().cloned().unwrap_or_default();
    let run_instances = |count: usize| {
        tokio().block_on(async {
            let client = ZeebeClient::new(&gateway).expect("client");
            let mut runs = tokio::task::JoinSet::new();
            for _ in 0..count {
                let (client, start) = (client.clone(), start.clone());
                runs.spawn(async move {
                    client
                        .create_process_instance_with_result("wf3-branch-creation", start, Duration::from_secs(60))
                        .await
                });
            }
            for result in runs.join_all().await {
                let completed = result.expect("a wf3 instance completes on the daemon's workers");
                assert!(completed.variables.contains_key("outputs"), "{:?}", completed.variables);
            }
        })
    };
    let types = ["shell-command", "git-operation", "azure-devops", "log", "notify"];
    run_instances(1);
    let one = daemon.wait_for_metrics(Duration::from_secs(10), |m| {
        types.iter().any(|t| sample(m, "jobs_completed_total", t) > 0.0)
    });
    run_instances(4);
    let expected_total: f64 = types.iter().map(|t| 5.0 * sample(&one, "jobs_completed_total", t)).sum();
    let five = daemon.wait_for_metrics(Duration::from_secs(10), |m| {
        types.iter().map(|t| sample(m, "jobs_completed_total", t)).sum::<f64>() >= expected_total
    });
    assert!(expected_total > 0.0, "no job was counted after one instance: {one:?}");
    for job_type in types {
        let completed = sample(&five, "jobs_completed_total", job_type);
        assert_eq!(
            completed,
            5.0 * sample(&one, "jobs_completed_total", job_type),
            "{job_type}: five instances, five times the jobs"
        );
        assert_eq!(
            sample(&five, "jobs_activated_total", job_type),
            completed,
            "{job_type}: every activated job completed"
        );
        assert_eq!(
            sample(&five, "handler_duration_seconds_count", job_type),
            completed,
            "{job_type}: one latency per job"
        );
        assert_eq!(sample(&five, "jobs_failed_total", job_type) + sample(&five, "jobs_errored_total", job_type), 0.0);
    }
    assert!(!daemon.logged("would run:").is_empty(), "the dry-run handler logs what it would do");
}

#[test]
fn sigterm_lets_the_job_in_flight_finish_and_exits_0() {
    let gateway = ensure_broker_ready();
    let dir = tempfile::tempdir().expect("temp dir");
    let process_id = format!("daemon-test-slow-{}", std::process::id());
    let model = write(dir.path(), "slow.bpmn", &one_task_bpmn(&process_id, "daemon-test-slow"));
    deploy_json(&gateway, &[model.to_str().expect("utf-8 path")]);
    let mut daemon = Daemon::start(&config(&gateway, "  daemon-test-slow:\n    handler: noop\n    delay: 3s\n"), &[]);

    let runtime = tokio();
    let client = runtime.block_on(async { ZeebeClient::new(&gateway).expect("client") });
    let instance = runtime.spawn(async move {
        client.create_process_instance_with_result(&process_id, Default::default(), Duration::from_secs(60)).await
    });
    let metrics = daemon
        .wait_for_metrics(Duration::from_secs(30), |m| sample(m, "jobs_activated_total", "daemon-test-slow") >= 1.0);
    assert_eq!(sample(&metrics, "jobs_activated_total", "daemon-test-slow"), 1.0, "the job was never activated");
    assert_eq!(sample(&metrics, "jobs_completed_total", "daemon-test-slow"), 0.0, "the handler is still sleeping");

    let signalled = Instant::now();
    let status = daemon.terminate(Duration::from_secs(20));
    assert_eq!(status.code(), Some(0), "exit status after SIGTERM");
    assert!(signalled.elapsed() >= Duration::from_secs(1), "it waited for the handler ({:?})", signalled.elapsed());
    let completed = runtime.block_on(instance).expect("instance task");
    assert!(completed.is_ok(), "the job in flight completed its instance: {completed:?}");
    let draining = daemon.logged("finishing the jobs in flight");
    assert!(draining.iter().any(|l| l["in_flight"] == 1), "{draining:?}");
    assert!(!daemon.logged("every job in flight was finished and reported").is_empty());
    let handled = daemon.logged("jobs handled");
    assert!(handled.iter().any(|l| l["job_type"] == "daemon-test-slow" && l["completed"] == 1), "{handled:?}");
}

#[test]
fn an_unreachable_gateway_is_retried_with_growing_back_off_until_it_answers() {
    let gateway = ensure_broker_ready();
    let dir = tempfile::tempdir().expect("temp dir");
    let process_id = format!("daemon-test-relay-{}", std::process::id());
    let model = write(dir.path(), "relay.bpmn", &one_task_bpmn(&process_id, "daemon-test-relay"));
    deploy_json(&gateway, &[model.to_str().expect("utf-8 path")]);

    // The daemon's gateway address is a loopback port where nothing listens yet; later a TCP
    // relay to the real broker opens there, as when a broker comes up.
    let relay_port = support::free_port();
    let relay_address = format!("http://127.0.0.1:{relay_port}");
    let daemon = Daemon::start(&config(&relay_address, "  daemon-test-relay:\n    handler: noop\n"), &[]);
    let retried =
        daemon.wait_for_logs(Duration::from_secs(20), |_| daemon.logged("could not activate jobs").len() >= 5);
    let retries = daemon.logged("could not activate jobs");
    assert!(retried, "fewer than 5 retries logged: {retries:?}");
    let delays: Vec<f64> = retries.iter().filter_map(|l| l["delay"].as_str()).filter_map(seconds).collect();
    assert_eq!(delays.len(), retries.len(), "every retry names its delay: {retries:?}");
    assert!(delays.last() > delays.first(), "the back-off grows: {delays:?}");
    assert!(
        retries.iter().all(|l| l["level"] == "WARN" && l["error"].as_str().is_some_and(|e| e.contains("unavailable")))
    );

    let runtime = tokio();
    let upstream = gateway.trim_start_matches("http://").to_owned();
    runtime.spawn(relay(relay_port, upstream));
    let completed = runtime.block_on(async {
        let client = ZeebeClient::new(&gateway).expect("client");
        client.create_process_instance_with_result(&process_id, Default::default(), Duration::from_secs(30)).await
    });
    assert!(completed.is_ok(), "the daemon worked the job once the gateway answered: {completed:?}");
}

/// A `Debug`-printed duration (`81.3ms`, `1.2s`) in seconds.
fn seconds(text: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = text.strip_suffix("µs") {
        (n, 1e-6)
    } else {
        (text.strip_suffix('s')?, 1.0)
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

/// Forwards every connection on the loopback `port` to `upstream`, byte for byte.
async fn relay(port: u16, upstream: String) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind the relay port");
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else { continue };
        let upstream = upstream.clone();
        tokio::spawn(async move {
            if let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}
