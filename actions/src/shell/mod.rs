//! The `shell-command` action, for real: [`ShellHandler`] fills the command template, asks the
//! [`guard`] whether the command may run for the task's persona, and runs it with `sh -c` in
//! the project's workspace, with a scrubbed environment, a timeout and capped output.

mod quote;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use async_trait::async_trait;
use guard::{Policy, Verdict};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};

use crate::shape::{OutputShapes, Shape};
use workers::{Job, JobHandler, JobOutcome, Variables};

/// The BPMN error code of a command the guard blocked (or a working directory outside the
/// workspace): the command never ran.
pub const FORBIDDEN_COMMAND: &str = "FORBIDDEN_COMMAND";
/// The BPMN error code of a command that exited with a non-zero status (unless the task says
/// `onError: continue`).
pub const STEP_FAILED: &str = "STEP_FAILED";

/// How [`ShellHandler`] runs commands.
#[derive(Debug, Clone)]
pub struct ShellOptions {
    /// The project's workspace root: commands run in it, or in a `workingDirectory` below it.
    pub workspace: PathBuf,
    /// The guard's policy; its workspace should be [`workspace`](Self::workspace).
    pub policy: Policy,
    /// How long a command may run before it is killed (default 10 minutes).
    pub timeout: Duration,
    /// How many bytes of stdout, and of stderr, are kept (default 1 MiB each); the rest is read
    /// and dropped, and the kept text says so.
    pub max_output_bytes: usize,
    /// The names of the worker's environment variables that commands see (default `PATH`,
    /// `HOME`, `LANG`); no other variable of the worker reaches them.
    pub env_allow: Vec<String>,
}

impl ShellOptions {
    /// The defaults for `workspace`, with the guard's deny rules and no allow-lists.
    pub fn new(workspace: impl Into<PathBuf>) -> Self {
        let workspace = workspace.into();
        ShellOptions {
            policy: Policy::new(&workspace.to_string_lossy()),
            workspace,
            timeout: Duration::from_secs(600),
            max_output_bytes: 1 << 20,
            env_allow: ["PATH", "HOME", "LANG"].map(String::from).into(),
        }
    }
}

/// Runs `shell-command` jobs: header `commandTemplate` with `{{tN}}` placeholders filled from
/// the job variables `tN` (each value quoted so the shell reads it as plain text), checked by
/// the guard for the header `persona` before anything runs.
///
/// - Blocked: BPMN error [`FORBIDDEN_COMMAND`] with the variable `forbidden`
///   (`{rule, reason, at}`); the command never runs.
/// - Exit 0: completes with the outputs the header `outputs` declares, read from the last
///   `KEY=VALUE` line of stdout for each (typed by shape: `boolean`, `number`, else text), plus
///   `exitCode`, `stdout` and `stderr` (capped).
/// - Non-zero exit: with `onError: continue` (header or variable) completes with
///   `{failed: true, exitCode, stderr}`, otherwise BPMN error [`STEP_FAILED`].
/// - Timeout: the command's process group is killed and the job fails. When the command ends,
///   whatever it left running in the background is killed too.
#[derive(Debug, Clone)]
pub struct ShellHandler {
    options: ShellOptions,
}

impl ShellHandler {
    /// A handler that runs commands as `options` say.
    pub fn new(options: ShellOptions) -> Self {
        ShellHandler { options }
    }

    /// The directory the job's command runs in: the workspace, or its variable
    /// `workingDirectory` resolved against the workspace, which must stay inside it.
    fn working_directory(&self, job: &Job) -> Result<PathBuf, JobOutcome> {
        let workspace = self.options.workspace.canonicalize().map_err(|e| {
            JobOutcome::fail(job, format!("the workspace {} cannot be opened: {e}", self.options.workspace.display()))
        })?;
        let Some(asked) = job.text_parameter("workingDirectory").filter(|dir| !dir.is_empty()) else {
            return Ok(workspace);
        };
        let refuse = |why: String| forbidden(job, "working-directory", &why, &asked);
        let directory = workspace.join(&asked).canonicalize().map_err(|e| {
            refuse(format!(
                "the working directory `{asked}` cannot be opened below the workspace ({e}); create it first"
            ))
        })?;
        if !directory.starts_with(&workspace) || !directory.is_dir() {
            return Err(refuse(format!(
                "the working directory `{asked}` is {} not a folder inside the workspace {}",
                directory.display(),
                workspace.display()
            )));
        }
        Ok(directory)
    }

    /// `sh -c command` in `directory`, with only the allowed environment variables.
    fn spawn(&self, command: &str, directory: &Path) -> std::io::Result<Child> {
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg(command)
            .current_dir(directory)
            .env_clear()
            .envs(self.options.env_allow.iter().filter_map(|name| Some((name, std::env::var_os(name)?))))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        #[cfg(unix)]
        shell.process_group(0);
        shell.spawn()
    }

    /// Runs the command to its end or its timeout.
    async fn run(&self, job: &Job, command: &str, directory: &Path) -> JobOutcome {
        let mut child = match self.spawn(command, directory) {
            Ok(child) => child,
            Err(e) => return JobOutcome::fail(job, format!("`sh -c` could not start in {}: {e}", directory.display())),
        };
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let (pid, cap) = (child.id(), self.options.max_output_bytes);
        let finished = tokio::time::timeout(self.options.timeout, async {
            let waiting = async {
                let status = child.wait().await;
                // What the command left running in the background would hold the pipes open:
                // the step's processes end with the step.
                kill_group(pid).await;
                status
            };
            tokio::join!(waiting, capture(stdout, cap), capture(stderr, cap))
        })
        .await;
        match finished {
            Ok((Ok(status), stdout, stderr)) => self.finished(job, command, status, &stdout, &stderr),
            Ok((Err(e), ..)) => JobOutcome::fail(job, format!("waiting for `{command}` failed: {e}")),
            Err(_) => {
                kill_group(pid).await;
                if let Err(e) = child.kill().await {
                    tracing::warn!("could not kill a timed-out command: {e}");
                }
                JobOutcome::fail(job, format!("`{command}` timed out after {:?} and was killed", self.options.timeout))
            }
        }
    }

    /// The outcome of a command that ended with `status`.
    fn finished(
        &self,
        job: &Job,
        command: &str,
        status: ExitStatus,
        stdout: &Captured,
        stderr: &Captured,
    ) -> JobOutcome {
        let exit_code = status.code().unwrap_or(-1);
        let stderr_text = stderr.text();
        if status.success() {
            let declared = match job.header("outputs").map(OutputShapes::from_header).transpose() {
                Ok(declared) => declared.unwrap_or_default(),
                Err(why) => {
                    return JobOutcome::fail_without_retries(format!(
                        "task '{}' of process '{}': {why}",
                        job.element_id, job.bpmn_process_id
                    ));
                }
            };
            let stdout_text = stdout.text();
            let mut variables = declared_outputs(&stdout_text, &declared);
            variables.insert("exitCode".into(), exit_code.into());
            variables.insert("stdout".into(), stdout_text.into());
            variables.insert("stderr".into(), stderr_text.into());
            return JobOutcome::complete_with(variables);
        }
        if job.text_parameter("onError").as_deref() == Some("continue") {
            let variables = json!({"failed": true, "exitCode": exit_code, "stderr": stderr_text});
            return JobOutcome::complete_with(object(variables));
        }
        let how =
            status.code().map_or_else(|| "was killed by a signal".to_owned(), |code| format!("exited with {code}"));
        let last_line = stderr_text.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or("(no stderr)");
        JobOutcome::Error {
            code: STEP_FAILED.into(),
            message: format!("{command} {how}: {last_line}"),
            variables: object(json!({"exitCode": exit_code, "stderr": stderr_text})),
        }
    }
}

#[async_trait]
impl JobHandler for ShellHandler {
    async fn handle(&self, job: &Job) -> JobOutcome {
        let Some(template) = job.header("commandTemplate") else {
            return JobOutcome::fail_without_retries(job.missing_parameter("commandTemplate"));
        };
        let command = match quote::fill_quoted(template, |slot| job.variable(slot)) {
            Ok(command) => command,
            Err(why) => return forbidden(job, "unsafe-value", &why, template),
        };
        if let Verdict::Blocked { rule, reason, at } = self.options.policy.check(&command, job.header("persona")) {
            return forbidden(job, rule.id(), &reason, &at);
        }
        match self.working_directory(job) {
            Ok(directory) => self.run(job, &command, &directory).await,
            Err(refused) => refused,
        }
    }
}

/// The BPMN error for a command that must not run, logged as a warning.
pub(crate) fn forbidden(job: &Job, rule: &str, reason: &str, at: &str) -> JobOutcome {
    let (element_id, instance) = (job.element_id.as_str(), job.process_instance_key);
    let persona = job.header("persona").unwrap_or_default();
    tracing::warn!(element_id, instance, persona, rule, at, "command refused: {reason}");
    JobOutcome::Error {
        code: FORBIDDEN_COMMAND.into(),
        message: format!("{rule}: {reason} (at: {at})"),
        variables: object(json!({"forbidden": {"rule": rule, "reason": reason, "at": at}})),
    }
}

/// The declared outputs found in `stdout` as `NAME=value` lines (the last one wins), typed by
/// their shape.
fn declared_outputs(stdout: &str, declared: &OutputShapes) -> Variables {
    let mut found = Variables::new();
    for (name, value) in stdout.lines().filter_map(|line| line.split_once('=')) {
        if let Some((name, shape)) = declared.iter().find(|(declared, _)| *declared == name.trim()) {
            found.insert(name.to_owned(), typed(value.trim_end_matches('\r'), shape));
        }
    }
    found
}

/// `value` as its shape says: `true`/`false` for booleans, a parsed number for numbers, text
/// otherwise (also when it does not parse).
fn typed(value: &str, shape: &Shape) -> Value {
    let parsed = match shape {
        Shape::Boolean => value.trim().parse::<bool>().ok().map(Value::Bool),
        Shape::Number => serde_json::from_str::<serde_json::Number>(value.trim()).ok().map(Value::Number),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(value.to_owned()))
}

/// A JSON object's map (empty for anything else).
fn object(value: Value) -> Variables {
    match value {
        Value::Object(map) => map,
        _ => Variables::new(),
    }
}

/// The start of one output stream, and how long it was.
#[derive(Debug, Default)]
struct Captured {
    kept: Vec<u8>,
    total: usize,
}

impl Captured {
    /// The kept bytes as text, with a note when the stream was longer.
    fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.kept).into_owned();
        if self.total > self.kept.len() {
            text.push_str(&format!("\n[output truncated: kept the first {} of {} bytes]", self.kept.len(), self.total));
        }
        text
    }
}

/// Reads `stream` to its end, keeping its first `cap` bytes and dropping the rest, so the
/// command never blocks on a full pipe.
async fn capture(stream: Option<impl AsyncRead + Unpin>, cap: usize) -> Captured {
    let mut captured = Captured::default();
    let Some(mut stream) = stream else { return captured };
    let mut buffer = [0u8; 8192];
    while let Ok(read @ 1..) = stream.read(&mut buffer).await {
        captured.total += read;
        let room = cap.saturating_sub(captured.kept.len());
        captured.kept.extend_from_slice(&buffer[..read.min(room)]);
    }
    captured
}

/// Kills what is left of the process group `pid` leads (the command ran in its own group), if
/// anything is.
async fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid {
        let group = format!("-{pid}");
        let killed = Command::new("kill").args(["-KILL", "--", &group]).stdin(Stdio::null()).output().await;
        if let Err(e) = killed {
            tracing::warn!(pid, "could not kill the process group of a command: {e}");
        }
    }
    #[cfg(not(unix))]
    let _ = pid;
}
