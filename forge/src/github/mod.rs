//! [`GitHub`]: the REST v3 calls persona actions make on one repository: issues, pull requests,
//! reviews, merges, commit statuses and check runs.
//!
//! Requests carry `Authorization: Bearer <token>`, `Accept: application/vnd.github+json` and
//! `X-GitHub-Api-Version: 2022-11-28`.

mod checks;
mod issues;
mod pulls;
mod types;

pub use types::*;

use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use reqwest::{Method, Url};

use crate::error::ForgeError;
use crate::input::base_url;
use crate::retry::RetryPolicy;
use crate::secret::TokenSource;
use crate::transport::{AuthScheme, Request, Transport};

/// The public service's API root.
pub const GITHUB_API_URL: &str = "https://api.github.com";

/// The environment variable [`GitHubConfig::new`] reads the token from.
pub const GITHUB_TOKEN_ENV: &str = "GITHUB_TOKEN";

/// Which repository, where, and with which token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitHubConfig {
    /// The API root: [`GITHUB_API_URL`], `https://HOST/api/v3` for GitHub Enterprise Server, or a
    /// test server's address.
    pub base_url: String,
    /// The repository's owner (user or organisation).
    pub owner: String,
    /// The repository's name.
    pub repo: String,
    /// Where the token is read from.
    pub token: TokenSource,
    /// Attempts and waits per request.
    pub retry: RetryPolicy,
}

impl GitHubConfig {
    /// `owner/repo` on the public service, token from `GITHUB_TOKEN`, default retry policy.
    pub fn new(owner: impl Into<String>, repo: impl Into<String>) -> Self {
        Self {
            base_url: GITHUB_API_URL.to_owned(),
            owner: owner.into(),
            repo: repo.into(),
            token: TokenSource::Env(GITHUB_TOKEN_ENV.to_owned()),
            retry: RetryPolicy::default(),
        }
    }
}

/// A client for one GitHub repository.
#[derive(Debug, Clone)]
pub struct GitHub {
    transport: Transport,
    base: Url,
    owner: String,
    repo: String,
}

impl GitHub {
    /// Reads the token and checks the base URL; no request is sent.
    pub fn connect(config: GitHubConfig) -> Result<Self, ForgeError> {
        let base = base_url(&config.base_url, "GitHub")?;
        if config.owner.trim().is_empty() || config.repo.trim().is_empty() {
            return Err(ForgeError::InvalidInput {
                operation: "set up the GitHub client".into(),
                message: "owner and repo must both be given (e.g. owner 'acme', repo 'widgets')".into(),
            });
        }
        let secret = config.token.read()?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/vnd.github+json"));
        headers.insert("x-github-api-version", HeaderValue::from_static("2022-11-28"));
        let transport =
            Transport::new("GitHub", AuthScheme::Bearer, config.token.clone(), secret, config.retry.clone(), headers)?;
        Ok(Self { transport, base, owner: config.owner, repo: config.repo })
    }

    /// `owner/repo`.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    /// A request to `/repos/{owner}/{repo}/{tail…}`.
    fn request(&self, operation: String, method: Method, tail: &[&str]) -> Request {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(["repos", self.owner.as_str(), self.repo.as_str()]).extend(tail);
        }
        Request::new(format!("{operation} in {}", self.repository()), method, url)
    }
}
