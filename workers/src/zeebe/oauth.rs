//! [`OAuthCredentials`]: OAuth 2.0 client-credentials tokens for a Zeebe gateway behind Camunda
//! identity (self-managed or SaaS), fetched, cached and refreshed before they expire.

use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::credentials::CredentialsProvider;
use crate::client::ClientError;

/// Where and as whom to ask for tokens; the names follow the Camunda clients' environment
/// variables (`ZEEBE_AUTHORIZATION_SERVER_URL`, `ZEEBE_CLIENT_ID`, `ZEEBE_CLIENT_SECRET`,
/// `ZEEBE_TOKEN_AUDIENCE`).
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthSettings {
    /// The token endpoint, such as `https://login.cloud.camunda.io/oauth/token`.
    pub authorization_server_url: String,
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// The audience the token is for (Camunda's gateway audience), if the server needs one.
    pub audience: Option<String>,
}

impl std::fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("authorization_server_url", &self.authorization_server_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"(hidden)")
            .field("audience", &self.audience)
            .finish()
    }
}

/// A token and when to fetch the next one.
#[derive(Debug)]
struct CachedToken {
    authorization: String,
    refresh_at: Instant,
}

/// Fetches tokens with the client-credentials grant (a form `POST` of `grant_type`,
/// `client_id`, `client_secret` and `audience`), keeps the current one and fetches a new one
/// shortly before it expires: once less than half its lifetime, at most 30 s, is left. Concurrent
/// callers share one fetch.
#[derive(Debug)]
pub struct OAuthCredentials {
    settings: OAuthSettings,
    http: reqwest::Client,
    cached: Mutex<Option<CachedToken>>,
}

/// How long before expiry a token is replaced, at most.
const REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// The lifetime assumed when the server does not say (`expires_in` absent).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

/// How long one token request may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

impl OAuthCredentials {
    /// Credentials for `settings`; `ca_certificate_pem`, when given, is trusted besides the
    /// webpki roots for an `https` authorization server.
    pub fn new(settings: OAuthSettings, ca_certificate_pem: Option<&[u8]>) -> Result<Self, ClientError> {
        let mut builder = reqwest::Client::builder().timeout(FETCH_TIMEOUT);
        if let Some(pem) = ca_certificate_pem {
            let certificate = reqwest::Certificate::from_pem(pem).map_err(|error| {
                ClientError::InvalidArgument(format!("the CA certificate is not a PEM certificate: {error}"))
            })?;
            builder = builder.add_root_certificate(certificate);
        }
        let http = builder.build().map_err(|error| {
            let mut detail = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                detail.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            let hint =
                if ca_certificate_pem.is_some() { "; check that the CA certificate is a PEM certificate" } else { "" };
            ClientError::InvalidArgument(format!("cannot set up the token HTTP client ({detail}){hint}"))
        })?;
        Ok(Self { settings, http, cached: Mutex::new(None) })
    }

    /// Asks the authorization server for a new token.
    async fn fetch(&self) -> Result<CachedToken, ClientError> {
        let url = &self.settings.authorization_server_url;
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", self.settings.client_id.as_str()),
            ("client_secret", self.settings.client_secret.as_str()),
        ];
        if let Some(audience) = &self.settings.audience {
            form.push(("audience", audience.as_str()));
        }
        let requested = Instant::now();
        let response = self.http.post(url).form(&form).send().await.map_err(|error| {
            ClientError::Unavailable(format!("cannot reach the authorization server {url}: {error}"))
        })?;
        let status = response.status();
        let body = response.text().await.map_err(|error| {
            ClientError::Unavailable(format!("the authorization server {url} broke off its answer: {error}"))
        })?;
        if status.is_server_error() {
            return Err(ClientError::Unavailable(format!("the authorization server {url} answered {status}: {body}")));
        }
        if !status.is_success() {
            return Err(ClientError::Rejected(format!(
                "the authorization server {url} refused the client credentials ({status}: {body}); check ZEEBE_CLIENT_ID, ZEEBE_CLIENT_SECRET and ZEEBE_TOKEN_AUDIENCE"
            )));
        }
        let (access_token, lifetime) = read_token(&body)
            .map_err(|problem| ClientError::Rejected(format!("the authorization server {url} sent {problem}")))?;
        tracing::debug!(?lifetime, "fetched an OAuth access token");
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        Ok(CachedToken { authorization: format!("Bearer {access_token}"), refresh_at: requested + lifetime - margin })
    }
}

/// The access token and its lifetime from a token response.
fn read_token(body: &str) -> Result<(String, Duration), String> {
    let json: serde_json::Value =
        serde_json::from_str(body).map_err(|error| format!("a token response that is not JSON ({error})"))?;
    let token = json.get("access_token").and_then(serde_json::Value::as_str).filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err("a token response without an access_token".to_owned());
    };
    let lifetime = json.get("expires_in").and_then(serde_json::Value::as_f64).filter(|s| s.is_finite() && *s > 0.0);
    Ok((token.to_owned(), lifetime.map_or(DEFAULT_LIFETIME, Duration::from_secs_f64)))
}

#[async_trait]
impl CredentialsProvider for OAuthCredentials {
    async fn authorization(&self) -> Result<String, ClientError> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref().filter(|token| Instant::now() < token.refresh_at) {
            return Ok(token.authorization.clone());
        }
        let token = self.fetch().await?;
        let authorization = token.authorization.clone();
        *cached = Some(token);
        Ok(authorization)
    }

    fn invalidate(&self) {
        if let Ok(mut cached) = self.cached.try_lock() {
            *cached = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_response_gives_the_token_and_its_lifetime() {
        let (token, lifetime) = read_token(r#"{"access_token":"abc","expires_in":120,"token_type":"Bearer"}"#).unwrap();
        assert_eq!((token.as_str(), lifetime), ("abc", Duration::from_secs(120)));
        assert_eq!(read_token(r#"{"access_token":"abc"}"#).unwrap().1, DEFAULT_LIFETIME);
    }

    #[test]
    fn a_broken_token_response_says_what_is_wrong() {
        assert!(read_token("<html>").unwrap_err().contains("not JSON"));
        assert!(read_token(r#"{"expires_in":5}"#).unwrap_err().contains("without an access_token"));
        assert!(read_token(r#"{"access_token":""}"#).unwrap_err().contains("without an access_token"));
    }

    #[test]
    fn the_secret_is_not_printed() {
        let settings = OAuthSettings {
            authorization_server_url: "http://auth".into(),
            client_id: "id".into(),
            client_secret: "s3cret".into(),
            audience: None,
        };
        assert!(!format!("{settings:?}").contains("s3cret"));
    }
}
