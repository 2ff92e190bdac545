//! Live events over SSE, the Prometheus metrics, and the signed webhooks.

mod support;

use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;
use support::{AZURE_SECRET, GITHUB_SECRET, OPERATOR, TestServer, assert_error};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_delivers_the_element_completions_of_a_started_workflow() {
    let server = TestServer::with_models().await;
    let mut stream = server
        .client()
        .get(format!("{}/api/events", server.base))
        .bearer_auth(OPERATOR)
        .send()
        .await
        .expect("subscribes");
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(
        stream
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream")),
        "{:?}",
        stream.headers()
    );
    let key = server.start_order().await;
    server.complete_charges().await;
    let mut text = String::new();
    let wanted = format!("\"key\":{key}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut process_completed = None;
    while process_completed.is_none() {
        let chunk =
            tokio::time::timeout_at(deadline, stream.chunk()).await.expect("events within 10 s").expect("reads");
        text.push_str(&String::from_utf8_lossy(&chunk.expect("the stream stays open")));
        process_completed = text
            .split("\n\n")
            .filter_map(|event| event.lines().find_map(|l| l.strip_prefix("data: ")))
            .filter_map(|data| serde_json::from_str::<Value>(data).ok())
            .find(|event| event["kind"] == json!("element.completed") && event["element_id"] == json!("order"));
    }
    let event = process_completed.expect("found");
    assert_eq!(event["process_instance_key"], json!(key));
    assert_eq!(event["details"]["element_type"], json!("PROCESS"));
    assert!(text.contains("event: element.completed"), "{text}");
    assert!(text.contains("event: job.completed"), "{text}");
    assert!(text.contains(&wanted), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_as_prometheus_text_and_count_what_happened() {
    let server = TestServer::with_models().await;
    let key = server.start_order().await;
    server.complete_charges().await;
    server.start_order().await;
    server.fail_charge().await;
    let cancelled = server.start_order().await;
    server.call(Method::POST, &format!("/api/workflows/cancel/{cancelled}"), None).await;
    let (status, _) = server
        .call(
            Method::POST,
            "/api/personas/instances",
            Some(json!({ "name": "ada", "persona_type": "software-architect" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, body) = server.call(Method::GET, &format!("/api/workflows/status/{key}"), None).await;
    assert_eq!(body["instance"]["status"], json!("completed"));
    let (status, text) = server.get_text("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("the Prometheus text format");
    let value = |name: &str, labels: &[(&str, &str)]| -> Option<f64> {
        scrape.samples.iter().find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v))).map(
            |s| match &s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => *v,
                prometheus_parse::Value::Histogram(buckets) => buckets.last().map_or(0.0, |b| b.count),
                prometheus_parse::Value::Summary(_) => 0.0,
            },
        )
    };
    assert_eq!(value("engine_instances_started_total", &[("workflow", "order")]), Some(3.0));
    assert_eq!(value("engine_instances_terminated_total", &[("workflow", "order")]), Some(1.0));
    assert_eq!(value("persona_spend_today", &[("instance", "ada")]), Some(0.0));
    assert_eq!(value("persona_spend_month", &[("instance", "ada")]), Some(0.0));
    assert_eq!(value("engine_instances_completed_total", &[("workflow", "order")]), Some(1.0));
    assert_eq!(value("engine_incidents_total", &[("error_type", "JOB_NO_RETRIES")]), Some(1.0));
    assert_eq!(value("workflow_execution_duration_seconds", &[("workflow", "order")]), Some(1.0));
    assert_eq!(value("engine_job_latency_seconds", &[("job_type", "charge")]), Some(1.0));
    assert_eq!(
        value(
            "api_request_count_total",
            &[("route", "/api/workflows/status/:id"), ("method", "GET"), ("status", "200")]
        ),
        Some(1.0)
    );
    assert_eq!(value("database_connections", &[]), Some(3.0));
    assert_eq!(
        value("agent_task_count_total", &[("persona", "senior-developer"), ("outcome", "completed")]),
        Some(1.0)
    );
    assert_eq!(value("agent_task_count_total", &[("persona", "senior-developer"), ("outcome", "failed")]), Some(1.0));
    assert!(text.contains("# TYPE engine_timer_lag_seconds histogram"), "{text}");
}

fn github_signature(body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(GITHUB_SECRET.as_bytes()).expect("any key length");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_webhooks_publish_or_start_and_bad_signatures_change_nothing() {
    let server = TestServer::with_models().await;
    let (_, waiting) = server
        .call(
            Method::POST,
            "/api/workflows/execute",
            Some(json!({ "workflow": "wait-message", "variables": { "orderId": "17" } })),
        )
        .await;
    let waiting = waiting["process_instance_key"].as_i64().expect("a key");
    let (_, before) = server.call(Method::GET, "/api/workflows/history", None).await;
    let post = |source: &str, event: &str, body: &str| {
        server.client().post(format!("{}/api/webhooks/{source}/{event}", server.base)).body(body.to_owned())
    };
    let payload = r#"{"action":"opened","pull_request":{"number":17}}"#;
    let forged = post("github", "pull_request", payload)
        .header("x-hub-signature-256", github_signature("{}"))
        .send()
        .await
        .expect("answers");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert_error(&forged.json().await.expect("JSON"), "UNAUTHORIZED");
    let unsigned = post("github", "pull_request", payload).send().await.expect("answers");
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let basic = |password: &str| {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("hook:{password}")))
    };
    let wrong = post("azure-devops", "workitem.created", "{}")
        .header("authorization", basic("guess"))
        .send()
        .await
        .expect("answers");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let (_, after) = server.call(Method::GET, "/api/workflows/history", None).await;
    assert_eq!(before, after, "a refused webhook changed something");

    let signed = post("github", "pull_request", payload)
        .header("x-hub-signature-256", github_signature(payload))
        .send()
        .await
        .expect("answers");
    assert_eq!(signed.status(), StatusCode::ACCEPTED);
    let answer: Value = signed.json().await.expect("JSON");
    assert_eq!(answer["action"], json!("published"), "{answer}");
    assert_eq!(answer["correlation_key"], json!("17"));
    let (_, status) = server.call(Method::GET, &format!("/api/workflows/status/{waiting}"), None).await;
    assert_eq!(status["instance"]["status"], json!("completed"), "the message reached the instance: {status}");
    assert_eq!(status["variables"]["webhook"]["payload"]["pull_request"]["number"], json!(17));

    let started = post("azure-devops", "workitem.created", r#"{"resource":{"id":5}}"#)
        .header("authorization", basic(AZURE_SECRET))
        .send()
        .await
        .expect("answers");
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let answer: Value = started.json().await.expect("JSON");
    assert_eq!(answer["action"], json!("started"), "{answer}");
    let key = answer["process_instance_key"].as_i64().expect("a key");
    let (_, status) = server.call(Method::GET, &format!("/api/workflows/status/{key}"), None).await;
    assert_eq!(status["instance"]["bpmn_process_id"], json!("order"));
    assert_eq!(
        status["variables"]["inputs"],
        json!({"ITEM": 5, "SOURCE": "webhook"}),
        "the payload's fields and the text became the inputs"
    );
    assert_eq!(answer["missing_inputs"], json!(["TITLE"]), "the pointer that found nothing is named: {answer}");

    let push = r#"{"ref":"main"}"#;
    let ignored = post("github", "push", push)
        .header("x-hub-signature-256", github_signature(push))
        .send()
        .await
        .expect("answers");
    assert_eq!(ignored.status(), StatusCode::ACCEPTED);
    assert_eq!(ignored.json::<Value>().await.expect("JSON")["action"], json!("ignored"));
    let garbage = "not json";
    let bad = post("github", "pull_request", garbage)
        .header("x-hub-signature-256", github_signature(garbage))
        .send()
        .await
        .expect("answers");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let unknown = post("gitlab", "push", "{}").send().await.expect("answers");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_webhook_starts_a_workflow_once_per_commit_even_when_delivered_twice() {
    let server = TestServer::start_with(|config| {
        config.webhooks.actions.entry("github".into()).or_default().insert(
            "push".into(),
            server::webhook_config::WebhookAction::StartPerCommit { start_per_commit: "order".into() },
        );
    })
    .await;
    server.deploy_models().await;
    let commit = |sha: &str, file: &str| {
        json!({"id": sha, "message": format!("change {file}"), "author": {"name": "Ada", "email": "ada@example.org"},
               "added": [file], "removed": [], "modified": []})
    };
    let push =
        json!({"ref": "refs/heads/main", "commits": [commit("aaa1", "a.rs"), commit("bbb2", "b.rs")]}).to_string();
    let deliver = |body: String| {
        let signature = github_signature(&body);
        server
            .client()
            .post(format!("{}/api/webhooks/github/push", server.base))
            .header("x-hub-signature-256", signature)
            .body(body)
            .send()
    };
    let first = deliver(push.clone()).await.expect("answers");
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    let first: Value = first.json().await.expect("JSON");
    assert_eq!(first["action"], json!("started_per_commit"), "{first}");
    assert_eq!(first["branch"], json!("main"));
    let started = first["started"].as_array().expect("started");
    assert_eq!(started.iter().map(|s| s["sha"].clone()).collect::<Vec<_>>(), [json!("aaa1"), json!("bbb2")]);
    let key = started[1]["process_instance_key"].as_i64().expect("a key");
    let (_, status) = server.call(Method::GET, &format!("/api/workflows/status/{key}"), None).await;
    assert_eq!(status["variables"]["sha"], json!("bbb2"), "{status}");
    assert_eq!(status["variables"]["changed_files"], json!(["b.rs"]));
    assert_eq!(status["variables"]["author"], json!("Ada <ada@example.org>"));

    let again: Value = deliver(push).await.expect("answers").json().await.expect("JSON");
    assert_eq!(again["started"], json!([]), "a redelivery starts nothing: {again}");
    assert_eq!(again["already_started"], json!(["aaa1", "bbb2"]));

    let bad = deliver(json!({"ref": "refs/heads/main"}).to_string()).await.expect("answers");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad: Value = bad.json().await.expect("JSON");
    assert!(bad.to_string().contains("no `commits` list"), "{bad}");
}
