//! [`Chain`]: providers in priority order. Each provider gets retries with exponential back-off
//! on transient failures (429, 5xx, timeout, connection trouble) behind its own circuit
//! breaker; when a provider gives up, the next one is asked.

use std::error::Error as _;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use serde::Serialize;

use crate::breaker::{CircuitBreaker, CircuitState};
use crate::provider::{ApiKey, ProviderConfig};
use crate::wire::{self, Message};

/// How hard a [`Chain`] tries each provider.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainOptions {
    /// The most one HTTP call may take, from sending the request to the last byte of the answer.
    pub timeout: Duration,
    /// Retries per provider after its first attempt, for transient failures only.
    pub retries: usize,
    /// The first back-off delay; it doubles per retry (with jitter) up to `max_delay`.
    pub min_delay: Duration,
    /// The longest back-off delay.
    pub max_delay: Duration,
    /// Consecutive transient failures that open a provider's circuit.
    pub failure_threshold: u32,
    /// How long an open circuit refuses calls before it lets one probe through.
    pub cool_down: Duration,
    /// The answer's token limit sent with each request.
    pub max_tokens: u32,
}

impl Default for ChainOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(60),
            retries: 2,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            failure_threshold: 5,
            cool_down: Duration::from_secs(30),
            max_tokens: 1024,
        }
    }
}

/// The tokens one or more calls used, and where they were answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// The [`ProviderConfig::name`] that answered.
    pub provider: String,
    /// The model that answered.
    pub model: String,
    /// Input (prompt) tokens, cached ones included.
    pub input_tokens: u64,
    /// Output tokens, thinking ones included.
    pub output_tokens: u64,
}

/// One answer of a [`Chain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The model's text.
    pub text: String,
    /// What the call used.
    pub usage: Usage,
}

/// Why one provider gave no answer. No variant carries the API key: text that a server sent
/// back has the key removed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttemptError {
    /// HTTP 429.
    #[error("rate limited (HTTP 429): {0}")]
    RateLimited(String),
    /// HTTP 5xx.
    #[error("server error (HTTP {status}): {message}")]
    Server {
        /// The status code.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// No complete answer within [`ChainOptions::timeout`].
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The connection failed.
    #[error("could not reach the provider: {0}")]
    Transport(String),
    /// Any other non-2xx status (bad request, bad key, unknown model): retrying will not help.
    #[error("request refused (HTTP {status}): {message}")]
    Refused {
        /// The status code.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// A 2xx answer that is not the provider's response format.
    #[error("unreadable answer: {0}")]
    BadAnswer(String),
    /// The key's environment variable is unset or empty.
    #[error("environment variable {0} (the API key) is not set")]
    MissingKey(String),
    /// The provider's circuit is open; it was not asked.
    #[error("circuit open after repeated failures; not asked")]
    CircuitOpen,
}

impl AttemptError {
    /// Whether retrying the same provider may help, and whether the failure counts against
    /// its circuit.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::RateLimited(_) | Self::Server { .. } | Self::Timeout(_) | Self::Transport(_))
    }
}

/// Every provider of the chain failed; one entry per provider, in order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Unavailable {
    /// `(provider name, its last failure)`.
    pub failures: Vec<(String, AttemptError)>,
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no LLM provider answered")?;
        for (i, (provider, error)) in self.failures.iter().enumerate() {
            write!(f, "{} {provider}: {error}", if i == 0 { ":" } else { ";" })?;
        }
        Ok(())
    }
}

/// A provider and its breaker.
#[derive(Debug)]
struct Slot {
    config: ProviderConfig,
    /// Shared with the chains [`Chain::in_order`] derives, so a provider has one breaker.
    breaker: Arc<CircuitBreaker>,
}

/// Providers in priority order, asked one after the other until one answers.
#[derive(Debug)]
pub struct Chain {
    slots: Vec<Slot>,
    options: ChainOptions,
    http: reqwest::Client,
}

/// A chain that cannot work as configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// No providers were given.
    #[error("the LLM chain has no providers; configure at least one")]
    Empty,
    /// Two providers share a name, so usage and errors could not tell them apart.
    #[error("two LLM providers are named `{0}`; give each a unique name")]
    DuplicateName(String),
    /// [`Chain::in_order`] named a provider the chain does not have.
    #[error("no LLM provider is named `{name}` (the configured ones: {known}); configure it, or name one of those")]
    UnknownProvider {
        /// The name asked for.
        name: String,
        /// The configured names, comma-separated.
        known: String,
    },
    /// The HTTP client could not be built.
    #[error("could not build the HTTP client: {0}")]
    Http(String),
}

impl Chain {
    /// The models of the providers, in the order they are asked.
    pub fn models(&self) -> Vec<String> {
        self.slots.iter().map(|slot| slot.config.model.clone()).collect()
    }

    /// The most output tokens a call may produce.
    pub fn max_tokens(&self) -> u32 {
        self.options.max_tokens
    }

    /// A chain over `providers`, the first one preferred.
    pub fn new(providers: Vec<ProviderConfig>, options: ChainOptions) -> Result<Self, ChainError> {
        if providers.is_empty() {
            return Err(ChainError::Empty);
        }
        for (i, provider) in providers.iter().enumerate() {
            if providers[..i].iter().any(|p| p.name == provider.name) {
                return Err(ChainError::DuplicateName(provider.name.clone()));
            }
        }
        let http = reqwest::Client::builder().build().map_err(|e| ChainError::Http(e.to_string()))?;
        let slots = providers
            .into_iter()
            .map(|config| Slot {
                config,
                breaker: Arc::new(CircuitBreaker::new(options.failure_threshold, options.cool_down)),
            })
            .collect();
        Ok(Self { slots, options, http })
    }

    /// A chain over some of these providers in another order, each with its own model: a
    /// persona instance's `(provider name, model)` list, first preferred. It shares this chain's
    /// circuit breakers (one per provider, whichever chain calls it) and HTTP client.
    pub fn in_order(&self, picks: &[(String, String)]) -> Result<Chain, ChainError> {
        if picks.is_empty() {
            return Err(ChainError::Empty);
        }
        let mut slots = Vec::with_capacity(picks.len());
        for (name, model) in picks {
            let slot = self.slots.iter().find(|slot| &slot.config.name == name).ok_or_else(|| {
                let known: Vec<&str> = self.slots.iter().map(|s| s.config.name.as_str()).collect();
                ChainError::UnknownProvider { name: name.clone(), known: known.join(", ") }
            })?;
            if slots.iter().any(|s: &Slot| &s.config.name == name) {
                return Err(ChainError::DuplicateName(name.clone()));
            }
            let config = ProviderConfig { model: model.clone(), ..slot.config.clone() };
            slots.push(Slot { config, breaker: slot.breaker.clone() });
        }
        Ok(Chain { slots, options: self.options.clone(), http: self.http.clone() })
    }

    /// The circuit state of the provider with that name.
    pub fn circuit(&self, provider: &str) -> Option<CircuitState> {
        self.slots.iter().find(|s| s.config.name == provider).map(|s| s.breaker.state())
    }

    /// Asks the providers in order until one answers `messages`.
    pub async fn complete(&self, messages: &[Message]) -> Result<Completion, Unavailable> {
        let mut failures = Vec::new();
        for slot in &self.slots {
            match self.ask_provider(slot, messages).await {
                Ok(completion) => return Ok(completion),
                Err(error) => {
                    tracing::warn!(provider = %slot.config.name, %error, "LLM provider gave no answer; trying the next");
                    failures.push((slot.config.name.clone(), error));
                }
            }
        }
        Err(Unavailable { failures })
    }

    /// One provider, with retries on transient failures while its circuit lets calls through.
    async fn ask_provider(&self, slot: &Slot, messages: &[Message]) -> Result<Completion, AttemptError> {
        let key = match &slot.config.api_key_env {
            Some(name) => Some(ApiKey::from_env(name).map_err(AttemptError::MissingKey)?),
            None => None,
        };
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.options.min_delay)
            .with_max_delay(self.options.max_delay)
            .with_max_times(self.options.retries)
            .with_jitter();
        let attempt = || async {
            if !slot.breaker.try_acquire() {
                return Err(AttemptError::CircuitOpen);
            }
            let result = self.attempt(slot, key.as_ref(), messages).await;
            match &result {
                Err(error) if error.is_transient() => slot.breaker.failed(),
                _ => slot.breaker.succeeded(),
            }
            result
        };
        attempt
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(AttemptError::is_transient)
            .notify(|error, delay| {
                tracing::debug!(provider = %slot.config.name, %error, ?delay, "LLM call failed; retrying");
            })
            .await
    }

    /// One HTTP call within the timeout.
    async fn attempt(
        &self,
        slot: &Slot,
        key: Option<&ApiKey>,
        messages: &[Message],
    ) -> Result<Completion, AttemptError> {
        let config = &slot.config;
        let clean = |text: String| key.map_or_else(|| text.clone(), |key| key.redact(&text));
        let request = wire::request(&self.http, config, key, messages, self.options.max_tokens);
        let call = async {
            let response = request.send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        };
        let (status, body) = match tokio::time::timeout(self.options.timeout, call).await {
            Err(_) => return Err(AttemptError::Timeout(self.options.timeout)),
            Ok(Err(error)) => return Err(AttemptError::Transport(clean(describe(error)))),
            Ok(Ok(answer)) => answer,
        };
        if !status.is_success() {
            let message = clean(wire::error_message(&body));
            return Err(match status.as_u16() {
                429 => AttemptError::RateLimited(message),
                status @ 500..=599 => AttemptError::Server { status, message },
                status => AttemptError::Refused { status, message },
            });
        }
        let reply = wire::parse(config.kind, &body).map_err(|e| AttemptError::BadAnswer(clean(e)))?;
        tracing::debug!(
            provider = %config.name, model = %config.model,
            input_tokens = reply.input_tokens, output_tokens = reply.output_tokens, "LLM answered"
        );
        Ok(Completion {
            text: reply.text,
            usage: Usage {
                provider: config.name.clone(),
                model: config.model.clone(),
                input_tokens: reply.input_tokens,
                output_tokens: reply.output_tokens,
            },
        })
    }
}

/// A transport error and its causes, without the URL (a Gemini URL carries the key).
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ProviderKind;

    fn provider(name: &str) -> ProviderConfig {
        ProviderConfig {
            name: name.to_owned(),
            kind: ProviderKind::Ollama,
            base_url: "http://127.0.0.1:9".to_owned(),
            model: "m".to_owned(),
            api_key_env: None,
        }
    }

    #[test]
    fn a_chain_needs_providers_with_unique_names() {
        assert_eq!(Chain::new(vec![], ChainOptions::default()).unwrap_err(), ChainError::Empty);
        let error = Chain::new(vec![provider("a"), provider("a")], ChainOptions::default()).unwrap_err();
        assert_eq!(error, ChainError::DuplicateName("a".to_owned()));
    }

    #[test]
    fn unavailable_lists_each_provider() {
        let error = Unavailable {
            failures: vec![
                ("a".to_owned(), AttemptError::RateLimited("slow down".to_owned())),
                ("b".to_owned(), AttemptError::CircuitOpen),
            ],
        };
        assert_eq!(
            error.to_string(),
            "no LLM provider answered: a: rate limited (HTTP 429): slow down; b: circuit open after repeated failures; not asked"
        );
    }

    #[tokio::test]
    async fn an_unset_key_variable_skips_the_provider_without_a_call() {
        let mut config = provider("keyless");
        config.api_key_env = Some("LLM_TEST_SURELY_UNSET_KEY".to_owned());
        let chain = Chain::new(vec![config], ChainOptions::default()).unwrap();
        let error = chain.complete(&[Message::user("hi")]).await.unwrap_err();
        assert_eq!(
            error.failures,
            vec![("keyless".into(), AttemptError::MissingKey("LLM_TEST_SURELY_UNSET_KEY".into()))]
        );
        assert_eq!(chain.circuit("keyless"), Some(CircuitState::Closed));
    }

    #[tokio::test]
    async fn an_instance_order_picks_reorders_and_shares_the_breakers() {
        let options = ChainOptions { failure_threshold: 1, retries: 0, ..ChainOptions::default() };
        let chain = Chain::new(vec![provider("a"), provider("b"), provider("c")], options).unwrap();
        let picks = [("c".to_owned(), "big".to_owned()), ("a".to_owned(), "small".to_owned())];
        let derived = chain.in_order(&picks).unwrap();
        assert_eq!(derived.models(), vec!["big".to_owned(), "small".to_owned()]);
        // Nothing listens on port 9: each provider fails once and its one breaker opens.
        let error = derived.complete(&[Message::user("hi")]).await.unwrap_err();
        let asked: Vec<&str> = error.failures.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(asked, ["c", "a"]);
        assert_eq!(chain.circuit("c"), Some(CircuitState::Open));
        assert_eq!(chain.circuit("a"), Some(CircuitState::Open));
        assert_eq!(chain.circuit("b"), Some(CircuitState::Closed));

        let unknown = chain.in_order(&[("d".to_owned(), "m".to_owned())]).unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "no LLM provider is named `d` (the configured ones: a, b, c); configure it, or name one of those"
        );
        let twice = [("a".to_owned(), "m".to_owned()), ("a".to_owned(), "n".to_owned())];
        assert_eq!(chain.in_order(&twice).unwrap_err(), ChainError::DuplicateName("a".to_owned()));
        assert_eq!(chain.in_order(&[]).unwrap_err(), ChainError::Empty);
    }
}
