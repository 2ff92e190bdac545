//! A server on 127.0.0.1:0 in this process, on a temporary SQLite store, with two tokens, the
//! project's persona catalogue loaded and webhook secrets set; and a client for it.

#![allow(dead_code)] // each test binary uses its own part

use std::path::{Path, PathBuf};
use std::sync::Arc;

use engine::testing::model::ProcessBuilder;
use engine::{ActivateJobs, Engine, EngineCore, SystemClock};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use server::auth::{Secret, Tokens};
use server::webhook_config::{WebhookAction, WebhookConfig};
use server::{Server, ServerConfig};

/// The operator's token in these tests.
pub const OPERATOR: &str = "operator-token-7f3a9c";
/// The read-only token in these tests.
pub const READER: &str = "reader-token-51be02";
/// GitHub's webhook secret in these tests.
pub const GITHUB_SECRET: &str = "github-hook-secret-99";
/// Azure DevOps' webhook password in these tests.
pub const AZURE_SECRET: &str = "azure-hook-secret-42";

/// A running test server.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The engine behind it (to complete jobs as a worker would).
    pub engine: Engine,
    /// The store file.
    pub store: PathBuf,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The BPMN XML of the test models: `order` (one `charge` job of the persona
/// `senior-developer`), `wait-message` (waits for the
/// message `go` correlated by `orderId`) and `wait-signal` (waits for the signal `ping`).
pub fn models() -> Vec<(String, String)> {
    let order = ProcessBuilder::new("order")
        .start("start")
        .service_task("charge", "charge")
        .header("charge", "persona", "senior-developer")
        .end("end")
        .build();
    let message =
        ProcessBuilder::new("wait-message").start("start").message_catch("wait", "go", "=orderId").end("end").build();
    let signal = ProcessBuilder::new("wait-signal").start("start").signal_catch("wait", "ping").end("end").build();
    [("order.bpmn", order), ("wait-message.bpmn", message), ("wait-signal.bpmn", signal)]
        .into_iter()
        .map(|(name, model)| (name.to_owned(), bpmn::write::write(&model)))
        .collect()
}

impl TestServer {
    /// A server with open health and metrics.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// A server whose config `adjust` changes first.
    pub async fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> Self {
        Self::start_on(true, adjust).await
    }

    /// A server whose engine keeps no log (in memory); the persona registry is still a file.
    pub async fn start_in_memory() -> Self {
        Self::start_on(false, |_| {}).await
    }

    /// A server whose engine is `durable` (on the store file) or in memory.
    async fn start_on(durable: bool, adjust: impl FnOnce(&mut ServerConfig)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = dir.path().join("state.db");
        let location = store.display().to_string();
        let core = if durable {
            EngineCore::open(engine::store::open(&location).expect("store"), Arc::new(SystemClock)).expect("engine")
        } else {
            // The server reads history from the store's file: give it an empty log.
            drop(engine::store::open(&location).expect("store"));
            EngineCore::new()
        };
        let engine = Engine::new(core);
        let registry = personas::Registry::open(&location, Arc::new(SystemClock)).await.expect("registry");
        let catalogue_path = workspace().join("workflows/personas/types.yaml");
        let text = std::fs::read_to_string(&catalogue_path).expect("catalogue");
        let catalogue = yaml_to_bpmn::personas::PersonaCatalogue::parse("types.yaml", &text).expect("parses");
        registry.load_types(&catalogue).await.expect("loads");
        let tokens = Tokens { operator: secret(OPERATOR), read_only: Some(secret(READER)) };
        let mut webhooks = WebhookConfig {
            github_secret: Some(secret(GITHUB_SECRET)),
            azure_secret: Some(secret(AZURE_SECRET)),
            ..WebhookConfig::default()
        };
        webhooks.actions.entry("github".into()).or_default().insert(
            "pull_request".into(),
            WebhookAction::Publish { publish: "go".into(), correlation: "/pull_request/number".into() },
        );
        webhooks.actions.entry("azure-devops".into()).or_default().insert(
            "workitem.created".into(),
            WebhookAction::Start {
                start: "order".into(),
                inputs: [("ITEM", "/resource/id"), ("SOURCE", "webhook"), ("TITLE", "/resource/title")]
                    .map(|(name, source)| (name.to_owned(), source.to_owned()))
                    .into(),
            },
        );
        let mut config = ServerConfig::new(tokens);
        config.webhooks = webhooks;
        adjust(&mut config);
        let server = Server::start(engine.clone(), registry, &location, config).await.expect("starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        Self { base, engine, store, client: reqwest::Client::new(), stop: Some(stop), _dir: dir }
    }

    /// A server with the test models deployed.
    pub async fn with_models() -> Self {
        let server = Self::start().await;
        server.deploy_models().await;
        server
    }

    /// Deploys [`models`] through the API.
    pub async fn deploy_models(&self) {
        let resources: Vec<Value> =
            models().into_iter().map(|(name, content)| json!({ "name": name, "content": content })).collect();
        let (status, body) = self.call(Method::POST, "/api/deployments", Some(json!({ "resources": resources }))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    /// Deploys the YAML workflow `server/tests/console/<file>` through the API.
    pub async fn deploy_yaml(&self, file: &str) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/console").join(file);
        let content = std::fs::read_to_string(&path).expect("a test workflow");
        let resources = json!([{ "name": file, "content": content }]);
        let (status, body) = self.call(Method::POST, "/api/deployments", Some(json!({ "resources": resources }))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    /// A request with the operator token; returns the status and the JSON body (`null` when
    /// the body is not JSON).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call_as(Some(OPERATOR), method, path, body).await
    }

    /// A request with `token` (none when `None`).
    pub async fn call_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A request with a raw body (for bad JSON) and the operator token.
    pub async fn call_raw(&self, method: Method, path: &str, body: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(OPERATOR)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("the server answers");
        let status = response.status();
        (status, serde_json::from_str(&response.text().await.expect("a body")).unwrap_or(Value::Null))
    }

    /// A plain GET without a token, as text.
    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let response = self.client.get(format!("{}{path}", self.base)).send().await.expect("the server answers");
        (response.status(), response.text().await.expect("a body"))
    }

    /// The raw client, for streaming and custom headers.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Starts an `order` instance through the API; returns its key.
    pub async fn start_order(&self) -> i64 {
        let (status, body) = self
            .call(Method::POST, "/api/workflows/execute", Some(json!({ "workflow": "order", "work_item": "WI-1" })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["process_instance_key"].as_i64().expect("a key")
    }

    /// Activates the open `charge` jobs as a worker and completes them; returns how many.
    pub async fn complete_charges(&self) -> usize {
        let jobs = self
            .engine
            .run(|core| core.activate_jobs(&ActivateJobs::new("charge").worker("test")))
            .await
            .expect("activates");
        for job in &jobs {
            let key = job.key;
            self.engine.run(|core| core.complete_job(key, serde_json::Map::new())).await.expect("completes");
        }
        jobs.len()
    }

    /// Fails the open `charge` job without retries, raising an incident; returns the job key.
    pub async fn fail_charge(&self) -> i64 {
        let jobs = self
            .engine
            .run(|core| core.activate_jobs(&ActivateJobs::new("charge").worker("test")))
            .await
            .expect("activates");
        let key = jobs.first().expect("a charge job").key;
        self.engine
            .run(|core| core.fail_job(key, 0, "card declined", std::time::Duration::ZERO, serde_json::Map::new()))
            .await
            .expect("fails");
        key
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn secret(text: &str) -> Secret {
    Secret::new(text).expect("a token")
}

/// Panics unless `body` is the JSON error shape with `code`.
pub fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], json!(code), "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}
