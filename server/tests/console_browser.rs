//! The web console in headless Chromium, driven over the DevTools protocol (chromiumoxide):
//! sign in, start a workflow, watch its token move on the diagram, retry an incident, complete
//! a user task through its generated form, watch a persona's load change and her recent actions
//! and the queue of waiting persona jobs on the board, and read the RACI
//! matrix; one screenshot per page goes to `target/console-screenshots/`. A second test
//! measures the instance list with 1,000 instances.
//!
//! The browser is `$CHROME`, else `/usr/bin/chromium` or another usual place; without one the
//! tests say so and pass (CI installs Debian's `chromium`).

mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::page::{Page, ScreenshotParams};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{OPERATOR, TestServer};
use tokio_stream::StreamExt;

/// One browser at a time: the machine has two cores.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How long a page may take to show what a step waits for.
const PATIENCE: Duration = Duration::from_secs(15);

/// The Chromium executable, if this machine has one.
fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("CHROME").map(PathBuf::from);
    let usual = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].map(PathBuf::from);
    named.into_iter().chain(usual).find(|path| path.is_file())
}

/// `target/console-screenshots`, beside the test binary's `debug/deps`.
fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    let target = exe.ancestors().nth(3).expect("target/debug/deps/binary").to_path_buf();
    let dir = target.join("console-screenshots");
    std::fs::create_dir_all(&dir).expect("a screenshot folder");
    dir
}

/// A headless browser whose event loop runs on a task of its own.
struct Chromium {
    browser: Browser,
    events: tokio::task::JoinHandle<()>,
    _profile: tempfile::TempDir,
}

impl Chromium {
    async fn launch(executable: PathBuf) -> Self {
        let profile = tempfile::tempdir().expect("a profile folder");
        let config = BrowserConfig::builder()
            .chrome_executable(executable)
            .new_headless_mode()
            .no_sandbox()
            .user_data_dir(profile.path())
            .window_size(1280, 900)
            .viewport(None)
            .arg("--disable-gpu")
            .arg("--disable-dev-shm-usage")
            .build()
            .expect("a browser config");
        let (browser, mut handler) = Browser::launch(config).await.expect("Chromium starts");
        let events = tokio::spawn(async move { while handler.next().await.is_some() {} });
        Self { browser, events, _profile: profile }
    }

    async fn close(mut self) {
        let _ = self.browser.close().await;
        let _ = self.browser.wait().await;
        self.events.abort();
    }
}

/// Runs `js` in the page; its value as JSON.
async fn run(page: &Page, js: &str) -> Value {
    let result = page.evaluate_expression(js).await.unwrap_or_else(|e| panic!("`{js}` failed: {e}"));
    result.value().cloned().unwrap_or(Value::Null)
}

/// Waits until `js` gives something other than null, false, 0 or "" and returns it.
async fn wait_for(page: &Page, what: &str, js: &str) -> Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let value = run(page, js).await;
        let falsy = matches!(&value, Value::Null | Value::Bool(false)) || value == json!(0) || value == json!("");
        if !falsy {
            return value;
        }
        if Instant::now() > deadline {
            let body = run(page, "document.body.innerText").await;
            panic!("waited {PATIENCE:?} for {what} (`{js}`); the page shows:\n{body}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Goes to `#/route` and waits for `ready` (a CSS selector).
async fn visit(page: &Page, route: &str, ready: &str) {
    run(page, &format!("location.hash = {}", json!(route))).await;
    wait_for(page, ready, &format!("!!document.querySelector({})", json!(ready))).await;
}

async fn screenshot(page: &Page, name: &str) {
    let path = screenshot_dir().join(format!("{name}.png"));
    page.save_screenshot(ScreenshotParams::builder().full_page(true).build(), &path).await.expect("a screenshot");
}

/// A selector's element class list contains `class`, as JS.
fn has_class(element: &str, class: &str) -> String {
    format!("!!document.querySelector('[data-element-id=\"{element}\"].{class}')")
}

/// Types `token` into the sign-in form and sends it.
async fn submit_token(page: &Page, token: &str) {
    wait_for(page, "the sign-in form", "!!document.querySelector('#token')").await;
    let js = "document.querySelector('#token').value = TOKEN; document.querySelector('#login button').click()";
    run(page, &js.replace("TOKEN", &json!(token).to_string())).await;
}

/// Signs in through the console's form.
async fn sign_in(page: &Page) {
    submit_token(page, OPERATOR).await;
    wait_for(page, "the instance list", "!!document.querySelector('#instances')").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_runs_a_workflow_a_task_an_incident_and_the_persona_board() {
    let Some(executable) = chromium() else {
        eprintln!("SKIPPED: no Chromium executable (set CHROME or install Debian's `chromium`)");
        return;
    };
    let _one = ONE_BROWSER.lock().await;
    let began = Instant::now();
    let server = TestServer::with_models().await;
    server.deploy_yaml("human.yaml").await;
    server.deploy_yaml("governed.yaml").await;
    let (status, body) = server
        .call(
            Method::POST,
            "/api/personas/instances",
            Some(json!({ "name": "ada", "persona_type": "senior-developer", "project": "acme/shop",
                "max_concurrent_tasks": 2, "daily_limit": "10.00", "monthly_limit": "200.00" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let chromium = Chromium::launch(executable).await;
    let page = chromium.browser.new_page(format!("{}/", server.base)).await.expect("a page");
    submit_token(&page, "not-the-token").await;
    wait_for(&page, "the refusal", "document.querySelector('#login [role=alert]').textContent.includes('not valid')")
        .await;
    let kept = run(&page, "sessionStorage.length").await;
    assert_eq!(kept, json!(0), "a refused token is not kept");
    sign_in(&page).await;
    let token_in_url = run(&page, "location.href").await;
    assert!(!token_in_url.as_str().unwrap_or_default().contains(OPERATOR), "the token stays out of the URL");

    // Start a workflow from the console: the page moves to the new instance.
    run(&page, "document.querySelector('#start-workflow').value = 'order'; document.querySelector('#start-work-item').value = 'WI-7'; document.querySelector('#start').click()").await;
    let hash =
        wait_for(&page, "the new instance's page", "location.hash.startsWith('#/instance/') && location.hash").await;
    let key: i64 = hash.as_str().expect("a hash").trim_start_matches("#/instance/").parse().expect("a key");
    let (_, variables) = server.call(Method::GET, &format!("/api/workflows/{key}/variables"), None).await;
    assert_eq!(variables["variables"]["inputs"]["WORK_ITEM_ID"], "WI-7", "started with the console's work item");
    wait_for(&page, "the token on `charge`", &has_class("charge", "token-active")).await;
    wait_for(&page, "the live stream", "document.querySelector('#live').classList.contains('on')").await;

    // An incident appears live; Retry in the console resolves it.
    server.fail_charge().await;
    wait_for(&page, "the incident marker", &has_class("charge", "token-incident")).await;
    wait_for(&page, "the Retry button", "!!document.querySelector('button.retry')").await;
    screenshot(&page, "instance").await;
    run(&page, "document.querySelector('button.retry').click()").await;
    wait_for(
        &page,
        "the incident gone",
        &format!("!({}) && {}", has_class("charge", "token-incident"), has_class("charge", "token-active")),
    )
    .await;
    let (_, incidents) = server.call(Method::GET, "/api/incidents", None).await;
    assert_eq!(incidents["incidents"], json!([]), "the console's Retry resolved the incident");

    // The token moves: the job completes, `charge` turns completed and the end event is reached.
    assert_eq!(server.complete_charges().await, 1);
    wait_for(&page, "`charge` completed", &has_class("charge", "token-completed")).await;
    wait_for(&page, "the end event reached", &has_class("end", "token-completed")).await;
    wait_for(&page, "the instance completed", "document.querySelector('#instance-state').textContent === 'completed'")
        .await;

    // A user task, completed through the form built from its declared outputs.
    let (_, started) =
        server.call(Method::POST, "/api/workflows/execute", Some(json!({ "workflow": "console-human" }))).await;
    let human = started["process_instance_key"].as_i64().expect("a key");
    visit(&page, &format!("/instance/{human}"), "#clocks .countdown").await;
    wait_for(&page, "the user task's token", &has_class("decide__work", "token-active")).await;
    let due = run(&page, "document.querySelector('#clocks .countdown').textContent").await;
    assert!(
        due.as_str().is_some_and(|d| d.starts_with("1h 59m") || d.starts_with("2h 0m")),
        "the SLA clock counts down: {due}"
    );
    screenshot(&page, "instance-sla").await;
    visit(&page, "/tasks?group=engineering-manager", "section.task button.claim").await;
    run(&page, "document.querySelector('#task-user').value = 'ann'; document.querySelector('section.task button.claim').click()").await;
    wait_for(&page, "the claim", "document.querySelector('section.task .assignee') && document.querySelector('section.task .assignee').textContent.includes('ann')").await;
    let kinds = run(&page, "[...document.querySelectorAll('section.task form [name]')].map(e => e.name + ':' + (e.type || e.tagName)).join(',')").await;
    assert_eq!(kinds, json!("APPROVED:checkbox,NEXT:select-one,NOTE:text"), "one field per declared output, by shape");
    run(&page, "document.querySelector('#output-NOTE').value = 'ship it'; document.querySelector('#output-APPROVED').checked = true; document.querySelector('#output-NEXT').value = 'ship'").await;
    screenshot(&page, "tasks").await;
    run(&page, "document.querySelector('section.task button.complete').click()").await;
    wait_for(&page, "the task gone", "!document.querySelector('section.task')").await;
    let (_, variables) = server.call(Method::GET, &format!("/api/workflows/{human}/variables"), None).await;
    assert_eq!(
        variables["variables"]["steps"]["decide"],
        json!({ "APPROVED": true, "NOTE": "ship it", "NEXT": "ship" })
    );

    // The persona board: the queue shows the job no instance holds yet; ada's load changes live
    // when a job is routed to her, and the routing shows among her recent actions.
    let waits = json!({ "workflow": "order", "variables": { "project": "acme/shop" } });
    let (status, body) = server.call(Method::POST, "/api/workflows/execute", Some(waits)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    visit(&page, "/personas", "[data-persona=\"ada\"] .load").await;
    assert_eq!(run(&page, "document.querySelector('[data-persona=\"ada\"] .load').textContent").await, json!("0 / 2"));
    let waiting = "document.querySelector('#persona-queue tr[data-queue=\"senior-developer|acme/shop\"] .waiting')";
    assert_eq!(run(&page, &format!("{waiting}.textContent")).await, json!("1"), "one job waits in the queue");
    let kinds =
        "[...document.querySelectorAll('[data-persona=\"ada\"] ul.actions li')].map(li => li.dataset.kind).join()";
    assert_eq!(run(&page, kinds).await, json!("instance-change"), "before ada works, her creation is all she did");
    let registry = personas::Registry::open(&server.store.display().to_string(), Arc::new(engine::SystemClock))
        .await
        .expect("a second registry on the store");
    let request = personas::RouteRequest {
        job_key: 77,
        persona_type: "senior-developer".into(),
        project: personas::Project::new("acme", "shop"),
        workflow_instance: Some(key),
        element_id: Some("charge".into()),
    };
    let decision = registry.route(&request).await.expect("routes");
    assert!(matches!(decision, personas::RouteDecision::Assigned(_)), "{decision:?}");
    wait_for(
        &page,
        "ada's load to change",
        "document.querySelector('[data-persona=\"ada\"] .load').textContent === '1 / 2'",
    )
    .await;
    let routed = "document.querySelector('[data-persona=\"ada\"] ul.actions li[data-kind=\"routing\"]')";
    let action =
        wait_for(&page, "the routing among ada's recent actions", &format!("{routed} && {routed}.textContent")).await;
    assert!(action.as_str().is_some_and(|a| a.contains("charge") && a.contains("job 77")), "{action}");
    screenshot(&page, "personas").await;

    visit(&page, "/raci/console-governed", "#raci tr[data-step=\"draft\"]").await;
    let row = run(&page, "document.querySelector('#raci tr[data-step=\"draft\"]').innerText").await;
    assert!(row.as_str().is_some_and(|r| r.contains("software-architect") && r.contains("qa-test-engineer")), "{row}");
    screenshot(&page, "raci").await;
    visit(&page, "/deployments", "#deployment-title").await;
    wait_for(&page, "the deployed diagram", "!!document.querySelector('#diagram [data-element-id]')").await;
    screenshot(&page, "deployments").await;
    visit(&page, "/instances", "#instances tr[data-key]").await;
    screenshot(&page, "instances").await;

    registry.close().await;
    chromium.close().await;
    let took = began.elapsed();
    eprintln!("the console's browser test took {took:?}");
    assert!(took < Duration::from_secs(60), "the browser test took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instance_list_of_a_thousand_instances_loads_in_under_300_ms() {
    let Some(executable) = chromium() else {
        eprintln!("SKIPPED: no Chromium executable (set CHROME or install Debian's `chromium`)");
        return;
    };
    let _one = ONE_BROWSER.lock().await;
    let server = TestServer::with_models().await;
    server
        .engine
        .run(|core| {
            core.begin_batch();
            for _ in 0..1_000 {
                core.create_instance("order", None, serde_json::Map::new())?;
            }
            core.commit_batch()
        })
        .await
        .expect("1,000 instances");
    let chromium = Chromium::launch(executable).await;
    let page = chromium.browser.new_page(format!("{}/", server.base)).await.expect("a page");
    sign_in(&page).await;
    let total = run(&page, "document.querySelector('#instance-count').textContent").await;
    assert!(total.as_str().is_some_and(|t| t.contains("of 1000")), "{total}");
    // Each load: the API call the console makes and the table it renders, timed by the page.
    let mut timings = Vec::new();
    for round in 0..7 {
        let filter = if round % 2 == 0 { "/instances?state=active" } else { "/instances" };
        run(&page, "window.consoleTimings = {}").await;
        run(&page, &format!("location.hash = {}", json!(filter))).await;
        let took = wait_for(&page, "the timed list", "window.consoleTimings && window.consoleTimings.instances").await;
        timings.push(took.as_f64().expect("milliseconds"));
    }
    let rows = run(&page, "document.querySelectorAll('#instances tr[data-key]').length").await;
    assert_eq!(rows, json!(100), "one page of the list");
    timings.sort_by(f64::total_cmp);
    let median = timings[timings.len() / 2];
    eprintln!("instance list with 1,000 instances (API call + render): median {median:.1} ms, all {timings:?}");
    chromium.close().await;
    assert!(median < 300.0, "the instance list took {median} ms");
}
