//! What every stand-in server does before its endpoints: record the request, inject a queued
//! failure, check the token. Also the server's start and stop.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::Value;

/// One request a stand-in server received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, percent-decoding not applied (e.g. `/repos/acme/widgets/pulls`).
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Header names (lower case) and values; `authorization` is left out.
    pub headers: BTreeMap<String, String>,
    /// The body parsed as JSON; `None` when empty or not JSON.
    pub body: Option<Value>,
}

impl RecordedRequest {
    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get("content-type").map(String::as_str)
    }

    /// A query parameter, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        reqwest::Url::parse(&format!("http://x/?{query}"))
            .ok()?
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }

    /// A field of the JSON body by JSON Pointer (e.g. `/title`).
    pub fn body_at(&self, pointer: &str) -> Option<&Value> {
        self.body.as_ref()?.pointer(pointer)
    }
}

/// A failure answered instead of the next requests' real answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectedFailure {
    /// 429 with `Retry-After: {0}` (seconds).
    TooManyRequests(u64),
    /// 503 without `Retry-After`.
    ServiceUnavailable,
    /// GitHub's exhausted primary quota: 403 with `x-ratelimit-remaining: 0` and
    /// `x-ratelimit-reset` that many seconds ahead.
    QuotaExhausted(u64),
}

/// How the server expects the token.
#[derive(Debug, Clone)]
pub(crate) enum ExpectedAuth {
    /// `Bearer <token>` or `token <token>`.
    Bearer(String),
    /// HTTP Basic with any user name and the token as password.
    Basic(String),
}

impl ExpectedAuth {
    fn accepts(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers.get(header::AUTHORIZATION).and_then(|value| value.to_str().ok()) else {
            return false;
        };
        match self {
            Self::Bearer(token) => {
                value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("token ")) == Some(token.as_str())
            }
            Self::Basic(token) => value
                .strip_prefix("Basic ")
                .and_then(|encoded| base64::engine::general_purpose::STANDARD.decode(encoded).ok())
                .and_then(|decoded| String::from_utf8(decoded).ok())
                .and_then(|pair| pair.split_once(':').map(|(_, password)| password == token))
                .unwrap_or(false),
        }
    }
}

/// Recording, failure queue and token check of one server.
pub(crate) struct Gate {
    auth: ExpectedAuth,
    /// The JSON body of a 401 in the service's error shape.
    unauthorized: Value,
    /// Builds the JSON error body of an injected failure from its message.
    error_body: fn(&str) -> Value,
    requests: Mutex<Vec<RecordedRequest>>,
    failures: Mutex<VecDeque<InjectedFailure>>,
}

/// Locks a server's state; a test that panicked while holding it has already failed, so a
/// poisoned lock is taken as it is.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Gate {
    pub(crate) fn new(auth: ExpectedAuth, unauthorized: Value, error_body: fn(&str) -> Value) -> Self {
        Self { auth, unauthorized, error_body, requests: Mutex::default(), failures: Mutex::default() }
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.requests).clone()
    }

    pub(crate) fn clear_requests(&self) {
        lock(&self.requests).clear();
    }

    pub(crate) fn fail_next(&self, count: usize, failure: InjectedFailure) {
        lock(&self.failures).extend(std::iter::repeat_n(failure, count));
    }

    fn failure_response(&self, failure: InjectedFailure) -> Response {
        let error_body = self.error_body;
        match failure {
            InjectedFailure::TooManyRequests(seconds) => {
                let mut response = json_response(StatusCode::TOO_MANY_REQUESTS, error_body("rate limit: slow down"));
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                response
            }
            InjectedFailure::ServiceUnavailable => {
                json_response(StatusCode::SERVICE_UNAVAILABLE, error_body("service unavailable, try again"))
            }
            InjectedFailure::QuotaExhausted(seconds) => {
                let reset = chrono::Utc::now().timestamp() + i64::try_from(seconds).unwrap_or(i64::MAX / 2);
                let mut response = json_response(StatusCode::FORBIDDEN, error_body("API rate limit exceeded"));
                response.headers_mut().insert("x-ratelimit-remaining", HeaderValue::from(0));
                response.headers_mut().insert("x-ratelimit-reset", HeaderValue::from(reset));
                response
            }
        }
    }
}

/// The middleware: record, then an injected failure if one is queued, then the token check.
pub(crate) async fn gate(State(gate): State<Arc<Gate>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return json_response(StatusCode::PAYLOAD_TOO_LARGE, (gate.error_body)("body too large"));
    };
    let headers = parts
        .headers
        .iter()
        .filter(|(name, _)| *name != header::AUTHORIZATION)
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    lock(&gate.requests).push(RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body: serde_json::from_slice(&bytes).ok(),
    });
    let failure = lock(&gate.failures).pop_front();
    if let Some(failure) = failure {
        return gate.failure_response(failure);
    }
    if !gate.auth.accepts(&parts.headers) {
        return json_response(StatusCode::UNAUTHORIZED, gate.unauthorized.clone());
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// `/seg/seg/…` with each segment percent-encoded as clients send it (routes match the raw path).
pub(crate) fn encoded_path(segments: &[&str]) -> String {
    let mut url = reqwest::Url::parse("http://x/").unwrap_or_else(|_| unreachable!("a constant URL"));
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url.path().to_owned()
}

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body.to_string()).into_response()
}

/// A request body as JSON; an unreadable one is answered with `bad` (the service's 400).
pub(crate) fn parse_body(bytes: &Bytes, bad: fn(&str) -> Response) -> Result<Value, Response> {
    serde_json::from_slice(bytes).map_err(|error| bad(&format!("the request body is not JSON: {error}")))
}

/// A server running on `127.0.0.1`; dropping it stops it.
pub(crate) struct Running {
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// A listener on `127.0.0.1` with a free port, and its base URL.
    pub(crate) async fn bind() -> std::io::Result<(tokio::net::TcpListener, String)> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        Ok((listener, format!("http://{address}")))
    }

    /// Serves `router` behind `gate` on `listener` until dropped.
    pub(crate) fn serve(listener: tokio::net::TcpListener, router: Router, gate: Arc<Gate>) -> std::io::Result<Self> {
        let address = listener.local_addr()?;
        let router = router.layer(axum::middleware::from_fn_with_state(gate, self::gate));
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!("stand-in server on {address} stopped: {error}");
            }
        });
        Ok(Self { task })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}
