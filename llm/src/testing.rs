//! [`Katan`]: an llm-katan server for tests (feature `testing`). llm-katan is a provider
//! emulator written by others that speaks the OpenAI, Anthropic and Gemini wire formats with an
//! echo backend (it answers with the last user message) and injects failures on request.
//! `testing/llm-katan.sh` installs it into a private venv once and starts and stops servers.
//! [`ScriptedLlm`] is ours: an OpenAI-compatible server whose answers a test writes per call.

mod scripted;

pub use scripted::{Call, Script, ScriptedLlm};

use std::process::Command;

use serde_json::Value;

/// The script that installs, starts and stops llm-katan.
pub const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testing/llm-katan.sh");

/// One llm-katan server on a free 127.0.0.1 port; stopped on drop.
#[derive(Debug)]
pub struct Katan {
    pid: String,
    port: u16,
}

impl Katan {
    /// Installs llm-katan if missing and starts a server with `options` (llm-katan's own, e.g.
    /// `--rate-limit-after 1`, `--error-rate 1.0`, `--latency-ms 2000`).
    ///
    /// # Panics
    ///
    /// When it cannot be installed or started: the message says what it needs.
    pub fn start(options: &[&str]) -> Self {
        let output = Command::new("bash")
            .arg(SCRIPT)
            .arg("start")
            .args(options)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {SCRIPT}: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "llm-katan could not be installed or started (`{SCRIPT} start {}` exited with {}):\n{}\n\
             The llm wire tests need python3 with venv and pip, and the Python package index to install llm-katan once.",
            options.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let (pid, port) = stdout.trim().rsplit_once(' ').unwrap_or_else(|| panic!("unexpected output: {stdout}"));
        Self { pid: pid.to_owned(), port: port.parse().unwrap_or_else(|e| panic!("port `{port}`: {e}")) }
    }

    /// Its root URL (an OpenAI-compatible provider's base URL is this plus `/v1`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// llm-katan's own tally: requests (any status) and tokens per provider format.
    ///
    /// # Panics
    ///
    /// When the server does not answer with JSON.
    pub async fn stats(&self) -> Value {
        let response = reqwest::get(format!("{}/stats", self.url())).await.unwrap_or_else(|e| panic!("stats: {e}"));
        let body = response.bytes().await.unwrap_or_else(|e| panic!("stats: {e}"));
        serde_json::from_slice(&body).unwrap_or_else(|e| panic!("stats: {e}"))
    }

    /// The requests it got in `format` (`openai`, `anthropic`, `vertexai`).
    pub async fn requests(&self, format: &str) -> u64 {
        self.stats().await["providers"][format].as_u64().unwrap_or(0)
    }
}

impl Drop for Katan {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(SCRIPT).arg("stop").arg(&self.pid).status();
    }
}
