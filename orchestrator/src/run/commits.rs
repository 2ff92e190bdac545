//! `run --watch-repo DIR --branch NAME --on-commit PROCESS`: polls the branch and starts the
//! process once per new commit ([`server::repo_starts`]).

use std::time::Duration;

use engine::Engine;
use server::repo_starts::{CommitStarts, RepoWatcher};

use super::console::Console;
use super::started::{Throttle, show_start};
use crate::cli::RunArgs;
use crate::failure::{Failure, Result};
use crate::store::StoreLocation;

/// How often the repository is asked for new commits.
const POLL_EVERY: Duration = Duration::from_secs(1);

/// The watched branch and the commits that started the process.
pub struct CommitWatch {
    watcher: RepoWatcher,
    starts: CommitStarts,
    branch: String,
    throttle: Throttle,
}

impl CommitWatch {
    /// The watch `args` ask for, if any: it picks up after the newest commit the store says
    /// started the process (else at the branch's tip now).
    pub fn open(store: &StoreLocation, args: &RunArgs) -> Result<Option<Self>> {
        let (Some(repo), Some(process_id)) = (&args.watch_repo, &args.on_commit) else { return Ok(None) };
        let starts = CommitStarts::from_history(process_id.as_str(), &store.read_history()?);
        let watcher = RepoWatcher::new(repo, &args.branch, starts.last_started()).map_err(Failure::Usage)?;
        Ok(Some(Self { watcher, starts, branch: args.branch.clone(), throttle: Throttle::new(POLL_EVERY) }))
    }

    /// What it watches, for the console.
    pub fn describe(&self) -> String {
        format!(
            "watching {} branch {}: each new commit starts {}",
            self.watcher.repo().display(),
            self.branch,
            self.starts.process_id()
        )
    }

    /// Starts the process for each commit added since the last poll (at most once a second);
    /// a failure is shown and tried again at the next poll.
    pub fn poll(&mut self, engine: &Engine, console: &Console) {
        if !self.throttle.due() {
            return;
        }
        let commits = match self.watcher.poll() {
            Ok(commits) => commits,
            Err(error) => return console.line(&format!("watching the repository: {error}")),
        };
        for commit in commits {
            let short = commit.sha.get(..8).unwrap_or(&commit.sha);
            let result = engine.with(|core| self.starts.start(core, &commit));
            show_start(console, &format!("commit {short}"), self.starts.process_id(), result);
        }
    }
}
