//! Bearer tokens: none or a wrong one is 401, the read-only token may only read (403 on a
//! write, which changes nothing), health and metrics are open unless closed, and no token
//! shows in an error, in the metrics or in the logs.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{OPERATOR, READER, TestServer, assert_error};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_need_a_valid_token_and_the_read_only_one_may_only_read() {
    let server = TestServer::with_models().await;
    let routes = [
        (Method::GET, "/api/workflows/history"),
        (Method::GET, "/api/deployments"),
        (Method::GET, "/api/incidents"),
        (Method::GET, "/api/personas/instances"),
        (Method::GET, "/api/audit"),
        (Method::GET, "/api/events"),
        (Method::POST, "/api/workflows/execute"),
        (Method::POST, "/api/messages"),
        (Method::POST, "/api/signals"),
        (Method::POST, "/api/deployments"),
        (Method::POST, "/api/personas/instances"),
    ];
    for (method, path) in &routes {
        for token in [None, Some("wrong-token")] {
            let (status, body) = server.call_as(token, method.clone(), path, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} with {token:?}");
            assert_error(&body, "UNAUTHORIZED");
        }
    }
    let (status, body) = server.call_as(Some(READER), Method::GET, "/api/workflows/history", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, before) = server.call(Method::GET, "/api/workflows/history", None).await;
    let writes = [
        (Method::POST, "/api/workflows/execute", json!({ "workflow": "order" })),
        (Method::POST, "/api/signals", json!({ "name": "ping" })),
        (Method::POST, "/api/personas/instances", json!({ "name": "eve", "persona_type": "senior-developer" })),
    ];
    for (method, path, body) in writes {
        let (status, answer) = server.call_as(Some(READER), method, path, Some(body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        assert_error(&answer, "FORBIDDEN");
    }
    let (_, after) = server.call(Method::GET, "/api/workflows/history", None).await;
    assert_eq!(before, after, "a forbidden write started something");
    let (_, instances) = server.call(Method::GET, "/api/personas/instances", None).await;
    assert_eq!(instances["instances"], json!([]));

    let (status, _) = server.get_text("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server.get_text("/metrics").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics_can_be_closed() {
    let server = TestServer::start_with(|config| {
        config.open_health = false;
        config.open_metrics = false;
    })
    .await;
    for path in ["/healthz", "/metrics"] {
        let (status, _) = server.get_text(path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        let (status, _) = server.call_as(Some(READER), Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path} with a token");
    }
}

/// Collects everything the tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_never_show_in_errors_metrics_or_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    // Global: the server's tasks log from the runtime's threads. Only this test of this binary
    // reads the capture.
    let subscriber =
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test binary");
    let server = TestServer::with_models().await;
    let mut seen = Vec::new();
    for token in [None, Some("wrong-token"), Some(READER), Some(OPERATOR)] {
        for (method, path) in [
            (Method::GET, "/api/workflows/status/42"),
            (Method::POST, "/api/signals"),
            (Method::GET, "/api/workflows/history"),
        ] {
            let (status, body) = server.call_as(token, method, path, Some(json!({ "name": "" }))).await;
            seen.push(format!("{status} {body}"));
        }
    }
    let (_, metrics) = server.get_text("/metrics").await;
    let logs = String::from_utf8_lossy(&captured.0.lock().expect("not poisoned")).into_owned();
    assert!(logs.contains("/api/workflows/status/42"), "the request logs were captured: {logs}");
    for secret in [OPERATOR, READER, "wrong-token"] {
        assert!(!metrics.contains(secret), "{secret} in the metrics");
        assert!(!logs.contains(secret), "{secret} in the logs");
        assert!(seen.iter().all(|answer| !answer.contains(secret)), "{secret} in an answer: {seen:?}");
    }
}
