//! [`Transport`]: one JSON request to a service with its token, rate-limit waits and retries;
//! every failure becomes a [`ForgeError`] that names the operation and never the token.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use backon::Retryable;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ForgeError, hint_for};
use crate::retry::RetryPolicy;
use crate::secret::{Secret, TokenSource};

/// How the token goes into the `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthScheme {
    /// `Bearer <token>` (GitHub).
    Bearer,
    /// HTTP Basic with an empty user name and the token as password (Azure DevOps PATs).
    BasicEmptyUser,
}

/// A service's HTTP client: base settings shared by all its operations.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    client: reqwest::Client,
    service: &'static str,
    scheme: AuthScheme,
    secret: Secret,
    token_source: TokenSource,
    policy: RetryPolicy,
}

/// One request: what it does (for errors), where it goes and what it sends.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub operation: String,
    pub method: Method,
    pub url: Url,
    /// The JSON body and its content type.
    pub body: Option<(Value, &'static str)>,
}

impl Request {
    pub(crate) fn new(operation: impl Into<String>, method: Method, url: Url) -> Self {
        Self { operation: operation.into(), method, url, body: None }
    }

    pub(crate) fn json(mut self, body: Value) -> Self {
        self.body = Some((body, "application/json"));
        self
    }

    /// `json` with a typed body. Serialising the crate's own input types cannot fail (string keys,
    /// no maps with other keys), so there is no error to return.
    pub(crate) fn json_of<T: serde::Serialize>(self, body: &T) -> Self {
        self.json(serde_json::to_value(body).unwrap_or(Value::Null))
    }

    pub(crate) fn json_patch(mut self, body: Value) -> Self {
        self.body = Some((body, "application/json-patch+json"));
        self
    }
}

/// One attempt's failure: either worth another attempt (after `wait`, if the service said) or final.
enum Failure {
    Transient { wait: Option<Duration>, what: String },
    Final(ForgeError),
}

impl Transport {
    pub(crate) fn new(
        service: &'static str,
        scheme: AuthScheme,
        token_source: TokenSource,
        secret: Secret,
        policy: RetryPolicy,
        headers: HeaderMap,
    ) -> Result<Self, ForgeError> {
        let client = reqwest::Client::builder()
            .timeout(policy.timeout)
            .default_headers(headers)
            .user_agent(concat!("persona-orchestrator-forge/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ForgeError::InvalidInput {
                operation: format!("set up the {service} client"),
                message: error.to_string(),
            })?;
        Ok(Self { client, service, scheme, secret, token_source, policy })
    }

    pub(crate) fn service(&self) -> &'static str {
        self.service
    }

    /// Sends `request` and reads the answer as `T`.
    pub(crate) async fn send<T: DeserializeOwned>(&self, request: &Request) -> Result<T, ForgeError> {
        let value = self.send_value(request).await?;
        serde_json::from_value(value).map_err(|error| self.bad_response(request, error.to_string()))
    }

    /// Sends `request` and returns its JSON answer (`null` for an empty one), retrying transient
    /// failures per the policy.
    pub(crate) async fn send_value(&self, request: &Request) -> Result<Value, ForgeError> {
        let attempts = AtomicUsize::new(0);
        let outcome = (|| async {
            attempts.fetch_add(1, Ordering::Relaxed);
            self.attempt(request).await
        })
        .retry(self.policy.backoff())
        .when(|failure| matches!(failure, Failure::Transient { .. }))
        .adjust(|failure, backoff| match (failure, backoff) {
            // Out of attempts stays out of attempts, whatever the service asked.
            (_, None) => None,
            (Failure::Transient { wait: Some(wait), .. }, Some(_)) => Some(*wait),
            (_, backoff) => backoff,
        })
        .notify(|failure, delay| {
            if let Failure::Transient { what, .. } = failure {
                tracing::warn!(service = self.service, operation = %request.operation, ?delay, "retrying after: {what}");
            }
        })
        .await;
        outcome.map_err(|failure| match failure {
            Failure::Final(error) => error,
            Failure::Transient { what, .. } => ForgeError::Unavailable {
                service: self.service,
                operation: request.operation.clone(),
                attempts: attempts.load(Ordering::Relaxed),
                last: what,
            },
        })
    }

    async fn attempt(&self, request: &Request) -> Result<Value, Failure> {
        let mut builder = self.client.request(request.method.clone(), request.url.clone());
        builder = match self.scheme {
            AuthScheme::Bearer => builder.bearer_auth(self.secret.expose()),
            AuthScheme::BasicEmptyUser => builder.basic_auth("", Some(self.secret.expose())),
        };
        if let Some((body, content_type)) = &request.body {
            builder = builder.header(CONTENT_TYPE, *content_type).body(body.to_string());
        }
        let response = builder.send().await.map_err(|error| self.transport_failure(&error))?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.map_err(|error| self.transport_failure(&error))?;
        if status.is_success() {
            return if text.trim().is_empty() {
                Ok(Value::Null)
            } else {
                serde_json::from_str(&text).map_err(|error| {
                    Failure::Final(self.bad_response(request, format!("{error} in {}", excerpt(&text))))
                })
            };
        }
        let message = self.secret.redact(&service_message(status, &text));
        Err(self.classify(request, status, &headers, message))
    }

    fn classify(&self, request: &Request, status: StatusCode, headers: &HeaderMap, message: String) -> Failure {
        let code = status.as_u16();
        let rate_limited = code == 429 || (code == 403 && rate_limit_wait(headers).is_some());
        if rate_limited {
            let wait = rate_limit_wait(headers);
            if let Some(wait) = wait.filter(|wait| *wait > self.policy.max_rate_limit_wait) {
                return Failure::Final(ForgeError::RateLimited {
                    service: self.service,
                    operation: request.operation.clone(),
                    wait,
                    max_wait: self.policy.max_rate_limit_wait,
                    message,
                });
            }
            return Failure::Transient { wait, what: format!("HTTP {code} (rate limited): {message}") };
        }
        if status.is_server_error() {
            return Failure::Transient { wait: retry_after(headers), what: format!("HTTP {code}: {message}") };
        }
        if code == 401 || code == 403 {
            return Failure::Final(ForgeError::Unauthorized {
                service: self.service,
                status: code,
                operation: request.operation.clone(),
                message,
                token_source: self.token_source.to_string(),
            });
        }
        Failure::Final(ForgeError::Api {
            service: self.service,
            status: code,
            operation: request.operation.clone(),
            message,
            hint: hint_for(code).to_owned(),
        })
    }

    fn transport_failure(&self, error: &reqwest::Error) -> Failure {
        let mut what = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            what = format!("{what}: {cause}");
            source = cause.source();
        }
        Failure::Transient { wait: None, what: self.secret.redact(&what) }
    }

    pub(crate) fn bad_response(&self, request: &Request, message: String) -> ForgeError {
        ForgeError::BadResponse {
            service: self.service,
            operation: request.operation.clone(),
            message: self.secret.redact(&message),
        }
    }
}

/// How long a refused request asks to wait: `Retry-After` (seconds or an HTTP date), else, when
/// `x-ratelimit-remaining` is 0, until `x-ratelimit-reset` (epoch seconds).
fn rate_limit_wait(headers: &HeaderMap) -> Option<Duration> {
    retry_after(headers).or_else(|| {
        let remaining = headers.get("x-ratelimit-remaining")?.to_str().ok()?.trim();
        if remaining != "0" {
            return None;
        }
        let reset: i64 = headers.get("x-ratelimit-reset")?.to_str().ok()?.trim().parse().ok()?;
        let now = chrono::Utc::now().timestamp();
        Some(Duration::from_secs(u64::try_from(reset - now).unwrap_or(0).max(1)))
    })
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let millis = at.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    Some(Duration::from_millis(u64::try_from(millis).unwrap_or(0)))
}

/// The service's own message: `message` of a JSON error (GitHub adds `errors[]` details), else
/// the start of the body, else the status text.
fn service_message(status: StatusCode, body: &str) -> String {
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        return if body.trim().is_empty() {
            status.canonical_reason().unwrap_or("no message").to_owned()
        } else {
            excerpt(body)
        };
    };
    let mut message = json.get("message").and_then(Value::as_str).map_or_else(|| excerpt(body), str::to_owned);
    if let Some(details) = json.get("errors").and_then(Value::as_array) {
        let details: Vec<String> = details
            .iter()
            .map(|detail| match detail {
                Value::String(text) => text.clone(),
                Value::Object(fields) => fields
                    .iter()
                    .filter_map(|(key, value)| value.as_str().map(|value| format!("{key}={value}")))
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.to_string(),
            })
            .collect();
        if !details.is_empty() {
            message = format!("{message} ({})", details.join("; "));
        }
    }
    message
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 300;
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(rate_limit_wait(&headers(&[("retry-after", "7".into())])), Some(Duration::from_secs(7)));
        let in_a_minute = (chrono::Utc::now() + chrono::Duration::seconds(60)).to_rfc2822();
        let wait = rate_limit_wait(&headers(&[("retry-after", in_a_minute)])).unwrap();
        assert!(wait > Duration::from_secs(55) && wait <= Duration::from_secs(60), "{wait:?}");
        assert_eq!(rate_limit_wait(&headers(&[("retry-after", "soon".into())])), None);
    }

    #[test]
    fn an_exhausted_github_quota_waits_until_its_reset() {
        let reset = (chrono::Utc::now().timestamp() + 30).to_string();
        let wait =
            rate_limit_wait(&headers(&[("x-ratelimit-remaining", "0".into()), ("x-ratelimit-reset", reset.clone())]))
                .unwrap();
        assert!(wait >= Duration::from_secs(29) && wait <= Duration::from_secs(30), "{wait:?}");
        // Quota left: a 403 is a refusal, not a rate limit.
        assert_eq!(
            rate_limit_wait(&headers(&[("x-ratelimit-remaining", "12".into()), ("x-ratelimit-reset", reset)])),
            None
        );
    }

    #[test]
    fn the_service_message_keeps_validation_details() {
        let body = r#"{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"No commits between main and x"}]}"#;
        assert_eq!(
            service_message(StatusCode::UNPROCESSABLE_ENTITY, body),
            "Validation Failed (code=custom message=No commits between main and x resource=PullRequest)"
        );
        assert_eq!(service_message(StatusCode::BAD_GATEWAY, ""), "Bad Gateway");
        assert_eq!(service_message(StatusCode::BAD_GATEWAY, "<html>oops</html>"), "<html>oops</html>");
    }
}
