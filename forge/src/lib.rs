//! REST clients for GitHub and Azure DevOps, for persona actions.
//!
//! - [`GitHub`] (REST v3, one repository): issues, pull requests (create with reviewers, get,
//!   find open by head/base, update, review, merge), commit statuses and check runs.
//! - [`AzureDevOps`] (REST 7.1, one organisation/project/repository): work items (JSON Patch),
//!   pull requests (find active, create, get, update, reviewers, threads, complete and wait for
//!   the merge), policy evaluations and commit statuses.
//! - Tokens come from an environment variable or a file ([`TokenSource`]) and are held as a
//!   [`Secret`], which prints as `***`. Errors ([`ForgeError`]) name the operation, the service's
//!   own message and what to do; a refused token names where it came from; none carries the token.
//! - Every request follows a [`RetryPolicy`]: rate limits wait as the service asks (`Retry-After`,
//!   or GitHub's `x-ratelimit-remaining: 0` until `x-ratelimit-reset`) up to a maximum wait;
//!   server errors and connection failures are retried with exponential back-off (`backon`) a
//!   bounded number of times; other 4xx answers are not retried.
//! - With the `testing` feature, [`testing`] has local stand-in servers for both services.

mod choice;
mod error;
mod input;
mod retry;
mod secret;
mod transport;

pub mod azure;
pub mod github;
#[cfg(feature = "testing")]
pub mod testing;

pub use azure::{AzureDevOps, AzureDevOpsConfig};
pub use error::ForgeError;
pub use github::{GitHub, GitHubConfig};
pub use retry::RetryPolicy;
pub use secret::{Secret, TokenSource};
