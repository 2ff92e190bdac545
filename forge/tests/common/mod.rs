//! Shared by the integration tests: tokens in files, clients pointed at the stand-in servers,
//! and bare git repositories made with the git CLI.

#![allow(dead_code, reason = "each test file uses its own part of these helpers")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use forge::testing::{AzureDevOpsServer, AzureDevOpsServerConfig, GitHubServer, GitHubServerConfig};
use forge::{AzureDevOps, AzureDevOpsConfig, GitHub, GitHubConfig, RetryPolicy, TokenSource};
use tempfile::TempDir;

pub const TOKEN: &str = "forge-test-token-5ecret";
pub const PROJECT_ID: &str = "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c";

/// Quick retries so failure tests stay fast.
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        retries: 3,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_rate_limit_wait: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
    }
}

/// A token file holding `token`, in its own temporary folder.
pub fn token_file(token: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, format!("{token}\n")).unwrap();
    (dir, path)
}

pub struct GitHubFixture {
    pub server: GitHubServer,
    pub client: GitHub,
    _token_dir: TempDir,
}

pub async fn github(git: Option<&Path>) -> GitHubFixture {
    let server = GitHubServer::start(GitHubServerConfig {
        owner: "acme".into(),
        repo: "widgets".into(),
        token: TOKEN.into(),
        git: git.map(Path::to_path_buf),
    })
    .await
    .unwrap();
    let (token_dir, path) = token_file(TOKEN);
    let client = GitHub::connect(github_config(&server, TokenSource::File(path))).unwrap();
    GitHubFixture { server, client, _token_dir: token_dir }
}

pub fn github_config(server: &GitHubServer, token: TokenSource) -> GitHubConfig {
    GitHubConfig {
        base_url: server.base_url().to_owned(),
        token,
        retry: fast_policy(),
        ..GitHubConfig::new("acme", "widgets")
    }
}

pub struct AzureFixture {
    pub server: AzureDevOpsServer,
    pub client: AzureDevOps,
    _token_dir: TempDir,
}

pub async fn azure(git: Option<&Path>) -> AzureFixture {
    let server = AzureDevOpsServer::start(AzureDevOpsServerConfig {
        organization: "contoso".into(),
        project: "Fabrikam Web".into(),
        project_id: PROJECT_ID.into(),
        repository: "shop".into(),
        token: TOKEN.into(),
        git: git.map(Path::to_path_buf),
    })
    .await
    .unwrap();
    let (token_dir, path) = token_file(TOKEN);
    let client = AzureDevOps::connect(azure_config(&server, TokenSource::File(path))).unwrap();
    AzureFixture { server, client, _token_dir: token_dir }
}

pub fn azure_config(server: &AzureDevOpsServer, token: TokenSource) -> AzureDevOpsConfig {
    AzureDevOpsConfig {
        base_url: server.base_url().to_owned(),
        token,
        retry: fast_policy(),
        completion_poll_interval: Duration::from_millis(20),
        completion_timeout: Duration::from_secs(5),
        ..AzureDevOpsConfig::new("contoso", "Fabrikam Web", "shop")
    }
}

/// A bare repository with `main` (one commit: README) and a working clone to add branches from.
pub struct Repo {
    _dir: TempDir,
    pub bare: PathBuf,
    work: PathBuf,
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.invalid")
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

impl Repo {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("origin.git");
        let work = dir.path().join("work");
        git(dir.path(), &["init", "--quiet", "--bare", "--initial-branch=main", bare.to_str().unwrap()]);
        git(dir.path(), &["clone", "--quiet", bare.to_str().unwrap(), work.to_str().unwrap()]);
        git(&work, &["checkout", "--quiet", "-b", "main"]);
        std::fs::write(work.join("README.md"), "widgets\n").unwrap();
        git(&work, &["add", "."]);
        git(&work, &["commit", "--quiet", "-m", "Initial commit"]);
        git(&work, &["push", "--quiet", "origin", "main"]);
        Self { _dir: dir, bare, work }
    }

    /// Commits `content` to `file` on `branch` (created from `main` if new) and pushes.
    pub fn commit(&self, branch: &str, file: &str, content: &str, message: &str) -> String {
        git(&self.work, &["fetch", "--quiet", "origin"]);
        let exists = git(&self.work, &["ls-remote", "--heads", "origin", branch]);
        let start = if exists.is_empty() { "origin/main".to_owned() } else { format!("origin/{branch}") };
        git(&self.work, &["checkout", "--quiet", "-B", branch, &start]);
        std::fs::write(self.work.join(file), content).unwrap();
        git(&self.work, &["add", "."]);
        git(&self.work, &["commit", "--quiet", "-m", message]);
        git(&self.work, &["push", "--quiet", "origin", &format!("{branch}:refs/heads/{branch}")]);
        git(&self.work, &["rev-parse", "HEAD"])
    }

    /// Runs git in the bare repository.
    pub fn bare(&self, args: &[&str]) -> String {
        git(&self.bare, args)
    }

    /// The parents of `rev` in the bare repository.
    pub fn parents(&self, rev: &str) -> Vec<String> {
        self.bare(&["rev-list", "--parents", "-n", "1", rev]).split_whitespace().skip(1).map(str::to_owned).collect()
    }

    /// Subjects of `main`'s first-parent history, newest first.
    pub fn main_subjects(&self) -> Vec<String> {
        self.bare(&["log", "--first-parent", "--format=%s", "main"]).lines().map(str::to_owned).collect()
    }

    /// Whether the bare repository has the branch.
    pub fn has_branch(&self, branch: &str) -> bool {
        !self.bare(&["branch", "--list", branch]).is_empty()
    }
}
