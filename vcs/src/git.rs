//! How git is run: the program, a scrubbed environment, the commit identity, a timeout, and
//! no shell (arguments go to git as they are).

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tempfile::TempDir;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::clock::{Clock, SystemClock};
use crate::error::{Operation, Result, VcsError};
use crate::hint::hint;
use crate::redact::redact_credentials;

/// The author and committer of the commits this crate makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    name: String,
    email: String,
}

impl Identity {
    /// An identity: both parts non-empty, without `<`, `>` or line breaks.
    pub fn new(name: &str, email: &str) -> Result<Self> {
        let invalid = |why| VcsError::InvalidIdentity { name: name.to_owned(), email: email.to_owned(), why };
        if name.trim().is_empty() || email.trim().is_empty() {
            return Err(invalid("the name and the e-mail address must not be empty"));
        }
        if [name, email].iter().any(|part| part.contains(['<', '>', '\n', '\r', '\0'])) {
            return Err(invalid("it holds `<`, `>`, a line break or a NUL"));
        }
        Ok(Identity { name: name.to_owned(), email: email.to_owned() })
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The e-mail address.
    pub fn email(&self) -> &str {
        &self.email
    }
}

/// The home directory git runs with: one the caller gave, or a private empty one.
#[derive(Debug, Clone)]
enum Home {
    Given(PathBuf),
    Private(Arc<TempDir>),
}

impl Home {
    fn path(&self) -> &Path {
        match self {
            Home::Given(path) => path,
            Home::Private(dir) => dir.path(),
        }
    }
}

/// Runs git for this crate's operations; cheap to clone. Opens working copies
/// ([`open`](Self::open), [`clone_into`](Self::clone_into)).
///
/// git runs without a shell, with arguments passed as they are, in an environment that holds
/// only `PATH` from the caller's and:
/// - `HOME` (and `XDG_CONFIG_HOME` below it) set to a private empty directory, or to the one
///   given to [`with_home`](Self::with_home) (the place for a credential helper or
///   `.gitconfig`), and `GIT_CONFIG_NOSYSTEM=1`: no user or system configuration leaks in;
/// - author and committer from the [`Identity`];
/// - no prompts (`GIT_TERMINAL_PROMPT=0`, SSH in batch mode, `GIT_EDITOR=:`), literal paths
///   (`GIT_LITERAL_PATHSPECS=1`) and untranslated messages (`LC_ALL=C`).
///
/// Each git command is killed, with whatever it started, after the timeout (default 5
/// minutes).
#[derive(Clone)]
pub struct Git {
    program: PathBuf,
    identity: Identity,
    home: Home,
    timeout: Duration,
    pub(crate) clock: Arc<dyn Clock>,
}

impl fmt::Debug for Git {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Git")
            .field("program", &self.program)
            .field("identity", &self.identity)
            .field("home", &self.home.path())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What a git command printed, and how it ended.
#[derive(Debug)]
pub(crate) struct GitOutput {
    /// The exit code (`None` after a signal).
    pub code: Option<i32>,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
}

impl GitOutput {
    /// Whether git exited with 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

impl Git {
    /// `git` from `PATH`, committing as `identity`, with a private empty home directory.
    pub fn new(identity: Identity) -> Result<Self> {
        let home = TempDir::with_prefix("vcs-git-home-").map_err(|source| VcsError::DirectoryUnavailable {
            what: "private git home",
            path: std::env::temp_dir(),
            source,
        })?;
        Ok(Git {
            program: PathBuf::from("git"),
            identity,
            home: Home::Private(Arc::new(home)),
            timeout: Duration::from_secs(300),
            clock: Arc::new(SystemClock),
        })
    }

    /// Runs git with `home` (which must exist) as its home directory.
    pub fn with_home(mut self, home: impl AsRef<Path>) -> Result<Self> {
        let home = home.as_ref();
        let resolved = home.canonicalize().map_err(|source| VcsError::DirectoryUnavailable {
            what: "git home",
            path: home.to_owned(),
            source,
        })?;
        self.home = Home::Given(resolved);
        Ok(self)
    }

    /// Kills each git command that runs longer than `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Takes the time of backup branch names from `clock`.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Runs `program` instead of `git` from `PATH`.
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Self {
        self.program = program.into();
        self
    }

    /// The home directory git runs with.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Runs git with `args` in `cwd` and returns its output, whatever its exit code.
    pub(crate) async fn output<S: AsRef<OsStr>>(
        &self,
        cwd: &Path,
        operation: Operation,
        args: &[S],
        stdin: Option<&str>,
    ) -> Result<GitOutput> {
        let command_line = command_line(args);
        tracing::debug!(repo = %cwd.display(), %operation, command = %command_line, "running git");
        let mut child = self.command(cwd, args, stdin.is_some()).spawn().map_err(|source| {
            VcsError::GitUnavailable { repo: cwd.to_owned(), operation, program: self.program.clone(), source }
        })?;
        if let (Some(mut pipe), Some(text)) = (child.stdin.take(), stdin) {
            // git reads all of its input before it writes much, so this cannot deadlock; a
            // write error shows up as git's own failure.
            let _ = pipe.write_all(text.as_bytes()).await;
        }
        let pid = child.id();
        match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Ok(Ok(output)) => Ok(GitOutput {
                code: output.status.code(),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }),
            Ok(Err(source)) => {
                Err(VcsError::GitUnavailable { repo: cwd.to_owned(), operation, program: self.program.clone(), source })
            }
            Err(_) => {
                kill_group(pid).await;
                Err(VcsError::TimedOut { repo: cwd.to_owned(), operation, command: command_line, after: self.timeout })
            }
        }
    }

    /// Runs git with `args` in `cwd`; its stdout, or [`VcsError::GitFailed`] when it exits
    /// with anything but 0.
    pub(crate) async fn run<S: AsRef<OsStr>>(&self, cwd: &Path, operation: Operation, args: &[S]) -> Result<String> {
        let output = self.output(cwd, operation, args, None).await?;
        if output.success() { Ok(output.stdout) } else { Err(failure(cwd, operation, args, &output)) }
    }

    /// The git command, not yet started.
    fn command<S: AsRef<OsStr>>(&self, cwd: &Path, args: &[S], with_stdin: bool) -> Command {
        let home = self.home.path();
        let mut command = Command::new(&self.program);
        command
            .args(args)
            .current_dir(cwd)
            .env_clear()
            .envs(std::env::var_os("PATH").map(|path| ("PATH", path)))
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", &self.identity.name)
            .env("GIT_AUTHOR_EMAIL", &self.identity.email)
            .env("GIT_COMMITTER_NAME", &self.identity.name)
            .env("GIT_COMMITTER_EMAIL", &self.identity.email)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
            .env("GIT_EDITOR", ":")
            .env("GIT_MERGE_AUTOEDIT", "no")
            .env("GIT_LITERAL_PATHSPECS", "1")
            .env("LC_ALL", "C")
            .stdin(if with_stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        #[cfg(unix)]
        command.process_group(0);
        command
    }
}

/// The error for a git command that exited with anything but 0.
pub(crate) fn failure<S: AsRef<OsStr>>(cwd: &Path, operation: Operation, args: &[S], output: &GitOutput) -> VcsError {
    let lines: Vec<&str> = output.stderr.lines().filter(|line| !line.trim().is_empty()).collect();
    let message = lines[lines.len().saturating_sub(3)..].join(" / ");
    let message = if message.is_empty() { "(git printed nothing on stderr)".to_owned() } else { message };
    VcsError::GitFailed {
        repo: cwd.to_owned(),
        operation,
        command: command_line(args),
        exit_code: output.code,
        message: redact_credentials(&message),
        hint: hint(operation, &output.stderr),
    }
}

/// `git arg arg …` as text, credentials redacted.
fn command_line<S: AsRef<OsStr>>(args: &[S]) -> String {
    let mut line = String::from("git");
    for arg in args {
        line.push(' ');
        line.push_str(&arg.as_ref().to_string_lossy());
    }
    redact_credentials(&line)
}

/// Kills what is left of the process group `pid` leads (git runs in its own group, so remote
/// helpers and SSH end with it).
async fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid {
        let group = format!("-{pid}");
        let killed = Command::new("kill").args(["-KILL", "--", &group]).stdin(Stdio::null()).output().await;
        if let Err(e) = killed {
            tracing::warn!(pid, "could not kill the process group of a timed-out git command: {e}");
        }
    }
    #[cfg(not(unix))]
    let _ = pid;
}
