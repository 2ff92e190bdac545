//! Repository starts: each new commit on a watched branch starts a process once, with the
//! variables `sha`, `author`, `message` and `changed_files`, whether the commit was found by
//! polling the repository ([`RepoWatcher`]) or delivered by a GitHub push webhook
//! ([`commits_from_push`]), and however often it is delivered.
//!
//! The "once" is durable: an instance's `sha` variable is in the engine's record log, written
//! in the same batch that starts it, so [`CommitStarts::from_history`] rebuilds the set of
//! started commits from the store after a restart.
//!
//! ```no_run
//! # fn demo(core: &mut engine::EngineCore, history: &engine::history::History) -> Result<(), String> {
//! use server::repo_starts::{CommitStarts, RepoWatcher};
//! let mut starts = CommitStarts::from_history("on-commit", history);
//! let mut watcher = RepoWatcher::new("/srv/repo", "main", starts.last_started())?;
//! for commit in watcher.poll()? {
//!     if let Some(created) = starts.start(core, &commit).map_err(|e| e.to_string())? {
//!         println!("commit {} started instance {}", commit.sha, created.process_instance_key);
//!     }
//! }
//! # Ok(()) }
//! ```

mod push;
mod watch;

use std::collections::HashSet;

use engine::history::History;
use engine::{EngineCore, EngineError, ProcessInstanceCreated, Variables};
use serde_json::json;

pub use push::commits_from_push;
pub use watch::RepoWatcher;

/// One commit as the started process sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The full commit id.
    pub sha: String,
    /// `Name <email>`.
    pub author: String,
    /// The whole commit message.
    pub message: String,
    /// The paths the commit added, changed or removed.
    pub changed_files: Vec<String>,
}

impl Commit {
    /// The start variables: `sha`, `author`, `message`, `changed_files`, and the same as the
    /// inputs `SHA`, `AUTHOR`, `MESSAGE` and `CHANGED_FILES` of a YAML workflow.
    pub fn variables(&self) -> Variables {
        let mut variables = Variables::new();
        variables.insert("sha".into(), json!(self.sha));
        variables.insert("author".into(), json!(self.author));
        variables.insert("message".into(), json!(self.message));
        variables.insert("changed_files".into(), json!(self.changed_files));
        let inputs = json!({"SHA": self.sha, "AUTHOR": self.author, "MESSAGE": self.message, "CHANGED_FILES": self.changed_files});
        variables.insert("inputs".into(), inputs);
        variables
    }
}

/// Starts a process once per commit sha.
#[derive(Debug, Clone)]
pub struct CommitStarts {
    process_id: String,
    started: HashSet<String>,
    last: Option<String>,
}

impl CommitStarts {
    /// Starts `process_id`; no commit has started it yet.
    pub fn new(process_id: impl Into<String>) -> Self {
        Self { process_id: process_id.into(), started: HashSet::new(), last: None }
    }

    /// Starts `process_id`, knowing the commits that already started it: the `sha` start
    /// variable of each of its instances in the record log (`history`).
    pub fn from_history(process_id: impl Into<String>, history: &History) -> Self {
        let mut starts = Self::new(process_id);
        for instance in history.instances().filter(|i| i.bpmn_process_id == starts.process_id) {
            let sha = history
                .variable_changes(instance.key)
                .into_iter()
                .find(|v| v.name == "sha" && v.created && v.scope_key == instance.key)
                .and_then(|v| v.value.as_str().map(str::to_owned));
            if let Some(sha) = sha {
                starts.last = Some(sha.clone());
                starts.started.insert(sha);
            }
        }
        starts
    }

    /// The process it starts.
    pub fn process_id(&self) -> &str {
        &self.process_id
    }

    /// The commit that started the newest instance, if any: where a watcher picks up.
    pub fn last_started(&self) -> Option<&str> {
        self.last.as_deref()
    }

    /// True when `sha` already started an instance.
    pub fn has_started(&self, sha: &str) -> bool {
        self.started.contains(sha)
    }

    /// Starts one instance for `commit`, or nothing (`Ok(None)`) when its sha already started one.
    pub fn start(
        &mut self,
        core: &mut EngineCore,
        commit: &Commit,
    ) -> Result<Option<ProcessInstanceCreated>, EngineError> {
        if self.has_started(&commit.sha) {
            return Ok(None);
        }
        let created = core.create_instance(&self.process_id, None, commit.variables())?;
        self.started.insert(commit.sha.clone());
        self.last = Some(commit.sha.clone());
        Ok(Some(created))
    }
}
