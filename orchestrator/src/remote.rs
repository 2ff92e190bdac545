//! Talking to the `serve` that runs on the store, so that commands which change state work
//! beside it: only one engine may run on a store, and `serve` is that engine while it runs.
//!
//! `serve` writes its address to the store's serve file ([`StoreLocation::serve_file`]) once it
//! listens and removes it when it stops. A command that changes state looks for that file: when
//! a server answers there, it sends the change through the HTTP API with the operator token
//! (`ORCHESTRATOR_TOKEN`, else the token file `serve` wrote); when the file is missing or
//! nothing answers (a `serve` that was killed), it opens the store itself.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use server::auth::{Secret, TOKEN_VARIABLE};

use crate::failure::{Failure, Result};
use crate::store::StoreLocation;

/// How long a request may take; the API answers in milliseconds.
const TIMEOUT: Duration = Duration::from_secs(30);

/// How long the check that a server listens may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The `serve` running on a store: its address and the token to send.
#[derive(Debug)]
pub struct Remote {
    base: String,
    token: Secret,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Remote {
    /// The `serve` listening on the store, or `None` when no serve file is there or nothing
    /// answers at its address (the `serve` that wrote it is gone).
    pub fn find(store: &StoreLocation) -> Result<Option<Self>> {
        let file = store.serve_file();
        let Ok(text) = std::fs::read_to_string(&file) else { return Ok(None) };
        let base = text.trim().trim_end_matches('/').to_owned();
        if !base.starts_with("http://") {
            return Err(Failure::Failed(format!(
                "{}: holds no http:// address; `serve` rewrites it when it starts, or delete the file if no serve runs",
                file.display()
            )));
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::Failed(format!("cannot start the async runtime: {e}")))?;
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| Failure::Failed(format!("cannot make an HTTP client: {e}")))?;
        // Any answer (health may need a token) means a server listens.
        let probe = async { client.get(format!("{base}/healthz")).timeout(PROBE_TIMEOUT).send().await };
        if runtime.block_on(probe).is_err() {
            return Ok(None);
        }
        let token = token(store, &base)?;
        Ok(Some(Self { base, token, runtime, client }))
    }

    /// The server's address, `http://host:port`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends `body` (if any) to `path` and returns the JSON answer; an error answer becomes a
    /// failure with the server's message (400 a usage failure).
    pub fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut request = self.client.request(method, &url).bearer_auth(self.token.expose());
        if let Some(body) = body {
            request = request.json(body);
        }
        let answer = async {
            let response = request.send().await?;
            let status = response.status();
            let text = response.text().await?;
            Ok::<_, reqwest::Error>((status, text))
        };
        let (status, text) = self.runtime.block_on(answer).map_err(|e| {
            Failure::Failed(format!(
                "the serve at {} did not answer ({}); is it still running?",
                self.base,
                e.without_url()
            ))
        })?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(value);
        }
        let message = value["error"]["message"].as_str().map_or_else(|| text.trim().to_owned(), str::to_owned);
        let message = format!("{message} (the serve at {} answered {})", self.base, status.as_u16());
        Err(match status.as_u16() {
            400 => Failure::Usage(message),
            401 => Failure::Failed(format!(
                "the serve at {} refused the API token: set {TOKEN_VARIABLE} to the token it uses",
                self.base
            )),
            _ => Failure::Failed(message),
        })
    }
}

/// The operator token: `ORCHESTRATOR_TOKEN`, else the token file `serve` wrote beside the store.
fn token(store: &StoreLocation, base: &str) -> Result<Secret> {
    if let Some(token) = std::env::var(TOKEN_VARIABLE).ok().and_then(Secret::new) {
        return Ok(token);
    }
    let file = store.token_file();
    std::fs::read_to_string(&file).ok().and_then(Secret::new).ok_or_else(|| {
        Failure::Failed(format!(
            "a serve runs on this store at {base}, and changes go through it, but there is no API token: set {TOKEN_VARIABLE} or make {} readable",
            file.display()
        ))
    })
}

/// What a command that changes state does: through the `serve` running on the store, or on
/// the store itself when none runs.
pub fn change<T>(
    store: &StoreLocation,
    through_serve: impl FnOnce(&Remote) -> Result<T>,
    on_the_store: impl FnOnce() -> Result<T>,
) -> Result<T> {
    match Remote::find(store)? {
        Some(remote) => through_serve(&remote),
        None => on_the_store(),
    }
}
