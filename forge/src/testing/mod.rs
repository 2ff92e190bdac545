//! Local stand-in servers for GitHub ([`GitHubServer`]) and Azure DevOps ([`AzureDevOpsServer`]),
//! for tests of this crate and of crates that drive it.
//!
//! They stand in for the real services, which tests cannot reach (no network but package
//! registries, and no accounts). Each listens on `127.0.0.1` with a port of its own, implements
//! exactly the documented endpoints the clients call, with the public documentation's field
//! names in requests and answers, and keeps its state in memory. Each also:
//!
//! - checks the `Authorization` header against its configured token and answers 401 otherwise;
//! - records every request (method, path, query, headers without `authorization`, JSON body,
//!   content type) for assertions: [`RecordedRequest`];
//! - injects failures into the next N requests: [`InjectedFailure`] (429 with `Retry-After`,
//!   503, or GitHub's 403 with `x-ratelimit-remaining: 0`);
//! - can be backed by a real bare git repository: creating a pull request checks that its branches
//!   exist there, and merging/completing merges for real (no-ff merge, squash or rebase, in a
//!   temporary clone with the git CLI) and pushes, so a test reads the outcome with `git log`.
//!
//! Gitea (or Forgejo) was not used as the stand-in: its API is GitHub-like but differs on the
//! calls made here (merge is `POST …/merge` with a `do` field instead of `PUT` with
//! `merge_method`, review events are spelled `APPROVED`, there is no Checks API, and the root is
//! `/api/v1`), and it has no Azure DevOps API at all; it would also need a server binary that
//! cannot be installed here.

// Handlers answer refusals as `Err(Response)`, axum's own idiom; boxing them would only add noise.
#![allow(clippy::result_large_err)]

mod azure;
mod gate;
mod git;
mod github;

pub use azure::{AzureDevOpsServer, AzureDevOpsServerConfig, PolicyFixture};
pub use gate::{InjectedFailure, RecordedRequest};
pub use github::{GitHubServer, GitHubServerConfig};
