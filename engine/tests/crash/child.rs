//! The parent's side of a child process: the test binary runs itself again with the ignored
//! `crash_child` test selected and its settings in the environment.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::workload::{ChildConfig, Mode, READY};

const LOCATION_ENV: &str = "CRASH_CHILD_STORE";
const ACKS_ENV: &str = "CRASH_CHILD_ACKS";
const MODE_ENV: &str = "CRASH_CHILD_MODE";
const RUN_ENV: &str = "CRASH_CHILD_RUN";

/// The child's settings when this process is a crash child, else `None`.
pub fn config_from_env() -> Option<ChildConfig> {
    let location = std::env::var(LOCATION_ENV).ok()?;
    let acks = std::env::var(ACKS_ENV).ok()?.into();
    let mode = match std::env::var(MODE_ENV).ok()?.as_str() {
        "finish" => Mode::Finish,
        "open-once" => Mode::OpenOnce,
        _ => Mode::Work,
    };
    let run = std::env::var(RUN_ENV).ok()?.parse().ok()?;
    Some(ChildConfig { location, acks, mode, run })
}

/// A running child process.
pub struct ChildProcess {
    child: Child,
    stdout: mpsc::Receiver<String>,
    stderr: Option<JoinHandle<String>>,
}

impl ChildProcess {
    /// Starts a child running the workload in `mode` on the store at `location`.
    pub fn spawn(location: &str, acks: &Path, mode: Mode, run: u64) -> Self {
        let mut child = Command::new(std::env::current_exe().expect("the test binary"))
            .args(["--exact", "crash_child", "--ignored", "--nocapture", "--test-threads=1"])
            .env(LOCATION_ENV, location)
            .env(ACKS_ENV, acks)
            .env(MODE_ENV, mode.name())
            .env(RUN_ENV, run.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the child starts");
        let stdout = child.stdout.take().expect("piped");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stderr_pipe = child.stderr.take().expect("piped");
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr_pipe.read_to_string(&mut text);
            text
        });
        Self { child, stdout: lines, stderr: Some(stderr) }
    }

    /// Waits up to `limit` for the child to say its engine is open; returns how long opening
    /// took in the child, in milliseconds.
    pub fn wait_ready(&mut self, limit: Duration) -> u64 {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.stdout.recv_timeout(left) {
                // The test harness may write its own text in front of the child's line.
                Ok(line) => match line.split_once(READY) {
                    Some((_, rest)) => {
                        return rest.trim().trim_start_matches("opened_ms=").parse().unwrap_or_default();
                    }
                    None => continue,
                },
                Err(_) => {
                    let status = self.child.try_wait().ok().flatten();
                    self.kill();
                    panic!("the child did not open its engine within {limit:?} (status {status:?}): {}", self.stderr())
                }
            }
        }
    }

    /// The lines of the child's stdout that contain `marker`, from the marker on, read up to
    /// the end of its output (call it once the child has ended).
    pub fn lines_with(&self, marker: &str) -> Vec<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut found = Vec::new();
        // The reader thread ends (and the channel closes) at the end of the child's output.
        while let Ok(line) = self.stdout.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) {
            found.extend(line.find(marker).map(|at| line[at..].to_string()));
        }
        found
    }

    /// Kills the child with SIGKILL; fails the test if it had already ended by itself.
    pub fn kill_now(mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("the child ended before it was killed ({status}): {}", self.stderr());
        }
        self.kill();
    }

    /// Waits up to `limit` for the child to end by itself and fails the test unless it
    /// succeeded.
    pub fn wait_for_exit(&mut self, limit: Duration) {
        let deadline = std::time::Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    assert!(status.success(), "the child failed ({status}): {}", self.stderr());
                    return;
                }
                Ok(None) if std::time::Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                _ => {
                    self.kill();
                    panic!("the child did not finish within {limit:?}: {}", self.stderr());
                }
            }
        }
    }

    fn kill(&mut self) {
        // `Child::kill` sends SIGKILL on Unix.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn stderr(&mut self) -> String {
        self.stderr.take().and_then(|reader| reader.join().ok()).unwrap_or_default()
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}
