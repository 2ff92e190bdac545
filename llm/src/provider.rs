//! Where an LLM lives: [`ProviderConfig`] names a provider's wire format, address and model, and
//! the environment variable that holds its key; [`ApiKey`] keeps the key out of text.

use serde::{Deserialize, Serialize};

/// The wire format a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// OpenAI chat completions (`POST {base_url}/chat/completions`, bearer key); also local
    /// servers such as llama.cpp, vLLM or Ollama's `/v1`. `base_url` includes the `/v1`.
    OpenAiCompatible,
    /// Anthropic messages (`POST {base_url}/v1/messages`, `x-api-key`).
    Anthropic,
    /// Gemini `generateContent` (`POST {base_url}/v1beta/models/{model}:generateContent`, key
    /// as the `key` query parameter).
    Gemini,
    /// Ollama's native chat (`POST {base_url}/api/chat`); usually no key.
    Ollama,
}

/// One provider of a [`Chain`](crate::Chain).
///
/// The key itself is never part of the configuration: `api_key_env` names the environment
/// variable that holds it, read at each call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderConfig {
    /// A name for logs, errors and the recorded usage, unique in its chain (e.g. `openai-main`).
    pub name: String,
    /// The wire format.
    pub kind: ProviderKind,
    /// The server's root URL, e.g. `http://127.0.0.1:8080/v1` for an OpenAI-compatible server.
    pub base_url: String,
    /// The model to ask.
    pub model: String,
    /// The name of the environment variable that holds the API key; `None` for servers
    /// without authentication (local Ollama, llama.cpp).
    pub api_key_env: Option<String>,
}

/// An API key read from the environment. Its `Debug` output hides the value and it has no
/// `Display`; [`ApiKey::redact`] removes it from text that a server sent back.
pub(crate) struct ApiKey(String);

impl ApiKey {
    /// The key in the variable `name`; an unset or empty variable is an error naming it.
    pub(crate) fn from_env(name: &str) -> Result<Self, String> {
        match std::env::var(name) {
            Ok(value) if !value.is_empty() => Ok(Self(value)),
            _ => Err(name.to_owned()),
        }
    }

    /// The value, for the request header or query only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the key replaced by `[redacted]`.
    pub(crate) fn redact(&self, text: &str) -> String {
        text.replace(&self.0, "[redacted]")
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_redact_hide_the_value() {
        let key = ApiKey("sk-very-secret".to_owned());
        assert_eq!(format!("{key:?}"), "ApiKey([redacted])");
        assert_eq!(key.redact("got 'sk-very-secret', twice: sk-very-secret"), "got '[redacted]', twice: [redacted]");
        assert_eq!(key.expose(), "sk-very-secret");
    }

    #[test]
    fn an_unset_variable_is_named() {
        assert_eq!(ApiKey::from_env("LLM_TEST_SURELY_UNSET_VARIABLE").unwrap_err(), "LLM_TEST_SURELY_UNSET_VARIABLE");
    }
}
