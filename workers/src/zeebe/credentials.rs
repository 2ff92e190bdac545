//! [`CredentialsProvider`]: where [`ZeebeClient`](super::ZeebeClient) gets the `authorization`
//! metadata it sends with every gateway call.

use std::fmt::Debug;

use async_trait::async_trait;

use crate::client::ClientError;

/// Supplies the value of the `authorization` metadata sent with every gateway call, such as
/// `Bearer eyJ…` for an OAuth access token (`OAuthCredentials`, feature
/// `zeebe-oauth`). Implementations cache what they fetch: the client asks before every call.
#[async_trait]
pub trait CredentialsProvider: Send + Sync + Debug {
    /// The `authorization` value for the next call. A provider that cannot get one answers
    /// [`ClientError::Unavailable`] for trouble that passes (an unreachable authorization
    /// server), so the worker runtime backs off and retries, and another error otherwise.
    async fn authorization(&self) -> Result<String, ClientError>;

    /// The gateway refused the last value (`UNAUTHENTICATED`): forget any cached credentials so
    /// the next call fetches new ones.
    fn invalidate(&self);
}
