//! The REST API on a server in this process (127.0.0.1:0, temporary SQLite store): every
//! route's success path, and its errors as JSON with their status and no change behind them.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{TestServer, assert_error, workspace};

/// What the API shows of the store, to check that a refused request changed nothing.
async fn snapshot(server: &TestServer) -> Value {
    let (_, history) = server.call(Method::GET, "/api/workflows/history?limit=500", None).await;
    let (_, deployments) = server.call(Method::GET, "/api/deployments", None).await;
    let (_, instances) = server.call(Method::GET, "/api/personas/instances", None).await;
    let (_, incidents) = server.call(Method::GET, "/api/incidents", None).await;
    json!({ "history": history, "deployments": deployments, "instances": instances, "incidents": incidents })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workflow_is_executed_inspected_changed_and_cancelled() {
    let server = TestServer::with_models().await;
    let (status, created) = server
        .call(
            Method::POST,
            "/api/personas/instances",
            Some(json!({ "name": "ada", "persona_type": "software-architect", "project": "acme/shop" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, started) = server
        .call(
            Method::POST,
            "/api/workflows/execute",
            Some(
                json!({ "workflow": "order", "work_item": "WI-7", "variables": { "amount": 5 }, "personas": ["ada"] }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started["bpmn_process_id"], json!("order"));
    let key = started["process_instance_key"].as_i64().expect("a key");

    let (status, body) = server.call(Method::GET, &format!("/api/workflows/status/{key}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["instance"]["status"], json!("active"));
    let active: Vec<&str> =
        body["active_elements"].as_array().expect("elements").iter().filter_map(|e| e["element_id"].as_str()).collect();
    assert!(active.contains(&"charge"), "{active:?}");
    assert_eq!(body["variables"]["inputs"]["WORK_ITEM_ID"], json!("WI-7"));
    assert_eq!(body["variables"]["assigned_personas"][0]["name"], json!("ada"));
    assert_eq!(body["open_jobs"][0]["job_type"], json!("charge"));

    let (status, body) = server
        .call(Method::PUT, &format!("/api/workflows/{key}/variables"), Some(json!({ "variables": { "amount": 9 } })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = server.call(Method::GET, &format!("/api/workflows/{key}/variables"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["variables"]["amount"], json!(9));

    let other = server.start_order().await;
    assert_eq!(server.complete_charges().await, 2, "both instances had a charge job");
    let third = server.start_order().await;
    let (status, body) = server.call(Method::POST, &format!("/api/workflows/cancel/{third}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let page = |query: &'static str| {
        let server = &server;
        async move {
            let (status, body) = server.call(Method::GET, &format!("/api/workflows/history{query}"), None).await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            let keys: Vec<i64> =
                body["instances"].as_array().expect("instances").iter().filter_map(|i| i["key"].as_i64()).collect();
            (body["total"].as_u64().unwrap_or_default(), keys)
        }
    };
    assert_eq!(page("").await, (3, vec![third, other, key]), "newest first");
    assert_eq!(page("?state=completed").await, (2, vec![other, key]));
    assert_eq!(page("?state=terminated").await, (1, vec![third]));
    assert_eq!(page("?work_item=WI-7").await, (1, vec![key]));
    assert_eq!(page("?workflow=order&limit=1&offset=1").await, (3, vec![other]));
    assert_eq!(page("?workflow=wait-signal").await, (0, vec![]));
    let (_, body) = server.call(Method::GET, &format!("/api/workflows/status/{third}"), None).await;
    assert_eq!(body["instance"]["status"], json!("terminated"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_and_signals_reach_the_waiting_instances() {
    let server = TestServer::with_models().await;
    let (_, waiting) = server
        .call(
            Method::POST,
            "/api/workflows/execute",
            Some(json!({ "workflow": "wait-message", "variables": { "orderId": "o-1" } })),
        )
        .await;
    let (_, signalled) =
        server.call(Method::POST, "/api/workflows/execute", Some(json!({ "workflow": "wait-signal" }))).await;
    let (status, body) = server
        .call(
            Method::POST,
            "/api/messages",
            Some(json!({ "name": "go", "correlation_key": "o-1", "variables": { "paid": true } })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["message_key"].as_i64().is_some(), "{body}");
    let (status, body) = server.call(Method::POST, "/api/signals", Some(json!({ "name": "ping" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for started in [&waiting, &signalled] {
        let key = started["process_instance_key"].as_i64().expect("a key");
        let (_, body) = server.call(Method::GET, &format!("/api/workflows/status/{key}"), None).await;
        assert_eq!(body["instance"]["status"], json!("completed"), "{body}");
    }
    let (_, body) =
        server.call(Method::GET, &format!("/api/workflows/{}/variables", waiting["process_instance_key"]), None).await;
    assert_eq!(body["variables"]["paid"], json!(true), "the message's payload arrived");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incidents_are_listed_retried_and_resolved() {
    let server = TestServer::with_models().await;
    let key = server.start_order().await;
    let job = server.fail_charge().await;
    let (status, body) = server.call(Method::GET, "/api/incidents", None).await;
    assert_eq!(status, StatusCode::OK);
    let incident = &body["incidents"][0];
    assert_eq!(incident["job_key"], json!(job), "{body}");
    assert_eq!(incident["process_instance_key"], json!(key));
    let incident_key = incident["key"].as_i64().expect("a key");
    let (status, body) =
        server.call(Method::POST, &format!("/api/incidents/{incident_key}/retry"), Some(json!({ "retries": 2 }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["retries"], json!(2));
    let (_, body) = server.call(Method::GET, "/api/incidents", None).await;
    assert_eq!(body["incidents"], json!([]));
    // Fails again, then is resolved without retries: the job has its retries from before.
    let job = server.fail_charge().await;
    let (_, body) = server.call(Method::GET, "/api/incidents", None).await;
    assert_eq!(body["incidents"][0]["job_key"], json!(job));
    let second = body["incidents"][0]["key"].as_i64().expect("a key");
    let (status, body) = server.call(Method::POST, &format!("/api/incidents/{second}/resolve"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = server.call(Method::GET, "/api/incidents", None).await;
    assert_eq!(body["incidents"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yaml_and_bpmn_are_deployed_and_listed() {
    let server = TestServer::with_models().await;
    let (status, body) = deploy_wf15(&server).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["processes"][0]["bpmn_process_id"], json!("wf15-settings-lookup"));
    let (status, body) = server.call(Method::GET, "/api/deployments", None).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> =
        body["processes"].as_array().expect("list").iter().filter_map(|p| p["bpmn_process_id"].as_str()).collect();
    assert_eq!(ids, ["order", "wait-message", "wait-signal", "wf15-settings-lookup"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persona_types_instances_assignment_and_audit() {
    let server = TestServer::start().await;
    let (status, body) = server.call(Method::GET, "/api/personas/types", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["types"].as_array().is_some_and(|t| t.len() > 10), "{body}");
    let catalogue = std::fs::read_to_string(workspace().join("workflows/personas/types.yaml")).expect("reads");
    let (status, body) = server.call(Method::POST, "/api/personas/types", Some(json!({ "content": catalogue }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["added"], json!([]), "loaded before");

    let (status, body) = server
        .call(
            Method::POST,
            "/api/personas/instances",
            Some(json!({ "name": "bob", "persona_type": "senior-developer", "providers": ["anthropic:claude-sonnet-4"], "daily_limit": "5.00" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["instance"]["id"].as_i64().expect("an id");
    let (status, body) =
        server.call(Method::POST, "/api/personas/instances/bob/assign", Some(json!({ "project": "acme/shop" }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["instance"]["project"], json!({ "organisation": "acme", "project": "shop", "repository": null }));
    let (status, body) =
        server.call(Method::PATCH, &format!("/api/personas/instances/{id}"), Some(json!({ "priority": 3 }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["instance"]["priority"], json!(3));
    let (_, body) = server.call(Method::POST, "/api/personas/instances/bob/pause", None).await;
    assert_eq!(body["instance"]["status"], json!("paused"));
    let (_, body) = server.call(Method::POST, "/api/personas/instances/bob/resume", None).await;
    assert_eq!(body["instance"]["status"], json!("active"));
    let (status, body) = server.call(Method::GET, "/api/personas/instances/bob", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["open_work"], json!([]));
    let (_, body) = server.call(Method::GET, "/api/personas/instances?project=acme/shop&status=active", None).await;
    assert_eq!(body["instances"][0]["name"], json!("bob"));
    let (status, body) = server.call(Method::DELETE, "/api/personas/instances/bob", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["instance"]["status"], json!("retired"));
    let (status, body) =
        server.call(Method::GET, &format!("/api/audit?instance={id}&kind=instance-change"), None).await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> =
        body["entries"].as_array().expect("entries").iter().filter_map(|e| e["details"]["action"].as_str()).collect();
    assert_eq!(actions, ["create", "assign", "update", "pause", "resume", "retire"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_unknown_ids_are_json_errors_that_change_nothing() {
    let server = TestServer::with_models().await;
    let key = server.start_order().await;
    let before = snapshot(&server).await;
    let raw = [
        (Method::POST, "/api/workflows/execute", "{not json"),
        (Method::POST, "/api/workflows/execute", r#"{"workflow": 5}"#),
        (Method::POST, "/api/messages", "[]"),
        (Method::POST, "/api/personas/instances", r#"{"name": "x"}"#),
    ];
    for (method, path, body) in raw {
        let (status, answer) = server.call_raw(method, path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {answer}");
        assert_error(&answer, "BAD_REQUEST");
    }
    let cases = [
        (
            Method::POST,
            "/api/workflows/execute".to_owned(),
            Some(json!({ "workflow": "no-such-process" })),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/api/workflows/execute".to_owned(),
            Some(json!({ "workflow": "order", "personas": ["nobody"] })),
            StatusCode::NOT_FOUND,
        ),
        (Method::GET, "/api/workflows/status/42".to_owned(), None, StatusCode::NOT_FOUND),
        (Method::GET, "/api/workflows/status/abc".to_owned(), None, StatusCode::BAD_REQUEST),
        (Method::POST, "/api/workflows/cancel/42".to_owned(), None, StatusCode::NOT_FOUND),
        (Method::GET, "/api/workflows/42/variables".to_owned(), None, StatusCode::NOT_FOUND),
        (
            Method::PUT,
            "/api/workflows/42/variables".to_owned(),
            Some(json!({ "variables": { "a": 1 } })),
            StatusCode::NOT_FOUND,
        ),
        (Method::GET, "/api/workflows/history?state=lost".to_owned(), None, StatusCode::BAD_REQUEST),
        (Method::GET, "/api/workflows/history?limit=0".to_owned(), None, StatusCode::BAD_REQUEST),
        (Method::POST, "/api/incidents/42/retry".to_owned(), None, StatusCode::NOT_FOUND),
        (Method::POST, "/api/incidents/42/resolve".to_owned(), None, StatusCode::NOT_FOUND),
        (Method::POST, "/api/messages".to_owned(), Some(json!({ "name": " " })), StatusCode::BAD_REQUEST),
        (Method::POST, "/api/signals".to_owned(), Some(json!({ "name": "" })), StatusCode::BAD_REQUEST),
        (
            Method::POST,
            "/api/deployments".to_owned(),
            Some(
                json!({ "resources": [{ "name": "ok.bpmn", "content": support::models()[0].1 }, { "name": "bad.bpmn", "content": "<definitions" }] }),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/deployments".to_owned(),
            Some(json!({ "resources": [{ "name": "x.txt", "content": "" }] })),
            StatusCode::BAD_REQUEST,
        ),
        (Method::GET, "/api/personas/instances/nobody".to_owned(), None, StatusCode::NOT_FOUND),
        (Method::POST, "/api/personas/instances/nobody/pause".to_owned(), None, StatusCode::NOT_FOUND),
        (
            Method::POST,
            "/api/personas/instances".to_owned(),
            Some(json!({ "name": "x", "persona_type": "no-such-type" })),
            StatusCode::BAD_REQUEST,
        ),
        (Method::GET, "/api/personas/instances?status=sleeping".to_owned(), None, StatusCode::BAD_REQUEST),
        (
            Method::POST,
            "/api/personas/types".to_owned(),
            Some(json!({ "content": "types: [" })),
            StatusCode::BAD_REQUEST,
        ),
        (Method::GET, "/api/audit?kind=gossip".to_owned(), None, StatusCode::BAD_REQUEST),
    ];
    for (method, path, body, expected) in cases {
        let (status, answer) = server.call(method.clone(), &path, body).await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
        assert!(
            answer["error"]["code"].is_string() && answer["error"]["message"].is_string(),
            "{method} {path}: {answer}"
        );
    }
    let (_, deploy_error) = server
        .call(
            Method::POST,
            "/api/deployments",
            Some(json!({ "resources": [{ "name": "bad.bpmn", "content": "<definitions" }] })),
        )
        .await;
    assert!(
        deploy_error["error"]["message"].as_str().is_some_and(|m| m.starts_with("bad.bpmn:")),
        "located: {deploy_error}"
    );
    assert_eq!(snapshot(&server).await, before, "a refused request changed something");
    let (_, body) = server.call(Method::GET, &format!("/api/workflows/status/{key}"), None).await;
    assert_eq!(body["instance"]["status"], json!("active"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_the_routes() {
    let server = TestServer::start().await;
    let (status, text) = server.get_text("/api/docs/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let document: Value = serde_json::from_str(&text).expect("JSON");
    assert!(document["openapi"].as_str().is_some_and(|v| v.starts_with('3')), "{document}");
    for path in [
        "/api/workflows/execute",
        "/api/workflows/status/{id}",
        "/api/events",
        "/api/webhooks/{source}/{event}",
        "/api/personas/instances",
        "/api/history/prune",
    ] {
        assert!(document["paths"][path].is_object(), "{path} missing");
    }
    let (status, page) = server.get_text("/api/docs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/api/docs/openapi.json") && page.contains("/api/workflows/execute"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_answers_with_what_the_reader_repaired() {
    let server = TestServer::start().await;
    // Text that says it is UTF-16 but arrives as UTF-8 (the JSON body): read as UTF-8, with a
    // located warning, as Camunda Modeler opens it.
    let bpmn = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n\
        <bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\" targetNamespace=\"t\">\n\
        <bpmn:process id=\"repaired\" isExecutable=\"true\"><bpmn:startEvent id=\"s\"/></bpmn:process>\n\
        </bpmn:definitions>\n";
    let (status, body) = deploy(&server, "repaired.bpmn", bpmn).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["processes"][0]["bpmn_process_id"], json!("repaired"));
    let warnings = body["warnings"].as_array().expect("a list of warnings");
    assert_eq!(warnings.len(), 1, "{body}");
    let warning = warnings[0].as_str().unwrap_or_default();
    assert!(warning.starts_with("repaired.bpmn:1:31: warning:") && warning.contains("UTF-16"), "{warning}");

    let (status, body) = deploy_wf15(&server).await;
    assert_eq!((status, body["warnings"].clone()), (StatusCode::CREATED, json!([])), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pruning_removes_the_history_of_ended_instances_and_refuses_a_bad_keep() {
    let server = TestServer::with_models().await;
    let finished = server.start_order().await;
    assert_eq!(server.complete_charges().await, 1);
    let running = server.start_order().await;
    // Read once before pruning, so the server holds the history that the pruning removes.
    let (status, body) = server.call(Method::GET, &format!("/api/workflows/status/{finished}"), None).await;
    assert_eq!((status, body["instance"]["status"].clone()), (StatusCode::OK, json!("completed")), "{body}");
    let (_, metrics_before) = server.get_text("/metrics").await;

    let (status, kept) = server.call(Method::POST, "/api/history/prune", Some(json!({"keep": "30d"}))).await;
    assert_eq!((status, kept["instances"].clone()), (StatusCode::OK, json!(0)), "{kept}");
    let (status, pruned) = server.call(Method::POST, "/api/history/prune", Some(json!({"keep": "0s"}))).await;
    assert_eq!((status, pruned["instances"].clone()), (StatusCode::OK, json!(1)), "{pruned}");
    assert!(pruned["records"].as_u64().is_some_and(|n| n > 10) && pruned["through"].as_i64() > Some(0), "{pruned}");

    let (status, body) = server.call(Method::GET, &format!("/api/workflows/status/{finished}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "its history is gone: {body}");
    let (status, body) = server.call(Method::GET, &format!("/api/workflows/status/{running}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Folding the thinned log again is not news: no counter moved.
    let (_, metrics_after) = server.get_text("/metrics").await;
    let counters =
        |text: &str| text.lines().filter(|l| l.starts_with("engine_")).map(str::to_owned).collect::<Vec<_>>();
    assert!(
        counters(&metrics_before).iter().any(|l| l.starts_with("engine_instances_completed_total")),
        "{metrics_before}"
    );
    assert_eq!(counters(&metrics_after), counters(&metrics_before));

    for (body, said) in [
        (json!({"keep": "P1M"}), "months and years have no fixed length"),
        (json!({"keep": "soon"}), "'soon' is not a duration"),
        (json!({"kept": "1d"}), "kept"),
    ] {
        let (status, answer) = server.call(Method::POST, "/api/history/prune", Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_error(&answer, "BAD_REQUEST");
        assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains(said)), "{answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pruning_an_engine_in_memory_says_it_keeps_no_log() {
    let server = TestServer::start_in_memory().await;
    let (status, answer) = server.call(Method::POST, "/api/history/prune", Some(json!({"keep": "1d"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_error(&answer, "BAD_REQUEST");
    assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("keeps no record log")), "{answer}");
}

/// Deploys one resource through the API.
async fn deploy(server: &TestServer, name: &str, content: &str) -> (StatusCode, Value) {
    let resources = json!({ "resources": [{ "name": name, "content": content }] });
    server.call(Method::POST, "/api/deployments", Some(resources)).await
}

/// Deploys the project's wf15 (a YAML workflow) through the API.
async fn deploy_wf15(server: &TestServer) -> (StatusCode, Value) {
    let path = workspace().join("workflows/system/wf15-settings-lookup.yaml");
    deploy(server, "wf15.yaml", &std::fs::read_to_string(&path).expect("reads")).await
}
