//! Shared helpers for the daemon's tests: the workspace's Zeebe broker, the `persona-worker`
//! binary as a child process (JSON logs captured, metrics scraped), and a one-task BPMN model.

#![allow(dead_code)] // each test binary uses a different subset of these helpers

#[path = "../../../tests/support/zeebe_broker.rs"]
pub mod zeebe_broker;

pub mod token_server;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The seed workflows beside the checkout.
pub fn seed_workflows() -> PathBuf {
    workspace_root().join("../shared/corpus/seed-workflows")
}

/// The Camunda client variables, removed from every child so the caller's shell cannot leak in.
const CLIENT_VARIABLES: &[&str] = &[
    "ZEEBE_ADDRESS",
    "ZEEBE_INSECURE_CONNECTION",
    "ZEEBE_CA_CERTIFICATE_PATH",
    "ZEEBE_CLIENT_ID",
    "ZEEBE_CLIENT_SECRET",
    "ZEEBE_AUTHORIZATION_SERVER_URL",
    "ZEEBE_TOKEN_AUDIENCE",
    "RUST_LOG",
];

/// The binary with a clean client environment plus `env`.
pub fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_persona-worker"));
    command.args(args);
    for variable in CLIENT_VARIABLES {
        command.env_remove(variable);
    }
    command.envs(env.iter().copied());
    command
}

/// Runs the binary to its end (at most `limit`) and returns what it printed. Its output is read
/// while it runs: a child that prints more than a pipe holds would otherwise block on a full
/// pipe and never end.
pub fn run(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Output {
    let mut child =
        command(args, env).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start persona-worker");
    let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let began = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll persona-worker") {
            break status;
        }
        if began.elapsed() > limit {
            let _ = child.kill();
            panic!("persona-worker {args:?} ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let collected = |reader: std::thread::JoinHandle<Vec<u8>>| reader.join().expect("a pipe reader");
    Output { status, stdout: collected(stdout), stderr: collected(stderr) }
}

/// Reads a child's pipe to its end on a thread of its own.
fn drain(pipe: Option<impl std::io::Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// A BPMN model with one service task of `job_type` in process `process_id`.
pub fn one_task_bpmn(process_id: &str, job_type: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://example.com/persona-worker-tests">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="{job_type}" retries="3" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"#
    )
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    path
}

/// A running daemon: JSON log lines collected from its standard error, metrics on a port of
/// its own. Killed when dropped.
pub struct Daemon {
    child: Child,
    lines: Arc<Mutex<Vec<Value>>>,
    /// Where it serves `/metrics`.
    pub metrics_addr: SocketAddr,
    _config: tempfile::TempDir,
}

impl Daemon {
    /// Starts `persona-worker run` with `config` (YAML text) and `env`.
    pub fn start(config: &str, env: &[(&str, &str)]) -> Daemon {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = write(dir.path(), "worker.yaml", config);
        let metrics_addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("address");
        let args = ["--log-format", "json", "run", "--config", path.to_str().expect("utf-8 path"), "--metrics-addr"];
        let mut child = command(&args, env)
            .arg(metrics_addr.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start persona-worker run");
        let stderr = child.stderr.take().expect("piped stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let collected = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or(Value::String(line));
                collected.lock().unwrap_or_else(PoisonError::into_inner).push(value);
            }
        });
        Daemon { child, lines, metrics_addr, _config: dir }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The log lines so far (JSON objects; a line that is not JSON as a string).
    pub fn logs(&self) -> Vec<Value> {
        self.lines.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The log lines whose `message` contains `text`.
    pub fn logged(&self, text: &str) -> Vec<Value> {
        self.logs().into_iter().filter(|l| l["message"].as_str().is_some_and(|m| m.contains(text))).collect()
    }

    /// Waits up to `limit` until `done` holds for the log lines; false if it never does.
    pub fn wait_for_logs(&self, limit: Duration, done: impl Fn(&[Value]) -> bool) -> bool {
        let began = Instant::now();
        while began.elapsed() < limit {
            if done(&self.logs()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// Scrapes `/metrics` once: `name{labels}` → value (nothing when not serving yet).
    pub fn scrape(&self) -> BTreeMap<String, f64> {
        let Ok(mut stream) = TcpStream::connect(self.metrics_addr) else { return BTreeMap::new() };
        let request = format!("GET /metrics HTTP/1.1\r\nHost: {}\r\n\r\n", self.metrics_addr);
        let mut response = String::new();
        if stream.write_all(request.as_bytes()).is_err() || stream.read_to_string(&mut response).is_err() {
            return BTreeMap::new();
        }
        let Some((head, body)) = response.split_once("\r\n\r\n") else { return BTreeMap::new() };
        assert!(head.starts_with("HTTP/1.1 200"), "metrics answered {head}");
        parse_metrics(body)
    }

    /// Waits up to `limit` until the scraped metrics satisfy `done`; the last scrape either way.
    pub fn wait_for_metrics(
        &self,
        limit: Duration,
        done: impl Fn(&BTreeMap<String, f64>) -> bool,
    ) -> BTreeMap<String, f64> {
        let began = Instant::now();
        loop {
            let metrics = self.scrape();
            if done(&metrics) || began.elapsed() > limit {
                return metrics;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends SIGTERM and waits up to `limit` for the exit.
    pub fn terminate(&mut self, limit: Duration) -> ExitStatus {
        let status = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        let began = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll persona-worker") {
                return status;
            }
            assert!(began.elapsed() < limit, "persona-worker did not exit within {limit:?} of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the Prometheus text format: each sample line's `name{labels}` and value.
pub fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// A sample's value, 0 when absent.
pub fn sample(metrics: &BTreeMap<String, f64>, name: &str, job_type: &str) -> f64 {
    metrics.get(&format!("persona_worker_{name}{{job_type=\"{job_type}\"}}")).copied().unwrap_or(0.0)
}

/// The Tokio runtime the tests' Zeebe calls run on.
pub fn tokio() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime")
}
