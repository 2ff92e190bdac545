//! The routes the web console needs: the console's files, an instance's diagram with its
//! tokens, the user tasks (list, claim, complete through the declared outputs) and the RACI
//! matrix. Each: success, auth failure, unknown id, bad input as a JSON error, and nothing
//! changed by a refused request.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{READER, TestServer, assert_error};

/// The token state of `element` in the instance's diagram.
async fn element_state(server: &TestServer, key: i64, element: &str) -> Value {
    let (status, diagram) = server.call(Method::GET, &format!("/api/workflows/{key}/diagram"), None).await;
    assert_eq!(status, StatusCode::OK, "{diagram}");
    diagram["elements"]
        .as_array()
        .expect("elements")
        .iter()
        .find(|e| e["element_id"] == element)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_is_served_from_the_binary_without_a_token() {
    let server = TestServer::start().await;
    let response = server.client().get(format!("{}/", server.base)).send().await.expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response.headers()["content-security-policy"].to_str().expect("text").to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(response.headers()["content-type"].to_str().expect("text").starts_with("text/html"));
    let page = response.text().await.expect("a page");
    assert!(page.contains("/console/app.js") && page.contains("bpmn-navigated-viewer"), "{page}");
    let (status, script) = server.get_text("/console/pages/instance.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(script.contains("addMarker"), "the instance page marks tokens on the diagram");
    let (status, _) = server.get_text("/console/vendor/bpmn-js/LICENSE").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = server.call_as(None, Method::GET, "/console/no-such-file.js", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_diagram_shows_where_the_tokens_are() {
    let server = TestServer::with_models().await;
    let key = server.start_order().await;
    let (status, diagram) = server.call(Method::GET, &format!("/api/workflows/{key}/diagram"), None).await;
    assert_eq!(status, StatusCode::OK, "{diagram}");
    let xml = diagram["xml"].as_str().expect("xml");
    assert!(xml.contains("BPMNShape") && xml.contains("bpmnElement=\"charge\""), "a laid-out diagram: {xml}");
    assert_eq!(diagram["bpmn_process_id"], "order");
    let charge = element_state(&server, key, "charge").await;
    assert_eq!((charge["active"].as_u64(), charge["completed"].as_u64()), (Some(1), Some(0)), "{charge}");
    assert!(diagram["history"].as_array().is_some_and(|h| h.iter().any(|e| e["element_id"] == "start")));

    server.fail_charge().await;
    assert_eq!(element_state(&server, key, "charge").await["incident"], json!(true));
    let (_, incidents) = server.call(Method::GET, "/api/incidents", None).await;
    let incident = incidents["incidents"][0]["key"].as_i64().expect("an incident");
    let (status, body) = server.call(Method::POST, &format!("/api/incidents/{incident}/retry"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(element_state(&server, key, "charge").await["incident"], json!(false));
    assert_eq!(server.complete_charges().await, 1);
    let charge = element_state(&server, key, "charge").await;
    assert_eq!((charge["active"].as_u64(), charge["completed"].as_u64()), (Some(0), Some(1)), "{charge}");
    assert_eq!(element_state(&server, key, "end").await["completed"], json!(1));

    let (status, body) = server.call_as(None, Method::GET, &format!("/api/workflows/{key}/diagram"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "UNAUTHORIZED");
    let (status, body) = server.call(Method::GET, "/api/workflows/987654/diagram", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NOT_FOUND");
    let (status, body) = server.call(Method::GET, "/api/workflows/not-a-key/diagram", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "BAD_REQUEST");
}

/// The one open task of the instance, as the API lists it.
async fn open_task(server: &TestServer, instance: i64) -> Option<Value> {
    let (status, body) = server.call(Method::GET, "/api/tasks", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["tasks"].as_array().expect("tasks").iter().find(|t| t["process_instance_key"] == instance).cloned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_task_is_listed_claimed_and_completed_through_its_declared_outputs() {
    let server = TestServer::start().await;
    server.deploy_yaml("human.yaml").await;
    let (status, started) =
        server.call(Method::POST, "/api/workflows/execute", Some(json!({ "workflow": "console-human" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let instance = started["process_instance_key"].as_i64().expect("a key");

    let (_, mine) = server.call(Method::GET, "/api/tasks?group=engineering-manager", None).await;
    let task = mine["tasks"][0].clone();
    assert_eq!(task["process_instance_key"], instance, "{mine}");
    assert_eq!(task["name"], "Decide on the release");
    assert_eq!(task["outputs"], json!({ "APPROVED": "boolean", "NEXT": ["ship", "hold"], "NOTE": "string" }));
    assert_eq!(task["assignee"], Value::Null);
    let (_, others) = server.call(Method::GET, "/api/tasks?group=product-owner", None).await;
    assert_eq!(others["tasks"], json!([]), "a task is listed for its candidate groups only");
    let (status, body) = server.call(Method::GET, "/api/tasks?colour=red", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "BAD_REQUEST");
    let (status, sla) = server.call(Method::GET, &format!("/api/workflows/status/{instance}"), None).await;
    assert_eq!(status, StatusCode::OK);
    let due = sla["pending_timers"][0]["due_millis"].as_i64().expect("the SLA clock is pending");
    let started_at = sla["instance"]["span"]["started"]["at_millis"].as_i64().expect("a start");
    assert!((due - started_at - 2 * 3_600_000).abs() < 60_000, "due two hours after the start: {sla}");

    let key = task["key"].as_i64().expect("a task key");
    let claim = format!("/api/tasks/{key}/claim");
    let complete = format!("/api/tasks/{key}/complete");
    let (status, body) = server.call_raw(Method::POST, &claim, "{\"assignee\": ").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "BAD_REQUEST");
    let (status, body) = server.call(Method::POST, &claim, Some(json!({ "assignee": "  " }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "BAD_REQUEST");
    let (status, body) = server.call_as(Some(READER), Method::POST, &claim, Some(json!({ "assignee": "eve" }))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "FORBIDDEN");
    assert_eq!(open_task(&server, instance).await.expect("open")["assignee"], Value::Null, "nothing changed");
    let (status, body) = server.call(Method::POST, "/api/tasks/424242/claim", Some(json!({ "assignee": "ann" }))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NOT_FOUND");

    let (status, claimed) = server.call(Method::POST, &claim, Some(json!({ "assignee": "ann" }))).await;
    assert_eq!(status, StatusCode::OK, "{claimed}");
    assert_eq!(claimed["assignee"], "ann");
    let (status, body) = server.call(Method::POST, &claim, Some(json!({ "assignee": "bob" }))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("ann")), "{body}");

    let wrong = json!({ "variables": { "APPROVED": "yes", "NEXT": "later", "EXTRA": 1 } });
    let (status, body) = server.call(Method::POST, &complete, Some(wrong)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["error"]["message"].as_str().expect("a message");
    for part in ["`APPROVED` is \"yes\"", "`NOTE` is missing", "`NEXT` is \"later\"", "`EXTRA` is not an output"] {
        assert!(message.contains(part), "{part} in {message}");
    }
    let (status, body) = server.call_raw(Method::POST, &complete, "[1, 2").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "BAD_REQUEST");
    let (status, body) = server.call_as(None, Method::POST, &complete, Some(json!({ "variables": {} }))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "UNAUTHORIZED");
    assert!(open_task(&server, instance).await.is_some(), "refused completions leave the task open");
    let (status, body) =
        server.call(Method::POST, "/api/tasks/424242/complete", Some(json!({ "variables": {} }))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NOT_FOUND");

    let right = json!({ "variables": { "APPROVED": true, "NOTE": "fine", "NEXT": "ship" } });
    let (status, body) = server.call(Method::POST, &complete, Some(right)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(open_task(&server, instance).await.is_none(), "the task is done");
    let (_, variables) = server.call(Method::GET, &format!("/api/workflows/{instance}/variables"), None).await;
    assert_eq!(variables["variables"]["steps"]["decide"]["NEXT"], "ship", "{variables}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_task_with_an_unreadable_outputs_header_is_an_error_naming_it() {
    let server = TestServer::start().await;
    let model = engine::testing::model::ProcessBuilder::new("broken-form")
        .start("start")
        .camunda_user_task("ask")
        .assignment("ask", None, Some("reviewers"))
        .header("ask", "outputs", "[1]")
        .end("end")
        .build();
    let resources = json!([{ "name": "broken-form.bpmn", "content": bpmn::write::write(&model) }]);
    let (status, body) = server.call(Method::POST, "/api/deployments", Some(json!({ "resources": resources }))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, started) =
        server.call(Method::POST, "/api/workflows/execute", Some(json!({ "workflow": "broken-form" }))).await;
    let instance = started["process_instance_key"].as_i64().expect("a key");
    let (status, body) = server.call(Method::GET, "/api/tasks", None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let message = body["error"]["message"].as_str().expect("a message");
    assert!(
        message.contains("`ask`") && message.contains("outputs") && message.contains("deploy it again"),
        "{message}"
    );
    let task = server.engine.with(|core| core.user_tasks()).first().expect("the task").key;
    let (status, body) =
        server.call(Method::POST, &format!("/api/tasks/{task}/complete"), Some(json!({ "variables": {} }))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(server.engine.with(|core| core.is_active(instance)), "the task stays open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_raci_matrix_is_read_from_the_deployed_model() {
    let server = TestServer::with_models().await;
    server.deploy_yaml("governed.yaml").await;
    let (status, matrix) = server.call(Method::GET, "/api/raci/console-governed", None).await;
    assert_eq!(status, StatusCode::OK, "{matrix}");
    assert_eq!(matrix["version"], 1);
    let rows = matrix["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2, "{matrix}");
    let draft = &rows[0];
    assert_eq!(draft["step"], "draft");
    assert_eq!(draft["responsible"], json!(["backend-developer"]));
    assert_eq!(draft["accountable"], json!(["software-architect", "security-architect"]));
    assert_eq!(draft["min_approvals"], 1);
    assert_eq!(draft["veto"], json!(["security-architect"]));
    assert_eq!(draft["consulted"], json!(["qa-test-engineer"]));
    assert_eq!(draft["informed"], json!(["product-owner"]));
    assert_eq!(draft["escalation"], "PT4H -> engineering-manager");
    assert_eq!(draft["human"], false);
    let sign_off = &rows[1];
    assert_eq!(sign_off["step"], "sign-off");
    assert_eq!(sign_off["human"], true);
    assert_eq!(sign_off["responsible"], json!(["engineering-manager", "product-owner"]));
    assert_eq!(sign_off["accountable"], json!([]));

    let (_, order) = server.call(Method::GET, "/api/raci/order", None).await;
    assert_eq!(order["rows"][0]["step"], "charge", "a hand-written model: one row per task");
    assert_eq!(order["rows"][0]["responsible"], json!(["senior-developer"]));

    let (status, body) = server.call_as(None, Method::GET, "/api/raci/console-governed", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "UNAUTHORIZED");
    let (status, body) = server.call(Method::GET, "/api/raci/no-such-workflow", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployed_version_has_its_diagram() {
    let server = TestServer::with_models().await;
    let (_, deployments) = server.call(Method::GET, "/api/deployments", None).await;
    let order =
        deployments["processes"].as_array().expect("processes").iter().find(|p| p["bpmn_process_id"] == "order");
    let key = order.expect("order is deployed")["process_definition_key"].as_i64().expect("a key");
    let path = format!("/api/deployments/{key}/diagram");
    let (status, diagram) = server.call_as(Some(READER), Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{diagram}");
    assert_eq!((diagram["bpmn_process_id"].as_str(), diagram["version"].as_i64()), (Some("order"), Some(1)));
    assert!(diagram["xml"].as_str().is_some_and(|x| x.contains("bpmnElement=\"charge\"")), "{diagram}");
    let (status, body) = server.call_as(None, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "UNAUTHORIZED");
    let (status, body) = server.call(Method::GET, "/api/deployments/12345/diagram", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "NOT_FOUND");
    let (status, body) = server.call(Method::GET, "/api/deployments/latest/diagram", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "BAD_REQUEST");
}

/// Starts `order` (whose `charge` step is a `senior-developer` job) with `variables`; its key.
async fn start_order_with(server: &TestServer, variables: Value) -> i64 {
    let body = json!({ "workflow": "order", "variables": variables });
    let (status, started) = server.call(Method::POST, "/api/workflows/execute", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    started["process_instance_key"].as_i64().expect("a key")
}

/// (persona type, project, [(instance, state, reason)]) per row of the persona queue.
async fn queue(server: &TestServer) -> Vec<(Value, Value, Vec<(Value, Value, Value)>)> {
    let (status, body) = server.call(Method::GET, "/api/personas/queue", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = body["queue"].as_array().cloned().unwrap_or_default();
    rows.iter()
        .map(|row| {
            let jobs = row["jobs"].as_array().cloned().unwrap_or_default();
            let jobs = jobs
                .iter()
                .map(|j| (j["process_instance_key"].clone(), j["state"].clone(), j["reason"].clone()))
                .collect();
            (row["persona_type"].clone(), row["project"].clone(), jobs)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_persona_queue_lists_the_jobs_no_instance_holds_by_type_and_project() {
    let server = TestServer::with_models().await;
    assert_eq!(queue(&server).await, []);
    let shop = start_order_with(&server, json!({ "project": "acme/shop" })).await;
    let bare = start_order_with(&server, json!({})).await;
    let developer = json!("senior-developer");
    assert_eq!(
        queue(&server).await,
        [
            (developer.clone(), Value::Null, vec![(json!(bare), json!("activatable"), Value::Null)]),
            (developer.clone(), json!("acme/shop"), vec![(json!(shop), json!("activatable"), Value::Null)]),
        ]
    );

    // A worker takes both; routing finds no instance for the shop's job and lets it wait.
    let jobs = server
        .engine
        .run(|core| core.activate_jobs(&engine::ActivateJobs::new("charge").worker("test")))
        .await
        .expect("activates");
    let shop_job = jobs.iter().find(|j| j.process_instance_key == shop).expect("the shop's job").key;
    let reason = "waiting for a persona instance: no senior-developer is free";
    let back_off = std::time::Duration::from_secs(3600);
    server
        .engine
        .run(|core| core.fail_job(shop_job, 3, reason, back_off, serde_json::Map::new()))
        .await
        .expect("fails with a back-off");
    assert_eq!(
        queue(&server).await,
        [(developer, json!("acme/shop"), vec![(json!(shop), json!("backing-off"), json!(reason))])],
        "the job a worker holds left the queue"
    );
    let (status, body) = server.call_as(None, Method::GET, "/api/personas/queue", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "UNAUTHORIZED");
    let (status, _) = server.call_as(Some(READER), Method::GET, "/api/personas/queue", None).await;
    assert_eq!(status, StatusCode::OK, "readers see the queue");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_routes_are_documented() {
    let server = TestServer::start().await;
    let (status, document) = server.call_as(None, Method::GET, "/api/docs/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/workflows/{id}/diagram",
        "/api/deployments/{key}/diagram",
        "/api/raci/{workflow}",
        "/api/tasks",
        "/api/tasks/{key}/claim",
        "/api/tasks/{key}/complete",
        "/api/personas/queue",
    ] {
        assert!(document["paths"][path].is_object(), "{path} is not documented");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_based_user_tasks_are_listed_and_completed_but_not_claimed() {
    let server = TestServer::start().await;
    let model = engine::testing::model::ProcessBuilder::new("job-form")
        .start("start")
        .user_task("review")
        .assignment("review", Some("ann"), Some("qa-test-engineer, engineering-manager"))
        .end("end")
        .build();
    let resources = json!([{ "name": "job-form.bpmn", "content": bpmn::write::write(&model) }]);
    let (status, body) = server.call(Method::POST, "/api/deployments", Some(json!({ "resources": resources }))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, started) =
        server.call(Method::POST, "/api/workflows/execute", Some(json!({ "workflow": "job-form" }))).await;
    let instance = started["process_instance_key"].as_i64().expect("a key");

    let (status, body) = server.call(Method::GET, "/api/tasks?group=qa-test-engineer", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let task = &body["tasks"][0];
    assert_eq!(
        (
            &task["kind"],
            &task["element_id"],
            &task["assignee"],
            &task["process_instance_key"],
            &task["bpmn_process_id"]
        ),
        (&json!("job"), &json!("review"), &json!("ann"), &json!(instance), &json!("job-form")),
        "{body}"
    );
    assert_eq!(task["candidate_groups"], json!(["qa-test-engineer", "engineering-manager"]));
    let (_, others) = server.call(Method::GET, "/api/tasks?group=product-owner", None).await;
    assert_eq!(others["tasks"], json!([]), "another group's list leaves it out");

    let key = task["key"].as_i64().expect("a key");
    let (status, body) =
        server.call(Method::POST, &format!("/api/tasks/{key}/claim"), Some(json!({ "assignee": "bob" }))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("job-based")), "{body}");
    let (status, body) = server
        .call(Method::POST, &format!("/api/tasks/{key}/complete"), Some(json!({ "variables": { "ok": true } })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!server.engine.with(|core| core.is_active(instance)), "the instance ran to its end");
    let (_, body) = server.call(Method::GET, "/api/tasks", None).await;
    assert_eq!(body["tasks"], json!([]));
}
