//! A bare remote, a workspace with a clone of it holding one commit on `main`, and a raw git to
//! check what the crate did.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{TimeZone, Utc};
use tempfile::TempDir;
use vcs::{CommitOutcome, CommitType, ConventionalCommit, FixedClock, Git, Identity, Repo, Staging, Workspace};

/// The time backups are named after in the tests.
pub const BACKUP_NAME: &str = "backup/pre-orchestration-20250314_093000";

/// Everything one test works on; removed when dropped.
pub struct Fixture {
    pub dir: TempDir,
    pub workspace: Workspace,
    pub remote: PathBuf,
    pub git: Git,
    pub repo: Repo,
}

impl Fixture {
    /// A remote with `README.md` committed on `main`, cloned to `<workspace>/app`.
    pub async fn new() -> Fixture {
        let dir = TempDir::with_prefix("vcs-test-").unwrap();
        let remote = dir.path().join("remote.git");
        raw(dir.path(), &["init", "--quiet", "--bare", "--initial-branch=main", remote.to_str().unwrap()]);
        std::fs::create_dir(dir.path().join("workspace")).unwrap();
        let workspace = Workspace::new(dir.path().join("workspace")).unwrap();
        let fixed = Utc.with_ymd_and_hms(2025, 3, 14, 9, 30, 0).unwrap();
        let git =
            Git::new(Identity::new("Test Bot", "bot@example.test").unwrap()).unwrap().with_clock(FixedClock(fixed));
        let (repo, _) = git.clone_into(&workspace, remote.to_str().unwrap(), "app").await.unwrap();
        let fixture = Fixture { dir, workspace, remote, git, repo };
        fixture.commit_file("README.md", "hello\n", "docs: add the readme").await;
        fixture.repo.push("origin", "main").await.unwrap();
        fixture
    }

    /// Writes `file` and commits everything with `message`; the new commit.
    pub async fn commit_file(&self, file: &str, content: &str, message: &str) -> String {
        self.write(file, content);
        let message: ConventionalCommit = message.parse().unwrap();
        match self.repo.commit(&message, &Staging::All).await.unwrap() {
            CommitOutcome::Committed { hash, .. } => hash.to_string(),
            CommitOutcome::NothingToCommit => panic!("nothing to commit for {file}"),
        }
    }

    /// Writes `file` in the working copy.
    pub fn write(&self, file: &str, content: &str) {
        let path = self.repo.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// Runs git in the working copy and returns its trimmed stdout.
    pub fn git_here(&self, args: &[&str]) -> String {
        raw(self.repo.path(), args)
    }

    /// Runs git in the bare remote and returns its trimmed stdout.
    pub fn git_remote(&self, args: &[&str]) -> String {
        raw(&self.remote, args)
    }

    /// The commit `revision` names in the working copy.
    pub fn rev(&self, revision: &str) -> String {
        self.git_here(&["rev-parse", revision])
    }

    /// Whether the working copy has no changes at all, untracked files included.
    pub fn is_clean(&self) -> bool {
        self.git_here(&["status", "--porcelain"]).is_empty()
    }

    /// The parents of `revision`.
    pub fn parents(&self, revision: &str) -> Vec<String> {
        let line = self.git_here(&["rev-list", "--parents", "-n", "1", revision]);
        line.split_whitespace().skip(1).map(str::to_owned).collect()
    }
}

/// Runs git in `dir` with no user configuration and panics when it fails.
pub fn raw(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Raw")
        .env("GIT_AUTHOR_EMAIL", "raw@example.test")
        .env("GIT_COMMITTER_NAME", "Raw")
        .env("GIT_COMMITTER_EMAIL", "raw@example.test")
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The conventional commit `message`.
pub fn conventional(message: &str) -> ConventionalCommit {
    message.parse().unwrap()
}

/// `feat: <subject>` as a conventional commit.
pub fn feat(subject: &str) -> ConventionalCommit {
    ConventionalCommit::new(CommitType::Feat, subject).unwrap()
}
