//! [`AzureDevOps`]: the REST 7.1 calls persona actions make on one organisation, project and
//! repository: work items, pull requests, reviewers, threads, completion, policy evaluations and
//! commit statuses.
//!
//! Requests carry HTTP Basic authentication with an empty user name and the PAT as password, and
//! `api-version=7.1` (previews where the service has no released version).

mod pulls;
mod statuses;
mod types;
mod work_items;

pub use types::*;

use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use reqwest::{Method, Url};

use crate::error::ForgeError;
use crate::input::base_url;
use crate::retry::RetryPolicy;
use crate::secret::TokenSource;
use crate::transport::{AuthScheme, Request, Transport};

/// The public service's root.
pub const AZURE_DEVOPS_URL: &str = "https://dev.azure.com";

/// The environment variable [`AzureDevOpsConfig::new`] reads the PAT from.
pub const AZURE_DEVOPS_TOKEN_ENV: &str = "AZURE_DEVOPS_PAT";

/// The API version of released endpoints.
const API_VERSION: &str = "7.1";

/// Which organisation, project and repository, where, and with which token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureDevOpsConfig {
    /// The service root: [`AZURE_DEVOPS_URL`], an Azure DevOps Server collection URL, or a test
    /// server's address. The organisation and project follow it in every path.
    pub base_url: String,
    /// The organisation.
    pub organization: String,
    /// The project (name or id).
    pub project: String,
    /// The Git repository (name or id).
    pub repository: String,
    /// Where the PAT is read from.
    pub token: TokenSource,
    /// Attempts and waits per request.
    pub retry: RetryPolicy,
    /// How often a completing pull request is read again while its merge is queued.
    pub completion_poll_interval: Duration,
    /// How long [`AzureDevOps::complete_pull_request`] waits for the merge before giving up.
    pub completion_timeout: Duration,
}

impl AzureDevOpsConfig {
    /// The repository on the public service, PAT from `AZURE_DEVOPS_PAT`, default policies.
    pub fn new(organization: impl Into<String>, project: impl Into<String>, repository: impl Into<String>) -> Self {
        Self {
            base_url: AZURE_DEVOPS_URL.to_owned(),
            organization: organization.into(),
            project: project.into(),
            repository: repository.into(),
            token: TokenSource::Env(AZURE_DEVOPS_TOKEN_ENV.to_owned()),
            retry: RetryPolicy::default(),
            completion_poll_interval: Duration::from_secs(2),
            completion_timeout: Duration::from_secs(120),
        }
    }
}

/// A client for one Azure DevOps project and repository.
#[derive(Debug, Clone)]
pub struct AzureDevOps {
    transport: Transport,
    base: Url,
    organization: String,
    project: String,
    repository: String,
    poll_interval: Duration,
    completion_timeout: Duration,
}

impl AzureDevOps {
    /// Reads the PAT and checks the configuration; no request is sent.
    pub fn connect(config: AzureDevOpsConfig) -> Result<Self, ForgeError> {
        let base = base_url(&config.base_url, "Azure DevOps")?;
        for (value, field) in
            [(&config.organization, "organization"), (&config.project, "project"), (&config.repository, "repository")]
        {
            if value.trim().is_empty() {
                return Err(ForgeError::InvalidInput {
                    operation: "set up the Azure DevOps client".into(),
                    message: format!("{field} is empty; organization, project and repository must all be given"),
                });
            }
        }
        let secret = config.token.read()?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let transport = Transport::new(
            "Azure DevOps",
            AuthScheme::BasicEmptyUser,
            config.token.clone(),
            secret,
            config.retry.clone(),
            headers,
        )?;
        Ok(Self {
            transport,
            base,
            organization: config.organization,
            project: config.project,
            repository: config.repository,
            poll_interval: config.completion_poll_interval,
            completion_timeout: config.completion_timeout,
        })
    }

    /// `{base}/{organization}/{project}/{tail…}`.
    fn project_url(&self, tail: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend([self.organization.as_str(), self.project.as_str()]).extend(tail);
        }
        url
    }

    /// A request to `{base}/{organization}/{project}/_apis/{tail…}?api-version={version}`.
    fn request(&self, operation: String, method: Method, version: &str, tail: &[&str]) -> Request {
        let mut url = self.project_url(&[&["_apis"], tail].concat());
        url.query_pairs_mut().append_pair("api-version", version);
        Request::new(format!("{operation} in {}/{}", self.organization, self.project), method, url)
    }

    /// A request under the configured repository: `…/_apis/git/repositories/{repository}/{tail…}`.
    fn repo_request(&self, operation: String, method: Method, tail: &[&str]) -> Request {
        let path = [&["git", "repositories", self.repository.as_str()], tail].concat();
        let mut request = self.request(operation, method, API_VERSION, &path);
        request.operation = format!("{} (repository {})", request.operation, self.repository);
        request
    }
}
